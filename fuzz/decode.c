/* SPDX-License-Identifier: MIT */
/* decode: input bytes -> set-up and operations (format: ops_format.h).
 *
 * Each reader below consumes exactly the bytes the format gives its
 * argument, in the format's order; the byte positions of every later
 * operation depend on it, so this file is the format's one reading. */
#include <stdio.h>

#include <vheap.h> /* VH_MAX_ALLOC: the SZ "huge" kind is relative to it */

#include "decode.h"

static uint8_t rd8(struct vhf_reader *r)
{
    return r->pos < r->size ? r->data[r->pos++] : 0;
}

/* SZ: one kind byte, and one or two more bytes for kinds 3, 4 and 5. */
static size_t rd_size(struct vhf_reader *r)
{
    uint8_t m = rd8(r);
    unsigned v = m & 31u;
    switch (m >> 5) {
    case 0:
        return ((size_t)16 << (v & 7u)) + (v >> 3) % 3u - 1u;
    case 1:
        return ((size_t)4096 << (v % 11u)) + v / 11u - 1u;
    case 2:
        return v;
    case 3:
        return ((size_t)v << 8) | rd8(r);
    case 4: {
        size_t hi = (size_t)v << 16;
        size_t mid = (size_t)rd8(r) << 8;
        return hi | mid | rd8(r);
    }
    case 5:
        return (v + 1u) * (size_t)4096 + (size_t)(ptrdiff_t)(int8_t)rd8(r);
    case 6:
        return v < 16u ? SIZE_MAX - v : VH_MAX_ALLOC - 8u + (v - 16u);
    default:
        return (size_t)1 << v;
    }
}

/* CA: the mode byte, then an SZ for modes 0 and 3. */
static void rd_calloc(struct vhf_reader *r, size_t *n, size_t *size)
{
    uint8_t m = rd8(r);
    unsigned v = m >> 2, a = vhf_ca_exp(v);
    switch (m & 3u) {
    case 0:
        *n = v;
        *size = rd_size(r);
        break;
    case 1: /* 2^a * 2^(W-a) = 2^W: overflows by one */
        *n = (size_t)1 << a;
        *size = (size_t)1 << (VHF_SIZE_BITS - a);
        break;
    case 2: /* 2^a * (SIZE_MAX >> a) fits, far too big */
        *n = (size_t)1 << a;
        *size = SIZE_MAX >> a;
        break;
    default:
        *n = rd_size(r);
        *size = v;
        break;
    }
}

/* AL: one byte. */
static size_t rd_align(struct vhf_reader *r)
{
    uint8_t m = rd8(r);
    unsigned v = m & 15u;
    switch (m >> 4) {
    case 0:
    case 1:
    case 2:
    case 3:
        return (size_t)1 << v;
    case 4:
        return 0;
    case 5:
        return ((size_t)1 << v) * 3u;
    case 6:
        return (size_t)1 << (VHF_SIZE_BITS - 16u + v);
    case 7:
        return SIZE_MAX - v;
    default:
        return (size_t)1 << (v % 13u);
    }
}

void vhf_decode_setup(struct vhf_reader *r, struct vhf_setup *s)
{
    uint8_t rs = rd8(r), su = rd8(r);
    s->region_size = vhf_region_sizes[rs % VHF_NREGIONS];
    s->phase = vhf_phases[(su >> 4) & 3u];
    s->misalign = su & 15u;
    s->hooks = su >> 6;
}

