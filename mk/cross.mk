# SPDX-License-Identifier: MIT
# Cross-checks (issue 15, "Embedding"): the unit tests and the corpus replay
# built for 32-bit x86 and for big-endian s390x, run there; the core compiled
# freestanding for a Cortex-M4.  Packages: ci/deps/cross.list.
#
#   i386       clang -m32, TEST_CFLAGS / FUZZ_CFLAGS as on the host, with
#              ASan + UBSan (clang-14's i386 runtimes, libclang-rt-14-dev).
#   s390x      Debian's s390x-linux-gnu-gcc, run under qemu-s390x (qemu-user)
#              against /usr/s390x-linux-gnu.  UBSan only (gcc's libubsan,
#              linked statically): ASan's s390x shadow (2^49 bytes reserved)
#              does not fit in what qemu-user can map on an x86-64 host.
#              Dynamically linked: gcc does not link sanitizers into -static
#              programs.  gcc has no switch for the "used but never defined"
#              warning the layout readers get (clang's -Wno-undefined-internal),
#              so tools/cross/gcc-strict.sh fails the compile on any other
#              warning instead of -Werror.
#   cortex-m4  clang --target=thumbv7em-none-eabi -mcpu=cortex-m4 -mthumb,
#              RELEASE_CFLAGS (-ffreestanding, STD_WARN with -Werror) and a
#              -O0 VH_DEBUG build; undefined symbols: the mem* routines
#              (memcpy/memmove/memset/memcmp, __aeabi_mem*) and the compiler
#              runtime's division helpers (__aeabi_*divmod) only.
#
# All three use the default configuration (VH_MAX_ORDER 9): the tests'
# regions, up to 64 MiB, fit a 32-bit address space.
#
# Time, from a clean clone on the shared 2-core machine: 825 s (builds ~15 s,
# i386 34 s, s390x 773 s, of which the unit tests under qemu, four
# random-differential seeds of 260,000 operations, are about 10 minutes and
# the replays about 100 s).  make check takes ~13 of its ~20 minutes, so
# cross-check is its own step of .ci/run, after make check, rather than one
# of CHECK_TARGETS.
## cross-check  unit tests + corpus replay on i386 (clang -m32, ASan+UBSan) and big-endian s390x (gcc, UBSan, qemu-user); core compiled for Cortex-M4 (clang, freestanding, -Werror)

