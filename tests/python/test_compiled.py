# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
# compile(): per-sample losses and gradients over NumPy arrays, against NumPy's own closed forms
# of the softmax classifier, central differences, and the library's double evaluation.
import threading

import numpy as np
import pytest

import symgrad as sg

LOSS = "crossentropy(softmax({w1*x + w3, w2*x + w4}), y)"
WEIGHTS = "w1, w2, w3, w4"


def numpy_softmax_classifier(w, x, y):
    """Loss -log softmax_y(z) and its gradient, written out with NumPy: z = (w1 x + w3,
    w2 x + w4), dL/dz_l = softmax_l - [y = l], dL/dw1 = x dL/dz0, dL/dw3 = dL/dz0, ..."""
    z = np.stack([w[0] * x + w[2], w[1] * x + w[3]], axis=1)
    m = z.max(axis=1, keepdims=True)
    lse = (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]
    loss = lse - z[np.arange(len(x)), y.astype(int)]
    p = np.exp(z - lse[:, None])
    d = p - np.eye(2)[y.astype(int)]
    grad = np.stack([d[:, 0] * x, d[:, 1] * x, d[:, 0], d[:, 1]], axis=1)
    return loss, grad


@pytest.fixture(params=["interpreter", "native"])
def compiled(request):
    return sg.compile(LOSS, WEIGHTS, inputs="x", labels="y", backend=request.param)


def test_a_batch_matches_numpys_closed_form(compiled):
    rng = np.random.default_rng(7)
    x = rng.normal(size=1000) * 3
    y = rng.integers(0, 2, size=1000).astype(float)
    w = np.array([0.3, -1.2, 0.5, 2.0])
    loss, grad = compiled(w, x[:, None], y[:, None])
    want_loss, want_grad = numpy_softmax_classifier(w, x, y)
    assert loss.shape == (1000,) and grad.shape == (1000, 4)
    np.testing.assert_allclose(loss, want_loss, rtol=1e-13, atol=1e-15)
    # NumPy's p - [y = l] cancels where p is near 1: an absolute bound for those entries
    np.testing.assert_allclose(grad, want_grad, rtol=1e-12, atol=1e-13)


def test_one_sample_gives_a_float_and_a_vector(compiled):
    loss, grad = compiled(np.zeros(4), 2.0, 1.0)
    assert isinstance(loss, float) and grad.shape == (4,)
    assert loss == pytest.approx(np.log(2), rel=1e-15)
    # softmax = (1/2, 1/2), y = 1: dL/dz = (1/2, -1/2); dL/dw1 = x dL/dz0 = 1, ...
    np.testing.assert_allclose(grad, [1.0, -1.0, 0.5, -0.5], rtol=1e-15)


def test_sum_and_mean_are_the_sums_of_the_rows(compiled):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(20000, 1))
    y = rng.integers(0, 2, size=(20000, 1)).astype(float)
    w = np.array([0.1, 0.2, -0.3, 0.4])
    loss, grad = compiled(w, x, y)
    total, gsum = compiled.sum(w, x, y)
    assert total == pytest.approx(loss.sum(), rel=1e-12)
    np.testing.assert_allclose(gsum, grad.sum(axis=0), rtol=1e-11)
    mean, gmean = compiled.mean(w, x, y, threads=2)
    assert mean == pytest.approx(total / 20000, rel=1e-13)
    np.testing.assert_allclose(gmean, gsum / 20000, rtol=1e-12)


def test_gradient_against_central_differences_and_the_librarys_double_evaluation():
    f = "softplus(w1*x1 + w2*x2 - b)^2 + relu(w1)*sigmoid(w2*x2)"
    c = sg.compile(f, "w1, w2, b", inputs="x1, x2")
    w = np.array([0.7, -0.4, 0.2])
    x = np.array([1.5, -2.0])
    loss, grad = c(w, x)
    point = {"w1": 0.7, "w2": -0.4, "b": 0.2, "x1": 1.5, "x2": -2.0}
    assert loss == pytest.approx(sg.evaluate(f, point, double=True), rel=1e-14)
    h = 1e-6
    for k in range(3):
        e = np.zeros(3)
        e[k] = h
        fd = (c(w + e, x)[0] - c(w - e, x)[0]) / (2 * h)
        assert grad[k] == pytest.approx(fd, rel=1e-7)
    np.testing.assert_allclose(grad, sg.grad(f, "w1, w2, b", at=point, double=True), rtol=1e-14)


def test_without_inputs_every_other_symbol_is_an_input():
    c = sg.compile("(w*x - t)^2", "w")
    assert c.weights == ["w"] and sorted(c.inputs) == ["t", "x"]


def test_a_loss_without_data():
    c = sg.compile("(a - 3)^2 + b^2", "a, b")
    loss, grad = c(np.array([1.0, 2.0]))
    assert loss == 8.0
    np.testing.assert_array_equal(grad, [-4.0, 4.0])


def test_shapes_are_checked_with_messages(compiled):
    with pytest.raises(sg.ShapeError, match=r"weights must be a vector of 4 values \(w1, w2, w3, w4\)"):
        compiled(np.zeros(3), 1.0, 0.0)
    with pytest.raises(sg.ShapeError, match="3 rows of inputs but 2 rows of labels"):
        compiled(np.zeros(4), np.zeros((3, 1)), np.zeros((2, 1)))
    with pytest.raises(sg.InvalidInput, match="labels are missing"):
        compiled(np.zeros(4), np.zeros((3, 1)))
    c = sg.compile("w1*x1 + w2*x2", "w1, w2", inputs="x1, x2")
    with pytest.raises(sg.ShapeError, match=r"expected \(N, 2\)"):
        c(np.zeros(2), np.zeros((5, 3)))


def test_a_value_that_is_not_finite_is_a_domain_error():
    # log(w x) at w = 1, x = -1 is not real. The samples run without the GIL; the message,
    # which names expressions, is made after it is taken back (one sample, a batch, a sum).
    c = sg.compile("log(w*x)", "w", inputs="x")
    with pytest.raises(sg.DomainError, match="nan"):
        c(np.array([1.0]), np.array([[1.0], [-1.0]]))
    with pytest.raises(sg.DomainError, match="nan"):
        c(np.array([1.0]), -1.0)
    with pytest.raises(sg.DomainError, match="sample 1"):
        c.sum(np.array([1.0]), np.array([[1.0], [-1.0]]))
    # The finite samples before it are not the error's concern: a finite batch still works.
    loss, grad = c(np.array([1.0]), np.array([[1.0], [2.0]]))
    assert loss[1] == pytest.approx(np.log(2.0))
    assert grad[1, 0] == pytest.approx(1.0)


def test_the_backend_is_reported():
    c = sg.compile("w*x", "w", inputs="x", backend="interpreter")
    assert c.backend == "interpreter"
    assert "mul" in c.listing()
    with pytest.raises(sg.InvalidInput, match="backend must be"):
        sg.compile("w*x", "w", backend="gpu")


def test_calls_from_threads_agree(compiled):
    """The GIL is released while samples run: threads call one compiled gradient at once."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(50000, 1))
    y = rng.integers(0, 2, size=(50000, 1)).astype(float)
    w = np.array([0.5, -0.5, 0.1, 0.0])
    want = compiled(w, x, y)
    results = [None] * 4

    def work(i):
        results[i] = compiled(w, x, y)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        np.testing.assert_array_equal(r[0], want[0])
        np.testing.assert_array_equal(r[1], want[1])
