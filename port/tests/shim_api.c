/* SPDX-License-Identifier: MIT */
/* The malloc shim's API, run under LD_PRELOAD=build/libvheap-malloc.so.
 *
 *   shim_api            every function, sizes, alignments, errno, threads, fork
 *   shim_api invalid    double free (twice), interior free, foreign free,
 *                       foreign realloc; prints "survived" if not aborted
 *   shim_api glibc      exits 0 only when the shim is NOT loaded (the
 *                       script's proof that the usual run is a different
 *                       allocator)
 *
 * Built with -fno-builtin so the compiler keeps every call.  Exit status 0
 * when every check passed. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

/* Allocated before main: the shim sets itself up on first use. */
static char *early;
__attribute__((constructor)) static void before_main(void)
{
    early = malloc(40);
    if (early != NULL)
        strcpy(early, "allocated in a constructor");
}

/* Opaque to the compiler, so it neither warns about nor folds the
 * deliberately impossible requests. */
static volatile size_t size_max = SIZE_MAX;

static int is_aligned(const void *p, size_t a)
{
    return ((uintptr_t)p & (a - 1u)) == 0;
}

static int filled(const unsigned char *p, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return 0;
    return 1;
}

static void test_basic(void)
{
    CHECK(early != NULL && strcmp(early, "allocated in a constructor") == 0);
    free(early);
    /* vheap's class of 20 bytes is 32; glibc would say 24. */
    void *p = malloc(20);
    CHECK(p != NULL && malloc_usable_size(p) == 32 && is_aligned(p, 16));
    free(p);
    void *z1 = malloc(0), *z2 = malloc(0);
    CHECK(z1 != NULL && z2 != NULL && z1 != z2);
    free(z1);
    free(z2);
    free(NULL);
    CHECK(malloc_usable_size(NULL) == 0);

    unsigned char *c = calloc(1000, 3);
    CHECK(c != NULL && filled(c, 3000, 0));
    free(c);
    errno = 0;
    CHECK(calloc(size_max / 2, 3) == NULL && errno == ENOMEM);
    errno = 0;
    CHECK(malloc(size_max) == NULL && errno == ENOMEM);
    errno = 0;
    CHECK(malloc(size_max / 2) == NULL && errno == ENOMEM);

    /* realloc: grow through slab, page and big sizes and back, content kept. */
    size_t sizes[] = {1, 17, 100, 2048, 2049, 5000, 70000, 2u << 20, (2u << 20) + 1, 9u << 20, 30u << 20,
                      3u << 20, 100000, 300, 5};
    unsigned char *r = realloc(NULL, 1);
    CHECK(r != NULL);
    r[0] = 0xa5;
    size_t have = 1;
    for (size_t i = 0; r != NULL && i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *n = realloc(r, sizes[i]);
        CHECK(n != NULL);
        if (n == NULL)
            break;
        size_t keep = have < sizes[i] ? have : sizes[i];
        CHECK(filled(n, keep, 0xa5));
        CHECK(malloc_usable_size(n) >= sizes[i]);
        memset(n, 0xa5, sizes[i]);
        r = n;
        have = sizes[i];
    }
    errno = 0;
    CHECK(realloc(r, 0) == NULL); /* glibc semantics: frees */

    /* reallocarray overflow: NULL, ENOMEM, old block intact. */
    unsigned char *ra = reallocarray(NULL, 10, 10);
    CHECK(ra != NULL);
    memset(ra, 7, 100);
    errno = 0;
    CHECK(reallocarray(ra, size_max / 4, 8) == NULL && errno == ENOMEM);
    CHECK(filled(ra, 100, 7));
    ra = reallocarray(ra, 1000, 10);
    CHECK(ra != NULL && filled(ra, 100, 7));
    free(ra);

    /* big blocks: mapped, recognised on free and by malloc_usable_size. */
    unsigned char *big = malloc(8u << 20);
    CHECK(big != NULL && malloc_usable_size(big) >= (8u << 20) && is_aligned(big, 4096));
    memset(big, 1, 8u << 20);
    unsigned char *bigz = calloc(3u << 20, 1);
    CHECK(bigz != NULL && filled(bigz, 3u << 20, 0));
    free(big);
    free(bigz);
}

