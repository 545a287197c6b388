/* SPDX-License-Identifier: MIT */
/* sizing: how large a region must be.  Pure functions of their arguments.
 *
 * vh_region_size_for(M, R): a region in which no sequence of requests of at
 * most R bytes each, with at most M bytes live at any time (each request
 * counted as at least 16 bytes), can fail.  The derivation, in pages of
 * P = 4096 bytes:
 *
 *   (1) Usable sizes.  A request r is served by a slot or block of usable
 *       size u(r) < 2 * max(r, 16) (power-of-two classes 16..2048, then one
 *       page, then 2^k pages).  So the live usable bytes never exceed 2M.
 *
 *   (2) Slab pages.  Class c (objects of s bytes, 4096 / s of them per
 *       page) takes a new page only when it has neither a partial slab nor
 *       its cached empty one: all its S_c pages are full, S_c * P bytes of
 *       live objects of class c, at most 2M - s with the new object.
 *       Between those moments S_c only falls.  So S_c <= floor(2M / P) + 1
 *       = M / 2048 + 1 at every moment, for each of the C classes requests
 *       of at most R bytes can reach (C = 8 when R > 2048).  The slab layer
 *       keeps pages per class: a page with one live object of one class
 *       serves no other class, which is what the C factor pays for.
 *
 *   (3) Buddy blocks.  A request of more than 2048 bytes takes one block of
 *       order o <= K = the order of R (K = 0 when R <= 4096), P * 2^o < 2r:
 *       at most B = M / 2049 of them are live, spanning at most 2M / P
 *       pages together.
 *
 *   (4) When a request of order k <= K fails, the buddy layer has no free
 *       block of order >= k even after the cached empty slabs are given
 *       back (slab_page_alloc): with eager merging, every aligned group of
 *       2^k pages holds a page in use.  In-use pages are those of the
 *       non-empty slabs (at most S = sum of S_c, (2)) and of the live
 *       blocks: a block of order o < k lies in one group, one of order
 *       o >= k covers 2^(o-k) groups, so at most S + B + (2M / P) / 2^k
 *       groups are held, and a heap of N pages has floor(N / 2^k) groups.
 *       Hence no request of order k fails when N >= 2^k (S + B + 1) + 2M / P,
 *       and k = K is the largest right side.  A slab request fails only
 *       when no page at all is free (k = 0).
 *
 *   N = 2^K * (S + B + 1) + M / 2048 pages; the region is what the layout
 *   (layout.h) needs for N pages at the worst start alignment: 15 bytes of
 *   padding, the header, N descriptors, 4095 bytes of padding, N pages.
 *
 * This bound holds for any placement the buddy layer might choose.  It is
 * far from tight when R is large: Robson's bound for power-of-two
 * allocators, M (1 + log2(n) / 2) with n = R / 16, is proved for first-fit
 * placement, which the buddy layer's free lists (most recently freed block
 * of the smallest order first) do not follow; we do not claim it.
 * tests/test_sizing.c drives the segregation pattern (each class filled to
 * M, then all but one object per page freed) and the pinning pattern (one
 * live page kept in each aligned group) against the result, and random
 * sequences within (M, R).
 */
#include <vheap.h>

#include "buddy.h"
#include "config.h"
#include "heap.h"
#include "slab.h"

/* Bytes of region that hold n pages at any start alignment (layout.h). */
#define VH_REGION_BYTES(n)                                                                         \
    ((VH_ALIGNMENT - 1u) + sizeof(struct vh_heap) + (n) * (sizeof(struct vh_page) + VH_PAGE_SIZE) +  \
     (VH_PAGE_SIZE - 1u))

_Static_assert(VH_REGION_BYTES(1u) <= VH_MIN_REGION_SIZE, "VH_MIN_REGION_SIZE holds one page");
_Static_assert(VH_MAX_PAGES <= UINT32_MAX, "the page bound below computes in 64 bits");

/*@ assigns \nothing;
    ensures \result == VH_MIN_REGION_SIZE; */
size_t vh_min_region_size(void)
{
    return VH_MIN_REGION_SIZE;
}

/* Pages N of the derivation above, or 0 when N > VH_MAX_PAGES.  In 64 bits:
 * M / 2048 is capped first, so that no product below can wrap. */
/*@ requires request <= VH_MAX_ALLOC;
    assigns \nothing;
    ensures \result <= VH_MAX_PAGES; */
static uint64_t sizing_pages(size_t live, size_t request)
{
    uint64_t half_pages = live / (VH_PAGE_SIZE / 2u); /* floor(2M / P) */
    if (half_pages >= VH_MAX_PAGES)
        return 0;
    uint64_t classes = request <= VH_MAX_CLASS_SIZE ? slab_class_for(request) + 1u : VH_NUM_CLASSES;
    uint64_t slab_pages = classes * (half_pages + 1u);
    uint64_t blocks = request > VH_MAX_CLASS_SIZE ? live / (VH_MAX_CLASS_SIZE + 1u) : 0u;
    unsigned k = request > VH_PAGE_SIZE ? buddy_order_for_size(request) : 0u;
    //@ assert k <= VH_MAX_ORDER;
    uint64_t n = ((uint64_t)1 << k) * (slab_pages + blocks + 1u) + half_pages;
    return n <= VH_MAX_PAGES ? n : 0u;
}

/*@ assigns \nothing;
    ensures \result == 0 || \result >= VH_MIN_REGION_SIZE;
    ensures max_request > VH_MAX_ALLOC ==> \result == 0; */
size_t vh_region_size_for(size_t max_live_bytes, size_t max_request)
{
    if (max_request > VH_MAX_ALLOC)
        return 0;
    if (max_live_bytes < VH_ALIGNMENT)
        return VH_MIN_REGION_SIZE; /* no request fits under the bound: nothing is ever live */
    /* A request above the live bound is never made. */
    size_t request = max_request < max_live_bytes ? max_request : max_live_bytes;
    uint64_t n = sizing_pages(max_live_bytes, request);
    if (n == 0)
        return 0;
    uint64_t bytes = VH_REGION_BYTES(n);
    if (bytes > SIZE_MAX)
        return 0;
    return bytes < VH_MIN_REGION_SIZE ? VH_MIN_REGION_SIZE : (size_t)bytes;
}
