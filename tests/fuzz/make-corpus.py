#!/usr/bin/env python3
# Regenerates tests/fuzz/corpus/<target>/, the fuzzers' seed inputs, from the problem files in
# problems/, the expressions in the test suites and the README, and the issue examples listed
# below. Each seed is a file named by the SHA-1 of its content (libFuzzer's convention), so a
# run does not change what is already there. Usage: tests/fuzz/make-corpus.py (from anywhere).
import ast
import hashlib
import pathlib
import re
import shlex
import shutil

root = pathlib.Path(__file__).resolve().parents[2]
out = root / "tests" / "fuzz" / "corpus"

# Inputs that found defects before (issue 12), as expressions and as commands.
issue_expressions = [
    "abs(1 - sigmoid(1000*x))", "sigmoid(-1000*x)", "1 - cos(10^-200*x)",
    "2*sin(10^-200*x/2)^2", "sqrt(x)*sqrt(x)", "exp(log(x))", "log(a*b)", "log(x^2)",
    "log(1 + exp(-1000))", "softplus(200*x) - 200*x", "relu(x)/x", "step(x)",
    "sqrt((x - 10^6)^2)", "softplus(-1000)", "logsumexp(0, -1000)",
    "crossentropy(softmax({0, 200}), 1)", "exp(1)^x", "exp(b)^w", "1e-80",
    "crossentropy(softmax({a,b,c}), y)", "diff(step(x), x)", "diff(exp(1)^x, x, 2)",
    "max(x, 0) - min(x, 0)", "csgn(x)*abs(x)", "0^0", "1/0", "log(0)", "x^(1/3)",
    "10^300*10^-300", "exp(1000)/exp(999)", "tanh(x)^2 + 1/cosh(x)^2",
]
issue_commands = [
    ["check", "abs(1 - sigmoid(1000*x))", "sigmoid(-1000*x)"],
    ["check", "sqrt(x)*sqrt(x)", "abs(x)"],
    ["check", "log(a*b)", "log(a) + log(b)"],
    ["check", "log(x^2)", "2*log(abs(x))"],
    ["check", "relu(x)/x", "step(x)"],
    ["check", "sqrt((x - 10^6)^2)", "10^6 - x"],
    ["check", "log(1 + exp(-1000))", "exp(-1000)"],
    ["check", "softplus(64*x) - 64*x", "softplus(-64*x)"],
    ["check", "sigmoid(x) == 1 - sigmoid(-x)", "--json", "--points", "8", "--seed", "3"],
    ["eval", "softplus(-1000)"],
    ["eval", "logsumexp(0, -1000)", "--digits", "40"],
    ["eval", "crossentropy(softmax({0, 200}), 1)", "--json"],
    ["eval", "1e-80", "--double"],
    ["eval", "w1*x + w2", "--at", "w1=1/3, x=0.3, w2=-2"],
    ["diff", "exp(1)^x", "x"],
    ["diff", "exp(b)^w", "w", "--raw"],
    ["diff", "step(x)", "x", "--format", "latex"],
    ["diff", "relu(w*x - b)^2", "w,b", "--format", "c"],
    ["diff", "max(a, b)*min(a, b)", "--json"],
]
issue_points = ["w1=0, w2=1/2", "x=0.5", "a = 1; b = -2/3; c = 1e-5", "x=log(2), y=exp(-1)",
                "w_1 = 10^300", "x=1,", "=1", "x==1", "x=sqrt(-1)", "x=1/0"]


def c_strings(pattern, files):
    """The C string literals that follow @pattern (a regex ending before the opening quote)."""
    found = []
    for f in files:
        text = f.read_text(encoding="utf-8")
        for m in re.finditer(pattern + r'("(?:[^"\\\n]|\\.)*")', text):
            try:
                found.append(ast.literal_eval(m.group(1)))
            except (ValueError, SyntaxError):
                pass
    return found


def unique(items):
    seen, result = set(), []
    for i in items:
        if i not in seen:
            seen.add(i)
            result.append(i)
    return result


