/* SPDX-License-Identifier: MIT */
/* slab: one-page slabs of a single size class, on pages from the buddy layer.
 *
 * Class c holds 4096 >> (4 + c) objects of 16 << c bytes at page offsets
 * i << (4 + c), so an object is aligned to its size and the page holds
 * nothing else.  All slab metadata is in the page descriptor: kind SLAB + c
 * (an order-0 block the buddy layer handed out, and its class), nfree, the
 * prev/next of the partial list, and the free-object bitmap (bit set =
 * allocated) in its bits words: 4 for class 16 (256 objects), 2 for class
 * 32, the first word alone for the others (at most 64 objects).
 *
 * Invariants (checked by slab_check), for a slab page p of class c with
 * capacity n = slab_capacity(c):
 *   S1  popcount(bitmap) == n - nfree, and no bit at or above n is set (in
 *       any of the descriptor's 4 words).
 *   S2  0 < nfree < n  <=>  p is on partial[c] (doubly linked, no cycles).
 *   S3  nfree == 0     =>  p is on no list (prev == next == VH_NIL).
 *   S4  nfree == n     <=>  p == cached[c]; at most one cached slab per class,
 *                          so any other slab that empties goes back to buddy.
 *   S5  used_bytes == sum over slabs of (n - nfree) * (16 << c);
 *       slot_bytes == sum over slabs of n * (16 << c).
 *   S6  the lookup tables in struct vh_slabs equal the functions they cache.
 *   S7  a SLAB page is an order-0 block; no other page has nfree or bits
 *       set.
 * The head of partial[c] is the class's current slab: allocation takes its
 * lowest free object, so the fast path is one list head, one bitmap word
 * scan and no loop over slabs.
 */
#ifndef VH_SLAB_H
#define VH_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bitmap.h"
#include "buddy.h"
#include "config.h"
#include "page.h"

struct vh_slabs {
    uint32_t partial[VH_NUM_CLASSES]; /* S2; head = current slab */
    uint32_t cached[VH_NUM_CLASSES];  /* S4; VH_NIL when none */
    size_t used_bytes;                /* S5: bytes of live objects */
    size_t slot_bytes;                /* S5: bytes of all objects, live or free */
};

/* S6: lookup tables, constant data outside every region (so no write into a
 * heap can change them), so the fast paths index instead of compute:
 *   slab_class_by_16[i] == slab_class_of(16 * i), slab_capacities[c] == slab_capacity(c).
 * Spelled with the macros of spec.h that the proved functions' contracts
 * use; slab_check and tests/test_bitmap.c compare them with the functions. */
#define VH_R2(x) x, x
#define VH_R4(x) VH_R2(x), VH_R2(x)
#define VH_R8(x) VH_R4(x), VH_R4(x)
#define VH_R16(x) VH_R8(x), VH_R8(x)
#define VH_R32(x) VH_R16(x), VH_R16(x)
#define VH_R64(x) VH_R32(x), VH_R32(x)
static const uint8_t slab_class_by_16[VH_MAX_CLASS_SIZE / 16u + 1u] = {
    0, 0, 1, VH_R2(2), VH_R4(3), VH_R8(4), VH_R16(5), VH_R32(6), VH_R64(7),
};
static const uint16_t slab_capacities[VH_NUM_CLASSES] = {
    VH_CAPACITY(0), VH_CAPACITY(1), VH_CAPACITY(2), VH_CAPACITY(3),
    VH_CAPACITY(4), VH_CAPACITY(5), VH_CAPACITY(6), VH_CAPACITY(7),
};
_Static_assert(VH_PAGE_SHIFT - 6u - VH_MIN_CLASS_SHIFT == 2u, "classes 0 and 1 have bitmaps of several words");
_Static_assert(VH_NUM_CLASSES == 8u && VH_MAX_CLASS_SIZE == 2048u, "the tables above spell out 8 classes");

/* ---- Pure size-class arithmetic (proved by WP; see proofs/). ---- */

/*@ requires c < VH_NUM_CLASSES;
    assigns \nothing;
    ensures \result == VH_MIN_CLASS_SHIFT + c; */
