# SPDX-License-Identifier: MIT
# Fuzzing: one harness (fuzz/ops.c and its parts: decoder, reference model,
# contents and hook checks), three drivers, the ASan poisoning check, the
# seed corpus and bounded campaigns.  Every fuzz binary compiles the core as
# shipped, from core/vheap.c alone (one translation unit, VH_UNITY: internal
# functions keep internal linkage, fuzz-symbols-check verifies it).
#
## fuzz-build      build/fuzz/{ops-libfuzzer,ops-afl,ops-afl-cmplog,ops-replay[-asan],asan-check,ops-seeds,corrupt-{libfuzzer,afl,replay}}
## fuzz            bounded campaign: ops under libFuzzer + AFL++ (main + CMPLOG), ops-corrupt under libFuzzer, side by side; FUZZ_SECONDS=600; FUZZ_NODE=name FUZZ_SYNC=dir: one node of a multi-machine campaign (fuzz/README.md)
## fuzz-smoke      core internals stay static, seeds decode as written and are up to date, replay corpus/ (ASan+UBSan, ASan alone), ASan poisoning check, corruption corpus replay, every engine ~30 s (make check)
## fuzz-replay     replay every input under corpus/ (seeds, found, regressions) through both targets
## fuzz-seeds      regenerate corpus/seeds/ with the harness's own encoder
## oss-fuzz-check  OSS-Fuzz / ClusterFuzzLite without Docker: fuzz/oss-fuzz-build.sh for libFuzzer and AFL++ (ASan), each target on its seed corpus; lint of the workflow and project files (make check)
## corpus-merge    merge the last campaign's finds (or FUZZ_SYNC=dir: a multi-machine campaign's) into corpus/found/ and corpus/corrupt/ (libFuzzer -merge=1)
## fuzz-nodes-check two nodes on this machine: what one finds, the other imports after the documented rsync step (make check)

FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 30
# The harness without a driver: also linked into the unit tests
# (tests/test_random.c runs random inputs through vh_fuzz_one).
FUZZ_HARNESS_SRCS := fuzz/ops.c fuzz/model.c fuzz/contents.c fuzz/hooks.c fuzz/decode.c fuzz/fail.c
FUZZ_HARNESS_HDRS := fuzz/harness.h fuzz/model.h fuzz/contents.h fuzz/hooks.h fuzz/decode.h fuzz/ops_format.h
# The shared execution counter of the libFuzzer and AFL drivers.
FUZZ_COUNTER_SRCS := fuzz/exec_counter.c
FUZZ_COUNTER_HDRS := fuzz/exec_counter.h
# The core as shipped: core/vheap.c includes the other core/*.c.
FUZZ_CORE := core/vheap.c
FUZZ_CORE_DEPS := $(FUZZ_CORE) $(CORE_SRCS) $(CORE_HDRS)
FUZZ_DEPS := $(FUZZ_HARNESS_SRCS) $(FUZZ_HARNESS_HDRS) $(FUZZ_CORE_DEPS)
# Debug asserts on in every fuzz build: a broken core invariant traps.
# fuzz/model.c reads the heap's struct layout (LAYOUT_READER_FLAGS, Makefile).
FUZZ_CFLAGS := -std=c11 -g -O1 -DVH_DEBUG -Wall -Wextra -Werror $(LAYOUT_READER_FLAGS) -fno-omit-frame-pointer \
	$(CORE_INC) -Ifuzz
AFL_CC ?= afl-clang-fast
# The engines' builds (not the replay): the harness then spaces its
# whole-heap checks (fuzz/harness.h, vhf_deep_every), as in OSS-Fuzz builds.
FUZZ_ENGINE_FLAGS := -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
# The binaries that hold the core, checked by fuzz-symbols-check.
FUZZ_CORE_BINS := $(FUZZ_DIR)/ops-libfuzzer $(FUZZ_DIR)/ops-afl $(FUZZ_DIR)/ops-afl-cmplog \
	$(FUZZ_DIR)/ops-replay $(FUZZ_DIR)/ops-replay-asan $(FUZZ_DIR)/asan-check
