/* SPDX-License-Identifier: MIT */
/* Unit tests of the global heap (port/vheap_global.c), run once per lock
 * build.  Exit status 0 when every check passed. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vheap_global.h"

#include "check.h"

static _Alignas(4096) unsigned char region[4u << 20];

static int hook_calls, hook_last_code;
static const void *hook_last_ptr;
static void on_error(void *ctx, int code, const void *ptr)
{
    (void)ctx;
    hook_calls++;
    hook_last_code = code;
    hook_last_ptr = ptr;
}

int main(void)
{
    vh_stats st;
    int x;

    /* Before init: everything fails cleanly. */
    CHECK(!vh_global_ready());
    CHECK(vh_global_alloc(16) == NULL);
    CHECK(vh_global_calloc(2, 8) == NULL);
    CHECK(vh_global_realloc(NULL, 8) == NULL);
    CHECK(vh_global_aligned_alloc(64, 8) == NULL);
    CHECK(vh_global_free(&x) == VH_GLOBAL_ENOTREADY);
    CHECK(vh_global_free(NULL) == VH_OK);
    CHECK(vh_global_usable_size(&x) == 0);
    memset(&st, 0xff, sizeof st);
    CHECK(vh_global_stats(&st) == VH_GLOBAL_ENOTREADY && st.allocations == 0 && st.total_bytes == 0);
    CHECK(vh_global_check() == VH_GLOBAL_ENOTREADY);
    CHECK(!vh_global_owns(region));
    vh_global_lock(); /* no-ops before init: must not block */
    vh_global_unlock();

    /* A refused region leaves the heap unset, so init can be retried. */
    CHECK(vh_global_init(NULL, sizeof region) == VH_EINVAL);
    CHECK(vh_global_init(region, 100) == VH_EINVAL);
    CHECK(!vh_global_ready());

    CHECK(vh_global_init_with_error_hook(region, sizeof region, on_error, NULL) == VH_OK);
    CHECK(vh_global_ready());
    CHECK(vh_global_owns(region) && vh_global_owns(region + sizeof region - 1));
    CHECK(!vh_global_owns(region + sizeof region));
    /* Second init refused, heap unchanged. */
    void *keep = vh_global_alloc(100);
    CHECK(keep != NULL);
    CHECK(vh_global_init(region, sizeof region) == VH_GLOBAL_EBUSY);
    CHECK(vh_global_usable_size(keep) == 128);

    /* The API mirrors the core. */
    unsigned char *p = vh_global_calloc(10, 10);
    CHECK(p != NULL && vh_global_usable_size(p) == 128);
    for (int i = 0; p != NULL && i < 100; i++)
        CHECK(p[i] == 0);
    CHECK(vh_global_calloc(SIZE_MAX / 2, 3) == NULL);
    CHECK(hook_calls == 1 && hook_last_code == VH_EOVERFLOW);
    memset(p, 7, 100);
    p = vh_global_realloc(p, 10000);
    CHECK(p != NULL && vh_global_usable_size(p) == 16384 && p[99] == 7);
    void *a = vh_global_aligned_alloc(1024, 10);
    CHECK(a != NULL && ((uintptr_t)a & 1023) == 0);
    CHECK(vh_global_aligned_alloc(3, 10) == NULL && hook_last_code == VH_EALIGN);
    CHECK(vh_global_alloc(VH_MAX_ALLOC + 1) == NULL);
    CHECK(vh_global_stats(&st) == VH_OK);
    CHECK(st.total_bytes == sizeof region && st.allocations == 4 && st.deallocations == 1);
    CHECK(st.failed_allocations == 1 && st.errors == 2);
    CHECK(vh_global_check() == 0);

    /* Misuse goes through the hook, with the pointer. */
    CHECK(vh_global_free(a) == VH_OK);
    CHECK(vh_global_free(a) == VH_EDOUBLEFREE && hook_last_ptr == a);
    CHECK(vh_global_free(p + 16) == VH_EINTERIOR);
    CHECK(vh_global_free(&x) == VH_EFOREIGN && hook_last_code == VH_EFOREIGN);
    CHECK(hook_calls == 5);
    CHECK(vh_global_free(p) == VH_OK && vh_global_free(keep) == VH_OK);
    CHECK(vh_global_stats(&st) == VH_OK && st.used_bytes == 0 && st.allocations == st.deallocations);
    CHECK(vh_global_check() == 0);

    /* The outside lock excludes the heap's users: take it and release it. */
    vh_global_lock();
    vh_global_unlock();
    CHECK(vh_global_alloc(1) != NULL);

    if (failures != 0) {
        fprintf(stderr, "test_global (%s): %d failures\n", vh_global_lock_name(), failures);
        return 1;
    }
    printf("test_global (%s): all passed\n", vh_global_lock_name());
    return 0;
}
