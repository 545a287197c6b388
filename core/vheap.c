/* SPDX-License-Identifier: MIT */
/* vheap: the whole core as one translation unit.  This is what ships (and
 * what build/libvheap.a is): compile this one file, with core/ and
 * core/include/ on the include path.  Every other function is static, so
 * only the vh_* API leaves it; the tests, fuzzers, proofs and benchmarks
 * compile this same file.
 *
 * Layers, each depending only on those above it in this list:
 *   bitmap  fixed-size bit arrays (slab bitmaps)
 *   page    the page area, descriptors, page lists
 *   buddy   free blocks: split and merge
 *   slab    one-page slabs of size classes, on buddy pages
 *   layout  where the header, descriptors and pages go in a region
 *   heap    the facade: vh_init, allocation and free, locking protocol
 *   stats   vh_get_stats, vh_reset_peaks
 *   check   vh_check, vh_walk: the O(pages) debugging walks
 *   sizing  vh_region_size_for, vh_min_region_size
 *   version vh_version
 */
#include "bitmap.c"
#include "page.c"
#include "buddy.c"
#include "slab.c"
#include "layout.c"
#include "heap.c"
#include "stats.c"
#include "check.c"
#include "sizing.c"
#include "version.c"
