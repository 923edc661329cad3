# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
"""The SymPy round trip: Expr.to_sympy() and from_sympy().

symgrad's ML functions become SymPy functions defined here (sigmoid, softplus, logsumexp,
softmax, logloss, crossentropy), each with its derivative, its definition
(``f.rewrite(sympy.exp)``) and numeric evaluation through that definition, so SymPy's diff,
evalf and lambdify work on them. relu becomes ``Max(0, z)``, step ``Heaviside(z)`` (SymPy's
Heaviside(0) = 1/2 is symgrad's step(0)), csgn ``sign``, indicator ``KroneckerDelta`` and abs
``Abs``; all of these come back as the symgrad function. Symbols become real SymPy symbols, as
symgrad's are real (any SymPy symbol of the same name comes back as the same symgrad symbol).
"""

import sympy as _sp
from mpmath.libmp import prec_to_dps as _prec_to_dps

from . import _symgrad

__all__ = [
    "sigmoid",
    "softplus",
    "logsumexp",
    "softmax",
    "logloss",
    "crossentropy",
    "to_sympy",
    "from_sympy",
]


class _defined(_sp.Function):
    """A function with a definition in elementary functions: numeric values come from it."""

    def definition(self):
        return self._eval_rewrite_as_exp(*self.args)

    def _eval_evalf(self, prec):
        # Through the definition of the whole tree (rewrite reaches nested ML functions):
        # SymPy's evalf of the elementary functions keeps the precision asked for, where a
        # nested function evaluated on its own would hand in a rounded argument.
        if all(a.is_number for a in self.args):
            return self.rewrite(_sp.exp).evalf(_prec_to_dps(prec))
        return None

    def _eval_is_real(self):
        if all(a.is_real for a in self.args):
            return True
        return None


class sigmoid(_defined):
    """sigma(z) = 1/(1 + e^-z); sigma' = sigma (1 - sigma)."""

    nargs = 1

    @classmethod
    def eval(cls, z):
        if z.is_zero:
            return _sp.S.Half
        return None

    def fdiff(self, argindex=1):
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, z, **kwargs):
        return 1 / (1 + _sp.exp(-z))

    def _latex(self, printer):
        return r"\sigma\left(%s\right)" % printer._print(self.args[0])


class softplus(_defined):
    """softplus(z) = log(1 + e^z); softplus' = sigma."""

    nargs = 1

    @classmethod
    def eval(cls, z):
        if z.is_zero:
            return _sp.log(2)
        return None

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, z, **kwargs):
        return _sp.log(1 + _sp.exp(z))

    def _latex(self, printer):
        return r"\operatorname{softplus}\left(%s\right)" % printer._print(self.args[0])


class logsumexp(_defined):
    """logsumexp(z0, ..., zK) = log sum_j e^(z_j); d/dz_l = softmax_l."""

    @classmethod
    def eval(cls, *z):
        if len(z) == 1:
            return z[0]
        return None

    def fdiff(self, argindex=1):
        return softmax(argindex - 1, *self.args)

    def _eval_rewrite_as_exp(self, *z, **kwargs):
        return _sp.log(_sp.Add(*[_sp.exp(v) for v in z]))

    def _latex(self, printer):
        return r"\operatorname{logsumexp}\left(%s\right)" % ", ".join(
            printer._print(a) for a in self.args
        )


class softmax(_defined):
    """softmax(k, z0, ..., zK): component k (0-based) of softmax(z), e^(z_k)/sum_j e^(z_j);
    d softmax_k / d z_l = softmax_k (delta_kl - softmax_l)."""

    @classmethod
    def eval(cls, k, *z):
        if not (k.is_Integer and 0 <= int(k) < len(z)):
            raise ValueError("softmax: the component %s is not one of 0..%d" % (k, len(z) - 1))
        return None

    def fdiff(self, argindex=1):
        if argindex == 1:
            return _sp.S.Zero
        k = int(self.args[0])
        z = self.args[1:]
        l_ = argindex - 2
        return self * ((1 if k == l_ else 0) - softmax(l_, *z))

    def _eval_rewrite_as_exp(self, k, *z, **kwargs):
        return _sp.exp(z[int(k)]) / _sp.Add(*[_sp.exp(v) for v in z])

    def _eval_is_real(self):
        if all(a.is_real for a in self.args[1:]):
            return True
        return None

    def _latex(self, printer):
        return r"\operatorname{softmax}_{%s}\left(%s\right)" % (
            printer._print(self.args[0]),
            ", ".join(printer._print(a) for a in self.args[1:]),
        )


