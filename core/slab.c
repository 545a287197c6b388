/* SPDX-License-Identifier: MIT */
/* slab: partial / full / cached-empty bookkeeping; see slab.h for invariants.
 *
 * Every slab state change is O(1): a slab moves on or off its class's partial
 * list at the full <-> partial and partial <-> empty transitions only.
 */
#include "slab.h"

/* The bitmap of slab page p, in its descriptor. */
/*@ requires valid_area(a) && p < a->npages;
    assigns \nothing;
    ensures \result == VH_BITMAP_AT(a, p);
    ensures \valid(\result + (0 .. VH_SLAB_BITMAP_WORDS - 1)); */
VH_INLINE uint64_t *slab_bitmap(const struct vh_area *a, uint32_t p)
{
    return a->pages[p].bits;
}

/* Whether p is a slab page (an order-0 block) of class c with nfree in
 * [lo, hi]. */
/*@ requires valid_area(a) && c < VH_NUM_CLASSES;
    assigns \nothing;
    ensures \result <==> p < a->npages && a->pages[p].kind == VH_PG_SLAB + c && a->pages[p].order == 0 &&
                         lo <= a->pages[p].nfree <= hi; */
static bool slab_ok(const struct vh_area *a, uint32_t p, unsigned c, size_t lo, size_t hi)
{
    return p < a->npages && a->pages[p].kind == slab_kind(c) && a->pages[p].order == 0 &&
           a->pages[p].nfree >= lo && a->pages[p].nfree <= hi;
}

static void slab_init(struct vh_slabs *s)
{
    /*@ loop invariant 0 <= c <= VH_NUM_CLASSES;
        loop invariant \forall integer j; 0 <= j < c ==> s->partial[j] == VH_NIL && s->cached[j] == VH_NIL;
        loop assigns c, s->partial[0 .. VH_NUM_CLASSES - 1], s->cached[0 .. VH_NUM_CLASSES - 1];
        loop variant VH_NUM_CLASSES - c; */
    for (unsigned c = 0; c < VH_NUM_CLASSES; c++) {
        s->partial[c] = VH_NIL;
        s->cached[c] = VH_NIL;
    }
    s->used_bytes = 0;
    s->slot_bytes = 0;
}

/* Lowest free object of slab p, or a value >= its capacity. */
/*@ requires c < VH_NUM_CLASSES && \valid_read(bits + (0 .. VH_BITMAP_WORDS(c) - 1));
    assigns \nothing;
    ensures clear: \result < VH_CAPACITY(c) ==> VH_BIT(bits, \result) == 0;
    ensures lowest: \forall integer j; 0 <= j < \result && j < VH_CAPACITY(c) ==> VH_BIT(bits, j) == 1; */
VH_INLINE size_t slab_lowest_free(const uint64_t *bits, unsigned c)
{
    /* Wide bitmaps are whole words (256 and 128 objects); one-word bitmaps
     * keep the bits past the capacity clear, so the lowest clear bit of the
     * word is below it whenever one below it exists.  A constant bit count
     * on the common path: one load and one find-first-set. */
    return slab_bitmap_wide(c) ? bitmap_find_clear(bits, slab_capacities[c])
                               : bitmap_find_clear(bits, BITMAP_WORD_BITS);
}

/* What giving every cached slab back would do, found without changing
 * anything: reclaim_plan simulates the releases in class order, each merging
 * with free buddies or with the blocks that earlier releases made (virtual
 * here), and validates everything the real releases will touch: each cached
 * slab, and each free buddy they absorb (linked into its list).  Freeing in
 * any order gives the same final state (coalescing is confluent), and a
 * free buddy an earlier release absorbed can never be a later one's buddy
 * (the later slab's page would lie inside that free block), so the real
 * releases meet exactly the blocks validated here. */
struct reclaim_plan {
    unsigned n;
    uint32_t page[VH_NUM_CLASSES]; /* the cached slabs, in release order */
    unsigned cls[VH_NUM_CLASSES];
    unsigned top[VH_NUM_CLASSES];  /* order of the block each release makes */
    bool live[VH_NUM_CLASSES];     /* that block is not absorbed by a later one */
    uint32_t head[VH_NUM_CLASSES]; /* and its head */
};

/* Whether the order-k block at q is one that an earlier planned release
 * made and no other absorbed; if so, it is absorbed now. */
