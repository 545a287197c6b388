/* Long random differential test: >= 1 million operations over several seeds
 * against a plain model (live blocks with their own byte pattern, an owner
 * map of 16-byte granules for disjointness, its own counters), vh_check
 * every 256 operations. */
#include <stdlib.h>
#include <string.h>

#include "th.h"

#define MiB ((size_t)1 << 20)
#define MAX_LIVE 2000

struct blk {
    unsigned char *p;
    size_t req, usable;
    uint32_t id;
};

struct model {
    struct th_heap t;
    struct blk live[MAX_LIVE];
    size_t nlive;
    uint32_t *owner; /* per 16-byte granule of the page area; 0 = unowned */
    size_t ngran;
    uint32_t next_id;
    size_t used, allocs, frees, failed, errors;
};

static unsigned char pattern(uint32_t id, size_t i)
{
    return (unsigned char)(id * 31u + i * 7u + 1u);
}

/* Documented usable size for a request. */
static size_t usable_for(size_t need)
{
    if (need <= 16)
        return 16;
    if (need <= 2048) {
        size_t c = 16;
        while (c < need)
            c <<= 1;
        return c;
    }
    size_t b = 4096;
    while (b < need)
        b <<= 1;
    return b;
}

static bool own(struct model *m, struct blk *b, uint32_t id)
{
    size_t g0 = (size_t)(b->p - m->t.h->area.base) / 16, n = b->usable / 16;
    if (g0 + n > m->ngran)
        return false;
    for (size_t g = g0; g < g0 + n; g++) {
        if (id != 0 && m->owner[g] != 0)
            return false; /* overlaps a live block */
        m->owner[g] = id;
    }
    return true;
}

static bool intact(const struct blk *b)
{
    for (size_t i = 0; i < b->req; i++)
        if (b->p[i] != pattern(b->id, i))
            return false;
    return true;
}

static void paint(struct blk *b)
{
    for (size_t i = 0; i < b->req; i++)
        b->p[i] = pattern(b->id, i);
}

static bool stats_match(struct model *m)
{
    vh_stats s;
    vh_get_stats(m->t.h, &s);
    return s.used_bytes == m->used && s.allocations == m->allocs && s.deallocations == m->frees &&
           s.failed_allocations == m->failed && s.errors == m->errors &&
           s.total_bytes == s.used_bytes + s.free_bytes + s.overhead_bytes &&
           s.allocations - s.deallocations == m->nlive;
}

/* Accepts a new block from the allocator. */
static bool adopt(struct model *m, void *p, size_t req, size_t need, size_t align, bool zeroed)
{
    if (p == NULL) {
        m->failed++;
        return true;
    }
    struct blk b = {p, req, vh_usable_size(m->t.h, p), ++m->next_id};
    uintptr_t u = (uintptr_t)p;
    if (u % 16 != 0 || u % align != 0 || b.usable != usable_for(need) || b.usable < req)
        return false;
    if (!own(m, &b, b.id))
        return false;
    if (zeroed)
        for (size_t i = 0; i < req; i++)
            if (b.p[i] != 0)
                return false;
    paint(&b);
    m->live[m->nlive++] = b;
    m->used += b.usable;
    m->allocs++;
    return true;
}

static size_t pick_size(uint64_t *rng)
{
    static const size_t edges[] = {0, 1, 15, 16, 17, 32, 33, 64, 65, 128, 129, 256, 257, 512,
                                   513, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 4097};
    uint64_t r = t_rand(rng);
    switch (r % 10) {
    case 0: case 1: return edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
    case 2: case 3: case 4: case 5: return (r >> 8) % 2049;
    case 6: case 7: return 2049 + (r >> 8) % 14000;
    case 8: return (r >> 8) % (256 * 1024);
    default: return (r >> 8) % 64 == 0 ? (r >> 16) % (2 * MiB + 2) : (r >> 16) % 65536;
    }
}

