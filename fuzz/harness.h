/* SPDX-License-Identifier: MIT */
/* harness: what every part of vheap's operation-sequence fuzzer shares.
 *
 * The harness (everything but the drivers) is hosted code: libc is fine
 * here, the core under test stays freestanding.  Its parts, one concern each:
 *   decode.{h,c}    input bytes -> heap set-up and decoded operations
 *   model.{h,c}     the reference model: documented geometry, page picture,
 *                   pointer classification, expected stats, allowed OOM
 *   contents.{h,c}  block contents patterns and ASan poison checks
 *   hooks.{h,c}     lock and error hooks that record what the heap did
 *   ops.c           executing decoded operations; vh_fuzz_one
 * The drivers (driver_libfuzzer.c, driver_afl.c, driver_replay.c) are the
 * only files that define main or LLVMFuzzerTestOneInput.
 *
 * A check that fails prints one line naming the input, the operation and
 * what disagreed, then abort()s, so every engine sees a crash.
 */
#ifndef VHF_HARNESS_H
#define VHF_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#define PAGE ((size_t)4096) /* VH_PAGE_SIZE, as a size_t for the model's arithmetic */

struct vhf_decoded_op;

/* Where the current run is; read by vhf_fail, and by callers that want to
 * know how much a run did (tests/test_random.c). */
struct vhf_run {
    const char *input_name;           /* replay: the file being run; else NULL */
    unsigned opno;                    /* operation number, 0 during set-up */
    const char *opname;               /* name of the operation or phase */
    const struct vhf_decoded_op *op;  /* the operation being run, NULL outside ops */
    unsigned ops;                     /* operations run by the last vh_fuzz_one */
    size_t calls;                     /* heap calls checked by the last vh_fuzz_one */
};
extern struct vhf_run vhf_run;

/* Prints "vheap-fuzz: FAIL [in INPUT] op #N (NAME): message" and aborts. */
void vhf_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#define REQUIRE(cond, ...)                                                                         \
    do {                                                                                           \
        if (!(cond))                                                                               \
            vhf_fail(__VA_ARGS__);                                                                 \
    } while (0)

/* The whole-heap checks (vh_check, the contents of the live blocks) run
 * after every call when this is 1, else after every vhf_deep_every-th call
 * and after a run's last call (ops.c says why).  It is 1 unless the harness is compiled for a fuzzing engine
 * (FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, as OSS-Fuzz and make fuzz
 * compile it): then VHF_FUZZ_DEEP_EVERY, or VH_FUZZ_DEEP_EVERY from the
 * environment (1 restores every call).  Replay, the unit tests and make
 * check's corpus replay check every call. */
extern unsigned vhf_deep_every;
#define VHF_FUZZ_DEEP_EVERY 8u

/* Runs one input (format: ops_format.h): sets up a heap, runs its
 * operations with every check, frees everything and checks the heap is as
 * good as new.  Returns 0 (libFuzzer's contract); a failed check aborts. */
int vh_fuzz_one(const uint8_t *data, size_t size);

#endif /* VHF_HARNESS_H */
