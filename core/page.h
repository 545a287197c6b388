/* SPDX-License-Identifier: MIT */
/* page: the page area, its descriptor array, and intrusive page lists.
 *
 * The heap's pages are numbered 0..npages-1 from a page-aligned base.  Each
 * has a 48-byte descriptor in an array kept out of band, before the first
 * page; the layers above own its fields.  All metadata is there: a page
 * holds user bytes only, so a write past the end of a block can reach the
 * next block but never the allocator's state.
 *
 *   field   owner   meaning
 *   kind    page    NONE, FREE, BLOCK or SLAB + class (below)
 *   order   buddy   order of the block the page heads (FREE, BLOCK, SLAB)
 *   prev    page    list links: a free list of one order (FREE heads) or a
 *   next    page      partial list of one class (SLAB heads); VH_NIL ends
 *   nfree   slab    free objects of a SLAB page
 *   bits    slab    free-object bitmap of a SLAB page (4 words: up to 256
 *                   objects, the 16-byte class)
 *
 * Invariants (P1 checked by the owners' checkers, P2 by pagelist_check):
 *   P1  A descriptor that heads no block (kind NONE) is all zero; fields a
 *       page's kind does not use are zero.
 *   P2  A page list is doubly linked: head -> p0 -> ... -> pn -> VH_NIL,
 *       p0.prev == VH_NIL, p(i+1).prev == p(i), every index < npages, no
 *       page twice.
 *
 * Lists store page indices, never pointers: a link read from the array is
 * range-checked before it is used (pagelist_linked), so a corrupted link
 * cannot turn into an address outside the descriptor array.
 */
#ifndef VH_PAGE_H
#define VH_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "port.h"
#include "spec.h"

/* Who holds a page.  The buddy layer hands blocks out as BLOCK and sees
 * every head that is neither NONE nor FREE as "in use"; the slab layer
 * marks the one-page blocks it takes as VH_PG_SLAB + c for their size class
 * c, so that one compare of one byte tells a slab page of class c (the fast
 * paths' validation) and one subtraction finds the class of a pointer's
 * slab. */
enum vh_page_kind {
    VH_PG_NONE = 0,  /* inside a block: not a head */
    VH_PG_FREE = 1,  /* head of a free block */
    VH_PG_BLOCK = 2, /* head of a block handed out whole */
    VH_PG_SLAB = 3,  /* + c, c < VH_NUM_CLASSES: head of a one-page block cut into objects */
};
#define VH_PG_LAST (VH_PG_SLAB + VH_NUM_CLASSES - 1u)

struct vh_page {
    uint8_t kind;   /* enum vh_page_kind, plus the class of a slab */
    uint8_t order;  /* buddy */
    uint16_t nfree; /* slab */
    uint32_t prev; /* page lists */
    uint32_t next;
    _Alignas(8) uint64_t bits[VH_SLAB_BITMAP_WORDS]; /* slab; 48 bytes on 32-bit targets too */
};

/* The contents of one page: user bytes only (the metadata is all in the
 * descriptors).  A page type rather than a char pointer, so that the page
 * area is an array of pages that page indices address directly: what WP's
 * typed memory model follows (proofs/README.md). */
struct vh_page_data {
    char bytes[VH_PAGE_SIZE];
};

/* The page area: fixed by vh_init, never changed after. */
struct vh_area {
    struct vh_page_data *base; /* page 0, VH_PAGE_SIZE aligned */
    struct vh_page *pages;    /* npages descriptors */
    uint32_t npages;
};

/*@ // Descriptor d holds the same at L1 and L2: field by field, the four
    // bitmap words spelled out (a struct equality would compare the bits
    // array through a quantifier, nested in the one over the pages of
    // pages_unchanged, which costs the provers their time).
    predicate page_same{L1, L2}(struct vh_page *d) =
      \at(d->kind, L1) == \at(d->kind, L2) && \at(d->order, L1) == \at(d->order, L2) &&
      \at(d->nfree, L1) == \at(d->nfree, L2) && \at(d->prev, L1) == \at(d->prev, L2) &&
      \at(d->next, L1) == \at(d->next, L2) &&
      \at(d->bits[0], L1) == \at(d->bits[0], L2) && \at(d->bits[1], L1) == \at(d->bits[1], L2) &&
      \at(d->bits[2], L1) == \at(d->bits[2], L2) && \at(d->bits[3], L1) == \at(d->bits[3], L2);
    // The same but for the two links.
    predicate page_same_but_links{L1, L2}(struct vh_page *d) =
      \at(d->kind, L1) == \at(d->kind, L2) && \at(d->order, L1) == \at(d->order, L2) &&
      \at(d->nfree, L1) == \at(d->nfree, L2) &&
      \at(d->bits[0], L1) == \at(d->bits[0], L2) && \at(d->bits[1], L1) == \at(d->bits[1], L2) &&
      \at(d->bits[2], L1) == \at(d->bits[2], L2) && \at(d->bits[3], L1) == \at(d->bits[3], L2);
*/
/*@ // The page area as the proofs see it (proofs/README.md): n descriptors
    // and n pages of valid memory, apart from each other and from the
    // struct that holds their addresses.  Nothing is said about what the
    // descriptors or the pages hold: any bytes.
    predicate valid_pages(struct vh_page *pages, integer n) =
      1 <= n <= VH_MAX_PAGES && \valid(pages + (0 .. n - 1));
    predicate valid_area(struct vh_area *a) =
      \valid_read(a) && valid_pages(a->pages, a->npages) &&
      \valid(a->base + (0 .. a->npages - 1)) &&
      \separated(a, a->pages + (0 .. a->npages - 1), a->base + (0 .. a->npages - 1));
*/

