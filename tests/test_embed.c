/* SPDX-License-Identifier: MIT */
/* What firmware users ask of a heap: high-water marks (vh_stats.peak_*,
 * vh_reset_peaks), the heap walk (vh_walk) and the sizing helpers
 * (vh_region_size_for, vh_min_region_size). */
#include <stdlib.h>
#include <string.h>

#include "th.h"

#define KiB ((size_t)1 << 10)
#define MiB ((size_t)1 << 20)

static vh_stats stats_of(vh_heap *h)
{
    vh_stats s;
    vh_get_stats(h, &s);
    return s;
}

TEST(peaks_follow_use_and_reset)
{
    struct th_heap t;
    CHECK(th_new(&t, 1 * MiB, 3, NULL));
    vh_stats s = stats_of(t.h);
    CHECK_EQ(s.peak_used, 0);
    CHECK_EQ(s.peak_allocations, 0);
    void *a = vh_alloc(t.h, 100);   /* 128 */
    void *b = vh_alloc(t.h, 5000);  /* 8192 */
    void *c = vh_alloc(t.h, 16);    /* 16 */
    CHECK(a && b && c);
    s = stats_of(t.h);
    CHECK_EQ(s.peak_used, 128 + 8192 + 16);
    CHECK_EQ(s.peak_allocations, 3);
    CHECK_EQ(vh_free(t.h, b), 0);
    s = stats_of(t.h);
    CHECK_EQ(s.used_bytes, 144);
    CHECK_EQ(s.peak_used, 128 + 8192 + 16); /* a mark does not fall with use */
    CHECK_EQ(s.peak_allocations, 3);
    CHECK_EQ(vh_reset_peaks(t.h), 0);
    s = stats_of(t.h);
    CHECK_EQ(s.peak_used, 144);
    CHECK_EQ(s.peak_allocations, 2);
    /* A moving realloc holds both blocks at once, and counts them. */
    void *a2 = vh_realloc(t.h, a, 3000); /* 128 -> 4096, moves */
    CHECK(a2 != NULL && a2 != a);
    s = stats_of(t.h);
    CHECK_EQ(s.used_bytes, 4096 + 16);
    CHECK_EQ(s.peak_used, 128 + 4096 + 16);
    CHECK_EQ(s.peak_allocations, 3);
    /* A buddy block grown in place raises the mark too. */
    CHECK_EQ(vh_reset_peaks(t.h), 0);
    void *g = vh_realloc(t.h, a2, 16000); /* 4096 -> 16384: in place if its buddies are free */
    CHECK(g != NULL);
    s = stats_of(t.h);
    CHECK_EQ(s.peak_used, g == a2 ? 16384 + 16 : 4096 + 16384 + 16);
    CHECK_EQ(vh_check(t.h), 0);
    /* Misuse changes no mark. */
    size_t before = s.peak_used;
    CHECK_EQ(vh_free(t.h, (char *)g + 16), VH_EINTERIOR);
    CHECK(vh_alloc(t.h, 4 * MiB) == NULL);
    s = stats_of(t.h);
    CHECK_EQ(s.peak_used, before);
    CHECK_EQ(vh_reset_peaks(NULL), VH_EINVAL);
    th_free(&t);
}

TEST(peaks_are_checked_invariants)
{
    struct th_heap t;
    CHECK(th_new(&t, 256 * KiB, 0, NULL));
    void *p = vh_alloc(t.h, 64);
    CHECK(p != NULL);
    CHECK_EQ(vh_check(t.h), 0);
    t.h->peak_used = 0; /* a wild write below the present use: H5 */
    CHECK_EQ(vh_check(t.h), VH_CHECK_STATS);
    CHECK_EQ(vh_reset_peaks(t.h), 0);
    CHECK_EQ(vh_check(t.h), 0);
    t.h->peak_allocations = 0;
    CHECK_EQ(vh_check(t.h), VH_CHECK_STATS);
    CHECK_EQ(vh_reset_peaks(t.h), 0);
    CHECK_EQ(vh_check(t.h), 0);
    th_free(&t);
}

