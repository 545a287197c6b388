/* SPDX-License-Identifier: MIT */
/* vheap malloc shim: malloc and friends on the global vheap, for
 *   LD_PRELOAD=build/libvheap-malloc.so program
 *
 * Routing
 *   - The heap region is reserved on the first call with one mmap of
 *     VHEAP_SIZE bytes (default 1 GiB, MAP_NORESERVE: pages cost memory only
 *     once touched; halved down to 16 MiB when the reservation fails) and
 *     handed to vh_global_init (pthread-mutex build).
 *   - Requests the heap cannot take -- larger than VH_MAX_ALLOC (2 MiB),
 *     alignment above 4096, or the heap is full -- get their own mapping
 *     ("big" blocks).  Big blocks are recorded in a hash table (pointer ->
 *     length) kept in its own mappings, so free recognises them by lookup
 *     and never trusts memory in front of a pointer.
 *   - free: pointer inside the heap region -> vh_free (which validates it);
 *     a recorded big block -> munmap; anything else is reported as foreign.
 *
 * Semantics chosen (glibc's where glibc defines them)
 *   - malloc(0) returns a unique pointer (a 16-byte slot).
 *   - realloc(p, 0) with p != NULL frees p and returns NULL (as glibc);
 *     realloc(NULL, n) is malloc(n).  realloc does not keep an alignment
 *     larger than 16 (C does not ask it to).
 *   - Out of memory and size overflows (calloc, reallocarray, pvalloc):
 *     NULL with errno = ENOMEM; posix_memalign returns ENOMEM / EINVAL
 *     and leaves errno alone.
 *   - aligned_alloc: alignment must be a power of two (else EINVAL, as C17
 *     DR 460 and glibc >= 2.38); memalign rounds a non-power up to the next
 *     power of two and treats alignments <= 16 as malloc (as glibc).
 *   - Invalid pointers given to free/realloc (not from this allocator,
 *     interior, already free) are reported on stderr once per kind, counted,
 *     and otherwise ignored (the block is leaked, the program goes on);
 *     VHEAP_ABORT_ON_ERROR=1 aborts on the first one.  A pointer allocated
 *     before the shim was loaded (e.g. by the dynamic loader's own minimal
 *     malloc) is "foreign" and handled the same way.
 *   - malloc_usable_size of a pointer that is not a live block returns 0.
 *
 * Bootstrap, threads, fork
 *   - Nothing on the path to a ready heap allocates (no dlsym, no stdio):
 *     getenv, mmap, and the core.  pthread_atfork, which may itself call
 *     malloc, is registered only after the heap is ready.  A thread that
 *     finds another one setting up the heap waits with sched_yield.
 *   - Fork: the prepare handler takes the big-table lock and the heap lock;
 *     parent and child release them, so the child never inherits a lock
 *     held by a thread it does not have.
 *   - VHEAP_STATS=1 prints the heap's stats to stderr at exit (a
 *     destructor), written with write(2) only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vheap_global.h"

#define EXPORT __attribute__((visibility("default")))
#define LIKELY(c) __builtin_expect(!!(c), 1)
#define PAGE ((size_t)4096)
#define DEFAULT_HEAP_SIZE ((size_t)1 << 30)
#define MIN_HEAP_SIZE ((size_t)16 << 20)
/* The largest VHEAP_SIZE taken: vh_init writes a descriptor per page (24
 * bytes per 4 KiB, 0.59 %) at once, so the region may not be larger than
 * what keeps that table within 1/8 of physical memory, nor than 1 TiB (6 GiB
 * of descriptors) whatever the machine says. */
#define MAX_HEAP_SIZE ((size_t)1 << 40)

enum { S_NONE, S_SETTING, S_READY };
static atomic_int s_state;
static int s_abort_on_error, s_print_stats;
static uintptr_t s_region;
static size_t s_region_size;