def write(target, items, limit, keep=0):
    d = out / target
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    # The first @keep (the issue's cases) stay; the rest of the limit is spread over the others.
    head = unique(items[:keep])
    rest = [i for i in unique(items[keep:]) if i not in head]
    room = limit - len(head)
    if len(rest) > room:
        step = len(rest) / room
        rest = [rest[int(k * step)] for k in range(room)]
    items = head + rest
    for i in items:
        data = i.encode("utf-8")
        (d / hashlib.sha1(data).hexdigest()).write_bytes(data)
    print(f"{target}: {len(items)} seeds")


tests = sorted((root / "tests").glob("*_test.cpp"))
problems = sorted((root / "problems").glob("*.txt"))
readme = (root / "README.md").read_text(encoding="utf-8")

# parse(): the issue's expressions, then every parse("...") of the tests.
write("parse", issue_expressions + c_strings(r"\bparse\(", tests), 90, len(issue_expressions))

# parse_point(): hand-made points, the tests' parse_point("...") and --at values.
write("parse_point", issue_points + c_strings(r'\bparse_point\(', tests)
      + c_strings(r'"--at",\s*', tests), 30, len(issue_points))

# Tensor expressions: the tensor tests' eval("...") and the right sides of problem files'
# definitions (over their names; the harness binds w, x, W, A, y and allows new names).
definitions = []
for p in problems:
    for line in p.read_text(encoding="utf-8").splitlines():
        m = re.match(r'^([A-Za-z_][A-Za-z_0-9]*)\s*=\s*([^#]+)', line)
        if m:
            definitions.append(m.group(2).strip())
write("tensor_expression",
      c_strings(r'\beval\(', [root / "tests" / "tensor_expression_test.cpp"]) + definitions, 50)

# Problem files, cut into quick seeds: a fuzz input should take well under the 10 s timeout,
# and a whole file of checks does not. Each seed keeps every statement that sets things up
# (declarations, data, definitions, set, reset, train) and up to 3 of the file's show, check and
# expect statements, in the file's order; long trainings are shortened to the harness's bound.
# Seeds are taken round-robin over the files, so that every file gives at least one.
def problem_seeds(text):
    text = re.sub(r'\b(epochs|epoch)\s+(\d+)',
                  lambda m: f"{m.group(1)} {min(int(m.group(2)), 64)}", text)
    statements, header = [], []
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and statements:
            statements[-1].append(line)
        elif line.strip() and not line.lstrip().startswith("#"):
            statements.append([line])
        elif not statements:
            header.append(line)
    action = [s[0].split()[0] in ("show", "check", "expect") for s in statements]
    actions = [k for k, a in enumerate(action) if a]
    groups = [actions[k:k + 3] for k in range(0, len(actions), 3)] or [[]]
    seeds = []
    for g in groups:
        kept = [s for k, s in enumerate(statements) if not action[k] or k in g]
        seeds.append("\n".join(header[:2] + [line for s in kept for line in s]) + "\n")
    return seeds


per_file = [problem_seeds(p.read_text(encoding="utf-8")) for p in problems]
round_robin = [f[k] for k in range(max(map(len, per_file))) for f in per_file if k < len(f)]
write("problem", round_robin[:80], 80)

# Commands: one argument per line, the command's name first.
commands = [list(c) for c in issue_commands]
for f in tests:
    text = f.read_text(encoding="utf-8")
    for m in re.finditer(r'run_command\(\{("(?:check|diff|eval)"[^}]*)\}', text):
        try:
            args = ast.literal_eval("[" + m.group(1) + "]")
        except (ValueError, SyntaxError):
            continue
        if all(isinstance(a, str) for a in args):
            commands.append(args)
for line in re.findall(r"symgrad ((?:check|diff|eval) .*)", readme):
    try:
        commands.append(shlex.split(line))
    except ValueError:
        pass
write("cli", ["\n".join(c) for c in commands], 45, len(issue_commands))