/* Byte offset of page p from base. */
/*@ assigns \nothing;
    ensures \result == p * VH_PAGE_SIZE;
    ensures roundtrip: \result % VH_PAGE_SIZE == 0 && (\result >> VH_PAGE_SHIFT) == p; */
static inline size_t page_offset(uint32_t p)
{
    return (size_t)p << VH_PAGE_SHIFT;
}

/* Address of page p. */
/*@ requires valid_area(a) && p < a->npages;
    assigns \nothing;
    ensures \result == &a->base[p].bytes[0]; */
static inline char *page_addr(const struct vh_area *a, uint32_t p)
{
    return a->base[p].bytes;
}

/* Bytes spanned by the whole page area. */
/*@ requires \valid_read(a);
    assigns \nothing;
    ensures \result == a->npages * VH_PAGE_SIZE; */
static inline size_t page_span(const struct vh_area *a)
{
    return page_offset(a->npages);
}

/* Whether a head is held by a layer above the buddy layer's free lists. */
/*@ requires \valid_read(d);
    assigns \nothing;
    ensures \result <==> VH_PG_BLOCK <= d->kind <= VH_PG_LAST; */
static inline bool page_in_use(const struct vh_page *d)
{
    return d->kind >= VH_PG_BLOCK && d->kind <= VH_PG_LAST;
}

/* For contracts: every word of d's bitmap is zero. */
#define VH_PAGE_BITS_CLEAR(d) \
    ((d)->bits[0] == 0 && (d)->bits[1] == 0 && (d)->bits[2] == 0 && (d)->bits[3] == 0)
_Static_assert(VH_SLAB_BITMAP_WORDS == 4u, "VH_PAGE_BITS_CLEAR spells out 4 words");

/* Zeroes d's bitmap words (4 stores, no loop: on the slab refill path). */
/*@ requires \valid(d);
    assigns d->bits[0 .. VH_SLAB_BITMAP_WORDS - 1];
    ensures VH_PAGE_BITS_CLEAR(d); */
static inline void page_bits_clear(struct vh_page *d)
{
    d->bits[0] = 0;
    d->bits[1] = 0;
    d->bits[2] = 0;
    d->bits[3] = 0;
}

/* Whether every word of d's bitmap is zero. */
/*@ requires \valid_read(d);
    assigns \nothing;
    ensures \result <==> VH_PAGE_BITS_CLEAR(d); */
static inline bool page_bits_are_clear(const struct vh_page *d)
{
    return d->bits[0] == 0 && d->bits[1] == 0 && d->bits[2] == 0 && d->bits[3] == 0;
}

/* Resets a descriptor to NONE with every field zero (P1). */
/*@ requires \valid(d);
    assigns *d;
    ensures d->kind == VH_PG_NONE && d->order == 0 && d->nfree == 0 && d->prev == 0 &&
            d->next == 0 && VH_PAGE_BITS_CLEAR(d); */
static inline void page_clear(struct vh_page *d)
{
    d->kind = VH_PG_NONE;
    d->order = 0;
    d->nfree = 0;
    d->prev = 0;
    d->next = 0;
    page_bits_clear(d);
}

/* Whether d is all zero (a NONE descriptor, P1). */
/*@ requires \valid_read(d);
    assigns \nothing;
    ensures \result <==> d->kind == VH_PG_NONE && d->order == 0 && d->nfree == 0 && d->prev == 0 &&
                         d->next == 0 && VH_PAGE_BITS_CLEAR(d); */
static bool page_is_blank(const struct vh_page *d);

/* ---- Page lists (buddy free lists and slab partial lists). ---- */

/* Whether a list head read from memory may be pushed onto: VH_NIL or a page
 * index (pagelist_push writes the old head's prev link). */
/*@ requires npages <= VH_MAX_PAGES;
    assigns \nothing;
    ensures \result <==> head == VH_NIL || head < npages; */
