/* SPDX-License-Identifier: MIT */
/* buddy: split on alloc, eager merge on free; see buddy.h for invariants.
 *
 * Validation: every entry taken off a free list is checked (in range, aligned,
 * kind FREE, right order, neighbours linking back) before anything changes,
 * so a corrupted descriptor array yields VH_ECORRUPT, never an address
 * outside the heap.
 */
#include "buddy.h"

/*@ // What the list helpers below need of the area: the descriptors and b
    // valid and apart.  It reads no integer field of the area, so it holds
    // in every state of a buddy operation (n: a ghost copy of npages).
    predicate buddy_mem(struct vh_buddy *b, struct vh_area *a, integer n) =
      \valid_read(a) && valid_pages(a->pages, n) && \valid(b) &&
      \separated(b, a->pages + (0 .. n - 1));
    // links_kept as the callers use it: a page whose links were inside the
    // array still has them inside.
    predicate links_still_ok{L1, L2}(struct vh_page *pages, integer n) =
      \forall integer x; 0 <= x < n ==> links_ok{L1}(pages, n, x) ==> links_ok{L2}(pages, n, x);
*/

/* Marks p a free head of order k and pushes it on its list; the list head
 * was checked (VH_NIL or a page).  (n: ghost, the area's npages.) */
/*@ requires buddy_mem(b, a, n) && p < n && k <= VH_MAX_ORDER;
    requires b->free_head[k] == VH_NIL || b->free_head[k] < n;
    assigns b->free_head[k], b->free_mask, a->pages[0 .. n - 1];
    ensures links_kept{Pre, Post}(a->pages, n);
    ensures links_still_ok{Pre, Post}(a->pages, n);
    ensures links_ok(a->pages, n, p);
    ensures a->pages[p].kind == VH_PG_FREE && a->pages[p].order == k && b->free_head[k] == p;
    ensures \forall integer i; 0 <= i < n && i != p ==>
      a->pages[i].kind == \old(a->pages[i].kind) && a->pages[i].order == \old(a->pages[i].order); */
VH_INLINE void free_push(struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned k)
    /*@ ghost (uint32_t n) */
{
    a->pages[p].kind = VH_PG_FREE;
    a->pages[p].order = (uint8_t)k;
    pagelist_push(a->pages, &b->free_head[k], p) /*@ ghost (n) */;
    b->free_mask |= (uint32_t)1 << k;
}

/* Unlinks free head p of order k; the caller validated its links
 * (free_entry_ok).  bit == 1 << k, the order's mask bit (callers that walk
 * the orders keep it in a variable). */
/*@ requires buddy_mem(b, a, n) && p < n && k <= VH_MAX_ORDER;
    requires links_ok(a->pages, n, p);
    assigns b->free_head[k], b->free_mask, a->pages[0 .. n - 1];
    ensures links_kept{Pre, Post}(a->pages, n);
    ensures links_still_ok{Pre, Post}(a->pages, n);
    ensures links_ok(a->pages, n, p);
    ensures \forall integer i; 0 <= i < n ==>
      a->pages[i].kind == \old(a->pages[i].kind) && a->pages[i].order == \old(a->pages[i].order); */
VH_INLINE void free_unlink_bit(struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned k,
                               uint32_t bit) /*@ ghost (uint32_t n) */
{
    /*@ assert \forall integer i; 0 <= i < n ==>
          &a->pages[i].prev != &b->free_mask && &a->pages[i].next != &b->free_mask; */
    pagelist_unlink_linked(a->pages, &b->free_head[k], p) /*@ ghost (n) */;
    if (b->free_head[k] == VH_NIL)
        b->free_mask &= ~bit;
}

/*@ requires buddy_mem(b, a, n) && p < n && k <= VH_MAX_ORDER;
    requires links_ok(a->pages, n, p);
    assigns b->free_head[k], b->free_mask, a->pages[0 .. n - 1];
    ensures links_kept{Pre, Post}(a->pages, n);
    ensures links_still_ok{Pre, Post}(a->pages, n);
    ensures links_ok(a->pages, n, p);
    ensures \forall integer i; 0 <= i < n ==>
      a->pages[i].kind == \old(a->pages[i].kind) && a->pages[i].order == \old(a->pages[i].order); */
