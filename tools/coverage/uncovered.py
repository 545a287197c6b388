#!/usr/bin/env python3
"""List what gcovr saw uncovered in core/: one line per source line that never
ran and per source line with a branch outcome never taken, with the source
text, so the report can say why each stays uncovered.

    uncovered.py COVERAGE.json [ROOT]

COVERAGE.json is gcovr's --json output (gcovr 5.x format).  Prints
`file:line  what  | source` lines, sorted by file and line, then totals
recounted from the same data (they must agree with gcovr's summary).
"""
import json
import os
import sys


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    root = sys.argv[2] if len(sys.argv) > 2 else "."
    with open(sys.argv[1]) as f:
        data = json.load(f)
    out = []
    lines_total = lines_hit = br_total = br_hit = 0
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
            if ln["count"] == 0:
                out.append(f"{name}:{no}  line never run | {code}")
            elif taken < len(brs):
                missed = [str(i) for i, b in enumerate(brs) if b["count"] == 0]
                out.append(
                    f"{name}:{no}  branch {','.join(missed)} of {len(brs)} never taken | {code}"
                )
    for o in out:
        print(o)
    pct = lambda a, b: 100.0 * a / b if b else 100.0
    print(
        f"recount: lines {lines_hit}/{lines_total} ({pct(lines_hit, lines_total):.1f}%), "
        f"branches {br_hit}/{br_total} ({pct(br_hit, br_total):.1f}%)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
