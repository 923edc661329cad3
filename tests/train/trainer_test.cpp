// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// Training against the course material's printed numbers (seeds 000, 003 and 004), exact values
// worked out by hand, and hand-written loops with the backpropagation formulas typed in.
#include "symgrad/core/error.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/problem/problem.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/train/model.hpp"
#include "symgrad/train/trainer.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

using namespace symgrad;
using GiNaC::ex;
using GiNaC::numeric;

namespace {

using test::message_of;

using test::contains;

numeric exact(long p, long q = 1) {
    return numeric(p, q);
}

/// Options for @p m at @p rate on the interpreter (no compiler needed; the native backend has
/// its own test below).
train_options options(method m, numeric rate, std::size_t epochs) {
    train_options o;
    o.optimizer.kind = m;
    o.optimizer.rate = rate;
    o.epochs = epochs;
    o.evaluator.backend = backend_kind::interpreter;
    return o;
}

/// Seed 004 ch. 3 (and seed 001): y = w x with the squared error (y - w x)^2.
model line_model() {
    const ex &w = symbol_named("w"), &x = symbol_named("x"), &y = symbol_named("y");
    model m;
    m.description = "y = w x, squared error";
    m.loss = GiNaC::pow(y - w * x, 2);
    m.prediction = GiNaC::matrix{{w * x}};
    m.weights = {w};
    m.inputs = {x};
    m.labels = {{y, 0}};
    return m;
}

dataset line_data(const std::vector<std::pair<long, long>>& rows) {
    dataset d = dataset_for(line_model());
    for (const auto& [x, y] : rows)
        d.add_row({x, y});
    return d;
}

/// The book's data: (x, y) = (1, 2), (2, 3).
dataset book_data() {
    return line_data({{1, 2}, {2, 3}});
}

dataset seed000_data(long x0, long x1) {
    dataset d = dataset_for(seed000_softmax_classifier());
    d.add_row({x0, 0});
    d.add_row({x1, 1});
    return d;
}

numeric as_numeric(const std::string& decimal) {
    return GiNaC::ex_to<numeric>(parse(decimal));
}

double value(const numeric& x) {
    return x.to_double();
}

/// A one-weight objective with no data: a dataset without columns and one row.
dataset no_data() {
    dataset d({}, {});
    d.add_row({});
    return d;
}

model scalar_model(const ex& loss, std::vector<ex> weights) {
    model m;
    m.loss = loss;
    m.weights = std::move(weights);
    return m;
}

double sigmoid_of(double z) {
    return 1 / (1 + std::exp(-z));
}

/// Seed 003 by hand: y = sigmoid(x W), y1 = sigmoid(y W), E = sum (t - y1)^2, and its gradient by
/// the chain rule written out (W is used twice, so both uses add to dE/dW).
double seed003_error_and_gradient(const double W[2][2], const double x[2], const double t[2],
                                  double dW[2][2]) {
    double y[2], y1[2];
    for (int j = 0; j < 2; ++j)
        y[j] = sigmoid_of(x[0] * W[0][j] + x[1] * W[1][j]);
    for (int j = 0; j < 2; ++j)
        y1[j] = sigmoid_of(y[0] * W[0][j] + y[1] * W[1][j]);
    double e = 0, dh2[2], dh1[2];
    for (int j = 0; j < 2; ++j) {
        e += (t[j] - y1[j]) * (t[j] - y1[j]);
        dh2[j] = -2 * (t[j] - y1[j]) * y1[j] * (1 - y1[j]);
    }
    for (int i = 0; i < 2; ++i) {
        const double dy = dh2[0] * W[i][0] + dh2[1] * W[i][1];
        dh1[i] = dy * y[i] * (1 - y[i]);
    }
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
            dW[i][j] = y[i] * dh2[j] + x[i] * dh1[j];
    return e;
}

/// Seed 004 ch. 4 ex. 3 by hand: h1 = x W1, o1 = sigmoid(h1), h2 = o1 W2, o2 = sigmoid(h2),
/// yhat = o2 W3, L = (y - yhat)^2 / 2; backward d = yhat - y, dW3 = o2^T d, then through W3, the
/// sigmoid (o(1 - o)), W2 and the sigmoid again. One SGD step with rate @p rate.
void backprop_step(double W1[2][2], double W2[2][2], double W3[2], const double x[2], double y,
                   double rate) {
    double o1[2], o2[2];
    for (int j = 0; j < 2; ++j)
        o1[j] = sigmoid_of(x[0] * W1[0][j] + x[1] * W1[1][j]);
    for (int j = 0; j < 2; ++j)
        o2[j] = sigmoid_of(o1[0] * W2[0][j] + o1[1] * W2[1][j]);
    const double yhat = o2[0] * W3[0] + o2[1] * W3[1];
    const double d = yhat - y;
    double dW3[2], dh2[2], dh1[2], dW2[2][2], dW1[2][2];
    for (int j = 0; j < 2; ++j) {
        dW3[j] = o2[j] * d;
        dh2[j] = d * W3[j] * o2[j] * (1 - o2[j]);
    }
    for (int i = 0; i < 2; ++i) {
        dh1[i] = (dh2[0] * W2[i][0] + dh2[1] * W2[i][1]) * o1[i] * (1 - o1[i]);
        for (int j = 0; j < 2; ++j)
            dW2[i][j] = o1[i] * dh2[j];
    }
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
            dW1[i][j] = x[i] * dh1[j];
    for (int i = 0; i < 2; ++i) {
        W3[i] -= rate * dW3[i];
        for (int j = 0; j < 2; ++j) {
            W2[i][j] -= rate * dW2[i][j];
            W1[i][j] -= rate * dW1[i][j];
        }
    }
}

std::filesystem::path scratch_directory() {
    return test::scratch_directory("trainer");
}

using test::read_text;

const char* seed000_problem = R"(# seed 000, x = [-1, 1]
weights w1 w2 w3 w4 = 0
inputs  x
labels  y in {0, 1}
data    x = -1, 1
        y =  0, 1
z0 = w1*x + w3
z1 = w2*x + w4
loss = crossentropy(softmax([z0, z1]), y)
)";