VH_INLINE void free_unlink(struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned k)
    /*@ ghost (uint32_t n) */
{
    free_unlink_bit(b, a, p, k, (uint32_t)1 << k) /*@ ghost (n) */;
}

/* page_clear on the descriptor of q: the links it writes (0) stay inside
 * the array, and no other descriptor changes. */
/*@ requires \valid_read(a) && valid_pages(a->pages, n) && q < n;
    assigns a->pages[q];
    ensures links_kept{Pre, Post}(a->pages, n);
    ensures links_still_ok{Pre, Post}(a->pages, n);
    ensures a->pages[q].kind == VH_PG_NONE && a->pages[q].order == 0;
    ensures \forall integer i; 0 <= i < n && i != q ==>
      a->pages[i].kind == \old(a->pages[i].kind) && a->pages[i].order == \old(a->pages[i].order); */
VH_INLINE void head_clear(const struct vh_area *a, uint32_t q) /*@ ghost (uint32_t n) */
{
    page_clear(&a->pages[q]);
}

VH_INLINE bool buddy_is_free_head(const struct vh_area *a, uint32_t q, unsigned k)
{
    return a->pages[q].kind == VH_PG_FREE && a->pages[q].order == k;
}

/* Whether p is a well-formed, linked free head of order k. */
/*@ requires valid_buddy(b, a) && k <= VH_MAX_ORDER;
    assigns \nothing;
    ensures \result <==> p < a->npages && a->pages[p].kind == VH_PG_FREE && a->pages[p].order == k &&
      VH_ALIGNED(p, k) && VH_INSIDE(p, k, a->npages) &&
      vh_linked(a->pages, a->npages, b->free_head[k], p);
    ensures \result ==> links_ok(a->pages, a->npages, p); */
VH_INLINE bool free_entry_ok(const struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned k)
{
    return p < a->npages && buddy_is_free_head(a, p, k) && p % buddy_order_pages(k) == 0 &&
           buddy_fits(p, k, a->npages) && pagelist_linked(a->pages, a->npages, b->free_head[k], p);
}

static void buddy_init(struct vh_buddy *b, const struct vh_area *a)
{
    uint32_t npages = a->npages;
    //@ ghost uint32_t n = npages;
    b->free_mask = 0;
    b->free_pages = npages;
    /*@ loop invariant 0 <= k <= VH_NUM_ORDERS;
        loop invariant \forall integer j; 0 <= j < k ==> b->free_head[j] == VH_NIL;
        loop assigns k, b->free_head[0 .. VH_MAX_ORDER];
        loop variant VH_NUM_ORDERS - k; */
    for (unsigned k = 0; k < VH_NUM_ORDERS; k++)
        b->free_head[k] = VH_NIL;
    /* Binary decomposition of npages: whole top-order blocks, then the tail
     * cut by the bits of the remainder, largest first, so every block is
     * aligned to its size.  Top-order blocks are pushed from the highest
     * address down so that allocation starts at page 0. */
    uint32_t top = buddy_order_pages(VH_MAX_ORDER);
    uint32_t whole = npages / top;
    //@ assert whole * top <= npages;
    /*@ loop invariant 0 <= i <= whole;
        loop invariant \forall integer j; 0 <= j <= VH_MAX_ORDER ==>
          b->free_head[j] == VH_NIL || b->free_head[j] < npages;
        loop invariant b->free_pages == npages;
        loop assigns i, b->free_head[VH_MAX_ORDER], b->free_mask, a->pages[0 .. npages - 1];
        loop variant i; */
    for (uint32_t i = whole; i > 0; i--)
    {
        //@ assert (i - 1) * top + top <= npages;
        free_push(b, a, (i - 1u) * top, VH_MAX_ORDER) /*@ ghost (n) */;
    }
    uint32_t p = whole * top;
    /*@ loop invariant 0 <= k <= VH_MAX_ORDER && p <= npages;
        loop invariant \forall integer j; 0 <= j <= VH_MAX_ORDER ==>
          b->free_head[j] == VH_NIL || b->free_head[j] < npages;
        loop invariant b->free_pages == npages;
        loop assigns k, p, b->free_head[0 .. VH_MAX_ORDER - 1], b->free_mask, a->pages[0 .. npages - 1];
        loop variant k; */
    for (unsigned k = VH_MAX_ORDER; k-- > 0;) {
        if (buddy_fits(p, k, npages)) {
            //@ assert p < npages;
            free_push(b, a, p, k) /*@ ghost (n) */;
            /*@ assert \forall integer j; 0 <= j <= VH_MAX_ORDER ==>
                  b->free_head[j] == VH_NIL || b->free_head[j] < npages; */
            p += buddy_order_pages(k);
        }
    }
}

