// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/program/program_evaluate.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/precision.hpp"
#include "symgrad/core/stable_forms.hpp"
#include "symgrad/core/symbols.hpp"

#include <set>

namespace symgrad {

using GiNaC::ex;
using GiNaC::numeric;

namespace {

/// Every weight, input and label must have a value; name all missing ones at once.
template <class Point>
void check_bound(const gradient_program& program, const Point& point, const char* where) {
    std::vector<std::string> missing;
    auto check = [&](const std::vector<ex>& list) {
        for (const auto& s : list)
            if (point.find(s) == point.end())
                missing.push_back(symbol_name(s));
    };
    check(program.weights());
    check(program.inputs());
    check(program.labels());
    if (!missing.empty())
        throw unbound_symbols(where, std::move(missing));
}

template <class Visit> void for_each_assignment(const gradient_program& program, Visit visit) {
    for (const auto& a : program.forward())
        visit(a);
    for (const auto& a : program.backward())
        visit(a);
}

std::string where_of(const assignment& a, const char* where) {
    return std::string(where) + ": " + symbol_name(a.symbol);
}

/// One run at the current GiNaC::Digits: every value a number (exact when rational).
program_numbers run_numeric(const gradient_program& program, const GiNaC::exmap& point) {
    GiNaC::exmap env = point;
    auto number = [&](const ex& e, const std::string& where) -> numeric {
        const ex v = evaluate_exact(e, env, where).evalf();
        if (!GiNaC::is_exactly_a<numeric>(v) || !GiNaC::ex_to<numeric>(v).is_real())
            throw domain_error(where + ": the value is not a real number");
        return GiNaC::ex_to<numeric>(v);
    };
    auto exact_or_number = [&](const ex& e, const std::string& where) -> numeric {
        const ex exact = evaluate_exact(e, env, where);
        if (GiNaC::is_exactly_a<numeric>(exact) && exact.info(GiNaC::info_flags::rational))
            return GiNaC::ex_to<numeric>(exact);
        return number(exact, where);
    };
    for_each_assignment(program, [&](const assignment& a) {
        env[a.symbol] = exact_or_number(a.value, where_of(a, "evaluate_program_numeric"));
    });
    program_numbers out;
    out.loss = exact_or_number(program.loss(), "evaluate_program_numeric: the loss");
    for (std::size_t i = 0; i < program.gradient().size(); ++i)
        out.gradient.push_back(
            exact_or_number(program.gradient()[i],
                            "evaluate_program_numeric: d/d" + symbol_name(program.weights()[i])));
    return out;
}

bool agree(const program_numbers& a, const program_numbers& b, long digits) {
    if (!agree_to_digits(a.loss, b.loss, digits))
        return false;
    for (std::size_t i = 0; i < a.gradient.size(); ++i)
        if (!agree_to_digits(a.gradient[i], b.gradient[i], digits))
            return false;
    return true;
}

} // namespace

program_values evaluate_program_exact(const gradient_program& program, const GiNaC::exmap& point) {
    check_bound(program, point, "evaluate_program_exact");
    GiNaC::exmap env = point;
    object_set real;
    for_each_assignment(program, [&](const assignment& a) {
        env[a.symbol] = evaluate_exact(a.value, env, real, where_of(a, "evaluate_program_exact"));
    });
    program_values out;
    out.loss = evaluate_exact(program.loss(), env, real, "evaluate_program_exact: the loss");
    for (std::size_t i = 0; i < program.gradient().size(); ++i)
        out.gradient.push_back(
            evaluate_exact(program.gradient()[i], env, real,
                           "evaluate_program_exact: d/d" + symbol_name(program.weights()[i])));
    return out;
}

program_numbers evaluate_program_numeric(const gradient_program& program, const GiNaC::exmap& point,
                                         long digits) {
    if (digits < 1 || digits > 100000)
        throw invalid_input("evaluate_program_numeric: digits must be between 1 and 100000, got " +
                            std::to_string(digits));
    check_bound(program, point, "evaluate_program_numeric");
    long precision = digits + 10;
    auto run = [&](long p) {
        precision_guard guard(p);
        return run_numeric(program, point);
    };
    program_numbers previous = run(precision);
    for (int round = 0; round < 5; ++round) {
        precision *= 2;
        program_numbers next = run(precision);
        if (agree(previous, next, digits + 1))
            return next;
        previous = std::move(next);
    }
    return previous;
}

program_doubles evaluate_program_double(const gradient_program& program,
                                        const double_point& point) {
    check_bound(program, point, "evaluate_program_double");
    double_point env = point;
    // The cancellation-free forms are what run in double (stable_forms.hpp).
    stable_forms stable(program.labels());
    for_each_assignment(program, [&](const assignment& a) {
        env[a.symbol] = evaluate_double(stable.define(a.symbol, a.value), env,
                                        where_of(a, "evaluate_program_double"));
    });
    program_doubles out;
    out.loss = evaluate_double(stable(program.loss()), env, "evaluate_program_double: the loss");
    for (std::size_t i = 0; i < program.gradient().size(); ++i)
        out.gradient.push_back(
            evaluate_double(stable(program.gradient()[i]), env,
                            "evaluate_program_double: d/d" + symbol_name(program.weights()[i])));
    return out;
}

} // namespace symgrad
