/* SPDX-License-Identifier: MIT */
/* bitmap: the parts not on the fast path (used by the checkers). */
#include "bitmap.h"

/* Portable population count: __builtin_popcountll may call libgcc. */
/*@ assigns \nothing;
    ensures \result <= 255; */
static unsigned popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

static size_t bitmap_count(const uint64_t *words, size_t nbits)
{
    size_t n = 0, full = nbits / BITMAP_WORD_BITS, rem = nbits % BITMAP_WORD_BITS;
    /*@ loop invariant 0 <= k <= full && n <= 255 * k;
        loop assigns k, n;
        loop variant full - k; */
    for (size_t k = 0; k < full; k++)
        n += popcount64(words[k]);
    if (rem != 0)
        n += popcount64(words[full] & (((uint64_t)1 << rem) - 1u));
    return n;
}
