#!/usr/bin/python3
"""Independent oracle for the derivation corpus in this folder.

It does not run symgrad.  Every checked equation of every corpus file is
transcribed here by hand into SymPy syntax, together with what it must equal:

  PREV      the expression just before it in the same chain (a line starting
            with '=', the next part of 'A = B = C', or the first line after a
            definition);
  LAST_L    the latest expression stated for L (a restatement 'L(w) = ...');
  D("w")    the true derivative of L, as first defined, with respect to w.

The script then evaluates claimed and reference at 5 random points with
mpmath at 40 digits, finds the first file line whose claim differs from its
reference and asserts it is the line named by the file's
'<!-- expect: ... -->' comment (or that none differs for 'correct').  For a
wrong file it also checks that the planted slip is of the kind the comment
names, and that the wrong line does not also read as another kind where that
is cheap to test (whole-line sign, a simple factor either way, a single
number changed).  Finally it checks that the transcription covers every
equation in the file: the number of '=' on each line equals the number of
definitions and transcribed equations there.

Run: /usr/bin/python3 tests/verify/derivations/oracle.py  (exit 0 when all
files agree).
"""

import os
import random
import re
import sys

try:
    import mpmath
    import sympy
    from sympy.parsing.sympy_parser import parse_expr
except ImportError as missing:
    # Exit status 77: CTest reports the test as skipped (tests/CMakeLists.txt).
    print(f"skipped: the oracle needs SymPy and mpmath ({missing}); "
          "apt-get install python3-sympy")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
mpmath.mp.dps = 40
POINTS = 5
RNG = random.Random(20261207)

SYMBOL_NAMES = "w b beta x y w1 w2 w3 w4 x1 x2 x3".split()
SYMBOLS = {n: sympy.Symbol(n) for n in SYMBOL_NAMES}


def sigma(z):
    return 1 / (1 + sympy.exp(-z))


def dsigma(z):
    return sigma(z) * (1 - sigma(z))


FUNCTIONS = {
    "sigma": sigma,
    "dsigma": dsigma,  # \sigma'(z)
    "ln": sympy.log,
    "log": sympy.log,  # natural logarithm
    "exp": sympy.exp,
    "tanh": sympy.tanh,
    "sqrt": sympy.sqrt,
}


class Prev:
    def __repr__(self):
        return "PREV"


class LastL:
    def __repr__(self):
        return "LAST_L"


class D:
    def __init__(self, var):
        self.var = var

    def __repr__(self):
        return "D(%s)" % self.var


PREV = Prev()
LAST_L = LastL()