struct walk_log {
    size_t n, stop_after;
    void *block[64];
    size_t usable[64];
};

static int walk_record(void *ctx, void *block, size_t usable)
{
    struct walk_log *w = ctx;
    if (w->n < 64) {
        w->block[w->n] = block;
        w->usable[w->n] = usable;
    }
    w->n++;
    return w->stop_after != 0 && w->n >= w->stop_after;
}

TEST(walk_visits_live_blocks_in_address_order)
{
    struct th_heap t;
    CHECK(th_new(&t, 1 * MiB, 7, NULL));
    struct walk_log w = {0};
    CHECK_EQ(vh_walk(t.h, walk_record, &w), 0);
    CHECK_EQ(w.n, 0);
    void *p[12];
    static const size_t sizes[12] = {1, 16, 17, 100, 2048, 2049, 4096, 4097, 70000, 24, 24, 0};
    for (int i = 0; i < 12; i++) {
        p[i] = vh_alloc(t.h, sizes[i]);
        CHECK(p[i] != NULL);
    }
    CHECK_EQ(vh_free(t.h, p[3]), 0);
    CHECK_EQ(vh_free(t.h, p[7]), 0);
    memset(&w, 0, sizeof w);
    CHECK_EQ(vh_walk(t.h, walk_record, &w), 0);
    CHECK_EQ(w.n, 10);
    size_t used = 0;
    for (size_t i = 0; i < w.n; i++) {
        if (i > 0)
            CHECK((uintptr_t)w.block[i - 1] + w.usable[i - 1] <= (uintptr_t)w.block[i]);
        CHECK_EQ(w.usable[i], vh_usable_size(t.h, w.block[i]));
        bool known = false;
        for (int j = 0; j < 12; j++)
            known |= j != 3 && j != 7 && p[j] == w.block[i];
        CHECK(known);
        used += w.usable[i];
    }
    CHECK_EQ(used, stats_of(t.h).used_bytes);
    /* fn stops the walk. */
    memset(&w, 0, sizeof w);
    w.stop_after = 4;
    CHECK_EQ(vh_walk(t.h, walk_record, &w), 0);
    CHECK_EQ(w.n, 4);
    /* Misuse: no heap, no function. */
    CHECK_EQ(vh_walk(NULL, walk_record, &w), VH_EINVAL);
    CHECK_EQ(vh_walk(t.h, NULL, &w), VH_EINVAL);
    th_free(&t);
}

TEST(walk_refuses_a_broken_heap)
{
    struct th_heap t;
    CHECK(th_new(&t, 256 * KiB, 0, &th_hooks));
    void *p = vh_alloc(t.h, 64);
    CHECK(p != NULL);
    t.h->block_bytes += 4096; /* H2 broken */
    unsigned char *snap = th_snapshot(&t);
    struct walk_log w = {0};
    memset(&th_rec, 0, sizeof th_rec);
    CHECK_EQ(vh_walk(t.h, walk_record, &w), VH_ECORRUPT);
    CHECK_EQ(w.n, 0);
    CHECK(th_unchanged_but_errors(&t, snap));
    CHECK_EQ(th_rec.locks, 1); /* the walk runs under the lock */
    CHECK_EQ(th_rec.unlocks, 1);
    th_free(&t);
}

/* ---- sizing ---- */

TEST(min_region_size_is_the_documented_constant)
{
    CHECK_EQ(vh_min_region_size(), VH_MIN_REGION_SIZE);
    for (size_t mis = 0; mis < 4096; mis += (mis < 32 ? 1 : 509)) {
        struct th_heap t;
        CHECK(th_new(&t, vh_min_region_size(), mis, NULL));
        th_free(&t);
    }
}

