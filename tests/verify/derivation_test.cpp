// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// Checking derivations (verify/derivation.hpp): small derivations read by read_derivation whose
// first wrong line and kind of slip are worked out by hand in the comments; each witness is
// re-evaluated here with GiNaC's evalf, away from the checker, and the output formats are
// parsed (JSON with nlohmann::json) rather than compared with earlier output.
#include "symgrad/core/error.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/text/derivation_text.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/verify/derivation.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using GiNaC::ex;
using GiNaC::numeric;
using symgrad::slip_kind;
using symgrad::verdict;

namespace {

symgrad::derivation read_md(const std::string& text) {
    return symgrad::read_derivation(text, "steps.md", symgrad::derivation_syntax::latex);
}

struct checked {
    symgrad::derivation d;
    symgrad::derivation_report r;
};

checked check(const std::string& text) {
    checked c{read_md(text), {}};
    symgrad::verify_options o;
    o.timeout_seconds = 10;
    c.r = symgrad::check_derivation(c.d, o);
    BOOST_TEST_REQUIRE(c.r.results.size() == c.d.claims.size());
    return c;
}

/// The line of the first wrong claim, 0 when none.
std::size_t first_wrong_line(const checked& c) {
    return c.r.first_wrong ? c.d.claims[*c.r.first_wrong].line : 0;
}

numeric at(const ex& e, const GiNaC::exmap& point) {
    const ex v = e.subs(point).evalf();
    BOOST_TEST_REQUIRE(GiNaC::is_a<numeric>(v), "not a number: " << v);
    return GiNaC::ex_to<numeric>(v);
}

/// The witness of the wrong claim @p i: inside the domain (both sides are real numbers there),
/// the sides differ, and by the printed difference.
void check_witness(const checked& c, std::size_t i) {
    const auto& claim = c.d.claims[i];
    const auto& res = c.r.results[i].check;
    BOOST_TEST_REQUIRE((res.outcome == verdict::refuted));
    BOOST_TEST_REQUIRE(!res.witness.empty());
    const numeric lhs = at(claim.claimed.value, res.witness);
    const numeric rhs = at(claim.reference.value, res.witness);
    BOOST_TEST(lhs.is_real());
    BOOST_TEST(rhs.is_real());
    BOOST_TEST(!(lhs - rhs).is_zero(), "the sides are equal at the witness");
    const numeric printed = GiNaC::ex_to<numeric>(symgrad::parse(res.difference).evalf());
    BOOST_TEST(GiNaC::abs(lhs - rhs - printed) <=
                   numeric(1, 1000000000) * (numeric(1) + GiNaC::abs(printed)),
               "difference " << lhs - rhs << " printed as " << res.difference);
}

std::optional<slip_kind> kind_of(const checked& c, std::size_t i) {
    if (!c.r.results[i].found_slip)
        return std::nullopt;
    return c.r.results[i].found_slip->kind;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(derivation)

BOOST_AUTO_TEST_CASE(a_right_derivation_has_no_wrong_line) {
    // L = (w x + b)^2: dL/dw = 2 (w x + b) x = 2 w x^2 + 2 b x; dL/db = 2 (w x + b).
    const auto c = check("$$z = w x + b$$\n$$L = z^2$$\n"
                         "$$\\frac{\\partial L}{\\partial w} = 2 (w x + b) x = 2 w x^2 + 2 b x$$\n"
                         "$$\\frac{\\partial L}{\\partial b} = 2 z$$\n");
    BOOST_TEST(c.d.claims.size() == 3u);
    BOOST_TEST(!c.r.first_wrong.has_value());
    for (const auto& res : c.r.results) {
        BOOST_TEST(!res.wrong);
        BOOST_TEST((res.check.outcome == verdict::proved));
    }
    BOOST_TEST(symgrad::derivation_status(c.r) == 0);
}

BOOST_AUTO_TEST_CASE(the_first_wrong_line_is_named_and_later_wrong_lines_too) {
    // L = (w - 2)^2: L' = 2(w - 2) = 2w - 4. Line 3 writes 2w - 3 (wrong), line 4 carries it on
    // as 2w - 3 = -3 + 2w (right against line 3), line 5 writes 2w + 4 against line 4 (wrong).
    const auto c = check("$$L(w) = (w - 2)^2$$\n\n"
                         "$$\\frac{\\partial L}{\\partial w} = 2(w - 2) = 2w - 3$$\n"
                         "$$2w - 3 = -3 + 2w$$\n"
                         "$$-3 + 2w = 2w + 4$$\n");
    BOOST_TEST_REQUIRE(c.d.claims.size() == 4u);
    BOOST_TEST_REQUIRE(c.r.first_wrong.has_value());
    BOOST_TEST(*c.r.first_wrong == 1u);
    BOOST_TEST(first_wrong_line(c) == 3u);
    BOOST_TEST(!c.r.results[0].wrong);
    BOOST_TEST(c.r.results[1].wrong);
    BOOST_TEST(!c.r.results[2].wrong);
    BOOST_TEST(c.r.results[3].wrong);
    check_witness(c, 1);
    check_witness(c, 3);
    BOOST_TEST(symgrad::derivation_status(c.r) == 1);
}

BOOST_AUTO_TEST_CASE(witnesses_lie_inside_the_domain_of_both_sides) {
    // L = sqrt(w - 3): L' = 1/(2 sqrt(w - 3)); the line drops the 2. Both sides are defined only
    // for w > 3, so the witness must be there.
    auto c = check("$$L(w) = \\sqrt{w - 3}$$\n"
                   "$$\\frac{\\partial L}{\\partial w} = \\frac{1}{\\sqrt{w - 3}}$$\n");
    BOOST_TEST_REQUIRE(c.r.first_wrong.has_value());
    check_witness(c, 0);
    const auto& w = c.r.results[0].check.witness;
    BOOST_TEST_REQUIRE(w.count(symgrad::symbol_named("w")) == 1u);
    BOOST_TEST(GiNaC::ex_to<numeric>(w.at(symgrad::symbol_named("w"))) > 3);
    // The line is twice the derivative: a factor too many.
    BOOST_TEST((kind_of(c, 0) == slip_kind::factor_added));

    // L = ln(w - 2) + ln(w - 2), restated as 3 ln(w - 2): wrong for every w > 2 but w = 3.
    c = check("$$L(w) = \\ln(w - 2) + \\ln(w - 2)$$\n$$L(w) = 3 \\ln(w - 2)$$\n");
    BOOST_TEST(first_wrong_line(c) == 2u);
    check_witness(c, 0);
    BOOST_TEST(GiNaC::ex_to<numeric>(c.r.results[0].check.witness.at(symgrad::symbol_named("w"))) >
               2);
}

// One derivation per kind of slip, each worked out by hand.

BOOST_AUTO_TEST_CASE(the_sign_of_the_whole_line) {
    // L = (w - 1)^2: L' = 2(w - 1); written -2(w - 1).
    const auto c = check("$$L(w) = (w-1)^2$$\n$$\\frac{\\partial L}{\\partial w} = -2(w-1)$$\n");
    BOOST_TEST(first_wrong_line(c) == 2u);
    BOOST_TEST((kind_of(c, 0) == slip_kind::sign_of_line));
    check_witness(c, 0);
    BOOST_TEST((c.r.results[0].found_slip->fix_verdict == verdict::proved));
}

BOOST_AUTO_TEST_CASE(the_sign_of_a_term) {
    // The middle term -w_2^2 should be +w_2^2; the other terms match.
    const auto c = check("$$L = w_1^2 + w_2^2 + w_1 w_2$$\n$$L = w_1^2 - w_2^2 + w_1 w_2$$\n");
    BOOST_TEST(first_wrong_line(c) == 2u);
    BOOST_TEST_REQUIRE((kind_of(c, 0) == slip_kind::sign_of_term));
    const auto& s = *c.r.results[0].found_slip;
    BOOST_TEST(s.wrong_part == "-w_2^2");
    BOOST_TEST(contains(s.explanation, "-w_2^2 should be"));
    check_witness(c, 0);
}

BOOST_AUTO_TEST_CASE(a_term_dropped) {
    // w^2 - 2w + 1 restated without its -2w.
    const auto c = check("$$L(w) = w^2 - 2w + 1$$\n$$L(w) = w^2 + 1$$\n");
    BOOST_TEST(first_wrong_line(c) == 2u);
    BOOST_TEST_REQUIRE((kind_of(c, 0) == slip_kind::term_dropped));
    BOOST_TEST(c.r.results[0].found_slip->corrected_part == "-2w");
    check_witness(c, 0);
}

BOOST_AUTO_TEST_CASE(a_term_added) {
    // w^2 - 2w + 1 restated with a term w too many.
    const auto c = check("$$L(w) = w^2 - 2w + 1$$\n$$L(w) = w^2 - 2w + 1 + w$$\n");
    BOOST_TEST(first_wrong_line(c) == 2u);
    BOOST_TEST_REQUIRE((kind_of(c, 0) == slip_kind::term_added));
    BOOST_TEST(c.r.results[0].found_slip->wrong_part == "w");
    check_witness(c, 0);
}

BOOST_AUTO_TEST_CASE(a_number_slip) {
    // 2(w - 2) is 2w - 4, written 2w - 3.
    const auto c = check("$$L(w) = (w-2)^2$$\n"
                         "$$\\frac{\\partial L}{\\partial w} = 2(w-2) = 2w - 3$$\n");
    BOOST_TEST(first_wrong_line(c) == 2u);
    BOOST_TEST_REQUIRE(c.r.first_wrong.has_value());
    BOOST_TEST(*c.r.first_wrong == 1u);
    BOOST_TEST_REQUIRE((kind_of(c, 1) == slip_kind::number_slip));
    BOOST_TEST(c.r.results[1].found_slip->wrong_part == "-3");
    BOOST_TEST(c.r.results[1].found_slip->corrected_part == "-4");
    check_witness(c, 1);
}

BOOST_AUTO_TEST_CASE(a_chain_rule_factor_missing) {
    // L = (3w + 1)^2: L' = 2(3w + 1) * 3; the inner derivative 3 is missing.
    const auto c = check("$$L(w) = (3w+1)^2$$\n$$\\frac{\\partial L}{\\partial w} = 2(3w+1)$$\n");
    BOOST_TEST(first_wrong_line(c) == 2u);
    BOOST_TEST_REQUIRE((kind_of(c, 0) == slip_kind::chain_rule_factor_missing));
    BOOST_TEST(contains(c.r.results[0].found_slip->explanation, "the factor 3"));
    check_witness(c, 0);
}

BOOST_AUTO_TEST_CASE(a_factor_dropped) {
    // L = w^3: L' = 3w^2, written w^2.
    const auto c = check("$$L(w) = w^3$$\n$$\\frac{\\partial L}{\\partial w} = w^2$$\n");
    BOOST_TEST(first_wrong_line(c) == 2u);
    BOOST_TEST_REQUIRE((kind_of(c, 0) == slip_kind::factor_dropped));
    BOOST_TEST(contains(c.r.results[0].found_slip->explanation, "3"));
    check_witness(c, 0);
}

BOOST_AUTO_TEST_CASE(a_factor_added) {
    // L = w^3: L' = 3w^2, written 6w^2: a factor 2 too many.
    const auto c = check("$$L(w) = w^3$$\n$$\\frac{\\partial L}{\\partial w} = 6w^2$$\n");
    BOOST_TEST(first_wrong_line(c) == 2u);
    BOOST_TEST_REQUIRE((kind_of(c, 0) == slip_kind::factor_added));
    BOOST_TEST(contains(c.r.results[0].found_slip->explanation, "2"));
    check_witness(c, 0);
}

BOOST_AUTO_TEST_CASE(slip_names_are_the_documented_ones) {
    BOOST_TEST(symgrad::slip_id(slip_kind::sign_of_line) == "sign_of_line");
    BOOST_TEST(symgrad::slip_id(slip_kind::sign_of_term) == "sign_of_term");
    BOOST_TEST(symgrad::slip_id(slip_kind::term_dropped) == "term_dropped");
    BOOST_TEST(symgrad::slip_id(slip_kind::term_added) == "term_added");
    BOOST_TEST(symgrad::slip_id(slip_kind::number_slip) == "number_slip");
    BOOST_TEST(symgrad::slip_id(slip_kind::chain_rule_factor_missing) ==
               "chain_rule_factor_missing");
    BOOST_TEST(symgrad::slip_id(slip_kind::factor_dropped) == "factor_dropped");
    BOOST_TEST(symgrad::slip_id(slip_kind::factor_added) == "factor_added");
    BOOST_TEST(!symgrad::slip_description(slip_kind::number_slip).empty());
}

BOOST_AUTO_TEST_CASE(a_derivative_of_a_wrong_restatement_follows_from_it) {
    // L = (w - 1)^2 restated as w^2 - w + 1 (line 2, wrong: -w for -2w). Line 3 differentiates
    // the restatement, 2w - 1, against the true 2w - 2: wrong, and it follows from line 2.
    const auto c = check("$$L(w) = (w-1)^2$$\n$$L(w) = w^2 - w + 1$$\n"
                         "$$\\frac{\\partial L}{\\partial w} = 2w - 1$$\n");
    BOOST_TEST_REQUIRE(c.d.claims.size() == 2u);
    BOOST_TEST(first_wrong_line(c) == 2u);
    BOOST_TEST(c.r.results[1].wrong);
    BOOST_TEST_REQUIRE(c.r.results[1].follows_from.has_value());
    BOOST_TEST(*c.r.results[1].follows_from == 2u);
    BOOST_TEST(!c.r.results[0].follows_from.has_value());

    // A wrong derivative of a right restatement follows from nothing.
    const auto d = check("$$L(w) = (w-1)^2$$\n$$L(w) = w^2 - 2w + 1$$\n"
                         "$$\\frac{\\partial L}{\\partial w} = 2w - 1$$\n");
    BOOST_TEST(first_wrong_line(d) == 3u);
    BOOST_TEST(!d.r.results[1].follows_from.has_value());
}

BOOST_AUTO_TEST_CASE(status_values) {
    // 0: every line proved.
    BOOST_TEST(symgrad::derivation_status(check("$$L(w) = (w-1)^2$$\n"
                                                "$$L(w) = w^2 - 2w + 1$$\n")
                                              .r) == 0);
    // 1: a wrong line.
    BOOST_TEST(symgrad::derivation_status(check("$$L(w) = (w-1)^2$$\n$$L(w) = w^2 + 1$$\n").r) ==
               1);
    // 4: ln(ab) = ln a + ln b only where a, b > 0 (ln(ab) is defined for a, b < 0 too).
    const auto four = check("$$L(a, b) = \\ln(a b)$$\n$$L(a, b) = \\ln a + \\ln b$$\n");
    BOOST_TEST_REQUIRE(four.r.results.size() == 1u);
    BOOST_TEST((four.r.results[0].check.outcome == verdict::equal_where_defined));
    BOOST_TEST(symgrad::derivation_status(four.r) == 4);
    // 3: sin^2 + cos^2 = 1 has no exact proof here, only agreement at sample points.
    const auto three = check("$$L(x) = (\\sin x)^2 + (\\cos x)^2$$\n$$L(x) = 1$$\n");
    BOOST_TEST((three.r.results[0].check.outcome == verdict::probably_equal));
    BOOST_TEST(symgrad::derivation_status(three.r) == 3);

    // The order of precedence, on reports made by hand: wrong, then where defined, then
    // probably.
    auto result = [](verdict v) {
        symgrad::claim_result r;
        r.check.outcome = v;
        r.wrong = v == verdict::refuted;
        return r;
    };
    symgrad::derivation_report r;
    BOOST_TEST(symgrad::derivation_status(r) == 0);
    r.results = {result(verdict::proved), result(verdict::probably_equal)};
    BOOST_TEST(symgrad::derivation_status(r) == 3);
    r.results.push_back(result(verdict::equal_where_defined));
    BOOST_TEST(symgrad::derivation_status(r) == 4);
    r.results.insert(r.results.begin(), result(verdict::refuted));
    BOOST_TEST(symgrad::derivation_status(r) == 1);
}

BOOST_AUTO_TEST_CASE(json_has_the_documented_keys) {
    const auto c = check("Some prose with $\\nabla f$.\n\n$$L(w) = (3w+1)^2$$\n"
                         "$$\\frac{\\partial L}{\\partial w} = 6(3w+1) = 2(3w+1)$$\n");
    const auto j = nlohmann::json::parse(symgrad::format_json(c.d, c.r));
    BOOST_TEST(j.at("source").get<std::string>() == "steps.md");
    BOOST_TEST(j.at("status").get<int>() == 1);
    BOOST_TEST(j.at("first_wrong_line").get<int>() == 4);
    BOOST_TEST(j.at("definitions").is_array());
    BOOST_TEST(j.at("definitions").size() == 1u);
    BOOST_TEST_REQUIRE(j.at("skipped").size() == 1u);
    BOOST_TEST(j["skipped"][0].at("line").get<int>() == 1);
    BOOST_TEST(j["skipped"][0].contains("column"));
    BOOST_TEST(j["skipped"][0].at("text").get<std::string>() == "\\nabla f");
    BOOST_TEST(!j["skipped"][0].at("reason").get<std::string>().empty());
    const auto& claims = j.at("claims");
    BOOST_TEST_REQUIRE(claims.size() == 2u);
    for (const auto& cl : claims)
        for (const char* key : {"line", "column", "written", "compared_with", "verdict", "slip",
                                "follows_from_line", "evidence"})
            BOOST_TEST(cl.contains(key), "claim without " << key);
    BOOST_TEST(claims[0].at("verdict").get<std::string>() == "proved");
    BOOST_TEST(claims[0].at("slip").is_null());
    BOOST_TEST(claims[0].at("follows_from_line").is_null());
    // 2(3w+1) against 6(3w+1): the whole line a third of what it should be.
    const auto& wrong = claims[1];
    BOOST_TEST(wrong.at("line").get<int>() == 4);
    BOOST_TEST(wrong.at("verdict").get<std::string>() == "wrong");
    BOOST_TEST(wrong.at("written").get<std::string>() == "2(3w+1)");
    BOOST_TEST_REQUIRE(wrong.at("slip").is_object());
    for (const char* key :
         {"kind", "description", "explanation", "wrong_part", "corrected_part", "fix_verdict"})
        BOOST_TEST(wrong["slip"].contains(key), "slip without " << key);
    BOOST_TEST(wrong["slip"]["kind"].get<std::string>() == "factor_dropped");
    BOOST_TEST(wrong.at("evidence").at("verdict").get<std::string>() == "refuted");
    BOOST_TEST(!wrong["evidence"].at("difference").get<std::string>().empty());
    BOOST_TEST(wrong["evidence"].at("witness").is_object());
}

BOOST_AUTO_TEST_CASE(markdown_marks_the_first_wrong_line) {
    const auto c = check("$$L(w) = w^3$$\n$$L(w) = w \\cdot w^2$$\n"
                         "$$\\frac{\\partial L}{\\partial w} = w^2$$\n"
                         "$$\\frac{\\partial L}{\\partial w} = 3 w^3$$\n");
    BOOST_TEST(first_wrong_line(c) == 3u);
    const std::string md = symgrad::format_markdown(c.d, c.r);
    BOOST_TEST(contains(md, "`steps.md`"));
    // The table: the first wrong line in bold, marked; the later wrong line plain "wrong".
    BOOST_TEST(contains(md, "| **3** |"), md);
    BOOST_TEST(contains(md, "**wrong: the first wrong line**"), md);
    BOOST_TEST(contains(md, "| 4 |"), md);
    BOOST_TEST(!contains(md, "| **4** |"), md);
    BOOST_TEST(!contains(md, "| **2** |"), md);
    BOOST_TEST(contains(md, "### Line 3 (first wrong line)"), md);
    BOOST_TEST(contains(md, "### Line 4\n"), md);
    BOOST_TEST(contains(md, "**First wrong line: 3.**"), md);
    // The evidence names the witness point.
    BOOST_TEST(contains(md, "- at `w = "), md);

    const auto right = check("$$L(w) = w^3$$\n$$\\frac{\\partial L}{\\partial w} = 3w^2$$\n");
    const std::string ok = symgrad::format_markdown(right.d, right.r);
    BOOST_TEST(contains(ok, "Every line checked is right."));
    BOOST_TEST(!contains(ok, "first wrong line"));
}

BOOST_AUTO_TEST_CASE(text_marks_the_first_wrong_line) {
    const auto c = check("$$L(w) = w^3$$\n$$\\frac{\\partial L}{\\partial w} = w^2$$\n");
    const std::string t = symgrad::format_text(c.d, c.r);
    BOOST_TEST(contains(t, ">> line 2:"), t);
    BOOST_TEST(contains(t, "<-- the first wrong line"), t);
    BOOST_TEST(contains(t, "first wrong line: 2\n"), t);
    BOOST_TEST(contains(t, "defined: line 1: L(w)"), t);
}

// The derivative of a name the text never defines, \frac{\partial J}{\partial w}, is read as the
// derivative of a new variable J, 0, and a line 2w after it is "wrong" with a certified
// witness. A name left undefined (a typo, a definition in skipped prose) should be an error or
// passed over, not a wrong line.
BOOST_AUTO_TEST_CASE(the_derivative_of_an_undefined_name_is_not_a_wrong_line) {
    bool wrong = false;
    try {
        const auto c = check("$$L(w) = w^2$$\n$$\\frac{\\partial J}{\\partial w} = 2w$$\n");
        wrong = c.r.first_wrong.has_value();
    } catch (const symgrad::parse_error& e) {
        BOOST_TEST_MESSAGE("an error: " << e.what());
    }
    BOOST_TEST(!wrong);
}

// ---------------------------------------------------------------------------------------------
// Found by the latex fuzzer and a probing round (each was a crash, a leak of another library's
// message, or a wrong or dishonest answer).

namespace {

std::string parse_error_of(const std::string& text) {
    try {
        read_md(text);
    } catch (const symgrad::parse_error& e) {
        return std::to_string(e.line()) + ":" + std::to_string(e.column()) + " " + e.message();
    }
    return "no error";
}

bool contains_text(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_CASE(invalid_utf8_in_the_text_still_gives_json) {
    const auto c = check("$x\xe9=1$\n\n$$a = 1 + 1 = 2$$\n");
    std::string json;
    BOOST_CHECK_NO_THROW(json = symgrad::format_json(c.d, c.r));
    BOOST_TEST(nlohmann::json::accept(json));
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_a_located_error_not_a_crash) {
    std::string pow = "$$x = ";
    for (int i = 0; i < 5000; ++i)
        pow += "w^";
    pow += "2$$\n";
    BOOST_TEST(contains_text(parse_error_of(pow), "nested deeper than 256 levels"));
    std::string frac = "$$x = ";
    for (int i = 0; i < 3000; ++i)
        frac += "\\frac{1}{";
    frac += "2" + std::string(3000, '}') + "$$\n";
    BOOST_TEST(contains_text(parse_error_of(frac), "nested deeper than 256 levels"));
}

BOOST_AUTO_TEST_CASE(misreadings_become_errors_at_their_place) {
    // \cdot \cdot was ** (a power); a matrix was read as rows; an unknown operator name was a
    // product; an unclosed $$ dropped its line; a NUL cut the message short.
    BOOST_TEST(parse_error_of("$$2 \\cdot \\cdot 3 = 6$$") ==
               "1:11 expected an operand before '*'");
    BOOST_TEST(contains_text(parse_error_of("$$x = \\begin{pmatrix} 1 & 2 \\end{pmatrix} = 3$$"),
                             "1:7 cannot read \\begin{pmatrix}"));
    BOOST_TEST(parse_error_of("$$L = w$$\n$$L = \\operatorname{sign}(w)$$") ==
               "2:7 unknown function 'sign'");
    BOOST_TEST(parse_error_of("text\n$$L = w^2\nmore text\n") == "2:1 this $$ is never closed");
    BOOST_TEST(contains_text(parse_error_of(std::string("$$L = w^2 \0 + 1$$", 17)), "U+0000"));
}

BOOST_AUTO_TEST_CASE(equations_being_solved_are_not_identities) {
    // w^2 = 4 \Rightarrow w = 2 was a wrong line and defined w; "= 0" sets a derivative to zero.
    const auto c = check("$$w^2 = 4 \\Rightarrow w = 2$$\n"
                         "$$L = (w - 3)^2$$\n"
                         "$$\\frac{\\partial L}{\\partial w} = 2(w - 3) = 0$$\n");
    BOOST_TEST(!c.r.first_wrong.has_value());
    BOOST_TEST(c.d.skipped.size() == 2u);
    BOOST_TEST_REQUIRE(c.d.claims.size() == 2u);
    BOOST_TEST((c.r.results[0].check.outcome == verdict::proved));
    BOOST_TEST(!c.r.results[1].not_checked.empty());
    BOOST_TEST(symgrad::derivation_status(c.r) == 3);
}

BOOST_AUTO_TEST_CASE(a_line_with_no_common_point_is_not_checked_and_the_rest_goes_on) {
    const auto c = check("$$\\sqrt{-1 - x^2} = 7$$\n$$a = 1 + 1 = 3$$\n");
    BOOST_TEST_REQUIRE(c.r.results.size() == 2u);
    BOOST_TEST(!c.r.results[0].not_checked.empty());
    BOOST_TEST(first_wrong_line(c) == 2u);
}

BOOST_AUTO_TEST_CASE(the_sign_fix_is_the_negated_line_and_is_verified) {
    // sqrt(x^2) = x is wrong, but not by its sign everywhere: no sign_of_line slip (the fix was
    // the reference itself, verified against itself).
    const auto c = check("$$\\sqrt{x^2} = x$$\n");
    BOOST_TEST_REQUIRE(c.r.first_wrong.has_value());
    const auto& s = c.r.results[*c.r.first_wrong].found_slip;
    BOOST_TEST(!(s && s->kind == slip_kind::sign_of_line));
    const auto d = check("$$L = (w - 1)^2$$\n$$\\frac{\\partial L}{\\partial w} = 2(1 - w)$$\n");
    BOOST_TEST_REQUIRE(d.r.first_wrong.has_value());
    const auto& t = d.r.results[*d.r.first_wrong].found_slip;
    BOOST_TEST_REQUIRE(t.has_value());
    BOOST_TEST((t->kind == slip_kind::sign_of_line));
    BOOST_TEST(t->corrected_part == "2*w - 2");
}

BOOST_AUTO_TEST_CASE(a_wrong_decimal_is_corrected_in_decimals) {
    const auto c = check("$$y = 100.5 + 4 = 105.5$$\n$$a = 0.25 + 0.5 = 0.7$$\n");
    BOOST_TEST_REQUIRE(c.r.results.size() == 2u);
    BOOST_TEST_REQUIRE(c.r.results[0].found_slip.has_value());
    BOOST_TEST((c.r.results[0].found_slip->kind == slip_kind::number_slip));
    BOOST_TEST(c.r.results[0].found_slip->corrected_part == "104.5");
    BOOST_TEST_REQUIRE(c.r.results[1].found_slip.has_value());
    BOOST_TEST(c.r.results[1].found_slip->corrected_part == "0.75");
}

BOOST_AUTO_TEST_SUITE_END()
