/* SPDX-License-Identifier: MIT */
#include "th.h"

#include <stdlib.h>
#include <string.h>

struct th_rec th_rec;

static void rec_lock(void *ctx)
{
    (void)ctx;
    if (th_rec.held)
        th_rec.nested_lock = true;
    th_rec.held = 1;
    th_rec.locks++;
}

static void rec_unlock(void *ctx)
{
    (void)ctx;
    th_rec.held = 0;
    th_rec.unlocks++;
}

static void rec_error(void *ctx, int code, const void *ptr)
{
    (void)ctx;
    th_rec.nerr++;
    th_rec.last_code = code;
    th_rec.last_ptr = ptr;
}

const vh_hooks th_hooks = {rec_lock, rec_unlock, NULL, rec_error, NULL};

bool th_new(struct th_heap *t, size_t size, size_t misalign, const vh_hooks *hooks)
{
    memset(&th_rec, 0, sizeof th_rec);
    t->size = size;
    t->region = t_region(size, misalign);
    if (t->region == NULL)
        return false;
    t->h = vh_init(t->region, size, hooks);
    return t->h != NULL;
}

void th_free(struct th_heap *t)
{
    if (t->region != NULL) {
        /* Hand the memory back to libc unpoisoned. */
        VH_UNPOISON(t->region, t->size);
        t_region_free(t->region);
    }
    t->region = NULL;
    t->h = NULL;
}

/* The snapshots read the whole region, poisoned bytes included. */
#ifdef VH_ASAN
#define TH_NO_ASAN __attribute__((no_sanitize_address))
#else
#define TH_NO_ASAN
#endif

TH_NO_ASAN static void raw_copy(unsigned char *dst, const unsigned char *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ((volatile unsigned char *)dst)[i] = src[i];
}

TH_NO_ASAN static bool raw_equal(const unsigned char *a, const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != ((const volatile unsigned char *)b)[i])
            return false;
    return true;
}

unsigned char *th_snapshot(const struct th_heap *t)
{
    unsigned char *s = malloc(t->size);
    raw_copy(s, t->region, t->size);
    return s;
}

bool th_unchanged_but_errors(const struct th_heap *t, unsigned char *snap)
{
    size_t off = (size_t)((unsigned char *)&t->h->errors - t->region);
    memcpy(snap + off, &t->h->errors, sizeof t->h->errors);
    bool same = raw_equal(snap, t->region, t->size);
    free(snap);
    return same;
}

bool th_stats_sane(vh_heap *h)
{
    vh_stats s;
    vh_get_stats(h, &s);
    if (s.total_bytes != s.used_bytes + s.free_bytes + s.overhead_bytes)
        return false;
    if (s.largest_free_block > s.free_bytes)
        return false;
    unsigned frag = s.free_bytes == 0
                        ? 0
                        : (unsigned)((s.free_bytes - s.largest_free_block) * 1000ull / s.free_bytes);
    return frag == s.fragmentation_permille && vh_check(h) == 0;
}