void vhf_decode_op(struct vhf_reader *r, struct vhf_decoded_op *op)
{
    *op = (struct vhf_decoded_op){.op = (enum vhf_op)(rd8(r) % VHF_NOPS)};
    switch (op->op) {
    case VHF_ALLOC:
        op->size = rd_size(r);
        break;
    case VHF_CALLOC:
        rd_calloc(r, &op->calloc_n, &op->calloc_size);
        break;
    case VHF_REALLOC:
        op->slot = rd8(r);
        op->size = rd_size(r);
        break;
    case VHF_ALIGNED:
        op->align = rd_align(r);
        op->size = rd_size(r);
        break;
    case VHF_FREE:
    case VHF_STALE:
    case VHF_REALLOC_ZERO:
        op->slot = rd8(r);
        break;
    case VHF_INTERIOR: {
        op->slot = rd8(r);
        uint8_t o = rd8(r);
        op->interior_mode = o & 7u;
        op->interior_n = o >> 3;
        break;
    }
    case VHF_FOREIGN:
        op->foreign = rd8(r) % VHF_NFOREIGN;
        break;
    case VHF_WILD: {
        uint8_t m = rd8(r);
        uint32_t raw = (uint32_t)rd8(r) << 16;
        raw |= (uint32_t)rd8(r) << 8;
        raw |= rd8(r);
        op->wild_action = m & 3u;
        op->wild_round16 = (m & 4u) != 0;
        op->wild_offset = raw;
        if (op->wild_action == VHF_WILD_REALLOC)
            op->size = rd_size(r);
        break;
    }
    case VHF_FREE_SOME: {
        uint8_t s = rd8(r);
        op->free_step = 2u + (s & 7u);
        op->free_phase = (unsigned)(s >> 3) % op->free_step;
        break;
    }
    case VHF_FILL:
        op->fill_count = 1u + rd8(r) % 64u;
        op->size = rd_size(r);
        break;
    case VHF_HANDLE:
    case VHF_NOPS:
        break;
    }
}

static const char *const op_names[VHF_NOPS] = {
    "alloc", "calloc", "realloc", "aligned_alloc", "free", "stale free", "interior free",
    "foreign free", "wild pointer", "free some", "fill", "bad handle", "realloc to 0",
};

const char *vhf_op_name(enum vhf_op op)
{
    return (unsigned)op < VHF_NOPS ? op_names[op] : "?";
}

bool vhf_setup_equal(const struct vhf_setup *a, const struct vhf_setup *b)
{
    return a->region_size == b->region_size && a->phase == b->phase && a->misalign == b->misalign &&
           a->hooks == b->hooks;
}

bool vhf_op_equal(const struct vhf_decoded_op *a, const struct vhf_decoded_op *b)
{
    return a->op == b->op && a->slot == b->slot && a->size == b->size && a->align == b->align &&
           a->calloc_n == b->calloc_n && a->calloc_size == b->calloc_size &&
           a->interior_mode == b->interior_mode && a->interior_n == b->interior_n &&
           a->foreign == b->foreign && a->wild_action == b->wild_action &&
           a->wild_round16 == b->wild_round16 && a->wild_offset == b->wild_offset &&
           a->free_step == b->free_step && a->free_phase == b->free_phase &&
           a->fill_count == b->fill_count;
}

void vhf_op_format(char *buf, size_t n, const struct vhf_decoded_op *op)
{
    const char *name = vhf_op_name(op->op);
    switch (op->op) {
    case VHF_ALLOC:
        snprintf(buf, n, "%s size=%zu", name, op->size);
        break;
    case VHF_CALLOC:
        snprintf(buf, n, "%s n=%zu size=%zu", name, op->calloc_n, op->calloc_size);
        break;
    case VHF_REALLOC:
        snprintf(buf, n, "%s slot=%u size=%zu", name, op->slot, op->size);
        break;
    case VHF_ALIGNED:
        snprintf(buf, n, "%s align=%zu size=%zu", name, op->align, op->size);
        break;
    case VHF_FREE:
    case VHF_STALE:
    case VHF_REALLOC_ZERO:
        snprintf(buf, n, "%s slot=%u", name, op->slot);
        break;
    case VHF_INTERIOR:
        snprintf(buf, n, "%s slot=%u mode=%u n=%u", name, op->slot, op->interior_mode, op->interior_n);
        break;
    case VHF_FOREIGN:
        snprintf(buf, n, "%s selector=%u", name, op->foreign);
        break;
    case VHF_WILD:
        snprintf(buf, n, "%s action=%u round16=%d offset=0x%06x size=%zu", name, op->wild_action,
                 (int)op->wild_round16, (unsigned)op->wild_offset, op->size);
        break;
    case VHF_FREE_SOME:
        snprintf(buf, n, "%s step=%u phase=%u", name, op->free_step, op->free_phase);
        break;
    case VHF_FILL:
        snprintf(buf, n, "%s count=%u size=%zu", name, op->fill_count, op->size);
        break;
    default:
        snprintf(buf, n, "%s", name);
        break;
    }
}
