// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/text/parser.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>

using GiNaC::ex;
using GiNaC::numeric;
using symgrad::parse;

namespace {

/// The exact value of @p text at a=2, b=3, c=5, d=7.
ex value_of(const std::string& text) {
    GiNaC::exmap at{{symgrad::symbol_named("a"), 2},
                    {symgrad::symbol_named("b"), 3},
                    {symgrad::symbol_named("c"), 5},
                    {symgrad::symbol_named("d"), 7}};
    return symgrad::evaluate_exact(parse(text), at);
}

/// The full message of the parse_error that parsing @p text throws ("" if none).
std::string error_of(const std::string& text, const symgrad::parse_options& o = {}) {
    try {
        parse(text, o);
    } catch (const symgrad::error& e) {
        return e.what();
    }
    return "";
}

} // namespace

BOOST_AUTO_TEST_SUITE(parser)

BOOST_AUTO_TEST_CASE(arithmetic_follows_conventional_precedence) {
    // Expected values worked out by hand at a=2, b=3, c=5, d=7.
    const std::vector<std::pair<std::string, numeric>> cases{
        {"a + b*c", 17},
        {"a*-b + c", -1},            // GiNaC's own parser reads a*(-b + c) = 4
        {"a - -b + c", 10},          // ... and a - (-b + c) = 0
        {"a^-2*b", numeric(3, 4)},   // ... and a^(-2*b) = 1/64
        {"-a^2", -4},                // a sign binds looser than ^
        {"a^b^2", 512},              // ^ is right-associative
        {"a/-b*c", numeric(-10, 3)}, // (a/(-b))*c
        {"a*-b^-c + d", numeric(1699, 243)},
        {"-(a + b)*c", -25},
        {"a/b/c", numeric(2, 15)},
        {"+a - +b", -1},
        {"(a)(b)" == std::string() ? "0" : "a*(b)", 6},
    };
    for (const auto& [text, expected] : cases)
        BOOST_TEST(value_of(text).is_equal(expected), text << " = " << value_of(text));
}

BOOST_AUTO_TEST_CASE(decimal_literals_are_exact_rationals) {
    BOOST_TEST(parse("0.1").is_equal(numeric(1, 10)));
    BOOST_TEST(parse("0.1 + 0.2").is_equal(numeric(3, 10)));
    BOOST_TEST(parse("1e-3").is_equal(numeric(1, 1000)));
    BOOST_TEST(parse("2.5E+2").is_equal(250));
    BOOST_TEST(parse("0.4116026565396639").is_equal(numeric(4116026565396639, 10000000000000000)));
    symgrad::parse_options keep;
    keep.exact_decimals = false;
    BOOST_TEST(!parse("0.1", keep).info(GiNaC::info_flags::rational));
}

BOOST_AUTO_TEST_CASE(names_are_shared_real_symbols) {
    const ex x = parse("x");
    BOOST_TEST(x.is_equal(symgrad::symbol_named("x")));
    BOOST_TEST(x.info(GiNaC::info_flags::real));
    BOOST_TEST((parse("x - x")).is_zero());
    BOOST_TEST((parse("w1*x") - parse("x*w1")).is_zero());
    // beta, eta, psi ... are GiNaC functions but stay usable as variables.
    BOOST_TEST(GiNaC::is_a<GiNaC::symbol>(parse("beta")));
    BOOST_TEST(GiNaC::is_a<GiNaC::symbol>(parse("eta")));
}

BOOST_AUTO_TEST_CASE(diff_is_understood_inside_expressions) {
    const ex x = symgrad::symbol_named("x");
    BOOST_TEST(parse("diff(x^3, x)").is_equal(3 * GiNaC::pow(x, 2)));
    BOOST_TEST(parse("diff(x^3, x, 2)").is_equal(6 * x));
    BOOST_TEST(parse("1 + diff(sigmoid(x), x)")
                   .is_equal(1 + symgrad::sigmoid(x) * (1 - symgrad::sigmoid(x))));
}

BOOST_AUTO_TEST_CASE(ml_functions_and_lists_are_read) {
    const ex a = symgrad::symbol_named("a"), b = symgrad::symbol_named("b");
    BOOST_TEST(parse("softmax(1, a, b)").is_equal(symgrad::softmax(1, {a, b})));
    BOOST_TEST(parse("logsumexp({a, b})").is_equal(symgrad::logsumexp({a, b})));
    BOOST_TEST(parse("logsumexp(a, b)").is_equal(symgrad::logsumexp({a, b})));
    // {a, b} and [a, b] are the same row vector, as in problem files.
    const ex v = parse("softmax({a, b})");
    BOOST_TEST_REQUIRE(GiNaC::is_a<GiNaC::matrix>(v));
    BOOST_TEST(v.nops() == 2u);
    BOOST_TEST(v.op(1).is_equal(symgrad::softmax(1, {a, b})));
    BOOST_TEST(parse("softmax([a, b])").is_equal(v));
    // Cross-entropy over a softmax vector is fused into logsumexp - z_y.
    BOOST_TEST(parse("crossentropy(softmax({a, b}), 1)").is_equal(symgrad::logsumexp({a, b}) - b));
    // Many logits: an arity that is registered on demand.
    BOOST_TEST(parse("logsumexp(a,b,a,b,a,b,a,b,a,b,a,b,a,b,a,b,a,b,a,b)").nops() == 20u);
}

