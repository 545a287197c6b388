/* heap: the facade's state, shared with the tests and the fuzzers' debug
 * view only.  Users see vh_heap as an opaque type. */
#ifndef VH_HEAP_H
#define VH_HEAP_H

#include <vheap.h>

#include "buddy.h"
#include "slab.h"

#define VH_MAGIC 0x76686561u /* "vhea" */

_Static_assert(sizeof(struct vh_page) == VH_PAGE_DESCRIPTOR_SIZE, "descriptor size is published");
_Static_assert(VH_ALIGNMENT == VH_ALIGNMENT_BYTES && VH_PAGE_SIZE == VH_PAGE_SIZE_BYTES,
               "public constants match config.h");
_Static_assert(VH_MAX_ALLOC == VH_PAGE_SIZE << VH_MAX_ORDER, "VH_MAX_ALLOC matches VH_MAX_ORDER");
_Static_assert(VH_MAX_ALIGN == VH_PAGE_SIZE, "buddy blocks are page-aligned, not more");

/* Lives at the start of the region (16-aligned), followed by the page
 * descriptors.  Invariants H1..H3: see heap.c. */
struct vh_heap {
    uint32_t magic;
    const struct vh_heap *self;
    unsigned char *region;
    size_t region_size;
    struct vh_buddy buddy;
    struct vh_slabs slabs;
    vh_hooks hooks;
    bool locked;        /* hooks.lock or hooks.unlock set: calls take the lock path */
    size_t block_bytes; /* H2: usable bytes of live buddy blocks */
    size_t allocations, deallocations, failed_allocations, errors;
};

#endif /* VH_HEAP_H */
