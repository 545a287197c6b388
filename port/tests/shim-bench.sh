#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Same-run timing of real programs on the malloc shim against glibc's malloc.
# Each round runs every workload once per allocator, in alternating order
# (glibc first on even rounds, vheap first on odd ones); the figure is the
# median over rounds of the per-round ratio vheap / glibc, of wall-clock
# time and of CPU time (user + system, less sensitive to other load).  Machines here are shared and noisy: read it as a benchmark, not a
# bound; nothing is asserted.
#
#   port/tests/shim-bench.sh SHIM.so WORKDIR [ROUNDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SHIM_LIB_ONLY=1
# shellcheck source=shim-programs.sh
. "$here/shim-programs.sh"
shim=$(readlink -f "$1")
rounds=${3:-5}
rm -rf "$2"
mkdir -p "$2"
work=$(readlink -f "$2")
gen_sql > "$work/q.sql"

py_default() { run_python; }
py_malloc() { PYTHONMALLOC=malloc run_python; }
sqlite() { run_sqlite "$work"; }
workloads=(py_default py_malloc sqlite)
declare -A label=([py_default]="python3 (pymalloc + malloc)" [py_malloc]="python3 PYTHONMALLOC=malloc"
                  [sqlite]="sqlite3 20k-row insert/select")

# run ALLOC FN: runs FN with ALLOC (glibc | vheap); prints "wall_ms cpu_ms"
# (cpu = user + system of the whole run); output kept to check both
# allocators agree.
run() {
    local t
    TIMEFORMAT='%3R %3U %3S'
    if [ "$1" = vheap ]; then
        t=$({ time (export LD_PRELOAD=$shim; "$2" > "$work/$2.$1.out" 2> "$work/$2.$1.err"); } 2>&1)
    else
        t=$({ time ("$2" > "$work/$2.$1.out" 2> "$work/$2.$1.err"); } 2>&1)
    fi
    echo "$t" | awk '{printf "%d %d", $1 * 1000, ($2 + $3) * 1000}'
}

ratio() { awk -v v="$1" -v g="$2" 'BEGIN {printf "%.3f", (g > 0) ? v / g : 0}'; }

declare -A wr cr gw vw gc vc
for ((r = 0; r < rounds; r++)); do
    for w in "${workloads[@]}"; do
        if ((r % 2 == 0)); then
            g=$(run glibc "$w"); v=$(run vheap "$w")
        else
            v=$(run vheap "$w"); g=$(run glibc "$w")
        fi
        cmp -s "$work/$w.glibc.out" "$work/$w.vheap.out" || { echo "shim-bench: $w: outputs differ"; exit 1; }
        read -r g_wall g_cpu <<< "$g"
        read -r v_wall v_cpu <<< "$v"
        wr[$w]+="$(ratio "$v_wall" "$g_wall") "
        cr[$w]+="$(ratio "$v_cpu" "$g_cpu") "
        gw[$w]+="$g_wall "; vw[$w]+="$v_wall "; gc[$w]+="$g_cpu "; vc[$w]+="$v_cpu "
    done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "shim-bench: $rounds rounds, alternating order, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-30s %9s %9s %8s %9s %9s %8s   %s\n' workload "glibc" "vheap" "wall" "glibc" "vheap" "cpu" "per-round wall ratios"
printf '%-30s %9s %9s %8s %9s %9s %8s\n' "" "wall ms" "wall ms" "ratio" "cpu ms" "cpu ms" "ratio"
for w in "${workloads[@]}"; do
    printf '%-30s %9s %9s %8s %9s %9s %8s   %s\n' "${label[$w]}" \
        "$(echo "${gw[$w]}" | median)" "$(echo "${vw[$w]}" | median)" "$(echo "${wr[$w]}" | median)" \
        "$(echo "${gc[$w]}" | median)" "$(echo "${vc[$w]}" | median)" "$(echo "${cr[$w]}" | median)" "${wr[$w]}"
done
echo "(medians over rounds; ratio = vheap / glibc, > 1 means slower on vheap; cpu = user + system;"
echo " outputs compared every round)"

if [ "${SHIM_BENCH_CALLGRIND:-1}" = 0 ]; then
    exit 0
fi
if ! command -v valgrind > /dev/null; then
    echo "shim-bench: callgrind counts not measured: valgrind is not installed (ci/install-deps bench)"
    exit 0
fi
cg_n=${SHIM_BENCH_CG_PY_N:-20000}
# cg ALLOC NAME CMD...: instructions of CMD under callgrind; checks the shim
# really ran (its stats line) when ALLOC is vheap.
cg() {
    local alloc=$1 name=$2
    shift 2
    local pre=
    [ "$alloc" = vheap ] && pre=$shim
    (cd "$work" && rm -f cg.db && LD_PRELOAD=$pre VHEAP_STATS=1 valgrind --tool=callgrind \
        --callgrind-out-file=/dev/null "$@" < "${CG_STDIN:-/dev/null}" > "$work/cg.$name.$alloc.out" \
        2> "$work/cg.$name.$alloc.err")
    if [ "$alloc" = vheap ] && ! grep -q '^vheap-stats:.* allocations=[1-9]' "$work/cg.$name.$alloc.err"; then
        echo "shim-bench: $name under callgrind did not run on vheap" >&2
        exit 1
    fi
    sed -n 's/^==[0-9]*== Collected : \([0-9]*\)/\1/p' "$work/cg.$name.$alloc.err" | tail -1
}
echo
echo "callgrind instruction counts (one run each; python3 with N=$cg_n):"
printf '%-30s %16s %16s %12s\n' workload glibc vheap vheap/glibc
for w in py_default py_malloc sqlite; do
    # Environment and input are set outside valgrind: it does not follow exec.
    pm=pymalloc
    CG_STDIN=/dev/null
    case $w in
    py_default | py_malloc) cmd=("$PY" "$here/shim_workload.py" "$cg_n") ;;
    sqlite) cmd=(sqlite3 cg.db) CG_STDIN=$work/q.sql ;;
    esac
    [ "$w" = py_malloc ] && pm=malloc
    g=$(PYTHONMALLOC=$pm cg glibc "$w" "${cmd[@]}")
    v=$(PYTHONMALLOC=$pm cg vheap "$w" "${cmd[@]}")
    cmp -s "$work/cg.$w.glibc.out" "$work/cg.$w.vheap.out" || { echo "shim-bench: $w: outputs differ under callgrind"; exit 1; }
    printf '%-30s %16s %16s %12s\n' "${label[$w]}" "$g" "$v" "$(ratio "$v" "$g")"
done