FUZZ_BINS := $(FUZZ_CORE_BINS) $(FUZZ_DIR)/ops-seeds
# Core-internal name prefixes that must never be external symbols there.
FUZZ_INTERNAL_PREFIXES := bitmap_|buddy_|slab_|page|pagelist_|heap_

.PHONY: oss-fuzz-check fuzz-nodes-check fuzz fuzz-build fuzz-bins fuzz-smoke fuzz-replay fuzz-seeds fuzz-seeds-check fuzz-symbols-check corpus-merge

# libFuzzer driver (OSS-Fuzz and ClusterFuzzLite link the same entry point
# with their engine: fuzz/oss-fuzz-build.sh).
# The harness gets edge coverage but no comparison tracing (its model walks
# every page after every call; tracing those loops cost 3x in exec/s); the
# core gets both, except the checkers listed in fuzz/coverage-ignore.txt.
FUZZ_LF_OBJS := $(patsubst fuzz/%.c,$(FUZZ_DIR)/libfuzzer-harness/%.o,\
	$(FUZZ_HARNESS_SRCS) $(FUZZ_COUNTER_SRCS) fuzz/driver_libfuzzer.c)
$(FUZZ_DIR)/libfuzzer-harness/%.o: fuzz/%.c $(FUZZ_HARNESS_HDRS) $(FUZZ_COUNTER_HDRS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) $(FUZZ_ENGINE_FLAGS) -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
		-fno-sanitize-coverage=trace-cmp -c $< -o $@
$(FUZZ_DIR)/ops-libfuzzer: $(FUZZ_LF_OBJS) $(FUZZ_CORE_DEPS) fuzz/coverage-ignore.txt
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-fsanitize-coverage-ignorelist=fuzz/coverage-ignore.txt \
		$(FUZZ_CORE) $(FUZZ_LF_OBJS) -o $@

# AFL++ persistent mode, ASan + UBSan; and the CMPLOG build for -c.
FUZZ_AFL_SRCS := $(FUZZ_CORE) $(FUZZ_HARNESS_SRCS) $(FUZZ_COUNTER_SRCS) fuzz/driver_afl.c
$(FUZZ_DIR)/ops-afl: $(FUZZ_DEPS) $(FUZZ_AFL_SRCS) $(FUZZ_COUNTER_HDRS) fuzz/coverage-ignore.txt
	@mkdir -p $(@D)
	AFL_QUIET=1 AFL_LLVM_DENYLIST=fuzz/coverage-ignore.txt AFL_USE_ASAN=1 AFL_USE_UBSAN=1 $(AFL_CC) $(FUZZ_CFLAGS) \
		$(FUZZ_ENGINE_FLAGS) $(FUZZ_AFL_SRCS) -o $@
$(FUZZ_DIR)/ops-afl-cmplog: $(FUZZ_DEPS) $(FUZZ_AFL_SRCS) $(FUZZ_COUNTER_HDRS) fuzz/coverage-ignore.txt
	@mkdir -p $(@D)
	AFL_QUIET=1 AFL_LLVM_DENYLIST=fuzz/coverage-ignore.txt AFL_LLVM_CMPLOG=1 $(AFL_CC) $(FUZZ_CFLAGS) \
		$(FUZZ_ENGINE_FLAGS) $(FUZZ_AFL_SRCS) -o $@

# Plain main: runs files and directories, names the failing input.
$(FUZZ_DIR)/ops-replay: $(FUZZ_DEPS) fuzz/driver_replay.c
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) $(SAN_FLAGS) $(FUZZ_CORE) $(FUZZ_HARNESS_SRCS) fuzz/driver_replay.c -o $@

