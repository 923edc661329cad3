// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/stable_forms.hpp"

#include "symgrad/compile/interpreter.hpp"
#include "symgrad/compile/tape.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/program/gradient_program.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/train/dataset.hpp"
#include "symgrad/train/trainer.hpp"
#include "symgrad/verify/verify.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>

namespace {

using GiNaC::ex;
using GiNaC::numeric;
using namespace symgrad;

/// The exact rational value of a double.
numeric exact(double a) {
    int e = 0;
    const double m = std::frexp(a, &e);
    return numeric(static_cast<long>(std::ldexp(m, 53))) * numeric(2).power(e - 53);
}

/// Error of @p a in units in the last place of the reference @p r (a CLN number at 60
/// digits); subnormal references count in the subnormal spacing.
double ulps(double a, const numeric& r) {
    const double rd = r.to_double();
    if (!std::isfinite(a))
        return std::numeric_limits<double>::infinity();
    const double spacing =
        std::nextafter(std::fabs(rd), std::numeric_limits<double>::infinity()) - std::fabs(rd);
    const numeric diff = GiNaC::abs(exact(a) - r);
    return diff.to_double() / spacing;
}

verdict verdict_of(const ex& lhs, const ex& rhs) {
    return verify(lhs, rhs).outcome;
}

ex p(const char* text) {
    return parse(text);
}

} // namespace

BOOST_AUTO_TEST_SUITE(numerics)

// ---- every rewrite is an identity, proved by the verifier (not by the pass) -------------------

BOOST_AUTO_TEST_CASE(each_rewrite_is_proved_equal_to_its_input) {
    const ex y = symbol_named("y");
    const char* inputs[] = {
        "1 - sigmoid(u)",
        "sigmoid(u) - 1",
        "3 - 3*sigmoid(u + v)",
        "sigmoid(u)*(1 - sigmoid(u))",
        "log(sigmoid(u))",
        "log(1 - sigmoid(u))",
        "logloss(sigmoid(u), y)",
        "1 - tanh(u)^2",
        "1/(1 + exp(-u))",
        "exp(u)/(1 + exp(u))",
        "log(1 + exp(u))",
        "sigmoid(u) - y",
        "1 - softmax(0, a, b, c)",
        "1 - tanh(u)",
        "1 + tanh(u)",
        "1 - sigmoid(u)^2",
        "log(2 - 2*sigmoid(u))",
        "log(cosh(u))",
        "y - sigmoid(u)",
        "softplus(u) - u",
        "log(sigmoid(u)) - log(1 - sigmoid(u))",
        "sigmoid(u) - sigmoid(-u)",
        "2*sigmoid(2*u) - 1",
        "(sigmoid(u) - 1/2)^2",
        "softmax(1, a, b, c) - indicator(y, 1)",
        "log(softmax(1, a, b, c))",
        "log(softmax(0, a, b)^(-2))",
        "log(softmax(0, a, b)^(-5/2))",
        "logsumexp(a, b, c) - c",
        "a - logsumexp(a, b)",
        "log(softmax(2, a, b, c)^(1/3))",
        "logloss(softmax(0, a, b, c), y)",
        "logloss(softmax(2, a, b, c), y)",
        "logloss(exp(u), y)",
        "log(2 + exp(u) + 3*exp(-u))",
        "log(1/3 + exp(u))",
        "1 - 1/(1 + sigmoid(u))",
        "2 - 2/(1 + u^2)",
        "log((1 + u^2)^(-3))",
        "log((2 + exp(u))^(1/2))",
        "logloss(1/(1 + sigmoid(u)), y)",
        "logloss(1/(1 + exp(u) + exp(v)), y)",
        "logloss(2/7, y)",
    };
    for (const char* text : inputs) {
        const ex e = p(text);
        stable_forms pass({y});
        const ex s = pass(e);
        BOOST_TEST_INFO(text << " -> " << to_text(s));
        BOOST_TEST(!s.is_equal(e)); // the pass did rewrite it
        BOOST_TEST((verdict_of(e, s) == verdict::proved));
    }
}

