/* SPDX-License-Identifier: MIT */
/* vheap: a slab layer over a binary buddy layer, on one caller-given region.
 *
 * Freestanding C11.  This header includes only <stddef.h>.  Every heap is
 * independent: its state lives at the start of the region it was given, and
 * the library has no globals.
 *
 * Geometry
 *   - Pages are VH_PAGE_SIZE (4096) bytes.  Blocks of order k span 2^k pages,
 *     k in 0..VH_MAX_ORDER (default 9: 4 KiB .. 2 MiB).
 *   - Requests of 0..2048 bytes come from slabs of size classes 16, 32, 64,
 *     128, 256, 512, 1024, 2048; 2049..4096 take one page; larger requests
 *     take the smallest buddy block that fits; above VH_MAX_ALLOC: NULL.
 *   - Every pointer handed out is VH_ALIGNMENT (16) byte aligned.  Slab
 *     objects of class c are c-aligned; buddy blocks are page-aligned.
 *   - Metadata is out of band: a descriptor of VH_PAGE_DESCRIPTOR_SIZE bytes
 *     per page (1.2 % of the region) plus one heap header, placed at the
 *     region's start.  Pages hold user bytes only: a slab page of class c
 *     holds 4096 / c objects (256 of 16 bytes), its bitmap is in its
 *     descriptor.
 *   - A region of VH_MIN_REGION_SIZE bytes or more is always accepted,
 *     whatever its alignment.
 *
 * Complexity
 *   Every call except vh_init, vh_check and vh_walk does work bounded by the
 *   number of orders, size classes and words of one slab bitmap; none walks
 *   the heap.  vh_init, vh_check and vh_walk (debugging aids) are O(pages).
 *
 * Threads
 *   A heap is not thread safe by itself.  Give vh_init lock hooks and every
 *   public call runs between lock(lock_ctx) and unlock(lock_ctx).
 *
 * Errors
 *   Misuse (a pointer outside the heap, not the start of a live block,
 *   already free; a size computation that overflows; a bad alignment) and
 *   metadata found corrupted return a VH_E* code (or NULL), count in
 *   vh_stats.errors, call hooks->on_error(error_ctx, code, ptr) after the lock
 *   is released, and change nothing else.  Running out of memory is not
 *   misuse: it returns NULL and counts in vh_stats.failed_allocations.
 *   The metadata in the region may hold any bytes (a wild write): no call
 *   then touches memory outside the region or returns a pointer outside its
 *   pages, and a changed header is VH_ECORRUPT with no hook called.  The
 *   threat model and what is only contained: SECURITY.md.
 *
 * Undefined
 *   Using a heap after its region is reused; writing past the requested size
 *   of a block; using memory after freeing it (a freed slot may be handed out
 *   again at once, and then a second free of the old pointer frees the new
 *   owner's block); two threads on one heap without lock hooks.
 */
#ifndef VHEAP_H
#define VHEAP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The release (CHANGELOG.md), semantic versioning.  VH_VERSION_NUMBER is
 * MAJOR * 10000 + MINOR * 100 + PATCH (MINOR and PATCH stay below 100), so
 * releases compare as integers; vh_version() returns the number of the
 * library that was linked, to compare with the header compiled against. */
#define VH_VERSION_MAJOR 0
#define VH_VERSION_MINOR 1
#define VH_VERSION_PATCH 0
#define VH_VERSION_NUMBER (VH_VERSION_MAJOR * 10000 + VH_VERSION_MINOR * 100 + VH_VERSION_PATCH)
#define VH_VERSION_STRING "0.1.0"

/* The page, the buddy layer's unit (fixed: slab geometry assumes it), and
 * the alignment of every pointer handed out.  core/config.h derives its
 * shifts from these and checks them. */
