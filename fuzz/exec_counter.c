/* SPDX-License-Identifier: MIT */
/* exec_counter: the shared execution counter (see exec_counter.h). */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* ftruncate, mmap */
#endif
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exec_counter.h"

static uint64_t *g_exec_counter; /* the mapped counter, NULL without VH_FUZZ_STATS */
static bool g_opened;

void vhf_exec_counter_open(void)
{
    g_opened = true;
    const char *path = getenv("VH_FUZZ_STATS");
    if (path == NULL)
        return;
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    if (fd < 0)
        return;
    if (ftruncate(fd, sizeof(uint64_t)) == 0) {
        void *m = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m != MAP_FAILED)
            g_exec_counter = m;
    }
    close(fd);
}

void vhf_exec_counter_tick(void)
{
    if (!g_opened)
        vhf_exec_counter_open();
    if (g_exec_counter != NULL)
        __atomic_fetch_add(g_exec_counter, 1u, __ATOMIC_RELAXED);
}
