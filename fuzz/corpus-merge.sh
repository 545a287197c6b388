#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Merges the inputs a campaign found back into corpus/found/ (the ops
# target) and corpus/corrupt/ (the corruption target), minimized with
# libFuzzer's -merge=1: only inputs that add coverage beyond what corpus/
# (seeds, found, regressions) already has are kept.
#
#   fuzz/corpus-merge.sh CAMPAIGN_DIR      (make corpus-merge)
#   fuzz/corpus-merge.sh SYNC_DIR          (make corpus-merge FUZZ_SYNC=DIR)
# A CAMPAIGN_DIR is what campaign.sh wrote alone; a SYNC_DIR is the
# multi-machine layout (fuzz/README.md): every AFL++ instance's queue in it
# (this node's, and the main instances the sync steps copied from the
# others), and the libfuzzer-NODE/ and corrupt-NODE/ corpora.
set -euo pipefail
camp=${1:?usage: corpus-merge.sh CAMPAIGN_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${FUZZ_BIN_DIR:-$root/build/fuzz}
[ -d "$camp" ] || { echo "corpus-merge: no campaign in $camp; run make fuzz first" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/vheap-merge.XXXXXX")
trap 'rm -rf "$work"' EXIT

# merge NAME FUZZER DEST COMMITTED-DIRS -- CAMPAIGN-DIRS: libFuzzer -merge=1
# of the campaign's inputs into the committed ones (copied first, so that
# their coverage counts as already present); the new ones go to DEST.
merge() {
    local name=$1 fuzzer=$2 dest=$3
    shift 3
    local from=()
    while [ "$1" != -- ]; do from+=("$1"); shift; done
    shift
    mkdir -p "$work/$name" "$dest"
    find "${from[@]}" -type f ! -name 'README*' -exec cp {} "$work/$name/" \; 2>/dev/null || true
    ls "$work/$name" | sort >"$work/$name.before"
    "$bin/$fuzzer" -merge=1 -merge_control_file="$work/$name.control" "$work/$name" "$@" \
        >"$work/$name.log" 2>&1 || { tail -20 "$work/$name.log"; exit 1; }
    local added=0 f
    while IFS= read -r f; do
        cp "$work/$name/$f" "$dest/$f"
        added=$((added + 1))
    done < <(ls "$work/$name" | sort | comm -13 "$work/$name.before" -)
    echo "corpus-merge: $added new inputs in ${dest#"$root"/}/ ($(ls "$dest" | wc -l) there now); replaying"
}

dirs=() corrupt_dirs=()
for d in "$camp/lf/corpus" "$camp"/afl/out/*/queue "$camp"/*/queue "$camp"/libfuzzer-*; do
    [ -d "$d" ] && dirs+=("$d")
done
for d in "$camp/corrupt/corpus" "$camp"/corrupt-*; do
    [ -d "$d" ] && corrupt_dirs+=("$d")
done
[ ${#dirs[@]} -gt 0 ] || { echo "corpus-merge: nothing to merge in $camp" >&2; exit 2; }
merge ops ops-libfuzzer "$root/corpus/found" "$root/corpus" -- "${dirs[@]}"
"$bin/ops-replay" "$root/corpus"

# The corruption target: its own corpus and regressions, its own binary.
if [ ${#corrupt_dirs[@]} -gt 0 ]; then
    merge corrupt corrupt-libfuzzer "$root/corpus/corrupt" "$root/corpus/corrupt" "$root/corpus/regressions/corrupt" \
        -- "${corrupt_dirs[@]}"
    "$bin/corrupt-replay" "$root/corpus/corrupt" "$root/corpus/regressions/corrupt"
fi
