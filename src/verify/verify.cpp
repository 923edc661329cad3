// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/verify/verify.hpp"

#include "simplify/rules.hpp"
#include "symgrad/core/enclosure.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/exp_normal_form.hpp"
#include "symgrad/core/expression_walk.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/ginac_reason.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/stable_forms.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/core/time_limit.hpp"
#include "symgrad/verify/domain.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <unordered_map>

namespace symgrad {

using GiNaC::ex;
using GiNaC::numeric;

namespace {

std::string text_of(const ex& e) {
    std::ostringstream os;
    os << e;
    return os.str();
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i)
        out += (i ? separator : "") + items[i];
    return out;
}

std::set<ex, GiNaC::ex_is_less> symbols_of(const ex& e) {
    std::set<ex, GiNaC::ex_is_less> out;
    for_each_subexpression(e, [&out](const ex& n) {
        if (GiNaC::is_a<GiNaC::symbol>(n))
            out.insert(n);
    });
    return out;
}

// ---------------------------------------------------------------------------------------------
// Components of lists and matrices.

struct component {
    std::string name;
    ex lhs, rhs;
    /// The domain conditions of each whole side as written (shared by its components).
    std::vector<domain_condition> lhs_domain, rhs_domain;
};

bool is_list_like(const ex& e) {
    return GiNaC::is_a<GiNaC::lst>(e) || GiNaC::is_a<GiNaC::matrix>(e);
}

void flatten(const ex& e, const std::string& name, std::vector<std::pair<std::string, ex>>& out) {
    if (GiNaC::is_a<GiNaC::matrix>(e)) {
        // A row or column vector is indexed like a list: [j].
        const auto& m = GiNaC::ex_to<GiNaC::matrix>(e);
        const bool vector = m.rows() == 1 || m.cols() == 1;
        for (unsigned i = 0; i < m.rows(); ++i)
            for (unsigned j = 0; j < m.cols(); ++j)
                flatten(m(i, j),
                        name + (vector ? "[" + std::to_string(i + j) + "]"
                                       : "[" + std::to_string(i) + "][" + std::to_string(j) + "]"),
                        out);
        return;
    }
    if (GiNaC::is_a<GiNaC::lst>(e)) {
        for (std::size_t i = 0; i < e.nops(); ++i)
            flatten(e.op(i), name + "[" + std::to_string(i) + "]", out);
        return;
    }
    out.emplace_back(name, e);
}

std::string describe_shape(const ex& e) {
    if (GiNaC::is_a<GiNaC::matrix>(e)) {
        const auto& m = GiNaC::ex_to<GiNaC::matrix>(e);
        return "a " + std::to_string(m.rows()) + "x" + std::to_string(m.cols()) +
               (m.rows() == 1 || m.cols() == 1 ? " vector" : " matrix");
    }
    if (GiNaC::is_a<GiNaC::lst>(e)) {
        std::string inner;
        if (e.nops() > 0 && is_list_like(e.op(0)))
            inner = " of " + describe_shape(e.op(0)).substr(2) + "s";
        return "a list of " + std::to_string(e.nops()) + (inner.empty() ? " components" : inner);
    }
    return "a scalar";
}

std::vector<component> components_of(const ex& lhs, const ex& rhs) {
    std::vector<std::pair<std::string, ex>> l, r;
    flatten(lhs, "", l);
    flatten(rhs, "", r);
    bool same = l.size() == r.size();
    for (std::size_t i = 0; same && i < l.size(); ++i)
        same = l[i].first == r[i].first;
    if (!same)
        throw shape_error("verify: the left side is " + describe_shape(lhs) +
                          " but the right side is " + describe_shape(rhs));
    std::vector<component> out;
    for (std::size_t i = 0; i < l.size(); ++i)
        out.push_back({l[i].first, l[i].second, r[i].second, {}, {}});
    return out;
}

// ---------------------------------------------------------------------------------------------
// Labels and piecewise functions: the finitely many cases of the exact decision.

/// By name (structural order), not GiNaC's run-dependent ex_is_less: the labels' order decides
/// the order of cases, notes and sample points.
using label_set = std::map<ex, std::set<long>, structural_less>;

/// Class labels: symbols compared with integers by indicator (crossentropy with a symbolic label
/// is written with indicators first). A label ranges over the integers it is compared with;
/// when that is a single value k, also over one other value (so that both [y = k] = 1 and 0
/// are covered).
label_set find_labels(const ex& e, std::set<ex, structural_less>& two_way) {
    label_set labels;
    for_each_subexpression(rewrite_to_exponentials(e), [&labels](const ex& n) {
        if (ml_function_of(n) != ml_function::indicator)
            return;
        for (int side = 0; side < 2; ++side) {
            const ex& y = n.op(static_cast<std::size_t>(side));
            const ex& k = n.op(static_cast<std::size_t>(1 - side));
            if (GiNaC::is_a<GiNaC::symbol>(y) && GiNaC::is_exactly_a<GiNaC::numeric>(k) &&
                k.info(GiNaC::info_flags::integer))
                labels[y].insert(GiNaC::ex_to<numeric>(k).to_long());
        }
    });
    for (auto& [y, values] : labels)
        if (values.size() < 2) {
            values.insert(*values.rbegin() + 1);
            two_way.insert(y);
        }
    return labels;
}

bool is_piecewise(const ex& e) {
    if (ml_function_of(e) == ml_function::relu)
        return true;
    if (!GiNaC::is_exactly_a<GiNaC::function>(e))
        return false;
    const std::string& name = GiNaC::ex_to<GiNaC::function>(e).get_name();
    return name == "step" || name == "abs" || name == "csgn";
}

/// Every switch argument (relu, step, abs, csgn) of @p e whose argument is not a number, once
/// each, in structural order (a DAG walk meets them in GiNaC's operand order, which changes
/// from run to run).
std::vector<ex> switch_arguments(const ex& e) {
    std::vector<ex> out;
    for_each_subexpression(e, [&out](const ex& n) {
        if (is_piecewise(n) && !GiNaC::is_exactly_a<numeric>(n.op(0)))
            out.push_back(n.op(0));
    });
    structural_order order;
    std::stable_sort(out.begin(), out.end(),
                     [&](const ex& a, const ex& b) { return order.less(a, b); });
    out.erase(
        std::unique(out.begin(), out.end(), [](const ex& a, const ex& b) { return a.is_equal(b); }),
        out.end());
    return out;
}

/// The switch the case split starts with: the first in structural order.
std::optional<ex> first_switch(const ex& e) {
    const std::vector<ex> all = switch_arguments(e);
    if (all.empty())
        return std::nullopt;
    return all.front();
}

/// The value of a piecewise function of w when the sign of w is s (1 or -1).
ex piecewise_value(const ex& f, int s) {
    const ex& w = f.op(0);
    if (ml_function_of(f) == ml_function::relu)
        return s > 0 ? w : ex(0);
    const std::string& name = GiNaC::ex_to<GiNaC::function>(f).get_name();
    if (name == "step")
        return s > 0 ? 1 : 0;
    if (name == "abs")
        return s > 0 ? w : -w;
    return s; // csgn
}

/// Replaces the piecewise functions of arguments proportional to z, given sign(z) = s.
class piecewise_replacer : public GiNaC::map_function {
public:
    piecewise_replacer(ex z, int s) : z_(std::move(z)), s_(s) {}

