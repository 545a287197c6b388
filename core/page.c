/* SPDX-License-Identifier: MIT */
/* page: descriptor helpers and page lists; see page.h for P1, P2. */
#include "page.h"

static bool page_is_blank(const struct vh_page *d)
{
    return d->kind == VH_PG_NONE && d->order == 0 && d->nfree == 0 && d->prev == 0 &&
           d->next == 0 && page_bits_are_clear(d);
}

VH_INLINE void pagelist_push(struct vh_page *pages, uint32_t *head, uint32_t p)
    /*@ ghost (uint32_t npages) */
{
    uint32_t old = *head;
    pages[p].prev = VH_NIL;
    pages[p].next = old;
    if (old != VH_NIL)
        pages[old].prev = p;
    *head = p;
}

VH_INLINE bool pagelist_linked(const struct vh_page *pages, uint32_t npages, uint32_t head,
                               uint32_t p)
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

VH_INLINE void pagelist_unlink_linked(struct vh_page *pages, uint32_t *head, uint32_t p)
    /*@ ghost (uint32_t npages) */
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

VH_INLINE int pagelist_unlink(struct vh_page *pages, uint32_t npages, uint32_t *head, uint32_t p)
{
    if (!pagelist_linked(pages, npages, *head, p))
        return VH_ECORRUPT;
    pagelist_unlink_linked(pages, head, p) /*@ ghost (npages) */;
    return VH_OK;
}

static bool pagelist_check(const struct vh_page *pages, uint32_t npages, uint32_t head,
                           uint32_t max, uint32_t *count)
{
    uint32_t n = 0, prev = VH_NIL;
    /* At most max + 1 steps: a cycle shows as a list longer than max. */
    /*@ loop invariant 0 <= n <= max;
        loop assigns q, n, prev;
        loop variant max - n; */
    for (uint32_t q = head; q != VH_NIL; q = pages[q].next) {
        if (q >= npages || n >= max || pages[q].prev != prev)
            return false;
        prev = q;
        n++;
    }
    *count = n;
    return true;
}
