/* bitmap: fixed-size bit arrays in 64-bit words.
 *
 * A slab's free-object bitmap: bit i set <=> object i is allocated.  Bits at
 * or above the object count are kept clear and never reported free: every
 * operation takes the bit count and stays inside ceil(nbits / 64) words.
 *
 * The functions are static inline because they sit on the slab fast path.
 * VH_NO_ASAN: classes 16 and 32 keep their bitmap inside the (poisoned) slab
 * page, and only these functions read it.
 */
#ifndef VH_BITMAP_H
#define VH_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "port.h"

#define BITMAP_WORD_BITS 64u
#define BITMAP_WORDS(nbits) (((nbits) + BITMAP_WORD_BITS - 1u) / BITMAP_WORD_BITS)

/* Index of the lowest set bit of a non-zero word. */
static inline unsigned bitmap_ctz64(uint64_t w)
{
    VH_ASSERT(w != 0);
    return (unsigned)__builtin_ctzll(w);
}

VH_NO_ASAN static inline bool bitmap_test(const uint64_t *words, size_t i)
{
    return (words[i / BITMAP_WORD_BITS] >> (i % BITMAP_WORD_BITS)) & 1u;
}

VH_NO_ASAN static inline void bitmap_set(uint64_t *words, size_t i)
{
    words[i / BITMAP_WORD_BITS] |= (uint64_t)1 << (i % BITMAP_WORD_BITS);
}

VH_NO_ASAN static inline void bitmap_clear(uint64_t *words, size_t i)
{
    words[i / BITMAP_WORD_BITS] &= ~((uint64_t)1 << (i % BITMAP_WORD_BITS));
}

VH_NO_ASAN static inline void bitmap_zero(uint64_t *words, size_t nbits)
{
    for (size_t k = 0; k < BITMAP_WORDS(nbits); k++)
        words[k] = 0;
}

/* Lowest clear bit below nbits, or nbits when every bit below nbits is set. */
VH_NO_ASAN static inline size_t bitmap_find_clear(const uint64_t *words, size_t nbits)
{
    for (size_t k = 0; k < BITMAP_WORDS(nbits); k++) {
        uint64_t w = words[k];
        if (w != UINT64_MAX) {
            size_t i = k * BITMAP_WORD_BITS + bitmap_ctz64(~w);
            return i < nbits ? i : nbits;
        }
    }
    return nbits;
}

/* Number of set bits below nbits (for the checker: not on a fast path). */
VH_INTERNAL size_t bitmap_count(const uint64_t *words, size_t nbits);

/* Whether any bit at or above nbits is set in the last word. */
VH_INTERNAL bool bitmap_tail_dirty(const uint64_t *words, size_t nbits);

#endif /* VH_BITMAP_H */
