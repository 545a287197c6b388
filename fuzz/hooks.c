/* SPDX-License-Identifier: MIT */
/* hooks: recording lock and error hooks (see hooks.h). */
#include <string.h>

#include "hooks.h"
#include "model.h"

/* What the hooks saw in this run. */
static struct {
    int locks, unlocks, held, nested, bad_unlock;
    int nerr, last_code;
    const void *last_ptr;
    int err_under_lock;
} g_seen;
static unsigned g_mode;
static int g_expected_nerr; /* on_error calls the model expects so far */

static void h_lock(void *ctx)
{
    (void)ctx;
    if (g_seen.held)
        g_seen.nested = 1;
    g_seen.held = 1;
    g_seen.locks++;
}

static void h_unlock(void *ctx)
{
    (void)ctx;
    if (!g_seen.held)
        g_seen.bad_unlock = 1;
    g_seen.held = 0;
    g_seen.unlocks++;
}

static void h_error(void *ctx, int code, const void *ptr)
{
    if (ctx != &g_seen)
        vhf_fail("on_error got ctx %p, expected %p", ctx, (void *)&g_seen);
    if (g_seen.held)
        g_seen.err_under_lock = 1;
    g_seen.nerr++;
    g_seen.last_code = code;
    g_seen.last_ptr = ptr;
    /* The hook may call back into the heap: the lock is released. */
    vh_stats s;
    vh_get_stats(model.h, &s);
}

const vh_hooks *hooks_reset(unsigned mode)
{
    static const vh_hooks hooks_by_mode[4] = {
        {NULL, NULL, NULL, NULL, NULL},
        {NULL, NULL, NULL, h_error, &g_seen},
        {h_lock, h_unlock, NULL, h_error, &g_seen},
        {h_lock, h_unlock, NULL, NULL, NULL},
    };
    memset(&g_seen, 0, sizeof g_seen);
    g_mode = mode & 3u;
    g_expected_nerr = 0;
    return g_mode == VHF_HOOKS_NONE ? NULL : &hooks_by_mode[g_mode];
}

bool hooks_report_errors(void)
{
    return g_mode == VHF_HOOKS_ERROR || g_mode == VHF_HOOKS_LOCK_ERROR;
}

void hooks_expect_error(int code, const void *ptr)
{
    if (!hooks_report_errors())
        return;
    g_expected_nerr++;
    REQUIRE(g_seen.nerr == g_expected_nerr && g_seen.last_code == code && g_seen.last_ptr == ptr,
            "on_error: got %d calls, last (%d, %p); expected %d calls, last (%d, %p)", g_seen.nerr, g_seen.last_code,
            g_seen.last_ptr, g_expected_nerr, code, ptr);
}

void hooks_check_after_call(void)
{
    if (g_mode == VHF_HOOKS_LOCK || g_mode == VHF_HOOKS_LOCK_ERROR) {
        REQUIRE(!g_seen.nested, "lock taken while held");
        REQUIRE(!g_seen.bad_unlock, "unlock without lock");
        REQUIRE(!g_seen.held && g_seen.locks == g_seen.unlocks, "lock left held (%d locks, %d unlocks)",
                g_seen.locks, g_seen.unlocks);
    } else {
        REQUIRE(g_seen.locks == 0, "lock hook called though none was given");
    }
    REQUIRE(!g_seen.err_under_lock, "on_error called with the lock held");
    REQUIRE(g_seen.nerr == g_expected_nerr, "on_error called %d times, expected %d", g_seen.nerr, g_expected_nerr);
}
