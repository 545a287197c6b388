/* SPDX-License-Identifier: MIT */
/* encode: writing ops-fuzzer inputs, the inverse of decode.c for chosen
 * values, recording what each written operation means (see encode.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vheap.h> /* VH_MAX_ALLOC */

#include "encode.h"

static void die(const char *what)
{
    fprintf(stderr, "ops-seeds: %s\n", what);
    exit(1);
}

static void put(struct vhf_seed *s, unsigned v)
{
    if (s->n == sizeof s->b)
        die("seed too long");
    s->b[s->n++] = (uint8_t)v;
}

static void put_arg(struct vhf_seed *s, struct vhf_arg a)
{
    for (unsigned i = 0; i < a.n; i++)
        put(s, a.b[i]);
}

/* ------------------------------------------------------------------------ */
/* Arguments: the value each means is the format's formula (ops_format.h)   */
/* applied to the helper's parameters; the byte may not be able to say it   */
/* (e.g. a tiny size >= 32), which ops-seeds --check reports.               */

/* SZ (sizes). */
struct vhf_arg sz_class(unsigned c, int d) /* (16 << c) + d, d in -1..1 */
{
    return (struct vhf_arg){{VHF_SZ_CLASS(c, d)}, 1, ((size_t)16 << c) + (size_t)(ptrdiff_t)d};
}
struct vhf_arg sz_order(unsigned k, int d) /* (4096 << k) + d, d in -1..1 */
{
    return (struct vhf_arg){{VHF_SZ_ORDER(k, d)}, 1, ((size_t)4096 << k) + (size_t)(ptrdiff_t)d};
}
struct vhf_arg sz_tiny(unsigned v) /* v < 32 */
{
    return (struct vhf_arg){{VHF_SZ_TINY(v)}, 1, v};
}
struct vhf_arg sz_small(unsigned v) /* v < 8192 */
{
    return (struct vhf_arg){{(uint8_t)((3u << 5) | (v >> 8)), (uint8_t)(v & 255u)}, 2, v};
}
struct vhf_arg sz_medium(unsigned v) /* v < 2 MiB */
{
    return (struct vhf_arg){
        {(uint8_t)((4u << 5) | (v >> 16)), (uint8_t)((v >> 8) & 255u), (uint8_t)(v & 255u)}, 3, v};
}
struct vhf_arg sz_huge_max(unsigned v) /* SIZE_MAX - v, v < 16 */
{
    return (struct vhf_arg){{VHF_SZ_HUGE_MAX(v)}, 1, SIZE_MAX - v};
}
struct vhf_arg sz_near_max(int d) /* VH_MAX_ALLOC + d, d in -8..7 */
{
    return (struct vhf_arg){{VHF_SZ_NEAR_MAX(d)}, 1, VH_MAX_ALLOC + (size_t)(ptrdiff_t)d};
}
struct vhf_arg sz_pow2(unsigned v) /* 1 << v, v < 32 */
{
    return (struct vhf_arg){{VHF_SZ_POW2(v)}, 1, (size_t)1 << v};
}

/* AL (alignments). */
struct vhf_arg al_valid(unsigned v) /* 1 << v, v < 13: always valid (mode 8) */
{
    return (struct vhf_arg){{(uint8_t)((8u << 4) | v)}, 1, (size_t)1 << v};
}
struct vhf_arg al_pow2(unsigned v) /* 1 << v, v < 16 (mode 0) */
{
    return (struct vhf_arg){{(uint8_t)((0u << 4) | v)}, 1, (size_t)1 << v};
}
struct vhf_arg al_zero(void)
{
    return (struct vhf_arg){{(uint8_t)(4u << 4)}, 1, 0};
}
struct vhf_arg al_times3(unsigned v) /* 3 << v: not a power of two */
{
    return (struct vhf_arg){{(uint8_t)((5u << 4) | v)}, 1, (size_t)3 << v};
}
struct vhf_arg al_huge(unsigned v) /* 1 << (W - 16 + v): 48 + v on 64-bit */
{
    return (struct vhf_arg){{(uint8_t)((6u << 4) | v)}, 1, (size_t)1 << (VHF_SIZE_BITS - 16u + v)};
}
struct vhf_arg al_max_minus(unsigned v) /* SIZE_MAX - v */
{
    return (struct vhf_arg){{(uint8_t)((7u << 4) | v)}, 1, SIZE_MAX - v};
}

/* ------------------------------------------------------------------------ */
/* Header and operations                                                    */

/* Header: region index, misalignment 0..15, page phase 0..3, hooks mode. */
void head(struct vhf_seed *s, unsigned region, unsigned mis, unsigned phase, unsigned hooks)
{
    s->n = 0;
    s->nops = 0;
    put(s, region);
    put(s, (mis & 15u) | ((phase & 3u) << 4) | ((hooks & 3u) << 6));
    s->setup = (struct vhf_setup){vhf_region_sizes[region % VHF_NREGIONS], vhf_phases[phase % 4u], mis, hooks};
}

/* Starts operation op: writes its code, records it; the caller writes the
 * arguments and fills in what they mean, then calls done(). */
static struct vhf_decoded_op *begin(struct vhf_seed *s, enum vhf_op op)
{
    if (s->nops == VHF_SEED_MAX_OPS)
        die("seed has too many operations");
    put(s, op);
    s->ops[s->nops] = (struct vhf_decoded_op){.op = op};
    return &s->ops[s->nops];
}

static void done(struct vhf_seed *s)
{
    s->op_end[s->nops++] = s->n;
}