#define VH_PAGE_SIZE ((size_t)4096)
#define VH_ALIGNMENT ((size_t)16)
/* Largest request vh_alloc can satisfy (one block of the top order). */
#ifdef VH_MAX_ORDER
#define VH_MAX_ALLOC (VH_PAGE_SIZE << VH_MAX_ORDER)
#else
#define VH_MAX_ALLOC (VH_PAGE_SIZE << 9)
#endif
/* Largest alignment vh_aligned_alloc accepts.  Larger powers of two are
 * refused with VH_EALIGN: blocks are aligned to their size only relative to
 * the heap's page-aligned base, not in absolute addresses. */
#define VH_MAX_ALIGN VH_PAGE_SIZE
#define VH_PAGE_DESCRIPTOR_SIZE 48u
/* Always enough for a heap of one page, at any start alignment. */
#define VH_MIN_REGION_SIZE 12288u

/* Error codes (negative).  0 is success. */
#define VH_OK 0
#define VH_EFOREIGN (-1)    /* pointer not inside the heap's pages */
#define VH_EINTERIOR (-2)   /* inside the heap, not the start of a block */
#define VH_EDOUBLEFREE (-3) /* the start of a block or slot that is free */
#define VH_ECORRUPT (-4)    /* metadata found inconsistent */
#define VH_EOVERFLOW (-5)   /* n * size does not fit in size_t */
#define VH_EALIGN (-6)      /* alignment 0, not a power of two, or > VH_MAX_ALIGN */
#define VH_EINVAL (-7)      /* NULL or foreign heap handle */

/* Invariant codes returned by vh_check (positive); see README "Invariants". */
#define VH_CHECK_HEADER 1       /* heap header: magic, self pointer, geometry */
#define VH_CHECK_DESCRIPTOR 2   /* a descriptor's kind, order or class out of range */
#define VH_CHECK_TILING 3       /* blocks do not tile the pages exactly, or misaligned */
#define VH_CHECK_FREE_LIST 4    /* free list broken: links, cycle, wrong order or kind */
#define VH_CHECK_FREE_MASK 5    /* non-empty-list mask or free page count wrong */
#define VH_CHECK_UNMERGED 6     /* two free buddies of one order left unmerged */
#define VH_CHECK_SLAB_BITMAP 7  /* slab bitmap disagrees with its free count */
#define VH_CHECK_SLAB_LIST 8    /* slab list membership wrong (partial/full/empty/cached) */
#define VH_CHECK_STATS 9        /* counters differ from a recount */

typedef struct vh_heap vh_heap;

typedef struct vh_hooks {
    void (*lock)(void *ctx);
    void (*unlock)(void *ctx);
    void *lock_ctx;
    void (*on_error)(void *ctx, int code, const void *ptr);
    void *error_ctx;
} vh_hooks;

typedef struct vh_stats {
    size_t total_bytes;    /* the region size given to vh_init */
    size_t used_bytes;     /* sum of vh_usable_size over live blocks */
    size_t free_bytes;     /* free pages + free slab slots (cached slabs included) */
    size_t overhead_bytes; /* total - used - free: metadata, rounding, slab slack */
    size_t allocations, deallocations; /* successful; difference = live blocks */
    size_t failed_allocations;         /* out of memory, or larger than VH_MAX_ALLOC */
    size_t errors;                     /* misuse and corruption reports */
    size_t largest_free_block;         /* largest size vh_alloc would satisfy now */
    unsigned fragmentation_permille;   /* 1000 * (free - largest) / free; 0 if free == 0 */
    /* High-water marks since vh_init or the last vh_reset_peaks: the largest
     * used_bytes and the largest number of live blocks (allocations -
     * deallocations) the heap has held.  A vh_realloc that moves its block
     * holds both blocks for a moment, and counts them both. */
    size_t peak_used;
    size_t peak_allocations;
} vh_stats;

/* Sets up a heap inside [region, region + size).  Returns NULL when region is
 * NULL, when region + size wraps the address space, or when size cannot hold
 * the header, one page descriptor and one page after aligning.  hooks may be
 * NULL; it is copied.  O(pages). */
