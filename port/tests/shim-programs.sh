#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Real programs on the malloc shim: each runs once on glibc's malloc and once
# with LD_PRELOAD=libvheap-malloc.so VHEAP_STATS=1; the two outputs must be
# identical, the shim's stats line must show allocations, and no invalid
# pointer may be reported.
#
#   port/tests/shim-programs.sh SHIM.so WORKDIR
#
# Also used by port/tests/shim-bench.sh (source it with SHIM_LIB_ONLY=1 to get
# the workload functions without running the checks).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

PY=${PY:-/usr/bin/python3}
PY_N=${PY_N:-60000}

# ---- workloads: each writes its result on stdout ----

# 20,000 INSERT statements in one transaction, then selects, an update with
# blobs of many sizes, a delete and a VACUUM.
gen_sql() {
    awk 'BEGIN {
      print "PRAGMA synchronous=OFF;";
      print "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, grp INTEGER, score REAL, payload BLOB);";
      print "BEGIN;";
      s = 12345;
      for (i = 1; i <= 20000; i++) {
        s = (s * 69069 + 1) % 4294967296;
        printf "INSERT INTO t VALUES(%d,'\''n%08x'\'',%d,%d.%03d,NULL);\n", i, s, s % 97, s % 100000, i % 1000;
      }
      print "COMMIT;";
      print "CREATE INDEX t_name ON t(name);";
      print "SELECT count(*), sum(grp), printf(\"%.3f\", sum(score)) FROM t;";
      print "SELECT grp, count(*), min(name), max(name), printf(\"%.3f\", avg(score)) FROM t GROUP BY grp ORDER BY grp;";
      print "SELECT id, name FROM t ORDER BY name LIMIT 20;";
      print "SELECT group_concat(name, \",\") FROM (SELECT name FROM t WHERE id % 50 = 0 ORDER BY name);";
      print "UPDATE t SET payload = zeroblob(200 + id % 3000) WHERE id % 7 = 0;";
      print "SELECT sum(length(payload)), count(payload) FROM t;";
      print "DELETE FROM t WHERE grp < 10;";
      print "VACUUM;";
      print "SELECT count(*), sum(id), max(name) FROM t;";
    }'
}

run_sqlite() { # DIR
    rm -f "$1/t.db"
    sqlite3 "$1/t.db" < "$1/q.sql"
}

run_python() {
    "$PY" "$here/shim_workload.py" "$PY_N"
}

# git: a repository with 300 files, three commits (fixed dates, so the hashes
# are reproducible), log, diff, gc and fsck.
run_git() { # DIR
    local r=$1/repo
    rm -rf "$r"
    mkdir -p "$r"
    export GIT_AUTHOR_NAME=vheap GIT_AUTHOR_EMAIL=vheap@example.invalid
    export GIT_COMMITTER_NAME=vheap GIT_COMMITTER_EMAIL=vheap@example.invalid
    export GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z'
    # Hermetic: no user or system config, no PATH entries beyond the system's
    # (a stray tool earlier on PATH once broke `git gc` on a developer machine).
    export GIT_CONFIG_NOSYSTEM=1 HOME=$1 PATH=/usr/sbin:/usr/bin:/sbin:/bin
    git -C "$r" init -q -b main
    awk -v r="$r" 'BEGIN { for (i = 1; i <= 300; i++) { f = r "/f" i ".txt"; printf "file %d\n", i > f;
        for (j = i; j <= 3 * i; j++) printf "%d ", j > f; printf "\n" > f; close(f) } }' 
    git -C "$r" add -A
    git -C "$r" commit -q -m "first: 300 files"
    awk -v r="$r" 'BEGIN { for (i = 7; i <= 300; i += 7) { f = r "/f" i ".txt"; print "changed " i >> f; close(f) } }' 
    git -C "$r" rm -q f1.txt f2.txt
    git -C "$r" commit -q -a -m "second: edits and removals"
    git -C "$r" mv f3.txt g3.txt
    git -C "$r" commit -q -m "third: rename"
    git -C "$r" log --stat --format='%H %s'
    git -C "$r" diff --stat HEAD~2 HEAD
    git -C "$r" gc -q
    git -C "$r" fsck --strict
    git -C "$r" count-objects -v | grep -v size
}

