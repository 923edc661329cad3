// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/core/tensor.hpp"
#include "symgrad/program/closed_form.hpp"
#include "symgrad/program/gradient_program.hpp"
#include "symgrad/program/operation_count.hpp"
#include "symgrad/program/program_evaluate.hpp"
#include "symgrad/program/program_printer.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/train/model.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <set>
#include <unordered_set>

using namespace symgrad;
using GiNaC::ex;
using GiNaC::numeric;

// The suite's namespace hides the class of the same name.
using program = symgrad::gradient_program;

namespace {

/// Random exact values for a model's weights, inputs and labels (class labels are integers).
GiNaC::exmap random_model_point(const model& m, std::mt19937_64& rng) {
    GiNaC::exmap point;
    for (const auto& w : m.weights)
        point[w] = test::random_rational(rng, -2, 2);
    for (const auto& x : m.inputs)
        point[x] = test::random_rational(rng, -2, 2);
    for (const auto& l : m.labels) {
        if (l.classes > 0)
            point[l.symbol] = numeric(static_cast<long>(rng() % l.classes));
        else
            point[l.symbol] = test::random_rational(rng, -1, 1);
    }
    return point;
}

/// A random MLP of 1 to 3 hidden layers of width 1 to 3.
mlp_spec random_mlp(std::mt19937_64& rng, bool smooth_only) {
    mlp_spec s;
    s.inputs = 1 + rng() % 3;
    const std::size_t depth = 1 + rng() % 3;
    for (std::size_t l = 0; l < depth; ++l)
        s.hidden.push_back(1 + rng() % 3);
    const activation smooth[] = {activation::sigmoid, activation::tanh, activation::softplus};
    const activation all[] = {activation::sigmoid, activation::tanh, activation::softplus,
                              activation::relu, activation::identity};
    s.hidden_activation = smooth_only ? smooth[rng() % 3] : all[rng() % 5];
    s.output = static_cast<mlp_output>(rng() % 3);
    s.outputs = s.output == mlp_output::softmax_crossentropy ? 2 + rng() % 2 : 1 + rng() % 2;
    s.biases = rng() % 2 == 0;
    return s;
}

std::vector<model> seed_models() {
    return {seed000_softmax_classifier(), seed003_shared_sigmoid_layer(), seed004_network_2221(),
            seed004_logistic_regression()};
}

/// Every partial of the program equals GiNaC's diff of the loss at @p point, to 40 digits.
void check_against_diff(const ex& loss, const std::vector<ex>& weights, const gradient_program& p,
                        const GiNaC::exmap& point, const std::string& what) {
    const program_numbers values = evaluate_program_numeric(p, point, 45);
    BOOST_TEST(test::close(values.loss, evaluate_numeric(loss, point, 45), 1e-40),
               what << ": loss " << values.loss);
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const numeric expected =
            evaluate_numeric(loss.diff(GiNaC::ex_to<GiNaC::symbol>(weights[i])), point, 45);
        BOOST_TEST(test::close(values.gradient[i], expected, 1e-40),
                   what << ": d/d" << weights[i] << " program " << values.gradient[i] << " diff "
                        << expected);
    }
}

/// Central differences of the loss in double, step 1e-6 (error ~1e-12 * f''').
void check_against_finite_differences(const model& m, const GiNaC::exmap& point,
                                      const std::string& what) {
    const gradient_program p = per_sample_program(m);
    const double_point at = to_double_point(point);
    const program_doubles values = evaluate_program_double(p, at);
    for (std::size_t i = 0; i < m.weights.size(); ++i) {
        double_point plus = at, minus = at;
        const double h = 1e-6;
        plus[m.weights[i]] += h;
        minus[m.weights[i]] -= h;
        const double fd =
            (evaluate_double(m.loss, plus) - evaluate_double(m.loss, minus)) / (2 * h);
        BOOST_TEST(std::abs(values.gradient[i] - fd) <= 1e-6 * std::max(1.0, std::abs(fd)),
                   what << ": d/d" << m.weights[i] << " program " << values.gradient[i]
                        << " finite difference " << fd);
    }
}