# Per file: defs [(line, name, expr)] in order (L last), the checked equations
# [(line, claimed, reference)] in order, and for a wrong file the kind with
# its witness:
#   ("sign_of_line",)
#   ("sign_of_term", t)          t: the reference's term whose sign flipped
#   ("factor_dropped", f)        reference == claimed * f
#   ("factor_added", f)          claimed == reference * f
#   ("term_dropped", t)          reference == claimed + t
#   ("number_slip", fixed)       claimed with one number corrected
#   ("chain_rule_factor_missing", inner, var)
#                                reference == claimed * d(inner)/d(var)
CASES = {
    "01_quadratic.md": dict(
        defs=[(6, "L", "(w - 3)**2 + 2*w")],
        lines=[
            (10, "w**2 - 6*w + 9 + 2*w", LAST_L),
            (10, "w**2 - 4*w + 9", PREV),
            (14, "2*w - 4", D("w")),
        ],
    ),
    "02_mse_beta.md": dict(
        defs=[(7, "L", "(y - beta*x)**2")],
        lines=[
            (12, "2*(y - beta*x)*(-x)", D("beta")),
            (18, "-2*x*(y - beta*x)", PREV),
            (19, "2*beta*x**2 - 2*x*y", PREV),
        ],
    ),
    "03_sigmoid_bias.md": dict(
        defs=[(6, "z", "w*x + b"), (10, "L", "sigma(z)")],
        lines=[
            (14, "dsigma(z)*x", D("w")),
            (14, "sigma(z)*(1 - sigma(z))*x", PREV),
            (18, "dsigma(z)", D("b")),
            (18, "sigma(w*x + b)*(1 - sigma(w*x + b))", PREV),
        ],
    ),
    "04_logloss.md": dict(
        defs=[(6, "L", "-y*ln(sigma(w*x)) - (1 - y)*ln(1 - sigma(w*x))")],
        lines=[
            (
                10,
                "-y*(sigma(w*x)*(1 - sigma(w*x))*x)/sigma(w*x)"
                " + (1 - y)*(sigma(w*x)*(1 - sigma(w*x))*x)/(1 - sigma(w*x))",
                D("w"),
            ),
            (14, "-y*(1 - sigma(w*x))*x + (1 - y)*sigma(w*x)*x", PREV),
            (16, "(sigma(w*x) - y)*x", PREV),
        ],
    ),
    "05_softplus.md": dict(
        defs=[(4, "L", "ln(1 + exp(w*x))")],
        lines=[
            (8, "exp(w*x)/(1 + exp(w*x))*x", D("w")),
            (12, "x/(1 + exp(-w*x))", PREV),
            (12, "sigma(w*x)*x", PREV),
        ],
    ),
    "06_tanh.md": dict(
        defs=[(4, "L", "(tanh(w*x) - y)**2")],
        lines=[
            (8, "2*(tanh(w*x) - y)*(1 - tanh(w*x)**2)*x", D("w")),
            (12, "2*x*(1 - tanh(w*x)**2)*(tanh(w*x) - y)", PREV),
        ],
    ),
    "07_softmax2.md": dict(
        defs=[(6, "L", "-ln(exp(w1)/(exp(w1) + exp(w2)))")],
        lines=[
            (8, "-w1 + ln(exp(w1) + exp(w2))", LAST_L),
            (10, "-1 + exp(w1)/(exp(w1) + exp(w2))", D("w1")),
            (10, "-exp(w2)/(exp(w1) + exp(w2))", PREV),
            (12, "exp(w2)/(exp(w1) + exp(w2))", D("w2")),
        ],
    ),
    "08_l2.md": dict(
        defs=[(6, "L", "(y - w*x)**2 + 3*w**2")],
        lines=[
            (8, "2*(y - w*x)*(-x) + 6*w", D("w")),
            (10, "-2*x*y + 2*w*x**2 + 6*w", PREV),
            (12, "2*w*(x**2 + 3) - 2*x*y", PREV),
        ],
    ),
    "09_align_two_weights.md": dict(
        defs=[(4, "L", "(w1*x + w2 - y)**2")],
        lines=[
            (9, "2*(w1*x + w2 - y)*x", D("w1")),
            (10, "2*w1*x**2 + 2*w2*x - 2*x*y", PREV),
            (11, "2*(w1*x + w2 - y)", D("w2")),
        ],
    ),
    "10_sum_least_squares.md": dict(
        defs=[
            (6, "x1", "1"),
            (8, "x2", "2"),
            (10, "x3", "3"),
            (14, "L", "(2*x1 - beta*x1)**2 + (2*x2 - beta*x2)**2 + (2*x3 - beta*x3)**2"),
        ],
        lines=[
            (18, "(2 - beta)**2*(1 + 4 + 9)", LAST_L),
            (18, "14*(2 - beta)**2", PREV),
            (20, "-28*(2 - beta)", D("beta")),
            (20, "28*beta - 56", PREV),
        ],
    ),
    "11_neuron_ru.md": dict(
        defs=[(6, "L", "sigma(w1*x + w2)")],
        lines=[
            (9, "sigma(w1*x + w2)*(1 - sigma(w1*x + w2))*x", D("w1")),
            (10, "dsigma(w1*x + w2)", D("w2")),
        ],
    ),
    "12_sigmoid_chain.md": dict(
        defs=[(6, "L", "sigma(w*x)")],
        lines=[
            (8, "sigma(w*x)*(1 - sigma(w*x))", D("w")),
            (12, "sigma(w*x) - sigma(w*x)**2", PREV),
        ],
        kind=("chain_rule_factor_missing", "w*x", "w"),
    ),
    "13_mse_bias_chain.md": dict(
        defs=[(4, "L", "(y - w*x - b)**2")],
        lines=[
            (8, "-2*(y - w*x - b)", D("b")),
            (12, "2*(y - w*x - b)", D("w")),
            (14, "2*y - 2*w*x - 2*b", PREV),
        ],
        kind=("chain_rule_factor_missing", "y - w*x - b", "w"),
    ),
    "14_softplus_product_chain.md": dict(
        defs=[(4, "L", "ln(1 + exp(w1*w2))")],
        lines=[
            (8, "w2*exp(w1*w2)/(1 + exp(w1*w2))", D("w1")),
            (12, "exp(w1*w2)/(1 + exp(w1*w2))", D("w2")),
            (12, "sigma(w1*w2)", PREV),
        ],
        kind=("chain_rule_factor_missing", "w1*w2", "w2"),
    ),
    "15_sqrt_chain.md": dict(
        defs=[(4, "L", "sqrt(w**2 + 1)")],
        lines=[
            (8, "(w**2 + 1)**(1/2)", LAST_L),
            (12, "1/2*(w**2 + 1)**(-1/2)", D("w")),
        ],
        kind=("chain_rule_factor_missing", "w**2 + 1", "w"),
    ),
    "16_quadratic_sign.md": dict(
        defs=[(4, "L", "w**2 - 4*w + 1")],
        lines=[
            (6, "4 - 2*w", D("w")),
            (10, "2*(2 - w)", PREV),
        ],
        kind=("sign_of_line",),
    ),
    "17_mse_beta_sign.md": dict(
        defs=[(6, "L", "(y - beta*x)**2")],
        lines=[
            (8, "2*(y - beta*x)*(-x)", D("beta")),
            (12, "2*x*(y - beta*x)", PREV),
            (14, "2*x*y - 2*beta*x**2", PREV),
        ],
        kind=("sign_of_line",),
    ),
    "18_logloss_sign.md": dict(
        defs=[(4, "L", "-y*ln(sigma(w*x)) - (1 - y)*ln(1 - sigma(w*x))")],
        lines=[
            (8, "-y*(1 - sigma(w*x))*x + (1 - y)*sigma(w*x)*x", D("w")),
            (10, "-x*y + x*y*sigma(w*x) + x*sigma(w*x) - x*y*sigma(w*x)", PREV),
            (14, "(y - sigma(w*x))*x", PREV),
        ],
        kind=("sign_of_line",),
    ),
    "19_softplus_bias_sign.md": dict(
        defs=[(4, "L", "ln(1 + exp(-b))")],
        lines=[
            (7, "-exp(-b)/(1 + exp(-b))", D("b")),
            (8, "1/(exp(b) + 1)", PREV),
            (9, "sigma(-b)", PREV),
        ],
        kind=("sign_of_line",),
    ),
    "20_softmax3_term.md": dict(
        defs=[(4, "L", "-ln(exp(w1)/(exp(w1) + exp(w2) + exp(w3)))")],
        lines=[
            (8, "-w1 + ln(exp(w1) + exp(w2) + exp(w3))", LAST_L),
            (10, "1 + exp(w1)/(exp(w1) + exp(w2) + exp(w3))", D("w1")),
            (
                12,
                "(2*exp(w1) + exp(w2) + exp(w3))/(exp(w1) + exp(w2) + exp(w3))",
                PREV,
            ),
        ],
        kind=("sign_of_term", "-1"),
    ),
    "21_two_squares_term.md": dict(
        defs=[(4, "L", "(w - 2)**2 + (w + 1)**2")],
        lines=[
            (6, "w**2 - 4*w + 4 + w**2 + 2*w + 1", LAST_L),
            (8, "2*w**2 - 2*w + 5", PREV),
            (12, "4*w + 2", D("w")),
        ],
        kind=("sign_of_term", "-2"),
    ),
    "22_l2_term.md": dict(
        defs=[(4, "L", "(y - w*x)**2 + w**2")],
        lines=[
            (6, "-2*x*(y - w*x) - 2*w", D("w")),
            (10, "2*w*x**2 - 2*x*y - 2*w", PREV),
        ],
        kind=("sign_of_term", "2*w"),
    ),
    "23_ln_exp_term.md": dict(
        defs=[(4, "L", "ln(1 + exp(w2)) - ln(exp(-w1 + w3))")],
        lines=[
            (8, "exp(w2)/(1 + exp(w2))", D("w2")),
            (12, "ln(1 + exp(w2)) - (w1 - w3)", LAST_L),
            (16, "-1", D("w1")),
        ],
        kind=("sign_of_term", "-ln(exp(-w1 + w3))"),
    ),
    "24_mse_factor.md": dict(
        defs=[(6, "L", "(w*x - y)**2")],
        lines=[
            (8, "(w*x - y)*x", D("w")),
            (10, "w*x**2 - x*y", D("w")),
        ],
        kind=("factor_dropped", "2"),
    ),
    "25_poly_factor.md": dict(
        defs=[(4, "L", "4*w**2 - 8*w")],
        lines=[
            (8, "4*(w**2 - 2*w)", LAST_L),
            (10, "4*(2*w - 2)", D("w")),
            (12, "2*w - 2", PREV),
            (14, "2*(w - 1)", PREV),
        ],
        kind=("factor_dropped", "4"),
    ),
    "26_weighted_factor.md": dict(
        defs=[(6, "L", "x*(w - 3)**2")],
        lines=[
            (10, "x*w**2 - 6*x*w + 9*x", LAST_L),
            (14, "2*(w - 3)", D("w")),
        ],
        kind=("factor_dropped", "x"),
    ),
    "27_cubic_factor.md": dict(
        defs=[(4, "L", "3*w1**2*w2 + 3*w1*w2**2")],
        lines=[
            (6, "3*w1**2 + 6*w1*w2", D("w2")),
            (10, "w1*w2*(w1 + w2)", LAST_L),
            (14, "2*w1*w2 + w2**2", D("w1")),
        ],
        kind=("factor_dropped", "3"),
    ),
    "28_sigmoid_bias_factor.md": dict(
        defs=[(4, "z", "w*x + b"), (6, "L", "sigma(z)")],
        lines=[
            (8, "sigma(z)*(1 - sigma(z))*x", D("b")),
            (12, "sigma(z)*(1 - sigma(z))*x", D("w")),
        ],
        kind=("factor_added", "x"),
    ),
    "29_neuron_factor.md": dict(
        defs=[(4, "L", "(sigma(w1*x + w2) - y)**2")],
        lines=[
            (8, "2*(sigma(w1*x + w2) - y)*dsigma(w1*x + w2)*x", D("w1")),
            (12, "2*(sigma(w1*x + w2) - y)*dsigma(w1*x + w2)*x", D("w2")),
            (
                14,
                "2*x*(sigma(w1*x + w2) - y)*sigma(w1*x + w2)*(1 - sigma(w1*x + w2))",
                PREV,
            ),
        ],
        kind=("factor_added", "x"),
    ),
    "30_half_mse_factor.md": dict(
        defs=[(4, "L", "1/2*(w*x - y)**2 + 3*w")],
        lines=[
            (6, "(w*x - y)*x + 3", D("w")),
            (8, "w*x**2 - x*y + 3", PREV),
            (12, "2*w*x**2 - 2*x*y + 6", PREV),
        ],
        kind=("factor_added", "2"),
    ),
    "31_beta_factor.md": dict(
        defs=[(4, "L", "beta**2*x**2 - 2*beta*x*y")],
        lines=[
            (6, "2*beta*x**2 - 2*x*y", D("beta")),
            (8, "2*x*(beta*x - y)", PREV),
            (10, "2*beta*x*(beta*x - y)", PREV),
            (12, "2*beta**2*x**2 - 2*beta*x*y", PREV),
        ],
        kind=("factor_added", "beta"),
    ),
    "32_expand_term.md": dict(
        defs=[(4, "L", "(w + 2)**2 - w")],
        lines=[
            (6, "w**2 + 4*w - w", LAST_L),
            (8, "w**2 + 3*w", PREV),
            (10, "2*w + 3", D("w")),
        ],
        kind=("term_dropped", "4"),
    ),
    "33_l2_term.md": dict(
        defs=[(4, "L", "(w*x - y)**2 + w**2")],
        lines=[
            (8, "w**2*x**2 - 2*w*x*y + y**2 + w**2", LAST_L),
            (12, "2*x*(w*x - y)", D("w")),
            (14, "2*w*x**2 - 2*x*y", PREV),
        ],
        kind=("term_dropped", "2*w"),
    ),
    "34_logloss_term.md": dict(
        defs=[(4, "L", "-y*ln(sigma(w)) - (1 - y)*ln(1 - sigma(w))")],
        lines=[
            (6, "-y*(1 - sigma(w)) + (1 - y)*sigma(w)", D("w")),
            (10, "-y + y*sigma(w) - y*sigma(w)", PREV),
            (12, "-y", PREV),
        ],
        kind=("term_dropped", "sigma(w)"),
    ),
    "35_softmax2_term.md": dict(
        defs=[(4, "L", "ln(exp(w1) + exp(w2)) - w1")],
        lines=[
            (7, "exp(w2)/(exp(w1) + exp(w2))", D("w2")),
            (8, "exp(w1)/(exp(w1) + exp(w2))", D("w1")),
            (9, "sigma(w1 - w2)", PREV),
        ],
        kind=("term_dropped", "-1"),
    ),
    "36_arith_slip.md": dict(
        defs=[(4, "L", "(w - 2)**2 + (3*w - 2)**2")],
        lines=[
            (7, "2*(w - 2) + 6*(3*w - 2)", D("w")),
            (8, "2*w - 4 + 18*w - 4", PREV),
            (11, "20*w - 8", PREV),
        ],
        kind=("number_slip", "2*w - 4 + 18*w - 12"),
    ),
    "37_data_number.md": dict(
        defs=[(6, "L", "(2*w - 1)**2 + (w - 3)**2")],
        lines=[
            (8, "4*(2*w - 1) + 2*(w - 4)", D("w")),
            (10, "8*w - 4 + 2*w - 8", PREV),
            (12, "10*w - 12", PREV),
        ],
        kind=("number_slip", "4*(2*w - 1) + 2*(w - 3)"),
    ),
    "38_sum_number.md": dict(
        defs=[
            (4, "x1", "1"),
            (6, "x2", "2"),
            (8, "x3", "3"),
            (10, "L", "(beta*x1 - 2)**2 + (beta*x2 - 2)**2 + (beta*x3 - 2)**2"),
        ],
        lines=[
            (14, "(beta - 2)**2 + (2*beta - 2)**2 + (3*beta - 2)**2", LAST_L),
            (16, "14*beta**2 - 20*beta + 12", PREV),
            (18, "28*beta - 20", D("beta")),
        ],
        kind=("number_slip", "14*beta**2 - 24*beta + 12"),
    ),
    "39_exp_number.md": dict(
        defs=[(4, "L", "log(1 + exp(-3*w))")],
        lines=[
            (6, "(-3*exp(-3*w))/(1 + exp(-3*w))", D("w")),
            (10, "(-3)/(exp(2*w) + 1)", PREV),
        ],
        kind=("number_slip", "(-3)/(exp(3*w) + 1)"),
    ),
}