BOOST_AUTO_TEST_CASE(program_symbols_are_seen_through) {
    const ex h = symbol_named("h"), o = symbol_named("o");
    stable_forms pass;
    BOOST_TEST(to_text(pass.define(o, sigmoid(h))) == "sigmoid(h)");
    BOOST_TEST(to_text(pass(1 - o)) == "sigmoid(-h)");
    BOOST_TEST(to_text(pass(o * (1 - o))) == to_text(o * sigmoid(-h)));
    // A label is needed for sigmoid(u) - y: without one, y may be anything and nothing changes.
    BOOST_TEST(pass(o - symbol_named("y")).is_equal(o - symbol_named("y")));
}

// ---- accuracy in double against CLN at 60 digits -----------------------------------------------

/// Loss and gradient of @p loss (over z, with label y) through a compiled gradient program, in
/// double, against GiNaC's own derivative evaluated exactly: at most 4 ulps everywhere the
/// reference is a finite double, and never a NaN.
void check_accuracy(const char* loss_text, bool with_label) {
    const ex loss = p(loss_text);
    const ex z = symbol_named("z"), y = symbol_named("y");
    program_options po;
    if (with_label)
        po.labels = {y};
    const gradient_program program(loss, {z}, po);
    const tape t = compile_tape(program);
    const ex d = loss.diff(GiNaC::ex_to<GiNaC::symbol>(z));
    std::vector<double> registers(t.register_count()), out(t.outputs().size());
    const double zs[] = {-745, -300, -40, -37.5, -5, -1e-3, 0, 1e-9, 0.5, 3, 36.7, 40, 300, 700};
    const double labels[] = {0, 1, 0.25};
    for (double zv : zs)
        for (double yv : labels) {
            if (!with_label && yv != 0)
                continue;
            GiNaC::exmap at{{z, exact(zv)}};
            if (with_label)
                at[y] = GiNaC::ex(yv == 0.25 ? numeric(1, 4) : numeric(static_cast<long>(yv)));
            const numeric ref_loss = evaluate_numeric(loss, at, 60);
            const numeric ref_grad = evaluate_numeric(d, at, 60);
            const double w[] = {zv};
            const double ys[] = {yv};
            run_point(t, w, nullptr, with_label ? ys : nullptr, registers.data(), out.data());
            BOOST_TEST_INFO(loss_text << " at z = " << zv << ", y = " << yv << ": loss " << out[0]
                                      << ", d/dz " << out[1]);
            if (std::isfinite(ref_loss.to_double()))
                BOOST_TEST(ulps(out[0], ref_loss) <= 4);
            if (std::isfinite(ref_grad.to_double()))
                BOOST_TEST(ulps(out[1], ref_grad) <= 4);
            BOOST_TEST(!std::isnan(out[0]));
            BOOST_TEST(!std::isnan(out[1]));
        }
}

BOOST_AUTO_TEST_CASE(logloss_of_sigmoid_is_accurate_on_the_logit) {
    // Before the pass: NaN for both at z = 40 (logloss of a probability that rounds to 1).
    check_accuracy("logloss(sigmoid(z), y)", true);
}

BOOST_AUTO_TEST_CASE(logloss_of_a_softmax_component_is_accurate_on_the_logits) {
    // Found by the differential tests: logloss(softmax(0, 587, b, -1), y) was NaN in double
    // (the log of 1 - a probability that rounds to 1). In double, through evaluate_double, to
    // within the function's own condition: the logit z - logsumexp(0, 1) carries a rounding
    // error of |z| ulps, which exp passes on as a relative error (|z| + 4) eps at most.
    const ex loss = p("logloss(softmax(0, z, 0, 1), y)");
    const ex z = symbol_named("z"), y = symbol_named("y");
    for (double zv : {-745.0, -300.0, -40.0, -1.0, 0.0, 0.5, 3.0, 36.7, 40.0, 300.0, 700.0})
        for (long yv : {0L, 1L}) {
            const double got = evaluate_double(loss, {{z, zv}, {y, static_cast<double>(yv)}});
            const numeric ref = evaluate_numeric(loss, {{z, exact(zv)}, {y, numeric(yv)}}, 60);
            BOOST_TEST_INFO("z = " << zv << ", y = " << yv << ": " << got);
            BOOST_TEST(std::isfinite(got));
            if (ref.to_double() > std::numeric_limits<double>::min())
                BOOST_TEST(ulps(got, ref) <= std::fabs(zv) + 4);
        }
}

