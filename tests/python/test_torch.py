# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
# symgrad.torch.function against torch.autograd.gradcheck and torch's own autograd (skipped
# where PyTorch is not installed).
import numpy as np
import pytest

torch = pytest.importorskip("torch")
import symgrad.torch as sgt  # noqa: E402

LOSS = "crossentropy(softmax({w1*x + w3, w2*x + w4}), y)"


def test_gradcheck_passes_on_a_batch():
    F = sgt.function(LOSS, "w1, w2, w3, w4", inputs="x", labels="y")
    rng = np.random.default_rng(5)
    x = torch.tensor(rng.normal(size=(16, 1)))
    y = torch.tensor(rng.integers(0, 2, size=(16, 1)).astype(float))
    w = torch.tensor([0.3, -0.7, 0.2, 0.9], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda w_: F.apply(w_, x, y), (w,))


def test_gradcheck_passes_on_one_sample():
    F = sgt.function("softplus(a*u - b)^2 + sigmoid(a)*b", "a, b", inputs="u")
    w = torch.tensor([0.4, -1.1], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda w_: F.apply(w_, torch.tensor([2.5])), (w,))


def test_the_gradient_equals_torchs_autograd_of_the_same_loss():
    F = sgt.function(LOSS, "w1, w2, w3, w4", inputs="x", labels="y")
    x = torch.tensor([[-3.0], [1.0], [0.5]], dtype=torch.float64)
    y = torch.tensor([[0.0], [1.0], [1.0]], dtype=torch.float64)
    w = torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=torch.float64, requires_grad=True)
    F.apply(w, x, y).sum().backward()
    v = w.detach().clone().requires_grad_(True)
    z = torch.cat([v[0] * x + v[2], v[1] * x + v[3]], dim=1)
    torch.nn.functional.cross_entropy(z, y[:, 0].long(), reduction="sum").backward()
    torch.testing.assert_close(w.grad, v.grad, rtol=1e-13, atol=1e-15)