KINDS = (
    "sign_of_line",
    "sign_of_term",
    "factor_dropped",
    "factor_added",
    "term_dropped",
    "number_slip",
    "chain_rule_factor_missing",
)

EXPECT = re.compile(
    r"^<!-- expect: (?:(correct)|wrong line=(\d+) kind=([a-z_]+)) -->$"
)
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")


class Failure(Exception):
    pass


def parse(src, names):
    local = dict(SYMBOLS)
    local.update(FUNCTIONS)
    local.update(names)
    return parse_expr(src, local_dict=local)


def make_points():
    points = []
    for _ in range(POINTS):
        points.append(
            {s: mpmath.mpf(RNG.uniform(0.1, 0.9)) for s in SYMBOLS.values()}
        )
    return points


def value(expr, point):
    expr = sympy.sympify(expr)
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    f = sympy.lambdify(syms, expr, modules="mpmath")
    v = mpmath.mpmathify(f(*[point[s] for s in syms]))
    if not mpmath.isfinite(v) or abs(mpmath.im(v)) > mpmath.mpf(10) ** -30:
        raise Failure("value not real and finite: %s -> %s" % (expr, v))
    return mpmath.re(v)


def close(a, b):
    return abs(a - b) <= mpmath.mpf(10) ** -25 * (1 + abs(a) + abs(b))


