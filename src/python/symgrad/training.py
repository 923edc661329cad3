# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
"""Training from Python: the trainer of ``symgrad train`` (trainer.hpp), with its history as
NumPy arrays and a loss plot."""

import numpy as _np

from . import _symgrad


class History:
    """What a training run recorded: one row per recorded epoch (row 0 is the start).

    Attributes: ``epoch``, ``step`` (int arrays), ``weights`` (rows x weights), ``loss`` (the
    objective J at the recorded weights), ``gradient_norm`` (|dJ/dw| there), ``rate`` (the
    learning rate of the last step; NaN at the start), ``weight_names``, ``final_weights``
    (Expr: exact in exact arithmetic), ``reason`` and ``message`` (why it stopped), ``ok``
    (False when it stopped on a non-finite value, a singular Hessian or a failed line
    search), ``table`` (the command's lines) and ``description``.
    """

    def __init__(self, d):
        self.epoch = d["epoch"]
        self.step = d["step"]
        self.rate = d["rate"]
        self.weights = d["weights"]
        self.loss = d["loss"]
        self.gradient_norm = d["gradient_norm"]
        self.weight_names = list(d["weight_names"])
        self.final_weights = list(d["final_weights"])
        self.reason = d["reason"]
        self.message = d["message"]
        self.ok = d["ok"]
        self.epochs = d["epochs"]
        self.steps = d["steps"]
        self.table = list(d["table"])
        self.description = d["description"]

    def __getitem__(self, name):
        """The column of one weight by name: history["w1"]."""
        return self.weights[:, self.weight_names.index(name)]

    def __str__(self):
        return "\n".join([self.description] + self.table + ["stopped: " + self.message])

    def __repr__(self):
        return "<History %s: %d records, %s>" % (self.description, len(self.epoch), self.message)

    def _repr_markdown_(self):
        head = ["epoch"] + self.weight_names + ["loss", "gradient norm"]
        lines = [
            "*%s*" % self.description,
            "",
            "| " + " | ".join(head) + " |",
            "|" + "---:|" * len(head),
        ]
        for i in range(len(self.epoch)):
            cells = [str(int(self.epoch[i]))]
            cells += ["%.4f" % v for v in self.weights[i]]
            cells += ["%.6g" % self.loss[i], "%.6g" % self.gradient_norm[i]]
            lines.append("| " + " | ".join(cells) + " |")
        lines += ["", "stopped: " + self.message]
        return "\n".join(lines)

    def plot(self, ax=None, **kwargs):
        """The loss curve (J by epoch) on a matplotlib Axes; returns the Axes."""
        return plot(self, ax=ax, **kwargs)


def plot(*histories, ax=None, labels=None, log=False, gradient_norm=False):
    """Loss curves of one or more histories on one matplotlib Axes (a new figure when ax is
    None); log=True for a logarithmic y axis; gradient_norm=True plots |dJ/dw| instead."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for i, h in enumerate(histories):
        y = h.gradient_norm if gradient_norm else h.loss
        label = labels[i] if labels else h.description
        ax.plot(h.epoch, y, marker="o" if len(h.epoch) <= 30 else None, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("|dJ/dw|" if gradient_norm else "J(w)")
    if log:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    if histories:
        ax.legend(fontsize="small")
    return ax


def train(loss, wrt, data=None, *, inputs=None, labels=None, classes=None, start=0, **options):
    """Train a per-sample loss over data, as a problem file's ``train`` statement does.

    loss: the per-sample loss (Expr or text); wrt: the weights ("w1, w2", a list, ...).
    data: {column name: values}; labels names the label columns (the rest are inputs, unless
    inputs says otherwise); classes: {label: K} or one K for every label (class labels
    0..K-1). Without data, loss is the objective itself. start: one value, a list in wrt's
    order, or {name: value}.

    Options (as the train statement's words): method ("gd", "sgd", "momentum", "nesterov",
    "adagrad", "rmsprop", "adam", "fletcher-reeves", "polak-ribiere", "newton"), rate, epochs,
    steps, batch, shuffle (a seed), mean (average instead of sum), exact (exact arithmetic),
    digits, momentum, dampening, weight_decay, alpha, eps, centered, beta1, beta2, lr_decay,
    initial_accumulator, restart, damping, line_search, armijo, shrink, schedule ("step",
    "exponential"), factor, every_epochs, gradient_tolerance, loss_tolerance, every (record
    every n-th epoch), record_steps, backend, threads. Numbers may be given exactly as text
    ("1/10") or Fraction.

    Returns a History. A run that stops on a non-finite value returns its history so far with
    ok False and the reason in message; bad options raise InvalidInput.
    """
    if data is not None:
        data = {k: (_np.asarray(v).ravel() if hasattr(v, "shape") else v) for k, v in data.items()}
    return History(
        _symgrad._train(loss, wrt, data, inputs, labels, classes, start, **options)
    )