/// Every assignment uses only weights, inputs, labels and earlier assignments' symbols.
void check_straight_line(const gradient_program& p, const std::string& what) {
    std::unordered_set<ex> known(p.weights().begin(), p.weights().end());
    known.insert(p.inputs().begin(), p.inputs().end());
    known.insert(p.labels().begin(), p.labels().end());
    auto check = [&](const ex& e, const std::string& where) {
        for (const auto& s : free_symbols(e))
            BOOST_TEST(known.count(s) == 1u,
                       what << ": " << where << " uses " << s << " before it is defined");
    };
    for (const auto& a : p.forward()) {
        check(a.value, symbol_name(a.symbol));
        BOOST_TEST(known.insert(a.symbol).second, what << ": " << a.symbol << " assigned twice");
    }
    check(p.loss(), "the loss");
    for (const auto& a : p.backward()) {
        check(a.value, symbol_name(a.symbol));
        BOOST_TEST(known.insert(a.symbol).second, what << ": " << a.symbol << " assigned twice");
    }
    for (const auto& g : p.gradient())
        check(g, "a partial");
}

const assignment& assignment_named(const gradient_program& p, const std::string& name) {
    for (const auto* list : {&p.forward(), &p.backward()})
        for (const auto& a : *list)
            if (symbol_name(a.symbol) == name)
                return a;
    BOOST_FAIL("no assignment named " << name);
    throw std::logic_error("unreachable");
}

} // namespace

BOOST_AUTO_TEST_SUITE(gradient_program)

BOOST_AUTO_TEST_CASE(seed_models_partials_equal_diff_to_40_digits) {
    std::mt19937_64 rng(test::seed(3001, "seed models vs diff"));
    for (const auto& m : seed_models())
        for (int trial = 0; trial < 3; ++trial) {
            const program p = per_sample_program(m);
            check_against_diff(m.loss, m.weights, p, random_model_point(m, rng), m.description);
        }
}

BOOST_AUTO_TEST_CASE(random_mlps_of_depth_1_to_3_partials_equal_diff_to_40_digits) {
    std::mt19937_64 rng(test::seed(3002, "random MLPs vs diff"));
    for (int trial = 0; trial < 12; ++trial) {
        const symgrad::model m = mlp(random_mlp(rng, false));
        const program p = per_sample_program(m);
        check_against_diff(m.loss, m.weights, p, random_model_point(m, rng), m.description);
    }
}

BOOST_AUTO_TEST_CASE(partials_equal_finite_differences_in_double) {
    std::mt19937_64 rng(test::seed(3003, "finite differences"));
    for (const auto& m : seed_models())
        check_against_finite_differences(m, random_model_point(m, rng), m.description);
    for (int trial = 0; trial < 10; ++trial) {
        const symgrad::model m = mlp(random_mlp(rng, true));
        check_against_finite_differences(m, random_model_point(m, rng), m.description);
    }
}

BOOST_AUTO_TEST_CASE(uncommon_forms_follow_their_own_rules_and_equal_diff) {
    // Softmax components under a squared error (grouped Jacobian), cross-entropy of
    // probabilities that are not a softmax, a product of five weights (prefix/suffix
    // products), a weight in an exponent, division, exp/log, and an unused weight.
    const ex &a = symbol_named("a"), &b = symbol_named("b"), &c = symbol_named("c"),
             &d = symbol_named("d"), &e = symbol_named("e"), &x = symbol_named("x"),
             &y = symbol_named("y"), &unused = symbol_named("unused");
    const GiNaC::exvector z{a * x + b, c * x, d - x};
    const ex mse_of_softmax = GiNaC::pow(1 - softmax(0, z), 2) + GiNaC::pow(softmax(1, z), 2) +
                              GiNaC::pow(softmax(2, z), 2);
    const ex ce_of_sigmoids = crossentropy({sigmoid(a * x), sigmoid(b * x), sigmoid(c)}, y);
    const ex product = a * b * c * d * e * x;
    const ex power_and_quotient = GiNaC::pow(GiNaC::pow(a, 2) + 1, b) +
                                  GiNaC::exp(c * x) / (1 + d * d) +
                                  GiNaC::log(1 + e * e) * GiNaC::tanh(a * b);
    std::mt19937_64 rng(test::seed(3004, "uncommon forms"));
    for (const ex& loss : {mse_of_softmax, ce_of_sigmoids, product, power_and_quotient}) {
        const std::vector<ex> weights{a, b, c, d, e, unused};
        program_options options;
        options.inputs = {x};
        options.labels = {y};
        const program p(loss, weights, options);
        check_straight_line(p, to_text(loss));
        GiNaC::exmap point;
        for (const auto& w : weights)
            point[w] = test::random_rational(rng, -1, 1);
        point[x] = test::random_rational(rng, -1, 1);
        point[y] = numeric(static_cast<long>(rng() % 3));
        check_against_diff(loss, weights, p, point, to_text(loss).substr(0, 60));
        BOOST_TEST(p.partial(unused).is_zero());
    }
}