class logloss(_defined):
    """logloss(p, y) = -(y log p + (1 - y) log(1 - p))."""

    nargs = 2

    def fdiff(self, argindex=1):
        p, y = self.args
        if argindex == 1:
            return (p - y) / (p * (1 - p))
        return _sp.log((1 - p) / p)

    def _eval_rewrite_as_exp(self, p, y, **kwargs):
        return -(y * _sp.log(p) + (1 - y) * _sp.log(1 - p))


class crossentropy(_defined):
    """crossentropy(y, p0, ..., pK) = -log p_y (a class index y, 0-based); d/dp_k = -[y = k]/p_k.
    (symgrad writes crossentropy({p0, ..., pK}, y); the label comes first here, as in
    symgrad's expression tree.)"""

    def fdiff(self, argindex=1):
        if argindex == 1:
            return _sp.S.Zero
        y = self.args[0]
        k = argindex - 2
        return -_sp.KroneckerDelta(y, k) / self.args[argindex - 1]

    def _eval_rewrite_as_exp(self, y, *p, **kwargs):
        return -_sp.Add(*[_sp.KroneckerDelta(y, k) * _sp.log(v) for k, v in enumerate(p)])


_TO_SYMPY = {
    "exp": _sp.exp,
    "log": _sp.log,
    "sin": _sp.sin,
    "cos": _sp.cos,
    "tan": _sp.tan,
    "asin": _sp.asin,
    "acos": _sp.acos,
    "atan": _sp.atan,
    "sinh": _sp.sinh,
    "cosh": _sp.cosh,
    "tanh": _sp.tanh,
    "asinh": _sp.asinh,
    "acosh": _sp.acosh,
    "atanh": _sp.atanh,
    "abs": _sp.Abs,
    "step": _sp.Heaviside,
    "csgn": _sp.sign,
    "relu": lambda z: _sp.Max(0, z),
    "indicator": _sp.KroneckerDelta,
    "sigmoid": sigmoid,
    "softplus": softplus,
    "logsumexp": logsumexp,
    "softmax": softmax,
    "logloss": logloss,
    "crossentropy": crossentropy,
    "tgamma": _sp.gamma,
    "lgamma": _sp.loggamma,
    "factorial": _sp.factorial,
    "binomial": _sp.binomial,
    "zeta": _sp.zeta,
    "atan2": lambda y, x: _sp.atan2(y, x),
}

_CONSTANTS = {"Pi": _sp.pi, "Euler": _sp.EulerGamma, "Catalan": _sp.Catalan}


def to_sympy(expr):
    """The SymPy expression of an Expr (or of text, parsed): see the module's description.
    Lists become Python lists, matrices SymPy matrices."""
    if not isinstance(expr, _symgrad.Expr):
        expr = _symgrad.Expr(expr)
    memo = {}

    def walk(e):
        if e in memo:
            return memo[e]
        kind, data, operands = e._node()
        if kind == "rational":
            r = _sp.Rational(int(data[0]), int(data[1]))
        elif kind == "float":
            r = _sp.Float(data, 40)
        elif kind == "symbol":
            r = _sp.Symbol(data, real=True)
        elif kind == "constant":
            if data not in _CONSTANTS:
                raise _symgrad.InvalidInput("to_sympy: the constant %s has no SymPy form" % data)
            r = _CONSTANTS[data]
        elif kind == "add":
            r = _sp.Add(*[walk(o) for o in operands])
        elif kind == "mul":
            r = _sp.Mul(*[walk(o) for o in operands])
        elif kind == "pow":
            r = _sp.Pow(walk(operands[0]), walk(operands[1]))
        elif kind == "function":
            if data not in _TO_SYMPY:
                raise _symgrad.InvalidInput(
                    "to_sympy: the function %s has no SymPy form here" % data
                )
            r = _TO_SYMPY[data](*[walk(o) for o in operands])
        elif kind == "list":
            r = [walk(o) for o in operands]
        elif kind == "matrix":
            r = _sp.Matrix(data[0], data[1], [walk(o) for o in operands])
        elif kind == "complex":
            r = walk(data[0]) + _sp.I * walk(data[1])
        else:
            raise _symgrad.InvalidInput("to_sympy: %s has no SymPy form" % data)
        memo[e] = r
        return r

    return walk(expr)


