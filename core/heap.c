/* SPDX-License-Identifier: MIT */
/* heap: the public facade.  Routing by size, pointer validation and the
 * locking and error protocol; the layers below know nothing of these.
 *
 * Theory
 *   The region holds, low to high (layout.h):
 *     [pad to 16][struct vh_heap][struct vh_page x npages][pad to 4096][pages]
 *   Pages are numbered from the page-aligned base.  A pointer maps to its
 *   page by one subtraction and one shift, and the page's descriptor says
 *   what the pointer may be: so every vh_free, vh_realloc and
 *   vh_usable_size validates its pointer in O(1), and metadata is never
 *   next to user data: the pages hold user bytes only.
 *
 *   Requests of at most VH_MAX_CLASS_SIZE bytes go to the slab layer, larger
 *   ones to the buddy layer as one block of the smallest order that holds
 *   them.  The slab layer takes its pages from the buddy layer.
 *
 * Bounds the design keeps
 *   No call but vh_init and vh_check loops over pages, blocks or slabs.  The
 *   work of any other call is bounded by constants: VH_NUM_ORDERS levels of
 *   split or merge, VH_NUM_CLASSES cached slabs to reclaim, and the 4 words
 *   of one slab bitmap.  vh_init and vh_check are O(pages).
 *
 * What is claimed
 *   Misuse that the descriptors can tell apart (a pointer outside the page
 *   area, inside a block, or to a free block or slot; bad sizes and
 *   alignments) is reported and changes nothing but the error counters.
 *   Metadata found inconsistent on the way is reported as VH_ECORRUPT.
 *   What is not claimed (forged but consistent metadata, use after reuse,
 *   overflows in release builds): SECURITY.md.
 *
 * Invariants (checked by vh_check, beyond the layers' own):
 *   H1  magic == VH_MAGIC, self == this heap, base page-aligned, the
 *       descriptor array and the pages inside the region, in that order.
 *   H2  block_bytes == sum over BLOCK heads of 2^order pages (the slab
 *       layer counts its objects: S5); used = block_bytes + slabs.used_bytes.
 *   H3  allocations - deallocations == number of live blocks and objects.
 *   H4  geometry_check and hooks_check match the immutable part of the
 *       header (heap.h): the geometry word is checked on entry to every
 *       call, the hooks word before any hook is called and wherever the
 *       region bounds are read.
 *   H5  peak_used >= used and peak_allocations >= live blocks (heap_note_peaks
 *       after every change that can raise them; vh_reset_peaks).
 *
 * Locking: heap.h.  vh_alloc and vh_free on a heap without lock hooks have a
 * fast path that calls no function; everything else goes through
 * heap_begin (checks, lock) / *_unsafe / heap_leave (unlock, report).
 */
#include <vheap.h>

#include "bitmap.h"
#include "buddy.h"
#include "config.h"
#include "heap.h"
#include "layout.h"
#include "page.h"
#include "port.h"
#include "slab.h"

/* Header + one descriptor + 16-byte start padding + page rounding + one page
 * must fit in VH_MIN_REGION_SIZE. */
_Static_assert(sizeof(struct vh_heap) + sizeof(struct vh_page) + VH_ALIGNMENT <= VH_PAGE_SIZE,
               "the heap header and one descriptor fit before the first page");

/* Folds a word into a check word: multiplication by an odd constant is a
 * bijection, so a change of any one word folded in changes the result. */
/*@ assigns \nothing;
    ensures \result == VH_FOLD(acc, word); */
static uintptr_t check_fold(uintptr_t acc, uintptr_t word)
{
    return (acc ^ word) * (uintptr_t)0x9E3779B97F4A7C15ull;
}

static uintptr_t heap_hooks_word(const vh_heap *h)
{
    uintptr_t w = check_fold((uintptr_t)h, (uintptr_t)h->region);
    w = check_fold(w, (uintptr_t)h->region_size);
    w = check_fold(w, (uintptr_t)h->hooks.lock);
    w = check_fold(w, (uintptr_t)h->hooks.unlock);
    w = check_fold(w, (uintptr_t)h->hooks.lock_ctx);
    w = check_fold(w, (uintptr_t)h->hooks.on_error);
    return check_fold(w, (uintptr_t)h->hooks.error_ctx);
}

static int heap_verify(const vh_heap *h)
{
    if (!heap_ok(h) || h->magic != VH_MAGIC)
        return VH_EINVAL;
    if (h->geometry_check != heap_geometry_word(h) || h->hooks_check != heap_hooks_word(h))
        return VH_ECORRUPT;
    return VH_OK;
}

VH_COLD void heap_fail(vh_heap *h, int rc, const void *ptr, bool took_lock)
{
    if (rc < 0)
        h->errors++;
    else if (rc == BUDDY_ENOMEM)
        h->failed_allocations++;
    if (took_lock)
        heap_unlock(h);
    if (rc < 0 && h->hooks.on_error != NULL && h->hooks_check == heap_hooks_word(h)) {
        //@ assert VH_HOOKS_CHECKED(h);
        hook_report(h, rc, ptr);
    }
}

