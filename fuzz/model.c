/* SPDX-License-Identifier: MIT */
/* model: the reference model's arithmetic and page picture (see model.h). */
#include <stdlib.h>
#include <string.h>

#include "heap.h" /* the heap's own view: model_geometry and model_header_bytes only */
#include "model.h"

_Static_assert(VH_MAX_ORDER == MODEL_MAX_ORDER, "the model assumes the default top order");

struct model model;

/* ------------------------------------------------------------------------ */
/* The heap's own view: the one place that reads core internals.  When the  */
/* core renames its fields, only this section changes.                      */

void model_geometry(const vh_heap *h, uintptr_t *base, uint32_t *npages)
{
    *base = (uintptr_t)h->area.base;
    *npages = h->area.npages;
}

size_t model_header_bytes(void)
{
    return sizeof(struct vh_heap);
}

/* ------------------------------------------------------------------------ */
/* Documented geometry (vheap.h, heap.c): the model's own arithmetic        */

static size_t cls_size(unsigned c)
{
    return (size_t)16 << c;
}

/* Objects per slab page: the page holds objects only (the bitmap is in
 * the descriptor). */
static size_t cls_cap(unsigned c)
{
    return PAGE / cls_size(c);
}

static unsigned cls_of(size_t need)
{
    unsigned c = 0;
    while (cls_size(c) < need)
        c++;
    return c;
}

/* Buddy order of a request of need > 2048 bytes (2049..4096: order 0);
 * MODEL_MAX_ORDER + 1 past VH_MAX_ALLOC. */
static unsigned order_of(size_t need)
{
    unsigned k = 0;
    while (k <= MODEL_MAX_ORDER && (PAGE << k) < need)
        k++;
    return k;
}

static size_t usable_of(size_t need)
{
    return need <= 2048u ? cls_size(cls_of(need)) : PAGE << order_of(need);
}

/* The documented layout [pad 16][header][24 B x n][pad 4096][n pages]: the
 * largest n whose descriptors and pages fit. */
bool model_layout(uintptr_t start, size_t size, uintptr_t *base, uint32_t *npages)
{
    if (size < PAGE || size > UINTPTR_MAX - start)
        return false;
    uintptr_t end = start + size;
    uintptr_t desc = ((start + 15u) & ~(uintptr_t)15u) + model_header_bytes();
    if (desc > end)
        return false;
    for (size_t n = size / PAGE; n > 0; n--) {
        uintptr_t meta_end = desc + n * VH_PAGE_DESCRIPTOR_SIZE;
        uintptr_t b = (meta_end + PAGE - 1u) & ~(uintptr_t)(PAGE - 1u);
        if (meta_end <= end && b <= end && (end - b) / PAGE >= n) {
            *base = b;
            *npages = (uint32_t)n;
            return true;
        }
    }
    return false;
}

void model_reset(vh_heap *h, unsigned char *region, size_t size, unsigned char *base, uint32_t npages)
{
    model.h = h;
    model.region = region;
    model.size = size;
    model.base = base;
    model.npages = npages;
    memset(model.pg, 0, sizeof model.pg[0] * npages);
    for (unsigned c = 0; c < MODEL_NCLASSES; c++) {
        model.cached[c] = -1;
        model.npartial[c] = 0;
    }
    model.acc_free = (size_t)npages * PAGE;
    memset(model.fw, 0, sizeof model.fw);
    for (uint32_t p = 0; p < npages; p++)
        model.fw[0][p / 64u] |= (uint64_t)1 << (p % 64u);
    memcpy(model.fw[1], model.fw[0], sizeof model.fw[0]);
    model.largest_valid[0] = model.largest_valid[1] = false;
    model.nlive = 0;
    model.nfreed = model.freed_pos = 0;
    model.allocs = model.deallocs = model.failed = model.errors = 0;
    model.used = model.nblocks = model.peak_used = model.peak_blocks = 0;
    model.counted_live = model.counted_peak = model.max_need = 0;
    model.last_q = NULL;
    model.dirty = true;
}

