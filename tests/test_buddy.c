/* SPDX-License-Identifier: MIT */
/* buddy: arithmetic at every order, split and merge on a bare descriptor
 * array (the buddy layer never touches page memory). */
#include <stdlib.h>
#include <string.h>

#include "t.h"

TEST(buddy_arithmetic_every_order)
{
    for (unsigned k = 0; k <= VH_MAX_ORDER; k++) {
        CHECK_EQ(buddy_order_pages(k), 1u << k);
        size_t bytes = VH_PAGE_SIZE << k;
        CHECK_EQ(buddy_order_for_size(bytes), k);
        if (k > 0)
            CHECK_EQ(buddy_order_for_size(bytes / 2 + 1), k);
        if (k < VH_MAX_ORDER)
            CHECK_EQ(buddy_order_for_size(bytes + 1), k + 1);
        for (uint32_t p = 0; p < 4096; p += buddy_order_pages(k)) {
            uint32_t q = buddy_of(p, k);
            CHECK(q != p);
            CHECK_EQ(buddy_of(q, k), p);
            CHECK_EQ(q % buddy_order_pages(k), 0);
            uint32_t parent = buddy_parent(p, k);
            CHECK_EQ(parent, p < q ? p : q);
            CHECK_EQ(parent % (2u * buddy_order_pages(k)), 0);
            CHECK_EQ(buddy_parent(q, k), parent);
        }
    }
    CHECK_EQ(buddy_order_for_size(0), 0);
    CHECK_EQ(buddy_order_for_size(1), 0);
    CHECK_EQ(buddy_order_for_size(VH_MAX_ALLOC + 1), VH_NUM_ORDERS);
    CHECK_EQ(buddy_order_for_size(SIZE_MAX), VH_NUM_ORDERS);
    CHECK(buddy_fits(0, 0, 1) && !buddy_fits(1, 0, 1) && !buddy_fits(0, 1, 1));
    CHECK(buddy_fits(512, 9, 1024) && !buddy_fits(1024, 9, 1024) && !buddy_fits(UINT32_MAX, 0, 5));
}

/* A buddy layer over npages blank descriptors; the area's base is never
 * dereferenced by the buddy layer. */
static struct vh_page *fresh(struct vh_buddy *b, struct vh_area *a, uint32_t npages)
{
    struct vh_page *pages = calloc(npages, sizeof *pages);
    *a = (struct vh_area){(struct vh_page_data *)(uintptr_t)0x100000, pages, npages};
    buddy_init(b, a);
    return pages;
}

TEST(buddy_init_tiles_odd_sizes)
{
    static const uint32_t sizes[] = {1, 2, 3, 5, 511, 512, 513, 1023, 1536, 1537, 3000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct vh_buddy b;
        struct vh_area a;
        struct vh_page *pages = fresh(&b, &a, sizes[i]);
        CHECK_EQ(buddy_check(&b, &a), 0);
        CHECK_EQ(b.free_pages, sizes[i]);
        /* Every page is handed out exactly once as an order-0 block. */
        uint32_t got = 0, p;
        while (buddy_alloc(&b, &a, 0, &p) == 0)
            got++;
        CHECK_EQ(got, sizes[i]);
        CHECK_EQ(b.free_pages, 0);
        CHECK_EQ(buddy_check(&b, &a), 0);
        for (p = 0; p < sizes[i]; p++)
            CHECK_EQ(buddy_free(&b, &a, p), VH_OK);
        CHECK_EQ(buddy_check(&b, &a), 0);
        /* Fully merged back to the initial tiling. */
        struct vh_buddy b2;
        struct vh_area a2;
        struct vh_page *pages2 = fresh(&b2, &a2, sizes[i]);
        CHECK_EQ(b.free_mask, b2.free_mask);
        free(pages2);
        free(pages);
    }
}

TEST(buddy_split_and_merge_every_order)
{
    struct vh_buddy b;
    struct vh_area a;
    struct vh_page *pages = fresh(&b, &a, 512);
    for (unsigned k = 0; k <= VH_MAX_ORDER; k++) {
        uint32_t p;
        CHECK_EQ(buddy_alloc(&b, &a, k, &p), 0);
        CHECK_EQ(p, 0); /* lower half first */
        CHECK_EQ(pages[p].kind, VH_PG_BLOCK);
        CHECK_EQ(pages[p].order, k);
        /* One free block of every order k..8 (the split-off upper halves). */
        for (unsigned j = k; j < VH_MAX_ORDER; j++)
            CHECK_EQ(b.free_head[j], buddy_order_pages(j));
        CHECK_EQ(b.free_pages, 512u - buddy_order_pages(k));
        CHECK_EQ(buddy_check(&b, &a), 0);
        CHECK_EQ(buddy_free(&b, &a, p), VH_OK);
        CHECK_EQ(b.free_mask, 1u << VH_MAX_ORDER);
        CHECK_EQ(buddy_check(&b, &a), 0);
    }
    free(pages);
}