/* ---- counters (relaxed atomics: only printed) ---- */
enum { K_FOREIGN, K_INTERIOR, K_DOUBLE, K_CORRUPT, K_NUM };
static const char *const kind_text[K_NUM] = {
    "not allocated by vheap (foreign pointer)",
    "points inside a block, not at its start",
    "double free (block already free)",
    "heap metadata found corrupted",
};
static atomic_ulong s_invalid[K_NUM];
static atomic_int s_reported[K_NUM];
static atomic_ulong s_big_allocs, s_big_frees, s_fallbacks;

/* ---- output without stdio (stdio may allocate) ---- */
static void put(const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(2, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static char *fmt_u(char *end, unsigned long long v)
{
    *--end = '\0';
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return end;
}

static void put_u(unsigned long long v)
{
    char buf[24];
    put(fmt_u(buf + sizeof buf, v));
}

static void put_hex(uintptr_t v)
{
    char buf[2 + 2 * sizeof v + 1];
    char *p = buf + sizeof buf;
    *--p = '\0';
    do {
        *--p = "0123456789abcdef"[v & 15u];
        v >>= 4;
    } while (v != 0);
    *--p = 'x';
    *--p = '0';
    put(p);
}

static void report(int kind, const void *ptr)
{
    atomic_fetch_add_explicit(&s_invalid[kind], 1, memory_order_relaxed);
    if (s_abort_on_error || atomic_exchange(&s_reported[kind], 1) == 0) {
        put("vheap: invalid pointer ");
        put_hex((uintptr_t)ptr);
        put(" given to free/realloc: ");
        put(kind_text[kind]);
        put(s_abort_on_error ? "; aborting (VHEAP_ABORT_ON_ERROR=1)\n"
                             : " (reported once per kind; VHEAP_ABORT_ON_ERROR=1 aborts)\n");
    }
    if (s_abort_on_error)
        abort();
}

/* The core's error hook: called outside the heap lock. */
static void on_heap_error(void *ctx, int code, const void *ptr)
{
    (void)ctx;
    switch (code) {
    case VH_EFOREIGN:
        report(K_FOREIGN, ptr);
        break;
    case VH_EINTERIOR:
        report(K_INTERIOR, ptr);
        break;
    case VH_EDOUBLEFREE:
        report(K_DOUBLE, ptr);
        break;
    case VH_ECORRUPT:
        report(K_CORRUPT, ptr);
        break;
    default:
        break; /* overflow and alignment are checked before the core is asked */
    }
}

/* ---- big blocks: own mappings, recorded in an open-addressing table ---- */
struct big {
    uintptr_t p; /* 0: empty slot */
    size_t len;  /* mapped bytes from p, a multiple of PAGE */
};
static pthread_mutex_t bt_lock = PTHREAD_MUTEX_INITIALIZER;
static struct big *bt;   /* bt_cap slots, a power of two; load <= 1/2 */
static size_t bt_cap, bt_count;

static size_t bt_slot(uintptr_t p, size_t cap)
{
    return (size_t)(((uint64_t)(p >> 12) * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1u);
}

/* Lock held.  false when the table cannot grow. */
static int bt_insert_locked(uintptr_t p, size_t len)
{
    if (2u * (bt_count + 1u) > bt_cap) {
        size_t ncap = bt_cap == 0 ? 256u : 2u * bt_cap;
        struct big *nt = mmap(NULL, ncap * sizeof *nt, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (nt == MAP_FAILED)
            return 0;
        for (size_t i = 0; i < bt_cap; i++) {
            if (bt[i].p == 0)
                continue;
            size_t j = bt_slot(bt[i].p, ncap);
            while (nt[j].p != 0)
                j = (j + 1u) & (ncap - 1u);
            nt[j] = bt[i];
        }
        if (bt != NULL)
            munmap(bt, bt_cap * sizeof *bt);
        bt = nt;
        bt_cap = ncap;
    }
    size_t j = bt_slot(p, bt_cap);
    while (bt[j].p != 0)
        j = (j + 1u) & (bt_cap - 1u);
    bt[j] = (struct big){p, len};
    bt_count++;
    return 1;
}

/* Lock held.  Index of p's slot, or bt_cap when p is not recorded. */
static size_t bt_find_locked(uintptr_t p)
{
    if (bt_cap == 0)
        return 0;
    size_t j = bt_slot(p, bt_cap);
    while (bt[j].p != 0) {
        if (bt[j].p == p)
            return j;
        j = (j + 1u) & (bt_cap - 1u);
    }
    return bt_cap;
}

/* Lock held.  Removes slot i, shifting later entries of its run back so no
 * tombstones are needed. */
static void bt_remove_locked(size_t i)
{
    size_t mask = bt_cap - 1u, j = i;
    bt[i].p = 0;
    for (;;) {
        j = (j + 1u) & mask;
        if (bt[j].p == 0)
            break;
        size_t home = bt_slot(bt[j].p, bt_cap);
        /* Move j back to the hole i unless its home lies cyclically in (i, j]. */
        int stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            bt[i] = bt[j];
            bt[j].p = 0;
            i = j;
        }
    }
    bt_count--;
}

/* Mapped length of big block p, or 0 when p is not one. */
static size_t big_len(const void *p)
{
    pthread_mutex_lock(&bt_lock);
    size_t i = bt_find_locked((uintptr_t)p);
    size_t len = i < bt_cap ? bt[i].len : 0;
    pthread_mutex_unlock(&bt_lock);
    return len;
}

/* A mapping of at least size bytes aligned to align (a power of two; <= PAGE
 * means page-aligned), recorded in the table.  Zero-filled. */
static void *big_alloc(size_t size, size_t align)
{
    if (align < PAGE)
        align = PAGE;
    if (size > SIZE_MAX - 2u * align - PAGE)
        return NULL;
    size_t len = size == 0 ? PAGE : (size + PAGE - 1u) & ~(PAGE - 1u);
    size_t extra = align > PAGE ? align : 0;
    unsigned char *m = mmap(NULL, len + extra, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    uintptr_t p = ((uintptr_t)m + align - 1u) & ~(uintptr_t)(align - 1u);
    if (extra != 0) {
        /* Trim to [p, p + len): the table then records exactly the mapping. */
        size_t head = p - (uintptr_t)m, tail = extra - head;
        if (head != 0)
            munmap(m, head);
        if (tail != 0)
            munmap((void *)(p + len), tail);
    }
    pthread_mutex_lock(&bt_lock);
    int ok = bt_insert_locked(p, len);
    pthread_mutex_unlock(&bt_lock);
    if (!ok) {
        munmap((void *)p, len);
        return NULL;
    }
    atomic_fetch_add_explicit(&s_big_allocs, 1, memory_order_relaxed);
    return (void *)p;
}

/* Unmaps big block p; false when p is not one. */
static int big_free(void *p)
{
    pthread_mutex_lock(&bt_lock);
    size_t i = bt_find_locked((uintptr_t)p);
    size_t len = 0;
    if (i < bt_cap) {
        len = bt[i].len;
        bt_remove_locked(i);
    }
    pthread_mutex_unlock(&bt_lock);
    if (len == 0)
        return 0;
    munmap(p, len);
    atomic_fetch_add_explicit(&s_big_frees, 1, memory_order_relaxed);
    return 1;
}

/* Moves big block p (len bytes) to a mapping of newlen bytes.  NULL on
 * failure, p untouched. */
static void *big_remap(void *p, size_t len, size_t newlen)
{
    pthread_mutex_lock(&bt_lock);
    void *q = mremap(p, len, newlen, MREMAP_MAYMOVE);
    if (q != MAP_FAILED) {
        bt_remove_locked(bt_find_locked((uintptr_t)p));
        if (!bt_insert_locked((uintptr_t)q, newlen)) {
            /* Cannot record it: cannot happen after a removal (load only
             * fell), but do not lose the block if it does. */
            munmap(q, newlen);
            q = MAP_FAILED;
        }
    }
    pthread_mutex_unlock(&bt_lock);
    return q == MAP_FAILED ? NULL : q;
}

/* ---- bootstrap ---- */
static size_t parse_size(const char *s)
{
    if (s == NULL || *s == '\0')
        return 0;
    size_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (SIZE_MAX - 9u) / 10u)
            return 0;
        v = v * 10u + (size_t)(*s - '0');
    }
    unsigned shift = 0;
    switch (*s) {
    case 'k': case 'K': shift = 10; s++; break;
    case 'm': case 'M': shift = 20; s++; break;
    case 'g': case 'G': shift = 30; s++; break;
    default: break;
    }
    if (*s != '\0' || v > (SIZE_MAX >> shift))
        return 0;
    return v << shift;
}

static int env_on(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] == '1' && v[1] == '\0';
}

static void fork_prepare(void)
{
    pthread_mutex_lock(&bt_lock);
    vh_global_lock();
}

static void fork_release(void)
{
    vh_global_unlock();
    pthread_mutex_unlock(&bt_lock);
}

/* Reserves the heap region, 2 MiB aligned, and asks for transparent huge
 * pages on the part vh_init writes at once (header and page descriptors,
 * 24 bytes per page: 6 MiB for 1 GiB).  With 4 KiB pages that is one page
 * fault per 4 KiB, which on the machines measured here cost ~20 ms per
 * process for the 1 GiB default; with huge pages ~0.5 ms.  If THP is off,
 * madvise fails and nothing changes.  The rest of the region keeps normal
 * pages, as glibc's heap does. */
static void *reserve_region(size_t size)
{
    const size_t huge = (size_t)2 << 20;
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
    if (size < 2 * huge || size > SIZE_MAX - huge)
        return mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
    unsigned char *m = mmap(NULL, size + huge, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (m == MAP_FAILED)
        return MAP_FAILED;
    uintptr_t a = ((uintptr_t)m + huge - 1u) & ~(uintptr_t)(huge - 1u);
    size_t head = a - (uintptr_t)m;
    if (head != 0)
        munmap(m, head);
    if (huge - head != 0)
        munmap((void *)(a + size), huge - head);
    size_t meta = (size / VH_PAGE_SIZE) * VH_PAGE_DESCRIPTOR_SIZE + VH_PAGE_SIZE;
    meta = (meta + huge - 1u) & ~(huge - 1u);
    if (meta < size)
        madvise((void *)a, meta, MADV_HUGEPAGE);
    return (void *)a;
}

/* MAX_HEAP_SIZE, or less on a machine whose physical memory / 8 cannot hold
 * the descriptor table of that much. */
static size_t max_heap_size(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    size_t limit = MAX_HEAP_SIZE;
    if (pages > 0 && page > 0 && (unsigned long)pages <= SIZE_MAX / (unsigned long)page) {
        size_t table = (size_t)pages * (size_t)page / 8u; /* bytes of descriptors allowed */
        size_t by_memory = table / VH_PAGE_DESCRIPTOR_SIZE;
        if (by_memory < limit / VH_PAGE_SIZE)
            limit = by_memory * VH_PAGE_SIZE;
    }
    return limit < DEFAULT_HEAP_SIZE ? DEFAULT_HEAP_SIZE : limit;
}

static void init_slow(void)
{
    int expected = S_NONE;
    if (!atomic_compare_exchange_strong(&s_state, &expected, S_SETTING)) {
        while (atomic_load_explicit(&s_state, memory_order_acquire) != S_READY)
            sched_yield();
        return;
    }
    s_abort_on_error = env_on("VHEAP_ABORT_ON_ERROR");
    s_print_stats = env_on("VHEAP_STATS");
    const char *env_size = getenv("VHEAP_SIZE");
    size_t size = parse_size(env_size);
    if (env_size != NULL && size < VH_MIN_REGION_SIZE) {
        put("vheap: VHEAP_SIZE not understood (digits with optional K/M/G, at least 12K); using 1G\n");
        size = 0;
    }
    size_t limit = max_heap_size();
    if (size > limit) {
        put("vheap: VHEAP_SIZE=");
        put(env_size);
        put(" is above the limit of ");
        put_u(limit >> 20);
        put(" MiB (its page descriptors must fit in 1/8 of physical memory, and at most 1 TiB); using 1G\n");
        size = 0;
    }
    if (size == 0)
        size = DEFAULT_HEAP_SIZE;
    for (;;) {
        void *m = reserve_region(size);
        if (m != MAP_FAILED) {
            if (vh_global_init_with_error_hook(m, size, on_heap_error, NULL) == VH_OK) {
                s_region = (uintptr_t)m;
                s_region_size = size;
            } else {
                munmap(m, size);
            }
            break;
        }
        if (size / 2 < MIN_HEAP_SIZE)
            break; /* no heap: every request gets its own mapping */
        size /= 2;
    }
    atomic_store_explicit(&s_state, S_READY, memory_order_release);
    /* May call malloc: the heap is ready now. */
    pthread_atfork(fork_prepare, fork_release, fork_release);
}

static inline void ensure_init(void)
{
    if (LIKELY(atomic_load_explicit(&s_state, memory_order_acquire) == S_READY))
        return;
    init_slow();
}

static inline int in_heap(const void *p)
{
    return (uintptr_t)p - s_region < s_region_size;
}

/* ---- the allocation paths ---- */

/* size bytes, 16-aligned; zeroed when zero.  NULL without errno. */
static void *alloc_any(size_t size, int zero)
{
    if (size <= VH_MAX_ALLOC) {
        void *p = zero ? vh_global_calloc(1, size) : vh_global_alloc(size);
        if (LIKELY(p != NULL))
            return p;
        atomic_fetch_add_explicit(&s_fallbacks, 1, memory_order_relaxed);
    }
    return big_alloc(size, 0);
}

/* align: a power of two. */
static void *alloc_aligned(size_t align, size_t size)
{
    if (align <= VH_ALIGNMENT)
        return alloc_any(size, 0);
    if (align <= VH_MAX_ALIGN && size <= VH_MAX_ALLOC) {
        void *p = vh_global_aligned_alloc(align, size);
        if (p != NULL)
            return p;
        atomic_fetch_add_explicit(&s_fallbacks, 1, memory_order_relaxed);
    }
    return big_alloc(size, align);
}

static void *nomem(void)
{
    errno = ENOMEM;
    return NULL;
}

EXPORT void *malloc(size_t size)
{
    ensure_init();
    void *p = alloc_any(size, 0);
    return LIKELY(p != NULL) ? p : nomem();
}

EXPORT void free(void *ptr)
{
    if (ptr == NULL)
        return;
    ensure_init();
    if (in_heap(ptr)) {
        vh_global_free(ptr); /* misuse reported through on_heap_error */
        return;
    }
    if (!big_free(ptr))
        report(K_FOREIGN, ptr);
}

EXPORT void *calloc(size_t n, size_t size)
{
    ensure_init();
    if (n != 0 && size > SIZE_MAX / n)
        return nomem();
    void *p = alloc_any(n * size, 1);
    return p != NULL ? p : nomem();
}

EXPORT void *realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return malloc(size);
    ensure_init();
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (in_heap(ptr)) {
        if (size <= VH_MAX_ALLOC) {
            void *q = vh_global_realloc(ptr, size);
            if (LIKELY(q != NULL))
                return q;
        }
        /* Too big for the heap, heap full, or ptr not a live block (the
         * core has reported that already, unless size was too big for it to
         * be asked). */
        size_t old = vh_global_usable_size(ptr);
        if (old == 0) {
            if (size > VH_MAX_ALLOC)
                vh_global_free(ptr); /* not live: only classifies and reports */
            errno = EINVAL;
            return NULL;
        }
        if (size <= VH_MAX_ALLOC)
            atomic_fetch_add_explicit(&s_fallbacks, 1, memory_order_relaxed);
        void *q = big_alloc(size, 0);
        if (q == NULL)
            return nomem();
        memcpy(q, ptr, old < size ? old : size);
        vh_global_free(ptr);
        return q;
    }
    size_t len = big_len(ptr);
    if (len == 0) {
        report(K_FOREIGN, ptr);
        errno = EINVAL;
        return NULL;
    }
    if (size <= VH_MAX_ALLOC) {
        void *q = vh_global_alloc(size);
        if (q != NULL) {
            memcpy(q, ptr, size < len ? size : len);
            big_free(ptr);
            return q;
        }
        if (size <= len)
            return ptr; /* heap full: keep the mapping */
    }
    if (size > SIZE_MAX - PAGE)
        return nomem();
    size_t newlen = (size + PAGE - 1u) & ~(PAGE - 1u);
    if (newlen == len)
        return ptr;
    void *q = big_remap(ptr, len, newlen);
    return q != NULL ? q : nomem();
}

EXPORT void *reallocarray(void *ptr, size_t n, size_t size)
{
    if (n != 0 && size > SIZE_MAX / n)
        return nomem();
    return realloc(ptr, n * size);
}

static int pow2(size_t a)
{
    return a != 0 && (a & (a - 1u)) == 0;
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    if (!pow2(align) || align % sizeof(void *) != 0)
        return EINVAL;
    ensure_init();
    int saved = errno;
    void *p = alloc_aligned(align, size);
    errno = saved;
    if (p == NULL)
        return ENOMEM;
    *out = p;
    return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
    if (!pow2(align)) {
        errno = EINVAL;
        return NULL;
    }
    ensure_init();
    void *p = alloc_aligned(align, size);
    return p != NULL ? p : nomem();
}

EXPORT void *memalign(size_t align, size_t size)
{
    if (align > SIZE_MAX / 2 + 1) {
        errno = EINVAL;
        return NULL;
    }
    size_t a = 1;
    while (a < align)
        a <<= 1;
    ensure_init();
    void *p = alloc_aligned(a, size);
    return p != NULL ? p : nomem();
}

EXPORT void *valloc(size_t size)
{
    ensure_init();
    void *p = alloc_aligned(PAGE, size);
    return p != NULL ? p : nomem();
}

EXPORT void *pvalloc(size_t size)
{
    if (size > SIZE_MAX - PAGE)
        return nomem();
    size_t rounded = size == 0 ? PAGE : (size + PAGE - 1u) & ~(PAGE - 1u);
    ensure_init();
    void *p = alloc_aligned(PAGE, rounded);
    return p != NULL ? p : nomem();
}

EXPORT size_t malloc_usable_size(void *ptr)
{
    if (ptr == NULL)
        return 0;
    ensure_init();
    if (in_heap(ptr))
        return vh_global_usable_size(ptr);
    return big_len(ptr);
}

/* ---- VHEAP_STATS=1 ---- */
static void put_kv(const char *k, unsigned long long v)
{
    put(" ");
    put(k);
    put("=");
    put_u(v);
}

__attribute__((destructor)) static void print_stats(void)
{
    if (!s_print_stats)
        return;
    vh_stats st;
    int ready = vh_global_stats(&st) == VH_OK;
    put("vheap-stats: pid=");
    put_u((unsigned long long)getpid());
    put(" lock=");
    put(vh_global_lock_name());
    put_kv("heap_ready", (unsigned long long)ready);
    put_kv("region_bytes", s_region_size);
    put_kv("allocations", st.allocations);
    put_kv("deallocations", st.deallocations);
    put_kv("live", st.allocations - st.deallocations);
    put_kv("used_bytes", st.used_bytes);
    put_kv("free_bytes", st.free_bytes);
    put_kv("failed_allocations", st.failed_allocations);
    put_kv("core_errors", st.errors);
    put_kv("largest_free_block", st.largest_free_block);
    put_kv("fragmentation_permille", st.fragmentation_permille);
    put_kv("mmap_allocations", atomic_load(&s_big_allocs));
    put_kv("mmap_frees", atomic_load(&s_big_frees));
    put_kv("heap_full_fallbacks", atomic_load(&s_fallbacks));
    put_kv("invalid_foreign", atomic_load(&s_invalid[K_FOREIGN]));
    put_kv("invalid_interior", atomic_load(&s_invalid[K_INTERIOR]));
    put_kv("invalid_double_free", atomic_load(&s_invalid[K_DOUBLE]));
    put_kv("invalid_corrupt", atomic_load(&s_invalid[K_CORRUPT]));
    put("\n");
}