BOOST_AUTO_TEST_CASE(softmax_crossentropy_adjoint_of_the_logits_is_g_minus_y) {
    // The course's hand result (seed 002): dR/ds_l = g_l - I(y = l), with g = softmax(s),
    // and g_l computed stably as exp(z_l - logsumexp(z)).
    struct logits_case {
        symgrad::model m;
        std::vector<std::string> logits; // names of the logits, class 0 first
    };
    for (const logits_case& c : {logits_case{seed000_softmax_classifier(), {"z0", "z1"}},
                                 logits_case{mlp({.inputs = 2,
                                 .hidden = {3},
                                 .output = mlp_output::softmax_crossentropy,
                                 .outputs = 3}),
                                             {"z_1", "z_2", "z_3"}}}) {
        const program p = per_sample_program(c.m);
        const ex& y = c.m.labels.front().symbol;
        ex lse;
        for (const auto& a : p.forward())
            if (ml_function_of(a.value) == ml_function::logsumexp)
                lse = a.symbol;
        BOOST_TEST_REQUIRE(GiNaC::is_a<GiNaC::symbol>(lse));
        for (std::size_t l = 0; l < c.logits.size(); ++l) {
            const ex z = assignment_named(p, c.logits[l]).symbol;
            const ex adjoint = assignment_named(p, "d_" + c.logits[l]).value;
            const ex g = adjoint + indicator(y, static_cast<long>(l));
            BOOST_TEST_REQUIRE(GiNaC::is_a<GiNaC::symbol>(g), c.m.description << ": " << adjoint);
            BOOST_TEST_REQUIRE(p.definition(g) != nullptr);
            BOOST_TEST(p.definition(g)->value.is_equal(GiNaC::exp(z - lse)),
                       p.definition(g)->value);
        }
        // Never the derivative of the log of a probability: no log, no division anywhere.
        for (const auto& a : p.backward()) {
            BOOST_TEST(!a.value.has(GiNaC::log(GiNaC::wild())), a.value);
            BOOST_TEST(!a.value.has(GiNaC::pow(GiNaC::wild(), -1)), a.value);
        }
    }
}

BOOST_AUTO_TEST_CASE(seed_004_chain_rule_exercise_gives_the_book_partials) {
    // f(x, y) = x^2 + xy + (x + y)^2: df/dx = 2x + y + 2(x + y), df/dy = x + 2(x + y).
    const ex &x = symbol_named("x"), &y = symbol_named("y");
    const ex f = GiNaC::pow(x, 2) + x * y + GiNaC::pow(x + y, 2);
    const program p(f, {x, y});
    const ex dfdx = closed_form(p, x).value, dfdy = closed_form(p, y).value;
    BOOST_TEST((dfdx - (2 * x + y + 2 * (x + y))).expand().is_zero(), dfdx);
    BOOST_TEST((dfdy - (x + 2 * (x + y))).expand().is_zero(), dfdy);
    // Exact values at a rational point stay rational.
    const program_values v = evaluate_program_exact(p, {{x, numeric(1, 3)}, {y, numeric(2, 5)}});
    BOOST_TEST(v.gradient[0].is_equal(numeric(1, 3) * 4 + numeric(2, 5) * 3));
    BOOST_TEST(v.gradient[1].is_equal(numeric(1, 3) * 3 + numeric(2, 5) * 2));
}

BOOST_AUTO_TEST_CASE(seed_003_error_and_gradient_match_the_notebook) {
    const symgrad::model m = seed003_shared_sigmoid_layer();
    const program p = per_sample_program(m);
    double_point at;
    const double w[2][2] = {{-2, 2}, {0.4, -0.9}};
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
            at[symbol_named("W_" + std::to_string(i + 1) + std::to_string(j + 1))] = w[i][j];
    at[symbol_named("x_1")] = 1;
    at[symbol_named("x_2")] = 1;
    at[symbol_named("t_1")] = 1;
    at[symbol_named("t_2")] = 0;
    const program_doubles v = evaluate_program_double(p, at);
    BOOST_TEST(std::abs(v.loss - 0.43208904098296796) <= 1e-15);
    const double expected[4] = {0.08487571, -0.01919841, -0.06325601, 0.09849232};
    for (int k = 0; k < 4; ++k)
        BOOST_TEST(std::abs(v.gradient[static_cast<std::size_t>(k)] - expected[k]) <= 5e-9,
                   m.weights[static_cast<std::size_t>(k)]
                       << ": " << v.gradient[static_cast<std::size_t>(k)]);
}

