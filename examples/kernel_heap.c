/* SPDX-License-Identifier: MIT */
/* Freestanding example: the global heap as a kernel sets it up.
 *
 * No libc anywhere: compiled with -ffreestanding, linked with -nostdlib
 * (see examples/kernel_start.c for the entry point).  The heap lives on a
 * static array; the lock is the C11-atomics spinlock (the default build of
 * port/vheap_global.c).  kernel_main returns 0, or the number of the first
 * step that went wrong.
 */
#include <stddef.h>
#include <stdint.h>

#include "vheap_global.h"

/* What a kernel's early memory looks like: a reserved, page-aligned array. */
static _Alignas(4096) unsigned char early_heap[2u << 20];

struct task {
    struct task *next;
    uint32_t id;
    unsigned char *stack; /* a page-sized buffer per task */
};

/* The core calls these (structure copies and calloc); a kernel has its own.
 * Plain byte loops; the build disables the compiler's loop-to-memset
 * rewriting so they do not call themselves. */
void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
    unsigned char *a = d;
    const unsigned char *b = s;
    while (n--)
        *a++ = *b++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *a = d;
    const unsigned char *b = s;
    if (a < b) {
        while (n--)
            *a++ = *b++;
    } else {
        while (n--)
            a[n] = b[n];
    }
    return d;
}

int memcmp(const void *x, const void *y, size_t n)
{
    const unsigned char *a = x, *b = y;
    for (; n--; a++, b++)
        if (*a != *b)
            return *a < *b ? -1 : 1;
    return 0;
}

int kernel_main(void)
{
    /* 1: before init nothing is handed out. */
    if (vh_global_alloc(32) != NULL || vh_global_ready())
        return 1;
    /* 2: init_heap(start, size) on the static array; a second one is refused. */
    if (vh_global_init(early_heap, sizeof early_heap) != 0)
        return 2;
    if (vh_global_init(early_heap, sizeof early_heap) != VH_GLOBAL_EBUSY)
        return 3;
    /* 4: a task list, each task with a page for its stack. */
    struct task *head = NULL;
    for (uint32_t i = 0; i < 200; i++) {
        struct task *t = vh_global_calloc(1, sizeof *t);
        if (t == NULL)
            return 4;
        t->id = i;
        t->stack = vh_global_aligned_alloc(4096, 4096);
        if (t->stack == NULL || ((uintptr_t)t->stack & 4095u) != 0)
            return 5;
        t->stack[0] = (unsigned char)i;
        t->stack[4095] = (unsigned char)~i;
        t->next = head;
        head = t;
    }
    /* 6: a growing table, realloc'd from slab to buddy sizes. */
    uint32_t *table = NULL;
    for (size_t n = 1; n <= 20000; n *= 3) {
        uint32_t *t = vh_global_realloc(table, n * sizeof *t);
        if (t == NULL)
            return 6;
        t[n - 1] = (uint32_t)n;
        table = t;
    }
    if (vh_global_check() != 0)
        return 7;
    /* 8: tear everything down; the heap must be empty and consistent. */
    uint32_t sum = 0;
    while (head != NULL) {
        struct task *t = head;
        head = t->next;
        if (t->stack[0] != (unsigned char)t->id || t->stack[4095] != (unsigned char)~t->id)
            return 8;
        sum += t->id;
        if (vh_global_free(t->stack) != 0 || vh_global_free(t) != 0)
            return 9;
    }
    if (sum != 199u * 200u / 2u || vh_global_free(table) != 0)
        return 10;
    /* 11: misuse is refused, not obeyed. */
    if (vh_global_free(table) != VH_EDOUBLEFREE)
        return 11;
    vh_stats st;
    if (vh_global_stats(&st) != 0 || st.used_bytes != 0 || st.allocations != st.deallocations ||
        st.allocations < 400 || st.errors != 1)
        return 12;
    return vh_global_check() == 0 ? 0 : 13;
}