/*@ // r is the address of need bytes inside the page area of h, 16-aligned
    // (offsets are from the page-aligned base).  A predicate, not a macro:
    // kept folded, its pointer equality stays a term the provers match on.
    predicate in_area(vh_heap *h, char *r, integer need) =
      \exists integer p, o; 0 <= p < h->area.npages && 0 <= o < VH_PAGE_SIZE && o % VH_ALIGNMENT == 0 &&
        o + need <= VH_PAGE_SIZE * (h->area.npages - p) && r == &h->area.base[p].bytes[o];

    // A slab object of class c holds need <= its size bytes in the area
    // (proved by WP, as every lemma here: `make prove` runs them).
    lemma object_in_area{L}: \forall vh_heap *h, integer c, need, char *r;
      0 <= c < VH_NUM_CLASSES && need <= VH_CLASS_SIZE(c) && slab_object(&h->area, c, r) ==>
        in_area(h, r, need);
    // Object i of a class-c slab page p, as heap_locate finds it.
    // need > 0 bytes in the area are valid memory (valid_area).
    lemma in_area_valid{L}: \forall vh_heap *h, char *r, integer need;
      valid_heap(h) && 0 < need && in_area(h, r, need) ==> \valid(r + (0 .. need - 1));
    // An address in the area is not NULL.
    lemma in_area_nonnull{L}: \forall vh_heap *h, char *r, integer need;
      valid_heap(h) && in_area(h, r, need) ==> r != \null;
    // Fewer bytes at the same place are in the area too.
    lemma in_area_less{L}: \forall vh_heap *h, char *r, integer need, less;
      less <= need && in_area(h, r, need) ==> in_area(h, r, less);
    lemma indexed_object_in_area{L}: \forall vh_heap *h, integer p, c, i, need;
      0 <= p < h->area.npages && 0 <= c < VH_NUM_CLASSES && 0 <= i < VH_CAPACITY(c) &&
      need <= VH_CLASS_SIZE(c) ==> in_area(h, &h->area.base[p].bytes[i * VH_CLASS_SIZE(c)], need);

    // r lies in a page of the area at an offset that is a multiple of a:
    // aligned to a, as the base is page-aligned (H1) and a <= VH_PAGE_SIZE.
    predicate offset_aligned(vh_heap *h, char *r, integer a) =
      \exists integer p, o; 0 <= p < h->area.npages && 0 <= o < VH_PAGE_SIZE && o % a == 0 &&
        r == &h->area.base[p].bytes[o];
    // r is aligned to every power of two up to n: what an allocation of
    // n bytes promises (vh_aligned_alloc asks for n >= align).
    predicate aligned_up_to(vh_heap *h, char *r, integer n) =
      \forall integer a; vh_pow2(a) && a <= n ==> offset_aligned(h, r, a);
    // A slab object of class c is aligned to every power of two up to its
    // size (A16), a buddy block to every one (offset 0).
    lemma object_aligned_to{L}: \forall vh_heap *h, integer c, a, char *r;
      0 <= c < VH_NUM_CLASSES && vh_pow2(a) && a <= VH_CLASS_SIZE(c) && slab_object(&h->area, c, r) ==>
        offset_aligned(h, r, a);
    lemma object_aligned{L}: \forall vh_heap *h, integer c, n, char *r;
      0 <= c < VH_NUM_CLASSES && n <= VH_CLASS_SIZE(c) && slab_object(&h->area, c, r) ==>
        aligned_up_to(h, r, n);
    lemma block_aligned{L}: \forall vh_heap *h, integer p, n;
      0 <= p < h->area.npages ==> aligned_up_to(h, &h->area.base[p].bytes[0], n);
*/

/* A live block found by heap_locate. */
struct vh_loc {
    char *at;      /* its address, from the page area (== the pointer located) */
    uint32_t page;
    bool slab;
    size_t index;  /* slab: object index */
    size_t usable; /* usable bytes */
};

/* For contracts: *loc describes a live slab object or buddy block of h and
 * its address (what heap_locate found).  A macro, so that the simplifier
 * sees the class arithmetic at each use. */
#define VH_LOC_OK(h, loc)                                                                          \
    ((loc)->page < (h)->area.npages &&                                                             \
     ((loc)->slab ==> VH_SLAB_PAGE(&(h)->area, (loc)->page) &&                                      \
                          (loc)->index < VH_CAPACITY(VH_PAGE_CLASS(&(h)->area, (loc)->page)) &&    \
                          (loc)->usable == VH_CLASS_SIZE(VH_PAGE_CLASS(&(h)->area, (loc)->page)) && \
                          (loc)->at == &(h)->area.base[(loc)->page].bytes[(loc)->index * (loc)->usable]) && \
     (!(loc)->slab ==> (h)->area.pages[(loc)->page].kind == VH_PG_BLOCK &&                          \
                           head_ok(&(h)->area, (loc)->page) &&                                     \
                           (loc)->usable == VH_PAGE_SIZE * VH_POW2((h)->area.pages[(loc)->page].order) && \
                           (loc)->at == &(h)->area.base[(loc)->page].bytes[0]))
/* Classifies ptr: VH_OK and *loc for the start of a live block, otherwise the
 * error vh_free reports.  The one place a caller's pointer meets the page
 * area: it is only converted to an offset from the base and compared; every
 * access the core then makes goes through loc->at, an address computed from
 * the base and the checked offset. */
/*@ requires valid_heap(h) && \valid(loc);
    requires \separated(loc, h, h->area.pages + (0 .. h->area.npages - 1),
                        h->area.base + (0 .. h->area.npages - 1));
    assigns *loc;
    ensures \result == VH_OK || \result == VH_EFOREIGN || \result == VH_EINTERIOR ||
            \result == VH_EDOUBLEFREE || \result == VH_ECORRUPT;
    ensures \result == VH_OK ==> VH_LOC_OK(h, loc);
    ensures located: \result == VH_OK ==> in_area(h, loc->at, loc->usable); */
