#!/usr/bin/env python3
# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
"""Every code example of README.md and problems/README.md parses and runs as documented.

problems/README.md: each code block (but the ```ebnf grammar) runs as a problem file, after
the context in the HTML comment just before it (statements, and "file NAME: line|line" for
the files it reads), which rendered Markdown does not show; it must exit 0.

README.md: each "$ symgrad ..." line runs (from the repository's root) and its output must
show the lines printed under it in the README, in order ("..." stands for any lines); the
exit status is 2 where the README shows an error, else 0 (check: its verdict's status). The
expressions in the C++ and Python examples (the string given to parse, diff, check, evaluate,
compile and train) are read by `symgrad simplify` and `symgrad check`.
"""
import argparse
import functools
import os
import re
import shlex
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(\w*)\s*$")


def blocks(text):
    """(info, lines, the text before the block) for each fenced block."""
    out, lines, info, start, inside = [], [], "", 0, False
    all_lines = text.split("\n")
    for i, line in enumerate(all_lines):
        m = FENCE.match(line)
        if m and not inside:
            inside, info, lines, start = True, m.group(1), [], i
        elif line.startswith("```") and inside:
            inside = False
            out.append((info, lines, "\n".join(all_lines[:start])))
        elif inside:
            lines.append(line)
    return out


def context_of(before):
    """The statements and files of the <!-- context: --> comment right before a block."""
    start = before.rfind("<!-- context:\n")
    m = re.match(r"<!-- context:\n(.*?)-->\s*$", before[start:], re.S) if start >= 0 else None
    if not m:
        return [], {}
    statements, files = [], {}
    for line in m.group(1).splitlines():
        f = re.match(r"file (\S+): (.*)$", line)
        if f:
            files[f.group(1)] = f.group(2).replace("|", "\n") + "\n"
        elif line.strip():
            statements.append(line)
    return statements, files


def run(args, cwd, timeout=120):
    r = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout + r.stderr


def check_problem_readme(symgrad, path, failures):
    count = 0
    for info, lines, before in blocks(open(path, encoding="utf-8").read()):
        if info == "ebnf":
            continue
        statements, files = context_of(before)
        with tempfile.TemporaryDirectory() as d:
            for name, content in files.items():
                with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                    f.write(content)
            with open(os.path.join(d, "example.txt"), "w", encoding="utf-8") as f:
                f.write("\n".join(statements + lines) + "\n")
            status, output = run([symgrad, "run", "example.txt"], d)
        count += 1
        if status != 0:
            failures.append("problems/README.md block %d (%s...): exit %d\n%s" %
                            (count, lines[0] if lines else "", status, output))
    return count


def matches(expected, actual):
    """Whether the lines of expected occur in actual in order, "..." matching any lines."""
    want = ["..." if e.strip() == "..." else e.rstrip() for e in expected]
    if not want:
        return True
    got = [a.rstrip() for a in actual]

    @functools.lru_cache(maxsize=None)
    def at(i, j):
        if i == len(want):
            return j == len(got) or (i > 0 and want[i - 1] == "...")
        if want[i] == "...":
            return any(at(i + 1, k) for k in range(j, len(got) + 1))
        return j < len(got) and got[j] == want[i] and at(i + 1, j + 1)

    return at(0, 0)


def check_main_readme(symgrad, root, path, failures):
    count = 0
    statuses = {"proved": 0, "refuted": 1}
    for info, lines, _ in blocks(open(path, encoding="utf-8").read()):
        i = 0
        while i < len(lines):
            if not lines[i].startswith("$ symgrad "):
                i += 1
                continue
            command = shlex.split(lines[i][2:])
            expected = []
            i += 1
            while i < len(lines) and not lines[i].startswith("$ "):
                expected.append(lines[i])
                i += 1
            status, output = run([symgrad] + command[1:], root)
            count += 1
            error = any(e.startswith("symgrad: error") for e in expected)
            want = 2 if error else 0
            if command[1] == "check" and expected:
                want = statuses.get(expected[0].split(":")[0], want)
                if "--derivation" in command and any(
                        e.startswith("first wrong line:") for e in expected):
                    want = 1
            if status != want or not matches(expected, output.rstrip("\n").split("\n")):
                failures.append("README.md: $ %s: exit %d (want %d)\n--- output:\n%s\n"
                                "--- README:\n%s" % (" ".join(command), status, want, output,
                                                     "\n".join(expected)))
        if info in ("cpp", "python", "c++", "py"):
            for call, expression in re.findall(
                    r"\b(parse|diff|check|evaluate|compile)\(\s*\"([^\"]+)\"",
                    "\n".join(lines)):
                command = ["check", expression] if call == "check" else ["simplify", expression]
                status, output = run([symgrad] + command, root)
                count += 1
                if status != 0:
                    failures.append("README.md %s example: %s(\"%s\"): symgrad %s exits %d\n%s" %
                                    (info, call, expression, command[0], status, output))
    return count


def main():
    a = argparse.ArgumentParser(description=__doc__)
    a.add_argument("--symgrad", required=True)
    a.add_argument("--root", required=True)
    args = a.parse_args()
    args.symgrad = os.path.abspath(args.symgrad)
    failures = []
    n = check_problem_readme(args.symgrad, os.path.join(args.root, "problems", "README.md"),
                             failures)
    m = check_main_readme(args.symgrad, args.root, os.path.join(args.root, "README.md"), failures)
    print("%d problem-file examples, %d README examples" % (n, m))
    for f in failures:
        print("FAILED: " + f)
    return 1 if failures or n == 0 or m == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