struct problem_run {
    problem_outcome outcome;
    std::string text;
};

problem_run run_text(const std::string& text) {
    std::ostringstream out;
    auto report = make_report(report_format::text, out);
    problem_run r;
    r.outcome = run_problem(split_statements(text, "test.sg"), *report);
    r.text = out.str();
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(trainer)

// ---- seed 000: the epoch tables ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(seed000_table_for_x_minus3_1_matches_the_seed_digit_for_digit) {
    const train_result r = train(seed000_softmax_classifier(), seed000_data(-3, 1), {0, 0, 0, 0},
                                 options(method::gd, exact(1, 10), 5));
    const std::vector<std::string> seed{
        "epoch = 1, w1 = -0.2000, w2 = 0.2000, w3 = 0.0000, w4 = 0.0000",
        "epoch = 2, w1 = -0.3096, w2 = 0.3096, w3 = -0.0170, w4 = 0.0170",
        "epoch = 3, w1 = -0.3855, w2 = 0.3855, w3 = -0.0373, w4 = 0.0373",
        "epoch = 4, w1 = -0.4444, w2 = 0.4444, w3 = -0.0577, w4 = 0.0577",
        "epoch = 5, w1 = -0.4930, w2 = 0.4930, w3 = -0.0773, w4 = 0.0773"};
    const auto lines = table_lines(r, table_options{});
    BOOST_TEST(lines == seed, boost::test_tools::per_element());
    BOOST_TEST((r.reason == stop_reason::epochs));
    BOOST_TEST(r.message == "5 epochs done");
}

BOOST_AUTO_TEST_CASE(seed000_for_x_minus1_1_matches_the_printed_full_precision_weights) {
    // The forum solution's printed w1 after each epoch (w2 = -w1; w3 = w4 = 0 up to rounding,
    // printed as -0.0000 or 5.55e-18 there).
    const double printed[] = {-0.1, -0.19003320053750442, -0.27125537694426405,
                              -0.34477611903571703, -0.4116026565396639};
    train_options o = options(method::gd, exact(1, 10), 5);
    const train_result r =
        train(seed000_softmax_classifier(), seed000_data(-1, 1), {0, 0, 0, 0}, o);
    BOOST_REQUIRE_EQUAL(r.records.size(), 5u);
    for (std::size_t e = 0; e < 5; ++e) {
        const auto& w = r.records[e].weights;
        BOOST_TEST(std::fabs(value(w[0]) - printed[e]) <= 1e-13, "epoch " << e + 1);
        BOOST_TEST(std::fabs(value(w[1]) + printed[e]) <= 1e-13, "epoch " << e + 1);
        BOOST_TEST(std::fabs(value(w[2])) <= 1e-15);
        BOOST_TEST(std::fabs(value(w[3])) <= 1e-15);
    }
    // The 4-decimal table of the other forum solution, w1 and w2 digit for digit.
    const auto lines = table_lines(r, table_options{});
    BOOST_TEST(contains(lines[4], "epoch = 5, w1 = -0.4116, w2 = 0.4116, w3 = "));
    BOOST_TEST(contains(lines[1], "epoch = 2, w1 = -0.1900, w2 = 0.1900, w3 = "));
}

BOOST_AUTO_TEST_CASE(seed000_in_exact_arithmetic_agrees_with_double) {
    train_options o = options(method::gd, exact(1, 10), 5);
    o.numbers = arithmetic::exact;
    o.digits = 30;
    const train_result r =
        train(seed000_softmax_classifier(), seed000_data(-1, 1), {0, 0, 0, 0}, o);
    // 0.1 * (1/2 + 1/2) = 1/10; the program passes through log(2) (logsumexp(0, 0)), so the
    // value is a CLN float, correct to the 30 digits asked for
    BOOST_TEST(GiNaC::abs(r.records[0].weights[0] + exact(1, 10)) <=
               numeric(1, 1000000000) * numeric(1, 1000000000) * numeric(1, 1000000000));
    BOOST_TEST(std::fabs(value(r.weights[0]) + 0.4116026565396639) <= 1e-13);
    // in exact arithmetic the symmetric data give w3 = 0 exactly or to 30 digits
    BOOST_TEST(GiNaC::abs(r.weights[2]) <= numeric(1, 1000000000) * numeric(1, 1000000000000L));
}

