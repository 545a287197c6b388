/* SPDX-License-Identifier: MIT */
/* check: the two whole-heap walks, debugging aids, O(pages), that never
 * modify the heap.  vh_check: each layer checks its own invariants
 * (buddy_check B1..B5, slab_check S1..S7, pagelist_check P2 for both); this
 * file adds the facade's H1..H3 and H5 (heap.c) and the order.  vh_walk:
 * every live block, in address order, of a heap that passes vh_check.
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

/* H2, H3: recount block bytes and live blocks (slab_check recounted S5);
 * H5: the high-water marks are at least the present use. */
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
    if (blocks != h->block_bytes || heap_live_blocks(h) != live ||
        heap_used_bytes(h) + heap_free_bytes(h) > h->region_size || h->peak_used < heap_used_bytes(h) ||
        h->peak_allocations < live)
        return VH_CHECK_STATS;
    return 0;
}

/* Every invariant but H4 (which the caller verified), the lock held. */
/*@ requires valid_heap(h);
    assigns \nothing;
    ensures \result == 0 || \result == VH_CHECK_HEADER || \result == VH_CHECK_DESCRIPTOR ||
            \result == VH_CHECK_TILING || \result == VH_CHECK_FREE_LIST || \result == VH_CHECK_FREE_MASK ||
            \result == VH_CHECK_UNMERGED || \result == VH_CHECK_SLAB_BITMAP ||
            \result == VH_CHECK_SLAB_LIST || \result == VH_CHECK_STATS; */
static int check_heap(const vh_heap *h)
{
    int rc = check_header(h);
    if (rc == 0)
        rc = buddy_check(&h->buddy, &h->area);
    if (rc == 0)
        rc = slab_check(&h->slabs, &h->area);
    if (rc == 0)
        rc = check_stats(h);
    return rc;
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
    int rc = check_heap(h);
    heap_unlock(h);
    return rc;
}

/* ---- vh_walk ---- */

/* The call of the user's walk function.  Its body is one call through a
 * pointer, which WP does not follow: the proofs take this contract as
 * given (proofs/README.md, trusted base, as for the hooks: fn is the
 * caller's, and must not write the heap's metadata).  What the proof of
 * walk_visits shows is the precondition: every block handed to fn is
 * inside the page area. */
#ifdef __FRAMAC__
/*@ requires valid_heap(h) && in_area(h, block, usable) && usable > 0;
    assigns \nothing; */
static int walk_call(const vh_heap *h, vh_walk_fn fn, void *ctx, char *block, size_t usable);
#else
static inline int walk_call(const vh_heap *h, vh_walk_fn fn, void *ctx, char *block, size_t usable)
{
    (void)h;
    return fn(ctx, block, usable);
}
#endif

/* Visits the live objects of the class-c slab page p, in address order
 * (bit i set: object i is live); nonzero when fn stopped the walk. */
/*@ requires valid_heap(h) && p < h->area.npages && c < VH_NUM_CLASSES;
    assigns \nothing;
    ensures \true; // the point is the body: every object handed to fn is in the area */
static int walk_slab(const vh_heap *h, uint32_t p, unsigned c, vh_walk_fn fn, void *ctx)
{
    const uint64_t *bits = h->area.pages[p].bits;
    size_t size = slab_class_size(c), n = slab_capacity(c);
    /*@ loop invariant 0 <= i <= n;
        loop assigns i;
        loop variant n - i; */
    for (size_t i = 0; i < n; i++) {
        if (!bitmap_test(bits, i))
            continue;
        char *obj = &h->area.base[p].bytes[slab_obj_offset(c, i)];
        //@ assert object: slab_object(&h->area, c, obj);
        //@ assert size == VH_CLASS_SIZE(c) && in_area(h, obj, size);
        int stop = walk_call(h, fn, ctx, obj, size);
        if (stop != 0)
            return stop;
    }
    return 0;
}

/* Visits every live block, page by page: a BLOCK head names its block
 * (whose order is trusted only once the block is inside the area), a slab
 * page its objects; every other page is skipped. */
/*@ requires valid_heap(h);
    assigns \nothing;
    ensures \true; // the point is the body: every block handed to fn is in the area */
static void walk_visits(const vh_heap *h, vh_walk_fn fn, void *ctx)
{
    uint32_t n = h->area.npages;
    /*@ loop invariant 0 <= p <= n;
        loop assigns p;
        loop variant n - p; */
    for (uint32_t p = 0; p < n;) {
        const struct vh_page *d = &h->area.pages[p];
        unsigned c = slab_page_class(d);
        if (c < VH_NUM_CLASSES) {
            if (walk_slab(h, p, c, fn, ctx) != 0)
                return;
            p++;
        } else if (d->kind == VH_PG_BLOCK && buddy_head_ok(&h->area, p)) {
            //@ assert in_area(h, &h->area.base[p].bytes[0], VH_PAGE_SIZE * VH_POW2(d->order));
            if (walk_call(h, fn, ctx, h->area.base[p].bytes, VH_PAGE_SIZE << d->order) != 0)
                return;
            p += (uint32_t)1 << d->order;
        } else {
            p++;
        }
    }
}

/*@ requires h == \null || valid_heap(h);
    assigns \nothing;
    ensures \result == VH_OK || \result == VH_EINVAL || \result == VH_ECORRUPT; */
int vh_walk(const vh_heap *h, vh_walk_fn fn, void *ctx)
{
    int rc = heap_verify(h);
    if (rc != VH_OK || fn == NULL)
        return rc != VH_OK ? rc : VH_EINVAL;
    (void)heap_enter(h); /* verified: VH_OK */
    rc = check_heap(h) == 0 ? VH_OK : VH_ECORRUPT;
    if (rc == VH_OK)
        walk_visits(h, fn, ctx);
    heap_unlock(h);
    return rc;
}
