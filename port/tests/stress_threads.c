/* SPDX-License-Identifier: MIT */
/* 8 threads allocating and freeing across threads.
 *
 * Each thread allocates objects of random sizes (mostly slab classes, some
 * buddy blocks), stamps them (owner thread, serial, size, a fill byte over
 * the whole object), sometimes reallocs them, and swaps each one into a
 * random slot of a shared table with an atomic exchange.  Whatever it takes
 * out of the slot, usually another thread's object, it verifies byte by byte
 * and frees.  At the end the table is drained and the heap must be empty and
 * consistent.  Cross-thread frees are counted and must be > 0.
 *
 * Built three ways: on the global heap (port/vheap_global.c, either lock),
 * under ThreadSanitizer or AddressSanitizer; and with -DSTRESS_MALLOC on
 * plain malloc/free, to run under the LD_PRELOAD shim.
 *
 *   stress_threads [iterations per thread]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef STRESS_MALLOC
#define S_ALLOC(n) malloc(n)
#define S_REALLOC(p, n) realloc((p), (n))
#define S_FREE(p) (free(p), 0)
#else
#include "vheap_global.h"
#define S_ALLOC(n) vh_global_alloc(n)
#define S_REALLOC(p, n) vh_global_realloc((p), (n))
#define S_FREE(p) vh_global_free(p)
static _Alignas(4096) unsigned char region[64u << 20];
#endif

#define NTHREADS 8
#define NSLOTS 4096

struct obj {
    uint32_t owner;  /* thread that allocated it */
    uint32_t fill;   /* byte repeated over the rest of the object */
    uint64_t serial;
    size_t size;
};

static _Atomic(struct obj *) slots[NSLOTS];
static atomic_ulong cross_frees, bad_objects, free_errors;
static long iterations = 100000;

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static size_t pick_size(uint64_t r)
{
    unsigned k = (unsigned)(r % 100);
    if (k < 70)
        return sizeof(struct obj) + (size_t)(r >> 8) % 256;
    if (k < 95)
        return sizeof(struct obj) + (size_t)(r >> 8) % 4096;
    return sizeof(struct obj) + (size_t)(r >> 8) % (96u << 10);
}

static void stamp(struct obj *o, uint32_t owner, uint64_t serial, size_t size)
{
    o->owner = owner;
    o->fill = (uint32_t)(serial * 131u + owner) & 0xffu;
    o->serial = serial;
    o->size = size;
    memset(o + 1, (int)o->fill, size - sizeof *o);
}

/* Verifies every byte, then frees the object. */
static void check_and_free(struct obj *o, uint32_t self)
{
    const unsigned char *b = (const unsigned char *)(o + 1);
    int bad = o->owner >= NTHREADS || o->size < sizeof *o;
    for (size_t i = 0; !bad && i < o->size - sizeof *o; i++)
        bad = b[i] != o->fill;
    if (bad)
        atomic_fetch_add(&bad_objects, 1);
    if (o->owner != self)
        atomic_fetch_add(&cross_frees, 1);
    if (S_FREE(o) != 0)
        atomic_fetch_add(&free_errors, 1);
}

static void *worker(void *arg)
{
    uint32_t self = (uint32_t)(uintptr_t)arg;
    uint64_t rng = 0x9e3779b97f4a7c15ull * (self + 1u);
    for (long i = 0; i < iterations; i++) {
        uint64_t r = next_rand(&rng);
        size_t size = pick_size(r);
        struct obj *o = S_ALLOC(size);
        if (o == NULL) {
            atomic_fetch_add(&bad_objects, 1);
            continue;
        }
        stamp(o, self, (uint64_t)i, size);
        if ((r >> 40) % 8 == 0) {
            /* Grow or shrink; the contents up to the smaller size survive. */
            size_t nsize = pick_size(next_rand(&rng));
            struct obj *n = S_REALLOC(o, nsize);
            if (n == NULL) {
                atomic_fetch_add(&bad_objects, 1);
            } else {
                o = n;
                size_t keep = nsize < size ? nsize : size;
                const unsigned char *b = (const unsigned char *)(o + 1);
                for (size_t j = 0; j < keep - sizeof *o; j++)
                    if (b[j] != o->fill) {
                        atomic_fetch_add(&bad_objects, 1);
                        break;
                    }
                stamp(o, self, (uint64_t)i, nsize);
            }
        }
        struct obj *old = atomic_exchange(&slots[(r >> 20) % NSLOTS], o);
        if (old != NULL)
            check_and_free(old, self);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        iterations = atol(argv[1]);
#ifndef STRESS_MALLOC
    if (vh_global_init(region, sizeof region) != 0) {
        fprintf(stderr, "stress: vh_global_init failed\n");
        return 1;
    }
#endif
    pthread_t t[NTHREADS];
    for (uintptr_t i = 0; i < NTHREADS; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)i) != 0) {
            fprintf(stderr, "stress: pthread_create failed\n");
            return 1;
        }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < NSLOTS; i++) {
        struct obj *o = atomic_exchange(&slots[i], NULL);
        if (o != NULL)
            check_and_free(o, NTHREADS); /* main: counts as cross-thread */
    }
    int fail = 0;
    unsigned long cross = atomic_load(&cross_frees);
    if (atomic_load(&bad_objects) != 0 || atomic_load(&free_errors) != 0) {
        fprintf(stderr, "stress: %lu corrupted or failed objects, %lu free errors\n",
                atomic_load(&bad_objects), atomic_load(&free_errors));
        fail = 1;
    }
    if (cross == 0) {
        fprintf(stderr, "stress: no object was freed by another thread\n");
        fail = 1;
    }
#ifndef STRESS_MALLOC
    vh_stats st;
    int rc = vh_global_check();
    vh_global_stats(&st);
    if (rc != 0 || st.used_bytes != 0 || st.allocations != st.deallocations || st.errors != 0) {
        fprintf(stderr, "stress: heap not empty or inconsistent: check %d used %zu allocs %zu frees %zu errors %zu\n",
                rc, st.used_bytes, st.allocations, st.deallocations, st.errors);
        fail = 1;
    }
    printf("stress (%s): %d threads x %ld iterations, %zu allocations, %lu cross-thread frees, check %d: %s\n",
           vh_global_lock_name(), NTHREADS, iterations, st.allocations, cross, rc, fail ? "FAIL" : "ok");
#else
    printf("stress (malloc): %d threads x %ld iterations, %lu cross-thread frees: %s\n", NTHREADS,
           iterations, cross, fail ? "FAIL" : "ok");
#endif
    return fail;
}
