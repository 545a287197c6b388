/* SPDX-License-Identifier: MIT */
/* seeds: the hand-made seed inputs of the ops fuzzer, one per operation and
 * edge case, written with the format's own constants (ops_format.h) so they
 * stay meaningful when the format changes.
 *
 * Every helper that writes an operation also records the operation it means
 * (op and argument values, computed from the format's documented formulas,
 * not by the decoder), so --check can decode each seed with the harness's
 * own decoder (decode.c) and compare op by op, byte boundaries included: an
 * encoder helper that writes the wrong bytes, or an argument outside what
 * its encoding can say, fails the check instead of silently seeding
 * something else.
 *
 *   build/fuzz/ops-seeds DIR       write the seeds (make fuzz-seeds writes corpus/seeds/)
 *   build/fuzz/ops-seeds --check   decode every seed and compare (make fuzz-smoke)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vheap.h> /* VH_MAX_ALLOC */

#include "decode.h"
#include "ops_format.h"

#define SEED_MAX_BYTES 1024u
#define SEED_MAX_OPS 256u

struct seed {
    uint8_t b[SEED_MAX_BYTES];
    size_t n;
    struct vhf_setup setup;                  /* the header it means */
    struct vhf_decoded_op ops[SEED_MAX_OPS]; /* the operations it means */
    size_t op_end[SEED_MAX_OPS];             /* byte offset where each operation ends */
    size_t nops;
};

/* Where emit() sends finished seeds: a directory, or the decode check. */
static const char *g_dir;
static int g_count;    /* seeds emitted; numbers the file names */
static int g_bad;      /* seeds whose decoding differs (--check) */
static size_t g_nops;  /* operations checked (--check) */

static void die(const char *what)
{
    fprintf(stderr, "ops-seeds: %s\n", what);
    exit(1);
}

static void put(struct seed *s, unsigned v)
{
    if (s->n == sizeof s->b)
        die("seed too long");
    s->b[s->n++] = (uint8_t)v;
}

/* ------------------------------------------------------------------------ */
/* Encoded arguments: the bytes and the value they mean                     */

struct arg {
    uint8_t b[3];
    unsigned n;
    size_t value;
};

static void put_arg(struct seed *s, struct arg a)
{
    for (unsigned i = 0; i < a.n; i++)
        put(s, a.b[i]);
}

/* SZ (sizes).  Each means the value its comment gives; the byte may not be
 * able to say it (e.g. a tiny size >= 32), which --check reports. */
static struct arg sz_class(unsigned c, int d) /* (16 << c) + d, d in -1..1 */
{
    return (struct arg){{VHF_SZ_CLASS(c, d)}, 1, ((size_t)16 << c) + (size_t)(ptrdiff_t)d};
}
static struct arg sz_order(unsigned k, int d) /* (4096 << k) + d, d in -1..1 */
{
    return (struct arg){{VHF_SZ_ORDER(k, d)}, 1, ((size_t)4096 << k) + (size_t)(ptrdiff_t)d};
}
static struct arg sz_tiny(unsigned v) /* v < 32 */
{
    return (struct arg){{VHF_SZ_TINY(v)}, 1, v};
}
static struct arg sz_small(unsigned v) /* v < 8192 */
{
    return (struct arg){{(uint8_t)((3u << 5) | (v >> 8)), (uint8_t)(v & 255u)}, 2, v};
}
static struct arg sz_medium(unsigned v) /* v < 2 MiB */
{
    return (struct arg){{(uint8_t)((4u << 5) | (v >> 16)), (uint8_t)((v >> 8) & 255u), (uint8_t)(v & 255u)}, 3, v};
}
static struct arg sz_huge_max(unsigned v) /* SIZE_MAX - v, v < 16 */
{
    return (struct arg){{VHF_SZ_HUGE_MAX(v)}, 1, SIZE_MAX - v};
}
static struct arg sz_near_max(int d) /* VH_MAX_ALLOC + d, d in -8..7 */
{
    return (struct arg){{VHF_SZ_NEAR_MAX(d)}, 1, VH_MAX_ALLOC + (size_t)(ptrdiff_t)d};
}
static struct arg sz_pow2(unsigned v) /* 1 << v, v < 32 */
{
    return (struct arg){{VHF_SZ_POW2(v)}, 1, (size_t)1 << v};
}

