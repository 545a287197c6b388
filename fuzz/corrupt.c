/* SPDX-License-Identifier: MIT */
/* corrupt: the corruption fuzz target (ops-corrupt).  Its inputs interleave
 * heap calls with writes of chosen bytes at chosen offsets of the heap's
 * metadata (header, descriptor array, the slab bitmaps in it) and of user
 * memory, and it checks the threat model of SECURITY.md, not a model
 * of the heap (after a wild write there is no right answer, only safe
 * ones):
 *   - the region sits between guard areas poisoned for ASan, so any access
 *     by the core outside [start, start + size) is a report; the guards must
 *     still be poisoned after every call;
 *   - every returned pointer lies in the page area with its requested size,
 *     and vh_usable_size of it, when not 0, is at least that and stays there;
 *   - every call returns a documented code;
 *   - a call that reports an error (VH_E*, or NULL with the error counter
 *     raised) leaves the region byte-for-byte as it was but for the error
 *     counter (snapshot before every call);
 *   - lock hooks balance, no hook runs with a broken header (a corrupted
 *     hook pointer would crash), and vh_check never crashes;
 *   - vh_walk (after every call) hands its function only blocks inside the
 *     page area; vh_reset_peaks (every 16th call) answers with a code, and
 *     an error leaves the region as it was.
 *
 * Input: the two header bytes of ops_format.h (region size from a set of
 * small sizes here, so that the snapshot stays cheap; start phase,
 * misalignment, hooks), then steps until the bytes run out:
 *   byte s, s % 8:
 *     0 alloc     SZ (ops_format.h)        4 free a wild pointer: 3 bytes offset
 *     1 free      live slot byte              into [base - 4096, end + 4096)
 *     2 realloc   live slot byte, SZ       5 calloc: byte n, SZ / aligned: AL, SZ
 *     3 calloc/aligned_alloc (s & 8)       6, 7 a corrupting write:
 *   write: byte t (target t % 5, value mode t / 5 % 3), 3 bytes offset,
 *          byte len (1..8), then len value bytes (mode 0), or none
 *          (mode 1: an interesting 32-bit page index; mode 2: byte 0xff x len)
 *     target 0 descriptor array   1 header's mutable part   2 whole header
 *            3 page area (user memory)   4 the bitmap words of a
 *            descriptor (a slab's free-object bitmap)
 *   At most one write per input touches the header's immutable part (the
 *   first; later ones are skipped): more could forge its check words.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vheap.h>

#include "decode.h"
#include "harness.h"
#include "heap.h" /* the header's layout: where the error counter and the mutable part are */

#ifdef VH_ASAN
#include <sanitizer/asan_interface.h>
#define CORRUPT_NO_ASAN __attribute__((no_sanitize("address")))
#else
#define CORRUPT_NO_ASAN
#endif

#define MAX_STEPS 400u
#define LIVE_MAX 128u
#define GUARD 8192u
#define REGION_MAX (266241u + 4096u + 32u)

static const size_t region_sizes[8] = {12288u, 13001u, 16391u, 28671u, 65549u, 100003u, 151551u, 266241u};

static unsigned char g_buf[GUARD + REGION_MAX + GUARD] __attribute__((aligned(4096)));
static unsigned char g_snap[REGION_MAX];

static struct {
    vh_heap *h;
    unsigned char *region, *base;
    size_t size, span;
    uint32_t npages;
    unsigned char *live[LIVE_MAX];
    size_t live_req[LIVE_MAX];
    unsigned nlive;
    int locks, unlocks, held, nested;
    bool immutable_written; /* this input already wrote into the header's immutable part */
} C;

static void c_lock(void *ctx)
{
    (void)ctx;
    C.nested |= C.held;
    C.held = 1;
    C.locks++;
}

static void c_unlock(void *ctx)
{
    (void)ctx;
    C.held = 0;
    C.unlocks++;
}

static void c_error(void *ctx, int code, const void *ptr)
{
    (void)ptr;
    REQUIRE(ctx == &C, "on_error got a foreign context");
    REQUIRE(!C.held, "on_error called with the lock held");
    REQUIRE(code <= VH_EFOREIGN && code >= VH_EINVAL, "on_error got undocumented code %d", code);
}

/* The harness's own view of region bytes the core keeps poisoned: word
 * loops, not memcpy/memcmp (ASan checks those even here), volatile so that
 * the compiler does not turn them back into calls. */
