/* SPDX-License-Identifier: MIT */
/* slab: partial / full / cached-empty bookkeeping; see slab.h for invariants.
 *
 * Every slab state change is O(1): a slab moves on or off its class's partial
 * list at the full <-> partial and partial <-> empty transitions only.
 */
#include "slab.h"

VH_INLINE uint64_t *slab_bitmap(const struct vh_area *a, uint32_t p, unsigned c)
{
    if (slab_bitmap_inband(c)) {
        unsigned char *end = page_addr(a, p) + VH_PAGE_SIZE;
        return (uint64_t *)(void *)(end - slab_bitmap_words(c) * sizeof(uint64_t));
    }
    return &a->pages[p].bits;
}

/* Whether p is a slab page of class c with nfree in [lo, hi]. */
static bool slab_ok(const struct vh_area *a, uint32_t p, unsigned c, size_t lo, size_t hi)
{
    return p < a->npages && a->pages[p].kind == VH_PG_SLAB && a->pages[p].cls == c &&
           a->pages[p].nfree >= lo && a->pages[p].nfree <= hi;
}

static void slab_init(struct vh_slabs *s)
{
    for (unsigned c = 0; c < VH_NUM_CLASSES; c++) {
        s->partial[c] = VH_NIL;
        s->cached[c] = VH_NIL;
        s->capacity[c] = (uint16_t)slab_capacity(c);
    }
    for (size_t i = 0; i <= VH_MAX_CLASS_SIZE / 16u; i++)
        s->class_by_16[i] = (uint8_t)slab_class_of(16u * i);
    s->used_bytes = 0;
    s->slot_bytes = 0;
}

/* Gives slab page p (empty, on no list) back to the buddy layer, which
 * clears its descriptor, slab fields included. */
static int slab_release(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a, uint32_t p)
{
    unsigned c = a->pages[p].cls;
    int rc = buddy_free(b, a, p);
    if (rc != VH_OK)
        return rc;
    s->slot_bytes -= slab_capacity(c) * slab_class_size(c);
    return VH_OK;
}

static int slab_reclaim(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a)
{
    for (unsigned c = 0; c < VH_NUM_CLASSES; c++) {
        uint32_t p = s->cached[c];
        if (p == VH_NIL)
            continue;
        if (!slab_ok(a, p, c, slab_capacity(c), slab_capacity(c)))
            return VH_ECORRUPT;
        int rc = slab_release(s, b, a, p);
        if (rc != VH_OK)
            return rc;
        s->cached[c] = VH_NIL;
    }
    return VH_OK;
}

/* Gives the cached slabs back and retries. */
static int slab_page_alloc_reclaim(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a,
                                   unsigned order, uint32_t *out)
{
    bool any = false;
    for (unsigned c = 0; c < VH_NUM_CLASSES; c++)
        any |= s->cached[c] != VH_NIL;
    if (!any)
        return BUDDY_ENOMEM;
    int rc = slab_reclaim(s, b, a);
    if (rc != VH_OK)
        return rc;
    return buddy_alloc(b, a, order, out);
}

VH_INLINE int slab_page_alloc(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a,
                              unsigned order, uint32_t *out)
{
    int rc = buddy_alloc(b, a, order, out);
    if (VH_UNLIKELY(rc == BUDDY_ENOMEM))
        return slab_page_alloc_reclaim(s, b, a, order, out);
    return rc;
}

/* Makes a slab with free objects the head of partial[c]: the cached empty
 * slab if there is one, else a new page. */
static int slab_refill(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a, unsigned c)
{
    size_t cap = slab_capacity(c);
    uint32_t p = s->cached[c];
    if (p != VH_NIL) {
        if (!slab_ok(a, p, c, cap, cap))
            return VH_ECORRUPT;
        s->cached[c] = VH_NIL;
    } else {
        int rc = slab_page_alloc(s, b, a, 0, &p);
        if (rc != 0)
            return rc;
        struct vh_page *d = &a->pages[p];
        d->kind = VH_PG_SLAB;
        d->cls = (uint8_t)c;
        d->nfree = (uint16_t)cap;
        d->bits = 0;
        uint64_t *bits = slab_bitmap(a, p, c);
        /* The page is poisoned while free, and the compiler may turn the
         * zeroing loop into a memset call, which ASan checks even when
         * called from a VH_NO_ASAN function.  Poisoned again just below. */
        VH_UNPOISON(bits, slab_bitmap_words(c) * sizeof(uint64_t));
        bitmap_zero(bits, cap);
        VH_POISON(page_addr(a, p), VH_PAGE_SIZE);
        s->slot_bytes += cap * slab_class_size(c);
    }
    pagelist_push(a->pages, &s->partial[c], p);
    return VH_OK;
}

