/* SPDX-License-Identifier: MIT */
/* ops: vheap's operation-sequence fuzzer, executing decoded operations.
 *
 * vh_fuzz_one decodes an input (decode.h) into a heap set-up and a sequence
 * of operations, and runs each against the heap and the reference model
 * (model.h): public API calls, including deliberate misuse.  The model says
 * before every call what must happen; after every call the hooks' record and
 * every stat are checked, and the whole-heap checks (vh_check, the contents
 * of every live block) run after every call or, in fuzzing builds, on a
 * schedule (vhf_deep_every).  At the end everything is freed and the heap
 * must be as good as new.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vheap.h>

#include "contents.h"
#include "decode.h"
#include "harness.h"
#include "hooks.h"
#include "model.h"

#define MAX_OPS 2000u /* operations per input; more are ignored */

static unsigned char g_region_buf[VHF_REGION_MAX + 4096u + 32u] __attribute__((aligned(4096)));
static unsigned char g_fake_heap[1024] __attribute__((aligned(64)));
static int g_foreign_static;
static vh_stats g_fresh; /* stats of the heap just after vh_init */

/* ------------------------------------------------------------------------ */
/* After every call                                                         */

/* The whole-heap checks, vh_check and the contents of every live block, cost
 * O(pages) and O(live bytes tracked) per call: 61 % of a fuzzing execution's
 * instructions went to vh_check alone (callgrind over the committed corpus,
 * session 9).  They run after every call when vhf_deep_every is 1 (replay,
 * the unit tests, make check); otherwise after every vhf_deep_every-th
 * call, counted from a phase taken from the input's bytes (so a mutated
 * input moves the schedule, and a replay of the same input repeats it), and
 * always after the last call of a run.  What every call still gets: the
 * model's prediction of its result and error code, exact stats, the hooks'
 * record, the contents of the blocks it was given or returned, and ASan. A
 * broken invariant that persists is reported at the next scheduled check;
 * a replay of the input (every call checked) names the call that broke it. */
unsigned vhf_deep_every = 1;
static unsigned g_deep_phase;

/* vhf_deep_every for this build (harness.h), set at the first run. */
static void deep_schedule_init(void)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    static bool done;
    if (done)
        return;
    done = true;
    vhf_deep_every = VHF_FUZZ_DEEP_EVERY;
    const char *e = getenv("VH_FUZZ_DEEP_EVERY");
    if (e != NULL && *e != '\0') {
        char *end;
        unsigned long n = strtoul(e, &end, 10);
        REQUIRE(*end == '\0' && n >= 1 && n <= 1000000, "VH_FUZZ_DEEP_EVERY=%s: want a number from 1 to 1000000", e);
        vhf_deep_every = (unsigned)n;
    }
#endif
}

static void check_heap(void)
{
#ifndef VH_FUZZ_MODEL_ONLY /* set only to show what the model catches by itself */
    int rc = vh_check(model.h);
    REQUIRE(rc == 0, "vh_check returned %d", rc);
#endif
    model_check_walk();
    contents_check_after_call();
}

static void after_call(void)
{
    vhf_run.calls++;
    hooks_check_after_call();
    model_check_stats();
    if (vhf_deep_every <= 1u || (vhf_run.calls + g_deep_phase) % vhf_deep_every == 0)
        check_heap();
}

/* A misuse was reported: count it and check the hook saw it. */
static void expect_error(int code, const void *ptr)
{
    model.errors++;
    hooks_expect_error(code, ptr);
}

/* A block the model accepted becomes live: ASan's view and calloc's zeroing
 * checked, then its own pattern written. */
static void adopt(unsigned char *q, size_t req, size_t usable, bool zeroed)
{
    contents_check_poison_live(q, req, usable);
    if (zeroed)
        contents_check_zero(q, req);
    unsigned tag = contents_next_tag();
    model_add_live(q, req, usable, tag);
    contents_fill(q, req, tag, 0, req);
}

/* ------------------------------------------------------------------------ */
/* Operations                                                               */

enum { A_ALLOC, A_CALLOC, A_ALIGNED, A_REALLOC_NULL };

static bool align_ok(size_t a)
{
    return a != 0 && (a & (a - 1u)) == 0 && a <= VH_MAX_ALIGN;
}