VH_INLINE int heap_locate(const vh_heap *h, const void *ptr, struct vh_loc *loc)
{
    /* One compare: below base, u - base wraps past every span. */
    size_t off = (size_t)((uintptr_t)ptr - (uintptr_t)h->area.base);
    if (off >= page_span(&h->area))
        return VH_EFOREIGN;
    uint32_t p = (uint32_t)(off >> VH_PAGE_SHIFT);
    size_t in_page = off & (VH_PAGE_SIZE - 1u);
    const struct vh_page *d = &h->area.pages[p];
    if (VH_LIKELY(slab_page_class(d) < VH_NUM_CLASSES)) {
        int rc = slab_locate(&h->area, p, in_page, &loc->index);
        if (rc != VH_OK)
            return rc;
        loc->at = &h->area.base[p].bytes[in_page];
        loc->page = p;
        loc->slab = true;
        loc->usable = slab_object_size(&h->area, p);
        /*@ assert object: VH_PAGE_CLASS(&h->area, p) < VH_NUM_CLASSES &&
              loc->at == &h->area.base[p].bytes[loc->index * VH_CLASS_SIZE(VH_PAGE_CLASS(&h->area, p))]; */
        //@ assert in_area(h, loc->at, loc->usable);
        return VH_OK;
    }
    switch (d->kind) {
    case VH_PG_BLOCK:
        /* The head's order is trusted only once the block it names is
         * aligned and inside the area: then so is every byte of it. */
        if (!buddy_head_ok(&h->area, p))
            return VH_ECORRUPT;
        if (in_page != 0)
            return VH_EINTERIOR;
        loc->at = h->area.base[p].bytes;
        loc->page = p;
        loc->slab = false;
        loc->index = 0;
        loc->usable = VH_PAGE_SIZE << d->order;
        //@ assert block: loc->usable == VH_PAGE_SIZE * VH_POW2(d->order) && p + VH_POW2(d->order) <= h->area.npages;
        //@ assert in_area(h, loc->at, loc->usable);
        return VH_OK;
    case VH_PG_FREE:
        return in_page == 0 ? VH_EDOUBLEFREE : VH_EINTERIOR;
    case VH_PG_NONE:
        return VH_EINTERIOR;
    default:
        return VH_ECORRUPT;
    }
}

/* A buddy block for need > VH_MAX_CLASS_SIZE bytes. */
/*@ requires valid_heap(h) && \valid(rc);
    requires \separated(rc, h, h->area.pages + (0 .. h->area.npages - 1),
                        h->area.base + (0 .. h->area.npages - 1));
    assigns h->slabs.cached[0 .. VH_NUM_CLASSES - 1], h->slabs.slot_bytes, h->buddy, h->block_bytes,
            h->area.pages[0 .. h->area.npages - 1], *rc;
    ensures *rc == VH_OK || *rc == BUDDY_ENOMEM || *rc == VH_ECORRUPT;
    ensures *rc == VH_OK ==> in_area(h, (char *)\result, need);
    ensures aligned: *rc == VH_OK ==> aligned_up_to(h, (char *)\result, need);
    ensures *rc != VH_OK ==> \result == \null && h->block_bytes == \old(h->block_bytes); */
VH_INLINE void *alloc_block_unsafe(vh_heap *h, size_t need, int *rc)
{
    unsigned k = buddy_order_for_size(need);
    uint32_t page;
    if (k > VH_MAX_ORDER) {
        *rc = BUDDY_ENOMEM;
        return NULL;
    }
    *rc = slab_page_alloc(&h->slabs, &h->buddy, &h->area, k, &page);
    if (*rc != VH_OK)
        return NULL;
    h->block_bytes += VH_PAGE_SIZE << k;
    return page_addr(&h->area, page);
}

/* Takes a block that holds need bytes and makes the first req bytes
 * addressable.  NULL with *rc = BUDDY_ENOMEM or VH_ECORRUPT on failure. */
/*@ requires valid_heap(h) && \valid(rc);
    requires \separated(rc, h, h->area.pages + (0 .. h->area.npages - 1),
                        h->area.base + (0 .. h->area.npages - 1));
    assigns VH_HEAP_META(h), *rc;
    ensures *rc == VH_OK || *rc == BUDDY_ENOMEM || *rc == VH_ECORRUPT;
    ensures *rc == VH_OK ==> \result != \null && in_area(h, (char *)\result, need);
    ensures aligned: *rc == VH_OK ==> aligned_up_to(h, (char *)\result, need);
    ensures *rc != VH_OK ==> \result == \null && VH_LIVE_UNCHANGED(h); */
VH_INLINE void *alloc_unsafe(vh_heap *h, size_t need, size_t req, int *rc)
{
    void *p = NULL;
    if (VH_LIKELY(need <= VH_MAX_CLASS_SIZE)) {
        unsigned c = slab_class_for(need);
        *rc = slab_alloc(&h->slabs, &h->buddy, &h->area, c, &p);
        //@ assert *rc == VH_OK ==> in_area(h, (char *)p, need);
        //@ assert *rc == VH_OK ==> aligned_up_to(h, (char *)p, need);
    } else
        p = alloc_block_unsafe(h, need, rc);
    if (VH_UNLIKELY(*rc != VH_OK))
        return NULL;
    h->allocations++;
    heap_note_peaks(h);
    VH_UNPOISON(p, req);
    return p;
}

/* An allocation under the protocol, the lock held (heap_begin): every
 * allocating entry point but the fast path of vh_alloc. */
/*@ requires valid_heap(h);
    assigns VH_HEAP_META(h);
    ensures \result == \null || in_area(h, (char *)\result, need);
    ensures aligned: \result == \null || aligned_up_to(h, (char *)\result, need);
    ensures \result == \null ==> VH_LIVE_UNCHANGED(h); */
VH_INLINE void *alloc_entry(vh_heap *h, size_t need, size_t req)
{
    int rc;
    void *p = alloc_unsafe(h, need, req, &rc);
    heap_leave(h, rc, NULL);
    return p;
}

/* For assertions: the header's counters are as they were on entry (a
 * frame stated right after each call, where the provers find it quickly:
 * the counters share WP's 64-bit memory with the descriptors' bitmaps). */
#define VH_COUNTS_AT_PRE(h)                                                                        \
    ((h)->allocations == \at((h)->allocations, Pre) && (h)->errors == \at((h)->errors, Pre) &&       \
     (h)->failed_allocations == \at((h)->failed_allocations, Pre) &&                               \
     (h)->deallocations == \at((h)->deallocations, Pre) && (h)->block_bytes == \at((h)->block_bytes, Pre))

/* For assertions: no live block was taken or given back since entry
 * (VH_LIVE_UNCHANGED in a function body). */
