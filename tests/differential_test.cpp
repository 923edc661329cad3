// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// Differential tests: random expressions over the whole language (support/
// expression_generator.hpp) checked against independent oracles (support/differential_checks
// .hpp). Each test prints its seed (SYMGRAD_TEST_SEED replays another) and takes its number of
// cases from SYMGRAD_DIFF_CASES (default: the CI count below; the long mode sets 100000). Every
// failure is printed with seed, case index, expression and values, and the test fails with the
// count; every failure the generator found is kept in differential_regressions.txt and checked
// by every_regression_of_the_list_passes.
//
// CTest runs each test case on its own (label "differential"); the CI counts give at least
// 10,000 generated cases per property.

#include "support/differential_checks.hpp"
#include "support/expression_generator.hpp"
#include "support/reference_evaluator.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/simplify/simplify.hpp"
#include "symgrad/text/parser.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

namespace {

using namespace symgrad;
using namespace symgrad::test;
using GiNaC::ex;
using GiNaC::numeric;

/// Seconds a verdict may take before the case counts as a hang (the acceptance limit of issue
/// 12 for the fuzzers' inputs).
constexpr double verdict_budget = 10;

/// Seconds one generated case (differentiate and simplify, evaluate, print and read) may take
/// before it counts as a hang.
constexpr double case_budget = 10;

/// Generated expressions alternate between the modes: every `extreme_every`-th is extreme.
constexpr std::size_t extreme_every = 4;

void report(const failure_log& log) {
    BOOST_TEST_MESSAGE(log.summary());
    BOOST_TEST(log.failures() == 0u,
               log.property() << ": " << log.failures() << " failures (seed " << log.seed() << ")");
}

std::vector<GiNaC::exmap> points_for(const generated_expression& g, random_source& random,
                                     std::size_t n) {
    std::vector<GiNaC::exmap> points;
    for (std::size_t i = 0; i < n; ++i)
        points.push_back(random_exact_point(g.variables, g.label_classes, random));
    return points;
}

/// Two generators (ordinary, extreme) from one seed, and the alternation between them.
struct generators {
    expression_generator ordinary, extreme;
    explicit generators(std::uint64_t seed, int max_depth = 4)
        : ordinary(seed, {generator_mode::ordinary, max_depth}),
          extreme(seed ^ 0x9e3779b97f4a7c15ULL, {generator_mode::extreme, max_depth}) {}
    expression_generator& for_case(std::size_t i) {
        return i % extreme_every == extreme_every - 1 ? extreme : ordinary;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(differential)

BOOST_AUTO_TEST_CASE(derivatives_agree_with_high_precision_finite_differences) {
    const std::uint64_t seed = test::seed(1201, "derivatives");
    const std::size_t cases = differential_case_count(10000);
    failure_log log("derivatives", seed);
    generators gen(seed, 3);
    random_source points(seed + 1);
    std::vector<generated_expression> gs;
    std::vector<std::vector<GiNaC::exmap>> ps;
    for (std::size_t i = 0; i < cases; ++i) {
        gs.push_back(gen.for_case(i).next());
        ps.push_back(points_for(gs.back(), points, 2));
    }
    run_isolated_cases(
        cases, case_budget, log,
        [&](std::size_t i, failure_log& l) { check_derivative(gs[i].text, ps[i], l, i); },
        [&](std::size_t i) { return gs[i].text; });
    report(log);
}

BOOST_AUTO_TEST_CASE(simplify_keeps_the_value_and_never_grows) {
    const std::uint64_t seed = test::seed(1202, "simplify");
    const std::size_t cases = differential_case_count(10000);
    failure_log log("simplify", seed);
    generators gen(seed);
    random_source points(seed + 1);
    std::vector<generated_expression> gs;
    std::vector<std::vector<GiNaC::exmap>> ps;
    for (std::size_t i = 0; i < cases; ++i) {
        gs.push_back(gen.for_case(i).next());
        ps.push_back(points_for(gs.back(), points, 3));
    }
    run_isolated_cases(
        cases, case_budget, log,
        [&](std::size_t i, failure_log& l) { check_simplify(gs[i].text, ps[i], l, i, i % 2); },
        [&](std::size_t i) { return gs[i].text; });
    report(log);
}

BOOST_AUTO_TEST_CASE(every_identity_of_the_table_holds_at_100_digit_points) {
    // Independent of verify: both sides by the reference evaluator at 100 digits, at points
    // across many magnitudes (also +-1000, where sigmoid and softplus saturate).
    const std::uint64_t seed = test::seed(1203, "identity table");
    failure_log log("identity table", seed);
    random_source random(seed);
    const std::map<char, std::string> names{{'A', "a"}, {'B', "b"}, {'C', "c"},
                                            {'Z', "z"}, {'P', "p"}, {'Q', "q"}};
    std::size_t index = 0;
    for (const auto& id : identity_table()) {
        const ex lhs = parse(instantiate(id.lhs, names));
        const ex rhs = parse(instantiate(id.rhs, names));
        std::size_t compared = 0;
        for (int k = 0; k < 200; ++k, ++index) {
            GiNaC::exmap p = random_exact_point({"a", "b", "c", "z"}, 2, random);
            if (k % 5 == 4) // saturation: |argument| in the hundreds
                for (auto& [s, v] : p)
                    if (symbol_name(s) != "y")
                        v = v * numeric(random.between(50, 1000)) / 4;
            for (const char* positive : {"p", "q"})
                p[symbol_named(positive)] = numeric(random.between(1, 4096), 64) *
                                            numeric(2).power(numeric(random.between(-20, 20)));
            reference_options o;
            o.digits = 100;
            const reference_value l = reference_resolved(lhs, p, o, numeric("1e-40"));
            const reference_value r = reference_resolved(rhs, p, o, numeric("1e-40"));
            if (!l.ok() || !r.ok())
                continue;
            ++compared;
            if (GiNaC::abs(l.value - r.value) > 4 * (l.error + r.error))
                log.fail(index, id.name, std::string(id.lhs) + " = " + id.rhs,
                         "at " + point_text(p) + ": " + to_text(l.value.evalf()) + " vs " +
                             to_text(r.value.evalf()));
        }
        log.count("points compared", compared);
        if (compared < 100)
            log.fail(index, "identity compared at too few points", id.name,
                     std::to_string(compared) + " of 200");
    }
    report(log);
}

BOOST_AUTO_TEST_CASE(rewriting_by_a_known_identity_is_never_refuted) {
    const std::uint64_t seed = test::seed(1204, "identity rewrites");
    // verify takes about 0.5 s per case here (2026-12): 500 keep CI within minutes; the
    // differential CI job and the long mode set SYMGRAD_DIFF_CASES.
    const std::size_t cases = differential_case_count(500);
    failure_log log("identity rewrites", seed);
    generators gen(seed, 2);
    const auto& table = identity_table();
    std::vector<std::pair<std::string, std::string>> sides;
    for (std::size_t i = 0; i < cases; ++i) {
        expression_generator& g = gen.for_case(i);
        const auto& id = table[g.random().below(table.size())];
        const int depth = static_cast<int>(g.random().below(3));
        const generated_expression context = g.next_context(depth);
        std::map<char, std::string> args;
        for (char c : placeholders(std::string(id.lhs) + id.rhs)) {
            const int d = static_cast<int>(g.random().below(3));
            args[c] = c == 'P' || c == 'Q' ? g.positive_subexpression(d) : g.subexpression(d);
        }
        sides.emplace_back(fill_hole(context.text, instantiate(id.lhs, args)),
                           fill_hole(context.text, instantiate(id.rhs, args)));
    }
    run_isolated_cases(
        cases, verdict_budget, log,
        [&](std::size_t i, failure_log& l) {
            check_verify_equal(sides[i].first, sides[i].second, l, i);
        },
        [&](std::size_t i) { return "check '" + sides[i].first + "' '" + sides[i].second + "'"; });
    report(log);
}

BOOST_AUTO_TEST_CASE(a_perturbed_expression_is_never_proved_or_probably_equal) {
    const std::uint64_t seed = test::seed(1205, "perturbations");
    const std::size_t cases = differential_case_count(3000); // about 0.05 s per case
    failure_log log("perturbations", seed);
    generators gen(seed, 3);
    std::vector<std::pair<std::string, std::string>> sides;
    for (std::size_t i = 0; i < cases; ++i) {
        expression_generator& g = gen.for_case(i);
        const generated_expression e = g.next();
        random_source& r = g.random();
        // A perturbation that is nonzero wherever it is defined (everywhere).
        const std::int64_t k = r.chance(80) ? r.between(1, 40) : r.between(41, 400);
        const std::string small = "10^(-" + std::to_string(k) + ")";
        static const std::vector<std::string> shapes{
            "", "*(1 + x^2)", "*exp(a)", "*sigmoid(b)", "*(-1)", "*(2 + tanh(x))"};
        const std::string perturbation = small + r.pick(shapes);
        // Every third case changes a constant instead (the sides may then agree somewhere, or
        // even everywhere: an equality verdict is checked against evaluation at random points).
        if (i % 3 == 2)
            sides.emplace_back(e.text, change_a_constant(e.text, r));
        else
            sides.emplace_back(e.text, "(" + e.text + ") + " + perturbation);
    }
    random_source confirm(seed + 7);
    run_isolated_cases(
        cases, verdict_budget, log,
        [&](std::size_t i, failure_log& l) {
            check_verify_differs(sides[i].first, sides[i].second, l, i,
                                 i % 3 == 2 ? &confirm : nullptr);
        },
        [&](std::size_t i) { return "check '" + sides[i].first + "' '" + sides[i].second + "'"; });
    report(log);
}

BOOST_AUTO_TEST_CASE(double_evaluators_agree_with_cln_within_the_error_bound) {
    const std::uint64_t seed = test::seed(1206, "double evaluators");
    const std::size_t cases = differential_case_count(10000);
    failure_log log("double evaluators", seed);
    generators gen(seed);
    random_source points(seed + 1);
    const bool native = test::have_program("cc");
    if (!native)
        BOOST_TEST_MESSAGE("no C compiler 'cc': native code is not checked");
    const std::size_t batch = 250;
    for (std::size_t first = 0; first < cases; first += batch) {
        std::vector<std::string> texts;
        std::vector<std::vector<GiNaC::exmap>> batch_points;
        for (std::size_t i = first; i < std::min(cases, first + batch); ++i) {
            const generated_expression g = gen.for_case(i).next();
            texts.push_back(g.text);
            batch_points.push_back(points_for(g, points, 3));
        }
        check_evaluators(texts, batch_points, native, log, first, case_budget);
    }
    report(log);
}

BOOST_AUTO_TEST_CASE(text_printing_reads_back_as_an_equal_expression) {
    // to_text is the one printer the parser reads: to_python writes powers as **, to_c uses
    // fabs and double literals (1/3 becomes 0.333...), LaTeX is not an input syntax.
    const std::uint64_t seed = test::seed(1207, "print and parse");
    const std::size_t cases = differential_case_count(10000);
    failure_log log("print and parse", seed);
    generators gen(seed, 5);
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < cases; ++i)
        texts.push_back(gen.for_case(i).next().text);
    run_isolated_cases(
        cases, case_budget, log,
        [&](std::size_t i, failure_log& l) { check_print_parse(texts[i], l, i); },
        [&](std::size_t i) { return texts[i]; });
    report(log);
}

BOOST_AUTO_TEST_CASE(separate_processes_print_identical_bytes) {
    const std::uint64_t seed = test::seed(1208, "same bytes");
    // Process start-up dominates: a few hundred commands, not thousands.
    const std::size_t cases = std::min<std::size_t>(differential_case_count(10000) / 40, 2500);
    failure_log log("same bytes", seed);
    generators gen(seed, 3);
    random_source points(seed + 1);
    for (std::size_t i = 0; i < cases; ++i) {
        const generated_expression g = gen.for_case(i).next();
        std::vector<std::string> args;
        switch (i % 4) {
        case 0:
            args = {"diff", g.text};
            break;
        case 1: {
            const auto p = random_exact_point(g.variables, g.label_classes, points);
            args = {"eval", g.text};
            if (!p.empty())
                args.insert(args.end(), {"--at", point_text(p)});
            break;
        }
        case 2:
            args = {"check", g.text,
                    i % 8 == 2 ? "(" + g.text + ") + 10^(-30)" : "(" + g.text + ")*1"};
            break;
        default:
            args = {"simplify", g.text};
            break;
        }
        check_same_bytes(args, log, i, 3, 30);
    }
    report(log);
}

BOOST_AUTO_TEST_CASE(every_regression_of_the_list_passes) {
    // Each line: KIND | EXPRESSION [| SECOND] where KIND is derivative, simplify, evaluate (with
    // SECOND an optional point), print_parse, identity (SECOND: the equal side), perturbed
    // (SECOND: the different side) or same_bytes (the command's arguments, separated by |).
    std::ifstream in(std::string(SYMGRAD_SOURCE_DIR) + "/tests/differential_regressions.txt");
    BOOST_REQUIRE(in);
    failure_log log("regressions", 0);
    random_source random(12);
    std::string line;
    std::size_t index = 0;
    std::vector<std::string> evaluate_texts;
    std::vector<std::vector<GiNaC::exmap>> evaluate_points;
    std::vector<std::size_t> evaluate_lines;
    std::vector<std::tuple<std::size_t, std::vector<std::string>, std::vector<GiNaC::exmap>>>
        entries;
    while (std::getline(in, line)) {
        ++index;
        if (line.empty() || line[0] == '#')
            continue;
        std::vector<std::string> fields;
        std::size_t start = 0;
        for (;;) {
            const std::size_t bar = line.find(" | ", start);
            fields.push_back(line.substr(start, bar - start));
            if (bar == std::string::npos)
                break;
            start = bar + 3;
        }
        BOOST_REQUIRE_MESSAGE(fields.size() >= 2, "line " << index << ": no expression");
        static const std::set<std::string> kinds{"derivative",       "simplify",  "evaluate",
                                                 "print_parse",      "identity",  "perturbed",
                                                 "changed_constant", "same_bytes"};
        BOOST_REQUIRE_MESSAGE(kinds.count(fields[0]), "differential_regressions.txt line "
                                                          << index << ": unknown kind '"
                                                          << fields[0] << "'");
        // Points: the given one, and random ones.
        std::vector<GiNaC::exmap> points;
        if (fields.size() >= 3 &&
            (fields[0] == "derivative" || fields[0] == "simplify" || fields[0] == "evaluate"))
            points.push_back(parse_point(fields[2]));
        if (fields[0] != "same_bytes") {
            // Names from the text, not from parse(): parsing may be what hangs (0.5^(10^300)),
            // and only the isolated check may run into that.
            std::vector<std::string> variables;
            const std::string& t = fields[1];
            for (std::size_t i = 0; i < t.size();) {
                if (!std::isalpha(static_cast<unsigned char>(t[i]))) {
                    ++i;
                    continue;
                }
                std::size_t j = i;
                while (j < t.size() &&
                       (std::isalnum(static_cast<unsigned char>(t[j])) || t[j] == '_'))
                    ++j;
                const std::string name = t.substr(i, j - i);
                const bool call = j < t.size() && t[j] == '(';
                const bool number_exponent =
                    i > 0 && std::isdigit(static_cast<unsigned char>(t[i - 1]));
                if (!call && !number_exponent && name != "y" &&
                    std::find(variables.begin(), variables.end(), name) == variables.end())
                    variables.push_back(name);
                i = j;
            }
            for (int k = 0; k < 8; ++k)
                points.push_back(random_exact_point(variables, 2, random));
        }
        if (fields[0] == "evaluate") {
            evaluate_texts.push_back(fields[1]);
            evaluate_points.push_back(points);
            evaluate_lines.push_back(index);
            continue;
        }
        entries.push_back({index, fields, points});
    }
    run_isolated_cases(
        entries.size(), verdict_budget, log,
        [&](std::size_t i, failure_log& l) {
            const auto& [line_number, f, points] = entries[i];
            const std::string& kind = f[0];
            if (kind == "derivative")
                check_derivative(f[1], points, l, line_number);
            else if (kind == "simplify")
                check_simplify(f[1], points, l, line_number);
            else if (kind == "print_parse")
                check_print_parse(f[1], l, line_number);
            else if (kind == "identity")
                check_verify_equal(f[1], f.at(2), l, line_number);
            else if (kind == "perturbed")
                check_verify_differs(f[1], f.at(2), l, line_number);
            else if (kind == "changed_constant")
                check_verify_differs(f[1], f.at(2), l, line_number, &random);
            else if (kind == "same_bytes")
                check_same_bytes(std::vector<std::string>(f.begin() + 1, f.end()), l, line_number,
                                 3, 30);
        },
        [&](std::size_t i) { return std::get<1>(entries[i]).at(1); });
    for (std::size_t i = 0; i < evaluate_texts.size(); ++i)
        check_evaluators({evaluate_texts[i]}, {evaluate_points[i]}, test::have_program("cc"), log,
                         evaluate_lines[i], case_budget);
    report(log);
}

BOOST_AUTO_TEST_SUITE_END()
