/* buddy: split on alloc, eager merge on free; see buddy.h for invariants.
 *
 * Validation: every entry taken off a free list is checked (in range, aligned,
 * kind FREE, right order, neighbours linking back) before anything changes,
 * so a corrupted descriptor array yields VH_ECORRUPT, never an address
 * outside the heap.
 */
#include "buddy.h"

#include <vheap.h>

static const struct vh_page page_none = {0, 0, 0, 0, 0, 0};

VH_HOT void pagelist_push(struct vh_page *pages, uint32_t *head, uint32_t p)
{
    pages[p].prev = VH_NIL;
    pages[p].next = *head;
    if (*head != VH_NIL)
        pages[*head].prev = p;
    *head = p;
}

VH_HOT bool pagelist_linked(const struct vh_page *pages, uint32_t npages, uint32_t head, uint32_t p)
{
    uint32_t prev = pages[p].prev, next = pages[p].next;
    if (prev == VH_NIL) {
        if (head != p)
            return false;
    } else if (prev >= npages || pages[prev].next != p) {
        return false;
    }
    return next == VH_NIL || (next < npages && pages[next].prev == p);
}

/* Unlinks p from a list whose links around p were validated. */
VH_HOT_LOCAL void pagelist_unlink_valid(struct vh_page *pages, uint32_t *head, uint32_t p)
{
    uint32_t prev = pages[p].prev, next = pages[p].next;
    if (prev == VH_NIL)
        *head = next;
    else
        pages[prev].next = next;
    if (next != VH_NIL)
        pages[next].prev = prev;
    pages[p].prev = VH_NIL;
    pages[p].next = VH_NIL;
}

VH_HOT int pagelist_unlink(struct vh_page *pages, uint32_t npages, uint32_t *head, uint32_t p)
{
    if (!pagelist_linked(pages, npages, *head, p))
        return VH_ECORRUPT;
    pagelist_unlink_valid(pages, head, p);
    return VH_OK;
}

VH_HOT_LOCAL void free_push(struct vh_buddy *b, uint32_t p, unsigned k)
{
    b->pages[p].kind = VH_PG_FREE;
    b->pages[p].order = (uint8_t)k;
    pagelist_push(b->pages, &b->free_head[k], p);
    b->free_mask |= (uint32_t)1 << k;
}

VH_HOT_LOCAL void free_unlink(struct vh_buddy *b, uint32_t p, unsigned k)
{
    /* Callers validated the links first (free_entry_ok). */
    pagelist_unlink_valid(b->pages, &b->free_head[k], p);
    if (b->free_head[k] == VH_NIL)
        b->free_mask &= ~((uint32_t)1 << k);
}

/* Whether p is a well-formed, linked free head of order k. */
VH_HOT_LOCAL bool free_entry_ok(const struct vh_buddy *b, uint32_t p, unsigned k)
{
    return p < b->npages && b->pages[p].kind == VH_PG_FREE && b->pages[p].order == k &&
           (p & (buddy_order_pages(k) - 1u)) == 0 && buddy_fits(p, k, b->npages) &&
           pagelist_linked(b->pages, b->npages, b->free_head[k], p);
}

VH_INTERNAL void buddy_init(struct vh_buddy *b, unsigned char *base, struct vh_page *pages, uint32_t npages)
{
    b->base = base;
    b->pages = pages;
    b->npages = npages;
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
        free_push(b, (i - 1u) * top, VH_MAX_ORDER);
    uint32_t p = whole * top;
    for (unsigned k = VH_MAX_ORDER; k-- > 0;) {
        if (buddy_fits(p, k, npages)) {
            free_push(b, p, k);
            p += buddy_order_pages(k);
        }
    }
}

VH_INTERNAL int buddy_alloc(struct vh_buddy *b, unsigned order, uint32_t *out)
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
    if (!free_entry_ok(b, p, k))
        return VH_ECORRUPT;
    free_unlink(b, p, k);
    /* Hand out the lower half; the upper halves go on their free lists,
     * whose mask bits order..k-1 become set. */
    b->free_mask |= (buddy_order_pages(k) - 1u) & ~(buddy_order_pages(order) - 1u);
    while (k > order) {
        k--;
        uint32_t upper = p + buddy_order_pages(k);
        uint32_t head = b->free_head[k];
        b->pages[upper] = (struct vh_page){VH_PG_FREE, (uint8_t)k, 0, VH_NIL, head, 0};
        if (head != VH_NIL)
            b->pages[head].prev = upper;
        b->free_head[k] = upper;
    }
    b->pages[p].kind = VH_PG_BLOCK;
    b->pages[p].order = (uint8_t)order;
    b->free_pages -= buddy_order_pages(order);
    *out = p;
    return 0;
}

