// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// symgrad::enclose(): every ball must contain the true value. The oracle is GiNaC's own evalf
// at 400 digits (CLN's floating point, not Arb), and known digits of e^-1000.
#include "symgrad/core/enclosure.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/precision.hpp"
#include "symgrad/text/parser.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

using GiNaC::ex;
using GiNaC::numeric;
using symgrad::enclose;
using symgrad::enclosure_status;
using symgrad::parse;

namespace {

/// GiNaC's value at 400 digits: the reference.
numeric reference(const ex& e) {
    symgrad::precision_guard guard(400);
    const ex v = e.evalf();
    BOOST_TEST_REQUIRE(GiNaC::is_exactly_a<numeric>(v));
    return GiNaC::ex_to<numeric>(v);
}

/// The ball at @p bits contains the reference value (up to the reference's own 1e-390).
void check_contains(const std::string& text, long bits) {
    const ex e = parse(text);
    const symgrad::enclosure b = enclose(e, bits);
    BOOST_TEST_REQUIRE((b.status == enclosure_status::ok), text << ": " << b.why);
    const numeric r = reference(e);
    const numeric mid = b.value.midpoint();
    const numeric rad = b.value.magnitude_bound() - GiNaC::abs(mid); // >= radius
    const numeric slack = GiNaC::abs(r) * GiNaC::pow(numeric(10), numeric(-390)) +
                          GiNaC::pow(numeric(10), numeric(-395));
    const numeric rounding = GiNaC::abs(mid) * GiNaC::pow(numeric(2), numeric(-(bits - 2)));
    BOOST_TEST(GiNaC::abs(r - mid) <= GiNaC::abs(rad) + rounding + slack,
               text << " at " << bits << " bits: reference " << r << ", ball " << b.value.text(40));
}

} // namespace

BOOST_AUTO_TEST_SUITE(enclosure)

BOOST_AUTO_TEST_CASE(balls_contain_the_value_of_every_supported_function) {
    const std::vector<std::string> cases = {"1/3",
                                            "exp(1)",
                                            "log(7/3)",
                                            "sqrt(2)",
                                            "2^(1/3)",
                                            "sin(1)",
                                            "cos(2)",
                                            "tan(1/2)",
                                            "tanh(3)",
                                            "sinh(1/7)",
                                            "cosh(2)",
                                            "atan(5)",
                                            "asin(1/3)",
                                            "acos(-1/2)",
                                            "abs(-2/3)",
                                            "sigmoid(3)",
                                            "sigmoid(-40)",
                                            "softplus(-30)",
                                            "softplus(50)",
                                            "relu(-2)",
                                            "relu(5/2)",
                                            "logsumexp(1, 2, -3)",
                                            "softmax(1, 0, 2, -1)",
                                            "3^(-5)",
                                            "-exp(3)",
                                            "-cos(2)*10^40",
                                            "log(1/10^30)",
                                            "-sigmoid(2)/7",
                                            "(2/3)^(5/2)",
                                            "exp(1)^(1/2)",
                                            "logloss(1/3, 1/4)",
                                            "step(-1)",
                                            "step(2)"};
    for (long bits : {64L, 256L, 1024L})
        for (const auto& c : cases)
            check_contains(c, bits);
}

BOOST_AUTO_TEST_CASE(extreme_arguments_keep_their_relative_accuracy) {
    // e^-1000 = 5.0759588975494567652918094795743369193055992828928e-435 (50 digits, from
    // CLN's exp at 200 digits in a separate session; also below through GiNaC's evalf).
    for (const std::string text :
         {"softplus(-1000)", "logsumexp(0, -1000)", "sigmoid(-1000)", "1 - sigmoid(1000)"}) {
        const symgrad::enclosure b = enclose(parse(text), 256);
        BOOST_TEST_REQUIRE((b.status == enclosure_status::ok), text);
        if (text == "1 - sigmoid(1000)") {
            // The subtraction cancels: 256 bits cannot resolve it, and the ball says so.
            BOOST_TEST(b.value.contains_zero());
            continue;
        }
        BOOST_TEST(!b.value.contains_zero(), text);
        BOOST_TEST(b.value.relative_accuracy_bits() > 200, text);
        BOOST_TEST(b.value.text(20).substr(0, 12) == "5.0759588975",
                   text << ": " << b.value.text(20));
    }
    // 1 - sigmoid(1000) is resolved once the precision passes 1000/ln 2 = 1443 bits.
    const symgrad::enclosure b = enclose(parse("1 - sigmoid(1000)"), 2048);
    BOOST_TEST(!b.value.contains_zero());
    BOOST_TEST(b.value.text(12).substr(0, 12) == "5.0759588975");
}

