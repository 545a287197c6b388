/* SPDX-License-Identifier: MIT */
/* vheap compile-time configuration.
 *
 * Every knob the core has lives here, with its default and the static
 * assertions that keep the rest of the core's arithmetic valid.  Override a
 * knob with -D on the compiler command line; nothing else needs editing.
 */
#ifndef VH_CONFIG_H
#define VH_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <vheap.h> /* VH_PAGE_SIZE, VH_ALIGNMENT: the published geometry */

/* log2 of VH_PAGE_SIZE (4096), for page index <-> byte offset shifts. */
#define VH_PAGE_SHIFT 12u

/* Largest buddy order: blocks span 1 << VH_MAX_ORDER pages (default 9 = 2 MiB).
 * It also bounds the work of every buddy operation (split and merge loops). */
#ifndef VH_MAX_ORDER
#define VH_MAX_ORDER 9u
#endif
#define VH_NUM_ORDERS (VH_MAX_ORDER + 1u)

/* Slab size classes: 16 << c bytes for c in [0, VH_NUM_CLASSES). */
#define VH_MIN_CLASS_SHIFT 4u
#define VH_NUM_CLASSES 8u
#define VH_MAX_CLASS_SIZE ((size_t)1 << (VH_MIN_CLASS_SHIFT + VH_NUM_CLASSES - 1u))

/* Words of a slab's free-object bitmap in its descriptor: one bit per
 * object of the smallest class (4096 / 16 = 256 objects, 4 words). */
#define VH_SLAB_BITMAP_WORDS ((VH_PAGE_SIZE >> VH_MIN_CLASS_SHIFT) / 64u)

/* "No page" in the 32-bit page links of the descriptor array. */
#define VH_NIL UINT32_MAX
/* Page indices are 32-bit; VH_NIL is never a page. */
#define VH_MAX_PAGES (UINT32_MAX - 1u)

_Static_assert(VH_PAGE_SIZE == (size_t)1 << VH_PAGE_SHIFT, "VH_PAGE_SHIFT is log2(VH_PAGE_SIZE)");
_Static_assert(VH_MAX_ORDER >= 1u && VH_MAX_ORDER <= 20u,
               "VH_MAX_ORDER must be in 1..20 (free mask is 32 bits)");
_Static_assert(VH_MAX_CLASS_SIZE * 2u <= VH_PAGE_SIZE,
               "the largest class must leave a page for at least two objects");
_Static_assert(VH_ALIGNMENT == (1u << VH_MIN_CLASS_SHIFT),
               "the smallest class must equal the alignment");
_Static_assert(SIZE_MAX / VH_PAGE_SIZE >= (size_t)1 << VH_MAX_ORDER,
               "the largest block must be representable in size_t");
_Static_assert(CHAR_BIT == 8, "bitmaps assume 8-bit bytes");

#endif /* VH_CONFIG_H */
