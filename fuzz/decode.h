/* SPDX-License-Identifier: MIT */
/* decode: the ops fuzzer's input bytes (format: ops_format.h) as plain
 * values, a heap set-up and then one struct per operation.
 *
 * Decoding reads the bytes only, never the heap or the model: the same
 * bytes always decode to the same operations, whatever state the heap is
 * in.  That is what lets the seed encoder check its seeds against this
 * decoder (build/fuzz/ops-seeds --check).  What an argument means against
 * the current heap (which live block a slot byte picks, where a wild
 * offset lands in the pages) is decided when the operation runs (ops.c).
 *
 * Every byte sequence decodes (op codes are taken modulo VHF_NOPS) and
 * reading past the end yields zeros, as the format promises.
 */
#ifndef VHF_DECODE_H
#define VHF_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ops_format.h"

struct vhf_reader {
    const uint8_t *data;
    size_t size, pos; /* pos < size: bytes left */
};

/* The header: where the region lies and which hooks the heap gets. */
struct vhf_setup {
    size_t region_size; /* vhf_region_sizes[byte 0 % VHF_NREGIONS] */
    size_t phase;       /* vhf_phases[...]: start offset from a page boundary, before misalign */
    unsigned misalign;  /* 0..15 more bytes */
    unsigned hooks;     /* VHF_HOOKS_* */
};

/* VHF_WILD's action, the low two bits of its mode byte (3 frees too). */
enum { VHF_WILD_FREE, VHF_WILD_REALLOC, VHF_WILD_USABLE, VHF_WILD_FREE_TOO };

/* One decoded operation.  Only the fields its op reads are set; the others
 * are zero, so two decodings compare field by field (vhf_op_equal). */
struct vhf_decoded_op {
    enum vhf_op op;
    /* REALLOC (255: NULL), FREE, INTERIOR, REALLOC_ZERO: live block index
     * byte (b % live); STALE: index byte into the freed ring (b % freed). */
    uint8_t slot;
    size_t size;                     /* SZ of ALLOC, REALLOC, ALIGNED, FILL, WILD realloc */
    size_t align;                    /* ALIGNED: AL */
    size_t calloc_n, calloc_size;    /* CALLOC: the two arguments of vh_calloc */
    unsigned interior_mode;          /* INTERIOR: 0..7, see ops_format.h */
    unsigned interior_n;             /* INTERIOR: 0..31 */
    unsigned foreign;                /* FOREIGN: pointer selector 0..VHF_NFOREIGN-1 */
    unsigned wild_action;            /* WILD: VHF_WILD_* */
    bool wild_round16;               /* WILD: round the pointer down to 16 */
    uint32_t wild_offset;            /* WILD: 24-bit raw offset (reduced mod span + 8192 when run) */
    unsigned free_step, free_phase;  /* FREE_SOME: frees live blocks i, i % step == phase */
    unsigned fill_count;             /* FILL: 1..64 allocations */
};

/* Decodes the two header bytes. */
void vhf_decode_setup(struct vhf_reader *r, struct vhf_setup *s);

/* Decodes the next operation (call while r->pos < r->size). */
void vhf_decode_op(struct vhf_reader *r, struct vhf_decoded_op *op);

/* The operation's name: "alloc", "realloc", ... */
const char *vhf_op_name(enum vhf_op op);

bool vhf_setup_equal(const struct vhf_setup *a, const struct vhf_setup *b);
bool vhf_op_equal(const struct vhf_decoded_op *a, const struct vhf_decoded_op *b);

/* "realloc slot=3 size=4097": the op and the arguments it uses. */
void vhf_op_format(char *buf, size_t n, const struct vhf_decoded_op *op);

#endif /* VHF_DECODE_H */
