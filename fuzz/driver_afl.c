/* SPDX-License-Identifier: MIT */
/* driver_afl: AFL++ persistent mode with shared-memory input; build with
 * afl-clang-fast (which defines the __AFL_* macros). */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <stddef.h>
#include <stdint.h>
#include <unistd.h> /* read: __AFL_FUZZ_TESTCASE_LEN uses it outside shared-memory mode */

#include "exec_counter.h"
#include "harness.h"

__AFL_FUZZ_INIT();

int main(void)
{
    vhf_exec_counter_open(); /* before the fork server: children share the mapping */
    __AFL_INIT();
    unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;
    while (__AFL_LOOP(10000)) {
        size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;
        vhf_exec_counter_tick();
        vh_fuzz_one(buf, len);
    }
    return 0;
}
