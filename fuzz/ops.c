/* ops: vheap's operation-sequence fuzzer and its reference model.
 *
 * One source, three drivers chosen by macro (never by the compiler's
 * identity, so OSS-Fuzz can build the libFuzzer entry point with AFL's
 * compiler and its own driver):
 *   (none)             LLVMFuzzerTestOneInput only: libFuzzer, $LIB_FUZZING_ENGINE
 *   VH_FUZZ_AFL        AFL++ persistent mode with shared-memory input
 *   VH_FUZZ_REPLAY     a plain main that runs every file or directory named
 *
 * The input (format in ops_format.h) sets up a heap and drives a sequence of
 * public API calls.  The model follows the allocator's choices: it never
 * picks an address, it checks that the one the allocator picked was allowed,
 * and it keeps its own page-level picture of the heap, built only from the
 * pointers the allocator returned and the documented rules (binary buddy
 * with eager merging, one-page slabs, at most one cached empty slab per
 * class, cached slabs given back when the buddy layer runs dry).  From that
 * picture it predicts, before every call, whether the call must succeed, the
 * error code of every misuse and every stat.  Any disagreement prints one
 * line and abort()s, so every engine sees a crash.
 *
 * The only look inside the heap is the geometry cross-check (base and page
 * count from core/heap.h); everything else goes through vheap.h.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vheap.h>

#include "heap.h" /* debug view: geometry cross-check only */
#include "ops_format.h"

#ifdef VH_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#define PG ((size_t)4096)
#define MAXORD 9u
#define NCLS 8u
#define MAX_PAGES (VHF_REGION_MAX / 4096u + 1u)
#define LIVE_MAX 1024u
#define RING 32u
#define MAX_OPS 2000u

_Static_assert(VH_MAX_ORDER == MAXORD, "the model assumes the default top order");

/* ------------------------------------------------------------------------ */
/* Failure reporting                                                        */

static const char *g_input_name; /* replay: the file being run */
static unsigned g_opno;
static const char *g_opname = "setup";

static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "vheap-fuzz: FAIL%s%s op #%u (%s): %s\n", g_input_name ? " in " : "",
            g_input_name ? g_input_name : "", g_opno, g_opname, msg);
    fflush(stderr);
    abort();
}

#define REQUIRE(cond, ...)                                                                         \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail(__VA_ARGS__);                                                                     \
    } while (0)

/* ------------------------------------------------------------------------ */
/* Input reader                                                             */

struct reader {
    const uint8_t *d;
    size_t n, pos;
};

static uint8_t rd8(struct reader *r)
{
    return r->pos < r->n ? r->d[r->pos++] : 0;
}

static size_t rd_size(struct reader *r)
{
    uint8_t m = rd8(r);
    unsigned v = m & 31u;
    switch (m >> 5) {
    case 0:
        return ((size_t)16 << (v & 7u)) + (v >> 3) % 3u - 1u;
    case 1:
        return (PG << (v % 11u)) + v / 11u - 1u;
    case 2:
        return v;
    case 3:
        return ((size_t)v << 8) | rd8(r);
    case 4: {
        size_t hi = (size_t)v << 16;
        size_t mid = (size_t)rd8(r) << 8;
        return hi | mid | rd8(r);
    }
    case 5:
        return (v + 1u) * PG + (size_t)(ptrdiff_t)(int8_t)rd8(r);
    case 6:
        return v < 16u ? SIZE_MAX - v : VH_MAX_ALLOC - 8u + (v - 16u);
    default:
        return (size_t)1 << v;
    }
}

/* ------------------------------------------------------------------------ */
/* Documented geometry (vheap.h, heap.c): the model's own arithmetic        */

static size_t cls_size(unsigned c)
{
    return (size_t)16 << c;
}

/* Objects per slab page: classes 16 and 32 lose 32 and 16 bytes of the
 * page to their in-band bitmap (254 and 127 objects). */
static size_t cls_cap(unsigned c)
{
    size_t n = PG / cls_size(c);
    return n > 64u ? (PG - (n / 64u) * 8u) / cls_size(c) : n;
}

static unsigned cls_of(size_t need)
{
    unsigned c = 0;
    while (cls_size(c) < need)
        c++;
    return c;
}

/* Buddy order of a request of need > 2048 bytes (2049..4096: order 0). */
static unsigned order_of(size_t need)
{
    unsigned k = 0;
    while (k <= MAXORD && (PG << k) < need)
        k++;
    return k;
}

static size_t usable_of(size_t need)
{
    return need <= 2048u ? cls_size(cls_of(need)) : PG << order_of(need);
}

/* Where the documented layout [pad 16][header][24 B x n][pad 4096][n pages]
 * puts the pages; false when not even one page fits. */
