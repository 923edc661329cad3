#!/usr/bin/env python3
# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
"""PyTorch's run of the logistic-regression problems that tests/core/stable_forms_test.cpp trains
with symgrad: full-batch gradient descent on the sum of binary cross-entropy with logits
(reduction='sum', as symgrad's objective is the sum of the loss over the rows), float64.

Prints, per problem, the weights (w, b) after the epochs the test checks, to 17 digits.
Run with Debian's python3-torch: /usr/bin/python3 bench/torch_logistic.py
"""
import torch

torch.set_default_dtype(torch.float64)

# name, x, y, rate, epochs
PROBLEMS = [
    # The problem book's separable data at rate 50: one step to w = 150, then the loss is 0
    # to double precision (symgrad stopped at epoch 2 with a NaN before the stable forms).
    ("separable rate 50", [-2, -1, 1, 2], [0, 0, 1, 1], 50.0, 500),
    # The same data at rate 1: w grows like log(epoch) while sigmoid(w x) saturates, so every
    # step depends on gradients of 1 - sigmoid(z) computed without cancellation.
    ("separable rate 1", [-2, -1, 1, 2], [0, 0, 1, 1], 1.0, 500),
    # Overlapping classes: converges to a finite optimum.
    ("overlapping rate 0.5", [-2, -1, 0.5, 1, 2, 3], [0, 1, 0, 1, 1, 0], 0.5, 200),
]
CHECKED = [1, 2, 3, 5, 10, 50, 100, 200, 500]

for name, xs, ys, rate, epochs in PROBLEMS:
    x = torch.tensor(xs)
    y = torch.tensor(ys, dtype=torch.float64)
    w = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=rate)
    print(f"# {name}")
    for epoch in range(1, epochs + 1):
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(w * x + b, y, reduction="sum")
        loss.backward()
        opt.step()
        if epoch in CHECKED:
            print(f"{epoch} {w.item():.17g} {b.item():.17g}")
