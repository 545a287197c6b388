#!/bin/bash
# SPDX-License-Identifier: MIT
# The OSS-Fuzz / ClusterFuzzLite build of vheap's two fuzz targets:
#   ops          the model-checked harness (fuzz/ops.c and its parts)
#   ops-corrupt  the corruption target (fuzz/corrupt.c, SECURITY.md's oracle)
# each linked with $LIB_FUZZING_ENGINE against the core as shipped
# (core/vheap.c, one translation unit), and each with
# <target>_seed_corpus.zip (from corpus/), <target>.dict and <target>.options
# beside it in $OUT.
#
# It reads only the environment OSS-Fuzz documents for build.sh: CC, CXX,
# CFLAGS, CXXFLAGS, LIB_FUZZING_ENGINE, SRC, OUT, WORK (the sanitizer and
# coverage flags come in CFLAGS; the engine decides the driver).  The
# project's build.sh files (.clusterfuzzlite/, oss-fuzz/) run it from the
# source tree; `make oss-fuzz-check` runs it here without Docker.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
: "${CC:?} ${CXX:?} ${CFLAGS?} ${CXXFLAGS?} ${LIB_FUZZING_ENGINE:?} ${OUT:?} ${WORK:?}"

# As every fuzz build of the project: debug asserts on, the harness reads
# the heap's struct layout (model.c), warnings are not errors here (the
# compiler is OSS-Fuzz's, not ours).
flags=(-std=c11 -DVH_DEBUG -Wno-unused-function -Wno-undefined-internal
    -I"$root/core/include" -I"$root/core" -I"$root/fuzz")
harness=(fuzz/ops.c fuzz/model.c fuzz/contents.c fuzz/hooks.c fuzz/decode.c fuzz/fail.c)
corrupt=(fuzz/corrupt.c fuzz/decode.c fuzz/fail.c)
common=(core/vheap.c fuzz/exec_counter.c fuzz/driver_libfuzzer.c)

obj="$WORK/vheap-obj"
rm -rf "$obj"
mkdir -p "$obj" "$OUT"

# build TARGET SOURCES...: compile with $CC, link with $CXX (the engine
# library is C++).
build() {
    local target=$1 objs=() s o
    shift
    mkdir -p "$obj/$target"
    for s in "$@"; do
        o="$obj/$target/$(basename "${s%.c}").o"
        # shellcheck disable=SC2086 # CFLAGS is a list of flags
        $CC $CFLAGS "${flags[@]}" -c "$root/$s" -o "$o"
        objs+=("$o")
    done
    # shellcheck disable=SC2086
    $CXX $CXXFLAGS "${objs[@]}" $LIB_FUZZING_ENGINE -o "$OUT/$target"
}

# seeds TARGET DIRS...: the committed inputs directly in those directories
# (not the READMEs), flat, in $OUT/TARGET_seed_corpus.zip.
seeds() {
    local target=$1
    shift
    python3 - "$OUT/${target}_seed_corpus.zip" "$@" <<'PY'
import os, sys, zipfile
out, dirs = sys.argv[1], sys.argv[2:]
names = {}
for d in dirs:
    for n in sorted(os.listdir(d)):
        p = os.path.join(d, n)
        if os.path.isfile(p) and not n.startswith("README"):
            if n in names:
                sys.exit("oss-fuzz-build: %s and %s have the same name" % (names[n], p))
            names[n] = p
if not names:
    sys.exit("oss-fuzz-build: no seeds in " + " ".join(dirs))
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for n, p in sorted(names.items()):
        z.write(p, n)
print("oss-fuzz-build: %s: %d seeds" % (os.path.basename(out), len(names)))
PY
}

cd "$root"
build ops "${common[@]}" "${harness[@]}"
build ops-corrupt "${common[@]}" "${corrupt[@]}"
seeds ops corpus/seeds corpus/found corpus/regressions
seeds ops-corrupt corpus/corrupt corpus/regressions/corrupt
cp fuzz/ops.dict "$OUT/ops.dict"
cp fuzz/corrupt.dict "$OUT/ops-corrupt.dict"
cp fuzz/ops.options "$OUT/ops.options"
cp fuzz/corrupt.options "$OUT/ops-corrupt.options"
echo "oss-fuzz-build: ops, ops-corrupt and their seed corpora, dictionaries and options in $OUT"