/* AL (alignments). */
static struct arg al_valid(unsigned v) /* 1 << v, v < 13: always valid (mode 8) */
{
    return (struct arg){{(uint8_t)((8u << 4) | v)}, 1, (size_t)1 << v};
}
static struct arg al_pow2(unsigned v) /* 1 << v, v < 16 (mode 0) */
{
    return (struct arg){{(uint8_t)((0u << 4) | v)}, 1, (size_t)1 << v};
}
static struct arg al_zero(void)
{
    return (struct arg){{(uint8_t)(4u << 4)}, 1, 0};
}
static struct arg al_times3(unsigned v) /* 3 << v: not a power of two */
{
    return (struct arg){{(uint8_t)((5u << 4) | v)}, 1, (size_t)3 << v};
}
static struct arg al_huge(unsigned v) /* 1 << (48 + v) */
{
    return (struct arg){{(uint8_t)((6u << 4) | v)}, 1, (size_t)1 << (48u + v)};
}
static struct arg al_max_minus(unsigned v) /* SIZE_MAX - v */
{
    return (struct arg){{(uint8_t)((7u << 4) | v)}, 1, SIZE_MAX - v};
}

/* ------------------------------------------------------------------------ */
/* Header and operations                                                    */

/* Header: region index, misalignment 0..15, page phase 0..3, hooks mode. */
static void head(struct seed *s, unsigned region, unsigned mis, unsigned phase, unsigned hooks)
{
    s->n = 0;
    s->nops = 0;
    put(s, region);
    put(s, (mis & 15u) | ((phase & 3u) << 4) | ((hooks & 3u) << 6));
    s->setup = (struct vhf_setup){vhf_region_sizes[region % VHF_NREGIONS], vhf_phases[phase % 4u], mis, hooks};
}

/* Starts operation op: writes its code, records it; the caller writes the
 * arguments and fills in what they mean, then calls done(). */
static struct vhf_decoded_op *begin(struct seed *s, enum vhf_op op)
{
    if (s->nops == SEED_MAX_OPS)
        die("seed has too many operations");
    put(s, op);
    s->ops[s->nops] = (struct vhf_decoded_op){.op = op};
    return &s->ops[s->nops];
}

static void done(struct seed *s)
{
    s->op_end[s->nops++] = s->n;
}