# The same replay under ASan alone: UBSan's instrumentation changes what the
# optimizer does (it hid a false poisoning report in an ASan-only build).
$(FUZZ_DIR)/ops-replay-asan: $(FUZZ_DEPS) fuzz/driver_replay.c
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=address $(FUZZ_CORE) $(FUZZ_HARNESS_SRCS) fuzz/driver_replay.c -o $@

$(FUZZ_DIR)/asan-check: fuzz/asan_check.c $(FUZZ_CORE_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=address -fno-sanitize-recover=all $(FUZZ_CORE) fuzz/asan_check.c -o $@

# The seed writer and its encoder, with the harness's decoder for --check
# (no core).
FUZZ_SEEDS_SRCS := fuzz/seeds.c fuzz/encode.c fuzz/decode.c
$(FUZZ_DIR)/ops-seeds: $(FUZZ_SEEDS_SRCS) fuzz/encode.h fuzz/decode.h fuzz/ops_format.h core/include/vheap.h
	@mkdir -p $(@D)
	$(CLANG) -std=c11 -O1 -Wall -Wextra -Werror -Icore/include -Ifuzz $(FUZZ_SEEDS_SRCS) -o $@

# ---- ops-corrupt: the corruption target (fuzz/corrupt.c), same core, same
# drivers; its oracle is the threat model of SECURITY.md.
CORRUPT_SRCS := fuzz/corrupt.c fuzz/decode.c fuzz/fail.c
CORRUPT_DEPS := $(CORRUPT_SRCS) $(FUZZ_HARNESS_HDRS) $(FUZZ_CORE_DEPS)
$(FUZZ_DIR)/corrupt-libfuzzer: $(CORRUPT_DEPS) fuzz/driver_libfuzzer.c $(FUZZ_COUNTER_SRCS) fuzz/coverage-ignore.txt
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-fsanitize-coverage-ignorelist=fuzz/coverage-ignore.txt \
		$(FUZZ_CORE) $(CORRUPT_SRCS) $(FUZZ_COUNTER_SRCS) fuzz/driver_libfuzzer.c -o $@
$(FUZZ_DIR)/corrupt-afl: $(CORRUPT_DEPS) fuzz/driver_afl.c $(FUZZ_COUNTER_SRCS) fuzz/coverage-ignore.txt
	@mkdir -p $(@D)
	AFL_QUIET=1 AFL_LLVM_DENYLIST=fuzz/coverage-ignore.txt AFL_USE_ASAN=1 AFL_USE_UBSAN=1 $(AFL_CC) $(FUZZ_CFLAGS) \
		$(FUZZ_CORE) $(CORRUPT_SRCS) $(FUZZ_COUNTER_SRCS) fuzz/driver_afl.c -o $@
$(FUZZ_DIR)/corrupt-replay: $(CORRUPT_DEPS) fuzz/driver_replay.c
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) $(SAN_FLAGS) $(FUZZ_CORE) $(CORRUPT_SRCS) fuzz/driver_replay.c -o $@
FUZZ_CORE_BINS += $(FUZZ_DIR)/corrupt-libfuzzer $(FUZZ_DIR)/corrupt-afl $(FUZZ_DIR)/corrupt-replay
FUZZ_BINS += $(FUZZ_DIR)/corrupt-libfuzzer $(FUZZ_DIR)/corrupt-afl $(FUZZ_DIR)/corrupt-replay

fuzz-bins: $(FUZZ_BINS)

fuzz-build:
	ci/install-deps fuzz
	$(MAKE) --no-print-directory fuzz-bins

fuzz-seeds: $(FUZZ_DIR)/ops-seeds
	$(FUZZ_DIR)/ops-seeds --check
	rm -rf corpus/seeds && mkdir -p corpus/seeds
	$(FUZZ_DIR)/ops-seeds corpus/seeds