BOOST_AUTO_TEST_CASE(shared_weight_collects_one_term_per_use) {
    // Seed 003 applies W twice: each partial has one term per layer.
    const symgrad::model m = seed003_shared_sigmoid_layer();
    const program p = per_sample_program(m);
    for (const auto& g : p.gradient())
        BOOST_TEST((GiNaC::is_a<GiNaC::add>(g) && g.nops() == 2), g);
}

BOOST_AUTO_TEST_CASE(assignments_are_in_dependency_order_for_every_model) {
    std::mt19937_64 rng(test::seed(3005, "program order"));
    for (const auto& m : seed_models())
        check_straight_line(per_sample_program(m), m.description);
    for (int trial = 0; trial < 8; ++trial) {
        const symgrad::model m = mlp(random_mlp(rng, false));
        check_straight_line(per_sample_program(m), m.description);
    }
}

BOOST_AUTO_TEST_CASE(program_names_the_books_forward_and_backward_values) {
    const program p = per_sample_program(seed004_network_2221());
    for (const char* name : {"h1_1", "o1_1", "h2_2", "o2_2", "L", "d_h1_1", "d_o2_1", "d_h2_2"})
        BOOST_TEST(p.definition(assignment_named(p, name).symbol) != nullptr, name);
    // Forward values come in layer order.
    std::vector<std::string> forward;
    for (const auto& a : p.forward())
        forward.push_back(symbol_name(a.symbol));
    BOOST_TEST(forward.front() == "h1_1");
    BOOST_TEST(forward.back() == "L");
}

BOOST_AUTO_TEST_CASE(program_size_is_at_most_five_times_the_loss_and_linear_in_depth) {
    std::mt19937_64 rng(test::seed(3006, "program size"));
    for (const auto& m : seed_models()) {
        const std::size_t loss_ops = operation_count(m.loss);
        BOOST_TEST(per_sample_program(m).operation_count() <= 5 * loss_ops, m.description);
    }
    for (int trial = 0; trial < 8; ++trial) {
        const symgrad::model m = mlp(random_mlp(rng, false));
        BOOST_TEST(per_sample_program(m).operation_count() <= 5 * operation_count(m.loss),
                   m.description);
    }
    // Deeper: the program grows by the same amount per layer (linear), while the tree of
    // the closed form grows geometrically.
    std::vector<double> program_ops;
    for (std::size_t depth = 1; depth <= 6; ++depth) {
        const symgrad::model m = mlp({.inputs = 4, .hidden = std::vector<std::size_t>(depth, 4)});
        const program p = per_sample_program(m);
        BOOST_TEST(p.operation_count() <= 5 * operation_count(m.loss), m.description);
        program_ops.push_back(static_cast<double>(p.operation_count()));
    }
    // The per-layer increment is constant (a geometric swell would double it at every layer),
    // exactly: the program does not depend on GiNaC's term order, which changes from run to run
    // (88 or 101 operations at depth 1, before sums in products were given one sign).
    const double step = program_ops[1] - program_ops[0];
    for (std::size_t i = 2; i < program_ops.size(); ++i)
        BOOST_TEST(program_ops[i] - program_ops[i - 1] == step,
                   "depth " << i + 1 << ": " << program_ops[i] << " operations after "
                            << program_ops[i - 1] << ", first step " << step);
}