#define VH_LIVE_AT_PRE(h)                                                                          \
    ((h)->allocations == \at((h)->allocations, Pre) &&                                             \
     (h)->deallocations == \at((h)->deallocations, Pre) &&                                         \
     (h)->block_bytes == \at((h)->block_bytes, Pre) &&                                             \
     (h)->slabs.used_bytes == \at((h)->slabs.used_bytes, Pre) &&                                   \
     (h)->peak_used == \at((h)->peak_used, Pre) && (h)->peak_allocations == \at((h)->peak_allocations, Pre))

/* For assertions: the area (base, descriptors, page count) is where it was
 * on entry: a frame stated right after each call, for the same reason as
 * VH_COUNTS_AT_PRE (the page count shares WP's 32-bit memory with the
 * page links). */
#define VH_AREA_AT_PRE(h)                                                                          \
    ((h)->area.npages == \at((h)->area.npages, Pre) && (h)->area.base == \at((h)->area.base, Pre) && \
     (h)->area.pages == \at((h)->area.pages, Pre))

/*@ requires valid_heap(h);
    assigns VH_HEAP_META(h);
    ensures \result == VH_OK || \result == VH_EFOREIGN || \result == VH_EINTERIOR ||
            \result == VH_EDOUBLEFREE || \result == VH_ECORRUPT;
    ensures \result != VH_OK ==> VH_HEAP_UNCHANGED(h);
    ensures area: h->area.npages == \old(h->area.npages); */
VH_INLINE int free_unsafe(vh_heap *h, void *ptr)
{
    struct vh_loc loc;
    int rc = heap_locate(h, ptr, &loc);
    if (rc != VH_OK)
        return rc;
    VH_POISON(ptr, loc.usable);
    //@ assert slabs_unchanged{Pre, Here}(&h->slabs, &h->buddy, &h->area);
    if (VH_LIKELY(loc.slab)) {
        rc = slab_free(&h->slabs, &h->buddy, &h->area, loc.page, loc.index);
        //@ assert counts: VH_COUNTS_AT_PRE(h) && VH_AREA_AT_PRE(h);
        //@ assert rc != VH_OK ==> slabs_unchanged{Pre, Here}(&h->slabs, &h->buddy, &h->area);
    } else {
        rc = buddy_free(&h->buddy, &h->area, loc.page);
        //@ assert counts: VH_COUNTS_AT_PRE(h) && VH_AREA_AT_PRE(h);
        //@ assert rc != VH_OK ==> slabs_unchanged{Pre, Here}(&h->slabs, &h->buddy, &h->area);
        if (rc == VH_OK)
            h->block_bytes -= loc.usable;
    }
    /*@ assert h->allocations == \at(h->allocations, Pre) && h->errors == \at(h->errors, Pre) &&
               h->failed_allocations == \at(h->failed_allocations, Pre) &&
               h->deallocations == \at(h->deallocations, Pre); */
    //@ assert rc != VH_OK ==> h->block_bytes == \at(h->block_bytes, Pre);
    if (VH_UNLIKELY(rc != VH_OK))
        return rc;
    h->deallocations++;
    return VH_OK;
}

/* A misuse found before any state was touched: count it and report it.
 * The caller's heap_begin holds the lock. */
/*@ requires valid_heap(h) && rc < 0;
    assigns h->errors, h->failed_allocations;
    ensures h->errors == (size_t)(\old(h->errors) + 1) &&
            h->failed_allocations == \old(h->failed_allocations); */
VH_COLD void reject(vh_heap *h, int rc, const void *ptr)
{
    heap_leave(h, rc, ptr);
}

/* The one place integers become pointers: the header, the descriptors and
 * the pages of the layout l of [region, region + size), at their types.
 * For the proofs this contract is trusted (proofs/README.md): WP's typed
 * model cannot follow an integer-to-pointer cast; layout_region's proved
 * contract puts the three parts inside the region, aligned and apart, and
 * the region's bytes are the caller's to give. */
/*@ axiomatic VhCarve {
      logic vh_heap *vh_header_of(void *region, integer size);
      logic struct vh_page *vh_descriptors_of(void *region, integer size);
      logic struct vh_page_data *vh_pages_of(void *region, integer size);
      logic integer vh_npages_of(void *region, integer size);
    }
*/
/*@ requires \valid_read(l) && 1 <= l->npages <= VH_MAX_PAGES;
    requires \valid(pages) && \valid(base);
    assigns *pages, *base;
    ensures \result == vh_header_of(region, size) && *pages == vh_descriptors_of(region, size) &&
            *base == vh_pages_of(region, size) && l->npages == vh_npages_of(region, size);
    ensures \valid(\result) && valid_pages(*pages, l->npages) && \valid(*base + (0 .. l->npages - 1));
    ensures \separated(\result, *pages + (0 .. l->npages - 1), *base + (0 .. l->npages - 1), pages, base);
    ensures \separated(*pages + (0 .. l->npages - 1), *base + (0 .. l->npages - 1), pages, base); */
#ifdef __FRAMAC__
static vh_heap *heap_carve(void *region, size_t size, const struct vh_layout *l, struct vh_page **pages,
                           struct vh_page_data **base);
#else
static vh_heap *heap_carve(void *region, size_t size, const struct vh_layout *l, struct vh_page **pages,
                           struct vh_page_data **base)
{
    (void)region;
    (void)size;
    *pages = (struct vh_page *)(void *)l->descriptors;
    *base = (struct vh_page_data *)(void *)l->base;
    return (vh_heap *)(void *)l->header;
}
#endif

/*@ requires hooks == \null || \valid_read(hooks);
    assigns *vh_header_of(region, size),
            vh_descriptors_of(region, size)[0 .. vh_npages_of(region, size) - 1];
    ensures \result == \null ||
            (\result == vh_header_of(region, size) && valid_heap(\result) &&
             \result->area.npages == vh_npages_of(region, size) && VH_HOOKS_CHECKED(\result) &&
             \result->geometry_check == VH_GEOMETRY_WORD(\result)); */