static size_t counted_of(size_t need)
{
    return need < 16u ? 16u : need;
}

/* An allocation of need bytes fails for want of memory: the region must be
 * smaller than vh_region_size_for says is enough for the sequence so far
 * (every request at most max_need, at most counted_peak live, the failed
 * one counted as live), else the helper's bound is wrong. */
static void sizing_check_failure(size_t need)
{
    size_t m = model.counted_live + counted_of(need);
    if (m < model.counted_peak)
        m = model.counted_peak;
    size_t enough = vh_region_size_for(m, model.max_need);
    REQUIRE(enough == 0 || model.size < enough,
            "a request of %zu bytes failed in a region of %zu bytes, but vh_region_size_for(%zu, %zu) = %zu "
            "says no request can fail there",
            need, model.size, m, model.max_need, enough);
}

static void note_peaks(void)
{
    if (model.used > model.peak_used)
        model.peak_used = model.used;
    if (model.nblocks > model.peak_blocks)
        model.peak_blocks = model.nblocks;
}

void model_reset_peaks(void)
{
    model.peak_used = model.used;
    model.peak_blocks = model.nblocks;
}

/* ------------------------------------------------------------------------ */
/* The page picture                                                         */

static size_t page_of(const unsigned char *p)
{
    return (size_t)(p - model.base) / PAGE;
}

/* fw[] is kept page by page (account()); when every call is checked it is
 * compared with a rebuild from pg[] and cached[] whenever pg[] changed. */
static void free_bits(void)
{
    if (!model.dirty)
        return;
    model.dirty = false;
    if (vhf_deep_every > 1u)
        return;
    static uint64_t want[2][MODEL_MAX_PAGES / 64u + 1u];
    size_t nw = (model.npages + 63u) / 64u;
    memset(want, 0, sizeof want);
    for (uint32_t p = 0; p < model.npages; p++)
        if (model.pg[p].kind == PK_FREE)
            want[0][p / 64u] |= (uint64_t)1 << (p % 64u);
    memcpy(want[1], want[0], nw * sizeof(uint64_t));
    for (unsigned c = 0; c < MODEL_NCLASSES; c++)
        if (model.cached[c] >= 0)
            want[1][model.cached[c] / 64] |= (uint64_t)1 << (model.cached[c] % 64);
    REQUIRE(memcmp(want[0], model.fw[0], nw * sizeof(uint64_t)) == 0 &&
                memcmp(want[1], model.fw[1], nw * sizeof(uint64_t)) == 0,
            "model inconsistent: its free-page bitmaps differ from its page picture");
}

/* Whether the aligned block [start, start + len) lies inside the heap and
 * all its pages are free (v as in fw). */
static bool range_free(unsigned v, uint32_t start, uint32_t len)
{
    free_bits();
    if (start > model.npages || len > model.npages - start)
        return false;
    const uint64_t *f = model.fw[v];
    if (len < 64u) {
        uint64_t m = (((uint64_t)1 << len) - 1u) << (start % 64u);
        return (f[start / 64u] & m) == m;
    }
    for (uint32_t w = start / 64u; w < (start + len) / 64u; w++)
        if (f[w] != UINT64_MAX)
            return false;
    return true;
}

/* Whether some aligned order-k block is all free.  Below order 6 a word at a
 * time: after the shifts, bit i is the AND of bits i .. i + 2^k - 1, kept
 * at block starts only (aligned blocks never straddle a word). */
static bool any_free_block(unsigned v, unsigned k)
{
    static const uint64_t starts[6] = {UINT64_MAX, 0x5555555555555555u, 0x1111111111111111u,
                                       0x0101010101010101u, 0x0001000100010001u, 0x0000000100000001u};
    free_bits();
    if (k < 6u) {
        for (uint32_t w = 0; w < (model.npages + 63u) / 64u; w++) {
            uint64_t x = model.fw[v][w];
            for (unsigned j = 0; j < k; j++)
                x &= x >> (1u << j);
            if (x & starts[k])
                return true;
        }
        return false;
    }
    for (uint32_t s = 0; s + (1u << k) <= model.npages; s += 1u << k)
        if (range_free(v, s, 1u << k))
            return true;
    return false;
}