def _number_text(n):
    if n.is_Integer:
        return "(%d)" % int(n)
    if n.is_Rational:
        return "(%d/%d)" % (int(n.p), int(n.q))
    if n.is_Float:
        return "(%s)" % _sp.sstr(n, full_prec=False).replace(" ", "")
    raise _symgrad.InvalidInput("from_sympy: the number %s is not real" % n)


_FROM_SYMPY = {
    _sp.exp: "exp",
    _sp.log: "log",
    _sp.sin: "sin",
    _sp.cos: "cos",
    _sp.tan: "tan",
    _sp.asin: "asin",
    _sp.acos: "acos",
    _sp.atan: "atan",
    _sp.sinh: "sinh",
    _sp.cosh: "cosh",
    _sp.tanh: "tanh",
    _sp.asinh: "asinh",
    _sp.acosh: "acosh",
    _sp.atanh: "atanh",
    _sp.Abs: "abs",
    _sp.sign: "csgn",
    _sp.KroneckerDelta: "indicator",
    _sp.gamma: "tgamma",
    _sp.loggamma: "lgamma",
    _sp.factorial: "factorial",
    _sp.binomial: "binomial",
    _sp.zeta: "zeta",
    sigmoid: "sigmoid",
    softplus: "softplus",
    logsumexp: "logsumexp",
    softmax: "softmax",
    logloss: "logloss",
}


def _text(e, memo):
    """symgrad's syntax for a SymPy expression, every operation in parentheses."""
    if e in memo:
        return memo[e]
    t = None
    if isinstance(e, (list, tuple, _sp.Tuple)):
        t = "{" + ", ".join(_text(_sp.sympify(a), memo) for a in e) + "}"
    elif e.is_Number:
        t = _number_text(e)
    elif e.is_Symbol:
        t = e.name
    elif e is _sp.pi:
        t = "Pi"
    elif e is _sp.E:
        t = "exp(1)"
    elif e is _sp.EulerGamma:
        t = "Euler"
    elif e is _sp.Catalan:
        t = "Catalan"
    elif e.is_Add:
        t = "(" + " + ".join(_text(a, memo) for a in e.args) + ")"
    elif e.is_Mul:
        t = "(" + "*".join(_text(a, memo) for a in e.args) + ")"
    elif e.is_Pow:
        t = "(%s^%s)" % (_text(e.base, memo), _text(e.exp, memo))
    elif isinstance(e, _sp.Heaviside):
        t = "step(%s)" % _text(e.args[0], memo)
    elif isinstance(e, (_sp.Max, _sp.Min)):
        args = [_text(a, memo) for a in e.args]
        zero = [a for a in e.args if a.is_zero]
        if isinstance(e, _sp.Max) and len(e.args) == 2 and zero:
            other = e.args[1] if e.args[0].is_zero else e.args[0]
            t = "relu(%s)" % _text(other, memo)
        else:
            # max(a, b) = (a + b + |a - b|)/2, min(a, b) = (a + b - |a - b|)/2, folded
            sign = "+" if isinstance(e, _sp.Max) else "-"
            t = args[0]
            for b in args[1:]:
                t = "((%s + %s %s abs(%s - %s))/2)" % (t, b, sign, t, b)
    elif isinstance(e, crossentropy):
        p = ", ".join(_text(a, memo) for a in e.args[1:])
        t = "crossentropy({%s}, %s)" % (p, _text(e.args[0], memo))
    elif e.func in _FROM_SYMPY:
        t = "%s(%s)" % (_FROM_SYMPY[e.func], ", ".join(_text(a, memo) for a in e.args))
    elif isinstance(e, _sp.MatrixBase):
        rows = ["{" + ", ".join(_text(e[i, j], memo) for j in range(e.cols)) + "}"
                for i in range(e.rows)]
        t = "{" + ", ".join(rows) + "}"
    if t is None:
        name = getattr(e.func, "__name__", type(e).__name__)
        raise _symgrad.InvalidInput("from_sympy: SymPy's %s has no symgrad form (in %s)" % (name, e))
    memo[e] = t
    return t


def from_sympy(e):
    """The Expr of a SymPy expression (or of anything sympy.sympify reads): see the module's
    description. Floats are read as the decimals SymPy prints (Float(0.1) is 1/10)."""
    if isinstance(e, _symgrad.Expr):
        return e
    if isinstance(e, (list, tuple)):
        text = _text(e, {})
    else:
        text = _text(_sp.sympify(e), {})
    return _symgrad.parse(text)
