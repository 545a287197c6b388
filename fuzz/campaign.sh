#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A bounded fuzzing campaign of both targets: the model-checked ops harness
# under libFuzzer (value profiling) and AFL++ (a main instance and a CMPLOG
# secondary), and the corruption target (ops-corrupt, fuzz/corrupt.c) under
# libFuzzer, side by side; a progress line every ~10 s, a summary table and
# a verdict.
#
#   fuzz/campaign.sh [--node NAME --sync DIR] [--seeds DIR] SECONDS OUTDIR
#                                                   (make fuzz, make fuzz-smoke)
#
# Alone (no --sync), everything lives in OUTDIR, which is emptied first.
# With --sync DIR this machine is node NAME of a campaign over several
# machines, in AFL++'s documented layout (fuzz/README.md): DIR is afl-fuzz's
# -o on every node, this node runs `-M main-NAME` and `-S cmplog-NAME`, and
# its libFuzzer corpora are DIR/libfuzzer-NAME/ and DIR/corrupt-NAME/ (not
# AFL instance directories; main-NAME imports the first with -F).  Nothing
# in DIR is removed: a second run on the same node resumes (AFL_AUTORESUME),
# and the main instances other nodes' sync steps copied into DIR are
# imported (AFL_IMPORT_FIRST).  OUTDIR then holds only logs and libFuzzer's
# crash artifacts.  --seeds: where the engines start (default corpus/, every
# committed input).
#
# Exit status 1 if any engine found a crash (or a hang/timeout), or an
# engine could not run; the crashing inputs are listed with the command that
# replays each.  Everything runs in its own PID namespace when possible
# (unshare, as root), else in process groups that are killed on exit, so no
# fuzzer (nor AFL's CMPLOG child) outlives the campaign.
set -euo pipefail

usage="usage: campaign.sh [--node NAME --sync DIR] [--seeds DIR] SECONDS OUTDIR"
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${FUZZ_BIN_DIR:-$root/build/fuzz}
node="" sync="" seeds="$root/corpus"
args=("$@")
while [ $# -gt 0 ]; do
    case $1 in
    --node) node=${2:?$usage}; shift 2 ;;
    --sync) sync=${2:?$usage}; shift 2 ;;
    --seeds) seeds=${2:?$usage}; shift 2 ;;
    --*) echo "$usage" >&2; exit 2 ;;
    *) break ;;
    esac
done
secs=${1:?$usage}
out=${2:?$usage}
if [ -n "$sync" ] && [ -z "$node" ]; then
    node=$(hostname -s 2>/dev/null || hostname)
fi
if [ -n "$node" ] && { [ -z "$sync" ] || ! [[ $node =~ ^[A-Za-z0-9_-]+$ ]]; }; then
    echo "campaign: --node needs --sync, and a name of letters, digits, - and _ ($node)" >&2
    exit 2
fi
[ -d "$seeds" ] || { echo "campaign: no seed directory $seeds" >&2; exit 2; }

if [ -z "${VH_CAMPAIGN_INNER:-}" ] && [ "$(id -u)" = 0 ] &&
    unshare --pid --fork --kill-child --mount-proc true 2>/dev/null; then
    export VH_CAMPAIGN_INNER=pidns
    exec unshare --pid --fork --kill-child --mount-proc "$0" "${args[@]}"
fi

for b in ops-libfuzzer ops-afl ops-afl-cmplog ops-replay corrupt-libfuzzer corrupt-replay; do
    [ -x "$bin/$b" ] || { echo "campaign: $bin/$b missing; run make fuzz-build" >&2; exit 2; }
done

rm -rf "$out"
mkdir -p "$out/lf/artifacts" "$out/afl/in" "$out/corrupt/artifacts"
out=$(cd "$out" && pwd)
seeds=$(cd "$seeds" && pwd)
if [ -n "$sync" ]; then
    mkdir -p "$sync"
    sync=$(cd "$sync" && pwd)
    afl_out=$sync main=main-$node cmplog=cmplog-$node
    lf_corpus=$sync/libfuzzer-$node corrupt_corpus=$sync/corrupt-$node
    export AFL_AUTORESUME=1 AFL_IMPORT_FIRST=1
