#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make fuzz-nodes-check: a campaign over two "machines" on this one, in the
# multi-machine layout of fuzz/README.md.  Node a starts from the hand-made
# seeds, node b from a single one; a runs, the documented sync step (rsync
# of a's main instance into b's sync directory) runs, then b runs and must
# import inputs a found (AFL++ names them id:...,sync:main-a,...).  Then
# afl-whatsup -d on b's sync directory must count all three instances, and a
# second run of b must resume its queue instead of starting over.
#
#   fuzz/nodes-check.sh [SECONDS]        (SECONDS per node run, default 20)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-20}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vheap-nodes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "fuzz-nodes-check: $*"; exit 1; }

mkdir -p "$tmp/seeds-a" "$tmp/seeds-b"
cp "$root"/corpus/seeds/* "$tmp/seeds-a/"
first=$(find "$root/corpus/seeds" -type f | sort | head -1)
cp "$first" "$tmp/seeds-b/"

run() { # NODE SECONDS: one campaign run of that node
    "$root/fuzz/campaign.sh" --node "$1" --sync "$tmp/$1/sync" --seeds "$tmp/seeds-$1" "$2" "$tmp/$1/logs" \
        >"$tmp/$1.log" 2>&1 || { tail -15 "$tmp/$1.log"; fail "node $1's campaign failed"; }
}
queue() { find "$tmp/$1/sync/main-$1/queue" -maxdepth 1 -type f -name 'id:*' | wc -l; }

run a "$secs"
echo "fuzz-nodes-check: node a ran ${secs}s: $(queue a) inputs in main-a's queue"
# The sync step of fuzz/README.md, between two directories of this machine.
mkdir -p "$tmp/b/sync"
rsync -rlpogt "$tmp/a/sync/main-a" "$tmp/b/sync/"
run b "$secs"
imported=$(find "$tmp/b/sync/main-b/queue" -maxdepth 1 -type f -name 'id:*,sync:main-a,*' | wc -l)
[ "$imported" -gt 0 ] || fail "node b imported nothing from main-a (its queue: $(queue b) inputs)"
echo "fuzz-nodes-check: node b ran ${secs}s from 1 seed and imported $imported of main-a's inputs ($(queue b) in its queue)"

# The whole campaign's status from one node after a sync: -d counts the
# instances not running here (main-a was copied in).
TERM=dumb afl-whatsup -d -s "$tmp/b/sync" >"$tmp/whatsup" 2>&1 || true
alive=$(awk -F' *: *' '/Fuzzers alive/ {print $2 + 0}' "$tmp/whatsup")
remote=$(awk -F' *: *' '/Dead or remote/ {print $2 + 0}' "$tmp/whatsup")
[ $((${alive:-0} + ${remote:-0})) -eq 3 ] ||
    { cat "$tmp/whatsup"; fail "afl-whatsup -d counts ${alive:-?} + ${remote:-?} instances, want 3 (main-a, main-b, cmplog-b)"; }
echo "fuzz-nodes-check: afl-whatsup -d -s on b's sync directory counts main-a, main-b and cmplog-b:$(grep -m1 'Total execs' "$tmp/whatsup" | tr -s ' ')"

before=$(queue b)
run b 5
grep -q 'resum' "$tmp/b/logs/afl/main.log" || { tail -5 "$tmp/b/logs/afl/main.log"; fail "node b's second run did not resume"; }
after=$(queue b)
[ "$after" -ge "$before" ] || fail "node b's queue shrank from $before to $after on resume"
echo "fuzz-nodes-check: node b resumed ($before -> $after inputs); PASS"