CORRUPT_NO_ASAN static void raw_copy(unsigned char *dst, const unsigned char *src, size_t n)
{
    size_t i = 0;
    for (; i + 8u <= n; i += 8u) {
        uint64_t w;
        __builtin_memcpy(&w, (const void *)(src + i), 8);
        *(volatile uint64_t *)(void *)(dst + i) = w;
    }
    for (; i < n; i++)
        ((volatile unsigned char *)dst)[i] = src[i];
}

CORRUPT_NO_ASAN static size_t raw_diff(const unsigned char *a, const unsigned char *b, size_t n)
{
    size_t i = 0;
    for (; i + 8u <= n; i += 8u) {
        uint64_t x, y;
        __builtin_memcpy(&x, (const void *)(a + i), 8);
        __builtin_memcpy(&y, (const void *)(b + i), 8);
        if (*(volatile uint64_t *)&x != y)
            break;
    }
    for (; i < n; i++)
        if (((const volatile unsigned char *)a)[i] != b[i])
            return i;
    return n;
}

static size_t errors_now(void)
{
    size_t e;
    raw_copy((unsigned char *)&e, (const unsigned char *)&C.h->errors, sizeof e);
    return e;
}

static void snapshot(void)
{
    raw_copy(g_snap, C.region, C.size);
}

/* After a call that reported an error: nothing but the error counter moved. */
static void require_unchanged(const char *call)
{
    size_t eoff = (size_t)((unsigned char *)&C.h->errors - C.region);
    size_t d = raw_diff(C.region, g_snap, eoff);
    if (d == eoff) {
        size_t after = eoff + sizeof(size_t);
        d = after + raw_diff(C.region + after, g_snap + after, C.size - after);
    }
    REQUIRE(d == C.size, "%s reported an error but changed region byte %zu (header is %zu bytes)", call, d,
            sizeof(struct vh_heap));
}

static void require_guards(void)
{
#ifdef VH_ASAN
    REQUIRE(__asan_region_is_poisoned(g_buf, (size_t)(C.region - g_buf)) == g_buf,
            "the guard before the region was unpoisoned");
    unsigned char *after = C.region + C.size;
    size_t n = (size_t)(g_buf + sizeof g_buf - after);
    REQUIRE(__asan_region_is_poisoned(after, n) == after, "the guard after the region was unpoisoned");
#endif
}

static void require_block(const unsigned char *p, size_t req, const char *call)
{
    if (p == NULL)
        return;
    REQUIRE(p >= C.base && p < C.base + C.span && req <= (size_t)(C.base + C.span - p),
            "%s returned %p + %zu outside the page area [%p, +%zu)", call, (const void *)p, req,
            (const void *)C.base, C.span);
    REQUIRE((uintptr_t)p % 16u == 0, "%s returned %p, not 16-aligned", call, (const void *)p);
    size_t us = vh_usable_size(C.h, p);
    REQUIRE(us == 0 || (us >= req && us <= (size_t)(C.base + C.span - p)),
            "%s: vh_usable_size(%p) = %zu for a %zu-byte request", call, (const void *)p, us, req);
}

static void require_code(int rc, const char *call)
{
    REQUIRE(rc == VH_OK || (rc <= VH_EFOREIGN && rc >= VH_EINVAL), "%s returned undocumented %d", call, rc);
}

/* vh_walk's function: every block it is handed lies in the page area. */
static int walk_in_area(void *ctx, void *block, size_t usable)
{
    (void)ctx;
    const unsigned char *p = block;
    REQUIRE(p >= C.base && p < C.base + C.span && usable > 0 && usable <= (size_t)(C.base + C.span - p),
            "vh_walk handed out %p + %zu, outside the page area [%p, +%zu)", block, usable, (const void *)C.base,
            C.span);
    return 0;
}

static void require_balanced(void)
{
    REQUIRE(!C.nested && !C.held && C.locks == C.unlocks, "lock hooks unbalanced (%d locks, %d unlocks)",
            C.locks, C.unlocks);
}

/* After every call: the read-only calls on whatever the heap now holds
 * (vh_check, vh_walk: any documented answer, nothing outside touched, no
 * lock left held) and, every 16th call, vh_reset_peaks (an error changes
 * nothing but the error counter). */
static void after_call(void)
{
    vhf_run.calls++;
    require_guards();
    require_balanced();
    int rc = vh_check(C.h); /* any answer; it must not crash or touch outside */
    REQUIRE(rc >= 0 && rc <= VH_CHECK_STATS, "vh_check returned %d", rc);
    rc = vh_walk(C.h, walk_in_area, NULL);
    REQUIRE(rc == VH_OK || rc == VH_ECORRUPT || rc == VH_EINVAL, "vh_walk returned %d", rc);
    require_balanced();
    if (vhf_run.calls % 16u == 0) {
        snapshot();
        rc = vh_reset_peaks(C.h);
        require_code(rc, "vh_reset_peaks");
        if (rc != VH_OK)
            require_unchanged("vh_reset_peaks");
        require_balanced();
    }
    require_guards();
}

