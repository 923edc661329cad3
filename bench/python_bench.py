# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
"""The Python module's overhead over the C++ library, measured in one process:

  - one sample: a compiled gradient called from Python (f(w, x, y): arguments converted,
    the GIL released, a float and a new gradient array returned) against the same evaluator's
    C++ call (evaluator::point in a C++ loop); the difference is the per-call overhead;
  - a batch of 100,000 samples: f.sum(w, X, Y) from Python against evaluator::sum from C++.

Run through `cmake --build build --target symgrad_python_bench` (SYMGRAD_BUILD_BENCH=ON), or
    PYTHONPATH=build/python python3 bench/python_bench.py [--json]
Targets (issue 20): at most 2 us overhead per call; the batch within 10% of the C++ batch.
Times are the best of several interleaved rounds; nothing here is a test.
"""
import json
import sys
import time

import numpy as np

import symgrad as sg

LOSS = "crossentropy(softmax({w1*x + w3, w2*x + w4}), y)"
MLP = ("(sigmoid(v1*sigmoid(a1*x1 + a2*x2 + a0) + v2*sigmoid(b1*x1 + b2*x2 + b0) + v0) - t)^2")


def interleaved(python, cpp, rounds=9):
    """Best of several rounds of each, the two alternating so that a busy machine slows both."""
    p, c = [], []
    for _ in range(rounds):
        p.append(python())
        c.append(cpp())
    return min(p), min(c)


def per_call_python(f, w, x, y, calls):
    def run():
        t0 = time.perf_counter()
        for _ in range(calls):
            f(w, x, y)
        return (time.perf_counter() - t0) / calls

    return run


def batch_python(f, w, X, Y, repeats):
    def run():
        t0 = time.perf_counter()
        for _ in range(repeats):
            f.sum(w, X, Y)
        return (time.perf_counter() - t0) / repeats

    return run


def measure(name, expr, wrt, inputs, labels, w, sample, batch, backend):
    f = sg.compile(expr, wrt, inputs=inputs, labels=labels, backend=backend)
    x1, y1 = sample
    X, Y = batch
    calls = 100000
    py_point, cpp_point = interleaved(per_call_python(f, w, x1, y1, calls),
                                      lambda: f._time_cpp(w, x1, y1, calls, False))
    py_batch, cpp_batch = interleaved(batch_python(f, w, X, Y, 3),
                                      lambda: f._time_cpp(w, X, Y, 3, True))
    return {
        "case": name,
        "backend": f.backend,
        "weights": len(f.weights),
        "python_point_us": py_point * 1e6,
        "cpp_point_us": cpp_point * 1e6,
        "overhead_us": (py_point - cpp_point) * 1e6,
        "batch_samples": len(X),
        "python_batch_ms": py_batch * 1e3,
        "cpp_batch_ms": cpp_batch * 1e3,
        "batch_ratio": py_batch / cpp_batch,
    }


def main():
    rng = np.random.default_rng(1)
    n = 100000
    results = []
    for backend in ("native", "interpreter"):
        X = rng.normal(size=(n, 1))
        Y = (rng.random(size=(n, 1)) < 0.5).astype(float)
        results.append(measure("seed000 softmax classifier (4 weights)", LOSS, "w1, w2, w3, w4",
                               "x", "y", np.array([0.3, -0.2, 0.1, 0.4]), (1.5, 1.0), (X, Y),
                               backend))
        X2 = rng.normal(size=(n, 2))
        T2 = rng.random(size=(n, 1))
        wrt = "a0, a1, a2, b0, b1, b2, v0, v1, v2"
        results.append(measure("2-2-1 sigmoid MLP (9 weights)", MLP, wrt, "x1, x2", "t",
                               rng.normal(size=9), (np.array([0.5, -1.0]), 0.25), (X2, T2),
                               backend))
    if "--json" in sys.argv:
        for r in results:
            print(json.dumps(r))
        return
    print("%-40s %-12s %12s %12s %12s %14s %14s %8s" % (
        "case", "backend", "python us", "C++ us", "overhead us", "python 100k ms",
        "C++ 100k ms", "ratio"))
    for r in results:
        print("%-40s %-12s %12.3f %12.3f %12.3f %14.2f %14.2f %8.3f" % (
            r["case"], r["backend"], r["python_point_us"], r["cpp_point_us"], r["overhead_us"],
            r["python_batch_ms"], r["cpp_batch_ms"], r["batch_ratio"]))
    print("targets: overhead <= 2 us per call; 100k batch ratio <= 1.10 (issue 20)")


if __name__ == "__main__":
    main()
