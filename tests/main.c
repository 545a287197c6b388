/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "t.h"

#define T_MAX 256
static struct {
    const char *name;
    t_fn fn;
} tests[T_MAX];
static int ntests;
static bool cur_failed;

void t_register(const char *name, t_fn fn)
{
    if (ntests < T_MAX) {
        tests[ntests].name = name;
        tests[ntests].fn = fn;
        ntests++;
    }
}

void t_fail(const char *file, int line, const char *expr)
{
    fprintf(stderr, "  FAIL %s:%d: %s\n", file, line, expr);
    cur_failed = true;
}

bool t_failed(void)
{
    return cur_failed;
}

/* Regions are carved from page-aligned allocations so the start alignment
 * is exactly what the test asks for. */
unsigned char *t_region(size_t size, size_t misalign)
{
    void *p = NULL;
    if (posix_memalign(&p, 4096, size + misalign + 4096) != 0)
        return NULL;
    return (unsigned char *)p + misalign;
}

void t_region_free(unsigned char *r)
{
    /* Undo the misalignment: the allocation is the 4096-aligned address at
     * or below r. */
    free((void *)((uintptr_t)r & ~(uintptr_t)4095));
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    if (ntests >= T_MAX) {
        fprintf(stderr, "too many tests: raise T_MAX\n");
        return 2;
    }
    for (int i = 0; i < ntests; i++) {
        if (argc > 1 && strstr(tests[i].name, argv[1]) == NULL)
            continue;
        cur_failed = false;
        tests[i].fn();
        printf("%s %s\n", cur_failed ? "FAIL" : "ok  ", tests[i].name);
        fflush(stdout);
        if (cur_failed)
            failed++;
        else
            passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
