/* SPDX-License-Identifier: MIT */
/* heap: the facade's state and its one locking protocol, shared by the entry
 * points (heap.c), the statistics (stats.c) and the whole-heap check
 * (check.c).  Users see vh_heap as an opaque type; tests and the fuzz
 * harness read it for white-box checks only.
 */
#ifndef VH_HEAP_H
#define VH_HEAP_H

#include <vheap.h>

#include "buddy.h"
#include "config.h"
#include "page.h"
#include "port.h"
#include "slab.h"

#define VH_MAGIC 0x76686561u /* "vhea" */

_Static_assert(sizeof(struct vh_page) == VH_PAGE_DESCRIPTOR_SIZE, "descriptor size is published");
_Static_assert(VH_MAX_ALLOC == VH_PAGE_SIZE << VH_MAX_ORDER, "VH_MAX_ALLOC matches VH_MAX_ORDER");
_Static_assert(VH_MAX_ALIGN == VH_PAGE_SIZE, "buddy blocks are page-aligned, not more");

/* Lives at the start of the region (VH_ALIGNMENT aligned), followed by the
 * page descriptors.  Invariants H1..H4: see heap.c.
 *
 * The immutable part (set by vh_init, never written again) is trusted only
 * through its check words (H4), verified on every call before any of it is
 * used: geometry_check covers what the fast paths use (the area and the
 * locking flag), hooks_check the hooks and the region.  Everything else may
 * hold any bytes: each use range-checks it. */
struct vh_heap {
    uint32_t magic;
    uint8_t locked; /* 1: hooks.lock or hooks.unlock set, calls take the lock path (a byte, not
                     * a bool: the header may hold any bytes) */
    const struct vh_heap *self;
    uintptr_t geometry_check; /* == heap_geometry_word(this) */
    uintptr_t hooks_check;    /* == heap_hooks_word(this) */
    unsigned char *region;
    size_t region_size;
    struct vh_area area; /* fixed at init */
    vh_hooks hooks;      /* fixed at init */
    /* Mutable state. */
    struct vh_buddy buddy;
    struct vh_slabs slabs;
    size_t block_bytes; /* H2: usable bytes of live buddy blocks */
    size_t allocations, deallocations, failed_allocations, errors;
    size_t peak_used, peak_allocations; /* H5: high-water marks of used and live blocks */
};

/*@ // What the proofs take as given of a heap handle (proofs/README.md): the header
    // is valid memory, its geometry describes a valid page area apart from
    // it, and that is all.  The header's mutable words, the descriptors and
    // the pages may hold any bytes.
    predicate valid_heap(vh_heap *h) =
      \valid(h) && valid_area(&h->area) &&
      \separated(h, h->area.pages + (0 .. h->area.npages - 1), h->area.base + (0 .. h->area.npages - 1));
    // Everything but the two error counters is as it was: what the
    // protocol's bookends (heap_begin, heap_leave, heap_fail) promise.
    // Stated once and proved in their small bodies, so that a caller
    // composes it with its callee's frame instead of re-deriving, through
    // the counters' stores, that every descriptor kept its bytes.
    predicate heap_kept{L1, L2}(vh_heap *h) =
      \at(h->area.npages, L1) == \at(h->area.npages, L2) &&
      \at(h->area.base, L1) == \at(h->area.base, L2) && \at(h->area.pages, L1) == \at(h->area.pages, L2) &&
      slabs_unchanged{L1, L2}(\at(&h->slabs, L1), \at(&h->buddy, L1), \at(&h->area, L1)) &&
      \at(h->block_bytes, L1) == \at(h->block_bytes, L2) &&
      \at(h->allocations, L1) == \at(h->allocations, L2) &&
      \at(h->deallocations, L1) == \at(h->deallocations, L2) &&
      \at(h->peak_used, L1) == \at(h->peak_used, L2) &&
      \at(h->peak_allocations, L1) == \at(h->peak_allocations, L2);
    // It composes (proved by WP, like every lemma: `make prove`).
    lemma heap_kept_trans{L1, L2, L3}: \forall vh_heap *h;
      heap_kept{L1, L2}(h) && heap_kept{L2, L3}(h) ==> heap_kept{L1, L3}(h);
*/
/* For assigns clauses.  VH_HEAP_WORDS: the header's mutable words.
 * VH_HEAP_META: all the metadata a call may change (those words and the
 * descriptors; no page byte): what vh_alloc, vh_aligned_alloc and vh_free
 * write.
 * VH_HEAP_STATE: the metadata and every page byte (vh_calloc zeroes its
 * block, vh_realloc copies into the new one). */