else
    afl_out=$out/afl/out main=main cmplog=cmplog
    lf_corpus=$out/lf/corpus corrupt_corpus=$out/corrupt/corpus
fi
mkdir -p "$lf_corpus" "$corrupt_corpus"
# The corruption target (fuzz/corrupt.c) starts from its own inputs.
if [ "$seeds" = "$root/corpus" ]; then
    find "$root/corpus/corrupt" "$root/corpus/regressions/corrupt" -type f ! -name 'README*' \
        -exec cp {} "$corrupt_corpus/" \; 2>/dev/null || true
else
    find "$seeds" -type f ! -name 'README*' -exec cp {} "$corrupt_corpus/" \;
fi
# Both engines start from every input under the seed directory (by default
# every committed one: seeds, finds, regressions).
find "$seeds" -type f ! -name 'README*' -exec cp {} "$lf_corpus/" \;
find "$seeds" -type f ! -name 'README*' -exec cp {} "$out/afl/in/" \;
nseeds=$(find "$out/afl/in" -type f | wc -l)

pids=()
cleanup() {
    for p in "${pids[@]}"; do
        kill -TERM -- "-$p" 2>/dev/null || true
    done
    sleep 0.5
    for p in "${pids[@]}"; do
        kill -KILL -- "-$p" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export AFL_QUIET=1

# Every engine's harness processes add their executions to a shared counter
# file (VH_FUZZ_STATS): AFL++ writes its own stats only about once a minute.
(cd "$out/lf" && VH_FUZZ_STATS="$out/lf.execs" exec setsid "$bin/ops-libfuzzer" \
    -max_total_time="$secs" -use_value_profile=1 -dict="$root/fuzz/ops.dict" \
    -artifact_prefix="$out/lf/artifacts/" -print_final_stats=1 -timeout=20 -rss_limit_mb=4096 \
    "$lf_corpus" >"$out/lf/log" 2>&1) &
pids+=($!)
# The main instance also imports libFuzzer's finds (-F, as AFL++'s docs
# recommend for libFuzzer running beside it).
(VH_FUZZ_STATS="$out/main.execs" exec setsid afl-fuzz -M "$main" -F "$lf_corpus" -i "$out/afl/in" -o "$afl_out" \
    -x "$root/fuzz/ops.dict" -m none -t 20000 -V "$secs" -- "$bin/ops-afl" >"$out/afl/main.log" 2>&1) &
pids+=($!)
(VH_FUZZ_STATS="$out/cmplog.execs" exec setsid afl-fuzz -S "$cmplog" -c "$bin/ops-afl-cmplog" -i "$out/afl/in" -o "$afl_out" \
    -x "$root/fuzz/ops.dict" -m none -t 20000 -V "$secs" -- "$bin/ops-afl" \
    >"$out/afl/cmplog.log" 2>&1) &
pids+=($!)

(cd "$out/corrupt" && VH_FUZZ_STATS="$out/corrupt.execs" exec setsid "$bin/corrupt-libfuzzer" \
    -max_total_time="$secs" -use_value_profile=1 -max_len=1024 \
    -artifact_prefix="$out/corrupt/artifacts/" -print_final_stats=1 -timeout=20 -rss_limit_mb=4096 \
    "$corrupt_corpus" >"$out/corrupt/log" 2>&1) &
pids+=($!)

if [ -n "$sync" ]; then
    echo "campaign: node $node, ${secs}s, $nseeds starting inputs, sync directory $sync, logs in $out (${VH_CAMPAIGN_INNER:-process groups})"
else
    echo "campaign: ${secs}s, $nseeds starting inputs, output in $out (${VH_CAMPAIGN_INNER:-process groups})"
fi

count() { find "$@" -maxdepth 1 -type f 2>/dev/null | wc -l; }
execs() { od -An -tu8 -N8 "$out/$1.execs" 2>/dev/null | tr -d ' ' | grep . || echo 0; }
lf_crashes() { count "$out/lf/artifacts"; }
# Value of a fuzzer_stats key of one AFL instance (written at the end).
# (main and cmplog name this node's two instances: main-NODE, cmplog-NODE.)
afl_dir() { if [ "$1" = main ]; then echo "$afl_out/$main"; else echo "$afl_out/$cmplog"; fi; }
afl_stat() { awk -F' *: *' -v k="$2" '$1 == k {print $2}' "$(afl_dir "$1")/fuzzer_stats" 2>/dev/null || true; }
afl_corpus() { find "$(afl_dir "$1")/queue" -maxdepth 1 -type f -name 'id:*' 2>/dev/null | wc -l; }
afl_crashes() { find "$(afl_dir "$1")/crashes" "$(afl_dir "$1")/hangs" -maxdepth 1 -type f -name 'id:*' 2>/dev/null | wc -l; }
afl_crash_files() { find "$(afl_dir "$1")/crashes" "$(afl_dir "$1")/hangs" -type f -name 'id:*' 2>/dev/null || true; }

start=$(date +%s)
declare -A last=([lf]=0 [main]=0 [cmplog]=0 [corrupt]=0)
last_t=$start
running() {
    local p
    for p in "${pids[@]}"; do
        kill -0 "$p" 2>/dev/null && return 0
    done
    return 1
}
while running; do
    now=$(date +%s)
    if [ $((now - start)) -gt $((secs + 120)) ]; then
        echo "campaign: engines still running ${secs}s + 120s after start; stopping them"
        break
    fi
    sleep 10 &
    wait $! || true
    now=$(date +%s)
    dt=$((now - last_t > 0 ? now - last_t : 1))
    line=$(printf 'campaign: %4ds' $((now - start)))
    for e in lf main cmplog corrupt; do
        n=$(execs $e)
        case $e in
        lf) name=libFuzzer corp=$(count "$lf_corpus") cr=$(lf_crashes) ;;
        main) name="AFL++ main" corp=$(afl_corpus main) cr=$(afl_crashes main) ;;
        cmplog) name="AFL++ cmplog" corp=$(afl_corpus cmplog) cr=$(afl_crashes cmplog) ;;
        corrupt) name="corrupt" corp=$(count "$corrupt_corpus") cr=$(count "$out/corrupt/artifacts") ;;
        esac
        line+=$(printf ' | %s %s execs %s/s corpus %s crashes %s' "$name" "$n" $(((n - last[$e]) / dt)) "$corp" "$cr")
        last[$e]=$n
    done
    last_t=$now
    echo "$line"
