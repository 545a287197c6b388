/* SPDX-License-Identifier: MIT */
/* vheap port hooks: the only place the core meets its environment.
 *
 * Every hook defaults to nothing, so the core stays freestanding.  In builds
 * with AddressSanitizer the poison hooks map to ASan's interface, which is the
 * one header outside the freestanding four that the core may include, and
 * only then.
 */
#ifndef VH_PORT_H
#define VH_PORT_H

#include <stddef.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VH_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(VH_ASAN)
#define VH_ASAN 1
#endif

#ifdef VH_ASAN
#include <sanitizer/asan_interface.h>
/* Bytes the program may not touch: free blocks, free slots, the tail of a
 * block past the requested size. */
#define VH_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define VH_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define VH_POISON(p, n) ((void)(p), (void)(n))
#define VH_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* VH_ASSERT states what we can prove; it traps in debug builds (VH_DEBUG)
 * and compiles to nothing otherwise.  Conditions that are believed true but
 * still handled at run time are written as ordinary checks returning
 * VH_ECORRUPT, never as asserts. */
#ifdef VH_DEBUG
#define VH_ASSERT(c) ((c) ? (void)0 : __builtin_trap())
#else
#define VH_ASSERT(c) ((void)0)
#endif

/* Every core function has internal linkage (static): core/vheap.c is one
 * translation unit, and only the vh_* API leaves it.  Tests and fuzzers
 * compile that same file.  These two only steer the optimizer:
 *   VH_INLINE  hot-path helpers, inlined so that a slab alloc or free is one
 *              function with no calls;
 *   VH_COLD    slow paths kept out of line, so the fast paths stay small.
 * A build for size (-Os, which defines __OPTIMIZE_SIZE__) leaves inlining
 * to the compiler: forced, each helper is copied into every path that calls
 * it, and a cold path kept apart costs its call.  (make size, x86-64 gcc,
 * session 8: 8.8 KB of code forced, 6.6 KB not.) */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__OPTIMIZE_SIZE__)
#define VH_INLINE static inline __attribute__((always_inline))
#define VH_COLD static __attribute__((noinline, cold))
#else
#define VH_INLINE static inline
#define VH_COLD static
#endif

#if defined(__GNUC__) || defined(__clang__)
#define VH_LIKELY(c) __builtin_expect(!!(c), 1)
#define VH_UNLIKELY(c) __builtin_expect(!!(c), 0)
#else
#define VH_LIKELY(c) (c)
#define VH_UNLIKELY(c) (c)
#endif

#endif /* VH_PORT_H */
