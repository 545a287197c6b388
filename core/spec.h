/* SPDX-License-Identifier: MIT */
/* ACSL vocabulary for the contracts on the pure helpers in bitmap.h, buddy.h
 * and slab.h (proved by Frama-C/WP with -pp-annot: see proofs/README.md).
 * Everything here is a comment (the logic) or a macro only ACSL uses, so the
 * C build is unaffected.  The arithmetic vocabulary is macros rather than
 * logic functions so that WP's simplifier sees the shifts and, once a proof
 * splits on the (small) order, computes them.
 */
#ifndef VH_SPEC_H
#define VH_SPEC_H

/* 2^k as an ACSL integer. */
#define VH_POW2(k) (1 << (k))
/* Bit k of the nonnegative integer p (0 or 1), by arithmetic. */
#define VH_BIT_OF(p, k) (((p) / VH_POW2(k)) % 2)
/* p is a multiple of 2^k: a block of order k may start there. */
#define VH_ALIGNED(p, k) ((p) % VH_POW2(k) == 0)
/* Pages [p, p + 2^k) lie inside [0, n). */
#define VH_INSIDE(p, k, n) (0 <= (p) && (p) + VH_POW2(k) <= (n))
/* Slab geometry of class c (see slab.h): object size, whether the bitmap
 * takes more than one word, its words, objects per slab. */
/* 16 << c for the 8 classes, spelled out so that provers need no shift
 * reasoning (slab_class_size proves the two agree). */
#define VH_CLASS_SIZE(c) \
    ((c) <= 0 ? 16 : (c) == 1 ? 32 : (c) == 2 ? 64 : (c) == 3 ? 128 : \
     (c) == 4 ? 256 : (c) == 5 ? 512 : (c) == 6 ? 1024 : 2048)
#define VH_WIDE(c) (VH_PAGE_SIZE / VH_CLASS_SIZE(c) > 64)
#define VH_BITMAP_WORDS(c) (VH_WIDE(c) ? VH_PAGE_SIZE / VH_CLASS_SIZE(c) / 64 : 1)
#define VH_CAPACITY(c) (VH_PAGE_SIZE / VH_CLASS_SIZE(c))
/* Bit j of the word w (0 or 1). */
#define VH_WBIT(w, j) (((w) >> (j)) & 1)
/* Bit i of the bitmap at a. */
#define VH_BIT(a, i) (((a)[(i) / 64] >> ((i) % 64)) & 1)