static inline unsigned slab_class_shift(unsigned c)
{
    return VH_MIN_CLASS_SHIFT + c;
}

/*@ requires c < VH_NUM_CLASSES;
    assigns \nothing;
    ensures \result == VH_CLASS_SIZE(c); */
static inline size_t slab_class_size(unsigned c)
{
    return (size_t)1 << slab_class_shift(c);
}

/* Smallest class holding size bytes; size <= VH_MAX_CLASS_SIZE. */
/*@ requires size <= VH_MAX_CLASS_SIZE;
    assigns \nothing;
    ensures holds: \result < VH_NUM_CLASSES && size <= VH_CLASS_SIZE(\result);
    ensures smallest: 0 < \result ==> size > VH_CLASS_SIZE(\result - 1); */
static inline unsigned slab_class_of(size_t size)
{
    unsigned c = 0;
    /*@ loop invariant 0 <= c < VH_NUM_CLASSES;
        loop invariant 0 < c ==> size > VH_CLASS_SIZE(c - 1);
        loop assigns c;
        loop variant VH_NUM_CLASSES - c; */
    while (c < VH_NUM_CLASSES - 1u && slab_class_size(c) < size)
        c++;
    return c;
}

/* Whether class c's bitmap takes more than one word (more than 64 objects). */
/*@ requires c < VH_NUM_CLASSES;
    assigns \nothing;
    ensures \result <==> VH_WIDE(c); */
static inline bool slab_bitmap_wide(unsigned c)
{
    /* (VH_PAGE_SIZE >> shift) > 64, as one compare of the class: shift + 6
     * < VH_PAGE_SHIFT (64 == 1 << 6). */
    return c < VH_PAGE_SHIFT - 6u - VH_MIN_CLASS_SHIFT;
}

/* Bitmap words of a class-c slab. */
/*@ requires c < VH_NUM_CLASSES;
    assigns \nothing;
    ensures \result == VH_BITMAP_WORDS(c) && 1 <= \result <= 4; */
static inline size_t slab_bitmap_words(unsigned c)
{
    return slab_bitmap_wide(c) ? (VH_PAGE_SIZE >> slab_class_shift(c)) / BITMAP_WORD_BITS : 1u;
}

/* Objects in a class-c slab. */
/*@ requires c < VH_NUM_CLASSES;
    assigns \nothing;
    ensures \result == VH_CAPACITY(c);
    ensures fits: \result * VH_CLASS_SIZE(c) <= VH_PAGE_SIZE;
    ensures bitmap: 2 <= \result <= 64 * VH_BITMAP_WORDS(c); */
static inline size_t slab_capacity(unsigned c)
{
    return VH_PAGE_SIZE >> slab_class_shift(c);
}

/* Offset of object i within its slab page. */
/*@ requires c < VH_NUM_CLASSES && i < VH_CAPACITY(c);
    assigns \nothing;
    ensures \result == i * VH_CLASS_SIZE(c);
    ensures inside: \result + VH_CLASS_SIZE(c) <= VH_PAGE_SIZE;
    ensures roundtrip: \result % VH_CLASS_SIZE(c) == 0 && \result / VH_CLASS_SIZE(c) == i; */
static inline size_t slab_obj_offset(unsigned c, size_t i)
{
    /* i << (4 + c): gcc and clang emit the same single shift for this form,
     * which WP proves without bit-level tactics. The ghost switch (not
     * compiled) splits the proof by class, so that each goal multiplies i by
     * a constant: linear arithmetic. Without it, z3 and cvc4 time out on
     * `inside` and `roundtrip` (i times a conditional expression), with
     * every lemma of the core in their context. */
    /*@ ghost
      switch (c) {
      case 0: break; case 1: break; case 2: break; case 3: break;
      case 4: break; case 5: break; case 6: break; default: break;
      } */
    return i * slab_class_size(c);
}