TEST(region_size_for_edges)
{
    CHECK_EQ(vh_region_size_for(1 * MiB, VH_MAX_ALLOC + 1), 0);
    CHECK_EQ(vh_region_size_for(0, 0), VH_MIN_REGION_SIZE);
    CHECK_EQ(vh_region_size_for(15, 100), VH_MIN_REGION_SIZE);
    CHECK_EQ(vh_region_size_for(SIZE_MAX, 16), 0); /* more pages than a heap has */
    CHECK(vh_region_size_for(16, 16) >= VH_MIN_REGION_SIZE);
    /* Monotone in both arguments (0, "no size_t is enough", is above all;
     * on 32-bit targets the largest requests get there). */
    size_t prev = 0;
    for (size_t m = 16; m <= 64 * MiB; m *= 2) {
        size_t s = vh_region_size_for(m, 1000);
        s = s == 0 ? SIZE_MAX : s;
        CHECK(s >= prev);
        prev = s;
    }
    prev = 0;
    for (size_t r = 0; r <= VH_MAX_ALLOC; r = r ? r * 2 : 1) {
        size_t s = vh_region_size_for(1 * MiB, r);
        s = s == 0 ? SIZE_MAX : s;
        CHECK(s >= prev);
        prev = s;
    }
}

/* A heap of vh_region_size_for(m, r) bytes at misalignment mis. */
static bool sized_heap(struct th_heap *t, size_t m, size_t r, size_t mis)
{
    size_t size = vh_region_size_for(m, r);
    return size != 0 && th_new(t, size, mis, NULL);
}

/* Counted size of a request (the helper's rule: at least 16 bytes). */
static size_t counted(size_t r)
{
    return r < 16 ? 16 : r;
}

/* The segregation pattern: for each class the requests can reach (sizes
 * just above the class below, the worst usable-to-request ratio), fill the
 * live bound with that size, then free all but one object per page; then
 * fill the bound with the largest request.  Returns the number of failed
 * allocations (must be 0 at the helper's size). */
static size_t drive_segregation(vh_heap *h, size_t m, size_t r, void **keep, size_t nkeep_max)
{
    size_t failed = 0, live = 0, nkeep = 0;
    size_t cap = 1u << 16;
    void **tmp = malloc(cap * sizeof *tmp);
    for (size_t cls = 16; cls <= 2048 && cls <= (r < 16 ? 16 : r); cls *= 2) {
        size_t req = cls == 16 ? 1 : cls / 2 + 1;
        if (req > r)
            req = r;
        size_t n = 0;
        while (live + counted(req) <= m && n < cap) {
            void *p = vh_alloc(h, req);
            if (p == NULL) {
                failed++;
                break;
            }
            tmp[n++] = p;
            live += counted(req);
        }
        /* Keep the first object of each page, free the rest. */
        uintptr_t last_page = 0;
        for (size_t i = 0; i < n; i++) {
            uintptr_t page = (uintptr_t)tmp[i] & ~(uintptr_t)4095;
            if (page != last_page && nkeep < nkeep_max) {
                keep[nkeep++] = tmp[i];
                last_page = page;
            } else {
                vh_free(h, tmp[i]);
                live -= counted(req);
            }
        }
    }
    /* Then the largest request, up to the bound. */
    size_t n = 0;
    while (live + counted(r) <= m && n < cap) {
        void *p = vh_alloc(h, r);
        if (p == NULL) {
            failed++;
            break;
        }
        tmp[n++] = p;
        live += counted(r);
    }
    free(tmp);
    return failed;
}

/* The pinning pattern: fill the bound with one-page blocks, free all but
 * one per aligned group of the largest request's pages, then fill the
 * bound with the largest request. */
static size_t drive_pinning(vh_heap *h, size_t m, size_t r)
{
    size_t failed = 0, live = 0, n = 0, cap = 1u << 16;
    void **tmp = malloc(cap * sizeof *tmp);
    size_t group = 4096;
    while (group < r)
        group *= 2;
    while (live + 4096 <= m && n < cap) {
        void *p = vh_alloc(h, 4096);
        if (p == NULL) {
            failed++;
            break;
        }
        tmp[n++] = p;
        live += 4096;
    }
    uintptr_t base = (uintptr_t)h->area.base, last = UINTPTR_MAX;
    for (size_t i = 0; i < n; i++) {
        uintptr_t g = ((uintptr_t)tmp[i] - base) / group;
        if (g != last)
            last = g;
        else {
            vh_free(h, tmp[i]);
            live -= 4096;
        }
    }
    n = 0;
    while (live + counted(r) <= m && n < cap) {
        void *p = vh_alloc(h, r);
        if (p == NULL) {
            failed++;
            break;
        }
        tmp[n++] = p;
        live += counted(r);
    }
    free(tmp);
    return failed;
}

