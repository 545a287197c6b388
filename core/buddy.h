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
    ensures xor: \result == (p ^ VH_POW2(k));
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

/* What freeing an in-use block will do, found by buddy_free_plan without
 * changing anything: the block of order `order` merges with the free
 * buddies absorbed[order .. top-1] (absorbed[k] of order k, each checked
 * linked into its list) into the free block of order top at head.
 * buddy_free_commit replays it and recomputes nothing.
 *
 * The field types are for the proof: WP's typed memory model keeps values
 * of different C types in different memories, so a plan of bytes and
 * 64-bit words cannot be touched by the 32-bit page links and the byte
 * fields' neighbours that callers write between the plan and the commit
 * (the slab layer unlinks the emptied slab there): that the plan survives
 * is then immediate, not a quantified separation argument. */
struct vh_merge {
    uint8_t order, top; /* <= VH_MAX_ORDER */
    uint64_t head;      /* page indices (< 2^32) */
    uint64_t absorbed[VH_MAX_ORDER];
};

/* ---- Stateful operations, on the area's descriptors. ---- */

/*@ // The buddy state beside a valid area (proofs/README.md): its header
    // words may hold anything, so every index read from them is checked.
    predicate valid_buddy(struct vh_buddy *b, struct vh_area *a) =
      valid_area(a) && \valid(b) &&
      \separated(b, a, a->pages + (0 .. a->npages - 1), a->base + (0 .. a->npages - 1));
    // What buddy_head_ok checks of an in-use head p.
    predicate head_ok{L}(struct vh_area *a, integer p) =
      0 <= p < a->npages && a->pages[p].order <= VH_MAX_ORDER &&
      VH_ALIGNED(p, a->pages[p].order) && VH_INSIDE(p, a->pages[p].order, a->npages);
    predicate pages_unchanged{L1, L2}(struct vh_area *a) =
      \forall integer i; 0 <= i < \at(a->npages, L1) ==> page_same{L1, L2}(\at(a->pages, L1) + i);
    // A recorded merge the commit can replay inside the area.
    predicate merge_ok{L}(struct vh_buddy *b, struct vh_area *a, struct vh_merge *m) =
      m->order <= m->top <= VH_MAX_ORDER && m->head < a->npages &&
      (b->free_head[m->top] == VH_NIL || b->free_head[m->top] < a->npages) &&
      \forall integer k; m->order <= k < m->top ==>
        m->absorbed[k] < a->npages && links_ok(a->pages, a->npages, m->absorbed[k]);
*/

/* Carves [0, npages) into the largest aligned blocks; descriptors must be
 * blank. */
/*@ requires valid_buddy(b, a);
    assigns *b, a->pages[0 .. a->npages - 1];
    ensures b->free_pages == a->npages;
    ensures \forall integer k; 0 <= k <= VH_MAX_ORDER ==>
      b->free_head[k] == VH_NIL || b->free_head[k] < a->npages; */
static void buddy_init(struct vh_buddy *b, const struct vh_area *a);

/* Returned (positive, never escapes the core) when no free block fits. */
#define BUDDY_ENOMEM 1

/* Takes a block of the given order (splitting a larger one); marks its head
 * BLOCK.  0 with *out set, BUDDY_ENOMEM, or VH_ECORRUPT when a popped entry
 * fails validation (nothing changed). */
/*@ requires valid_buddy(b, a) && \valid(out);
    requires \separated(out, b, a, a->pages + (0 .. a->npages - 1));
    assigns *b, a->pages[0 .. a->npages - 1], *out;
    ensures \result == VH_OK || \result == BUDDY_ENOMEM || \result == VH_ECORRUPT;
    ensures \result == VH_OK ==> order <= VH_MAX_ORDER && *out < a->npages &&
      VH_ALIGNED(*out, order) && VH_INSIDE(*out, order, a->npages) &&
      a->pages[*out].kind == VH_PG_BLOCK && a->pages[*out].order == order;
    ensures \result != VH_OK ==> *b == \old(*b) && *out == \old(*out) && pages_unchanged{Pre, Post}(a); */
static int buddy_alloc(struct vh_buddy *b, const struct vh_area *a, unsigned order, uint32_t *out);

/* Whether p < npages heads a block whose order, read from memory, is a
 * buddy order, aligned and inside the area: then so is every page of the
 * block.  What every caller of buddy_free and buddy_free_plan checked. */
/*@ requires valid_area(a) && p < a->npages;
    assigns \nothing;
    ensures \result <==> head_ok(a, p); */
static inline bool buddy_head_ok(const struct vh_area *a, uint32_t p)
{
    unsigned k = a->pages[p].order;
    return k <= VH_MAX_ORDER && p % buddy_order_pages(k) == 0 && buddy_fits(p, k, a->npages);
}

