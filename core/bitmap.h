/* SPDX-License-Identifier: MIT */
/* bitmap: fixed-size bit arrays in 64-bit words.
 *
 * A slab's free-object bitmap: bit i set <=> object i is allocated.  Bits at
 * or above the object count are kept clear and never reported free: every
 * operation takes the bit count and stays inside ceil(nbits / 64) words.
 *
 * The functions are static inline because they sit on the slab fast path.
 */
#ifndef VH_BITMAP_H
#define VH_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "port.h"
#include "spec.h"

#define BITMAP_WORD_BITS 64u
/* Bound on nbits in the contracts (no wrap in BITMAP_WORDS); slabs use 256. */
#define VH_BITMAP_MAX_BITS 0xFFFFFFFFu
#define BITMAP_WORDS(nbits) (((nbits) + BITMAP_WORD_BITS - 1u) / BITMAP_WORD_BITS)

/* Index of the lowest set bit of a non-zero word. */
/*@ requires w != 0;
    assigns \nothing;
    ensures \result < 64 && VH_WBIT(w, \result) == 1;
    ensures \forall integer j; 0 <= j < \result ==> VH_WBIT(w, j) == 0; */
static inline unsigned bitmap_ctz64(uint64_t w)
{
    VH_ASSERT(w != 0);
    return (unsigned)__builtin_ctzll(w);
}

/*@ requires \valid_read(words + i / 64);
    assigns \nothing;
    ensures \result <==> VH_BIT(words, i) == 1; */
static inline bool bitmap_test(const uint64_t *words, size_t i)
{
    return (words[i / BITMAP_WORD_BITS] >> (i % BITMAP_WORD_BITS)) & 1u;
}

/*@ requires \valid(words + i / 64);
    assigns words[i / 64];
    ensures bit: VH_BIT(words, i) == 1;
    ensures word: \forall integer j; 0 <= j < 64 && j != i % 64 ==>
      VH_WBIT(words[i / 64], j) == VH_WBIT(\old(words[i / 64]), j);
    ensures others: \forall integer k; k != i / 64 ==> words[k] == \old(words[k]); */
static inline void bitmap_set(uint64_t *words, size_t i)
{
    words[i / BITMAP_WORD_BITS] |= (uint64_t)1 << (i % BITMAP_WORD_BITS);
}

/*@ requires \valid(words + i / 64);
    assigns words[i / 64];
    ensures bit: VH_BIT(words, i) == 0;
    ensures word: \forall integer j; 0 <= j < 64 && j != i % 64 ==>
      VH_WBIT(words[i / 64], j) == VH_WBIT(\old(words[i / 64]), j);
    ensures others: \forall integer k; k != i / 64 ==> words[k] == \old(words[k]); */
static inline void bitmap_clear(uint64_t *words, size_t i)
{
    uint64_t keep = ~((uint64_t)1 << (i % BITMAP_WORD_BITS));
    //@ assert VH_WBIT(keep, i % 64) == 0;
    words[i / BITMAP_WORD_BITS] &= keep;
}

/* Lowest clear bit below nbits, or nbits when every bit below nbits is set. */
/*@ requires nbits <= VH_BITMAP_MAX_BITS && \valid_read(words + (0 .. BITMAP_WORDS(nbits) - 1));
    assigns \nothing;
    ensures \result <= nbits;
    ensures clear: \result < nbits ==> VH_BIT(words, \result) == 0;
    ensures lowest: \forall integer j; 0 <= j < \result ==> VH_BIT(words, j) == 1; */
static inline size_t bitmap_find_clear(const uint64_t *words, size_t nbits)
{
    /*@ loop invariant 0 <= k <= BITMAP_WORDS(nbits);
        loop invariant \forall integer j; 0 <= j < 64 * k ==> VH_BIT(words, j) == 1;
        loop assigns k;
        loop variant BITMAP_WORDS(nbits) - k; */
    for (size_t k = 0; k < BITMAP_WORDS(nbits); k++) {
        uint64_t w = words[k];
        if (w != UINT64_MAX) {
            uint64_t inverted = ~w;
            unsigned r = bitmap_ctz64(inverted);
            /*@ assert inverted: \forall integer j; 0 <= j < r ==>
                  VH_WBIT(inverted, j) != 1 && (VH_WBIT(inverted, j) == 1 <==> VH_WBIT(w, j) != 1); */
            size_t i = k * BITMAP_WORD_BITS + r;
            //@ assert i == 64 * k + r && words[k] == w;
            //@ assert \forall integer j; 0 <= j < r ==> VH_WBIT(w, j) == 1;
            //@ assert \forall integer j; 64 * k <= j < i ==> j / 64 == k && j % 64 < r;
            //@ assert \forall integer j; 64 * k <= j < i ==> VH_BIT(words, j) == 1;
            return i < nbits ? i : nbits;
        }
    }
    return nbits;
}

/* Number of set bits below nbits (for the checker: not on a fast path). */
/*@ requires nbits <= VH_BITMAP_MAX_BITS && \valid_read(words + (0 .. BITMAP_WORDS(nbits) - 1));
    assigns \nothing;
    ensures \result <= 255 * BITMAP_WORDS(nbits); */
static size_t bitmap_count(const uint64_t *words, size_t nbits);

#endif /* VH_BITMAP_H */
