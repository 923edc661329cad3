// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// symgrad::verify(): each verdict is checked against an oracle that does not use the verifier: the
// true partials by finite differences (CLN, 50 digits), hand-derived closed forms, and witnesses
// re-evaluated side by side. Timings are printed (never asserted); the slowest verdict of each
// group is printed last.
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/precision.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/simplify/simplify.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/verify/verify.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using GiNaC::ex;
using GiNaC::numeric;
using symgrad::parse;
using symgrad::verdict;

namespace {

/// Seed 000's loss (000_9ea31172f09f9626.txt line 288 and the forum's line 502):
/// L(w) = -ln(e^(-w1+w3)/(e^(-w1+w3)+e^(-w2+w4))) - ln(e^(w2+w4)/(e^(w1+w3)+e^(w2+w4))).
const std::string seed000_loss = "-log(exp(-w1+w3)/(exp(-w1+w3)+exp(-w2+w4)))"
                                 " - log(exp(w2+w4)/(exp(w1+w3)+exp(w2+w4)))";

/// The slowest verdict seen by a test case; printed when the test case ends.
struct timing_log {
    explicit timing_log(std::string n) : name(std::move(n)) {}
    timing_log(const timing_log&) = delete;
    timing_log& operator=(const timing_log&) = delete;

    std::string name;
    double slowest = 0;
    std::string slowest_case;

    void add(const std::string& what, const symgrad::verify_result& r) {
        BOOST_TEST_MESSAGE(name << ": " << what << ": " << symgrad::verdict_name(r.outcome)
                                << " in " << r.milliseconds << " ms");
        if (r.milliseconds > slowest) {
            slowest = r.milliseconds;
            slowest_case = what;
        }
    }
    ~timing_log() {
        BOOST_TEST_MESSAGE(name << ": slowest verdict " << slowest << " ms (" << slowest_case
                                << ")");
    }
};

numeric value_of(const std::string& printed) {
    return GiNaC::ex_to<numeric>(parse(printed));
}

/// A refutation's witness checks out: both sides are defined there, re-evaluated independently
/// (at 45 digits) they match the printed values, and they differ.
void check_witness(const symgrad::verify_result& r, const ex& lhs, const ex& rhs) {
    BOOST_TEST_REQUIRE((r.outcome == verdict::refuted));
    for (const auto& [k, v] : r.witness)
        BOOST_TEST(v.info(GiNaC::info_flags::rational), "witness value " << v << " is exact");
    const numeric l = symgrad::evaluate_numeric(lhs, r.witness, 45);
    const numeric rr = symgrad::evaluate_numeric(rhs, r.witness, 45);
    BOOST_TEST(symgrad::test::close(l, value_of(r.lhs_value), 1e-28));
    BOOST_TEST(symgrad::test::close(rr, value_of(r.rhs_value), 1e-28));
    BOOST_TEST(!symgrad::test::close(l, rr, 1e-20), "the sides differ at the witness");
    BOOST_TEST(symgrad::test::close(l - rr, value_of(r.difference), 1e-28));
}

} // namespace

BOOST_AUTO_TEST_SUITE(verify)

// ---------------------------------------------------------------------------------------------
// Seed 000: the "Gemini", "OpenAI" and forum partials of L.

struct hand_partial {
    const char* source; // who wrote it, and where in 000_9ea31172f09f9626.txt
    const char* variable;
    const char* formula; // transcribed from the LaTeX
    bool right;          // decided by hand: see the derivation in the test below
};

// By hand: with a = e^(-w1+w3), c = e^(-w2+w4), b = e^(w1+w3), d = e^(w2+w4),
// L = w1 - w3 - w2 - w4 + ln(a + c) + ln(b + d), so
//   dL/dw1 = 1 - a/(a+c) + b/(b+d) =  c/(a+c) + b/(b+d)
//   dL/dw2 = -1 - c/(a+c) + d/(b+d) = -(c/(a+c) + b/(b+d))
//   dL/dw3 = -1 + a/(a+c) + b/(b+d)
//   dL/dw4 = -1 + c/(a+c) + d/(b+d) = (cd - ab)/((a+c)(b+d)) = (e^(2w4) - e^(2w3))/D
// with D = (a+c)(b+d) = e^(2w3) + e^(2w4) + e^(-w1+w2+w3+w4) + e^(w1-w2+w3+w4). Gemini wrote
// L = -(w1 - w3) + ... (line 292: the sign of w1 is lost), hence its dw1 and dw3 are off by 2;
// OpenAI's dw1 has the wrong sign and swaps w1 and w2 in the exponent; its dw3 has +1.
const hand_partial seed000_partials[] = {
    // Gemini, line 296
    {"Gemini dL/dw1 (line 296)", "w1",
     "-1 + exp(-w1+w3)*(-1)/(exp(-w1+w3)+exp(-w2+w4)) + exp(w1+w3)/(exp(w1+w3)+exp(w2+w4))", false},
    // Gemini, line 298
    {"Gemini dL/dw2 (line 298)", "w2",
     "-1 + exp(-w2+w4)*(-1)/(exp(-w1+w3)+exp(-w2+w4)) + exp(w2+w4)/(exp(w1+w3)+exp(w2+w4))", true},
    // Gemini, line 300
    {"Gemini dL/dw3 (line 300)", "w3",
     "1 + exp(-w1+w3)/(exp(-w1+w3)+exp(-w2+w4)) + exp(w1+w3)/(exp(w1+w3)+exp(w2+w4))", false},
    // Gemini, line 302
    {"Gemini dL/dw4 (line 302)", "w4",
     "-1 + exp(-w2+w4)/(exp(-w1+w3)+exp(-w2+w4)) + exp(w2+w4)/(exp(w1+w3)+exp(w2+w4))", true},
    // OpenAI, line 317
    {"OpenAI dL/dw1 (line 317)", "w1",
     "-(exp(2*w3) + exp(2*w4) + 2*exp(-w1+w2+w3+w4))"
     "/(exp(2*w3) + exp(2*w4) + exp(-w1+w2+w3+w4) + exp(w1-w2+w3+w4))",
     false},
    // OpenAI, line 321
    {"OpenAI dL/dw2 (line 321)", "w2",
     "-(exp(2*w3) + exp(2*w4) + 2*exp(w1-w2+w3+w4))"
     "/(exp(2*w3) + exp(2*w4) + exp(-w1+w2+w3+w4) + exp(w1-w2+w3+w4))",
     true},
    // OpenAI, line 325
    {"OpenAI dL/dw3 (line 325)", "w3",
     "1 + exp(w1+w3)/(exp(w1+w3)+exp(w2+w4)) + exp(-w1+w3)/(exp(-w1+w3)+exp(-w2+w4))", false},
    // OpenAI, line 329
    {"OpenAI dL/dw4 (line 329)", "w4",
     "(-exp(2*w3) + exp(2*w4))"
     "/(exp(2*w3) + exp(2*w4) + exp(-w1+w2+w3+w4) + exp(w1-w2+w3+w4))",
     true},
    // Forum, Ludmila R, lines 506-540 (the LaTeX is flattened one symbol per line there):
    // dL/dw1 = e^(-w2+w4)/(e^(-w1+w3)+e^(-w2+w4)) + e^(w1+w3)/(e^(w1+w3)+e^(w2+w4))
    {"forum (Ludmila R) dL/dw1 (lines 506-540)", "w1",
     "exp(-w2+w4)/(exp(-w1+w3)+exp(-w2+w4)) + exp(w1+w3)/(exp(w1+w3)+exp(w2+w4))", true},
};

