# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
# Problem files and training from Python, against the numbers the seed's own sources printed
# (seed 000's forum tables) and hand computations.
import fractions

import numpy as np
import pytest

import symgrad as sg

SEED000_LOSS = "crossentropy(softmax({w1*x + w3, w2*x + w4}), y)"
# Eduard Ganzha's SymPy table for data x = [-1, 1], y = [0, 1], GD rate 0.1 (seed 000).
SEED000_W1 = [-0.1, -0.19003320053750442, -0.27125537694426405, -0.34477611903571703,
              -0.4116026565396639]


def test_a_problem_file_runs_as_steps(source_dir):
    r = sg.Problem(source_dir / "problems" / "seed000_softmax_data_minus1_1.txt").run()
    assert r.passed and r.expectations == 9 and not r.failures
    statements = [s.statement.split()[0] for s in r.steps]
    assert statements[:3] == ["weights", "inputs", "labels"]
    check = next(s for s in r.steps if s.statement.startswith("check"))
    assert any(i["kind"] == "text" and "proved" in i["text"] for i in check.items)
    (history,) = r.histories()
    np.testing.assert_allclose(history["w1"][1:], SEED000_W1, rtol=1e-13)
    assert history.reason == "epochs" and history.weight_names == ["w1", "w2", "w3", "w4"]
    assert r._repr_markdown_() == r.markdown and r.markdown.startswith("# ")
    assert "w1" in r.text


def test_a_problem_files_model_trains_with_other_settings(source_dir):
    p = sg.Problem(source_dir / "problems" / "seed000_softmax_data_minus3_1.txt")
    h = p.train("gd rate 0.1 epochs 5 loss")
    # the forum table for x = (-3, 1): epoch 5 w1 = -0.4930, w3 = -0.0773
    assert round(h["w1"][-1], 4) == -0.4930 and round(h["w3"][-1], 4) == -0.0773
    assert h.loss[0] == pytest.approx(2 * np.log(2), rel=1e-15)
    assert h.result.expectations == 0
    twice = p.train("gd", "rate", 0.2, "epochs", 1)
    # one step of rate 0.2 is two of the first step of rate 0.1: w1 = -0.2 * dL/dw1(0)
    assert twice["w1"][-1] == pytest.approx(2 * h["w1"][1], rel=1e-15)


def test_a_failed_expectation_is_reported_not_raised(tmp_path):
    p = tmp_path / "wrong.txt"
    p.write_text("weights w = 1\nL = w^2\nexpect diff(L, w) == 3\n")
    r = sg.Problem(p).run()
    assert not r.passed and len(r.failures) == 1 and "wrong.txt:3" in r.failures[0]


def test_an_error_in_a_problem_file_has_file_line_and_caret(tmp_path):
    p = tmp_path / "broken.txt"
    p.write_text("weights w = 1\nL = sigmoid(w\n")
    with pytest.raises(sg.ParseError) as e:
        sg.Problem(p).run()
    assert e.value.line == 2
    assert str(e.value).startswith(str(p) + ":2:")
    assert str(e.value).splitlines()[-1].strip() == "^"


def test_training_reproduces_the_seeds_table():
    h = sg.train(SEED000_LOSS, "w1, w2, w3, w4", data={"x": [-1, 1], "y": [0, 1]},
                 labels="y", classes=2, method="gd", rate=0.1, epochs=5)
    assert h.ok and h.reason == "epochs"
    assert list(h.epoch) == [0, 1, 2, 3, 4, 5]
    assert h.weights.shape == (6, 4)
    np.testing.assert_allclose(h["w1"][1:], SEED000_W1, rtol=1e-13)
    np.testing.assert_allclose(h["w2"][1:], -np.array(SEED000_W1), rtol=1e-13)
    assert abs(h["w3"]).max() < 1e-15
    # the start: L(0) = 2 log 2, |grad| = |(1, -1, 0, 0)| = sqrt(2)
    assert h.loss[0] == pytest.approx(2 * np.log(2), rel=1e-15)
    assert h.gradient_norm[0] == pytest.approx(np.sqrt(2), rel=1e-15)
    assert np.all(np.diff(h.loss) < 0)
    assert "| epoch |" in h._repr_markdown_()
    assert h.table[-1].startswith("epoch = 5, w1 = -0.4116")


def test_exact_training_of_least_squares_by_hand():
    # y = beta x on x = (1, 2), y = (2, 3) (seed 001): J = sum (beta x - y)^2,
    # dJ/dbeta = 2 sum x (beta x - y) = -16 at 0, so beta_1 = 0 + 0.1*16 = 8/5;
    # at 8/5: 2 (1 (8/5 - 2) + 2 (16/5 - 3)) = 0, so beta stays 8/5 (the closed form).
    h = sg.train("(beta*x - t)^2", "beta", data={"x": [1, 2], "t": [2, 3]}, method="gd",
                 rate="1/10", epochs=2, exact=True)
    assert h.final_weights[0] == sg.parse("8/5")
    assert list(h["beta"]) == [0.0, 1.6, 1.6]
    assert h.gradient_norm[-1] == 0.0


def test_start_rates_and_data_may_be_given_in_several_forms():
    a = sg.train("(w - 3)^2", "w", start={"w": 1}, method="gd", rate=fractions.Fraction(1, 4),
                 epochs=1, exact=True)
    # w_1 = 1 - (1/4) * 2 (1 - 3) = 2
    assert a.final_weights[0] == sg.parse("2")
    b = sg.train("(w - 3)^2", "w", start=[1], method="gd", rate="0.25", epochs=1)
    assert b["w"][-1] == 2.0


def test_bad_training_options_are_refused_with_the_closest_name():
    with pytest.raises(sg.InvalidInput, match="'rate'"):
        sg.train("(w - 3)^2", "w", method="gd", rat=0.1, epochs=1)
    with pytest.raises(sg.InvalidInput, match="adam"):
        sg.train("(w - 3)^2", "w", method="adma", epochs=1)


def test_a_run_that_diverges_reports_where():
    h = sg.train("exp(w^2)", "w", start=5, method="gd", rate=10, epochs=50)
    assert not h.ok and h.reason == "not finite"
    assert "epoch" in h.message


def test_plot_draws_the_loss_curve():
    import matplotlib

    matplotlib.use("Agg")
    h = sg.train("(w - 3)^2", "w", method="gd", rate=0.1, epochs=10)
    ax = h.plot()
    xs, ys = ax.lines[0].get_data()
    np.testing.assert_array_equal(xs, np.arange(11))
    # (w_k - 3)^2 with w_k - 3 = -3 (0.8)^k
    np.testing.assert_allclose(ys, 9 * 0.64 ** np.arange(11), rtol=1e-12)
    assert ax.get_ylabel() == "J(w)"
    ax2 = sg.plot(h, h, labels=["a", "b"], log=True)
    assert len(ax2.lines) == 2 and ax2.get_yscale() == "log"


def test_the_exception_family():
    for kind in (sg.ParseError, sg.InvalidInput, sg.UnboundSymbols, sg.DomainError,
                 sg.ShapeError, sg.NativeUnavailable, sg.TrainingFailed):
        assert issubclass(kind, sg.Error)
    assert issubclass(sg.TrainingFailed, sg.DomainError)
    assert issubclass(sg.DomainError, ArithmeticError)
    assert sg.ParseError.__module__ == "symgrad"