static int buddy_alloc(struct vh_buddy *b, const struct vh_area *a, unsigned order, uint32_t *out)
{
    if (order > VH_MAX_ORDER)
        return BUDDY_ENOMEM;
    /* The mask bits of orders >= order, shifted down: k >= order by
     * construction. */
    uint32_t mask = b->free_mask >> order;
    if (mask == 0)
        return BUDDY_ENOMEM;
    unsigned k = order + (unsigned)__builtin_ctz(mask);
    if (k > VH_MAX_ORDER)
        return VH_ECORRUPT;
    uint32_t p = b->free_head[k];
    if (!free_entry_ok(b, a, p, k))
        return VH_ECORRUPT;
    //@ ghost uint32_t n = a->npages;
    free_unlink(b, a, p, k) /*@ ghost (n) */;
    /* Hand out the lower half; the upper halves go on the lists of orders
     * order..k-1, whose mask bits become set.  Those lists are empty (k is
     * the lowest non-empty order >= order, B4), so each half becomes its
     * list's only entry and the old head is not even read: if the mask lied,
     * the entries it hid stay orphaned inside the area, unreachable
     * (contained; vh_check reports it), and nothing is written through a
     * head that may hold any bytes. */
    b->free_mask |= (buddy_order_pages(k) - 1u) & ~(buddy_order_pages(order) - 1u);
    /*@ loop invariant order <= k <= VH_MAX_ORDER && p + VH_POW2(k) <= n && VH_ALIGNED(p, k);
        loop invariant a->npages == n;
        loop assigns k, b->free_head[0 .. VH_MAX_ORDER], a->pages[0 .. n - 1];
        loop variant k; */
    while (k > order) {
        k--;
        //@ assert lower: vh_aligned(p, k + 1) && vh_aligned(p, k); // A14
        uint32_t upper = p + buddy_order_pages(k);
        a->pages[upper] = (struct vh_page){VH_PG_FREE, (uint8_t)k, 0, VH_NIL, VH_NIL, {0, 0, 0, 0}};
        //@ assert a->npages == n;
        b->free_head[k] = upper;
    }
    a->pages[p].kind = VH_PG_BLOCK;
    a->pages[p].order = (uint8_t)order;
    b->free_pages -= buddy_order_pages(order);
    *out = p;
    //@ assert a->npages == n;
    return 0;
}

/* How far the block of order k0 at p merges: fills *m, checking that every
 * buddy it would absorb is correctly linked into its free list.  Changes
 * nothing.  Every such buddy lies inside the heap by construction (its
 * parent fits). */
/*@ requires valid_buddy(b, a) && \valid(m) && \separated(m, b, a, a->pages + (0 .. a->npages - 1));
    requires k0 <= VH_MAX_ORDER && p < a->npages && VH_ALIGNED(p, k0) && VH_INSIDE(p, k0, a->npages);
    assigns *m;
    ensures \result == VH_OK || \result == VH_ECORRUPT;
    ensures a->npages == \old(a->npages);
    ensures \result == VH_OK ==> m->order == k0 && k0 <= m->top <= VH_MAX_ORDER;
    ensures \result == VH_OK ==> m->head < \old(a->npages);
    ensures absorbed: \result == VH_OK ==> \forall integer j; k0 <= j < m->top ==>
      m->absorbed[j] < \old(a->npages) && links_ok(a->pages, \old(a->npages), m->absorbed[j]); */