/*@ // The slab state beside a valid area (proofs/README.md): like the
    // descriptors and the pages, its words (partial[], cached[], the byte
    // counts) may hold anything, so every index read from them is checked.
    predicate valid_slab_area(struct vh_slabs *s, struct vh_area *a) =
      valid_area(a) && \valid(s) &&
      \separated(s, a, a->pages + (0 .. a->npages - 1), a->base + (0 .. a->npages - 1));
    predicate valid_slabs(struct vh_slabs *s, struct vh_buddy *b, struct vh_area *a) =
      valid_buddy(b, a) && valid_slab_area(s, a) && \separated(s, b);
*/
/* Page p is a slab page (of class VH_PAGE_CLASS(a, p) < VH_NUM_CLASSES). */
#define VH_SLAB_PAGE(a, p) (VH_PG_SLAB <= (a)->pages[p].kind <= VH_PG_LAST)
#define VH_PAGE_CLASS(a, p) ((a)->pages[p].kind - VH_PG_SLAB)
/* Where the bitmap of the slab page p starts. */
#define VH_BITMAP_AT(a, p) (&(a)->pages[p].bits[0])

/*@ // obj is an object of class c: at a multiple of its size inside the room
    // of a page of the area.
    predicate slab_object(struct vh_area *a, integer c, char *obj) =
      \exists integer p, o; 0 <= p < a->npages && 0 <= o && o + VH_CLASS_SIZE(c) <= VH_PAGE_SIZE &&
        o % VH_CLASS_SIZE(c) == 0 && obj == &a->base[p].bytes[o];
    // Nothing the slab layer owns or calls into changed.
    predicate slabs_unchanged{L1, L2}(struct vh_slabs *s, struct vh_buddy *b, struct vh_area *a) =
      \at(*s, L1) == \at(*s, L2) && \at(*b, L1) == \at(*b, L2) && pages_unchanged{L1, L2}(a);
    // What the reclaim path (slab_page_alloc) may have changed: cached slabs
    // given back to the buddy layer (cached[c] set to VH_NIL, slot_bytes,
    // the buddy state and the descriptors, as buddy_free_commit changes
    // them); the partial lists and used_bytes are as they were.
    predicate slabs_reclaimed{L1, L2}(struct vh_slabs *s, struct vh_area *a) =
      \at(s->used_bytes, L1) == \at(s->used_bytes, L2) &&
      \forall integer c; 0 <= c < VH_NUM_CLASSES ==>
        \at(s->partial[c], L2) == \at(s->partial[c], L1) &&
        (\at(s->cached[c], L2) == \at(s->cached[c], L1) || \at(s->cached[c], L2) == VH_NIL);
*/

/* The kind byte of a class-c slab page. */
/*@ requires c < VH_NUM_CLASSES;
    assigns \nothing;
    ensures \result == VH_PG_SLAB + c; */
static inline uint8_t slab_kind(unsigned c)
{
    return (uint8_t)(VH_PG_SLAB + c);
}

/* The class of the slab page d: < VH_NUM_CLASSES for a slab page, anything
 * else (unsigned wrap-around included) for every other kind. */
/*@ requires \valid_read(d);
    assigns \nothing;
    behavior slab_or_above:
      assumes d->kind >= VH_PG_SLAB;
      ensures \result == d->kind - VH_PG_SLAB;
    behavior none:
      assumes d->kind == VH_PG_NONE;
      ensures \result == 4294967293;
    behavior free:
      assumes d->kind == VH_PG_FREE;
      ensures \result == 4294967294;
    behavior block:
      assumes d->kind == VH_PG_BLOCK;
      ensures \result == 4294967295;
    complete behaviors;
    disjoint behaviors; */
static inline unsigned slab_page_class(const struct vh_page *d)
{
    return (unsigned)d->kind - VH_PG_SLAB;
}

/* ---- Stateful operations. ---- */

/*@ requires \valid(s);
    assigns *s;
    ensures \forall integer c; 0 <= c < VH_NUM_CLASSES ==> s->partial[c] == VH_NIL && s->cached[c] == VH_NIL;
    ensures s->used_bytes == 0 && s->slot_bytes == 0; */
static void slab_init(struct vh_slabs *s);

/* slab_class_of by table; size <= VH_MAX_CLASS_SIZE. */
/*@ requires size <= VH_MAX_CLASS_SIZE;
    assigns \nothing;
    ensures holds: \result < VH_NUM_CLASSES && size <= VH_CLASS_SIZE(\result); */
