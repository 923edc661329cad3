# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
# Expr and the expression verbs (parse, diff, grad, simplify, evaluate, check) against oracles
# that are not symgrad: SymPy's own diff and evalf, mpmath, finite differences, exact values.
import fractions
import math

import mpmath
import pytest
import sympy as sp

import symgrad as sg

z, x, w = sp.symbols("z x w", real=True)


def sympy_value(e, point, digits=40):
    """SymPy's value of a SymPy expression at a point of exact rationals."""
    return sp.N(e.subs({sp.Symbol(k, real=True): sp.Rational(v) for k, v in point.items()}), digits)


def test_parse_prints_the_four_forms():
    e = sg.parse("sigmoid(w*x)^2/2")
    assert str(e) == e.text()
    assert sg.parse(str(e)) == e
    assert r"\sigma" in e.latex()
    assert e._repr_latex_().startswith("$") and e._repr_latex_().endswith("$")
    assert "**" in e.python()
    assert "pow" in e.c() or "*" in e.c()
    assert repr(e) == "Expr(%r)" % str(e)


def test_python_printer_output_runs_with_its_helpers():
    e = sg.parse("sigmoid(w*x) + softplus(x) - relu(w)")
    env = {}
    exec("from math import *", env)
    for line in e.python_helpers():
        exec(line, env)
    got = eval(e.python(), dict(env, w=0.3, x=-1.7))
    want = 1 / (1 + math.exp(0.51)) + math.log1p(math.exp(-1.7)) - 0.3
    assert got == pytest.approx(want, rel=1e-14)


def test_decimals_are_exact():
    assert sg.parse("0.1") == sg.parse("1/10")
    assert sg.Expr(0.1) == sg.parse("1/10")
    assert sg.Expr(fractions.Fraction(2, 3)) == sg.parse("2/3")
    assert sg.Expr(10**30) == sg.parse("10^30")


def test_arithmetic_on_expr_builds_the_same_expression_as_text():
    a, b = sg.symbols("a b")
    assert (a + 2 * b) ** 2 / a - 1 == sg.parse("(a + 2*b)^2/a - 1")
    assert 1 - a == sg.parse("1 - a")
    assert sorted((a * b).variables) == ["a", "b"]


def test_variables_are_in_natural_order():
    assert sg.parse("w10 + w2 + w1").variables == ["w1", "w2", "w10"]


@pytest.mark.parametrize(
    "text, sympy_expr, var",
    [
        ("sigmoid(z)", 1 / (1 + sp.exp(-z)), z),
        ("softplus(w*x)", sp.log(1 + sp.exp(w * x)), w),
        ("logsumexp(z, 2*z, x)", sp.log(sp.exp(z) + sp.exp(2 * z) + sp.exp(x)), z),
        ("softmax(1, z, x, w)", sp.exp(x) / (sp.exp(z) + sp.exp(x) + sp.exp(w)), x),
        ("logloss(sigmoid(w*x), 1)", -sp.log(1 / (1 + sp.exp(-w * x))), w),
        ("tanh(w)^3*x", sp.tanh(w) ** 3 * x, w),
        ("sqrt(1 + w^2)*exp(-w*x)", sp.sqrt(1 + w**2) * sp.exp(-w * x), w),
    ],
)
def test_diff_agrees_with_sympy_diff_of_the_definition(text, sympy_expr, var):
    d = sg.diff(text, str(var))
    want = sp.diff(sympy_expr, var)
    for point in ({"z": "1/3", "x": "-2", "w": "3/7"}, {"z": "-5/2", "x": "1/9", "w": "-4"}):
        got = sg.evaluate(d, {k: v for k, v in point.items() if k in d.variables}, digits=30)
        assert float(got) == pytest.approx(float(sympy_value(want, point)), rel=1e-15)


