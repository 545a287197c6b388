#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make mutants: inject realistic faults into a copy of vheap's core, one at a
time, and require the verification to catch every one.

The whole source tree (core/ included, snapshot at the start) is copied to
build/mutants/src/; core/ itself is never touched.  For each mutant in
tools/mutants/mutants.txt:
  1. the copy's core/ is reset from the snapshot and gets one textual patch,
     whose find text must match exactly once (else the run stops: a mutant
     may not silently become a no-op when the core changes);
  2. the copy's own make rules (Makefile, mk/fuzz.mk) build what each stage
     needs against the mutated core, with the flags `make test` and
     `make fuzz-build` use; warnings are errors there, so a mutant that does
     not compile stops the run too;
  3. stages run in this order, each bounded by a timeout, and the first one
     that exits non-zero (or times out) kills the mutant:
       replay  build/fuzz/ops-replay corpus          every input of the corpus
       asan    build/fuzz/asan-check                 ASan poisoning check
       fuzz    build/fuzz/ops-libfuzzer, N seconds   only if replay and asan missed
       unit    build/tests/run-tests                 stopped at the first FAIL
     With --all-stages (MUTANT_ALL_STAGES=1) every stage runs on every mutant
     (libFuzzer still only where replay and asan missed): slower, but it shows
     what each stage catches on its own.
Before the mutants, the unmutated tree goes through every stage and must pass
(otherwise a "kill" would mean nothing).

Prints one verdict line per mutant (the killing stage and its first failure
line), kills per stage, then `killed K/N`.  Exit status: 0 all killed,
1 some survived, 2 the run itself is broken (pattern mismatch, a mutant that
does not compile, failing baseline).

    mutants.py [--only M01,M07] [--fuzz-seconds 25] [--all-stages] [--list] [--check]
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
CORE_SNAP = os.path.join(OUT, "core-orig")
# Top-level entries of the repository not copied into the mutant tree.
SKIP_TOP = {".git", BUILD, "build"}

UNIT_BIN = "build/tests/run-tests"
REPLAY_BIN = "build/fuzz/ops-replay"
FUZZ_BIN = "build/fuzz/ops-libfuzzer"
ASAN_BIN = "build/fuzz/asan-check"
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
    """The source tree the mutants are built in, and a snapshot of core/ taken
    now: every mutant starts from the same core even if core/ changes while
    the run goes on."""
    if os.path.exists(TREE):
        shutil.rmtree(TREE)
    os.makedirs(TREE)
    for name in sorted(os.listdir(ROOT)):
        if name in SKIP_TOP or name.startswith("."):
            continue
        s, d = os.path.join(ROOT, name), os.path.join(TREE, name)
        if os.path.isdir(s):
            shutil.copytree(s, d, symlinks=True)
        else:
            shutil.copy2(s, d)
    shutil.rmtree(CORE_SNAP, ignore_errors=True)
    shutil.copytree(os.path.join(TREE, "core"), CORE_SNAP)


def reset_core():
    shutil.rmtree(os.path.join(TREE, "core"))
    shutil.copytree(CORE_SNAP, os.path.join(TREE, "core"))
    shutil.rmtree(os.path.join(TREE, "build"), ignore_errors=True)


def make(targets, log):
    return run(["make", "--no-print-directory", "-j2", "BUILD=build"] + targets, log, BUILD_TIMEOUT)


