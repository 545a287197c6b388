# SPDX-License-Identifier: MIT
# Quality measurements of the core: coverage and mutation testing.  Neither
# is part of `make check` (they take minutes and need gcovr); run them by hand
# or in a scheduled job.  Packages: ci/deps/quality.list.
#
# Coverage replays corpus/ through the fuzz harness (FUZZ_HARNESS_SRCS of
# mk/fuzz.mk, with its plain replay driver fuzz/driver_replay.c) when it is
# there.  The mutants use the tree's own rules for build/tests/run-tests,
# build/fuzz/ops-replay and build/fuzz/ops-libfuzzer (Makefile, mk/fuzz.mk),
# so they build with exactly the flags `make test` and `make fuzz-build` use.

## coverage        line + branch coverage of core/ (unit tests + corpus replay): build/coverage/index.html
## mutants         40 faults in a copy of core/; replay, ASan check, libFuzzer, unit tests must catch each: killed K/N (MUTANTS=ids)

.PHONY: coverage mutants

QUALITY_REPLAY_SRCS = $(if $(wildcard fuzz/driver_replay.c),$(FUZZ_HARNESS_SRCS) fuzz/driver_replay.c)
QUALITY_REPLAY_CFLAGS = -Ifuzz

coverage:
	ci/install-deps quality
	BUILD='$(BUILD)' CORE_SRCS='$(CORE_TU)' TEST_SRCS='$(TEST_SRCS) $(FUZZ_HARNESS_SRCS)' \
	REPLAY_SRCS='$(QUALITY_REPLAY_SRCS)' REPLAY_CFLAGS='$(QUALITY_REPLAY_CFLAGS)' \
	CORRUPT_SRCS='$(CORRUPT_SRCS) fuzz/driver_replay.c' \
	nice tools/coverage/coverage.sh

# MUTANTS=M03,M07 runs a subset; MUTANT_FUZZ_SECONDS (default 25) bounds the
# libFuzzer run given to mutants the replay and the ASan check miss;
# MUTANT_ALL_STAGES=1 runs every stage on every mutant (a per-stage matrix).
mutants:
	ci/install-deps quality
	BUILD='$(BUILD)' MAKE='$(MAKE)' nice python3 tools/mutants/mutants.py $(if $(MUTANTS),--only $(MUTANTS)) $(if $(filter-out 0,$(MUTANT_ALL_STAGES)),--all-stages)