vh_heap *vh_init(void *region, size_t size, const vh_hooks *hooks)
{
    struct vh_layout l;
    if (region == NULL || !layout_region((uintptr_t)region, size, sizeof(struct vh_heap), &l))
        return NULL;
    struct vh_page *pages;
    struct vh_page_data *base;
    vh_heap *h = heap_carve(region, size, &l, &pages, &base);
    /*@ loop invariant 0 <= i <= l.npages;
        loop assigns i, pages[0 .. l.npages - 1];
        loop variant l.npages - i; */
    for (uint32_t i = 0; i < l.npages; i++)
        page_clear(&pages[i]);
    h->magic = VH_MAGIC;
    h->self = h;
    h->region = (unsigned char *)region;
    h->region_size = size;
    h->area = (struct vh_area){base, pages, l.npages};
    buddy_init(&h->buddy, &h->area);
    slab_init(&h->slabs);
    h->hooks = hooks != NULL ? *hooks : (vh_hooks){NULL, NULL, NULL, NULL, NULL};
    h->locked = (uint8_t)(h->hooks.lock != NULL || h->hooks.unlock != NULL);
    h->geometry_check = heap_geometry_word(h);
    h->hooks_check = heap_hooks_word(h);
    h->block_bytes = 0;
    h->allocations = h->deallocations = h->failed_allocations = h->errors = 0;
    h->peak_used = h->peak_allocations = 0;
    VH_POISON(h->area.base, page_span(&h->area));
    return h;
}

/* Everything but the fast path of vh_alloc. */
/*@ requires valid_heap(h);
    assigns VH_HEAP_META(h);
    ensures \result == \null || in_area(h, (char *)\result, size);
    ensures \result == \null ==> VH_LIVE_UNCHANGED(h); */
VH_COLD void *alloc_slow(vh_heap *h, size_t size)
{
    if (heap_begin(h) != VH_OK)
        return NULL;
    return alloc_entry(h, size, size);
}

/* The allocation of a class-c object that slab_alloc_quick declined (the
 * class has no current slab, or a list link failed validation), on a heap
 * the fast path admitted (heap_fast_ok: no lock hooks, so no lock to take):
 * the class is known, and the declined call changed nothing. */
/*@ requires valid_heap(h) && c < VH_NUM_CLASSES && size <= VH_CLASS_SIZE(c);
    assigns VH_HEAP_META(h);
    ensures \result == \null || in_area(h, (char *)\result, size);
    ensures \result == \null ==> VH_LIVE_UNCHANGED(h); */
VH_COLD void *alloc_refill(vh_heap *h, size_t size, unsigned c)
{
    void *p = NULL;
    int rc = slab_alloc(&h->slabs, &h->buddy, &h->area, c, &p);
    //@ assert counts: VH_COUNTS_AT_PRE(h) && VH_AREA_AT_PRE(h);
    if (VH_UNLIKELY(rc != VH_OK)) {
        //@ assert h->slabs.used_bytes == \at(h->slabs.used_bytes, Pre);
        heap_fail(h, rc, NULL, false); /* the fast path took no lock */
        return NULL;
    }
    //@ assert in_area(h, (char *)p, size);
    h->allocations++;
    heap_note_peaks(h);
    VH_UNPOISON(p, size);
    return p;
}

/* Fast path: no lock hooks, a slab object that changes no list.  It calls
 * no function; a class without a current slab goes to alloc_refill, every
 * other case to alloc_slow (each a tail call). */
/*@ requires h == \null || valid_heap(h);
    behavior no_heap:
      assumes h == \null;
      assigns \nothing;
      ensures \result == \null;
    behavior heap:
      assumes h != \null;
      assigns VH_HEAP_META(h);
      ensures \result == \null || in_area(h, (char *)\result, size);
      ensures \result == \null ==> VH_LIVE_UNCHANGED(h);
    complete behaviors;
    disjoint behaviors; */
void *vh_alloc(vh_heap *h, size_t size)
{
    if (VH_LIKELY(size <= VH_MAX_CLASS_SIZE) && VH_LIKELY(heap_fast_ok(h))) {
        void *p;
        unsigned c = slab_class_for(size);
        if (VH_LIKELY(slab_alloc_quick(&h->slabs, &h->area, c, &p))) {
            //@ assert in_area(h, (char *)p, size);
            h->allocations++;
            heap_note_peaks(h);
            VH_UNPOISON(p, size);
            return p;
        }
        //@ assert quick: VH_COUNTS_AT_PRE(h) && VH_AREA_AT_PRE(h);
        return alloc_refill(h, size, c);
    }
    /*@ assert h != \null ==> h->area.npages == \at(h->area.npages, Pre) &&
          h->area.base == \at(h->area.base, Pre) && h->area.pages == \at(h->area.pages, Pre); */
    /*@ assert h != \null ==> h->slabs.used_bytes == \at(h->slabs.used_bytes, Pre) &&
          h->block_bytes == \at(h->block_bytes, Pre) && h->allocations == \at(h->allocations, Pre) &&
          h->deallocations == \at(h->deallocations, Pre); */
    return VH_LIKELY(h != NULL) ? alloc_slow(h, size) : NULL;
}

/* n * size in *bytes, or false when it does not fit in a size_t.  A
 * function of its own so that the non-linear step is proved in a context
 * of two numbers, not the heap's. */
/*@ requires \valid(bytes);
    assigns *bytes;
    ensures fits: \result <==> (n == 0 || size <= SIZE_MAX / n);
    ensures product: \result ==> *bytes == n * size; */
VH_INLINE bool calloc_bytes(size_t n, size_t size, size_t *bytes)
{
    if (n != 0 && size > SIZE_MAX / n)
        return false;
    /* No wrap: size <= SIZE_MAX / n, so n * size <= n * (SIZE_MAX / n) <= SIZE_MAX. */
    //@ assert n == 0 || n * size <= n * (SIZE_MAX / n);
    //@ assert n == 0 || n * (SIZE_MAX / n) <= SIZE_MAX;
    *bytes = n * size;
    return true;
}

