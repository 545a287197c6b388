/* SPDX-License-Identifier: MIT */
/* The white-box unit tests, compiled into the shipped translation unit:
 * core/vheap.c first, exactly as build/libvheap.a compiles it (every
 * internal function static), then the tests that call those internals.
 * The rest of the test binary reaches the core through the vh_* API that
 * this file exports, so the binary holds one copy of the core. */
#include "vheap.c"

#include "test_bitmap.c"
#include "test_buddy.c"
#include "test_check.c"
#include "test_layout.c"
#include "test_corrupt.c"
