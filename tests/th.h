/* SPDX-License-Identifier: MIT */
/* Helpers for heap-level tests: a heap on a fresh region, raw snapshots of
 * the region (ASan-poisoned bytes included), hook recorders. */
#ifndef VH_TH_H
#define VH_TH_H

#include "heap.h"
#include "t.h"
#include <vheap.h>

struct th_heap {
    unsigned char *region;
    size_t size;
    vh_heap *h;
};

/* Error and lock hooks that record what they saw. */
struct th_rec {
    int locks, unlocks, held;
    int nerr, last_code;
    const void *last_ptr;
    bool nested_lock; /* lock taken while held: the facade locked twice */
};
extern struct th_rec th_rec;
extern const vh_hooks th_hooks;

bool th_new(struct th_heap *t, size_t size, size_t misalign, const vh_hooks *hooks);
void th_free(struct th_heap *t);

/* Copies of the whole region, read past ASan's poison. */
unsigned char *th_snapshot(const struct th_heap *t);
/* Whether the region equals the snapshot, except the heap's error counter. */
bool th_unchanged_but_errors(const struct th_heap *t, unsigned char *snap);

/* Stats identity and recount against the checker. */
bool th_stats_sane(vh_heap *h);

#endif