/*@ requires \valid(plan) && plan->n <= VH_NUM_CLASSES;
    assigns plan->live[0 .. VH_NUM_CLASSES - 1];
    ensures \result ==> \exists integer j; 0 <= j < plan->n && plan->head[j] == q && plan->top[j] == k &&
                                          !plan->live[j]; */
static bool reclaim_absorb_virtual(struct reclaim_plan *plan, uint32_t q, unsigned k)
{
    /*@ loop invariant 0 <= j <= plan->n;
        loop assigns j;
        loop variant plan->n - j; */
    for (unsigned j = 0; j < plan->n; j++) {
        if (plan->live[j] && plan->head[j] == q && plan->top[j] == k) {
            plan->live[j] = false;
            return true;
        }
    }
    return false;
}

/* The order of the block the release of the cached slab at p makes
 * (*head: its head); VH_ECORRUPT if a real buddy it absorbs is unlinked. */
/*@ requires valid_buddy(b, a) && p < a->npages && \valid(plan) && plan->n <= VH_NUM_CLASSES;
    requires \valid(top) && \valid(head);
    requires \separated(plan, b, a, a->pages + (0 .. a->npages - 1));
    requires \separated(top, head, plan->live + (0 .. VH_NUM_CLASSES - 1), &plan->n, b, a,
                        a->pages + (0 .. a->npages - 1));
    assigns plan->live[0 .. VH_NUM_CLASSES - 1], *top, *head;
    ensures \result == VH_OK || \result == VH_ECORRUPT;
    ensures \result == VH_OK ==> *top <= VH_MAX_ORDER && *head < a->npages; */
static int reclaim_merge(const struct vh_buddy *b, const struct vh_area *a, struct reclaim_plan *plan,
                         uint32_t p, unsigned *top, uint32_t *head)
{
    unsigned k = 0;
    /*@ loop invariant 0 <= k <= VH_MAX_ORDER;
        loop invariant VH_ALIGNED(p, k) && VH_INSIDE(p, k, a->npages);
        loop invariant plan->n == \at(plan->n, Pre);
        loop assigns k, p, plan->live[0 .. VH_NUM_CLASSES - 1];
        loop variant VH_MAX_ORDER - k; */
    while (k < VH_MAX_ORDER) {
        uint32_t parent = buddy_parent(p, k);
        if (!buddy_fits(parent, k + 1u, a->npages))
            break;
        //@ assert xor: (p ^ VH_POW2(k)) == (VH_BIT_OF(p, k) == 0 ? p + VH_POW2(k) : p - VH_POW2(k));
        uint32_t q = buddy_of(p, k);
        //@ assert parent == \min(p, q);
        //@ assert 1 <= VH_POW2(k) && VH_INSIDE(q, k, a->npages);
        if (buddy_is_free_head(a, q, k)) {
            if (!pagelist_linked(a->pages, a->npages, b->free_head[k], q))
                return VH_ECORRUPT;
        } else if (!reclaim_absorb_virtual(plan, q, k)) {
            break;
        }
        p = parent;
        k++;
    }
    //@ assert 1 <= VH_POW2(k);
    *top = k;
    *head = p;
    return VH_OK;
}

/*@ predicate plan_ok(struct reclaim_plan *plan, struct vh_area *a) =
      plan->n <= VH_NUM_CLASSES &&
      \forall integer i; 0 <= i < plan->n ==>
        plan->page[i] < a->npages && plan->cls[i] < VH_NUM_CLASSES && plan->top[i] <= VH_MAX_ORDER;
*/
/*@ requires valid_slabs(s, b, a) && \valid(plan);
    requires \separated(plan, s, b, a, a->pages + (0 .. a->npages - 1), a->base + (0 .. a->npages - 1));
    assigns *plan;
    ensures \result == VH_OK || \result == VH_ECORRUPT;
    ensures \result == VH_OK ==> plan_ok(plan, a); */
static int reclaim_plan(const struct vh_slabs *s, const struct vh_buddy *b, const struct vh_area *a,
                        struct reclaim_plan *plan)
{
    plan->n = 0;
    /*@ loop invariant 0 <= c <= VH_NUM_CLASSES && plan->n <= c;
        loop invariant plan_ok(plan, a);
        loop assigns c, *plan;
        loop variant VH_NUM_CLASSES - c; */
    for (unsigned c = 0; c < VH_NUM_CLASSES; c++) {
        uint32_t p = s->cached[c];
        if (p == VH_NIL)
            continue;
        if (!slab_ok(a, p, c, slab_capacity(c), slab_capacity(c)))
            return VH_ECORRUPT;
        unsigned i = plan->n;
        int rc = reclaim_merge(b, a, plan, p, &plan->top[i], &plan->head[i]);
        if (rc != VH_OK)
            return rc;
        plan->page[i] = p;
        plan->cls[i] = c;
        plan->live[i] = true;
        plan->n++;
    }
    return VH_OK;
}

