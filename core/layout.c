/* SPDX-License-Identifier: MIT */
/* layout: the region layout as a closed form (see layout.h).  Written with
 * % rather than masks (the compiler emits the same ANDs for these unsigned
 * powers of two) so that its contract is proved without bit-level lemmas. */
#include "layout.h"

/* Whether n descriptors from desc, then n pages from the next page boundary
 * (*base), end by end. */
/*@ requires desc <= end && n <= VH_MAX_PAGES && n * VH_PAGE_DESCRIPTOR_SIZE <= end - desc;
    requires \valid(base);
    assigns *base;
    ensures \result ==> *base % VH_PAGE_SIZE == 0 && desc + n * VH_PAGE_DESCRIPTOR_SIZE <= *base &&
                        *base <= end && n * VH_PAGE_SIZE <= end - *base;
    ensures !\result ==> *base == \old(*base); */
static bool layout_fits(uintptr_t desc, uintptr_t end, size_t n, uintptr_t *base)
{
    uintptr_t meta_end = desc + n * sizeof(struct vh_page);
    uintptr_t pad = (VH_PAGE_SIZE - meta_end % VH_PAGE_SIZE) % VH_PAGE_SIZE;
    if (pad > end - meta_end)
        return false;
    uintptr_t b = meta_end + pad;
    if ((end - b) / VH_PAGE_SIZE < n)
        return false;
    *base = b;
    return true;
}

static bool layout_region(uintptr_t start, size_t size, size_t header_size, struct vh_layout *out)
{
    /* start + size not wrapping also keeps the rounding of start below from
     * wrapping, since size >= VH_PAGE_SIZE > VH_ALIGNMENT. */
    if (size < VH_PAGE_SIZE || size > UINTPTR_MAX - start)
        return false;
    uintptr_t end = start + size;
    uintptr_t hdr = start + (VH_ALIGNMENT - start % VH_ALIGNMENT) % VH_ALIGNMENT;
    if (end - hdr < header_size)
        return false;
    uintptr_t desc = hdr + header_size;
    /* Each page costs VH_PAGE_SIZE + one descriptor, and the pad before the
     * pages at most VH_PAGE_SIZE - 1 more, so the largest n that fits is
     * either n_hi = (end - desc) / (page + descriptor) or n_hi - 1: the pad
     * is smaller than one page's cost.  Fewer pages always fit if more do. */
    size_t n = (size_t)(end - desc) / (VH_PAGE_SIZE + sizeof(struct vh_page));
    if (n > VH_MAX_PAGES)
        n = VH_MAX_PAGES;
    uintptr_t base = 0;
    if (n > 0 && !layout_fits(desc, end, n, &base))
        n--;
    if (n == 0 || !layout_fits(desc, end, n, &base))
        return false;
    out->header = hdr;
    out->descriptors = desc;
    out->base = base;
    out->npages = (uint32_t)n;
    return true;
}