BOOST_AUTO_TEST_CASE(sigmoid_and_its_derivative_never_cancel) {
    // sigmoid'(40) was -0 (true 4.2e-18): sigma(1 - sigma) cancels from z = 37 on.
    check_accuracy("sigmoid(z)", false);
}

BOOST_AUTO_TEST_CASE(hand_written_logistic_losses_are_accurate) {
    check_accuracy("log(1 + exp(-z))", false);
    check_accuracy("-log(sigmoid(z))", false);
    check_accuracy("-log(1 - sigmoid(z))", false);
}

BOOST_AUTO_TEST_CASE(cross_entropy_of_a_confident_softmax_keeps_its_small_gradient) {
    // d/dz = softmax_0 - [y = 0]: 1 - 1 = 0 in double at z = 40 for y = 0 (true -e^-40 / ...).
    const ex z = symbol_named("z"), y = symbol_named("y");
    const ex loss = p("crossentropy(softmax({z, 0, 1}), y)");
    program_options po;
    po.labels = {y};
    const tape t = compile_tape(gradient_program(loss, {z}, po));
    const ex d = loss.diff(GiNaC::ex_to<GiNaC::symbol>(z));
    std::vector<double> registers(t.register_count()), out(t.outputs().size());
    for (double zv : {-700.0, -40.0, 0.0, 40.0, 700.0})
        for (long yv : {0L, 1L, 2L}) {
            const double w[] = {zv}, ys[] = {static_cast<double>(yv)};
            run_point(t, w, nullptr, ys, registers.data(), out.data());
            const GiNaC::exmap at{{z, exact(zv)}, {y, numeric(yv)}};
            BOOST_TEST_INFO("z = " << zv << ", y = " << yv << ": " << out[0] << ", " << out[1]);
            BOOST_TEST(ulps(out[1], evaluate_numeric(d, at, 60)) <= 4);
            // The loss too: (max - z_y) + tail, not logsumexp - z_y (0 at z = 40, y = 0).
            BOOST_TEST(ulps(out[0], evaluate_numeric(loss, at, 60)) <= 4);
        }
}

BOOST_AUTO_TEST_CASE(log1p_expm1_and_hypot_are_what_runs) {
    // log(1 + 1e-20) is 0 and e^(1e-12) - 1 has 4 correct digits in double; (1e200)^2
    // overflows. The tape runs log1p, expm1 and hypot, seeing through program symbols.
    const ex w = symbol_named("w"), v = symbol_named("v");
    struct case_ {
        const char* loss;
        double w, v;
    };
    for (const case_& c : {case_{"log(1 + w^2)", 1e-10, 0}, case_{"exp(w) - 1", 1e-12, 0},
                           case_{"exp(w) - 1", -3e-9, 0}, case_{"sqrt(w^2 + v^2)", 3e200, 4e200},
                           case_{"sqrt(w^2 + v^2)", 3e-200, 4e-200}}) {
        const ex loss = p(c.loss);
        const tape t = compile_tape(gradient_program(loss, {w, v}));
        std::vector<double> registers(t.register_count()), out(t.outputs().size());
        const double ws[] = {c.w, c.v};
        run_point(t, ws, nullptr, nullptr, registers.data(), out.data());
        const GiNaC::exmap at{{w, exact(c.w)}, {v, exact(c.v)}};
        BOOST_TEST_INFO(c.loss << " at w = " << c.w << ", v = " << c.v << ": " << out[0] << ", "
                               << out[1]);
        BOOST_TEST(ulps(out[0], evaluate_numeric(loss, at, 60)) <= 4);
        BOOST_TEST(
            ulps(out[1], evaluate_numeric(loss.diff(GiNaC::ex_to<GiNaC::symbol>(w)), at, 60)) <= 4);
    }
}