done
# Engines normally stop by themselves at SECONDS; collect their exit status.
lf_rc=0
wait "${pids[0]}" 2>/dev/null || lf_rc=$?
afl_rc=0
wait "${pids[1]}" 2>/dev/null || afl_rc=$?
afl2_rc=0
wait "${pids[2]}" 2>/dev/null || afl2_rc=$?
corrupt_rc=0
wait "${pids[3]}" 2>/dev/null || corrupt_rc=$?
cleanup
trap - EXIT
elapsed=$(($(date +%s) - start))

lf_total=$(awk '/stat::number_of_executed_units/ {print $NF}' "$out/lf/log")
lf_avg=$(awk '/stat::average_exec_per_sec/ {print $NF}' "$out/lf/log")
[ -n "$lf_total" ] || lf_total=$(execs lf)
[ -n "$lf_avg" ] || lf_avg=$((lf_total / (elapsed > 0 ? elapsed : 1)))

echo
echo "campaign summary (${elapsed}s, $(nproc) cores)"
printf '  %-16s %12s %10s %8s %8s\n' engine execs exec/s corpus crashes
printf '  %-16s %12s %10s %8s %8s\n' "libFuzzer" "$lf_total" "$lf_avg" "$(count "$lf_corpus")" "$(lf_crashes)"
c_total=$(awk '/stat::number_of_executed_units/ {print $NF}' "$out/corrupt/log")
c_avg=$(awk '/stat::average_exec_per_sec/ {print $NF}' "$out/corrupt/log")
[ -n "$c_total" ] || c_total=$(execs corrupt)
[ -n "$c_avg" ] || c_avg=$((c_total / (elapsed > 0 ? elapsed : 1)))
printf '  %-16s %12s %10s %8s %8s\n' "corrupt (libF.)" "$c_total" "$c_avg" "$(count "$corrupt_corpus")" \
    "$(count "$out/corrupt/artifacts")"
