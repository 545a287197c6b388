/* SPDX-License-Identifier: MIT */
/* layout: the closed form against a brute-force search, the page cap, and
 * refusals.  Addresses are plain integers here: layout_region never
 * dereferences anything. */
#include "t.h"

/* The largest n whose descriptors and pages fit, by trying every n: what
 * vh_init's search loop did before the closed form. */
static uint32_t brute_npages(uintptr_t start, size_t size, size_t header_size, uintptr_t *base)
{
    uintptr_t end = start + size;
    uintptr_t desc = ((start + 15u) & ~(uintptr_t)15u) + header_size;
    for (size_t n = size / VH_PAGE_SIZE; n > 0; n--) {
        uintptr_t meta_end = desc + n * VH_PAGE_DESCRIPTOR_SIZE;
        uintptr_t b = (meta_end + VH_PAGE_SIZE - 1u) & ~(uintptr_t)(VH_PAGE_SIZE - 1u);
        if (meta_end <= end && b <= end && (end - b) / VH_PAGE_SIZE >= n) {
            *base = b;
            return (uint32_t)n;
        }
    }
    return 0;
}

TEST(layout_closed_form_equals_search)
{
    static const size_t headers[] = {0, 424, 4000};
    unsigned checked = 0, refused = 0;
    for (size_t hi = 0; hi < sizeof headers / sizeof headers[0]; hi++) {
        for (uintptr_t start = 0x10000; start < 0x10000 + 4096; start += 61) {
            for (size_t size = 4096; size < 64 * 4096; size += size / 37 + 5) {
                struct vh_layout l = {1, 2, 3, 4};
                uintptr_t want_base = 0;
                uint32_t want = brute_npages(start, size, headers[hi], &want_base);
                bool ok = layout_region(start, size, headers[hi], &l);
                CHECK_EQ(ok, want != 0);
                if (!ok) {
                    CHECK(l.header == 1 && l.descriptors == 2 && l.base == 3 && l.npages == 4);
                    refused++;
                    continue;
                }
                CHECK_EQ(l.npages, want);
                CHECK_EQ(l.base, want_base);
                CHECK_EQ(l.header % 16, 0);
                CHECK(l.header >= start && l.header < start + 16);
                CHECK_EQ(l.descriptors, l.header + headers[hi]);
                CHECK(l.base + (size_t)l.npages * VH_PAGE_SIZE <= start + size);
                checked++;
            }
        }
    }
    CHECK(checked > 10000 && refused > 100);
}

TEST(layout_refusals_and_page_cap)
{
    struct vh_layout l;
    CHECK(!layout_region(0x10000, 4095, 0, &l));                   /* less than a page */
    CHECK(!layout_region(UINTPTR_MAX - 8191, 8192, 0, &l));        /* wraps */
    CHECK(!layout_region(0x10000, 8192, 8000, &l));                /* header leaves no page */
    CHECK(!layout_region(0x10000 + 1, 4096 + 15, 4096 - 24, &l));  /* header fills the page */
    CHECK(layout_region(0x10000, 4096 + 24 + 16, 0, &l) == false); /* descriptor pushes the page out */
    CHECK(layout_region(0x10000, 2 * 4096, 0, &l) && l.npages == 1);
    if (sizeof(uintptr_t) > 4) {
        /* More pages than 32-bit indices can name: capped at VH_MAX_PAGES. */
        size_t huge = ((size_t)VH_MAX_PAGES + 1000u) * (VH_PAGE_SIZE + VH_PAGE_DESCRIPTOR_SIZE);
        CHECK(layout_region(0x10000, huge, 424, &l));
        CHECK_EQ(l.npages, VH_MAX_PAGES);
        CHECK_EQ(l.base % VH_PAGE_SIZE, 0);
        CHECK(l.descriptors + (size_t)VH_MAX_PAGES * VH_PAGE_DESCRIPTOR_SIZE <= l.base);
        CHECK(l.base + (size_t)l.npages * VH_PAGE_SIZE <= 0x10000 + huge);
    }
}
