/* SPDX-License-Identifier: MIT */
/* stats: vh_get_stats, exact at every moment, and vh_reset_peaks.
 *
 * free bytes = free pages + free slots of live slabs + the whole page of
 * each cached empty slab (it goes back to the buddy layer on demand).  largest_free_block is the largest request that
 * would succeed now: the largest free block once the cached slabs are given
 * back (slab_largest_order_after_reclaim: the slab layer plans that
 * reclaim for its own use too), or failing any, the largest class with a
 * partial slab.  Work is O(classes^2 * orders); nothing walks the heap.
 */
#include <vheap.h>

#include "buddy.h"
#include "config.h"
#include "heap.h"
#include "page.h"
#include "slab.h"

static size_t heap_free_bytes(const vh_heap *h)
{
    size_t n = h->buddy.free_pages * VH_PAGE_SIZE + (h->slabs.slot_bytes - h->slabs.used_bytes);
    /*@ loop invariant 0 <= c <= VH_NUM_CLASSES;
        loop assigns c, n;
        loop variant VH_NUM_CLASSES - c; */
    for (unsigned c = 0; c < VH_NUM_CLASSES; c++)
        if (h->slabs.cached[c] != VH_NIL)
            n += VH_PAGE_SIZE - slab_capacity(c) * slab_class_size(c);
    return n;
}

/*@ requires valid_heap(h);
    assigns \nothing;
    ensures \true; // the point is the body: no access outside the header and the area */
static size_t largest_free_block(const vh_heap *h)
{
    int k = slab_largest_order_after_reclaim(&h->slabs, &h->buddy, &h->area);
    if (k >= 0)
        return VH_PAGE_SIZE << k;
    /*@ loop invariant 0 <= c <= VH_NUM_CLASSES;
        loop assigns c;
        loop variant c; */
    for (unsigned c = VH_NUM_CLASSES; c-- > 0;)
        if (h->slabs.partial[c] != VH_NIL)
            return slab_class_size(c);
    return 0;
}

/*@ requires h == \null || valid_heap(h);
    requires out == \null || (\valid(out) && (h != \null ==> \separated(out, h)));
    assigns *out;
    ensures \true; // the point is the body: it writes *out only, calls a hook only after its check */
void vh_get_stats(const vh_heap *h, vh_stats *out)
{
    if (out == NULL)
        return;
    if (heap_verify(h) != VH_OK) {
        *out = (vh_stats){0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        return;
    }
    (void)heap_enter(h); /* verified: VH_OK */
    vh_stats s;
    s.total_bytes = h->region_size;
    s.used_bytes = heap_used_bytes(h);
    s.free_bytes = heap_free_bytes(h);
    s.overhead_bytes = s.total_bytes - s.used_bytes - s.free_bytes;
    s.allocations = h->allocations;
    s.deallocations = h->deallocations;
    s.failed_allocations = h->failed_allocations;
    s.errors = h->errors;
    s.largest_free_block = largest_free_block(h);
    s.fragmentation_permille = 0;
    if (s.free_bytes != 0)
        s.fragmentation_permille =
            (unsigned)(((uint64_t)(s.free_bytes - s.largest_free_block) * 1000u) / s.free_bytes);
    s.peak_used = h->peak_used;
    s.peak_allocations = h->peak_allocations;
    heap_unlock(h);
    *out = s;
}

/* H5 holds after it: the marks equal the present use. */
/*@ requires h == \null || valid_heap(h);
    behavior no_heap:
      assumes h == \null;
      assigns \nothing;
      ensures \result == VH_EINVAL;
    behavior heap:
      assumes h != \null;
      assigns h->errors, h->failed_allocations, h->peak_used, h->peak_allocations;
      ensures \result == VH_OK || \result == VH_EINVAL || \result == VH_ECORRUPT;
      ensures \result == VH_OK ==> h->peak_used == VH_USED(h) && h->peak_allocations == VH_LIVE(h) &&
                                   h->errors == \old(h->errors) &&
                                   h->failed_allocations == \old(h->failed_allocations);
      ensures \result != VH_OK ==> VH_HEAP_UNCHANGED_BUT_ERRORS(h);
    complete behaviors;
    disjoint behaviors; */
int vh_reset_peaks(vh_heap *h)
{
    if (h == NULL)
        return VH_EINVAL;
    int rc = heap_begin(h);
    if (rc != VH_OK)
        return rc;
    h->peak_used = heap_used_bytes(h);
    h->peak_allocations = heap_live_blocks(h);
    heap_leave(h, VH_OK, NULL);
    return VH_OK;
}