static int run_seed(uint64_t seed, size_t nops, size_t region, size_t misalign)
{
    struct model *m = calloc(1, sizeof *m);
    if (!th_new(&m->t, region, misalign, NULL))
        return 1;
    m->ngran = (size_t)m->t.h->area.npages * 4096 / 16;
    m->owner = calloc(m->ngran, sizeof *m->owner);
    uint64_t rng = seed;
    int fail = 0;
    vh_stats fresh;
    vh_get_stats(m->t.h, &fresh);
    for (size_t op = 0; op < nops && !fail; op++) {
        uint64_t r = t_rand(&rng);
        unsigned kind = (unsigned)(r % 100);
        if (m->nlive == 0 || (m->nlive < MAX_LIVE && kind < 45)) {
            size_t sz = pick_size(&rng);
            unsigned how = (unsigned)((r >> 8) % 8);
            if (how == 0) {
                size_t n = 1 + (r >> 16) % 8;
                fail |= !adopt(m, vh_calloc(m->t.h, n, sz / n), sz / n * n, sz / n * n, 1, true) << 1;
            } else if (how == 1) {
                size_t a = (size_t)1 << ((r >> 16) % 13);
                fail |= !adopt(m, vh_aligned_alloc(m->t.h, a, sz), sz, sz > a ? sz : a, a, false) << 2;
            } else {
                fail |= !adopt(m, vh_alloc(m->t.h, sz), sz, sz, 1, false) << 3;
            }
        } else if (kind < 80) {
            size_t j = (r >> 8) % m->nlive;
            struct blk b = m->live[j];
            if (!intact(&b)) {
                fail = 16;
                break;
            }
            own(m, &b, 0);
            if (vh_free(m->t.h, b.p) != 0) {
                fail = 32;
                break;
            }
            m->live[j] = m->live[--m->nlive];
            m->used -= b.usable;
            m->frees++;
            if (kind < 50) {
                /* Immediate second free: reported, nothing changes. */
                int rc = vh_free(m->t.h, b.p);
                if (rc != VH_EDOUBLEFREE && rc != VH_EINTERIOR)
                    fail = 64;
                m->errors++;
            }
        } else if (kind < 95) {
            size_t j = (r >> 8) % m->nlive;
            struct blk *b = &m->live[j];
            size_t sz = pick_size(&rng);
            if (!intact(b)) {
                fail = 128;
                break;
            }
            unsigned char *q = vh_realloc(m->t.h, b->p, sz);
            if (q == NULL) {
                m->failed++;
                if (!intact(b) || vh_usable_size(m->t.h, b->p) != b->usable)
                    fail = 256;
                continue;
            }
            size_t keep = b->req < sz ? b->req : sz;
            for (size_t i = 0; i < keep; i++)
                if (q[i] != pattern(b->id, i))
                    fail = 512;
            own(m, b, 0);
            m->used -= b->usable;
            size_t nu = vh_usable_size(m->t.h, q);
            bool in_place = q == b->p;
            if (!in_place) {
                m->allocs++;
                m->frees++;
                if (nu != usable_for(sz))
                    fail = 1024;
            } else if (nu < sz || (b->usable > 4096 && nu != (sz <= 4096 ? 4096 : usable_for(sz))) ||
                       (b->usable <= 2048 && nu != b->usable)) {
                fail = 2048;
            }
            b->p = q;
            b->req = sz;
            b->usable = nu;
            b->id = ++m->next_id;
            if (!own(m, b, b->id))
                fail = 4096;
            paint(b);
            m->used += nu;
        } else {
            /* Misuse on a live block: interior, misaligned, foreign. */
            struct blk *b = &m->live[(r >> 8) % m->nlive];
            int rc1 = b->usable > 16 ? vh_free(m->t.h, b->p + 16) : VH_EINTERIOR;
            int rc2 = vh_free(m->t.h, b->p + 1);
            int rc3 = vh_free(m->t.h, (unsigned char *)m->t.h->area.base - 32);
            m->errors += (b->usable > 16) + 2;
            if (rc1 != VH_EINTERIOR || rc2 != VH_EINTERIOR || rc3 != VH_EFOREIGN)
                fail = 8192;
        }
        if (!fail && !stats_match(m))
            fail = 16384;
        if (!fail && op % 256 == 255) {
            if (vh_check(m->t.h) != 0)
                fail = 32768;
            for (size_t i = 0; i < m->nlive && !fail; i++)
                if (!intact(&m->live[i]))
                    fail = 65536;
        }
        if (fail)
            fprintf(stderr, "  seed %llu op %zu: failure %d\n", (unsigned long long)seed, op, fail);
    }
    /* Free everything: as good as new. */
    while (!fail && m->nlive > 0) {
        struct blk b = m->live[--m->nlive];
        if (!intact(&b) || vh_free(m->t.h, b.p) != 0)
            fail = 1 << 17;
    }
    vh_stats s;
    vh_get_stats(m->t.h, &s);
    if (!fail && (s.used_bytes != 0 || vh_check(m->t.h) != 0 ||
                  s.largest_free_block != fresh.largest_free_block))
        fail = 1 << 18;
    th_free(&m->t);
    free(m->owner);
    free(m);
    return fail;
}

TEST(random_differential_million_ops)
{
    static const struct {
        uint64_t seed;
        size_t region, misalign;
    } runs[] = {
        {1, 8 * MiB, 0},
        {2, 6 * MiB + 40960 + 3, 3},
        {3, 3 * MiB + 777, 15},
        {4, 512 * 1024 + 5, 8}, /* small: out-of-memory is common */
    };
    size_t total = 0;
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        CHECK_EQ(run_seed(runs[i].seed, 260000, runs[i].region, runs[i].misalign), 0);
        total += 260000;
    }
    printf("     %zu random operations, 4 seeds\n", total);
    CHECK(total >= 1000000);
}
