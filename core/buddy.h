/* SPDX-License-Identifier: MIT */
/* buddy: binary buddy allocator over the page area, metadata out of band.
 *
 * A block of order k is 2^k pages starting at a page index that is a
 * multiple of 2^k (alignment is relative to the area's base, so the region
 * needs no 2 MiB alignment).  The buddy layer owns the kind FREE, the order
 * of every head and the free lists; a head handed out (BLOCK, or re-marked
 * by a layer above) is simply "in use" here (page_in_use).
 *
 * Invariants (checked by buddy_check):
 *   B1  The blocks tile [0, npages): every page is the head of exactly one
 *       block or lies inside exactly one.  Heads are FREE or in use; every
 *       other page is blank (P1).
 *   B2  A head p of order k has p % 2^k == 0 and p + 2^k <= npages.
 *   B3  free_head[k] lists exactly the FREE heads of order k, doubly linked
 *       through prev/next (VH_NIL ends), no cycles.
 *   B4  free_mask bit k is set <=> free_head[k] != VH_NIL;
 *       free_pages = sum over free blocks of 2^order.
 *   B5  No free block of order k < VH_MAX_ORDER has a free buddy of order k
 *       whose merged parent lies inside the heap (merging is eager).
 *
 * The only state an operation touches is the descriptors of the heads it
 * creates or destroys: split marks the new upper half's head, merge clears
 * the absorbed buddy's head.  Interior descriptors stay NONE, so no operation
 * walks the pages of a block.
 */
#ifndef VH_BUDDY_H
#define VH_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "page.h"
#include "port.h"
#include "spec.h"

struct vh_buddy {
    uint32_t free_mask; /* B4 */
    uint32_t free_head[VH_NUM_ORDERS];
    size_t free_pages; /* B4 */
};

/* ---- Pure arithmetic on page indices (proved by WP; see proofs/). ---- */

/* Pages in a block of order k. */
/*@ requires k <= VH_MAX_ORDER;
    assigns \nothing;
    ensures \result == VH_POW2(k); */
static inline uint32_t buddy_order_pages(unsigned k)
{
    return (uint32_t)1 << k;
}

/* Smallest order whose block holds size bytes, or VH_NUM_ORDERS if none. */
/*@ assigns \nothing;
    ensures \result <= VH_NUM_ORDERS;
    ensures fits: \result < VH_NUM_ORDERS ==> size <= VH_PAGE_SIZE * VH_POW2(\result);
    ensures smallest: 0 < \result ==> size > VH_PAGE_SIZE * VH_POW2(\result - 1);
    ensures none: \result == VH_NUM_ORDERS ==> size > VH_PAGE_SIZE * VH_POW2(VH_MAX_ORDER); */
static inline unsigned buddy_order_for_size(size_t size)
{
    unsigned k = 0;
    /*@ loop invariant 0 <= k <= VH_NUM_ORDERS;
        loop invariant 0 < k ==> size > VH_PAGE_SIZE * VH_POW2(k - 1);
        loop assigns k;
        loop variant VH_NUM_ORDERS - k; */
    while (k < VH_NUM_ORDERS && (VH_PAGE_SIZE << k) < size)
        k++;
    return k;
}

/* The buddy of the order-k block at p: flips bit k. */
/*@ requires k <= VH_MAX_ORDER && VH_ALIGNED(p, k);
    assigns \nothing;
    ensures value: \result == (VH_BIT_OF(p, k) == 1 ? p - VH_POW2(k) : p + VH_POW2(k));
    ensures aligned: VH_ALIGNED(\result, k);
    ensures distinct: \result != p;
    ensures involution: (VH_BIT_OF(\result, k) == 1 ? \result - VH_POW2(k) : \result + VH_POW2(k)) == p;
    ensures inside: \forall integer n; VH_INSIDE(\min(p, \result), k + 1, n) ==> VH_INSIDE(\result, k, n); */
static inline uint32_t buddy_of(uint32_t p, unsigned k)
{
    return p ^ buddy_order_pages(k);
}