/* Gives the cached slab p of class c back to the buddy layer, planning
 * the release again first (the releases before it changed the free lists);
 * a release whose plan fails is skipped: the slab stays cached and nothing
 * changes. */
/*@ requires valid_slabs(s, b, a) && c < VH_NUM_CLASSES && p < a->npages;
    assigns s->cached[c], s->slot_bytes, *b, a->pages[0 .. a->npages - 1];
    ensures s->cached[c] == \old(s->cached[c]) || s->cached[c] == VH_NIL; */
static void reclaim_release(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a, unsigned c,
                            uint32_t p)
{
    struct vh_merge m;
    if (!buddy_head_ok(a, p) || buddy_free_plan(b, a, p, &m) != VH_OK)
        return;
    buddy_free_commit(b, a, p, &m);
    /* After the commit, so that nothing is written between the plan and
     * the commit, and the slab's own words are the last written. */
    s->cached[c] = VH_NIL;
    s->slot_bytes -= slab_capacity(c) * slab_class_size(c);
}

/* Gives the cached slabs back, in the order reclaim_plan planned them
 * (class order; between the plan and this commit nothing changes cached[]):
 * the plan validated everything these releases meet, so each succeeds (a
 * release whose own plan still failed would be skipped, its slab staying
 * cached, and nothing else would change). */
/*@ requires valid_slabs(s, b, a);
    assigns s->cached[0 .. VH_NUM_CLASSES - 1], s->slot_bytes, *b, a->pages[0 .. a->npages - 1];
    ensures \forall integer c; 0 <= c < VH_NUM_CLASSES ==>
      s->cached[c] == \old(s->cached[c]) || s->cached[c] == VH_NIL; */
static void reclaim_commit(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a)
{
    /*@ loop invariant frame: a->npages == \at(a->npages, Pre);
        loop invariant vs: valid_slabs(s, b, a);
        loop invariant 0 <= c <= VH_NUM_CLASSES;
        loop invariant \forall integer j; 0 <= j < VH_NUM_CLASSES ==>
          s->cached[j] == \at(s->cached[j], Pre) || s->cached[j] == VH_NIL;
        loop assigns c, s->cached[0 .. VH_NUM_CLASSES - 1], s->slot_bytes, *b,
                     a->pages[0 .. \at(a->npages, Pre) - 1];
        loop variant VH_NUM_CLASSES - c; */
    for (unsigned c = 0; c < VH_NUM_CLASSES; c++) {
        uint32_t p = s->cached[c];
        if (p < a->npages) /* VH_NIL included */
            reclaim_release(s, b, a, c, p);
    }
}

static int slab_largest_order_after_reclaim(const struct vh_slabs *s, const struct vh_buddy *b,
                                            const struct vh_area *a)
{
    struct reclaim_plan plan;
    int best = buddy_largest_free_order(b);
    if (reclaim_plan(s, b, a, &plan) != VH_OK)
        return best;
    /*@ loop invariant 0 <= i <= plan.n && -1 <= best <= 31;
        loop assigns i, best;
        loop variant plan.n - i; */
    for (unsigned i = 0; i < plan.n; i++)
        if (plan.live[i] && (int)plan.top[i] > best)
            best = (int)plan.top[i];
    return best;
}

/* The buddy layer had no block: give the cached slabs back and retry.
 * Everything is validated first (the plan, and the list heads, so that the
 * retry pops a block the releases made), so a corrupted structure is
 * VH_ECORRUPT with nothing changed.  Running out of memory after the
 * releases is not an error: they stay done (the statistics are the same). */
