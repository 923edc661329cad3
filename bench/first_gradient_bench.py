# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
"""Time to the first gradient (issue 18): how long a user waits for one training step.

For every bundled problem with a loss and data, `symgrad train FILE gd rate 0.01 epochs 1`
(process start to exit: reading the file, building the gradient program, one full-batch
gradient and the report) with
  - tiered execution (the default): the interpreter at once, the C compiler in the background;
  - native code waited for (SYMGRAD_BACKEND=native), empty cache: what the command did before;
  - the interpreter alone (SYMGRAD_BACKEND=interpreter);
and, as the floor, `symgrad --version` (the process's start-up).

Then issue 18's problem files with data: an MLP of 7 tanh layers of 8 and one of 8 layers of
32, each with one data row, one epoch of training and `show grad(L) at weights` (targets:
0.2 s and 2 s).

Every run gets a fresh cache directory, so nothing is compiled before it. Times are the best
of three runs (one for native code with an empty cache, which compiles). Nothing here is a test.

    python3 bench/first_gradient_bench.py --symgrad build/symgrad [--json]
or  cmake --build build --target symgrad_first_gradient_bench
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(argv, env_extra, cache_root):
    """Seconds from start to exit, and the exit status; a fresh cache directory each time."""
    cache = tempfile.mkdtemp(dir=cache_root)
    env = dict(os.environ, SYMGRAD_CACHE_DIR=cache, **env_extra)
    start = time.perf_counter()
    r = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, r.returncode


def best(argv, env_extra, cache_root, runs):
    times = []
    status = 0
    for _ in range(runs):
        t, status = timed(argv, env_extra, cache_root)
        if status != 0:
            return None
        times.append(t)
    return min(times)


def mlp_file(path, depth, width, inputs=4):
    """The MLP of tests/cli/budget_test.cpp: tanh layers, a logloss output, one data row."""
    def weight(layer, i, j):
        return ((layer * 7 + i * 37 + j * 11) % 19 - 9) / 20

    lines = [f"inputs x[{inputs}x1]", "labels y in {0, 1}"]
    previous = "x"
    for layer in range(1, depth + 2):
        rows = width if layer <= depth else 1
        cols = inputs if layer == 1 else width
        matrix = ", ".join(
            "[" + ", ".join(repr(weight(layer, i, j)) for j in range(cols)) + "]"
            for i in range(rows))
        lines.append(f"weights W{layer}[{rows}x{cols}] = [{matrix}]")
        if layer <= depth:
            lines.append(f"h{layer} = tanh(W{layer}*{previous})")
            previous = f"h{layer}"
    lines.append(f"loss = logloss(sigmoid(sum(W{depth + 1}*{previous})), y)")
    lines.append("data x_11 = 0.5\n     x_21 = -0.25\n     x_31 = 1\n     x_41 = 0.75\n"
                 "     y = 1")
    lines.append("train gd rate 0.1 epochs 1")
    lines.append("show grad(L) at weights")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--symgrad", default=os.path.join(ROOT, "build", "symgrad"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    symgrad = args.symgrad
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        floor = best([symgrad, "--version"], {}, scratch, 5)
        for path in sorted(glob.glob(os.path.join(ROOT, "problems", "*.txt"))):
            argv = [symgrad, "train", path, "gd", "rate", "0.01", "epochs", "1"]
            tiered = best(argv, {}, scratch, 3)
            if tiered is None:
                continue  # no loss, no data or no weights to train
            interpreter = best(argv, {"SYMGRAD_BACKEND": "interpreter"}, scratch, 3)
            native = best(argv, {"SYMGRAD_BACKEND": "native"}, scratch, 1)
            rows.append({"what": os.path.basename(path), "tiered_s": tiered,
                         "interpreter_s": interpreter, "native_cold_s": native})
        mlps = []
        for depth, width, with_native in ((7, 8, True), (8, 32, False)):
            path = os.path.join(scratch, f"mlp_{depth}x{width}.txt")
            mlp_file(path, depth, width)
            argv = [symgrad, "run", path]
            mlps.append({
                "what": f"MLP {depth} layers of {width}, one row: train 1 epoch, show grad",
                "tiered_s": best(argv, {}, scratch, 3),
                "interpreter_s": best(argv, {"SYMGRAD_BACKEND": "interpreter"}, scratch, 3),
                # The 8x32 network's -O3 compile took 258 s (issue 18): not waited for here.
                "native_cold_s": best(argv, {"SYMGRAD_BACKEND": "native"}, scratch, 1)
                                 if with_native else None})

    if args.json:
        print(json.dumps({"what": "process start-up (symgrad --version)", "seconds": floor}))
        for r in rows + mlps:
            print(json.dumps(r))
        return 0

    def ms(v):
        return "        -" if v is None else f"{v * 1000:9.1f}"

    print(f"process start-up (symgrad --version): {floor * 1000:.1f} ms\n")
    print(f"{'train FILE gd rate 0.01 epochs 1':<46} {'tiered':>9} {'interp.':>9} "
          f"{'native':>9}  ms (native: empty cache, waited for)")
    for r in rows + mlps:
        print(f"{r['what'][:46]:<46} {ms(r['tiered_s'])} {ms(r['interpreter_s'])} "
              f"{ms(r['native_cold_s'])}")
    slowest = sorted(rows, key=lambda r: r["tiered_s"], reverse=True)[:5]
    print("\nslowest bundled problems, tiered (issue 18's target: 50 ms to the first gradient):")
    for r in slowest:
        print(f"  {r['what']}: {r['tiered_s'] * 1000:.1f} ms "
              f"({(r['tiered_s'] - floor) * 1000:.1f} ms beyond start-up)")
    total_t = sum(r["tiered_s"] for r in rows)
    total_n = sum(r["native_cold_s"] for r in rows if r["native_cold_s"] is not None)
    print(f"\nall {len(rows)} bundled problems: tiered {total_t:.2f} s, native waited for "
          f"{total_n:.2f} s ({total_t / total_n:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