    ex operator()(const ex& e) override {
        if (GiNaC::is_exactly_a<numeric>(e) || GiNaC::is_a<GiNaC::symbol>(e))
            return e;
        if (auto it = memo_.find(e); it != memo_.end())
            return it->second;
        ex value = e.map(*this);
        if (is_piecewise(value)) {
            if (auto r = relative_sign(value.op(0)))
                value = piecewise_value(value, *r * s_);
        }
        memo_.emplace(e, value);
        return value;
    }

private:
    std::optional<int> relative_sign(const ex& w) const {
        if (w.is_equal(z_))
            return 1;
        const ex q = GiNaC::normal(w / z_);
        if (GiNaC::is_exactly_a<numeric>(q) && GiNaC::ex_to<numeric>(q).is_real() && !q.is_zero())
            return GiNaC::ex_to<numeric>(q).is_positive() ? 1 : -1;
        return std::nullopt;
    }

    ex z_;
    int s_;
    std::unordered_map<ex, ex> memo_;
};

/// z = 0 solved for a variable in which z is linear with a numeric coefficient.
std::optional<std::pair<ex, ex>> solve_linear(const ex& z, const label_set& labels) {
    const ex e = z.expand();
    for (const ex& v : free_symbols(e)) {
        if (labels.count(v) != 0 || !e.is_polynomial(v) || e.degree(v) != 1 || e.ldegree(v) < 0)
            continue;
        const ex a = e.coeff(v, 1);
        if (!GiNaC::is_exactly_a<numeric>(a) || a.is_zero())
            continue;
        const ex solution = -e.coeff(v, 0) / a;
        if (!solution.has(v))
            return std::make_pair(v, solution);
    }
    return std::nullopt;
}

std::string condition_text(const ex& z, int s) {
    return to_text(z) + (s > 0 ? " > 0" : (s < 0 ? " < 0" : " = 0"));
}

/// One leaf of the case split: the conditions that define it and what the zero test found.
struct decided_case {
    std::string condition;
    bool proved;
    std::string obstacle;
};

/// The exact decision: label cases, then sign cases of piecewise functions, then the zero test
/// of exp_normal_form.hpp in each case.
class exact_decider {
public:
    explicit exact_decider(label_set labels) : labels_(std::move(labels)) {}

    /// @p assumptions: the common domain's sign conditions (a case outside it is skipped).
    bool decide(const ex& difference, const std::vector<sign_condition>& assumptions = {}) {
        return run(difference, assumptions, {});
    }

    const std::vector<decided_case>& cases() const { return cases_; }
    const std::set<std::string>& exp_atoms() const { return exp_atoms_; }
    std::size_t log_atoms() const { return log_atoms_; }

private:
    static constexpr std::size_t max_cases = 81;

    bool run(const ex& d, const std::vector<sign_condition>& conditions,
             const std::vector<std::string>& where) {
        if (cases_.size() >= max_cases) {
            cases_.push_back({join(where, ", "), false, "too many cases to split"});
            return false;
        }
        const auto present = symbols_of(d);
        for (const auto& [y, values] : labels_) {
            if (present.count(y) == 0)
                continue;
            bool all = true;
            for (long value : values) {
                auto w = where;
                w.push_back(symbol_name(y) + " = " + std::to_string(value));
                if (auto dv = substituted(d, GiNaC::exmap{{y, value}}, w))
                    all = run(*dv, conditions, w) && all;
            }
            return all;
        }
        if (auto z = first_switch(d)) {
            bool all = true;
            // A switch argument of known sign (1 - sigmoid(t) > 0) has one case only.
            const bool positive = simplify_detail::is_positive(*z);
            const bool negative = !positive && simplify_detail::is_positive(-*z);
            if (positive || negative) {
                auto w = where;
                w.push_back(condition_text(*z, positive ? 1 : -1) + " everywhere");
                piecewise_replacer replace(*z, positive ? 1 : -1);
                return run(replace(d), conditions, w);
            }
            for (int s : {1, -1}) {
                auto c = conditions;
                c.push_back({*z, s});
                if (!may_be_satisfiable(c))
                    continue;
                auto w = where;
                w.push_back(condition_text(*z, s));
                piecewise_replacer replace(*z, s);
                all = run(replace(d), c, w) && all;
            }
            auto w = where;
            w.push_back(condition_text(*z, 0));
            if (auto solved = solve_linear(*z, labels_)) {
                const GiNaC::exmap at{{solved->first, solved->second}};
                std::vector<sign_condition> c;
                bool defined = true;
                for (const auto& cond : conditions) {
                    const auto e = substituted(cond.expr, at, w);
                    defined = defined && e.has_value();
                    if (e)
                        c.push_back({*e, cond.sign, cond.or_zero});
                }
                if (defined && may_be_satisfiable(c))
                    if (auto dv = substituted(d, at, w))
                        all = run(*dv, c, w) && all;
            } else {
                cases_.push_back({join(w, ", "), false,
                                  "the switch set " + condition_text(*z, 0) +
                                      " cannot be solved for a variable"});
                all = false;
            }
            return all;
        }
        if (!may_be_satisfiable(conditions))
            return true;
        const zero_test_report report = exact_zero_test(d, conditions);
        exp_atoms_.insert(report.exp_atoms.begin(), report.exp_atoms.end());
        log_atoms_ = std::max(log_atoms_, report.log_atoms);
        cases_.push_back({join(where, ", "), report.zero, report.obstacle});
        return report.zero;
    }

    /// @p e with @p at substituted; nothing when that is undefined (log(0), 1/0 on a switch
    /// set): the case lies outside the common domain, which is noted and needs no proof.
    std::optional<ex> substituted(const ex& e, const GiNaC::exmap& at,
                                  const std::vector<std::string>& where) {
        try {
            return e.subs(at);
        } catch (const std::exception&) {
            cases_.push_back({join(where, ", ") + " (undefined there)", true, ""});
            return std::nullopt;
        }
    }

