# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
# The SymPy round trip: to_sympy's expression has the value SymPy's own evalf gives, and
# from_sympy(to_sympy(e)) has it too, over the simplifier's corpus and generated expressions
# (a fixed, printed seed); SymPy-native expressions come in with their SymPy values.
import os
import random
import subprocess

import pytest
import sympy as sp

import symgrad as sg
from symgrad import sympy as sgs

SEED = 20261207
DIGITS = 30


def corpus_texts(source_dir):
    texts = []
    for line in (source_dir / "tests" / "data" / "simplify_corpus.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        _, lhs, rhs = [p.strip() for p in line.split("|")]
        texts += [lhs, rhs]
    return texts


def generated_texts(count, seed):
    """Random expressions over the parser's language (moderate values, like the C++
    generator's ordinary mode)."""
    rng = random.Random(seed)
    variables = ["a", "b", "x"]

    def leaf():
        if rng.random() < 0.6:
            return rng.choice(variables)
        return rng.choice(["2", "1/3", "-5/2", "0.25", "7", "Pi"])

    def gen(depth):
        if depth == 0 or rng.random() < 0.25:
            return leaf()
        k = rng.randrange(17)
        a = gen(depth - 1)
        if k == 0:
            return "(%s + %s)" % (a, gen(depth - 1))
        if k == 1:
            return "(%s - %s)" % (a, gen(depth - 1))
        if k == 2:
            return "(%s*%s)" % (a, gen(depth - 1))
        if k == 3:
            return "(%s/(1 + (%s)^2))" % (a, gen(depth - 1))
        if k == 4:
            return "(%s)^%d" % (a, rng.choice([2, 3, -1]))
        if k == 5:
            return "sigmoid(%s)" % a
        if k == 6:
            return "softplus(%s)" % a
        if k == 7:
            return "relu(%s)" % a
        if k == 8:
            # bounded: exp of an unbounded argument nests into values SymPy's evalf takes
            # minutes over
            return "exp(tanh(%s))" % a
        if k == 9:
            return "log(1 + (%s)^2)" % a
        if k == 10:
            return "tanh(%s)" % a
        if k == 11:
            return "logsumexp(%s, %s)" % (a, gen(depth - 1))
        if k == 12:
            n = rng.choice([2, 3])
            zs = [a] + [gen(depth - 1) for _ in range(n - 1)]
            return "softmax(%d, %s)" % (rng.randrange(n), ", ".join(zs))
        if k == 13:
            return "logloss(sigmoid(%s), y)" % a
        if k == 14:
            return "crossentropy(softmax({%s, %s}), y)" % (a, gen(depth - 1))
        if k == 15:
            return "sqrt(1 + (%s)^2)" % a
        return "abs(%s)*indicator(y, %d)" % (a, rng.randrange(2))

    return [gen(4) for _ in range(count)]


def random_point(e, rng):
    point = {}
    for name in e.variables:
        if name == "y":
            point[name] = rng.choice([0, 1])
        else:
            point[name] = sp.Rational(rng.randint(-40, 40), rng.randint(1, 9))
    return point


def sympy_value(s, point):
    """SymPy's value of s at point: SymPy's evalf at a working precision raised until two
    evaluations agree to DIGITS + 5 digits (1 - sigmoid(412) cancels 179 digits, which evalf
    does not see through the mapped functions)."""
    subs = {sp.Symbol(k, real=True): sp.Rational(v) for k, v in point.items()}
    at = s.subs(subs)
    previous = sp.N(at, DIGITS + 10)
    for precision in (200, 1000, 4000):
        value = sp.N(at, precision)
        try:
            settled = bool(abs(value - previous) <= (
                sp.Float(10, precision) ** (-DIGITS - 5) * max(1, abs(value))))
        except TypeError:  # not a real number (nan, zoo): no order
            settled = False
        if settled:
            return sp.Float(value, DIGITS + 10)
        previous = value
    return previous


def assert_round_trip(text, rng, skip_unevaluated=False):
    e = sg.parse(text)
    s = sg.to_sympy(e)
    back = sg.from_sympy(s)
    checked = 0
    for _ in range(3):
        point = random_point(e, rng)
        at = {k: str(v) for k, v in point.items()}
        try:
            want = sg.evaluate(e, at, digits=DIGITS)
        except sg.DomainError:
            continue
        got = sympy_value(s, point)
        if not got.is_Float and skip_unevaluated:
            # SymPy cannot evaluate it (the sign of a Heaviside argument 10^-40 above 0): no
            # oracle at this point, which is not a finding about symgrad.
            continue
        assert got.is_real and got.is_Float, (text, at, got)
        tolerance = sp.Float(10) ** (-DIGITS + 3) * max(1, abs(got))
        assert abs(sp.Float(str(want), DIGITS + 10) - got) <= tolerance, (text, at, want, got)
        again = sg.evaluate(back, at, digits=DIGITS)
        assert abs(sp.Float(str(again), DIGITS + 10) - got) <= tolerance, (text, at, again, got)
        checked += 1
    return checked


def test_round_trip_on_the_simplifier_corpus(source_dir):
    rng = random.Random(SEED)
    texts = corpus_texts(source_dir)
    assert len(texts) > 100
    checked = sum(assert_round_trip(t, rng) for t in texts)
    assert checked > 200


def test_round_trip_on_generated_expressions():
    print("seed", SEED)
    rng = random.Random(SEED + 1)
    texts = generated_texts(150, SEED)
    checked = sum(assert_round_trip(t, rng) for t in texts)
    assert checked > 300


def test_round_trip_on_the_differential_tests_corpus():
    """The trust issue's corpus: the C++ generator of the differential tests, printed by
    symgrad_expression_corpus (ordinary and extreme expressions, as the differential tests
    alternate them)."""
    program = os.environ.get("SYMGRAD_EXPRESSION_CORPUS")
    if not program:
        pytest.skip("SYMGRAD_EXPRESSION_CORPUS is not set (run through CTest)")
    print("seed", SEED)
    texts = subprocess.run([program, str(SEED), "200"], check=True, capture_output=True,
                           text=True).stdout.splitlines()
    assert len(texts) == 200
    rng = random.Random(SEED + 2)
    readable = []
    for t in texts:
        try:
            e = sg.parse(t)
        except sg.Error:
            continue  # the extreme generator writes some non-real constants on purpose
        # The reader still accepts some non-real constants (csgn(sqrt(-8))): an open defect of
        # the trust issue's list (print_parse), with no symgrad form to come back to.
        if sg.to_sympy(e).has(sp.I):
            continue
        readable.append(t)
    assert len(readable) > 150
    checked = sum(assert_round_trip(t, rng, skip_unevaluated=True) for t in readable)
    assert checked > 300


def test_ml_functions_map_to_sympy_functions_and_back():
    e = sg.parse("sigmoid(a) + softplus(b) + relu(x) + logsumexp(a, b) + softmax(1, a, b, x)")
    s = sg.to_sympy(e)
    names = {type(f).__name__ for f in s.atoms(sp.Function)}
    assert {"sigmoid", "softplus", "logsumexp", "softmax"} <= names
    assert s.has(sp.Max(0, sp.Symbol("x", real=True)))
    assert sg.from_sympy(s) == e


def test_sympy_diff_of_the_mapped_functions_agrees_with_symgrad():
    a = sp.Symbol("a", real=True)
    for text in ("sigmoid(a)^2", "softplus(3*a)", "logsumexp(a, 2*a, 1)", "softmax(0, a, -a)"):
        s = sg.to_sympy(sg.parse(text))
        via_sympy = sp.diff(s.rewrite(sp.exp), a)
        d = sg.diff(text, "a")
        for v in ("1/3", "-2"):
            want = sp.N(via_sympy.subs(a, sp.Rational(v)), 30)
            got = sg.evaluate(d, {"a": v}, digits=30)
            assert abs(sp.Float(str(got), 30) - want) < 1e-25


def test_sympy_native_expressions_come_in():
    z, x = sp.symbols("z x")  # plain SymPy symbols: the names are what count
    cases = [
        sp.exp(-z) / (1 + sp.exp(-z)) ** 2,
        sp.Max(0, z) + sp.Heaviside(x) * sp.Abs(z),
        sp.log(1 + sp.exp(z)) - sp.sqrt(x**2 + 1) * sp.pi,
        sp.Rational(3, 7) * z ** sp.Rational(5, 2) + sp.E,
        sp.Max(z, x) - sp.Min(z, 2 * x),
        sp.KroneckerDelta(x, 1) * sp.tanh(z) + sp.sign(z - 1),
    ]
    for c in cases:
        e = sg.from_sympy(c)
        for zv, xv in (("5/2", "1"), ("1/3", "-3")):
            want = sp.N(c.subs({z: sp.Rational(zv), x: sp.Rational(xv)}), 30)
            got = sg.evaluate(e, {"z": zv, "x": xv}, digits=30)
            assert abs(sp.Float(str(got), 30) - want) < 1e-25, (c, zv, xv)


def test_sympy_derivative_of_a_sympy_loss_against_symgrads():
    w, x, y = sp.symbols("w x y", real=True)
    loss = -(y * sp.log(1 / (1 + sp.exp(-w * x))) + (1 - y) * sp.log(1 - 1 / (1 + sp.exp(-w * x))))
    d = sg.diff(loss, "w")
    assert d == sg.parse("(sigmoid(w*x) - y)*x")
    want = sp.diff(loss, w)
    point = {w: sp.Rational(1, 3), x: sp.Rational(-2), y: 1}
    got = sg.evaluate(d, {"w": "1/3", "x": -2, "y": 1}, digits=30)
    assert abs(sp.Float(str(got), 30) - sp.N(want.subs(point), 30)) < 1e-25


def test_floats_come_in_as_the_decimals_sympy_prints():
    assert sg.from_sympy(sp.Float("0.1") * sp.Symbol("x")) == sg.parse("x/10")


def test_what_has_no_symgrad_form_is_refused():
    with pytest.raises(sg.InvalidInput, match="Integral"):
        sg.from_sympy(sp.Integral(sp.Symbol("x"), sp.Symbol("x")))


def test_sympy_functions_print_as_latex():
    assert r"\sigma" in sp.latex(sgs.sigmoid(sp.Symbol("z")))
