#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make coverage: line and branch coverage of core/ from the unit tests plus a
# replay of corpus/, measured with gcc --coverage and gcovr.
#
# Every uncovered line is listed with its reason from tools/coverage/reasons.txt
# (corruption-only path, dead code, or missing test); UNEXPLAINED marks a new
# gap.  The summary line is the last line printed.
#
# Environment (set by mk/quality.mk):
#   BUILD            build directory (output under $BUILD/coverage)
#   CORE_SRCS        the core's translation unit (core/vheap.c) for the replay
#   TEST_SRCS        unit test sources and the fuzz harness the random test
#                    runs through; the one that includes core/vheap.c
#                    (tests/unit_core.c, the white-box tests) is instrumented
#                    and is the test binary's copy of the core
#   REPLAY_SRCS      the fuzz harness sources built with the replay main
#                    (empty: no replay, said so in the summary)
#   REPLAY_CFLAGS    extra flags for the replay build (e.g. -Ifuzz)
#   CORPUS           directories/files the replay runs (default corpus)
#   COVERAGE_FAIL_UNDER  set to 1 to fail below COVERAGE_MIN_LINES /
#                    COVERAGE_MIN_BRANCHES (defaults 95 / 90); off by default
#
# Build choices, and why:
#   - gcc -O0: gcov's line and branch counts map one to one onto the source.
#   - AddressSanitizer on (the poisoning code paths and the ASan tests run as
#     in `make test`), UndefinedBehaviorSanitizer off: gcc instruments UBSan
#     checks before the profiler and every check would count as a branch that
#     can never be taken.  ASan instruments after it and adds no branches.
#   - VH_DEBUG off: VH_ASSERT compiles to nothing, as in release builds, so
#     the never-taken trap side of each assert is not counted as a branch.
#     `make test` runs the same tests with the asserts on.
#   - -Dalways_inline=noinline: the hot-path helpers (VH_HOT_LOCAL, marked
#     always_inline) are compiled out of line, so each source branch is
#     counted once, not once per inlined copy (gcov would otherwise list e.g.
#     heap_ok's one condition as 24 branch outcomes, one pair per call site).
#   - Only core/*.c and core/*.h are measured; the test and harness sources
#     are compiled without --coverage.
set -euo pipefail

: "${BUILD:=build}" "${CORE_SRCS:?}" "${TEST_SRCS:?}"
REPLAY_SRCS=${REPLAY_SRCS:-}
REPLAY_CFLAGS=${REPLAY_CFLAGS:-}
CORPUS=${CORPUS:-corpus}
MIN_LINES=${COVERAGE_MIN_LINES:-95}
MIN_BRANCHES=${COVERAGE_MIN_BRANCHES:-90}

out=$BUILD/coverage
obj=$out/obj
rm -rf "$out"
mkdir -p "$obj/core" "$obj/tests" "$obj/fuzz"

CC=${COVERAGE_CC:-gcc}
base=(-std=c11 -O0 -g -fsanitize=address -fno-omit-frame-pointer -Dalways_inline=noinline
      -Icore/include -Icore)
t0=$(date +%s)

# Core objects: instrumented.  The .gcno/.gcda files land beside them.
core_objs=()
for s in $CORE_SRCS; do
    o=$obj/core/$(basename "${s%.c}").o
    $CC "${base[@]}" --coverage -c "$s" -o "$o"
    core_objs+=("$o")
done

# Unit tests: the file that includes the core is instrumented (only its
# core/ lines are reported), the others are not.
test_objs=()
for s in $TEST_SRCS; do
    o=$obj/tests/$(basename "${s%.c}").o
    cov=()
    grep -q '^#include "vheap.c"' "$s" && cov=(--coverage)
    $CC "${base[@]}" "${cov[@]}" -D_DEFAULT_SOURCE -Itests -Ifuzz -c "$s" -o "$o"
    test_objs+=("$o")
done
$CC -fsanitize=address --coverage "${test_objs[@]}" -o "$obj/run-tests"
echo "coverage: running unit tests"
if ! "$obj/run-tests" > "$out/tests.log" 2>&1; then
    tail -n 30 "$out/tests.log"
    echo "coverage: the unit tests fail in the coverage build (log: $out/tests.log)" >&2
    exit 1
fi
grep -E '^[0-9]+ passed' "$out/tests.log" || true