BOOST_AUTO_TEST_CASE(eval_in_double_runs_what_the_compiled_evaluators_run) {
    // Found by probing `symgrad eval --double` with expressions nobody on the team wrote: each
    // was 0, wrong in its 8th digit, or "not finite" before --double went through the tape.
    struct case_ {
        const char* expression;
        const char* at;
    };
    for (const case_& c :
         {case_{"exp(z) - 1", "z=1e-10"}, case_{"log(1 + z)", "z=1e-300"},
          case_{"sqrt(x^2 + y^2)", "x=1e200, y=1e200"},
          case_{"crossentropy(softmax({z, 0}), 0)", "z=40"},
          case_{"log(2 - 2*sigmoid(z))", "z=745"}, case_{"(sigmoid(w*x) - y)^2", "w=40, x=1, y=1"},
          case_{"1 - tanh(z)", "z=40"}, case_{"1 - sigmoid(z)^2", "z=40"},
          case_{"log(cosh(z))", "z=745"}, case_{"softplus(z) - z", "z=40"},
          case_{"sigmoid(z) - sigmoid(-z)", "z=1e-10"}, case_{"2*sigmoid(2*z) - 1", "z=1e-300"},
          case_{"(sigmoid(z) - 1/2)^2", "z=1e-10"},
          case_{"log(sigmoid(z)) - log(1 - sigmoid(z))", "z=1e-10"},
          // logloss of e^v near 1: "undefined" (p rounded to 1) at y = 0 and 0 at y = 1.
          case_{"logloss(exp(-z), y)", "z=1e-20, y=0"},
          case_{"logloss(exp(-z), y)", "z=1e-20, y=1"}, case_{"log(1 - exp(-z))", "z=1e-20"},
          // Found by the differential test at seeds other than CI's: 0 and "not finite".
          case_{"log((1 + z^2)^(-3))", "z=-123/34359738368"}, case_{"1 - exp(-z)", "z=1e-20"},
          case_{"crossentropy({1/(1 + sigmoid(a)), 1 - 1/(1 + sigmoid(a))}, 1)", "a=-943/16"},
          case_{"crossentropy({exp(-exp(-a^2)), 1 - exp(-exp(-a^2))}, 1)", "a=563/64"},
          case_{"logloss(1/(1 + 10^(-300)*(1 + x^2)), y)", "x=1/2, y=0"},
          case_{"logloss(1/(1 + 7*10^(-320)), y) + x", "x=1/2, y=0"},
          case_{"logloss(1/(1 + 7*10^(-320)), y) + x", "x=1/2, y=1"}}) {
        const auto r = test::run_command({"eval", c.expression, "--at", c.at, "--double"});
        BOOST_TEST_INFO(c.expression << " at " << c.at << ": " << r.out << r.err);
        BOOST_TEST_REQUIRE(r.status == 0);
        const auto reference =
            test::run_command({"eval", c.expression, "--at", c.at, "--digits", "40"});
        BOOST_TEST_REQUIRE(reference.status == 0);
        // The certified value (ball arithmetic, a separate evaluator) to 40 digits.
        const std::string ref = reference.out.substr(0, reference.out.find('\n'));
        const numeric exact_value = GiNaC::ex_to<numeric>(parse(ref));
        BOOST_TEST(ulps(std::stod(r.out), exact_value) <= 4);
    }
}

BOOST_AUTO_TEST_CASE(printed_code_and_double_evaluation_use_the_stable_form) {
    const ex z = symbol_named("z");
    const ex d = sigmoid(z) * (1 - sigmoid(z));
    BOOST_TEST(to_c(d).find("1.0 - ") == std::string::npos);
    BOOST_TEST(to_text(d) == "sigmoid(z)*(1 - sigmoid(z))"); // people still read the book's form
    const double v = evaluate_double(stable_form(d), {{z, 40.0}});
    BOOST_TEST(ulps(v, evaluate_numeric(d, {{z, exact(40)}}, 60)) <= 4);
}

// ---- training: the problem book's separable logistic regression, against PyTorch -------------

