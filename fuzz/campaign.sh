#!/usr/bin/env bash
# A bounded fuzzing campaign of the ops harness: libFuzzer (value profiling)
# and AFL++ (a main instance and a CMPLOG secondary) side by side, a progress
# line every ~10 s, a summary table and a verdict.
#
#   fuzz/campaign.sh SECONDS OUTDIR       (make fuzz, make fuzz-smoke)
#
# Exit status 1 if either engine found a crash (or a hang/timeout), or an
# engine could not run; the crashing inputs are listed with the command that
# replays each.  Everything runs in its own PID namespace when possible
# (unshare, as root), else in process groups that are killed on exit, so no
# fuzzer (nor AFL's CMPLOG child) outlives the campaign.
set -euo pipefail

secs=${1:?usage: campaign.sh SECONDS OUTDIR}
out=${2:?usage: campaign.sh SECONDS OUTDIR}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${FUZZ_BIN_DIR:-$root/build/fuzz}

if [ -z "${VH_CAMPAIGN_INNER:-}" ] && [ "$(id -u)" = 0 ] &&
    unshare --pid --fork --kill-child true 2>/dev/null; then
    export VH_CAMPAIGN_INNER=pidns
    exec unshare --pid --fork --kill-child "$0" "$@"
fi

for b in ops-libfuzzer ops-afl ops-afl-cmplog ops-replay; do
    [ -x "$bin/$b" ] || { echo "campaign: $bin/$b missing; run make fuzz-build" >&2; exit 2; }
done

rm -rf "$out"
mkdir -p "$out/lf/corpus" "$out/lf/artifacts" "$out/afl/in"
out=$(cd "$out" && pwd)
# Both engines start from every committed input (seeds, finds, regressions).
find "$root/corpus" -type f ! -name 'README*' -exec cp {} "$out/lf/corpus/" \;
cp "$out/lf/corpus/"* "$out/afl/in/"
nseeds=$(ls "$out/lf/corpus" | wc -l)

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

# libFuzzer: the harness writes its execution count to lf/stats every ~2 s.
(cd "$out/lf" && VH_FUZZ_STATS="$out/lf/stats" exec setsid "$bin/ops-libfuzzer" \
    -max_total_time="$secs" -use_value_profile=1 -dict="$root/fuzz/ops.dict" \
    -artifact_prefix="$out/lf/artifacts/" -print_final_stats=1 -timeout=20 -rss_limit_mb=4096 \
    "$out/lf/corpus" >"$out/lf/log" 2>&1) &
pids+=($!)
(exec setsid afl-fuzz -M main -i "$out/afl/in" -o "$out/afl/out" -x "$root/fuzz/ops.dict" \
    -m none -t 20000 -V "$secs" -- "$bin/ops-afl" >"$out/afl/main.log" 2>&1) &
pids+=($!)
(exec setsid afl-fuzz -S cmplog -c "$bin/ops-afl-cmplog" -i "$out/afl/in" -o "$out/afl/out" \
    -x "$root/fuzz/ops.dict" -m none -t 20000 -V "$secs" -- "$bin/ops-afl" \
    >"$out/afl/cmplog.log" 2>&1) &
pids+=($!)

echo "campaign: ${secs}s, $nseeds starting inputs, output in $out (${VH_CAMPAIGN_INNER:-process groups})"

count() { find "$@" -maxdepth 1 -type f 2>/dev/null | wc -l; }
lf_execs() { cat "$out/lf/stats" 2>/dev/null || echo 0; }
lf_crashes() { count "$out/lf/artifacts"; }
# Value of a fuzzer_stats key of one AFL instance.
afl_stat() { awk -F' *: *' -v k="$2" '$1 == k {print $2}' "$out/afl/out/$1/fuzzer_stats" 2>/dev/null || true; }
# Last plot_data column by name (updated every ~5 s, fuzzer_stats less often).
afl_plot() {
    local f="$out/afl/out/$1/plot_data"
    [ -f "$f" ] || { echo 0; return; }
    awk -F', *' -v k="$2" 'NR == 1 {for (i = 1; i <= NF; i++) {h = $i; sub(/^# */, "", h); if (h == k) c = i}}
        NR > 1 && c {v = $c} END {print (v == "" ? 0 : v)}' "$f"
}
afl_crashes() { count "$out/afl/out/$1/crashes" | awk -v h="$(count "$out/afl/out/$1/hangs")" '{print $1 + h}'; }
afl_crash_files() { find "$out/afl/out/$1/crashes" "$out/afl/out/$1/hangs" -type f -name 'id:*' 2>/dev/null || true; }