/* Largest order of a free block (v = 1: counting cached slabs), or -1.
 * Eager merging makes the free blocks exactly the maximal aligned all-free
 * blocks, so this is the largest order with an all-free aligned block. */
static int largest_order(unsigned v)
{
    free_bits();
    if (model.largest_valid[v])
        return model.largest[v];
    int k = (int)MODEL_MAX_ORDER;
    while (k >= 0 && !any_free_block(v, (unsigned)k))
        k--;
    model.largest[v] = k;
    model.largest_valid[v] = true;
    return k;
}

/* Whether free page p heads a free block (the maximal aligned all-free
 * block containing it starts at p). */
static bool free_head(uint32_t p)
{
    unsigned k = 0;
    while (k < MODEL_MAX_ORDER && range_free(0, p & ~((2u << k) - 1u), 2u << k))
        k++;
    return (p & ((1u << k) - 1u)) == 0;
}

static bool slot_live(uint32_t p, size_t i)
{
    return (model.pg[p].slots[i / 64u] >> (i % 64u)) & 1u;
}

static bool slab_partial(uint32_t p, unsigned c)
{
    return model.pg[p].kind == PK_SLAB && model.pg[p].order == c && model.pg[p].live > 0 &&
           model.pg[p].live < cls_cap(c);
}

/* What page p adds to the expected stats: its free bytes (a free page, the
 * free slots of a slab, the whole page of an empty (cached) slab) and, for
 * a partial slab, one to its class's count.  sign -1 before a change of
 * pg[p], +1 after. */
static void account(uint32_t p, int sign)
{
    const struct model_page *d = &model.pg[p];
    size_t fr = 0;
    if (d->kind == PK_FREE) {
        fr = PAGE;
    } else if (d->kind == PK_SLAB) {
        unsigned c = d->order;
        fr = (cls_cap(c) - d->live) * cls_size(c);
        if (d->live == 0)
            fr += PAGE - cls_cap(c) * cls_size(c);
        else if (d->live < cls_cap(c))
            model.npartial[c] += (uint32_t)sign;
    }
    model.acc_free = sign > 0 ? model.acc_free + fr : model.acc_free - fr;
    if (sign > 0) { /* fw: free (v = 0), free or a cached empty slab (v = 1) */
        uint64_t bit = (uint64_t)1 << (p % 64u);
        bool f0 = d->kind == PK_FREE, f1 = f0 || (d->kind == PK_SLAB && d->live == 0);
        model.fw[0][p / 64u] = f0 ? model.fw[0][p / 64u] | bit : model.fw[0][p / 64u] & ~bit;
        model.fw[1][p / 64u] = f1 ? model.fw[1][p / 64u] | bit : model.fw[1][p / 64u] & ~bit;
        model.largest_valid[0] = model.largest_valid[1] = false;
    }
}

static void set_free(uint32_t p, uint32_t n)
{
    for (uint32_t i = p; i < p + n; i++) {
        account(i, -1);
        memset(&model.pg[i], 0, sizeof model.pg[i]);
        account(i, +1);
    }
    model.dirty = true;
}

/* The buddy layer's answer to a request of order k, reclaiming the cached
 * slabs (all of them) when it has no block, as slab_page_alloc documents. */
static bool buddy_can(unsigned k)
{
    int best = largest_order(0);
    if (best >= (int)k)
        return true;
    bool any = false;
    for (unsigned c = 0; c < MODEL_NCLASSES; c++)
        any |= model.cached[c] >= 0;
    if (!any)
        return false;
    for (unsigned c = 0; c < MODEL_NCLASSES; c++) {
        if (model.cached[c] >= 0) {
            set_free((uint32_t)model.cached[c], 1);
            model.cached[c] = -1;
        }
    }
    return largest_order(0) >= (int)k;
}