def equal(a, b, points):
    return all(close(value(a, p), value(b, p)) for p in points)


def simple_factor(q_values, points):
    """The simple factor (int with |k| >= 2, or +-symbol) q equals, or None."""
    first = q_values[0]
    if all(close(q, first) for q in q_values):
        k = mpmath.nint(first)
        if close(first, k) and abs(k) >= 2:
            return str(int(k))
        return None
    for name, s in SYMBOLS.items():
        for sign in (1, -1):
            if all(close(q, sign * p[s]) for q, p in zip(q_values, points)):
                return ("-" if sign < 0 else "") + name
    return None


def one_number_fix(claimed_src, ref, names, points):
    """A fix of one number in claimed_src (to another positive number) that
    makes it equal ref at all points, or None."""
    tokens = list(NUMBER.finditer(claimed_src))
    k = sympy.Symbol("k_fix")
    for tok in tokens:
        src = claimed_src[: tok.start()] + "k_fix" + claimed_src[tok.end() :]
        expr = parse(src, dict(names, k_fix=k))
        orig = mpmath.mpf(tok.group())
        p0 = points[0]
        r0 = value(ref, p0)
        g = sympy.lambdify(
            [k], expr.subs({s: sympy.Float(str(p0[s]), 40) for s in SYMBOLS.values()}),
            modules="mpmath",
        )
        for start in (orig, 2 * orig, orig / 2, 1, 3, 10, mpmath.mpf("0.5")):
            try:
                k0 = mpmath.findroot(lambda t: g(t) - r0, start)
            except (ValueError, ZeroDivisionError, TypeError):
                continue
            if abs(mpmath.im(k0)) > 1e-20:
                continue
            k0 = mpmath.re(k0)
            if k0 <= 0 or close(k0, orig):
                continue
            if all(close(value(expr.subs(k, k0), p), value(ref, p)) for p in points):
                return "%s -> %s" % (tok.group(), mpmath.nstr(k0, 10))
    return None


