# SPDX-License-Identifier: MIT
# Footprint: the read-only bytes vheap adds to a minimal static program
# (bench/size/size.sh, bench/size/minimal.c), for x86-64 (gcc, clang) and a
# Cortex-M4 (clang, ld.lld); and the whole amalgamation (mk/embed.mk) as one
# -Os object for the same targets.  Packages: ci/deps/size.list.
## size         bytes of code and tables vheap adds to a minimal -Os static link, and the amalgamation's -Os object (x86-64, Cortex-M4) -> build/size/report.md

SIZE_DIR := $(BUILD)/size

.PHONY: size size-deps
CHECK_TARGETS += size

size-deps:
	@ci/install-deps size

size: size-deps amalgamation
	bench/size/size.sh $(SIZE_DIR) $(AMALGAMATION_DIR)