static inline bool pagelist_head_ok(uint32_t head, uint32_t npages)
{
    /* One compare: VH_NIL + 1 wraps to 0, and npages <= VH_MAX_PAGES keeps
     * head + 1 from wrapping for every head < npages. */
    uint32_t next = (uint32_t)(head + 1u);
    //@ assert head == VH_NIL ==> next == 0;
    //@ assert head != VH_NIL ==> next == head + 1;
    return next <= npages;
}

/*@ // What list surgery needs of a page's links to stay inside the array
    // (pagelist_linked checks more), and that every link it writes keeps it.
    predicate links_ok{L}(struct vh_page *pages, integer npages, integer p) =
      (pages[p].prev == VH_NIL || pages[p].prev < npages) &&
      (pages[p].next == VH_NIL || pages[p].next < npages);
    predicate links_kept{L1, L2}(struct vh_page *pages, integer npages) =
      \forall integer i; 0 <= i < npages ==>
        (\at(pages[i].prev, L2) == \at(pages[i].prev, L1) || \at(pages[i].prev, L2) == VH_NIL ||
         \at(pages[i].prev, L2) < npages) &&
        (\at(pages[i].next, L2) == \at(pages[i].next, L1) || \at(pages[i].next, L2) == VH_NIL ||
         \at(pages[i].next, L2) < npages);
*/

/* Pushes p at the head of the list; p < npages and pagelist_head_ok(*head).
 * (npages is a ghost parameter: the contract's, not the code's.) */
/*@ requires valid_pages(pages, npages) && p < npages;
    requires \valid(head) && \separated(head, pages + (0 .. npages - 1));
    requires *head == VH_NIL || *head < npages;
    assigns *head, pages[0 .. npages - 1];
    ensures \forall integer i; 0 <= i < npages ==> page_same_but_links{Pre, Post}(pages + i);
    ensures links_kept{Pre, Post}(pages, npages) && links_ok(pages, npages, p);
    ensures *head == p && pages[p].next == \old(*head); */
VH_INLINE void pagelist_push(struct vh_page *pages, uint32_t *head, uint32_t p)
    /*@ ghost (uint32_t npages) */;

/*@ predicate vh_linked{L}(struct vh_page *pages, integer npages, integer head, integer p) =
      (pages[p].prev == VH_NIL ? head == p
                               : pages[p].prev < npages && pages[pages[p].prev].next == p) &&
      (pages[p].next == VH_NIL || (pages[p].next < npages && pages[pages[p].next].prev == p));
*/
/*@ requires valid_pages(pages, npages) && p < npages;
    assigns \nothing;
    ensures \result <==> vh_linked(pages, npages, head, p); */
VH_INLINE bool pagelist_linked(const struct vh_page *pages, uint32_t npages, uint32_t head,
                               uint32_t p);

/* Unlinks p, whose links pagelist_linked validated. */
/*@ requires valid_pages(pages, npages) && p < npages && links_ok(pages, npages, p);
    requires \valid(head) && \separated(head, pages + (0 .. npages - 1));
    assigns *head, pages[0 .. npages - 1];
    ensures \forall integer i; 0 <= i < npages ==> page_same_but_links{Pre, Post}(pages + i);
    ensures links_kept{Pre, Post}(pages, npages) && links_ok(pages, npages, p);
    ensures \old(*head) == p ==> *head == VH_NIL || *head < npages; */
VH_INLINE void pagelist_unlink_linked(struct vh_page *pages, uint32_t *head, uint32_t p)
    /*@ ghost (uint32_t npages) */;

/* Unlinks p after checking its links; VH_ECORRUPT and nothing changed if
 * they are broken. */
/*@ requires valid_pages(pages, npages) && p < npages;
    requires \valid(head) && \separated(head, pages + (0 .. npages - 1));
    assigns *head, pages[0 .. npages - 1];
    ensures \forall integer i; 0 <= i < npages ==> page_same_but_links{Pre, Post}(pages + i);
    ensures \result == VH_OK || \result == VH_ECORRUPT;
    ensures \result == VH_ECORRUPT ==> *head == \old(*head) &&
      \forall integer i; 0 <= i < npages ==> page_same{Pre, Post}(pages + i); */
VH_INLINE int pagelist_unlink(struct vh_page *pages, uint32_t npages, uint32_t *head, uint32_t p);

/* P2 for the list at head, of at most max entries: true with *count set to
 * its length, false if it is broken (out of range, bad back link, longer
 * than max, which is how a cycle shows). */
/*@ requires valid_pages(pages, npages) && \valid(count);
    requires \separated(count, pages + (0 .. npages - 1));
    assigns *count;
    ensures \result ==> *count <= max; */
static bool pagelist_check(const struct vh_page *pages, uint32_t npages, uint32_t head,
                           uint32_t max, uint32_t *count);

#endif /* VH_PAGE_H */