def terms_of(expr):
    """The additive terms of expr as written and of its expansion."""
    return list(sympy.Add.make_args(expr)) + list(sympy.Add.make_args(sympy.expand(expr)))


def is_term(t, expr, points):
    return any(equal(t, u, points) for u in terms_of(expr))


def number_tokens_differ_once(a, b):
    skel_a, skel_b = NUMBER.sub("#", a), NUMBER.sub("#", b)
    if skel_a != skel_b:
        return False
    na, nb = NUMBER.findall(a), NUMBER.findall(b)
    return sum(1 for p, q in zip(na, nb) if p != q) == 1


def check_kind(kind, line, claimed_src, c, r, is_derivative, names, points):
    name = kind[0]
    cv = [value(c, p) for p in points]
    rv = [value(r, p) for p in points]
    if name == "sign_of_line":
        ok = all(close(a, -b) for a, b in zip(cv, rv))
    elif name == "sign_of_term":
        t = parse(kind[1], names)
        ok = (
            equal(r - c, 2 * t, points)
            and not equal(t, r, points)
            and (is_term(t, r, points) or is_term(-t, c, points))
        )
    elif name == "term_dropped":
        t = parse(kind[1], names)
        ok = equal(r - c, t, points) and not equal(t, r, points) and is_term(t, r, points)
    elif name in ("factor_dropped", "factor_added"):
        f = parse(kind[1], names)
        ok = (f.is_Integer and abs(f) >= 2) or f.is_Symbol
        if name == "factor_dropped":
            ok = ok and equal(r, c * f, points)
        else:
            ok = ok and equal(c, r * f, points)
    elif name == "number_slip":
        fixed = parse(kind[1], names)
        ok = number_tokens_differ_once(claimed_src, kind[1]) and equal(fixed, r, points)
    elif name == "chain_rule_factor_missing":
        var = SYMBOLS[kind[2]]
        inner_d = sympy.diff(parse(kind[1], names), var)
        ok = (
            is_derivative
            and not equal(inner_d, 1, points)
            and not equal(inner_d, -1, points)
            and equal(r, c * inner_d, points)
        )
    else:
        raise Failure("unknown kind %s" % name)
    if not ok:
        raise Failure("line %d is not a %s slip as described by %r" % (line, name, kind))

    # The wrong line should not also read as another kind.
    others = []
    if name != "sign_of_line" and all(close(a, -b) for a, b in zip(cv, rv)):
        others.append("sign_of_line")
    if all(b != 0 for b in rv):
        added = simple_factor([a / b for a, b in zip(cv, rv)], points)
        if added and name != "factor_added":
            others.append("factor_added(%s)" % added)
    if all(a != 0 for a in cv):
        dropped = simple_factor([b / a for a, b in zip(cv, rv)], points)
        if dropped and name not in ("factor_dropped", "chain_rule_factor_missing"):
            others.append("factor_dropped(%s)" % dropped)
    whole_line = equal(r - c, 2 * r, points)
    if name != "term_dropped" and not whole_line and is_term(r - c, r, points):
        others.append("term_dropped")
    if name != "sign_of_term" and not whole_line and (
        is_term((r - c) / 2, r, points) or is_term((c - r) / 2, c, points)
    ):
        others.append("sign_of_term")
    if name != "number_slip":
        fix = one_number_fix(claimed_src, r, names, points)
        if fix:
            others.append("number_slip(%s)" % fix)
    if others:
        raise Failure("line %d (%s) also reads as %s" % (line, name, ", ".join(others)))


