/* SPDX-License-Identifier: MIT */
/* driver_replay: a plain main that runs every input file, and every file
 * under every directory, named on the command line (sorted, README files
 * skipped); a failing check aborts naming the input.
 *
 *   build/fuzz/ops-replay corpus        (make fuzz-replay, make fuzz-smoke)
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* dirent, stat */
#endif
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REPLAY_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(REPLAY_ASAN)
#define REPLAY_ASAN 1
#endif

#ifdef REPLAY_ASAN
#include <sanitizer/common_interface_defs.h>

/* An ASan report ends the process without vhf_fail: name the input too. */
static void on_death(void)
{
    fprintf(stderr, "ops-replay: failing input: %s\n", vhf_run.input_name ? vhf_run.input_name : "?");
}
#endif

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "ops-replay: cannot open %s\n", path);
        return 1;
    }
    static uint8_t buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    /* A copy of exactly n bytes so ASan catches reads past the input. */
    uint8_t *copy = malloc(n ? n : 1);
    memcpy(copy, buf, n);
    vhf_run.input_name = path;
    vh_fuzz_one(copy, n);
    vhf_run.input_name = NULL;
    free(copy);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_path(const char *path, unsigned long *count)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "ops-replay: no such file or directory: %s\n", path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return replay_file(path);
    }
    DIR *d = opendir(path);
    if (!d)
        return 1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            names = realloc(names, cap * sizeof *names);
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        snprintf(names[n], len, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    if (n > 0) /* qsort wants a non-null base even for no elements */
        qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat es;
        if (stat(names[i], &es) == 0 && (S_ISDIR(es.st_mode) || S_ISREG(es.st_mode)) &&
            !strstr(names[i], "README"))
            rc |= replay_path(names[i], count);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
#ifdef REPLAY_ASAN
    __sanitizer_set_death_callback(on_death);
#endif
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...  (runs every input; a failure aborts naming it)\n", argv[0]);
        return 2;
    }
    unsigned long count = 0;
    int rc = 0;
    for (int i = 1; i < argc; i++)
        rc |= replay_path(argv[i], &count);
    printf("ops-replay: %lu inputs passed%s\n", count, rc ? " (some paths could not be read)" : "");
    return rc;
}