BOOST_AUTO_TEST_CASE(native_and_interpreter_backends_train_alike) {
    train_options o = options(method::gd, exact(1, 10), 5);
    o.evaluator.backend = backend_kind::native;
    o.evaluator.notice = [](const std::string&) {};
    const train_result a =
        train(seed000_softmax_classifier(), seed000_data(-1, 1), {0, 0, 0, 0}, o);
    o.evaluator.backend = backend_kind::interpreter;
    const train_result b =
        train(seed000_softmax_classifier(), seed000_data(-1, 1), {0, 0, 0, 0}, o);
    for (std::size_t i = 0; i < 4; ++i)
        BOOST_TEST(std::fabs(value(a.weights[i]) - value(b.weights[i])) <= 1e-15);
}

// ---- seed 003: 64 steps of gradient descent ----------------------------------------------------

BOOST_AUTO_TEST_CASE(seed003_errors_match_the_notebook_for_64_steps) {
    // The notebook prints error n for the weights before step n; n = 0..16 survive in the seed.
    const double printed[] = {1.8720128308662338, 1.8686479260568558, 1.8651033145085103,
                              1.8613646106753716, 1.8574159200895703, 1.853239648774896,
                              1.8488162856839332, 1.8441241542618754, 1.8391391287876213,
                              1.8338343107121453, 1.8281796598580864, 1.822141575147458,
                              1.8156824196189945, 1.808759985086807,  1.8013268931859043,
                              1.793329932206853,  1.784709333714841};
    const model m = seed003_shared_sigmoid_layer();
    dataset d = dataset_for(m); // x_1, x_2, t_1, t_2
    d.add_row({2, -4, 0, 1});
    train_options o = options(method::gd, exact(1, 5), 64);
    o.table.loss = true;
    const train_result r = train(m, d, {4, -2, -1, -2}, o);
    BOOST_REQUIRE_EQUAL(r.records.size(), 64u);
    std::vector<double> errors{value(*r.start.loss)};
    for (const auto& rec : r.records)
        errors.push_back(value(*rec.loss));
    for (std::size_t n = 0; n < 17; ++n)
        BOOST_TEST(std::fabs(errors[n] - printed[n]) <= 1e-12, "n = " << n);
    // All 64 against the chain rule typed in by hand.
    double W[2][2] = {{4, -2}, {-1, -2}}, dW[2][2];
    const double x[2] = {2, -4}, t[2] = {0, 1};
    for (std::size_t n = 0; n < 64; ++n) {
        const double e = seed003_error_and_gradient(W, x, t, dW);
        BOOST_TEST(std::fabs(errors[n] - e) <= 1e-12, "n = " << n);
        for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 2; ++j)
                W[i][j] -= 0.2 * dW[i][j];
    }
    for (int k = 0; k < 4; ++k)
        BOOST_TEST(std::fabs(value(r.weights[k]) - W[k / 2][k % 2]) <= 1e-12);
}

// ---- seed 004 ch. 3: y = w x ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(book_gd_two_steps_with_the_sum_objective) {
    // J = sum (y - w x)^2, J'(0) = -16: w = 0.1 * 16 = 1.6, where J' = 0: 1.6 again.
    train_options o = options(method::gd, exact(1, 10), 2);
    o.numbers = arithmetic::exact;
    const train_result r = train(line_model(), book_data(), {0}, o);
    BOOST_TEST(r.records[0].weights[0] == exact(8, 5));
    BOOST_TEST(r.records[1].weights[0] == exact(8, 5));
    BOOST_TEST(contains(describe(o, 2), "objective: sum of the loss over 2 rows, full batch"));
}

BOOST_AUTO_TEST_CASE(book_gd_with_the_mean_objective_takes_half_the_step) {
    train_options o = options(method::gd, exact(1, 10), 1);
    o.numbers = arithmetic::exact;
    o.objective = reduction::mean;
    const train_result r = train(line_model(), book_data(), {0}, o);
    BOOST_TEST(r.weights[0] == exact(4, 5));
}

BOOST_AUTO_TEST_CASE(book_sgd_gives_two_fifths_then_32_25_exactly) {
    // Row 1: g = -2(2 - 0) = -4, w = 2/5; row 2: g = -4(3 - 4/5) = -44/5, w = 2/5 + 22/25.
    train_options o = options(method::sgd, exact(1, 10), 1);
    o.numbers = arithmetic::exact;
    o.table.steps = true;
    const train_result r = train(line_model(), book_data(), {0}, o);
    BOOST_REQUIRE_EQUAL(r.records.size(), 2u);
    BOOST_TEST(r.records[0].weights[0] == exact(2, 5));
    BOOST_TEST(r.records[1].weights[0] == exact(32, 25));
    const std::vector<std::string> lines{"epoch = 1, step = 1, w = 2/5",
                                         "epoch = 1, step = 2, w = 32/25"};
    BOOST_TEST(table_lines(r, o.table) == lines, boost::test_tools::per_element());
    // In double: 0.4 and 1.28 to the last bit of the hand value.
    o.numbers = arithmetic::double_precision;
    const train_result d = train(line_model(), book_data(), {0}, o);
    BOOST_TEST(value(d.records[0].weights[0]) == 0.4);
    BOOST_TEST(std::fabs(value(d.records[1].weights[0]) - 1.28) <= 1e-15);
}