VH_INTERNAL int buddy_free(struct vh_buddy *b, uint32_t p)
{
    struct vh_page *pages = b->pages;
    unsigned k0 = buddy_head_order(&pages[p]);
    /* Pass 1 changes nothing: how far the block merges.  Every buddy it
     * would absorb lies inside the heap by construction (its parent fits);
     * it must also be correctly linked into its free list. */
    uint32_t head = p;
    unsigned top = k0;
    while (top < VH_MAX_ORDER) {
        uint32_t parent = buddy_parent(head, top);
        if (!buddy_fits(parent, top + 1u, b->npages))
            break;
        uint32_t q = buddy_of(head, top);
        if (pages[q].kind != VH_PG_FREE || pages[q].order != top)
            break;
        if (!pagelist_linked(pages, b->npages, b->free_head[top], q))
            return VH_ECORRUPT;
        head = parent;
        top++;
    }
    /* Pass 2: absorb the buddies; only the merged head stays marked. */
    b->free_pages += buddy_order_pages(k0);
    pages[p] = page_none;
    for (unsigned k = k0; k < top; k++) {
        uint32_t q = buddy_of(p, k);
        free_unlink(b, q, k);
        pages[q] = page_none;
        p = buddy_parent(p, k);
    }
    free_push(b, head, top);
    return VH_OK;
}

VH_INTERNAL int buddy_shrink(struct vh_buddy *b, uint32_t p, unsigned new_order)
{
    unsigned k = b->pages[p].order;
    VH_ASSERT(b->pages[p].kind == VH_PG_BLOCK && new_order < k);
    b->free_pages += buddy_order_pages(k) - buddy_order_pages(new_order);
    /* The upper halves' buddies are the lower halves, which stay in use, so
     * nothing merges. */
    while (k > new_order) {
        k--;
        uint32_t upper = p + buddy_order_pages(k);
        b->pages[upper] = page_none;
        free_push(b, upper, k);
    }
    b->pages[p].order = (uint8_t)new_order;
    return VH_OK;
}

VH_INTERNAL int buddy_grow(struct vh_buddy *b, uint32_t p, unsigned new_order)
{
    unsigned k0 = b->pages[p].order;
    VH_ASSERT(b->pages[p].kind == VH_PG_BLOCK && new_order > k0);
    if (new_order > VH_MAX_ORDER)
        return BUDDY_ENOMEM;
    for (unsigned k = k0; k < new_order; k++) {
        if ((p & buddy_order_pages(k)) != 0 || !buddy_fits(p, k + 1u, b->npages))
            return BUDDY_ENOMEM; /* p is an upper half: its buddy lies below */
        uint32_t q = p + buddy_order_pages(k);
        if (b->pages[q].kind != VH_PG_FREE || b->pages[q].order != k)
            return BUDDY_ENOMEM;
        if (!free_entry_ok(b, q, k))
            return VH_ECORRUPT;
    }
    for (unsigned k = k0; k < new_order; k++) {
        uint32_t q = p + buddy_order_pages(k);
        free_unlink(b, q, k);
        b->pages[q] = page_none;
    }
    b->pages[p].order = (uint8_t)new_order;
    b->free_pages -= buddy_order_pages(new_order) - buddy_order_pages(k0);
    return VH_OK;
}

static int highest_bit(uint32_t mask)
{
    return mask == 0 ? -1 : 31 - __builtin_clz(mask);
}

#define BUDDY_MAX_EXTRA 16u

