#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""List what gcovr saw uncovered in core/: one line per source line that never
ran and per source line with a branch outcome never taken, with the source
text, so the report can say why each stays uncovered.

    uncovered.py COVERAGE.json [ROOT [REASONS]]

COVERAGE.json is gcovr's --json output (gcovr 5.x format).  Prints
`file:line  what  [category] | source  -- reason` lines, sorted by file and
line, then the uncovered lines and branch outcomes per category and totals
recounted from the same data (they must agree with gcovr's summary).
REASONS (tools/coverage/reasons.txt) says why each gap stays; a gap it does
not explain is tagged UNEXPLAINED.
"""
import json
import os
import sys


def load_reasons(path):
    rules = []
    if not path:
        return rules
    with open(path) as f:
        for line in f:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [x.strip() for x in line.rstrip("\n").split(" | ")]
            if len(parts) != 4:
                raise SystemExit(f"reasons: bad line: {line.strip()}")
            rules.append(parts)
    return rules


def explain(rules, name, code):
    for f, text, cat, why in rules:
        if f == name and text in code:
            return cat, why
    return "UNEXPLAINED", "no reason recorded in tools/coverage/reasons.txt"


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    root = sys.argv[2] if len(sys.argv) > 2 else "."
    rules = load_reasons(sys.argv[3] if len(sys.argv) > 3 else None)
    cats = {}
    with open(sys.argv[1]) as f:
        data = json.load(f)
    out = []
    lines_total = lines_hit = br_total = br_hit = 0
    prev = None
    for fe in sorted(data["files"], key=lambda x: x["file"]):
        name = fe["file"]
        try:
            with open(os.path.join(root, name)) as src:
                text = src.read().split("\n")
        except OSError:
            text = []
        for ln in sorted(fe["lines"], key=lambda x: x["line_number"]):
            if ln.get("gcovr/noncode"):
                continue
            no = ln["line_number"]
            code = text[no - 1].strip() if 0 < no <= len(text) else "?"
            lines_total += 1
            if ln["count"] > 0:
                lines_hit += 1
            brs = ln.get("branches", [])
            br_total += len(brs)
            taken = sum(1 for b in brs if b["count"] > 0)
            br_hit += taken
            if ln["count"] == 0 or taken < len(brs):
                if ln["count"] == 0 and prev and prev[0] == name and no - prev[1] <= 8:
                    cat, why = prev[2], prev[3]  # the condition above it was never taken
                else:
                    cat, why = explain(rules, name, code)
                    prev = (name, no, cat, why)
                c = cats.setdefault(cat, [0, 0])
                if ln["count"] == 0:
                    c[0] += 1
                    what = "line never run"
                else:
                    missed = [str(i) for i, b in enumerate(brs) if b["count"] == 0]
                    what = f"branch {','.join(missed)} of {len(brs)} never taken"
                c[1] += len(brs) - taken
                tag = f" [{cat}]" if rules else ""
                out.append(f"{name}:{no}  {what}{tag} | {code}" + (f"  -- {why}" if rules else ""))
    for o in out:
        print(o)
    if rules:
        print("by category: " + "; ".join(
            f"{cat} {n[0]} lines, {n[1]} branch outcomes" for cat, n in sorted(cats.items())))
    pct = lambda a, b: 100.0 * a / b if b else 100.0
    print(
        f"recount: lines {lines_hit}/{lines_total} ({pct(lines_hit, lines_total):.1f}%), "
        f"branches {br_hit}/{br_total} ({pct(br_hit, br_total):.1f}%)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
