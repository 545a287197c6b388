# SPDX-License-Identifier: MIT
# Global heap (port/vheap_global.c), examples and the LD_PRELOAD malloc shim.
## shim          build/libvheap-malloc.so: LD_PRELOAD it to run a program on vheap
## shim-check    global heap tests (ASan, both locks), 8-thread stress (TSan, ASan, shim), examples, shim API, python3/sqlite3/git/gcc on the shim
## examples      build and run examples/ (freestanding kernel-style heap without libc, hosted threads)
## shim-bench    same-run timing of python3 and sqlite3 on the shim against glibc (median of per-round ratios)

SHIM_SO := $(BUILD)/libvheap-malloc.so
SHIM_DIR := $(BUILD)/shim
SHIM_INC := $(CORE_INC) -Iport
SHIM_GLOBAL := port/vheap_global.c port/vheap_global.h port/vh_lock.h
SHIM_SAN_BASE := -std=c11 -D_DEFAULT_SOURCE -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror
SHIM_TSAN_ITERS ?= 10000
SHIM_ASAN_ITERS ?= 40000
SHIM_MALLOC_ITERS ?= 100000

.PHONY: shim shim-check shim-deps examples examples-check shim-bench

shim-deps:
	@ci/install-deps shim

# Only the malloc family is exported; the core and the global heap are hidden.
# -fno-builtin-* keeps gcc from turning code inside the shim into calls of
# the very functions it defines.
$(SHIM_SO): port/vheap_malloc.c $(SHIM_GLOBAL) $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -g -fPIC -shared -fvisibility=hidden -DVH_GLOBAL_LOCK_PTHREAD \
		-fno-builtin-malloc -fno-builtin-calloc -fno-builtin-realloc -fno-builtin-free \
		-Wall -Wextra -Wpedantic -Werror $(SHIM_INC) \
		core/vheap.c port/vheap_global.c port/vheap_malloc.c -o $@ -lpthread
	@exp=$$(nm -D --defined-only $@ | awk '$$2 == "T" {print $$3}' | sort | tr '\n' ' '); \
	want="aligned_alloc calloc free malloc malloc_usable_size memalign posix_memalign pvalloc realloc reallocarray valloc "; \
	if [ "$$exp" != "$$want" ]; then echo "shim: exports '$$exp', expected '$$want'"; exit 1; fi

shim: $(SHIM_SO)

# ---- examples ----
# Freestanding: every object compiled -ffreestanding, linked -nostdlib
# -static (x86-64 entry point in examples/kernel_start.c); the heap objects
# may need nothing but mem* and each other.
SHIM_KFLAGS := -std=c11 -O2 -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns \
	-fno-stack-protector -fno-pie -Wall -Wextra -Wpedantic -Werror $(SHIM_INC)
SHIM_KOBJS := $(BUILD)/examples/k-core.o $(BUILD)/examples/k-global.o $(BUILD)/examples/k-main.o \
	$(BUILD)/examples/k-start.o
$(BUILD)/examples/k-core.o: $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	gcc $(SHIM_KFLAGS) -c $< -o $@
$(BUILD)/examples/k-global.o: port/vheap_global.c $(SHIM_GLOBAL) $(CORE_HDRS)
	@mkdir -p $(@D)
	gcc $(SHIM_KFLAGS) -c $< -o $@
$(BUILD)/examples/k-main.o: examples/kernel_heap.c port/vheap_global.h $(CORE_HDRS)
	@mkdir -p $(@D)
	gcc $(SHIM_KFLAGS) -c $< -o $@
$(BUILD)/examples/k-start.o: examples/kernel_start.c
	@mkdir -p $(@D)
	gcc $(SHIM_KFLAGS) -c $< -o $@
$(BUILD)/examples/kernel_heap: $(SHIM_KOBJS)
	@[ "$$(uname -m)" = x86_64 ] || { echo "examples: the no-libc entry point is x86-64 only"; exit 1; }
	@undef=$$(nm -u $(BUILD)/examples/k-core.o $(BUILD)/examples/k-global.o $(BUILD)/examples/k-main.o \
		| awk 'NF == 2 {print $$2}' | { grep -vE '^(vh_[a-z_]+|memcpy|memset|memmove|memcmp)$$' || true; } | sort -u); \
	if [ -n "$$undef" ]; then echo "examples: freestanding heap needs $$undef"; exit 1; fi
	gcc -nostdlib -static -no-pie $(SHIM_KOBJS) -o $@