TEST(region_size_for_survives_the_worst_patterns)
{
    static const size_t ms[] = {16, 4 * KiB, 64 * KiB, 1 * MiB};
    static const size_t rs[] = {1, 16, 100, 2048, 2049, 4096, 5000, 64 * KiB, 2 * MiB};
    static void *keep[1u << 16];
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        for (size_t j = 0; j < sizeof rs / sizeof rs[0]; j++) {
            size_t size = vh_region_size_for(ms[i], rs[j]);
            if (size == 0 || size > 64 * MiB)
                continue; /* large requests over a large bound: hundreds of MiB, or more than a
                             32-bit size_t holds (sizing.c: the bound is loose there) */
            struct th_heap t;
            CHECK(sized_heap(&t, ms[i], rs[j], 4080));
            CHECK_EQ(drive_segregation(t.h, ms[i], rs[j], keep, 1u << 16), 0);
            CHECK_EQ(vh_check(t.h), 0);
            th_free(&t);
            CHECK(sized_heap(&t, ms[i], rs[j], 5));
            CHECK_EQ(drive_pinning(t.h, ms[i], rs[j]), 0);
            CHECK_EQ(vh_check(t.h), 0);
            th_free(&t);
        }
    }
    /* The patterns are real: at a quarter of the size they do fail. */
    struct th_heap t;
    CHECK(th_new(&t, vh_region_size_for(64 * KiB, 2048) / 4, 0, NULL));
    CHECK(drive_segregation(t.h, 64 * KiB, 2048, keep, 1u << 16) > 0);
    th_free(&t);
}

/* Random sequences within the bounds: never a failure. */
TEST(region_size_for_survives_random_sequences)
{
    static const size_t ms[] = {1 * KiB, 32 * KiB, 256 * KiB};
    static const size_t rs[] = {64, 2048, 4096, 20000};
    uint64_t seed = 0x5eed5eedu;
    enum { NLIVE = 4096 };
    void **ptr = malloc(NLIVE * sizeof *ptr);
    size_t *cnt = malloc(NLIVE * sizeof *cnt);
    for (size_t i = 0; i < 3; i++) {
        for (size_t j = 0; j < 4; j++) {
            size_t m = ms[i], r = rs[j], live = 0, n = 0, failed = 0;
            struct th_heap t;
            CHECK(sized_heap(&t, m, r, (size_t)(t_rand(&seed) % 4096)));
            for (int step = 0; step < 200000; step++) {
                uint64_t x = t_rand(&seed);
                if (n > 0 && (x & 3) == 0) {
                    size_t k = (size_t)(x >> 8) % n;
                    CHECK_EQ(vh_free(t.h, ptr[k]), 0);
                    live -= cnt[k];
                    ptr[k] = ptr[--n];
                    cnt[k] = cnt[n];
                    continue;
                }
                /* Small sizes mostly, the largest now and then. */
                size_t req = (x >> 8) % 8 == 0 ? r : (size_t)((x >> 16) % (r < 3000 ? r + 1 : 3000));
                if (live + counted(req) > m || n == NLIVE)
                    continue;
                void *p = vh_alloc(t.h, req);
                if (p == NULL) {
                    failed++;
                    continue;
                }
                ptr[n] = p;
                cnt[n++] = counted(req);
                live += counted(req);
            }
            CHECK_EQ(failed, 0);
            CHECK_EQ(vh_check(t.h), 0);
            th_free(&t);
        }
    }
    free(ptr);
    free(cnt);
}