/* A_ALLOC, A_REALLOC_NULL: x bytes; A_CALLOC: x * y; A_ALIGNED: y bytes
 * aligned to x. */
static void op_alloc(int how, size_t x, size_t y)
{
    if (model.nlive == MODEL_LIVE_MAX)
        return;
    size_t need = 0, req = 0, align = 16;
    int err = VH_OK;
    unsigned char *q;
    switch (how) {
    case A_ALLOC:
        need = req = x;
        q = vh_alloc(model.h, x);
        break;
    case A_REALLOC_NULL:
        need = req = x;
        q = vh_realloc(model.h, NULL, x);
        break;
    case A_CALLOC:
        if (x != 0 && y > SIZE_MAX / x)
            err = VH_EOVERFLOW;
        else
            need = req = x * y;
        q = vh_calloc(model.h, x, y);
        break;
    default:
        if (!align_ok(x))
            err = VH_EALIGN;
        req = y;
        need = y > x ? y : x;
        align = x;
        q = vh_aligned_alloc(model.h, x, y);
        break;
    }
    if (err != VH_OK) {
        REQUIRE(q == NULL, "misuse (%d) returned a block", err);
        expect_error(err, NULL);
    } else {
        size_t usable = model_alloc(q, need, align);
        if (q != NULL) {
            model.allocs++;
            adopt(q, req, usable, how == A_CALLOC);
        }
    }
    after_call();
}

/* vh_free(ptr) for any pointer: the model says what must happen. */
static void op_free_ptr(unsigned char *ptr)
{
    size_t idx = 0;
    int want = ptr == NULL ? VH_OK : model_classify(ptr, &idx);
    int rc = vh_free(model.h, ptr);
    REQUIRE(rc == want, "vh_free(%p) returned %d, expected %d", (void *)ptr, rc, want);
    if (ptr == NULL) {
        /* nothing */
    } else if (want == VH_OK) {
        model_free(idx);
        size_t us = vh_usable_size(model.h, ptr);
        REQUIRE(us == 0, "vh_usable_size of a freed block is %zu", us);
        contents_check_poison_freed(ptr);
    } else {
        expect_error(want, ptr);
    }
    after_call();
}

static void op_realloc(unsigned char *ptr, size_t size)
{
    if (ptr == NULL) {
        op_alloc(A_REALLOC_NULL, size, 0);
        return;
    }
    size_t idx = 0;
    int want = model_classify(ptr, &idx);
    if (want != VH_OK) {
        unsigned char *q = vh_realloc(model.h, ptr, size);
        REQUIRE(q == NULL, "realloc of a bad pointer (%d) returned %p", want, (void *)q);
        expect_error(want, ptr);
        after_call();
        return;
    }
    struct model_block old = model.live[idx];
    bool in_place = model_realloc_in_place(idx, size);
    unsigned char *q = vh_realloc(model.h, ptr, size);
    size_t keep = old.req < size ? old.req : size;
    if (in_place) {
        REQUIRE(q == ptr, "realloc(%p, %zu) should stay in place, returned %p", (void *)ptr, size, (void *)q);
        model_resize_in_place(idx, size);
        size_t us = vh_usable_size(model.h, q);
        REQUIRE(us == model.live[idx].usable, "vh_usable_size after in-place realloc is %zu, expected %zu", us,
                model.live[idx].usable);
        contents_check_block(&model.live[idx], keep);
        model.live[idx].req = size;
        contents_fill(q, size, old.tag, keep, size);
        contents_check_poison_live(q, size, model.live[idx].usable);
        after_call();
        return;
    }
    /* Moves: a new block while the old one is still live, copy, free. */
    size_t usable = model_alloc(q, size, 16);
    if (q == NULL) {
        contents_check_block(&old, old.req);
        after_call();
        return;
    }
    REQUIRE(q != ptr, "realloc moved to its own address");
    struct model_block moved = {q, size, usable, old.tag, 0};
    contents_check_block(&moved, keep);
    contents_check_poison_live(q, size, usable);
    model.allocs++;
    model_free(idx);
    contents_check_poison_freed(ptr);
    contents_fill(q, size, old.tag, keep, size);
    model_add_live(q, size, usable, old.tag);
    after_call();
}