/// Weights after the checked epochs, from bench/torch_logistic.py (PyTorch 1.13, float64,
/// binary_cross_entropy_with_logits with reduction='sum', SGD): epoch, w, b.
struct torch_row {
    std::size_t epoch;
    double w, b;
};

void check_against_torch(const std::vector<numeric>& xs, const std::vector<long>& ys,
                         const numeric& rate, std::size_t epochs,
                         const std::vector<torch_row>& torch) {
    const ex w = symbol_named("w"), b = symbol_named("b"), x = symbol_named("x"),
             y = symbol_named("y");
    program_options po;
    po.inputs = {x};
    po.labels = {y};
    const gradient_program program(logloss(sigmoid(w * x + b), y), {w, b}, po);
    dataset data({x}, {label{y, 2}});
    for (std::size_t i = 0; i < xs.size(); ++i)
        data.add_row({xs[i], numeric(ys[i])});
    train_options o;
    o.optimizer.kind = method::gd;
    o.optimizer.rate = rate;
    o.epochs = epochs;
    const train_result r = train(program, data, {0, 0}, o);
    BOOST_TEST_REQUIRE(r.ok(), r.message);
    BOOST_TEST_REQUIRE(r.records.size() == epochs);
    for (const auto& row : torch) {
        const auto& got = r.records[row.epoch - 1].weights;
        const double gw = got[0].to_double(), gb = got[1].to_double();
        // Relative to the size of the weight vector: b is 0 by symmetry, and PyTorch's b is
        // the rounding noise of sigmoid(z) - y (symgrad's is 0 or as small).
        const double scale = std::max({std::fabs(row.w), std::fabs(row.b), 1.0});
        BOOST_TEST_INFO("epoch " << row.epoch << ": symgrad w = " << gw << ", b = " << gb
                                 << "; PyTorch w = " << row.w << ", b = " << row.b);
        BOOST_TEST(std::fabs(gw - row.w) <= 1e-12 * scale);
        BOOST_TEST(std::fabs(gb - row.b) <= 1e-12 * scale);
    }
}

BOOST_AUTO_TEST_CASE(separable_logistic_regression_trains_like_pytorch) {
    // It stopped at epoch 2 with "L (logloss) is nan at o1 = 1, y = 1" before the pass.
    check_against_torch({-2, -1, 1, 2}, {0, 0, 1, 1}, 50, 500,
                        {{1, 150, 0},
                         {2, 150, -3.5875479865822055e-64},
                         {10, 150, -3.2287931879239843e-63},
                         {500, 150, -1.7901864453045175e-61}});
    // At rate 1 w grows like log(epoch) on gradients of saturated sigmoids.
    check_against_torch({-2, -1, 1, 2}, {0, 0, 1, 1}, 1, 500,
                        {{1, 3, 0},
                         {2, 3.1047422389816721, -2.6367796834847468e-16},
                         {3, 3.1985913317914907, -2.6367796834847468e-16},
                         {5, 3.3615673081094992, -1.9428902930940239e-16},
                         {10, 3.6757559451587061, -1.8041124150158794e-16},
                         {50, 4.802049867156378, -5.6378512969246231e-16},
                         {100, 5.4070641632657761, 3.1225022567582528e-17},
                         {200, 6.0503609640345974, -1.427243739859918e-15},
                         {500, 6.93345679091418, -1.1560847765212934e-15}});
}

BOOST_AUTO_TEST_CASE(overlapping_logistic_regression_trains_like_pytorch) {
    check_against_torch({-2, -1, numeric(1, 2), 1, 2, 3}, {0, 1, 0, 1, 1, 0}, numeric(1, 2), 200,
                        {{1, 0.125, 0},
                         {2, -0.048467254007210803, -0.05414325783854268},
                         {3, 0.21651038445708604, 0.0075348936582195214},
                         {5, 0.3956345686304249, 0.049137468415021784},
                         {10, -0.59631385307270912, -0.18977598650413266},
                         {50, -0.5995713208452994, -0.19084321651526867},
                         {200, -0.59957132084529918, -0.19084321651526878}});
}

BOOST_AUTO_TEST_SUITE_END()