    label_set labels_;
    std::vector<decided_case> cases_;
    std::set<std::string> exp_atoms_;
    std::size_t log_atoms_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Sampling.

/// A condition or expression for a note, cut short when long.
std::string brief_text(const std::string& s) {
    if (s.size() <= 120)
        return s;
    return s.substr(0, 100) + " ... (" + std::to_string(s.size()) + " characters)";
}

/// A side at a point: defined (its conditions as written hold and it evaluates to a real
/// number), certainly undefined, or unknown (a condition cannot be decided there).
struct side_value {
    bool defined = false;
    ex exact;
    std::string why; // when not defined
    bool certainly_undefined = false;
};

side_value evaluate_side(const ex& e, const std::vector<domain_condition>& domain,
                         const GiNaC::exmap& point) {
    side_value out;
    for (const auto& c : domain) {
        const truth t = condition_at(c, point);
        if (t == truth::fails) {
            out.why = "it requires " + brief_text(condition_text(c));
            out.certainly_undefined = true;
            return out;
        }
        if (t == truth::unknown && out.why.empty())
            out.why = "whether " + brief_text(condition_text(c)) + " holds is not decided there";
    }
    if (!out.why.empty())
        return out;
    try {
        out.exact = evaluate_exact(e, point, "verify");
        out.defined = true;
    } catch (const domain_error& x) {
        out.why = x.what();
        out.certainly_undefined = true;
    } catch (const std::exception& x) {
        out.why = ginac_reason(x);
    }
    return out;
}

side_value evaluate_side(const ex& e, const GiNaC::exmap& point) {
    return evaluate_side(e, {}, point);
}

enum class agreement { agree, differ, undecided, undefined };

/// What a sampled point is for: a possible witness, whose values are printed, or a count of
/// agreeing points only.
enum class comparison_need { witness, count };

struct comparison {
    agreement kind = agreement::undecided;
    numeric lhs, rhs, difference;
    /// Printed values when the ball does not give every asked digit (Arb's text, correct digits
    /// only); empty when the numbers above are to be printed.
    std::string lhs_text, rhs_text, difference_text;
    bool exact = false;
    long bits = 0; // differ: the precision (bits) at which the difference's ball excluded 0
};

numeric power_of_ten(long k) {
    return GiNaC::pow(numeric(10), numeric(k));
}

using clock_type = std::chrono::steady_clock;

/// The precision at which sampled sides that agree are taken to agree (about 1,200 digits).
constexpr long deep_agreement_bits = 4096;

/// The printed form of a ball: its midpoint when it has @p digits correct digits, else Arb's
/// text with only the correct ones.
void value_of(const real_ball& b, long digits, numeric& number, std::string& text) {
    text.clear();
    try {
        number = b.midpoint();
    } catch (const domain_error&) {
        // beyond CLN's range: Arb's own text says the value
        number = 0;
        text = b.text(digits);
        return;
    }
    if (!b.is_exact_zero() && b.relative_accuracy_bits() < bits_for_digits(digits) - 16)
        text = b.text(digits);
}

/// Compare two exact constants. Rational values compare exactly. Otherwise l, r and l - r (one
/// expression, so that GiNaC cancels equal terms first) are enclosed in balls at increasing
/// precision: a difference whose ball excludes 0 is certified, however small (5e-870 between
/// log(1 + exp(-1000)) and exp(-1000)); the sides agree when both are resolved and the
/// difference's ball lies within 10^-agreement_digits of their size. Equal sides never differ:
/// their difference's ball always contains 0.
///
/// For a witness (@p need is witness) a certified difference is followed until the values have
/// @p digits correct digits, and an undecided point up to max_certification_bits. A point that
/// only counts as agreeing or not (after the witness) stops at the first certificate and at
/// deep_agreement_bits: one such point at w = 4e8, where 1 - sigmoid(w) cancels, took 1.5 s.
comparison compare_values_as_given(const ex& l, const ex& r, long agreement_digits, long digits,
                                   clock_type::time_point deadline, comparison_need need) {
    comparison c;
    const ex d = l - r;
    if (GiNaC::is_exactly_a<numeric>(l) && l.info(GiNaC::info_flags::rational) &&
        GiNaC::is_exactly_a<numeric>(r) && r.info(GiNaC::info_flags::rational)) {
        c.lhs = GiNaC::ex_to<numeric>(l);
        c.rhs = GiNaC::ex_to<numeric>(r);
        c.difference = c.lhs - c.rhs;
        c.exact = true;
        c.kind = c.difference.is_zero() ? agreement::agree : agreement::differ;
        return c;
    }
    const long wanted = bits_for_digits(std::max(agreement_digits, digits));
    // The sides are enclosed until both are known to the wanted digits; after that only the
    // difference is (its cost is most of a deep round). When the first rounds find the sides
    // resolved and the difference too small to certify, the next round is the deep one: the
    // rounds between cost more in all than it and decide nothing it would not.
    enclosure el, er;
    bool sides_known = false;
    auto sides_resolved = [&] {
        return sides_known && el.value.relative_accuracy_bits() >= wanted &&
               er.value.relative_accuracy_bits() >= wanted &&
               (!el.value.contains_zero() || !er.value.contains_zero());
    };
    const long first_bits = bits_for_digits(std::max(agreement_digits, digits) + 20);
    const long last_bits =
        std::max(first_bits,
                 need == comparison_need::witness ? max_certification_bits : deep_agreement_bits);
    for (long bits = first_bits; bits <= last_bits; bits *= 2) {
        if (sides_known && clock_type::now() > deadline)
            break;
        const bool new_sides = !sides_resolved();
        if (new_sides) {
            el = enclose(l, bits);
            er = enclose(r, bits);
        }
        const enclosure ed = enclose(d, bits);
        for (const enclosure* e : std::initializer_list<const enclosure*>{&el, &er, &ed})
            if (e->status == enclosure_status::undefined) {
                c.kind = agreement::undefined;
                return c;
            }
        // A function Arb cannot enclose: no certificate either way.
        for (const enclosure* e : std::initializer_list<const enclosure*>{&el, &er, &ed})
            if (e->status == enclosure_status::unsupported)
                return c;
        if (el.status != enclosure_status::ok || er.status != enclosure_status::ok ||
            ed.status != enclosure_status::ok)
            continue;
        sides_known = true;
        if (new_sides) {
            value_of(el.value, digits, c.lhs, c.lhs_text);
            value_of(er.value, digits, c.rhs, c.rhs_text);
        }
        value_of(ed.value, digits, c.difference, c.difference_text);
        if (ed.value.is_exact_zero()) {
            c.kind = agreement::agree;
            return c;
        }
        if (!ed.value.contains_zero()) {
            c.kind = agreement::differ;
            if (c.bits == 0)
                c.bits = bits;
            // Certified; one more round if the printed digits are not all right yet.
            if (need == comparison_need::count ||
                (c.difference_text.empty() && c.lhs_text.empty() && c.rhs_text.empty()))
                return c;
            if (bits * 2 > last_bits || clock_type::now() > deadline)
                return c;
            continue;
        }
        if (c.kind == agreement::differ)
            return c; // cannot happen for a correct ball library: the first certificate stands
        // Agreement to the asked digits is not enough to call a point agreeing: sides that
        // differ by 1e-435 relative (log(1 + e^-1000) and e^-1000) agree to 50 digits. The
        // difference is followed to deep_agreement_bits (about 1,200 digits) first.
        if (!sides_resolved())
            continue;
        if (bits >= deep_agreement_bits) {
            const numeric scale =
                std::max(GiNaC::abs(el.value.midpoint()), GiNaC::abs(er.value.midpoint()));
            if (ed.value.magnitude_bound() <= scale * power_of_ten(-agreement_digits)) {
                c.kind = agreement::agree;
                return c;
            }
        } else {
            bits = deep_agreement_bits / 2; // doubled to the deep round by the loop
        }
    }
    if (c.kind == agreement::differ)
        return c;
    // Both sides 0 to every precision tried, or out of time: no claim either way (a proof that
    // both are exactly 0 would be the exact decision's job, which has its own budget).
    c.kind = agreement::undecided;
    return c;
}

/// compare_values_as_given; when the balls cannot decide, the same for the sides' stable forms
/// (stable_forms.hpp), equal to them wherever they are defined: 1 - sigmoid(10^150) cancels
/// below every precision as written, sigmoid(-10^150) does not.
comparison compare_values(const ex& l, const ex& r, long agreement_digits, long digits,
                          clock_type::time_point deadline, comparison_need need) {
    comparison c = compare_values_as_given(l, r, agreement_digits, digits, deadline, need);
    if (c.kind != agreement::undecided || clock_type::now() > deadline)
        return c;
    const ex ls = stable_form(l), rs = stable_form(r);
    if (ls.is_equal(l) && rs.is_equal(r))
        return c;
    comparison s = compare_values_as_given(ls, rs, agreement_digits, digits, deadline, need);
    return s.kind == agreement::agree || s.kind == agreement::differ ? s : c;
}

/// A candidate point; simple ones (0, 1, small integers) come first so that a witness is easy
/// to check by hand.
struct candidate {
    enum class kind { simple, on_switch, random };
    GiNaC::exmap point;
    kind origin;
};

/// Where to look: the variables, the labels' classes and the switch points.
class point_generator {
public:
    point_generator(std::vector<ex> variables, const label_set& labels,
                    const std::vector<ex>& switches, std::uint64_t seed,
                    std::vector<numeric> constants = {})
        : variables_(std::move(variables)), constants_(std::move(constants)), rng_(seed) {
        for (const auto& [y, values] : labels)
            labels_.emplace_back(y, std::vector<long>(values.begin(), values.end()));
        const label_set no_labels;
        for (const ex& z : switches)
            if (auto s = solve_linear(z, no_labels))
                if (std::find(variables_.begin(), variables_.end(), s->first) != variables_.end())
                    switches_.push_back(*s);
        label_combinations_ = 1;
        for (const auto& l : labels_)
            label_combinations_ *= l.second.size();
    }