static void keep(unsigned char *p, size_t req)
{
    if (p == NULL || C.nlive == LIVE_MAX)
        return;
    /* Write the block as a program would: only the bytes it asked for. */
    for (size_t i = 0; i < req && i < 64u; i++)
        p[i] = (unsigned char)(i * 7u + 1u);
    C.live[C.nlive] = p;
    C.live_req[C.nlive++] = req;
}

static void drop(unsigned i)
{
    C.live[i] = C.live[--C.nlive];
    C.live_req[i] = C.live_req[C.nlive];
}

/* An allocating call that raised the error counter reported an error: it
 * must return NULL and have changed nothing else. */
static void checked_alloc(unsigned char *p, size_t req, size_t errors_before, const char *call)
{
    if (errors_now() != errors_before) {
        REQUIRE(p == NULL, "%s reported an error but returned %p", call, (void *)p);
        require_unchanged(call);
    }
    require_block(p, req, call);
}

static void step_free(unsigned char *p, const char *call)
{
    size_t before = errors_now();
    snapshot();
    int rc = vh_free(C.h, p);
    require_code(rc, call);
    if (rc != VH_OK) {
        REQUIRE(errors_now() != before || rc == VH_EINVAL, "%s returned %d without counting it", call, rc);
        require_unchanged(call);
    }
}

static uint32_t rd24(struct vhf_reader *r)
{
    uint32_t v = 0;
    for (int i = 0; i < 3; i++)
        v = v << 8 | (r->pos < r->size ? r->data[r->pos++] : 0u);
    return v;
}

static uint8_t rd8(struct vhf_reader *r)
{
    return r->pos < r->size ? r->data[r->pos++] : 0u;
}

/* The corrupting write: where, and what. */
CORRUPT_NO_ASAN static void corrupt(struct vhf_reader *r)
{
    uint8_t t = rd8(r);
    uint32_t off = rd24(r);
    unsigned len = 1u + rd8(r) % 8u, mode = (unsigned)(t / 5u) % 3u;
    unsigned char *hdr = (unsigned char *)C.h, *desc = (unsigned char *)(C.h + 1);
    size_t mut = offsetof(struct vh_heap, buddy);
    unsigned char *at;
    switch (t % 5u) {
    case 0:
        at = desc + off % ((size_t)C.npages * VH_PAGE_DESCRIPTOR_SIZE);
        break;
    case 1:
        at = hdr + mut + off % (sizeof(struct vh_heap) - mut);
        break;
    case 2:
        at = hdr + off % sizeof(struct vh_heap);
        break;
    case 3:
        at = C.base + off % C.span;
        break;
    default:
        at = desc + (size_t)(off % C.npages) * VH_PAGE_DESCRIPTOR_SIZE + offsetof(struct vh_page, bits) +
             off % sizeof(((struct vh_page *)0)->bits);
        break;
    }
    unsigned char val[8];
    if (mode == 1) {
        static const uint32_t picks[8] = {0, 1, 0, 0, 0xFFFFFFFFu, 0x7FFFFFFFu, 0x80000000u, 2};
        uint32_t v = picks[off % 8u];
        if (off % 8u == 2u)
            v = C.npages - 1u;
        else if (off % 8u == 3u)
            v = C.npages;
        at = (unsigned char *)((uintptr_t)at & ~(uintptr_t)3u);
        len = 4;
        memcpy(val, &v, 4);
    } else {
        for (unsigned i = 0; i < len; i++)
            val[i] = mode == 0 ? rd8(r) : 0xffu;
    }
    /* The header's immutable part is trusted through its check words, which
     * catch any one wild write into it; two writes that change a field and
     * recompute its check word are a forgery, outside the threat model
     * (SECURITY.md), and a fuzzer that sees the comparison finds one
     * quickly.  So at most one write per input may touch that part. */
    unsigned char *imm_end = hdr + offsetof(struct vh_heap, buddy);
    if (at < imm_end && at + len > hdr) {
        if (C.immutable_written)
            return;
        C.immutable_written = true;
    }
    unsigned char *end = C.region + C.size;
    for (unsigned i = 0; i < len && at + i < end; i++)
        at[i] = val[i];
}

