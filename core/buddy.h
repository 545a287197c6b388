/* buddy: binary buddy allocator over the heap's pages, metadata out of band.
 *
 * Pages are numbered 0..npages-1 from the page-aligned base.  A block of
 * order k is 2^k pages starting at a page index that is a multiple of 2^k
 * (alignment is relative to base, so the region needs no 2 MiB alignment).
 *
 * Invariants (checked by buddy_check):
 *   B1  The blocks tile [0, npages): every page is the head of exactly one
 *       block or lies inside exactly one.  Heads have kind FREE, BLOCK or
 *       SLAB; every other page has kind NONE.
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
#include "port.h"
#include "spec.h"

enum vh_page_kind {
    VH_PG_NONE = 0,  /* inside a block, or never a head */
    VH_PG_FREE = 1,  /* head of a free block; order = its order */
    VH_PG_BLOCK = 2, /* head of a block handed out whole; order = its order */
    VH_PG_SLAB = 3,  /* a one-page block cut into objects; order = size class */
};

/* One per page, in an array before the first page.  prev/next link free
 * blocks of one order (FREE) or partial slabs of one class (SLAB).  bits is
 * the free-object bitmap of slabs whose bitmap is kept out of band. */
struct vh_page {
    uint8_t kind;
    uint8_t order;
    uint16_t nfree; /* SLAB: free objects; 0 otherwise */
    uint32_t prev;
    uint32_t next;
    _Alignas(8) uint64_t bits; /* 24-byte descriptors on 32-bit targets too */
};

struct vh_buddy {
    unsigned char *base;   /* address of page 0, VH_PAGE_SIZE aligned */
    struct vh_page *pages; /* npages descriptors */
    uint32_t npages;
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

/* Byte offset of page p from base. */
/*@ assigns \nothing;
    ensures \result == p * VH_PAGE_SIZE;
    ensures roundtrip: \result % VH_PAGE_SIZE == 0 && (\result >> VH_PAGE_SHIFT) == p; */
static inline size_t buddy_page_offset(uint32_t p)
{
    return (size_t)p << VH_PAGE_SHIFT;
}

/* Order of the block headed by a descriptor (a slab is one page). */
static inline unsigned buddy_head_order(const struct vh_page *d)
{
    return d->kind == VH_PG_SLAB ? 0u : d->order;
}

/* ---- Page lists (free lists and slab partial lists share them). ---- */

VH_HOT void pagelist_push(struct vh_page *pages, uint32_t *head, uint32_t p);
/* Whether p's neighbours (or the list head) point back at p. */
VH_HOT bool pagelist_linked(const struct vh_page *pages, uint32_t npages, uint32_t head, uint32_t p);
/* Unlinks p after checking its neighbours point back at it; VH_ECORRUPT (and
 * nothing changed) if they do not. */
VH_HOT int pagelist_unlink(struct vh_page *pages, uint32_t npages, uint32_t *head, uint32_t p);

/* ---- Stateful operations. ---- */

/* Carves [0, npages) into the largest aligned blocks; descriptors must be
 * zeroed. */
VH_INTERNAL void buddy_init(struct vh_buddy *b, unsigned char *base, struct vh_page *pages, uint32_t npages);

/* Returned (positive, never escapes the core) when no free block fits. */
#define BUDDY_ENOMEM 1

/* Takes a block of the given order (splitting a larger one); marks its head
 * BLOCK.  0 with *out set, BUDDY_ENOMEM, or VH_ECORRUPT when a popped entry
 * fails validation (nothing changed). */
VH_INTERNAL int buddy_alloc(struct vh_buddy *b, unsigned order, uint32_t *out);

/* Returns the block at head p (BLOCK or SLAB) and merges it with free
 * buddies.  VH_ECORRUPT (nothing changed) if a free list is found broken. */
VH_INTERNAL int buddy_free(struct vh_buddy *b, uint32_t p);

/* In place: block at p shrinks to new_order < its order, returning the upper
 * halves as free blocks. */
VH_INTERNAL int buddy_shrink(struct vh_buddy *b, uint32_t p, unsigned new_order);

/* In place: block at p grows to new_order by absorbing free upper buddies.
 * BUDDY_ENOMEM (nothing changed) when they are not all free. */
VH_INTERNAL int buddy_grow(struct vh_buddy *b, uint32_t p, unsigned new_order);

/* Largest order of a free block that would exist after freeing, in addition,
 * the n order-0 blocks at extra[] (which must be heads not already free);
 * -1 if there would be none.  Changes nothing.  O(n * orders). */
VH_INTERNAL int buddy_largest_order_with(const struct vh_buddy *b, const uint32_t *extra, unsigned n);

/* Checks B1..B5; 0 or a VH_CHECK_* code. */
VH_INTERNAL int buddy_check(const struct vh_buddy *b);

#endif /* VH_BUDDY_H */
