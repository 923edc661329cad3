// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/precision.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/text/parser.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>
#include <cln/float.h>
#include <cln/integer.h>
#include <cln/rational.h>
#include <cln/real.h>

#include <chrono>
#include <cmath>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

using GiNaC::ex;
using GiNaC::numeric;
using symgrad::parse;
using symgrad::parse_point;

namespace {

template <class F> std::string message_of(F f) {
    try {
        f();
    } catch (const symgrad::error& e) {
        return e.what();
    }
    return "";
}

} // namespace

BOOST_AUTO_TEST_SUITE(evaluate)

BOOST_AUTO_TEST_CASE(rational_values_stay_exact) {
    BOOST_TEST(
        symgrad::evaluate_exact(parse("x^2 + 1/3"), parse_point("x=1/2")).is_equal(numeric(7, 12)));
    BOOST_TEST(symgrad::evaluate_numeric(parse("sigmoid(0)*4 + x"), parse_point("x=0.1"))
                   .is_equal(numeric(21, 10)));
}

BOOST_AUTO_TEST_CASE(exp_of_a_rational_multiple_of_a_log_is_exact) {
    // By hand: exp(k log r) = r^k. A gradient program builds exp(z - logsumexp(...)), which is
    // exp(-log(2)) for softmax(0, 0); GiNaC keeps it, and it was printed as 0.5.
    const GiNaC::exmap x0 = parse_point("x=0");
    BOOST_TEST(
        symgrad::evaluate_exact(parse("exp(x - logsumexp(0, 0))"), x0).is_equal(numeric(1, 2)));
    BOOST_TEST(symgrad::evaluate_exact(parse("exp(-3*log(x + 10^6))"), x0)
                   .is_equal(GiNaC::pow(numeric(10), -18)));
    // A fractional k gives the algebraic number, still exact: exp(log(2)/2) = sqrt(2).
    const ex root = symgrad::evaluate_exact(parse("exp(log(x + 2)/2)"), x0);
    BOOST_TEST(root.is_equal(GiNaC::sqrt(ex(2))), root);
    // Past the digits limit the exponential stays as it is (and is enclosed, not computed).
    const ex huge = symgrad::evaluate_exact(parse("exp(-10^9*log(x + 3))"), x0);
    BOOST_TEST(GiNaC::is_a<GiNaC::function>(huge), huge);
}

BOOST_AUTO_TEST_CASE(irrational_values_are_correct_to_the_requested_digits) {
    // Oracle: 1/(1 + e^-1/2) computed directly with CLN at 60 digits.
    const numeric v = symgrad::evaluate_numeric(parse("sigmoid(x)"), parse_point("x=1/2"), 30);
    symgrad::precision_guard digits(60);
    const numeric oracle =
        GiNaC::ex_to<numeric>((1 / (1 + GiNaC::exp(ex(numeric(-1, 2))))).evalf());
    BOOST_TEST(symgrad::test::close(v, oracle, 1e-30));
    BOOST_TEST(symgrad::format_number(v, 30) == "0.622459331201854564638900565746");
}

BOOST_AUTO_TEST_CASE(cancellation_is_resolved_by_raising_precision) {
    // (1 + 1e-40) - 1 at 17 digits would be 0; the answer is 1e-40 exactly in exact arithmetic
    // and ~1e-40 through exp/log.
    const numeric v = symgrad::evaluate_numeric(parse("log(exp(x)) - 1"), parse_point("x=1"), 17);
    BOOST_TEST(symgrad::test::close(v, 0, 1e-15));
    const numeric w =
        symgrad::evaluate_numeric(parse("exp(x) - exp(1)"), parse_point("x=1 + 1/10^30"), 10);
    const numeric e = GiNaC::ex_to<numeric>(GiNaC::exp(ex(1)).evalf());
    BOOST_TEST(symgrad::test::close(w / (e * numeric("1e-30")), 1, 1e-8));
}