BOOST_AUTO_TEST_CASE(book_momentum_nesterov_rmsprop_adam_two_steps_each) {
    // alpha (momentum) = 0.9, eta = 0.1; rmsprop alpha = 0.9; adam beta1 = beta2 = 0.9; eps 0.
    // Hand values (see optimizer_test for the derivations): momentum 1.6, 3.04; nesterov (torch's
    // form) 3.04, 1.6; rmsprop 1/sqrt(10), 0.52043710571545797; adam 0.1, 0.19994797897998896.
    struct book_case {
        method m;
        double first, second;
    };
    const book_case cases[] = {{method::momentum, 1.6, 3.04},
                               {method::nesterov, 3.04, 1.6},
                               {method::rmsprop, 0.31622776601683793, 0.52043710571545797},
                               {method::adam, 0.1, 0.19994797897998896}};
    for (const auto& c : cases) {
        train_options o = options(c.m, exact(1, 10), 2);
        o.optimizer.momentum = c.m == method::momentum || c.m == method::nesterov
                                   ? std::optional<numeric>(exact(9, 10))
                                   : std::nullopt;
        o.optimizer.alpha =
            c.m == method::rmsprop ? std::optional<numeric>(exact(9, 10)) : std::nullopt;
        if (c.m == method::adam) {
            o.optimizer.beta1 = exact(9, 10);
            o.optimizer.beta2 = exact(9, 10);
        }
        if (c.m == method::rmsprop || c.m == method::adam)
            o.optimizer.eps = 0;
        const train_result r = train(line_model(), book_data(), {0}, o);
        BOOST_TEST(std::fabs(value(r.records[0].weights[0]) - c.first) <= 1e-15, method_name(c.m));
        BOOST_TEST(std::fabs(value(r.records[1].weights[0]) - c.second) <= 1e-15, method_name(c.m));
    }
}

BOOST_AUTO_TEST_CASE(book_logistic_regression_step) {
    // dlogloss/dw = (p - y) x = (sigmoid(-5) - 1)(-5) = 5 sigmoid(5) = 4.9665357453785757...
    // (the book writes "approximately 4.96", cutting instead of rounding: 4.97);
    // w1 = 1 - 0.01 * 4.96653... = 0.95033464254621424 (by hand at 40 digits).
    const model m = seed004_logistic_regression();
    dataset d = dataset_for(m);
    d.add_row({-5, 1});
    train_options o = options(method::gd, exact(1, 100), 1);
    o.table.gradient_norm = true;
    const train_result r = train(m, d, {1}, o);
    BOOST_TEST(std::fabs(value(*r.start.gradient_norm) - 4.9665357453785757) <= 1e-15);
    BOOST_TEST(std::fabs(value(r.weights[0]) - 0.95033464254621424) <= 1e-16);
    o.numbers = arithmetic::exact;
    o.digits = 30;
    const train_result e = train(m, d, {1}, o);
    BOOST_TEST(GiNaC::abs(e.weights[0] - as_numeric("0.9503346425462142427779680990190662590197")) <
               numeric(1, 1000000000) * numeric(1, 1000000000) * numeric(1, 1000000000));
}

// ---- seed 004 ch. 4 ex. 3: backpropagation on the 2-2-2-1 network ------------------------------

BOOST_AUTO_TEST_CASE(book_backprop_two_sgd_steps_from_zero_weights) {
    // Rows (x1, x2, y) = (1, 1, 1) and (5, 2, 0); SGD takes the second row first, rate 1.
    // Step 1, row (5, 2, 0): every hidden value is sigmoid(0) = 1/2 and yhat = 0 = y, so the
    // gradient is zero and the weights stay 0. (The book computes this step with y = 1,
    // "0.5 (1 - 0)^2", against its own table where the second row has y = 0.)
    // Step 2, row (1, 1, 1): d = yhat - y = -1, dW3 = d o2 = (-1/2, -1/2), and W3 = 0 blocks
    // every other gradient: W3 = (1/2, 1/2), W1 = W2 = 0, exactly.
    const model m = seed004_network_2221();
    dataset d = dataset_for(m); // x_1, x_2, y
    d.add_row({5, 2, 0});       // the second observation, visited first
    d.add_row({1, 1, 1});
    train_options o = options(method::sgd, 1, 1);
    o.numbers = arithmetic::exact;
    o.table.steps = true;
    const train_result r = train(m, d, std::vector<numeric>(10, 0), o);
    BOOST_REQUIRE_EQUAL(r.weight_names.size(), 10u);
    BOOST_TEST(r.weight_names[8] == "W3_11");
    BOOST_TEST(r.weight_names[9] == "W3_21");
    for (std::size_t k = 0; k < 10; ++k)
        BOOST_TEST(r.records[0].weights[k] == 0);
    for (std::size_t k = 0; k < 8; ++k)
        BOOST_TEST(r.weights[k] == 0);
    BOOST_TEST(r.weights[8] == exact(1, 2));
    BOOST_TEST(r.weights[9] == exact(1, 2));
}