BOOST_AUTO_TEST_CASE(unknown_function_suggests_the_closest_name) {
    BOOST_TEST(error_of("1 + sigmod(z)") ==
               "<input>:1:5: unknown function 'sigmod'; did you mean 'sigmoid'?\n"
               "    1 + sigmod(z)\n"
               "        ^~~~~~");
    BOOST_TEST(error_of("frobnicate(z)") ==
               "<input>:1:1: unknown function 'frobnicate'\n    frobnicate(z)\n    ^~~~~~~~~~");
}

BOOST_AUTO_TEST_CASE(wrong_argument_count_names_function_and_counts) {
    BOOST_TEST(error_of("sigmoid(x, y)") ==
               "<input>:1:1: sigmoid takes 1 argument, got 2\n    sigmoid(x, y)\n    ^~~~~~~");
    BOOST_TEST(error_of("logloss(p)").find("logloss takes 2 arguments, got 1") !=
               std::string::npos);
    BOOST_TEST(error_of("diff(x)").find("diff takes 2 or 3 arguments, got 1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(syntax_errors_have_line_column_and_caret) {
    BOOST_TEST(error_of("(x + 1") == "<input>:1:1: '(' is never closed\n    (x + 1\n    ^");
    BOOST_TEST(error_of("x + 1)") == "<input>:1:6: unmatched ')'\n    x + 1)\n         ^");
    BOOST_TEST(error_of("x y") == "<input>:1:3: missing operator before 'y'\n    x y\n      ^");
    BOOST_TEST(error_of("x + * y") ==
               "<input>:1:5: expected an operand before '*'\n    x + * y\n        ^");
    BOOST_TEST(error_of("x +") == "<input>:1:3: expected an operand after '+'\n    x +\n      ^");
    BOOST_TEST(error_of("   ").find("empty expression") != std::string::npos);
    BOOST_TEST(error_of("x $ y") == "<input>:1:3: unexpected character '$'\n    x $ y\n      ^");
    BOOST_TEST(error_of("x = 1").find("'=' is not an operator in an expression") !=
               std::string::npos);
    BOOST_TEST(error_of("f(x,)").find("unknown function 'f'") != std::string::npos);
    BOOST_TEST(error_of("exp(x,)").find("1:7: empty argument") != std::string::npos);
    BOOST_TEST(error_of("(x]").find("1:3: ']' does not match the '(' opened at column 1") !=
               std::string::npos);
    BOOST_TEST(error_of("{x)").find("')' does not match the '{' opened at column 1") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(errors_point_into_multiline_text_and_utf8) {
    // Column counts characters: the caret sits under the 'x' after two Cyrillic letters.
    BOOST_TEST(error_of("a +\nяя x") == "<input>:2:1: unexpected character 'я'\n    яя x\n    ^");
    symgrad::parse_options o;
    o.source = "problem.txt";
    o.first_line = 12;
    o.first_column = 8;
    BOOST_TEST(
        error_of("w + * 2", o).rfind("problem.txt:12:12: expected an operand before '*'", 0) == 0);
}

BOOST_AUTO_TEST_CASE(functions_used_as_values_and_imaginary_unit_are_rejected) {
    BOOST_TEST(error_of("sigmoid + 1").find("'sigmoid' is a function; call it as sigmoid(...)") !=
               std::string::npos);
    BOOST_TEST(error_of("2*I").find("imaginary unit") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(diff_needs_a_variable_and_an_integer_order) {
    BOOST_TEST(error_of("diff(x^2, 2*x)")
                   .find("1:11: diff: the second argument must be a "
                         "variable name") != std::string::npos);
    BOOST_TEST(error_of("diff(x^2, x, y)").find("the third argument must be the order") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_an_error_not_a_stack_overflow) {
    const std::string parens = std::string(100000, '(') + "x" + std::string(100000, ')');
    BOOST_TEST(error_of(parens).find("nested deeper than 256 levels") != std::string::npos);
    const std::string signs = std::string(100000, '-') + "x";
    BOOST_TEST(error_of(signs).find("nested deeper than 256 levels") != std::string::npos);
    std::string powers = "x";
    for (int i = 0; i < 50000; ++i)
        powers += "^x";
    BOOST_TEST(error_of(powers).find("nested deeper than 256 levels") != std::string::npos);
    // 200 levels are fine.
    BOOST_TEST(parse(std::string(200, '(') + "x" + std::string(200, ')'))
                   .is_equal(symgrad::symbol_named("x")));
}

BOOST_AUTO_TEST_CASE(megabyte_inputs_parse_or_fail_cleanly) {
    // A flat megabyte sum parses, in linear time.
    std::string sum = "x";
    while (sum.size() < (1u << 20))
        sum += "+x";
    const ex s = parse(sum);
    BOOST_TEST(s.is_equal(static_cast<long>((sum.size() + 1) / 2) * symgrad::symbol_named("x")));
    // Past the size limit: an error naming the limit.
    symgrad::parse_options small;
    small.max_bytes = 1000;
    BOOST_TEST(error_of(std::string(2000, '1'), small) ==
               "<input>:1:1: input is 2000 bytes; the limit is 1000");
}

BOOST_AUTO_TEST_CASE(points_are_read_exactly_with_located_errors) {
    const auto p = symgrad::parse_point("w1=0, w2 = 1/2; w3=-0.25, w4=log(2)");
    BOOST_TEST(p.size() == 4u);
    BOOST_TEST(p.at(symgrad::symbol_named("w2")).is_equal(numeric(1, 2)));
    BOOST_TEST(p.at(symgrad::symbol_named("w3")).is_equal(numeric(-1, 4)));
    BOOST_TEST(p.at(symgrad::symbol_named("w4")).is_equal(GiNaC::log(ex(2))));
    BOOST_TEST(symgrad::parse_point("").empty());
    auto point_error = [](const std::string& text) {
        try {
            symgrad::parse_point(text);
        } catch (const symgrad::error& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    BOOST_TEST(point_error("w1 0") == "<input>:1:1: expected name = value\n    w1 0\n    ^~~~");
    BOOST_TEST(point_error("w1=1, w1=2").find("1:7: 'w1' is given twice") != std::string::npos);
    BOOST_TEST(point_error("w1=y").find("the value of w1 must be a real number") !=
               std::string::npos);
    BOOST_TEST(point_error("w1=1,").find("trailing separator") != std::string::npos);
    BOOST_TEST(point_error("2w=1").find("'2w' is not a valid name") != std::string::npos);
    BOOST_TEST(point_error("w1=(1").find("'(' is never closed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(known_functions_include_the_ml_functions) {
    const auto names = symgrad::known_functions();
    for (const char* n : {"sigmoid", "softplus", "relu", "logsumexp", "softmax", "logloss",
                          "crossentropy", "indicator", "diff", "exp", "log", "tanh"})
        BOOST_TEST((std::find(names.begin(), names.end(), n) != names.end()), n);
}

BOOST_AUTO_TEST_CASE(the_domain_as_written_is_recorded_and_literals_are_exact) {
    // 1e-80 is 10^-80 exactly (GiNaC's float reading rounded it), 2.5e3 is 2500.
    BOOST_TEST(symgrad::parse("1e-80*10^80").is_equal(GiNaC::ex(1)));
    BOOST_TEST(symgrad::parse("2.5e3").is_equal(GiNaC::ex(2500)));
    BOOST_TEST(symgrad::parse("0.000001").is_equal(GiNaC::numeric(1, 1000000)));
    // -b^2 is -(b^2); a*-b+c is a*(-b) + c; a^b^c is a^(b^c); -a+b is (-a) + b.
    const GiNaC::ex a = symgrad::symbol_named("a"), b = symgrad::symbol_named("b"),
                    c = symgrad::symbol_named("c");
    BOOST_TEST(symgrad::parse("-b^2").is_equal(-GiNaC::pow(b, 2)));
    BOOST_TEST(symgrad::parse("a*-b+c").is_equal(-a * b + c));
    BOOST_TEST(symgrad::parse("-a+b").is_equal(b - a));
    BOOST_TEST(symgrad::parse("2^3^2").is_equal(GiNaC::ex(512)));
    BOOST_TEST(symgrad::parse("2^-1").is_equal(GiNaC::numeric(1, 2)));
    // GiNaC simplifies x/x to 1; the written domain keeps x != 0.
    const auto w = symgrad::parse_written("a/a");
    BOOST_TEST(w.value.is_equal(GiNaC::ex(1)));
    BOOST_TEST_REQUIRE(w.domain.size() == 1u);
    BOOST_TEST(w.domain[0].expr.is_equal(a));
}

BOOST_AUTO_TEST_CASE(values_that_cannot_be_built_are_located_errors) {
    auto message = [](const std::string& text) {
        try {
            symgrad::parse(text);
        } catch (const symgrad::parse_error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    BOOST_TEST(message("2^(10^9)").find("more than 300000 digits") != std::string::npos,
               message("2^(10^9)"));
    BOOST_TEST(message("1/0").find("undefined: division by zero") != std::string::npos,
               message("1/0"));
    BOOST_TEST(message("sqrt(-1)").find("not a real number") != std::string::npos,
               message("sqrt(-1)"));
    BOOST_TEST(message("log(0)").find("eval()") == std::string::npos, message("log(0)"));
    BOOST_TEST(message("1e999999999").find("out of range") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