/*@ requires valid_slabs(s, b, a) && \valid(out);
    requires \separated(out, s, b, a, a->pages + (0 .. a->npages - 1), a->base + (0 .. a->npages - 1));
    assigns s->cached[0 .. VH_NUM_CLASSES - 1], s->slot_bytes, *b, a->pages[0 .. a->npages - 1], *out;
    ensures \result == VH_OK || \result == BUDDY_ENOMEM || \result == VH_ECORRUPT;
    ensures ok: \result == VH_OK ==> order <= VH_MAX_ORDER && *out < a->npages &&
      VH_ALIGNED(*out, order) && VH_INSIDE(*out, order, a->npages) &&
      a->pages[*out].kind == VH_PG_BLOCK && a->pages[*out].order == order;
    ensures used: s->used_bytes == \old(s->used_bytes);
    ensures part: \forall integer c; 0 <= c < VH_NUM_CLASSES ==> s->partial[c] == \old(s->partial[c]);
    ensures cached: \forall integer c; 0 <= c < VH_NUM_CLASSES ==>
      s->cached[c] == \old(s->cached[c]) || s->cached[c] == VH_NIL;
    ensures out: \result != VH_OK ==> *out == \old(*out); */
static int slab_page_alloc_reclaim(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a,
                                   unsigned order, uint32_t *out)
{
    struct reclaim_plan plan;
    int rc = reclaim_plan(s, b, a, &plan);
    //@ assert a->npages == \at(a->npages, Pre) && *out == \at(*out, Pre);
    if (rc != VH_OK)
        return rc;
    if (plan.n == 0)
        return BUDDY_ENOMEM;
    if (!buddy_heads_ok(b, a, order))
        return VH_ECORRUPT;
    reclaim_commit(s, b, a);
    //@ assert a->npages == \at(a->npages, Pre) && *out == \at(*out, Pre);
    //@ assert s->used_bytes == \at(s->used_bytes, Pre);
    //@ assert \forall integer c; 0 <= c < VH_NUM_CLASSES ==> s->partial[c] == \at(s->partial[c], Pre);
    rc = buddy_alloc(b, a, order, out);
    //@ assert \forall integer c; 0 <= c < VH_NUM_CLASSES ==> s->partial[c] == \at(s->partial[c], Pre);
    //@ assert \forall integer c; 0 <= c < VH_NUM_CLASSES ==> s->cached[c] == \at(s->cached[c], Pre) || s->cached[c] == VH_NIL;
    return rc;
}

VH_INLINE int slab_page_alloc(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a,
                              unsigned order, uint32_t *out)
{
    int rc = buddy_alloc(b, a, order, out);
    //@ assert frame: a->npages == \at(a->npages, Pre) && *s == \at(*s, Pre);
    if (VH_UNLIKELY(rc == BUDDY_ENOMEM)) {
        rc = slab_page_alloc_reclaim(s, b, a, order, out);
        //@ assert s->used_bytes == \at(s->used_bytes, Pre);
        /*@ assert \forall integer c; 0 <= c < VH_NUM_CLASSES ==> s->partial[c] == \at(s->partial[c], Pre) &&
              (s->cached[c] == \at(s->cached[c], Pre) || s->cached[c] == VH_NIL); */
        //@ assert rc != VH_OK ==> *out == \at(*out, Pre);
        //@ assert reclaimed: slabs_reclaimed{Pre, Here}(s, a);
        return rc;
    }
    //@ assert same: slabs_reclaimed{Pre, Here}(s, a);
    return rc;
}

/* Takes free object i of slab p (validated by the caller). */
/*@ requires valid_slab_area(s, a) && p < a->npages && c < VH_NUM_CLASSES && i < VH_CAPACITY(c);
    requires \valid(bits + (0 .. VH_BITMAP_WORDS(c) - 1));
    requires \separated(bits + (0 .. VH_BITMAP_WORDS(c) - 1), s, &a->pages[p].nfree);
    assigns bits[i / 64], a->pages[p].nfree, s->used_bytes;
    ensures bit: VH_BIT(bits, i) == 1;
    ensures object: slab_object(a, c, (char *)\result); */
VH_INLINE void *slab_take(struct vh_slabs *s, const struct vh_area *a, uint32_t p, unsigned c,
                          uint64_t *bits, size_t i)
{
    //@ assert c == 0 || c == 1 || c == 2 || c == 3 || c == 4 || c == 5 || c == 6 || c == 7;
    //@ assert i / 64 < VH_BITMAP_WORDS(c);
    bitmap_set(bits, i);
    a->pages[p].nfree--;
    s->used_bytes += slab_class_size(c);
    return &a->base[p].bytes[slab_obj_offset(c, i)];
}

/* Makes the slab page p of class c, whose object i is free, the current
 * slab of its class (its partial list is empty), and takes object i.  A
 * function of its own so that the list surgery is proved in a small
 * context, apart from the refill's. */
