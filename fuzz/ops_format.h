/* SPDX-License-Identifier: MIT */
/* The byte format of the operation-sequence fuzzer's inputs, shared by the
 * decoder (decode.c) and the seed encoder (encode.c), so the seeds stay valid
 * when the format changes: regenerate them with `make fuzz-seeds`, and
 * `build/fuzz/ops-seeds --check` decodes every seed and compares it with the
 * operations the encoder meant.
 *
 * Input = header, then operations until the bytes run out.  Every byte value
 * decodes to something; reading past the end yields zeros.
 *
 *   header  byte 0  region size: vhf_region_sizes[b % VHF_NREGIONS]
 *           byte 1  bits 0-3 start misalignment 0..15; bits 4-5 page phase
 *                   (vhf_phases); bits 6-7 hooks (VHF_HOOKS_*)
 *   op      byte    b % VHF_NOPS, then the op's arguments (see enum)
 *
 * Argument encodings:
 *   SZ (size)   byte m: kind = m >> 5, v = m & 31
 *       0 class boundary  (16 << (v & 7)) + ((v >> 3) % 3) - 1
 *       1 order boundary  (4096 << (v % 11)) + (v / 11) - 1      (order 10 fails)
 *       2 tiny            v
 *       3 small           (v << 8) | b1                          0..8191
 *       4 medium          (v << 16) | (b1 << 8) | b2             0..2 MiB-1
 *       5 pages           (v + 1) * 4096 + (int8_t)b1
 *       6 huge            v < 16: SIZE_MAX - v;  else VH_MAX_ALLOC - 8 + (v - 16)
 *       7 power of two    1 << v
 *   CA (calloc) byte m: mode = m & 3, v = m >> 2
 *       0 n = v, size = SZ
 *       1 n = 2^a, size = 2^(W-a), a = v % (W-1) + 1 (product overflows by one)
 *       2 n = 2^a, size = SIZE_MAX >> a               (fits, far too big)
 *       3 n = SZ, size = v
 *   AL (alignment) byte m: mode = m >> 4, v = m & 15
 *       0-3 1 << v   4 zero   5 (1 << v) * 3   6 1 << (W - 16 + v)   7 SIZE_MAX - v
 *       8-15 1 << (v % 13)                                        (always valid)
 *   W is the width of size_t (VHF_SIZE_BITS): 64 on LP64, where CA 1 is
 *   2^a * 2^(64-a), a = v % 63 + 1, and AL 6 is 1 << (48 + v); 32 on ILP32,
 *   where the same bytes mean the same cases (a product that overflows by
 *   one; a power of two of 2^16 or more, above VH_MAX_ALIGN) without
 *   shifting past the width, which was undefined there.
 *   SLOT        byte: live block index b % live (blocks kept in allocation order)
 */
#ifndef VH_OPS_FORMAT_H
#define VH_OPS_FORMAT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

enum vhf_op {
    VHF_ALLOC,        /* SZ */
    VHF_CALLOC,       /* CA */
    VHF_REALLOC,      /* byte s (255 or no live block: ptr NULL, else SLOT), SZ */
    VHF_ALIGNED,      /* AL, SZ */
    VHF_FREE,         /* SLOT: free a live block */
    VHF_STALE,        /* byte: free a recently freed pointer again (double free, or
                         the block was handed out again and is freed for its new owner) */
    VHF_INTERIOR,     /* SLOT, byte o: free live + offset (mode o & 7, n = o >> 3):
                         0 n+1  1 usable-1-n  2 4096n  3 4096n+16  4 usable
                         5 usable+16n  6 -16(n+1)  7 8(n+1) */
    VHF_FOREIGN,      /* byte: free a pointer outside the heap's pages (vhf foreign list) */
    VHF_WILD,         /* byte m, 3 bytes offset: p = base + off % (span + 8192) - 4096,
                         rounded down to 16 if m & 4; m & 3: 0/3 free, 1 realloc (SZ
                         follows), 2 vh_usable_size */
    VHF_FREE_SOME,    /* byte: free live blocks i with i % (2 + (b & 7)) == (b >> 3) % step */
    VHF_FILL,         /* byte n, SZ: 1 + n % 64 allocations of one size */
    VHF_HANDLE,       /* no args: calls with NULL, zeroed and copied heap handles, then
                         vh_reset_peaks on the heap */
    VHF_REALLOC_ZERO, /* SLOT: realloc to size 0 */
    VHF_NOPS
};

