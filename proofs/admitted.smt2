; SPDX-License-Identifier: MIT
; Independent check of the axioms WP takes as given (core/spec.h, axiomatic
; VhWords, A1..A8).  Each block asserts the NEGATION of one axiom over 64-bit
; vectors and must be `unsat` (no counterexample exists).  `make prove` runs
; `z3 proofs/admitted.smt2` and requires exactly eight `unsat` lines.
;
; Encoding: the axioms quantify over integers restricted to 0 <= p < 2^32,
; 0 <= k < 31 (resp. 0 <= w < 2^64, 0 <= j < 64).  p is a 32-bit vector
; zero-extended to 64 bits, so every + - / % & ^ >> below computes the exact
; integer value (no wrap: all intermediate results stay far below 2^64, and a
; negative integer result would show up as a huge 64-bit value, i.e. as a
; counterexample, never hide one).  ACSL's (unsigned)~b is 2^32-1-b and
; (unsigned long long)~w is 2^64-1-w.
(set-logic QF_BV)
(define-fun wbit ((w (_ BitVec 64)) (j (_ BitVec 64))) (_ BitVec 64) (bvand (bvlshr w j) #x0000000000000001))
(define-fun j64 ((j (_ BitVec 64))) Bool (bvult j #x0000000000000040))

; A1..A5 live in 34-bit vectors: p < 2^32 and 2^k <= 2^30, so every exact
; intermediate value (up to p + 2^k < 2^33) fits, and a negative result wraps
; to >= 2^33, which cannot equal a value below 2^32.  (Same argument as for
; 64 bits; the narrower width only makes z3's division circuits smaller.)
(define-fun pow2w ((k (_ BitVec 34))) (_ BitVec 34) (bvshl (_ bv1 34) k))
(define-fun bitofw ((p (_ BitVec 34)) (k (_ BitVec 34))) (_ BitVec 34) (bvurem (bvudiv p (pow2w k)) (_ bv2 34)))
(define-fun alignedw ((p (_ BitVec 34)) (k (_ BitVec 34))) Bool (= (bvurem p (pow2w k)) (_ bv0 34)))
(define-fun u32w ((x (_ BitVec 32))) (_ BitVec 34) ((_ zero_extend 2) x))
(define-fun k31w ((k (_ BitVec 34))) Bool (bvult k (_ bv31 34)))
(define-fun notb32w ((b (_ BitVec 34))) (_ BitVec 34) (bvsub (_ bv4294967295 34) b))

; A1 vh_pow2_range: k < 64: 1 <= 2^k <= 2^63, and 2^(k+1) == 2 * 2^k for k < 63
; (72-bit vectors: 2^64 fits, nothing wraps)
(push)
(declare-const k (_ BitVec 72))
(assert (bvult k (_ bv64 72)))
(define-fun p2 ((k (_ BitVec 72))) (_ BitVec 72) (bvshl (_ bv1 72) k))
(assert (not (and (bvule (_ bv1 72) (p2 k)) (bvule (p2 k) (_ bv9223372036854775808 72))
                  (=> (bvult k (_ bv63 72)) (= (p2 (bvadd k (_ bv1 72))) (bvmul (_ bv2 72) (p2 k)))))))
(check-sat)
(pop)

; A2 vh_xor_pow2: p ^ 2^k == (bit k of p == 0 ? p + 2^k : p - 2^k), and it is a 32-bit value
(push)
(declare-const p32 (_ BitVec 32))
(declare-const k (_ BitVec 34))
(assert (k31w k))
(define-fun p () (_ BitVec 34) (u32w p32))
(define-fun x () (_ BitVec 34) (bvxor p (pow2w k)))
(assert (not (and (= x (ite (= (bitofw p k) (_ bv0 34)) (bvadd p (pow2w k)) (bvsub p (pow2w k))))
                  (bvule x (_ bv4294967295 34)))))
(check-sat)
(pop)

; A3 vh_xor_aligned: p aligned to 2^k ==> p ^ 2^k aligned, and XOR twice (either order) is p
(push)
(declare-const p32 (_ BitVec 32))
(declare-const k (_ BitVec 34))
(assert (k31w k))
(define-fun p () (_ BitVec 34) (u32w p32))
(define-fun x () (_ BitVec 34) (bvxor p (pow2w k)))
(assert (alignedw p k))
(assert (not (and (alignedw x k) (= (bvxor x (pow2w k)) p) (= (bvxor (pow2w k) x) p))))
(check-sat)
(pop)

; A4 vh_andnot_pow2: p & (unsigned)~2^k == (bit k of p == 0 ? p : p - 2^k)
(push)
(declare-const p32 (_ BitVec 32))
(declare-const k (_ BitVec 34))
(assert (k31w k))
(define-fun p () (_ BitVec 34) (u32w p32))
(assert (not (= (bvand p (notb32w (pow2w k)))
                (ite (= (bitofw p k) (_ bv0 34)) p (bvsub p (pow2w k))))))
(check-sat)
(pop)

; A5 vh_andnot_aligned: p aligned to 2^k ==> p & (unsigned)~2^k aligned to 2^(k+1)
(push)
(declare-const p32 (_ BitVec 32))
(declare-const k (_ BitVec 34))
(assert (k31w k))
(define-fun p () (_ BitVec 34) (u32w p32))
(assert (alignedw p k))
(assert (not (alignedw (bvand p (notb32w (pow2w k))) (bvadd k (_ bv1 34)))))
(check-sat)
(pop)

; A14 vh_aligned_lower: p < 2^32 aligned to 2^(k+1), k < 31 ==> p aligned to 2^k
; (its converse is sat: the check can fail)
(push)
(declare-const p32 (_ BitVec 32))
(declare-const k (_ BitVec 34))
(assert (k31w k))
(define-fun p () (_ BitVec 34) (u32w p32))
(assert (alignedw p (bvadd k (_ bv1 34))))
(assert (not (alignedw p k)))
(check-sat)
(pop)

; A16 vh_pow2_divides: s one of the class sizes 16, 32, ..., 2048; 0 <= o,
; o + s <= 4096, o a multiple of s; a a power of two (a > 0, a & (a - 1) == 0)
; with a <= s ==> o is a multiple of a.  16-bit vectors: every value is below
; 2^13 and a - 1 >= 0, so + & and % are the integer operations.  (Drop
; "a <= s" and it is sat: the check can fail.)
(push)
(declare-const o (_ BitVec 16))
(declare-const s (_ BitVec 16))
(declare-const a (_ BitVec 16))
(assert (or (= s (_ bv16 16)) (= s (_ bv32 16)) (= s (_ bv64 16)) (= s (_ bv128 16))
            (= s (_ bv256 16)) (= s (_ bv512 16)) (= s (_ bv1024 16)) (= s (_ bv2048 16))))
(assert (bvult o (_ bv4096 16)))           ; implied by o >= 0, o + s <= 4096 (s >= 16)
(assert (bvule (bvadd o s) (_ bv4096 16)))  ; no wrap: o < 4096, s <= 2048
(assert (= (bvurem o s) (_ bv0 16)))
(assert (bvult (_ bv0 16) a))
(assert (= (bvand a (bvsub a (_ bv1 16))) (_ bv0 16)))
(assert (bvule a s))
(assert (not (= (bvurem o a) (_ bv0 16))))
(check-sat)
(pop)

; A6 vh_ones: every bit j < 64 of 2^64-1 is 1
(push)
(declare-const j (_ BitVec 64))
(assert (j64 j))
(assert (not (= (wbit #xffffffffffffffff j) #x0000000000000001)))
(check-sat)
(pop)

; A7 vh_not_bit: bit j of (unsigned long long)~w is 1 <=> bit j of w is not 1
(push)
(declare-const w (_ BitVec 64))
(declare-const j (_ BitVec 64))
(assert (j64 j))
(assert (not (= (= (wbit (bvnot w) j) #x0000000000000001)
                (not (= (wbit w j) #x0000000000000001)))))
(check-sat)
(pop)

; A8 vh_not_value: (unsigned long long)~w == 2^64-1 - w
(push)
(declare-const w (_ BitVec 64))
(assert (not (= (bvnot w) (bvsub #xffffffffffffffff w))))
(check-sat)
(pop)

; A10 vh_shl: for 0 <= x < 2^32, s <= 12: x << s == x * 2^s
; (48-bit vectors: x * 2^12 < 2^44, so nothing wraps)
(push)
(declare-const x32 (_ BitVec 32))
(declare-const s (_ BitVec 48))
(assert (bvule s (_ bv12 48)))
(define-fun x () (_ BitVec 48) ((_ zero_extend 16) x32))
(define-fun p2 () (_ BitVec 48) (bvshl (_ bv1 48) s))
(assert (not (= (bvshl x s) (bvmul x p2))))
(check-sat)
(pop)

; A15 vh_shr: for 0 <= x < 2^32, s <= 12: x >> s == x / 2^s
(push)
(declare-const x32 (_ BitVec 32))
(declare-const s (_ BitVec 48))
(assert (bvule s (_ bv12 48)))
(define-fun x () (_ BitVec 48) ((_ zero_extend 16) x32))
(define-fun p2 () (_ BitVec 48) (bvshl (_ bv1 48) s))
(assert (not (= (bvlshr x s) (bvudiv x p2))))
(check-sat)
(pop)

; A11 vh_clear_bit: w < 2^64, j < 64: bit j of w & (unsigned long long)~2^j is 0
(push)
(declare-const w (_ BitVec 64))
(declare-const j (_ BitVec 64))
(assert (j64 j))
(assert (not (= (wbit (bvand w (bvnot (bvshl #x0000000000000001 j))) j) #x0000000000000000)))
(check-sat)
(pop)

; A9 __builtin_ctzll's contract (proofs/framac-prelude.h):
;   x != 0 ==> 0 <= r < 64, bit r of x is 1, bits 0..r-1 of x are 0.
; (a) Satisfiable for every x != 0: the 6-step binary search ctz6 meets it.
; (b) Unique: two results meeting it are equal.  Together: the contract says
;     exactly "count trailing zeros", so admitting it cannot prove anything
;     about bitmap_ctz64 that the real builtin does not do.
(define-fun lowzero ((x (_ BitVec 64)) (r (_ BitVec 64))) Bool
  ; bits 0..r-1 of x are 0  <=>  x & (2^r - 1) == 0  (r < 64)
  (= (bvand x (bvsub (bvshl #x0000000000000001 r) #x0000000000000001)) #x0000000000000000))
(define-fun meets ((x (_ BitVec 64)) (r (_ BitVec 64))) Bool
  (and (bvult r #x0000000000000040) (= (wbit x r) #x0000000000000001) (lowzero x r)))
(push)
(declare-const x (_ BitVec 64))
(assert (not (= x #x0000000000000000)))
(define-fun n1 () (_ BitVec 64) (ite (= ((_ extract 31 0) x) #x00000000) #x0000000000000020 #x0000000000000000))
(define-fun x1 () (_ BitVec 64) (bvlshr x n1))
(define-fun n2 () (_ BitVec 64) (ite (= ((_ extract 15 0) x1) #x0000) #x0000000000000010 #x0000000000000000))
(define-fun x2 () (_ BitVec 64) (bvlshr x1 n2))
(define-fun n3 () (_ BitVec 64) (ite (= ((_ extract 7 0) x2) #x00) #x0000000000000008 #x0000000000000000))
(define-fun x3 () (_ BitVec 64) (bvlshr x2 n3))
(define-fun n4 () (_ BitVec 64) (ite (= ((_ extract 3 0) x3) #x0) #x0000000000000004 #x0000000000000000))
(define-fun x4 () (_ BitVec 64) (bvlshr x3 n4))
(define-fun n5 () (_ BitVec 64) (ite (= ((_ extract 1 0) x4) #b00) #x0000000000000002 #x0000000000000000))
(define-fun x5 () (_ BitVec 64) (bvlshr x4 n5))
(define-fun n6 () (_ BitVec 64) (ite (= ((_ extract 0 0) x5) #b0) #x0000000000000001 #x0000000000000000))
(define-fun ctz6 () (_ BitVec 64) (bvadd n1 n2 n3 n4 n5 n6))
(assert (not (meets x ctz6)))
(check-sat)
(pop)
(push)
(declare-const x (_ BitVec 64))
(declare-const r1 (_ BitVec 64))
(declare-const r2 (_ BitVec 64))
(assert (meets x r1))
(assert (meets x r2))
(assert (not (= r1 r2)))
(check-sat)
(pop)
