# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
# The rest of the module's surface: symbols, methods, Expr's methods, the C printer (compiled by
# the system's C compiler and run), check's options, and the SymPy forms' derivatives.
import math
import shutil
import subprocess

import pytest
import sympy as sp

import symgrad as sg


def test_symbols_are_the_same_objects_as_parsed_names():
    w1, w2 = sg.symbols("w1 w2")
    assert w1 == sg.parse("w1") and w2 == sg.symbol("w2")
    with pytest.raises(sg.InvalidInput, match="is not a name"):
        sg.symbol("1x")


def test_methods_list_the_trainers_rules():
    assert {"gd", "sgd", "momentum", "adam", "newton"} <= set(sg.methods())


def test_expr_methods_are_the_module_functions():
    e = sg.parse("sigmoid(w*x)")
    assert e.diff("w") == sg.diff(e, "w")
    assert e.simplify() == e
    assert e.evaluate({"w": 0, "x": 5}, exact=True) == sg.parse("1/2")
    assert e.subs({"w": 0}) == sg.parse("1/2")
    assert e.subs({sg.symbol("x"): sg.parse("2*y")}) == sg.parse("sigmoid(2*w*y)")
    assert e.cost() == 4  # sigmoid, *, w, x
    assert e.is_number is False and sg.parse("3/4").is_rational


def test_c_printer_output_compiles_and_runs(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    e = sg.parse("softplus(w*x) - relu(w - x)*sigmoid(x)^2")
    src = "#include <math.h>\n#include <stdio.h>\n" + "\n".join(e.c_helpers())
    src += "\nint main(void) { double w = 0.75, x = -1.25; printf(\"%%.17g\\n\", %s); return 0; }\n" % e.c()
    (tmp_path / "f.c").write_text(src)
    subprocess.run([cc, "-std=c99", "-o", str(tmp_path / "f"), str(tmp_path / "f.c"), "-lm"],
                   check=True)
    got = float(subprocess.run([str(tmp_path / "f")], check=True, capture_output=True,
                               text=True).stdout)
    w, x = 0.75, -1.25
    want = math.log1p(math.exp(w * x)) - max(w - x, 0) / (1 + math.exp(-x)) ** 2
    assert got == pytest.approx(want, rel=1e-15)


def test_check_without_the_exact_decision_samples():
    r = sg.check("sigmoid(z) + sigmoid(-z)", "1", exact=False, points=10, seed=3)
    assert r.verdict == "probably equal"
    assert r.sample_points == 10 and r.agreeing_points == 10
    with pytest.raises(sg.InvalidInput, match="points must be"):
        sg.check("a", "a", points=0)


def test_grad_to_a_number_of_digits():
    g = sg.grad("exp(w)", at={"w": 1}, digits=40)
    assert str(g[0]).startswith("2.71828182845904523536028747135266249775")


def test_the_sympy_forms_differentiate_as_sympy_differentiates_their_definitions():
    z, a, b, y = sp.symbols("z a b y", real=True)
    from symgrad import sympy as sgs

    cases = [
        (sgs.sigmoid(z), z),
        (sgs.softplus(z), z),
        (sgs.logsumexp(a, b, z), b),
        (sgs.softmax(2, a, b, z), a),
        (sgs.logloss(sgs.sigmoid(z), y), z),
    ]
    point = {z: sp.Rational(1, 3), a: sp.Rational(-2), b: sp.Rational(5, 4), y: sp.Rational(1, 4)}
    for f, v in cases:
        mine = sp.N(sp.diff(f, v).subs(point), 30)
        defined = sp.N(sp.diff(f.rewrite(sp.exp), v).subs(point), 30)
        assert abs(mine - defined) < 1e-25, f


def test_compiled_properties():
    c = sg.compile("crossentropy(softmax({w1*x, w2*x}), y)", ["w1", "w2"], inputs=["x"],
                   labels=[sg.symbol("y")], backend="interpreter")
    assert (c.weights, c.inputs, c.labels) == (["w1", "w2"], ["x"], ["y"])
    assert c.fallback_reason == ""
    assert "interpreter" in repr(c)
