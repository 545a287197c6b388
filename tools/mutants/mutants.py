#!/usr/bin/env python3
"""make mutants: inject realistic faults into a copy of vheap's core, one at a
time, and require the verification to catch every one.

For each mutant in tools/mutants/mutants.txt:
  1. a fresh copy of core/ in a copy of the source tree (build/mutants/src/;
     core/ itself is never touched) gets one textual patch, whose find text
     must match exactly once (else the run stops: a mutant may not silently
     become a no-op when the core changes);
  2. the tree's own make rules build the unit tests and the replay driver
     against the mutated copy, with the flags `make test` and `make fuzz-build`
     use (the mutant must compile, warnings are errors there too);
  3. stages run, each bounded by a timeout:
       unit    build/tests/run-tests                 (always)
       replay  build/fuzz/ops-replay corpus/         (always, when the harness exists)
       fuzz    build/fuzz/ops-libfuzzer, N seconds   (only if the replay missed it)
     A stage kills the mutant when it exits non-zero or times out.
Before the mutants, the unmutated tree goes through every stage and must pass
(otherwise a "kill" would mean nothing).

Prints one verdict line per mutant (which stages caught it and the first
failure line of each), then `killed K/N`.  Exit status: 0 all killed,
1 some survived, 2 the run itself is broken (pattern mismatch, a mutant that
does not compile, failing baseline).

    mutants.py [--only M01,M07] [--fuzz-seconds 25] [--list] [--check]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SPEC = os.path.join(ROOT, "tools", "mutants", "mutants.txt")
BUILD = os.environ.get("BUILD", "build")
OUT = os.path.join(ROOT, BUILD, "mutants")
TREE = os.path.join(OUT, "src")
LOGS = os.path.join(OUT, "logs")
# Top-level entries of the repository not copied into the mutant tree.
SKIP_TOP = {".git", BUILD, "build"}

UNIT_BIN = "build/tests/run-tests"
REPLAY_BIN = "build/fuzz/ops-replay"
FUZZ_BIN = "build/fuzz/ops-libfuzzer"
BUILD_TIMEOUT = 600
RUN_TIMEOUT = 300


class SpecError(Exception):
    pass


def parse_spec(path):
    """[(id, title, file, find, replace)] from the spec file."""
    mutants = []
    cur = None
    section = None
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.startswith("=== "):
                if cur:
                    mutants.append(cur)
                parts = line[4:].split(None, 1)
                cur = {"id": parts[0], "title": parts[1].strip() if len(parts) > 1 else "",
                       "file": None, "find": [], "replace": []}
                section = None
            elif cur is None:
                continue  # header comments
            elif line.startswith("file ") and section is None:
                cur["file"] = line[5:].strip()
            elif line == "--- find":
                section = "find"
            elif line == "+++ replace":
                section = "replace"
            elif section:
                cur[section].append(line)
    if cur:
        mutants.append(cur)
    seen = set()
    for m in mutants:
        if m["id"] in seen:
            raise SpecError(f"{m['id']}: duplicate id")
        seen.add(m["id"])
        if not m["file"] or not m["file"].startswith("core/"):
            raise SpecError(f"{m['id']}: 'file core/...' missing")
        m["find"] = "\n".join(m["find"]).strip()
        m["replace"] = "\n".join(m["replace"]).strip()
        if not m["find"]:
            raise SpecError(f"{m['id']}: empty find text")
        if m["find"] == m["replace"]:
            raise SpecError(f"{m['id']}: replacement equals the find text")
    return mutants


def find_regex(text):
    """The find text as a regex: literal, except whitespace runs match any
    whitespace run."""
    return re.compile(r"\s+".join(re.escape(tok) for tok in text.split()))


def apply_mutant(src_text, m):
    rx = find_regex(m["find"])
    hits = list(rx.finditer(src_text))
    if len(hits) != 1:
        raise SpecError(
            f"{m['id']}: find text matches {len(hits)} times in {m['file']} (must be exactly once)"
        )
    h = hits[0]
    return src_text[: h.start()] + m["replace"] + src_text[h.end():], src_text.count("\n", 0, h.start()) + 1


def clean_env():
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(k, None)
    env.setdefault("ASAN_OPTIONS", "")
    return env


def run(cmd, log, timeout, cwd=TREE, stop_rx=None):
    """(returncode, 'timeout' or 'stopped'; seconds), output to log.  With
    stop_rx, the run is ended at the first output line matching it (the
    verdict is decided; the rest of a slow test suite adds nothing)."""
    t0 = time.time()
    with open(log, "w") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        try:
            p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 env=clean_env(), start_new_session=True)
        except OSError as e:
            f.write(f"cannot run: {e}\n")
            return 127, time.time() - t0
        state = {"why": None}

        def stop(why):
            if state["why"] is None:
                state["why"] = why
                try:
                    os.killpg(p.pid, 9)
                except ProcessLookupError:
                    pass

        timer = threading.Timer(timeout, stop, ("timeout",))
        timer.start()
        try:
            for raw in p.stdout:
                line = raw.decode(errors="replace")
                f.write(line)
                if stop_rx is not None and stop_rx.search(line):
                    f.write("[mutants: stopped at the first failure]\n")
                    stop("stopped")
            rc = p.wait()
        finally:
            timer.cancel()
    return (state["why"] or rc), time.time() - t0


# Lines that say why a stage failed, strongest first.
FAIL_RXS = [re.compile(r) for r in (
    r"^\s*FAIL \S+:\d+", r"runtime error", r"ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)",
    r"failing input", r"deadly signal", r"(?i)mismatch|expected|differs|wrong|broken", r"^\s*FAIL",
    r"error:", r"(?i)timeout|stopped")]
UNIT_STOP = re.compile(r"^\s*FAIL \S+:\d+")


def first_failure(log):
    try:
        with open(log, errors="replace") as f:
            lines = [l.rstrip() for l in f][1:]
    except OSError:
        return "?"
    for rx in FAIL_RXS:
        for l in lines:
            if rx.search(l) and not l.startswith("[mutants:"):
                return l.strip()[:180]
    tail = [l for l in lines if l.strip()]
    return tail[-1].strip()[:180] if tail else "(no output)"


def copy_tree():
    if os.path.exists(TREE):
        shutil.rmtree(TREE)
    os.makedirs(TREE)
    for name in sorted(os.listdir(ROOT)):
        if name in SKIP_TOP or name.startswith(".") and name != ".ci":
            continue
        s, d = os.path.join(ROOT, name), os.path.join(TREE, name)
        if os.path.isdir(s):
            shutil.copytree(s, d, symlinks=True)
        else:
            shutil.copy2(s, d)


def reset_core():
    shutil.rmtree(os.path.join(TREE, "core"))
    shutil.copytree(os.path.join(ROOT, "core"), os.path.join(TREE, "core"))
    shutil.rmtree(os.path.join(TREE, "build"), ignore_errors=True)


def make(targets, log):
    return run(["make", "--no-print-directory", "-j2", "BUILD=build"] + targets, log, BUILD_TIMEOUT)


def has_rule(target):
    p = subprocess.run(["make", "-n", "BUILD=build", target], cwd=TREE, env=clean_env(),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p.returncode == 0


class Stages:
    def __init__(self, fuzz_seconds):
        self.fuzz_seconds = fuzz_seconds
        self.replay = os.path.isdir(os.path.join(TREE, "corpus")) and has_rule(REPLAY_BIN)
        self.fuzz = self.replay and has_rule(FUZZ_BIN)
        self.dict = os.path.join("fuzz", "ops.dict")

    def build(self, tag, fuzz=False):
        targets = [UNIT_BIN] + ([REPLAY_BIN] if self.replay else [])
        if fuzz:
            targets = [FUZZ_BIN]
        log = os.path.join(LOGS, f"{tag}-build{'-fuzz' if fuzz else ''}.log")
        rc, secs = make(targets, log)
        return rc == 0, log, secs

    def unit(self, tag):
        log = os.path.join(LOGS, f"{tag}-unit.log")
        rc, secs = run([UNIT_BIN], log, RUN_TIMEOUT, stop_rx=UNIT_STOP)
        return rc, log, secs

    def replay_run(self, tag):
        log = os.path.join(LOGS, f"{tag}-replay.log")
        rc, secs = run([REPLAY_BIN, "corpus"], log, RUN_TIMEOUT)
        return rc, log, secs

    def fuzz_run(self, tag, seconds):
        log = os.path.join(LOGS, f"{tag}-fuzz.log")
        work = os.path.join(OUT, "fuzz-work", tag)
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        cmd = [FUZZ_BIN, f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=2048",
               "-use_value_profile=1", "-print_final_stats=1",
               f"-artifact_prefix={os.path.join(LOGS, tag)}-"]
        if os.path.exists(os.path.join(TREE, self.dict)):
            cmd.append(f"-dict={self.dict}")
        cmd += [work, "corpus"]
        rc, secs = run(cmd, log, seconds + 120)
        shutil.rmtree(work, ignore_errors=True)
        return rc, log, secs


def killed(rc):
    return rc != 0


def fmt_stage(name, res):
    if res is None:
        return f"{name}=-"
    rc, log, _ = res
    if not killed(rc):
        return f"{name}=missed"
    return f"{name}=KILLED" + (" (timeout)" if rc == "timeout" else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="comma-separated mutant ids")
    ap.add_argument("--fuzz-seconds", type=int, default=int(os.environ.get("MUTANT_FUZZ_SECONDS", "25")))
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--check", action="store_true",
                    help="only check that every patch applies exactly once")
    args = ap.parse_args()

    try:
        mutants = parse_spec(SPEC)
    except SpecError as e:
        print(f"mutants: {e}", file=sys.stderr)
        return 2
    if args.only:
        want = set(args.only.split(","))
        unknown = want - {m["id"] for m in mutants}
        if unknown:
            print(f"mutants: unknown ids {sorted(unknown)}", file=sys.stderr)
            return 2
        mutants = [m for m in mutants if m["id"] in want]
    if args.list:
        for m in mutants:
            print(f"{m['id']}  {m['file']:14} {m['title']}")
        return 0

    # Every patch must apply to the current core before anything is built.
    errors = 0
    for m in mutants:
        with open(os.path.join(ROOT, m["file"])) as f:
            text = f.read()
        try:
            _, m["line"] = apply_mutant(text, m)
        except SpecError as e:
            print(f"mutants: {e}", file=sys.stderr)
            errors += 1
    if errors:
        print(f"mutants: {errors} patch(es) no longer match core/; update tools/mutants/mutants.txt",
              file=sys.stderr)
        return 2
    if args.check:
        print(f"mutants: all {len(mutants)} patches apply exactly once")
        return 0

    t_start = time.time()
    os.makedirs(LOGS, exist_ok=True)
    for name in os.listdir(LOGS):
        os.unlink(os.path.join(LOGS, name))
    copy_tree()
    reset_core()
    st = Stages(args.fuzz_seconds)
    if not st.replay:
        print("mutants: WARNING: no replay driver rule (build/fuzz/ops-replay) or no corpus/: "
              "unit stage only")
    elif not st.fuzz:
        print("mutants: WARNING: no libFuzzer driver rule (build/fuzz/ops-libfuzzer): no fuzz stage")

    # Baseline: the unmutated tree must pass every stage.
    ok, log, bsecs = st.build("baseline")
    if not ok:
        print(f"mutants: baseline build failed ({log})", file=sys.stderr)
        return 2
    base = [("unit", st.unit("baseline"))]
    if st.replay:
        base.append(("replay", st.replay_run("baseline")))
    if st.fuzz:
        ok, log, _ = st.build("baseline", fuzz=True)
        if not ok:
            print(f"mutants: baseline fuzzer build failed ({log})", file=sys.stderr)
            return 2
        base.append(("fuzz", st.fuzz_run("baseline", min(10, args.fuzz_seconds))))
    for name, (rc, log, secs) in base:
        if killed(rc):
            print(f"mutants: the UNMUTATED core fails the {name} stage ({log}): {first_failure(log)}",
                  file=sys.stderr)
            return 2
    print("mutants: baseline passes " + ", ".join(f"{n} ({r[2]:.0f} s)" for n, r in base)
          + f"; build {bsecs:.0f} s")

    results = []
    for m in mutants:
        t0 = time.time()
        reset_core()
        path = os.path.join(TREE, m["file"])
        with open(path) as f:
            text = f.read()
        new, _ = apply_mutant(text, m)
        with open(path, "w") as f:
            f.write(new)
        ok, log, _ = st.build(m["id"])
        if not ok:
            print(f"{m['id']} BUILD-ERROR  {m['title']}  ({log}: {first_failure(log)})")
            results.append((m, "build-error", {}))
            continue
        res = {"unit": st.unit(m["id"])}
        if st.replay:
            res["replay"] = st.replay_run(m["id"])
            if st.fuzz and not killed(res["replay"][0]):
                ok, log, _ = st.build(m["id"], fuzz=True)
                if not ok:
                    print(f"{m['id']} BUILD-ERROR (fuzzer)  {m['title']}  ({log})")
                    results.append((m, "build-error", res))
                    continue
                res["fuzz"] = st.fuzz_run(m["id"], args.fuzz_seconds)
        verdict = "killed" if any(killed(r[0]) for r in res.values()) else "SURVIVED"
        results.append((m, verdict, res))
        stages = "  ".join(fmt_stage(n, res.get(n)) for n in ("unit", "replay", "fuzz"))
        print(f"{m['id']} {verdict.upper():8} {stages}  [{time.time() - t0:.0f} s]  "
              f"{m['file']}:{m['line']} {m['title']}")
        for n in ("unit", "replay", "fuzz"):
            r = res.get(n)
            if r and killed(r[0]):
                print(f"      {n}: {first_failure(r[1])}")
        sys.stdout.flush()

    n = len(results)
    k = sum(1 for _, v, _ in results if v == "killed")
    harness = sum(1 for _, v, r in results
                  if v == "killed" and any(killed(r[s][0]) for s in ("replay", "fuzz") if s in r))
    unit = sum(1 for _, v, r in results if v == "killed" and "unit" in r and killed(r["unit"][0]))
    survivors = [m["id"] for m, v, _ in results if v == "SURVIVED"]
    broken = [m["id"] for m, v, _ in results if v == "build-error"]
    print(f"mutants: unit tests killed {unit}/{n}; replay+fuzz harness killed {harness}/{n}; "
          f"{time.time() - t_start:.0f} s in all (logs: {os.path.relpath(LOGS, ROOT)})")
    if survivors:
        print(f"mutants: SURVIVED: {' '.join(survivors)}")
    if broken:
        print(f"mutants: did not build: {' '.join(broken)}")
    print(f"killed {k}/{n}")
    if broken:
        return 2
    return 0 if k == n else 1


if __name__ == "__main__":
    sys.exit(main())
