#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README's three ways into the core ("Embedding the core"), each built
# from nothing but what an embedder has, with examples/hello.c as the
# program (it exits non-zero on any unexpected result).  Run by make
# (mk/embed.mk), which passes MAKE, BUILD, STD_WARN:
#
#   tools/embed-check.sh copy           a copy of core/ alone, -Icore -Icore/include (gcc, clang)
#   tools/embed-check.sh amalgamation   $BUILD/amalgamation/vheap.{c,h} alone, in a folder with
#                                       the example (gcc, clang); same machine code as core/vheap.c;
#                                       every core file and ACSL annotation in it; Frama-C parses it
#   tools/embed-check.sh install        make install into a temporary prefix, then once with
#                                       DESTDIR; the example built with pkg-config's flags only;
#                                       make uninstall leaves no file
#
# Prints one line per step; exits non-zero with a one-line reason on the
# first failure.
set -euo pipefail
mode=${1:-}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
die() { echo "embed-check $mode: $*" >&2; exit 1; }
MAKE=${MAKE:-make}
BUILD=${BUILD:-build}
: "${STD_WARN:?embed-check: STD_WARN unset: run it through make (mk/embed.mk)}"
# shellcheck disable=SC2206
warn=($STD_WARN)
example=examples/hello.c
hosted=(-std=c11 -O2 -Wall -Wextra -Wpedantic -Werror)
version=$(awk '$1 == "#define" && $2 ~ /^VH_VERSION_(MAJOR|MINOR|PATCH)$/ { v[$2] = $3 }
    END { if (length(v) == 3) print v["VH_VERSION_MAJOR"] "." v["VH_VERSION_MINOR"] "." v["VH_VERSION_PATCH"] }' \
    core/include/vheap.h)
[ -n "$version" ] || die "core/include/vheap.h states no VH_VERSION_MAJOR/MINOR/PATCH"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vheap-embed.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

version_number=$(awk -F. '{ print $1 * 10000 + $2 * 100 + $3 }' <<< "$version")

# Runs the example binary $1; it must exit 0 and end with "hello: ok".
run_example() {
    local bin=$1 what=$2 outp
    outp=$("$bin" 2>&1) || { printf '%s\n' "$outp" >&2; die "$what: the example failed"; }
    [ "$(printf '%s\n' "$outp" | tail -n 1)" = "hello: ok" ] || die "$what: the example did not end with 'hello: ok'"
    printf '%s\n' "$outp" | grep -q "^vheap $version (header $version_number, library $version_number)$" ||
        die "$what: the example did not report version $version"
}

# Only vh_* defined, only mem* undefined: what the lint asks of libvheap.a.
symbols_ok() {
    local obj=$1 what=$2 bad
    bad=$(nm -g --defined-only "$obj" | awk 'NF == 3 { print $3 }' | grep -v '^vh_' || true)
    [ -z "$bad" ] || die "$what exports non-vh_ symbols: $bad"
    bad=$(nm -u "$obj" | awk 'NF == 2 { print $2 }' | grep -vE '^(memcpy|memmove|memset|memcmp)$' || true)
    [ -z "$bad" ] || die "$what needs symbols beyond mem*: $bad"
}

check_copy() {
    local cc d
    for cc in gcc clang; do
        d=$tmp/copy-$cc
        mkdir -p "$d"
        cp -r core "$d/core"
        cp "$example" "$d/hello.c"
        (cd "$d" && "$cc" "${warn[@]}" -O2 -ffreestanding -fno-stack-protector -Icore -Icore/include \
            -c core/vheap.c -o vheap.o) || die "$cc: the copy of core/ does not compile"
        symbols_ok "$d/vheap.o" "$cc: core/vheap.c"
        (cd "$d" && "$cc" "${hosted[@]}" -Icore/include hello.c vheap.o -o hello) ||
            die "$cc: the example does not build against the copy of core/"
        run_example "$d/hello" "$cc, copy of core/"
        echo "embed-check copy: $cc: core/ copied alone, core/vheap.c with -Icore -Icore/include, -Werror -ffreestanding; example ok"
    done
}

count_acsl() { cat "$@" | grep -oE '/\*@|//@' | wc -l; }

check_amalgamation() {
    local amal=$BUILD/amalgamation cc d f want got ref nfiles
    for f in vheap.c vheap.h; do
        [ -f "$amal/$f" ] || die "no $amal/$f (make amalgamation)"
        [ "$(head -n 1 "$amal/$f")" = '/* SPDX-License-Identifier: MIT */' ] || die "$amal/$f: no SPDX line first"
        sed -n 2p "$amal/$f" | grep -q "vheap $version" || die "$amal/$f: line 2 does not name vheap $version"
    done
    # Every core source once, and nothing else (the include chain is the build).
    want=$(cd core && ls ./*.c ./*.h | sed 's|^\./|core/|' | grep -vx core/vheap.c | sort)
    got=$(sed -n 's|^/\* ==== begin \(core/[^ ]*\) ==== \*/$|\1|p' "$amal/vheap.c" | sort)
    nfiles=$(echo "$want" | wc -l)
    [ "$got" = "$want" ] || die "the files inlined are not core/'s: $(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
    [ "$(sed -n 's|^/\* ==== begin \(core/[^ ]*\) ==== \*/$|\1|p' "$amal/vheap.c" | sort | uniq -d)" = "" ] ||
        die "a core file is inlined twice"
    # Every ACSL annotation of core/ is in the two files.
    want=$(count_acsl core/*.c core/*.h core/include/vheap.h)
    got=$(count_acsl "$amal/vheap.c" "$amal/vheap.h")
    [ "$got" = "$want" ] || die "$got ACSL annotations in the amalgamation, $want in core/"
    grep -q '#include *<vheap.h>' "$amal/vheap.c" && die "vheap.c still includes <vheap.h>"
    for cc in gcc clang; do
        d=$tmp/amalgamation-$cc
        mkdir -p "$d"
        cp "$amal/vheap.c" "$amal/vheap.h" "$d/"
        cp "$example" "$d/hello.c"
        # No -I at all for the library: its header is beside it.
        (cd "$d" && "$cc" "${warn[@]}" -O2 -ffreestanding -fno-stack-protector -c vheap.c -o vheap.o) ||
            die "$cc: the amalgamation does not compile alone"
        symbols_ok "$d/vheap.o" "$cc: the amalgamation"
        # The same machine code as the core's own translation unit.
        ref=$d/core-vheap.o
        "$cc" "${warn[@]}" -O2 -ffreestanding -fno-stack-protector -Icore/include -Icore -c core/vheap.c -o "$ref"
        cmp -s <(objdump -d "$d/vheap.o" | tail -n +4) <(objdump -d "$ref" | tail -n +4) ||
            die "$cc: the amalgamation's code differs from core/vheap.c's"
        (cd "$d" && "$cc" "${hosted[@]}" -I. hello.c vheap.o -o hello) ||
            die "$cc: the example does not build against the amalgamation"
        run_example "$d/hello" "$cc, amalgamation"
        echo "embed-check amalgamation: $cc: vheap.c + vheap.h alone, no -I, -Werror -ffreestanding; code identical to core/vheap.c's; example ok"
    done
    echo "embed-check amalgamation: $nfiles core files inlined once each, $got ACSL annotations (as in core/), SPDX and vheap $version on line 1-2"
    if command -v frama-c > /dev/null; then
        d=$tmp/amalgamation-gcc
        (cd "$d" && frama-c -c11 -machdep gcc_x86_64 -pp-annot \
            "-cpp-extra-args=-include $root/proofs/framac-prelude.h" vheap.c \
            -wp -wp-fct vh_version -wp-prover qed -wp-cache none > framac.log 2>&1) ||
            { tail -5 "$d/framac.log" >&2; die "Frama-C does not parse the amalgamation"; }
        grep -q 'Proved goals: *2 / 2' "$d/framac.log" || { tail -5 "$d/framac.log" >&2; die "Frama-C: vh_version not proved in the amalgamation"; }
        echo "embed-check amalgamation: Frama-C parses it with its contracts (WP on vh_version there: 2/2)"
    else
        echo "embed-check amalgamation: frama-c not installed: the Frama-C parse is skipped (ci/install-deps prove)"
    fi
}

# pkg-config's flags for the tree, then the example built with them only.
pc_build() {
    local what=$1 flags d=$tmp/pc-$2 cc=${CC:-cc}
    shift 2
    flags=$(env "$@" pkg-config --cflags --libs vheap) || die "$what: pkg-config --cflags --libs vheap failed"
    [ "$(env "$@" pkg-config --modversion vheap)" = "$version" ] || die "$what: pkg-config --modversion is not $version"
    env "$@" pkg-config --validate vheap || die "$what: pkg-config --validate vheap failed"
    mkdir -p "$d"
    cp "$example" "$d/hello.c"
    # The control: without the flags the example must not build, or this
    # test could pass with a wrong vheap.pc.
    if (cd "$d" && "$cc" "${hosted[@]}" hello.c -lvheap -o hello-control) > /dev/null 2>&1; then
        die "$what: the example builds without pkg-config's flags (a vheap.h and libvheap.a in the system paths?): the test would prove nothing"
    fi
    # shellcheck disable=SC2086
    (cd "$d" && "$cc" "${hosted[@]}" hello.c $flags -o hello) || die "$what: the example does not build with '$flags'"
    run_example "$d/hello" "$what"
    echo "embed-check install: $what: cc hello.c $flags: example ok"
}

# The files below $1, relative, sorted.
files_under() { (cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort); }

check_install() {
    command -v pkg-config > /dev/null || die "pkg-config not installed (ci/install-deps embed)"
    local p=$tmp/prefix s=$tmp/stage want
    want=$'include/vheap.h\nlib/libvheap.a\nlib/pkgconfig/vheap.pc'
    # 1. A prefix, no DESTDIR.
    "$MAKE" --no-print-directory -s install PREFIX="$p" DESTDIR= BUILD="$BUILD" > /dev/null ||
        die "make install PREFIX=$p failed"
    [ "$(files_under "$p")" = "$want" ] || die "make install PREFIX=$p installed: $(files_under "$p" | tr '\n' ' ')"
    for f in $want; do
        [ "$(stat -c %a "$p/$f")" = 644 ] || die "$f installed with mode $(stat -c %a "$p/$f"), not 644"
    done
    cmp -s core/include/vheap.h "$p/include/vheap.h" || die "the installed vheap.h is not core/include/vheap.h"
    grep -qx "prefix=$p" "$p/lib/pkgconfig/vheap.pc" || die "vheap.pc: no 'prefix=$p' line"
    pc_build "PREFIX=$p" prefix PKG_CONFIG_LIBDIR="$p/lib/pkgconfig" PKG_CONFIG_PATH=
    "$MAKE" --no-print-directory -s uninstall PREFIX="$p" DESTDIR= > /dev/null || die "make uninstall PREFIX=$p failed"
    [ -z "$(files_under "$p")" ] || die "make uninstall left: $(files_under "$p" | tr '\n' ' ')"
    echo "embed-check install: make uninstall PREFIX=$p: no file left"
    # 2. A staged install (packagers): DESTDIR, PREFIX=/usr/local, and
    # pkg-config told the sysroot.
    "$MAKE" --no-print-directory -s install PREFIX=/usr/local DESTDIR="$s" BUILD="$BUILD" > /dev/null ||
        die "make install PREFIX=/usr/local DESTDIR=$s failed"
    [ "$(files_under "$s/usr/local")" = "$want" ] && [ "$(files_under "$s")" = "$(sed 's|^|usr/local/|' <<< "$want")" ] ||
        die "make install DESTDIR=$s installed: $(files_under "$s" | tr '\n' ' ')"
    grep -qx 'prefix=/usr/local' "$s/usr/local/lib/pkgconfig/vheap.pc" || die "staged vheap.pc: no 'prefix=/usr/local' line"
    pc_build "DESTDIR=$s PREFIX=/usr/local" destdir PKG_CONFIG_LIBDIR="$s/usr/local/lib/pkgconfig" \
        PKG_CONFIG_PATH= PKG_CONFIG_SYSROOT_DIR="$s"
    "$MAKE" --no-print-directory -s uninstall PREFIX=/usr/local DESTDIR="$s" > /dev/null ||
        die "make uninstall DESTDIR=$s failed"
    [ -z "$(files_under "$s")" ] || die "make uninstall DESTDIR=$s left: $(files_under "$s" | tr '\n' ' ')"
    echo "embed-check install: make uninstall PREFIX=/usr/local DESTDIR=$s: no file left"
    # 3. A relative prefix is refused, and nothing is written.
    mkdir -p "$tmp/rel"
    if (cd "$tmp/rel" && "$MAKE" --no-print-directory -s -C "$root" install PREFIX=relative DESTDIR="$tmp/rel" \
        BUILD="$BUILD") > /dev/null 2>&1; then
        die "make install PREFIX=relative succeeded"
    fi
    [ -z "$(files_under "$tmp/rel")" ] || die "a refused make install wrote files"
    echo "embed-check install: make install PREFIX=relative refused, nothing written"
}

case "$mode" in
    copy) check_copy ;;
    amalgamation) check_amalgamation ;;
    install) check_install ;;
    *) die "usage: tools/embed-check.sh copy|amalgamation|install" ;;
esac
