/* SPDX-License-Identifier: MIT */
/* The two lock implementations of the global heap, both shaped as vh_hooks
 * lock/unlock callbacks (void fn(void *ctx)).
 *
 *   VH_GLOBAL_LOCK_PTHREAD defined: a pthread mutex, for hosted programs (a
 *       waiting thread sleeps; fork handlers can take and release it).
 *   otherwise: a test-and-test-and-set spinlock on C11 atomics, for
 *       freestanding use (kernels, firmware).  <stdatomic.h> is one of the
 *       freestanding headers, and lock-free int atomics compile to plain
 *       instructions, so this needs no libc.
 */
#ifndef VH_LOCK_H
#define VH_LOCK_H

#ifdef VH_GLOBAL_LOCK_PTHREAD

#include <pthread.h>

typedef pthread_mutex_t vh_lock_t;
#define VH_LOCK_INITIALIZER PTHREAD_MUTEX_INITIALIZER
#define VH_LOCK_NAME "pthread-mutex"

static void vh_lock_acquire(void *ctx)
{
    pthread_mutex_lock((pthread_mutex_t *)ctx);
}

static void vh_lock_release(void *ctx)
{
    pthread_mutex_unlock((pthread_mutex_t *)ctx);
}

#else /* spinlock */

#include <stdatomic.h>

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the spinlock needs lock-free int atomics");

/* 0 free, 1 held.  Acquire on taking, release on giving back: everything the
 * holder wrote is visible to the next holder. */
typedef struct {
    atomic_int held;
} vh_lock_t;
#define VH_LOCK_INITIALIZER {0}
#define VH_LOCK_NAME "c11-spinlock"

static inline void vh_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

static void vh_lock_acquire(void *ctx)
{
    vh_lock_t *l = (vh_lock_t *)ctx;
    for (;;) {
        if (!atomic_exchange_explicit(&l->held, 1, memory_order_acquire))
            return;
        /* Spin on a plain load so waiting does not bounce the cache line. */
        while (atomic_load_explicit(&l->held, memory_order_relaxed))
            vh_cpu_relax();
    }
}

static void vh_lock_release(void *ctx)
{
    atomic_store_explicit(&((vh_lock_t *)ctx)->held, 0, memory_order_release);
}

#endif

#endif /* VH_LOCK_H */
