/* SPDX-License-Identifier: MIT */
/* vheap_global: the process-wide heap.  See vheap_global.h.
 *
 * State machine (g_state, C11 atomic):
 *   NONE --CAS by one vh_global_init--> SETTING --vh_init ok--> READY
 *                                        \--vh_init NULL--> NONE
 * g_heap, g_start and g_end are written only in SETTING by the one thread
 * that won the CAS, and published by the release store of READY; every
 * reader loads g_state with acquire first.  READY is final.
 *
 * Freestanding in the default (spinlock) build: <stdatomic.h>, <stddef.h>,
 * <stdint.h> and the core.
 */
#include "vheap_global.h"

#include <stdatomic.h>
#include <stdint.h>

#include "vh_lock.h"

enum { G_NONE = 0, G_SETTING = 1, G_READY = 2 };

static atomic_int g_state = G_NONE;
static vh_heap *g_heap;
static uintptr_t g_start, g_end;
static vh_lock_t g_lock = VH_LOCK_INITIALIZER;

/* The heap, or NULL before init. */
static vh_heap *heap(void)
{
    if (atomic_load_explicit(&g_state, memory_order_acquire) != G_READY)
        return NULL;
    return g_heap;
}

int vh_global_init_with_error_hook(void *start, size_t size,
                                   void (*on_error)(void *ctx, int code, const void *ptr),
                                   void *error_ctx)
{
    int expected = G_NONE;
    if (!atomic_compare_exchange_strong_explicit(&g_state, &expected, G_SETTING,
                                                 memory_order_acquire, memory_order_acquire))
        return VH_GLOBAL_EBUSY;
    vh_hooks hooks = {vh_lock_acquire, vh_lock_release, &g_lock, on_error, error_ctx};
    vh_heap *h = vh_init(start, size, &hooks);
    if (h == NULL) {
        atomic_store_explicit(&g_state, G_NONE, memory_order_release);
        return VH_EINVAL;
    }
    g_heap = h;
    g_start = (uintptr_t)start;
    g_end = (uintptr_t)start + size;
    atomic_store_explicit(&g_state, G_READY, memory_order_release);
    return VH_OK;
}

int vh_global_init(void *start, size_t size)
{
    return vh_global_init_with_error_hook(start, size, NULL, NULL);
}

void *vh_global_alloc(size_t size)
{
    vh_heap *h = heap();
    return h != NULL ? vh_alloc(h, size) : NULL;
}

void *vh_global_calloc(size_t n, size_t size)
{
    vh_heap *h = heap();
    return h != NULL ? vh_calloc(h, n, size) : NULL;
}

void *vh_global_realloc(void *ptr, size_t size)
{
    vh_heap *h = heap();
    return h != NULL ? vh_realloc(h, ptr, size) : NULL;
}

void *vh_global_aligned_alloc(size_t align, size_t size)
{
    vh_heap *h = heap();
    return h != NULL ? vh_aligned_alloc(h, align, size) : NULL;
}

int vh_global_free(void *ptr)
{
    if (ptr == NULL)
        return VH_OK;
    vh_heap *h = heap();
    return h != NULL ? vh_free(h, ptr) : VH_GLOBAL_ENOTREADY;
}

size_t vh_global_usable_size(const void *ptr)
{
    vh_heap *h = heap();
    return h != NULL ? vh_usable_size(h, ptr) : 0;
}

int vh_global_stats(vh_stats *out)
{
    vh_heap *h = heap();
    if (h == NULL) {
        if (out != NULL)
            *out = (vh_stats){0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        return VH_GLOBAL_ENOTREADY;
    }
    vh_get_stats(h, out);
    return VH_OK;
}

int vh_global_check(void)
{
    vh_heap *h = heap();
    return h != NULL ? vh_check(h) : VH_GLOBAL_ENOTREADY;
}

int vh_global_ready(void)
{
    return heap() != NULL;
}

int vh_global_owns(const void *p)
{
    if (heap() == NULL)
        return 0;
    uintptr_t u = (uintptr_t)p;
    return u >= g_start && u < g_end;
}

void vh_global_lock(void)
{
    if (heap() != NULL)
        vh_lock_acquire(&g_lock);
}

void vh_global_unlock(void)
{
    if (heap() != NULL)
        vh_lock_release(&g_lock);
}

const char *vh_global_lock_name(void)
{
    return VH_LOCK_NAME;
}