static int merge_extent(const struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned k0,
                        struct vh_merge *m)
{
    unsigned k = k0;
    uint32_t span = buddy_order_pages(k0), npages = a->npages;
    /* p is aligned to span == 2^k and p + span <= npages, so the parent
     * (p & ~span <= p) fits exactly when twice the span is left after it:
     * the shift of the order is kept in span, not recomputed. */
    /*@ loop invariant k0 <= k <= VH_MAX_ORDER && npages == a->npages;
        loop invariant span: span == VH_POW2(k);
        loop invariant p < npages && VH_ALIGNED(p, k) && VH_INSIDE(p, k, npages);
        loop invariant \forall integer j; k0 <= j < k ==>
          m->absorbed[j] < npages && links_ok(a->pages, npages, m->absorbed[j]);
        loop assigns k, p, span, m->absorbed[k0 .. VH_MAX_ORDER - 1];
        loop variant VH_MAX_ORDER - k; */
    while (k < VH_MAX_ORDER) {
        uint32_t parent = p & ~span;
        //@ assert VH_ALIGNED(parent, k + 1);
        //@ assert parent == (VH_BIT_OF(p, k) == 0 ? p : p - VH_POW2(k));
        if (npages - parent < 2u * span)
            break;
        uint32_t q = p ^ span;
        //@ assert q == (VH_BIT_OF(p, k) == 0 ? p + VH_POW2(k) : p - VH_POW2(k));
        if (!buddy_is_free_head(a, q, k))
            break;
        if (!pagelist_linked(a->pages, npages, b->free_head[k], q))
            return VH_ECORRUPT;
        m->absorbed[k] = q;
        p = parent;
        //@ assert VH_POW2(k + 1) == 2 * span;
        span *= 2u;
        k++;
    }
    /* order and top are bytes: their writes cannot touch the pages' uint32
     * links in WP's typed memory model, which keeps the ensures cheap. */
    m->order = (uint8_t)k0;
    m->top = (uint8_t)k;
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
    /* Absorb the buddies; only the merged head stays marked.  The plan's
     * fields are read once (the descriptor writes below may not alias them,
     * which the compiler cannot know). */
    unsigned order = m->order, top = m->top;
    uint32_t head = (uint32_t)m->head;
    //@ ghost uint32_t n = a->npages;
    b->free_pages += buddy_order_pages(order);
    head_clear(a, p) /*@ ghost (n) */;
    uint32_t bit = buddy_order_pages(order);
    /*@ loop invariant order <= k <= top;
        loop invariant b->free_head[top] == VH_NIL || b->free_head[top] < n;
        loop invariant \forall integer j; k <= j < top ==>
          \at(m->absorbed[j], Pre) < n && links_ok(a->pages, n, \at(m->absorbed[j], Pre));
        loop assigns k, bit, b->free_head[0 .. VH_MAX_ORDER - 1], b->free_mask, a->pages[0 .. n - 1];
        loop variant top - k; */
    for (unsigned k = order; k < top; k++) {
        uint32_t q = (uint32_t)m->absorbed[k];
        //@ assert \let j = k; q == \at(m->absorbed[j], Pre);
        free_unlink_bit(b, a, q, k, bit) /*@ ghost (n) */; /* bit: order k's mask bit, 1 << k */
        head_clear(a, q) /*@ ghost (n) */;
        bit *= 2u;
    }
    //@ assert plan: head == m->head && top == m->top;
    free_push(b, a, head, top) /*@ ghost (n) */;
    //@ assert pushed: a->pages[head].kind == VH_PG_FREE && a->pages[head].order == top && b->free_head[top] == head;
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
    /*@ loop invariant 0 <= k <= VH_NUM_ORDERS;
        loop invariant \forall integer j; 0 <= j < k ==> b->free_head[j] == VH_NIL || b->free_head[j] < a->npages;
        loop assigns k;
        loop variant VH_NUM_ORDERS - k; */
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
    //@ ghost uint32_t n = a->npages;
    unsigned k = a->pages[p].order;
    VH_ASSERT(a->pages[p].kind == VH_PG_BLOCK && new_order < k);
    /*@ loop invariant new_order <= j <= k;
        loop invariant \forall integer i; new_order <= i < j ==>
          b->free_head[i] == VH_NIL || b->free_head[i] < a->npages;
        loop assigns j;
        loop variant k - j; */
    for (unsigned j = new_order; j < k; j++)
        if (!pagelist_head_ok(b->free_head[j], a->npages))
            return VH_ECORRUPT;
    b->free_pages += buddy_order_pages(k) - buddy_order_pages(new_order);
    /* The upper halves' buddies are the lower halves, which stay in use, so
     * nothing merges. */
    /*@ loop invariant new_order <= k <= VH_MAX_ORDER && p + VH_POW2(k) <= n && VH_ALIGNED(p, k);
        loop invariant \forall integer i; new_order <= i < k ==>
          b->free_head[i] == VH_NIL || b->free_head[i] < n;
        loop invariant a->npages == n;
        loop invariant a->pages[p].kind == \at(a->pages[p].kind, Pre);
        loop assigns k, b->free_head[0 .. VH_MAX_ORDER], b->free_mask, a->pages[0 .. n - 1];
        loop variant k; */
    while (k > new_order) {
        k--;
        //@ assert VH_POW2(k + 1) == 2 * VH_POW2(k);
        //@ assert lower: vh_aligned(p, k + 1) && vh_aligned(p, k); // A14
        //@ assert VH_ALIGNED(p, k) && p + VH_POW2(k) <= n;
        uint32_t upper = p + buddy_order_pages(k);
        //@ assert p < upper < n;
        //@ ghost uint32_t h = b->free_head[k];
        /*@ assert \forall integer i; new_order <= i < k ==>
              b->free_head[i] == VH_NIL || b->free_head[i] < n; */
        head_clear(a, upper) /*@ ghost (n) */;
        /*@ assert \forall integer i; new_order <= i < k ==>
              b->free_head[i] == VH_NIL || b->free_head[i] < n; */
        //@ assert b->free_head[k] == h && a->npages == n;
        //@ assert a->pages[p].kind == \at(a->pages[p].kind, Pre);
        free_push(b, a, upper, k) /*@ ghost (n) */;
        /*@ assert \forall integer i; new_order <= i < k ==>
              b->free_head[i] == VH_NIL || b->free_head[i] < n; */
        //@ assert a->npages == n;
        //@ assert a->pages[p].kind == \at(a->pages[p].kind, Pre);
    }
    a->pages[p].order = (uint8_t)new_order;
    //@ assert a->npages == n;
    return VH_OK;
}

