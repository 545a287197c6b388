/* SPDX-License-Identifier: MIT */
/* driver_libfuzzer: the libFuzzer entry point, and what OSS-Fuzz style
 * builds link with $LIB_FUZZING_ENGINE (whatever engine that is: it calls
 * LLVMFuzzerTestOneInput). */
#include <stddef.h>
#include <stdint.h>

#include "exec_counter.h"
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vhf_exec_counter_tick();
    return vh_fuzz_one(data, size);
}