for i in main cmplog; do
    ex=$(afl_stat "$i" execs_done)
    [ -n "$ex" ] || ex=$(execs "$i")
    rt=$(awk -v e="$ex" -v t="$(afl_stat "$i" run_time)" 'BEGIN {printf "%d", (t > 0 ? e / t : 0)}')
    printf '  %-16s %12s %10s %8s %8s\n' "AFL++ $i" "$ex" "$rt" "$(afl_corpus "$i")" "$(afl_crashes "$i")"
done

failed=0
list_crashes() { # ENGINE REPLAY FILES...: where they are, and the command for the first few
    local name=$1 replay=$2
    shift 2
    [ $# -gt 0 ] || return 0
    echo "  $name: $# crashing input(s) in $(dirname "$1")/"
    local n=0 f
    for f in "$@"; do
        [ $n -lt 5 ] || { echo "    ... and $(($# - 5)) more (same command on each)"; break; }
        echo "    $root/build/fuzz/$replay '$f'"
        n=$((n + 1))
    done
}
mapfile -t lf_files < <(find "$out/lf/artifacts" -type f 2>/dev/null | sort)
mapfile -t main_files < <(afl_crash_files main | sort)
mapfile -t cmplog_files < <(afl_crash_files cmplog | sort)
mapfile -t corrupt_files < <(find "$out/corrupt/artifacts" -type f 2>/dev/null | sort)
if [ $((${#lf_files[@]} + ${#main_files[@]} + ${#cmplog_files[@]} + ${#corrupt_files[@]})) -gt 0 ]; then
    failed=1
    echo
    echo "crashes found; replay each with the command shown (it prints the failed check):"
    list_crashes libFuzzer ops-replay "${lf_files[@]}"
    list_crashes "AFL++ main" ops-replay "${main_files[@]}"
    list_crashes "AFL++ cmplog" ops-replay "${cmplog_files[@]}"
    list_crashes "corrupt (libFuzzer)" corrupt-replay "${corrupt_files[@]}"
    grep -h -m1 'vheap-fuzz: FAIL\|ERROR: AddressSanitizer\|runtime error' "$out/lf/log" 2>/dev/null |
        sed 's/^/  libFuzzer saw: /' || true
    grep -h -m1 'vheap-fuzz: FAIL\|ERROR: AddressSanitizer\|runtime error' "$out/corrupt/log" 2>/dev/null |
        sed 's/^/  corrupt saw: /' || true
fi
if [ "$lf_rc" -ne 0 ] && [ "$(lf_crashes)" -eq 0 ]; then
    failed=1
    echo "libFuzzer exited with $lf_rc without a crash file; log tail:"
    tail -5 "$out/lf/log" | sed 's/^/  /'
fi
if [ "$corrupt_rc" -ne 0 ] && [ ${#corrupt_files[@]} -eq 0 ]; then
    failed=1
    echo "corrupt libFuzzer exited with $corrupt_rc without a crash file; log tail:"
    tail -5 "$out/corrupt/log" | sed 's/^/  /'
fi
for i in main cmplog; do
    rc=$afl_rc
    [ "$i" = cmplog ] && rc=$afl2_rc
    if [ "$rc" -ne 0 ] || [ -z "$(afl_stat "$i" execs_done)" ]; then
        failed=1
        echo "AFL++ $i exited with $rc or wrote no stats; log tail:"
        tail -5 "$out/afl/$i.log" | sed 's/^/  /'
    fi
done
if [ $failed -eq 0 ]; then
    echo "verdict: PASS (no crash, hang or engine failure in ${elapsed}s)"
else
    echo "verdict: FAIL"
fi
exit $failed