VH_INTERNAL int buddy_largest_order_with(const struct vh_buddy *b, const uint32_t *extra, unsigned n)
{
    /* Freeing in any order gives the same final state (coalescing is
     * confluent), so free the extras one by one into a small overlay of
     * virtual free blocks.  A block merges with a real free buddy or with a
     * virtual one; a virtual block stopped early is found later by the buddy
     * that grows up to it. */
    uint32_t vp[BUDDY_MAX_EXTRA];
    unsigned vk[BUDDY_MAX_EXTRA];
    bool live[BUDDY_MAX_EXTRA];
    unsigned nv = 0;
    int best = highest_bit(b->free_mask);
    VH_ASSERT(n <= BUDDY_MAX_EXTRA);
    if (n > BUDDY_MAX_EXTRA)
        n = BUDDY_MAX_EXTRA;
    for (unsigned i = 0; i < n; i++) {
        uint32_t p = extra[i];
        unsigned k = 0;
        while (k < VH_MAX_ORDER) {
            uint32_t parent = buddy_parent(p, k);
            if (!buddy_fits(parent, k + 1u, b->npages))
                break;
            uint32_t q = buddy_of(p, k);
            bool merged = b->pages[q].kind == VH_PG_FREE && b->pages[q].order == k;
            for (unsigned j = 0; !merged && j < nv; j++) {
                if (live[j] && vp[j] == q && vk[j] == k) {
                    live[j] = false;
                    merged = true;
                }
            }
            if (!merged)
                break;
            p = parent;
            k++;
        }
        vp[nv] = p;
        vk[nv] = k;
        live[nv] = true;
        nv++;
    }
    for (unsigned j = 0; j < nv; j++)
        if (live[j] && (int)vk[j] > best)
            best = (int)vk[j];
    return best;
}

static bool page_is_zero(const struct vh_page *d)
{
    return d->kind == VH_PG_NONE && d->order == 0 && d->nfree == 0 && d->prev == 0 &&
           d->next == 0 && d->bits == 0;
}

VH_INTERNAL int buddy_check(const struct vh_buddy *b)
{
    uint32_t heads[VH_NUM_ORDERS] = {0};
    size_t free_pages = 0;

    /* B1, B2: walk the tiling. */
    uint32_t p = 0;
    while (p < b->npages) {
        const struct vh_page *d = &b->pages[p];
        if (d->kind > VH_PG_SLAB)
            return VH_CHECK_DESCRIPTOR;
        if (d->kind == VH_PG_NONE)
            return VH_CHECK_TILING;
        if (d->kind != VH_PG_SLAB && d->order > VH_MAX_ORDER)
            return VH_CHECK_DESCRIPTOR;
        unsigned k = buddy_head_order(d);
        if ((p & (buddy_order_pages(k) - 1u)) != 0 || !buddy_fits(p, k, b->npages))
            return VH_CHECK_TILING;
        if (d->kind != VH_PG_SLAB && (d->nfree != 0 || d->bits != 0))
            return VH_CHECK_DESCRIPTOR;
        if (d->kind == VH_PG_BLOCK && (d->prev != VH_NIL || d->next != VH_NIL))
            return VH_CHECK_DESCRIPTOR;
        for (uint32_t i = 1; i < buddy_order_pages(k); i++)
            if (!page_is_zero(&b->pages[p + i]))
                return VH_CHECK_TILING;
        if (d->kind == VH_PG_FREE) {
            heads[k]++;
            free_pages += buddy_order_pages(k);
            /* B5 */
            if (k < VH_MAX_ORDER && buddy_fits(buddy_parent(p, k), k + 1u, b->npages)) {
                const struct vh_page *q = &b->pages[buddy_of(p, k)];
                if (q->kind == VH_PG_FREE && q->order == k)
                    return VH_CHECK_UNMERGED;
            }
        }
        p += buddy_order_pages(k);
    }

    /* B3, B4: the lists hold exactly the free heads. */
    for (unsigned k = 0; k < VH_NUM_ORDERS; k++) {
        uint32_t n = 0, prev = VH_NIL;
        for (uint32_t q = b->free_head[k]; q != VH_NIL; q = b->pages[q].next) {
            if (q >= b->npages || n >= heads[k] || b->pages[q].kind != VH_PG_FREE ||
                b->pages[q].order != k || b->pages[q].prev != prev)
                return VH_CHECK_FREE_LIST;
            prev = q;
            n++;
        }
        if (n != heads[k])
            return VH_CHECK_FREE_LIST;
        bool bit = (b->free_mask >> k) & 1u;
        if (bit != (b->free_head[k] != VH_NIL))
            return VH_CHECK_FREE_MASK;
    }
    if ((b->free_mask >> VH_NUM_ORDERS) != 0 || free_pages != b->free_pages)
        return VH_CHECK_FREE_MASK;
    return 0;
}
