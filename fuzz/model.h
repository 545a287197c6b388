/* SPDX-License-Identifier: MIT */
/* model: the ops fuzzer's reference model of one heap.
 *
 * The model follows the allocator's choices: it never picks an address, it
 * checks that the one the allocator picked was allowed, and it keeps its
 * own page-level picture of the heap, built only from the pointers the
 * allocator returned and the documented rules (binary buddy with eager
 * merging, one-page slabs, at most one cached empty slab per class, cached
 * slabs given back when the buddy layer runs dry).  From that picture it
 * predicts, before every call, whether the call must succeed, the error
 * code of every misuse and every stat.
 *
 * The only look inside the heap is model_geometry (and the header's size,
 * model_header_bytes); everything else goes through vheap.h.
 */
#ifndef VHF_MODEL_H
#define VHF_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vheap.h>

#include "harness.h"
#include "ops_format.h"

#define MODEL_MAX_ORDER 9u                             /* VH_MAX_ORDER, checked in model.c */
#define MODEL_NCLASSES 8u                              /* slab classes 16 .. 2048 */
#define MODEL_MAX_PAGES (VHF_REGION_MAX / 4096u + 1u) /* pages of the largest region */
#define MODEL_LIVE_MAX 1024u                           /* live blocks tracked; more are not allocated */
#define MODEL_FREED_RING 32u                           /* recently freed pointers kept for stale frees */

/* What a page is in the model's picture. */
enum { PK_FREE = 0, PK_BLOCK, PK_TAIL, PK_SLAB };

struct model_page {
    uint8_t kind;     /* PK_* */
    uint8_t order;    /* PK_BLOCK: the block's order; PK_SLAB: the class */
    uint16_t live;    /* PK_SLAB: live objects (0: the cached empty slab of its class) */
    uint64_t slots[4]; /* PK_SLAB: bit i set <=> object i is live */
};

/* A live block: where it is, what was asked, what the allocator gives, and
 * the tag of its contents pattern (contents.h). */
struct model_block {
    unsigned char *p;
    size_t req, usable;
    unsigned tag;
    size_t counted; /* the request as vh_region_size_for counts it: max(need, 16) */
};

struct model {
    vh_heap *h;
    unsigned char *region; /* [region, region + size): what vh_init got */
    size_t size;
    unsigned char *base; /* the heap's pages: [base, base + npages * PAGE) */
    uint32_t npages;
    struct model_page pg[MODEL_MAX_PAGES];
    int32_t cached[MODEL_NCLASSES]; /* page of the class's cached empty slab, or -1 */
    struct model_block live[MODEL_LIVE_MAX]; /* in allocation order but for frees (swap with last) */
    size_t nlive;
    unsigned char *freed[MODEL_FREED_RING]; /* last pointers freed, ring */
    unsigned nfreed, freed_pos;
    size_t allocs, deallocs, failed, errors; /* what the stats must count */
    /* Used bytes and live blocks, kept call by call, and their high-water
     * marks since the start or the last vh_reset_peaks (vh_stats.peak_*):
     * raised wherever use rises (an allocation, a block grown in place; a
     * moving realloc's new block while the old one is live). */
    size_t used, nblocks, peak_used, peak_blocks;
    /* The sizing oracle (model_alloc): live requests as vh_region_size_for
     * counts them, their largest sum so far, the largest request so far,
     * and the request model_alloc last accepted (model_add_live's). */
    size_t counted_live, counted_peak, max_need;
    unsigned char *last_q;
    size_t last_counted;
    /* fw[v]: bit p set <=> page p is free (v = 0), or free or a cached
     * empty slab (v = 1); kept page by page (account() in model.c); dirty:
     * pg[] changed since fw was last compared with a rebuild. */
    bool dirty;
    uint64_t fw[2][MODEL_MAX_PAGES / 64u + 1u];
    /* largest_order(v), cached until a page changes: misuse leaves pg[] as
     * it is and costs no scan. */
    bool largest_valid[2];
    int largest[2];
    /* The expected stats' page walk, kept up to date page by page (account()
     * around every change of pg[]): free bytes, and the partial slabs of
     * each class.  When every call is checked, the walk itself is compared
     * with them after every call. */
    size_t acc_free;
    uint32_t npartial[MODEL_NCLASSES];
};

/* The model of the heap under test: one per process, runs are sequential. */
extern struct model model;

/* ---- documented geometry ---- */

/* Where the documented layout puts the pages of a region; false when not
 * even one page fits. */
bool model_layout(uintptr_t start, size_t size, uintptr_t *base, uint32_t *npages);

/* ---- the heap's own view (core/heap.h): the only internals read ---- */

/* The heap's page area as the heap records it. */
void model_geometry(const vh_heap *h, uintptr_t *base, uint32_t *npages);
/* sizeof(struct vh_heap): the documented layout's header, and the bytes a
 * copied handle needs. */
size_t model_header_bytes(void);

/* ---- state ---- */

/* A fresh heap h over [region, region + size) whose pages the documented
 * layout puts at [base, base + npages * PAGE). */
void model_reset(vh_heap *h, unsigned char *region, size_t size, unsigned char *base, uint32_t npages);

/* The error vh_free must report for ptr; VH_OK for the start of a live
 * block, whose index in model.live goes to *idx. */
int model_classify(const unsigned char *ptr, size_t *idx);

/* Checks the block the allocator returned (q, possibly NULL) for a request
 * of need bytes aligned to align: allowed address, or a real shortage for
 * NULL (counted as a failed allocation), and vh_usable_size.  Records a
 * block in the page picture but not in model.live (model_add_live).
 * Returns the usable size, 0 for NULL. */
size_t model_alloc(unsigned char *q, size_t need, size_t align);
void model_add_live(unsigned char *q, size_t req, size_t usable, unsigned tag);
/* Removes live block idx as vh_free does; its pointer joins model.freed. */
void model_free(size_t idx);

/* Whether vh_realloc(live block idx, size) must keep the block in place
 * (any size: one above VH_MAX_ALLOC never stays). */
bool model_realloc_in_place(size_t idx, size_t size);
/* Records live block idx resized in place to size bytes (after
 * model_realloc_in_place said so); req is left to the caller. */
void model_resize_in_place(size_t idx, size_t size);

/* vh_reset_peaks succeeded: the marks are the present use. */
void model_reset_peaks(void);

/* Compares vh_walk's visits with the live blocks, in address order. */
void model_check_walk(void);

/* Compares vh_get_stats with the model's prediction, field by field. */
void model_check_stats(void);

#endif /* VHF_MODEL_H */