#define VH_HEAP_WORDS(h) \
    (h)->buddy, (h)->slabs, (h)->block_bytes, (h)->allocations, (h)->deallocations, \
    (h)->failed_allocations, (h)->errors, (h)->peak_used, (h)->peak_allocations
#define VH_HEAP_META(h) \
    VH_HEAP_WORDS(h), (h)->area.pages[0 .. (h)->area.npages - 1]
#define VH_HEAP_STATE(h) \
    VH_HEAP_WORDS(h), (h)->area.pages[0 .. (h)->area.npages - 1], (h)->area.base[0 .. (h)->area.npages - 1]

/* For contracts: no live block was taken or given back (what a failed
 * allocation keeps; it may have given cached empty slabs back to the buddy
 * layer, which no caller can observe but as free bytes). */
#define VH_LIVE_UNCHANGED(h)                                                                       \
    ((h)->allocations == \old((h)->allocations) && (h)->deallocations == \old((h)->deallocations) &&  \
     (h)->block_bytes == \old((h)->block_bytes) && (h)->slabs.used_bytes == \old((h)->slabs.used_bytes) && \
     (h)->peak_used == \old((h)->peak_used) && (h)->peak_allocations == \old((h)->peak_allocations))

#define VH_HEAP_UNCHANGED_BUT_ERRORS(h)                                                            \
    (heap_kept{Pre, Post}(h) && (h)->failed_allocations == \old((h)->failed_allocations))
#define VH_HEAP_UNCHANGED(h) (VH_HEAP_UNCHANGED_BUT_ERRORS(h) && (h)->errors == \old((h)->errors))

/* Whether h names a heap at all: the handle check, before anything else. */
/*@ requires h == \null || \valid_read(h);
    assigns \nothing;
    ensures \result ==> h != \null; */
VH_INLINE bool heap_ok(const vh_heap *h)
{
    return h != NULL && h->self == h;
}

/* H4, the geometry half: a change of any one of these words changes the
 * result (xor with the others is a bijection in each), so a wild write into
 * one of them is found before the area is used.  Cheap enough for the fast
 * paths, which load these words anyway. */
/* For the contracts: the word as C computes it, each xor in uintptr_t. */
#define VH_GEOMETRY_WORD(h)                                                                        \
    ((uintptr_t)((uintptr_t)((uintptr_t)((uintptr_t)((uintptr_t)(h) ^ (uintptr_t)(h)->area.base) ^   \
                                         (uintptr_t)(h)->area.pages) ^                              \
                             (uintptr_t)(h)->area.npages) ^                                         \
                 (uintptr_t)(h)->locked))
/*@ requires \valid_read(h);
    assigns \nothing;
    ensures \result == VH_GEOMETRY_WORD(h); */
VH_INLINE uintptr_t heap_geometry_word(const vh_heap *h)
{
    return (uintptr_t)h ^ (uintptr_t)h->area.base ^ (uintptr_t)h->area.pages ^
           (uintptr_t)h->area.npages ^ (uintptr_t)h->locked;
}

