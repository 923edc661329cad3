// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/kernels.hpp"
#include "symgrad/core/precision.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/text/parser.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

using GiNaC::ex;
using GiNaC::numeric;
using symgrad::parse;
using symgrad::symbol_named;

namespace {

struct symbols_fixture {
    const GiNaC::realsymbol& x = symbol_named("x");
    const GiNaC::realsymbol& y = symbol_named("y");
    const GiNaC::realsymbol& z = symbol_named("z");
    const GiNaC::realsymbol& a = symbol_named("a");
    const GiNaC::realsymbol& b = symbol_named("b");
    const GiNaC::realsymbol& c = symbol_named("c");
};

/// Structural equality of two expressions.
bool eq(const ex& e1, const ex& e2) {
    return e1.is_equal(e2);
}

/// e1 - e2 is identically zero (after normal()).
bool same(const ex& e1, const ex& e2) {
    return (e1 - e2).normal().is_zero();
}

/// A random point where log arguments and probabilities make sense: p-like symbols in (0, 1).
GiNaC::exmap point_for(const ex& e, std::mt19937_64& rng) {
    GiNaC::exmap point;
    for (const auto& s : symgrad::free_symbols(e)) {
        const std::string name = symgrad::symbol_name(s);
        if (name[0] == 'p')
            point[s] = symgrad::test::random_rational(rng, 0.05, 0.95, 97);
        else if (name[0] == 'y')
            point[s] = symgrad::test::random_rational(rng, 0, 1, 7);
        else
            point[s] = symgrad::test::random_rational(rng, -3, 3, 97);
    }
    return point;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(functions, symbols_fixture)

BOOST_AUTO_TEST_CASE(sigmoid_derivative_is_sigma_times_one_minus_sigma) {
    const ex d = symgrad::sigmoid(z).diff(z);
    BOOST_TEST(d.is_equal(symgrad::sigmoid(z) * (1 - symgrad::sigmoid(z))));
}

BOOST_AUTO_TEST_CASE(sigmoid_of_an_integer_multiple_of_a_rational_log_is_exact) {
    // sigmoid(log 3) = 1/(1 + 1/3) = 3/4; sigmoid(-2 log 2) = 1/(1 + 4) = 1/5; its derivative
    // at log 3 is 3/4 * 1/4 = 3/16 (the value a worked solution should print exactly).
    BOOST_TEST(GiNaC::ex(symgrad::sigmoid(GiNaC::log(3))).is_equal(GiNaC::numeric(3, 4)));
    BOOST_TEST(GiNaC::ex(symgrad::sigmoid(-2 * GiNaC::log(2))).is_equal(GiNaC::numeric(1, 5)));
    BOOST_TEST(symgrad::sigmoid(z)
                   .diff(GiNaC::ex_to<GiNaC::symbol>(z))
                   .subs(z == GiNaC::log(3))
                   .is_equal(GiNaC::numeric(3, 16)));
    // Half-integer multiples stay symbolic (sqrt(3) is not rational).
    BOOST_TEST(
        GiNaC::is_exactly_a<GiNaC::function>(GiNaC::ex(symgrad::sigmoid(GiNaC::log(3) / 2))));
}

BOOST_AUTO_TEST_CASE(softplus_derivative_is_sigmoid) {
    BOOST_TEST(symgrad::softplus(z).diff(z).is_equal(symgrad::sigmoid(z)));
}

BOOST_AUTO_TEST_CASE(relu_derivative_is_step) {
    BOOST_TEST(symgrad::relu(z).diff(z).is_equal(GiNaC::step(z)));
}

BOOST_AUTO_TEST_CASE(logsumexp_derivative_is_softmax) {
    const ex l = symgrad::logsumexp({a, b, c});
    BOOST_TEST(l.diff(a).is_equal(symgrad::softmax(0, {a, b, c})));
    BOOST_TEST(l.diff(c).is_equal(symgrad::softmax(2, {a, b, c})));
}

BOOST_AUTO_TEST_CASE(softmax_derivative_is_g_k_times_delta_minus_g_l) {
    const GiNaC::exvector s{a, b, c};
    for (std::size_t k = 0; k < 3; ++k)
        for (std::size_t l = 0; l < 3; ++l) {
            const ex d = symgrad::softmax(k, s).diff(GiNaC::ex_to<GiNaC::symbol>(s[l]));
            const ex hand = symgrad::softmax(k, s) * ((k == l ? 1 : 0) - symgrad::softmax(l, s));
            BOOST_TEST(same(d, hand), "k=" << k << " l=" << l);
        }
}

BOOST_AUTO_TEST_CASE(crossentropy_of_softmax_has_derivative_g_minus_y) {
    const ex r = symgrad::crossentropy(symgrad::softmax({a, b, c}), y);
    const GiNaC::exvector s{a, b, c};
    for (long l = 0; l < 3; ++l) {
        const ex d = r.diff(GiNaC::ex_to<GiNaC::symbol>(s[static_cast<std::size_t>(l)]));
        BOOST_TEST(
            same(d, symgrad::softmax(static_cast<std::size_t>(l), s) - symgrad::indicator(y, l)),
            "l=" << l);
    }
}

BOOST_AUTO_TEST_CASE(logloss_derivative_in_p_is_p_minus_y_over_p_one_minus_p) {
    const GiNaC::realsymbol& p = symbol_named("p");
    const ex d = symgrad::logloss(p, y).diff(p);
    BOOST_TEST(same(d, (p - y) / (p * (1 - p))));
    // The same from the definition, an independent form.
    const ex def = -(y * GiNaC::log(p) + (1 - y) * GiNaC::log(1 - p));
    BOOST_TEST(same(d, def.diff(p)));
}

BOOST_AUTO_TEST_CASE(every_derivative_matches_finite_differences) {
    std::mt19937_64 rng(symgrad::test::seed(20261122, "functions FD"));
    const std::vector<std::string> corpus{
        "sigmoid(x)",
        "sigmoid(a*x + b)",
        "softplus(x)",
        "softplus(3*a - x^2)",
        "relu(x^2 + 1)",
        "relu(-x^2 - 1)",
        "logloss(p, y)",
        "logloss(sigmoid(a*x + b), y)",
        "logsumexp(a, b)",
        "logsumexp(a, 2*b, c - a)",
        "softmax(0, a, b, c)",
        "softmax(1, a, b, c)",
        "softmax(2, a*x, b, c^2)",
        "crossentropy({p0, p1, p2}, 1)",
        "crossentropy({p0, p1}, {y0, y1})",
        "crossentropy(softmax({a, b, c}), 2)",
        "crossentropy(softmax({a*x, b, c}), {y0, y1, y2})",
        "tanh(sigmoid(a) - softplus(b))",
        "logsumexp({sigmoid(a), softplus(b), relu(c^2 + 1)})",
    };
    for (const auto& text : corpus) {
        const ex e = parse(text);
        for (int trial = 0; trial < 4; ++trial) {
            const auto point = point_for(e, rng);
            for (const auto& v : symgrad::free_symbols(e)) {
                if (symgrad::symbol_name(v)[0] == 'y')
                    continue; // labels: not differentiable in general
                const ex d = e.diff(GiNaC::ex_to<GiNaC::symbol>(v));
                const numeric exact = symgrad::evaluate_numeric(d, point, 40);
                const numeric fd = symgrad::test::finite_difference(e, v, point);
                BOOST_TEST(symgrad::test::close(exact, fd, 1e-20),
                           text << " d/d" << symgrad::symbol_name(v) << ": symbolic " << exact
                                << " vs finite difference " << fd);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(crossentropy_with_symbolic_label_matches_finite_differences_per_class) {
    // With y symbolic the derivative involves indicator(y, k); check it at each class value.
    std::mt19937_64 rng(symgrad::test::seed(7, "crossentropy labels"));
    const ex e = parse("crossentropy(softmax({a, b*x, c}), y)");
    for (long label = 0; label < 3; ++label) {
        GiNaC::exmap point{{a, symgrad::test::random_rational(rng, -2, 2)},
                           {b, symgrad::test::random_rational(rng, -2, 2)},
                           {c, symgrad::test::random_rational(rng, -2, 2)},
                           {x, symgrad::test::random_rational(rng, -2, 2)},
                           {y, label}};
        for (const ex& v : {ex(a), ex(b), ex(c)}) {
            const numeric exact =
                symgrad::evaluate_numeric(e.diff(GiNaC::ex_to<GiNaC::symbol>(v)), point, 40);
            const numeric fd = symgrad::test::finite_difference(e, v, point);
            BOOST_TEST(symgrad::test::close(exact, fd, 1e-20), "y=" << label);
        }
    }
}

BOOST_AUTO_TEST_CASE(exact_special_values) {
    BOOST_TEST(eq(symgrad::sigmoid(0), numeric(1, 2)));
    BOOST_TEST(eq(symgrad::softplus(0), GiNaC::log(ex(2))));
    BOOST_TEST(eq(symgrad::relu(-3), 0));
    BOOST_TEST(eq(symgrad::relu(numeric(5, 2)), numeric(5, 2)));
    BOOST_TEST(eq(symgrad::relu(x * x + 1), x * x + 1)); // known non-negative
    BOOST_TEST(eq(symgrad::logsumexp({z, z}), z + GiNaC::log(ex(2))));
    BOOST_TEST(eq(symgrad::logsumexp({x}), x));
    BOOST_TEST(eq(symgrad::softmax(1, {z, z, z}), numeric(1, 3)));
    BOOST_TEST(eq(symgrad::softmax(0, {x}), 1));
    const GiNaC::realsymbol& p = symbol_named("p");
    BOOST_TEST(eq(symgrad::logloss(p, 1), -GiNaC::log(p)));
    BOOST_TEST(eq(symgrad::logloss(p, 0), -GiNaC::log(1 - p)));
    BOOST_TEST(
        symgrad::test::close(symgrad::evaluate_numeric(symgrad::logloss(numeric(1, 2), 1), {}, 30),
                             GiNaC::ex_to<numeric>(GiNaC::log(ex(2)).evalf()), 1e-15));
    BOOST_TEST(eq(symgrad::indicator(2, 2), 1));
    BOOST_TEST(eq(symgrad::indicator(1, 2), 0));
    BOOST_TEST(eq(symgrad::indicator(y, y), 1));
    BOOST_TEST(eq(symgrad::crossentropy({a, b}, ex(1)), -GiNaC::log(b)));
    // Fused with softmax and a known label: logsumexp(z) - z_y.
    BOOST_TEST(symgrad::crossentropy(symgrad::softmax({a, b}), ex(0))
                   .is_equal(symgrad::logsumexp({a, b}) - a));
}

BOOST_AUTO_TEST_CASE(functions_know_they_are_real_and_positive) {
    BOOST_TEST(symgrad::sigmoid(x).info(GiNaC::info_flags::positive));
    BOOST_TEST(symgrad::softplus(x).info(GiNaC::info_flags::positive));
    BOOST_TEST(symgrad::softmax(0, {a, b}).info(GiNaC::info_flags::positive));
    BOOST_TEST(symgrad::relu(x).info(GiNaC::info_flags::nonnegative));
    BOOST_TEST(symgrad::logsumexp({a, b}).info(GiNaC::info_flags::real));
}

BOOST_AUTO_TEST_CASE(double_kernels_do_not_overflow) {
    using namespace symgrad::kernels;
    BOOST_TEST(sigmoid(-1000) == 0.0);
    BOOST_TEST(sigmoid(1000) == 1.0);
    BOOST_TEST(softplus(1000) == 1000.0);
    BOOST_TEST(softplus(-1000) == 0.0);
    const double big[] = {1000, 1000};
    BOOST_TEST(logsumexp(big, 2) == 1000 + std::log(2.0));
    const double w[] = {1e4, -1e4, 0};
    BOOST_TEST(softmax(0, w, 3) == 1.0);
    BOOST_TEST(softmax(1, w, 3) == 0.0);
    BOOST_TEST(log_softmax(1, w, 3) == -2e4);
    for (double v = -1e4; v <= 1e4; v += 97.3) {
        BOOST_TEST(std::isfinite(sigmoid(v)));
        BOOST_TEST(std::isfinite(softplus(v)));
        const double pair[] = {v, -v};
        BOOST_TEST(std::isfinite(logsumexp(pair, 2)));
        BOOST_TEST(std::isfinite(softmax(0, pair, 2)));
    }
}

BOOST_AUTO_TEST_CASE(double_evaluation_of_functions_is_overflow_safe) {
    const symgrad::double_point none;
    BOOST_TEST(symgrad::evaluate_double(parse("sigmoid(-1000)"), none) == 0.0);
    BOOST_TEST(symgrad::evaluate_double(parse("softplus(1000)"), none) == 1000.0);
    BOOST_TEST(symgrad::evaluate_double(parse("logsumexp(1000, 1000)"), none) ==
               1000 + std::log(2.0));
    BOOST_TEST(symgrad::evaluate_double(parse("softmax(0, 10000, -10000)"), none) == 1.0);
}

BOOST_AUTO_TEST_CASE(cln_evaluation_is_accurate_far_out) {
    // sigmoid(-1000) = e^-1000/(1 + e^-1000): relative accuracy, not 0.
    const numeric s = symgrad::evaluate_numeric(parse("sigmoid(-1000)"), {}, 30);
    symgrad::precision_guard digits(40);
    const numeric e = GiNaC::ex_to<numeric>(GiNaC::exp(ex(-1000)).evalf());
    BOOST_TEST(symgrad::test::close(s / e, 1, 1e-25));
    const numeric sp = symgrad::evaluate_numeric(parse("softplus(1000)"), {}, 30);
    BOOST_TEST(symgrad::test::close(sp, 1000, 1e-28));
}

BOOST_AUTO_TEST_CASE(bad_indices_are_reported) {
    BOOST_CHECK_EXCEPTION(
        symgrad::softmax(3, {a, b}), symgrad::invalid_input, [](const symgrad::invalid_input& e) {
            return std::string(e.what()) == "softmax: component 3 is outside 0..1";
        });
    BOOST_CHECK_EXCEPTION(symgrad::crossentropy({a, b}, ex(2)), symgrad::invalid_input,
                          [](const symgrad::invalid_input& e) {
                              return std::string(e.what()) ==
                                     "crossentropy: the class label 2 is outside 0..1";
                          });
    BOOST_CHECK_THROW(symgrad::logsumexp({}), symgrad::invalid_input);
}

BOOST_AUTO_TEST_CASE(ml_function_of_tells_the_kinds_apart) {
    BOOST_TEST((symgrad::ml_function_of(symgrad::sigmoid(x)) == symgrad::ml_function::sigmoid));
    BOOST_TEST((symgrad::ml_function_of(
                    symgrad::softmax(0, {a, b, c, x, y, z, a + b, b + c, c + a, x + y})) ==
                symgrad::ml_function::softmax)); // an arity registered on demand
    BOOST_TEST((symgrad::ml_function_of(GiNaC::exp(x)) == symgrad::ml_function::none));
    BOOST_TEST((symgrad::ml_function_of(x) == symgrad::ml_function::none));
}

// ---- piecewise functions (issue 12, class 8) --------------------------------------------------

BOOST_AUTO_TEST_CASE(step_and_csgn_have_derivative_zero_and_abs_has_csgn) {
    // GiNaC leaves D[0](step)(x), which evaluates like step itself: diff 'step(x)' printed step(x).
    BOOST_TEST(GiNaC::step(x).diff(x).is_zero());
    BOOST_TEST(GiNaC::csgn(x).diff(x).is_zero());
    BOOST_TEST(GiNaC::step(x * x - 1).diff(x).is_zero());
    BOOST_TEST(GiNaC::abs(x).diff(x).is_equal(GiNaC::csgn(x)));
    BOOST_TEST(GiNaC::abs(a * x - b).diff(x).is_equal(GiNaC::csgn(a * x - b) * a));
    BOOST_TEST(symgrad::relu(a * x).diff(x).is_equal(GiNaC::step(a * x) * a));
    // max(a, b) = b + relu(a - b) (how problem files write it): d/da = step(a - b).
    BOOST_TEST((b + symgrad::relu(a - b)).diff(a).is_equal(GiNaC::step(a - b)));
}

BOOST_AUTO_TEST_CASE(huber_loss_written_with_step_has_the_pytorch_gradient) {
    // Huber loss with delta = 1 of the residual r = w - t (torch.nn.HuberLoss(delta=1.0)):
    //   L = r^2/2 where |r| <= 1,  |r| - 1/2 where |r| > 1,
    // written with step as step(1 - |r|) r^2/2 + step(|r| - 1) (|r| - 1/2). By hand (and what
    // PyTorch's autograd gives for input w = 0): dL/dw = r = -1/2 at t = 1/2, and
    // dL/dw = sign(r) = -1 at t = 3. Before the fix the first came out as -3/8.
    const GiNaC::realsymbol& w = symbol_named("w");
    const GiNaC::realsymbol& t = symbol_named("t");
    const ex r = w - t;
    const ex huber = GiNaC::step(1 - GiNaC::abs(r)) * GiNaC::pow(r, 2) / 2 +
                     GiNaC::step(GiNaC::abs(r) - 1) * (GiNaC::abs(r) - GiNaC::numeric(1, 2));
    const ex d = huber.diff(w);
    BOOST_TEST(
        d.subs(GiNaC::lst{w == 0, t == GiNaC::numeric(1, 2)}).is_equal(GiNaC::numeric(-1, 2)), d);
    BOOST_TEST(d.subs(GiNaC::lst{w == 0, t == 3}).is_equal(-1), d);
    BOOST_TEST(d.subs(GiNaC::lst{w == 5, t == 3}).is_equal(1), d);
}

BOOST_AUTO_TEST_CASE(piecewise_derivatives_agree_with_finite_differences_off_the_switch_points) {
    const auto seed = symgrad::test::seed(1208, "piecewise finite differences");
    std::mt19937_64 rng(seed);
    const std::vector<std::string> texts{
        "step(1 - abs(w - t))*(w - t)^2/2 + step(abs(w - t) - 1)*(abs(w - t) - 1/2)",
        "abs(w*x - t)^3",
        "csgn(w)*w^2 + step(x - w)*exp(w)",
        "relu(w*x + b)^2 + relu(-w)",
        "b + relu(w - b)", // max(w, b)
        "w - relu(w - b)", // min(w, b)
        "abs(sigmoid(w) - 1/2)*x + step(w^2 - 1)*w^3",
        "sqrt(abs(w) + 1)*csgn(x - w)"};
    for (const auto& text : texts) {
        const ex e = parse(text);
        const GiNaC::exvector switches = symgrad::switch_arguments(e);
        for (int round = 0; round < 20; ++round) {
            const GiNaC::exmap point = symgrad::test::random_point(e, rng, -3, 3);
            // Finite differences are meaningless across a jump or a kink: keep 10^-3 away.
            bool near = false;
            for (const auto& u : switches)
                near = near || GiNaC::abs(GiNaC::ex_to<numeric>(u.subs(point).evalf())) < 1e-3;
            if (near)
                continue;
            for (const auto& v : symgrad::free_symbols(e)) {
                const ex d = e.diff(GiNaC::ex_to<GiNaC::symbol>(v));
                symgrad::precision_guard digits(50);
                const numeric got = GiNaC::ex_to<numeric>(d.subs(point).evalf());
                const numeric want = symgrad::test::finite_difference(e, v, point);
                BOOST_TEST(symgrad::test::close(got, want, 1e-15),
                           text << " d/d" << v << " at " << GiNaC::ex(point.begin()->second) << ": "
                                << got << " vs " << want << " (seed " << seed << ")");
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(switch_arguments_name_every_piecewise_argument_once) {
    const ex e =
        parse("step(1 - abs(w - t)) + step(abs(w - t) - 1) + relu(x) + csgn(x) + sigmoid(w)");
    const GiNaC::exvector s = symgrad::switch_arguments(e);
    BOOST_TEST(s.size() == 3u); // 1 - |w - t| (the same point as |w - t| - 1), w - t, x
    auto has = [&](const ex& u) {
        return std::any_of(s.begin(), s.end(), [&](const ex& v) {
            return (v - u).expand().is_zero() || (v + u).expand().is_zero();
        });
    };
    BOOST_TEST(has(parse("w - t")));
    BOOST_TEST(has(parse("abs(w - t) - 1")));
    BOOST_TEST(has(x));
    BOOST_TEST(symgrad::switch_arguments(parse("sigmoid(w) + abs(2)")).empty());
}

// ---- class labels (issue 12, class 10) ---------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_classes_of_a_label_are_found_in_the_fused_crossentropy) {
    auto classes_of = [&](const ex& e) {
        const auto labels = symgrad::class_labels(e);
        return labels.size() == 1 && labels[0].label.is_equal(y) ? labels[0].classes
                                                                 : std::size_t{0};
    };
    BOOST_TEST(classes_of(symgrad::crossentropy(symgrad::softmax({a, b, c}), y)) == 3u);
    // A logit 0 leaves no [y = k] term behind, but the class count is still the logsumexp's.
    BOOST_TEST(classes_of(symgrad::crossentropy(symgrad::softmax({a, b, 0}), y)) == 3u);
    BOOST_TEST(classes_of(symgrad::crossentropy(symgrad::softmax({a, b, c, 0}), y)) == 4u);
    BOOST_TEST(classes_of(symgrad::crossentropy(symgrad::softmax({0, a}), y)) == 2u);
    BOOST_TEST(classes_of(symgrad::crossentropy({a, b, c}, y)) == 3u); // not fused
    BOOST_TEST(classes_of(2 * symgrad::crossentropy(symgrad::softmax({a, b}), y) + x) == 2u);
    // A bare indicator is no cross-entropy: no classes are implied.
    BOOST_TEST(symgrad::class_labels(symgrad::indicator(y, 5) * a).empty());
}

BOOST_AUTO_TEST_CASE(a_label_outside_its_classes_is_an_error_naming_the_classes) {
    const ex e = symgrad::crossentropy(symgrad::softmax({a, b, c}), y);
    const GiNaC::exmap zero{{a, 0}, {b, 0}, {c, 0}};
    for (long k = 0; k < 3; ++k) {
        GiNaC::exmap p = zero;
        p[y] = k;
        BOOST_CHECK_NO_THROW(symgrad::check_class_labels(e, p, "--at"));
    }
    for (const ex& bad : {ex(3), ex(-1), ex(GiNaC::numeric(1, 2))}) {
        GiNaC::exmap p = zero;
        p[y] = bad;
        BOOST_TEST(symgrad::test::message_of([&] { symgrad::check_class_labels(e, p, "--at"); }) ==
                   "--at: y = " + symgrad::test::ginac_print(bad) +
                       " is not a class: the cross-entropy over 3 classes takes the labels 0..2 "
                       "(classes are 0-based)");
    }
    // With one logit 0 and y = 3 a real class: no error.
    const ex four = symgrad::crossentropy(symgrad::softmax({a, b, c, 0}), y);
    GiNaC::exmap p = zero;
    p[y] = 3;
    BOOST_CHECK_NO_THROW(symgrad::check_class_labels(four, p, "--at"));
}

BOOST_AUTO_TEST_SUITE_END()
