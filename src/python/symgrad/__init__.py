# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
"""symgrad in Python: the same engine and the same verbs as the ``symgrad`` command.

    >>> import symgrad as sg
    >>> L = sg.parse("crossentropy(softmax({w1*x + w3, w2*x + w4}), y)")
    >>> sg.diff(L, "w1")                     # simplified, shown as LaTeX in a notebook
    >>> sg.check("diff(sigmoid(z), z) == sigmoid(z)*(1 - sigmoid(z))").verdict
    'proved'
    >>> f = sg.compile(L, wrt="w1, w2, w3, w4", inputs="x", labels="y")
    >>> loss, grad = f(w, X, Y)              # NumPy arrays, one row per sample

Expressions are :class:`Expr` objects; every function also takes text in the command's syntax,
numbers, and SymPy expressions (:func:`from_sympy`, :meth:`Expr.to_sympy`). Errors are
:class:`Error` and its kinds, with the command's messages (parse errors with the caret).
"""

from ._symgrad import (  # noqa: F401  (the public names of the extension)
    CheckResult,
    Compiled,
    DomainError,
    Error,
    Expr,
    InvalidInput,
    NativeUnavailable,
    ParseError,
    ShapeError,
    TrainingFailed,
    UnboundSymbols,
    __version__,
    check,
    compile,
    evaluate,
    grad,
    known_functions,
    methods,
    parse,
    simplify,
    symbol,
)
from ._symgrad import diff as _diff
from .problem import Problem, ProblemResult, Step  # noqa: F401
from .training import History, plot, train  # noqa: F401


def diff(expr, *wrt, raw=False):
    """d expr / d var for each variable in wrt (names, "w1, w2", or Expr symbols), simplified
    unless raw. One variable gives an Expr; several, or none (every variable), a list."""
    return _diff(expr, *wrt, raw=raw)


def to_sympy(expr):
    """The SymPy expression of an Expr (see symgrad.sympy; SymPy is imported on first use)."""
    from .sympy import to_sympy as convert

    return convert(expr)


def from_sympy(e):
    """The Expr of a SymPy expression (see symgrad.sympy)."""
    from .sympy import from_sympy as convert

    return convert(e)


def symbols(names):
    """Symbols from "w1 w2 w3" or "w1, w2": a tuple of Expr."""
    return tuple(symbol(n) for n in names.replace(",", " ").split())


Expr.to_sympy = to_sympy
Expr.diff = lambda self, *wrt, raw=False: diff(self, *wrt, raw=raw)
Expr.simplify = lambda self: simplify(self)
Expr.evaluate = lambda self, at=None, **kw: evaluate(self, at, **kw)

__all__ = [
    "CheckResult",
    "Compiled",
    "DomainError",
    "Error",
    "Expr",
    "History",
    "InvalidInput",
    "NativeUnavailable",
    "ParseError",
    "Problem",
    "ProblemResult",
    "ShapeError",
    "Step",
    "TrainingFailed",
    "UnboundSymbols",
    "check",
    "compile",
    "diff",
    "evaluate",
    "from_sympy",
    "grad",
    "known_functions",
    "methods",
    "parse",
    "plot",
    "simplify",
    "symbol",
    "symbols",
    "to_sympy",
    "train",
]