enum { VHF_HOOKS_NONE, VHF_HOOKS_ERROR, VHF_HOOKS_LOCK_ERROR, VHF_HOOKS_LOCK };

#define VHF_NREGIONS 32u
/* Tiny (below, at and just above the minimum), odd, and not multiples of
 * 2 MiB; 8192 and 12287 may or may not hold a heap depending on the start.
 * Entries 16..31 repeat the small and medium sizes: every call is checked
 * against the whole heap (vh_check and the model are O(pages)), so the five
 * large regions, kept for top-order behaviour, get 5/32 of the random picks. */
static const size_t vhf_region_sizes[VHF_NREGIONS] = {
    4096u,                                /* 0  never enough */
    8192u,                                /* 1  one page only at lucky starts */
    12287u,                               /* 2  just below VH_MIN_REGION_SIZE */
    12288u,                               /* 3  VH_MIN_REGION_SIZE: one page */
    13001u,                               /* 4  odd */
    16384u + 7u,                          /* 5  */
    24576u + 4095u,                       /* 6  */
    65536u + 13u,                         /* 7  */
    100003u,                              /* 8  prime */
    151551u,                              /* 9  */
    266241u,                              /* 10 65 pages worth + 1 */
    1048575u,                             /* 11 1 MiB - 1 */
    2097152u,                             /* 12 exactly 2 MiB: no top-order block fits */
    2097152u + 16384u + 1u,               /* 13 one top-order block */
    3145728u + 5u,                        /* 14 */
    4194304u + 40960u + 9u,               /* 15 two top-order blocks and a tail */
    12288u, 13001u, 16384u + 7u, 24576u + 4095u, 65536u + 13u, 100003u, 151551u, 266241u,
    12288u + 4095u, 20000u + 1u, 32768u + 8u, 49152u + 4095u, 81920u + 1u, 131072u + 12345u,
    196608u + 7u, 12288u + 15u, /* 16..31 */
};
#define VHF_REGION_MAX (4194304u + 40960u + 9u)

static const size_t vhf_phases[4] = {0u, 16u, 2032u, 4080u};

#define VHF_NFOREIGN 12u

/* W: the width of size_t in bits, which the CA and AL encodings near 2^W
 * scale with. */
#define VHF_SIZE_BITS ((unsigned)(sizeof(size_t) * CHAR_BIT))
/* CA modes 1 and 2: the exponent a of the mode byte's v (1..W-1). */
static inline unsigned vhf_ca_exp(unsigned v)
{
    return v % (VHF_SIZE_BITS - 1u) + 1u;
}

/* ---- Encoder helpers (encode.c): inverse of the decoder for chosen values. ----
 * Each byte holds a 5-bit v: VHF_SZ_CLASS needs c < 8, VHF_SZ_ORDER
 * (d + 1) * 11 + k < 32 (so k <= 9 when d = 1), VHF_SZ_TINY and VHF_SZ_POW2
 * v < 32, VHF_SZ_HUGE_MAX v < 16.  Outside those the byte says something
 * else, which ops-seeds --check reports. */

#define VHF_SZ_CLASS(c, d) ((uint8_t)((0u << 5) | (((unsigned)((d) + 1)) << 3) | (c)))
#define VHF_SZ_ORDER(k, d) ((uint8_t)((1u << 5) | (((unsigned)((d) + 1)) * 11u + (k))))
#define VHF_SZ_TINY(v) ((uint8_t)((2u << 5) | (v)))
#define VHF_SZ_HUGE_MAX(v) ((uint8_t)((6u << 5) | (v)))    /* SIZE_MAX - v, v < 16 */
#define VHF_SZ_NEAR_MAX(d) ((uint8_t)((6u << 5) | (24 + (d)))) /* VH_MAX_ALLOC + d, -8..7 */
#define VHF_SZ_POW2(v) ((uint8_t)((7u << 5) | (v)))

#endif /* VH_OPS_FORMAT_H */
