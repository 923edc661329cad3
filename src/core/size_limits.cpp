// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/size_limits.hpp"

#include "symgrad/core/expression_walk.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace symgrad {

namespace {

std::atomic<double> digits_limit{default_size_limits.digits};
std::atomic<double> nodes_limit{default_size_limits.nodes};

/// log2(10): bits per decimal digit.
constexpr double bits_per_digit = 3.321928094887362;

std::string count_text(double n) {
    return fmt::format("{:.0f}", n);
}

} // namespace

size_limits current_size_limits() noexcept {
    return {digits_limit.load(), nodes_limit.load()};
}

void set_size_limits(const size_limits& limits) noexcept {
    digits_limit = limits.digits;
    nodes_limit = limits.nodes;
}

double max_exact_bits() noexcept {
    const double digits = digits_limit.load();
    return digits > 0 ? digits * bits_per_digit : std::numeric_limits<double>::infinity();
}

std::string digits_limit_text() {
    return "more than " + count_text(digits_limit.load()) +
           " digits, the size limit (raise it with --max-digits DIGITS; 0: no limit)";
}

namespace {

/// Whether the integer @p n has more than @p digits decimal digits: its length in bits decides
/// unless it is within a bit of the boundary, where |n| is compared with 10^digits.
bool more_digits_than(const GiNaC::numeric& n, double digits) {
    const auto bits = static_cast<double>(GiNaC::abs(n).int_length());
    const double boundary = digits * bits_per_digit;
    if (bits < boundary - 1)
        return false;
    if (bits > boundary + 1)
        return true;
    return GiNaC::abs(n) >=
           GiNaC::pow(GiNaC::numeric(10), GiNaC::numeric(static_cast<long>(digits)));
}

} // namespace

void check_number_size(const GiNaC::numeric& x, const std::string& what) {
    const double digits = digits_limit.load();
    if (!x.is_rational() || !(digits > 0))
        return;
    if (more_digits_than(x.numer(), digits) || more_digits_than(x.denom(), digits))
        throw size_limit_error(what + ": the exact value would have " + digits_limit_text());
}

std::size_t distinct_nodes(const GiNaC::ex& e, std::size_t stop_after) {
    std::size_t count = 0;
    for_each_subexpression(e, [&](const GiNaC::ex&) { return ++count <= stop_after; });
    return count;
}

void check_expression_size(const GiNaC::ex& e, const std::string& what) {
    const double limit = nodes_limit.load();
    if (!(limit > 0) || limit >= static_cast<double>(std::numeric_limits<std::size_t>::max()))
        return;
    const auto n = static_cast<std::size_t>(limit);
    if (distinct_nodes(e, n) > n)
        throw size_limit_error(what + ": the expression has more than " + count_text(limit) +
                               " distinct subexpressions, the size limit (raise it with "
                               "--max-nodes N; 0: no limit)");
}

std::size_t nesting_depth(const GiNaC::ex& e, std::size_t stop_after) {
    object_map<std::size_t> depth;
    // A sum's or product's op(i) is built afresh on each call, so an operand can miss the map:
    // its depth is then found from its own operands, which are the shared objects.
    auto depth_of = [&](const GiNaC::ex& x, auto& self) -> std::size_t {
        if (auto it = depth.find(x); it != depth.end())
            return it->second;
        std::size_t d = 0;
        for (std::size_t i = 0; i < x.nops(); ++i)
            d = std::max(d, self(x.op(i), self));
        return d + 1;
    };
    std::size_t deepest = 0;
    for_each_subexpression_postorder(
        e, [&](const GiNaC::ex& x) { return deepest > stop_after || depth.count(x) > 0; },
        [&](const GiNaC::ex& x) {
            const std::size_t d = depth_of(x, depth_of);
            depth.emplace(x, d);
            deepest = std::max(deepest, d);
        });
    return std::min(deepest, stop_after + 1);
}

void check_nesting_depth(const GiNaC::ex& e, const std::string& what) {
    if (nesting_depth(e, max_nesting_depth) > max_nesting_depth)
        throw size_limit_error(
            what + ": the expression nests more than " + std::to_string(max_nesting_depth) +
            " levels deep (a chain of definitions, one level per link), too deep to print or "
            "transform without overflowing the stack; its value at a point can be shown "
            "(show NAME at ...)");
}

} // namespace symgrad