BOOST_AUTO_TEST_CASE(backprop_sgd_matches_the_hand_written_backward_pass) {
    // Three more epochs, against the backward pass typed in by hand.
    const model m = seed004_network_2221();
    dataset d = dataset_for(m);
    d.add_row({5, 2, 0});
    d.add_row({1, 1, 1});
    const train_result r = train(m, d, std::vector<numeric>(10, 0), options(method::sgd, 1, 4));
    double W1[2][2] = {}, W2[2][2] = {}, W3[2] = {};
    const double x[2][2] = {{5, 2}, {1, 1}}, y[2] = {0, 1};
    for (int epoch = 0; epoch < 4; ++epoch)
        for (int row = 0; row < 2; ++row)
            backprop_step(W1, W2, W3, x[row], y[row], 1.0);
    const double hand[10] = {W1[0][0], W1[0][1], W1[1][0], W1[1][1], W2[0][0],
                             W2[0][1], W2[1][0], W2[1][1], W3[0],    W3[1]};
    for (std::size_t k = 0; k < 10; ++k)
        BOOST_TEST(std::fabs(value(r.weights[k]) - hand[k]) <= 1e-14, r.weight_names[k]);
    BOOST_TEST(std::fabs(hand[0]) > 1e-3); // the first layer did move
}

// ---- batches, order, schedules ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(minibatches_sum_or_average_their_rows) {
    // Rows (1,2), (2,3) | (3,5), (4,4), batch 2, rate 0.1. Sum: J1' = 10w - 16 -> w = 8/5;
    // J2' = 50w - 62 = 18 -> w = 8/5 - 9/5 = -1/5. Mean: -8 -> 4/5; (50 * 4/5 - 62)/2 = -11 ->
    // 19/10.
    const dataset d = line_data({{1, 2}, {2, 3}, {3, 5}, {4, 4}});
    train_options o = options(method::sgd, exact(1, 10), 1);
    o.batches.size = 2;
    o.numbers = arithmetic::exact;
    BOOST_TEST(train(line_model(), d, {0}, o).weights[0] == exact(-1, 5));
    o.objective = reduction::mean;
    BOOST_TEST(train(line_model(), d, {0}, o).weights[0] == exact(19, 10));
    o.numbers = arithmetic::double_precision;
    BOOST_TEST(std::fabs(value(train(line_model(), d, {0}, o).weights[0]) - 1.9) <= 1e-15);
}

BOOST_AUTO_TEST_CASE(shuffling_is_reproducible_and_visits_both_orders) {
    // Given order: 2/5 then 32/25. Reversed: row 2 first, g = -12, w = 6/5; row 1,
    // g = -2(2 - 6/5) = -8/5, w = 6/5 + 4/25 = 34/25.
    train_options o = options(method::sgd, exact(1, 10), 1);
    o.numbers = arithmetic::exact;
    o.batches.shuffle = true;
    std::set<std::string> seen;
    for (std::uint64_t seed = 0; seed < 16; ++seed) {
        o.batches.seed = seed;
        const numeric a = train(line_model(), book_data(), {0}, o).weights[0];
        const numeric b = train(line_model(), book_data(), {0}, o).weights[0];
        BOOST_TEST(a == b);
        BOOST_TEST((a == exact(32, 25) || a == exact(34, 25)));
        seen.insert(a == exact(32, 25) ? "given" : "reversed");
    }
    BOOST_TEST(seen.size() == 2u);
}

BOOST_AUTO_TEST_CASE(step_decay_halves_the_rate_every_epoch) {
    // rate 1/20 then 1/40: w1 = 16/20 = 4/5; J'(4/5) = -8, w2 = 4/5 + 8/40 = 1.
    train_options o = options(method::gd, exact(1, 20), 2);
    o.numbers = arithmetic::exact;
    o.rates.type = schedule::kind::step;
    o.rates.every = 1;
    o.rates.factor = exact(1, 2);
    const train_result r = train(line_model(), book_data(), {0}, o);
    BOOST_TEST(r.records[0].weights[0] == exact(4, 5));
    BOOST_TEST(r.records[1].weights[0] == 1);
    BOOST_TEST(r.records[1].rate == exact(1, 40));
    schedule s;
    s.type = schedule::kind::step;
    s.every = 3;
    s.factor = exact(1, 10);
    BOOST_TEST(s.rate(1, 2) == 1);
    BOOST_TEST(s.rate(1, 3) == exact(1, 10));
    BOOST_TEST(s.rate(1, 7) == exact(1, 100));
    s.type = schedule::kind::exponential;
    BOOST_TEST(s.rate(2, 2) == exact(2, 100));
}

// ---- stopping -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(gradient_tolerance_stops_and_says_so) {
    // rate 0.05 halves the error each step: J'(w_k) = -16 / 2^k, first <= 1e-3 at k = 14.
    train_options o = options(method::gd, exact(1, 20), 100);
    o.gradient_tolerance = numeric(1, 1000);
    const train_result r = train(line_model(), book_data(), {0}, o);
    BOOST_TEST((r.reason == stop_reason::gradient));
    BOOST_TEST(r.epochs == 14u);
    BOOST_TEST(contains(r.message, "is within the tolerance 0.001 after epoch 14"));
}

