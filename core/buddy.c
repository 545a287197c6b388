/* SPDX-License-Identifier: MIT */
/* buddy: split on alloc, eager merge on free; see buddy.h for invariants.
 *
 * Validation: every entry taken off a free list is checked (in range, aligned,
 * kind FREE, right order, neighbours linking back) before anything changes,
 * so a corrupted descriptor array yields VH_ECORRUPT, never an address
 * outside the heap.
 */
#include "buddy.h"

VH_INLINE void free_push(struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned k)
{
    a->pages[p].kind = VH_PG_FREE;
    a->pages[p].order = (uint8_t)k;
    pagelist_push(a->pages, &b->free_head[k], p) /*@ ghost (a->npages) */;
    b->free_mask |= (uint32_t)1 << k;
}

/* Unlinks free head p of order k; the caller validated its links
 * (free_entry_ok).  bit == 1 << k, the order's mask bit (callers that walk
 * the orders keep it in a variable). */
VH_INLINE void free_unlink_bit(struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned k,
                               uint32_t bit)
{
    pagelist_unlink_linked(a->pages, &b->free_head[k], p) /*@ ghost (a->npages) */;
    if (b->free_head[k] == VH_NIL)
        b->free_mask &= ~bit;
}

VH_INLINE void free_unlink(struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned k)
{
    free_unlink_bit(b, a, p, k, (uint32_t)1 << k);
}

VH_INLINE bool buddy_is_free_head(const struct vh_area *a, uint32_t q, unsigned k)
{
    return a->pages[q].kind == VH_PG_FREE && a->pages[q].order == k;
}

/* Whether p is a well-formed, linked free head of order k. */
VH_INLINE bool free_entry_ok(const struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned k)
{
    return p < a->npages && buddy_is_free_head(a, p, k) && (p & (buddy_order_pages(k) - 1u)) == 0 &&
           buddy_fits(p, k, a->npages) && pagelist_linked(a->pages, a->npages, b->free_head[k], p);
}

static void buddy_init(struct vh_buddy *b, const struct vh_area *a)
{
    uint32_t npages = a->npages;
    b->free_mask = 0;
    b->free_pages = npages;
    for (unsigned k = 0; k < VH_NUM_ORDERS; k++)
        b->free_head[k] = VH_NIL;
    /* Binary decomposition of npages: whole top-order blocks, then the tail
     * cut by the bits of the remainder, largest first, so every block is
     * aligned to its size.  Top-order blocks are pushed from the highest
     * address down so that allocation starts at page 0. */
    uint32_t top = buddy_order_pages(VH_MAX_ORDER);
    uint32_t whole = npages / top;
    for (uint32_t i = whole; i > 0; i--)
        free_push(b, a, (i - 1u) * top, VH_MAX_ORDER);
    uint32_t p = whole * top;
    for (unsigned k = VH_MAX_ORDER; k-- > 0;) {
        if (buddy_fits(p, k, npages)) {
            free_push(b, a, p, k);
            p += buddy_order_pages(k);
        }
    }
}

static int buddy_alloc(struct vh_buddy *b, const struct vh_area *a, unsigned order, uint32_t *out)
{
    if (order > VH_MAX_ORDER)
        return BUDDY_ENOMEM;
    uint32_t mask = b->free_mask & (UINT32_MAX << order);
    if (mask == 0)
        return BUDDY_ENOMEM;
    unsigned k = (unsigned)__builtin_ctz(mask);
    if (k > VH_MAX_ORDER)
        return VH_ECORRUPT;
    uint32_t p = b->free_head[k];
    if (!free_entry_ok(b, a, p, k))
        return VH_ECORRUPT;
    free_unlink(b, a, p, k);
    /* Hand out the lower half; the upper halves go on the lists of orders
     * order..k-1, whose mask bits become set.  Those lists are empty (k is
     * the lowest non-empty order >= order, B4), so each half becomes its
     * list's only entry and the old head is not even read: if the mask lied,
     * the entries it hid stay orphaned inside the area, unreachable
     * (contained; vh_check reports it), and nothing is written through a
     * head that may hold any bytes. */
    b->free_mask |= (buddy_order_pages(k) - 1u) & ~(buddy_order_pages(order) - 1u);
    while (k > order) {
        k--;
        uint32_t upper = p + buddy_order_pages(k);
        a->pages[upper] = (struct vh_page){VH_PG_FREE, (uint8_t)k, 0, VH_NIL, VH_NIL, 0};
        b->free_head[k] = upper;
    }
    a->pages[p].kind = VH_PG_BLOCK;
    a->pages[p].order = (uint8_t)order;
    b->free_pages -= buddy_order_pages(order);
    *out = p;
    return 0;
}