// GiNaC orders terms and factors, and picks the sign of a sum in a product, by hashes that
// change from run to run (symbol serial numbers, addresses). Copies of an objective over fresh
// symbols of the same names are in other orders, as other runs are: the program must be the
// same text, with the same operation count, for every copy.
BOOST_AUTO_TEST_CASE(the_program_does_not_depend_on_ginac_term_order) {
    struct objective_case {
        std::string loss;
        std::vector<std::string> weights, inputs, labels;
    };
    const std::vector<objective_case> cases{
        {"(sigmoid(a) + sigmoid(b))^2", {"a", "b"}, {}, {}},
        {"(w*x1 - y1)*x1 + (w*x2 - y2)*x2", {"w"}, {"x1", "x2"}, {"y1", "y2"}},
        {"(y - sigmoid(w2*sigmoid(w1*x1 + w3*x2) + w4*sigmoid(w1*x2 - w3*x1)))^2/2",
         {"w1", "w2", "w3", "w4"},
         {"x1", "x2"},
         {"y"}},
        {"crossentropy(softmax({a*x + b, c*x - b, a - c}), y)", {"a", "b", "c"}, {"x"}, {"y"}},
        {"x/(a - b) + (a*x - b)^3*(b - a) + (1 - a)*(b - x)*sigmoid(a - x)", {"a", "b"}, {"x"}, {}},
    };
    auto symbols = [](const std::vector<std::string>& names, const GiNaC::exmap& renaming) {
        std::vector<ex> out;
        for (const auto& n : names) {
            const ex s = symbol_named(n);
            auto it = renaming.find(s);
            out.push_back(it == renaming.end() ? s : it->second);
        }
        return out;
    };
    for (const auto& c : cases) {
        const ex loss = parse(c.loss);
        auto build = [&](const ex& objective, const GiNaC::exmap& renaming) {
            program_options o;
            o.inputs = symbols(c.inputs, renaming);
            o.labels = symbols(c.labels, renaming);
            return program(objective, symbols(c.weights, renaming), o);
        };
        const program reference = build(loss, {});
        const std::string want = program_text(reference);
        std::set<std::string> orders;
        for (unsigned k = 0; k < 12; ++k) {
            GiNaC::exmap renaming;
            const ex copy = test::fresh_symbols_copy(loss, 7 * k + 3, &renaming);
            orders.insert(test::ginac_print(copy));
            const program p = build(copy, renaming);
            BOOST_TEST(program_text(p) == want, c.loss << " (copy " << k << ")");
            BOOST_TEST(p.operation_count() == reference.operation_count(), c.loss);
        }
        BOOST_TEST(orders.size() > 1u, c.loss << ": the copies are all in one order");
    }
    // The named values come in order of the structure, not as GiNaC lists them.
    const std::string text = program_text(
        program(parse("(sigmoid(b) + sigmoid(a))^2"), {symbol_named("a"), symbol_named("b")}));
    BOOST_TEST(text.find("o1 = sigmoid(a)\n") != std::string::npos, text);
    BOOST_TEST(text.find("o2 = sigmoid(b)\n") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(bad_weights_and_symbols_are_named) {
    const ex &w = symbol_named("w"), &x = symbol_named("x"), &q = symbol_named("q");
    auto message_of = [](auto&& build) {
        try {
            build();
        } catch (const invalid_input& e) {
            return std::string(e.what());
        }
        return std::string("no exception");
    };
    BOOST_TEST(message_of([&] { program(w * x, {2 * w}); }) ==
               "gradient_program: the weight 2*w is not a symbol");
    BOOST_TEST(message_of([&] {
                   program(w * x, {w, w});
               }) == "gradient_program: w is listed twice as a weight");
    program_options options;
    options.inputs = {x};
    BOOST_TEST(message_of([&] {
                   program_options both;
                   both.inputs = {w};
                   program(w * x, {w}, both);
               }) == "gradient_program: w is listed as a weight and as an input");
    BOOST_TEST(message_of([&] { program(w * x + q, {w}, options); }) ==
               "gradient_program: the symbol q of the objective is neither a weight, an input "
               "nor a label");
    BOOST_TEST(message_of([&] {
                   program(GiNaC::ex(GiNaC::lst{w, x}), {w});
               }).find("gradient_program: cannot differentiate through a lst") == 0);
    const program p(w * x, {w});
    BOOST_TEST(message_of([&] { p.partial(x); }) ==
               "gradient_program: x is not one of the weights");
}

BOOST_AUTO_TEST_CASE(a_loss_that_is_a_weight_or_a_constant_has_a_trivial_program) {
    const ex &w = symbol_named("w"), &v = symbol_named("v");
    const program p(w, {w, v});
    BOOST_TEST(p.forward().empty());
    BOOST_TEST(p.gradient()[0] == 1);
    BOOST_TEST(p.gradient()[1].is_zero());
    const program c(GiNaC::ex(3), {w});
    BOOST_TEST(c.gradient()[0].is_zero());
}

BOOST_AUTO_TEST_SUITE_END()