static inline unsigned slab_class_for(size_t size)
{
    size_t j = (size + 15u) >> 4;
    //@ assert index: j == (size + 15) / 16 && j <= 128;
    return slab_class_by_16[j];
}

/* An object of class c.  0, BUDDY_ENOMEM or VH_ECORRUPT (nothing changed). */
/*@ requires valid_slabs(s, b, a) && c < VH_NUM_CLASSES && \valid(out);
    requires \separated(out, s, b, a, a->pages + (0 .. a->npages - 1), a->base + (0 .. a->npages - 1));
    assigns *s, *b, a->pages[0 .. a->npages - 1], *out;
    ensures \result == VH_OK || \result == BUDDY_ENOMEM || \result == VH_ECORRUPT;
    ensures ok: \result == VH_OK ==> slab_object(a, c, (char *)*out);
    ensures enomem: \result == BUDDY_ENOMEM ==> slabs_reclaimed{Pre, Post}(s, a) && *out == \old(*out);
    ensures corrupt: \result == VH_ECORRUPT ==> *out == \old(*out) &&
      (slabs_unchanged{Pre, Post}(s, b, a) || slabs_reclaimed{Pre, Post}(s, a)); */
static int slab_alloc(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a, unsigned c,
                      void **out);

/* The fast path of slab_alloc, calling no function: an object from the
 * current slab (which leaves the list if it fills up) in *out, or false when
 * anything else is needed - a refill, or a descriptor or list link that fails
 * validation; slab_alloc then handles and reports it. */
/*@ requires valid_slab_area(s, a) && c < VH_NUM_CLASSES && \valid(out);
    requires \separated(out, s, a, a->pages + (0 .. a->npages - 1), a->base + (0 .. a->npages - 1));
    assigns s->partial[c], s->used_bytes, a->pages[0 .. a->npages - 1], *out;
    ensures ok: \result ==> slab_object(a, c, (char *)*out);
    ensures unchanged: !\result ==> *out == \old(*out) && *s == \old(*s) && pages_unchanged{Pre, Post}(a); */
VH_INLINE bool slab_alloc_quick(struct vh_slabs *s, const struct vh_area *a, unsigned c, void **out);

/* A buddy block of the given order, giving the cached empty slabs back to the
 * buddy layer first if it has none.  0, BUDDY_ENOMEM or VH_ECORRUPT. */
/*@ requires valid_slabs(s, b, a) && \valid(out);
    requires \separated(out, s, b, a, a->pages + (0 .. a->npages - 1), a->base + (0 .. a->npages - 1));
    assigns s->cached[0 .. VH_NUM_CLASSES - 1], s->slot_bytes, *b, a->pages[0 .. a->npages - 1], *out;
    ensures \result == VH_OK || \result == BUDDY_ENOMEM || \result == VH_ECORRUPT;
    ensures ok: \result == VH_OK ==> order <= VH_MAX_ORDER && *out < a->npages &&
      VH_ALIGNED(*out, order) && VH_INSIDE(*out, order, a->npages) &&
      a->pages[*out].kind == VH_PG_BLOCK && a->pages[*out].order == order;
    ensures slabs_reclaimed{Pre, Post}(s, a);
    ensures \result != VH_OK ==> *out == \old(*out); */
VH_INLINE int slab_page_alloc(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a,
                              unsigned order, uint32_t *out);

/* Classifies byte offset off inside slab page p: VH_OK with *index set for a
 * live object, VH_EINTERIOR or VH_EDOUBLEFREE. */
/*@ requires valid_area(a) && p < a->npages && VH_SLAB_PAGE(a, p) && \valid(index);
    requires \separated(index, a, a->pages + (0 .. a->npages - 1), a->base + (0 .. a->npages - 1));
    assigns *index;
    ensures \result == VH_OK || \result == VH_EINTERIOR || \result == VH_EDOUBLEFREE;
    ensures ok: \result == VH_OK ==> *index < VH_CAPACITY(VH_PAGE_CLASS(a, p)) &&
      off == *index * VH_CLASS_SIZE(VH_PAGE_CLASS(a, p)) &&
      VH_BIT(VH_BITMAP_AT(a, p), *index) == 1;
    ensures \result != VH_OK ==> *index == \old(*index); */
