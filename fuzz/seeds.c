/* seeds: writes the hand-made seed inputs of the ops fuzzer, one per
 * operation and edge case, with the format's own constants (ops_format.h),
 * so they stay meaningful when the format changes.
 *
 *   build/fuzz/ops-seeds DIR     (make fuzz-seeds writes corpus/seeds/)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_format.h"

struct seed {
    uint8_t b[1024];
    size_t n;
};

static const char *g_dir;
static int g_count;

static void put(struct seed *s, unsigned v)
{
    if (s->n == sizeof s->b) {
        fprintf(stderr, "ops-seeds: seed too long\n");
        exit(1);
    }
    s->b[s->n++] = (uint8_t)v;
}

/* Header: region index, misalignment 0..15, page phase 0..3, hooks mode. */
static void head(struct seed *s, unsigned region, unsigned mis, unsigned phase, unsigned hooks)
{
    s->n = 0;
    put(s, region);
    put(s, (mis & 15u) | ((phase & 3u) << 4) | ((hooks & 3u) << 6));
}

static void emit(struct seed *s, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/seed-%02d-%s", g_dir, ++g_count, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(s->b, 1, s->n, f) != s->n || fclose(f) != 0) {
        fprintf(stderr, "ops-seeds: cannot write %s\n", path);
        exit(1);
    }
}