/* Takes free object i of slab p (validated by the caller). */
VH_INLINE void *slab_take(struct vh_slabs *s, const struct vh_area *a, uint32_t p, unsigned c,
                          uint64_t *bits, size_t i)
{
    bitmap_set(bits, i);
    a->pages[p].nfree--;
    s->used_bytes += slab_class_size(c);
    return page_addr(a, p) + slab_obj_offset(c, i);
}

/* Lowest free object of slab p, or a value >= its capacity. */
VH_INLINE size_t slab_lowest_free(const struct vh_slabs *s, const uint64_t *bits, unsigned c)
{
    /* One-word bitmaps keep the bits past the capacity clear, so the lowest
     * clear bit of the word is below it whenever one below it exists. */
    return slab_bitmap_inband(c) ? bitmap_find_clear(bits, s->capacity[c])
                                 : bitmap_find_clear(bits, BITMAP_WORD_BITS);
}

VH_INLINE void *slab_alloc_quick(struct vh_slabs *s, const struct vh_area *a, unsigned c)
{
    uint32_t p = s->partial[c];
    if (p >= a->npages) /* VH_NIL included */
        return NULL;
    const struct vh_page *d = &a->pages[p];
    if (d->kind != VH_PG_SLAB || d->cls != c || d->nfree == 0)
        return NULL;
    uint64_t *bits = slab_bitmap(a, p, c);
    size_t i = slab_lowest_free(s, bits, c);
    if (i >= s->capacity[c])
        return NULL;
    /* Becomes full: leaves the partial list (it is the head). */
    if (d->nfree == 1u && pagelist_unlink(a->pages, a->npages, &s->partial[c], p) != VH_OK)
        return NULL;
    return slab_take(s, a, p, c, bits, i);
}

static int slab_alloc(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a, unsigned c,
                      void **out)
{
    if (s->partial[c] == VH_NIL) {
        int rc = slab_refill(s, b, a, c);
        if (rc != VH_OK)
            return rc;
    }
    /* With a current slab, the fast path refuses only a list head or link
     * that fails validation: a corrupted link never turns into an address
     * outside the heap, and nothing has changed. */
    void *p = slab_alloc_quick(s, a, c);
    if (p == NULL)
        return VH_ECORRUPT;
    *out = p;
    return VH_OK;
}

VH_INLINE int slab_locate(const struct vh_slabs *s, const struct vh_area *a, uint32_t p, size_t off,
                          size_t *index)
{
    unsigned c = a->pages[p].cls;
    if (VH_UNLIKELY(c >= VH_NUM_CLASSES))
        return VH_ECORRUPT;
    if ((off & (slab_class_size(c) - 1u)) != 0)
        return VH_EINTERIOR;
    size_t i = off >> slab_class_shift(c);
    if (i >= s->capacity[c])
        return VH_EINTERIOR;
    if (!bitmap_test(slab_bitmap(a, p, c), i))
        return VH_EDOUBLEFREE;
    *index = i;
    return VH_OK;
}

/* The free that empties a slab (partial -> cached, or given back to the
 * buddy layer); slab_free_quick handled every other free. */
static int slab_free_transition(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a,
                                uint32_t p, size_t index)
{
    struct vh_page *d = &a->pages[p];
    unsigned c = d->cls;
    size_t cap = slab_capacity(c);
    uint64_t *bits = slab_bitmap(a, p, c);
    if (d->nfree + 1u != cap)
        return VH_ECORRUPT; /* nfree >= cap: more free objects than slots */
    /* Partial -> empty (cap >= 2, so an emptying slab was partial). */
    if (pagelist_unlink(a->pages, a->npages, &s->partial[c], p) != VH_OK)
        return VH_ECORRUPT;
    bitmap_clear(bits, index);
    d->nfree++;
    s->used_bytes -= slab_class_size(c);
    if (s->cached[c] == VH_NIL) {
        s->cached[c] = p;
        return VH_OK;
    }
    int rc = slab_release(s, b, a, p);
    if (rc != VH_OK) {
        /* Undo: the buddy layer changed nothing. */
        d->nfree--;
        s->used_bytes += slab_class_size(c);
        bitmap_set(bits, index);
        pagelist_push(a->pages, &s->partial[c], p);
    }
    return rc;
}

