#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make oss-fuzz-check: what OSS-Fuzz and ClusterFuzzLite would do with this
# repository, without Docker.
#   1. ci/lint-ci-config on the workflow and project files (and on broken
#      copies of them, which it must reject);
#   2. libFuzzer + ASan: the project's build.sh (.clusterfuzzlite/build.sh) in
#      the environment OSS-Fuzz's base-builder sets for that build, in
#      temporary SRC/OUT/WORK; $OUT must hold every target with its seed
#      corpus, dictionary and options; then each target runs, as
#      check_build does, on its unzipped seed corpus with its options for
#      the seeds plus RUNS more inputs;
#   3. AFL++ + ASan, when Debian's afl++ has the driver library OSS-Fuzz links
#      (libAFLDriver.a): the same with oss-fuzz/build.sh, afl-clang-fast and
#      that library, each target under afl-fuzz for AFL_SECONDS.
# A crash, a missing file or a failed run fails the check.  CXXFLAGS lack
# OSS-Fuzz's -stdlib=libc++ (Debian's clang has no libc++ here; only the
# engine's own C++ is linked).
#
#   fuzz/oss-fuzz-check.sh [RUNS [AFL_SECONDS]]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-2000}
afl_secs=${2:-10}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vheap-oss-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
targets=(ops ops-corrupt)

# ---- 1. the files the services read
"$root/ci/lint-ci-config" "$root"
lint_rejects() { # NAME FILE SED-EXPRESSION: a broken copy must fail the lint
    rm -rf "$tmp/lint" && mkdir -p "$tmp/lint"
    cp -r "$root/.github" "$root/.clusterfuzzlite" "$root/oss-fuzz" "$tmp/lint/"
    sed -i "$3" "$tmp/lint/$2"
    if "$root/ci/lint-ci-config" "$tmp/lint" >"$tmp/lint.out" 2>&1; then
        echo "oss-fuzz-check: the lint accepted $1 ($2)"
        exit 1
    fi
}
lint_rejects "invalid YAML" .github/workflows/cflite_pr.yml 's/^jobs:/jobs: [/'
lint_rejects "an unknown mode" .github/workflows/cflite_batch.yml "s/mode: batch/mode: batches/"
lint_rejects "a step without uses or run" .github/workflows/check.yml 's/run: bash .ci\/run/name2: x/'
lint_rejects "a wrong language" .clusterfuzzlite/project.yaml 's/language: c/language: c++/'
lint_rejects "an unknown engine" oss-fuzz/project.yaml 's/- afl$/- aflpp/'
lint_rejects "another base image" .clusterfuzzlite/Dockerfile 's/base-builder/base-runner/'
echo "oss-fuzz-check: the lint rejects 6 broken copies"

# The environment of OSS-Fuzz's base-builder for an ASan build.
base_flags="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
asan_flags="-fsanitize=address -fsanitize-address-use-after-scope"

# build ENGINE BUILD_SH: runs it as OSS-Fuzz's compile does ($SRC/build.sh
# from the source tree, $SRC/vheap being this checkout), then checks $OUT.
build() {
    local engine=$1 build_sh=$2 t
    export SRC="$tmp/$engine/src" OUT="$tmp/$engine/out" WORK="$tmp/$engine/work"
    mkdir -p "$SRC" "$OUT" "$WORK"
    ln -s "$root" "$SRC/vheap"
    cp "$root/$build_sh" "$SRC/build.sh"
    (cd "$SRC/vheap" && bash -eu "$SRC/build.sh") >"$tmp/$engine/build.log" 2>&1 || {
        tail -20 "$tmp/$engine/build.log"
        echo "oss-fuzz-check: $engine build failed ($build_sh)"
        exit 1
    }
    for t in "${targets[@]}"; do
        for f in "$t" "${t}_seed_corpus.zip" "$t.dict" "$t.options"; do
            [ -s "$OUT/$f" ] || { echo "oss-fuzz-check: $engine: \$OUT/$f missing"; exit 1; }
        done
        [ -x "$OUT/$t" ] || { echo "oss-fuzz-check: $engine: \$OUT/$t not executable"; exit 1; }
        nm "$OUT/$t" >"$tmp/$engine/$t.nm" # (not piped into grep -q: SIGPIPE under pipefail)
        grep -q ' T LLVMFuzzerTestOneInput$' "$tmp/$engine/$t.nm" ||
            { echo "oss-fuzz-check: $engine: $t has no LLVMFuzzerTestOneInput"; exit 1; }
        grep -q '__asan_init' "$tmp/$engine/$t.nm" || { echo "oss-fuzz-check: $engine: $t is not built with ASan"; exit 1; }
        mkdir -p "$tmp/$engine/seeds/$t"
        python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
            "$OUT/${t}_seed_corpus.zip" "$tmp/$engine/seeds/$t"
    done
    echo "oss-fuzz-check: $engine: $build_sh built ${targets[*]} with seed corpora, dictionaries and options"
}

