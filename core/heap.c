/* heap: the public facade.  Routing by size, pointer validation, stats,
 * locking and error reporting; the layers below know nothing of these.
 *
 * Region layout (low to high):
 *   [pad to 16][struct vh_heap][struct vh_page x npages][pad to 4096][pages]
 *
 * Invariants (checked by vh_check, beyond the layers' own):
 *   H1  magic == VH_MAGIC, self == this heap, base page-aligned, the
 *       descriptor array and the pages inside the region, in that order.
 *   H2  block_bytes == sum over BLOCK heads of 2^order pages (the slab
 *       layer counts its objects: S5); used = block_bytes + slabs.used_bytes.
 *   H3  allocations - deallocations == number of live blocks and objects.
 *
 * Locking: only the vh_* entry points take the lock; every *_unsafe function
 * expects it held.  A heap without lock hooks runs the same *_unsafe code
 * straight from the entry point, so the common case is one function with no
 * calls.  on_error is called after the lock is released, so a hook may call
 * back into the heap.
 */
#include <vheap.h>

#include "bitmap.h"
#include "buddy.h"
#include "config.h"
#include "heap.h"
#include "port.h"
#include "slab.h"

/* Header + one descriptor + 16-byte start padding + page rounding + one page
 * must fit in VH_MIN_REGION_SIZE. */
_Static_assert(sizeof(struct vh_heap) + sizeof(struct vh_page) + VH_ALIGNMENT <= VH_PAGE_SIZE,
               "the heap header and one descriptor fit before the first page");

/* A live block found by heap_locate. */
struct vh_loc {
    uint32_t page;
    bool slab;
    size_t index;  /* slab: object index */
    size_t usable; /* usable bytes */
};

/* The self pointer is enough on the hot paths; vh_check also checks the
 * magic number. */
VH_HOT_LOCAL bool heap_ok(const vh_heap *h)
{
    return h != NULL && h->self == h;
}

VH_HOT_LOCAL void heap_lock(const vh_heap *h)
{
    if (h->hooks.lock != NULL)
        h->hooks.lock(h->hooks.lock_ctx);
}

VH_HOT_LOCAL void heap_unlock(const vh_heap *h)
{
    if (h->hooks.unlock != NULL)
        h->hooks.unlock(h->hooks.lock_ctx);
}

/* Counts the outcome of a call under the lock; misuse and corruption are
 * negative, BUDDY_ENOMEM is an allocation failure. */
static void count_outcome(vh_heap *h, int rc)
{
    if (rc < 0)
        h->errors++;
    else if (rc == BUDDY_ENOMEM)
        h->failed_allocations++;
}

/* Unlocks, then reports misuse or corruption to the error hook. */
static void unlock_and_report(vh_heap *h, int rc, const void *ptr)
{
    heap_unlock(h);
    if (rc < 0 && h->hooks.on_error != NULL)
        h->hooks.on_error(h->hooks.error_ctx, rc, ptr);
}

static size_t heap_span(const vh_heap *h)
{
    return buddy_page_offset(h->buddy.npages);
}

/* Classifies ptr: VH_OK and *loc for the start of a live block, otherwise the
 * error vh_free reports. */