static void alloc(struct seed *s, struct arg sz)
{
    begin(s, VHF_ALLOC)->size = sz.value;
    put_arg(s, sz);
    done(s);
}
/* calloc(v, size): mode 0, v < 64. */
static void calloc_count(struct seed *s, unsigned v, struct arg sz)
{
    struct vhf_decoded_op *op = begin(s, VHF_CALLOC);
    op->calloc_n = v;
    op->calloc_size = sz.value;
    put(s, (v << 2) | 0u);
    put_arg(s, sz);
    done(s);
}
/* calloc(n, v): mode 3, v < 64. */
static void calloc_size(struct seed *s, struct arg n, unsigned v)
{
    struct vhf_decoded_op *op = begin(s, VHF_CALLOC);
    op->calloc_n = n.value;
    op->calloc_size = v;
    put(s, (v << 2) | 3u);
    put_arg(s, n);
    done(s);
}
/* calloc(2^a, 2^(64-a)), a in 1..63: the product overflows by one (mode 1). */
static void calloc_overflow(struct seed *s, unsigned a)
{
    struct vhf_decoded_op *op = begin(s, VHF_CALLOC);
    op->calloc_n = (size_t)1 << a;
    op->calloc_size = (size_t)1 << (64u - a);
    put(s, ((a - 1u) << 2) | 1u);
    done(s);
}
/* calloc(2^a, SIZE_MAX >> a), a in 1..63: fits, far too big (mode 2). */
static void calloc_huge(struct seed *s, unsigned a)
{
    struct vhf_decoded_op *op = begin(s, VHF_CALLOC);
    op->calloc_n = (size_t)1 << a;
    op->calloc_size = SIZE_MAX >> a;
    put(s, ((a - 1u) << 2) | 2u);
    done(s);
}
/* slot 255: realloc(NULL, size). */
static void realloc_to(struct seed *s, unsigned slot, struct arg sz)
{
    struct vhf_decoded_op *op = begin(s, VHF_REALLOC);
    op->slot = (uint8_t)slot;
    op->size = sz.value;
    put(s, slot);
    put_arg(s, sz);
    done(s);
}
static void aligned(struct seed *s, struct arg al, struct arg sz)
{
    struct vhf_decoded_op *op = begin(s, VHF_ALIGNED);
    op->align = al.value;
    op->size = sz.value;
    put_arg(s, al);
    put_arg(s, sz);
    done(s);
}
/* FREE, STALE and REALLOC_ZERO: one index byte. */
static void slot_op(struct seed *s, enum vhf_op code, unsigned slot)
{
    begin(s, code)->slot = (uint8_t)slot;
    put(s, slot);
    done(s);
}
static void free_slot(struct seed *s, unsigned slot)
{
    slot_op(s, VHF_FREE, slot);
}
static void stale(struct seed *s, unsigned idx)
{
    slot_op(s, VHF_STALE, idx);
}
static void realloc_zero(struct seed *s, unsigned slot)
{
    slot_op(s, VHF_REALLOC_ZERO, slot);
}
/* Free live block slot + offset (mode 0..7, n 0..31: ops_format.h). */
static void interior(struct seed *s, unsigned slot, unsigned mode, unsigned n)
{
    struct vhf_decoded_op *op = begin(s, VHF_INTERIOR);
    op->slot = (uint8_t)slot;
    op->interior_mode = mode;
    op->interior_n = n;
    put(s, slot);
    put(s, (n << 3) | mode);
    done(s);
}
static void foreign(struct seed *s, unsigned sel)
{
    begin(s, VHF_FOREIGN)->foreign = sel;
    put(s, sel);
    done(s);
}
/* Wild pointer at 24-bit offset; action VHF_WILD_* (realloc takes sz). */
static void wild(struct seed *s, unsigned action, bool round16, uint32_t offset, const struct arg *sz)
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
static void free_some(struct seed *s, unsigned step, unsigned phase)
{
    struct vhf_decoded_op *op = begin(s, VHF_FREE_SOME);
    op->free_step = step;
    op->free_phase = phase;
    put(s, (step - 2u) | (phase << 3));
    done(s);
}
/* count (1..64) allocations of one size. */
static void fill(struct seed *s, unsigned count, struct arg sz)
{
    struct vhf_decoded_op *op = begin(s, VHF_FILL);
    op->fill_count = count;
    op->size = sz.value;
    put(s, count - 1u);
    put_arg(s, sz);
    done(s);
}
static void handle(struct seed *s)
{
    begin(s, VHF_HANDLE);
    done(s);
}

/* ------------------------------------------------------------------------ */
/* Writing and checking                                                     */

static void write_seed(const struct seed *s, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(s->b, 1, s->n, f) != s->n || fclose(f) != 0) {
        fprintf(stderr, "ops-seeds: cannot write %s\n", path);
        exit(1);
    }
}

/* Decodes the seed with decode.c; reports the first difference from what
 * the seed means. */
