// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/compile/batch_evaluator.hpp"
#include "symgrad/compile/interpreter.hpp"
#include "symgrad/compile/tape.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/kernels.hpp"
#include "symgrad/core/precision.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/train/dataset.hpp"
#include "symgrad/train/model.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <random>

namespace {

using GiNaC::ex;
using GiNaC::numeric;
using namespace symgrad;

/// |a - b| <= tol |b| (or |a| <= tol when b = 0): relative agreement with a reference.
bool relatively_close(double a, const numeric& b, double tol) {
    const double r = b.to_double();
    if (r == 0)
        return std::abs(a) <= tol;
    return std::abs(a - r) <= tol * std::abs(r);
}

/// Values of a layout's symbols at a point, in layout order.
struct point_values {
    std::vector<numeric> w, x, y;
    std::vector<double> wd, xd, yd;
};

point_values values_at(const argument_layout& l, const GiNaC::exmap& point) {
    point_values v;
    auto fill = [&](const std::vector<ex>& symbols, std::vector<numeric>& n,
                    std::vector<double>& d) {
        for (const auto& s : symbols) {
            n.push_back(GiNaC::ex_to<numeric>(point.at(s)));
            d.push_back(n.back().to_double());
        }
    };
    fill(l.weights, v.w, v.wd);
    fill(l.inputs, v.x, v.xd);
    fill(l.labels, v.y, v.yd);
    return v;
}

/// A random point for a model: weights in [-1, 1], inputs in [-2, 2], labels valid.
GiNaC::exmap random_model_point(const model& m, std::mt19937_64& rng) {
    GiNaC::exmap p;
    for (const auto& w : m.weights)
        p[w] = test::random_rational(rng, -1, 1);
    for (const auto& x : m.inputs)
        p[x] = test::random_rational(rng, -2, 2);
    for (const auto& l : m.labels) {
        if (l.classes > 0)
            p[l.symbol] = numeric(static_cast<long>(rng() % l.classes));
        else
            p[l.symbol] = test::random_rational(rng, 0, 1);
    }
    return p;
}

std::vector<mlp_spec> random_mlp_specs() {
    std::vector<mlp_spec> specs;
    mlp_spec a;
    a.inputs = 3;
    a.hidden = {4, 3};
    a.output = mlp_output::softmax_crossentropy;
    a.outputs = 3;
    specs.push_back(a);
    mlp_spec b;
    b.inputs = 2;
    b.hidden = {3};
    b.hidden_activation = activation::tanh;
    b.output = mlp_output::linear_mse;
    b.outputs = 2;
    specs.push_back(b);
    mlp_spec c;
    c.inputs = 2;
    c.hidden = {3, 2};
    c.hidden_activation = activation::softplus;
    c.output = mlp_output::sigmoid_logloss;
    specs.push_back(c);
    mlp_spec d;
    d.inputs = 2;
    d.hidden = {4};
    d.hidden_activation = activation::relu;
    d.output = mlp_output::softmax_crossentropy;
    d.outputs = 2;
    d.biases = false;
    specs.push_back(d);
    return specs;
}

/// Every backend of the tape against d loss / d w by GiNaC's own differentiation of the loss
/// (no gradient program, no tape) evaluated in CLN at 40 digits.
void check_against_symbolic_gradient(const model& m, const GiNaC::exmap& point) {
    const gradient_program program = per_sample_program(m);
    const tape t = compile_tape(program);
    const point_values v = values_at(layout_of(program), point);
    std::vector<numeric> oracle{evaluate_numeric(m.loss, point, 40)};
    for (const auto& w : program.weights())
        oracle.push_back(evaluate_numeric(m.loss.diff(GiNaC::ex_to<GiNaC::symbol>(w)), point, 40));

    const auto cln = evaluate_tape_numeric(t, v.w, v.x, v.y, 40);
    std::vector<double> registers(t.register_count()), doubles(t.outputs().size());
    run_point(t, v.wd.data(), v.xd.data(), v.yd.data(), registers.data(), doubles.data());
    batch_interpreter batch(t, 8);
    std::vector<double> sums(t.outputs().size());
    const sample_view one{v.xd.data(), v.yd.data(), 1};
    batch.sum(v.wd.data(), one, 0, 1, sums.data());
    for (std::size_t k = 0; k < oracle.size(); ++k) {
        BOOST_TEST_INFO(m.description << ": " << t.outputs()[k].name << " = " << oracle[k]);
        BOOST_TEST(test::close(cln[k], oracle[k], 1e-35));
        BOOST_TEST(relatively_close(doubles[k], oracle[k], 1e-12));
        BOOST_TEST(relatively_close(sums[k], oracle[k], 1e-12));
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(interpreter)

BOOST_AUTO_TEST_CASE(seed000_gradient_matches_the_symbolic_derivatives) {
    const model m = seed000_softmax_classifier();
    // The seed's first epoch: weights 0, data x = -3, y = 0.
    GiNaC::exmap p{{symbol_named("w1"), 0}, {symbol_named("w2"), 0}, {symbol_named("w3"), 0},
                   {symbol_named("w4"), 0}, {symbol_named("x"), -3}, {symbol_named("y"), 0}};
    check_against_symbolic_gradient(m, p);
    std::mt19937_64 rng(test::seed(4000, "seed000 points"));
    for (int i = 0; i < 10; ++i)
        check_against_symbolic_gradient(m, random_model_point(m, rng));
}

BOOST_AUTO_TEST_CASE(seed000_values_at_zero_weights_are_the_textbook_ones) {
    // At w = 0 both classes have probability 1/2: L = log 2, dL/dw1 = (1/2 - [y = 0]) x.
    const gradient_program p = per_sample_program(seed000_softmax_classifier());
    const tape t = compile_tape(p);
    const auto v = evaluate_tape_numeric(t, {0, 0, 0, 0}, {numeric(-3)}, {numeric(0)}, 30);
    precision_guard guard(40);
    BOOST_TEST(test::close(v[0], GiNaC::ex_to<numeric>(GiNaC::log(ex(2)).evalf()), 1e-28));
    BOOST_TEST(test::close(v[1], numeric(3, 2), 1e-28));  // (1/2 - 1)(-3)
    BOOST_TEST(test::close(v[2], numeric(-3, 2), 1e-28)); // (1/2 - 0)(-3)
    BOOST_TEST(test::close(v[3], numeric(-1, 2), 1e-28));
    BOOST_TEST(test::close(v[4], numeric(1, 2), 1e-28));
}

BOOST_AUTO_TEST_CASE(random_mlps_agree_with_the_symbolic_derivatives) {
    std::mt19937_64 rng(test::seed(4001, "random MLP points"));
    for (const auto& spec : random_mlp_specs()) {
        const model m = mlp(spec);
        for (int i = 0; i < 3; ++i)
            check_against_symbolic_gradient(m, random_model_point(m, rng));
    }
}

BOOST_AUTO_TEST_CASE(logloss_of_a_probability_rounded_to_one_is_its_weighted_log_not_nan) {
    // softmax(0, 587, b, -1) rounds to 1 in double; with the label 1 the loss is -log p, tiny,
    // not NaN (found by the differential tests). By hand, -log p = log(1 + e^(b - 587) +
    // e^(-588)) = e^(b - 587) + e^(-588) to far more than double's digits (both terms are
    // below 1e-250): 4.4431764240764599e-254 at b = 29/8.
    argument_layout l;
    l.weights = {symbol_named("b")};
    l.labels = {symbol_named("y")};
    const tape t = compile_tape({parse("logloss(softmax(0, 587, b, -1), y)")}, l);
    std::vector<double> registers(t.register_count());
    double out = 0;
    const double b = 29.0 / 8, one = 1;
    run_point(t, &b, nullptr, &one, registers.data(), &out);
    BOOST_TEST(std::isfinite(out));
    const double want = std::exp(b - 587) + std::exp(-588.0);
    // The logit 587 - logsumexp(b, -1) is rounded to about 1e-13 absolute (587's ulp), which
    // e^-u turns into a relative error of that size: the function's own condition.
    BOOST_TEST(std::abs(out - want) <= 600 * 2.3e-16 * want, out << " vs " << want);
}

BOOST_AUTO_TEST_CASE(cln_keeps_rational_arithmetic_exact) {
    // (w x - y)^2 at rationals is rational, and so is its gradient 2 (w x - y) x.
    argument_layout l;
    l.weights = {symbol_named("w")};
    l.inputs = {symbol_named("x")};
    l.labels = {symbol_named("y")};
    const ex loss = parse("(w*x - y)^2");
    const tape t = compile_tape({loss, loss.diff(GiNaC::ex_to<GiNaC::symbol>(l.weights[0]))}, l);
    const auto v = evaluate_tape_numeric(t, {numeric(1, 3)}, {numeric(3, 7)}, {numeric(2)}, 20);
    BOOST_TEST(v[0].is_rational());
    BOOST_TEST(v[0] == numeric(169, 49)); // (1/7 - 2)^2
    BOOST_TEST(v[1] == numeric(-78, 49)); // 2 (-13/7)(3/7)
}

BOOST_AUTO_TEST_CASE(cln_reaches_any_precision) {
    argument_layout l;
    l.weights = {symbol_named("w")};
    const tape t = compile_tape({parse("sigmoid(w)")}, l);
    const auto v = evaluate_tape_numeric(t, {numeric(1)}, {}, {}, 60);
    precision_guard guard(80);
    const numeric exact = GiNaC::ex_to<numeric>((1 / (1 + GiNaC::exp(ex(-1)))).evalf());
    BOOST_TEST(GiNaC::abs(v[0] - exact) < GiNaC::pow(numeric(10), -60));
}

BOOST_AUTO_TEST_CASE(batch_sums_match_the_dataset_objective) {
    // The reference is the dataset objective of dataset.hpp: each row run through the gradient
    // program in CLN and added up, an implementation independent of the tape.
    std::mt19937_64 rng(test::seed(4002, "batch data"));
    mlp_spec spec;
    spec.inputs = 3;
    spec.hidden = {4};
    spec.output = mlp_output::softmax_crossentropy;
    spec.outputs = 3;
    const model m = mlp(spec);
    const gradient_program program = per_sample_program(m);
    dataset data = dataset_for(m);
    for (int i = 0; i < 37; ++i) {
        const auto p = random_model_point(m, rng);
        GiNaC::exmap row;
        for (const auto& c : data.columns())
            row[c] = p.at(c);
        data.add_named_row(row);
    }
    GiNaC::exmap weights;
    std::vector<double> w;
    for (const auto& s : program.weights()) {
        weights[s] = test::random_rational(rng, -1, 1);
        w.push_back(GiNaC::ex_to<numeric>(weights[s]).to_double());
    }
    const program_numbers reference = dataset_objective(program, data).value_numeric(weights, 30);
    const tape t = compile_tape(program);
    const sample_table table = to_samples(data, t.layout());
    for (std::size_t block : {8u, 16u, 64u}) {
        batch_interpreter b(t, block);
        std::vector<double> sums(t.outputs().size());
        b.sum(w.data(), table.view(), 0, table.samples, sums.data());
        BOOST_TEST_INFO("block " << block);
        BOOST_TEST(relatively_close(sums[0], reference.loss, 1e-12));
        for (std::size_t k = 0; k < reference.gradient.size(); ++k)
            BOOST_TEST(relatively_close(sums[k + 1], reference.gradient[k], 1e-12));
    }
}

BOOST_AUTO_TEST_CASE(batch_sums_have_the_same_bits_for_any_block_size) {
    // The summation order depends on the samples only (lane = sample mod 8).
    const gradient_program program = per_sample_program(seed000_softmax_classifier());
    const tape t = compile_tape(program);
    std::vector<double> x, y;
    for (int i = 0; i < 203; ++i) {
        x.push_back(std::sin(i) * 3);
        y.push_back(i % 2);
    }
    const std::vector<double> w{0.3, -0.7, 0.1, 0.05};
    std::vector<std::vector<double>> results;
    for (std::size_t block : {8u, 24u, 64u, 256u}) {
        batch_interpreter b(t, block);
        std::vector<double> sums(t.outputs().size());
        b.sum(w.data(), {x.data(), y.data(), x.size()}, 0, x.size(), sums.data());
        results.push_back(sums);
    }
    for (const auto& r : results)
        BOOST_TEST(r == results.front(), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(threads_do_not_change_the_result_bits) {
    const gradient_program program = per_sample_program(seed000_softmax_classifier());
    evaluator_options o;
    o.backend = backend_kind::interpreter;
    o.chunk = 40;
    const evaluator e = compile(program, o);
    std::vector<double> x, y;
    for (int i = 0; i < 1001; ++i) {
        x.push_back(std::cos(i * 0.37) * 2);
        y.push_back((i * 7) % 2);
    }
    const std::vector<double> w{0.25, -0.5, 0.125, 0.75};
    const sample_view data{x.data(), y.data(), x.size()};
    const batch_result one = e.sum(w.data(), data, 1);
    for (std::size_t threads : {2u, 3u, 8u}) {
        const batch_result r = e.sum(w.data(), data, threads);
        BOOST_TEST(r.sums == one.sums, boost::test_tools::per_element());
    }
    BOOST_TEST(one.samples == 1001u);
    BOOST_TEST(one.mean(0) == one.sums[0] / 1001);
}

BOOST_AUTO_TEST_CASE(ml_kernels_do_not_overflow) {
    argument_layout l;
    l.inputs = {symbol_named("z")};
    const tape t =
        compile_tape({parse("sigmoid(z)"), parse("softplus(z)"), parse("logsumexp(z, z + 1)"),
                      parse("crossentropy({softmax(0, z, -z), softmax(1, z, -z)}, 1)")},
                     l);
    for (double z : {-1000.0, -40.0, 0.0, 40.0, 1000.0}) {
        std::vector<double> r(t.register_count()), out(4);
        run_point(t, nullptr, &z, nullptr, r.data(), out.data());
        BOOST_TEST_INFO("z = " << z);
        BOOST_TEST(out[0] == kernels::sigmoid(z));
        BOOST_TEST(out[1] == kernels::softplus(z));
        BOOST_TEST(std::isfinite(out[2]));
        BOOST_TEST(out[2] == z + 1 + std::log1p(std::exp(-1.0)),
                   boost::test_tools::tolerance(1e-15));
        // -log softmax_1(z, -z) = logsumexp(z, -z) + z: finite even where softmax_1 underflows.
        BOOST_TEST(std::isfinite(out[3]));
        BOOST_TEST(out[3] == std::abs(z) + z + std::log1p(std::exp(-2 * std::abs(z))),
                   boost::test_tools::tolerance(1e-15));
        // The batch kernels compute the same bits.
        batch_interpreter b(t, 8);
        std::vector<double> sums(4);
        b.sum(nullptr, {&z, nullptr, 1}, 0, 1, sums.data());
        BOOST_TEST(sums == out, boost::test_tools::per_element());
    }
}

BOOST_AUTO_TEST_CASE(a_value_that_is_not_finite_is_reported_with_where_it_started) {
    argument_layout l;
    l.weights = {symbol_named("w")};
    l.inputs = {symbol_named("x")};
    evaluator_options o;
    o.backend = backend_kind::interpreter;
    const evaluator e = compile({parse("w*log(x) + w")}, l, o);
    try {
        e.point({2.0}, {-1.0}, {});
        BOOST_ERROR("expected a domain_error");
    } catch (const domain_error& x) {
        const std::string text = x.what();
        BOOST_TEST_INFO(text);
        BOOST_TEST(text.find("output 0 is nan") != std::string::npos);
        BOOST_TEST(text.find("log(x) (log) is nan at x = -1") != std::string::npos);
    }
    const std::vector<double> xs{1.0, 2.0, 0.0, 3.0}, w{1.0};
    try {
        e.sum(w.data(), {xs.data(), nullptr, xs.size()});
        BOOST_ERROR("expected a domain_error");
    } catch (const domain_error& x) {
        const std::string text = x.what();
        BOOST_TEST_INFO(text);
        BOOST_TEST(text.find("the sum of output 0 over 4 samples is -inf: sample 2 gives -inf") !=
                   std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(a_label_that_is_not_a_class_is_reported) {
    argument_layout l;
    l.weights = {symbol_named("w")};
    l.labels = {symbol_named("y")};
    const tape t = compile_tape({parse("crossentropy({sigmoid(w), 1 - sigmoid(w)}, y)")}, l);
    try {
        evaluate_tape_numeric(t, {numeric(1)}, {}, {numeric(5, 2)});
        BOOST_ERROR("expected a domain_error");
    } catch (const domain_error& x) {
        BOOST_TEST_INFO(x.what());
        BOOST_TEST(std::string(x.what()).find("the label 5/2 is not a class index 0..1") !=
                   std::string::npos);
    }
    std::vector<double> r(t.register_count()), out(1);
    const double w = 1, y = 2.5;
    run_point(t, &w, nullptr, &y, r.data(), out.data());
    BOOST_TEST(std::isnan(out[0]));
    BOOST_TEST(first_non_finite(t, r.data()).find("(crossentropy) is nan") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(cln_evaluation_names_missing_values) {
    const gradient_program program = per_sample_program(seed000_softmax_classifier());
    const tape t = compile_tape(program);
    try {
        evaluate_tape_numeric(t, GiNaC::exmap{{symbol_named("w1"), 0}});
        BOOST_ERROR("expected unbound_symbols");
    } catch (const unbound_symbols& x) {
        const std::vector<std::string> expected{"w2", "w3", "w4", "x", "y"};
        BOOST_TEST(x.names() == expected, boost::test_tools::per_element());
    }
}

// Found by the differential tests at 3000 cases (seed 1206, case 1559): the compiled constant
// tanh(10^153) was 0 (GiNaC's evalf overflows inside CLN), so the case below came out 0.2908.
// By hand: tanh(10^153) = 1 to every double digit; with c1 = log(10^-37.5)/1000 and
// c2 = 711^-5, log(e^c1 + e^c2) - c2 = 0.650905394962013758116... (Python's Decimal, 50
// digits).
BOOST_AUTO_TEST_CASE(compiled_constants_are_certified_values) {
    const GiNaC::ex w = symgrad::symbol_named("w");
    BOOST_TEST(symgrad::evaluate_as_compiled(symgrad::parse("w*tanh(10^153)"), {{w, 1}}, "t") ==
               1.0);
    const double v = symgrad::evaluate_as_compiled(
        symgrad::parse("crossentropy(softmax({(log(sqrt(sqrt(10^(-150)))))/1000, "
                       "(((711)^(-3))^(5/3))^(tanh(1000*(10^150)))}), 1)"),
        {}, "t");
    BOOST_TEST(std::abs(v - 0.65090539496201375812) <= 4e-16, v);
}

BOOST_AUTO_TEST_SUITE_END()