# The [libfuzzer] section of TARGET.options as -key=value flags (the dict
# relative to $OUT, as ClusterFuzz reads it).
options() {
    python3 - "$OUT/$1.options" "$OUT" <<'PY'
import configparser, os, sys
c = configparser.ConfigParser()
c.read(sys.argv[1])
for k, v in (c["libfuzzer"].items() if c.has_section("libfuzzer") else []):
    if k == "dict":
        v = os.path.join(sys.argv[2], v)
    print("-%s=%s" % (k, v))
PY
}

# ---- 2. libFuzzer + ASan
export CC=clang CXX=clang++
export CFLAGS="$base_flags $asan_flags -fsanitize=fuzzer-no-link" CXXFLAGS="$base_flags $asan_flags -fsanitize=fuzzer-no-link"
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
build libfuzzer .clusterfuzzlite/build.sh
for t in "${targets[@]}"; do
    seeds="$tmp/libfuzzer/seeds/$t"
    n=$(ls "$seeds" | wc -l)
    mapfile -t opts < <(options "$t")
    mkdir -p "$tmp/libfuzzer/corpus/$t" "$tmp/libfuzzer/artifacts/$t"
    if ! "$OUT/$t" -runs=$((n + runs)) "${opts[@]}" -artifact_prefix="$tmp/libfuzzer/artifacts/$t/" \
        -print_final_stats=1 "$tmp/libfuzzer/corpus/$t" "$seeds" >"$tmp/libfuzzer/$t.log" 2>&1; then
        grep -m3 'ERROR\|FAIL\|runtime error' "$tmp/libfuzzer/$t.log" || tail -5 "$tmp/libfuzzer/$t.log"
        echo "oss-fuzz-check: libfuzzer: $t failed (artifacts: $(ls "$tmp/libfuzzer/artifacts/$t" | wc -l))"
        exit 1
    fi
    done_runs=$(awk '/stat::number_of_executed_units/ {print $NF}' "$tmp/libfuzzer/$t.log")
    [ "${done_runs:-0}" -ge $((n + runs)) ] ||
        { echo "oss-fuzz-check: libfuzzer: $t ran ${done_runs:-0} inputs, wanted $((n + runs))"; exit 1; }
    echo "oss-fuzz-check: libfuzzer: $t ran $n seeds + $runs inputs (${opts[*]}), no crash"
done

# ---- 3. AFL++ + ASan, with the driver OSS-Fuzz links
driver=/usr/lib/afl/libAFLDriver.a
if [ ! -f "$driver" ] || ! command -v afl-clang-fast >/dev/null; then
    echo "oss-fuzz-check: afl: no $driver or afl-clang-fast; AFL++ engine not checked"
    exit 0
fi
export CC=afl-clang-fast CXX=afl-clang-fast++ AFL_QUIET=1
export CFLAGS="$base_flags $asan_flags" CXXFLAGS="$base_flags $asan_flags"
export LIB_FUZZING_ENGINE=$driver
build afl oss-fuzz/build.sh
export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
for t in "${targets[@]}"; do
    o="$tmp/afl/findings/$t"
    mkdir -p "$tmp/afl/findings"
    # Its own process group, killed afterwards: no child outlives the check.
    setsid afl-fuzz -i "$tmp/afl/seeds/$t" -o "$o" -x "$OUT/$t.dict" -m none -t 20000 -V "$afl_secs" \
        -- "$OUT/$t" >"$tmp/afl/$t.log" 2>&1 || { tail -5 "$tmp/afl/$t.log"; echo "oss-fuzz-check: afl: $t: afl-fuzz failed"; exit 1; }
    execs=$(awk -F' *: *' '$1 == "execs_done" {print $2}' "$o/default/fuzzer_stats" 2>/dev/null || true)
    bad=$(find "$o/default/crashes" "$o/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
    if [ -z "$execs" ] || [ "$execs" -le 0 ]; then
        echo "oss-fuzz-check: afl: $t: no executions"
        exit 1
    fi
    [ "$bad" -eq 0 ] || { echo "oss-fuzz-check: afl: $t: $bad crashes or hangs in $o"; cp -r "$o" "$root/build/"; exit 1; }
    echo "oss-fuzz-check: afl: $t: $execs executions in ${afl_secs}s from $(ls "$tmp/afl/seeds/$t" | wc -l) seeds, no crash or hang"
done