    /// The number of distinct points when there are no real variables (else unbounded).
    std::optional<std::size_t> finite_count() const {
        if (variables_.empty())
            return label_combinations_;
        return std::nullopt;
    }

    candidate next() {
        const std::size_t i = index_++;
        candidate c{{}, candidate::kind::random};
        if (i < 2) {
            for (const ex& v : variables_)
                c.point[v] = static_cast<long>(i);
            c.origin = candidate::kind::simple;
        } else if (i < 5) {
            for (const ex& v : variables_)
                c.point[v] = random_integer(-2, 2);
            c.origin = candidate::kind::simple;
        } else if (i - 5 < 3 * switches_.size()) {
            c = switch_point(switches_[(i - 5) / 3], static_cast<int>((i - 5) % 3));
        } else if ((i - 5) % 3 == 2) {
            // Every third point is wide: magnitudes from 10^-12 to 10^12 of either sign, or
            // near a constant of the expressions (beyond 10^6 in sqrt((x - 10^6)^2)).
            for (const ex& v : variables_)
                c.point[v] = wide_rational();
        } else {
            static const double boxes[][3] = {{-3, 3, 8},   {0, 1, 16}, {-1, 0, 16}, {1, 4, 8},
                                              {-10, 10, 4}, {0, 3, 8},  {-3, 0, 8},  {3, 30, 2}};
            const auto& box = boxes[(i - 5) % (sizeof boxes / sizeof boxes[0])];
            for (const ex& v : variables_)
                c.point[v] = random_rational(box[0], box[1], static_cast<long>(box[2]));
        }
        assign_labels(c, i);
        return c;
    }

    /// A point whose variables are all wide (wide_rational), the labels as in next().
    candidate wide() {
        candidate c{{}, candidate::kind::random};
        for (const ex& v : variables_)
            c.point[v] = wide_rational();
        assign_labels(c, index_++);
        return c;
    }

private:
    /// The labels' values for the @p combination -th point: all combinations in turn.
    void assign_labels(candidate& c, std::size_t combination) const {
        for (const auto& [y, values] : labels_) {
            c.point[y] = values[combination % values.size()];
            combination /= values.size();
        }
    }

    numeric random_integer(long lo, long hi) {
        return numeric(std::uniform_int_distribution<long>(lo, hi)(rng_));
    }

    /// A rational in the open interval (lo, hi) with denominator up to max_den.
    numeric random_rational(double lo, double hi, long max_den) {
        const long den = std::uniform_int_distribution<long>(1, max_den)(rng_);
        const long a = static_cast<long>(std::floor(lo * static_cast<double>(den))) + 1;
        const long b = static_cast<long>(std::ceil(hi * static_cast<double>(den))) - 1;
        if (a > b)
            return numeric(static_cast<long>(lo + hi) / 2);
        return numeric(std::uniform_int_distribution<long>(a, b)(rng_), den);
    }

    /// A rational of random sign and magnitude 10^-12 .. 10^12, or beside a constant c of the
    /// expressions: c, 2c, c +- 1, -c.
    numeric wide_rational() {
        const bool negative = (rng_() & 1u) != 0;
        if (!constants_.empty() && (rng_() & 1u) != 0) {
            const numeric& k = constants_[rng_() % constants_.size()];
            static const int offsets[] = {0, 1, 2, 3, 4};
            switch (offsets[rng_() % 5]) {
            case 0:
                return k * 2;
            case 1:
                return k + 1;
            case 2:
                return k - 1;
            case 3:
                return -k;
            default:
                return k + numeric(1, 2);
            }
        }
        const long exponent = static_cast<long>(rng_() % 25) - 12;
        const numeric mantissa(static_cast<long>(rng_() % 9000) + 1000, 1000);
        const numeric value = mantissa * GiNaC::pow(numeric(10), numeric(exponent));
        return negative ? -value : value;
    }

    /// Points on a switch (k = 0) and on either side of it (k = 1, 2).
    candidate switch_point(const std::pair<ex, ex>& s, int k) {
        candidate c{{}, candidate::kind::on_switch};
        for (const ex& v : variables_)
            c.point[v] = random_rational(-2, 2, 4);
        const ex at = evaluate_side(s.second, c.point).exact;
        if (!GiNaC::is_exactly_a<numeric>(at) || !at.info(GiNaC::info_flags::rational))
            return c;
        const numeric delta = numeric(1, 1 + static_cast<long>(rng_() % 4));
        c.point[s.first] = GiNaC::ex_to<numeric>(at) + (k == 0 ? 0 : (k == 1 ? delta : -delta));
        return c;
    }

