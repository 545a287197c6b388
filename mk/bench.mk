# SPDX-License-Identifier: MIT
# Benchmarks: vheap against glibc malloc, jemalloc, mimalloc and tcmalloc
# (bench/vhbench.c; packages in ci/deps/bench.list).
## bench        time ratios, callgrind instruction counts, latency tails, memory -> build/bench/report.md + PNGs (< 10 min)
## bench-smoke  every benchmark case briefly; fails unless every operation succeeded and every figure was measured

BENCH_DIR := $(BUILD)/bench
BENCH_BIN := $(BENCH_DIR)/vhbench
BENCH_MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
BENCH_LIBDIR := /usr/lib/$(BENCH_MULTIARCH)
BENCH_PRELOADS := --preload jemalloc=$(BENCH_LIBDIR)/libjemalloc.so.2 \
	--preload mimalloc=$(BENCH_LIBDIR)/libmimalloc.so.2 \
	--preload tcmalloc=$(BENCH_LIBDIR)/libtcmalloc_minimal.so.4

.PHONY: bench bench-smoke bench-deps
CHECK_TARGETS += bench-smoke

bench-deps:
	ci/install-deps bench

# The core exactly as build/libvheap.a compiles it (RELEASE_CFLAGS), plus -g
# so that callgrind can name its lines.
$(BENCH_DIR)/vheap.o: $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(RELEASE_CFLAGS) -g $(CORE_INC) -c $< -o $@

$(BENCH_BIN): bench/vhbench.c $(BENCH_DIR)/vheap.o
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -fno-builtin-malloc -fno-builtin-free \
		-Icore/include $< $(BENCH_DIR)/vheap.o -o $@ -ldl -lm

# $(1): profile (bench|smoke), $(2): output directory
define bench_run
	$(BENCH_BIN) $(1) $(BENCH_PRELOADS) --out $(2)
	gnuplot -e "dir='$(2)'" bench/plot.gp
	@for p in ratio icount; do test -s $(2)/$$p.png || { echo "bench: $(2)/$$p.png missing"; exit 1; }; done
endef

bench: bench-deps
	$(MAKE) --no-print-directory $(BENCH_BIN)
	$(call bench_run,bench,$(BENCH_DIR))
	@cat $(BENCH_DIR)/report.md
	@echo "bench: report $(BENCH_DIR)/report.md, plots $(BENCH_DIR)/ratio.png $(BENCH_DIR)/icount.png"

bench-smoke: bench-deps
	$(MAKE) --no-print-directory $(BENCH_BIN)
	$(call bench_run,smoke,$(BUILD)/bench-smoke)
	@echo "bench-smoke: all cases ran on all allocators, every operation succeeded, report complete"
