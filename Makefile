# SPDX-License-Identifier: MIT
# vheap build.  `make help` lists the targets.
#
#   make          build/libvheap.a (release, single translation unit)
#   make check    everything CI runs: lint (gcc + clang, -Werror, freestanding
#                 symbol check), unit and random tests under ASan+UBSan, and
#                 whatever the mk/*.mk fragments add to CHECK_TARGETS
#
# Each capability around the core (fuzzing, proofs, benchmarks, the global
# heap and malloc shim) lives in its own fragment mk/NAME.mk, which adds its
# targets and appends its checks to CHECK_TARGETS.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

BUILD ?= build
CC ?= cc
CLANG ?= clang

# The core's warning set, for gcc and clang alike (lint, the release build).
STD_WARN := -std=c11 -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Werror
CORE_INC := -Icore/include -Icore
# The one file every build compiles: core/vheap.c includes the layers, in
# dependency order (CORE_LAYERS), so what ships is what is tested, fuzzed,
# measured and proved.  Rules depend on every core file (CORE_SRCS,
# CORE_HDRS) and compile only CORE_TU.
CORE_TU := core/vheap.c
CORE_LAYERS := core/bitmap.c core/page.c core/buddy.c core/slab.c core/layout.c core/heap.c \
	core/stats.c core/check.c core/sizing.c core/version.c
CORE_SRCS := $(CORE_TU) $(CORE_LAYERS)
CORE_HDRS := $(wildcard core/*.h core/include/*.h)
RELEASE_CFLAGS := -O2 -ffreestanding -fno-stack-protector $(STD_WARN)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# Files outside the core's translation unit that read its struct layouts
# (white-box checks through core/heap.h: tests, the fuzz harness's geometry
# cross-check) see the core's static prototypes without their definitions:
# those two warnings are off for them only.
LAYOUT_READER_FLAGS := -Wno-unused-function -Wno-undefined-internal

# Appended to by mk/*.mk: targets `make check` runs after the core's own.
CHECK_TARGETS :=

.PHONY: all lib check deps lint test test-unit help clean

all: lib
lib: $(BUILD)/libvheap.a

$(BUILD)/libvheap.a: $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(RELEASE_CFLAGS) $(CORE_INC) -c core/vheap.c -o $(BUILD)/vheap.o
	rm -f $@ && ar rcs $@ $(BUILD)/vheap.o

# ---- lint: warning-free under both compilers, freestanding, nothing but
# memcpy/memmove/memset/memcmp left undefined in the library. ----
LINT_OBJS := $(BUILD)/lint/gcc.o $(BUILD)/lint/clang.o $(BUILD)/lint/gcc-debug.o \
	$(BUILD)/lint/clang-m32-free.o
$(BUILD)/lint/gcc.o: $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	gcc $(RELEASE_CFLAGS) $(CORE_INC) -c $< -o $@
$(BUILD)/lint/clang.o: $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(RELEASE_CFLAGS) $(CORE_INC) -c $< -o $@
$(BUILD)/lint/gcc-debug.o: $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	gcc -O0 -g -DVH_DEBUG $(STD_WARN) $(CORE_INC) -c $< -o $@
# 32-bit freestanding compile (syntax and type check only: -fsyntax-only
# needs no 32-bit libraries) with a smaller top order.
$(BUILD)/lint/clang-m32-free.o: $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CLANG) -m32 -DVH_MAX_ORDER=6u $(RELEASE_CFLAGS) $(CORE_INC) -fsyntax-only $<
	@touch $@

lint: $(LINT_OBJS) $(BUILD)/libvheap.a
	@tools/lint/layers.sh $(CLANG) "$(STD_WARN)"
	@tools/lint/spdx.sh
	@bad=$$(grep -nE '#include *<' core/*.c core/*.h core/include/*.h \
		| grep -vE '<(stddef|stdint|stdbool|limits|vheap)\.h>|<sanitizer/asan_interface\.h>' || true); \
	if [ -n "$$bad" ]; then echo "lint: core includes non-freestanding headers:"; echo "$$bad"; exit 1; fi
	@undef=$$(nm -u $(BUILD)/libvheap.a | awk 'NF==2 {print $$2}' \
		| grep -vE '^(memcpy|memmove|memset|memcmp)$$' | sort -u || true); \
	if [ -n "$$undef" ]; then echo "lint: libvheap.a needs symbols beyond mem*: $$undef"; exit 1; fi
	@exported=$$(nm -g --defined-only $(BUILD)/libvheap.a | awk 'NF==3 {print $$3}' | grep -v '^vh_' || true); \
	if [ -n "$$exported" ]; then echo "lint: libvheap.a exports non-vh_ symbols: $$exported"; exit 1; fi
	@echo "lint: gcc and clang -Werror clean; freestanding includes; nm -u: $$(nm -u $(BUILD)/libvheap.a | awk 'NF==2 {print $$2}' | sort -u | tr '\n' ' ')"

# Capability fragments; before the test rule, which links the fuzz harness
# (FUZZ_HARNESS_SRCS of mk/fuzz.mk).
-include $(sort $(wildcard mk/*.mk))

# ---- unit and random tests, ASan + UBSan, debug asserts on ----
# tests/unit_core.c is the core's one translation unit (it includes
# core/vheap.c) plus the white-box tests that call its static functions; the
# other test files use the vh_* API and the struct layouts only.
TEST_WHITEBOX := tests/test_bitmap.c tests/test_buddy.c tests/test_check.c tests/test_layout.c tests/test_corrupt.c
TEST_SRCS := $(filter-out $(TEST_WHITEBOX),$(wildcard tests/*.c))
TEST_HDRS := $(wildcard tests/*.h)
TEST_BIN := $(BUILD)/tests/run-tests
TEST_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -g -O1 -DVH_DEBUG $(SAN_FLAGS) -Wall -Wextra -Werror \
	$(CORE_INC) -Itests -Ifuzz
$(TEST_BIN): $(TEST_SRCS) $(TEST_WHITEBOX) $(TEST_HDRS) $(CORE_SRCS) $(CORE_HDRS) \
		$(FUZZ_HARNESS_SRCS) $(FUZZ_HARNESS_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(TEST_CFLAGS) -c tests/unit_core.c -o $(BUILD)/tests/unit_core.o
	$(CLANG) $(TEST_CFLAGS) $(LAYOUT_READER_FLAGS) $(filter-out tests/unit_core.c,$(TEST_SRCS)) \
		$(FUZZ_HARNESS_SRCS) $(BUILD)/tests/unit_core.o -o $@

# The test binary holds the core once, with the release build's linkage:
# nothing but vh_* may be external.
test: $(TEST_BIN)
	@tools/lint/internal-symbols.sh $(TEST_BIN)
	$(TEST_BIN)

deps:
	ci/install-deps

# The README's test command.  Fragments run after the core's own checks.
check: deps
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test
	@for t in $(CHECK_TARGETS); do $(MAKE) --no-print-directory $$t; done
	@echo "check: all passed (lint test $(CHECK_TARGETS))"

help:
	@echo "make            build/libvheap.a"
	@echo "make check      lint + tests + fragment checks: $(CHECK_TARGETS)"
	@echo "make lint       gcc/clang -Werror builds, freestanding symbol check"
	@echo "make test       unit, misuse, fill, determinism and random differential tests"
	@grep -h '^## ' mk/*.mk 2>/dev/null | sed 's/^## /make /' || true

clean:
	rm -rf $(BUILD)
