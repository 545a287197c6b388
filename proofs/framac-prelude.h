/* SPDX-License-Identifier: MIT */
/* Included first (-include) in the Frama-C runs only; never by the C build.
 *
 * 1. Frama-C 25 cannot parse _Alignas.  Its one use (struct vh_page's bits)
 *    is a no-op on the proof's machine model (gcc_x86_64: uint64_t is
 *    already 8-aligned), and no proved function touches that struct.
 *
 * 2. ADMITTED A9 (proofs/README.md): the contract of the compiler builtin
 *    bitmap_ctz64 calls, as GCC and Clang document it ("the number of
 *    trailing 0-bits in x, starting at the least significant bit position;
 *    undefined if x is 0").  proofs/admitted.smt2 checks on 64-bit vectors
 *    that this contract is satisfiable for every x != 0 (a 6-step binary
 *    search meets it) and pins the result down uniquely, so assuming it
 *    adds nothing beyond "count trailing zeros".
 */
#define _Alignas(x)

/*@ requires x != 0;
    assigns \nothing;
    ensures 0 <= \result < 64 && ((x >> \result) & 1) == 1;
    ensures \forall integer j; 0 <= j < \result ==> ((x >> j) & 1) == 0; */
int __builtin_ctzll(unsigned long long x);

/* 3. ADMITTED B1, B2 (proofs/README.md): memset and memmove as the C
 *    standard (7.24.2.1, 7.24.6.2) and the compilers' builtins define them.
 *    The core calls them on a block it has just located or allocated
 *    (vh_calloc, vh_realloc's move), so only their footprint matters:
 *    they write the n bytes at the destination and nothing else. */
/*@ requires \valid((char *)s + (0 .. n - 1));
    assigns ((char *)s)[0 .. n - 1];
    ensures \result == s; */
void *__builtin_memset(void *s, int c, unsigned long n);
/* B2: memmove as the C standard defines it (7.24.6.2): the n bytes at src
 * as they were are written to d; the two may overlap. */
/*@ requires \valid((char *)d + (0 .. n - 1)) && \valid_read((char *)src + (0 .. n - 1));
    assigns ((char *)d)[0 .. n - 1] \from ((char *)src)[0 .. n - 1];
    ensures \result == d; */
void *__builtin_memmove(void *d, const void *src, unsigned long n);