BOOST_AUTO_TEST_CASE(certainly_undefined_and_undecided_are_told_apart) {
    // Built held (the reader itself refuses values that are not real).
    BOOST_TEST(
        (enclose(GiNaC::log(GiNaC::ex(-1)).hold(), 128).status == enclosure_status::undefined));
    BOOST_TEST((enclose(GiNaC::power(GiNaC::ex(-2), GiNaC::numeric(1, 2)).hold(), 128).status ==
                enclosure_status::undefined));
    BOOST_TEST(
        (enclose(GiNaC::log(GiNaC::ex(0)).hold(), 128).status == enclosure_status::undefined));
    // log of a value that is 0 to within 128 bits but positive: undecided, then resolved.
    const ex tiny = parse("log(1 - sigmoid(1000))");
    BOOST_TEST((enclose(tiny, 128).status == enclosure_status::uncertain));
    const symgrad::enclosure b = enclose(tiny, 4096);
    BOOST_TEST_REQUIRE((b.status == enclosure_status::ok));
    BOOST_TEST(b.value.text(6).substr(0, 6) == "-1000.");
    BOOST_TEST((enclose(parse("x + 1"), 128).status == enclosure_status::unsupported));
}

// CLN's scale_float wrapped an exponent far beyond its range: exp(10^6 exp(1000)), about
// 10^(8.6*10^439), had the midpoint 1.02e242917855904618514 (its ball is finite only at higher
// precisions; exp(10^30) is as far out of range at 128 bits). And the magnitude bound of
// exp(-10^6) was an exact rational of 430,000 digits.
BOOST_AUTO_TEST_CASE(values_beyond_clns_range_are_refused_and_tiny_bounds_are_floats) {
    const symgrad::enclosure huge = enclose(parse("exp(10^30)"), 128);
    BOOST_TEST_REQUIRE((huge.status == enclosure_status::ok), huge.why);
    std::string message;
    try {
        (void)huge.value.midpoint();
    } catch (const symgrad::domain_error& e) {
        message = e.what();
    }
    BOOST_TEST(message.find("beyond the range of the floating-point numbers") != std::string::npos,
               message);
    // e^(-10^6) <= bound <= e^(-10^6) (1 + 2^-60) (a 64-bit upper bound of a 128-bit ball).
    const symgrad::enclosure tiny = enclose(parse("exp(-10^6)"), 128);
    BOOST_TEST_REQUIRE((tiny.status == enclosure_status::ok), tiny.why);
    const numeric bound = tiny.value.magnitude_bound();
    BOOST_TEST(!bound.is_rational());
    symgrad::precision_guard guard(40);
    const numeric excess = GiNaC::log(bound) + 1000000; // log(bound / e^-10^6), by hand 0
    BOOST_TEST(excess >= numeric(-1, 1000000000000000000LL), excess);
    BOOST_TEST(excess <= numeric(1, 1000000000000000000LL), excess);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(enclosure_integers)

BOOST_AUTO_TEST_CASE(large_integers_enter_a_ball_exactly) {
    // Oracle: the integer itself (GiNaC/CLN arithmetic): a ball made from n at enough bits to
    // hold it exactly has the midpoint n, and from n/d the quotient. The words of n are taken
    // 64 bits at a time (decimal text took seconds for 5 million digits).
    const numeric n = numeric(3).power(4000) - numeric(2).power(3000) + 12345;
    for (const numeric& v : std::vector<numeric>{n, numeric(-1) * n, n + numeric(2).power(6400),
                                                 numeric(1) - numeric(2).power(64)}) {
        const symgrad::enclosure b = enclose(ex(v), 8000);
        BOOST_TEST_REQUIRE((b.status == enclosure_status::ok), b.why);
        BOOST_TEST(b.value.midpoint() == v);
    }
    const symgrad::enclosure q = enclose(ex(n / (n + 2)), 8000);
    BOOST_TEST_REQUIRE((q.status == enclosure_status::ok), q.why);
    BOOST_TEST(GiNaC::abs(q.value.midpoint() - n / (n + 2)) < numeric(2).power(-7000));
}

BOOST_AUTO_TEST_SUITE_END()
