/* SPDX-License-Identifier: MIT */
/* The checker is seen failing: each invariant broken on purpose yields its
 * own code; corrupted metadata makes the API report VH_ECORRUPT and never
 * hand out an address outside the region. */
#include <stdlib.h>
#include <string.h>

#include "th.h"

#define MiB ((size_t)1 << 20)

/* A heap with some of everything: blocks, partial and full slabs of classes
 * with one-word and four-word bitmaps, a cached slab, free blocks of
 * several orders. */
static bool busy_heap(struct th_heap *t, void **keep)
{
    /* 1017 pages (1111111001 in binary): free blocks of orders 3..9 are
     * left after the allocations below, which the tests corrupt. */
    if (!th_new(t, 4 * MiB + 20 * 1024, 0, &th_hooks) || t->h->area.npages != 1017)
        return false;
    for (int i = 0; i < 64; i++)
        keep[i] = vh_alloc(t->h, 64); /* one full class-64 slab */
    keep[64] = vh_alloc(t->h, 64);    /* a partial one */
    keep[65] = vh_alloc(t->h, 16);    /* partial, a four-word bitmap */
    keep[66] = vh_alloc(t->h, 20000);
    keep[67] = vh_alloc(t->h, 5000);
    void *tmp = vh_alloc(t->h, 512);
    vh_free(t->h, tmp); /* cached class-512 slab */
    return vh_check(t->h) == 0;
}

static uint32_t page_of(struct th_heap *t, void *p)
{
    return (uint32_t)(((char *)p - page_addr(&t->h->area, 0)) >> 12);
}

#define EXPECT_CODE(code, mutate, restore)                                                         \
    do {                                                                                           \
        mutate;                                                                                    \
        int got_ = vh_check(t.h);                                                                  \
        restore;                                                                                   \
        CHECK_EQ(got_, code);                                                                      \
        CHECK_EQ(vh_check(t.h), 0);                                                                \
    } while (0)

