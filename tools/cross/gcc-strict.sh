#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs a gcc compile ("$@", without -Werror) and fails it, as -Werror would,
# on any warning but one: "'f' used but never defined".  The files that read
# the core's struct layouts (tests, the fuzz harness) include core/heap.h and
# see its static prototypes without their definitions; clang's
# -Wno-undefined-internal silences that (LAYOUT_READER_FLAGS, Makefile), gcc
# has no option for it and warns unconditionally.  Prints the compiler's
# output only when it fails.
#
#   tools/cross/gcc-strict.sh s390x-linux-gnu-gcc ARGS...
set -euo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
LC_ALL=C "$@" 2>"$log" || rc=$?
other=$(grep -E 'warning:|error:' "$log" | grep -vE "warning: '[A-Za-z_0-9]+' used but never defined$" || true)
if [ "$rc" -ne 0 ] || [ -n "$other" ]; then
    cat "$log" >&2
    echo "gcc-strict: $1 failed (exit $rc) or warned beyond 'used but never defined'" >&2
    exit 1
fi