void alloc(struct vhf_seed *s, struct vhf_arg sz)
{
    begin(s, VHF_ALLOC)->size = sz.value;
    put_arg(s, sz);
    done(s);
}
/* calloc(v, size): mode 0, v < 64. */
void calloc_count(struct vhf_seed *s, unsigned v, struct vhf_arg sz)
{
    struct vhf_decoded_op *op = begin(s, VHF_CALLOC);
    op->calloc_n = v;
    op->calloc_size = sz.value;
    put(s, (v << 2) | 0u);
    put_arg(s, sz);
    done(s);
}
/* calloc(n, v): mode 3, v < 64. */
void calloc_size(struct vhf_seed *s, struct vhf_arg n, unsigned v)
{
    struct vhf_decoded_op *op = begin(s, VHF_CALLOC);
    op->calloc_n = n.value;
    op->calloc_size = v;
    put(s, (v << 2) | 3u);
    put_arg(s, n);
    done(s);
}
/* calloc(2^a, 2^(64-a)), a in 1..63: the product overflows by one (mode 1).
 * With a W-bit size_t the byte means a' = vhf_ca_exp(a - 1) and 2^(W-a')
 * (a' = a when W is 64). */
void calloc_overflow(struct vhf_seed *s, unsigned a)
{
    struct vhf_decoded_op *op = begin(s, VHF_CALLOC);
    unsigned e = vhf_ca_exp(a - 1u);
    op->calloc_n = (size_t)1 << e;
    op->calloc_size = (size_t)1 << (VHF_SIZE_BITS - e);
    put(s, ((a - 1u) << 2) | 1u);
    done(s);
}
/* calloc(2^a, SIZE_MAX >> a), a in 1..63: fits, far too big (mode 2); a
 * as in calloc_overflow. */
void calloc_huge(struct vhf_seed *s, unsigned a)
{
    struct vhf_decoded_op *op = begin(s, VHF_CALLOC);
    unsigned e = vhf_ca_exp(a - 1u);
    op->calloc_n = (size_t)1 << e;
    op->calloc_size = SIZE_MAX >> e;
    put(s, ((a - 1u) << 2) | 2u);
    done(s);
}
/* slot 255: realloc(NULL, size). */
void realloc_to(struct vhf_seed *s, unsigned slot, struct vhf_arg sz)
{
    struct vhf_decoded_op *op = begin(s, VHF_REALLOC);
    op->slot = (uint8_t)slot;
    op->size = sz.value;
    put(s, slot);
    put_arg(s, sz);
    done(s);
}
void aligned(struct vhf_seed *s, struct vhf_arg al, struct vhf_arg sz)
{
    struct vhf_decoded_op *op = begin(s, VHF_ALIGNED);
    op->align = al.value;
    op->size = sz.value;
    put_arg(s, al);
    put_arg(s, sz);
    done(s);
}
/* FREE, STALE and REALLOC_ZERO: one index byte. */
static void slot_op(struct vhf_seed *s, enum vhf_op code, unsigned slot)
{
    begin(s, code)->slot = (uint8_t)slot;
    put(s, slot);
    done(s);
}
void free_slot(struct vhf_seed *s, unsigned slot)
{
    slot_op(s, VHF_FREE, slot);
}
void stale(struct vhf_seed *s, unsigned idx)
{
    slot_op(s, VHF_STALE, idx);
}
void realloc_zero(struct vhf_seed *s, unsigned slot)
{
    slot_op(s, VHF_REALLOC_ZERO, slot);
}
/* Free live block slot + offset (mode 0..7, n 0..31: ops_format.h). */
void interior(struct vhf_seed *s, unsigned slot, unsigned mode, unsigned n)
{
    struct vhf_decoded_op *op = begin(s, VHF_INTERIOR);
    op->slot = (uint8_t)slot;
    op->interior_mode = mode;
    op->interior_n = n;
    put(s, slot);
    put(s, (n << 3) | mode);
    done(s);
}
void foreign(struct vhf_seed *s, unsigned sel)
{
    begin(s, VHF_FOREIGN)->foreign = sel;
    put(s, sel);
    done(s);
}
/* Wild pointer at 24-bit offset; action VHF_WILD_* (realloc takes sz). */
void wild(struct vhf_seed *s, unsigned action, bool round16, uint32_t offset, const struct vhf_arg *sz)
{
    struct vhf_decoded_op *op = begin(s, VHF_WILD);
    op->wild_action = action;
    op->wild_round16 = round16;
    op->wild_offset = offset;
    put(s, action | (round16 ? 4u : 0u));
    put(s, (offset >> 16) & 255u);
    put(s, (offset >> 8) & 255u);
    put(s, offset & 255u);
    if (sz != NULL) {
        op->size = sz->value;
        put_arg(s, *sz);
    }
    done(s);
}
/* Free live blocks i with i % step == phase, step 2..9, phase < step. */
void free_some(struct vhf_seed *s, unsigned step, unsigned phase)
{
    struct vhf_decoded_op *op = begin(s, VHF_FREE_SOME);
    op->free_step = step;
    op->free_phase = phase;
    put(s, (step - 2u) | (phase << 3));
    done(s);
}
/* count (1..64) allocations of one size. */
void fill(struct vhf_seed *s, unsigned count, struct vhf_arg sz)
{
    struct vhf_decoded_op *op = begin(s, VHF_FILL);
    op->fill_count = count;
    op->size = sz.value;
    put(s, count - 1u);
    put_arg(s, sz);
    done(s);
}
void handle(struct vhf_seed *s)
{
    begin(s, VHF_HANDLE);
    done(s);
}