BOOST_AUTO_TEST_CASE(a_confident_cross_entropy_is_certified_without_its_cancellation) {
    // logsumexp(a, b) - a at b - a = -7995390.5 is about 10^-3472354: through the difference, or
    // through -log(1/(1 + e^(b - a))), no 39,400 digits could tell it from 0. Oracle: mpmath's
    // log1p(exp(b - a)) at 40 digits (Debian's python3-mpmath), 1.05971313750917727998...e-3472354.
    const auto point = parse_point("a=-3/2, b=-7995392, y=0");
    for (const char* text : {"crossentropy(softmax({a, b}), y)", "-log(softmax(0, a, b))"}) {
        BOOST_TEST_INFO(text);
        const numeric v = symgrad::evaluate_numeric(parse(text), point, 17);
        BOOST_TEST(symgrad::format_number(v, 17) == "1.0597131375091773e-3472354");
    }
    // Three classes, label 2: log(e^1 + e^2 + e^-1) + 1 = 3.3490122167681863854... (mpmath).
    const numeric w = symgrad::evaluate_numeric(parse("crossentropy(softmax({a, b, x}), y)"),
                                                parse_point("a=1, b=2, x=-1, y=2"), 20);
    BOOST_TEST(symgrad::format_number(w, 20) == "3.3490122167681863854");
}

BOOST_AUTO_TEST_CASE(every_unbound_symbol_is_named) {
    BOOST_TEST(message_of([] { symgrad::evaluate_exact(parse("w1*x + w2 + w10"), {}, "eval"); }) ==
               "eval: no value given for symbols w1, w2, w10, x");
    BOOST_TEST(message_of([] {
                   symgrad::evaluate_double(parse("w1*x"),
                                            symgrad::to_double_point(parse_point("x=1")));
               }) == "evaluate: no value given for symbol w1");
}

BOOST_AUTO_TEST_CASE(singularities_name_the_subexpression) {
    BOOST_TEST(message_of([] {
                   symgrad::evaluate_exact(parse("2 + log(x - 1)"), parse_point("x=1"), "eval");
               }) == "eval: log(x - 1) is undefined at this point (log(0))");
    BOOST_TEST(message_of([] {
                   symgrad::evaluate_exact(parse("x/(y - 1)"), parse_point("x=1, y=1"), "eval");
               }).find("is undefined at this point (division by zero)") != std::string::npos);
    BOOST_TEST(message_of([] {
                   symgrad::evaluate_exact(parse("log(x)"), parse_point("x=-2"), "eval");
               }).rfind("eval: log(x) is not real at this point", 0) == 0);
}