static void check_seed(const struct seed *s, const char *name)
{
    char want[160], got[160];
    struct vhf_reader r = {s->b, s->n, 0};
    struct vhf_setup setup;
    vhf_decode_setup(&r, &setup);
    if (!vhf_setup_equal(&setup, &s->setup)) {
        fprintf(stderr, "ops-seeds: %s: header decodes as region %zu phase %zu misalign %u hooks %u, "
                        "written as region %zu phase %zu misalign %u hooks %u\n", name, setup.region_size,
                setup.phase, setup.misalign, setup.hooks, s->setup.region_size, s->setup.phase,
                s->setup.misalign, s->setup.hooks);
        g_bad++;
        return;
    }
    size_t i = 0;
    for (; r.pos < r.size; i++) {
        struct vhf_decoded_op op;
        vhf_decode_op(&r, &op);
        vhf_op_format(got, sizeof got, &op);
        if (i == s->nops) {
            fprintf(stderr, "ops-seeds: %s: op %zu: decodes as %s, written: nothing more\n", name, i, got);
            g_bad++;
            return;
        }
        vhf_op_format(want, sizeof want, &s->ops[i]);
        if (!vhf_op_equal(&op, &s->ops[i]) || r.pos != s->op_end[i]) {
            fprintf(stderr, "ops-seeds: %s: op %zu: written as %s (bytes up to %zu), decodes as %s (up to %zu)\n",
                    name, i, want, s->op_end[i], got, r.pos);
            g_bad++;
            return;
        }
    }
    if (i != s->nops) {
        fprintf(stderr, "ops-seeds: %s: %zu operations decoded, %zu written\n", name, i, s->nops);
        g_bad++;
        return;
    }
    g_nops += i;
}

static void emit(struct seed *s, const char *name)
{
    char file[128], path[4096];
    snprintf(file, sizeof file, "seed-%02d-%s", ++g_count, name);
    if (g_dir == NULL) {
        check_seed(s, file);
        return;
    }
    snprintf(path, sizeof path, "%s/%s", g_dir, file);
    write_seed(s, path);
}

/* ------------------------------------------------------------------------ */
/* The seeds                                                                */