vh_heap *vh_init(void *region, size_t size, const vh_hooks *hooks);

/* A block of at least size bytes (size 0: a unique 16-byte slot), 16-aligned;
 * NULL when out of memory or size > VH_MAX_ALLOC. */
void *vh_alloc(vh_heap *h, size_t size);

/* Zeroed block of n * size bytes; NULL with VH_EOVERFLOW if the product
 * overflows. */
void *vh_calloc(vh_heap *h, size_t n, size_t size);

/* ptr NULL: vh_alloc(size).  Otherwise ptr must be a live block (else NULL and
 * an error as vh_free would report).  The block stays in place when size fits
 * its usable size (a buddy block then returns whole surplus halves to the
 * heap) or when a buddy block can absorb its free upper buddies; otherwise a
 * new block is allocated, min(old usable, size) bytes are copied and the old
 * block freed.  size 0 keeps a minimal block (never frees).  On failure NULL
 * and the old block is untouched. */
void *vh_realloc(vh_heap *h, void *ptr, size_t size);

/* align: a power of two up to VH_MAX_ALIGN (else NULL and VH_EALIGN).  The
 * block is freed with vh_free like any other. */
void *vh_aligned_alloc(vh_heap *h, size_t align, size_t size);

/* 0, or a negative VH_E* code with nothing changed.  vh_free(h, NULL) is 0. */
int vh_free(vh_heap *h, void *ptr);

/* Usable bytes of a live block; 0 for NULL or anything that is not a live
 * block (no error is reported: the heap is read only here). */
size_t vh_usable_size(const vh_heap *h, const void *ptr);

/* Exact counters.  O(orders * classes). */
void vh_get_stats(const vh_heap *h, vh_stats *out);

/* VH_VERSION_NUMBER of the library as it was built: a program compiled
 * against one header and linked with another library sees the difference
 * (vh_version() != VH_VERSION_NUMBER).  Takes nothing, touches nothing. */
int vh_version(void);

/* Walks the whole heap: 0, or the VH_CHECK_* code of the first broken
 * invariant.  O(pages).  Never modifies the heap. */
int vh_check(const vh_heap *h);

/* Sets the high-water marks of vh_stats to the heap's present use.  0, or
 * VH_EINVAL / VH_ECORRUPT with nothing changed but the error counter. */
int vh_reset_peaks(vh_heap *h);

/* Called by vh_walk for each live block: its address and usable size.
 * Return 0 to go on, anything else to stop the walk. */
typedef int (*vh_walk_fn)(void *ctx, void *block, size_t usable_size);

/* A debugging aid, like vh_check: calls fn(ctx, block, usable size) for
 * every live block, in address order, under the heap's lock.  fn must not
 * call into this heap.  Returns 0 once every block was visited or fn
 * stopped the walk; VH_EINVAL for a NULL fn or a handle that names no heap;
 * VH_ECORRUPT, with fn never called, when vh_check finds the heap broken.
 * O(pages).  Changes nothing. */
int vh_walk(const vh_heap *h, vh_walk_fn fn, void *ctx);

/* Sizing (core/sizing.c has the derivation).
 *
 * vh_min_region_size: the smallest size for which vh_init succeeds at every
 * start alignment (VH_MIN_REGION_SIZE).
 *
 * vh_region_size_for: a region size for which, at every start alignment, no
 * sequence of calls can fail for want of memory as long as every request is
 * at most max_request bytes and the live requests never add up to more than
 * max_live_bytes, each counted as at least VH_ALIGNMENT bytes (a request of
 * 0..16 bytes takes a 16-byte slot).  A bound for every sequence, not a
 * typical need: far above what ordinary programs use.  0 when max_request
 * is above VH_MAX_ALLOC or the size does not fit in a size_t (or in the
 * heap's page count). */
size_t vh_min_region_size(void);
size_t vh_region_size_for(size_t max_live_bytes, size_t max_request);

#ifdef __cplusplus
}
#endif

#endif /* VHEAP_H */
