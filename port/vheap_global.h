/* SPDX-License-Identifier: MIT */
/* vheap_global: one process-wide, locked vheap (the design's init_heap).
 *
 * vh_global_init(start, size) sets up a heap on [start, start + size); from
 * then on every vh_global_* call runs the matching vh_* function of the core
 * on that heap under one lock.  The lock is handed to the core as vh_hooks,
 * so the core's own "only the facade locks" rule holds.
 *
 * Two builds of port/vheap_global.c (pick one at build time):
 *   default                    a C11-atomics spinlock; freestanding (no libc:
 *                              compile with -ffreestanding, it needs only what
 *                              the core needs: memcpy/memset/memmove/memcmp);
 *   -DVH_GLOBAL_LOCK_PTHREAD   a pthread mutex, for hosted programs.
 * vh_global_lock_name() says which one was built.
 *
 * Before a successful vh_global_init every call fails cleanly: allocation
 * returns NULL, vh_global_free/_stats/_check return VH_GLOBAL_ENOTREADY,
 * vh_global_usable_size returns 0.  A second vh_global_init (also one racing
 * the first) is refused with VH_GLOBAL_EBUSY and leaves the heap as it is; a
 * failed one (region too small) can be retried.  The heap is never torn down.
 *
 * Everything else (sizes, alignment, errors, complexity) is the core's: see
 * core/include/vheap.h.
 */
#ifndef VHEAP_GLOBAL_H
#define VHEAP_GLOBAL_H

#include <stddef.h>

#include <vheap.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Codes of the global layer (negative, distinct from the core's VH_E*). */
#define VH_GLOBAL_ENOTREADY (-16) /* vh_global_init has not succeeded */
#define VH_GLOBAL_EBUSY (-17)     /* the global heap is already set up (or being set up) */

/* 0 on success; VH_GLOBAL_EBUSY if a heap exists (or another thread is
 * setting one up); VH_EINVAL if the core refuses the region (NULL, too
 * small: see VH_MIN_REGION_SIZE, wraps the address space). */
int vh_global_init(void *start, size_t size);

/* As vh_global_init, with an error hook: on_error(ctx, code, ptr) is called
 * for every misuse the core reports (outside the lock, as in the core). */
int vh_global_init_with_error_hook(void *start, size_t size,
                                   void (*on_error)(void *ctx, int code, const void *ptr),
                                   void *error_ctx);

void *vh_global_alloc(size_t size);
void *vh_global_calloc(size_t n, size_t size);
void *vh_global_realloc(void *ptr, size_t size);
void *vh_global_aligned_alloc(size_t align, size_t size);
/* 0 (also for NULL, before init too), or a VH_E* code. */
int vh_global_free(void *ptr);
size_t vh_global_usable_size(const void *ptr);
/* 0 and *out filled, or VH_GLOBAL_ENOTREADY and *out zeroed. */
int vh_global_stats(vh_stats *out);
/* 0, a VH_CHECK_* code, or VH_GLOBAL_ENOTREADY. */
int vh_global_check(void);

/* True once vh_global_init has succeeded. */
int vh_global_ready(void);

/* Whether p lies in the region given to vh_global_init (false before). */
int vh_global_owns(const void *p);

/* Takes / releases the heap's lock from outside, e.g. around fork() so the
 * child never inherits it held by a thread that does not exist there.  While
 * held by the caller, the caller must not call any other vh_global_*
 * function (the lock is not recursive).  No-ops before init. */
void vh_global_lock(void);
void vh_global_unlock(void);

/* "c11-spinlock" or "pthread-mutex". */
const char *vh_global_lock_name(void);

#ifdef __cplusplus
}
#endif

#endif /* VHEAP_GLOBAL_H */