/*@ requires valid_slab_area(s, a) && p < a->npages && c < VH_NUM_CLASSES && i < VH_CAPACITY(c);
    requires s->partial[c] == VH_NIL;
    assigns s->partial[c], s->used_bytes, a->pages[0 .. a->npages - 1];
    ensures object: slab_object(a, c, (char *)\result); */
VH_INLINE void *slab_install(struct vh_slabs *s, const struct vh_area *a, uint32_t p, unsigned c, size_t i)
{
    pagelist_push(a->pages, &s->partial[c], p) /*@ ghost (a->npages) */;
    //@ assert frame: a->npages == \at(a->npages, Pre) && valid_slab_area(s, a);
    return slab_take(s, a, p, c, slab_bitmap(a, p), i);
}

/* Allocation from class c whose partial list is empty: the cached empty
 * slab (validated whole first) or a new page becomes the current slab, and
 * its lowest free object is taken (it stays partial: capacity >= 2). */
/*@ requires valid_slabs(s, b, a) && c < VH_NUM_CLASSES && \valid(out) && s->partial[c] == VH_NIL;
    requires \separated(out, s, b, a, a->pages + (0 .. a->npages - 1), a->base + (0 .. a->npages - 1));
    assigns *s, *b, a->pages[0 .. a->npages - 1], *out;
    ensures \result == VH_OK || \result == BUDDY_ENOMEM || \result == VH_ECORRUPT;
    ensures ok: \result == VH_OK ==> slab_object(a, c, (char *)*out);
    ensures enomem: \result == BUDDY_ENOMEM ==> slabs_reclaimed{Pre, Post}(s, a) && *out == \old(*out);
    ensures corrupt: \result == VH_ECORRUPT ==> *out == \old(*out) &&
      (slabs_unchanged{Pre, Post}(s, b, a) || slabs_reclaimed{Pre, Post}(s, a)); */
static int slab_refill(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a, unsigned c,
                       void **out)
{
    size_t cap = slab_capacity(c);
    uint32_t p = s->cached[c];
    size_t i = 0;
    if (p != VH_NIL) {
        if (!slab_ok(a, p, c, cap, cap))
            return VH_ECORRUPT;
        i = slab_lowest_free(slab_bitmap(a, p), c);
        if (i >= cap)
            return VH_ECORRUPT;
        s->cached[c] = VH_NIL;
    } else {
        int rc = slab_page_alloc(s, b, a, 0, &p);
        if (rc != 0)
            return rc;
        struct vh_page *d = &a->pages[p];
        d->kind = slab_kind(c);
        d->nfree = (uint16_t)cap;
        page_bits_clear(d);
        s->slot_bytes += cap * slab_class_size(c);
    }
    //@ assert before: a->npages == \at(a->npages, Pre) && p < a->npages && i < cap && s->partial[c] == VH_NIL;
    *out = slab_install(s, a, p, c, i);
    return VH_OK;
}

VH_INLINE bool slab_alloc_quick(struct vh_slabs *s, const struct vh_area *a, unsigned c, void **out)
{
    uint32_t p = s->partial[c];
    if (p >= a->npages) /* VH_NIL included */
        return false;
    const struct vh_page *d = &a->pages[p];
    if (d->kind != slab_kind(c) || d->nfree == 0)
        return false;
    uint64_t *bits = slab_bitmap(a, p);
    size_t i = slab_lowest_free(bits, c);
    if (i >= slab_capacities[c])
        return false;
    //@ assert cap: i < VH_CAPACITY(c);
    /* Becomes full: leaves the partial list (it is the head). */
    if (d->nfree == 1u && pagelist_unlink(a->pages, a->npages, &s->partial[c], p) != VH_OK) {
        //@ assert a->npages == \at(a->npages, Pre) && s->partial[c] == \at(s->partial[c], Pre);
        //@ assert pages_unchanged{Pre, Here}(a);
        /*@ assert \forall integer j; 0 <= j < VH_NUM_CLASSES ==>
              s->partial[j] == \at(s->partial[j], Pre) && s->cached[j] == \at(s->cached[j], Pre); */
        return false;
    }
    //@ assert frame: a->npages == \at(a->npages, Pre) && valid_slab_area(s, a);
    *out = slab_take(s, a, p, c, bits, i);
    return true;
}

