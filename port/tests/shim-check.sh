#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The malloc shim's own tests (the real programs are in shim-programs.sh).
#
#   port/tests/shim-check.sh SHIM.so BINDIR STRESS_ITERATIONS
set -euo pipefail
shim=$(readlink -f "$1")
bin=$2
iters=$3
out=$bin/shim-check
mkdir -p "$out"
fail() { echo "shim-check: FAIL: $*"; exit 1; }

# stats_allocs FILE: total allocations over the vheap-stats lines in FILE.
stats_allocs() {
    sed -n 's/^vheap-stats:.* allocations=\([0-9]*\).*/\1/p' "$1" | awk '{s += $1} END {print s + 0}'
}

# 1. The test binary tells the two allocators apart (vheap's 20-byte class is
#    32 bytes): it must see glibc without the shim and vheap with it.
"$bin/shim_api" glibc || fail "shim_api thinks the shim is loaded without LD_PRELOAD"
if LD_PRELOAD=$shim "$bin/shim_api" glibc; then fail "LD_PRELOAD=$shim did not replace malloc"; fi

# 2. Every function, errno, alignments up to 4 MiB, big blocks, fork with threads.
LD_PRELOAD=$shim VHEAP_STATS=1 "$bin/shim_api" > "$out/api.out" 2> "$out/api.err" ||
    { cat "$out/api.out" "$out/api.err"; fail "shim_api under the shim"; }
cat "$out/api.out"
n=$(stats_allocs "$out/api.err")
[ "$n" -gt 0 ] || fail "shim_api: no allocations in the stats"
grep -q 'mmap_allocations=[1-9]' "$out/api.err" || fail "shim_api: no big block went to mmap"
echo "shim-check: shim_api: $n allocations on vheap (all processes)"

# 3. Invalid pointers: reported once per kind, the program goes on.
LD_PRELOAD=$shim "$bin/shim_api" invalid > "$out/inv.out" 2> "$out/inv.err" || fail "invalid: exit status $?"
grep -q '^survived realloc=NULL errno=EINVAL' "$out/inv.out" || fail "invalid: did not survive"
for kind in 'double free' 'points inside a block' 'foreign pointer'; do
    c=$(grep -c "^vheap: invalid pointer .*$kind" "$out/inv.err" || true)
    [ "$c" -eq 1 ] || { cat "$out/inv.err"; fail "invalid: '$kind' reported $c times, want once"; }
done
echo "shim-check: invalid frees reported once per kind: $(wc -l < "$out/inv.err") lines"

# 4. ... and abort the program with VHEAP_ABORT_ON_ERROR=1.
set +e
LD_PRELOAD=$shim VHEAP_ABORT_ON_ERROR=1 "$bin/shim_api" invalid > "$out/abort.out" 2> "$out/abort.err"
rc=$?
set -e
[ "$rc" -eq 134 ] || fail "VHEAP_ABORT_ON_ERROR=1: exit status $rc, want 134 (SIGABRT)"
! grep -q survived "$out/abort.out" || fail "VHEAP_ABORT_ON_ERROR=1: program went on"
grep -q 'aborting' "$out/abort.err" || fail "VHEAP_ABORT_ON_ERROR=1: no message"
echo "shim-check: VHEAP_ABORT_ON_ERROR=1 aborts (status $rc)"

# 5. 8 threads, cross-thread frees, on the shim.
LD_PRELOAD=$shim VHEAP_STATS=1 "$bin/stress-malloc" "$iters" > "$out/stress.out" 2> "$out/stress.err" ||
    { cat "$out/stress.out" "$out/stress.err"; fail "stress on the shim"; }
n=$(stats_allocs "$out/stress.err")
[ "$n" -ge $((8 * iters)) ] || fail "stress: $n allocations on vheap, want >= $((8 * iters))"
cat "$out/stress.out"
echo "shim-check: stress on the shim: $n allocations on vheap"

# 6. A heap too small for the stress test's live set: requests fall back to
#    their own mappings and the program still passes.
LD_PRELOAD=$shim VHEAP_STATS=1 VHEAP_SIZE=16M "$bin/stress-malloc" $((iters / 4)) > "$out/small.out" 2> "$out/small.err" ||
    { cat "$out/small.out" "$out/small.err"; fail "stress on a 16 MiB heap"; }
grep -q 'region_bytes=16777216 ' "$out/small.err" || fail "VHEAP_SIZE=16M not honoured"
f=$(sed -n 's/.* heap_full_fallbacks=\([0-9]*\).*/\1/p' "$out/small.err")
[ "${f:-0}" -gt 0 ] || fail "16 MiB heap: no heap-full fallback happened"
echo "shim-check: VHEAP_SIZE=16M: passed with $f heap-full fallbacks to mmap"

# 7. A bad VHEAP_SIZE is reported and the default used.
LD_PRELOAD=$shim VHEAP_STATS=1 VHEAP_SIZE=lots "$bin/shim_api" glibc 2> "$out/badsize.err" || true
grep -q 'VHEAP_SIZE not understood' "$out/badsize.err" || fail "bad VHEAP_SIZE not reported"
grep -q 'region_bytes=1073741824 ' "$out/badsize.err" || fail "bad VHEAP_SIZE: default not used"
# 8. A VHEAP_SIZE whose descriptor table would not fit comfortably in memory
# (here 1 PiB: 6 TiB of descriptors) is refused with one line naming the
# limit, and the default used; under an address-space cap, so that a shim
# that took it would fail here rather than exhaust the machine.
LD_PRELOAD=$shim VHEAP_STATS=1 VHEAP_SIZE=1048576G prlimit --as=$((8 << 30)) "$bin/shim_api" glibc \
    2> "$out/hugesize.err" || true
grep -q 'VHEAP_SIZE=1048576G is above the limit of [0-9]* MiB' "$out/hugesize.err" || fail "huge VHEAP_SIZE not refused"
grep -q 'region_bytes=1073741824 ' "$out/hugesize.err" || fail "huge VHEAP_SIZE: default not used"
echo "shim-check: all passed"
