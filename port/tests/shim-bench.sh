#!/usr/bin/env bash
# Same-run timing of real programs on the malloc shim against glibc's malloc.
# Each round runs every workload once per allocator, in alternating order
# (glibc first on even rounds, vheap first on odd ones); the figure is the
# median over rounds of the per-round ratio vheap / glibc of wall-clock
# times.  Machines here are shared and noisy: read it as a benchmark, not a
# bound; nothing is asserted.
#
#   port/tests/shim-bench.sh SHIM.so WORKDIR [ROUNDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SHIM_LIB_ONLY=1
# shellcheck source=shim-programs.sh
. "$here/shim-programs.sh"
shim=$(readlink -f "$1")
work=$2
rounds=${3:-5}
rm -rf "$work"
mkdir -p "$work"
gen_sql > "$work/q.sql"

py_default() { run_python; }
py_malloc() { PYTHONMALLOC=malloc run_python; }
sqlite() { run_sqlite "$work"; }
workloads=(py_default py_malloc sqlite)
declare -A label=([py_default]="python3 (pymalloc + malloc)" [py_malloc]="python3 PYTHONMALLOC=malloc"
                  [sqlite]="sqlite3 20k-row insert/select")

# ms ALLOC FN: runs FN with ALLOC (glibc | vheap), prints wall ms; output
# kept to check both allocators agree.
ms() {
    local t0 t1
    t0=$(date +%s%N)
    if [ "$1" = vheap ]; then
        (export LD_PRELOAD=$shim; "$2") > "$work/$2.$1.out"
    else
        "$2" > "$work/$2.$1.out"
    fi
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000000))
}

declare -A ratios glibc_ms vheap_ms
for ((r = 0; r < rounds; r++)); do
    for w in "${workloads[@]}"; do
        if ((r % 2 == 0)); then
            g=$(ms glibc "$w"); v=$(ms vheap "$w")
        else
            v=$(ms vheap "$w"); g=$(ms glibc "$w")
        fi
        cmp -s "$work/$w.glibc.out" "$work/$w.vheap.out" || { echo "shim-bench: $w: outputs differ"; exit 1; }
        ratios[$w]+="$(awk -v v="$v" -v g="$g" 'BEGIN {printf "%.3f", v / g}') "
        glibc_ms[$w]+="$g "
        vheap_ms[$w]+="$v "
    done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "shim-bench: $rounds rounds, alternating order, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-30s %12s %12s %14s   %s\n' workload "glibc ms" "vheap ms" "vheap/glibc" "per-round ratios"
for w in "${workloads[@]}"; do
    printf '%-30s %12s %12s %14s   %s\n' "${label[$w]}" "$(echo "${glibc_ms[$w]}" | median)" \
        "$(echo "${vheap_ms[$w]}" | median)" "$(echo "${ratios[$w]}" | median)" "${ratios[$w]}"
done
echo "(times and ratio are medians; ratio > 1 means slower on vheap; same output checked every round)"