/*@ requires h == \null || valid_heap(h);
    behavior no_heap:
      assumes h == \null;
      assigns \nothing;
      ensures \result == \null;
    behavior overflow:
      assumes h != \null && n != 0 && size > SIZE_MAX / n;
      assigns h->errors, h->failed_allocations;
      ensures \result == \null && h->failed_allocations == \old(h->failed_allocations);
    behavior heap:
      assumes h != \null && (n == 0 || size <= SIZE_MAX / n);
      assigns VH_HEAP_STATE(h);
      ensures \result == \null || in_area(h, (char *)\result, n * size);
      ensures \result == \null ==> VH_LIVE_UNCHANGED(h);
    complete behaviors;
    disjoint behaviors; */
void *vh_calloc(vh_heap *h, size_t n, size_t size)
{
    if (h == NULL)
        return NULL;
    if (heap_begin(h) != VH_OK)
        return NULL;
    size_t bytes;
    if (!calloc_bytes(n, size, &bytes)) {
        reject(h, VH_EOVERFLOW, NULL);
        return NULL;
    }
    void *p = alloc_entry(h, bytes, bytes);
    //@ assert p != \null && bytes != 0 ==> \valid((char *)p + (0 .. bytes - 1));
    if (p != NULL)
        __builtin_memset(p, 0, bytes);
    //@ assert zeroed: p == \null || in_area(h, (char *)p, bytes);
    return p;
}

/*@ requires h == \null || valid_heap(h);
    behavior no_heap:
      assumes h == \null;
      assigns \nothing;
      ensures \result == \null;
    behavior bad_alignment:
      assumes h != \null && (align == 0 || (align & (align - 1)) != 0 || align > VH_MAX_ALIGN);
      assigns h->errors, h->failed_allocations;
      ensures \result == \null && h->failed_allocations == \old(h->failed_allocations);
    behavior heap:
      assumes h != \null && align != 0 && (align & (align - 1)) == 0 && align <= VH_MAX_ALIGN;
      assigns VH_HEAP_META(h);
      ensures \result == \null || in_area(h, (char *)\result, size);
      ensures aligned: \result == \null || offset_aligned(h, (char *)\result, align);
      ensures \result == \null ==> VH_LIVE_UNCHANGED(h);
    complete behaviors;
    disjoint behaviors; */
void *vh_aligned_alloc(vh_heap *h, size_t align, size_t size)
{
    if (h == NULL)
        return NULL;
    if (heap_begin(h) != VH_OK)
        return NULL;
    if (align == 0 || (align & (align - 1u)) != 0 || align > VH_MAX_ALIGN) {
        reject(h, VH_EALIGN, NULL);
        return NULL;
    }
    /* A class of at least align bytes has align-aligned objects, and every
     * buddy block is page-aligned. */
    //@ assert vh_pow2(align);
    size_t need = size > align ? size : align;
    void *p = alloc_entry(h, need, size);
    //@ assert p == \null || aligned_up_to(h, (char *)p, need);
    return p;
}

/* Everything but the fast path of vh_free. */
/*@ requires valid_heap(h);
    assigns VH_HEAP_META(h);
    ensures \result == VH_OK || \result == VH_EINVAL || \result == VH_EFOREIGN ||
            \result == VH_EINTERIOR || \result == VH_EDOUBLEFREE || \result == VH_ECORRUPT;
    ensures \result != VH_OK ==> VH_HEAP_UNCHANGED_BUT_ERRORS(h); */
VH_COLD int free_slow(vh_heap *h, void *ptr)
{
    if (!heap_ok(h))
        return VH_EINVAL;
    if (ptr == NULL)
        return VH_OK;
    int rc = heap_begin(h);
    if (rc != VH_OK)
        return rc;
    rc = free_unsafe(h, ptr);
    /*@ assert unsafe: rc != VH_OK ==>
          heap_kept{Pre, Here}(h) && h->failed_allocations == \at(h->failed_allocations, Pre); */
    heap_leave(h, rc, ptr);
    return rc;
}

/* The free of a live slab object that slab_free_quick declined (the slab
 * empties, or a list link failed validation), on a heap the fast path
 * admitted (heap_fast_ok: no lock hooks, so no lock to take).  The
 * declined call changed nothing, so what the fast path located still holds:
 * neither the protocol's checks nor the location are done again (free_slow
 * would do both, then decline the same way). */
/*@ requires valid_heap(h) && page < h->area.npages && VH_SLAB_PAGE(&h->area, page);
    requires index < VH_CAPACITY(VH_PAGE_CLASS(&h->area, page));
    assigns VH_HEAP_META(h);
    ensures \result == VH_OK || \result == VH_ECORRUPT;
    ensures \result != VH_OK ==> VH_HEAP_UNCHANGED_BUT_ERRORS(h); */
VH_COLD int free_transition(vh_heap *h, void *ptr, uint32_t page, size_t index)
{
    size_t usable = slab_object_size(&h->area, page);
    int rc = slab_free_transition(&h->slabs, &h->buddy, &h->area, page, index);
    //@ assert counts: VH_COUNTS_AT_PRE(h) && VH_AREA_AT_PRE(h);
    if (VH_UNLIKELY(rc != VH_OK)) {
        //@ assert heap_kept{Pre, Here}(h);
        heap_fail(h, rc, ptr, false); /* the fast path took no lock */
        return rc;
    }
    h->deallocations++;
    VH_POISON(ptr, usable);
    return VH_OK;
}

/* Fast path: no lock hooks, a live slab object.  Calls no function when
 * the slab stays on the list it is on; a slab that empties goes to
 * free_transition, everything else to free_slow. */