/* Operations.  Size arguments are SZ bytes (ops_format.h); helpers below. */
static void alloc_sz(struct seed *s, unsigned sz)
{
    put(s, VHF_ALLOC);
    put(s, sz);
}
static void alloc_small(struct seed *s, unsigned n) /* 0..8191 */
{
    put(s, VHF_ALLOC);
    put(s, (3u << 5) | (n >> 8));
    put(s, n & 255u);
}
static void alloc_medium(struct seed *s, unsigned n) /* 0..2 MiB-1 */
{
    put(s, VHF_ALLOC);
    put(s, (4u << 5) | (n >> 16));
    put(s, (n >> 8) & 255u);
    put(s, n & 255u);
}
static void free_slot(struct seed *s, unsigned slot)
{
    put(s, VHF_FREE);
    put(s, slot);
}
static void realloc_sz(struct seed *s, unsigned slot, unsigned sz)
{
    put(s, VHF_REALLOC);
    put(s, slot);
    put(s, sz);
}
static void realloc_medium(struct seed *s, unsigned slot, unsigned n)
{
    put(s, VHF_REALLOC);
    put(s, slot);
    put(s, (4u << 5) | (n >> 16));
    put(s, (n >> 8) & 255u);
    put(s, n & 255u);
}
static void aligned(struct seed *s, unsigned al, unsigned sz)
{
    put(s, VHF_ALIGNED);
    put(s, al);
    put(s, sz);
}
static void fill(struct seed *s, unsigned n, unsigned sz)
{
    put(s, VHF_FILL);
    put(s, n - 1u);
    put(s, sz);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    g_dir = argv[1];
    struct seed s;

    /* Every size class at its boundaries, with lock and error hooks. */
    head(&s, 7, 0, 0, VHF_HOOKS_LOCK_ERROR);
    for (unsigned c = 0; c < 8; c++)
        for (int d = -1; d <= 1; d++)
            alloc_sz(&s, VHF_SZ_CLASS(c, d));
    emit(&s, "alloc-class-boundaries");

    /* Every order at its boundaries, and order 10 (refused). */
    head(&s, 15, 3, 1, VHF_HOOKS_ERROR);
    for (unsigned k = 0; k <= 10; k++) {
        alloc_sz(&s, VHF_SZ_ORDER(k, -1));
        alloc_sz(&s, VHF_SZ_ORDER(k, 1));
        put(&s, VHF_FREE_SOME);
        put(&s, 0);
    }
    emit(&s, "alloc-order-boundaries");

    /* Size 0, tiny sizes, powers of two. */
    head(&s, 4, 1, 0, VHF_HOOKS_NONE);
    for (unsigned v = 0; v < 6; v++)
        alloc_sz(&s, VHF_SZ_TINY(v));
    for (unsigned v = 0; v < 23; v += 3)
        alloc_sz(&s, VHF_SZ_POW2(v));
    emit(&s, "alloc-tiny-and-pow2");

    /* Around VH_MAX_ALLOC and SIZE_MAX. */
    head(&s, 13, 0, 0, VHF_HOOKS_ERROR);
    for (int d = -8; d <= 7; d++)
        alloc_sz(&s, VHF_SZ_NEAR_MAX(d));
    alloc_sz(&s, VHF_SZ_HUGE_MAX(0));
    alloc_sz(&s, VHF_SZ_HUGE_MAX(15));
    emit(&s, "alloc-near-max");

    /* calloc: small products, zero, sizes from every kind. */
    head(&s, 8, 5, 2, VHF_HOOKS_ERROR);
    put(&s, VHF_CALLOC), put(&s, (3u << 2) | 0u), put(&s, VHF_SZ_CLASS(2, 0));
    put(&s, VHF_CALLOC), put(&s, (0u << 2) | 0u), put(&s, VHF_SZ_CLASS(5, 0));
    put(&s, VHF_CALLOC), put(&s, (7u << 2) | 0u), put(&s, VHF_SZ_ORDER(1, 1));
    put(&s, VHF_CALLOC), put(&s, (5u << 2) | 3u), put(&s, VHF_SZ_ORDER(2, 0));
    emit(&s, "calloc-basic");

    /* calloc: products that overflow by one, and huge ones that fit. */
    head(&s, 5, 0, 0, VHF_HOOKS_LOCK_ERROR);
    for (unsigned a = 0; a < 63; a += 7) {
        put(&s, VHF_CALLOC), put(&s, (a << 2) | 1u);
        put(&s, VHF_CALLOC), put(&s, (a << 2) | 2u);
    }
    put(&s, VHF_CALLOC), put(&s, (2u << 2) | 3u), put(&s, VHF_SZ_HUGE_MAX(0));
    put(&s, VHF_CALLOC), put(&s, (0u << 2) | 3u), put(&s, VHF_SZ_HUGE_MAX(0));
    emit(&s, "calloc-overflow");

    /* realloc growing a slab object through classes into pages, in place
     * while the upper buddies are free. */
    head(&s, 10, 0, 0, VHF_HOOKS_ERROR);
    alloc_sz(&s, VHF_SZ_CLASS(0, 0));
    realloc_sz(&s, 0, VHF_SZ_CLASS(1, 0));
    realloc_sz(&s, 0, VHF_SZ_CLASS(7, 1));
    realloc_sz(&s, 0, VHF_SZ_ORDER(1, 0));
    realloc_sz(&s, 0, VHF_SZ_ORDER(3, 1));
    realloc_sz(&s, 0, VHF_SZ_ORDER(5, 0));
    emit(&s, "realloc-grow");

    /* realloc shrinking a large block in place, then growing it back. */
    head(&s, 11, 9, 3, VHF_HOOKS_NONE);
    alloc_medium(&s, 1000000);
    realloc_medium(&s, 0, 300000);
    realloc_sz(&s, 0, VHF_SZ_ORDER(2, 0));
    realloc_sz(&s, 0, VHF_SZ_TINY(100));
    realloc_sz(&s, 0, VHF_SZ_ORDER(6, 0));
    emit(&s, "realloc-shrink");

    /* realloc that must move: the upper buddy is taken. */
    head(&s, 9, 0, 0, VHF_HOOKS_ERROR);
    alloc_sz(&s, VHF_SZ_ORDER(0, 0));
    alloc_sz(&s, VHF_SZ_ORDER(0, 0));
    realloc_sz(&s, 0, VHF_SZ_ORDER(1, 0));
    realloc_sz(&s, 0, VHF_SZ_CLASS(3, 0));
    alloc_sz(&s, VHF_SZ_CLASS(3, 0));
    realloc_sz(&s, 1, VHF_SZ_CLASS(5, 0));
    emit(&s, "realloc-move");

    /* realloc growing an upper half (its buddy lies below: must move) next
     * to a free block of its order, and a lower half that grows in place. */
    head(&s, 13, 0, 0, VHF_HOOKS_ERROR); /* one top-order block: pages 0, 1, 2, 3 */
    for (unsigned i = 0; i < 4; i++)
        alloc_sz(&s, VHF_SZ_ORDER(0, 0));
    free_slot(&s, 2);
    realloc_sz(&s, 1, VHF_SZ_ORDER(1, 0));
    free_slot(&s, 0);
    realloc_sz(&s, 0, VHF_SZ_ORDER(1, 0));
    emit(&s, "realloc-grow-upper-half");

    /* realloc(NULL, n), realloc to 0, and past VH_MAX_ALLOC. */
    head(&s, 8, 0, 0, VHF_HOOKS_ERROR);
    realloc_sz(&s, 255, VHF_SZ_CLASS(4, 0));
    realloc_sz(&s, 255, VHF_SZ_ORDER(1, 0));
    put(&s, VHF_REALLOC_ZERO), put(&s, 0);
    put(&s, VHF_REALLOC_ZERO), put(&s, 1);
    realloc_sz(&s, 0, VHF_SZ_NEAR_MAX(1));
    realloc_sz(&s, 0, VHF_SZ_HUGE_MAX(0));
    emit(&s, "realloc-null-zero-max");

    /* aligned_alloc with every valid alignment. */
    head(&s, 10, 7, 1, VHF_HOOKS_ERROR);
    for (unsigned v = 0; v <= 12; v++)
        aligned(&s, (8u << 4) | v, VHF_SZ_TINY(v * 2u));
    aligned(&s, (8u << 4) | 12u, VHF_SZ_ORDER(0, 1));
    aligned(&s, (8u << 4) | 11u, VHF_SZ_CLASS(7, 1));
    emit(&s, "aligned-valid");

    /* aligned_alloc with invalid alignments: zero, not a power of two,
     * above VH_MAX_ALIGN, huge. */
    head(&s, 6, 0, 0, VHF_HOOKS_LOCK_ERROR);
    aligned(&s, (4u << 4), VHF_SZ_TINY(8));
    aligned(&s, (5u << 4) | 2u, VHF_SZ_TINY(8));
    aligned(&s, (0u << 4) | 13u, VHF_SZ_TINY(8));
    aligned(&s, (0u << 4) | 15u, VHF_SZ_TINY(8));
    aligned(&s, (6u << 4) | 3u, VHF_SZ_TINY(8));
    aligned(&s, (7u << 4) | 0u, VHF_SZ_TINY(8));
    emit(&s, "aligned-invalid");

    /* Free every live block, in order. */
    head(&s, 7, 0, 0, VHF_HOOKS_NONE);
    for (unsigned i = 0; i < 6; i++)
        alloc_sz(&s, VHF_SZ_CLASS(i, 0));
    alloc_small(&s, 5000);
    for (unsigned i = 0; i < 7; i++)
        free_slot(&s, 0);
    emit(&s, "free-live");

    /* Double free of a slab object and of a page block. */
    head(&s, 6, 0, 0, VHF_HOOKS_ERROR);
    alloc_sz(&s, VHF_SZ_CLASS(1, 0));
    alloc_sz(&s, VHF_SZ_CLASS(1, 0));
    alloc_sz(&s, VHF_SZ_ORDER(0, 0));
    free_slot(&s, 0);
    put(&s, VHF_STALE), put(&s, 0);
    free_slot(&s, 1);
    put(&s, VHF_STALE), put(&s, 1);
    emit(&s, "double-free");

    /* Free after the block was handed out again: frees the new owner. */
    head(&s, 6, 0, 0, VHF_HOOKS_ERROR);
    alloc_sz(&s, VHF_SZ_CLASS(2, 0));
    free_slot(&s, 0);
    alloc_sz(&s, VHF_SZ_CLASS(2, 0));
    put(&s, VHF_STALE), put(&s, 0);
    put(&s, VHF_STALE), put(&s, 0);
    emit(&s, "free-after-reuse");

    /* Interior pointers of every kind into slab objects and page blocks. */
    head(&s, 8, 0, 0, VHF_HOOKS_LOCK_ERROR);
    alloc_sz(&s, VHF_SZ_CLASS(3, 0));
    alloc_sz(&s, VHF_SZ_ORDER(2, 0));
    for (unsigned m = 0; m < 8; m++) {
        put(&s, VHF_INTERIOR), put(&s, 0), put(&s, (1u << 3) | m);
        put(&s, VHF_INTERIOR), put(&s, 1), put(&s, (1u << 3) | m);
    }
    emit(&s, "interior");

    /* Foreign pointers: stack, static, header, around the pages. */
    head(&s, 5, 3, 0, VHF_HOOKS_ERROR);
    for (unsigned f = 0; f < VHF_NFOREIGN; f++)
        put(&s, VHF_FOREIGN), put(&s, f);
    emit(&s, "foreign");

    /* Wild pointers: free, realloc and vh_usable_size anywhere. */
    head(&s, 7, 0, 0, VHF_HOOKS_ERROR);
    alloc_sz(&s, VHF_SZ_CLASS(0, 0));
    alloc_sz(&s, VHF_SZ_ORDER(1, 0));
    for (unsigned i = 0; i < 8; i++) {
        put(&s, VHF_WILD), put(&s, i & 7u), put(&s, 0), put(&s, 16u * i), put(&s, 16u);
        if ((i & 3u) == 1u)
            put(&s, VHF_SZ_CLASS(1, 0));
    }
    emit(&s, "wild");

    /* One-page heap: fill it with objects, then run out; the cached empty
     * slab must be given back for a page request. */
    head(&s, 3, 0, 0, VHF_HOOKS_ERROR);
    fill(&s, 64, VHF_SZ_CLASS(6, 0));
    alloc_sz(&s, VHF_SZ_CLASS(0, 0));
    alloc_sz(&s, VHF_SZ_ORDER(0, 0));
    put(&s, VHF_FREE_SOME), put(&s, 0);
    free_slot(&s, 0);
    alloc_sz(&s, VHF_SZ_ORDER(0, 0));
    emit(&s, "oom-one-page");

    /* Cached empty slabs of several classes given back to buddy. */
    head(&s, 4, 0, 0, VHF_HOOKS_NONE);
    alloc_sz(&s, VHF_SZ_CLASS(0, 0));
    alloc_sz(&s, VHF_SZ_CLASS(4, 0));
    free_slot(&s, 0);
    free_slot(&s, 0);
    alloc_sz(&s, VHF_SZ_ORDER(0, 0));
    alloc_sz(&s, VHF_SZ_ORDER(0, 0));
    alloc_sz(&s, VHF_SZ_CLASS(7, 0));
    emit(&s, "cached-slab-reclaim");

    /* Fill slabs of class 16 past one page (254 objects per page). */
    head(&s, 6, 0, 0, VHF_HOOKS_NONE);
    for (unsigned i = 0; i < 5; i++)
        fill(&s, 64, VHF_SZ_CLASS(0, 0));
    put(&s, VHF_FREE_SOME), put(&s, 0);
    put(&s, VHF_FREE_SOME), put(&s, 1);
    emit(&s, "slab16-many");

    /* Top-order blocks: one fits in 2 MiB + metadata, none in exactly 2 MiB. */
    head(&s, 13, 0, 0, VHF_HOOKS_ERROR);
    alloc_sz(&s, VHF_SZ_ORDER(9, 0));
    alloc_sz(&s, VHF_SZ_ORDER(0, 0));
    free_slot(&s, 0);
    alloc_sz(&s, VHF_SZ_ORDER(0, 0));
    alloc_sz(&s, VHF_SZ_ORDER(9, 0));
    emit(&s, "top-order");
    head(&s, 12, 0, 0, VHF_HOOKS_ERROR);
    alloc_sz(&s, VHF_SZ_ORDER(9, 0));
    alloc_sz(&s, VHF_SZ_ORDER(8, 0));
    alloc_sz(&s, VHF_SZ_ORDER(8, 0));
    emit(&s, "exactly-2mib-region");

    /* Two top-order blocks and a tail; growth across the tail's blocks. */
    head(&s, 15, 0, 0, VHF_HOOKS_ERROR);
    alloc_sz(&s, VHF_SZ_ORDER(9, 0));
    alloc_sz(&s, VHF_SZ_ORDER(9, 0));
    alloc_sz(&s, VHF_SZ_ORDER(3, 0));
    realloc_sz(&s, 2, VHF_SZ_ORDER(4, 0));
    alloc_sz(&s, VHF_SZ_ORDER(9, 0));
    emit(&s, "two-top-orders");

    /* Regions too small for a heap, at every phase. */
    for (unsigned r = 0; r < 3; r++) {
        for (unsigned ph = 0; ph < 4; ph++) {
            head(&s, r, ph * 5u, ph, VHF_HOOKS_ERROR);
            alloc_sz(&s, VHF_SZ_CLASS(0, 0));
            char name[64];
            snprintf(name, sizeof name, "init-small-r%u-p%u", r, ph);
            emit(&s, name);
        }
    }

    /* Every misalignment 0..15 and hooks mode on an odd region. */
    for (unsigned m = 0; m < 16; m += 5) {
        head(&s, 4, m, m & 3u, m & 3u);
        alloc_sz(&s, VHF_SZ_CLASS(1, 0));
        alloc_sz(&s, VHF_SZ_ORDER(0, 0));
        free_slot(&s, 0);
        put(&s, VHF_STALE), put(&s, 0);
        char name[64];
        snprintf(name, sizeof name, "misalign-%u-hooks-%u", m, m & 3u);
        emit(&s, name);
    }

    /* Bad heap handles change nothing. */
    head(&s, 5, 0, 0, VHF_HOOKS_LOCK_ERROR);
    alloc_sz(&s, VHF_SZ_CLASS(2, 0));
    put(&s, VHF_HANDLE);
    emit(&s, "bad-handle");

    /* Fragment a heap, then ask for large blocks. */
    head(&s, 9, 0, 0, VHF_HOOKS_ERROR);
    fill(&s, 30, VHF_SZ_ORDER(0, 0));
    put(&s, VHF_FREE_SOME), put(&s, 0);
    alloc_sz(&s, VHF_SZ_ORDER(1, 0));
    alloc_sz(&s, VHF_SZ_ORDER(3, 0));
    emit(&s, "fragmented");

    printf("ops-seeds: wrote %d seeds to %s\n", g_count, g_dir);
    return 0;
}