    std::vector<ex> variables_;
    std::vector<numeric> constants_;
    std::vector<std::pair<ex, std::vector<long>>> labels_;
    std::vector<std::pair<ex, ex>> switches_;
    std::size_t label_combinations_ = 1;
    std::mt19937_64 rng_;
    std::size_t index_ = 0;
};

struct difference_found {
    GiNaC::exmap point;
    comparison values;
};

struct sampling_outcome {
    std::size_t compared = 0;
    std::size_t agreeing = 0;
    std::size_t agreeing_random = 0;
    std::size_t undecided = 0;
    std::optional<GiNaC::exmap> agreeing_example;
    std::optional<difference_found> difference;
    std::optional<std::string> domain_note;
    std::size_t attempts = 0;
    bool out_of_time = false;
};

std::string strip_where(const std::string& message) {
    const std::string prefix = "verify: ";
    return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

/// The real variables of a component (natural order) and the labels it uses.
std::pair<std::vector<ex>, label_set> variables_of(const component& c, const label_set& labels) {
    std::vector<ex> variables;
    label_set used_labels;
    // The domain conditions' variables too: det(X) != 0 names entries a component may not use.
    GiNaC::lst all{c.lhs, c.rhs};
    for (const auto* domain : {&c.lhs_domain, &c.rhs_domain})
        for (const auto& d : *domain)
            all.append(d.expr);
    for (const ex& v : free_symbols(all)) {
        if (auto it = labels.find(v); it != labels.end())
            used_labels.insert(*it);
        else
            variables.push_back(v);
    }
    return {variables, used_labels};
}

/// The nontrivial constants of @p e (|n| > 2 or not an integer), at most 8, as candidates'
/// neighbourhoods for sampling.
std::vector<numeric> constants_of(const ex& e) {
    std::vector<numeric> out;
    for_each_subexpression(e, [&out](const ex& n) {
        if (!GiNaC::is_exactly_a<numeric>(n) || !n.info(GiNaC::info_flags::rational))
            return;
        const numeric a = GiNaC::abs(GiNaC::ex_to<numeric>(n));
        if ((a.is_integer() && a <= 2) || a.is_zero())
            return;
        for (const numeric& k : out)
            if (k == a)
                return;
        out.push_back(a);
    });
    std::sort(out.begin(), out.end(), [](const numeric& x, const numeric& y) { return x < y; });
    if (out.size() > 8)
        out.erase(out.begin() + 4, out.end() - 4);
    return out;
}

std::string mismatch_text(const GiNaC::exmap& point, const side_value& l, const side_value& r) {
    return std::string("at ") + format_point(point) + " the " + (l.defined ? "right" : "left") +
           " side is undefined (" + strip_where(l.defined ? r.why : l.why) + ") but the " +
           (l.defined ? "left" : "right") + " side is defined";
}

/// The sampling points of @p c: its variables and labels, the switch points of its piecewise
/// functions and, with @p domain_zeros, the zeros of its domain conditions.
point_generator points_of(const component& c, const label_set& labels, const verify_options& o,
                          bool domain_zeros = false) {
    const auto [variables, used_labels] = variables_of(c, labels);
    std::vector<ex> switches = switch_arguments(c.lhs);
    for (const ex& z : switch_arguments(c.rhs))
        switches.push_back(z);
    if (domain_zeros)
        for (const auto* domain : {&c.lhs_domain, &c.rhs_domain})
            for (const auto& d : *domain)
                switches.push_back(d.expr);
    return point_generator(variables, used_labels, switches, o.seed,
                           constants_of(GiNaC::lst{c.lhs, c.rhs}));
}

/// How many points sampling tries before it gives up finding ones in both domains.
std::size_t max_attempts_of(point_generator& points, const verify_options& o) {
    return points.finite_count() ? *points.finite_count()
                                 : 12 * std::max<std::size_t>(1, o.sample_points) + 40;
}

sampling_outcome sample(const component& c, const label_set& labels, const verify_options& o,
                        clock_type::time_point deadline, std::size_t wide_points = 0) {
    point_generator points = points_of(c, labels, o);
    sampling_outcome out;
    const std::size_t wanted = std::max<std::size_t>(1, o.sample_points);
    const std::size_t max_attempts = max_attempts_of(points, o);
    // After a difference, half the points are enough for the remarks on partial agreement.
    auto enough = [&] {
        return out.compared >= wanted || (out.difference && 2 * out.compared >= wanted);
    };
    auto try_point = [&](const candidate& cand) {
        const side_value l = evaluate_side(c.lhs, c.lhs_domain, cand.point);
        const side_value r = evaluate_side(c.rhs, c.rhs_domain, cand.point);
        if (!l.defined || !r.defined) {
            if (!out.domain_note &&
                ((l.defined && r.certainly_undefined) || (r.defined && l.certainly_undefined)))
                out.domain_note = mismatch_text(cand.point, l, r);
            return;
        }
        // After the first difference, the points only count as agreeing or not: their values
        // are not printed (resolving them to the printed digits at w = 6e11 took the
        // precision to its limit, 0.4 s a point).
        const comparison cmp =
            compare_values(l.exact, r.exact, o.agreement_digits, o.digits, deadline,
                           out.difference ? comparison_need::count : comparison_need::witness);
        if (cmp.kind == agreement::undefined)
            return;
        ++out.compared;
        if (cmp.kind == agreement::undecided) {
            ++out.undecided;
        } else if (cmp.kind == agreement::agree) {
            ++out.agreeing;
            if (cand.origin == candidate::kind::random) {
                ++out.agreeing_random;
                if (!out.agreeing_example)
                    out.agreeing_example = cand.point;
            }
        } else if (!out.difference) {
            out.difference = difference_found{cand.point, cmp};
        }
    };
    while (!enough() && out.attempts < max_attempts) {
        if (out.attempts > 0 && clock_type::now() > deadline) {
            out.out_of_time = true;
            break;
        }
        ++out.attempts;
        try_point(points.next());
    }
    // Where the exact decision left a case of the piecewise functions open, the sides may
    // differ on a region the first points missed (csgn(tanh(986/(x^3 + 654))) against the same
    // with x^2 differs for x < -8.7 only): wide points, of either sign and any magnitude,
    // look for it before the verdict is "probably equal".
    for (std::size_t k = 0; k < wide_points && !out.difference && !points.finite_count() &&
                            clock_type::now() < deadline;
         ++k) {
        ++out.attempts;
        try_point(points.wide());
    }
    return out;
}

/// A point where exactly one side is defined as written, searched among the sampling points
/// (both signs, many magnitudes, the switch points and the zeros of linear conditions).
std::optional<std::pair<GiNaC::exmap, std::string>>
domain_witness(const component& c, const label_set& labels, const verify_options& o,
               clock_type::time_point deadline) {
    if (variables_of(c, labels).first.empty())
        return std::nullopt;
    point_generator points = points_of(c, labels, o, true);
    for (int i = 0; i < 96; ++i) {
        if (i > 8 && clock_type::now() > deadline)
            break;
        const candidate cand = points.next();
        const side_value l = evaluate_side(c.lhs, c.lhs_domain, cand.point);
        const side_value r = evaluate_side(c.rhs, c.rhs_domain, cand.point);
        if ((l.defined && r.certainly_undefined) || (r.defined && l.certainly_undefined))
            return std::make_pair(cand.point, mismatch_text(cand.point, l, r));
    }
    return std::nullopt;
}

/// How many exponential atoms the "how" of a proof names.
constexpr std::size_t max_listed_atoms = 6;

std::string proof_method(const std::set<std::string>& atoms, std::size_t log_atoms,
                         const std::vector<decided_case>& cases) {
    std::string m = "exact: the rational normal form of the difference is 0";
    std::vector<std::string> parts;
    if (!atoms.empty()) {
        // The shortest few: a deep network has dozens of nested atoms, thousands of characters.
        std::vector<std::string> listed(atoms.begin(), atoms.end());
        std::stable_sort(listed.begin(), listed.end(), [](const auto& a, const auto& b) {
            if (a.size() != b.size())
                return a.size() < b.size();
            return natural_less(a, b);
        });
        const std::size_t more =
            listed.size() > max_listed_atoms ? listed.size() - max_listed_atoms : 0;
        listed.resize(listed.size() - more);
        parts.push_back("exponentials written as powers of " + join(listed, ", ") +
                        (more ? " and " + std::to_string(more) + " more" : ""));
    }
    if (log_atoms > 0)
        parts.push_back("logarithms split into " + std::to_string(log_atoms) +
                        " logarithm(s) of irreducible factors");
    if (!parts.empty())
        m += " (" + join(parts, "; ") + ")";
    if (cases.size() > 1) {
        std::vector<std::string> names;
        for (const auto& c : cases)
            names.push_back(c.condition);
        m += " in each of " + std::to_string(cases.size()) + " cases: " + join(names, "; ");
    }
    return m;
}

std::string no_proof_reason(const std::vector<decided_case>& cases) {
    for (const auto& c : cases)
        if (!c.proved)
            return "no exact proof: " + brief_text(c.obstacle) +
                   (c.condition.empty() ? "" : " (case " + brief_text(c.condition) + ")");
    return "no exact proof";
}

std::string label_note(const label_set& labels, const std::set<ex, structural_less>& two_way) {
    std::vector<std::string> parts;
    for (const auto& [y, values] : labels) {
        const std::string name = symbol_name(y);
        if (two_way.count(y) != 0) {
            const long k = *values.begin(), other = *values.rbegin();
            parts.push_back("the label " + name + " is split into " + name + " = " +
                            std::to_string(k) + " and " + name + " != " + std::to_string(k) +
                            " (represented by " + name + " = " + std::to_string(other) + ")");
            continue;
        }
        std::vector<std::string> v;
        for (long k : values)
            v.push_back(std::to_string(k));
        parts.push_back("the label " + name + " ranges over the classes {" + join(v, ", ") +
                        "} it is compared with");
    }
    return join(parts, "; ");
}

std::string digits_of(const numeric& n, long digits) {
    return format_number(n, digits);
}

std::string json_escape(const std::string& s) {
    // Invalid UTF-8 (a name from a file) is replaced rather than thrown on.
    return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::pair<std::string, std::string>> sorted_point(const GiNaC::exmap& point) {
    std::vector<std::pair<std::string, std::string>> items;
    for (const auto& [k, v] : point)
        items.emplace_back(GiNaC::is_a<GiNaC::symbol>(k) ? symbol_name(k) : text_of(k), text_of(v));
    std::sort(items.begin(), items.end(),
              [](const auto& a, const auto& b) { return natural_less(a.first, b.first); });
    return items;
}

/// What the exact decision found, per component.
struct exact_outcome {
    std::vector<bool> proved;
    std::vector<std::vector<decided_case>> cases;
    std::set<std::string> atoms;
    std::size_t log_atoms = 0;
};

exact_outcome decide_exactly(const std::vector<component>& components, const label_set& labels,
                             const std::vector<sign_condition>& assumptions) {
    exact_outcome out;
    for (const auto& c : components) {
        exact_decider decider(labels);
        out.proved.push_back(decider.decide(c.lhs - c.rhs, assumptions));
        out.cases.push_back(decider.cases());
        out.atoms.insert(decider.exp_atoms().begin(), decider.exp_atoms().end());
        out.log_atoms += decider.log_atoms();
    }
    return out;
}

/// The exact decision's result as text, to come back from the child process.
std::string serialize(const exact_outcome& o) {
    nlohmann::json j;
    j["proved"] = o.proved;
    j["atoms"] = o.atoms;
    j["log_atoms"] = o.log_atoms;
    nlohmann::json cases = nlohmann::json::array();
    for (const auto& component_cases : o.cases) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& c : component_cases)
            list.push_back({c.condition, c.proved, c.obstacle});
        cases.push_back(list);
    }
    j["cases"] = cases;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

exact_outcome deserialize(const std::string& text, std::size_t components) {
    const nlohmann::json j = nlohmann::json::parse(text);
    exact_outcome o;
    o.proved = j.at("proved").get<std::vector<bool>>();
    o.atoms = j.at("atoms").get<std::set<std::string>>();
    o.log_atoms = j.at("log_atoms").get<std::size_t>();
    for (const auto& list : j.at("cases")) {
        std::vector<decided_case> cs;
        for (const auto& c : list)
            cs.push_back(
                {c.at(0).get<std::string>(), c.at(1).get<bool>(), c.at(2).get<std::string>()});
        o.cases.push_back(std::move(cs));
    }
    if (o.proved.size() != components || o.cases.size() != components)
        throw internal_error("verify: the exact decision returned a malformed result");
    return o;
}

std::string seconds_text(double seconds) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", seconds);
    return buffer;
}

} // namespace

double default_verify_timeout() {
    if (const char* env = std::getenv("SYMGRAD_VERIFY_TIMEOUT")) {
        char* end = nullptr;
        const double v = std::strtod(env, &end);
        if (end != env && *end == '\0' && v >= 0.1 && v <= 86400)
            return v;
    }
    return 10;
}

std::string_view verdict_name(verdict v) {
    switch (v) {
    case verdict::proved:
        return "proved";
    case verdict::equal_where_defined:
        return "equal where both are defined";
    case verdict::refuted:
        return "refuted";
    case verdict::probably_equal:
        return "probably equal";
    }
    return "";
}

std::string format_point(const GiNaC::exmap& point) {
    std::vector<std::string> parts;
    for (const auto& [name, value] : sorted_point(point))
        parts.push_back(name + " = " + value);
    return parts.empty() ? "(no variables)" : join(parts, ", ");
}

namespace {

/// A point where both sides of @p c are defined as written, searched among the sampling points;
/// nullopt after as many as sampling tries, or when out of time after the first few. A proof on an
/// empty common domain proves nothing: sqrt(-2) = sqrt(-2) + 1 was "proved" (the exact decision,
/// assuming -2 >= 0, could derive anything).
std::optional<GiNaC::exmap> common_point(const component& c, const label_set& labels,
                                         const verify_options& o, clock_type::time_point deadline,
                                         std::size_t& tried, std::string& why) {
    point_generator points = points_of(c, labels, o);
    const std::size_t tries = max_attempts_of(points, o);
    for (tried = 0; tried < tries;) {
        if (tried > 8 && clock_type::now() > deadline)
            break;
        ++tried;
        const candidate cand = points.next();
        const side_value l = evaluate_side(c.lhs, c.lhs_domain, cand.point);
        const side_value r = l.defined ? evaluate_side(c.rhs, c.rhs_domain, cand.point) : l;
        if (l.defined && r.defined)
            return cand.point;
        why = (l.defined ? "the right side: " + strip_where(r.why)
                         : "the left side: " + strip_where(l.why));
        if (!cand.point.empty())
            why = "at " + format_point(cand.point) + ", " + why;
    }
    return std::nullopt;
}

verify_result verify_within_budget(const written_expression& lhs_written,
                                   const written_expression& rhs_written,
                                   const verify_options& options) {
    const auto start = clock_type::now();
    const auto budget = std::chrono::duration_cast<clock_type::duration>(
        std::chrono::duration<double>(std::max(0.05, options.timeout_seconds)));
    const auto deadline = start + budget;
    // No zero test in a child process (a domain condition's, an exact value's) runs past it.
    const deadline_scope scope(deadline);
    const ex& lhs = lhs_written.value;
    const ex& rhs = rhs_written.value;
    std::vector<component> components = components_of(lhs, rhs);
    const std::vector<domain_condition> lhs_domain = domain_conditions(lhs_written);
    const std::vector<domain_condition> rhs_domain = domain_conditions(rhs_written);
    for (auto& c : components) {
        c.lhs_domain = lhs_domain;
        c.rhs_domain = rhs_domain;
    }
    std::set<ex, structural_less> two_way_labels;
    const label_set labels = find_labels(GiNaC::lst{lhs, rhs}, two_way_labels);

    verify_result result;
    result.digits = options.digits;
    result.component_count = components.size();
    for (const auto& c : lhs_domain)
        result.lhs_domain.push_back(condition_text(c));
    for (const auto& c : rhs_domain)
        result.rhs_domain.push_back(condition_text(c));
    auto finish = [&](verify_result& r) {
        if (!labels.empty())
            r.notes.push_back(label_note(labels, two_way_labels));
        r.milliseconds =
            std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
        return r;
    };
    auto set_component = [&](verify_result& r, std::size_t i) {
        r.lhs = components[i].lhs;
        r.rhs = components[i].rhs;
        if (components.size() > 1 || is_list_like(lhs)) {
            r.component = i;
            r.component_name = components[i].name;
        }
    };

    // The exact decision on the common domain, component by component, in a child process
    // that is stopped when its share of the budget is spent.
    std::vector<sign_condition> assumptions;
    for (const auto* domain : {&lhs_domain, &rhs_domain})
        for (const auto& d : *domain)
            if (d.kind != domain_kind::nonzero)
                assumptions.push_back({d.expr, 1, d.kind == domain_kind::nonnegative});
    exact_outcome exact;
    exact.proved.assign(components.size(), false);
    exact.cases.assign(components.size(), {});
    if (options.exact) {
        auto decide = [&] { return decide_exactly(components, labels, assumptions); };
        if (options.exact_in_child) {
            const limited_result run = run_with_time_limit([&] { return serialize(decide()); },
                                                           0.7 * options.timeout_seconds);
            if (run.value) {
                exact = deserialize(*run.value, components.size());
            } else {
                result.exact_timed_out = run.timed_out;
                const std::string why =
                    run.timed_out ? "the exact decision did not finish within " +
                                        seconds_text(0.7 * options.timeout_seconds) +
                                        " s (70% of the time budget)"
                                  : "the exact decision stopped: " + ginac_reason(run.failure);
                for (auto& c : exact.cases)
                    c = {{"", false, why}};
            }
        } else {
            exact = decide();
        }
    }
    const bool all_proved = options.exact && std::all_of(exact.proved.begin(), exact.proved.end(),
                                                         [](bool b) { return b; });
    // The start of the error when a component's sides have no common point.
    auto no_common_point = [&](std::size_t i) {
        return "verify: found no point where both sides" +
               (components.size() > 1 ? " of component " + components[i].name : std::string()) +
               " are defined";
    };
    if (all_proved) {
        for (std::size_t i = 0; i < components.size(); ++i) {
            std::size_t tried = 0;
            std::string why;
            if (!common_point(components[i], labels, options, deadline, tried, why))
                throw invalid_input(no_common_point(i) + " (tried " + std::to_string(tried) +
                                    " point" + (tried == 1 ? "" : "s") + "; " + why +
                                    "), so an equality there would say nothing");
        }
        result.lhs = lhs;
        result.rhs = rhs;
        result.method =
            proof_method(exact.atoms, exact.log_atoms,
                         components.size() == 1 ? exact.cases[0] : std::vector<decided_case>{});
        if (components.size() > 1)
            result.method +=
                " for each of the " + std::to_string(components.size()) + " components";
        // "proved" needs the same domain on both sides as written.
        std::vector<std::string> only_left, only_right;
        for (const auto& c : lhs_domain)
            if (!implied_by(c, rhs_domain))
                only_left.push_back(brief_text(condition_text(c)));
        for (const auto& c : rhs_domain)
            if (!implied_by(c, lhs_domain))
                only_right.push_back(brief_text(condition_text(c)));
        if (only_left.empty() && only_right.empty()) {
            result.outcome = verdict::proved;
            return finish(result);
        }
        result.outcome = verdict::equal_where_defined;
        result.method += " on the common domain";
        for (std::size_t i = 0; i < components.size(); ++i)
            if (auto w = domain_witness(components[i], labels, options, deadline)) {
                set_component(result, i);
                result.lhs = lhs;
                result.rhs = rhs;
                result.witness = w->first;
                const side_value l = evaluate_side(components[i].lhs, lhs_domain, result.witness);
                const side_value r = evaluate_side(components[i].rhs, rhs_domain, result.witness);
                auto text = [&](const side_value& v) {
                    if (!v.defined)
                        return "undefined (" + strip_where(v.why) + ")";
                    try {
                        return format_number(evaluate_numeric(v.exact, {}, options.digits),
                                             options.digits);
                    } catch (const std::exception&) {
                        return to_text(v.exact);
                    }
                };
                result.lhs_value = text(l);
                result.rhs_value = text(r);
                result.notes.push_back(w->second);
                break;
            }
        if (result.witness.empty())
            result.notes.push_back("no point was found where only one side is defined, but the "
                                   "domains as written are not shown to be the same");
        if (!only_left.empty())
            result.notes.push_back("only the left side requires " + join(only_left, " and "));
        if (!only_right.empty())
            result.notes.push_back("only the right side requires " + join(only_right, " and "));
        return finish(result);
    }
    const auto& cases = exact.cases;
    const auto& proved = exact.proved;

    // No proof for some component: look for a counterexample.
    std::optional<std::size_t> first_unproved;
    sampling_outcome unproved_outcome;
    std::size_t total_points = 0;
    for (std::size_t i = 0; i < components.size(); ++i) {
        if (proved[i])
            continue;
        // An open case of the piecewise functions: look wider before "probably equal".
        const bool open_case = std::any_of(cases[i].begin(), cases[i].end(), [](const auto& d) {
            return !d.proved && !d.condition.empty();
        });
        const sampling_outcome s =
            sample(components[i], labels, options, deadline, open_case ? 200 : 0);
        total_points += s.compared;
        if (s.compared == 0 && !s.difference && s.out_of_time)
            throw invalid_input("verify: no verdict within the time budget of " +
                                seconds_text(options.timeout_seconds) +
                                " s: the exact decision did not finish and no point was "
                                "compared in time; raise the budget (--timeout)");
        if (s.compared == 0 && !s.difference)
            throw invalid_input(no_common_point(i) + " (tried " + std::to_string(s.attempts) +
                                " points)" + (s.domain_note ? "; " + *s.domain_note : ""));
        if (s.difference) {
            verify_result& r = result;
            r.outcome = verdict::refuted;
            set_component(r, i);
            r.witness = s.difference->point;
            const comparison& v = s.difference->values;
            r.lhs_value = v.lhs_text.empty() ? digits_of(v.lhs, options.digits) : v.lhs_text;
            r.rhs_value = v.rhs_text.empty() ? digits_of(v.rhs, options.digits) : v.rhs_text;
            r.difference = v.difference_text.empty() ? digits_of(v.difference, options.digits)
                                                     : v.difference_text;
            r.exact_values = v.exact;
            r.certified_bits = v.exact ? 0 : v.bits;
            r.sample_points = s.compared;
            r.agreeing_points = s.agreeing;
            r.method = options.exact ? no_proof_reason(cases[i]) : "sampling only";
            std::vector<std::string> proved_where;
            for (const auto& c : cases[i])
                if (c.proved && !c.condition.empty())
                    proved_where.push_back(c.condition);
            if (!proved_where.empty())
                r.notes.push_back("proved equal where " + join(proved_where, "; or where "));
            if (s.agreeing_random >= 2 && s.agreeing_example)
                r.notes.push_back("the sides agree at " + std::to_string(s.agreeing) + " of " +
                                  std::to_string(s.compared) + " sampled points (e.g. " +
                                  format_point(*s.agreeing_example) +
                                  "): equal on part of the domain only");
            if (s.undecided > 0)
                r.notes.push_back(std::to_string(s.undecided) +
                                  " sampled point(s) were undecided (points after the witness "
                                  "are followed to about 1,200 digits)");
            if (s.domain_note)
                r.notes.push_back(*s.domain_note);
            return finish(r);
        }
        if (!first_unproved) {
            first_unproved = i;
            unproved_outcome = s;
        }
    }
    result.outcome = verdict::probably_equal;
    set_component(result, *first_unproved);
    result.method = options.exact ? no_proof_reason(cases[*first_unproved]) : "sampling only";
    result.sample_points = unproved_outcome.compared;
    result.agreeing_points = unproved_outcome.agreeing;
    result.agreement_digits = options.agreement_digits;
    if (unproved_outcome.undecided > 0)
        result.notes.push_back(std::to_string(unproved_outcome.undecided) +
                               " sampled point(s) were undecided at the highest precision");
    if (unproved_outcome.domain_note)
        result.notes.push_back(*unproved_outcome.domain_note);
    if (unproved_outcome.out_of_time)
        result.notes.push_back("sampling stopped at the time budget of " +
                               seconds_text(options.timeout_seconds) + " s");
    if (total_points > result.sample_points)
        result.notes.push_back(std::to_string(total_points) +
                               " points compared over all unproved components");
    return finish(result);
}

} // namespace

verify_result verify(const ex& lhs, const ex& rhs, const verify_options& options) {
    return verify(written_expression{lhs, {}}, written_expression{rhs, {}}, options);
}

verify_result verify(const written_expression& lhs_written, const written_expression& rhs_written,
                     const verify_options& options) {
    try {
        return verify_within_budget(lhs_written, rhs_written, options);
    } catch (const error&) {
        throw;
    } catch (const std::exception& x) {
        // GiNaC's own messages ("power::eval(): division by zero") are not for users.
        throw invalid_input(std::string("verify: these expressions cannot be compared (") +
                            ginac_reason(x.what()) + ")");
    }
}

std::string format_text(const verify_result& r) {
    std::ostringstream os;
    const std::string where = r.component ? " in component " + r.component_name + " (of " +
                                                std::to_string(r.component_count) + ")"
                                          : "";
    switch (r.outcome) {
    case verdict::proved:
        os << "proved: the two sides are equal\n";
        os << "  how: " << r.method << "\n";
        break;
    case verdict::refuted:
        os << "refuted: the sides differ" << where << " at " << format_point(r.witness) << "\n";
        os << "  left side:  " << r.lhs_value << "\n";
        os << "  right side: " << r.rhs_value << "\n";
        os << "  difference: " << r.difference;
        if (r.exact_values)
            os << " (exact)\n";
        else
            os << " (certified nonzero: its ball excludes 0 at " << r.certified_bits
               << " bits of working precision; the printed digits are correct)\n";
        os << "  sampled:    " << r.sample_points << " point(s) inside both domains, "
           << r.agreeing_points << " agreeing\n";
        os << "  " << r.method << "\n";
        break;
    case verdict::equal_where_defined:
        // Without a point where only one side is defined, the domains are not known to
        // differ (only not shown to be the same): say no more than that.
        os << "equal where both are defined: the sides agree on their common domain, but "
           << (r.witness.empty() ? "their domains as written were not shown to be the same"
                                 : "their domains differ")
           << "\n";
        if (!r.witness.empty()) {
            os << "  at " << format_point(r.witness) << where << ":\n";
            os << "  left side:  " << r.lhs_value << "\n";
            os << "  right side: " << r.rhs_value << "\n";
        }
        os << "  how: " << r.method << "\n";
        break;
    case verdict::probably_equal:
        os << "probably equal: the sides agree at " << r.sample_points << " sampled point(s) to "
           << r.agreement_digits << " significant digits" << where << "\n";
        os << "  " << r.method << "\n";
        break;
    }
    for (const auto& n : r.notes)
        os << "  note: " << n << "\n";
    return os.str();
}

std::string format_json(const verify_result& r) {
    std::ostringstream os;
    os << "{\"verdict\": " << json_escape(std::string(verdict_name(r.outcome)));
    os << ", \"method\": " << json_escape(r.method);
    os << ", \"witness\": {";
    bool first = true;
    for (const auto& [name, value] : sorted_point(r.witness)) {
        os << (first ? "" : ", ") << json_escape(name) << ": " << json_escape(value);
        first = false;
    }
    os << "}";
    os << ", \"lhs_value\": " << json_escape(r.lhs_value);
    os << ", \"rhs_value\": " << json_escape(r.rhs_value);
    os << ", \"difference\": " << json_escape(r.difference);
    os << ", \"exact_values\": " << (r.exact_values ? "true" : "false");
    os << ", \"certified_bits\": " << r.certified_bits;
    os << ", \"digits\": " << r.digits;
    os << ", \"sample_points\": " << r.sample_points;
    os << ", \"agreeing_points\": " << r.agreeing_points;
    os << ", \"agreement_digits\": " << r.agreement_digits;
    os << ", \"component\": ";
    if (r.component)
        os << "{\"index\": " << *r.component << ", \"name\": " << json_escape(r.component_name)
           << ", \"count\": " << r.component_count << "}";
    else
        os << "null";
    os << ", \"notes\": [";
    for (std::size_t i = 0; i < r.notes.size(); ++i)
        os << (i ? ", " : "") << json_escape(r.notes[i]);
    os << "]";
    auto conditions = [&](const std::vector<std::string>& cs) {
        os << "[";
        for (std::size_t i = 0; i < cs.size(); ++i)
            os << (i ? ", " : "") << json_escape(cs[i]);
        os << "]";
    };
    os << ", \"lhs_domain\": ";
    conditions(r.lhs_domain);
    os << ", \"rhs_domain\": ";
    conditions(r.rhs_domain);
    os << ", \"exact_timed_out\": " << (r.exact_timed_out ? "true" : "false");
    os << ", \"lhs\": " << json_escape(to_text(r.lhs));
    os << ", \"rhs\": " << json_escape(to_text(r.rhs));
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.3f", r.milliseconds);
    os << ", \"milliseconds\": " << ms << "}";
    return os.str();
}

} // namespace symgrad
