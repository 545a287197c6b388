/* SPDX-License-Identifier: MIT */
/* seeds: the hand-made seed inputs of the ops fuzzer, one per operation and
 * edge case, written with the format's own encoder (encode.h) so they stay
 * meaningful when the format changes.
 *
 * The encoder records the operations each seed means; --check decodes each
 * seed with the harness's own decoder (decode.c) and compares op by op,
 * byte boundaries included, so a seed that says something other than what
 * it was written for fails instead of silently seeding something else.
 *
 *   build/fuzz/ops-seeds DIR       write the seeds (make fuzz-seeds writes corpus/seeds/)
 *   build/fuzz/ops-seeds --check   decode every seed and compare (make fuzz-smoke)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "encode.h"
#include "ops_format.h"

static const char *g_dir;
static int g_count;   /* seeds emitted; numbers the file names */
static int g_bad;     /* seeds whose decoding differs (--check) */
static size_t g_nops; /* operations checked (--check) */

/* ------------------------------------------------------------------------ */
/* Writing and checking                                                     */

static void write_seed(const struct vhf_seed *s, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(s->b, 1, s->n, f) != s->n || fclose(f) != 0) {
        fprintf(stderr, "ops-seeds: cannot write %s\n", path);
        exit(1);
    }
}

/* Decodes the seed with decode.c; reports the first difference from what
 * the seed means. */
static void check_seed(const struct vhf_seed *s, const char *name)
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

static void emit(struct vhf_seed *s, const char *name)
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
    struct vhf_seed s;

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
        struct vhf_arg sz = sz_class(1, 0);
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

    /* Fill slabs of class 16 past one page (256 objects per page). */
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
