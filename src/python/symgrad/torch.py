# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
"""symgrad's compiled gradients as torch.autograd.Function (needs PyTorch).

    F = symgrad.torch.function("crossentropy(softmax({w1*x + w3, w2*x + w4}), y)",
                               wrt="w1, w2, w3, w4", inputs="x", labels="y")
    loss = F.apply(w, X, Y).sum()     # w: (4,) tensor, requires_grad; X: (N, 1), Y: (N, 1)
    loss.backward()                   # w.grad from symgrad's gradient program
"""

import numpy as _np
import torch as _torch

from . import _symgrad


def function(expr, wrt, inputs=None, labels=None, *, backend="native"):
    """A torch.autograd.Function subclass computing the per-sample loss of expr and, in
    backward, its gradient with respect to the weights wrt from symgrad's compiled program.

    ``F.apply(w, x, y=None)``: w a 1-D tensor of the weights (in wrt's order), x the inputs
    (one row per sample, or one sample), y the labels. Returns the per-sample losses ((N,), or
    a 0-dimensional tensor for one sample) in w's dtype. Gradients flow to w only (the data
    are constants); the computation runs in double precision. The compiled gradient is
    ``F.compiled``.
    """
    compiled = _symgrad.compile(expr, wrt, inputs, labels, backend=backend)

    def as_array(t):
        if t is None:
            return None
        if isinstance(t, _torch.Tensor):
            return t.detach().to(device="cpu", dtype=_torch.float64).numpy()
        return _np.asarray(t, dtype=_np.float64)

    class SymgradFunction(_torch.autograd.Function):
        @staticmethod
        def forward(ctx, w, x=None, y=None):
            loss, gradient = compiled(as_array(w), as_array(x), as_array(y))
            ctx.save_for_backward(_torch.as_tensor(_np.asarray(gradient)))
            ctx.weight_dtype = w.dtype
            return _torch.as_tensor(_np.asarray(loss), dtype=w.dtype, device=w.device)

        @staticmethod
        def backward(ctx, grad_output):
            (gradient,) = ctx.saved_tensors
            g = grad_output.to(dtype=_torch.float64, device="cpu")
            if gradient.dim() == 1:
                dw = g * gradient
            else:
                dw = g @ gradient
            return dw.to(dtype=ctx.weight_dtype, device=grad_output.device), None, None

    SymgradFunction.compiled = compiled
    SymgradFunction.__name__ = "SymgradFunction"
    SymgradFunction.__doc__ = "Per-sample loss of %s with symgrad's gradient in %s." % (
        _symgrad.Expr(expr) if not isinstance(expr, _symgrad.Expr) else expr,
        ", ".join(compiled.weights),
    )
    return SymgradFunction