/*@
  // Facts about 32- and 64-bit words that WP takes as axioms (it cannot
  // prove bit-vector identities).  Each is proved on bit-vectors by z3 in
  // proofs/admitted.smt2, which `make prove` runs: on the stated domain
  // (0 <= p < 2^32, k < 31; 0 <= w < 2^64, j < 64) integer and bit-vector
  // semantics coincide, so that check covers every case.  proofs/README.md
  // lists them; nothing else is admitted.
  axiomatic VhWords {
    axiom vh_pow2_range: \forall integer k; 0 <= k < 64 ==>           // A1
      1 <= VH_POW2(k) <= 0x8000000000000000 &&
      (k < 63 ==> VH_POW2(k + 1) == 2 * VH_POW2(k));

    axiom vh_xor_pow2: \forall integer p, k;                           // A2
      0 <= k < 31 && 0 <= p <= 0xFFFFFFFF ==>
        (p ^ VH_POW2(k)) == (VH_BIT_OF(p, k) == 0 ? p + VH_POW2(k) : p - VH_POW2(k)) &&
        0 <= (p ^ VH_POW2(k)) <= 0xFFFFFFFF;

    axiom vh_xor_aligned: \forall integer p, k;                        // A3
      0 <= k < 31 && 0 <= p <= 0xFFFFFFFF && VH_ALIGNED(p, k) ==>
        VH_ALIGNED(p ^ VH_POW2(k), k) && ((p ^ VH_POW2(k)) ^ VH_POW2(k)) == p &&
        (VH_POW2(k) ^ (p ^ VH_POW2(k))) == p;

    axiom vh_andnot_pow2: \forall integer p, k;                        // A4
      0 <= k < 31 && 0 <= p <= 0xFFFFFFFF ==>
        (p & (unsigned)~VH_POW2(k)) == (VH_BIT_OF(p, k) == 0 ? p : p - VH_POW2(k));

    axiom vh_andnot_aligned: \forall integer p, k;                     // A5
      0 <= k < 31 && 0 <= p <= 0xFFFFFFFF && VH_ALIGNED(p, k) ==>
        VH_ALIGNED(p & (unsigned)~VH_POW2(k), k + 1);

    axiom vh_ones: \forall integer j; 0 <= j < 64 ==>                  // A6
      VH_WBIT(0xFFFFFFFFFFFFFFFF, j) == 1;

    axiom vh_not_bit: \forall integer w, j;                            // A7
      0 <= w <= 0xFFFFFFFFFFFFFFFF && 0 <= j < 64 ==>
        (VH_WBIT((unsigned long long)~w, j) == 1 <==> VH_WBIT(w, j) != 1);

    axiom vh_not_value: \forall integer w;                             // A8
      0 <= w <= 0xFFFFFFFFFFFFFFFF ==> (unsigned long long)~w == 0xFFFFFFFFFFFFFFFF - w;

    axiom vh_clear_bit: \forall integer w, j;                          // A11
      0 <= w <= 0xFFFFFFFFFFFFFFFF && 0 <= j < 64 ==>
        VH_WBIT(w & (unsigned long long)~VH_POW2(j), j) == 0;

    // The two shifts are two axioms, not one conjunction: together with A2
    // the conjunction sent z3 and cvc5 past their memory limit on goals
    // that use neither (every axiom of VhWords is a hypothesis of every
    // goal); see proofs/README.md, "What is not proved yet".
    axiom vh_shl: \forall integer x, s;                               // A10
      0 <= x <= 0xFFFFFFFF && 0 <= s <= 12 ==>
        (x << s) == x * VH_POW2(s);

    axiom vh_shr: \forall integer x, s;                               // A15
      0 <= x <= 0xFFFFFFFF && 0 <= s <= 12 ==>
        (x >> s) == x / VH_POW2(s);
  }

  // A fact used at one place (buddy_shrink), kept out of every other goal:
  // WP adds an axiomatic's axioms only to goals that use one of its
  // symbols, and VhWords declares none (so its axioms are in every goal,
  // where each one costs the provers time).  vh_aligned is VH_ALIGNED
  // under a name of its own; a goal that wants A14 says vh_aligned.
  axiomatic VhAlignedLower {
    predicate vh_aligned(integer p, integer k);
    axiom vh_aligned_def: \forall integer p, k;                      // (a definition)
      vh_aligned(p, k) <==> VH_ALIGNED(p, k);
    axiom vh_aligned_lower: \forall integer p, k;                    // A14
      0 <= k < 31 && 0 <= p <= 0xFFFFFFFF && vh_aligned(p, k + 1) ==> vh_aligned(p, k);
  }

  // A fact used by vh_aligned_alloc's alignment (lemma object_aligned in
  // heap.c), scoped like A14: only goals that say vh_pow2 see it.  An
  // object's offset in its page is a multiple of its class size (a power of
  // two); a power of two a no larger than the class divides that offset.
  // s is a class size by value, not VH_CLASS_SIZE(c): a conditional
  // expression inside a trigger kept z3, cvc4 and cvc5 from ever
  // instantiating the axiom.  (4096 is VH_PAGE_SIZE, not yet defined where
  // this file is included.)
  axiomatic VhPow2Divides {
    predicate vh_pow2(integer a);
    axiom vh_pow2_def: \forall integer a;                             // (a definition)
      vh_pow2(a) <==> (0 < a && (a & (a - 1)) == 0);
    axiom vh_pow2_divides: \forall integer o, s, a;                   // A16
      (s == 16 || s == 32 || s == 64 || s == 128 || s == 256 || s == 512 || s == 1024 ||
       s == 2048) && 0 <= o && o + s <= 4096 && o % s == 0 && vh_pow2(a) && a <= s ==>
        o % a == 0;
  }
*/

#endif /* VH_SPEC_H */
