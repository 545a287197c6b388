#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make size: what vheap adds to a minimal static program (bench/size/minimal.c
# calling vh_init, vh_alloc, vh_calloc, vh_realloc, vh_free), in read-only
# bytes (GNU size's "text": code and constant tables), for x86-64 (gcc and
# clang) and a Cortex-M4 (clang, linked by ld.lld).  Each image is linked
# twice, with the calls and without (VH_SIZE_BASELINE); the difference is
# vheap's.  Flags: -Os -ffreestanding -ffunction-sections -fdata-sections
# -Wl,--gc-sections, and no unwind tables (a freestanding image has none;
# they are not code).
#
#   bench/size/size.sh OUTDIR [AMALGAMATION_DIR]   writes OUTDIR/report.md and prints it
#
# With AMALGAMATION_DIR (make amalgamation's output, as mk/size.mk passes
# it), the report also gives the size of the whole amalgamation, every
# vh_* function, as one object compiled alone from its folder (no -I) with
# the same flags, for the same three targets: text (code and read-only
# tables), data and bss.
#
# Exits non-zero when an image fails to build or a figure is missing; the
# 6 KiB target is reported (met / missed), not enforced, like make bench's.
set -euo pipefail
out=${1:?usage: size.sh OUTDIR [AMALGAMATION_DIR]}
amal=${2:-}
[ -z "$amal" ] || [ -f "$amal/vheap.c" ] || { echo "size: no $amal/vheap.c (make amalgamation)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
target=6144
flags=(-Os -ffreestanding -fno-stack-protector -ffunction-sections -fdata-sections
       -fno-asynchronous-unwind-tables -fno-unwind-tables -std=c11 -Wall -Wextra -Werror)
common=("${flags[@]}" -I"$root/core/include" -I"$root/core")
# The byte routines stay in both images (minimal.c), so they cancel out.
keep=(memset memmove)
keep_arm=("${keep[@]}" __aeabi_memset __aeabi_memset4 __aeabi_memset8 __aeabi_memclr
          __aeabi_memclr4 __aeabi_memclr8 __aeabi_memmove __aeabi_memmove4 __aeabi_memmove8)

die() { echo "size: $*" >&2; exit 1; }
text_of() { size "$1" | awk 'NR == 2 { print $1 }'; }

# A static, libc-free host image: $1 its name, $2 the compiler.
link_host() {
    local name=$1 cc=$2 v
    for v in full baseline; do
        local def=()
        [ "$v" = baseline ] && def=(-DVH_SIZE_BASELINE)
        "$cc" "${common[@]}" "${def[@]}" -nostdlib -static -Wl,--gc-sections \
            -Wl,-e,vh_size_entry $(printf -- '-Wl,--undefined=%s ' "${keep[@]}") \
            "$here/minimal.c" "$root/core/vheap.c" -o "$out/$name-$v" ||
            die "$name ($v) failed to build"
    done
}

# The Cortex-M4 image, compiled by clang and linked by ld.lld: $1 its name.
link_arm() {
    local name=$1 v arm=(--target=thumbv7em-none-eabi -mcpu=cortex-m4 -mthumb)
    clang "${arm[@]}" "${common[@]}" -c "$root/core/vheap.c" -o "$out/$name-vheap.o" ||
        die "$name: core/vheap.c failed to compile"
    for v in full baseline; do
        local def=()
        [ "$v" = baseline ] && def=(-DVH_SIZE_BASELINE)
        clang "${arm[@]}" "${common[@]}" "${def[@]}" -c "$here/minimal.c" -o "$out/$name-$v.o" ||
            die "$name ($v) failed to compile"
        ld.lld --gc-sections -e vh_size_entry $(printf -- '--undefined=%s ' "${keep_arm[@]}") \
            "$out/$name-$v.o" "$out/$name-vheap.o" -o "$out/$name-$v" || die "$name ($v) failed to link"
    done
}

link_host x86-64-gcc gcc
link_host x86-64-clang clang
link_arm cortex-m4-clang

# The amalgamation as one object: $1 the image name, $2 the compiler, then
# its target flags.
amal_object() {
    local name=$1 cc=$2
    shift 2
    (cd "$amal" && "$cc" "$@" "${flags[@]}" -c vheap.c -o "$out/$name-amalgamation.o") ||
        die "$name: the amalgamation failed to compile"
}
if [ -n "$amal" ]; then
    amal=$(cd "$amal" && pwd)
    amal_object x86-64-gcc gcc
    amal_object x86-64-clang clang
    amal_object cortex-m4-clang clang --target=thumbv7em-none-eabi -mcpu=cortex-m4 -mthumb
fi

report=$out/report.md
{
    echo "# vheap footprint (make size)"
    echo
    echo "Read-only bytes (code and constant tables: GNU size's text) that vheap adds to a minimal"
    echo "static program calling vh_init, vh_alloc, vh_calloc, vh_realloc and vh_free"
    echo "(bench/size/minimal.c): the image with the calls less the same image without them."
    echo "Flags: -Os -ffreestanding -ffunction-sections -fdata-sections -Wl,--gc-sections, no unwind tables."
    echo
    echo "| image | compiler | with vheap | without | vheap adds | target < $target |"
    echo "|---|---|---|---|---|---|"
} > "$report"
for name in x86-64-gcc x86-64-clang cortex-m4-clang; do
    full=$(text_of "$out/$name-full")
    base=$(text_of "$out/$name-baseline")
    [[ "$full" =~ ^[0-9]+$ && "$base" =~ ^[0-9]+$ ]] || die "$name: no text size"
    added=$((full - base))
    [ "$added" -gt 0 ] || die "$name: vheap adds $added bytes (the calls were not linked)"
    verdict=met
    [ "$added" -lt "$target" ] || verdict="**missed**"
    cc=${name##*-}; img=${name%-*}
    echo "| $img | $cc $("$cc" -dumpversion) | $full | $base | $added | $verdict |" >> "$report"
done
if [ -n "$amal" ]; then
    {
        echo
        nfun=$(nm -g --defined-only "$out/x86-64-gcc-amalgamation.o" | awk '$3 ~ /^vh_/' | wc -l)
        echo "The amalgamation (make amalgamation: $(sed -n 2p "$amal/vheap.c" | sed 's|^/\* \(vheap [0-9.]*\):.*|\1|'), all $nfun vh_* functions) as one"
        echo "object compiled alone, same flags: GNU size of the .o (text: code and read-only tables)."
        echo
        echo "| target | compiler | text | data | bss |"
        echo "|---|---|---|---|---|"
    } >> "$report"
    for name in x86-64-gcc x86-64-clang cortex-m4-clang; do
        read -r t d b _ < <(size "$out/$name-amalgamation.o" | awk 'NR == 2')
        [[ "$t" =~ ^[0-9]+$ && "$t" -gt 0 ]] || die "$name: no text size for the amalgamation"
        cc=${name##*-}; img=${name%-*}
        echo "| $img | $cc $("$cc" -dumpversion) | $t | $d | $b |" >> "$report"
    done
fi
{
    echo
    echo "Largest functions and tables of the x86-64 (gcc) image, bytes:"
    echo
    echo '```'
    nm -S --size-sort "$out/x86-64-gcc-full" | while read -r _ sz kind sym; do
        case "$kind" in t|T|r|R) printf '%6d %s\n' "$((16#$sz))" "$sym" ;; esac
    done | tail -12
    echo '```'
} >> "$report"
cat "$report"