BOOST_AUTO_TEST_CASE(loss_change_tolerance_stops_exactly_when_worked_out_by_hand) {
    // J(w_k) = 5 (1.6 / 2^k)^2 + 0.2, so |J_k - J_{k-1}| = 9.6 / 4^(k-1): first <= 1e-6 at k = 13.
    train_options o = options(method::gd, exact(1, 20), 100);
    o.loss_tolerance = numeric(1, 1000000);
    for (arithmetic a : {arithmetic::double_precision, arithmetic::exact}) {
        o.numbers = a;
        const train_result r = train(line_model(), book_data(), {0}, o);
        BOOST_TEST((r.reason == stop_reason::loss_change));
        BOOST_TEST(r.epochs == 13u);
        BOOST_TEST(contains(r.message, "in epoch 13"));
    }
}

BOOST_AUTO_TEST_CASE(a_step_limit_in_the_middle_of_an_epoch_ends_the_table_there) {
    // Step 3 is row 1 again: g = -2(2 - 32/25) = -36/25, w = 32/25 + 18/125 = 178/125.
    train_options o = options(method::sgd, exact(1, 10), 10);
    o.epochs.reset();
    o.steps = 3;
    o.numbers = arithmetic::exact;
    const train_result r = train(line_model(), book_data(), {0}, o);
    BOOST_TEST((r.reason == stop_reason::steps));
    BOOST_TEST(r.steps == 3u);
    BOOST_TEST(r.epochs == 1u);
    const auto lines = table_lines(r, o.table);
    BOOST_REQUIRE_EQUAL(lines.size(), 2u);
    BOOST_TEST(lines[0] == "epoch = 1, w = 32/25");
    BOOST_TEST(lines[1] == "epoch = 2, step = 3, w = 178/125");
}

BOOST_AUTO_TEST_CASE(every_n_epochs_keeps_the_last_one) {
    train_options o = options(method::gd, exact(1, 20), 7);
    o.table.every = 3;
    const train_result r = train(line_model(), book_data(), {0}, o);
    BOOST_REQUIRE_EQUAL(r.records.size(), 3u);
    BOOST_TEST(r.records[0].epoch == 3u);
    BOOST_TEST(r.records[1].epoch == 6u);
    BOOST_TEST(r.records[2].epoch == 7u);
}

// ---- non-finite values
// ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_non_finite_gradient_stops_at_once_naming_the_component) {
    // d sqrt(w)/dw = 1/(2 sqrt(w)) is infinite at w = 0.
    const ex& w = symbol_named("w");
    const model m = scalar_model(GiNaC::sqrt(w), {w});
    const train_result r = train(m, no_data(), {0}, options(method::gd, exact(1, 10), 3));
    BOOST_TEST((r.reason == stop_reason::non_finite));
    BOOST_TEST(!r.ok());
    BOOST_TEST(contains(r.message, "epoch 1, step 1: d/dw is inf"), r.message);
    BOOST_TEST(r.weights[0] == 0);
    BOOST_TEST(r.steps == 0u);
    // Exact arithmetic names the undefined value too.
    train_options o = options(method::gd, exact(1, 10), 3);
    o.numbers = arithmetic::exact;
    const train_result e = train(m, no_data(), {0}, o);
    BOOST_TEST((e.reason == stop_reason::non_finite));
    BOOST_TEST(contains(e.message, "epoch 1, step 1: "), e.message);
}

BOOST_AUTO_TEST_CASE(a_weight_that_becomes_nan_is_named_and_the_last_weights_kept) {
    // Adam with eps 0 on a weight the loss ignores: m = v = 0, the step is 0/0.
    const ex &a = symbol_named("a"), &b = symbol_named("b");
    const model m = scalar_model(GiNaC::pow(a - 1, 2), {a, b});
    train_options o = options(method::adam, exact(1, 10), 3);
    o.optimizer.eps = 0;
    const train_result r = train(m, no_data(), {0, 0}, o);
    BOOST_TEST((r.reason == stop_reason::non_finite));
    BOOST_TEST(r.message ==
               "epoch 1, step 1: the update made b = nan (it was 0, its gradient component "
               "d/db = 0) (a zero gradient component with eps 0 gives 0/0; use eps above 0); the "
               "weights before this step are kept");
    BOOST_TEST(r.weights[0] == 0);
    BOOST_TEST(r.weights[1] == 0);
    o.numbers = arithmetic::exact;
    const train_result e = train(m, no_data(), {0, 0}, o);
    BOOST_TEST((e.reason == stop_reason::non_finite));
    BOOST_TEST(contains(e.message, "epoch 1, step 1: the adam update divides by zero"), e.message);
}