VH_INLINE bool slab_free_quick(struct vh_slabs *s, const struct vh_area *a, uint32_t p, size_t index)
{
    struct vh_page *d = &a->pages[p];
    unsigned c = d->cls;
    if (d->nfree + 1u >= s->capacity[c])
        return false; /* empties (or corrupt): slab_free_transition */
    if (d->nfree == 0) /* full -> partial: becomes the current slab */
        pagelist_push(a->pages, &s->partial[c], p);
    bitmap_clear(slab_bitmap(a, p, c), index);
    d->nfree++;
    s->used_bytes -= slab_class_size(c);
    return true;
}

static int slab_free(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a, uint32_t p,
                     size_t index)
{
    if (slab_free_quick(s, a, p, index))
        return VH_OK;
    return slab_free_transition(s, b, a, p, index);
}

/* S6: the lookup tables equal the functions they cache. */
static bool slab_tables_ok(const struct vh_slabs *s)
{
    for (unsigned c = 0; c < VH_NUM_CLASSES; c++)
        if (s->capacity[c] != slab_capacity(c))
            return false;
    for (size_t i = 0; i <= VH_MAX_CLASS_SIZE / 16u; i++)
        if (s->class_by_16[i] != slab_class_of(16u * i))
            return false;
    return true;
}

/* S1, S3, S4, S7 for page p; counts partial slabs and S5's bytes. */
static int slab_check_page(const struct vh_slabs *s, const struct vh_area *a, uint32_t p,
                           size_t *partial, size_t *used_bytes, size_t *slot_bytes)
{
    const struct vh_page *d = &a->pages[p];
    if (d->kind != VH_PG_SLAB)
        return d->cls != 0 || d->nfree != 0 || d->bits != 0 ? VH_CHECK_DESCRIPTOR : 0;
    unsigned c = d->cls;
    if (c >= VH_NUM_CLASSES || d->order != 0)
        return VH_CHECK_DESCRIPTOR;
    size_t cap = slab_capacity(c);
    const uint64_t *bits = slab_bitmap(a, p, c);
    if (d->nfree > cap || bitmap_tail_dirty(bits, cap) || bitmap_count(bits, cap) != cap - d->nfree)
        return VH_CHECK_SLAB_BITMAP;
    if (slab_bitmap_inband(c) && d->bits != 0)
        return VH_CHECK_SLAB_BITMAP;
    *used_bytes += (cap - d->nfree) * slab_class_size(c);
    *slot_bytes += cap * slab_class_size(c);
    bool listed = d->prev != VH_NIL || d->next != VH_NIL || s->partial[c] == p;
    if (d->nfree == 0 && listed)
        return VH_CHECK_SLAB_LIST;
    if (d->nfree > 0 && d->nfree < cap) {
        if (!listed)
            return VH_CHECK_SLAB_LIST;
        partial[c]++;
    }
    if (d->nfree == cap && (listed || s->cached[c] != p))
        return VH_CHECK_SLAB_LIST;
    return 0;
}

/* S2, S4 for class c, whose page walk found npartial partial slabs. */
static int slab_check_class(const struct vh_slabs *s, const struct vh_area *a, unsigned c, size_t npartial)
{
    size_t cap = slab_capacity(c);
    uint32_t n;
    if (!pagelist_check(a->pages, a->npages, s->partial[c], (uint32_t)npartial, &n) || n != npartial)
        return VH_CHECK_SLAB_LIST;
    for (uint32_t p = s->partial[c]; p != VH_NIL; p = a->pages[p].next)
        if (!slab_ok(a, p, c, 1, cap - 1u))
            return VH_CHECK_SLAB_LIST;
    uint32_t q = s->cached[c];
    if (q != VH_NIL && !slab_ok(a, q, c, cap, cap))
        return VH_CHECK_SLAB_LIST;
    return 0;
}

static int slab_check(const struct vh_slabs *s, const struct vh_area *a)
{
    size_t partial[VH_NUM_CLASSES] = {0};
    size_t used_bytes = 0, slot_bytes = 0;
    if (!slab_tables_ok(s))
        return VH_CHECK_HEADER;
    for (uint32_t p = 0; p < a->npages; p++) {
        int rc = slab_check_page(s, a, p, partial, &used_bytes, &slot_bytes);
        if (rc != 0)
            return rc;
    }
    for (unsigned c = 0; c < VH_NUM_CLASSES; c++) {
        int rc = slab_check_class(s, a, c, partial[c]);
        if (rc != 0)
            return rc;
    }
    if (used_bytes != s->used_bytes || slot_bytes != s->slot_bytes)
        return VH_CHECK_STATS;
    return 0;
}
