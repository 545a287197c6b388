/* SPDX-License-Identifier: MIT */
/* asan_check: proves the core's AddressSanitizer poisoning works.
 *
 * Runs itself once per case as a child process (fork + exec, stderr
 * captured).  A write one byte past a 20-byte request and a read after free
 * (of a slab object, and of a page block) must each kill the child with an
 * ASan report naming the access; a control case that stays inside its
 * request must exit 0 without a report.  Exit 0 only if every case behaves.
 *
 *   build/fuzz/asan-check        (part of make fuzz-smoke)
 */
#define _DEFAULT_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vheap.h>

#if defined(__has_feature)
#if !__has_feature(address_sanitizer)
#error "asan_check must be built with -fsanitize=address"
#endif
#endif

static unsigned char region[65536 + 16] __attribute__((aligned(16)));

static int child(const char *what)
{
    vh_heap *h = vh_init(region + 3, 65536, NULL);
    if (h == NULL)
        return 3;
    if (strcmp(what, "clean") == 0) {
        volatile unsigned char *p = vh_alloc(h, 20);
        p[19] = 1;
        unsigned char x = p[0];
        vh_free(h, (void *)p);
        volatile unsigned char *q = vh_alloc(h, 5000);
        q[4999] = x;
        vh_free(h, (void *)q);
        return 0;
    }
    size_t n = strstr(what, "page") ? 5000 : 20;
    volatile unsigned char *p = vh_alloc(h, n);
    if (p == NULL)
        return 3;
    if (strncmp(what, "overflow", 8) == 0) {
        p[n] = 1; /* one byte past the request */
    } else {
        vh_free(h, (void *)p);
        unsigned char x = p[0]; /* read after free */
        (void)x;
    }
    return 0; /* reached only if ASan stayed silent */
}

struct expect {
    const char *name;
    bool dies;
    const char *access; /* substring of the report */
};

static bool run_case(const char *self, const struct expect *e)
{
    int fd[2];
    if (pipe(fd) != 0)
        return false;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 2);
        close(fd[0]);
        close(fd[1]);
        execl(self, self, e->name, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    static char out[65536];
    size_t len = 0;
    ssize_t r;
    while ((r = read(fd[0], out + len, sizeof out - 1 - len)) > 0)
        len += (size_t)r;
    out[len] = 0;
    close(fd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    bool died = !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    bool report = strstr(out, "ERROR: AddressSanitizer") != NULL;
    bool ok;
    if (e->dies)
        ok = died && report && strstr(out, "use-after-poison") && strstr(out, e->access);
    else
        ok = !died && !report;
    const char *line = strstr(out, "ERROR: AddressSanitizer");
    char first[160] = "";
    if (line) {
        size_t n = strcspn(line, "\n");
        snprintf(first, sizeof first, "%.*s", (int)(n < 150 ? n : 150), line);
    }
    printf("asan-check: %-14s %s (%s, %s)%s%s\n", e->name, ok ? "ok  " : "FAIL",
           died ? "child died" : "child survived", report ? "ASan report" : "no report",
           first[0] ? ": " : "", first);
    if (!ok && len)
        fprintf(stderr, "---- child stderr ----\n%s\n----\n", out);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc == 2)
        return child(argv[1]);
    static const struct expect cases[] = {
        {"overflow-slab", true, "WRITE of size 1 at"},
        {"overflow-page", true, "WRITE of size 1 at"},
        {"uaf-slab", true, "READ of size 1 at"},
        {"uaf-page", true, "READ of size 1 at"},
        {"clean", false, ""},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        bad += !run_case("/proc/self/exe", &cases[i]);
    printf("asan-check: %s\n", bad ? "FAILED" : "poisoning catches overflow past the request and use after free");
    return bad ? 1 : 0;
}