BOOST_AUTO_TEST_CASE(divergence_stops_at_the_first_overflow_with_the_last_finite_weights) {
    // rate 10: w <- -99 w + 160, |w| grows like 99^k until the loss overflows.
    const train_result r = train(line_model(), book_data(), {0}, options(method::gd, 10, 1000));
    BOOST_TEST((r.reason == stop_reason::non_finite));
    BOOST_TEST(contains(r.message, "is inf"), r.message);
    BOOST_TEST(std::isfinite(value(r.weights[0])));
    BOOST_TEST(std::fabs(value(r.weights[0])) > 1e100);
    BOOST_REQUIRE(!r.records.empty());
    BOOST_TEST(r.records.back().weights[0] == r.weights[0]);
    BOOST_TEST(r.records.back().step == r.steps);
    BOOST_TEST(r.epochs < 1000u);
}

// ---- the whole-objective methods ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(newton_solves_least_squares_in_one_step_and_damping_shortens_it) {
    // J'' = 10: w = 0 - (-16)/10 = 8/5; with damping 1: 16/11.
    train_options o = options(method::newton, 1, 1);
    o.numbers = arithmetic::exact;
    BOOST_TEST(train(line_model(), book_data(), {0}, o).weights[0] == exact(8, 5));
    o.optimizer.damping = 1;
    BOOST_TEST(train(line_model(), book_data(), {0}, o).weights[0] == exact(16, 11));
    o.numbers = arithmetic::double_precision;
    BOOST_TEST(std::fabs(value(train(line_model(), book_data(), {0}, o).weights[0]) - 16.0 / 11) <=
               1e-15);
}

BOOST_AUTO_TEST_CASE(newton_on_the_softmax_classifier_finds_its_hessian_singular) {
    // z0 and z1 move together under w1 + c, w2 + c: the Hessian has a null direction.
    train_options o = options(method::newton, 1, 3);
    const train_result r =
        train(seed000_softmax_classifier(), seed000_data(-3, 1), {0, 0, 0, 0}, o);
    BOOST_TEST((r.reason == stop_reason::singular));
    BOOST_TEST(contains(r.message, "epoch 1, step 1: the Hessian is singular"), r.message);
    // Damping makes it regular, and the loss falls every step.
    o.optimizer.damping = 1;
    o.table.loss = true;
    const train_result d =
        train(seed000_softmax_classifier(), seed000_data(-3, 1), {0, 0, 0, 0}, o);
    BOOST_TEST((d.reason == stop_reason::epochs));
    double previous = value(*d.start.loss);
    for (const auto& rec : d.records) {
        BOOST_TEST(value(*rec.loss) < previous);
        previous = value(*rec.loss);
    }
}

BOOST_AUTO_TEST_CASE(conjugate_gradient_with_line_search_decreases_seed003s_error) {
    const model m = seed003_shared_sigmoid_layer();
    dataset d = dataset_for(m);
    d.add_row({2, -4, 0, 1});
    for (method k : {method::fletcher_reeves, method::polak_ribiere}) {
        train_options o = options(k, 1, 20);
        o.optimizer.line_search = true;
        o.table.loss = true;
        const train_result r = train(m, d, {4, -2, -1, -2}, o);
        BOOST_TEST(r.ok(), r.message);
        double previous = value(*r.start.loss);
        for (const auto& rec : r.records) {
            BOOST_TEST(value(*rec.loss) <= previous);
            previous = value(*rec.loss);
        }
        BOOST_TEST(previous < 0.5, method_name(k)); // from 1.872
    }
}

BOOST_AUTO_TEST_CASE(whole_objective_methods_take_no_minibatches) {
    train_options o = options(method::newton, 1, 1);
    o.batches.size = 1;
    BOOST_TEST(message_of([&] { train(line_model(), book_data(), {0}, o); }) ==
               "train: newton works on the whole objective; it takes no minibatches (batch 1)");
}

BOOST_AUTO_TEST_CASE(training_needs_a_stopping_rule_and_one_start_per_weight) {
    train_options o = options(method::gd, exact(1, 10), 1);
    o.epochs.reset();
    BOOST_TEST(message_of([&] { train(line_model(), book_data(), {0}, o); }) ==
               "train: say how long: epochs N or steps N (gradtol and losstol can stop it "
               "earlier)");
    o.epochs = 1;
    BOOST_TEST(message_of([&] {
                   train(line_model(), book_data(), {0, 1}, o);
               }) == "train: expected 1 starting values (one per weight), got 2");
}

// ---- output ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(table_digits_loss_and_gradient_norm) {
    train_options o = options(method::gd, exact(1, 20), 1);
    o.table.digits = 6;
    o.table.loss = true;
    o.table.gradient_norm = true;
    const train_result r = train(line_model(), book_data(), {0}, o);
    // w1 = 0.8, J(0.8) = 5 * 0.64 + 0.2 = 3.4, |J'(0.8)| = 8
    BOOST_TEST(table_lines(r, o.table)[0] == "epoch = 1, w = 0.800000, loss = 3.4, gradnorm = 8");
}