def test_diff_simplifies_to_the_textbook_form_and_raw_does_not():
    assert sg.diff("sigmoid(z)", "z") == sg.parse("sigmoid(z)*(1 - sigmoid(z))")
    assert sg.diff("log(1 + exp(z))", "z") == sg.parse("sigmoid(z)")
    raw = sg.diff("1/(1 + exp(-z))", "z", raw=True)
    assert "sigmoid" not in str(raw)


def test_diff_of_several_variables_gives_a_list():
    d = sg.diff("w1*x + w2^2", "w1", "w2")
    assert d == [sg.parse("x"), sg.parse("2*w2")]
    assert sg.diff("a*b") == [sg.parse("b"), sg.parse("a")]
    assert sg.diff("w1*x + w2^2", "w1, w2") == d


def test_diff_refuses_a_variable_that_does_not_occur():
    with pytest.raises(sg.InvalidInput, match="'w_1' does not occur in the expression"):
        sg.diff("w1*x", "w_1")


def test_grad_values_against_central_differences():
    f = "softplus(w1*x - w2) + sigmoid(w2)*w1^2"
    point = {"w1": 0.7, "w2": -1.3, "x": 0.4}
    g = sg.grad(f, "w1, w2", at=point, double=True)

    def F(w1, w2):
        x_ = 0.4
        return math.log1p(math.exp(w1 * x_ - w2)) + w1**2 / (1 + math.exp(-w2))

    h = 1e-6
    fd = [
        (F(0.7 + h, -1.3) - F(0.7 - h, -1.3)) / (2 * h),
        (F(0.7, -1.3 + h) - F(0.7, -1.3 - h)) / (2 * h),
    ]
    assert g[0] == pytest.approx(fd[0], rel=1e-8)
    assert g[1] == pytest.approx(fd[1], rel=1e-8)


def test_grad_exact_values():
    assert sg.grad("w1^2*w2 + w2/3", at={"w1": 1, "w2": 2}, exact=True) == [
        sg.parse("4"),
        sg.parse("4/3"),
    ]
    symbolic = sg.grad("w1^2*w2")
    assert symbolic == [sg.parse("2*w1*w2"), sg.parse("w1^2")]


def test_grad_names_every_missing_value():
    with pytest.raises(sg.UnboundSymbols) as e:
        sg.grad("w1*x + w2*y", at={"w1": 1})
    assert e.value.names == ["w2", "x", "y"]


def test_simplify_keeps_the_value_and_finds_the_textbook_form():
    e = sg.parse("exp(-z)/(1 + exp(-z))^2")
    s = sg.simplify(e)
    assert s == sg.parse("sigmoid(z)*(1 - sigmoid(z))")
    assert s.cost() < e.cost()
    sym = sp.exp(-z) / (1 + sp.exp(-z)) ** 2
    for v in ("-3", "1/7", "20"):
        assert float(sg.evaluate(s, {"z": v}, digits=30)) == pytest.approx(
            float(sympy_value(sym, {"z": v})), rel=1e-15
        )


def test_evaluate_exact_digits_and_double():
    assert sg.evaluate("sigmoid(0) + 1/3", exact=True) == sg.parse("5/6")
    assert sg.evaluate("log(2) + x^2", {"x": "1/2"}, exact=True) == sg.parse("log(2) + 1/4")
    mpmath.mp.dps = 60
    v = sg.evaluate("sigmoid(x)", {"x": "1/3"}, digits=50)
    want = 1 / (1 + mpmath.exp(-mpmath.mpf(1) / 3))
    assert mpmath.mpf(str(v)) == pytest.approx(want, rel=mpmath.mpf(10) ** -49)
    assert len(str(v).replace("0.", "", 1)) <= 60
    assert sg.evaluate("softplus(-1000)", digits=20).is_number
    assert float(sg.evaluate("softplus(-1000)", digits=20)) == 0.0  # below double's range
    assert str(sg.evaluate("softplus(-1000)", digits=5)).startswith("5.07595")
    assert sg.evaluate("sigmoid(-40) + 1", double=True) == 1.0
    assert sg.evaluate("1 - sigmoid(40)", double=True) == pytest.approx(math.exp(-40), rel=1e-14)


