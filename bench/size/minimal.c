/* SPDX-License-Identifier: MIT */
/* The minimal program of `make size` (mk/size.mk): a freestanding image that
 * sets up a heap on a static region and calls vh_init, vh_alloc, vh_calloc,
 * vh_realloc and vh_free, linked with -Wl,--gc-sections so that only what
 * those five reach is kept.  Built twice: as is, and with VH_SIZE_BASELINE,
 * where the calls are gone and everything else stays.  The difference of
 * the two images' read-only bytes is what vheap adds to a program.
 *
 * The byte routines a freestanding core leaves to its embedder (memset,
 * memmove; on ARM, the EABI helpers the compiler calls for them) are here,
 * and the link keeps them in both images (mk/size.mk passes each with
 * --undefined), so the difference counts vheap's own code and tables only. */
#include <stddef.h>
#include "vheap.h"

void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void vh_size_entry(void);

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s)
        while (n--)
            *d++ = *s++;
    else
        while (n--)
            d[n] = s[n];
    return dst;
}

#ifdef __ARM_EABI__
void __aeabi_memset(void *dst, size_t n, int c);
void __aeabi_memset4(void *dst, size_t n, int c);
void __aeabi_memset8(void *dst, size_t n, int c);
void __aeabi_memclr(void *dst, size_t n);
void __aeabi_memclr4(void *dst, size_t n);
void __aeabi_memclr8(void *dst, size_t n);
void __aeabi_memmove(void *dst, const void *src, size_t n);
void __aeabi_memmove4(void *dst, const void *src, size_t n);
void __aeabi_memmove8(void *dst, const void *src, size_t n);
void __aeabi_memset(void *dst, size_t n, int c) { memset(dst, c, n); }
void __aeabi_memset4(void *dst, size_t n, int c) { memset(dst, c, n); }
void __aeabi_memset8(void *dst, size_t n, int c) { memset(dst, c, n); }
void __aeabi_memclr(void *dst, size_t n) { memset(dst, 0, n); }
void __aeabi_memclr4(void *dst, size_t n) { memset(dst, 0, n); }
void __aeabi_memclr8(void *dst, size_t n) { memset(dst, 0, n); }
void __aeabi_memmove(void *dst, const void *src, size_t n) { memmove(dst, src, n); }
void __aeabi_memmove4(void *dst, const void *src, size_t n) { memmove(dst, src, n); }
void __aeabi_memmove8(void *dst, const void *src, size_t n) { memmove(dst, src, n); }
#endif

static _Alignas(4096) unsigned char region[1u << 20];

/* The entry point (the link's -e): nothing runs it; it only has to keep
 * the calls from being removed. */
void vh_size_entry(void)
{
#ifndef VH_SIZE_BASELINE
    vh_heap *h = vh_init(region, sizeof region, NULL);
    void *p = vh_alloc(h, 100);
    void *q = vh_calloc(h, 3, 40);
    p = vh_realloc(h, p, 5000);
    (void)vh_free(h, p);
    (void)vh_free(h, q);
#else
    (void)region;
#endif
    for (;;) {
    }
}