/* How far the block of order k0 at p merges: fills *m, checking that every
 * buddy it would absorb is correctly linked into its free list.  Changes
 * nothing.  Every such buddy lies inside the heap by construction (its
 * parent fits). */
static int merge_extent(const struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned k0,
                        struct vh_merge *m)
{
    unsigned k = k0;
    uint32_t span = buddy_order_pages(k0), npages = a->npages;
    /* p is aligned to span == 2^k and p + span <= npages, so the parent
     * (p & ~span <= p) fits exactly when twice the span is left after it:
     * the shift of the order is kept in span, not recomputed. */
    while (k < VH_MAX_ORDER) {
        uint32_t parent = p & ~span;
        if (npages - parent < 2u * span)
            break;
        uint32_t q = p ^ span;
        if (!buddy_is_free_head(a, q, k))
            break;
        if (!pagelist_linked(a->pages, npages, b->free_head[k], q))
            return VH_ECORRUPT;
        m->absorbed[k] = q;
        p = parent;
        span *= 2u;
        k++;
    }
    m->order = k0;
    m->top = k;
    m->head = p;
    return VH_OK;
}

static int buddy_free_plan(const struct vh_buddy *b, const struct vh_area *a, uint32_t p,
                           struct vh_merge *m)
{
    VH_ASSERT(buddy_head_ok(a, p) && page_in_use(&a->pages[p]));
    int rc = merge_extent(b, a, p, a->pages[p].order, m);
    if (rc != VH_OK)
        return rc;
    return pagelist_head_ok(b->free_head[m->top], a->npages) ? VH_OK : VH_ECORRUPT;
}

static void buddy_free_commit(struct vh_buddy *b, const struct vh_area *a, uint32_t p,
                              const struct vh_merge *m)
{
    /* Absorb the buddies; only the merged head stays marked. */
    b->free_pages += buddy_order_pages(m->order);
    page_clear(&a->pages[p]);
    uint32_t bit = buddy_order_pages(m->order);
    for (unsigned k = m->order; k < m->top; k++) {
        uint32_t q = m->absorbed[k];
        free_unlink_bit(b, a, q, k, bit); /* bit: order k's mask bit, 1 << k */
        page_clear(&a->pages[q]);
        bit *= 2u;
    }
    free_push(b, a, m->head, m->top);
}

static int buddy_free(struct vh_buddy *b, const struct vh_area *a, uint32_t p)
{
    struct vh_merge m;
    int rc = buddy_free_plan(b, a, p, &m);
    if (rc != VH_OK)
        return rc;
    buddy_free_commit(b, a, p, &m);
    return VH_OK;
}

static bool buddy_heads_ok(const struct vh_buddy *b, const struct vh_area *a, unsigned order)
{
    for (unsigned k = 0; k < VH_NUM_ORDERS; k++) {
        uint32_t head = b->free_head[k];
        if (!pagelist_head_ok(head, a->npages))
            return false;
        if (k >= order && ((b->free_mask >> k) & 1u) == 0 && head != VH_NIL)
            return false;
    }
    return true;
}

static int buddy_shrink(struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned new_order)
{
    unsigned k = a->pages[p].order;
    VH_ASSERT(a->pages[p].kind == VH_PG_BLOCK && new_order < k);
    for (unsigned j = new_order; j < k; j++)
        if (!pagelist_head_ok(b->free_head[j], a->npages))
            return VH_ECORRUPT;
    b->free_pages += buddy_order_pages(k) - buddy_order_pages(new_order);
    /* The upper halves' buddies are the lower halves, which stay in use, so
     * nothing merges. */
    while (k > new_order) {
        k--;
        uint32_t upper = p + buddy_order_pages(k);
        page_clear(&a->pages[upper]);
        free_push(b, a, upper, k);
    }
    a->pages[p].order = (uint8_t)new_order;
    return VH_OK;
}

