/* SPDX-License-Identifier: MIT */
/* check: vh_check, the whole-heap walk.  Each layer checks its own
 * invariants (buddy_check B1..B5, slab_check S1..S7, pagelist_check P2 for
 * both); this file adds the facade's H1..H3 (heap.c) and the order.
 * O(pages); never modifies the heap.
 */
#include <vheap.h>

#include "buddy.h"
#include "config.h"
#include "heap.h"
#include "page.h"
#include "slab.h"

/* H1: the header's geometry. */
/*@ requires \valid_read(h);
    assigns \nothing;
    ensures \result == 0 || \result == VH_CHECK_HEADER; */
static int check_header(const vh_heap *h)
{
    uintptr_t region = (uintptr_t)h->region, pages = (uintptr_t)h->area.pages;
    uintptr_t base = (uintptr_t)h->area.base;
    if (h->area.npages == 0 || h->area.npages > VH_MAX_PAGES ||
        (base & (VH_PAGE_SIZE - 1u)) != 0 || pages != (uintptr_t)(h + 1) ||
        (uintptr_t)h < region || base < pages + (size_t)h->area.npages * sizeof(struct vh_page) ||
        base > region + h->region_size || region + h->region_size - base < page_span(&h->area))
        return VH_CHECK_HEADER;
    return 0;
}

/* H2, H3: recount block bytes and live blocks (slab_check recounted S5). */
/*@ requires valid_heap(h);
    assigns \nothing;
    ensures \result == 0 || \result == VH_CHECK_DESCRIPTOR || \result == VH_CHECK_STATS; */
static int check_stats(const vh_heap *h)
{
    size_t blocks = 0, live = 0;
    /*@ loop invariant 0 <= p <= h->area.npages;
        loop assigns p, blocks, live;
        loop variant h->area.npages - p; */
    for (uint32_t p = 0; p < h->area.npages; p++) {
        const struct vh_page *d = &h->area.pages[p];
        if (d->kind == VH_PG_BLOCK) {
            if (d->order > VH_MAX_ORDER) /* buddy_check found none; checked here too */
                return VH_CHECK_DESCRIPTOR;
            blocks += VH_PAGE_SIZE << d->order;
            live++;
        } else if (slab_page_class(d) < VH_NUM_CLASSES) {
            live += slab_capacity(slab_page_class(d)) - d->nfree;
        }
    }
    if (blocks != h->block_bytes || h->allocations - h->deallocations != live ||
        heap_used_bytes(h) + heap_free_bytes(h) > h->region_size)
        return VH_CHECK_STATS;
    return 0;
}

/* The contract's point is the proof of its body: the walk reads only the
 * area its verified geometry names, for any descriptor contents, and
 * writes nothing (no hook is called unless the hooks word matched). */
/*@ requires h == \null || valid_heap(h);
    assigns \nothing;
    ensures \result == 0 || \result == VH_CHECK_HEADER || \result == VH_CHECK_DESCRIPTOR ||
            \result == VH_CHECK_TILING || \result == VH_CHECK_FREE_LIST || \result == VH_CHECK_FREE_MASK ||
            \result == VH_CHECK_UNMERGED || \result == VH_CHECK_SLAB_BITMAP ||
            \result == VH_CHECK_SLAB_LIST || \result == VH_CHECK_STATS; */
int vh_check(const vh_heap *h)
{
    if (heap_verify(h) != VH_OK)
        return VH_CHECK_HEADER; /* H1, H4: no hook is called on a broken header */
    (void)heap_enter(h); /* verified: VH_OK */
    int rc = check_header(h);
    if (rc == 0)
        rc = buddy_check(&h->buddy, &h->area);
    if (rc == 0)
        rc = slab_check(&h->slabs, &h->area);
    if (rc == 0)
        rc = check_stats(h);
    heap_unlock(h);
    return rc;
}