start=$(date +%s)
last_lf=0
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
    e=$(lf_execs)
    rate=$(((e - last_lf) / (now - last_t > 0 ? now - last_t : 1)))
    last_lf=$e
    last_t=$now
    printf 'campaign: %4ds | libFuzzer %9s execs %6s/s corpus %5s crashes %s | AFL main %9s execs %6s/s corpus %5s crashes %s | cmplog %9s execs %6s/s corpus %5s crashes %s\n' \
        $((now - start)) "$e" "$rate" "$(count "$out/lf/corpus")" "$(lf_crashes)" \
        "$(afl_plot main total_execs)" "$(afl_plot main execs_per_sec | cut -d. -f1)" \
        "$(afl_plot main corpus_count)" "$(afl_crashes main)" \
        "$(afl_plot cmplog total_execs)" "$(afl_plot cmplog execs_per_sec | cut -d. -f1)" \
        "$(afl_plot cmplog corpus_count)" "$(afl_crashes cmplog)"
done
# Engines normally stop by themselves at SECONDS; collect their exit status.
lf_rc=0
wait "${pids[0]}" 2>/dev/null || lf_rc=$?
afl_rc=0
wait "${pids[1]}" 2>/dev/null || afl_rc=$?
afl2_rc=0
wait "${pids[2]}" 2>/dev/null || afl2_rc=$?
cleanup
trap - EXIT
elapsed=$(($(date +%s) - start))

lf_total=$(awk -F': *' '/stat::number_of_executed_units/ {print $2}' "$out/lf/log")
lf_avg=$(awk -F': *' '/stat::average_exec_per_sec/ {print $2}' "$out/lf/log")
[ -n "$lf_total" ] || lf_total=$(lf_execs)
[ -n "$lf_avg" ] || lf_avg=$((lf_total / (elapsed > 0 ? elapsed : 1)))

echo
echo "campaign summary (${elapsed}s, $(nproc) cores)"
printf '  %-16s %12s %10s %8s %8s\n' engine execs exec/s corpus crashes
printf '  %-16s %12s %10s %8s %8s\n' "libFuzzer" "$lf_total" "$lf_avg" "$(count "$out/lf/corpus")" "$(lf_crashes)"
for i in main cmplog; do
    ex=$(afl_stat "$i" execs_done)
    [ -n "$ex" ] || ex=$(afl_plot "$i" total_execs)
    rt=$(awk -v e="$ex" -v t="$(afl_stat "$i" run_time)" 'BEGIN {printf "%d", (t > 0 ? e / t : 0)}')
    printf '  %-16s %12s %10s %8s %8s\n' "AFL++ $i" "$ex" "$rt" "$(afl_stat "$i" corpus_count)" "$(afl_crashes "$i")"
done

failed=0
crashes=()
while IFS= read -r f; do crashes+=("$f"); done < <(find "$out/lf/artifacts" -type f 2>/dev/null; afl_crash_files main; afl_crash_files cmplog)
if [ ${#crashes[@]} -gt 0 ]; then
    failed=1
    echo
    echo "crashing inputs (${#crashes[@]}); replay each with:"
    for f in "${crashes[@]}"; do
        echo "  $root/build/fuzz/ops-replay '$f'"
    done
    grep -h -m1 'vheap-fuzz: FAIL\|ERROR: AddressSanitizer\|runtime error' "$out/lf/log" 2>/dev/null | sed 's/^/  libFuzzer: /' || true
fi
if [ "$lf_rc" -ne 0 ] && [ "$(lf_crashes)" -eq 0 ]; then
    failed=1
    echo "libFuzzer exited with $lf_rc without a crash file; log tail:"
    tail -5 "$out/lf/log" | sed 's/^/  /'
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