# The committed seeds must be what the encoder writes now.
fuzz-seeds-check: $(FUZZ_DIR)/ops-seeds
	rm -rf $(FUZZ_DIR)/seeds-check && mkdir -p $(FUZZ_DIR)/seeds-check
	$(FUZZ_DIR)/ops-seeds $(FUZZ_DIR)/seeds-check >/dev/null
	@diff -r corpus/seeds $(FUZZ_DIR)/seeds-check >/dev/null || \
		{ echo "fuzz-seeds-check: corpus/seeds/ is stale; run make fuzz-seeds and commit"; exit 1; }
	@echo "fuzz-seeds-check: corpus/seeds/ matches the encoder ($$(ls corpus/seeds | wc -l) seeds)"

# Core internals keep internal linkage in every binary that holds the core,
# as in build/libvheap.a: no external (uppercase nm type) symbol may start
# with a core-internal prefix.
fuzz-symbols-check: $(FUZZ_CORE_BINS)
	@leaked=$$(for b in $^; do nm -P "$$b" | awk -v b="$$(basename "$$b")" \
		'$$2 ~ /^[A-Z]$$/ && $$1 ~ /^($(FUZZ_INTERNAL_PREFIXES))/ {print "  " b ": " $$1 " " $$2}'; done); \
	if [ -n "$$leaked" ]; then \
		echo "fuzz-symbols-check: core-internal symbols with external linkage (build from core/vheap.c):"; \
		echo "$$leaked"; exit 1; fi
	@echo "fuzz-symbols-check: no external $(FUZZ_INTERNAL_PREFIXES) symbols in $(notdir $^)"

fuzz-replay: $(FUZZ_DIR)/ops-replay $(FUZZ_DIR)/corrupt-replay
	$(FUZZ_DIR)/ops-replay corpus
	$(FUZZ_DIR)/corrupt-replay corpus/corrupt corpus/regressions/corrupt

fuzz-smoke:
	ci/install-deps fuzz
	$(MAKE) --no-print-directory fuzz-bins
	$(MAKE) --no-print-directory fuzz-symbols-check
	$(FUZZ_DIR)/ops-seeds --check
	$(MAKE) --no-print-directory fuzz-seeds-check
	$(FUZZ_DIR)/ops-replay corpus
	$(FUZZ_DIR)/ops-replay-asan corpus
	$(FUZZ_DIR)/asan-check
	$(FUZZ_DIR)/corrupt-replay corpus/corrupt corpus/regressions/corrupt
	fuzz/campaign.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_DIR)/smoke

# A campaign alone, or node FUZZ_NODE of a multi-machine one whose AFL++
# sync directory is FUZZ_SYNC (logs in build/fuzz/campaign-NODE).
FUZZ_CAMPAIGN_DIR = $(FUZZ_DIR)/campaign$(if $(FUZZ_NODE),-$(FUZZ_NODE))
fuzz:
	ci/install-deps fuzz
	$(MAKE) --no-print-directory fuzz-bins
	fuzz/campaign.sh $(if $(FUZZ_SYNC),--node '$(or $(FUZZ_NODE),$(shell hostname -s))' --sync '$(FUZZ_SYNC)') \
		$(FUZZ_SECONDS) $(FUZZ_CAMPAIGN_DIR)

corpus-merge:
	ci/install-deps fuzz
	$(MAKE) --no-print-directory fuzz-bins
	fuzz/corpus-merge.sh $(or $(FUZZ_SYNC),$(FUZZ_DIR)/campaign)

fuzz-nodes-check:
	ci/install-deps fuzz
	$(MAKE) --no-print-directory fuzz-bins
	fuzz/nodes-check.sh

# What OSS-Fuzz / ClusterFuzzLite would build and run (fuzz/oss-fuzz-check.sh).
oss-fuzz-check:
	ci/install-deps fuzz ossfuzz
	fuzz/oss-fuzz-check.sh

CHECK_TARGETS += fuzz-smoke oss-fuzz-check fuzz-nodes-check