def equation_count(text):
    text = re.sub(r"_\{[^}]*\}", "", text)  # \sum_{i=1}
    return text.count("=")


def check_file(fname, case, points):
    path = os.path.join(HERE, fname)
    with open(path, encoding="utf-8") as fh:
        text = fh.read().split("\n")
    m = EXPECT.match(text[0])
    if not m:
        raise Failure("first line is not an expect comment: %r" % text[0])
    expect_correct = m.group(1) is not None
    expect_line = None if expect_correct else int(m.group(2))
    expect_kind = None if expect_correct else m.group(3)
    if expect_kind is not None and expect_kind not in KINDS:
        raise Failure("unknown kind %s" % expect_kind)
    kind = case.get("kind")
    if expect_correct != (kind is None) or (kind and kind[0] != expect_kind):
        raise Failure("transcribed kind %r disagrees with the file" % (kind,))

    # Coverage: every '=' on a line is a definition or a transcribed equation.
    per_line = {}
    for line, *_ in case["defs"] + case["lines"]:
        per_line[line] = per_line.get(line, 0) + 1
    for i, line_text in enumerate(text[1:], start=2):
        n = equation_count(line_text)
        if n != per_line.get(i, 0):
            raise Failure(
                "line %d has %d '=' but %d transcribed" % (i, n, per_line.get(i, 0))
            )

    names = {}
    defined = None
    for line, name, src in case["defs"]:
        names[name] = parse(src, names)
        defined = names[name]
    if case["defs"][-1][1] != "L":
        raise Failure("the last definition must be L")
    del names["L"]

    prev = defined
    last_l = defined
    chain = "L"
    first_wrong = None
    for line, claimed_src, ref in case["lines"]:
        c = parse(claimed_src, names)
        if ref is PREV:
            r = prev
        elif ref is LAST_L:
            r = last_l
            chain = "L"
        elif isinstance(ref, D):
            r = sympy.diff(defined, SYMBOLS[ref.var])
            chain = "D"
        else:
            r = parse(ref, names)
        if first_wrong is None and not equal(c, r, points):
            first_wrong = (line, claimed_src, c, r, isinstance(ref, D))
        prev = c
        if chain == "L":
            last_l = c

    if expect_correct:
        if first_wrong is not None:
            raise Failure("expected correct, but line %d differs" % first_wrong[0])
        return "correct"
    if first_wrong is None:
        raise Failure("expected wrong line %d, but every line agrees" % expect_line)
    if first_wrong[0] != expect_line:
        raise Failure(
            "expected first wrong line %d, oracle finds %d" % (expect_line, first_wrong[0])
        )
    line, claimed_src, c, r, is_derivative = first_wrong
    check_kind(kind, line, claimed_src, c, r, is_derivative, names, points)
    return "wrong line=%d kind=%s" % (line, kind[0])


def main():
    points = make_points()
    files = sorted(f for f in os.listdir(HERE) if f.endswith(".md") and f != "README.md")
    failures = 0
    missing = sorted(set(files) - set(CASES))
    extra = sorted(set(CASES) - set(files))
    for f in missing:
        print("FAIL %s: no transcription in oracle.py" % f)
        failures += 1
    for f in extra:
        print("FAIL %s: transcribed but no such file" % f)
        failures += 1
    counts = {}
    for f in files:
        if f not in CASES:
            continue
        try:
            verdict = check_file(f, CASES[f], points)
        except Failure as e:
            print("FAIL %s: %s" % (f, e))
            failures += 1
            continue
        key = verdict.split("kind=")[-1] if "kind=" in verdict else "correct"
        counts[key] = counts.get(key, 0) + 1
        print("ok   %-32s %s" % (f, verdict))
    print("files: %d; %s" % (len(files), ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    if failures:
        print("%d failure(s)" % failures)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
