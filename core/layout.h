/* SPDX-License-Identifier: MIT */
/* layout: where a heap puts its parts inside the region it is given.
 *
 *   [pad to 16][header][descriptor x npages][pad to 4096][page x npages]
 *    start                                               base
 *
 * npages is the largest count for which all of this fits in
 * [start, start + size), capped at VH_MAX_PAGES.  A pure function of its
 * inputs: vh_init applies it, the fuzz harness's model recomputes it.
 */
#ifndef VH_LAYOUT_H
#define VH_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "page.h"

struct vh_layout {
    uintptr_t header;      /* VH_ALIGNMENT aligned */
    uintptr_t descriptors; /* header + header_size */
    uintptr_t base;        /* VH_PAGE_SIZE aligned, after the descriptors */
    uint32_t npages;       /* >= 1 */
};

/* The layout of a heap with a header of header_size bytes in
 * [start, start + size); false when the range wraps the address space or
 * not one page fits.  O(1). */
/*@ requires \valid(out);
    assigns *out;
    ensures inside: \result ==> start <= out->header && out->header % VH_ALIGNMENT == 0 &&
      out->descriptors == out->header + header_size &&
      out->descriptors + out->npages * VH_PAGE_DESCRIPTOR_SIZE <= out->base &&
      out->base % VH_PAGE_SIZE == 0 && 1 <= out->npages <= VH_MAX_PAGES &&
      out->base + out->npages * VH_PAGE_SIZE <= start + size && start + size <= UINTPTR_MAX;
    ensures refused: !\result ==> *out == \old(*out); */
static bool layout_region(uintptr_t start, size_t size, size_t header_size, struct vh_layout *out);

#endif /* VH_LAYOUT_H */