static void step(struct vhf_reader *r)
{
    uint8_t s = rd8(r);
    size_t before = errors_now();
    switch (s % 8u) {
    case 0: {
        vhf_run.opname = "alloc";
        struct vhf_decoded_op op;
        size_t size = (vhf_decode_op(r, &op), op.size);
        snapshot();
        unsigned char *p = vh_alloc(C.h, size);
        checked_alloc(p, size, before, "vh_alloc");
        keep(p, size);
        break;
    }
    case 1:
    case 2: {
        uint8_t slot = rd8(r);
        if (C.nlive == 0)
            return;
        unsigned i = slot % C.nlive;
        if (s % 8u == 1u) {
            vhf_run.opname = "free";
            step_free(C.live[i], "vh_free");
            drop(i);
        } else {
            vhf_run.opname = "realloc";
            struct vhf_decoded_op op;
            size_t size = (vhf_decode_op(r, &op), op.size);
            snapshot();
            unsigned char *p = vh_realloc(C.h, C.live[i], size);
            checked_alloc(p, size, before, "vh_realloc");
            if (p != NULL) {
                drop(i);
                keep(p, size);
            }
        }
        break;
    }
    case 3:
    case 5: {
        uint8_t n = rd8(r);
        struct vhf_decoded_op op;
        vhf_decode_op(r, &op);
        snapshot();
        unsigned char *p;
        size_t req;
        if (s & 8u) {
            vhf_run.opname = "aligned_alloc";
            size_t align = (size_t)1 << (n % 13u);
            req = op.size;
            p = vh_aligned_alloc(C.h, align, req);
            REQUIRE(p == NULL || (uintptr_t)p % align == 0, "vh_aligned_alloc(%zu) returned %p", align, (void *)p);
        } else {
            vhf_run.opname = "calloc";
            req = (size_t)n * (op.size % 4096u);
            p = vh_calloc(C.h, n, op.size % 4096u);
        }
        checked_alloc(p, req, before, vhf_run.opname);
        keep(p, req);
        break;
    }
    case 4: {
        vhf_run.opname = "wild free";
        uint32_t off = rd24(r);
        step_free(C.base - VH_PAGE_SIZE + off % (C.span + 2u * VH_PAGE_SIZE), "vh_free(wild)");
        break;
    }
    default:
        vhf_run.opname = "corrupting write";
        corrupt(r);
        return;
    }
    after_call();
}

static bool setup(struct vhf_reader *r)
{
    static const vh_hooks by_mode[4] = {
        {NULL, NULL, NULL, NULL, NULL},
        {NULL, NULL, NULL, c_error, &C},
        {c_lock, c_unlock, NULL, c_error, &C},
        {c_lock, c_unlock, NULL, NULL, NULL},
    };
    struct vhf_setup su;
    vhf_decode_setup(r, &su);
    memset(&C, 0, sizeof C);
    C.size = region_sizes[su.region_size % 8u];
    C.region = g_buf + GUARD + su.phase + su.misalign;
    memset(C.region, 0xa5, C.size);
#ifdef VH_ASAN
    ASAN_POISON_MEMORY_REGION(g_buf, (size_t)(C.region - g_buf));
    ASAN_POISON_MEMORY_REGION(C.region + C.size, (size_t)(g_buf + sizeof g_buf - (C.region + C.size)));
#endif
    C.h = vh_init(C.region, C.size, su.hooks == VHF_HOOKS_NONE ? NULL : &by_mode[su.hooks]);
    REQUIRE(C.h != NULL, "vh_init refused %zu bytes", C.size);
    C.base = (unsigned char *)C.h->area.base->bytes;
    C.npages = C.h->area.npages;
    C.span = (size_t)C.npages * VH_PAGE_SIZE;
    return true;
}

int vh_fuzz_one(const uint8_t *data, size_t size)
{
    struct vhf_reader r = {data, size, 0};
    vhf_run.opno = 0;
    vhf_run.op = NULL;
    vhf_run.opname = "setup";
    vhf_run.calls = 0;
    if (setup(&r)) {
        for (vhf_run.opno = 1; r.pos < r.size && vhf_run.opno <= MAX_STEPS; vhf_run.opno++)
            step(&r);
        vhf_run.opname = "final free-all";
        while (C.nlive > 0) {
            step_free(C.live[C.nlive - 1], "vh_free(final)");
            C.nlive--;
            after_call();
        }
    }
    vhf_run.ops = vhf_run.opno;
#ifdef VH_ASAN
    ASAN_UNPOISON_MEMORY_REGION(g_buf, sizeof g_buf);
#endif
    C.h = NULL;
    return 0;
}
