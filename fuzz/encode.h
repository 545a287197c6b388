/* SPDX-License-Identifier: MIT */
/* encode: writing inputs of the ops fuzzer (format: ops_format.h), the
 * inverse of decode.c for chosen values, used by the seed writer seeds.c.
 *
 * Every argument helper returns its bytes together with the value it means,
 * computed from the format's documented formulas, never by the decoder; every
 * operation helper writes its bytes and records the decoded operation it
 * means and the byte offset where it ends.  Decoding the written bytes with
 * decode.c must give back exactly the recorded operations (ops-seeds
 * --check): a helper that writes the wrong bytes, or an argument its
 * encoding cannot say, shows up there instead of silently seeding something
 * else.
 */
#ifndef VHF_ENCODE_H
#define VHF_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "ops_format.h"

#define VHF_SEED_MAX_BYTES 1024u
#define VHF_SEED_MAX_OPS 256u

/* An input being written, and what it means. */
struct vhf_seed {
    uint8_t b[VHF_SEED_MAX_BYTES];
    size_t n;
    struct vhf_setup setup;                      /* the header it means */
    struct vhf_decoded_op ops[VHF_SEED_MAX_OPS]; /* the operations it means */
    size_t op_end[VHF_SEED_MAX_OPS];             /* byte offset where each operation ends */
    size_t nops;
};

/* An encoded argument: its bytes and the value they mean. */
struct vhf_arg {
    uint8_t b[3];
    unsigned n;
    size_t value;
};

/* SZ (sizes).  Each means the value its comment gives, whether or not the
 * byte can say it (VHF_SZ_* limits in ops_format.h). */
struct vhf_arg sz_class(unsigned c, int d);  /* (16 << c) + d, d in -1..1 */
struct vhf_arg sz_order(unsigned k, int d);  /* (4096 << k) + d, d in -1..1 */
struct vhf_arg sz_tiny(unsigned v);          /* v < 32 */
struct vhf_arg sz_small(unsigned v);         /* v < 8192 */
struct vhf_arg sz_medium(unsigned v);        /* v < 2 MiB */
struct vhf_arg sz_huge_max(unsigned v);      /* SIZE_MAX - v, v < 16 */
struct vhf_arg sz_near_max(int d);           /* VH_MAX_ALLOC + d, d in -8..7 */
struct vhf_arg sz_pow2(unsigned v);          /* 1 << v, v < 32 */

/* AL (alignments). */
struct vhf_arg al_valid(unsigned v);     /* 1 << v, v < 13: always valid (mode 8) */
struct vhf_arg al_pow2(unsigned v);      /* 1 << v, v < 16 (mode 0) */
struct vhf_arg al_zero(void);            /* 0 */
struct vhf_arg al_times3(unsigned v);    /* 3 << v: not a power of two */
struct vhf_arg al_huge(unsigned v);      /* 1 << (48 + v) on 64-bit: (W - 16 + v) */
struct vhf_arg al_max_minus(unsigned v); /* SIZE_MAX - v */

/* Starts a seed: region index, misalignment 0..15, page phase 0..3, hooks
 * mode (VHF_HOOKS_*). */
void head(struct vhf_seed *s, unsigned region, unsigned mis, unsigned phase, unsigned hooks);

/* Operations (ops_format.h, enum vhf_op). */
void alloc(struct vhf_seed *s, struct vhf_arg sz);
void calloc_count(struct vhf_seed *s, unsigned v, struct vhf_arg sz); /* calloc(v, sz), v < 64 */
void calloc_size(struct vhf_seed *s, struct vhf_arg n, unsigned v);   /* calloc(n, v), v < 64 */
void calloc_overflow(struct vhf_seed *s, unsigned a); /* calloc(2^a, 2^(64-a)), a in 1..63 (64-bit) */
void calloc_huge(struct vhf_seed *s, unsigned a);     /* calloc(2^a, SIZE_MAX >> a), a in 1..63 */
void realloc_to(struct vhf_seed *s, unsigned slot, struct vhf_arg sz); /* slot 255: realloc(NULL, sz) */
void aligned(struct vhf_seed *s, struct vhf_arg al, struct vhf_arg sz);
void free_slot(struct vhf_seed *s, unsigned slot);
void stale(struct vhf_seed *s, unsigned idx);
void realloc_zero(struct vhf_seed *s, unsigned slot);
void interior(struct vhf_seed *s, unsigned slot, unsigned mode, unsigned n); /* mode 0..7, n 0..31 */
void foreign(struct vhf_seed *s, unsigned sel);                              /* sel < VHF_NFOREIGN */
/* Wild pointer at a 24-bit offset; action VHF_WILD_*, sz only for realloc. */
void wild(struct vhf_seed *s, unsigned action, bool round16, uint32_t offset, const struct vhf_arg *sz);
void free_some(struct vhf_seed *s, unsigned step, unsigned phase); /* step 2..9, phase < step */
void fill(struct vhf_seed *s, unsigned count, struct vhf_arg sz);   /* count 1..64 */
void handle(struct vhf_seed *s);

#endif /* VHF_ENCODE_H */
