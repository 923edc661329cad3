// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/verify/domain.hpp"

#include "simplify/rules.hpp"
#include "symgrad/core/enclosure.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/exp_normal_form.hpp"
#include "symgrad/core/expression_walk.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/time_limit.hpp"
#include "symgrad/simplify/simplify.hpp"

#include <algorithm>
#include <unordered_set>

namespace symgrad {

using GiNaC::ex;
using GiNaC::exvector;
using GiNaC::numeric;

namespace {

bool is_number(const ex& e) {
    return GiNaC::is_exactly_a<numeric>(e);
}

/// Nonnegative wherever defined: squares and even powers, abs, relu, sqrt, positives, and sums
/// and products of those.
bool is_nonnegative(const ex& e) {
    if (is_number(e))
        return GiNaC::ex_to<numeric>(e).is_real() && !GiNaC::ex_to<numeric>(e).is_negative();
    if (GiNaC::is_exactly_a<GiNaC::power>(e)) {
        const ex& k = e.op(1);
        if (k.info(GiNaC::info_flags::even))
            return true;
        if (is_number(k) && !k.info(GiNaC::info_flags::integer))
            return true; // a real fractional power is >= 0 where defined
        return is_nonnegative(e.op(0));
    }
    if (GiNaC::is_exactly_a<GiNaC::add>(e) || GiNaC::is_exactly_a<GiNaC::mul>(e)) {
        for (std::size_t i = 0; i < e.nops(); ++i)
            if (!is_nonnegative(e.op(i)))
                return false;
        return true;
    }
    if (ml_function_of(e) == ml_function::relu)
        return true;
    if (GiNaC::is_exactly_a<GiNaC::function>(e)) {
        const std::string& name = GiNaC::ex_to<GiNaC::function>(e).get_name();
        if (name == "abs" || name == "step")
            return true;
    }
    return simplify_detail::is_positive(e);
}

/// Post-order over the DAG (operands before the operation), with an explicit stack: a chain of
/// thousands of nested calls is not a recursion that deep.
class condition_collector {
public:
    condition_collector(std::unordered_set<const GiNaC::basic*>& seen, exvector& keep)
        : seen_(seen), keep_(keep) {}

    std::vector<domain_condition> out;

    void operator()(const ex& root) {
        for_each_subexpression_postorder(
            root,
            [this](const ex& e) {
                return is_number(e) || GiNaC::is_a<GiNaC::symbol>(e) ||
                       seen_.count(&GiNaC::ex_to<GiNaC::basic>(e)) != 0;
            },
            [this](const ex& e) {
                seen_.insert(&GiNaC::ex_to<GiNaC::basic>(e));
                keep_.push_back(e); // its address stays its own
                collect(e);
            });
    }

private:
    void collect(const ex& e) {
        if (GiNaC::is_exactly_a<GiNaC::power>(e)) {
            const ex& u = e.op(0);
            const ex& k = e.op(1);
            if (is_number(k) && k.info(GiNaC::info_flags::integer)) {
                if (GiNaC::ex_to<numeric>(k).is_negative())
                    add_condition(out, {u, domain_kind::nonzero});
            } else if (is_number(k) && k.info(GiNaC::info_flags::rational)) {
                add_condition(out, {u, GiNaC::ex_to<numeric>(k).is_negative()
                                           ? domain_kind::positive
                                           : domain_kind::nonnegative});
            } else if (u.is_zero()) {
                // 0^k is 0 for k > 0 (and undefined otherwise): not "0 > 0", which no point
                // satisfies and which made 0^x = 5 "equal where both are defined".
                add_condition(out, {k, domain_kind::positive});
            } else {
                add_condition(out, {u, domain_kind::positive});
            }
            return;
        }
        if (!GiNaC::is_exactly_a<GiNaC::function>(e))
            return;
        switch (ml_function_of(e)) {
        case ml_function::logloss:
            add_condition(out, {e.op(0), domain_kind::positive});
            add_condition(out, {1 - e.op(0), domain_kind::positive});
            return;
        case ml_function::crossentropy:
            for (std::size_t i = 1; i < e.nops(); ++i)
                add_condition(out, {e.op(i), domain_kind::positive});
            return;
        case ml_function::none:
        case ml_function::sigmoid:
        case ml_function::softplus:
        case ml_function::relu:
        case ml_function::indicator:
        case ml_function::logsumexp:
        case ml_function::softmax:
            break;
        }
        const std::string& name = GiNaC::ex_to<GiNaC::function>(e).get_name();
        if (name == "log")
            add_condition(out, {e.op(0), domain_kind::positive});
        else if (name == "asin" || name == "acos")
            add_condition(out, {1 - GiNaC::pow(e.op(0), 2), domain_kind::nonnegative});
        else if (name == "tan")
            add_condition(out, {GiNaC::cos(e.op(0)), domain_kind::nonzero});
    }