static void test_aligned(void)
{
    for (size_t a = sizeof(void *); a <= (4u << 20); a <<= 1) {
        size_t sz[] = {1, 100, 5000, 3u << 20};
        for (size_t i = 0; i < 4; i++) {
            void *p = (void *)1;
            int rc = posix_memalign(&p, a, sz[i]);
            CHECK(rc == 0 && p != NULL && is_aligned(p, a) && malloc_usable_size(p) >= sz[i]);
            if (rc == 0) {
                memset(p, 3, sz[i]);
                free(p);
            }
            void *q = aligned_alloc(a, sz[i]);
            CHECK(q != NULL && is_aligned(q, a));
            free(q);
            void *m = memalign(a, sz[i]);
            CHECK(m != NULL && is_aligned(m, a));
            free(m);
        }
    }
    void *p = (void *)1;
    int saved = errno = 1234;
    CHECK(posix_memalign(&p, 24, 10) == EINVAL && p == (void *)1);
    CHECK(posix_memalign(&p, 0, 10) == EINVAL);
    CHECK(posix_memalign(&p, 4, 10) == EINVAL); /* not a multiple of sizeof(void *) */
    CHECK(posix_memalign(&p, 4096, size_max - 10) == ENOMEM && errno == saved);
    errno = 0;
    CHECK(aligned_alloc(24, 10) == NULL && errno == EINVAL);
    void *m = memalign(24, 10); /* rounded up to 32, as glibc */
    CHECK(m != NULL && is_aligned(m, 32));
    free(m);
    void *v = valloc(10);
    CHECK(v != NULL && is_aligned(v, 4096));
    free(v);
    void *pv = pvalloc(1);
    CHECK(pv != NULL && is_aligned(pv, 4096) && malloc_usable_size(pv) >= 4096);
    free(pv);
    errno = 0;
    CHECK(pvalloc(size_max - 100) == NULL && errno == ENOMEM);
}

/* ---- threads and fork ---- */
static volatile int stop;
static void *churn(void *arg)
{
    unsigned s = (unsigned)(uintptr_t)arg;
    void *keep[64] = {0};
    while (!stop) {
        s = s * 1103515245u + 12345u;
        unsigned i = (s >> 8) % 64;
        free(keep[i]);
        keep[i] = malloc((s >> 16) % 9000);
    }
    for (int i = 0; i < 64; i++)
        free(keep[i]);
    return NULL;
}

static void test_fork_with_threads(void)
{
    pthread_t t[4];
    for (uintptr_t i = 0; i < 4; i++)
        CHECK(pthread_create(&t[i], NULL, churn, (void *)(i + 1)) == 0);
    /* Each fork lands at a random point of the other threads' malloc calls;
     * without the atfork handlers the child would inherit a held lock. */
    for (int k = 0; k < 40; k++) {
        pid_t pid = fork();
        if (pid == 0) {
            alarm(10);
            int ok = 1;
            for (int i = 0; i < 1000 && ok; i++) {
                void *p = malloc((size_t)i * 37u);
                ok = p != NULL;
                free(p);
            }
            void *b = malloc(5u << 20);
            ok = ok && b != NULL;
            free(b);
            _exit(ok ? 0 : 1);
        }
        int st = 0;
        CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    stop = 1;
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
}

static int run_invalid(void)
{
    int on_stack = 0;
    char *p = malloc(100);
    free(p);
    free(p); /* double free */
    char *q = malloc(100);
    char *r = malloc(100);
    free(r);
    free(r); /* second double free: not reported again */
    free(q + 16);     /* interior */
    free(&on_stack);  /* foreign */
    errno = 0;
    void *n = realloc(&on_stack, 10); /* foreign again */
    printf("survived realloc=%s errno=%s\n", n == NULL ? "NULL" : "ptr", errno == EINVAL ? "EINVAL" : "other");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "invalid") == 0)
        return run_invalid();
    if (argc > 1 && strcmp(argv[1], "glibc") == 0) {
        void *p = malloc(20);
        int shim = malloc_usable_size(p) == 32;
        free(p);
        return shim ? 1 : 0;
    }
    test_basic();
    test_aligned();
    test_fork_with_threads();
    if (failures != 0) {
        fprintf(stderr, "shim_api: %d failures\n", failures);
        return 1;
    }
    printf("shim_api: all passed\n");
    return 0;
}