static int slab_alloc(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a, unsigned c,
                      void **out)
{
    if (s->partial[c] == VH_NIL)
        return slab_refill(s, b, a, c, out);
    /* With a current slab, the fast path refuses only a list head or link
     * that fails validation: a corrupted link never turns into an address
     * outside the heap, and nothing has changed. */
    return slab_alloc_quick(s, a, c, out) ? VH_OK : VH_ECORRUPT;
}

VH_INLINE int slab_locate(const struct vh_area *a, uint32_t p, size_t off, size_t *index)
{
    unsigned c = slab_page_class(&a->pages[p]);
    size_t i = off >> slab_class_shift(c);
    if (i >= slab_capacities[c] || slab_obj_offset(c, i) != off)
        return VH_EINTERIOR;
    if (!bitmap_test(slab_bitmap(a, p), i))
        return VH_EDOUBLEFREE;
    *index = i;
    return VH_OK;
}

/* The validation of the free that empties slab p (phase one of
 * slab_free_transition, and what slab_free_check asks of it): the count
 * says one object is left, p is linked into its partial list, and, when the
 * class already has a cached slab, the page's return to the buddy layer
 * (planned in *m).  Changes nothing. */
/*@ requires valid_slabs(s, b, a) && p < a->npages && VH_SLAB_PAGE(a, p) && \valid(m);
    requires \separated(m, s, b, a, a->pages + (0 .. a->npages - 1), a->base + (0 .. a->npages - 1));
    assigns *m;
    ensures \result == VH_OK || \result == VH_ECORRUPT;
    ensures count: \result == VH_OK ==> a->pages[p].order == 0 &&
      a->pages[p].nfree + 1 == VH_CAPACITY(VH_PAGE_CLASS(a, p));
    ensures linked: \result == VH_OK ==> vh_linked(a->pages, a->npages, s->partial[VH_PAGE_CLASS(a, p)], p);
    ensures merge: \result == VH_OK ==>
      (s->cached[VH_PAGE_CLASS(a, p)] != VH_NIL ==> merge_ok(b, a, m) && m->order == 0); */
VH_INLINE int slab_empty_plan(const struct vh_slabs *s, const struct vh_buddy *b, const struct vh_area *a,
                              uint32_t p, struct vh_merge *m)
{
    const struct vh_page *d = &a->pages[p];
    unsigned c = slab_page_class(d);
    /* nfree >= cap: more free objects than slots; order != 0: not the
     * one-page block the buddy layer will take back (nothing else reads a
     * slab page's order, so the fast paths leave it to here). */
    if (d->nfree + 1u != slab_capacity(c) || d->order != 0)
        return VH_ECORRUPT;
    /* Partial -> empty (cap >= 2, so an emptying slab was partial). */
    if (!pagelist_linked(a->pages, a->npages, s->partial[c], p))
        return VH_ECORRUPT;
    if (s->cached[c] == VH_NIL)
        return VH_OK;
    int rc = buddy_free_plan(b, a, p, m);
    /* The plan's order and top are bytes, like the descriptors' kind and
     * order: say that the call (which writes only *m) left p's as they were. */
    //@ assert a->pages[p].kind == \at(a->pages[p].kind, Pre) && a->pages[p].order == \at(a->pages[p].order, Pre);
    return rc;
}

static int slab_free_check(const struct vh_slabs *s, const struct vh_buddy *b, const struct vh_area *a,
                           uint32_t p)
{
    const struct vh_page *d = &a->pages[p];
    unsigned c = slab_page_class(d);
    if (d->nfree + 1u < slab_capacity(c)) /* slab_free_quick */
        return d->nfree != 0 || pagelist_head_ok(s->partial[c], a->npages) ? VH_OK : VH_ECORRUPT;
    struct vh_merge m;
    return slab_empty_plan(s, b, a, p, &m);
}

/* Takes the emptying slab p off the partial list of its class c (its links
 * validated: slab_empty_plan).  It writes only list links and the head,
 * each link VH_NIL or a page (links_kept), so a merge planned before stays
 * valid.  A function of its own so that the list surgery is proved in a
 * small context, apart from slab_free_transition's. */
/*@ requires valid_slab_area(s, a) && p < a->npages && c < VH_NUM_CLASSES;
    requires links_ok(a->pages, a->npages, p);
    assigns s->partial[c], a->pages[0 .. a->npages - 1];
    ensures links_kept{Pre, Post}(a->pages, a->npages);
    ensures same: a->pages[p].kind == \old(a->pages[p].kind) && a->pages[p].order == \old(a->pages[p].order) &&
      a->pages[p].nfree == \old(a->pages[p].nfree); */