/* Pointers that no heap page holds (selector < VHF_NFOREIGN); stack is a
 * local of the caller's, live while the pointer is used (the address of a
 * local of this function would dangle once it returned: gcc 12 says so). */
static unsigned char *foreign_ptr(unsigned sel, unsigned char *stack)
{
    uintptr_t b = (uintptr_t)model.base, span = (uintptr_t)model.npages * PAGE;
    unsigned char *out;
    switch (sel) {
    case 0:
        out = stack;
        break;
    case 1:
        out = (unsigned char *)&g_foreign_static;
        break;
    case 2:
        out = model.region;
        break;
    case 3:
        out = (unsigned char *)model.h;
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
        out = model.region + model.size;
        break;
    case 9:
        out = (unsigned char *)(uintptr_t)16u;
        break;
    case 10:
        out = (unsigned char *)(UINTPTR_MAX & ~(uintptr_t)15u);
        break;
    default:
        out = (unsigned char *)(uintptr_t)contents_pattern();
        break;
    }
    return out;
}

/* A pointer anywhere from a page below the heap's pages to a page above. */
static void op_wild(const struct vhf_decoded_op *op)
{
    uintptr_t span = (uintptr_t)model.npages * PAGE;
    uintptr_t off = op->wild_offset % (span + 8192u);
    uintptr_t u = (uintptr_t)model.base + off - 4096u;
    if (op->wild_round16)
        u &= ~(uintptr_t)15u;
    unsigned char *ptr = (unsigned char *)u;
    switch (op->wild_action) {
    case VHF_WILD_REALLOC:
        op_realloc(ptr, op->size);
        break;
    case VHF_WILD_USABLE: {
        size_t idx = 0;
        size_t want = model_classify(ptr, &idx) == VH_OK ? model.live[idx].usable : 0;
        size_t got = vh_usable_size(model.h, ptr);
        REQUIRE(got == want, "vh_usable_size(%p) = %zu, expected %zu", (void *)ptr, got, want);
        after_call();
        break;
    }
    default:
        op_free_ptr(ptr);
        break;
    }
}

