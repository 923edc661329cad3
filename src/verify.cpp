// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/verify.hpp"

#include "symgrad/error.hpp"
#include "symgrad/evaluate.hpp"
#include "symgrad/exp_normal_form.hpp"
#include "symgrad/functions.hpp"
#include "symgrad/precision.hpp"
#include "symgrad/printers.hpp"
#include "symgrad/symbols.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

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

/// Visit every distinct node of @p e once (a DAG walk), parents before children.
void visit_dag(const ex& e, const std::function<void(const ex&)>& fn) {
    std::unordered_set<ex> visited;
    std::vector<ex> stack{e};
    while (!stack.empty()) {
        const ex node = stack.back();
        stack.pop_back();
        if (!visited.insert(node).second)
            continue;
        fn(node);
        for (std::size_t i = node.nops(); i-- > 0;)
            stack.push_back(node.op(i));
    }
}

std::set<ex, GiNaC::ex_is_less> symbols_of(const ex& e) {
    std::set<ex, GiNaC::ex_is_less> out;
    visit_dag(e, [&out](const ex& n) {
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
        return "a " + std::to_string(m.rows()) + "x" + std::to_string(m.cols()) + " matrix";
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
        out.push_back({l[i].first, l[i].second, r[i].second});
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
    visit_dag(rewrite_to_exponentials(e), [&labels](const ex& n) {
        if (ml_function_of(n) != ml_function::indicator)
            return;
        for (int side = 0; side < 2; ++side) {
            const ex& y = n.op(static_cast<std::size_t>(side));
            const ex& k = n.op(static_cast<std::size_t>(1 - side));
            if (GiNaC::is_a<GiNaC::symbol>(y) && k.info(GiNaC::info_flags::integer))
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
    visit_dag(e, [&out](const ex& n) {
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
        if (labels.count(v) != 0 || e.degree(v) != 1 || e.ldegree(v) < 0)
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

    bool decide(const ex& difference) { return run(difference, {}, {}); }

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
                all = run(d.subs(y == value), conditions, w) && all;
            }
            return all;
        }
        if (auto z = first_switch(d)) {
            bool all = true;
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
                for (const auto& cond : conditions)
                    c.push_back({cond.expr.subs(at), cond.sign});
                if (may_be_satisfiable(c))
                    all = run(d.subs(at), c, w) && all;
            } else {
                cases_.push_back({join(w, ", "), false,
                                  "the switch set " + condition_text(*z, 0) +
                                      " cannot be solved for a variable"});
                all = false;
            }
            return all;
        }
        const zero_test_report report = exact_zero_test(d, conditions);
        exp_atoms_.insert(report.exp_atoms.begin(), report.exp_atoms.end());
        log_atoms_ = std::max(log_atoms_, report.log_atoms);
        cases_.push_back({join(where, ", "), report.zero, report.obstacle});
        return report.zero;
    }

    label_set labels_;
    std::vector<decided_case> cases_;
    std::set<std::string> exp_atoms_;
    std::size_t log_atoms_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Sampling.

struct side_value {
    bool defined = false;
    ex exact;
    std::string why; // when undefined
};

side_value evaluate_side(const ex& e, const GiNaC::exmap& point) {
    try {
        return {true, evaluate_exact(e, point, "verify"), ""};
    } catch (const domain_error& x) {
        return {false, ex(), x.what()};
    }
}

/// lhs, rhs and lhs - rhs at @p precision decimal digits, when all three are real numbers.
struct approximations {
    numeric lhs, rhs, difference;
};

std::optional<approximations> approximate(const ex& l, const ex& r, const ex& d, long precision) {
    try {
        precision_guard guard(precision);
        // Memoised over the DAG (the sides and their difference share most nodes), and summed
        // in an order that does not change from run to run.
        ordered_evalf evaluate;
        const ex vl = evaluate(l), vr = evaluate(r), vd = evaluate(d);
        for (const ex& v : {vl, vr, vd})
            if (!GiNaC::is_exactly_a<numeric>(v) || !GiNaC::ex_to<numeric>(v).is_real())
                return std::nullopt;
        return approximations{GiNaC::ex_to<numeric>(vl), GiNaC::ex_to<numeric>(vr),
                              GiNaC::ex_to<numeric>(vd)};
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

enum class agreement { agree, differ, undecided, undefined };

struct comparison {
    agreement kind = agreement::undecided;
    numeric lhs, rhs, difference;
    bool exact = false;
    long precision = 0; // differ: the precision of the confirming evaluation
};

numeric power_of_ten(long k) {
    return GiNaC::pow(numeric(10), numeric(k));
}

/// Compare two exact constants: exactly when both are rational or their difference simplifies
/// to 0; otherwise the difference (as one expression, so that GiNaC cancels equal terms first)
/// is evaluated at p and 2p digits. Two evaluations of the same sign that agree to `digits + 1`
/// digits certify a difference, however small; otherwise the sides agree when the difference
/// is below 10^-agreement_digits of their size, else the precision doubles.
comparison compare_values(const ex& l, const ex& r, long agreement_digits, long digits) {
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
    long p = std::max(agreement_digits, digits) + 20;
    std::optional<approximations> previous = approximate(l, r, d, p);
    if (!previous) {
        c.kind = agreement::undefined;
        return c;
    }
    c.lhs = previous->lhs;
    c.rhs = previous->rhs;
    c.difference = previous->difference;
    c.precision = p;
    if (d.is_zero()) {
        c.kind = agreement::agree;
        return c;
    }
    for (int round = 0; round < 5; ++round) {
        const auto next = approximate(l, r, d, 2 * p);
        if (!next)
            break;
        c.lhs = next->lhs;
        c.rhs = next->rhs;
        c.difference = next->difference;
        c.precision = p;
        const numeric& d1 = previous->difference;
        const numeric& d2 = next->difference;
        if (!d2.is_zero() && d2.is_positive() == d1.is_positive() &&
            GiNaC::abs(d2 - d1) <= GiNaC::abs(d2) * power_of_ten(-(digits + 1))) {
            c.kind = agreement::differ;
            return c;
        }
        const numeric scale = std::max(GiNaC::abs(next->lhs), GiNaC::abs(next->rhs));
        if (GiNaC::abs(d2) <= scale * power_of_ten(-agreement_digits)) {
            c.kind = agreement::agree;
            return c;
        }
        p *= 2;
        previous = next;
    }
    c.kind = agreement::undecided;
    return c;
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
                    const std::vector<ex>& switches, std::uint64_t seed)
        : variables_(std::move(variables)), rng_(seed) {
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
        } else {
            static const double boxes[][3] = {{-3, 3, 8},   {0, 1, 16}, {-1, 0, 16}, {1, 4, 8},
                                              {-10, 10, 4}, {0, 3, 8},  {-3, 0, 8},  {3, 30, 2}};
            const auto& box = boxes[(i - 5) % (sizeof boxes / sizeof boxes[0])];
            for (const ex& v : variables_)
                c.point[v] = random_rational(box[0], box[1], static_cast<long>(box[2]));
        }
        std::size_t combination = i;
        for (const auto& [y, values] : labels_) {
            c.point[y] = values[combination % values.size()];
            combination /= values.size();
        }
        return c;
    }

private:
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
};

std::string strip_where(const std::string& message) {
    const std::string prefix = "verify: ";
    return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

/// The real variables of a component (natural order) and the labels it uses.
std::pair<std::vector<ex>, label_set> variables_of(const component& c, const label_set& labels) {
    std::vector<ex> variables;
    label_set used_labels;
    for (const ex& v : free_symbols(GiNaC::lst{c.lhs, c.rhs})) {
        if (auto it = labels.find(v); it != labels.end())
            used_labels.insert(*it);
        else
            variables.push_back(v);
    }
    return {variables, used_labels};
}

sampling_outcome sample(const component& c, const label_set& labels, const verify_options& o) {
    const auto [variables, used_labels] = variables_of(c, labels);
    std::vector<ex> switches = switch_arguments(c.lhs);
    for (const ex& z : switch_arguments(c.rhs))
        switches.push_back(z);
    point_generator points(variables, used_labels, switches, o.seed);

    sampling_outcome out;
    const std::size_t wanted = std::max<std::size_t>(1, o.sample_points);
    const std::size_t max_attempts =
        points.finite_count() ? *points.finite_count() : 12 * wanted + 40;
    // After a difference, half the points are enough for the remarks on partial agreement.
    auto enough = [&] {
        return out.compared >= wanted || (out.difference && 2 * out.compared >= wanted);
    };
    while (!enough() && out.attempts < max_attempts) {
        ++out.attempts;
        const candidate cand = points.next();
        const side_value l = evaluate_side(c.lhs, cand.point);
        const side_value r = evaluate_side(c.rhs, cand.point);
        if (!l.defined || !r.defined) {
            if (l.defined != r.defined && !out.domain_note)
                out.domain_note = std::string("at ") + format_point(cand.point) + " the " +
                                  (l.defined ? "right" : "left") + " side is undefined (" +
                                  strip_where(l.defined ? r.why : l.why) + ") but the " +
                                  (l.defined ? "left" : "right") + " side is defined";
            continue;
        }
        const comparison cmp = compare_values(l.exact, r.exact, o.agreement_digits, o.digits);
        if (cmp.kind == agreement::undefined)
            continue;
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
    }
    return out;
}

/// Looks for a point where exactly one side is defined (a remark for proved identities).
std::optional<std::string> domain_remark(const component& c, const label_set& labels,
                                         const verify_options& o) {
    const auto [variables, used_labels] = variables_of(c, labels);
    if (variables.empty())
        return std::nullopt;
    point_generator points(variables, used_labels, {}, o.seed);
    for (int i = 0; i < 8; ++i) {
        const candidate cand = points.next();
        const side_value l = evaluate_side(c.lhs, cand.point);
        const side_value r = evaluate_side(c.rhs, cand.point);
        if (l.defined != r.defined)
            return std::string("at ") + format_point(cand.point) + " the " +
                   (l.defined ? "right" : "left") + " side is undefined (" +
                   strip_where(l.defined ? r.why : l.why) + ") but the " +
                   (l.defined ? "left" : "right") + " side is defined; the identity holds on " +
                   "the common domain";
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
            return "no exact proof: " + c.obstacle +
                   (c.condition.empty() ? "" : " (case " + c.condition + ")");
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

} // namespace

std::string_view verdict_name(verdict v) {
    switch (v) {
    case verdict::proved:
        return "proved";
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

verify_result verify(const ex& lhs, const ex& rhs, const verify_options& options) {
    const auto start = std::chrono::steady_clock::now();
    const std::vector<component> components = components_of(lhs, rhs);
    std::set<ex, structural_less> two_way_labels;
    const label_set labels = find_labels(GiNaC::lst{lhs, rhs}, two_way_labels);

    verify_result result;
    result.digits = options.digits;
    result.component_count = components.size();
    auto finish = [&](verify_result& r) {
        if (!labels.empty())
            r.notes.push_back(label_note(labels, two_way_labels));
        r.milliseconds =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
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

    // The exact decision, component by component.
    std::vector<std::vector<decided_case>> cases(components.size());
    std::vector<bool> proved(components.size(), false);
    std::set<std::string> atoms;
    std::size_t log_atoms = 0;
    std::vector<decided_case> all_cases;
    if (options.exact) {
        for (std::size_t i = 0; i < components.size(); ++i) {
            exact_decider decider(labels);
            proved[i] = decider.decide(components[i].lhs - components[i].rhs);
            cases[i] = decider.cases();
            atoms.insert(decider.exp_atoms().begin(), decider.exp_atoms().end());
            log_atoms += decider.log_atoms();
            if (components.size() == 1)
                all_cases = decider.cases();
        }
    }
    if (options.exact && std::all_of(proved.begin(), proved.end(), [](bool b) { return b; })) {
        result.outcome = verdict::proved;
        result.lhs = lhs;
        result.rhs = rhs;
        result.method = proof_method(atoms, log_atoms, all_cases);
        if (components.size() > 1)
            result.method +=
                " for each of the " + std::to_string(components.size()) + " components";
        for (const auto& c : components)
            if (auto note = domain_remark(c, labels, options)) {
                result.notes.push_back(*note);
                break;
            }
        return finish(result);
    }

    // No proof for some component: look for a counterexample.
    std::optional<std::size_t> first_unproved;
    sampling_outcome unproved_outcome;
    std::size_t total_points = 0;
    for (std::size_t i = 0; i < components.size(); ++i) {
        if (proved[i])
            continue;
        const sampling_outcome s = sample(components[i], labels, options);
        total_points += s.compared;
        if (s.compared == 0 && !s.difference)
            throw invalid_input(
                "verify: found no point where both sides" +
                (components.size() > 1 ? " of component " + components[i].name : std::string()) +
                " are defined (tried " + std::to_string(s.attempts) + " points)" +
                (s.domain_note ? "; " + *s.domain_note : ""));
        if (s.difference) {
            verify_result& r = result;
            r.outcome = verdict::refuted;
            set_component(r, i);
            r.witness = s.difference->point;
            const comparison& v = s.difference->values;
            r.lhs_value = digits_of(v.lhs, options.digits);
            r.rhs_value = digits_of(v.rhs, options.digits);
            r.difference = digits_of(v.difference, options.digits);
            r.exact_values = v.exact;
            r.certified_digits = v.exact ? 0 : v.precision;
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
                                  " sampled point(s) were undecided at the highest precision");
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
    if (total_points > result.sample_points)
        result.notes.push_back(std::to_string(total_points) +
                               " points compared over all unproved components");
    return finish(result);
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
            os << " (" << r.digits << " significant digits; evaluated at " << r.certified_digits
               << " and again at " << 2 * r.certified_digits << " digits, same sign)\n";
        os << "  sampled:    " << r.sample_points << " point(s) inside both domains, "
           << r.agreeing_points << " agreeing\n";
        os << "  " << r.method << "\n";
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
    os << ", \"certified_digits\": " << r.certified_digits;
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
    os << ", \"lhs\": " << json_escape(to_text(r.lhs));
    os << ", \"rhs\": " << json_escape(to_text(r.rhs));
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.3f", r.milliseconds);
    os << ", \"milliseconds\": " << ms << "}";
    return os.str();
}

} // namespace symgrad
