#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make amalgamation: the core as two files, vheap.c and vheap.h, that compile
# with no include path but their own folder.
#
#   tools/amalgamate.sh OUTDIR [ROOT]   writes OUTDIR/vheap.c and OUTDIR/vheap.h
#                                       from ROOT/core (default: this tree's)
#
# vheap.c is core/vheap.c with every `#include "..."` it reaches replaced by
# the file's text, followed recursively, each file once (in the order the
# compiler first meets it), between `/* ==== begin core/F ==== */` and
# `/* ==== end core/F ==== */` banners; a later include of the same file
# becomes a one-line note.  No file list: whatever core/vheap.c includes is
# in, so new core files need nothing here.  `#include <vheap.h>` (the public
# header) becomes `#include "vheap.h"`, the copy beside it; the freestanding
# `<...>` includes stay.  Comments, ACSL contracts and SPDX lines are kept
# as they are; each inlined header's text is wrapped in a clang pragma that
# keeps its unused static inline functions quiet, as they are in headers;
# no #line directives (compiler messages name the amalgamation's
# own lines).  vheap.h is core/include/vheap.h with a banner after its SPDX
# line.  Both start with the SPDX line and name the release (VH_VERSION_* of
# core/include/vheap.h).
#
# Fails (one line, non-zero) on an include it cannot resolve, on a quoted
# include inside an #if (inlining it once could drop it), on a version the
# header does not state consistently.
set -euo pipefail
die() { echo "amalgamate: $*" >&2; exit 1; }
[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: tools/amalgamate.sh OUTDIR [ROOT]"
mkdir -p "$1" || die "cannot create $1"
out=$(cd "$1" && pwd)
root=$(cd "${2:-$(dirname "$0")/..}" && pwd) || die "no folder ${2:-}"
cd "$root"

pub=core/include/vheap.h
top=core/vheap.c
[ -f "$top" ] && [ -f "$pub" ] || die "no $top or $pub under $root"
macro() { awk -v k="$1" '$1 == "#define" && $2 == k { print $3; found = 1 } END { exit !found }' "$pub"; }
major=$(macro VH_VERSION_MAJOR) && minor=$(macro VH_VERSION_MINOR) && patch=$(macro VH_VERSION_PATCH) ||
    die "$pub does not define VH_VERSION_MAJOR, _MINOR and _PATCH"
version=$major.$minor.$patch
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "$pub: version '$version' is not three numbers"
[ "$(macro VH_VERSION_STRING)" = "\"$version\"" ] || die "$pub: VH_VERSION_STRING is not \"$version\""
spdx='/* SPDX-License-Identifier: MIT */'
[ "$(head -n 1 "$pub")" = "$spdx" ] || die "$pub: first line is not $spdx"

# A quoted include, resolved as the compiler does for the core's build: the
# including file's folder, then -Icore/include, then -Icore.
resolve() {
    local name=$1 from=$2 d
    for d in "$from" core/include core; do
        if [ -f "$d/$name" ]; then
            realpath -m --relative-to="$root" "$d/$name"
            return 0
        fi
    done
    return 1
}

# Clang does not warn about an unused static inline function of a header,
# but it does in the main file, which the headers' text now is: each inlined
# header keeps the header's treatment, and only that warning, only there.
quiet_unused=('#ifdef __clang__ /* an unused static inline of a header is no warning, as in core/ */'
              '#pragma clang diagnostic push' '#pragma clang diagnostic ignored "-Wunused-function"' '#endif')

declare -A seen=()
seen[$top]=1
emit() {
    local f=$1 line n=0 depth=0 guard='' pending='' name target
    local dir
    dir=$(dirname "$f")
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        if [[ $line =~ ^[[:space:]]*#[[:space:]]*(if|ifdef|ifndef)[[:space:]]+([A-Za-z_0-9]*) ]]; then
            # The include guard: the file's first conditional, #ifndef G
            # followed by #define G.
            if [ -z "$pending" ] && [ "${BASH_REMATCH[1]}" = ifndef ]; then
                pending=${BASH_REMATCH[2]}
            else
                pending=-
            fi
            depth=$((depth + 1))
        elif [[ $line =~ ^[[:space:]]*#[[:space:]]*define[[:space:]]+([A-Za-z_0-9]+) ]] && [ -n "$pending" ] &&
            [ "$pending" != - ]; then
            [ "${BASH_REMATCH[1]}" = "$pending" ] && [ $depth -eq 1 ] && guard=$pending
            pending=-
        elif [[ $line =~ ^[[:space:]]*#[[:space:]]*endif ]]; then
            depth=$((depth - 1))
            [ $depth -eq 0 ] && guard=''
        fi
        if [[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]+)\" ]]; then
            name=${BASH_REMATCH[1]}
            target=$(resolve "$name" "$dir") || die "$f:$n: #include \"$name\" not found"
            if [ "$target" = "$pub" ]; then
                printf '%s\n' "${line/\"$name\"/\"vheap.h\"}"
                continue
            fi
            if [ $depth -gt 1 ] || { [ $depth -eq 1 ] && [ -z "$guard" ]; }; then
                die "$f:$n: #include \"$name\" inside #if: cannot inline it once"
            fi
            if [ -n "${seen[$target]:-}" ]; then
                echo "/* ==== $target: inlined above ==== */"
                continue
            fi
            seen[$target]=1
            echo "/* ==== begin $target ==== */"
            if [[ $target == *.h ]]; then
                printf '%s\n' "${quiet_unused[@]}"
                emit "$target"
                printf '%s\n' '#ifdef __clang__' '#pragma clang diagnostic pop' '#endif'
            else
                emit "$target"
            fi
            echo "/* ==== end $target ==== */"
        elif [[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\<vheap\.h\> ]]; then
            printf '%s\n' "${line/<vheap.h>/\"vheap.h\"}"
        else
            printf '%s\n' "$line"
        fi
    done < "$f"
    [ $depth -eq 0 ] || die "$f: $depth #if without #endif"
}

tmpc=$(mktemp "$out/.vheap.c.XXXXXX")
tmph=$(mktemp "$out/.vheap.h.XXXXXX")
trap 'rm -f "$tmpc" "$tmph"' EXIT
{
    echo "$spdx"
    echo "/* vheap $version: the amalgamation of the core (make amalgamation, tools/amalgamate.sh)."
    echo " *"
    echo " * Generated from $top and every file it includes, each once, in the order"
    echo " * the compiler meets them, between ==== begin/end core/FILE ==== banners;"
    echo " * edit core/ and regenerate rather than this file.  With vheap.h beside it,"
    echo " * it compiles alone, with no include path and no libc:"
    echo " *     cc -std=c11 -O2 -ffreestanding -c vheap.c"
    echo " * The ACSL contracts of the core are here too (Frama-C/WP, proofs/README.md). */"
    emit "$top"
} > "$tmpc"
{
    echo "$spdx"
    echo "/* vheap $version: the public header of the amalgamation (a copy of $pub). */"
    tail -n +2 "$pub"
} > "$tmph"
chmod 644 "$tmpc" "$tmph"
mv "$tmpc" "$out/vheap.c"
mv "$tmph" "$out/vheap.h"
trap - EXIT
echo "amalgamate: $1/vheap.c ($(wc -l < "$out/vheap.c") lines: $top and the $((${#seen[@]} - 1)) core files it includes) and $1/vheap.h, vheap $version"