# gcc compiles a file (to an object and to a program); prints the object's
# hash and the program's output.
run_gcc() { # DIR
    gcc -O2 -c "$here/shim_gcc_input.c" -o "$1/prog.o"
    gcc -O2 "$1/prog.o" -o "$1/prog"
    sha256sum < "$1/prog.o"
    "$1/prog"
}

[ "${SHIM_LIB_ONLY:-0}" = 1 ] && return 0

shim=$(readlink -f "$1")
work=$(readlink -f "$2")
rm -rf "$work"
mkdir -p "$work"
gen_sql > "$work/q.sql"
fail=0

# compare NAME CMD...: runs CMD without and with the shim in fresh
# subdirectories; compares stdout; checks the stats lines.
compare() {
    local name=$1
    shift
    local d0=$work/$name-glibc d1=$work/$name-vheap
    mkdir -p "$d0" "$d1"
    cp "$work/q.sql" "$d0/" && cp "$work/q.sql" "$d1/"
    local t0 t1 t2 rc0 rc1
    # Each workload runs in a subshell with errexit on (it would be ignored
    # inside a `||` list), so any failing command fails the workload.
    set +e
    t0=$(date +%s%N)
    (set -e; "$@" "$d0") > "$d0/out" 2> "$d0/err"
    rc0=$?
    t1=$(date +%s%N)
    (set -e; export LD_PRELOAD="$shim" VHEAP_STATS=1; "$@" "$d1") > "$d1/out" 2> "$d1/err"
    rc1=$?
    t2=$(date +%s%N)
    set -e
    if [ "$rc0" -ne 0 ]; then
        echo "shim-programs: $name failed without the shim (status $rc0)"; tail -20 "$d0/err"; fail=1; return
    fi
    if [ "$rc1" -ne 0 ]; then
        echo "shim-programs: $name FAILED under the shim (status $rc1)"; grep -v '^vheap-stats' "$d1/err" | tail -20; fail=1; return
    fi
    if ! cmp -s "$d0/out" "$d1/out"; then
        echo "shim-programs: $name output DIFFERS under the shim:"
        diff "$d0/out" "$d1/out" | head -20
        fail=1
        return
    fi
    local stats procs allocs
    stats=$(grep '^vheap-stats:' "$d1/err" || true)
    procs=$(printf '%s\n' "$stats" | grep -c 'allocations=' || true)
    allocs=$(printf '%s\n' "$stats" | sed -n 's/.* allocations=\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
    if [ "$procs" -eq 0 ] || [ "$allocs" -eq 0 ]; then
        echo "shim-programs: $name: no vheap-stats line with allocations: the shim was not used"
        fail=1
        return
    fi
    if grep -q '^vheap: invalid pointer' "$d1/err" || printf '%s\n' "$stats" | grep -qE 'invalid_[a-z_]*=[1-9]|core_errors=[1-9]'; then
        echo "shim-programs: $name: invalid pointers reported under the shim:"
        grep -E '^vheap: invalid|invalid_[a-z_]*=[1-9]' "$d1/err" | head -5
        fail=1
        return
    fi
    printf 'shim-programs: %-16s same output (%s lines, sha256 %s); %s process(es) on vheap, %s allocations; %d ms glibc, %d ms vheap\n' \
        "$name" "$(wc -l < "$d1/out")" "$(sha256sum < "$d1/out" | cut -c1-12)" "$procs" "$allocs" \
        $(((t1 - t0) / 1000000)) $(((t2 - t1) / 1000000))
}

py_default() { run_python; }
py_malloc() { PYTHONMALLOC=malloc run_python; }
compare python3 py_default
compare python3-malloc py_malloc
compare sqlite3 run_sqlite
compare git run_git
compare gcc run_gcc
head -c 300 "$work/sqlite3-vheap/out" | head -3 | sed 's/^/  sqlite3: /'
grep '^sha256' "$work/python3-vheap/out" | sed 's/^/  python3: /'
grep -m1 'second' "$work/git-vheap/out" | sed 's/^/  git: /'
tail -1 "$work/gcc-vheap/out" | sed 's/^/  gcc-built program: /'
[ "$fail" -eq 0 ] && echo "shim-programs: all passed"
exit "$fail"