/* A pointer into, just past or just before a live block. */
static void op_interior(const struct vhf_decoded_op *op)
{
    if (model.nlive == 0)
        return;
    const struct model_block *b = &model.live[op->slot % model.nlive];
    uintptr_t u = (uintptr_t)b->p, n = op->interior_n;
    switch (op->interior_mode) {
    case 0:
        u += n + 1u;
        break;
    case 1:
        u += n + 1u < b->usable ? b->usable - 1u - n : 1u;
        break;
    case 2:
        u += PAGE * n;
        break;
    case 3:
        u += PAGE * n + 16u;
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

/* Calls with a NULL, a zeroed and a copied heap handle change nothing. */
/* A walk function for calls that must not walk. */
static int walk_never(void *ctx, void *block, size_t usable)
{
    (void)ctx;
    REQUIRE(0, "vh_walk called its function (%p, %zu) on a call it must refuse", block, usable);
    return 1;
}

static void op_handle(void)
{
    unsigned char *some = model.nlive ? model.live[0].p : model.base;
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
    vh_get_stats(model.h, NULL);
    /* A zeroed handle and a byte copy of the real header are not heaps. */
    memset(g_fake_heap, 0, sizeof g_fake_heap);
    vh_heap *fake = (vh_heap *)(void *)g_fake_heap;
    REQUIRE(vh_free(fake, some) == VH_EINVAL && vh_alloc(fake, 16) == NULL, "a zeroed handle was accepted");
    REQUIRE(model_header_bytes() <= sizeof g_fake_heap, "heap header (%zu bytes) larger than the copy buffer",
            model_header_bytes());
    memcpy(g_fake_heap, model.h, model_header_bytes());
    REQUIRE(vh_free(fake, some) == VH_EINVAL && vh_alloc(fake, 16) == NULL && vh_check(fake) != 0,
            "a copy of the heap header was accepted as a heap");
    REQUIRE(vh_free(model.h, NULL) == VH_OK, "vh_free(h, NULL) is not 0");
    /* The embedding calls: misuse first (no heap, no function, the two fake
     * handles), then the real heap's marks reset. */
    REQUIRE(vh_reset_peaks(NULL) == VH_EINVAL && vh_walk(NULL, walk_never, NULL) == VH_EINVAL,
            "vh_reset_peaks / vh_walk accepted a NULL heap");
    REQUIRE(vh_walk(model.h, NULL, NULL) == VH_EINVAL, "vh_walk accepted a NULL function");
    REQUIRE(vh_reset_peaks(fake) == VH_EINVAL && vh_walk(fake, walk_never, NULL) == VH_EINVAL,
            "vh_reset_peaks / vh_walk accepted a copy of the heap header");
    memset(g_fake_heap, 0, sizeof g_fake_heap);
    REQUIRE(vh_reset_peaks(fake) == VH_EINVAL && vh_walk(fake, walk_never, NULL) == VH_EINVAL,
            "vh_reset_peaks / vh_walk accepted a zeroed handle");
    REQUIRE(vh_min_region_size() == VH_MIN_REGION_SIZE, "vh_min_region_size is not VH_MIN_REGION_SIZE");
    REQUIRE(vh_version() == VH_VERSION_NUMBER, "vh_version() is %d, the header says %d", vh_version(),
            VH_VERSION_NUMBER);
    int rc = vh_reset_peaks(model.h);
    REQUIRE(rc == VH_OK, "vh_reset_peaks returned %d", rc);
    model_reset_peaks();
    after_call();
}

static void run_op(const struct vhf_decoded_op *op)
{
    switch (op->op) {
    case VHF_ALLOC:
        op_alloc(A_ALLOC, op->size, 0);
        break;
    case VHF_CALLOC:
        op_alloc(A_CALLOC, op->calloc_n, op->calloc_size);
        break;
    case VHF_REALLOC:
        op_realloc(op->slot == 255u || model.nlive == 0 ? NULL : model.live[op->slot % model.nlive].p, op->size);
        break;
    case VHF_ALIGNED:
        op_alloc(A_ALIGNED, op->align, op->size);
        break;
    case VHF_FREE:
        if (model.nlive)
            op_free_ptr(model.live[op->slot % model.nlive].p);
        break;
    case VHF_STALE:
        if (model.nfreed)
            op_free_ptr(model.freed[op->slot % model.nfreed]);
        break;
    case VHF_INTERIOR:
        op_interior(op);
        break;
    case VHF_FOREIGN: {
        int local = 0;
        op_free_ptr(foreign_ptr(op->foreign, (unsigned char *)&local));
        break;
    }
    case VHF_WILD:
        op_wild(op);
        break;
    case VHF_FREE_SOME: {
        /* Pointers first: each free reorders model.live. */
        unsigned char *victims[MODEL_LIVE_MAX];
        size_t n = 0;
        for (size_t i = op->free_phase; i < model.nlive; i += op->free_step)
            victims[n++] = model.live[i].p;
        for (size_t i = 0; i < n; i++)
            op_free_ptr(victims[i]);
        break;
    }
    case VHF_FILL:
        for (unsigned i = 0; i < op->fill_count && model.nlive < MODEL_LIVE_MAX; i++) {
            size_t before = model.nlive;
            op_alloc(A_ALLOC, op->size, 0);
            if (model.nlive == before)
                break;
        }
        break;
    case VHF_HANDLE:
        op_handle();
        break;
    case VHF_REALLOC_ZERO:
        if (model.nlive)
            op_realloc(model.live[op->slot % model.nlive].p, 0);
        break;
    case VHF_NOPS:
        break;
    }
}

/* ------------------------------------------------------------------------ */
/* Set-up and the end of a run                                              */

static bool setup(const struct vhf_setup *s, unsigned char *region)
{
    const vh_hooks *hooks = hooks_reset(s->hooks);
    size_t size = s->region_size;
    /* Garbage where the header and descriptors go: init must set them all. */
    memset(region, 0xa5, size < 65536u ? size : 65536u);
    uintptr_t base = 0;
    uint32_t np = 0;
    bool fits = model_layout((uintptr_t)region, size, &base, &np);
    vh_heap *h = vh_init(region, size, hooks);
    if (size >= VH_MIN_REGION_SIZE)
        REQUIRE(h != NULL, "vh_init refused %zu bytes (>= VH_MIN_REGION_SIZE)", size);
    if (!fits) {
        REQUIRE(h == NULL, "vh_init accepted %zu bytes at %p, where not one page fits", size, (void *)region);
        return false;
    }
    REQUIRE(h != NULL, "vh_init refused %zu bytes at %p, where %u pages fit", size, (void *)region, np);
    uintptr_t heap_base = 0;
    uint32_t heap_npages = 0;
    model_geometry(h, &heap_base, &heap_npages);
    REQUIRE(heap_base == base && heap_npages == np,
            "geometry: base %p and %u pages, the documented layout gives %p and %u", (void *)heap_base,
            heap_npages, (void *)base, np);
    model_reset(h, region, size, (unsigned char *)base, np);
    contents_reset();
    after_call();
    vh_get_stats(h, &g_fresh);
    REQUIRE(g_fresh.used_bytes == 0 && g_fresh.free_bytes == (size_t)np * PAGE, "fresh heap stats wrong");
    return true;
}

/* Free everything; the heap must be as good as new. */
static void finish(void)
{
    vhf_run.opname = "final free-all";
    contents_check_all();
    while (model.nlive)
        op_free_ptr(model.live[model.nlive - 1].p);
    vh_stats s;
    vh_get_stats(model.h, &s);
#define FRESH_EQ(f)                                                                                \
    REQUIRE(s.f == g_fresh.f, "after freeing all, " #f " is %zu; a fresh heap has %zu", (size_t)s.f,  \
            (size_t)g_fresh.f)
    FRESH_EQ(used_bytes);
    FRESH_EQ(free_bytes);
    FRESH_EQ(overhead_bytes);
    FRESH_EQ(largest_free_block);
    FRESH_EQ(fragmentation_permille);
    REQUIRE(s.allocations == s.deallocations, "allocations %zu != deallocations %zu after freeing all",
            s.allocations, s.deallocations);
    /* As many top-order blocks as a fresh heap: nothing leaked into slabs. */
    vhf_run.opname = "final top-order blocks";
    int k = -1;
    for (int j = (int)MODEL_MAX_ORDER; j >= 0 && k < 0; j--)
        if ((model.npages >> j) > 0)
            k = j;
    size_t want = model.npages >> k, got = 0;
    while (got <= want) {
        size_t before = model.nlive;
        op_alloc(A_ALLOC, PAGE << k, 0);
        if (model.nlive == before)
            break;
        got++;
    }
    REQUIRE(got == want, "after freeing all, %zu blocks of order %d allocatable; a fresh heap has %zu", got, k,
            want);
    while (model.nlive)
        op_free_ptr(model.live[model.nlive - 1].p);
    vh_get_stats(model.h, &s);
    FRESH_EQ(free_bytes);
    FRESH_EQ(largest_free_block);
#undef FRESH_EQ
}

int vh_fuzz_one(const uint8_t *data, size_t size)
{
    struct vhf_reader r = {data, size, 0};
    struct vhf_setup s;
    vhf_run.opno = 0;
    vhf_run.opname = "setup";
    vhf_run.op = NULL;
    vhf_run.ops = 0;
    vhf_run.calls = 0;
    deep_schedule_init();
    if (vhf_deep_every > 1u) { /* FNV-1a of the input picks the schedule's phase */
        uint32_t x = 2166136261u;
        for (size_t i = 0; i < size; i++)
            x = (x ^ data[i]) * 16777619u;
        g_deep_phase = x % vhf_deep_every;
    }
    vhf_decode_setup(&r, &s);
    unsigned char *region = g_region_buf + s.phase + s.misalign;
    if (setup(&s, region)) {
        struct vhf_decoded_op op;
        for (vhf_run.opno = 1; r.pos < r.size && vhf_run.opno <= MAX_OPS; vhf_run.opno++) {
            vhf_decode_op(&r, &op);
            vhf_run.op = &op;
            vhf_run.opname = vhf_op_name(op.op);
            run_op(&op);
            vhf_run.ops++;
        }
        vhf_run.op = NULL;
        finish();
    }
    /* A run's last call always gets the whole-heap checks (finish()'s last
     * call already did when every call is checked). */
    if (model.h != NULL && vhf_deep_every > 1u)
        check_heap();
    /* Hand the region back unpoisoned for the next run. */
    contents_unpoison_region(region, s.region_size);
    model.h = NULL;
    return 0;
}