VH_INLINE int slab_locate(const struct vh_area *a, uint32_t p, size_t off, size_t *index);

/* The fast path of slab_free: frees the object unless that empties the
 * slab (then returns false having changed nothing). */
/*@ requires valid_slab_area(s, a) && p < a->npages && VH_SLAB_PAGE(a, p);
    requires index < VH_CAPACITY(VH_PAGE_CLASS(a, p));
    assigns s->partial[0 .. VH_NUM_CLASSES - 1], s->used_bytes, a->pages[0 .. a->npages - 1];
    ensures unchanged: !\result ==> *s == \old(*s) && pages_unchanged{Pre, Post}(a); */
VH_INLINE bool slab_free_quick(struct vh_slabs *s, const struct vh_area *a, uint32_t p, size_t index);

/* Whether slab_free(p, index) would succeed (VH_OK) or report VH_ECORRUPT,
 * changing nothing: for callers that must validate a free before other
 * changes (vh_realloc's move). */
/*@ requires valid_slabs(s, b, a) && p < a->npages && VH_SLAB_PAGE(a, p);
    assigns \nothing;
    ensures \result == VH_OK || \result == VH_ECORRUPT; */
static int slab_free_check(const struct vh_slabs *s, const struct vh_buddy *b, const struct vh_area *a,
                           uint32_t p);

/* The free that empties a slab (partial -> cached, or given back to the
 * buddy layer); slab_free_quick handled every other free.  Validates all it
 * will touch (the count, the list links, the buddy merge) before the first
 * write. */
/*@ requires valid_slabs(s, b, a) && p < a->npages && VH_SLAB_PAGE(a, p);
    requires index < VH_CAPACITY(VH_PAGE_CLASS(a, p));
    assigns *s, *b, a->pages[0 .. a->npages - 1];
    ensures \result == VH_OK || \result == VH_ECORRUPT;
    ensures corrupt: \result == VH_ECORRUPT ==> slabs_unchanged{Pre, Post}(s, b, a); */
static int slab_free_transition(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a,
                                uint32_t p, size_t index);

/* Frees live object index of slab page p (as located by slab_locate). */
/*@ requires valid_slabs(s, b, a) && p < a->npages && VH_SLAB_PAGE(a, p);
    requires index < VH_CAPACITY(VH_PAGE_CLASS(a, p));
    assigns *s, *b, a->pages[0 .. a->npages - 1];
    ensures \result == VH_OK || \result == VH_ECORRUPT;
    ensures corrupt: \result == VH_ECORRUPT ==> slabs_unchanged{Pre, Post}(s, b, a); */
static int slab_free(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a, uint32_t p,
                     size_t index);

/* Object size of the slab page p (a SLAB head with a valid class). */
/*@ requires valid_area(a) && p < a->npages && VH_SLAB_PAGE(a, p);
    assigns \nothing;
    ensures \result == VH_CLASS_SIZE(VH_PAGE_CLASS(a, p)); */
static inline size_t slab_object_size(const struct vh_area *a, uint32_t p)
{
    return slab_class_size(slab_page_class(&a->pages[p]));
}

/* Largest free block order once every cached slab is given back (the
 * blocks their releases would make), or -1.  Changes nothing. */
/*@ requires valid_slabs(s, b, a);
    assigns \nothing;
    ensures -1 <= \result <= 31; */
static int slab_largest_order_after_reclaim(const struct vh_slabs *s, const struct vh_buddy *b,
                                            const struct vh_area *a);

/* Checks S1..S7; 0 or a VH_CHECK_* code.  Assumes buddy_check passed. */
/*@ requires valid_slab_area(s, a);
    assigns \nothing;
    ensures \result == 0 || \result == VH_CHECK_HEADER || \result == VH_CHECK_DESCRIPTOR ||
            \result == VH_CHECK_SLAB_BITMAP || \result == VH_CHECK_SLAB_LIST || \result == VH_CHECK_STATS; */
static int slab_check(const struct vh_slabs *s, const struct vh_area *a);

#endif /* VH_SLAB_H */