TEST(checker_reports_each_broken_invariant)
{
    struct th_heap t;
    void *k[68];
    CHECK(busy_heap(&t, k));
    struct vh_heap *h = t.h;
    struct vh_page *pg = h->area.pages;
    uint32_t full = page_of(&t, k[0]), part = page_of(&t, k[64]), small = page_of(&t, k[65]);
    uint32_t blk = page_of(&t, k[66]);
    uint32_t f3 = h->buddy.free_head[3];
    CHECK(f3 != VH_NIL);

    EXPECT_CODE(VH_CHECK_HEADER, h->magic ^= 1, h->magic ^= 1);
    uint32_t np = h->area.npages;
    EXPECT_CODE(VH_CHECK_HEADER, h->area.npages = 0, h->area.npages = np);
    struct vh_page_data *base0 = h->area.base;
    EXPECT_CODE(VH_CHECK_HEADER, h->area.base = (struct vh_page_data *)(void *)(base0->bytes + 16),
                h->area.base = base0);
    EXPECT_CODE(VH_CHECK_DESCRIPTOR, pg[blk].kind = VH_PG_LAST + 1, pg[blk].kind = VH_PG_BLOCK);
    EXPECT_CODE(VH_CHECK_DESCRIPTOR, pg[blk].order = 12, pg[blk].order = 3);
    EXPECT_CODE(VH_CHECK_DESCRIPTOR, pg[blk].nfree = 1, pg[blk].nfree = 0);
    EXPECT_CODE(VH_CHECK_DESCRIPTOR, pg[small].kind = VH_PG_LAST + 1, pg[small].kind = slab_kind(0));
    EXPECT_CODE(VH_CHECK_DESCRIPTOR, pg[blk].bits[0] = 1, pg[blk].bits[0] = 0);
    EXPECT_CODE(VH_CHECK_DESCRIPTOR, pg[blk].bits[3] = 1, pg[blk].bits[3] = 0);
    EXPECT_CODE(VH_CHECK_TILING, pg[blk + 1].kind = VH_PG_BLOCK, pg[blk + 1].kind = VH_PG_NONE);
    EXPECT_CODE(VH_CHECK_TILING, pg[blk].order = 2, pg[blk].order = 3);  /* leaves pages uncovered */
    EXPECT_CODE(VH_CHECK_TILING, pg[f3 + 1].next = 5, pg[f3 + 1].next = 0);
    EXPECT_CODE(VH_CHECK_FREE_LIST, pg[f3].prev = 3, pg[f3].prev = VH_NIL);
    EXPECT_CODE(VH_CHECK_FREE_LIST, h->buddy.free_head[3] = VH_NIL, h->buddy.free_head[3] = f3);
    EXPECT_CODE(VH_CHECK_FREE_MASK, h->buddy.free_mask ^= 1u << 3, h->buddy.free_mask ^= 1u << 3);
    EXPECT_CODE(VH_CHECK_FREE_MASK, h->buddy.free_pages++, h->buddy.free_pages--);
    /* Two free buddies of one order left unmerged: split the free order-3
     * block at f3 by hand into two order-2 halves on the order-2 list. */
    {
        uint32_t hi = f3 + 4;
        CHECK_EQ(pagelist_unlink(pg, h->area.npages, &h->buddy.free_head[3], f3), VH_OK);
        if (h->buddy.free_head[3] == VH_NIL)
            h->buddy.free_mask &= ~(1u << 3);
        pg[f3].order = 2;
        pg[hi].kind = VH_PG_FREE;
        pg[hi].order = 2;
        pagelist_push(pg, &h->buddy.free_head[2], f3);
        pagelist_push(pg, &h->buddy.free_head[2], hi);
        h->buddy.free_mask |= 1u << 2;
        CHECK_EQ(vh_check(h), VH_CHECK_UNMERGED);
    }
    th_free(&t);
    CHECK(busy_heap(&t, k));
    h = t.h;
    pg = h->area.pages;
    EXPECT_CODE(VH_CHECK_SLAB_BITMAP, pg[part].bits[0] ^= 1u << 5, pg[part].bits[0] ^= 1u << 5);
    EXPECT_CODE(VH_CHECK_SLAB_BITMAP, pg[part].nfree--, pg[part].nfree++);
    /* A bit at or above the capacity: in a word the class does not use
     * (class 64: one word), and in the tail of its one word (class 512: 8
     * objects). */
    EXPECT_CODE(VH_CHECK_SLAB_BITMAP, pg[part].bits[1] = 1, pg[part].bits[1] = 0);
    uint32_t c512 = h->slabs.cached[5];
    CHECK(c512 < h->area.npages);
    EXPECT_CODE(VH_CHECK_SLAB_BITMAP, pg[c512].bits[0] |= 1u << 8, pg[c512].bits[0] &= ~(1ull << 8));
    /* Class 16: object 255 is the last bit of the fourth word. */
    EXPECT_CODE(VH_CHECK_SLAB_BITMAP, pg[small].bits[3] ^= 1ull << 63, pg[small].bits[3] ^= 1ull << 63);
    EXPECT_CODE(VH_CHECK_SLAB_LIST, h->slabs.partial[2] = VH_NIL, h->slabs.partial[2] = part);
    EXPECT_CODE(VH_CHECK_SLAB_LIST, pg[full].prev = part, pg[full].prev = VH_NIL);
    uint32_t cached = h->slabs.cached[5];
    CHECK(cached != VH_NIL);
    EXPECT_CODE(VH_CHECK_SLAB_LIST, h->slabs.cached[5] = VH_NIL, h->slabs.cached[5] = cached);
    EXPECT_CODE(VH_CHECK_STATS, h->slabs.used_bytes += 16, h->slabs.used_bytes -= 16);
    EXPECT_CODE(VH_CHECK_STATS, h->slabs.slot_bytes += 16, h->slabs.slot_bytes -= 16);
    EXPECT_CODE(VH_CHECK_STATS, h->block_bytes += 4096, h->block_bytes -= 4096);
    EXPECT_CODE(VH_CHECK_STATS, h->allocations++, h->allocations--);
    th_free(&t);
}

TEST(corrupt_free_list_never_escapes_region)
{
    struct th_heap t;
    void *k[68];
    CHECK(busy_heap(&t, k));
    vh_heap *h = t.h;
    /* Every free list head points outside the heap. */
    uint32_t saved[VH_NUM_ORDERS];
    for (unsigned o = 0; o < VH_NUM_ORDERS; o++) {
        saved[o] = h->buddy.free_head[o];
        if (saved[o] != VH_NIL)
            h->buddy.free_head[o] = h->area.npages + 100;
    }
    vh_stats before, after;
    vh_get_stats(h, &before);
    int nerr = th_rec.nerr;
    CHECK(vh_alloc(h, 8192) == NULL);
    CHECK_EQ(th_rec.last_code, VH_ECORRUPT);
    CHECK(vh_alloc(h, 3000) == NULL);
    CHECK(vh_alloc(h, 200) == NULL); /* new class-256 slab needed: page alloc fails too */
    CHECK_EQ(th_rec.nerr, nerr + 3);
    vh_get_stats(h, &after);
    CHECK_EQ(after.errors, before.errors + 3);
    CHECK_EQ(after.used_bytes, before.used_bytes);
    CHECK_EQ(vh_check(h), VH_CHECK_FREE_LIST);
    for (unsigned o = 0; o < VH_NUM_ORDERS; o++)
        h->buddy.free_head[o] = saved[o];
    CHECK_EQ(vh_check(h), 0);
    /* A partial slab list pointing at a page that is no slab. */
    uint32_t part = h->slabs.partial[2];
    h->slabs.partial[2] = page_of(&t, k[66]);
    CHECK(vh_alloc(h, 64) == NULL);
    CHECK_EQ(th_rec.last_code, VH_ECORRUPT);
    h->slabs.partial[2] = part;
    /* A slab claiming more free objects than it has slots. */
    uint32_t ps = page_of(&t, k[64]);
    uint16_t nf = h->area.pages[ps].nfree;
    h->area.pages[ps].nfree = 300;
    CHECK_EQ(vh_free(h, k[64]), VH_ECORRUPT);
    h->area.pages[ps].nfree = nf;
    CHECK_EQ(vh_check(h), 0);
    /* A block descriptor with an impossible order: free refuses it. */
    struct vh_page *pg = h->area.pages;
    uint32_t blk = page_of(&t, k[66]);
    pg[blk].order = 40;
    CHECK_EQ(vh_free(h, k[66]), VH_ECORRUPT);
    CHECK_EQ(vh_usable_size(h, k[66]), 0);
    pg[blk].order = 3;
    /* Unknown kind. */
    pg[blk].kind = 200;
    CHECK_EQ(vh_free(h, k[66]), VH_ECORRUPT);
    pg[blk].kind = VH_PG_BLOCK;
    CHECK_EQ(vh_check(h), 0);
    CHECK_EQ(vh_free(h, k[66]), 0);
    th_free(&t);
}