/* Head of the order k+1 block that contains the order-k block at p. */
/*@ requires k < VH_MAX_ORDER && VH_ALIGNED(p, k);
    assigns \nothing;
    ensures lower: \result == \min(p, p ^ VH_POW2(k));
    ensures aligned: VH_ALIGNED(\result, k + 1);
    ensures halves: \result == p || \result + VH_POW2(k) == p; */
static inline uint32_t buddy_parent(uint32_t p, unsigned k)
{
    return p & ~buddy_order_pages(k);
}

/* Whether an order-k block at p lies inside npages pages. */
/*@ requires k <= VH_MAX_ORDER;
    assigns \nothing;
    ensures \result <==> VH_INSIDE(p, k, npages); */
static inline bool buddy_fits(uint32_t p, unsigned k, uint32_t npages)
{
    return p <= npages && npages - p >= buddy_order_pages(k);
}

/* ---- Stateful operations, on the area's descriptors. ---- */

/* Carves [0, npages) into the largest aligned blocks; descriptors must be
 * blank. */
static void buddy_init(struct vh_buddy *b, const struct vh_area *a);

/* Returned (positive, never escapes the core) when no free block fits. */
#define BUDDY_ENOMEM 1

/* Takes a block of the given order (splitting a larger one); marks its head
 * BLOCK.  0 with *out set, BUDDY_ENOMEM, or VH_ECORRUPT when a popped entry
 * fails validation (nothing changed). */
static int buddy_alloc(struct vh_buddy *b, const struct vh_area *a, unsigned order, uint32_t *out);

/* Whether p < npages heads a block whose order, read from memory, is a
 * buddy order, aligned and inside the area: then so is every page of the
 * block.  What every caller of buddy_free and buddy_free_plan checked. */
static inline bool buddy_head_ok(const struct vh_area *a, uint32_t p)
{
    unsigned k = a->pages[p].order;
    return k <= VH_MAX_ORDER && (p & (buddy_order_pages(k) - 1u)) == 0 && buddy_fits(p, k, a->npages);
}

/* Returns the in-use block headed by p < npages, which passed
 * buddy_head_ok, and merges it with free buddies; its head descriptor is
 * cleared whatever its kind.  VH_ECORRUPT (nothing changed) if a free list
 * it meets is found broken.
 * Two phases, for callers that must validate more before changing
 * anything: buddy_free_plan validates and finds the order *top of the
 * merged block, changing nothing; buddy_free_commit then cannot fail. */
static int buddy_free(struct vh_buddy *b, const struct vh_area *a, uint32_t p);
static int buddy_free_plan(const struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned *top);
static void buddy_free_commit(struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned top);

/* Whether every free-list head is VH_NIL or a page, and the lists of orders
 * >= order that free_mask calls empty are empty (B4): what the reclaim path
 * needs so that, after giving blocks back, buddy_alloc pops only blocks it
 * made itself. */
static bool buddy_heads_ok(const struct vh_buddy *b, const struct vh_area *a, unsigned order);

/* In place: the BLOCK at p shrinks to new_order < its order, returning the
 * upper halves as free blocks.  VH_ECORRUPT (nothing changed) if a list it
 * pushes onto has a broken head. */
static int buddy_shrink(struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned new_order);

/* In place: the BLOCK at p grows to new_order by absorbing free upper
 * buddies.  BUDDY_ENOMEM (nothing changed) when they are not all free. */
static int buddy_grow(struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned new_order);

/* Largest order with a free block, or -1 when there is none. */
static int buddy_largest_free_order(const struct vh_buddy *b);

/* Whether q heads a free block of order k. */
static bool buddy_is_free_head(const struct vh_area *a, uint32_t q, unsigned k);

/* Checks B1..B5; 0 or a VH_CHECK_* code. */
static int buddy_check(const struct vh_buddy *b, const struct vh_area *a);

#endif /* VH_BUDDY_H */