/* Whether the fast paths may run: a heap, its geometry intact, no lock.
 * One compare, without reading the flag: the word is recomputed as if
 * locked were 0, so it matches only a heap that was initialised without
 * lock hooks (a heap with hooks has locked == 1 folded into its stored
 * word) and whose geometry words are intact.  A wild write to the flag of
 * such a heap changes nothing the fast paths use (they take no lock, nor
 * do the transitions they hand over, alloc_refill and free_transition,
 * whose error path releases nothing and calls on_error only after the
 * hooks-word check, as every path does); the slow paths, which read the
 * flag, then report VH_ECORRUPT.  A wild write that forges the geometry
 * word of a heap with lock hooks into this one lets the fast paths run
 * without the lock, as on a heap without hooks: they then call no hook but
 * on_error (heap_fail with took_lock false).  The handle
 * check h->self is left to the slow paths too, which tell VH_EINVAL from
 * VH_ECORRUPT: the fast paths use nothing it protects. */
/*@ requires h == \null || \valid_read(h);
    assigns \nothing;
    ensures \result ==> h != \null; */
VH_INLINE bool heap_fast_ok(const vh_heap *h)
{
    if (VH_UNLIKELY(h == NULL))
        return false;
    return VH_LIKELY(h->geometry_check == ((uintptr_t)h ^ (uintptr_t)h->area.base ^
                                           (uintptr_t)h->area.pages ^ (uintptr_t)h->area.npages));
}

/* H4, the hooks half: region, size and the five hook fields, folded
 * (heap.c).  Checked only where it matters, right before a hook is called
 * and where the region bounds are used, so that calls on heaps without
 * hooks never pay for it. */
#define VH_FOLD(acc, w) ((uintptr_t)((uintptr_t)((acc) ^ (w)) * 0x9E3779B97F4A7C15))
/* For the contracts: the hooks word as heap_hooks_word computes it. */
#define VH_HOOKS_WORD(h)                                                                           \
    VH_FOLD(VH_FOLD(VH_FOLD(VH_FOLD(VH_FOLD(VH_FOLD(VH_FOLD((uintptr_t)(h), (uintptr_t)(h)->region), \
                                                    (uintptr_t)(h)->region_size),                 \
                                            (uintptr_t)(h)->hooks.lock),                          \
                                    (uintptr_t)(h)->hooks.unlock),                                \
                            (uintptr_t)(h)->hooks.lock_ctx),                                      \
                    (uintptr_t)(h)->hooks.on_error),                                              \
            (uintptr_t)(h)->hooks.error_ctx)
/* The hooks passed their check: what every call into user code requires.
 * A macro, not a predicate, so that the simplifier sees through it. */
#define VH_HOOKS_CHECKED(h) ((h)->hooks_check == VH_HOOKS_WORD(h))
/*@ requires \valid_read(h);
    assigns \nothing;
    ensures \result == VH_HOOKS_WORD(h); */
static uintptr_t heap_hooks_word(const vh_heap *h);

/* ---- The three calls into user code. ----
 * Each is made only where the hooks' check word matched: the contracts
 * below require hooks_checked, and the proof of every caller shows it.
 * Their bodies are one call through a pointer each, which WP does not
 * follow; the proofs take these contracts as given (proofs/README.md,
 * trusted base: what the user's hooks do is theirs, and they must not
 * write the heap's region; on_error may call back into the heap, after
 * which the core touches the heap no more). */
#ifdef __FRAMAC__
/*@ requires \valid_read(h) && VH_HOOKS_CHECKED(h) && h->hooks.lock != \null;
    assigns \nothing; */
static void hook_lock(const vh_heap *h);
/*@ requires \valid_read(h) && VH_HOOKS_CHECKED(h) && h->hooks.unlock != \null;
    assigns \nothing; */
static void hook_unlock(const vh_heap *h);
/*@ requires \valid_read(h) && VH_HOOKS_CHECKED(h) && h->hooks.on_error != \null;
    assigns \nothing; */
static void hook_report(const vh_heap *h, int rc, const void *ptr);
#else
static inline void hook_lock(const vh_heap *h)
{
    h->hooks.lock(h->hooks.lock_ctx);
}
static inline void hook_unlock(const vh_heap *h)
{
    h->hooks.unlock(h->hooks.lock_ctx);
}
static inline void hook_report(const vh_heap *h, int rc, const void *ptr)
{
    h->hooks.on_error(h->hooks.error_ctx, rc, ptr);
}
#endif