/*@ requires h == \null || valid_heap(h);
    behavior no_heap:
      assumes h == \null;
      assigns \nothing;
      ensures \result == VH_EINVAL;
    behavior heap:
      assumes h != \null;
      assigns VH_HEAP_META(h);
      ensures \result == VH_OK || \result == VH_EINVAL || \result == VH_EFOREIGN ||
              \result == VH_EINTERIOR || \result == VH_EDOUBLEFREE || \result == VH_ECORRUPT;
      ensures \result != VH_OK ==> VH_HEAP_UNCHANGED_BUT_ERRORS(h);
    complete behaviors;
    disjoint behaviors; */
int vh_free(vh_heap *h, void *ptr)
{
    struct vh_loc loc;
    if (VH_LIKELY(heap_fast_ok(h)) && VH_LIKELY(heap_locate(h, ptr, &loc) == VH_OK) && loc.slab) {
        if (VH_LIKELY(slab_free_quick(&h->slabs, &h->area, loc.page, loc.index))) {
            h->deallocations++;
            VH_POISON(ptr, loc.usable);
            return VH_OK;
        }
        //@ assert quick: VH_COUNTS_AT_PRE(h) && VH_AREA_AT_PRE(h);
        /*@ assert slabs: slabs_unchanged{Pre, Here}(&h->slabs, &h->buddy, &h->area) &&
              h->failed_allocations == \at(h->failed_allocations, Pre) && h->errors == \at(h->errors, Pre); */
        return free_transition(h, ptr, loc.page, loc.index);
    }
    /* Whatever the fast path tried changed nothing (slab_free_quick). */
    /*@ assert h != \null ==> h->area.npages == \at(h->area.npages, Pre) &&
          h->area.base == \at(h->area.base, Pre) && h->area.pages == \at(h->area.pages, Pre); */
    /*@ assert h != \null ==> slabs_unchanged{Pre, Here}(&h->slabs, &h->buddy, &h->area) &&
          h->block_bytes == \at(h->block_bytes, Pre) && h->allocations == \at(h->allocations, Pre) &&
          h->deallocations == \at(h->deallocations, Pre) &&
          h->failed_allocations == \at(h->failed_allocations, Pre) && h->errors == \at(h->errors, Pre); */
    return VH_LIKELY(h != NULL) ? free_slow(h, ptr) : VH_EINVAL;
}

/* In place when size fits the block, or a buddy block can grow into free
 * upper buddies; *rc = BUDDY_ENOMEM when it cannot stay in place. */
/*@ requires valid_heap(h) && \valid_read(loc) && VH_LOC_OK(h, loc) && \valid(rc);
    requires in_area(h, loc->at, loc->usable);
    requires \separated(rc, loc, h, h->area.pages + (0 .. h->area.npages - 1),
                        h->area.base + (0 .. h->area.npages - 1));
    requires \separated(loc, h, h->area.pages + (0 .. h->area.npages - 1),
                        h->area.base + (0 .. h->area.npages - 1));
    assigns h->buddy, h->block_bytes, h->peak_used, h->peak_allocations,
            h->area.pages[0 .. h->area.npages - 1], *rc;
    ensures *rc == VH_OK || *rc == BUDDY_ENOMEM || *rc == VH_ECORRUPT;
    ensures *rc == VH_OK ==> \result == loc->at && in_area(h, (char *)\result, size);
    ensures *rc != VH_OK ==> \result == \null && h->buddy == \old(h->buddy) &&
      h->block_bytes == \old(h->block_bytes) && pages_unchanged{Pre, Post}(&h->area) &&
      h->peak_used == \old(h->peak_used) && h->peak_allocations == \old(h->peak_allocations); */
static void *realloc_in_place_unsafe(vh_heap *h, const struct vh_loc *loc, size_t size, int *rc)
{
    *rc = VH_OK;
    if (loc->slab) {
        if (size > loc->usable) {
            *rc = BUDDY_ENOMEM;
            return NULL;
        }
        //@ assert in_area(h, loc->at, size);
        VH_POISON(loc->at, loc->usable);
        VH_UNPOISON(loc->at, size);
        return loc->at;
    }
    unsigned k = h->area.pages[loc->page].order;
    unsigned nk = buddy_order_for_size(size);
    if (nk > VH_MAX_ORDER) {
        *rc = BUDDY_ENOMEM;
        return NULL;
    }
    if (nk < k) {
        *rc = buddy_shrink(&h->buddy, &h->area, loc->page, nk);
        //@ assert h->block_bytes == \at(h->block_bytes, Pre);
    } else if (nk > k) {
        *rc = buddy_grow(&h->buddy, &h->area, loc->page, nk);
        //@ assert h->block_bytes == \at(h->block_bytes, Pre);
    }
    if (*rc != VH_OK)
        return NULL;
    size_t usable = VH_PAGE_SIZE << nk;
    h->block_bytes = h->block_bytes - loc->usable + usable;
    heap_note_peaks(h);
    VH_POISON(loc->at, usable > loc->usable ? usable : loc->usable);
    VH_UNPOISON(loc->at, size);
    return loc->at;
}

/* Copies the first keep bytes of the old block (usable bytes at src) to
 * the new one at dst: memmove, not memcpy: on a heap whose metadata was
 * forged (SECURITY.md), the new block may overlap the old one, and an
 * overlapping memcpy is undefined (the proof of realloc found it).  A
 * function of its own so that "the copy writes only page bytes" is proved
 * in a small context. */
/*@ requires valid_heap(h) && keep <= usable;
    requires in_area(h, dst, keep) && in_area(h, src, usable);
    assigns h->area.base[0 .. h->area.npages - 1];
    ensures \true; // the point is the footprint: page bytes only, valid ones */
VH_INLINE void realloc_copy(char *dst, char *src, size_t usable, size_t keep)
    /*@ ghost (vh_heap *h) */
{
    //@ assert keep == 0 || \valid(dst + (0 .. keep - 1)) && \valid_read(src + (0 .. keep - 1));
    VH_UNPOISON(src, usable);
    __builtin_memmove(dst, src, keep);
}