def has_rule(target):
    p = subprocess.run(["make", "-n", "BUILD=build", target], cwd=TREE, env=clean_env(),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p.returncode == 0


def killed(rc):
    return rc != 0


class Mutant:
    """Builds what a stage needs (once) and runs stages on the current tree."""

    def __init__(self, tag, stages):
        self.tag = tag
        self.st = stages
        self.built = set()
        self.res = {}
        self.build_error = None

    def need(self, *targets):
        todo = [t for t in targets if t not in self.built]
        if not todo:
            return True
        log = os.path.join(LOGS, f"{self.tag}-build-{len(self.built)}.log")
        rc, _ = make(todo, log)
        if rc != 0:
            self.build_error = log
            return False
        self.built.update(todo)
        return True

    def stage(self, name):
        st = self.st
        log = os.path.join(LOGS, f"{self.tag}-{name}.log")
        if name == "unit":
            if not self.need(UNIT_BIN):
                return None
            rc, secs = run([UNIT_BIN], log, RUN_TIMEOUT, stop_rx=UNIT_STOP)
        elif name == "asan":
            if not self.need(ASAN_BIN):
                return None
            rc, secs = run([ASAN_BIN], log, RUN_TIMEOUT)
        elif name == "replay":
            if not self.need(REPLAY_BIN):
                return None
            rc, secs = run([REPLAY_BIN, "corpus"], log, RUN_TIMEOUT)
        elif name == "fuzz":
            if not self.need(FUZZ_BIN):
                return None
            seconds = st.fuzz_seconds if self.tag != "baseline" else min(10, st.fuzz_seconds)
            work = os.path.join(OUT, "fuzz-work", self.tag)
            shutil.rmtree(work, ignore_errors=True)
            os.makedirs(work)
            cmd = [FUZZ_BIN, f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=2048",
                   "-use_value_profile=1", "-print_final_stats=1",
                   f"-artifact_prefix={os.path.join(LOGS, self.tag)}-"]
            if os.path.exists(os.path.join(TREE, "fuzz", "ops.dict")):
                cmd.append("-dict=fuzz/ops.dict")
            cmd += [work, "corpus"]
            rc, secs = run(cmd, log, seconds + 120)
            shutil.rmtree(work, ignore_errors=True)
        else:
            raise ValueError(name)
        self.res[name] = (rc, log, secs)
        return self.res[name]

    def alive(self):
        return not any(killed(r[0]) for r in self.res.values())


class Stages:
    def __init__(self, fuzz_seconds):
        self.fuzz_seconds = fuzz_seconds
        self.replay = os.path.isdir(os.path.join(TREE, "corpus")) and has_rule(REPLAY_BIN)
        self.fuzz = self.replay and has_rule(FUZZ_BIN)
        self.asan = has_rule(ASAN_BIN)

    def plan(self):
        """Stage order: the fuzz harness first (replay and the ASan check are
        seconds), libFuzzer only for what they missed, the unit tests last."""
        return ([s for s, on in (("replay", self.replay), ("asan", self.asan)) if on]
                + (["fuzz"] if self.fuzz else []) + ["unit"])


STAGES = ("replay", "asan", "fuzz", "unit")


def fmt_stage(name, res):
    if res is None:
        return f"{name}=-"
    rc = res[0]
    if not killed(rc):
        return f"{name}=missed"
    return f"{name}=KILLED" + (f"({rc})" if rc in ("timeout",) else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="comma-separated mutant ids")
    ap.add_argument("--fuzz-seconds", type=int, default=int(os.environ.get("MUTANT_FUZZ_SECONDS", "25")))
    ap.add_argument("--all-stages", action="store_true",
                    default=os.environ.get("MUTANT_ALL_STAGES", "") not in ("", "0"),
                    help="run the replay, ASan check and unit tests on every mutant (the fuzz "
                         "stage still only where the replay and ASan check missed)")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--check", action="store_true",
                    help="only check that every patch applies exactly once to core/")
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

    core_dir = os.path.join(ROOT, "core")
    if not args.check:
        t_start = time.time()
        os.makedirs(LOGS, exist_ok=True)
        for name in os.listdir(LOGS):
            os.unlink(os.path.join(LOGS, name))
        copy_tree()
        core_dir = CORE_SNAP

    # Every patch must apply before anything is built.
    errors = 0
    for m in mutants:
        with open(os.path.join(core_dir, m["file"][len("core/"):])) as f:
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

    st = Stages(args.fuzz_seconds)
    if not st.replay:
        print("mutants: WARNING: no replay driver rule (build/fuzz/ops-replay) or no corpus/: "
              "the fuzz harness is not exercised")
    elif not st.fuzz:
        print("mutants: WARNING: no libFuzzer driver rule (build/fuzz/ops-libfuzzer): no fuzz stage")
    plan = st.plan()

    # Baseline: the unmutated tree must pass every stage.
    reset_core()
    base = Mutant("baseline", st)
    for name in plan:
        r = base.stage(name)
        if r is None:
            print(f"mutants: baseline build failed ({base.build_error}): {first_failure(base.build_error)}",
                  file=sys.stderr)
            return 2
        if killed(r[0]):
            print(f"mutants: the UNMUTATED core fails the {name} stage ({r[1]}): {first_failure(r[1])}",
                  file=sys.stderr)
            return 2
    print("mutants: baseline passes " + ", ".join(f"{n} ({base.res[n][2]:.0f} s)" for n in plan)
          + f"; stage order {' > '.join(plan)}" + (" (all stages on every mutant)" if args.all_stages else
                                                   " (each mutant stops at its first kill)"))
    sys.stdout.flush()

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
        mu = Mutant(m["id"], st)
        for name in plan:
            if name == "fuzz" and any(killed(mu.res[s][0]) for s in ("replay", "asan") if s in mu.res):
                continue  # libFuzzer only for what the replay and the ASan check missed
            if not args.all_stages and not mu.alive():
                break
            if mu.stage(name) is None:
                break
        if mu.build_error:
            print(f"{m['id']} BUILD-ERROR  {m['title']}  ({mu.build_error}: {first_failure(mu.build_error)})")
            results.append((m, "build-error", mu.res))
            continue
        verdict = "SURVIVED" if mu.alive() else "killed"
        results.append((m, verdict, mu.res))
        by = [n for n in STAGES if n in mu.res and killed(mu.res[n][0])]
        if args.all_stages:
            what = "  ".join(fmt_stage(n, mu.res.get(n)) for n in STAGES)
        else:
            what = f"by {by[0]}" if by else "by nothing (" + ", ".join(f"{n} missed" for n in mu.res) + ")"
        print(f"{m['id']} {verdict.upper():8} {what:14} [{time.time() - t0:3.0f} s]  "
              f"{m['file']}:{m['line']}  {m['title']}")
        for n in by:
            print(f"      {n}: {first_failure(mu.res[n][1])}")
        sys.stdout.flush()

    n = len(results)
    k = sum(1 for _, v, _ in results if v == "killed")
    def count(stage):
        return sum(1 for _, v, r in results if stage in r and killed(r[stage][0]))
    def ran(stage):
        return sum(1 for _, v, r in results if stage in r)
    survivors = [m["id"] for m, v, _ in results if v == "SURVIVED"]
    broken = [m["id"] for m, v, _ in results if v == "build-error"]
    harness = sum(1 for _, v, r in results
                  if any(killed(r[s][0]) for s in ("replay", "asan", "fuzz") if s in r))
    print("mutants: kills per stage (killed/ran): " + ", ".join(
        f"{s} {count(s)}/{ran(s)}" for s in STAGES if ran(s)) +
        f"; the fuzz harness (replay, ASan check, libFuzzer) alone killed {harness}/{n}")
    print(f"mutants: {time.time() - t_start:.0f} s in all; logs in {os.path.relpath(LOGS, ROOT)}")
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
