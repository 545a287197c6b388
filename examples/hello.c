/* SPDX-License-Identifier: MIT */
/* The embedding example: one heap on a static array, through the vh_* API
 * only.  make check builds it three ways, the README's three ways in
 * (tools/embed-check.sh): against a copy of core/, against the amalgamation
 * alone, and against an installed tree with nothing but
 * `pkg-config --cflags --libs vheap`.
 *
 * It allocates blocks of every kind (slab classes, one page, buddy blocks),
 * fills and re-reads them, frees a double-freed pointer once too often,
 * checks the heap and its stats, and prints them.  Exit status 0 only when
 * every result is the documented one; the last line is "hello: ok".
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <vheap.h>

#define NBLOCKS 64

static unsigned char arena[1 << 20]; /* any alignment, any size >= VH_MIN_REGION_SIZE */
static int failures;

static void expect(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "hello: FAILED: %s\n", what);
        failures++;
    }
}

int main(void)
{
    printf("vheap %s (header %d, library %d)\n", VH_VERSION_STRING, VH_VERSION_NUMBER, vh_version());
    expect(vh_version() == VH_VERSION_NUMBER, "the library is the header's release");

    vh_heap *h = vh_init(arena, sizeof arena, NULL);
    expect(h != NULL, "vh_init accepts a 1 MiB static array");
    if (h == NULL)
        return 1;

    /* Sizes across the slab classes (1..2048), one page and buddy blocks. */
    unsigned char *blocks[NBLOCKS];
    size_t sizes[NBLOCKS];
    for (int i = 0; i < NBLOCKS; i++) {
        sizes[i] = (size_t)1 << (i % 15); /* 1 .. 16384 bytes */
        sizes[i] += (size_t)i;
        blocks[i] = vh_alloc(h, sizes[i]);
        expect(blocks[i] != NULL, "vh_alloc of a small size on a fresh heap");
        if (blocks[i] == NULL)
            return 1;
        expect((uintptr_t)blocks[i] % VH_ALIGNMENT == 0, "every block is VH_ALIGNMENT aligned");
        expect(vh_usable_size(h, blocks[i]) >= sizes[i], "usable size covers the request");
        memset(blocks[i], i, sizes[i]);
    }
    for (int i = 0; i < NBLOCKS; i++)
        for (size_t k = 0; k < sizes[i]; k++)
            if (blocks[i][k] != (unsigned char)i) {
                expect(0, "a block keeps its bytes while others are written");
                break;
            }

    int *zeros = vh_calloc(h, 100, sizeof *zeros);
    expect(zeros != NULL, "vh_calloc");
    for (int i = 0; zeros != NULL && i < 100; i++)
        expect(zeros[i] == 0, "vh_calloc zeroes");
    expect(vh_calloc(h, SIZE_MAX / 2, 4) == NULL, "vh_calloc refuses an overflowing product");

    char *s = vh_realloc(h, NULL, 6);
    expect(s != NULL, "vh_realloc(NULL) allocates");
    if (s != NULL) {
        memcpy(s, "hello", 6);
        s = vh_realloc(h, s, 5000);
        expect(s != NULL && strcmp(s, "hello") == 0, "vh_realloc moves the bytes");
    }

    void *a = vh_aligned_alloc(h, 1024, 100);
    expect(a != NULL && (uintptr_t)a % 1024 == 0, "vh_aligned_alloc(1024)");
    expect(vh_aligned_alloc(h, 3, 100) == NULL, "vh_aligned_alloc refuses alignment 3");

    /* Free every other block, then one of them again: an error, nothing changed. */
    for (int i = 0; i < NBLOCKS; i += 2)
        expect(vh_free(h, blocks[i]) == VH_OK, "vh_free of a live block");
    vh_stats before, after;
    vh_get_stats(h, &before);
    expect(vh_free(h, blocks[0]) == VH_EDOUBLEFREE, "a double free is VH_EDOUBLEFREE");
    expect(vh_free(h, arena) == VH_EFOREIGN, "the region's start (the header) is not in the pages");
    vh_get_stats(h, &after);
    expect(after.errors == before.errors + 2, "each misuse counts once in stats.errors");
    expect(after.used_bytes == before.used_bytes && after.allocations == before.allocations &&
               after.deallocations == before.deallocations,
           "misuse changes nothing else");
    expect(vh_check(h) == 0, "vh_check after misuse");

    for (int i = 1; i < NBLOCKS; i += 2)
        expect(vh_free(h, blocks[i]) == VH_OK, "vh_free of a live block");
    expect(vh_free(h, zeros) == VH_OK && vh_free(h, s) == VH_OK && vh_free(h, a) == VH_OK,
           "vh_free of the calloc, realloc and aligned blocks");
    expect(vh_free(h, NULL) == VH_OK, "vh_free(NULL) is 0");

    vh_stats st;
    vh_get_stats(h, &st);
    expect(st.used_bytes == 0 && st.allocations == st.deallocations, "the heap ends empty");
    expect(st.total_bytes == sizeof arena, "total_bytes is the region");
    expect(st.errors == 4, "four misuses counted: calloc overflow, alignment 3, double free, foreign");
    expect(st.used_bytes + st.free_bytes + st.overhead_bytes == st.total_bytes,
           "used + free + overhead == total");
    expect(vh_check(h) == 0, "vh_check at the end");
    printf("stats: total %zu, used %zu, free %zu, overhead %zu, largest free block %zu, "
           "allocations %zu, deallocations %zu, errors %zu\n",
           st.total_bytes, st.used_bytes, st.free_bytes, st.overhead_bytes, st.largest_free_block,
           st.allocations, st.deallocations, st.errors);

    if (failures != 0) {
        fprintf(stderr, "hello: %d unexpected result(s)\n", failures);
        return 1;
    }
    puts("hello: ok");
    return 0;
}