static int buddy_grow(struct vh_buddy *b, const struct vh_area *a, uint32_t p, unsigned new_order)
{
    //@ ghost uint32_t n = a->npages;
    unsigned k0 = a->pages[p].order;
    VH_ASSERT(a->pages[p].kind == VH_PG_BLOCK && new_order > k0);
    if (new_order > VH_MAX_ORDER)
        return BUDDY_ENOMEM;
    /*@ loop invariant k0 <= k <= new_order && VH_ALIGNED(p, k) && VH_INSIDE(p, k, a->npages);
        loop invariant \forall integer j; k0 <= j < k ==> p + VH_POW2(j) < a->npages &&
          links_ok(a->pages, a->npages, p + VH_POW2(j));
        loop assigns k;
        loop variant new_order - k; */
    for (unsigned k = k0; k < new_order; k++) {
        if (buddy_parent(p, k) != p || !buddy_fits(p, k + 1u, a->npages))
            return BUDDY_ENOMEM; /* p is an upper half: its buddy lies below */
        uint32_t q = p + buddy_order_pages(k);
        if (!buddy_is_free_head(a, q, k))
            return BUDDY_ENOMEM;
        if (!free_entry_ok(b, a, q, k))
            return VH_ECORRUPT;
    }
    /*@ loop invariant k0 <= k <= new_order;
        loop invariant \forall integer j; k <= j < new_order ==> p + VH_POW2(j) < n &&
          links_ok(a->pages, n, p + VH_POW2(j));
        loop invariant a->pages[p].kind == \at(a->pages[p].kind, Pre);
        loop assigns k, b->free_head[0 .. VH_MAX_ORDER], b->free_mask, a->pages[0 .. n - 1];
        loop variant new_order - k; */
    for (unsigned k = k0; k < new_order; k++) {
        //@ assert p + VH_POW2(k) < n && links_ok(a->pages, n, p + VH_POW2(k));
        uint32_t q = p + buddy_order_pages(k);
        //@ assert q == p + VH_POW2(k);
        free_unlink(b, a, q, k) /*@ ghost (n) */;
        head_clear(a, q) /*@ ghost (n) */;
    }
    a->pages[p].order = (uint8_t)new_order;
    b->free_pages -= buddy_order_pages(new_order) - buddy_order_pages(k0);
    //@ assert a->npages == n;
    return VH_OK;
}

static int buddy_largest_free_order(const struct vh_buddy *b)
{
    uint32_t mask = b->free_mask;
    return mask == 0 ? -1 : 31 - __builtin_clz(mask);
}

/* B1, B2, B5 for the head p: 0 or a VH_CHECK_* code; *pages its block's
 * pages. */
