#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make cross-check, one target: runs the binaries built for it in DIR, through
# RUNNER (e.g. qemu-s390x) if given: the unit tests; the seed writer, whose
# seeds must decode to what it meant (--check) and be byte for byte those in
# corpus/seeds (the format means the same on every target); the corpus
# replay (ops target over corpus/, corruption target over corpus/corrupt and
# corpus/regressions/corrupt).  Logs in DIR; prints one line:
#   cross-check: NAME: N unit tests passed, N seeds as committed, N + N inputs replayed, N s
# Exits non-zero, naming what failed, if anything fails.
#
#   tools/cross/run.sh NAME DIR [RUNNER...]
set -euo pipefail
name=${1:?usage: run.sh NAME DIR [RUNNER...]}
dir=${2:?usage: run.sh NAME DIR [RUNNER...]}
shift 2
start=$SECONDS

# $1 log name, then the command; on failure shows the log's end and exits.
step() {
    local log="$dir/$1.log"
    shift
    if ! "$@" >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        echo "cross-check: $name: FAILED: $* (log: $log)" >&2
        exit 1
    fi
}

step tests "$@" "$dir/run-tests"
passed=$(sed -nE 's/^([0-9]+) passed, 0 failed$/\1/p' "$dir/tests.log")
[ -n "$passed" ] && [ "$passed" -gt 0 ] ||
    { echo "cross-check: $name: no 'N passed, 0 failed' line in $dir/tests.log" >&2; exit 1; }

step seeds-check "$@" "$dir/ops-seeds" --check
rm -rf "$dir/seeds" && mkdir -p "$dir/seeds"
step seeds "$@" "$dir/ops-seeds" "$dir/seeds"
diff -r corpus/seeds "$dir/seeds" >"$dir/seeds-diff.log" 2>&1 ||
    { echo "cross-check: $name: the seeds written here differ from corpus/seeds ($dir/seeds-diff.log)" >&2; exit 1; }
seeds=$(find "$dir/seeds" -type f | wc -l)

step ops-replay "$@" "$dir/ops-replay" corpus
step corrupt-replay "$@" "$dir/corrupt-replay" corpus/corrupt corpus/regressions/corrupt
ops=$(sed -nE 's/^ops-replay: ([0-9]+) inputs passed$/\1/p' "$dir/ops-replay.log")
corrupt=$(sed -nE 's/^ops-replay: ([0-9]+) inputs passed$/\1/p' "$dir/corrupt-replay.log")
[ -n "$ops" ] && [ "$ops" -gt 0 ] && [ -n "$corrupt" ] && [ "$corrupt" -gt 0 ] ||
    { echo "cross-check: $name: no 'N inputs passed' line in the replay logs in $dir" >&2; exit 1; }

echo "cross-check: $name: $passed unit tests passed, $seeds seeds as committed, $ops + $corrupt inputs replayed (ops, corrupt), $((SECONDS - start)) s"
