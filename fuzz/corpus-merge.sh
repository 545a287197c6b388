#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Merges the inputs a campaign found back into corpus/found/ (the ops
# target) and corpus/corrupt/ (the corruption target), minimized with
# libFuzzer's -merge=1: only inputs that add coverage beyond what corpus/
# (seeds, found, regressions) already has are kept.
#
#   fuzz/corpus-merge.sh CAMPAIGN_DIR      (make corpus-merge)
set -euo pipefail
camp=${1:?usage: corpus-merge.sh CAMPAIGN_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${FUZZ_BIN_DIR:-$root/build/fuzz}
[ -d "$camp" ] || { echo "corpus-merge: no campaign in $camp; run make fuzz first" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/vheap-merge.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/all" "$root/corpus/found"
# The committed corpus first, so its coverage counts as already present.
find "$root/corpus" -type f ! -name 'README*' -exec cp {} "$work/all/" \;
ls "$work/all" | sort >"$work/before"
dirs=()
for d in "$camp/lf/corpus" "$camp"/afl/out/*/queue; do
    [ -d "$d" ] && dirs+=("$d")
done
[ ${#dirs[@]} -gt 0 ] || { echo "corpus-merge: nothing to merge in $camp" >&2; exit 2; }
"$bin/ops-libfuzzer" -merge=1 -merge_control_file="$work/control" "$work/all" "${dirs[@]}" \
    >"$work/log" 2>&1 || { tail -20 "$work/log"; exit 1; }
added=0
while IFS= read -r f; do
    cp "$work/all/$f" "$root/corpus/found/$f"
    added=$((added + 1))
done < <(ls "$work/all" | sort | comm -13 "$work/before" -)
echo "corpus-merge: $added new inputs in corpus/found/ ($(ls "$root/corpus/found" | wc -l) there now); replaying"
"$bin/ops-replay" "$root/corpus"

# The corruption target: its own corpus and regressions, its own binary.
if [ -d "$camp/corrupt/corpus" ]; then
    mkdir -p "$work/corrupt" "$root/corpus/corrupt"
    find "$root/corpus/corrupt" "$root/corpus/regressions/corrupt" -type f ! -name 'README*' \
        -exec cp {} "$work/corrupt/" \; 2>/dev/null || true
    ls "$work/corrupt" | sort >"$work/corrupt-before"
    "$bin/corrupt-libfuzzer" -merge=1 -max_len=1024 -merge_control_file="$work/corrupt-control" \
        "$work/corrupt" "$camp/corrupt/corpus" >"$work/corrupt-log" 2>&1 || { tail -20 "$work/corrupt-log"; exit 1; }
    added=0
    while IFS= read -r f; do
        cp "$work/corrupt/$f" "$root/corpus/corrupt/$f"
        added=$((added + 1))
    done < <(ls "$work/corrupt" | sort | comm -13 "$work/corrupt-before" -)
    echo "corpus-merge: $added new inputs in corpus/corrupt/ ($(ls "$root/corpus/corrupt" | wc -l) there now); replaying"
    "$bin/corrupt-replay" "$root/corpus/corrupt" "$root/corpus/regressions/corrupt"
fi