int model_classify(const unsigned char *ptr, size_t *idx)
{
    uintptr_t u = (uintptr_t)ptr, b = (uintptr_t)model.base;
    if (u < b || u - b >= (uintptr_t)model.npages * PAGE)
        return VH_EFOREIGN;
    uint32_t p = (uint32_t)((u - b) / PAGE);
    size_t in = (u - b) % PAGE;
    const struct model_page *d = &model.pg[p];
    switch (d->kind) {
    case PK_SLAB: {
        size_t sz = cls_size(d->order);
        if (in % sz != 0 || in / sz >= cls_cap(d->order))
            return VH_EINTERIOR;
        if (!slot_live(p, in / sz))
            return VH_EDOUBLEFREE;
        break;
    }
    case PK_BLOCK:
        if (in != 0)
            return VH_EINTERIOR;
        break;
    case PK_TAIL:
        return VH_EINTERIOR;
    default:
        return in == 0 && free_head(p) ? VH_EDOUBLEFREE : VH_EINTERIOR;
    }
    for (size_t i = 0; i < model.nlive; i++) {
        if (model.live[i].p == ptr) {
            *idx = i;
            return VH_OK;
        }
    }
    vhf_fail("model inconsistent: %p is live in the page picture but not in the block table", (void *)ptr);
}

/* ------------------------------------------------------------------------ */
/* Expected stats                                                           */

static void expected_stats(vh_stats *s)
{
    memset(s, 0, sizeof *s);
    s->total_bytes = model.size;
    for (size_t i = 0; i < model.nlive; i++)
        s->used_bytes += model.live[i].usable;
    REQUIRE(s->used_bytes == model.used && model.nlive == model.nblocks,
            "model inconsistent: live blocks sum to %zu bytes (%zu blocks), its count says %zu (%zu)",
            s->used_bytes, model.nlive, model.used, model.nblocks);
    s->peak_used = model.peak_used;
    s->peak_allocations = model.peak_blocks;
    size_t fr = model.acc_free;
    int best_partial = -1;
    for (unsigned c = 0; c < MODEL_NCLASSES; c++)
        if (model.npartial[c] > 0)
            best_partial = (int)c;
    if (vhf_deep_every <= 1u) { /* every call checked: the walk, to check the accounting */
        size_t wf = 0;
        uint32_t wn[MODEL_NCLASSES] = {0};
        for (uint32_t p = 0; p < model.npages; p++) {
            const struct model_page *d = &model.pg[p];
            if (d->kind == PK_FREE) {
                wf += PAGE;
            } else if (d->kind == PK_SLAB) {
                unsigned c = d->order;
                wf += (cls_cap(c) - d->live) * cls_size(c);
                if (d->live == 0)
                    wf += PAGE - cls_cap(c) * cls_size(c); /* cached: the whole page */
                else if (d->live < cls_cap(c))
                    wn[c]++;
            }
        }
        REQUIRE(wf == fr && memcmp(wn, model.npartial, sizeof wn) == 0,
                "model inconsistent: its page walk gives %zu free bytes, its accounts %zu (or the partial slabs differ)",
                wf, fr);
    }
    s->free_bytes = fr;
    s->overhead_bytes = model.size - s->used_bytes - fr;
    s->allocations = model.allocs;
    s->deallocations = model.deallocs;
    s->failed_allocations = model.failed;
    s->errors = model.errors;
    int k = largest_order(1);
    if (k >= 0)
        s->largest_free_block = PAGE << k;
    else if (best_partial >= 0)
        s->largest_free_block = cls_size((unsigned)best_partial);
    s->fragmentation_permille =
        fr == 0 ? 0 : (unsigned)((uint64_t)(fr - s->largest_free_block) * 1000u / fr);
}