BOOST_AUTO_TEST_CASE(double_evaluation_reports_non_finite_values) {
    auto at = [](const char* p) { return symgrad::to_double_point(parse_point(p)); };
    BOOST_TEST(message_of([&] { symgrad::evaluate_double(parse("exp(1000*x)"), at("x=1")); }) ==
               "evaluate: exp(1000*x) is not finite at this point (inf in double precision)");
    BOOST_TEST(message_of([&] { symgrad::evaluate_double(parse("log(x)"), at("x=0")); }) ==
               "evaluate: log(x) is undefined at this point (log of 0)");
    BOOST_TEST(message_of([&] {
                   symgrad::evaluate_double(parse("1/x"), at("x=0"));
               }).find("division by zero") != std::string::npos);
    BOOST_TEST(message_of([&] {
                   symgrad::evaluate_double(parse("sqrt(x)"), at("x=-1"));
               }).find("is not real at this point") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(double_agrees_with_cln_at_random_points) {
    std::mt19937_64 rng(symgrad::test::seed(42, "double vs CLN"));
    const std::vector<std::string> corpus{
        "sigmoid(a*x + b) * (1 - sigmoid(a*x + b))",
        "softplus(a) - logsumexp(a, b, x)",
        "softmax(1, a, b, x) * tanh(b) + relu(x)",
        "logloss(sigmoid(a), 1/3) + abs(b - x)^(3/2)",
        "crossentropy(softmax({a, b, x}), 2) + exp(-a^2)/sqrt(1 + b^2)",
    };
    for (const auto& text : corpus) {
        const ex e = parse(text);
        for (int i = 0; i < 20; ++i) {
            const auto point = symgrad::test::random_point(e, rng, -4, 4);
            const double d = symgrad::evaluate_double(e, symgrad::to_double_point(point));
            const numeric c = symgrad::evaluate_numeric(e, point, 30);
            BOOST_TEST(std::abs(d - c.to_double()) <= 1e-13 * std::max(1.0, std::abs(d)),
                       text << ": double " << d << " vs CLN " << c);
        }
    }
}

BOOST_AUTO_TEST_CASE(numbers_are_formatted_for_people) {
    BOOST_TEST(symgrad::format_number(numeric(1, 2), 17) == "1/2");
    BOOST_TEST(symgrad::format_number(numeric(-3), 17) == "-3");
    auto f = [](const char* e, long digits) {
        return symgrad::format_number(symgrad::evaluate_numeric(parse(e), {}, digits), digits);
    };
    BOOST_TEST(f("log(2)", 5) == "0.69315");
    BOOST_TEST(f("-log(2)*10^6", 4) == "-693100");
    BOOST_TEST(f("exp(-100)", 6) == "3.72008e-44");
    BOOST_TEST(f("exp(100)", 3) == "2.69e43");
    BOOST_TEST(f("1 - exp(-30)", 5) == "1"); // rounding carries into a new digit
    BOOST_TEST(f("sigmoid(1)", 17) == "0.73105857863000488");
    BOOST_TEST(symgrad::format_double(0.1, 0) == "0.1");
    BOOST_TEST(symgrad::format_double(1.0 / 3, 5) == "0.33333");
}

BOOST_AUTO_TEST_CASE(digits_out_of_range_are_rejected) {
    BOOST_TEST(message_of([] { symgrad::evaluate_numeric(parse("log(2)"), {}, 0, "eval"); }) ==
               "eval: digits must be between 1 and 100000, got 0");
}

// The sum of a softmax's components is 1, exactly; evaluated, the rounding left about 1e-868
// (each doubling of the precision leaves a smaller remainder, so no two evaluations agree), or
// 0, as GiNaC's run-dependent order of the terms had it. The exact zero test decides.
BOOST_AUTO_TEST_CASE(an_exact_zero_lost_in_rounding_is_zero) {
    for (const char* text :
         {"softmax(0, 1, -2) + softmax(1, 1, -2) - 1", "sigmoid(1) + sigmoid(-1) - 1",
          "softmax(2, 0, 1, 3) - 1 + "
          "softmax(0, 0, 1, 3) + softmax(1, 0, "
          "1, 3)"}) {
        const numeric v = symgrad::evaluate_numeric(parse(text), {}, 17, "eval");
        BOOST_TEST(v.is_zero(), text << " = " << v);
        BOOST_TEST(symgrad::format_number(v, 17) == "0", text);
    }
    // A small value that is not zero stays what it is.
    const numeric small =
        symgrad::evaluate_numeric(parse("sigmoid(1) + sigmoid(-1) - 1 + 10^(-30)"), {}, 17);
    BOOST_TEST(symgrad::format_number(small, 17) == "1e-30");
}

// GiNaC adds the terms of a sum in its own order, which changes from run to run, and floating
// point addition is not associative: the last digits of a cancelling sum followed it. Copies of
// an expression over fresh symbols (other orders, as other runs) give the same digits.
BOOST_AUTO_TEST_CASE(digits_do_not_depend_on_ginac_term_order) {
    const ex e = parse("sigmoid(a) + sigmoid(b) - sigmoid(a + b) + exp(a - b) - exp(b - a) - "
                       "a*b/3 + log(1 + a^2) - softplus(b - a)");
    const GiNaC::exmap at = parse_point("a=1/3, b=2/7");
    const std::string want = symgrad::format_number(symgrad::evaluate_numeric(e, at, 60), 60);
    const double want_double = symgrad::evaluate_double(e, symgrad::to_double_point(at));
    for (unsigned k = 0; k < 12; ++k) {
        GiNaC::exmap renaming;
        const ex copy = symgrad::test::fresh_symbols_copy(e, 13 * k + 5, &renaming);
        GiNaC::exmap point;
        for (const auto& [s, v] : at)
            point[renaming.at(s)] = v;
        BOOST_TEST(symgrad::format_number(symgrad::evaluate_numeric(copy, point, 60), 60) == want);
        BOOST_TEST(symgrad::evaluate_double(copy, symgrad::to_double_point(point)) == want_double);
    }
}

BOOST_AUTO_TEST_CASE(a_value_that_cancels_as_written_is_certified_through_its_stable_form) {
    // Found by the differential tests: "could not be certified" for defined values. By hand:
    // logloss(sigmoid(u), 1) = log(1 + e^-u) = e^-u (1 + O(e^-u)), and logloss(softmax(0, 587,
    // b, -1), 0) = -log(1 - g) with g = e^(587 - b) (1 + O(e^-b)), so both are e^-t to far more
    // than 17 digits; CLN's exp at 40 digits is the reference.
    const std::vector<std::tuple<const char*, const char*, long>> cases{
        {"logloss(sigmoid(b + 1009), y)", "b = 2437120, y = 1", 2438129},
        {"logloss(softmax(0, 587, b, -1), y)", "b = 5906432, y = 0", 5905845}};
    for (const auto& [text, at, t] : cases) {
        const numeric got = symgrad::evaluate_numeric(parse(text), parse_point(at), 17, "eval");
        symgrad::precision_guard guard(40);
        const numeric want = GiNaC::ex_to<numeric>(GiNaC::exp(numeric(-t)).evalf());
        BOOST_TEST_INFO(text << " at " << at);
        BOOST_TEST(GiNaC::abs(got / want - 1) < numeric(1, 1000000000000000LL));
    }
    // Beyond CLN's floats: a clear error naming the value, not CLN's "floating point underflow".
    const std::string m =
        message_of([] { symgrad::evaluate_numeric(parse("exp(-10^20)"), {}, 17, "eval"); });
    BOOST_TEST(m.find("beyond the range of the floating-point numbers") != std::string::npos, m);
}

BOOST_AUTO_TEST_CASE(a_log_of_a_fractional_power_of_a_softmax_is_certified) {
    // Found by the differential tests: log(g^(-5/2)) with g = softmax(0, z0, 7) within e^-268934
    // of 1 cancelled as written, and the stable form rewrote log(g^k) for integer k only. By
    // hand, log(g^(-5/2)) = 5/2 softplus(7 - z0) = 5/2 e^(7 - z0) (1 + O(e^(7 - z0))), with
    // z0 = 10^6 softmax(1, 1, 10^-6) = 10^6 e^(10^-6)/(e + e^(10^-6)) from CLN at 60 digits.
    const numeric got = symgrad::evaluate_numeric(
        parse("log(softmax(0, 10^6*softmax(1, a, a/10^6), b + 6)^(-5/2))"),
        parse_point("a = 1, b = 1"), 17, "eval");
    symgrad::precision_guard guard(60);
    const ex small = GiNaC::exp(numeric(1, 1000000));
    const ex z0 = 1000000 * small / (GiNaC::exp(ex(1)) + small);
    const numeric want = GiNaC::ex_to<numeric>((numeric(5, 2) * GiNaC::exp(7 - z0)).evalf());
    BOOST_TEST(GiNaC::abs(got / want - 1) < numeric(1, 1000000000000000LL), got << " vs " << want);
}

BOOST_AUTO_TEST_CASE(huge_powers_in_products_and_huge_exponents_take_no_time) {
    // Found by the differential tests (verify ran for minutes): a held exact power came apart
    // in a product and was computed, and format_number scaled by an exact 10^(4*10^16).
    const auto start = std::chrono::steady_clock::now();
    // By hand: softplus(0) 380^(10^7) = log(2) 380^(10^7); its log from CLN at 40 digits.
    const numeric got = symgrad::evaluate_numeric(
        parse("softplus(x)*(a^2 + 380)^b"), parse_point("x = 0, a = 0, b = 10000000"), 17, "eval");
    symgrad::precision_guard guard(40);
    const ex want_log = GiNaC::log(GiNaC::log(ex(2))) + 10000000 * GiNaC::log(ex(380));
    BOOST_TEST(GiNaC::abs(GiNaC::log(got) - GiNaC::ex_to<numeric>(want_log.evalf())) <
                   numeric(1, 10000000000LL),
               got);
    // exp(10^17) = 10^(10^17/ln 10): its decimal exponent and leading digits by hand.
    const numeric decimal_log =
        GiNaC::ex_to<numeric>((GiNaC::pow(10, 17) / GiNaC::log(ex(10))).evalf());
    const numeric whole(cln::floor1(cln::the<cln::cl_R>(decimal_log.to_cl_N())));
    const double mantissa = std::pow(10.0, (decimal_log - whole).to_double());
    const std::string text =
        symgrad::format_number(GiNaC::ex_to<numeric>(GiNaC::exp(GiNaC::pow(10, 17)).evalf()), 10);
    std::ostringstream exponent;
    exponent << whole;
    BOOST_TEST(text.substr(text.find('e') + 1) == exponent.str(), text);
    BOOST_TEST(std::abs(std::stod(text.substr(0, text.find('e'))) / mantissa - 1) < 1e-9, text);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    BOOST_TEST(seconds < 10, seconds << " s");
}

BOOST_AUTO_TEST_CASE(double_logs_of_one_plus_a_tiny_term_keep_it) {
    // Found by the differential tests: 1 - 1/(1 + 10^150 + ...) rounds to 1 in double, so its
    // log (and a crossentropy of it) was 0. By hand, log(1 - q) = -q - q^2/2 - ... with
    // q = 1/(2 + 10^150) at x = 1: -10^-150 to 15 digits.
    auto at = [](const char* p) { return symgrad::to_double_point(parse_point(p)); };
    const double log_value =
        symgrad::evaluate_double(parse("log(1 - 1/(1 + x^2 + 10^150))"), at("x = 1"));
    BOOST_TEST(std::abs(log_value / -1e-150 - 1) < 1e-14, log_value);
    const double loss = symgrad::evaluate_double(
        parse("crossentropy({1/(1 + x^2 + 10^150), 1 - 1/(1 + x^2 + 10^150)}, 1)"), at("x = 1"));
    BOOST_TEST(std::abs(loss / 1e-150 - 1) < 1e-14, loss);
    // log(1 + x) = log 2 at x = 1, and it is undefined at x = -1 (the same message as log(0)).
    BOOST_TEST(symgrad::evaluate_double(parse("log(1 + x)"), at("x = 1")) == std::log(2.0));
    const std::string m =
        message_of([&] { symgrad::evaluate_double(parse("log(1 + x)"), at("x = -1")); });
    BOOST_TEST(m.find("is undefined at this point (log of 0)") != std::string::npos, m);
}

BOOST_AUTO_TEST_CASE(a_negated_cross_entropy_keeps_its_tiny_value_in_double) {
    // Found by the differential tests: step(-crossentropy(softmax({-1, a, b}), 2)) was 1/2, the
    // difference b - logsumexp(-1, a, b) cancelling to 0 in double. By hand at a = 0, b = 159 it
    // is -log(1 + e^-160 + e^-159) = -(e^-160 + e^-159) to far more than 15 digits.
    const auto point = symgrad::to_double_point(parse_point("a = 0, b = 159"));
    const double got = symgrad::evaluate_double(parse("b - logsumexp(-1, a, b)"), point);
    const double want = -(std::exp(-160.0) + std::exp(-159.0));
    // exp of an argument near -159 rounded to an ulp: relative error up to 159 * 2^-53.
    BOOST_TEST(std::abs(got / want - 1) < 1e-13, got << " vs " << want);
    BOOST_TEST(symgrad::evaluate_double(parse("step(-crossentropy(softmax({-1, a, b}), 2))"),
                                        point) == 0.0);
}

BOOST_AUTO_TEST_CASE(huge_exact_values_and_poles_are_refused_at_once) {
    // factorial(10^9) has about 2.5*10^10 bits and took hours; EllipticK(1) is infinite and
    // GiNaC's evaluation never ended. Each is now an error naming the function.
    BOOST_TEST(symgrad::test::message_of([] { parse("factorial(10^9)"); })
                   .find("the exact value of factorial(...) would have more than 300000 "
                         "digits") != std::string::npos);
    for (const char* e : {"tgamma(10^7)", "binomial(10^9, 5*10^8)", "psi(10^7)", "zeta(10^6)"})
        BOOST_TEST(symgrad::test::message_of([&] { parse(e); }).find("more than 300000 digits") !=
                       std::string::npos,
                   e);
    const GiNaC::exmap huge = parse_point("n=10^9");
    BOOST_TEST(
        message_of([&] { symgrad::evaluate_numeric(parse("factorial(n)"), huge, 17, "eval"); }) ==
        "eval: factorial(n) is too large to compute exactly at this point: it would have more "
        "than 300000 digits, the size limit (raise it with --max-digits DIGITS; 0: no limit)");
    for (const char* k : {"k=1", "k=-1"})
        BOOST_TEST(message_of([&] {
                       symgrad::evaluate_numeric(parse("EllipticK(k)"), parse_point(k), 17, "eval");
                   }) == "eval: EllipticK(k) is undefined at this point (EllipticK(k) is infinite "
                         "at k = 1 and k = -1)",
                   k);
    BOOST_TEST(message_of([] {
                   symgrad::evaluate_numeric(parse("EllipticK(1)"), {}, 17, "eval");
               }).find("is undefined at this point") != std::string::npos);
    // Values within the limits still come (20! and binomial(10^9, 2) by hand; K(1/2) from
    // Abramowitz and Stegun, table 17.1, m = 1/4).
    BOOST_TEST(symgrad::evaluate_numeric(parse("factorial(20)"), {}) ==
               numeric("2432902008176640000"));
    BOOST_TEST(symgrad::evaluate_numeric(parse("binomial(10^9, 2)"), {}) ==
               numeric("499999999500000000"));
    const numeric k = symgrad::evaluate_numeric(parse("EllipticK(1/2)"), {}, 15);
    BOOST_TEST(std::abs(k.to_double() - 1.685750354812596) < 1e-14);
}

// A float with a short mantissa is printed from its exact binary value: 1.0 with 64 bits was
// scaled by 10^29 in 64-bit precision and printed as 0.99999999999999999997315645440 (the
// left side of check 1 sqrt(2), "the printed digits are correct"). 1.0, 0.5 and 3*2^-70 are
// exact binary fractions; their digits are known by hand.
BOOST_AUTO_TEST_CASE(short_floats_print_their_exact_value) {
    const auto float64 = [](const cln::cl_RA& x) {
        return numeric(cln::cl_float(x, cln::float_format_t(64)));
    };
    BOOST_TEST(symgrad::format_number(float64(1), 30) == "1");
    BOOST_TEST(symgrad::format_number(float64(cln::cl_RA(1) / 2), 30) == "0.5");
    BOOST_TEST(symgrad::format_number(float64(-1000), 30) == "-1000");
    // 3/2^70 = 2.541098841762901017204967...e-21 (Python's Decimal at 40 digits).
    BOOST_TEST(symgrad::format_number(float64(cln::cl_RA(3) / cln::expt_pos(cln::cl_I(2), 70)),
                                      20) == "2.5410988417629010172e-21");
}

BOOST_AUTO_TEST_SUITE_END()
