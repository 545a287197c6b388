#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fails if a binary that exercises the core exports one of the core's
# internal functions: every build must compile core/vheap.c, where they are
# all static, and never a layer's .c file on its own.
#
# Usage: tools/lint/internal-symbols.sh BINARY...
set -euo pipefail
rx='^(bitmap_|buddy_|slab_|page_|pagelist_|heap_|layout_|merge_extent|free_push|free_unlink)'
fail=0
for bin in "$@"; do
    bad=$(nm --defined-only "$bin" | awk '$2 ~ /^[A-Z]$/ {print $3}' | grep -E "$rx" | sort -u || true)
    if [ -n "$bad" ]; then
        echo "internal-symbols: $bin exports core internals: $(echo "$bad" | tr '\n' ' ')"
        fail=1
    fi
done
[ "$fail" = 0 ] && echo "internal-symbols: no external core-internal symbol in $*"
exit "$fail"