#define STAT_EQ(f)                                                                                 \
    REQUIRE(got.f == want.f, "stat " #f " is %zu, model says %zu", (size_t)got.f, (size_t)want.f)

/* ------------------------------------------------------------------------ */
/* The heap walk                                                            */

struct walk_state {
    const struct model_block **want; /* live blocks by address */
    size_t n, seen;
};

static int cmp_block_addr(const void *a, const void *b)
{
    const struct model_block *x = *(const struct model_block *const *)a;
    const struct model_block *y = *(const struct model_block *const *)b;
    return x->p < y->p ? -1 : x->p > y->p;
}

static int walk_visit(void *ctx, void *block, size_t usable)
{
    struct walk_state *w = ctx;
    REQUIRE(w->seen < w->n, "vh_walk visited %zu blocks or more, %zu are live (extra: %p)", w->seen + 1, w->n,
            block);
    const struct model_block *b = w->want[w->seen++];
    REQUIRE(block == b->p && usable == b->usable,
            "vh_walk's visit %zu is %p (%zu bytes); the live block there in address order is %p (%zu bytes)",
            w->seen, block, usable, (void *)b->p, b->usable);
    return 0;
}

void model_check_walk(void)
{
    static const struct model_block *want[MODEL_LIVE_MAX];
    for (size_t i = 0; i < model.nlive; i++)
        want[i] = &model.live[i];
    qsort(want, model.nlive, sizeof want[0], cmp_block_addr);
    struct walk_state w = {want, model.nlive, 0};
    int rc = vh_walk(model.h, walk_visit, &w);
    REQUIRE(rc == VH_OK, "vh_walk returned %d on a sound heap", rc);
    REQUIRE(w.seen == w.n, "vh_walk visited %zu blocks, %zu are live", w.seen, w.n);
}

void model_check_stats(void)
{
    vh_stats got, want;
    vh_get_stats(model.h, &got);
    expected_stats(&want);
    STAT_EQ(total_bytes);
    STAT_EQ(used_bytes);
    STAT_EQ(free_bytes);
    STAT_EQ(overhead_bytes);
    STAT_EQ(allocations);
    STAT_EQ(deallocations);
    STAT_EQ(failed_allocations);
    STAT_EQ(errors);
    STAT_EQ(largest_free_block);
    STAT_EQ(fragmentation_permille);
    STAT_EQ(peak_used);
    STAT_EQ(peak_allocations);
}

/* ------------------------------------------------------------------------ */
/* Allocation and free, following the allocator                             */

size_t model_alloc(unsigned char *q, size_t need, size_t align)
{
    if (need > VH_MAX_ALLOC) {
        REQUIRE(q == NULL, "request of %zu bytes (> VH_MAX_ALLOC) returned %p", need, (void *)q);
        model.failed++;
        return 0;
    }
    if (need > model.max_need)
        model.max_need = need;
    size_t usable = usable_of(need);
    uintptr_t u = (uintptr_t)q, b = (uintptr_t)model.base;
    bool slab = need <= 2048u;
    unsigned c = slab ? cls_of(need) : 0;
    unsigned k = slab ? 0 : order_of(need);
    int32_t want_page = -1; /* slab: the page the object must come from, if forced */
    bool need_partial = false, new_page = false;
    if (slab) {
        need_partial = model.npartial[c] > 0; /* some slab_partial(p, c) */
        if (!need_partial) {
            if (model.cached[c] >= 0)
                want_page = model.cached[c];
            else if (buddy_can(0))
                new_page = true;
            else {
                REQUIRE(q == NULL, "slab class %zu: %p returned, but no slab has room and no page is free",
                        cls_size(c), (void *)q);
                sizing_check_failure(need);
                model.failed++;
                return 0;
            }
        }
    } else if (!buddy_can(k)) {
        REQUIRE(q == NULL, "order %u: %p returned, but no free block of order >= %u", k, (void *)q, k);
        sizing_check_failure(need);
        model.failed++;
        return 0;
    }
    REQUIRE(q != NULL, "spurious out of memory: %zu bytes (%s %u) refused, the model has room", need,
            slab ? "class" : "order", slab ? (unsigned)cls_size(c) : k);
    REQUIRE(u >= b && u - b < (uintptr_t)model.npages * PAGE &&
                usable <= (uintptr_t)model.npages * PAGE - (u - b),
            "block %p + %zu outside the heap's pages [%p, +%zu)", (void *)q, usable, (void *)model.base,
            (size_t)model.npages * PAGE);
    REQUIRE(q >= model.region && q + usable <= model.region + model.size, "block outside the region");
    REQUIRE(u % 16u == 0 && u % align == 0, "block %p not aligned to %zu", (void *)q, align < 16 ? 16 : align);
    /* Disjoint from every live block (the page picture implies it; this is
     * the plain statement). */
    for (size_t i = 0; i < model.nlive; i++)
        REQUIRE(q + usable <= model.live[i].p || model.live[i].p + model.live[i].usable <= q,
                "block %p+%zu overlaps live block %p+%zu", (void *)q, usable, (void *)model.live[i].p,
                model.live[i].usable);
    uint32_t p = (uint32_t)((u - b) / PAGE);
    size_t in = (u - b) % PAGE;
    if (slab) {
        size_t sz = cls_size(c);
        REQUIRE(in % sz == 0 && in / sz < cls_cap(c), "object %p: offset %zu in its page is no slot of class %zu",
                (void *)q, in, sz);
        if (need_partial)
            REQUIRE(slab_partial(p, c), "class %zu object %p not from a partial slab of its class", sz, (void *)q);
        else if (want_page >= 0)
            REQUIRE(p == (uint32_t)want_page, "class %zu object from page %u, not the cached empty slab %d", sz, p,
                    want_page);
        else if (new_page)
            REQUIRE(model.pg[p].kind == PK_FREE, "class %zu: new slab on page %u, which is not free", sz, p);
        if (want_page >= 0)
            model.cached[c] = -1;
        account(p, -1);
        if (model.pg[p].kind == PK_FREE) {
            memset(&model.pg[p], 0, sizeof model.pg[p]);
            model.pg[p].kind = PK_SLAB;
            model.pg[p].order = (uint8_t)c;
        }
        size_t i = in / sz;
        REQUIRE(!slot_live(p, i), "object %p handed out twice", (void *)q);
        model.pg[p].slots[i / 64u] |= (uint64_t)1 << (i % 64u);
        model.pg[p].live++;
        account(p, +1);
    } else {
        REQUIRE(in == 0 && p % (1u << k) == 0, "order-%u block %p misaligned relative to base", k, (void *)q);
        for (uint32_t i = p; i < p + (1u << k); i++)
            REQUIRE(model.pg[i].kind == PK_FREE, "order-%u block at page %u takes page %u, which is not free", k,
                    p, i);
        for (uint32_t i = p; i < p + (1u << k); i++)
            account(i, -1);
        model.pg[p].kind = PK_BLOCK;
        model.pg[p].order = (uint8_t)k;
        for (uint32_t i = p + 1; i < p + (1u << k); i++)
            model.pg[i].kind = PK_TAIL;
        for (uint32_t i = p; i < p + (1u << k); i++)
            account(i, +1);
    }
    model.dirty = true;
    size_t us = vh_usable_size(model.h, q);
    REQUIRE(us >= need, "vh_usable_size = %zu < request %zu", us, need);
    REQUIRE(us == usable, "vh_usable_size = %zu, documented usable size %zu (request %zu)", us, usable, need);
    model.used += usable;
    model.nblocks++;
    note_peaks();
    model.last_q = q;
    model.last_counted = counted_of(need);
    model.counted_live += model.last_counted;
    if (model.counted_live > model.counted_peak)
        model.counted_peak = model.counted_live;
    return usable;
}

void model_add_live(unsigned char *q, size_t req, size_t usable, unsigned tag)
{
    REQUIRE(q == model.last_q, "model: block %p made live without model_alloc", (void *)q);
    model.live[model.nlive++] = (struct model_block){q, req, usable, tag, model.last_counted};
    model.last_q = NULL;
}

void model_free(size_t idx)
{
    struct model_block b = model.live[idx];
    uint32_t p = (uint32_t)page_of(b.p);
    struct model_page *d = &model.pg[p];
    if (d->kind == PK_SLAB) {
        size_t i = (size_t)(b.p - (model.base + (size_t)p * PAGE)) / cls_size(d->order);
        account(p, -1);
        d->slots[i / 64u] &= ~((uint64_t)1 << (i % 64u));
        d->live--;
        account(p, +1);
        if (d->live == 0) {
            unsigned c = d->order;
            if (model.cached[c] < 0)
                model.cached[c] = (int32_t)p;
            else
                set_free(p, 1);
        }
    } else {
        set_free(p, 1u << d->order);
    }
    model.dirty = true;
    model.used -= b.usable;
    model.nblocks--;
    model.counted_live -= b.counted;
    model.live[idx] = model.live[--model.nlive];
    model.deallocs++;
    model.freed[model.freed_pos] = b.p;
    model.freed_pos = (model.freed_pos + 1u) % MODEL_FREED_RING;
    if (model.nfreed < MODEL_FREED_RING)
        model.nfreed++;
}

/* ------------------------------------------------------------------------ */
/* realloc in place                                                         */

/* Whether the order-k block at page p can absorb its upper buddies up to
 * order nk (buddy_grow): p aligned to 2^nk, inside, and the pages above its
 * own block up to 2^nk all free (cached slabs are not reclaimed here). */
static bool can_grow(uint32_t p, unsigned k, unsigned nk)
{
    if (p % (1u << nk) != 0 || p + (1u << nk) > model.npages)
        return false;
    for (uint32_t i = p + (1u << k); i < p + (1u << nk); i++)
        if (model.pg[i].kind != PK_FREE)
            return false;
    return true;
}

/* A slab object stays while the new size fits its class; a page block stays
 * when it shrinks or its upper buddies are free to grow into. */
bool model_realloc_in_place(size_t idx, size_t size)
{
    const struct model_block *b = &model.live[idx];
    const struct model_page *d = &model.pg[page_of(b->p)];
    if (d->kind == PK_SLAB)
        return size <= b->usable;
    unsigned k = d->order, nk = order_of(size);
    return nk <= k || (nk <= MODEL_MAX_ORDER && can_grow((uint32_t)page_of(b->p), k, nk));
}

/* A slab object keeps its slot; a page block gives its upper pages back
 * (shrink) or takes its upper buddies (grow) and becomes order nk. */
void model_resize_in_place(size_t idx, size_t size)
{
    struct model_block *b = &model.live[idx];
    if (size > model.max_need)
        model.max_need = size;
    model.counted_live = model.counted_live - b->counted + counted_of(size);
    b->counted = counted_of(size);
    if (model.counted_live > model.counted_peak)
        model.counted_peak = model.counted_live;
    uint32_t p = (uint32_t)page_of(b->p);
    if (model.pg[p].kind == PK_SLAB)
        return;
    unsigned k = model.pg[p].order, nk = order_of(size);
    if (nk < k)
        set_free(p + (1u << nk), (1u << k) - (1u << nk));
    for (uint32_t i = p + (1u << k); i < p + (1u << nk); i++) {
        account(i, -1); /* a free page becomes part of the block */
        model.pg[i].kind = PK_TAIL;
        account(i, +1);
    }
    model.pg[p].order = (uint8_t)nk;
    model.dirty = true;
    model.used = model.used - b->usable + (PAGE << nk);
    b->usable = PAGE << nk;
    note_peaks();
}