VH_INLINE void slab_retire(struct vh_slabs *s, const struct vh_area *a, uint32_t p, unsigned c)
{
    pagelist_unlink_linked(a->pages, &s->partial[c], p) /*@ ghost (a->npages) */;
}

static int slab_free_transition(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a,
                                uint32_t p, size_t index)
{
    struct vh_page *d = &a->pages[p];
    unsigned c = slab_page_class(d);
    size_t cap = slab_capacity(c);
    struct vh_merge m;
    int rc = slab_empty_plan(s, b, a, p, &m);
    if (rc != VH_OK)
        return rc;
    bool release = s->cached[c] != VH_NIL;
    //@ assert planned: release ==> merge_ok(b, a, &m);
    //@ assert area: a->npages == \at(a->npages, Pre) && a->pages == \at(a->pages, Pre) && p < a->npages;
    slab_retire(s, a, p, c);
    //@ assert frame: a->npages == \at(a->npages, Pre) && d->kind == \at(a->pages[p].kind, Pre);
    //@ assert d->nfree == \at(a->pages[p].nfree, Pre) && \at(a->pages[p].nfree, Pre) + 1 == cap;
    //@ assert merge: release ==> merge_ok(b, a, &m);
    s->used_bytes -= slab_class_size(c);
    if (!release) {
        uint64_t *bits = slab_bitmap(a, p);
        //@ assert word: index / 64 < VH_SLAB_BITMAP_WORDS && bits + index / 64 == &a->pages[p].bits[index / 64];
        bitmap_clear(bits, index);
        d->nfree++;
        s->cached[c] = p;
        return VH_OK;
    }
    s->slot_bytes -= cap * slab_class_size(c);
    buddy_free_commit(b, a, p, &m);
    return VH_OK;
}

VH_INLINE bool slab_free_quick(struct vh_slabs *s, const struct vh_area *a, uint32_t p, size_t index)
{
    struct vh_page *d = &a->pages[p];
    unsigned c = slab_page_class(d);
    if (d->nfree + 1u >= slab_capacities[c])
        return false; /* empties (or corrupt): slab_free_transition */
    if (d->nfree == 0) { /* full -> partial: becomes the current slab */
        if (!pagelist_head_ok(s->partial[c], a->npages))
            return false; /* slab_free_transition reports it */
        pagelist_push(a->pages, &s->partial[c], p) /*@ ghost (a->npages) */;
    }
    //@ assert frame: a->npages == \at(a->npages, Pre) && d->kind == \at(a->pages[p].kind, Pre);
    uint64_t *bits = slab_bitmap(a, p);
    bitmap_clear(bits, index);
    d->nfree++;
    s->used_bytes -= slab_class_size(c);
    return true;
}

static int slab_free(struct vh_slabs *s, struct vh_buddy *b, const struct vh_area *a, uint32_t p,
                     size_t index)
{
    if (slab_free_quick(s, a, p, index))
        return VH_OK;
    //@ assert frame: a->npages == \at(a->npages, Pre) && *b == \at(*b, Pre);
    int rc = slab_free_transition(s, b, a, p, index);
    //@ assert s: rc == VH_ECORRUPT ==> *s == \at(*s, Pre) && *b == \at(*b, Pre);
    //@ assert pages: rc == VH_ECORRUPT ==> pages_unchanged{Pre, Here}(a);
    return rc;
}

/* S6: the lookup tables equal the functions they cache. */
/*@ assigns \nothing;
    ensures \result ==> \forall integer c; 0 <= c < VH_NUM_CLASSES ==> slab_capacities[c] == VH_CAPACITY(c);
    ensures \result ==> \forall integer i; 0 <= i <= VH_MAX_CLASS_SIZE / 16 ==>
      slab_class_by_16[i] < VH_NUM_CLASSES && 16 * i <= VH_CLASS_SIZE(slab_class_by_16[i]); */