static int buddy_grow(struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned new_order)
{
    unsigned k0 = a->pages[p].order;
    VH_ASSERT(a->pages[p].kind == VH_PG_BLOCK && new_order > k0);
    if (new_order > VH_MAX_ORDER)
        return BUDDY_ENOMEM;
    for (unsigned k = k0; k < new_order; k++) {
        if ((p & buddy_order_pages(k)) != 0 || !buddy_fits(p, k + 1u, a->npages))
            return BUDDY_ENOMEM; /* p is an upper half: its buddy lies below */
        uint32_t q = p + buddy_order_pages(k);
        if (!buddy_is_free_head(a, q, k))
            return BUDDY_ENOMEM;
        if (!free_entry_ok(b, a, q, k))
            return VH_ECORRUPT;
    }
    for (unsigned k = k0; k < new_order; k++) {
        uint32_t q = p + buddy_order_pages(k);
        free_unlink(b, a, q, k);
        page_clear(&a->pages[q]);
    }
    a->pages[p].order = (uint8_t)new_order;
    b->free_pages -= buddy_order_pages(new_order) - buddy_order_pages(k0);
    return VH_OK;
}

static int buddy_largest_free_order(const struct vh_buddy *b)
{
    uint32_t mask = b->free_mask;
    return mask == 0 ? -1 : 31 - __builtin_clz(mask);
}

/* B1, B2, B5 for the head p: 0 or a VH_CHECK_* code; *pages its block's
 * pages. */
static int check_head(const struct vh_area *a, uint32_t p, uint32_t *pages)
{
    const struct vh_page *d = &a->pages[p];
    if (d->kind > VH_PG_LAST || d->order > VH_MAX_ORDER)
        return VH_CHECK_DESCRIPTOR;
    if (d->kind == VH_PG_NONE)
        return VH_CHECK_TILING;
    unsigned k = d->order;
    if ((p & (buddy_order_pages(k) - 1u)) != 0 || !buddy_fits(p, k, a->npages))
        return VH_CHECK_TILING;
    if (d->kind == VH_PG_BLOCK && (d->prev != VH_NIL || d->next != VH_NIL))
        return VH_CHECK_DESCRIPTOR;
    for (uint32_t i = 1; i < buddy_order_pages(k); i++)
        if (!page_is_blank(&a->pages[p + i]))
            return VH_CHECK_TILING;
    if (d->kind == VH_PG_FREE && k < VH_MAX_ORDER &&
        buddy_fits(buddy_parent(p, k), k + 1u, a->npages) && buddy_is_free_head(a, buddy_of(p, k), k))
        return VH_CHECK_UNMERGED;
    *pages = buddy_order_pages(k);
    return 0;
}

/* B3, B4 for order k, whose tiling walk found nheads free heads. */
static int check_free_list(const struct vh_buddy *b, const struct vh_area *a, unsigned k, uint32_t nheads)
{
    uint32_t n;
    if (!pagelist_check(a->pages, a->npages, b->free_head[k], nheads, &n) || n != nheads)
        return VH_CHECK_FREE_LIST;
    for (uint32_t q = b->free_head[k]; q != VH_NIL; q = a->pages[q].next)
        if (!buddy_is_free_head(a, q, k))
            return VH_CHECK_FREE_LIST;
    bool bit = (b->free_mask >> k) & 1u;
    if (bit != (b->free_head[k] != VH_NIL))
        return VH_CHECK_FREE_MASK;
    return 0;
}

static int buddy_check(const struct vh_buddy *b, const struct vh_area *a)
{
    uint32_t heads[VH_NUM_ORDERS] = {0};
    size_t free_pages = 0;
    for (uint32_t p = 0, n = 0; p < a->npages; p += n) {
        int rc = check_head(a, p, &n);
        if (rc != 0)
            return rc;
        if (a->pages[p].kind == VH_PG_FREE) {
            heads[a->pages[p].order]++;
            free_pages += n;
        }
    }
    for (unsigned k = 0; k < VH_NUM_ORDERS; k++) {
        int rc = check_free_list(b, a, k, heads[k]);
        if (rc != 0)
            return rc;
    }
    if ((b->free_mask >> VH_NUM_ORDERS) != 0 || free_pages != b->free_pages)
        return VH_CHECK_FREE_MASK;
    return 0;
}
