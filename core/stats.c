/* SPDX-License-Identifier: MIT */
/* stats: vh_get_stats, exact at every moment.
 *
 * free bytes = free pages + free slots of live slabs + the whole page of
 * each cached empty slab (it goes back to the buddy layer on demand, its
 * in-band bitmap included).  largest_free_block is the largest request that
 * would succeed now: the largest free block once the cached slabs are given
 * back, or failing any, the largest class with a partial slab.  Work is
 * O(classes * orders); nothing walks the heap.
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
    for (unsigned c = 0; c < VH_NUM_CLASSES; c++)
        if (h->slabs.cached[c] != VH_NIL)
            n += VH_PAGE_SIZE - slab_capacity(c) * slab_class_size(c);
    return n;
}

/* Order of the block the cached slab at p would end up in if given back
 * now: it merges with free buddies, or with the virtual blocks vp/vk (live
 * entries) that earlier cached slabs became; a virtual block it absorbs is
 * marked dead.  Freeing in any order gives the same final state (coalescing
 * is confluent), so the slabs can be taken one by one. */
static unsigned merged_order(const vh_heap *h, uint32_t *p, const uint32_t *vp, const unsigned *vk,
                             bool *live, unsigned nv)
{
    unsigned k = 0;
    while (k < VH_MAX_ORDER) {
        uint32_t parent = buddy_parent(*p, k);
        if (!buddy_fits(parent, k + 1u, h->area.npages))
            break;
        uint32_t q = buddy_of(*p, k);
        bool merged = buddy_is_free_head(&h->area, q, k);
        for (unsigned j = 0; !merged && j < nv; j++) {
            if (live[j] && vp[j] == q && vk[j] == k) {
                live[j] = false;
                merged = true;
            }
        }
        if (!merged)
            break;
        *p = parent;
        k++;
    }
    return k;
}

/* Largest free order once every cached slab is given back, or -1.  Changes
 * nothing.  O(classes^2 * orders). */
static int largest_order_after_reclaim(const vh_heap *h)
{
    uint32_t vp[VH_NUM_CLASSES];
    unsigned vk[VH_NUM_CLASSES];
    bool live[VH_NUM_CLASSES];
    unsigned nv = 0;
    int best = buddy_largest_free_order(&h->buddy);
    for (unsigned c = 0; c < VH_NUM_CLASSES; c++) {
        uint32_t p = h->slabs.cached[c];
        if (p == VH_NIL)
            continue;
        vk[nv] = merged_order(h, &p, vp, vk, live, nv);
        vp[nv] = p;
        live[nv] = true;
        nv++;
    }
    for (unsigned j = 0; j < nv; j++)
        if (live[j] && (int)vk[j] > best)
            best = (int)vk[j];
    return best;
}

static size_t largest_free_block(const vh_heap *h)
{
    int k = largest_order_after_reclaim(h);
    if (k >= 0)
        return VH_PAGE_SIZE << k;
    for (unsigned c = VH_NUM_CLASSES; c-- > 0;)
        if (h->slabs.partial[c] != VH_NIL)
            return slab_class_size(c);
    return 0;
}

void vh_get_stats(const vh_heap *h, vh_stats *out)
{
    if (out == NULL)
        return;
    if (!heap_ok(h)) {
        *out = (vh_stats){0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        return;
    }
    heap_enter(h);
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
    heap_unlock(h);
    *out = s;
}