static void all_seeds(void)
{
    struct seed s;

    /* Every size class at its boundaries, with lock and error hooks. */
    head(&s, 7, 0, 0, VHF_HOOKS_LOCK_ERROR);
    for (unsigned c = 0; c < 8; c++)
        for (int d = -1; d <= 1; d++)
            alloc(&s, sz_class(c, d));
    emit(&s, "alloc-class-boundaries");

    /* Every order at its boundaries, and order 10 (refused).  4 MiB + 1 has
     * no SZ encoding (the order kind's v would be 32): 4 MiB, a power of
     * two, stands for the order-10 side instead. */
    head(&s, 15, 3, 1, VHF_HOOKS_ERROR);
    for (unsigned k = 0; k <= 10; k++) {
        alloc(&s, sz_order(k, -1));
        alloc(&s, k < 10 ? sz_order(k, 1) : sz_pow2(22));
        free_some(&s, 2, 0);
    }
    emit(&s, "alloc-order-boundaries");

    /* Size 0, tiny sizes, powers of two. */
    head(&s, 4, 1, 0, VHF_HOOKS_NONE);
    for (unsigned v = 0; v < 6; v++)
        alloc(&s, sz_tiny(v));
    for (unsigned v = 0; v < 23; v += 3)
        alloc(&s, sz_pow2(v));
    emit(&s, "alloc-tiny-and-pow2");

    /* Around VH_MAX_ALLOC and SIZE_MAX. */
    head(&s, 13, 0, 0, VHF_HOOKS_ERROR);
    for (int d = -8; d <= 7; d++)
        alloc(&s, sz_near_max(d));
    alloc(&s, sz_huge_max(0));
    alloc(&s, sz_huge_max(15));
    emit(&s, "alloc-near-max");

    /* calloc: small products, zero, sizes from every kind. */
    head(&s, 8, 5, 2, VHF_HOOKS_ERROR);
    calloc_count(&s, 3, sz_class(2, 0));
    calloc_count(&s, 0, sz_class(5, 0));
    calloc_count(&s, 7, sz_order(1, 1));
    calloc_size(&s, sz_order(2, 0), 5);
    emit(&s, "calloc-basic");

    /* calloc: products that overflow by one, and huge ones that fit. */
    head(&s, 5, 0, 0, VHF_HOOKS_LOCK_ERROR);
    for (unsigned a = 1; a < 64; a += 7) {
        calloc_overflow(&s, a);
        calloc_huge(&s, a);
    }
    calloc_size(&s, sz_huge_max(0), 2);
    calloc_size(&s, sz_huge_max(0), 0);
    emit(&s, "calloc-overflow");

    /* realloc growing a slab object through classes into pages, in place
     * while the upper buddies are free. */
    head(&s, 10, 0, 0, VHF_HOOKS_ERROR);
    alloc(&s, sz_class(0, 0));
    realloc_to(&s, 0, sz_class(1, 0));
    realloc_to(&s, 0, sz_class(7, 1));
    realloc_to(&s, 0, sz_order(1, 0));
    realloc_to(&s, 0, sz_order(3, 1));
    realloc_to(&s, 0, sz_order(5, 0));
    emit(&s, "realloc-grow");

    /* realloc shrinking a large block in place, then growing it back. */
    head(&s, 11, 9, 3, VHF_HOOKS_NONE);
    alloc(&s, sz_medium(1000000));
    realloc_to(&s, 0, sz_medium(300000));
    realloc_to(&s, 0, sz_order(2, 0));
    realloc_to(&s, 0, sz_small(100));
    realloc_to(&s, 0, sz_order(6, 0));
    emit(&s, "realloc-shrink");

    /* realloc that must move: the upper buddy is taken. */
    head(&s, 9, 0, 0, VHF_HOOKS_ERROR);
    alloc(&s, sz_order(0, 0));
    alloc(&s, sz_order(0, 0));
    realloc_to(&s, 0, sz_order(1, 0));
    realloc_to(&s, 0, sz_class(3, 0));
    alloc(&s, sz_class(3, 0));
    realloc_to(&s, 1, sz_class(5, 0));
    emit(&s, "realloc-move");

    /* realloc growing an upper half (its buddy lies below: must move) next
     * to a free block of its order, and a lower half that grows in place. */
    head(&s, 13, 0, 0, VHF_HOOKS_ERROR); /* one top-order block: pages 0, 1, 2, 3 */
    for (unsigned i = 0; i < 4; i++)
        alloc(&s, sz_order(0, 0));
    free_slot(&s, 2);
    realloc_to(&s, 1, sz_order(1, 0));
    free_slot(&s, 0);
    realloc_to(&s, 0, sz_order(1, 0));
    emit(&s, "realloc-grow-upper-half");

    /* realloc(NULL, n), realloc to 0, and past VH_MAX_ALLOC. */
    head(&s, 8, 0, 0, VHF_HOOKS_ERROR);
    realloc_to(&s, 255, sz_class(4, 0));
    realloc_to(&s, 255, sz_order(1, 0));
    realloc_zero(&s, 0);
    realloc_zero(&s, 1);
    realloc_to(&s, 0, sz_near_max(1));
    realloc_to(&s, 0, sz_huge_max(0));
    emit(&s, "realloc-null-zero-max");

    /* aligned_alloc with every valid alignment. */
    head(&s, 10, 7, 1, VHF_HOOKS_ERROR);
    for (unsigned v = 0; v <= 12; v++)
        aligned(&s, al_valid(v), sz_tiny(v * 2u));
    aligned(&s, al_valid(12), sz_order(0, 1));
    aligned(&s, al_valid(11), sz_class(7, 1));
    emit(&s, "aligned-valid");

    /* aligned_alloc with invalid alignments: zero, not a power of two,
     * above VH_MAX_ALIGN, huge. */
    head(&s, 6, 0, 0, VHF_HOOKS_LOCK_ERROR);
    aligned(&s, al_zero(), sz_tiny(8));
    aligned(&s, al_times3(2), sz_tiny(8));
    aligned(&s, al_pow2(13), sz_tiny(8));
    aligned(&s, al_pow2(15), sz_tiny(8));
    aligned(&s, al_huge(3), sz_tiny(8));
    aligned(&s, al_max_minus(0), sz_tiny(8));
    emit(&s, "aligned-invalid");

    /* Free every live block, in order. */
    head(&s, 7, 0, 0, VHF_HOOKS_NONE);
    for (unsigned i = 0; i < 6; i++)
        alloc(&s, sz_class(i, 0));
    alloc(&s, sz_small(5000));
    for (unsigned i = 0; i < 7; i++)
        free_slot(&s, 0);
    emit(&s, "free-live");

    /* Double free of a slab object and of a page block. */
    head(&s, 6, 0, 0, VHF_HOOKS_ERROR);
    alloc(&s, sz_class(1, 0));
    alloc(&s, sz_class(1, 0));
    alloc(&s, sz_order(0, 0));
    free_slot(&s, 0);
    stale(&s, 0);
    free_slot(&s, 1);
    stale(&s, 1);
    emit(&s, "double-free");

    /* Free after the block was handed out again: frees the new owner. */
    head(&s, 6, 0, 0, VHF_HOOKS_ERROR);
    alloc(&s, sz_class(2, 0));
    free_slot(&s, 0);
    alloc(&s, sz_class(2, 0));
    stale(&s, 0);
    stale(&s, 0);
    emit(&s, "free-after-reuse");

    /* Interior pointers of every kind into slab objects and page blocks. */
    head(&s, 8, 0, 0, VHF_HOOKS_LOCK_ERROR);
    alloc(&s, sz_class(3, 0));
    alloc(&s, sz_order(2, 0));
    for (unsigned m = 0; m < 8; m++) {
        interior(&s, 0, m, 1);
        interior(&s, 1, m, 1);
    }
    emit(&s, "interior");

    /* Foreign pointers: stack, static, header, around the pages. */
    head(&s, 5, 3, 0, VHF_HOOKS_ERROR);
    for (unsigned f = 0; f < VHF_NFOREIGN; f++)
        foreign(&s, f);
    emit(&s, "foreign");

    /* Wild pointers: free, realloc and vh_usable_size anywhere. */
    head(&s, 7, 0, 0, VHF_HOOKS_ERROR);
    alloc(&s, sz_class(0, 0));
    alloc(&s, sz_order(1, 0));
    for (unsigned i = 0; i < 8; i++) {
        struct arg sz = sz_class(1, 0);
        unsigned action = i & 3u;
        wild(&s, action, (i & 4u) != 0, ((16u * i) << 8) | 16u, action == VHF_WILD_REALLOC ? &sz : NULL);
    }
    emit(&s, "wild");

    /* One-page heap: fill it with objects, then run out; the cached empty
     * slab must be given back for a page request. */
    head(&s, 3, 0, 0, VHF_HOOKS_ERROR);
    fill(&s, 64, sz_class(6, 0));
    alloc(&s, sz_class(0, 0));
    alloc(&s, sz_order(0, 0));
    free_some(&s, 2, 0);
    free_slot(&s, 0);
    alloc(&s, sz_order(0, 0));
    emit(&s, "oom-one-page");

    /* Cached empty slabs of several classes given back to buddy. */
    head(&s, 4, 0, 0, VHF_HOOKS_NONE);
    alloc(&s, sz_class(0, 0));
    alloc(&s, sz_class(4, 0));
    free_slot(&s, 0);
    free_slot(&s, 0);
    alloc(&s, sz_order(0, 0));
    alloc(&s, sz_order(0, 0));
    alloc(&s, sz_class(7, 0));
    emit(&s, "cached-slab-reclaim");

    /* Fill slabs of class 16 past one page (254 objects per page). */
    head(&s, 6, 0, 0, VHF_HOOKS_NONE);
    for (unsigned i = 0; i < 5; i++)
        fill(&s, 64, sz_class(0, 0));
    free_some(&s, 2, 0);
    free_some(&s, 3, 0);
    emit(&s, "slab16-many");

    /* Top-order blocks: one fits in 2 MiB + metadata, none in exactly 2 MiB. */
    head(&s, 13, 0, 0, VHF_HOOKS_ERROR);
    alloc(&s, sz_order(9, 0));
    alloc(&s, sz_order(0, 0));
    free_slot(&s, 0);
    alloc(&s, sz_order(0, 0));
    alloc(&s, sz_order(9, 0));
    emit(&s, "top-order");
    head(&s, 12, 0, 0, VHF_HOOKS_ERROR);
    alloc(&s, sz_order(9, 0));
    alloc(&s, sz_order(8, 0));
    alloc(&s, sz_order(8, 0));
    emit(&s, "exactly-2mib-region");

    /* Two top-order blocks and a tail; growth across the tail's blocks. */
    head(&s, 15, 0, 0, VHF_HOOKS_ERROR);
    alloc(&s, sz_order(9, 0));
    alloc(&s, sz_order(9, 0));
    alloc(&s, sz_order(3, 0));
    realloc_to(&s, 2, sz_order(4, 0));
    alloc(&s, sz_order(9, 0));
    emit(&s, "two-top-orders");

    /* Regions too small for a heap, at every phase. */
    for (unsigned r = 0; r < 3; r++) {
        for (unsigned ph = 0; ph < 4; ph++) {
            head(&s, r, ph * 5u, ph, VHF_HOOKS_ERROR);
            alloc(&s, sz_class(0, 0));
            char name[64];
            snprintf(name, sizeof name, "init-small-r%u-p%u", r, ph);
            emit(&s, name);
        }
    }

    /* Every misalignment 0..15 and hooks mode on an odd region. */
    for (unsigned m = 0; m < 16; m += 5) {
        head(&s, 4, m, m & 3u, m & 3u);
        alloc(&s, sz_class(1, 0));
        alloc(&s, sz_order(0, 0));
        free_slot(&s, 0);
        stale(&s, 0);
        char name[64];
        snprintf(name, sizeof name, "misalign-%u-hooks-%u", m, m & 3u);
        emit(&s, name);
    }

    /* Bad heap handles change nothing. */
    head(&s, 5, 0, 0, VHF_HOOKS_LOCK_ERROR);
    alloc(&s, sz_class(2, 0));
    handle(&s);
    emit(&s, "bad-handle");

    /* Fragment a heap, then ask for large blocks. */
    head(&s, 9, 0, 0, VHF_HOOKS_ERROR);
    fill(&s, 30, sz_order(0, 0));
    free_some(&s, 2, 0);
    alloc(&s, sz_order(1, 0));
    alloc(&s, sz_order(3, 0));
    emit(&s, "fragmented");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR | --check\n", argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "--check") == 0) {
        all_seeds();
        if (g_bad != 0) {
            fprintf(stderr, "ops-seeds: %d of %d seeds do not decode as written (fuzz/seeds.c)\n", g_bad, g_count);
            return 1;
        }
        printf("ops-seeds: %d seeds, %zu operations: each decodes (decode.c) to the operation written\n", g_count,
               g_nops);
        return 0;
    }
    g_dir = argv[1];
    all_seeds();
    printf("ops-seeds: wrote %d seeds to %s\n", g_count, g_dir);
    return 0;
}
