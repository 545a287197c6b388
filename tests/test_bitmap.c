/* SPDX-License-Identifier: MIT */
/* bitmap: every operation at word boundaries, the "none" answer, counts. */
#include "bitmap.h"
#include "t.h"

static const size_t sizes[] = {1, 2, 63, 64, 65, 127, 128, 254, 256};

TEST(bitmap_set_clear_touch_one_bit)
{
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        uint64_t w[6] = {0};
        w[5] = 0xA5A5; /* guard word past every bitmap here */
        for (size_t i = 0; i < n; i++) {
            bitmap_set(w, i);
            CHECK(bitmap_test(w, i));
            CHECK_EQ(bitmap_count(w, n), i + 1);
        }
        CHECK_EQ(bitmap_find_clear(w, n), n); /* none */
        for (size_t i = 0; i < n; i += 3) {
            bitmap_clear(w, i);
            CHECK(!bitmap_test(w, i));
            if (i + 1 < n)
                CHECK(bitmap_test(w, i + 1));
        }
        CHECK_EQ(bitmap_find_clear(w, n), 0);
        CHECK_EQ(w[5], 0xA5A5);
    }
}

TEST(bitmap_find_clear_returns_lowest)
{
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        for (size_t hole = 0; hole < n; hole++) {
            uint64_t w[4] = {0};
            for (size_t i = 0; i < n; i++)
                if (i != hole)
                    bitmap_set(w, i);
            CHECK_EQ(bitmap_find_clear(w, n), hole);
            bitmap_set(w, hole);
            CHECK_EQ(bitmap_find_clear(w, n), n);
        }
    }
}

TEST(bitmap_count_ignores_bits_past_nbits)
{
    uint64_t w[5] = {0, 0, 1ull << 5, ~0ull, ~0ull}; /* bit 133: beyond 130 */
    CHECK_EQ(bitmap_count(w, 130), 0);
    CHECK_EQ(bitmap_count(w, 192), 1);
}

/* The slab layer's constant lookup tables equal the proved functions. */
TEST(slab_tables_match_functions)
{
    for (unsigned c = 0; c < VH_NUM_CLASSES; c++)
        CHECK_EQ(slab_capacities[c], slab_capacity(c));
    for (size_t i = 0; i <= VH_MAX_CLASS_SIZE / 16u; i++)
        CHECK_EQ(slab_class_by_16[i], slab_class_of(16u * i));
    for (size_t n = 0; n <= VH_MAX_CLASS_SIZE; n++)
        CHECK_EQ(slab_class_for(n), slab_class_of(n));
}
