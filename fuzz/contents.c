/* SPDX-License-Identifier: MIT */
/* contents: pattern tracking and ASan poison checks (see contents.h). */
#include <stdint.h>
#include <string.h>

/* VH_ASAN: the core's own test for "this build poisons"; the harness
 * checks poisoning exactly when the core does it. */
#include "port.h"

#include "contents.h"

#ifdef VH_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define TRACK_ALL 8192u  /* bytes tracked from the start of a block */
#define TRACK_EDGE 64u   /* bytes tracked at each end of every later page */
#define CONTENTS_SLICE 32u

/* Pattern bytes for any tag (< 251) and offset (< VH_MAX_ALLOC). */
static unsigned char g_pattern[VH_MAX_ALLOC + 256u];
static const unsigned char g_zero[8192];
static size_t g_calls, g_rot; /* heap calls this run; next block of the rotation */
static unsigned g_next_tag;

enum { TRACK_FILL, TRACK_CHECK, TRACK_ZERO };

void contents_reset(void)
{
    static bool pattern_done;
    if (!pattern_done) {
        for (size_t i = 0; i < sizeof g_pattern; i++)
            g_pattern[i] = (unsigned char)(i % 251u);
        pattern_done = true;
    }
    g_calls = g_rot = 0;
    g_next_tag = 0;
}

unsigned contents_next_tag(void)
{
    unsigned tag = g_next_tag;
    g_next_tag = (g_next_tag + 97u) % 251u;
    return tag;
}

const unsigned char *contents_pattern(void)
{
    return g_pattern;
}

/* Writes the pattern into, compares with the pattern, or checks for zero
 * the tracked bytes of [from, to). */
static void track(unsigned char *p, size_t req, unsigned tag, size_t from, size_t to, int how)
{
    if (to > req)
        to = req;
    size_t o = from;
    while (o < to) {
        size_t end, in = o % PAGE;
        if (o < TRACK_ALL)
            end = TRACK_ALL;
        else if (in < TRACK_EDGE)
            end = o - in + TRACK_EDGE;
        else if (in >= PAGE - TRACK_EDGE)
            end = o - in + PAGE;
        else {
            o = o - in + PAGE - TRACK_EDGE;
            continue;
        }
        if (end > to)
            end = to;
        if (how == TRACK_FILL) {
            memcpy(p + o, g_pattern + tag + o, end - o);
        } else if (how == TRACK_ZERO) {
            if (memcmp(p + o, g_zero, end - o) != 0)
                vhf_fail("calloc block %p (%zu bytes) not zeroed near offset %zu", (void *)p, req, o);
        } else if (memcmp(p + o, g_pattern + tag + o, end - o) != 0) {
            size_t i = o;
            while (p[i] == g_pattern[tag + i])
                i++;
            vhf_fail("contents of block %p (%zu bytes) changed at offset %zu: 0x%02x, expected 0x%02x",
                     (void *)p, req, i, p[i], g_pattern[tag + i]);
        }
        o = end;
    }
}

void contents_fill(unsigned char *p, size_t req, unsigned tag, size_t from, size_t to)
{
    track(p, req, tag, from, to, TRACK_FILL);
}

void contents_check_zero(const unsigned char *p, size_t req)
{
    track((unsigned char *)(uintptr_t)p, req, 0, 0, req, TRACK_ZERO);
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

void contents_check_block(const struct model_block *b, size_t upto)
{
    if (upto > b->req)
        upto = b->req;
    if (upto <= 256u && same_short(b->p, g_pattern + b->tag, upto))
        return;
    track(b->p, b->req, b->tag, 0, upto, TRACK_CHECK);
}

void contents_check_all(void)
{
    for (size_t i = 0; i < model.nlive; i++)
        contents_check_block(&model.live[i], model.live[i].req);
}

/* Checking every block after every call made long runs quadratic.  The
 * blocks a call is given or returns are checked by the call's own checks. */
void contents_check_after_call(void)
{
    g_calls++;
    if (model.nlive <= CONTENTS_SLICE || g_calls % CONTENTS_SLICE == 0) {
        contents_check_all();
    } else {
        for (size_t i = 0; i < CONTENTS_SLICE; i++) {
            const struct model_block *b = &model.live[(g_rot + i) % model.nlive];
            contents_check_block(b, b->req);
        }
        g_rot = (g_rot + CONTENTS_SLICE) % model.nlive;
    }
}

void contents_check_poison_live(const unsigned char *p, size_t req, size_t usable)
{
#ifdef VH_ASAN
    for (size_t o = 0; o < req; o = o < TRACK_ALL ? TRACK_ALL : o + PAGE) {
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

void contents_check_poison_freed(const unsigned char *p)
{
#ifdef VH_ASAN
    REQUIRE(__asan_address_is_poisoned(p), "freed block %p is not poisoned", (const void *)p);
#else
    (void)p;
#endif
}

void contents_unpoison_region(unsigned char *region, size_t size)
{
#ifdef VH_ASAN
    ASAN_UNPOISON_MEMORY_REGION(region, size);
#else
    (void)region, (void)size;
#endif
}