/*@ requires valid_area(a) && p < a->npages && \valid(pages);
    requires \separated(pages, a, a->pages + (0 .. a->npages - 1));
    assigns *pages;
    ensures \result == 0 || \result == VH_CHECK_DESCRIPTOR || \result == VH_CHECK_TILING ||
            \result == VH_CHECK_UNMERGED;
    ensures \result == 0 ==> a->pages[p].order <= VH_MAX_ORDER && *pages == VH_POW2(a->pages[p].order) &&
      1 <= *pages && p + *pages <= a->npages; */
static int check_head(const struct vh_area *a, uint32_t p, uint32_t *pages)
{
    const struct vh_page *d = &a->pages[p];
    if (d->kind > VH_PG_LAST || d->order > VH_MAX_ORDER)
        return VH_CHECK_DESCRIPTOR;
    if (d->kind == VH_PG_NONE)
        return VH_CHECK_TILING;
    unsigned k = d->order;
    if (p % buddy_order_pages(k) != 0 || !buddy_fits(p, k, a->npages))
        return VH_CHECK_TILING;
    if (d->kind == VH_PG_BLOCK && (d->prev != VH_NIL || d->next != VH_NIL))
        return VH_CHECK_DESCRIPTOR;
    //@ assert p + VH_POW2(k) <= a->npages;
    /*@ loop invariant 1 <= i <= VH_POW2(k);
        loop assigns i;
        loop variant VH_POW2(k) - i; */
    for (uint32_t i = 1; i < buddy_order_pages(k); i++)
        if (!page_is_blank(&a->pages[p + i]))
            return VH_CHECK_TILING;
    if (d->kind == VH_PG_FREE && k < VH_MAX_ORDER) {
        uint32_t parent = buddy_parent(p, k), q = buddy_of(p, k);
        //@ assert q == (p ^ VH_POW2(k));
        //@ assert parent == \min(p, q);
        if (buddy_fits(parent, k + 1u, a->npages)) {
            //@ assert VH_INSIDE(q, k, a->npages);
            if (buddy_is_free_head(a, q, k))
                return VH_CHECK_UNMERGED;
        }
    }
    *pages = buddy_order_pages(k);
    return 0;
}

/* B3, B4 for order k, whose tiling walk found nheads free heads. */
/*@ requires valid_buddy(b, a) && k <= VH_MAX_ORDER;
    assigns \nothing;
    ensures \result == 0 || \result == VH_CHECK_FREE_LIST || \result == VH_CHECK_FREE_MASK; */
static int check_free_list(const struct vh_buddy *b, const struct vh_area *a, unsigned k, uint32_t nheads)
{
    uint32_t n = 0; /* set by pagelist_check; gcc -Os cannot see it (make size) */
    if (!pagelist_check(a->pages, a->npages, b->free_head[k], nheads, &n) || n != nheads)
        return VH_CHECK_FREE_LIST;
    /* pagelist_check found n entries, each a page, then VH_NIL; the walk
     * checks both again rather than rely on it. */
    /*@ loop invariant 0 <= i <= n;
        loop assigns i, q;
        loop variant n - i; */
    for (uint32_t q = b->free_head[k], i = 0; q != VH_NIL; q = a->pages[q].next, i++)
        if (i >= n || q >= a->npages || !buddy_is_free_head(a, q, k))
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
    /*@ loop invariant 0 <= p <= a->npages;
        loop assigns p, n, free_pages, heads[0 .. VH_MAX_ORDER];
        loop variant a->npages - p; */
    for (uint32_t p = 0, n = 0; p < a->npages; p += n) {
        int rc = check_head(a, p, &n);
        if (rc != 0)
            return rc;
        if (a->pages[p].kind == VH_PG_FREE) {
            heads[a->pages[p].order]++;
            free_pages += n;
        }
    }
    /*@ loop invariant 0 <= k <= VH_NUM_ORDERS;
        loop assigns k;
        loop variant VH_NUM_ORDERS - k; */
    for (unsigned k = 0; k < VH_NUM_ORDERS; k++) {
        int rc = check_free_list(b, a, k, heads[k]);
        if (rc != 0)
            return rc;
    }
    if ((b->free_mask >> VH_NUM_ORDERS) != 0 || free_pages != b->free_pages)
        return VH_CHECK_FREE_MASK;
    return 0;
}