# Replay of the corpus through the fuzz harness's plain main.
replayed="no corpus replay (fuzz harness not present)"
if [ -n "$REPLAY_SRCS" ]; then
    replay_objs=()
    for s in $REPLAY_SRCS; do
        o=$obj/fuzz/$(basename "${s%.c}").o
        # shellcheck disable=SC2086
        $CC "${base[@]}" $REPLAY_CFLAGS -c "$s" -o "$o"
        replay_objs+=("$o")
    done
    $CC -fsanitize=address --coverage "${core_objs[@]}" "${replay_objs[@]}" -o "$obj/ops-replay"
    # shellcheck disable=SC2086
    nfiles=$(find $CORPUS -type f ! -name 'README*' | wc -l)
    echo "coverage: replaying $nfiles corpus files ($CORPUS)"
    # shellcheck disable=SC2086
    if ! "$obj/ops-replay" $CORPUS > "$out/replay.log" 2>&1; then
        tail -n 30 "$out/replay.log"
        echo "coverage: the corpus replay fails in the coverage build (log: $out/replay.log)" >&2
        exit 1
    fi
    replayed="replay of $nfiles corpus files"
fi

# Replay of the corruption target's corpus (its own harness, same core
# objects): what reaches the corruption-only paths.
if [ -n "${CORRUPT_SRCS:-}" ] && [ -d corpus/corrupt ]; then
    c_objs=()
    for s in $CORRUPT_SRCS; do
        o=$obj/fuzz/corrupt-$(basename "${s%.c}").o
        # shellcheck disable=SC2086
        $CC "${base[@]}" $REPLAY_CFLAGS -Wno-unused-function -c "$s" -o "$o"
        c_objs+=("$o")
    done
    $CC -fsanitize=address --coverage "${core_objs[@]}" "${c_objs[@]}" -o "$obj/corrupt-replay"
    nc=$(find corpus/corrupt corpus/regressions/corrupt -type f ! -name 'README*' | wc -l)
    echo "coverage: replaying $nc corruption-target inputs"
    if ! "$obj/corrupt-replay" corpus/corrupt corpus/regressions/corrupt > "$out/corrupt.log" 2>&1; then
        tail -n 30 "$out/corrupt.log"
        echo "coverage: the corruption replay fails in the coverage build (log: $out/corrupt.log)" >&2
        exit 1
    fi
    replayed="$replayed and $nc corruption-target inputs"
fi

# Reports: HTML with per-file pages, JSON for the uncovered list, summary.
gcovr_args=(--root . --object-directory "$obj" --filter 'core/' --branches)
gcovr "${gcovr_args[@]}" --html-details "$out/index.html" --html-title "vheap core coverage" \
    --json "$out/coverage.json" --json-summary "$out/summary.json" --txt "$out/summary.txt" >/dev/null
python3 tools/coverage/uncovered.py "$out/coverage.json" . tools/coverage/reasons.txt > "$out/uncovered.txt"

read -r lc lt lp bc bt bp < <(python3 - "$out/summary.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
print(s["line_covered"], s["line_total"], s["line_percent"],
      s["branch_covered"], s["branch_total"], s["branch_percent"])
EOF
)
echo "coverage: uncovered lines and branches of core/ ($out/uncovered.txt):"
grep -v '^recount:' "$out/uncovered.txt" | grep -v '^by category:' | sed 's/^/  /' || true
unexplained=$(grep -c 'UNEXPLAINED' "$out/uncovered.txt" || true)
echo "coverage: gaps $(grep '^by category:' "$out/uncovered.txt" | sed 's/^by category: //')"
if [ "$unexplained" != 0 ]; then
    echo "coverage: $unexplained uncovered line(s) have no recorded reason (tools/coverage/reasons.txt)"
fi
met=$(python3 -c "print('met' if $lp >= $MIN_LINES and $bp >= $MIN_BRANCHES else 'NOT met')")
echo "coverage: report $out/index.html ($(( $(date +%s) - t0 )) s; tests + $replayed)"
echo "coverage: core/ lines ${lp}% ($lc/$lt), branches ${bp}% ($bc/$bt); target >= ${MIN_LINES}% lines, >= ${MIN_BRANCHES}% branches: $met"
if [ "${COVERAGE_FAIL_UNDER:-0}" = 1 ] && [ "$met" != met ]; then
    echo "coverage: below the threshold (COVERAGE_FAIL_UNDER=1)" >&2
    exit 1
fi
