/* SPDX-License-Identifier: MIT */
/* Long random differential test: seeded random bytes run as inputs of the
 * fuzz harness (vh_fuzz_one, fuzz/harness.h), so every call is checked
 * against its reference model: addresses, alignment, disjointness,
 * contents, calloc zeroing, exact stats and error codes, no spurious
 * out-of-memory, ASan poison state, vh_check after every call, and a heap
 * as good as new once everything is freed.  The random headers pick every
 * region size, start phase, misalignment and hooks mode of the input format
 * (fuzz/ops_format.h); the operations include deliberate misuse.
 *
 * A failed check prints "vheap-fuzz: FAIL ..." and aborts the test binary,
 * as it crashes a fuzzer.  The bytes of input i of a seed are the xorshift
 * stream continued from input i - 1, so a failure is reproduced by running
 * the same seed again. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "t.h"

/* The harness runs at most 2000 operations per input, of ~2.7 random bytes
 * each: 6000 bytes reach that cap (inputs whose region is too small for a
 * heap run none). */
#define INPUT_BYTES 6000u
#define OPS_PER_SEED 260000u /* 4 seeds: 1,040,000 operations */
#define MAX_INPUTS 2000u     /* stops a harness that runs nothing */

static void random_inputs(uint64_t seed)
{
    uint8_t *input = malloc(INPUT_BYTES); /* exactly sized: ASan sees reads past the end */
    CHECK(input != NULL);
    uint64_t rng = seed;
    size_t inputs = 0, ops = 0, calls = 0;
    while (ops < OPS_PER_SEED && inputs < MAX_INPUTS) {
        /* Little-endian, whatever the host's order: a seed's inputs are
         * the same bytes on every target (make cross-check). */
        for (size_t i = 0; i < INPUT_BYTES; i += 8u) {
            uint64_t x = t_rand(&rng);
            for (size_t k = 0; k < 8u && i + k < INPUT_BYTES; k++)
                input[i + k] = (uint8_t)(x >> (8u * k));
        }
        CHECK_EQ(vh_fuzz_one(input, INPUT_BYTES), 0);
        inputs++;
        ops += vhf_run.ops;
        calls += vhf_run.calls;
    }
    free(input);
    printf("     seed %llu: %zu inputs, %zu operations, %zu checked heap calls\n", (unsigned long long)seed,
           inputs, ops, calls);
    CHECK(ops >= OPS_PER_SEED);
}

TEST(random_ops_seed_1)
{
    random_inputs(1);
}

TEST(random_ops_seed_2)
{
    random_inputs(2);
}

TEST(random_ops_seed_3)
{
    random_inputs(3);
}

TEST(random_ops_seed_4)
{
    random_inputs(4);
}
