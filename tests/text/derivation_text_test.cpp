// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// Reading derivations (text/derivation_text.hpp): which statements are definitions, which are
// claims and what each claim is compared with, on small hand-made texts in Markdown with LaTeX
// and in symgrad's language. Values are compared with expressions written by hand and read by
// symgrad::parse; lines and columns are counted by hand.
#include "symgrad/core/error.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/text/derivation_text.hpp"
#include "symgrad/text/parser.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using GiNaC::ex;
using symgrad::derivation_syntax;
using symgrad::parse;

namespace {

symgrad::derivation read_md(const std::string& text, bool skip_unread_display = false) {
    return symgrad::read_derivation(text, "notes.md", derivation_syntax::latex,
                                    skip_unread_display);
}

symgrad::derivation read_sg(const std::string& text) {
    return symgrad::read_derivation(text, "steps.txt", derivation_syntax::symgrad);
}

bool same(const ex& a, const std::string& by_hand) {
    return (a - parse(by_hand)).expand().normal().is_zero();
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(derivation_text)

BOOST_AUTO_TEST_CASE(definitions_are_not_claims_and_later_lines_use_them) {
    const auto d = read_md("Let\n\n$$z = w x + b$$\n\nand\n\n$$L = z^2$$\n\n"
                           "$$\\frac{\\partial L}{\\partial w} = 2 (w x + b) x$$\n");
    BOOST_TEST(d.source == "notes.md");
    BOOST_TEST(d.blocks == 3u);
    BOOST_TEST(d.unread_blocks == 0u);
    BOOST_TEST((d.definitions == std::vector<std::string>{"line 3: z", "line 7: L"}));
    BOOST_TEST_REQUIRE(d.claims.size() == 1u);
    const auto& c = d.claims[0];
    // The derivative line: checked against the true derivative of L = (w x + b)^2.
    BOOST_TEST(c.line == 9u);
    BOOST_TEST(c.column == 35u);
    BOOST_TEST(c.written == "2 (w x + b) x");
    BOOST_TEST(c.reference_written == "\\frac{\\partial L}{\\partial w}");
    BOOST_TEST(c.reference_name == "the derivative of L by w");
    BOOST_TEST(same(c.claimed.value, "2*(w*x + b)*x"));
    BOOST_TEST(same(c.reference.value, "2*(w*x + b)*x"));
    BOOST_TEST_REQUIRE(c.function.has_value());
    BOOST_TEST(same(*c.function, "(w*x + b)^2"));
    BOOST_TEST(c.function_name == "L");
    BOOST_TEST(c.variable.is_equal(symgrad::symbol_named("w")));
    BOOST_TEST(!c.restated_function.has_value());
    BOOST_TEST(c.source_line == "$$\\frac{\\partial L}{\\partial w} = 2 (w x + b) x$$");
}

BOOST_AUTO_TEST_CASE(a_restatement_is_compared_with_the_latest_statement_of_the_name) {
    const auto d = read_md("$$L(w) = (w-1)^2$$\n$$L(w) = w^2 - 2w + 1$$\n$$L(w) = w^2 - 2 w$$\n");
    BOOST_TEST((d.definitions == std::vector<std::string>{"line 1: L(w)"}));
    BOOST_TEST_REQUIRE(d.claims.size() == 2u);
    BOOST_TEST(d.claims[0].line == 2u);
    BOOST_TEST(d.claims[0].column == 10u);
    BOOST_TEST(d.claims[0].subject == "L");
    BOOST_TEST(d.claims[0].reference_name == "line 1");
    BOOST_TEST(same(d.claims[0].reference.value, "(w-1)^2"));
    BOOST_TEST(d.claims[0].written == "w^2 - 2w + 1");
    // The third line is compared with the second (the latest), not with the definition.
    BOOST_TEST(d.claims[1].reference_name == "line 2");
    BOOST_TEST(same(d.claims[1].reference.value, "w^2 - 2*w + 1"));
    BOOST_TEST(same(d.claims[1].claimed.value, "w^2 - 2*w"));
    // The written terms, each with its value.
    BOOST_TEST_REQUIRE(d.claims[0].claimed_terms.size() == 3u);
    BOOST_TEST(d.claims[0].claimed_terms[1].text == "-2w");
    BOOST_TEST(same(d.claims[0].claimed_terms[1].value, "-2*w"));
}

BOOST_AUTO_TEST_CASE(rows_starting_with_equals_continue_the_row_before) {
    const auto d = read_md("\\begin{align*}\n"
                           "L &= (w - 1)^2 \\\\\n"
                           "  &= w^2 - 2w + 1 \\\\\n"
                           "  &= w^2 + 1\n"
                           "\\end{align*}\n"
                           "and $-2(2 - 0) \\cdot 1 = -4$.\n");
    BOOST_TEST(d.blocks == 2u);
    BOOST_TEST((d.definitions == std::vector<std::string>{"line 2: L"}));
    BOOST_TEST_REQUIRE(d.claims.size() == 3u);
    // Row 2 (line 3) continues L's definition, row 3 (line 4) continues row 2.
    BOOST_TEST(d.claims[0].line == 3u);
    BOOST_TEST(d.claims[0].column == 6u);
    BOOST_TEST(d.claims[0].reference_name == "line 2");
    BOOST_TEST(d.claims[0].subject == "L");
    BOOST_TEST(same(d.claims[0].reference.value, "(w-1)^2"));
    BOOST_TEST(d.claims[1].line == 4u);
    BOOST_TEST(d.claims[1].reference_name == "line 3");
    BOOST_TEST(same(d.claims[1].claimed.value, "w^2 + 1"));
    // An equation of numbers in prose: each part equal to the one before it.
    BOOST_TEST(d.claims[2].line == 6u);
    BOOST_TEST(same(d.claims[2].claimed.value, "-4"));
    BOOST_TEST(same(d.claims[2].reference.value, "-4"));
    BOOST_TEST(d.claims[2].reference_written == "-2(2 - 0) \\cdot 1");
    BOOST_TEST(d.claims[2].subject.empty());
}

BOOST_AUTO_TEST_CASE(a_row_ending_with_equals_continues_on_the_next_row) {
    const auto d = read_md("$$\nL = (w + 1)^2 \\\\\n(w + 1)^2 = \\\\\n= w^2 + 2 w + 1\n$$\n");
    BOOST_TEST_REQUIRE(d.claims.size() == 1u);
    BOOST_TEST(d.claims[0].line == 4u);
    BOOST_TEST(same(d.claims[0].reference.value, "(w+1)^2"));
    BOOST_TEST(same(d.claims[0].claimed.value, "w^2 + 2*w + 1"));
}

BOOST_AUTO_TEST_CASE(a_line_starting_with_equals_needs_an_equation_before_it) {
    try {
        (void)read_md("Intro.\n\n$$= w^2$$\n");
        BOOST_TEST_FAIL("no error");
    } catch (const symgrad::parse_error& e) {
        BOOST_TEST(contains(e.message(), "continues the equation before it"));
        BOOST_TEST(e.line() == 3u);
        BOOST_TEST(e.source() == "notes.md");
    }
}

BOOST_AUTO_TEST_CASE(derivative_heads_in_latex_and_in_symgrad_syntax) {
    // LaTeX: \frac{\partial L}{\partial w_1} with L written in w_1 (read w1).
    const auto d = read_md("$$L = (w_1 - 3)^2 + w_2$$\n\n"
                           "$$\\frac{\\partial L}{\\partial w_1} = 2(w_1 - 3) = 2 w_1 - 6$$\n");
    BOOST_TEST_REQUIRE(d.claims.size() == 2u);
    BOOST_TEST(d.claims[0].reference_name == "the derivative of L by w1");
    BOOST_TEST(d.claims[0].variable.is_equal(symgrad::symbol_named("w1")));
    BOOST_TEST(same(d.claims[0].reference.value, "2*(w1 - 3)"));
    // The chain goes on: the second part is compared with the first, on the same line.
    BOOST_TEST(!d.claims[1].function.has_value());
    BOOST_TEST(same(d.claims[1].reference.value, "2*w1 - 6"));
    BOOST_TEST(contains(d.claims[1].reference_name, "line 3"));

    // \frac{dL}{dw} too.
    const auto e = read_md("$$L = w^3$$\n$$\\frac{dL}{dw} = 3 w^2$$\n");
    BOOST_TEST_REQUIRE(e.claims.size() == 1u);
    BOOST_TEST(same(e.claims[0].reference.value, "3*w^2"));
    BOOST_TEST(e.claims[0].function_name == "L");

    // symgrad's language: diff(L, w1), one statement a line, # comments.
    const auto s = read_sg("# a derivation\nL = (w1 - 3)^2\ndiff(L, w1) = 2*(w1 - 3)\n"
                           "L = w1^2 - 6*w1 + 9   # restated\n= w1^2 - 6*w1\n");
    BOOST_TEST(s.blocks == 4u);
    BOOST_TEST((s.definitions == std::vector<std::string>{"line 2: L"}));
    BOOST_TEST_REQUIRE(s.claims.size() == 3u);
    BOOST_TEST(s.claims[0].line == 3u);
    BOOST_TEST(s.claims[0].column == 15u);
    BOOST_TEST(s.claims[0].reference_name == "the derivative of L by w1");
    BOOST_TEST(same(s.claims[0].reference.value, "2*w1 - 6"));
    BOOST_TEST(s.claims[1].line == 4u);
    BOOST_TEST(s.claims[1].reference_name == "line 2");
    BOOST_TEST(s.claims[1].written == "w1^2 - 6*w1 + 9");
    BOOST_TEST(s.claims[2].line == 5u);
    BOOST_TEST(s.claims[2].reference_name == "line 4");
    BOOST_TEST(s.claims[2].subject == "L");
}

BOOST_AUTO_TEST_CASE(a_derivative_after_a_restatement_knows_both_functions) {
    const auto d = read_md("$$L(w) = (w - 1)^2$$\n$$L(w) = w^2 - w + 1$$\n"
                           "$$\\frac{\\partial L}{\\partial w} = 2 w - 1$$\n");
    BOOST_TEST_REQUIRE(d.claims.size() == 2u);
    const auto& c = d.claims[1];
    BOOST_TEST_REQUIRE(c.function.has_value());
    BOOST_TEST(same(*c.function, "(w - 1)^2")); // as first defined
    BOOST_TEST(same(c.reference.value, "2*w - 2"));
    BOOST_TEST_REQUIRE(c.restated_function.has_value());
    BOOST_TEST(same(*c.restated_function, "w^2 - w + 1"));
    BOOST_TEST(c.restated_line == 2u);
}

BOOST_AUTO_TEST_CASE(functions_the_text_defines_are_called_and_differentiated) {
    const auto d = read_md("$$f(t) = t^2 + 1$$\n"
                           "$$f(3) = 10$$\n"
                           "$$f'(2) = 4$$\n"
                           "$$f(t) = t^2 + 2$$\n");
    BOOST_TEST((d.definitions == std::vector<std::string>{"line 1: f(t)"}));
    BOOST_TEST_REQUIRE(d.claims.size() == 3u);
    // f(3) = 10: 10 compared with f(3), the body at t = 3.
    BOOST_TEST(same(d.claims[0].reference.value, "10"));
    BOOST_TEST(same(d.claims[0].claimed.value, "10"));
    // f'(2) = 4: the derivative 2t at t = 2.
    BOOST_TEST(same(d.claims[1].reference.value, "4"));
    // f(t) = ... again, with the same parameter: a restatement, compared with line 1.
    BOOST_TEST(d.claims[2].line == 4u);
    BOOST_TEST(d.claims[2].reference_name == "line 1");
    BOOST_TEST(same(d.claims[2].reference.value, "t^2 + 1"));
    BOOST_TEST(same(d.claims[2].claimed.value, "t^2 + 2"));
}

BOOST_AUTO_TEST_CASE(a_function_defined_again_with_other_parameters_is_a_new_definition) {
    const auto d = read_md("$$f(t) = t^2$$\n$$f(x, y) = x y$$\n$$f(2, 3) = 6$$\n");
    BOOST_TEST((d.definitions == std::vector<std::string>{"line 1: f(t)", "line 2: f(x, y)"}));
    BOOST_TEST_REQUIRE(d.claims.size() == 1u);
    BOOST_TEST(same(d.claims[0].reference.value, "6"));
    BOOST_TEST(d.claims[0].line == 3u);
}

// After f(t) = ..., f(x) = ... is documented (derivation_text.cpp, head_of) as a call, so a
// claim compared with f(x); it is read as a new definition instead, and a wrong body goes
// unchecked. Fixed: a restatement with its parameter renamed is checked.
BOOST_AUTO_TEST_CASE(the_same_function_at_another_name_of_its_argument_is_checked) {
    const auto d = read_md("$$f(t) = t^2 + 1$$\n$$f(x) = x^2 + 2$$\n");
    BOOST_TEST(d.definitions.size() == 1u);
    BOOST_TEST(d.claims.size() == 1u);
}

// \sigma cannot be defined as a name (a noise level, a standard deviation): $$\sigma = 2$$ is
// "'\sigma' needs its argument" (and a defined sigma would not read either: latex_test).
BOOST_AUTO_TEST_CASE(sigma_can_be_defined_as_a_name) {
    symgrad::derivation d;
    BOOST_CHECK_NO_THROW(d = read_md("$$\\sigma = 2$$\n$$L(w) = \\sigma w^2$$\n"));
    BOOST_TEST((d.definitions == std::vector<std::string>{"line 1: sigma", "line 2: L(w)"}));
}

BOOST_AUTO_TEST_CASE(inline_maths_that_cannot_be_read_is_skipped_with_its_reason) {
    const auto d = read_md("For $i = 1, 2, 3$ we have $x \\approx 2$.\n\n$$b = 2$$\n\n"
                           "$$b + 1 = 3$$\n");
    BOOST_TEST(d.blocks == 4u);
    BOOST_TEST(d.unread_blocks == 2u);
    BOOST_TEST_REQUIRE(d.skipped.size() == 2u);
    BOOST_TEST(d.skipped[0].line == 1u);
    BOOST_TEST(d.skipped[0].text == "i = 1, 2, 3");
    BOOST_TEST(!d.skipped[0].reason.empty());
    BOOST_TEST(d.skipped[1].line == 1u);
    BOOST_TEST(d.skipped[1].column == 30u); // the \approx
    BOOST_TEST(contains(d.skipped[1].reason, "\\approx"));
    BOOST_TEST(d.skipped[1].text == "x \\approx 2");
    // The rest is read.
    BOOST_TEST((d.definitions == std::vector<std::string>{"line 3: b"}));
    BOOST_TEST_REQUIRE(d.claims.size() == 1u);
    BOOST_TEST(same(d.claims[0].reference.value, "3"));
}

BOOST_AUTO_TEST_CASE(display_maths_that_cannot_be_read_is_an_error_at_its_place) {
    const std::string text = "Intro.\n\n$$\nL = w^2 \\\\\n  \\nabla w = 1\n$$\n\n$$a = 1$$\n";
    try {
        (void)read_md(text);
        BOOST_TEST_FAIL("no error");
    } catch (const symgrad::parse_error& e) {
        BOOST_TEST(contains(e.message(), "\\nabla"));
        BOOST_TEST(e.line() == 5u);
        BOOST_TEST(e.column() == 3u);
        BOOST_TEST(e.line_text() == "  \\nabla w = 1");
        BOOST_TEST(e.source() == "notes.md");
    }
    // Counting instead: the block is unread and listed, the rest is read.
    const auto d = read_md(text, true);
    BOOST_TEST(d.blocks == 2u);
    BOOST_TEST(d.unread_blocks == 1u);
    BOOST_TEST_REQUIRE(d.skipped.size() == 1u);
    BOOST_TEST(d.skipped[0].line == 5u);
    BOOST_TEST(d.skipped[0].column == 3u);
    BOOST_TEST((d.definitions == std::vector<std::string>{"line 4: L", "line 8: a"}));
}

BOOST_AUTO_TEST_CASE(an_error_in_symgrad_syntax_is_located_in_the_file) {
    try {
        (void)read_sg("L = w^2\n\ndiff(L, w) = 2*w +\n");
        BOOST_TEST_FAIL("no error");
    } catch (const symgrad::parse_error& e) {
        BOOST_TEST(e.line() == 3u);
        BOOST_TEST(e.source() == "steps.txt");
    }
}

BOOST_AUTO_TEST_CASE(the_syntax_follows_the_file_name_and_the_text) {
    using symgrad::derivation_syntax_of;
    BOOST_TEST((derivation_syntax_of("steps.txt", "L = w^2") == derivation_syntax::symgrad));
    BOOST_TEST((derivation_syntax_of("steps.sg", "L = w^2") == derivation_syntax::symgrad));
    BOOST_TEST((derivation_syntax_of("dir.txt/steps.md", "L = w^2") == derivation_syntax::latex));
    BOOST_TEST((derivation_syntax_of("steps.md", "L = w^2") == derivation_syntax::latex));
    BOOST_TEST((derivation_syntax_of("steps", "L = w^2") == derivation_syntax::latex));
    // A .txt file with maths in it is Markdown with LaTeX.
    BOOST_TEST((derivation_syntax_of("steps.txt", "so $L = w^2$") == derivation_syntax::latex));
    BOOST_TEST((derivation_syntax_of("steps.txt", "\\[L = w^2\\]") == derivation_syntax::latex));
    BOOST_TEST((derivation_syntax_of("steps.txt", "\\begin{align}L &= w\\end{align}") ==
                derivation_syntax::latex));
}

BOOST_AUTO_TEST_CASE(text_without_equations_has_no_claims) {
    const auto d = read_md("Just prose, and $x$ and $$y + 1$$.\n");
    BOOST_TEST(d.claims.empty());
    BOOST_TEST(d.definitions.empty());
    BOOST_TEST(d.blocks == 2u);
    BOOST_TEST(read_md("").claims.empty());
}

// After a line headed \sigma'(z), \sigma written alone is \sigma(z); but \sigma (w x), with a
// space before the bracket (typeset the same as \sigma(w x)), is read as \sigma(z) times (w x):
// here L becomes sigmoid(z) w x and the right derivative line below reads wrong.
BOOST_AUTO_TEST_CASE(a_space_before_the_bracket_keeps_a_sigmoid_call) {
    const auto d =
        read_md("$$\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$$\n"
                "$$L(w) = \\sigma (w x)$$\n"
                "$$\\frac{\\partial L}{\\partial w} = \\sigma(w x)(1 - \\sigma(w x)) x$$\n");
    BOOST_TEST_REQUIRE(d.claims.size() == 2u);
    BOOST_TEST_REQUIRE(d.claims[1].function.has_value());
    BOOST_TEST(same(*d.claims[1].function, "sigmoid(w*x)"), "L read as " << *d.claims[1].function);
}

// L defined without its argument list and restated with one, L(w) = ..., is taken as a new
// definition (other parameters), so a wrong restatement is never checked: no claim, status 0.
BOOST_AUTO_TEST_CASE(a_restatement_with_an_argument_list_is_checked) {
    const auto d = read_md("$$L = (w-1)^2$$\n$$L(w) = w^2 + 5$$\n");
    BOOST_TEST((d.definitions == std::vector<std::string>{"line 1: L"}));
    BOOST_TEST(d.claims.size() == 1u);
    if (d.claims.size() == 1u)
        BOOST_TEST(same(d.claims[0].reference.value, "(w-1)^2"));
}

BOOST_AUTO_TEST_SUITE_END()
