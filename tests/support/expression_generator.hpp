// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

// Random expressions over the whole input language, for the differential tests
// (differential_test.cpp). Everything is derived from std::mt19937_64, whose output sequence the
// C++ standard fixes, through integer arithmetic on its raw output (rng() % n): the standard
// library's distributions are implementation-defined, so a seed printed by one build replays
// the same expressions with any other compiler or library version.

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace symgrad::test {

/// Reproducible choices from a seed (raw mt19937_64 output only).
class random_source {
public:
    explicit random_source(std::uint64_t seed) : rng_(seed) {}
    /// 0 .. n-1 (n > 0); the modulo bias is irrelevant for n far below 2^64.
    std::uint64_t below(std::uint64_t n) { return rng_() % n; }
    /// lo .. hi inclusive.
    std::int64_t between(std::int64_t lo, std::int64_t hi) {
        return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
    }
    /// True with probability percent/100.
    bool chance(unsigned percent) { return below(100) < percent; }
    /// One element of a non-empty list.
    template <class T> const T& pick(const std::vector<T>& items) {
        return items[static_cast<std::size_t>(below(items.size()))];
    }

private:
    std::mt19937_64 rng_;
};

enum class generator_mode {
    /// Moderate constants and arguments.
    ordinary,
    /// Constants such as 10^300, 10^-300, exp(-1000), and arguments of the ML functions and exp
    /// scaled by 200, 1000 or 10^6, so that values under- and overflow double and cancel.
    extreme
};

struct generator_options {
    generator_mode mode = generator_mode::ordinary;
    /// Deepest nesting of operations.
    int max_depth = 4;
    /// Variable names (the label is "y", so none of these may be "y").
    std::vector<std::string> variables{"a", "b", "x"};
    /// abs, step, csgn, relu.
    bool piecewise = true;
    /// A symbolic label y in crossentropy, logloss and indicator (else literal labels only).
    bool labels = true;
};

/// A generated expression in the parser's syntax.
struct generated_expression {
    std::string text;
    /// Names of the variables it uses (a subset of the options' variables), sorted.
    std::vector<std::string> variables;
    /// Classes the label y ranges over (0 .. label_classes-1), 0 when y does not occur.
    int label_classes = 0;
};

/// Random expressions: + - * / ^ with integer and rational exponents, exp, log, sqrt, tanh,
/// abs, step, csgn, sigmoid, softplus, relu, logloss, indicator, logsumexp, softmax and
/// crossentropy (of softmax or of explicit probabilities, with integer or symbolic labels),
/// nested, with exact integer, rational and decimal constants (exact as parsed). Most
/// logarithms, roots and divisors get arguments that are positive by construction, so that most
/// points are in the domain; a fraction of them do not, so that domains get tested too.
class expression_generator {
public:
    expression_generator(std::uint64_t seed, generator_options options = {});

    /// The next expression.
    generated_expression next();

    /// An expression with exactly one hole, written "@" (for rewriting inside a context), of
    /// at most @p depth nested operations around the hole.
    generated_expression next_context(int depth);

    /// A smaller expression (at most @p depth nested operations), e.g. an argument for a
    /// rewrite rule; its variables and label classes are merged into the next result of
    /// take_used().
    std::string subexpression(int depth);

    /// Like subexpression(), but positive wherever it is defined (exp, sigmoid, 1 + u^2, ...).
    std::string positive_subexpression(int depth);

    /// Variables and label classes used since the last call (by subexpression()).
    generated_expression take_used();

    random_source& random() { return random_; }

private:
    std::string any(int depth);
    std::string positive(int depth);
    std::string probability(int depth);
    std::string leaf();
    std::string positive_constant();
    std::string constant();
    std::string variable();
    std::string label(int classes);
    std::string scaled(int depth);
    std::string exponent_argument(int depth);

    random_source random_;
    generator_options options_;
    std::vector<bool> used_;
    int label_classes_ = 0;
    int exp_nesting_ = 0;
};

/// Replace every "@" in @p context by "(" + @p filler + ")".
std::string fill_hole(const std::string& context, const std::string& filler);

} // namespace symgrad::test