BOOST_AUTO_TEST_CASE(seed000_hand_partials_get_the_right_verdicts_with_checked_witnesses) {
    timing_log log{"seed 000"};
    const ex loss = parse(seed000_loss);
    std::mt19937_64 rng(symgrad::test::seed(2000, "seed000 oracle points"));
    for (const auto& h : seed000_partials) {
        BOOST_TEST_CONTEXT(h.source) {
            const ex w = symgrad::symbol_named(h.variable);
            const ex formula = parse(h.formula);
            const auto r =
                symgrad::verify(parse("diff(" + seed000_loss + ", " + h.variable + ")"), formula);
            log.add(h.source, r);
            BOOST_TEST((r.outcome == (h.right ? verdict::proved : verdict::refuted)),
                       symgrad::format_text(r));
            if (r.outcome == verdict::refuted) {
                check_witness(r, loss.diff(GiNaC::ex_to<GiNaC::symbol>(w)), formula);
                // The left value is the true partial: finite differences agree.
                BOOST_TEST(
                    symgrad::test::close(symgrad::test::finite_difference(loss, w, r.witness),
                                         value_of(r.lhs_value), 1e-30));
            } else {
                // The proof agrees with finite differences at random points.
                for (int i = 0; i < 3; ++i) {
                    const auto p = symgrad::test::random_point(loss, rng);
                    BOOST_TEST(symgrad::test::close(symgrad::test::finite_difference(loss, w, p),
                                                    symgrad::evaluate_numeric(formula, p, 45),
                                                    1e-30));
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(seed000_gemini_first_partial_is_refuted_at_the_origin_with_exact_values) {
    // At w = 0: dL/dw1 = 1/2 + 1/2 = 1 (the forum's value), Gemini's formula gives -1.
    const auto r = symgrad::verify(parse("diff(" + seed000_loss + ", w1)"),
                                   parse(seed000_partials[0].formula));
    BOOST_TEST((r.outcome == verdict::refuted));
    BOOST_TEST(symgrad::format_point(r.witness) == "w1 = 0, w2 = 0, w3 = 0, w4 = 0");
    BOOST_TEST(r.lhs_value == "1");
    BOOST_TEST(r.rhs_value == "-1");
    BOOST_TEST(r.difference == "2");
    BOOST_TEST(r.exact_values);
}

// ---------------------------------------------------------------------------------------------
// Seed 004: properties of the sigmoid f(t) = e^t/(1 + e^t) (exercise 1, lines 432-444).

BOOST_AUTO_TEST_CASE(seed004_sigmoid_properties_are_proved) {
    timing_log log{"seed 004"};
    const std::vector<std::pair<const char*, const char*>> identities = {
        {"sigmoid(-t)", "1 - sigmoid(t)"},                 // f(-t) = 1 - f(t)
        {"diff(sigmoid(t), t)", "sigmoid(t)*sigmoid(-t)"}, // f'(t) = f(t) f(-t)
        {"-diff(sigmoid(-t), t)", "diff(sigmoid(t), t)"},  // f'(-t) = f'(t), chain rule
        {"diff(log(sigmoid(t)), t)", "sigmoid(-t)"},       // d ln f(t)/dt = f(-t)
        {"exp(t)/(1 + exp(t))", "sigmoid(t)"},             // the book's definition
        {"tanh(t)", "2*sigmoid(2*t) - 1"},                 //
        {"softmax(1, z0, z1)", "sigmoid(z1 - z0)"},        // two classes (exercise 3c)
        {"softmax({z0 + c, z1 + c, z2 + c})", "softmax({z0, z1, z2})"}, // shift invariance
    };
    for (const auto& [lhs, rhs] : identities) {
        BOOST_TEST_CONTEXT(lhs << " == " << rhs) {
            const auto r = symgrad::verify(parse(lhs), parse(rhs));
            log.add(std::string(lhs) + " == " + rhs, r);
            BOOST_TEST((r.outcome == verdict::proved), symgrad::format_text(r));
        }
    }
}

BOOST_AUTO_TEST_CASE(the_inverse_of_the_sigmoid_is_proved_only_on_its_domain) {
    // log(t/(1-t)) is defined for 0 < t < 1 only; the proof needs the sign cases t > 0,
    // 1 - t > 0 that the logarithm allows. t is defined everywhere, so the verdict is "equal
    // where both are defined" (not "proved"), with a point outside 0 < t < 1.
    const auto r = symgrad::verify(parse("sigmoid(log(t/(1-t)))"), parse("t"));
    BOOST_TEST_REQUIRE((r.outcome == verdict::equal_where_defined), symgrad::format_text(r));
    const numeric t = GiNaC::ex_to<numeric>(r.witness.at(symgrad::symbol_named("t")));
    BOOST_TEST((t <= 0 || t >= 1), t);
    BOOST_TEST(r.lhs_value.find("undefined") == 0u, r.lhs_value);
    // A wrong inverse is refuted at a point inside 0 < t < 1.
    const ex lhs = parse("sigmoid(log(t/(1+t)))");
    const auto wrong = symgrad::verify(lhs, parse("t"));
    check_witness(wrong, lhs, parse("t"));
    const numeric tw = GiNaC::ex_to<numeric>(wrong.witness.at(symgrad::symbol_named("t")));
    BOOST_TEST((tw > 0 || tw < -1), "t = " << tw << " is inside the domain of log(t/(1+t))");
}

// ---------------------------------------------------------------------------------------------
// Seed 002 at K = 3: homework 18 and 19.

BOOST_AUTO_TEST_CASE(seed002_softmax_and_cross_entropy_derivatives_are_proved_for_every_k_l_y) {
    timing_log log{"seed 002"};
    auto component = [](int k) { return "softmax(" + std::to_string(k) + ", s0, s1, s2)"; };
    for (int k = 0; k < 3; ++k)
        for (int l = 0; l < 3; ++l) {
            // d g_k / d s_l = g_k (I(k = l) - g_l)
            const std::string lhs = "diff(" + component(k) + ", s" + std::to_string(l) + ")";
            const std::string rhs = component(k) + "*(indicator(" + std::to_string(k) + ", " +
                                    std::to_string(l) + ") - " + component(l) + ")";
            const auto r = symgrad::verify(parse(lhs), parse(rhs));
            log.add(lhs, r);
            BOOST_TEST((r.outcome == verdict::proved), lhs << " == " << rhs);
        }
    for (int y = 0; y < 3; ++y)
        for (int l = 0; l < 3; ++l) {
            // R = -log g_y, written both as crossentropy and from the definition:
            // dR/ds_l = g_l - I(y = l)
            const std::string rhs =
                component(l) + " - indicator(" + std::to_string(y) + ", " + std::to_string(l) + ")";
            for (const std::string& loss :
                 {"crossentropy(softmax({s0, s1, s2}), " + std::to_string(y) + ")",
                  "-log(exp(s" + std::to_string(y) + ")/(exp(s0) + exp(s1) + exp(s2)))"}) {
                const std::string lhs = "diff(" + loss + ", s" + std::to_string(l) + ")";
                const auto r = symgrad::verify(parse(lhs), parse(rhs));
                log.add(lhs, r);
                BOOST_TEST((r.outcome == verdict::proved), lhs << " == " << rhs);
            }
        }
}

BOOST_AUTO_TEST_CASE(seed002_cross_entropy_derivative_is_proved_for_a_symbolic_label) {
    // y is a class label: split into its classes, each case exact.
    const auto r = symgrad::verify(parse("diff(crossentropy(softmax({s0, s1, s2}), y), s1)"),
                                   parse("softmax(1, s0, s1, s2) - indicator(y, 1)"));
    BOOST_TEST((r.outcome == verdict::proved), symgrad::format_text(r));
    BOOST_TEST(r.notes.size() == 1u);
    BOOST_TEST(r.notes.at(0).find("the label y") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(seed002_sigmoid_derivative_is_proved_from_the_definition) {
    // Homework 18: sigma' = sigma (1 - sigma), with sigma written out (not the registered rule).
    const auto r =
        symgrad::verify(parse("diff(1/(1 + exp(-z)), z)"), parse("sigmoid(z)*(1 - sigmoid(z))"));
    BOOST_TEST((r.outcome == verdict::proved));
    BOOST_TEST(r.method.find("exp(z)") != std::string::npos, r.method);
}

// ---------------------------------------------------------------------------------------------
// Plausible wrong variants.

BOOST_AUTO_TEST_CASE(plausible_wrong_variants_are_refuted_with_witnesses_that_check_out) {
    timing_log log{"wrong variants"};
    const std::vector<std::pair<std::string, std::string>> wrong = {
        // a sign flip: dR/ds_l = I(y = l) - g_l
        {"diff(crossentropy(softmax({s0, s1, s2}), 1), s1)",
         "indicator(1, 1) - softmax(1, s0, s1, s2)"},
        // a sign flip in the softmax derivative
        {"diff(softmax(0, s0, s1, s2), s1)", "softmax(0, s0, s1, s2)*softmax(1, s0, s1, s2)"},
        // a missing factor x: d/dw1 of -ln Pr(Y = 0) with z0 = w1 x + w3 is -x g_1
        {"diff(-log(softmax(0, w1*x + w3, w2*x + w4)), w1)", "-softmax(1, w1*x + w3, w2*x + w4)"},
        // sigma(1 + sigma)
        {"diff(sigmoid(z), z)", "sigmoid(z)*(1 + sigmoid(z))"},
        // g_l + I(y = l)
        {"diff(crossentropy(softmax({s0, s1, s2}), 2), s2)",
         "softmax(2, s0, s1, s2) + indicator(2, 2)"},
        // the same with a symbolic label
        {"diff(crossentropy(softmax({s0, s1, s2}), y), s0)",
         "softmax(0, s0, s1, s2) + indicator(y, 0)"},
    };
    for (const auto& [lhs_text, rhs_text] : wrong) {
        BOOST_TEST_CONTEXT(lhs_text << " == " << rhs_text) {
            const ex lhs = parse(lhs_text), rhs = parse(rhs_text);
            const auto r = symgrad::verify(lhs, rhs);
            log.add(rhs_text, r);
            check_witness(r, lhs, rhs);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_difference_far_below_the_printed_digits_is_still_certified) {
    const ex lhs = parse("exp(x)"), rhs = parse("exp(x) + exp(-1000)");
    const auto r = symgrad::verify(lhs, rhs);
    BOOST_TEST_REQUIRE((r.outcome == verdict::refuted));
    BOOST_TEST(!r.exact_values);
    BOOST_TEST(r.certified_bits > 0);
    // e^-1000 = 5.07595889754945676529180947957...e-435
    BOOST_TEST(r.difference == "-5.07595889754945676529180947957e-435");
}

// ---------------------------------------------------------------------------------------------
// Domains and piecewise functions.

BOOST_AUTO_TEST_CASE(points_are_sampled_only_where_both_sides_are_defined) {
    const ex lhs = parse("log(t) + log(1 - t)"), rhs = parse("log(t - t^2) + 1/1000");
    const auto r = symgrad::verify(lhs, rhs);
    check_witness(r, lhs, rhs);
    const numeric t = GiNaC::ex_to<numeric>(r.witness.at(symgrad::symbol_named("t")));
    BOOST_TEST((t > 0 && t < 1));
}

BOOST_AUTO_TEST_CASE(a_logarithm_rule_is_equal_only_on_the_common_domain) {
    const auto r = symgrad::verify(parse("log(x^2)"), parse("2*log(x)"));
    BOOST_TEST_REQUIRE((r.outcome == verdict::equal_where_defined), symgrad::format_text(r));
    BOOST_TEST(r.rhs_value.find("undefined") == 0u, r.rhs_value);
    BOOST_TEST(GiNaC::ex_to<numeric>(r.witness.at(symgrad::symbol_named("x"))).is_negative());
}

BOOST_AUTO_TEST_CASE(sides_equal_on_part_of_the_domain_are_refuted_with_that_part_named) {
    const ex lhs = parse("relu(x)"), rhs = parse("x");
    const auto r = symgrad::verify(lhs, rhs);
    check_witness(r, lhs, rhs);
    BOOST_TEST(GiNaC::ex_to<numeric>(r.witness.at(symgrad::symbol_named("x"))).is_negative());
    const std::string notes = [&] {
        std::string s;
        for (const auto& n : r.notes)
            s += n + "\n";
        return s;
    }();
    BOOST_TEST(notes.find("proved equal where x > 0") != std::string::npos, notes);
    BOOST_TEST(notes.find("equal on part of the domain only") != std::string::npos, notes);
}

BOOST_AUTO_TEST_CASE(piecewise_identities_are_proved_case_by_case) {
    for (const auto& [lhs, rhs] : std::vector<std::pair<const char*, const char*>>{
             {"relu(x) + relu(-x)", "abs(x)"},
             {"x*step(x)", "relu(x)"},
             {"diff(relu(w*x + b), w)", "x*step(w*x + b)"},
             {"relu(x - 1) - relu(1 - x)", "x - 1"}}) {
        const auto r = symgrad::verify(parse(lhs), parse(rhs));
        BOOST_TEST((r.outcome == verdict::proved), lhs << " == " << rhs << "\n"
                                                       << symgrad::format_text(r));
    }
}

BOOST_AUTO_TEST_CASE(switch_points_themselves_are_sampled) {
    // step(0) = 1/2, so step^2 and step differ only at the switch.
    const ex lhs = parse("step(x - 1/3)^2"), rhs = parse("step(x - 1/3)");
    const auto r = symgrad::verify(lhs, rhs);
    check_witness(r, lhs, rhs);
    BOOST_TEST(symgrad::format_point(r.witness) == "x = 1/3");
}

// ---------------------------------------------------------------------------------------------
// Vectors and matrices.

BOOST_AUTO_TEST_CASE(lists_compare_component_wise_and_a_refutation_names_the_component) {
    const ex lhs = parse("{sigmoid(x), sigmoid(-x), 1}");
    const ex rhs = parse("{1 - sigmoid(-x), sigmoid(x), 1}");
    const auto r = symgrad::verify(lhs, rhs);
    BOOST_TEST_REQUIRE((r.outcome == verdict::refuted));
    BOOST_TEST(r.component.value() == 1u);
    BOOST_TEST(r.component_name == "[1]");
    BOOST_TEST(r.component_count == 3u);
    check_witness(r, lhs.op(1), rhs.op(1));
    BOOST_TEST(symgrad::format_text(r).find("in component [1] (of 3)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(nested_lists_name_row_and_column) {
    const ex lhs = parse("{{x, 2*x}, {x^2, x^3}}");
    const ex rhs = parse("{{x, x + x}, {x*x, x^2}}");
    const auto r = symgrad::verify(lhs, rhs);
    BOOST_TEST_REQUIRE((r.outcome == verdict::refuted));
    BOOST_TEST(r.component_name == "[1][1]");
    BOOST_TEST(r.component.value() == 3u);
}

BOOST_AUTO_TEST_CASE(ginac_matrices_compare_component_wise) {
    const ex x = symgrad::symbol_named("x");
    const GiNaC::matrix a{{x, 1}, {0, x}};
    const GiNaC::matrix b{{x, 1}, {0, x * 1}};
    BOOST_TEST((symgrad::verify(a, b).outcome == verdict::proved));
    const GiNaC::matrix c{{x, 1}, {1, x}};
    const auto r = symgrad::verify(a, c);
    BOOST_TEST_REQUIRE((r.outcome == verdict::refuted));
    BOOST_TEST(r.component_name == "[1][0]");
    // A row vector is indexed like a list, and compares with one.
    const GiNaC::matrix row{{x, 2 * x}};
    const auto v = symgrad::verify(row, parse("{x, x^2}"));
    BOOST_TEST_REQUIRE((v.outcome == verdict::refuted));
    BOOST_TEST(v.component_name == "[1]");
}

BOOST_AUTO_TEST_CASE(shapes_that_differ_are_an_error_naming_both) {
    try {
        symgrad::verify(parse("{x, y}"), parse("x"));
        BOOST_FAIL("no error");
    } catch (const symgrad::shape_error& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "verify: the left side is a 1x2 vector but the right side is a scalar");
    }
}

// ---------------------------------------------------------------------------------------------
// Probably equal, constants, output.

BOOST_AUTO_TEST_CASE(identities_outside_the_exact_procedure_are_probably_equal_with_counts) {
    const auto r = symgrad::verify(parse("sin(x)^2 + cos(x)^2"), parse("1"));
    BOOST_TEST((r.outcome == verdict::probably_equal));
    BOOST_TEST(r.sample_points == 24u);
    BOOST_TEST(r.agreeing_points == 24u);
    BOOST_TEST(r.agreement_digits == 50);
    BOOST_TEST(symgrad::format_text(r).rfind(
                   "probably equal: the sides agree at 24 sampled point(s) to 50 significant "
                   "digits",
                   0) == 0);
}

BOOST_AUTO_TEST_CASE(sampling_alone_never_claims_a_proof) {
    symgrad::verify_options o;
    o.exact = false;
    o.sample_points = 10;
    const auto r = symgrad::verify(parse("sigmoid(-t)"), parse("1 - sigmoid(t)"), o);
    BOOST_TEST((r.outcome == verdict::probably_equal));
    BOOST_TEST(r.sample_points == 10u);
}

BOOST_AUTO_TEST_CASE(constants_are_decided_exactly) {
    BOOST_TEST(
        (symgrad::verify(parse("log(12)"), parse("2*log(2) + log(3)")).outcome == verdict::proved));
    BOOST_TEST((symgrad::verify(parse("sigmoid(0)"), parse("1/2")).outcome == verdict::proved));
    const auto r = symgrad::verify(parse("log(3)"), parse("1.0986"));
    BOOST_TEST_REQUIRE((r.outcome == verdict::refuted));
    BOOST_TEST(symgrad::format_point(r.witness) == "(no variables)");
    BOOST_TEST(r.lhs_value == "1.09861228866810969139524523692");
}

BOOST_AUTO_TEST_CASE(nowhere_defined_sides_are_an_error) {
    try {
        symgrad::verify(parse("log(-1 - x^2)"), parse("x"));
        BOOST_FAIL("no error");
    } catch (const symgrad::invalid_input& e) {
        BOOST_TEST(std::string(e.what()).rfind(
                       "verify: found no point where both sides are defined", 0) == 0,
                   e.what());
    }
}

BOOST_AUTO_TEST_CASE(an_empty_common_domain_proves_nothing) {
    // sqrt(-2) is not a real number (by hand), so sqrt(-2) = sqrt(-2) + 1 holds nowhere it
    // could be checked. It was "proved": the exact decision assumed -2 >= 0. Found by the
    // perturbation property (seed 1205: logsumexp(..., sqrt(-980), ...) + 10^-4).
    for (const auto& [lhs, rhs] : std::vector<std::pair<std::string, std::string>>{
             {"sqrt(-2)", "sqrt(-2) + 1"},
             {"sqrt(-2)", "1"},
             {"logsumexp(x, sqrt(-2))", "logsumexp(x, sqrt(-2)) + 1/10^4"},
             {"log(softmax(1, sqrt(-18/10), a + 4))",
              "log(softmax(1, sqrt(-18/10), a + 4)) + 1"}}) {
        try {
            const auto r =
                symgrad::verify(symgrad::parse_written(lhs), symgrad::parse_written(rhs));
            BOOST_FAIL(lhs << " vs " << rhs << ": a verdict, " << symgrad::verdict_name(r.outcome));
        } catch (const symgrad::invalid_input& e) {
            BOOST_TEST(std::string(e.what()).rfind(
                           "verify: found no point where both sides are defined", 0) == 0,
                       e.what());
            BOOST_TEST(std::string(e.what()).find("requires -") != std::string::npos, e.what());
        }
    }
    // Where the common domain is not empty, the proof stands.
    BOOST_TEST((symgrad::verify(symgrad::parse_written("sqrt(x) + sqrt(-2 + x)"),
                                symgrad::parse_written("sqrt(-2 + x) + sqrt(x)"))
                    .outcome == verdict::proved));
}

BOOST_AUTO_TEST_CASE(an_open_case_is_searched_for_a_witness_before_probably_equal) {
    // By hand: 986/(x^2 + 654) > 0 everywhere, 986/(x^3 + 654) < 0 for x < -654^(1/3) (about
    // -8.68), so the csgn of their tanh differ there (1 against -1) and nowhere else. With 24
    // points of the usual kinds the region was missed often enough (differential seed 1205)
    // that the verdict was "probably equal".
    const ex lhs = parse("csgn(tanh(986/(x^2 + 654)))"), rhs = parse("csgn(tanh(986/(x^3 + 654)))");
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        symgrad::verify_options o;
        o.seed = seed;
        const auto r = symgrad::verify(lhs, rhs, o);
        BOOST_TEST_REQUIRE((r.outcome == verdict::refuted), "seed " << seed);
        const numeric x = GiNaC::ex_to<numeric>(r.witness.at(symgrad::symbol_named("x")));
        BOOST_TEST((x * x * x + 654).is_negative(), "seed " << seed << ": x = " << x);
        BOOST_TEST(r.lhs_value == "1");
        BOOST_TEST(r.rhs_value == "-1");
    }
}

BOOST_AUTO_TEST_CASE(json_carries_the_evidence) {
    const auto r =
        symgrad::verify(parse("diff(sigmoid(z), z)"), parse("sigmoid(z)*(1 + sigmoid(z))"));
    const auto j = nlohmann::json::parse(symgrad::format_json(r));
    BOOST_TEST(j["verdict"] == "refuted");
    BOOST_TEST(j["witness"]["z"] == "0");
    BOOST_TEST(j["lhs_value"] == "1/4");
    BOOST_TEST(j["rhs_value"] == "3/4");
    BOOST_TEST(j["difference"] == "-1/2");
    BOOST_TEST(j["exact_values"] == true);
    BOOST_TEST(j["sample_points"].get<int>() > 0);
    BOOST_TEST(j["component"].is_null());
    const auto p = nlohmann::json::parse(
        symgrad::format_json(symgrad::verify(parse("sigmoid(-t)"), parse("1 - sigmoid(t)"))));
    BOOST_TEST(p["verdict"] == "proved");
    BOOST_TEST(p["witness"].empty());
}

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_witness) {
    symgrad::verify_options o;
    o.seed = 7;
    const ex lhs = parse("relu(x - 2) + y"), rhs = parse("x - 2 + y");
    const auto a = symgrad::verify(lhs, rhs, o), b = symgrad::verify(lhs, rhs, o);
    BOOST_TEST(symgrad::format_point(a.witness) == symgrad::format_point(b.witness));
}

// ---------------------------------------------------------------------------------------------
// The command.

BOOST_AUTO_TEST_CASE(check_command_exit_status_is_0_1_3_or_2) {
    using symgrad::test::run_command;
    auto proved = run_command({"check", "diff(sigmoid(z), z)", "sigmoid(z)*(1 - sigmoid(z))"});
    BOOST_TEST(proved.status == 0);
    BOOST_TEST(proved.out.rfind("proved: ", 0) == 0, proved.out);
    auto refuted = run_command({"check", "diff(sigmoid(z), z) == sigmoid(z)*(1 + sigmoid(z))"});
    BOOST_TEST(refuted.status == 1);
    BOOST_TEST(refuted.out.rfind("refuted: the sides differ at z = 0\n", 0) == 0, refuted.out);
    BOOST_TEST(refuted.out.find("left side:  1/4") != std::string::npos);
    auto probably = run_command({"check", "sin(x)^2 + cos(x)^2", "1", "--points", "8"});
    BOOST_TEST(probably.status == 3);
    BOOST_TEST(probably.out.rfind("probably equal: the sides agree at 8 sampled point(s)", 0) == 0,
               probably.out);
    auto bad = run_command({"check", "sigmoid(z"});
    BOOST_TEST(bad.status == 2);
    BOOST_TEST(bad.err.find("check: one argument must be an equation") != std::string::npos,
               bad.err);
}

BOOST_AUTO_TEST_CASE(check_command_points_parse_errors_into_the_equation) {
    auto r = symgrad::test::run_command({"check", "x + 1 == x + $"});
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.err.find("<equation>:1:14: unexpected character '$'\n"
                          "    x + 1 == x + $\n"
                          "                 ^") != std::string::npos,
               r.err);
}

BOOST_AUTO_TEST_CASE(check_command_json_and_negative_left_sides) {
    auto r = symgrad::test::run_command({"check", "-log(sigmoid(z))", "softplus(-z)", "--json"});
    BOOST_TEST(r.status == 0);
    const auto j = nlohmann::json::parse(r.out);
    BOOST_TEST(j["verdict"] == "proved");
}

// GiNaC's term order changes from run to run (hashes of symbol serial numbers and addresses);
// copies of the sides over fresh symbols of the same names are in other orders, as other runs
// are. The report must be the same text for every copy: the cases (named in the text printer's
// form, "x1 - x2 > 0", not GiNaC's "-x2+x1 > 0"), the atoms, the witness.
BOOST_AUTO_TEST_CASE(the_report_does_not_depend_on_ginac_term_order) {
    const std::string u = "w1*sigmoid(w2*x + w3*y) + w4*sigmoid(w5*x - w6*y)";
    const std::string v = "w2*x + w3*y", w = "w5*x - w6*y";
    const std::vector<std::pair<std::string, std::string>> pairs{
        {"relu(x1 - x2) + relu(x2 - x1)", "abs(x1 - x2)"},
        {"relu(a - b)*(b - c) + step(c - a)", "relu(b - a)*(c - b) + step(a - c)"},
        {"diff(" + seed000_loss + ", w3)", "sigmoid(w1 - w2 + w3 - w4) - 1"},
        {"{diff(sigmoid(" + u + "), w2), diff(sigmoid(" + u + "), w5)}",
         "{exp(-(" + u + "))/(1 + exp(-(" + u + ")))^2*w1*exp(-(" + v + "))/(1 + exp(-(" + v +
             ")))^2*x, exp(-(" + u + "))/(1 + exp(-(" + u + ")))^2*w4*exp(-(" + w +
             "))/(1 + exp(-(" + w + ")))^2*x}"},
        {"log(sigmoid(a - b)) + log(1 - sigmoid(b - a))", "2*log(sigmoid(a - b))"},
    };
    for (const auto& [l, r] : pairs) {
        const ex lhs = parse(l), rhs = parse(r);
        const std::string want = symgrad::format_text(symgrad::verify(lhs, rhs));
        for (unsigned k = 0; k < 10; ++k) {
            const ex copy = symgrad::test::fresh_symbols_copy(GiNaC::lst{lhs, rhs}, 11 * k + 1);
            BOOST_TEST(symgrad::format_text(symgrad::verify(copy.op(0), copy.op(1))) == want, l);
        }
    }
    const auto r = symgrad::verify(parse(pairs[0].first), parse(pairs[0].second));
    BOOST_TEST(r.method == "exact: the rational normal form of the difference is 0 in each of 3 "
                           "cases: x1 - x2 > 0; x1 - x2 < 0; x1 - x2 = 0");
}

// The exponential atoms of all components are listed once each (the same atom of two
// components was two atoms when compared as GiNaC's print), the shortest six, then a count.
BOOST_AUTO_TEST_CASE(the_proof_names_each_exponential_once_and_at_most_six) {
    const std::string u = "w1*sigmoid(w2*x + w3*y) + w4*sigmoid(w5*x - w6*y) + w7*sigmoid(w8*y)";
    std::string lhs = "{", rhs = "{";
    for (const auto& [weight, inner, factor] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"w2", "w2*x + w3*y", "w1*x"},
             {"w5", "w5*x - w6*y", "w4*x"},
             {"w8", "w8*y", "w7*y"}}) {
        lhs +=
            (lhs.size() > 1 ? ", " : "") + std::string("diff(sigmoid(") + u + "), " + weight + ")";
        rhs += (rhs.size() > 1 ? ", " : "") + std::string("exp(-(") + u + "))/(1 + exp(-(" + u +
               ")))^2*" + factor + "*exp(-(" + inner + "))/(1 + exp(-(" + inner + ")))^2";
    }
    const auto r = symgrad::verify(parse(lhs + "}"), parse(rhs + "}"));
    BOOST_TEST((r.outcome == verdict::proved));
    const std::string& m = r.method;
    const std::string head = "exponentials written as powers of ";
    const auto from = m.find(head);
    BOOST_TEST_REQUIRE(from != std::string::npos, m);
    const auto more = m.find(" more)", from);
    BOOST_TEST_REQUIRE(more != std::string::npos, m);
    const auto and_pos = m.rfind(" and ", more);
    // The listed atoms: split at ", " outside parentheses.
    const std::string list = m.substr(from + head.size(), and_pos - from - head.size());
    std::vector<std::string> atoms;
    int depth = 0;
    std::string current;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const char c = list[i];
        depth += c == '(' ? 1 : (c == ')' ? -1 : 0);
        if (depth == 0 && list.compare(i, 2, ", ") == 0) {
            atoms.push_back(current);
            current.clear();
            ++i;
            continue;
        }
        current += c;
    }
    atoms.push_back(current);
    BOOST_TEST(atoms.size() == 6u, m);
    std::vector<std::string> unique = atoms;
    std::sort(unique.begin(), unique.end());
    BOOST_TEST((std::adjacent_find(unique.begin(), unique.end()) == unique.end()), m);
    BOOST_TEST(m.size() < 600u, m);
}

// ---------------------------------------------------------------------------------------------
// Trust (issue 12): each defect class found by probing, pinned with an oracle that is not the
// verifier (hand-derived values, GiNaC's evalf at 400 digits, the domains written out by hand).

namespace {

symgrad::verify_result check_written(const std::string& lhs, const std::string& rhs,
                                     double timeout = 10) {
    symgrad::verify_options o;
    o.timeout_seconds = timeout;
    return symgrad::verify(symgrad::parse_written(lhs), symgrad::parse_written(rhs), o);
}

/// The value at @p point by GiNaC's evalf at 400 digits (not Arb, not the verifier).
numeric reference_value(const ex& e, const GiNaC::exmap& point) {
    symgrad::precision_guard guard(400);
    const ex v = e.subs(point).evalf();
    BOOST_TEST_REQUIRE(GiNaC::is_exactly_a<numeric>(v));
    return GiNaC::ex_to<numeric>(v);
}

} // namespace

BOOST_AUTO_TEST_CASE(tiny_equal_sides_are_never_refuted) {
    // Class 1: both sides cancel to 5e-435 the same way at 70 and 140 digits.
    for (const auto& [l, r] : std::vector<std::pair<std::string, std::string>>{
             {"abs(1 - sigmoid(1000*x))", "sigmoid(-1000*x)"},
             {"1 - cos(10^-200*x)", "2*sin(10^-200*x/2)^2"},
             {"1 - sigmoid(800*x)", "sigmoid(-800*x)"},
             {"softplus(-1000*x^2)", "log(1 + exp(-1000*x^2))"}}) {
        BOOST_TEST_CONTEXT(l << " == " << r) {
            const auto v = check_written(l, r);
            BOOST_TEST((v.outcome != verdict::refuted), symgrad::format_text(v));
        }
    }
}

BOOST_AUTO_TEST_CASE(a_tiny_true_difference_is_refuted_with_certified_digits) {
    // Class 4's first example used to hang: log(1 + e^-1000) - e^-1000 = -e^-2000/2 + ... .
    const auto v = check_written("log(1 + exp(-1000))", "exp(-1000)");
    BOOST_TEST_REQUIRE((v.outcome == verdict::refuted), symgrad::format_text(v));
    const numeric d = reference_value(parse("log(1 + exp(-1000)) - exp(-1000)"), {});
    BOOST_TEST(d < 0);
    BOOST_TEST(symgrad::test::close(d, value_of(v.difference), 1e-25), v.difference << " vs " << d);
    BOOST_TEST(v.certified_bits > 0);
}

BOOST_AUTO_TEST_CASE(witnesses_lie_in_the_domain_as_written) {
    // Class 2: GiNaC turns sqrt(x)*sqrt(x) into x; the left side as written is not real for
    // x < 0, so x = -2 is no witness. On x >= 0 the sides are equal.
    const auto v = check_written("sqrt(x)*sqrt(x)", "abs(x)");
    BOOST_TEST_REQUIRE((v.outcome == verdict::equal_where_defined), symgrad::format_text(v));
    const ex x = symgrad::symbol_named("x");
    BOOST_TEST_REQUIRE(v.witness.count(x) == 1u);
    BOOST_TEST(GiNaC::ex_to<numeric>(v.witness.at(x)).is_negative()); // where sqrt(x) is not real
    BOOST_TEST(v.lhs_value.find("undefined") == 0u, v.lhs_value);
    for (const auto& [l, r] : std::vector<std::pair<std::string, std::string>>{
             {"sqrt(x)^2", "x"}, {"exp(log(x))", "x"}, {"x/x", "1"}}) {
        const auto w = check_written(l, r);
        BOOST_TEST((w.outcome == verdict::equal_where_defined),
                   l << ": " << symgrad::format_text(w));
    }
    // A refutation of sqrt(x)^2 against -x must come from x > 0 (where the left side is real).
    const auto refuted = check_written("sqrt(x)^2", "-x");
    BOOST_TEST_REQUIRE((refuted.outcome == verdict::refuted));
    BOOST_TEST(GiNaC::ex_to<numeric>(refuted.witness.at(x)).is_positive());
}

BOOST_AUTO_TEST_CASE(a_domain_mismatch_is_not_called_proved) {
    // Class 3, with the witness checked by hand: one side's conditions hold, the other's fail.
    const ex a = symgrad::symbol_named("a"), b = symgrad::symbol_named("b"),
             x = symgrad::symbol_named("x");
    const auto v = check_written("log(a*b)", "log(a) + log(b)");
    BOOST_TEST_REQUIRE((v.outcome == verdict::equal_where_defined), symgrad::format_text(v));
    const numeric wa = GiNaC::ex_to<numeric>(v.witness.at(a)),
                  wb = GiNaC::ex_to<numeric>(v.witness.at(b));
    BOOST_TEST((wa * wb).is_positive());                  // log(a*b) is defined
    BOOST_TEST((!wa.is_positive() || !wb.is_positive())); // log(a) + log(b) is not
    const auto w = check_written("log(x^2)", "2*log(x)");
    BOOST_TEST_REQUIRE((w.outcome == verdict::equal_where_defined), symgrad::format_text(w));
    BOOST_TEST(!GiNaC::ex_to<numeric>(w.witness.at(x)).is_positive());
    BOOST_TEST(!GiNaC::ex_to<numeric>(w.witness.at(x)).is_zero());
    // Same domains: still proved.
    BOOST_TEST((check_written("log(x^2)", "2*log(abs(x))").outcome == verdict::proved));
    BOOST_TEST((check_written("log(a) + log(b)", "log(b) + log(a)").outcome == verdict::proved));
    BOOST_TEST((check_written("sigmoid(z)", "1/(1 + exp(-z))").outcome == verdict::proved));
}

BOOST_AUTO_TEST_CASE(switch_points_where_a_side_is_undefined_raise_no_internal_error) {
    // Class 5: the case x = 0 of abs(x) or relu(x) substituted log(0) or 1/0 into GiNaC.
    const auto v = check_written("relu(x)/x", "step(x)");
    BOOST_TEST_REQUIRE((v.outcome == verdict::equal_where_defined), symgrad::format_text(v));
    BOOST_TEST(v.witness.at(symgrad::symbol_named("x")).is_zero()); // relu(0)/0 is undefined
    const std::string text = symgrad::format_text(v);
    BOOST_TEST(text.find("eval()") == std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(a_false_identity_away_from_small_magnitudes_is_refuted) {
    // Class 6: the sides differ only for x > 10^6.
    const auto v = check_written("sqrt((x - 10^6)^2)", "10^6 - x");
    BOOST_TEST_REQUIRE((v.outcome == verdict::refuted), symgrad::format_text(v));
    const ex x = symgrad::symbol_named("x");
    BOOST_TEST(GiNaC::ex_to<numeric>(v.witness.at(x)) > 1000000);
    const numeric l = reference_value(parse("sqrt((x - 10^6)^2)"), v.witness);
    const numeric r = reference_value(parse("10^6 - x"), v.witness);
    BOOST_TEST(symgrad::test::close(l - r, value_of(v.difference), 1e-25));
}

BOOST_AUTO_TEST_CASE(every_verdict_comes_within_its_budget) {
    // Class 4: the exact decision factored t^200 + 1 for minutes. The identity is true.
    const auto start = std::chrono::steady_clock::now();
    const auto v = check_written("softplus(200*x) - 200*x", "softplus(-200*x)", 4);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    BOOST_TEST_MESSAGE("softplus(200x) - 200x == softplus(-200x): "
                       << symgrad::verdict_name(v.outcome) << " in " << seconds << " s");
    BOOST_TEST((v.outcome == verdict::proved || v.outcome == verdict::probably_equal),
               symgrad::format_text(v));
}

BOOST_AUTO_TEST_CASE(sides_beyond_clns_range_or_precision_are_compared_in_balls) {
    // Found by the differential tests: at large a the sides are about 10^(-10^13), past the
    // exponents of CLN's floats; CLN's "floating point underflow." reached the user. The sides
    // differ by 10^-33 everywhere (by construction), so a certified witness exists.
    for (const auto& [l, r] :
         {std::pair<const char*, const char*>{"exp(-200*(a^2 + 3)^(3/2))",
                                              "exp(-200*(a^2 + 3)^(3/2)) + 10^(-33)"},
          {"exp(-b^2)^(-1/2)", "exp(-b^2)^(-1/2) + 10^(-40)*(1 + x^2)"},
          {"exp(-10^20*a^2)", "exp(-10^20*a^2) + 10^(-30)"},
          // 1 - sigmoid(10^150 + ...) cancels below every precision as written: the balls of
          // its stable form sigmoid(-10^150 - ...) resolve the 10^-3 (was "probably equal").
          {"logloss(1 - sigmoid(logsumexp(b, b/1000, 10^150) - 1000), 1)",
           "logloss(1 - sigmoid(logsumexp(b, b/1000, 10^150) - 1000), 1) + 10^(-3)"}}) {
        const auto v = check_written(l, r);
        BOOST_TEST_INFO(l << " vs " << r << ": " << symgrad::format_text(v));
        BOOST_TEST((v.outcome == verdict::refuted));
        BOOST_TEST(symgrad::format_text(v).find("floating point") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(nested_fractional_powers_are_never_proved_equal_to_the_wrong_power) {
    // Found by the differential tests: GiNaC 1.8's normal() maps (x^(3/2))^(3/2) to x^(3/2).
    // By hand at x = 16: (16^(3/2))^(3/2) = 64^(3/2) = 512, while 16^(3/2) = 64.
    const auto v = check_written("(x^(3/2))^(3/2)", "x^(3/2)");
    BOOST_TEST_REQUIRE((v.outcome == verdict::refuted), symgrad::format_text(v));
    const ex simplified = symgrad::simplify(parse("(x^(5/2))^(5/2)"));
    const GiNaC::exmap at16{{symgrad::symbol_named("x"), 16}};
    BOOST_TEST(symgrad::evaluate_numeric(simplified, at16, 20) ==
               symgrad::evaluate_numeric(parse("(x^(5/2))^(5/2)"), at16, 20));
    BOOST_TEST(symgrad::evaluate_numeric(simplified, at16, 20) == numeric(33554432)); // 2^25
}

BOOST_AUTO_TEST_SUITE_END()