/* The move of a realloc that cannot stay in place, the old block's free
 * validated: a new block, the old one's bytes copied, the old one freed.
 * A function of its own so that its frames are proved apart from the
 * in-place attempt's. */
/*@ requires valid_heap(h) && \valid(rc) && \valid_read(loc) && VH_LOC_OK(h, loc);
    requires in_area(h, loc->at, loc->usable);
    requires \separated(rc, loc, h, h->area.pages + (0 .. h->area.npages - 1),
                        h->area.base + (0 .. h->area.npages - 1));
    requires \separated(loc, h, h->area.pages + (0 .. h->area.npages - 1),
                        h->area.base + (0 .. h->area.npages - 1));
    assigns VH_HEAP_STATE(h), *rc;
    ensures *rc == VH_OK ==> \result != \null && in_area(h, (char *)\result, size);
    ensures *rc != VH_OK ==> \result == \null && VH_LIVE_UNCHANGED(h); */
static void *realloc_move(vh_heap *h, void *ptr, const struct vh_loc *loc, size_t size, int *rc)
{
    char *at = loc->at;
    size_t usable = loc->usable;
    void *out = alloc_unsafe(h, size, size, rc);
    if (out == NULL) {
        //@ assert failed: *rc != VH_OK && VH_LIVE_AT_PRE(h);
        return NULL;
    }
    //@ assert moved: *rc == VH_OK && VH_AREA_AT_PRE(h) && in_area(h, (char *)out, size);
    size_t keep = usable < size ? usable : size;
    //@ assert keep <= size && keep <= usable;
    //@ assert in_area(h, (char *)out, keep) && in_area(h, at, usable);
    realloc_copy(out, at, usable, keep) /*@ ghost (h) */;
    //@ assert copied: *rc == VH_OK && VH_AREA_AT_PRE(h) && in_area(h, (char *)out, size);
    /* Validated by the caller; the allocation in between changed the heap
     * only in validated ways, so this free succeeds (VH_ASSERT). */
    int freed = free_unsafe(h, ptr);
    VH_ASSERT(freed == VH_OK);
    (void)freed;
    //@ assert freed: *rc == VH_OK && VH_AREA_AT_PRE(h);
    //@ assert in_area(h, (char *)out, size);
    return out;
}

/* In place if it can be, else allocate, copy, free; the free of the old
 * block is validated before the new one is taken, so that an error leaves
 * everything as it was. */
/*@ requires valid_heap(h) && \valid(rc);
    requires \separated(rc, h, h->area.pages + (0 .. h->area.npages - 1),
                        h->area.base + (0 .. h->area.npages - 1));
    assigns VH_HEAP_STATE(h), *rc;
    ensures *rc == VH_OK ==> \result != \null && in_area(h, (char *)\result, size);
    ensures fail_null: *rc != VH_OK ==> \result == \null;
    ensures fail_live: *rc != VH_OK ==> VH_LIVE_UNCHANGED(h); */
static void *realloc_unsafe(vh_heap *h, void *ptr, size_t size, int *rc)
{
    struct vh_loc loc;
    *rc = heap_locate(h, ptr, &loc);
    if (*rc != VH_OK) {
        //@ assert unlocated: VH_LIVE_AT_PRE(h);
        return NULL;
    }
    //@ assert in_area(h, loc.at, loc.usable);
    void *out = realloc_in_place_unsafe(h, &loc, size, rc);
    //@ assert stayed: *rc != VH_OK ==> VH_COUNTS_AT_PRE(h) && h->slabs.used_bytes == \at(h->slabs.used_bytes, Pre);
    if (*rc != BUDDY_ENOMEM) {
        //@ assert done: *rc == VH_OK || (out == \null && VH_LIVE_AT_PRE(h));
        return out;
    }
    //@ assert VH_AREA_AT_PRE(h);
    struct vh_merge m;
    *rc = loc.slab ? slab_free_check(&h->slabs, &h->buddy, &h->area, loc.page)
                   : buddy_free_plan(&h->buddy, &h->area, loc.page, &m);
    //@ assert planned: VH_COUNTS_AT_PRE(h) && h->slabs.used_bytes == \at(h->slabs.used_bytes, Pre);
    if (*rc != VH_OK) {
        //@ assert refused: VH_LIVE_AT_PRE(h);
        return NULL;
    }
    //@ assert still: VH_LOC_OK(h, &loc) && in_area(h, loc.at, loc.usable);
    out = realloc_move(h, ptr, &loc, size, rc);
    //@ assert moved: *rc != VH_OK ==> out == \null && VH_LIVE_AT_PRE(h);
    return out;
}

/*@ requires h == \null || valid_heap(h);
    behavior no_heap:
      assumes h == \null;
      assigns \nothing;
      ensures \result == \null;
    behavior heap:
      assumes h != \null;
      assigns VH_HEAP_STATE(h);
      ensures \result == \null || in_area(h, (char *)\result, size);
      ensures \result == \null ==> VH_LIVE_UNCHANGED(h);
    complete behaviors;
    disjoint behaviors; */
void *vh_realloc(vh_heap *h, void *ptr, size_t size)
{
    if (h == NULL)
        return NULL;
    if (ptr == NULL)
        return alloc_slow(h, size); /* vh_alloc less its fast path */
    if (heap_begin(h) != VH_OK)
        return NULL;
    int rc;
    void *out = realloc_unsafe(h, ptr, size, &rc);
    heap_leave(h, rc, ptr);
    return out;
}

/*@ requires h == \null || valid_heap(h);
    assigns \nothing;
    ensures \result == 0 || (h != \null && \result <= h->area.npages * VH_PAGE_SIZE); */
size_t vh_usable_size(const vh_heap *h, const void *ptr)
{
    if (ptr == NULL || heap_verify(h) != VH_OK)
        return 0;
    (void)heap_enter(h); /* verified: VH_OK */
    struct vh_loc loc;
    size_t n = heap_locate(h, ptr, &loc) == VH_OK ? loc.usable : 0;
    heap_unlock(h);
    return n;
}