TEST(buddy_no_merge_across_tail_blocks)
{
    /* 3 pages: an order-1 block at 0 and an order-0 block at 2; page 2's
     * buddy (3) does not exist, so it never merges. */
    struct vh_buddy b;
    struct vh_area a;
    struct vh_page *pages = fresh(&b, &a, 3);
    uint32_t p, q;
    CHECK_EQ(buddy_alloc(&b, &a, 0, &p), 0);
    CHECK_EQ(p, 2);
    CHECK_EQ(buddy_alloc(&b, &a, 1, &q), 0);
    CHECK_EQ(q, 0);
    CHECK_EQ(buddy_alloc(&b, &a, 0, &p), BUDDY_ENOMEM);
    CHECK_EQ(buddy_free(&b, &a, 2), VH_OK);
    CHECK_EQ(buddy_free(&b, &a, 0), VH_OK);
    CHECK_EQ(b.free_mask, 3u);
    CHECK_EQ(buddy_check(&b, &a), 0);
    free(pages);
}

TEST(buddy_shrink_grow_in_place)
{
    struct vh_buddy b;
    struct vh_area a;
    struct vh_page *pages = fresh(&b, &a, 512);
    uint32_t p;
    CHECK_EQ(buddy_alloc(&b, &a, 5, &p), 0);
    CHECK_EQ(buddy_shrink(&b, &a, p, 2), VH_OK);
    CHECK_EQ(pages[p].order, 2);
    CHECK_EQ(b.free_pages, 508);
    CHECK_EQ(buddy_check(&b, &a), 0);
    CHECK_EQ(buddy_grow(&b, &a, p, 7), VH_OK);
    CHECK_EQ(pages[p].order, 7);
    CHECK_EQ(b.free_pages, 512 - 128);
    CHECK_EQ(buddy_check(&b, &a), 0);
    /* An upper half cannot grow: its buddy lies below it. */
    uint32_t q;
    CHECK_EQ(buddy_alloc(&b, &a, 7, &q), 0);
    CHECK_EQ(q, 128);
    CHECK_EQ(buddy_grow(&b, &a, q, 8), BUDDY_ENOMEM);
    CHECK_EQ(buddy_free(&b, &a, p), VH_OK);
    CHECK_EQ(buddy_grow(&b, &a, q, 8), BUDDY_ENOMEM); /* still an upper half */
    CHECK_EQ(buddy_free(&b, &a, q), VH_OK);
    CHECK_EQ(b.free_mask, 1u << VH_MAX_ORDER);
    CHECK_EQ(buddy_check(&b, &a), 0);
    free(pages);
}

TEST(buddy_corrupt_free_list_is_refused)
{
    struct vh_buddy b;
    struct vh_area a;
    struct vh_page *pages = fresh(&b, &a, 512);
    uint32_t p;
    /* Head of the top-order list points past the heap. */
    b.free_head[VH_MAX_ORDER] = 9999;
    CHECK_EQ(buddy_alloc(&b, &a, 0, &p), VH_ECORRUPT);
    CHECK_EQ(b.free_pages, 512); /* nothing changed */
    b.free_head[VH_MAX_ORDER] = 0;
    /* Head marked with the wrong order. */
    pages[0].order = 3;
    CHECK_EQ(buddy_alloc(&b, &a, 0, &p), VH_ECORRUPT);
    pages[0].order = VH_MAX_ORDER;
    CHECK_EQ(buddy_check(&b, &a), 0);
    CHECK_EQ(buddy_alloc(&b, &a, 0, &p), 0);
    /* A free buddy whose links are broken is not merged with. */
    uint32_t buddy = 1;
    CHECK_EQ(pages[buddy].kind, VH_PG_FREE);
    pages[buddy].prev = 77;
    CHECK_EQ(buddy_free(&b, &a, p), VH_ECORRUPT);
    CHECK_EQ(pages[p].kind, VH_PG_BLOCK);
    free(pages);
}

TEST(buddy_orders_above_the_top_are_refused)
{
    struct vh_buddy b;
    struct vh_area a;
    struct vh_page *pages = fresh(&b, &a, 1024);
    uint32_t p;
    CHECK_EQ(buddy_alloc(&b, &a, VH_MAX_ORDER + 1, &p), BUDDY_ENOMEM);
    CHECK_EQ(buddy_alloc(&b, &a, 0, &p), 0);
    CHECK_EQ(buddy_grow(&b, &a, p, VH_MAX_ORDER + 1), BUDDY_ENOMEM);
    CHECK_EQ(pages[p].order, 0);
    CHECK_EQ(buddy_check(&b, &a), 0);
    free(pages);
}