BOOST_AUTO_TEST_CASE(csv_and_json_logs_are_written_whole) {
    const auto dir = scratch_directory();
    train_options o = options(method::gd, exact(1, 20), 3);
    o.table.loss = true;
    o.csv_log = (dir / "log.csv").string();
    o.json_log = (dir / "log.json").string();
    const train_result r = train(line_model(), book_data(), {0}, o);
    const std::string csv = read_text(dir / "log.csv");
    // the start (epoch 0) and three epochs; rate 1/20 and w = 0.8 to 17 digits
    BOOST_TEST(csv.rfind("epoch,step,rate,w,loss,gradnorm\n0,0,0.050000000000000003,0,13,\n"
                         "1,1,0.050000000000000003,0.80000000000000004,",
                         0) == 0u,
               csv);
    BOOST_TEST(std::count(csv.begin(), csv.end(), '\n') == 5);
    const auto json = nlohmann::json::parse(read_text(dir / "log.json"));
    BOOST_TEST(json["records"].size() == 4u);
    BOOST_TEST(json["stop"]["reason"] == "epochs");
    BOOST_TEST(json["objective"] == "sum");
    BOOST_TEST(json["records"][3]["w"][0].get<double>() == value(r.weights[0]));
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        BOOST_TEST(!contains(entry.path().filename().string(), ".tmp."));
    std::filesystem::remove_all(dir);
}

// ---- problem files and the command --------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_problem_file_trains_and_later_expectations_see_the_weights) {
    const auto r =
        run_text(std::string(seed000_problem) + "train gd rate 0.1 epochs 5\n"
                                                "expect w1 == -0.4116026565396639 within 1e-13\n"
                                                "expect w2 == 0.4116026565396639 within 1e-13\n");
    BOOST_TEST(r.outcome.failures.empty());
    BOOST_TEST(r.outcome.expectations == 2u);
    BOOST_TEST(contains(r.text, "epoch = 5, w1 = -0.4116, w2 = 0.4116"));
    BOOST_TEST(contains(r.text, "gd (rate 0.1), objective: sum of the loss over 2 rows"));
}

BOOST_AUTO_TEST_CASE(a_problem_file_trains_exactly) {
    const auto r = run_text("weights w = 0\ninputs x\nlabels y\ndata x = 1, 2\n     y = 2, 3\n"
                            "loss = (y - w*x)^2\n"
                            "train sgd rate 1/10 epochs 1 exact every step\n"
                            "expect w == 32/25\n");
    BOOST_TEST(r.outcome.failures.empty());
    BOOST_TEST(contains(r.text, "epoch = 1, step = 1, w = 2/5\n"));
    BOOST_TEST(contains(r.text, "epoch = 1, step = 2, w = 32/25\n"));
}

BOOST_AUTO_TEST_CASE(unknown_options_name_the_closest_one_and_the_place) {
    const std::string m =
        message_of([] { run_text(std::string(seed000_problem) + "train gd rat 0.1 epochs 5\n"); });
    BOOST_TEST(contains(m, "test.sg:10:10: train: unknown option 'rat'; did you mean 'rate'?"), m);
    const std::string b = message_of(
        [] { run_text(std::string(seed000_problem) + "train gd rate 0.1 epochs 5 beta1 0.9\n"); });
    BOOST_TEST(contains(b, "test.sg:10:28: train: 'beta1' is not an option of gd (it belongs to "
                           "adam)"),
               b);
    const std::string v =
        message_of([] { run_text(std::string(seed000_problem) + "train gd epochs 5 rate\n"); });
    BOOST_TEST(contains(v, "train: 'rate' needs a value"), v);
    const std::string k =
        message_of([] { run_text(std::string(seed000_problem) + "train adma rate 1\n"); });
    BOOST_TEST(contains(k, "test.sg:10:7: train: unknown method 'adma'; did you mean 'adam'?"), k);
}

BOOST_AUTO_TEST_CASE(a_problem_file_stops_on_a_non_finite_value_with_an_error) {
    const std::string m = message_of([] {
        run_text("weights w = 0\nL = sqrt(w)\ntrain gd rate 0.1 epochs 2\nexpect w == 0\n");
    });
    BOOST_TEST(contains(m, "test.sg:3: train stopped: epoch 1, step 1: d/dw is inf"), m);
}

BOOST_AUTO_TEST_CASE(the_train_command_trains_a_problem_file) {
    const auto dir = scratch_directory();
    const auto file = dir / "seed000.sg";
    std::ofstream(file) << seed000_problem << "show L\n";
    const auto r =
        test::run_command({"train", file.string(), "gd", "rate", "0.1", "epochs", "5", "loss"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(r.out, "epoch = 5, w1 = -0.4116, w2 = 0.4116"), r.out);
    BOOST_TEST(contains(r.out, "loss = "));
    BOOST_TEST(!contains(r.out, "show L"));
    const auto bad = test::run_command({"train", file.string(), "gd", "rate", "0.1", "epoch", "5"});
    BOOST_TEST(bad.status == 2);
    BOOST_TEST(contains(bad.err, "command line:1:19: train: unknown option 'epoch'; did you mean "
                                 "'epochs'?"),
               bad.err);
    const auto nan_file = dir / "nan.sg";
    std::ofstream(nan_file) << "weights w = 0\nL = sqrt(w)\n";
    const auto stopped =
        test::run_command({"train", nan_file.string(), "gd", "rate", "0.1", "epochs", "2"});
    BOOST_TEST(stopped.status == 1);
    BOOST_TEST(contains(stopped.err, "train stopped: epoch 1, step 1: d/dw is inf"), stopped.err);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