    std::unordered_set<const GiNaC::basic*>& seen_;
    exvector& keep_;
};

int sign_of_number(const numeric& n) {
    return n.is_zero() ? 0 : (n.is_positive() ? 1 : -1);
}

truth judge(domain_kind kind, int sign) {
    switch (kind) {
    case domain_kind::positive:
        return sign > 0 ? truth::holds : truth::fails;
    case domain_kind::nonnegative:
        return sign >= 0 ? truth::holds : truth::fails;
    case domain_kind::nonzero:
        return sign != 0 ? truth::holds : truth::fails;
    }
    return truth::unknown;
}

/// One spelling per condition: u^2 > 0, abs(u) > 0 and u^3 != 0 all say u != 0.
domain_condition normalized(domain_condition c) {
    for (;;) {
        ex& e = c.expr;
        if (GiNaC::is_exactly_a<GiNaC::mul>(e) && e.nops() == 2 && is_number(e.op(1)) &&
            GiNaC::ex_to<numeric>(e.op(1)).is_real() && !e.op(1).is_zero() &&
            (c.kind == domain_kind::nonzero || GiNaC::ex_to<numeric>(e.op(1)).is_positive())) {
            e = e.op(0); // c*u with a number c of the right sign
            continue;
        }
        const bool even_power = GiNaC::is_exactly_a<GiNaC::power>(e) &&
                                e.op(1).info(GiNaC::info_flags::even) &&
                                e.op(1).info(GiNaC::info_flags::positive);
        const bool is_abs = GiNaC::is_exactly_a<GiNaC::function>(e) &&
                            GiNaC::ex_to<GiNaC::function>(e).get_name() == "abs";
        if ((even_power || is_abs) && c.kind == domain_kind::positive) {
            c = {e.op(0), domain_kind::nonzero};
            continue;
        }
        const bool positive_power =
            GiNaC::is_exactly_a<GiNaC::power>(e) && e.op(1).info(GiNaC::info_flags::posint);
        if ((positive_power || is_abs) && c.kind == domain_kind::nonzero) {
            c.expr = e.op(0);
            continue;
        }
        if (c.kind == domain_kind::nonzero) {
            // u != 0 and -u != 0 are one condition: GiNaC's choice of sign varies per run.
            bool negated = false;
            c.expr = sign_representative(c.expr, negated);
        }
        return c;
    }
}

} // namespace

bool holds_everywhere_as_written(const domain_condition& c);

void add_condition(std::vector<domain_condition>& to, const domain_condition& c) {
    // A product is nonzero exactly where each factor is: a*b != 0 (the determinant of
    // diag(a, b)) is the domain of 1/a + 1/b, and compares with it factor by factor.
    if (c.kind == domain_kind::nonzero && GiNaC::is_a<GiNaC::mul>(c.expr)) {
        for (std::size_t i = 0; i < c.expr.nops(); ++i)
            if (!is_number(c.expr.op(i)))
                add_condition(to, {c.expr.op(i), domain_kind::nonzero});
        return;
    }
    if (is_number(c.expr) && GiNaC::ex_to<numeric>(c.expr).is_real() &&
        judge(c.kind, sign_of_number(GiNaC::ex_to<numeric>(c.expr))) == truth::holds)
        return;
    for (const auto& d : to)
        if (d.kind == c.kind && d.expr.is_equal(c.expr))
            return;
    to.push_back(c);
}

std::vector<domain_condition> domain_of(const ex& e) {
    domain_collector once;
    return once(e);
}

std::vector<domain_condition> domain_collector::operator()(const ex& e) {
    condition_collector collect(seen_, keep_);
    collect(e);
    return std::move(collect.out);
}

bool holds_everywhere(const domain_condition& c) {
    if (holds_everywhere_as_written(c))
        return true;
    // 1 - 1/(1 + exp(-u)) > 0 is sigmoid(-u) > 0 once simplified.
    // Only small conditions: the simplifier's search grows with the expression.
    if (c.expr.nops() > 8 || to_text(c.expr).size() > 200)
        return false;
    try {
        simplify_options o;
        o.max_cost = 200;
        const ex s = simplify(c.expr, o);
        return !s.is_equal(c.expr) && holds_everywhere_as_written({s, c.kind});
    } catch (const std::exception&) {
        return false;
    }
}

bool holds_everywhere_as_written(const domain_condition& c) {
    switch (c.kind) {
    case domain_kind::positive:
    case domain_kind::nonzero:
        return simplify_detail::is_positive(c.expr) || simplify_detail::is_positive(-c.expr);
    case domain_kind::nonnegative:
        return is_nonnegative(c.expr);
    }
    return false;
}

std::vector<domain_condition> domain_conditions(const written_expression& w) {
    std::vector<domain_condition> all = w.domain;
    for (const auto& c : domain_of(w.value))
        add_condition(all, c);
    std::vector<domain_condition> out;
    for (const auto& c : all) {
        if (holds_everywhere(c))
            continue;
        add_condition(out, normalized(c));
    }
    // In the order of their text: GiNaC visits operands in an order that changes between runs.
    std::stable_sort(out.begin(), out.end(),
                     [](const domain_condition& a, const domain_condition& b) {
                         return condition_text(a) < condition_text(b);
                     });
    return out;
}

std::string condition_text(const domain_condition& c) {
    switch (c.kind) {
    case domain_kind::positive:
        return to_text(c.expr) + " > 0";
    case domain_kind::nonnegative:
        return to_text(c.expr) + " >= 0";
    case domain_kind::nonzero:
        return to_text(c.expr) + " != 0";
    }
    return "";
}

truth condition_at(const domain_condition& c, const GiNaC::exmap& point) {
    ex value;
    try {
        value = evaluate_exact(c.expr, point, "domain");
    } catch (const error&) {
        return truth::unknown;
    } catch (const std::exception&) {
        return truth::unknown;
    }
    if (is_number(value) && GiNaC::ex_to<numeric>(value).is_real() &&
        value.info(GiNaC::info_flags::rational))
        return judge(c.kind, sign_of_number(GiNaC::ex_to<numeric>(value)));
    for (long bits = 128; bits <= 8192; bits *= 4) {
        const enclosure v = enclose(value, bits);
        if (v.status == enclosure_status::undefined || v.status == enclosure_status::unsupported)
            return truth::unknown;
        if (v.status != enclosure_status::ok)
            continue;
        if (v.value.is_exact_zero())
            return judge(c.kind, 0);
        if (v.value.is_positive())
            return judge(c.kind, 1);
        if (v.value.is_negative())
            return judge(c.kind, -1);
    }
    // The ball keeps 0: an exact zero satisfies >= 0 and violates > 0 and != 0. The zero test
    // may factor for minutes: it gets at most a second, in a child process.
    const limited_result zero = run_with_time_limit(
        [&] { return exact_zero_test(value).zero ? std::string("1") : std::string("0"); }, 1.0);
    if (zero.value && *zero.value == "1")
        return judge(c.kind, 0);
    return truth::unknown;
}

truth conditions_at(const std::vector<domain_condition>& cs, const GiNaC::exmap& point) {
    truth all = truth::holds;
    for (const auto& c : cs) {
        const truth t = condition_at(c, point);
        if (t == truth::fails)
            return truth::fails;
        if (t == truth::unknown)
            all = truth::unknown;
    }
    return all;
}

bool implied_by(const domain_condition& c, const std::vector<domain_condition>& given) {
    for (const auto& g : given) {
        const bool same = g.expr.is_equal(c.expr);
        if (!same && c.kind == domain_kind::nonzero && g.kind != domain_kind::nonnegative &&
            (g.expr + c.expr).is_zero())
            return true; // -u != 0 follows from u != 0 and from u > 0
        if (!same)
            continue;
        if (g.kind == c.kind ||
            (g.kind == domain_kind::positive && c.kind != domain_kind::positive))
            return true;
    }
    if (holds_everywhere(c))
        return true;
    // c fails only where its expression is < 0, = 0 (for > 0 and != 0) or > 0 (for != 0):
    // each such case must contradict the given conditions.
    std::vector<sign_condition> base;
    for (const auto& g : given) {
        if (g.kind == domain_kind::positive)
            base.push_back({g.expr, 1});
        else if (g.kind == domain_kind::nonnegative)
            base.push_back({g.expr, 1, true});
    }
    std::vector<int> failing_signs;
    switch (c.kind) {
    case domain_kind::positive:
        failing_signs = {-1, 0};
        break;
    case domain_kind::nonnegative:
        failing_signs = {-1};
        break;
    case domain_kind::nonzero:
        failing_signs = {0};
        break;
    }
    for (int s : failing_signs) {
        auto cs = base;
        cs.push_back({c.expr, s});
        if (may_be_satisfiable(cs))
            return false;
    }
    return true;
}

} // namespace symgrad
