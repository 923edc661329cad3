// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/core/tensor.hpp"
#include "symgrad/text/tensor_expression.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

using GiNaC::ex;
using GiNaC::matrix;
using GiNaC::numeric;

namespace {

struct names_fixture {
    symgrad::tensor_names names;
    names_fixture() {
        names.values["W"] = symgrad::symbol_matrix("W", 2, 2);
        names.values["x"] = symgrad::row_vector({1, 2});
        names.values["A"] = symgrad::matrix_from_rows({{1, 2}, {3, 4}});
        names.values["w"] = symgrad::symbol_named("w");
    }
    ex eval(const std::string& text) { return symgrad::evaluate_tensor_expression(text, names); }
    std::string error_of(const std::string& text) {
        try {
            eval(text);
        } catch (const symgrad::error& e) {
            return e.what();
        }
        return "";
    }
};

bool same_matrix(const ex& a, const matrix& b) {
    if (!GiNaC::is_a<matrix>(a))
        return false;
    const auto& m = GiNaC::ex_to<matrix>(a);
    if (m.rows() != b.rows() || m.cols() != b.cols())
        return false;
    for (unsigned i = 0; i < m.rows(); ++i)
        for (unsigned j = 0; j < m.cols(); ++j)
            if (!(m(i, j) - b(i, j)).expand().is_zero())
                return false;
    return true;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(tensor_expression, names_fixture)

BOOST_AUTO_TEST_CASE(products_keep_their_order) {
    // x*A = [1, 2] [[1, 2], [3, 4]] = [7, 10]; A*transpose(x) = [[5], [11]] (by hand).
    BOOST_TEST(same_matrix(eval("x*A"), matrix{{7, 10}}));
    BOOST_TEST(same_matrix(eval("A*transpose(x)"), matrix{{5}, {11}}));
    BOOST_TEST(same_matrix(eval("A*A"), matrix{{7, 10}, {15, 22}}));
}

BOOST_AUTO_TEST_CASE(sums_broadcast_a_row_over_the_rows) {
    BOOST_TEST(same_matrix(eval("A + x"), matrix{{2, 4}, {4, 6}}));
    BOOST_TEST(same_matrix(eval("x*A + x - 1"), matrix{{7, 11}}));
    BOOST_TEST(same_matrix(eval("2*x/4"), matrix{{numeric(1, 2), 1}}));
}

BOOST_AUTO_TEST_CASE(scalar_functions_and_powers_apply_entrywise) {
    const ex v = eval("sigmoid(x*W)");
    const ex W11 = symgrad::symbol_named("W_11"), W21 = symgrad::symbol_named("W_21");
    BOOST_TEST(GiNaC::ex_to<matrix>(v)(0, 0).is_equal(symgrad::sigmoid(W11 + 2 * W21)));
    BOOST_TEST(same_matrix(eval("(x - [0, 1])^2"), matrix{{1, 1}}));
    BOOST_TEST(eval("sum((x - [0, 1])^2)").is_equal(2));
    BOOST_TEST(eval("mean(A)").is_equal(numeric(5, 2)));
}

BOOST_AUTO_TEST_CASE(matrix_algebra_matches_hand_values) {
    BOOST_TEST(eval("det(A)").is_equal(-2));
    BOOST_TEST(eval("trace(A)").is_equal(5));
    BOOST_TEST(same_matrix(eval("inverse(A)"), matrix{{-2, 1}, {numeric(3, 2), numeric(-1, 2)}}));
    BOOST_TEST(same_matrix(eval("hadamard(A, A)"), matrix{{1, 4}, {9, 16}}));
    BOOST_TEST(eval("dot(x, x)").is_equal(5));
}

BOOST_AUTO_TEST_CASE(diff_by_a_matrix_of_variables_is_the_gradient_matrix) {
    // d/dW of sum(x*W) = [[x1, x1], [x2, x2]] = [[1, 1], [2, 2]]
    BOOST_TEST(same_matrix(eval("diff(sum(x*W), W)"), matrix{{1, 1}, {2, 2}}));
    BOOST_TEST(eval("diff(w^3, w, 2)").is_equal(6 * symgrad::symbol_named("w")));
}

BOOST_AUTO_TEST_CASE(signs_and_powers_follow_conventional_precedence) {
    names.values["a"] = 2;
    names.values["b"] = 3;
    names.values["c"] = 5;
    BOOST_TEST(eval("a*-b + c").is_equal(-1));
    BOOST_TEST(eval("-a^2").is_equal(-4));
    BOOST_TEST(eval("a^b^2").is_equal(512));
    BOOST_TEST(eval("a^-2*b").is_equal(numeric(3, 4)));
    BOOST_TEST(eval("0.1 + 0.2").is_equal(numeric(3, 10)));
}

BOOST_AUTO_TEST_CASE(softmax_and_crossentropy_over_vectors) {
    const ex p = eval("softmax([w, 2*w])");
    BOOST_TEST(GiNaC::is_a<matrix>(p));
    const ex ce = eval("crossentropy(softmax([w, 2*w]), 1)");
    BOOST_TEST(ce.is_equal(
        symgrad::logsumexp({symgrad::symbol_named("w"), 2 * symgrad::symbol_named("w")}) -
        2 * symgrad::symbol_named("w")));
}

BOOST_AUTO_TEST_CASE(errors_name_the_place_and_the_shapes) {
    BOOST_TEST(error_of("W*transpose(x) + x*W") ==
               "<input>:1:16: add: the shapes 2x1 and 1x2 do not fit (they must be equal, or one "
               "a 1xn row matching the columns, or 1x1)\n    W*transpose(x) + x*W\n"
               "                   ^");
    BOOST_TEST(error_of("transpose(x)*W").find("matmul: cannot multiply a 2x1 matrix by a 2x2") !=
               std::string::npos);
    BOOST_TEST(error_of("w + v1") == "<input>:1:5: undefined name 'v1'\n    w + v1\n        ^~");
    names.values["W_11"] = symgrad::symbol_named("W_11");
    BOOST_TEST(error_of("w + W_1") == "<input>:1:5: undefined name 'W_1'; did you mean 'W_11'?\n"
                                      "    w + W_1\n        ^~~");
    BOOST_TEST(error_of("sigmod(w)").find("unknown function 'sigmod'; did you mean 'sigmoid'?") !=
               std::string::npos);
    BOOST_TEST(error_of("[[1, 2], [3]]").find("different lengths") != std::string::npos);
    BOOST_TEST(error_of("inverse([[1, 2], [2, 4]])").find("singular") != std::string::npos);
    BOOST_TEST(error_of("w / x").find("cannot divide by a 1x2 vector") != std::string::npos);
    BOOST_TEST(error_of("(w").find("'(' is never closed") != std::string::npos);
    BOOST_TEST(error_of(std::string(1000, '(') + "w" + std::string(1000, ')'))
                   .find("nested deeper than 256 levels") != std::string::npos);
}

// Found by the tensor_expression fuzzer: "a/0" reported "power::eval(): division by zero".
BOOST_AUTO_TEST_CASE(undefined_values_are_errors_in_symgrad_words_at_their_place) {
    BOOST_TEST(error_of("w/0") == "<input>:1:2: undefined: division by zero\n    w/0\n     ^");
    BOOST_TEST(error_of("x/(w - w)") ==
               "<input>:1:2: undefined: division by zero\n    x/(w - w)\n     ^");
    BOOST_TEST(error_of("0^(-1)").find("division by zero") != std::string::npos);
    for (const char* text :
         {"w/0", "x/0", "A/0", "0^(-1)", "x^(-1)*0^(-2)", "log(0)", "log(x - x)", "sigmoid(1/0)"}) {
        const std::string message = error_of(text);
        BOOST_TEST_INFO(text << " -> " << message);
        BOOST_TEST(!message.empty());
        BOOST_TEST(message.find("():") == std::string::npos);
        BOOST_TEST(message.find("eval") == std::string::npos);
    }
}

// Found by the tensor_expression fuzzer: "3.1111^11111111111111111111x1" computed an exact power
// of some 10^20 digits (a hang, then out of memory). Exact results stay up to 300,000 digits.
BOOST_FIXTURE_TEST_CASE(number_literals_are_the_exact_rationals_they_write, names_fixture) {
    // By hand: each literal's value as a fraction.
    const std::vector<std::pair<const char*, numeric>> cases{
        {"0.1", numeric(1, 10)},
        {"1.5e-3", numeric(3, 2000)},
        {"2.50E+2", numeric(250)},
        {"007", numeric(7)},
        {"1e3", numeric(1000)},
        {"12345678901234567890", numeric("12345678901234567890")},
        {"3.", numeric(3)},
        {"0.000", numeric(0)},
        {"1e-30", numeric(1) / numeric(10).power(30)}};
    for (const auto& [text, value] : cases) {
        BOOST_TEST_INFO(text);
        BOOST_TEST(eval(text).is_equal(value));
    }
    // Beyond the fast path (a thousand-digit exponent) the number is still exact.
    BOOST_TEST(eval("1e2000").is_equal(numeric(10).power(2000)));
    // Malformed numbers keep their errors with a place.
    BOOST_TEST(error_of("1.2.3").find("<input>:1:") != std::string::npos, error_of("1.2.3"));
}

BOOST_FIXTURE_TEST_CASE(a_long_sum_is_the_sum_of_its_terms, names_fixture) {
    // sum_{i=1}^{n} (w - i)^2 - sum_{i=1}^{n} i: read as one run of + and -, by hand its value
    // at w = 0 is sum i^2 - sum i = n(n+1)(2n+1)/6 - n(n+1)/2.
    const long n = 3000;
    std::string text;
    for (long i = 1; i <= n; ++i)
        text += (i > 1 ? " + " : "") + std::string("(w - ") + std::to_string(i) + ")^2";
    for (long i = 1; i <= n; ++i)
        text += " - " + std::to_string(i);
    const ex e = eval(text);
    const ex at0 = e.subs(GiNaC::ex_to<GiNaC::symbol>(names.values["w"]) == 0);
    BOOST_TEST(at0.is_equal(numeric(n * (n + 1) * (2 * n + 1) / 6 - n * (n + 1) / 2)));
    // Tensors in the run are added as tensors: x + x - x = x = [1, 2].
    BOOST_TEST(same_matrix(eval("x + x - x"), symgrad::row_vector({1, 2})));
}

BOOST_AUTO_TEST_CASE(exact_powers_beyond_300000_digits_are_errors_not_hangs) {
    for (const char* text : {"3^3^22", "2^(10^7)", "(2*w)^(10^7)", "(1/3)^(-10^7)", "[2, w]^(10^7)",
                             "pow(1.5, 10^30)", "10^(10^400)"}) {
        BOOST_TEST_INFO(text);
        BOOST_TEST(error_of(text).find("more than 300000 digits") != std::string::npos);
    }
    // 2^1000 by hand: 1024^100; and what is not a large exact number stays as it was.
    BOOST_TEST(eval("2^1000").is_equal(numeric(1024).power(100)));
    BOOST_TEST(eval("w^(10^7)").is_equal(GiNaC::pow(symgrad::symbol_named("w"), 10000000)));
    BOOST_TEST(eval("1^(10^400) + (-1)^(10^400) + 0^(10^400)").is_equal(ex(2)));
}

// Found by the fuzzer: GiNaC computes (-w*x)^n as (-1)^n (w*x)^n, and CLN's power of -1 takes
// time quadratic in the exponent's length (gigabytes under the sanitizer for 200^30100).
BOOST_AUTO_TEST_CASE(exponents_longer_than_19728_digits_are_errors_not_hangs) {
    for (const char* text :
         {"12*w + (- w*x)^200**30100*w", "(-1)^(2^70000)", "w^(3^50000)", "(-w)^(1/3^50000)"}) {
        BOOST_TEST_INFO(text);
        BOOST_TEST(error_of(text).find("the exponent has more than 19728 digits") !=
                   std::string::npos);
    }
    // Just under the limit: 2^65535 has 65,536 bits.
    BOOST_TEST(eval("(-1)^(2^65535) + (-w)^(2^65535 + 1)")
                   .is_equal(1 - GiNaC::pow(symgrad::symbol_named("w"),
                                            GiNaC::pow(numeric(2), 65535) + 1)));
}

BOOST_AUTO_TEST_CASE(an_integer_valued_expression_is_not_taken_for_a_number) {
    // indicator(w, 1) is an integer, but not a number: it was read as one (undefined behaviour).
    BOOST_TEST(error_of("diff(w^3, w, indicator(w, 1))").find("the order") != std::string::npos);
    BOOST_TEST(error_of("softmax(indicator(w, 1), 1, 2)").find("component index") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(abs_squared_is_the_square_without_complex_conjugates) {
    // GiNaC writes abs(u)^2 as u*conjugate(u) when it cannot tell that u is real: symgrad
    // printed "conjugate(softplus(x^a))*softplus(x^a)" and could not prove abs(u)^2 = u^2.
    const ex u =
        symgrad::softplus(GiNaC::pow(symgrad::symbol_named("w"), symgrad::symbol_named("w")));
    BOOST_TEST(eval("abs(softplus(w^w))^2").is_equal(GiNaC::pow(u, 2)));
    BOOST_TEST(eval("abs(softplus(w^w))*abs(softplus(w^w))").is_equal(GiNaC::pow(u, 2)));
    BOOST_TEST(eval("3*abs(softplus(w^w))^4 + 1").is_equal(3 * GiNaC::pow(u, 4) + 1));
    BOOST_TEST(eval("abs(softplus(w^w))^3").is_equal(GiNaC::pow(GiNaC::abs(u), 3)));
}

BOOST_AUTO_TEST_CASE(unknown_names_may_become_variables) {
    names.allow_new_symbols = true;
    BOOST_TEST(eval("sigmoid(-t)").is_equal(symgrad::sigmoid(-symgrad::symbol_named("t"))));
}

BOOST_AUTO_TEST_SUITE_END()