/* More corruption the checker must name: stray fields in interior and head
 * descriptors, bad list entries, slab states on the wrong lists. */
TEST(checker_reports_descriptor_and_list_details)
{
    struct th_heap t;
    void *k[68];
    CHECK(busy_heap(&t, k));
    struct vh_heap *h = t.h;
    struct vh_page *pg = h->area.pages;
    uint32_t blk = page_of(&t, k[66]), part = page_of(&t, k[64]), full = page_of(&t, k[0]);
    uint32_t f3 = h->buddy.free_head[3];
    /* Interior descriptors must be blank, field by field. */
    EXPECT_CODE(VH_CHECK_TILING, pg[blk + 1].order = 1, pg[blk + 1].order = 0);
    EXPECT_CODE(VH_CHECK_TILING, pg[blk + 1].nfree = 1, pg[blk + 1].nfree = 0);
    EXPECT_CODE(VH_CHECK_TILING, pg[blk + 1].prev = 1, pg[blk + 1].prev = 0);
    EXPECT_CODE(VH_CHECK_TILING, pg[blk + 1].bits[2] = 1, pg[blk + 1].bits[2] = 0);
    /* Heads: misaligned, past the end, free head with slab fields, block
     * head with list links. */
    EXPECT_CODE(VH_CHECK_TILING, pg[f3].order = 4, pg[f3].order = 3);
    EXPECT_CODE(VH_CHECK_DESCRIPTOR, pg[f3].bits[1] = 1, pg[f3].bits[1] = 0);
    EXPECT_CODE(VH_CHECK_DESCRIPTOR, pg[blk].next = 0, pg[blk].next = VH_NIL);
    uint32_t last = h->buddy.free_head[VH_MAX_ORDER];
    CHECK(last != VH_NIL);
    /* Free-list entries: out of range, wrong kind, wrong back link. */
    uint32_t nx = pg[f3].next;
    EXPECT_CODE(VH_CHECK_FREE_LIST, pg[f3].next = h->area.npages + 5, pg[f3].next = nx);
    EXPECT_CODE(VH_CHECK_FREE_LIST, h->buddy.free_head[3] = blk, h->buddy.free_head[3] = f3);
    EXPECT_CODE(VH_CHECK_FREE_MASK, h->buddy.free_mask |= 1u << 20, h->buddy.free_mask &= ~(1u << 20));
    /* Slabs: nfree above capacity, a full slab listed, a partial slab
     * missing from its list, a wrong cached entry. */
    EXPECT_CODE(VH_CHECK_SLAB_BITMAP, pg[part].nfree = 200, pg[part].nfree = 63);
    uint32_t head2 = h->slabs.partial[2];
    EXPECT_CODE(VH_CHECK_SLAB_LIST, h->slabs.partial[2] = full, h->slabs.partial[2] = head2);
    uint32_t cached = h->slabs.cached[5];
    EXPECT_CODE(VH_CHECK_SLAB_LIST, h->slabs.cached[5] = part, h->slabs.cached[5] = cached);
    EXPECT_CODE(VH_CHECK_SLAB_LIST, h->slabs.cached[2] = part, h->slabs.cached[2] = VH_NIL);
    /* Header geometry. */
    struct vh_page_data *base = h->area.base;
    EXPECT_CODE(VH_CHECK_HEADER, h->area.base = base + 4096, h->area.base = base);
    size_t rs = h->region_size;
    EXPECT_CODE(VH_CHECK_HEADER, h->region_size = 4096, h->region_size = rs);
    struct vh_page *pages = h->area.pages;
    EXPECT_CODE(VH_CHECK_HEADER, h->area.pages = pages + 1, h->area.pages = pages);
    th_free(&t);
}