/* H4 whole (both check words) and the magic: VH_OK, VH_EINVAL for a handle
 * that names no heap, VH_ECORRUPT for a heap whose immutable part changed.
 * For the calls that read the region bounds (vh_get_stats, vh_check). */
/*@ requires h == \null || \valid_read(h);
    assigns \nothing;
    ensures \result == VH_OK || \result == VH_EINVAL || \result == VH_ECORRUPT;
    ensures \result == VH_OK ==> h != \null && VH_HOOKS_CHECKED(h); */
static int heap_verify(const vh_heap *h);

/* ---- The protocol: heap_enter, then *_unsafe work, then heap_leave. ----
 *
 * Only the vh_* entry points call these; every *_unsafe function expects the
 * lock held.  A heap without lock hooks runs the same code with no lock,
 * which is what lets vh_alloc and vh_free keep a fast path that calls no
 * function. */

/* Takes the lock of a locking heap, after checking the hooks' check word:
 * VH_OK, or VH_ECORRUPT with no hook called.  A heap without lock hooks
 * (locked == 0, which the geometry word covers) reads no hook at all. */
/*@ requires \valid_read(h);
    assigns \nothing;
    ensures \result == VH_OK || \result == VH_ECORRUPT;
    ensures \result == VH_OK ==> (h->locked != 0 ==> VH_HOOKS_CHECKED(h)); */
VH_INLINE int heap_enter(const vh_heap *h)
{
    if (VH_LIKELY(!h->locked))
        return VH_OK;
    if (h->hooks_check != heap_hooks_word(h))
        return VH_ECORRUPT;
    //@ assert VH_HOOKS_CHECKED(h);
    if (h->hooks.lock != NULL)
        hook_lock(h);
    return VH_OK;
}

/* Begins a call that may change the heap: VH_OK with the lock held, or
 * VH_EINVAL (not a heap: nothing written) or VH_ECORRUPT (counted in errors,
 * in the header's mutable part; no lock taken, no hook called). */
/*@ requires h == \null || valid_heap(h);
    assigns h->errors;
    ensures \result == VH_OK || \result == VH_EINVAL || \result == VH_ECORRUPT;
    ensures \result == VH_OK ==> h != \null && (h->locked != 0 ==> VH_HOOKS_CHECKED(h)) &&
                                 h->errors == \old(h->errors);
    ensures \result == VH_ECORRUPT ==> h->errors == (size_t)(\old(h->errors) + 1);
    ensures \result == VH_EINVAL ==> h->errors == \old(h->errors);
    ensures kept: h != \null ==> heap_kept{Pre, Post}(h); */
VH_INLINE int heap_begin(vh_heap *h)
{
    if (!heap_ok(h) || h->magic != VH_MAGIC)
        return VH_EINVAL;
    int rc = h->geometry_check == heap_geometry_word(h) ? heap_enter(h) : VH_ECORRUPT;
    if (VH_UNLIKELY(rc != VH_OK))
        h->errors++;
    return rc;
}

/* Releases the lock heap_enter took (its check covered the hooks). */
/*@ requires \valid_read(h);
    assigns \nothing;
    ensures \true; // the point is inside: hook_unlock is called only after its check */
VH_INLINE void heap_unlock(const vh_heap *h)
{
    /* The hooks word is verified again right before the call, as before
     * every call into user code: a hook pointer changed during the call
     * (outside the threat model) leaves the lock held rather than jump
     * through it. */
    if (h->locked && h->hooks.unlock != NULL && h->hooks_check == heap_hooks_word(h)) {
        //@ assert VH_HOOKS_CHECKED(h);
        hook_unlock(h);
    }
}

/* For contracts: an outcome rc is counted in exactly one counter, by one
 * (negative: errors; BUDDY_ENOMEM: failed_allocations; else neither). */
