# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
"""Problem files (problems/README.md) from Python: ``Problem(path).run()`` is ``symgrad run``
with the worked solution as objects."""

import os
import shlex

from . import _symgrad
from .training import History


class Step:
    """One statement of a problem file and its results.

    ``line`` and ``statement`` say which statement; ``notes`` are the author's comment lines
    before it; ``items`` its results, dicts with a ``kind``: "formula" (label, latex, value:
    an Expr), "values" (rows of (name, value text)), "table" (header, rows), "text" (text),
    "training" (description, history: a History with the epochs as arrays), "outcome" (passed,
    message).
    """

    def __init__(self, d):
        self.line = d["line"]
        self.statement = d["statement"]
        self.notes = list(d["notes"])
        self.items = list(d["items"])
        for item in self.items:
            if item["kind"] == "training":
                item["history"] = History(item["history"])

    def formulas(self):
        """The formula items' values by label."""
        return {i["label"]: i["value"] for i in self.items if i["kind"] == "formula"}

    def __repr__(self):
        return "<Step line %d: %s>" % (self.line, self.statement)


class ProblemResult:
    """The worked solution of a problem file: ``steps`` (Step objects), ``expectations`` (how
    many were checked), ``failures`` (one line each), ``passed``, and the command's renderings
    ``text`` and ``markdown`` (shown by a notebook)."""

    def __init__(self, d):
        self.file = d["file"]
        self.header = list(d["header"])
        self.steps = [Step(s) for s in d["steps"]]
        self.expectations = d["expectations"]
        self.failures = list(d["failures"])
        self.files_read = list(d["files_read"])
        self.text = d["text"]
        self.markdown = d["markdown"]

    @property
    def passed(self):
        return not self.failures

    def tables(self):
        """Every table item, in order."""
        return [i for s in self.steps for i in s.items if i["kind"] == "table"]

    def histories(self):
        """The History of every train statement, in order."""
        return [i["history"] for s in self.steps for i in s.items if i["kind"] == "training"]

    def __str__(self):
        return self.text

    def __repr__(self):
        return "<ProblemResult %s: %d steps, %d expectations, %d failed>" % (
            os.path.basename(self.file),
            len(self.steps),
            self.expectations,
            len(self.failures),
        )

    def _repr_markdown_(self):
        return self.markdown


class Problem:
    """A problem file. ``run()`` runs its statements in order, like ``symgrad run``; errors in
    the file raise ParseError (file:line:column, the line and a caret) or another Error."""

    def __init__(self, path, *, digits=17, allow_paths=(), trust_paths=False):
        self.path = os.fspath(path)
        self.digits = digits
        self.allow_paths = [os.fspath(p) for p in allow_paths]
        self.trust_paths = trust_paths

    def run(self):
        return ProblemResult(
            _symgrad._run_problem(self.path, self.digits, self.allow_paths, self.trust_paths)
        )

    def train(self, *words):
        """``symgrad train FILE METHOD [OPTIONS]...``: the file's declarations, data and
        definitions, then one train statement of these words (its own show, check, expect and
        train statements are left out). ``train("gd rate 0.1 epochs 5 loss")`` or
        ``train("gd", "rate", 0.1, "epochs", 5)``. Returns the History; the whole run is its
        ``result`` attribute (a ProblemResult)."""
        if len(words) == 1 and isinstance(words[0], str):
            words = shlex.split(words[0])
        result = ProblemResult(
            _symgrad._train_problem(self.path, [str(w) for w in words], self.digits,
                                    self.allow_paths, self.trust_paths)
        )
        (history,) = result.histories()
        history.result = result
        return history

    def __repr__(self):
        return "Problem(%r)" % self.path