VH_HOT_LOCAL int heap_locate(const vh_heap *h, const void *ptr, struct vh_loc *loc)
{
    uintptr_t u = (uintptr_t)ptr, base = (uintptr_t)h->buddy.base;
    if (u < base || u - base >= heap_span(h))
        return VH_EFOREIGN;
    size_t off = (size_t)(u - base);
    uint32_t p = (uint32_t)(off >> VH_PAGE_SHIFT);
    size_t in_page = off & (VH_PAGE_SIZE - 1u);
    const struct vh_page *d = &h->buddy.pages[p];
    switch (d->kind) {
    case VH_PG_SLAB: {
        int rc = slab_locate(&h->slabs, &h->buddy, p, in_page, &loc->index);
        if (rc != VH_OK)
            return rc;
        loc->page = p;
        loc->slab = true;
        loc->usable = slab_class_size(d->order);
        return VH_OK;
    }
    case VH_PG_BLOCK:
        if (d->order > VH_MAX_ORDER)
            return VH_ECORRUPT;
        if (in_page != 0)
            return VH_EINTERIOR;
        loc->page = p;
        loc->slab = false;
        loc->index = 0;
        loc->usable = VH_PAGE_SIZE << d->order;
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
VH_HOT_LOCAL void *alloc_block(vh_heap *h, size_t need, int *rc)
{
    unsigned k = buddy_order_for_size(need);
    uint32_t page;
    if (k > VH_MAX_ORDER) {
        *rc = BUDDY_ENOMEM;
        return NULL;
    }
    *rc = slab_page_alloc(&h->slabs, &h->buddy, k, &page);
    if (*rc != VH_OK)
        return NULL;
    h->block_bytes += VH_PAGE_SIZE << k;
    return h->buddy.base + buddy_page_offset(page);
}

/* Takes a block that holds need bytes and makes the first req bytes
 * addressable.  NULL with *rc = BUDDY_ENOMEM or VH_ECORRUPT on failure. */
VH_HOT_LOCAL void *alloc_unsafe(vh_heap *h, size_t need, size_t req, int *rc)
{
    void *p = NULL;
    if (VH_LIKELY(need <= VH_MAX_CLASS_SIZE))
        *rc = slab_alloc(&h->slabs, &h->buddy, slab_class_for(&h->slabs, need), &p);
    else
        p = alloc_block(h, need, rc);
    if (VH_UNLIKELY(*rc != VH_OK))
        return NULL;
    h->allocations++;
    VH_UNPOISON(p, req);
    return p;
}

VH_HOT_LOCAL int free_unsafe(vh_heap *h, void *ptr)
{
    struct vh_loc loc;
    int rc = heap_locate(h, ptr, &loc);
    if (rc != VH_OK)
        return rc;
    VH_POISON(ptr, loc.usable);
    if (VH_LIKELY(loc.slab)) {
        rc = slab_free(&h->slabs, &h->buddy, loc.page, loc.index);
    } else {
        rc = buddy_free(&h->buddy, loc.page);
        if (rc == VH_OK)
            h->block_bytes -= loc.usable;
    }
    if (VH_UNLIKELY(rc != VH_OK))
        return rc;
    h->deallocations++;
    return VH_OK;
}

/* Counts a failed call, unlocks, reports. */
VH_COLD void fail_unlock(vh_heap *h, int rc, const void *ptr)
{
    count_outcome(h, rc);
    unlock_and_report(h, rc, ptr);
}

/* The allocation entry points share these: with lock hooks, lock around
 * the allocation; without, run it inline. */
VH_COLD void *alloc_locked(vh_heap *h, size_t need, size_t req)
{
    int rc;
    heap_lock(h);
    void *p = alloc_unsafe(h, need, req, &rc);
    if (VH_UNLIKELY(rc != VH_OK)) {
        fail_unlock(h, rc, NULL);
        return NULL;
    }
    heap_unlock(h);
    return p;
}

VH_HOT_LOCAL void *alloc_entry(vh_heap *h, size_t need, size_t req)
{
    if (VH_UNLIKELY(h->locked))
        return alloc_locked(h, need, req);
    int rc;
    void *p = alloc_unsafe(h, need, req, &rc);
    if (VH_UNLIKELY(rc != VH_OK)) {
        fail_unlock(h, rc, NULL);
        return NULL;
    }
    return p;
}

/* A misuse found before any state was touched: count it and report it. */
static void reject(vh_heap *h, int rc, const void *ptr)
{
    heap_lock(h);
    fail_unlock(h, rc, ptr);
}

vh_heap *vh_init(void *region, size_t size, const vh_hooks *hooks)
{
    if (region == NULL || size < VH_PAGE_SIZE)
        return NULL;
    uintptr_t start = (uintptr_t)region;
    if (size > UINTPTR_MAX - start)
        return NULL; /* wraps the address space */
    uintptr_t end = start + size;
    uintptr_t hdr = (start + (VH_ALIGNMENT - 1u)) & ~(uintptr_t)(VH_ALIGNMENT - 1u);
    uintptr_t desc = hdr + sizeof(struct vh_heap);
    if (desc > end)
        return NULL;

    /* Largest n with desc + n descriptors, rounded up to a page, plus n
     * pages inside the region.  Start from an estimate and step to it. */
    size_t n = (size_t)(end - desc) / (VH_PAGE_SIZE + sizeof(struct vh_page)) + 1u;
    uintptr_t base = 0;
    for (;; n--) {
        if (n == 0)
            return NULL;
        uintptr_t meta_end = desc + n * sizeof(struct vh_page);
        if (meta_end > end)
            continue;
        uintptr_t rem = meta_end & (VH_PAGE_SIZE - 1u);
        base = rem == 0 ? meta_end : meta_end + (VH_PAGE_SIZE - rem);
        if (base >= meta_end && base <= end && (end - base) / VH_PAGE_SIZE >= n)
            break;
    }
    if (n > VH_MAX_PAGES)
        n = VH_MAX_PAGES;

    vh_heap *h = (vh_heap *)(void *)hdr;
    struct vh_page *pages = (struct vh_page *)(void *)desc;
    for (size_t i = 0; i < n; i++)
        pages[i] = (struct vh_page){0, 0, 0, 0, 0, 0};
    h->magic = VH_MAGIC;
    h->self = h;
    h->region = (unsigned char *)region;
    h->region_size = size;
    buddy_init(&h->buddy, (unsigned char *)base, pages, (uint32_t)n);
    slab_init(&h->slabs);
    if (hooks != NULL)
        h->hooks = *hooks;
    else
        h->hooks = (vh_hooks){NULL, NULL, NULL, NULL, NULL};
    h->locked = h->hooks.lock != NULL || h->hooks.unlock != NULL;
    h->block_bytes = 0;
    h->allocations = h->deallocations = h->failed_allocations = h->errors = 0;
    VH_POISON(h->buddy.base, heap_span(h));
    return h;
}

/* Everything but the fast path of vh_alloc. */
VH_COLD void *alloc_slow(vh_heap *h, size_t size)
{
    if (!heap_ok(h))
        return NULL;
    return alloc_entry(h, size, size);
}

/* Fast path: no lock hooks, a slab object that changes no list.  It calls
 * no function, and every other case leaves through one tail call. */
void *vh_alloc(vh_heap *h, size_t size)
{
    if (VH_LIKELY(heap_ok(h) && !h->locked && size <= VH_MAX_CLASS_SIZE)) {
        void *p = slab_alloc_quick(&h->slabs, &h->buddy, slab_class_for(&h->slabs, size));
        if (VH_LIKELY(p != NULL)) {
            h->allocations++;
            VH_UNPOISON(p, size);
            return p;
        }
    }
    return alloc_slow(h, size);
}

void *vh_calloc(vh_heap *h, size_t n, size_t size)
{
    if (!heap_ok(h))
        return NULL;
    if (n != 0 && size > SIZE_MAX / n) {
        reject(h, VH_EOVERFLOW, NULL);
        return NULL;
    }
    size_t bytes = n * size;
    void *p = alloc_entry(h, bytes, bytes);
    if (p != NULL)
        __builtin_memset(p, 0, bytes);
    return p;
}

void *vh_aligned_alloc(vh_heap *h, size_t align, size_t size)
{
    if (!heap_ok(h))
        return NULL;
    if (align == 0 || (align & (align - 1u)) != 0 || align > VH_MAX_ALIGN) {
        reject(h, VH_EALIGN, NULL);
        return NULL;
    }
    /* A class of at least align bytes has align-aligned objects, and every
     * buddy block is page-aligned. */
    return alloc_entry(h, size > align ? size : align, size);
}

VH_COLD int free_locked(vh_heap *h, void *ptr)
{
    heap_lock(h);
    int rc = free_unsafe(h, ptr);
    if (VH_UNLIKELY(rc != VH_OK)) {
        fail_unlock(h, rc, ptr);
        return rc;
    }
    heap_unlock(h);
    return VH_OK;
}

/* Everything but the fast path of vh_free. */
VH_COLD int free_slow(vh_heap *h, void *ptr)
{
    if (!heap_ok(h))
        return VH_EINVAL;
    if (ptr == NULL)
        return VH_OK;
    if (h->locked)
        return free_locked(h, ptr);
    int rc = free_unsafe(h, ptr);
    if (rc != VH_OK)
        fail_unlock(h, rc, ptr);
    return rc;
}

/* Fast path: no lock hooks, a live slab object whose slab stays on the list
 * it is on.  Calls no function; everything else is free_slow. */
int vh_free(vh_heap *h, void *ptr)
{
    struct vh_loc loc;
    if (VH_LIKELY(heap_ok(h) && !h->locked && heap_locate(h, ptr, &loc) == VH_OK && loc.slab &&
                  slab_free_quick(&h->slabs, &h->buddy, loc.page, loc.index))) {
        h->deallocations++;
        VH_POISON(ptr, loc.usable);
        return VH_OK;
    }
    return free_slow(h, ptr);
}

/* In place when size fits the block, or a buddy block can grow into free
 * upper buddies; *rc = BUDDY_ENOMEM when it cannot stay in place. */
static void *realloc_in_place(vh_heap *h, void *ptr, const struct vh_loc *loc, size_t size, int *rc)
{
    *rc = VH_OK;
    if (loc->slab) {
        if (size > loc->usable) {
            *rc = BUDDY_ENOMEM;
            return NULL;
        }
        VH_POISON(ptr, loc->usable);
        VH_UNPOISON(ptr, size);
        return ptr;
    }
    unsigned k = h->buddy.pages[loc->page].order;
    unsigned nk = buddy_order_for_size(size);
    if (nk > VH_MAX_ORDER) {
        *rc = BUDDY_ENOMEM;
        return NULL;
    }
    if (nk < k)
        *rc = buddy_shrink(&h->buddy, loc->page, nk);
    else if (nk > k)
        *rc = buddy_grow(&h->buddy, loc->page, nk);
    if (*rc != VH_OK)
        return NULL;
    size_t usable = VH_PAGE_SIZE << nk;
    h->block_bytes = h->block_bytes - loc->usable + usable;
    VH_POISON(ptr, usable > loc->usable ? usable : loc->usable);
    VH_UNPOISON(ptr, size);
    return ptr;
}

void *vh_realloc(vh_heap *h, void *ptr, size_t size)
{
    if (ptr == NULL)
        return vh_alloc(h, size);
    if (!heap_ok(h))
        return NULL;
    heap_lock(h);
    struct vh_loc loc;
    int rc = heap_locate(h, ptr, &loc);
    void *out = NULL;
    if (rc == VH_OK) {
        out = realloc_in_place(h, ptr, &loc, size, &rc);
        if (rc == BUDDY_ENOMEM) {
            out = alloc_unsafe(h, size, size, &rc);
            if (out != NULL) {
                size_t keep = loc.usable < size ? loc.usable : size;
                VH_UNPOISON(ptr, loc.usable);
                __builtin_memcpy(out, ptr, keep);
                rc = free_unsafe(h, ptr);
                /* A free that fails here found the metadata corrupted after
                 * the copy; the new block holds the data, so return it and
                 * report the corruption. */
            }
        }
    }
    count_outcome(h, rc);
    unlock_and_report(h, rc, ptr);
    return out;
}

size_t vh_usable_size(const vh_heap *h, const void *ptr)
{
    if (!heap_ok(h) || ptr == NULL)
        return 0;
    heap_lock(h);
    struct vh_loc loc;
    size_t n = heap_locate(h, ptr, &loc) == VH_OK ? loc.usable : 0;
    heap_unlock(h);
    return n;
}

static size_t heap_used_bytes(const vh_heap *h)
{
    return h->block_bytes + h->slabs.used_bytes;
}

/* Free bytes as the stats report them: free pages, free slots, and the whole
 * page of each cached empty slab (it goes back to the buddy layer on
 * demand, in-band bitmap included). */
static size_t heap_free_bytes(const vh_heap *h)
{
    size_t n = h->buddy.free_pages * VH_PAGE_SIZE + (h->slabs.slot_bytes - h->slabs.used_bytes);
    for (unsigned c = 0; c < VH_NUM_CLASSES; c++)
        if (h->slabs.cached[c] != VH_NIL)
            n += VH_PAGE_SIZE - slab_capacity(c) * slab_class_size(c);
    return n;
}

void vh_get_stats(const vh_heap *h, vh_stats *out)
{
    if (out == NULL)
        return;
    if (!heap_ok(h)) {
        *out = (vh_stats){0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        return;
    }
    heap_lock(h);
    vh_stats s;
    s.total_bytes = h->region_size;
    s.used_bytes = heap_used_bytes(h);
    s.free_bytes = heap_free_bytes(h);
    s.overhead_bytes = s.total_bytes - s.used_bytes - s.free_bytes;
    s.allocations = h->allocations;
    s.deallocations = h->deallocations;
    s.failed_allocations = h->failed_allocations;
    s.errors = h->errors;
    int k = slab_largest_free_order(&h->slabs, &h->buddy);
    s.largest_free_block = 0;
    if (k >= 0) {
        s.largest_free_block = VH_PAGE_SIZE << k;
    } else {
        for (unsigned c = VH_NUM_CLASSES; c-- > 0;) {
            if (h->slabs.partial[c] != VH_NIL) {
                s.largest_free_block = slab_class_size(c);
                break;
            }
        }
    }
    s.fragmentation_permille = 0;
    if (s.free_bytes != 0)
        s.fragmentation_permille =
            (unsigned)(((uint64_t)(s.free_bytes - s.largest_free_block) * 1000u) / s.free_bytes);
    heap_unlock(h);
    *out = s;
}

static int heap_check_header(const vh_heap *h)
{
    uintptr_t region = (uintptr_t)h->region, pages = (uintptr_t)h->buddy.pages;
    uintptr_t base = (uintptr_t)h->buddy.base;
    if (h->buddy.npages == 0 || h->buddy.npages > VH_MAX_PAGES ||
        (base & (VH_PAGE_SIZE - 1u)) != 0 || pages != (uintptr_t)(h + 1) ||
        (uintptr_t)h < region || base < pages + (size_t)h->buddy.npages * sizeof(struct vh_page) ||
        base > region + h->region_size || region + h->region_size - base < heap_span(h))
        return VH_CHECK_HEADER;
    return 0;
}

/* H2, H3: recount block bytes and live blocks (slab_check recounted S5). */
static int heap_check_stats(const vh_heap *h)
{
    size_t blocks = 0, live = 0;
    for (uint32_t p = 0; p < h->buddy.npages; p++) {
        const struct vh_page *d = &h->buddy.pages[p];
        if (d->kind == VH_PG_BLOCK) {
            blocks += VH_PAGE_SIZE << d->order;
            live++;
        } else if (d->kind == VH_PG_SLAB) {
            live += slab_capacity(d->order) - d->nfree;
        }
    }
    if (blocks != h->block_bytes || h->allocations - h->deallocations != live ||
        heap_used_bytes(h) + heap_free_bytes(h) > h->region_size)
        return VH_CHECK_STATS;
    return 0;
}

int vh_check(const vh_heap *h)
{
    if (h == NULL || h->magic != VH_MAGIC || h->self != h)
        return VH_CHECK_HEADER;
    heap_lock(h);
    int rc = heap_check_header(h);
    if (rc == 0)
        rc = buddy_check(&h->buddy);
    if (rc == 0)
        rc = slab_check(&h->slabs, &h->buddy);
    if (rc == 0)
        rc = heap_check_stats(h);
    heap_unlock(h);
    return rc;
}