static bool geometry(uintptr_t start, size_t size, uintptr_t *base, uint32_t *npages)
{
    if (size < PG || size > UINTPTR_MAX - start)
        return false;
    uintptr_t end = start + size;
    uintptr_t desc = ((start + 15u) & ~(uintptr_t)15u) + sizeof(struct vh_heap);
    if (desc > end)
        return false;
    for (size_t n = size / PG; n > 0; n--) {
        uintptr_t meta_end = desc + n * VH_PAGE_DESCRIPTOR_SIZE;
        uintptr_t b = (meta_end + PG - 1u) & ~(uintptr_t)(PG - 1u);
        if (meta_end <= end && b <= end && (end - b) / PG >= n) {
            *base = b;
            *npages = (uint32_t)n;
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------------------ */
/* The model                                                                */

enum { PK_FREE = 0, PK_BLOCK, PK_TAIL, PK_SLAB };

struct mpage {
    uint8_t kind;  /* PK_* */
    uint8_t order; /* BLOCK: order; SLAB: class */
    uint16_t live; /* SLAB: live objects */
    uint64_t slots[4];
};

struct mblk {
    unsigned char *p;
    size_t req, usable;
    unsigned tag; /* contents: pattern[tag + i] */
};

/* What the hooks saw. */
struct rec {
    int locks, unlocks, held, nested, bad_unlock;
    int nerr, last_code;
    const void *last_ptr;
    int err_under_lock;
};

static struct {
    vh_heap *h;
    unsigned char *region;
    size_t size;
    unsigned char *base;
    uint32_t npages;
    int hooks;
    struct mpage pg[MAX_PAGES];
    int32_t cached[NCLS];
    struct mblk live[LIVE_MAX];
    size_t nlive;
    unsigned char *freed[RING];
    unsigned nfreed, freed_pos;
    size_t allocs, deallocs, failed, errors;
    int exp_nerr;
    unsigned next_tag;
    /* fw[v]: bit p set <=> page p is free (v = 0), or free or a cached
     * empty slab (v = 1); rebuilt from pg[] when dirty. */
    bool dirty;
    uint64_t fw[2][MAX_PAGES / 64u + 1u];
    vh_stats fresh;
    size_t calls, rot;
} M;

static struct rec R;
static unsigned char g_region_buf[VHF_REGION_MAX + 4096u + 32u] __attribute__((aligned(4096)));
static unsigned char g_pattern[VH_MAX_ALLOC + 256u];
static const unsigned char g_zero[8192];
static unsigned char g_fake_heap[1024] __attribute__((aligned(64)));
static int g_foreign_static;

/* ---- hooks ---- */

static void h_lock(void *ctx)
{
    (void)ctx;
    if (R.held)
        R.nested = 1;
    R.held = 1;
    R.locks++;
}

static void h_unlock(void *ctx)
{
    (void)ctx;
    if (!R.held)
        R.bad_unlock = 1;
    R.held = 0;
    R.unlocks++;
}

static void h_error(void *ctx, int code, const void *ptr)
{
    if (ctx != &R)
        fail("on_error got ctx %p, expected %p", ctx, (void *)&R);
    if (R.held)
        R.err_under_lock = 1;
    R.nerr++;
    R.last_code = code;
    R.last_ptr = ptr;
    /* The hook may call back into the heap: the lock is released. */
    vh_stats s;
    vh_get_stats(M.h, &s);
}

static bool hooks_report_errors(void)
{
    return M.hooks == VHF_HOOKS_ERROR || M.hooks == VHF_HOOKS_LOCK_ERROR;
}

/* ---- page picture ---- */

static size_t page_of(const unsigned char *p)
{
    return (size_t)(p - M.base) / PG;
}

static void free_bits(void)
{
    if (!M.dirty)
        return;
    size_t nw = (M.npages + 63u) / 64u;
    memset(M.fw[0], 0, nw * sizeof(uint64_t));
    for (uint32_t p = 0; p < M.npages; p++)
        if (M.pg[p].kind == PK_FREE)
            M.fw[0][p / 64u] |= (uint64_t)1 << (p % 64u);
    memcpy(M.fw[1], M.fw[0], nw * sizeof(uint64_t));
    for (unsigned c = 0; c < NCLS; c++)
        if (M.cached[c] >= 0)
            M.fw[1][M.cached[c] / 64] |= (uint64_t)1 << (M.cached[c] % 64);
    M.dirty = false;
}

/* Whether the aligned block [start, start + len) lies inside the heap and
 * all its pages are free (v as in fw). */
static bool range_free(unsigned v, uint32_t start, uint32_t len)
{
    free_bits();
    if (start > M.npages || len > M.npages - start)
        return false;
    const uint64_t *f = M.fw[v];
    if (len < 64u) {
        uint64_t m = (((uint64_t)1 << len) - 1u) << (start % 64u);
        return (f[start / 64u] & m) == m;
    }
    for (uint32_t w = start / 64u; w < (start + len) / 64u; w++)
        if (f[w] != UINT64_MAX)
            return false;
    return true;
}

/* Whether some aligned order-k block is all free.  Below order 6 a word at a
 * time: after the shifts, bit i is the AND of bits i .. i + 2^k - 1, kept
 * at block starts only (aligned blocks never straddle a word). */
static bool any_free_block(unsigned v, unsigned k)
{
    static const uint64_t starts[6] = {UINT64_MAX, 0x5555555555555555u, 0x1111111111111111u,
                                       0x0101010101010101u, 0x0001000100010001u, 0x0000000100000001u};
    free_bits();
    if (k < 6u) {
        for (uint32_t w = 0; w < (M.npages + 63u) / 64u; w++) {
            uint64_t x = M.fw[v][w];
            for (unsigned j = 0; j < k; j++)
                x &= x >> (1u << j);
            if (x & starts[k])
                return true;
        }
        return false;
    }
    for (uint32_t s = 0; s + (1u << k) <= M.npages; s += 1u << k)
        if (range_free(v, s, 1u << k))
            return true;
    return false;
}

/* Largest order of a free block (v = 1: counting cached slabs), or -1.
 * Eager merging makes the free blocks exactly the maximal aligned all-free
 * blocks, so this is the largest order with an all-free aligned block. */
static int largest_order(unsigned v)
{
    for (int k = (int)MAXORD; k >= 0; k--)
        if (any_free_block(v, (unsigned)k))
            return k;
    return -1;
}

/* Whether free page p heads a free block (the maximal aligned all-free
 * block containing it starts at p). */
static bool free_head(uint32_t p)
{
    unsigned k = 0;
    while (k < MAXORD && range_free(0, p & ~((2u << k) - 1u), 2u << k))
        k++;
    return (p & ((1u << k) - 1u)) == 0;
}

static bool slot_live(uint32_t p, size_t i)
{
    return (M.pg[p].slots[i / 64u] >> (i % 64u)) & 1u;
}

static bool slab_partial(uint32_t p, unsigned c)
{
    return M.pg[p].kind == PK_SLAB && M.pg[p].order == c && M.pg[p].live > 0 &&
           M.pg[p].live < cls_cap(c);
}

static void set_free(uint32_t p, uint32_t n)
{
    for (uint32_t i = p; i < p + n; i++)
        memset(&M.pg[i], 0, sizeof M.pg[i]);
    M.dirty = true;
}

/* The buddy layer's answer to a request of order k, reclaiming the cached
 * slabs (all of them) when it has no block, as slab_page_alloc documents. */
static bool buddy_can(unsigned k)
{
    int best = largest_order(0);
    if (best >= (int)k)
        return true;
    bool any = false;
    for (unsigned c = 0; c < NCLS; c++)
        any |= M.cached[c] >= 0;
    if (!any)
        return false;
    for (unsigned c = 0; c < NCLS; c++) {
        if (M.cached[c] >= 0) {
            set_free((uint32_t)M.cached[c], 1);
            M.cached[c] = -1;
        }
    }
    return largest_order(0) >= (int)k;
}

/* Error vh_free must report for ptr, VH_OK for the start of a live block
 * (*idx = its index in M.live). */
static int classify(const unsigned char *ptr, size_t *idx)
{
    uintptr_t u = (uintptr_t)ptr, b = (uintptr_t)M.base;
    if (u < b || u - b >= (uintptr_t)M.npages * PG)
        return VH_EFOREIGN;
    uint32_t p = (uint32_t)((u - b) / PG);
    size_t in = (u - b) % PG;
    const struct mpage *d = &M.pg[p];
    switch (d->kind) {
    case PK_SLAB: {
        size_t sz = cls_size(d->order);
        if (in % sz != 0 || in / sz >= cls_cap(d->order))
            return VH_EINTERIOR;
        if (!slot_live(p, in / sz))
            return VH_EDOUBLEFREE;
        break;
    }
    case PK_BLOCK:
        if (in != 0)
            return VH_EINTERIOR;
        break;
    case PK_TAIL:
        return VH_EINTERIOR;
    default:
        return in == 0 && free_head(p) ? VH_EDOUBLEFREE : VH_EINTERIOR;
    }
    for (size_t i = 0; i < M.nlive; i++) {
        if (M.live[i].p == ptr) {
            *idx = i;
            return VH_OK;
        }
    }
    fail("model inconsistent: %p is live in the page picture but not in the block table", (void *)ptr);
}

/* ---- expected stats ---- */

static void model_stats(vh_stats *s)
{
    memset(s, 0, sizeof *s);
    s->total_bytes = M.size;
    for (size_t i = 0; i < M.nlive; i++)
        s->used_bytes += M.live[i].usable;
    size_t fr = 0;
    int best_partial = -1;
    for (uint32_t p = 0; p < M.npages; p++) {
        const struct mpage *d = &M.pg[p];
        if (d->kind == PK_FREE) {
            fr += PG;
        } else if (d->kind == PK_SLAB) {
            unsigned c = d->order;
            fr += (cls_cap(c) - d->live) * cls_size(c);
            if (d->live == 0)
                fr += PG - cls_cap(c) * cls_size(c); /* cached: the whole page */
            else if (d->live < cls_cap(c) && (int)c > best_partial)
                best_partial = (int)c;
        }
    }
    s->free_bytes = fr;
    s->overhead_bytes = M.size - s->used_bytes - fr;
    s->allocations = M.allocs;
    s->deallocations = M.deallocs;
    s->failed_allocations = M.failed;
    s->errors = M.errors;
    int k = largest_order(1);
    if (k >= 0)
        s->largest_free_block = PG << k;
    else if (best_partial >= 0)
        s->largest_free_block = cls_size((unsigned)best_partial);
    s->fragmentation_permille =
        fr == 0 ? 0 : (unsigned)((uint64_t)(fr - s->largest_free_block) * 1000u / fr);
}

#define STAT_EQ(f)                                                                                 \
    REQUIRE(got.f == want.f, "stat " #f " is %zu, model says %zu", (size_t)got.f, (size_t)want.f)

static void check_stats(void)
{
    vh_stats got, want;
    vh_get_stats(M.h, &got);
    model_stats(&want);
    STAT_EQ(total_bytes);
    STAT_EQ(used_bytes);
    STAT_EQ(free_bytes);
    STAT_EQ(overhead_bytes);
    STAT_EQ(allocations);
    STAT_EQ(deallocations);
    STAT_EQ(failed_allocations);
    STAT_EQ(errors);
    STAT_EQ(largest_free_block);
    STAT_EQ(fragmentation_permille);
}

/* ---- contents ----
 *
 * Every block carries the pattern g_pattern[tag + offset] in its tracked
 * bytes: all of its first 8 KiB and, beyond that, the first and last 64
 * bytes of every page (where in-band slab bitmaps and neighbouring blocks
 * would show a stray write), so a 2 MiB block costs 64 KiB per check, not
 * 2 MiB.  The tracked set depends on the offset only, so it is the same
 * before and after a realloc.  calloc's zeroing and ASan's view of a new
 * block are checked on the same bytes. */
#define TRACK_ALL 8192u
#define TRACK_EDGE 64u

enum { TRACK_FILL, TRACK_CHECK, TRACK_ZERO };

/* Writes the pattern into, compares with the pattern, or checks for zero
 * the tracked bytes of [from, to). */
static void track(unsigned char *p, size_t req, unsigned tag, size_t from, size_t to, int how)
{
    if (to > req)
        to = req;
    size_t o = from;
    while (o < to) {
        size_t end, in = o % PG;
        if (o < TRACK_ALL)
            end = TRACK_ALL;
        else if (in < TRACK_EDGE)
            end = o - in + TRACK_EDGE;
        else if (in >= PG - TRACK_EDGE)
            end = o - in + PG;
        else {
            o = o - in + PG - TRACK_EDGE;
            continue;
        }
        if (end > to)
            end = to;
        if (how == TRACK_FILL) {
            memcpy(p + o, g_pattern + tag + o, end - o);
        } else if (how == TRACK_ZERO) {
            if (memcmp(p + o, g_zero, end - o) != 0)
                fail("calloc block %p (%zu bytes) not zeroed near offset %zu", (void *)p, req, o);
        } else if (memcmp(p + o, g_pattern + tag + o, end - o) != 0) {
            size_t i = o;
            while (p[i] == g_pattern[tag + i])
                i++;
            fail("contents of block %p (%zu bytes) changed at offset %zu: 0x%02x, expected 0x%02x",
                 (void *)p, req, i, p[i], g_pattern[tag + i]);
        }
        o = end;
    }
}

/* Plain word loop for short blocks: cheaper than the sanitizers' memcmp
 * interceptor, which dominated runs with many small live blocks. */
static bool same_short(const unsigned char *a, const unsigned char *b, size_t n)
{
    uint64_t diff = 0, x, y;
    size_t i = 0;
    for (; i + 8u <= n; i += 8u) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        diff |= x ^ y;
    }
    for (; i < n; i++)
        diff |= (uint64_t)(a[i] ^ b[i]);
    return diff == 0;
}

static void check_block(const struct mblk *b, size_t upto)
{
    if (upto > b->req)
        upto = b->req;
    if (upto <= 256u && same_short(b->p, g_pattern + b->tag, upto))
        return;
    track(b->p, b->req, b->tag, 0, upto, TRACK_CHECK);
}

static void check_contents(void)
{
    for (size_t i = 0; i < M.nlive; i++)
        check_block(&M.live[i], M.live[i].req);
}

/* After a call: with few live blocks, all of them.  With many (checking all
 * after every call made long runs quadratic), the next CHECK_SLICE blocks in
 * rotation, and all of them every CHECK_SLICE calls and at the end of the
 * run, so a stray write is still found within CHECK_SLICE calls.  The
 * blocks a call is given or returns are checked by the call's own checks. */
#define CHECK_SLICE 32u
static void check_contents_after_call(void)
{
    M.calls++;
    if (M.nlive <= CHECK_SLICE || M.calls % CHECK_SLICE == 0) {
        check_contents();
    } else {
        for (size_t i = 0; i < CHECK_SLICE; i++)
            check_block(&M.live[(M.rot + i) % M.nlive], M.live[(M.rot + i) % M.nlive].req);
        M.rot = (M.rot + CHECK_SLICE) % M.nlive;
    }
}

/* ASan view of a live block: its tracked requested bytes addressable, the
 * byte after the request poisoned. */
static void poison_check_live(const unsigned char *p, size_t req, size_t usable)
{
#ifdef VH_ASAN
    for (size_t o = 0; o < req; o = o < TRACK_ALL ? TRACK_ALL : o + PG) {
        size_t len = o < TRACK_ALL ? TRACK_ALL : TRACK_EDGE;
        if (len > req - o)
            len = req - o;
        const void *bad = __asan_region_is_poisoned((void *)(uintptr_t)(p + o), len);
        REQUIRE(bad == NULL, "byte %zu of a %zu-byte request is poisoned",
                (size_t)((const unsigned char *)bad - p), req);
    }
    if (req > 0)
        REQUIRE(!__asan_address_is_poisoned(p + req - 1u), "last byte of a %zu-byte request is poisoned", req);
    if (req < usable)
        REQUIRE(__asan_address_is_poisoned(p + req), "byte %zu past a %zu-byte request (usable %zu) is not poisoned",
                req, req, usable);
#else
    (void)p, (void)req, (void)usable;
#endif
}

static void poison_check_freed(const unsigned char *p)
{
#ifdef VH_ASAN
    REQUIRE(__asan_address_is_poisoned(p), "freed block %p is not poisoned", (const void *)p);
#else
    (void)p;
#endif
}

/* ---- after every call ---- */

static void check_hooks(void)
{
    if (M.hooks == VHF_HOOKS_LOCK || M.hooks == VHF_HOOKS_LOCK_ERROR) {
        REQUIRE(!R.nested, "lock taken while held");
        REQUIRE(!R.bad_unlock, "unlock without lock");
        REQUIRE(!R.held && R.locks == R.unlocks, "lock left held (%d locks, %d unlocks)", R.locks,
                R.unlocks);
    } else {
        REQUIRE(R.locks == 0, "lock hook called though none was given");
    }
    REQUIRE(!R.err_under_lock, "on_error called with the lock held");
    REQUIRE(R.nerr == M.exp_nerr, "on_error called %d times, expected %d", R.nerr, M.exp_nerr);
}

static void after_call(void)
{
    check_hooks();
#ifndef VH_FUZZ_MODEL_ONLY /* set only to show what the model catches by itself */
    int rc = vh_check(M.h);
    REQUIRE(rc == 0, "vh_check returned %d", rc);
#endif
    check_stats();
    check_contents_after_call();
}

/* A misuse was reported: count it and check the hook saw it. */
static void expect_error(int code, const void *ptr)
{
    M.errors++;
    if (hooks_report_errors()) {
        M.exp_nerr++;
        REQUIRE(R.nerr == M.exp_nerr && R.last_code == code && R.last_ptr == ptr,
                "on_error: got %d calls, last (%d, %p); expected %d calls, last (%d, %p)", R.nerr,
                R.last_code, R.last_ptr, M.exp_nerr, code, ptr);
    }
}

/* ---- allocation, following the allocator ---- */

/* Checks the block the allocator returned for a request of need bytes and
 * records it in the page picture; NULL is checked to be a real shortage.
 * Returns the usable size, 0 for NULL. */
static size_t model_alloc(unsigned char *q, size_t need, size_t align)
{
    if (need > VH_MAX_ALLOC) {
        REQUIRE(q == NULL, "request of %zu bytes (> VH_MAX_ALLOC) returned %p", need, (void *)q);
        M.failed++;
        return 0;
    }
    size_t usable = usable_of(need);
    uintptr_t u = (uintptr_t)q, b = (uintptr_t)M.base;
    bool slab = need <= 2048u;
    unsigned c = slab ? cls_of(need) : 0;
    unsigned k = slab ? 0 : order_of(need);
    int32_t want_page = -1; /* slab: the page the object must come from, if forced */
    bool need_partial = false, new_page = false;
    if (slab) {
        for (uint32_t p = 0; p < M.npages && !need_partial; p++)
            need_partial = slab_partial(p, c);
        if (!need_partial) {
            if (M.cached[c] >= 0)
                want_page = M.cached[c];
            else if (buddy_can(0))
                new_page = true;
            else {
                REQUIRE(q == NULL, "slab class %zu: %p returned, but no slab has room and no page is free",
                        cls_size(c), (void *)q);
                M.failed++;
                return 0;
            }
        }
    } else if (!buddy_can(k)) {
        REQUIRE(q == NULL, "order %u: %p returned, but no free block of order >= %u", k, (void *)q, k);
        M.failed++;
        return 0;
    }
    REQUIRE(q != NULL, "spurious out of memory: %zu bytes (%s %u) refused, the model has room", need,
            slab ? "class" : "order", slab ? (unsigned)cls_size(c) : k);
    REQUIRE(u >= b && u - b < (uintptr_t)M.npages * PG && usable <= (uintptr_t)M.npages * PG - (u - b),
            "block %p + %zu outside the heap's pages [%p, +%zu)", (void *)q, usable, (void *)M.base,
            (size_t)M.npages * PG);
    REQUIRE(q >= M.region && q + usable <= M.region + M.size, "block outside the region");
    REQUIRE(u % 16u == 0 && u % align == 0, "block %p not aligned to %zu", (void *)q, align < 16 ? 16 : align);
    /* Disjoint from every live block (the page picture implies it; this is
     * the plain statement). */
    for (size_t i = 0; i < M.nlive; i++)
        REQUIRE(q + usable <= M.live[i].p || M.live[i].p + M.live[i].usable <= q,
                "block %p+%zu overlaps live block %p+%zu", (void *)q, usable, (void *)M.live[i].p,
                M.live[i].usable);
    uint32_t p = (uint32_t)((u - b) / PG);
    size_t in = (u - b) % PG;
    if (slab) {
        size_t sz = cls_size(c);
        REQUIRE(in % sz == 0 && in / sz < cls_cap(c), "object %p: offset %zu in its page is no slot of class %zu",
                (void *)q, in, sz);
        if (need_partial)
            REQUIRE(slab_partial(p, c), "class %zu object %p not from a partial slab of its class", sz, (void *)q);
        else if (want_page >= 0)
            REQUIRE(p == (uint32_t)want_page, "class %zu object from page %u, not the cached empty slab %d", sz, p,
                    want_page);
        else if (new_page)
            REQUIRE(M.pg[p].kind == PK_FREE, "class %zu: new slab on page %u, which is not free", sz, p);
        if (want_page >= 0)
            M.cached[c] = -1;
        if (M.pg[p].kind == PK_FREE) {
            memset(&M.pg[p], 0, sizeof M.pg[p]);
            M.pg[p].kind = PK_SLAB;
            M.pg[p].order = (uint8_t)c;
        }
        size_t i = in / sz;
        REQUIRE(!slot_live(p, i), "object %p handed out twice", (void *)q);
        M.pg[p].slots[i / 64u] |= (uint64_t)1 << (i % 64u);
        M.pg[p].live++;
    } else {
        REQUIRE(in == 0 && p % (1u << k) == 0, "order-%u block %p misaligned relative to base", k, (void *)q);
        for (uint32_t i = p; i < p + (1u << k); i++)
            REQUIRE(M.pg[i].kind == PK_FREE, "order-%u block at page %u takes page %u, which is not free", k, p, i);
        M.pg[p].kind = PK_BLOCK;
        M.pg[p].order = (uint8_t)k;
        for (uint32_t i = p + 1; i < p + (1u << k); i++)
            M.pg[i].kind = PK_TAIL;
    }
    M.dirty = true;
    size_t us = vh_usable_size(M.h, q);
    REQUIRE(us >= need, "vh_usable_size = %zu < request %zu", us, need);
    REQUIRE(us == usable, "vh_usable_size = %zu, documented usable size %zu (request %zu)", us, usable, need);
    return usable;
}

static void add_live(unsigned char *q, size_t req, size_t usable, bool zeroed)
{
    poison_check_live(q, req, usable);
    struct mblk *b = &M.live[M.nlive++];
    if (zeroed)
        track(q, req, 0, 0, req, TRACK_ZERO);
    b->p = q;
    b->req = req;
    b->usable = usable;
    b->tag = M.next_tag;
    M.next_tag = (M.next_tag + 97u) % 251u;
    track(q, req, b->tag, 0, req, TRACK_FILL);
}

/* Removes live block idx from the picture as vh_free does. */
static void model_free(size_t idx)
{
    struct mblk b = M.live[idx];
    uint32_t p = (uint32_t)page_of(b.p);
    struct mpage *d = &M.pg[p];
    if (d->kind == PK_SLAB) {
        size_t i = (size_t)(b.p - (M.base + (size_t)p * PG)) / cls_size(d->order);
        d->slots[i / 64u] &= ~((uint64_t)1 << (i % 64u));
        if (--d->live == 0) {
            unsigned c = d->order;
            if (M.cached[c] < 0)
                M.cached[c] = (int32_t)p;
            else
                set_free(p, 1);
        }
    } else {
        set_free(p, 1u << d->order);
    }
    M.dirty = true;
    M.live[idx] = M.live[--M.nlive];
    M.deallocs++;
    M.freed[M.freed_pos] = b.p;
    M.freed_pos = (M.freed_pos + 1u) % RING;
    if (M.nfreed < RING)
        M.nfreed++;
}

/* ---- operations ---- */

enum { A_ALLOC, A_CALLOC, A_ALIGNED, A_REALLOC_NULL };

static bool align_ok(size_t a)
{
    return a != 0 && (a & (a - 1u)) == 0 && a <= VH_MAX_ALIGN;
}

static void op_alloc(int how, size_t x, size_t y)
{
    if (M.nlive == LIVE_MAX)
        return;
    size_t need = 0, req = 0, align = 16;
    int err = VH_OK;
    unsigned char *q;
    switch (how) {
    case A_ALLOC:
        need = req = x;
        q = vh_alloc(M.h, x);
        break;
    case A_REALLOC_NULL:
        need = req = x;
        q = vh_realloc(M.h, NULL, x);
        break;
    case A_CALLOC:
        if (x != 0 && y > SIZE_MAX / x)
            err = VH_EOVERFLOW;
        else
            need = req = x * y;
        q = vh_calloc(M.h, x, y);
        break;
    default:
        if (!align_ok(x))
            err = VH_EALIGN;
        req = y;
        need = y > x ? y : x;
        align = x;
        q = vh_aligned_alloc(M.h, x, y);
        break;
    }
    if (err != VH_OK) {
        REQUIRE(q == NULL, "misuse (%d) returned a block", err);
        expect_error(err, NULL);
    } else {
        size_t usable = model_alloc(q, need, align);
        if (q != NULL) {
            M.allocs++;
            add_live(q, req, usable, how == A_CALLOC);
        }
    }
    after_call();
}

/* vh_free(ptr) for any pointer: the model says what must happen. */
static void op_free_ptr(unsigned char *ptr)
{
    size_t idx = 0;
    int want = ptr == NULL ? VH_OK : classify(ptr, &idx);
    int rc = vh_free(M.h, ptr);
    REQUIRE(rc == want, "vh_free(%p) returned %d, expected %d", (void *)ptr, rc, want);
    if (ptr == NULL) {
        /* nothing */
    } else if (want == VH_OK) {
        model_free(idx);
        size_t us = vh_usable_size(M.h, ptr);
        REQUIRE(us == 0, "vh_usable_size of a freed block is %zu", us);
        poison_check_freed(ptr);
    } else {
        expect_error(want, ptr);
    }
    after_call();
}

/* Whether the order-k block at page p can absorb its upper buddies up to
 * order nk (buddy_grow): p aligned to 2^nk, inside, and the pages above its
 * own block up to 2^nk all free (cached slabs are not reclaimed here). */
static bool can_grow(uint32_t p, unsigned k, unsigned nk)
{
    if (p % (1u << nk) != 0 || p + (1u << nk) > M.npages)
        return false;
    for (uint32_t i = p + (1u << k); i < p + (1u << nk); i++)
        if (M.pg[i].kind != PK_FREE)
            return false;
    return true;
}

static void op_realloc(unsigned char *ptr, size_t size)
{
    if (ptr == NULL) {
        op_alloc(A_REALLOC_NULL, size, 0);
        return;
    }
    size_t idx = 0;
    int want = classify(ptr, &idx);
    if (want != VH_OK) {
        unsigned char *q = vh_realloc(M.h, ptr, size);
        REQUIRE(q == NULL, "realloc of a bad pointer (%d) returned %p", want, (void *)q);
        expect_error(want, ptr);
        after_call();
        return;
    }
    struct mblk old = M.live[idx];
    uint32_t p = (uint32_t)page_of(ptr);
    bool slab = M.pg[p].kind == PK_SLAB;
    bool in_place;
    unsigned k = M.pg[p].order, nk = 0;
    if (slab) {
        in_place = size <= old.usable;
    } else {
        nk = order_of(size);
        in_place = nk <= k || (nk <= MAXORD && can_grow(p, k, nk));
    }
    unsigned char *q = vh_realloc(M.h, ptr, size);
    size_t keep = old.req < size ? old.req : size;
    if (in_place) {
        REQUIRE(q == ptr, "realloc(%p, %zu) should stay in place, returned %p", (void *)ptr, size, (void *)q);
        if (!slab) {
            if (nk < k)
                set_free(p + (1u << nk), (1u << k) - (1u << nk));
            for (uint32_t i = p + (1u << k); i < p + (1u << nk); i++)
                M.pg[i].kind = PK_TAIL;
            M.pg[p].order = (uint8_t)nk;
            M.dirty = true;
            M.live[idx].usable = PG << nk;
        }
        size_t us = vh_usable_size(M.h, q);
        REQUIRE(us == M.live[idx].usable, "vh_usable_size after in-place realloc is %zu, expected %zu", us,
                M.live[idx].usable);
        check_block(&M.live[idx], keep);
        M.live[idx].req = size;
        track(q, size, old.tag, keep, size, TRACK_FILL);
        poison_check_live(q, size, M.live[idx].usable);
        after_call();
        return;
    }
    /* Moves: a new block while the old one is still live, copy, free. */
    size_t usable = model_alloc(q, size, 16);
    if (q == NULL) {
        check_block(&old, old.req);
        after_call();
        return;
    }
    REQUIRE(q != ptr, "realloc moved to its own address");
    struct mblk nb = {q, size, usable, old.tag};
    check_block(&nb, keep);
    poison_check_live(q, size, usable);
    M.allocs++;
    model_free(idx);
    poison_check_freed(ptr);
    track(q, size, old.tag, keep, size, TRACK_FILL);
    M.live[M.nlive++] = nb;
    after_call();
}

static unsigned char *foreign_ptr(unsigned sel)
{
    int local = 0;
    uintptr_t b = (uintptr_t)M.base, span = (uintptr_t)M.npages * PG;
    unsigned char *out;
    switch (sel % VHF_NFOREIGN) {
    case 0:
        out = (unsigned char *)&local;
        break;
    case 1:
        out = (unsigned char *)&g_foreign_static;
        break;
    case 2:
        out = M.region;
        break;
    case 3:
        out = (unsigned char *)M.h;
        break;
    case 4:
        out = (unsigned char *)(b - 1u);
        break;
    case 5:
        out = (unsigned char *)(b - 16u);
        break;
    case 6:
        out = (unsigned char *)(b + span);
        break;
    case 7:
        out = (unsigned char *)(b + span + 16u);
        break;
    case 8:
        out = M.region + M.size;
        break;
    case 9:
        out = (unsigned char *)(uintptr_t)16u;
        break;
    case 10:
        out = (unsigned char *)(UINTPTR_MAX & ~(uintptr_t)15u);
        break;
    default:
        out = g_pattern;
        break;
    }
    return out;
}

static void op_wild(struct reader *r)
{
    uint8_t m = rd8(r);
    uint32_t raw = (uint32_t)rd8(r) << 16;
    raw |= (uint32_t)rd8(r) << 8;
    raw |= rd8(r);
    uintptr_t span = (uintptr_t)M.npages * PG;
    uintptr_t off = raw % (span + 8192u);
    uintptr_t u = (uintptr_t)M.base + off - 4096u;
    if (m & 4u)
        u &= ~(uintptr_t)15u;
    unsigned char *ptr = (unsigned char *)u;
    switch (m & 3u) {
    case 1:
        op_realloc(ptr, rd_size(r));
        break;
    case 2: {
        size_t idx = 0;
        size_t want = classify(ptr, &idx) == VH_OK ? M.live[idx].usable : 0;
        size_t got = vh_usable_size(M.h, ptr);
        REQUIRE(got == want, "vh_usable_size(%p) = %zu, expected %zu", (void *)ptr, got, want);
        after_call();
        break;
    }
    default:
        op_free_ptr(ptr);
        break;
    }
}

static void op_interior(struct reader *r)
{
    uint8_t s = rd8(r), o = rd8(r);
    if (M.nlive == 0)
        return;
    const struct mblk *b = &M.live[s % M.nlive];
    uintptr_t u = (uintptr_t)b->p, n = o >> 3;
    switch (o & 7u) {
    case 0:
        u += n + 1u;
        break;
    case 1:
        u += n + 1u < b->usable ? b->usable - 1u - n : 1u;
        break;
    case 2:
        u += PG * n;
        break;
    case 3:
        u += PG * n + 16u;
        break;
    case 4:
        u += b->usable;
        break;
    case 5:
        u += b->usable + 16u * n;
        break;
    case 6:
        u -= 16u * (n + 1u);
        break;
    default:
        u += 8u * (n + 1u);
        break;
    }
    op_free_ptr((unsigned char *)u);
}

static void op_handle(void)
{
    unsigned char *some = M.nlive ? M.live[0].p : M.base;
    vh_stats s;
    REQUIRE(vh_alloc(NULL, 16) == NULL, "vh_alloc(NULL heap) returned a block");
    REQUIRE(vh_calloc(NULL, 1, 16) == NULL, "vh_calloc(NULL heap) returned a block");
    REQUIRE(vh_aligned_alloc(NULL, 16, 16) == NULL, "vh_aligned_alloc(NULL heap) returned a block");
    REQUIRE(vh_realloc(NULL, some, 16) == NULL, "vh_realloc(NULL heap) returned a block");
    REQUIRE(vh_free(NULL, some) == VH_EINVAL, "vh_free(NULL heap) is not VH_EINVAL");
    REQUIRE(vh_usable_size(NULL, some) == 0, "vh_usable_size(NULL heap) is not 0");
    REQUIRE(vh_check(NULL) == VH_CHECK_HEADER, "vh_check(NULL) is not VH_CHECK_HEADER");
    memset(&s, 0xff, sizeof s);
    vh_get_stats(NULL, &s);
    REQUIRE(s.total_bytes == 0 && s.allocations == 0 && s.largest_free_block == 0,
            "vh_get_stats(NULL heap) not zeroed");
    vh_get_stats(M.h, NULL);
    /* A zeroed handle and a byte copy of the real header are not heaps. */
    memset(g_fake_heap, 0, sizeof g_fake_heap);
    vh_heap *fake = (vh_heap *)(void *)g_fake_heap;
    REQUIRE(vh_free(fake, some) == VH_EINVAL && vh_alloc(fake, 16) == NULL, "a zeroed handle was accepted");
    memcpy(g_fake_heap, M.h, sizeof(struct vh_heap));
    REQUIRE(vh_free(fake, some) == VH_EINVAL && vh_alloc(fake, 16) == NULL && vh_check(fake) != 0,
            "a copy of the heap header was accepted as a heap");
    REQUIRE(vh_free(M.h, NULL) == VH_OK, "vh_free(h, NULL) is not 0");
    after_call();
}

static size_t rd_calloc(struct reader *r, size_t *size)
{
    uint8_t m = rd8(r);
    unsigned v = m >> 2, a = v % 63u + 1u;
    switch (m & 3u) {
    case 0:
        *size = rd_size(r);
        return v;
    case 1:
        *size = (size_t)1 << (64u - a);
        return (size_t)1 << a;
    case 2:
        *size = SIZE_MAX >> a;
        return (size_t)1 << a;
    default: {
        size_t n = rd_size(r);
        *size = v;
        return n;
    }
    }
}

static size_t rd_align(struct reader *r)
{
    uint8_t m = rd8(r);
    unsigned v = m & 15u;
    switch (m >> 4) {
    case 0:
    case 1:
    case 2:
    case 3:
        return (size_t)1 << v;
    case 4:
        return 0;
    case 5:
        return ((size_t)1 << v) * 3u;
    case 6:
        return (size_t)1 << (48u + v);
    case 7:
        return SIZE_MAX - v;
    default:
        return (size_t)1 << (v % 13u);
    }
}

static const char *const op_names[VHF_NOPS] = {
    "alloc", "calloc", "realloc", "aligned_alloc", "free", "stale free", "interior free",
    "foreign free", "wild pointer", "free some", "fill", "bad handle", "realloc to 0",
};

static void run_op(struct reader *r)
{
    unsigned op = rd8(r) % VHF_NOPS;
    g_opname = op_names[op];
    switch (op) {
    case VHF_ALLOC:
        op_alloc(A_ALLOC, rd_size(r), 0);
        break;
    case VHF_CALLOC: {
        size_t sz, n = rd_calloc(r, &sz);
        op_alloc(A_CALLOC, n, sz);
        break;
    }
    case VHF_REALLOC: {
        uint8_t s = rd8(r);
        size_t size = rd_size(r);
        op_realloc(s == 255u || M.nlive == 0 ? NULL : M.live[s % M.nlive].p, size);
        break;
    }
    case VHF_ALIGNED: {
        size_t a = rd_align(r);
        op_alloc(A_ALIGNED, a, rd_size(r));
        break;
    }
    case VHF_FREE: {
        uint8_t s = rd8(r);
        if (M.nlive)
            op_free_ptr(M.live[s % M.nlive].p);
        break;
    }
    case VHF_STALE: {
        uint8_t s = rd8(r);
        if (M.nfreed)
            op_free_ptr(M.freed[s % M.nfreed]);
        break;
    }
    case VHF_INTERIOR:
        op_interior(r);
        break;
    case VHF_FOREIGN:
        op_free_ptr(foreign_ptr(rd8(r)));
        break;
    case VHF_WILD:
        op_wild(r);
        break;
    case VHF_FREE_SOME: {
        uint8_t s = rd8(r);
        size_t step = 2u + (s & 7u), ph = (size_t)(s >> 3) % step, n = 0;
        unsigned char *victims[LIVE_MAX];
        for (size_t i = ph; i < M.nlive; i += step)
            victims[n++] = M.live[i].p;
        for (size_t i = 0; i < n; i++)
            op_free_ptr(victims[i]);
        break;
    }
    case VHF_FILL: {
        unsigned n = 1u + rd8(r) % 64u;
        size_t size = rd_size(r);
        for (unsigned i = 0; i < n && M.nlive < LIVE_MAX; i++) {
            size_t before = M.nlive;
            op_alloc(A_ALLOC, size, 0);
            if (M.nlive == before)
                break;
        }
        break;
    }
    case VHF_HANDLE:
        op_handle();
        break;
    default: {
        uint8_t s = rd8(r);
        if (M.nlive)
            op_realloc(M.live[s % M.nlive].p, 0);
        break;
    }
    }
}

/* ---- set-up and the end of a run ---- */

static bool setup(struct reader *r)
{
    static const vh_hooks hooks_by_mode[4] = {
        {NULL, NULL, NULL, NULL, NULL},
        {NULL, NULL, NULL, h_error, &R},
        {h_lock, h_unlock, NULL, h_error, &R},
        {h_lock, h_unlock, NULL, NULL, NULL},
    };
    uint8_t rs = rd8(r), su = rd8(r);
    M.size = vhf_region_sizes[rs % VHF_NREGIONS];
    M.region = g_region_buf + vhf_phases[(su >> 4) & 3u] + (su & 15u);
    M.hooks = su >> 6;
    memset(&R, 0, sizeof R);
    /* Garbage where the header and descriptors go: init must set them all. */
    memset(M.region, 0xa5, M.size < 65536u ? M.size : 65536u);
    uintptr_t base = 0;
    uint32_t np = 0;
    bool fits = geometry((uintptr_t)M.region, M.size, &base, &np);
    M.h = vh_init(M.region, M.size, M.hooks == VHF_HOOKS_NONE ? NULL : &hooks_by_mode[M.hooks]);
    if (M.size >= VH_MIN_REGION_SIZE)
        REQUIRE(M.h != NULL, "vh_init refused %zu bytes (>= VH_MIN_REGION_SIZE)", M.size);
    if (!fits) {
        REQUIRE(M.h == NULL, "vh_init accepted %zu bytes at %p, where not one page fits", M.size,
                (void *)M.region);
        return false;
    }
    REQUIRE(M.h != NULL, "vh_init refused %zu bytes at %p, where %u pages fit", M.size, (void *)M.region, np);
    REQUIRE((uintptr_t)M.h->area.base == base && M.h->area.npages == np,
            "geometry: base %p and %u pages, the documented layout gives %p and %u",
            (void *)M.h->area.base, M.h->area.npages, (void *)base, np);
    M.base = (unsigned char *)base;
    M.npages = np;
    memset(M.pg, 0, sizeof M.pg[0] * np);
    for (unsigned c = 0; c < NCLS; c++)
        M.cached[c] = -1;
    M.nlive = 0;
    M.nfreed = M.freed_pos = 0;
    M.allocs = M.deallocs = M.failed = M.errors = 0;
    M.exp_nerr = 0;
    M.next_tag = 0;
    M.calls = M.rot = 0;
    M.dirty = true;
    after_call();
    vh_get_stats(M.h, &M.fresh);
    REQUIRE(M.fresh.used_bytes == 0 && M.fresh.free_bytes == (size_t)np * PG, "fresh heap stats wrong");
    return true;
}

/* Free everything; the heap must be as good as new. */
static void finish(void)
{
    g_opname = "final free-all";
    check_contents();
    while (M.nlive)
        op_free_ptr(M.live[M.nlive - 1].p);
    vh_stats s;
    vh_get_stats(M.h, &s);
#define FRESH_EQ(f)                                                                                \
    REQUIRE(s.f == M.fresh.f, "after freeing all, " #f " is %zu; a fresh heap has %zu", (size_t)s.f,  \
            (size_t)M.fresh.f)
    FRESH_EQ(used_bytes);
    FRESH_EQ(free_bytes);
    FRESH_EQ(overhead_bytes);
    FRESH_EQ(largest_free_block);
    FRESH_EQ(fragmentation_permille);
    REQUIRE(s.allocations == s.deallocations, "allocations %zu != deallocations %zu after freeing all",
            s.allocations, s.deallocations);
    /* As many top-order blocks as a fresh heap: nothing leaked into slabs. */
    g_opname = "final top-order blocks";
    int k = -1;
    for (int j = (int)MAXORD; j >= 0 && k < 0; j--)
        if ((M.npages >> j) > 0)
            k = j;
    size_t want = M.npages >> k, got = 0;
    while (got <= want) {
        size_t before = M.nlive;
        op_alloc(A_ALLOC, PG << k, 0);
        if (M.nlive == before)
            break;
        got++;
    }
    REQUIRE(got == want, "after freeing all, %zu blocks of order %d allocatable; a fresh heap has %zu", got, k,
            want);
    while (M.nlive)
        op_free_ptr(M.live[M.nlive - 1].p);
    vh_get_stats(M.h, &s);
    FRESH_EQ(free_bytes);
    FRESH_EQ(largest_free_block);
}

static void pattern_init(void)
{
    static bool done;
    if (done)
        return;
    for (size_t i = 0; i < sizeof g_pattern; i++)
        g_pattern[i] = (unsigned char)(i % 251u);
    done = true;
}

int vh_fuzz_one(const uint8_t *data, size_t size);
int vh_fuzz_one(const uint8_t *data, size_t size)
{
    struct reader r = {data, size, 0};
    pattern_init();
    g_opno = 0;
    g_opname = "setup";
    if (setup(&r)) {
        for (g_opno = 1; r.pos < r.n && g_opno <= MAX_OPS; g_opno++)
            run_op(&r);
        finish();
    }
#ifdef VH_ASAN
    /* Hand the region back unpoisoned for the next run. */
    ASAN_UNPOISON_MEMORY_REGION(M.region, M.size);
#endif
    M.h = NULL;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Drivers                                                                  */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if !defined(VH_FUZZ_REPLAY)
/* With VH_FUZZ_STATS=FILE set, every execution adds one to a 64-bit counter
 * in FILE, shared by every process of the engine (AFL's forked children
 * included), for `make fuzz`'s progress lines. */
static uint64_t *g_exec_counter;
static bool g_stats_open;

static void stats_open(void)
{
    g_stats_open = true;
    const char *path = getenv("VH_FUZZ_STATS");
    if (path == NULL)
        return;
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    if (fd < 0)
        return;
    if (ftruncate(fd, sizeof(uint64_t)) == 0) {
        void *m = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m != MAP_FAILED)
            g_exec_counter = m;
    }
    close(fd);
}

static void stats_tick(void)
{
    if (!g_stats_open)
        stats_open();
    if (g_exec_counter != NULL)
        __atomic_fetch_add(g_exec_counter, 1u, __ATOMIC_RELAXED);
}
#else
static void stats_tick(void)
{
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    stats_tick();
    return vh_fuzz_one(data, size);
}

#if defined(VH_FUZZ_AFL)
__AFL_FUZZ_INIT();

int main(void)
{
    stats_open(); /* before the fork server: children share the mapping */
    __AFL_INIT();
    unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;
    while (__AFL_LOOP(10000)) {
        size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;
        stats_tick();
        vh_fuzz_one(buf, len);
    }
    return 0;
}
#elif defined(VH_FUZZ_REPLAY)
#ifdef VH_ASAN
static void on_death(void)
{
    fprintf(stderr, "ops-replay: failing input: %s\n", g_input_name ? g_input_name : "?");
}
#endif

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "ops-replay: cannot open %s\n", path);
        return 1;
    }
    static uint8_t buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    /* A copy of exactly n bytes so ASan catches reads past the input. */
    uint8_t *copy = malloc(n ? n : 1);
    memcpy(copy, buf, n);
    g_input_name = path;
    vh_fuzz_one(copy, n);
    g_input_name = NULL;
    free(copy);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_path(const char *path, unsigned long *count)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "ops-replay: no such file or directory: %s\n", path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return replay_file(path);
    }
    DIR *d = opendir(path);
    if (!d)
        return 1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            names = realloc(names, cap * sizeof *names);
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        snprintf(names[n], len, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat es;
        if (stat(names[i], &es) == 0 && (S_ISDIR(es.st_mode) || S_ISREG(es.st_mode)) &&
            !strstr(names[i], "README"))
            rc |= replay_path(names[i], count);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
#ifdef VH_ASAN
    __sanitizer_set_death_callback(on_death);
#endif
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...  (runs every input; a failure aborts naming it)\n", argv[0]);
        return 2;
    }
    unsigned long count = 0;
    int rc = 0;
    for (int i = 1; i < argc; i++)
        rc |= replay_path(argv[i], &count);
    printf("ops-replay: %lu inputs passed%s\n", count, rc ? " (some paths could not be read)" : "");
    return rc;
}
#endif