static bool slab_tables_ok(void)
{
    /*@ loop invariant 0 <= c <= VH_NUM_CLASSES;
        loop invariant \forall integer j; 0 <= j < c ==> slab_capacities[j] == VH_CAPACITY(j);
        loop assigns c;
        loop variant VH_NUM_CLASSES - c; */
    for (unsigned c = 0; c < VH_NUM_CLASSES; c++)
        if (slab_capacities[c] != slab_capacity(c))
            return false;
    /*@ loop invariant 0 <= i <= VH_MAX_CLASS_SIZE / 16 + 1;
        loop invariant \forall integer j; 0 <= j < VH_NUM_CLASSES ==> slab_capacities[j] == VH_CAPACITY(j);
        loop invariant \forall integer j; 0 <= j < i ==>
          slab_class_by_16[j] < VH_NUM_CLASSES && 16 * j <= VH_CLASS_SIZE(slab_class_by_16[j]);
        loop assigns i;
        loop variant VH_MAX_CLASS_SIZE / 16 + 1 - i; */
    for (size_t i = 0; i <= VH_MAX_CLASS_SIZE / 16u; i++)
        if (slab_class_by_16[i] != slab_class_of(16u * i))
            return false;
    return true;
}

/* S1, S3, S4, S7 for page p; counts partial slabs and S5's bytes. */
/*@ requires valid_slab_area(s, a) && p < a->npages;
    requires \valid(partial + (0 .. VH_NUM_CLASSES - 1)) && \valid(used_bytes) && \valid(slot_bytes);
    requires \separated(partial + (0 .. VH_NUM_CLASSES - 1), used_bytes, slot_bytes, s, a,
                        a->pages + (0 .. a->npages - 1), a->base + (0 .. a->npages - 1));
    assigns partial[0 .. VH_NUM_CLASSES - 1], *used_bytes, *slot_bytes;
    ensures \result == 0 || \result == VH_CHECK_DESCRIPTOR || \result == VH_CHECK_SLAB_BITMAP ||
            \result == VH_CHECK_SLAB_LIST; */
static int slab_check_page(const struct vh_slabs *s, const struct vh_area *a, uint32_t p,
                           size_t *partial, size_t *used_bytes, size_t *slot_bytes)
{
    const struct vh_page *d = &a->pages[p];
    unsigned c = slab_page_class(d);
    if (c >= VH_NUM_CLASSES)
        return d->nfree != 0 || !page_bits_are_clear(d) ? VH_CHECK_DESCRIPTOR : 0;
    if (d->order != 0)
        return VH_CHECK_DESCRIPTOR;
    size_t cap = slab_capacity(c);
    const uint64_t *bits = slab_bitmap(a, p);
    /* S1: the count of the first cap bits, and of all four words (no bit
     * set at or above cap, in any word). */
    size_t live = bitmap_count(bits, cap);
    if (d->nfree > cap || live != cap - d->nfree ||
        bitmap_count(bits, VH_SLAB_BITMAP_WORDS * BITMAP_WORD_BITS) != live)
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
/*@ requires valid_slab_area(s, a) && c < VH_NUM_CLASSES;
    assigns \nothing;
    ensures \result == 0 || \result == VH_CHECK_SLAB_LIST; */
static int slab_check_class(const struct vh_slabs *s, const struct vh_area *a, unsigned c, size_t npartial)
{
    size_t cap = slab_capacity(c);
    uint32_t n;
    if (!pagelist_check(a->pages, a->npages, s->partial[c], (uint32_t)npartial, &n) || n != npartial)
        return VH_CHECK_SLAB_LIST;
    /* pagelist_check found n entries ending in VH_NIL: the walk takes n
     * steps (the count only makes that visible to the proof). */
    uint32_t j = 0;
    /*@ loop invariant 0 <= j <= n;
        loop assigns p, j;
        loop variant n - j; */
    for (uint32_t p = s->partial[c]; p != VH_NIL; p = a->pages[p].next, j++)
        if (j >= n || !slab_ok(a, p, c, 1, cap - 1u))
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
    if (!slab_tables_ok())
        return VH_CHECK_HEADER;
    /*@ loop invariant 0 <= p <= a->npages;
        loop assigns p, partial[0 .. VH_NUM_CLASSES - 1], used_bytes, slot_bytes;
        loop variant a->npages - p; */
    for (uint32_t p = 0; p < a->npages; p++) {
        int rc = slab_check_page(s, a, p, partial, &used_bytes, &slot_bytes);
        if (rc != 0)
            return rc;
    }
    /*@ loop invariant 0 <= c <= VH_NUM_CLASSES;
        loop assigns c;
        loop variant VH_NUM_CLASSES - c; */
    for (unsigned c = 0; c < VH_NUM_CLASSES; c++) {
        int rc = slab_check_class(s, a, c, partial[c]);
        if (rc != 0)
            return rc;
    }
    if (used_bytes != s->used_bytes || slot_bytes != s->slot_bytes)
        return VH_CHECK_STATS;
    return 0;
}
