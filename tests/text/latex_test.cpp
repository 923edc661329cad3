// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// The LaTeX reader (text/latex.hpp): Markdown's maths blocks and rows on hand-made texts, and
// translations compared by VALUE with expressions written by hand in symgrad's language and
// read by symgrad::parse (never with an earlier translation), equal when GiNaC's normal form of
// the difference is 0 or verify() proves them. Errors are checked for their message and for
// their line and column in the LaTeX, counted by hand.
#include "symgrad/core/error.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/text/latex.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/text/source_text.hpp"
#include "symgrad/text/tensor_expression.hpp"
#include "symgrad/verify/verify.hpp"

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <utility>
#include <vector>

using GiNaC::ex;
using symgrad::parse;

namespace {

symgrad::text_origin origin() {
    symgrad::text_origin o;
    o.source = "notes.md";
    return o;
}

/// The maths of each block of @p markdown, and whether it is display maths.
std::vector<std::pair<std::string, bool>> blocks_of(const std::string& markdown) {
    std::vector<std::pair<std::string, bool>> out;
    for (const auto& b : symgrad::find_math_blocks(markdown)) {
        BOOST_TEST_REQUIRE(b.begin <= b.end);
        BOOST_TEST_REQUIRE(b.end <= markdown.size());
        out.emplace_back(markdown.substr(b.begin, b.end - b.begin), b.display);
    }
    return out;
}

std::vector<std::string> rows_of(const std::string& text) {
    std::vector<std::string> out;
    for (const auto& [b, e] : symgrad::math_rows(text, 0, text.size()))
        out.push_back(text.substr(b, e - b));
    return out;
}

/// @p latex translated, checked for the shape of its byte map.
symgrad::latex_translation translated(const symgrad::source_text& src,
                                      const symgrad::latex_names& names = {}) {
    const auto t = symgrad::translate_latex(src, 0, src.text().size(), names);
    BOOST_TEST_REQUIRE(t.offsets.size() == t.text.size() + 1);
    for (std::size_t o : t.offsets)
        BOOST_TEST_REQUIRE(o <= src.text().size());
    return t;
}

/// The value of the one statement of @p latex, read by the grammar from the translation.
ex latex_value(const std::string& latex, const symgrad::latex_names& names = {},
               symgrad::tensor_names tn = {}) {
    const symgrad::source_text src(latex, origin());
    const auto t = translated(src, names);
    BOOST_TEST_REQUIRE(t.statements.size() == 1u, latex << " -> " << t.text);
    const symgrad::source_text mapped(t.text, src, t.offsets);
    tn.allow_new_symbols = true;
    return symgrad::read_tensor_expression(mapped, t.statements[0].first, t.statements[0].second,
                                           tn)
        .value;
}

bool same_value(const ex& a, const ex& b) {
    if ((a - b).expand().normal().is_zero())
        return true;
    symgrad::verify_options o;
    o.timeout_seconds = 10;
    return symgrad::verify(a, b, o).outcome == symgrad::verdict::proved;
}

/// The parse_error that translating (and reading) @p latex throws.
struct located {
    std::string message;
    std::size_t line = 0, column = 0;
    std::string line_text;
};

located error_of(const std::string& latex, const symgrad::latex_names& names = {}) {
    try {
        (void)latex_value(latex, names);
    } catch (const symgrad::parse_error& e) {
        BOOST_TEST(e.source() == "notes.md");
        return {e.message(), e.line(), e.column(), e.line_text()};
    }
    BOOST_TEST_FAIL("no parse_error for " << latex);
    return {};
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(latex)

// ---------------------------------------------------------------------------------------------
// Markdown: where the maths is.

BOOST_AUTO_TEST_CASE(inline_and_display_maths_are_found_in_order) {
    using v = std::vector<std::pair<std::string, bool>>;
    BOOST_TEST((blocks_of("Let $x = 1$ and $y$.") == v{{"x = 1", false}, {"y", false}}));
    BOOST_TEST((blocks_of("so $$a = b$$ holds") == v{{"a = b", true}}));
    BOOST_TEST((blocks_of("\\[ a + b \\] and $c$") == v{{" a + b ", true}, {"c", false}}));
    // Display maths over several lines keeps its line breaks.
    BOOST_TEST((blocks_of("$$\na\n= b\n$$\n") == v{{"\na\n= b\n", true}}));
    // Display environments: the body between \begin{..} and \end{..}.
    BOOST_TEST((blocks_of("\\begin{align*}\na &= b \\\\\n&= c\n\\end{align*}") ==
                v{{"\na &= b \\\\\n&= c\n", true}}));
    BOOST_TEST((blocks_of("\\begin{equation} x \\end{equation}") == v{{" x ", true}}));
    BOOST_TEST((blocks_of("\\begin{aligned} x \\end{aligned}") == v{{" x ", true}}));
    // A list environment is not maths; the maths inside it is.
    BOOST_TEST((blocks_of("\\begin{itemize} $x$ \\end{itemize}") == v{{"x", false}}));
}

BOOST_AUTO_TEST_CASE(code_escaped_dollars_and_unclosed_maths_are_not_maths) {
    using v = std::vector<std::pair<std::string, bool>>;
    // Fenced code blocks, with or without a language, and `code` spans.
    BOOST_TEST((blocks_of("```\n$x$\n```\n$y$") == v{{"y", false}}));
    BOOST_TEST((blocks_of("```python\nx = \"$a$\"\n```\n\n$$b$$") == v{{"b", true}}));
    BOOST_TEST((blocks_of("`$x$` and $y$") == v{{"y", false}}));
    // \$ is a dollar sign.
    BOOST_TEST((blocks_of("costs \\$5 and $x$") == v{{"x", false}}));
    BOOST_TEST(blocks_of("\\$5 and \\$6").empty());
    // An unclosed $ opens nothing; inline maths stops at a blank line. An unclosed $$ is a
    // block marked unclosed (the reader reports it: a dropped last line would go unchecked).
    BOOST_TEST(blocks_of("$x + 1").empty());
    const auto unclosed = symgrad::find_math_blocks("a $$ b");
    BOOST_TEST_REQUIRE(unclosed.size() == 1u);
    BOOST_TEST(unclosed[0].unclosed);
    BOOST_TEST(unclosed[0].begin == 4u);
    BOOST_TEST((blocks_of("price $5\n\nand $x$") == v{{"x", false}}));
    BOOST_TEST(blocks_of("no maths at all").empty());
}

BOOST_AUTO_TEST_CASE(rows_are_cut_at_double_backslashes_outside_braces) {
    using v = std::vector<std::string>;
    BOOST_TEST((rows_of("a \\\\ b \\\\ c") == v{"a ", " b ", " c"}));
    BOOST_TEST((rows_of("x") == v{"x"}));
    // Inside braces \\ does not cut; \, and \; are spacing, not row breaks.
    BOOST_TEST((rows_of("\\frac{a \\\\ b}{c} \\\\ d") == v{"\\frac{a \\\\ b}{c} ", " d"}));
    BOOST_TEST((rows_of("a \\, b \\; c") == v{"a \\, b \\; c"}));
    // A final \\ leaves an empty last row.
    BOOST_TEST((rows_of("a \\\\") == v{"a ", ""}));
    // The rows of a part of a text are byte ranges of the whole text.
    const std::string text = "$$p = q \\\\ r$$";
    const auto rows = symgrad::math_rows(text, 2, text.size() - 2);
    BOOST_TEST_REQUIRE(rows.size() == 2u);
    BOOST_TEST(rows[0].first == 2u);
    BOOST_TEST(text.substr(rows[1].first, rows[1].second - rows[1].first) == " r");
}

// ---------------------------------------------------------------------------------------------
// Translations, compared by value with hand-written expressions.

BOOST_AUTO_TEST_CASE(translations_have_the_value_of_the_hand_written_expression) {
    // LaTeX, and the same maths written by hand in symgrad's language.
    const std::vector<std::pair<std::string, std::string>> cases{
        {"\\frac{e^{-w_1+w_3}}{1+e^{x}}", "exp(-w1+w3)/(1+exp(x))"},
        {"2w_3", "2*w3"},
        {"xy", "x*y"},
        {"x y", "x*y"},
        {"y(1-y)", "y*(1-y)"},
        {"\\ln \\frac{a}{b}", "log(a/b)"},
        {"\\sqrt[3]{x}", "x^(1/3)"},
        {"\\sqrt{x^2+1}", "sqrt(x^2+1)"},
        {"\\sum_{i=1}^{3} x_i^2", "x1^2 + x2^2 + x3^2"},
        {"\\sum_{k=0}^{2} w_k x_k", "w0*x0 + w1*x1 + w2*x2"},
        {"\\sum_{i=1}^{3} i x_i", "x1 + 2*x2 + 3*x3"},
        {"\\sum_{i=1}^{2} (y_i - w x_i)^2", "(y1 - w*x1)^2 + (y2 - w*x2)^2"},
        {"\\sum_{i=1}^{2} x_i + 1", "x1 + x2 + 1"}, // the body stops at +
        {"\\sigma'(z)", "sigmoid(z)*(1 - sigmoid(z))"},
        {"\\sigma(w x + b)", "1/(1 + exp(-(w*x + b)))"},
        {"\\frac{1}{1 + e^{-z}}", "sigmoid(z)"},
        {"\\dfrac{1}{2} (y - \\hat{y})^2", "(y - y_hat)^2/2"},
        {"\\tfrac{x}{4}", "x/4"},
        {"a \\cdot b \\times c", "a*b*c"},
        {"a \\div b", "a/b"},
        {"\\left( a + b \\right)^2", "(a + b)^2"},
        {"\\left[ a - b \\right] c", "(a - b)*c"},
        {"\\left| x - 1 \\right|", "abs(x - 1)"},
        {"\\{a+b\\}c", "(a + b)*c"},
        {"{a + b}^2", "(a + b)^2"},
        {"e^{2x}", "exp(2*x)"},
        {"e^x y", "exp(x)*y"}, // TeX takes one character after ^
        {"x^2 y", "x^2*y"},
        {"w_12", "2*w1"}, // ... and after _
        {"x_{12}", "x12"},
        {"x^{-1}", "1/x"},
        {"2^{10}", "1024"},
        {"3 \\cdot 2^{2}", "12"},
        {"0.5 x", "x/2"},
        {"e", "exp(1)"},
        {"\\pi r^2", "Pi*r^2"},
        {"\\exp(-z)", "exp(-z)"},
        {"\\log(1 + e^{-z})", "log(1 + exp(-z))"},
        {"\\ln x - \\ln y", "log(x) - log(y)"},
        {"\\tanh x", "tanh(x)"},
        {"\\sinh x + \\cosh x", "exp(x)"},
        {"\\max(0, x)", "relu(x)"},
        {"\\min(a, b)", "a - relu(a - b)"},
        {"\\operatorname{softplus}(z)", "log(1 + exp(z))"},
        {"\\mathrm{relu}(z)", "max(z, 0)"},
        {"\\operatorname{logsumexp}(a, b)", "log(exp(a) + exp(b))"},
        {"\\beta^2 \\alpha", "beta^2*alpha"},
        {"\\frac{a}{b}\\frac{c}{d}", "a*c/(b*d)"},
        {"\\displaystyle \\frac{1}{2}", "1/2"},
        {"\\frac 1 2", "1/2"},
        {"\\underbrace{a+b}_{\\text{sum}} c", "(a + b)*c"},
        {"\\frac{\\partial}{\\partial w} (w^3)", "3*w^2"},
        {"\\frac{d}{dx}\\left(x^2\\right)", "2*x"},
        {"\\frac{\\partial^2}{\\partial w^2} w^4", "12*w^2"},
        {"\\frac{\\partial (w^2 x)}{\\partial w}", "2*w*x"},
        {"|x||y|", "abs(x)*abs(y)"},
        {"-\\ln(e^{-w_1+w_3})", "w1 - w3"},
    };
    for (const auto& [latex, by_hand] : cases) {
        ex got;
        try {
            got = latex_value(latex);
        } catch (const symgrad::error& e) {
            BOOST_TEST_ERROR(latex << ": " << e.what());
            continue;
        }
        const ex want = parse(by_hand);
        BOOST_TEST(same_value(got, want), latex << " read as " << got << ", not " << want);
    }
}

BOOST_AUTO_TEST_CASE(a_different_value_is_never_equal) {
    // The comparison can fail: near misses of the cases above are told apart.
    BOOST_TEST(!same_value(latex_value("2w_3"), parse("2*w_3")));
    BOOST_TEST(!same_value(latex_value("w_12"), parse("w12")));
    BOOST_TEST(!same_value(latex_value("e^x y"), parse("exp(x*y)")));
    BOOST_TEST(!same_value(latex_value("\\sqrt[3]{x}"), parse("x^(1/2)")));
}

BOOST_AUTO_TEST_CASE(subscripts_read_as_defined_names_or_by_the_rule) {
    // Undefined: digits join the name (w1), anything else keeps the underscore (w_i).
    BOOST_TEST(translated(symgrad::source_text("w_1", origin())).text == "w1");
    BOOST_TEST(translated(symgrad::source_text("w_{1}", origin())).text == "w1");
    BOOST_TEST(translated(symgrad::source_text("w_i", origin())).text == "w_i");
    BOOST_TEST(translated(symgrad::source_text("w_{ij}", origin())).text == "w_ij");
    // Defined: the defined spelling, whichever it is.
    const std::set<std::string> defined{"w_1", "xy", "sigma"};
    symgrad::latex_names names;
    names.is_defined = [&](std::string_view n) { return defined.count(std::string(n)) != 0; };
    BOOST_TEST(translated(symgrad::source_text("w_1", origin()), names).text == "w_1");
    BOOST_TEST(translated(symgrad::source_text("w_{1}", origin()), names).text == "w_1");
    BOOST_TEST(translated(symgrad::source_text("w_2", origin()), names).text == "w2");
    // A defined name of several letters is one name.
    BOOST_TEST(translated(symgrad::source_text("xy", origin()), names).text == "xy");
}

BOOST_AUTO_TEST_CASE(functions_the_text_defines_are_called_and_differentiated) {
    // f(t) = t^2 + 1 defined by the text: f(2) is 5, f'(3) is 6, and f(x) is a call.
    symgrad::latex_names names;
    names.is_function = [](std::string_view n) { return n == "f"; };
    symgrad::tensor_names tn;
    const ex t = symgrad::symbol_named("t");
    tn.functions["f"] = symgrad::user_function{{t}, GiNaC::pow(t, 2) + 1};
    BOOST_TEST(same_value(latex_value("f(2)", names, tn), 5));
    BOOST_TEST(same_value(latex_value("f'(3)", names, tn), 6));
    BOOST_TEST(same_value(latex_value("f\\left(x\\right) - 1", names, tn), parse("x^2")));
    BOOST_TEST(same_value(latex_value("2 f(y)", names, tn), parse("2*y^2 + 2")));
}

BOOST_AUTO_TEST_CASE(separators_and_final_punctuation_cut_statements) {
    const symgrad::source_text src("a = b, \\quad c = d \\Rightarrow p = q.", origin());
    const auto t = translated(src);
    BOOST_TEST_REQUIRE(t.statements.size() == 3u);
    std::vector<std::string> parts;
    for (const auto& [b, e] : t.statements) {
        std::string s = t.text.substr(b, e - b);
        std::erase(s, ' ');
        parts.push_back(s);
    }
    BOOST_TEST((parts == std::vector<std::string>{"a=b", "c=d", "p=q"}));
    // A comma inside an argument list stays.
    BOOST_TEST(same_value(latex_value("\\max(a, b)."), parse("max(a, b)")));
}

BOOST_AUTO_TEST_CASE(the_byte_map_points_into_the_latex) {
    // Translating part of a text: every offset is inside that part, and the name w3 comes from
    // the 'w' of w_3.
    const std::string text = "Then $2w_3$ holds.";
    const symgrad::source_text src(text, origin());
    const std::size_t b = text.find('$') + 1, e = text.rfind('$');
    const auto t = symgrad::translate_latex(src, b, e);
    BOOST_TEST_REQUIRE(t.offsets.size() == t.text.size() + 1);
    for (std::size_t o : t.offsets) {
        BOOST_TEST(o >= b);
        BOOST_TEST(o <= e);
    }
    const std::size_t w = t.text.find('w');
    BOOST_TEST_REQUIRE(w != std::string::npos);
    BOOST_TEST(t.offsets[w] == text.find('w'));
    BOOST_TEST(t.offsets.back() == e);
}

// ---------------------------------------------------------------------------------------------
// Errors: the message, and the place in the LaTeX.

BOOST_AUTO_TEST_CASE(what_cannot_be_read_is_an_error_at_its_place) {
    // Multi-line maths: the line and column (1-based, in characters) of the culprit.
    auto e = error_of("x\n\n  + \\dots");
    BOOST_TEST(contains(e.message, "\\dots"));
    BOOST_TEST(e.line == 3u);
    BOOST_TEST(e.column == 5u);
    BOOST_TEST(e.line_text == "  + \\dots");

    e = error_of("a\n\\approx b");
    BOOST_TEST(contains(e.message, "only equalities"));
    BOOST_TEST(contains(e.message, "\\approx"));
    BOOST_TEST(e.line == 2u);
    BOOST_TEST(e.column == 1u);

    e = error_of("x +\n\\right)");
    BOOST_TEST(contains(e.message, "'\\right' without its '\\left'"));
    BOOST_TEST(e.line == 2u);
    BOOST_TEST(e.column == 1u);

    // An unmatched \left: the maths ends (line 2, after " + b") before it is closed.
    e = error_of("\\left( a\n + b");
    BOOST_TEST((contains(e.message, "never closed") || contains(e.message, "is closed")));
    BOOST_TEST(e.line == 2u);
    BOOST_TEST(e.column == 5u);

    e = error_of("y +\n  \\frac{1}");
    BOOST_TEST(contains(e.message, "'\\frac' needs its argument"));
    BOOST_TEST(e.line == 2u);
    BOOST_TEST(e.column == 3u);

    e = error_of("1 +\n\\sum x_i");
    BOOST_TEST(contains(e.message, "\\sum without bounds"));
    BOOST_TEST(e.line == 2u);
    BOOST_TEST(e.column == 1u);

    e = error_of("\\sum_{i=1}^{n} x_i");
    BOOST_TEST(contains(e.message, "numeric bounds"));

    e = error_of("y\n = g(x)");
    BOOST_TEST(contains(e.message, "'g' is not defined"));
    BOOST_TEST(e.line == 2u);
    BOOST_TEST(e.column == 4u);

    e = error_of("e^-x");
    BOOST_TEST(contains(e.message, "^{-1}"));
    BOOST_TEST(e.column == 3u);

    e = error_of("a < b");
    BOOST_TEST(contains(e.message, "only equalities"));

    e = error_of("\\sin^2 x");
    BOOST_TEST(contains(e.message, "(f(x))^2"));
    BOOST_TEST(e.column == 5u);

    e = error_of("a\\nabla f");
    BOOST_TEST(contains(e.message, "\\nabla"));
    BOOST_TEST(e.column == 2u);

    e = error_of("\\frac{1}{2");
    BOOST_TEST(contains(e.message, "never closed"));
    BOOST_TEST(e.column == 9u); // the group's '{'
}

BOOST_AUTO_TEST_CASE(errors_of_the_grammar_point_into_the_latex) {
    // The translation ((1)/(x+*y)) is wrong for the grammar at '*', which came from the '*' on
    // line 3, column 18 of the LaTeX: the mapped source_text locates it there, with that line.
    const std::string latex = "a\n+ b\n  + \\frac{1}{x + * y}";
    const auto e = error_of(latex);
    BOOST_TEST(contains(e.message, "'*'"));
    BOOST_TEST(e.line == 3u);
    BOOST_TEST(e.column == 18u);
    BOOST_TEST(e.line_text == "  + \\frac{1}{x + * y}");

    // The full message has the LaTeX line and a caret under the culprit.
    const symgrad::source_text src(latex, origin());
    const auto t = translated(src);
    const symgrad::source_text mapped(t.text, src, t.offsets);
    symgrad::tensor_names tn;
    tn.allow_new_symbols = true;
    try {
        (void)symgrad::read_tensor_expression(mapped, 0, t.text.size(), tn);
        BOOST_TEST_FAIL("no error");
    } catch (const symgrad::parse_error& pe) {
        const std::string what = pe.what();
        BOOST_TEST(contains(what, "notes.md:3:18:"), what);
        // The LaTeX line (indented as every located message), and the caret under its '*'.
        const std::size_t l1 = what.find('\n'), l2 = what.find('\n', l1 + 1);
        BOOST_TEST_REQUIRE(l2 != std::string::npos);
        const std::string shown = what.substr(l1 + 1, l2 - l1 - 1);
        const std::string caret = what.substr(l2 + 1);
        const std::size_t indent = shown.find("  + \\frac{1}{x + * y}");
        BOOST_TEST_REQUIRE(indent != std::string::npos, what);
        BOOST_TEST(shown.substr(indent) == "  + \\frac{1}{x + * y}");
        BOOST_TEST(caret.find('^') == indent + 17, what);
    }

    // A mapped text's locate() answers in the LaTeX too.
    const std::size_t star = t.text.find('*');
    BOOST_TEST_REQUIRE(star != std::string::npos);
    const auto at = mapped.locate(star);
    BOOST_TEST(at.line == 3u);
    BOOST_TEST(at.column == 18u);
}

BOOST_AUTO_TEST_CASE(a_block_inside_a_file_reports_file_lines) {
    // A block translated inside a larger text: lines are the file's.
    const std::string text = "# Notes\n\nThen\n$$\nL = w^2\n  + \\dots\n$$\n";
    const symgrad::source_text src(text, origin());
    const auto blocks = symgrad::find_math_blocks(text);
    BOOST_TEST_REQUIRE(blocks.size() == 1u);
    try {
        (void)symgrad::translate_latex(src, blocks[0].begin, blocks[0].end);
        BOOST_TEST_FAIL("no error");
    } catch (const symgrad::parse_error& e) {
        BOOST_TEST(e.line() == 6u);
        BOOST_TEST(e.column() == 5u);
        BOOST_TEST(e.line_text() == "  + \\dots");
    }
}

// ---------------------------------------------------------------------------------------------
// Misreadings the first run of these tests found, each fixed: the cases keep them fixed (the
// comments describe the misreading as it was).

// \sigma is the sigmoid "unless sigma is a defined name" (latex.hpp); defined, it is read as
// nothing: "cannot read '\sigma' in maths" (sigma is missing from the Greek letters).
BOOST_AUTO_TEST_CASE(a_defined_sigma_is_a_name) {
    symgrad::latex_names names;
    names.is_defined = [](std::string_view n) { return n == "sigma"; };
    symgrad::tensor_names tn;
    tn.values["sigma"] = 3;
    ex got;
    BOOST_CHECK_NO_THROW(got = latex_value("2\\sigma", names, tn));
    BOOST_TEST(got.is_equal(ex(6)), "2 sigma read as " << got);
}

// \frac{d}{dx} before a product written side by side differentiates only its first factor:
// \frac{d}{dx} 3x^2 is read diff(3, x)*x^2 = 0, not 6x, so a right derivation line reads wrong.
BOOST_AUTO_TEST_CASE(a_derivative_operator_applies_to_the_whole_product_after_it) {
    BOOST_TEST(same_value(latex_value("\\frac{d}{dx} 3x^2"), parse("6*x")));
    BOOST_TEST(same_value(latex_value("\\frac{d}{dx} 2x"), parse("2")));
    BOOST_TEST(same_value(latex_value("\\frac{\\partial}{\\partial w}\\frac{1}{2}(w - 1)^2"),
                          parse("w - 1")));
}

// A subscript group of bound indices, w_{ij} inside \sum_i \sum_j, is read as the name w_ij:
// the double sum is 4 w_ij instead of w11 + w12 + w21 + w22 (w_{i,j} is read right).
BOOST_AUTO_TEST_CASE(bound_indices_in_a_subscript_group_take_their_values) {
    BOOST_TEST(same_value(latex_value("\\sum_{i=1}^{2}\\sum_{j=1}^{2} w_{i,j}"),
                          parse("w11 + w12 + w21 + w22")));
    BOOST_TEST(same_value(latex_value("\\sum_{i=1}^{2}\\sum_{j=1}^{2} w_{ij}"),
                          parse("w11 + w12 + w21 + w22")));
}

// An unclosed \[ (in Markdown also an escaped bracket) or an environment closed under another
// name ends the search: the maths after it is never found.
BOOST_AUTO_TEST_CASE(an_unclosed_opener_hides_no_later_maths) {
    using v = std::vector<std::pair<std::string, bool>>;
    BOOST_TEST((blocks_of("the entry a\\[0] and $x$") == v{{"x", false}}));
    BOOST_TEST((blocks_of("\\begin{align} a \\end{align*} and $x$") == v{{"x", false}}));
}

BOOST_AUTO_TEST_SUITE_END()
