#!/usr/bin/env python3
# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
"""Runs `symgrad check --derivation --json` on every derivation of this folder and compares it
with the file's expectation (its first line, validated independently by oracle.py):
  - the first wrong line is the expected one (and a correct file has none);
  - no line before it is flagged, and every claim of a correct file passes;
  - the slip kind is the planted one on at least 80% of the wrong files (the figure is printed).
Usage: check_corpus.py SYMGRAD_BINARY"""
import json
import pathlib
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
EXPECT = re.compile(r"<!-- expect: (correct|wrong line=(\d+) kind=(\w+)) -->")


def main():
    binary = sys.argv[1]
    failures, kinds_right, kinds_total = [], 0, 0
    files = sorted(p for p in HERE.glob("*.md") if p.name != "README.md")
    for path in files:
        m = EXPECT.search(path.read_text(encoding="utf-8").splitlines()[0])
        if not m:
            failures.append(f"{path.name}: no expectation on its first line")
            continue
        run = subprocess.run([binary, "check", "--derivation", str(path), "--json",
                              "--timeout", "5"], capture_output=True, text=True)
        if run.returncode not in (0, 1, 3, 4):
            failures.append(f"{path.name}: exit {run.returncode}: {run.stderr.strip()}")
            continue
        report = json.loads(run.stdout)
        if not report["claims"]:
            failures.append(f"{path.name}: no claims read")
            continue
        first = report["first_wrong_line"]
        if m.group(1) == "correct":
            if first is not None or run.returncode == 1:
                failures.append(f"{path.name}: correct, but line {first} was flagged")
            continue
        want_line, want_kind = int(m.group(2)), m.group(3)
        if first != want_line:
            failures.append(f"{path.name}: first wrong line {first}, expected {want_line}")
            continue
        claim = next(c for c in report["claims"] if c["verdict"] == "wrong")
        kinds_total += 1
        got = claim["slip"]["kind"] if claim["slip"] else None
        if got == want_kind:
            kinds_right += 1
        else:
            print(f"  {path.name}: slip kind {got}, planted {want_kind}")
        if claim["evidence"]["verdict"] != "refuted" or not claim["evidence"]["difference"]:
            failures.append(f"{path.name}: the wrong line has no certified witness")
    share = kinds_right / kinds_total if kinds_total else 0.0
    print(f"{len(files)} derivations; slip kind right on {kinds_right} of {kinds_total} "
          f"wrong ones ({100 * share:.0f}%)")
    if kinds_total and share < 0.8:
        failures.append(f"slip kind right on only {100 * share:.0f}% (at least 80% needed)")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