#define VH_OUTCOME_COUNTED(h, rc)                                                                  \
    ((rc) < 0 ? (h)->errors == (size_t)(\old((h)->errors) + 1) &&                                   \
                    (h)->failed_allocations == \old((h)->failed_allocations)                       \
     : (rc) == BUDDY_ENOMEM                                                                        \
         ? (h)->errors == \old((h)->errors) &&                                                     \
               (h)->failed_allocations == (size_t)(\old((h)->failed_allocations) + 1)             \
         : (h)->errors == \old((h)->errors) && (h)->failed_allocations == \old((h)->failed_allocations))

/* A call that failed: counts it (negative: misuse or corruption, counted in
 * errors and reported; BUDDY_ENOMEM: an allocation failure), releases the
 * lock if the call took it (took_lock: it went through heap_begin), and only
 * then calls on_error, so the hook may call back into the heap.  The fast
 * paths' transitions (alloc_refill, free_transition) took no lock and pass
 * false: heap_fast_ok admits only heaps without lock hooks, unless a wild
 * write forged the geometry word of a heap that has them, and then an unlock
 * here would be one without a lock (found by the corruption target, session 9;
 * corpus/regressions/corrupt/2026-11-29-transition-unlock-without-lock-*). */
/*@ requires valid_heap(h);
    assigns h->errors, h->failed_allocations;
    ensures VH_OUTCOME_COUNTED(h, rc);
    ensures kept: heap_kept{Pre, Post}(h); */
VH_COLD void heap_fail(vh_heap *h, int rc, const void *ptr, bool took_lock);

/* Ends a call with outcome rc: releases the lock, or heap_fail. */
/*@ requires valid_heap(h);
    assigns h->errors, h->failed_allocations;
    ensures VH_OUTCOME_COUNTED(h, rc);
    ensures kept: heap_kept{Pre, Post}(h); */
VH_INLINE void heap_leave(vh_heap *h, int rc, const void *ptr)
{
    if (VH_UNLIKELY(rc != VH_OK)) {
        heap_fail(h, rc, ptr, true);
        return;
    }
    heap_unlock(h);
}

/* For contracts: used bytes and live blocks as C computes them. */
#define VH_USED(h) ((size_t)((h)->block_bytes + (h)->slabs.used_bytes))
#define VH_LIVE(h) ((size_t)((h)->allocations - (h)->deallocations))
/* Bytes in live blocks: H2 and S5. */
/*@ requires \valid_read(h);
    assigns \nothing;
    ensures \result == (size_t)(h->block_bytes + h->slabs.used_bytes); */
static inline size_t heap_used_bytes(const vh_heap *h)
{
    return h->block_bytes + h->slabs.used_bytes;
}

/* Live blocks: H3. */
/*@ requires \valid_read(h);
    assigns \nothing;
    ensures \result == (size_t)(h->allocations - h->deallocations); */
static inline size_t heap_live_blocks(const vh_heap *h)
{
    return h->allocations - h->deallocations;
}

/* H5: raises the high-water marks to the present use.  Called after every
 * change that can raise used bytes or live blocks (an allocation, a buddy
 * block grown in place), so that the marks are exact: no other change
 * raises either.  Two compares, on the fast path too. */
/*@ requires \valid(h);
    assigns h->peak_used, h->peak_allocations;
    ensures h->peak_used == (\old(h->peak_used) < VH_USED(h) ? VH_USED(h) : \old(h->peak_used));
    ensures h->peak_allocations ==
      (\old(h->peak_allocations) < VH_LIVE(h) ? VH_LIVE(h) : \old(h->peak_allocations)); */
VH_INLINE void heap_note_peaks(vh_heap *h)
{
    size_t used = heap_used_bytes(h), live = heap_live_blocks(h);
    if (used > h->peak_used)
        h->peak_used = used;
    if (live > h->peak_allocations)
        h->peak_allocations = live;
}

/* Free bytes as vh_get_stats reports them (stats.c). */
/*@ requires \valid_read(h);
    assigns \nothing;
    ensures \true; // the point is the body: it reads only the header's words, whatever they hold */
static size_t heap_free_bytes(const vh_heap *h);

#endif /* VH_HEAP_H */