$(BUILD)/examples/hosted: examples/hosted.c $(SHIM_GLOBAL) $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -Wall -Wextra -Wpedantic -Werror -DVH_GLOBAL_LOCK_PTHREAD $(SHIM_INC) \
		core/vheap.c port/vheap_global.c examples/hosted.c -o $@ -lpthread

examples: $(BUILD)/examples/kernel_heap $(BUILD)/examples/hosted
	$(BUILD)/examples/kernel_heap
	$(BUILD)/examples/hosted
examples-check: examples

# ---- global heap: unit tests (ASan + UBSan) and the stress test ----
$(SHIM_DIR)/test-global-%: port/tests/test_global.c port/tests/check.h $(SHIM_GLOBAL) $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(SHIM_SAN_BASE) -DVH_DEBUG $(SAN_FLAGS) $(if $(filter pthread,$*),-DVH_GLOBAL_LOCK_PTHREAD) \
		$(SHIM_INC) $(CORE_TU) port/vheap_global.c $< -o $@ -lpthread
# Core, global heap and test all instrumented by the same sanitizer.
$(SHIM_DIR)/stress-tsan-%: port/tests/stress_threads.c $(SHIM_GLOBAL) $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(SHIM_SAN_BASE) -fsanitize=thread $(if $(filter pthread,$*),-DVH_GLOBAL_LOCK_PTHREAD) \
		$(SHIM_INC) $(CORE_TU) port/vheap_global.c $< -o $@ -lpthread
$(SHIM_DIR)/stress-asan-%: port/tests/stress_threads.c $(SHIM_GLOBAL) $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(SHIM_SAN_BASE) -DVH_DEBUG $(SAN_FLAGS) $(if $(filter pthread,$*),-DVH_GLOBAL_LOCK_PTHREAD) \
		$(SHIM_INC) $(CORE_TU) port/vheap_global.c $< -o $@ -lpthread
$(SHIM_DIR)/stress-malloc: port/tests/stress_threads.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_DEFAULT_SOURCE -O2 -DSTRESS_MALLOC -Wall -Wextra -Werror $< -o $@ -lpthread
$(SHIM_DIR)/shim_api: port/tests/shim_api.c port/tests/check.h
	@mkdir -p $(@D)
	gcc -std=c11 -O1 -g -fno-builtin -Wall -Wextra -Werror -Wno-use-after-free $< -o $@ -lpthread

SHIM_TEST_BINS := $(SHIM_DIR)/test-global-spin $(SHIM_DIR)/test-global-pthread \
	$(SHIM_DIR)/stress-tsan-spin $(SHIM_DIR)/stress-tsan-pthread \
	$(SHIM_DIR)/stress-asan-spin $(SHIM_DIR)/stress-asan-pthread \
	$(SHIM_DIR)/stress-malloc $(SHIM_DIR)/shim_api

shim-check: shim-deps $(SHIM_SO) $(SHIM_TEST_BINS) examples
	$(SHIM_DIR)/test-global-spin
	$(SHIM_DIR)/test-global-pthread
	TSAN_OPTIONS=halt_on_error=1 $(SHIM_DIR)/stress-tsan-pthread $(SHIM_TSAN_ITERS)
	TSAN_OPTIONS=halt_on_error=1 $(SHIM_DIR)/stress-tsan-spin $(SHIM_TSAN_ITERS)
	$(SHIM_DIR)/stress-asan-pthread $(SHIM_ASAN_ITERS)
	$(SHIM_DIR)/stress-asan-spin $(SHIM_ASAN_ITERS)
	port/tests/shim-check.sh $(SHIM_SO) $(SHIM_DIR) $(SHIM_MALLOC_ITERS)
	nice port/tests/shim-programs.sh $(SHIM_SO) $(SHIM_DIR)/programs

CHECK_TARGETS += shim-check

SHIM_BENCH_ROUNDS ?= 5
shim-bench: shim-deps $(SHIM_SO)
	port/tests/shim-bench.sh $(SHIM_SO) $(SHIM_DIR)/bench $(SHIM_BENCH_ROUNDS)