CROSS_DIR := $(BUILD)/cross
# What the test and replay binaries compile, known when this fragment is read
# (TEST_SRCS and FUZZ_HARNESS_SRCS come later; the recipes expand them).
CROSS_DEPS = $(CORE_SRCS) $(CORE_HDRS) $(wildcard tests/*.c tests/*.h fuzz/*.c fuzz/*.h) mk/cross.mk

CROSS_I386_CC := $(CLANG) -m32

CROSS_S390X_CC := s390x-linux-gnu-gcc
CROSS_S390X_SAN := -fsanitize=undefined -fno-sanitize-recover=all -static-libubsan -fno-omit-frame-pointer
CROSS_S390X_RUN := qemu-s390x -L /usr/s390x-linux-gnu
CROSS_S390X_GCC := tools/cross/gcc-strict.sh $(CROSS_S390X_CC)
# The host's flags for gcc: its sanitizer set, no -Werror (gcc-strict.sh),
# no clang-only warning switch.
cross_s390x_flags = $(filter-out $(SAN_FLAGS) -Werror -Wno-undefined-internal,$(1)) $(CROSS_S390X_SAN)

CROSS_M4_FLAGS := --target=thumbv7em-none-eabi -mcpu=cortex-m4 -mthumb
CROSS_M4_UNDEF_OK := mem(cpy|move|set|cmp)|__aeabi_mem(cpy|move|set|clr)[48]?|__aeabi_u?l?divmod|__aeabi_u?idiv(mod)?

CROSS_BINS := $(foreach t,i386 s390x,$(addprefix $(CROSS_DIR)/$(t)/,run-tests ops-replay corrupt-replay ops-seeds))
CROSS_M4_OBJS := $(CROSS_DIR)/cortex-m4/vheap.o $(CROSS_DIR)/cortex-m4/vheap-debug.o

.PHONY: cross-check cross-deps cross-bins cross-m4

cross-deps:
	@ci/install-deps cross

# ---- i386: the rules of TEST_BIN and fuzz-replay, with -m32. ----
$(CROSS_DIR)/i386/run-tests: $(CROSS_DEPS)
	@mkdir -p $(@D)
	$(CROSS_I386_CC) $(TEST_CFLAGS) -c tests/unit_core.c -o $(@D)/unit_core.o
	$(CROSS_I386_CC) $(TEST_CFLAGS) $(LAYOUT_READER_FLAGS) $(filter-out tests/unit_core.c,$(TEST_SRCS)) \
		$(FUZZ_HARNESS_SRCS) $(@D)/unit_core.o -o $@
$(CROSS_DIR)/i386/ops-replay: $(CROSS_DEPS)
	@mkdir -p $(@D)
	$(CROSS_I386_CC) $(FUZZ_CFLAGS) $(SAN_FLAGS) $(FUZZ_CORE) $(FUZZ_HARNESS_SRCS) fuzz/driver_replay.c -o $@
$(CROSS_DIR)/i386/corrupt-replay: $(CROSS_DEPS)
	@mkdir -p $(@D)
	$(CROSS_I386_CC) $(FUZZ_CFLAGS) $(SAN_FLAGS) $(FUZZ_CORE) $(CORRUPT_SRCS) fuzz/driver_replay.c -o $@
# The seed writer (no core), with the target's sanitizers.
$(CROSS_DIR)/i386/ops-seeds: $(CROSS_DEPS)
	@mkdir -p $(@D)
	$(CROSS_I386_CC) -std=c11 -O1 -Wall -Wextra -Werror $(SAN_FLAGS) -Icore/include -Ifuzz $(FUZZ_SEEDS_SRCS) -o $@

# ---- s390x: the same sources and flags, through gcc-strict.sh. ----
$(CROSS_DIR)/s390x/run-tests: $(CROSS_DEPS) tools/cross/gcc-strict.sh
	@mkdir -p $(@D)
	$(CROSS_S390X_GCC) $(call cross_s390x_flags,$(TEST_CFLAGS)) -c tests/unit_core.c -o $(@D)/unit_core.o
	$(CROSS_S390X_GCC) $(call cross_s390x_flags,$(TEST_CFLAGS) $(LAYOUT_READER_FLAGS)) \
		$(filter-out tests/unit_core.c,$(TEST_SRCS)) $(FUZZ_HARNESS_SRCS) $(@D)/unit_core.o -o $@
$(CROSS_DIR)/s390x/ops-replay: $(CROSS_DEPS) tools/cross/gcc-strict.sh
	@mkdir -p $(@D)
	$(CROSS_S390X_GCC) $(call cross_s390x_flags,$(FUZZ_CFLAGS)) $(FUZZ_CORE) $(FUZZ_HARNESS_SRCS) \
		fuzz/driver_replay.c -o $@
$(CROSS_DIR)/s390x/corrupt-replay: $(CROSS_DEPS) tools/cross/gcc-strict.sh
	@mkdir -p $(@D)
	$(CROSS_S390X_GCC) $(call cross_s390x_flags,$(FUZZ_CFLAGS)) $(FUZZ_CORE) $(CORRUPT_SRCS) \
		fuzz/driver_replay.c -o $@
$(CROSS_DIR)/s390x/ops-seeds: $(CROSS_DEPS) tools/cross/gcc-strict.sh
	@mkdir -p $(@D)
	$(CROSS_S390X_GCC) -std=c11 -O1 -Wall -Wextra $(CROSS_S390X_SAN) -Icore/include -Ifuzz $(FUZZ_SEEDS_SRCS) -o $@

# ---- Cortex-M4: the release and debug compiles of lint, for the target. ----
$(CROSS_DIR)/cortex-m4/vheap.o: $(CORE_SRCS) $(CORE_HDRS) mk/cross.mk
	@mkdir -p $(@D)
	$(CLANG) $(CROSS_M4_FLAGS) $(RELEASE_CFLAGS) $(CORE_INC) -c $(CORE_TU) -o $@
$(CROSS_DIR)/cortex-m4/vheap-debug.o: $(CORE_SRCS) $(CORE_HDRS) mk/cross.mk
	@mkdir -p $(@D)
	$(CLANG) $(CROSS_M4_FLAGS) -ffreestanding -O0 -g -DVH_DEBUG $(STD_WARN) $(CORE_INC) -c $(CORE_TU) -o $@

cross-bins: $(CROSS_BINS) $(CROSS_M4_OBJS)

cross-m4: $(CROSS_M4_OBJS)
	@undef=$$(for o in $^; do nm -u "$$o" | awk 'NF==2 {print $$2}'; done | sort -u); \
	bad=$$(echo "$$undef" | grep -vxE '$(CROSS_M4_UNDEF_OK)' | grep . || true); \
	if [ -n "$$bad" ]; then echo "cross-check: cortex-m4: core/vheap.c needs symbols beyond mem* and division helpers: $$bad" >&2; exit 1; fi; \
	echo "cross-check: cortex-m4: core/vheap.c compiles -ffreestanding -Werror (-O2, -O0 VH_DEBUG), no warnings; undefined: $$(echo $$undef)"

cross-check: cross-deps
	@start=$$SECONDS; \
	$(MAKE) --no-print-directory cross-bins; \
	tools/cross/run.sh "i386 (clang -m32, ASan+UBSan)" $(CROSS_DIR)/i386; \
	tools/cross/run.sh "s390x big-endian (gcc, UBSan, qemu-user)" $(CROSS_DIR)/s390x $(CROSS_S390X_RUN); \
	$(MAKE) --no-print-directory cross-m4; \
	echo "cross-check: all passed (i386, s390x, cortex-m4) in $$((SECONDS - start)) s"