def test_evaluate_outside_the_domain_is_a_domain_error():
    with pytest.raises(sg.DomainError, match="log"):
        sg.evaluate("log(x)", {"x": 0})
    with pytest.raises(ArithmeticError):
        sg.evaluate("1/x", {"x": 0}, double=True)


def test_points_as_text_and_dict_agree():
    e = "w1*x + w2"
    assert sg.evaluate(e, "w1 = 1/2, x = 3, w2 = 1", exact=True) == sg.evaluate(
        e, {"w1": fractions.Fraction(1, 2), sg.symbol("x"): 3, "w2": 1}, exact=True
    )


def test_check_proves_a_true_identity():
    r = sg.check("diff(sigmoid(z), z) == sigmoid(z)*(1 - sigmoid(z))")
    assert r.verdict == "proved" and r.proved and not r.refuted
    assert r.method
    assert "proved" in str(r)
    assert r._repr_markdown_().startswith("**proved")


def test_check_refutes_with_a_witness_sympy_confirms():
    lhs, rhs = "sigmoid(z)*(1 + sigmoid(z))", "diff(sigmoid(z), z)"
    r = sg.check(lhs, rhs)
    assert r.verdict == "refuted"
    point = {k: sp.Rational(str(v)) for k, v in r.witness.items()}
    zz = sp.Symbol("z", real=True)
    s = 1 / (1 + sp.exp(-zz))
    l_val = sp.N((s * (1 + s)).subs(zz, point["z"]), 40)
    r_val = sp.N(sp.diff(s, zz).subs(zz, point["z"]), 40)
    assert abs(l_val - r_val) > 1e-10
    assert float(sp.sympify(r.lhs_value)) == pytest.approx(float(l_val), rel=1e-12)
    assert float(sp.sympify(r.rhs_value)) == pytest.approx(float(r_val), rel=1e-12)
    assert '"verdict"' in r.json()


def test_check_of_sides_with_different_domains():
    r = sg.check("log(a*b)", "log(a) + log(b)")
    assert r.verdict == "equal where both are defined"


def test_check_takes_sympy_and_expr_sides():
    zz = sp.Symbol("z", real=True)
    assert sg.check(sp.exp(-zz) / (1 + sp.exp(-zz)) ** 2, sg.parse("diff(sigmoid(z), z)")).proved


def test_parse_error_has_the_commands_message_and_caret():
    with pytest.raises(sg.ParseError) as e:
        sg.parse("sigmoid(w*x")
    err = e.value
    assert isinstance(err, sg.Error) and isinstance(err, ValueError)
    assert str(err).splitlines() == ["<input>:1:8: '(' is never closed", "    sigmoid(w*x", "           ^"]
    assert (err.line, err.column, err.source) == (1, 8, "<input>")
    assert err.message == "'(' is never closed"


def test_unknown_function_names_the_closest():
    with pytest.raises(sg.ParseError, match="sigmoid"):
        sg.parse("sigmiod(x)")


def test_check_equation_errors_point_into_the_equation():
    with pytest.raises(sg.ParseError) as e:
        sg.check("sigmoid(z) == sigmoid(z))")
    assert e.value.source == "<equation>"
    lines = str(e.value).splitlines()
    assert lines[1] == "    sigmoid(z) == sigmoid(z))"
    assert lines[2].index("^") == 4 + len("sigmoid(z) == sigmoid(z)")


def test_known_functions_include_the_ml_functions():
    names = sg.known_functions()
    for f in ("sigmoid", "softplus", "relu", "softmax", "logsumexp", "crossentropy", "logloss"):
        assert f in names


def test_bad_values_are_refused_with_a_message():
    with pytest.raises(sg.InvalidInput, match="not an expression"):
        sg.parse("x") + object()
    with pytest.raises(sg.InvalidInput, match="not a finite number"):
        sg.evaluate("x", {"x": float("nan")})
