#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make lint, layering part: the core's arrows point one way.
#
#   1. Each layer compiles on its own headers: clang -fsyntax-only on every
#      core/*.c alone, with the lint warnings as errors (the two warnings
#      about static functions declared in a header and defined in another
#      layer's file are off: core/vheap.c joins them into one unit).
#   2. A core file includes only headers of layers below its own (ranks
#      below), or its own header.
#   3. The buddy layer's code names no slab identifier.
#
# Usage: tools/lint/layers.sh CLANG "WARNING FLAGS"
set -euo pipefail
clang=${1:-clang}
warn=${2:--Wall -Wextra -Wpedantic -Werror}
cd "$(dirname "$0")/../.."
fail=0

# Rank of each core file's layer; config, port and spec are the base.
declare -A rank=([config]=0 [port]=0 [spec]=0 [bitmap]=1 [page]=1 [buddy]=2 [slab]=3
                 [layout]=3 [heap]=4 [stats]=5 [check]=5 [sizing]=5 [version]=5)

for c in core/*.c; do
    name=$(basename "$c" .c)
    [ "$name" = vheap ] && continue
    [ -n "${rank[$name]:-}" ] || { echo "lint-layers: $c has no rank in $0"; fail=1; continue; }
    # shellcheck disable=SC2086
    if ! "$clang" -std=c11 $warn -Wno-unused-function -Wno-undefined-internal -ffreestanding \
        -Icore/include -Icore -fsyntax-only "$c"; then
        echo "lint-layers: $c does not compile on its own headers"
        fail=1
    fi
done

for f in core/*.c core/*.h; do
    name=$(basename "${f%.*}")
    [ "$name" = vheap ] && continue
    mine=${rank[$name]:-}
    [ -n "$mine" ] || { echo "lint-layers: $f has no rank in $0"; fail=1; continue; }
    while read -r inc; do
        dep=${inc%.h}
        [ "$dep" = "$name" ] && continue
        theirs=${rank[$dep]:-}
        if [ -z "$theirs" ] || [ "$theirs" -ge "$mine" ] && ! { [ "$mine" = 0 ] && [ "$theirs" = 0 ]; }; then
            echo "lint-layers: $f (rank $mine) includes $inc (rank ${theirs:-?}): arrows must point down"
            fail=1
        fi
    done < <(sed -n 's/^#include "\([a-z_]*\.h\)".*/\1/p' "$f")
done

if grep -niE 'slab' core/buddy.h core/buddy.c | grep -v '^\S*:\s*[/ ]\*' ; then
    echo "lint-layers: the buddy layer's code names slabs (above)"
    fail=1
fi

[ "$fail" = 0 ] || exit 1
echo "lint-layers: each layer compiles alone; includes point down (bitmap, page < buddy < slab, layout < heap < stats, check, sizing, version); buddy names no slab"