/* Returns the in-use block headed by p < npages, which passed
 * buddy_head_ok, and merges it with free buddies; its head descriptor is
 * cleared whatever its kind.  VH_ECORRUPT (nothing changed) if a free list
 * it meets is found broken.
 * Two phases, for callers that must validate more before changing
 * anything: buddy_free_plan validates and records the merge in *m,
 * changing nothing; buddy_free_commit then cannot fail. */
/*@ requires valid_buddy(b, a) && head_ok(a, p);
    assigns *b, a->pages[0 .. a->npages - 1];
    ensures \result == VH_OK || \result == VH_ECORRUPT;
    ensures \result != VH_OK ==> *b == \old(*b) && pages_unchanged{Pre, Post}(a); */
static int buddy_free(struct vh_buddy *b, const struct vh_area *a, uint32_t p);
/*@ requires valid_buddy(b, a) && head_ok(a, p) && \valid(m);
    requires \separated(m, b, a, a->pages + (0 .. a->npages - 1));
    assigns *m;
    ensures \result == VH_OK || \result == VH_ECORRUPT;
    ensures \result == VH_OK ==> merge_ok(b, a, m) && m->order == a->pages[p].order; */
static int buddy_free_plan(const struct vh_buddy *b, const struct vh_area *a, uint32_t p,
                           struct vh_merge *m);
/*@ requires valid_buddy(b, a) && p < a->npages && \valid_read(m) && merge_ok(b, a, m);
    requires \separated(m, b, a, a->pages + (0 .. a->npages - 1));
    assigns *b, a->pages[0 .. a->npages - 1];
    ensures a->pages[m->head].kind == VH_PG_FREE && a->pages[m->head].order == m->top &&
            b->free_head[m->top] == m->head; */
static void buddy_free_commit(struct vh_buddy *b, const struct vh_area *a, uint32_t p,
                              const struct vh_merge *m);

/* Whether every free-list head is VH_NIL or a page, and the lists of orders
 * >= order that free_mask calls empty are empty (B4): what the reclaim path
 * needs so that, after giving blocks back, buddy_alloc pops only blocks it
 * made itself. */
/*@ requires valid_buddy(b, a);
    assigns \nothing;
    ensures \result ==> \forall integer k; 0 <= k <= VH_MAX_ORDER ==>
      b->free_head[k] == VH_NIL || b->free_head[k] < a->npages; */
static bool buddy_heads_ok(const struct vh_buddy *b, const struct vh_area *a, unsigned order);

/* In place: the BLOCK at p shrinks to new_order < its order, returning the
 * upper halves as free blocks.  VH_ECORRUPT (nothing changed) if a list it
 * pushes onto has a broken head. */
/*@ requires valid_buddy(b, a) && head_ok(a, p) && new_order < a->pages[p].order;
    assigns *b, a->pages[0 .. a->npages - 1];
    ensures \result == VH_OK || \result == VH_ECORRUPT;
    ensures \result == VH_OK ==> a->pages[p].order == new_order && head_ok(a, p) &&
                                 a->pages[p].kind == \old(a->pages[p].kind);
    ensures \result != VH_OK ==> *b == \old(*b) && pages_unchanged{Pre, Post}(a); */
static int buddy_shrink(struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned new_order);

/* In place: the BLOCK at p grows to new_order by absorbing free upper
 * buddies.  BUDDY_ENOMEM (nothing changed) when they are not all free. */
/*@ requires valid_buddy(b, a) && head_ok(a, p) && new_order > a->pages[p].order;
    assigns *b, a->pages[0 .. a->npages - 1];
    ensures \result == VH_OK || \result == BUDDY_ENOMEM || \result == VH_ECORRUPT;
    ensures \result == VH_OK ==> a->pages[p].order == new_order && head_ok(a, p) &&
                                 a->pages[p].kind == \old(a->pages[p].kind);
    ensures \result != VH_OK ==> *b == \old(*b) && pages_unchanged{Pre, Post}(a); */
static int buddy_grow(struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned new_order);

/* Largest order with a free block, or -1 when there is none. */
/*@ requires \valid_read(b);
    assigns \nothing;
    ensures -1 <= \result <= 31; */
static int buddy_largest_free_order(const struct vh_buddy *b);

/* Whether q heads a free block of order k. */
/*@ requires valid_area(a) && q < a->npages;
    assigns \nothing;
    ensures \result <==> a->pages[q].kind == VH_PG_FREE && a->pages[q].order == k; */
static bool buddy_is_free_head(const struct vh_area *a, uint32_t q, unsigned k);

/* Checks B1..B5; 0 or a VH_CHECK_* code. */
/*@ requires valid_buddy(b, a);
    assigns \nothing;
    ensures \result == 0 || \result == VH_CHECK_DESCRIPTOR || \result == VH_CHECK_TILING ||
            \result == VH_CHECK_FREE_LIST || \result == VH_CHECK_FREE_MASK ||
            \result == VH_CHECK_UNMERGED; */
static int buddy_check(const struct vh_buddy *b, const struct vh_area *a);

#endif /* VH_BUDDY_H */
