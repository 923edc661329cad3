// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/verify/derivation.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/expression_walk.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/simplify/simplify.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <set>
#include <sstream>

namespace symgrad {

using GiNaC::ex;
using GiNaC::numeric;

std::string slip_id(slip_kind k) {
    switch (k) {
    case slip_kind::sign_of_line:
        return "sign_of_line";
    case slip_kind::sign_of_term:
        return "sign_of_term";
    case slip_kind::term_dropped:
        return "term_dropped";
    case slip_kind::term_added:
        return "term_added";
    case slip_kind::number_slip:
        return "number_slip";
    case slip_kind::chain_rule_factor_missing:
        return "chain_rule_factor_missing";
    case slip_kind::factor_dropped:
        return "factor_dropped";
    case slip_kind::factor_added:
        return "factor_added";
    }
    return "";
}

std::string slip_description(slip_kind k) {
    switch (k) {
    case slip_kind::sign_of_line:
        return "the sign of the whole line";
    case slip_kind::sign_of_term:
        return "the sign of a term";
    case slip_kind::term_dropped:
        return "a term dropped";
    case slip_kind::term_added:
        return "a term too many";
    case slip_kind::number_slip:
        return "an arithmetic slip in a number";
    case slip_kind::chain_rule_factor_missing:
        return "a chain-rule factor missing";
    case slip_kind::factor_dropped:
        return "a factor dropped";
    case slip_kind::factor_added:
        return "a factor too many";
    }
    return "";
}

namespace {

/// Numeric comparison of candidate expressions at a few points inside the domain: how a slip's
/// fix is found (the fix chosen is then verified like any line).
class probe {
public:
    probe(const GiNaC::exmap& witness, const std::vector<ex>& symbols) {
        GiNaC::exmap base = witness;
        for (const ex& s : symbols)
            if (base.count(s) == 0)
                base[s] = numeric(1, 3);
        points_.push_back(base);
        // Beside the witness: each variable moved by its own small rational; and away from
        // it, both signs and other magnitudes (|x| and -x agree near a negative witness).
        for (int k = 1; k <= 3; ++k) {
            GiNaC::exmap p;
            long j = 0;
            for (const auto& [s, v] : base)
                p[s] = v + numeric(k * (2 * j++ + 3), 17 + 4 * k);
            points_.push_back(p);
        }
        static const numeric far[][3] = {{numeric(7, 3), numeric(-5, 2), numeric(11, 7)},
                                         {numeric(-13, 9), numeric(3, 8), numeric(-19, 4)},
                                         {numeric(29, 6), numeric(-2, 11), numeric(5, 13)}};
        for (const auto& row : far) {
            GiNaC::exmap p;
            std::size_t j = 0;
            for (const auto& [s, v] : base) {
                p[s] = row[j % 3] + numeric(static_cast<long>(j), 97);
                ++j;
            }
            points_.push_back(p);
        }
    }

    /// a and b agree to 20 digits at every point where both are defined (at least three).
    bool equal(const ex& a, const ex& b) const {
        std::size_t compared = 0;
        for (const auto& p : points_) {
            const auto va = value(a, p), vb = value(b, p);
            if (!va || !vb)
                continue;
            const numeric scale = std::max(GiNaC::abs(*va), GiNaC::abs(*vb));
            if (GiNaC::abs(*va - *vb) > scale * numeric(1, 100000000) * numeric(1, 1000000000000))
                return false;
            ++compared;
        }
        return compared >= 3;
    }

    /// The value of @p e when it is the same rational-looking number at every point.
    std::optional<numeric> constant(const ex& e) const {
        std::optional<numeric> first;
        for (const auto& p : points_) {
            const auto v = value(e, p);
            if (!v)
                continue;
            if (!first)
                first = *v;
            else if (GiNaC::abs(*v - *first) >
                     (GiNaC::abs(*first) + 1) * numeric(1, 100000000) * numeric(1, 1000000000000))
                return std::nullopt;
        }
        return first;
    }

private:
    static std::optional<numeric> value(const ex& e, const GiNaC::exmap& p) {
        try {
            return evaluate_numeric(e, p, 30, "derivation");
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }

    std::vector<GiNaC::exmap> points_;
};

std::vector<ex> symbols_of_all(const std::vector<ex>& es) {
    std::set<ex, GiNaC::ex_is_less> seen;
    for (const ex& e : es)
        for (const ex& s : free_symbols(e))
            seen.insert(s);
    return {seen.begin(), seen.end()};
}

/// A simple factor: a rational, a symbol or its (small) power, a product of those.
bool simple_factor(const ex& q) {
    if (GiNaC::is_a<numeric>(q))
        return GiNaC::ex_to<numeric>(q).is_rational();
    if (GiNaC::is_a<GiNaC::symbol>(q))
        return true;
    if (GiNaC::is_a<GiNaC::power>(q))
        return GiNaC::is_a<GiNaC::symbol>(q.op(0)) && q.op(1).info(GiNaC::info_flags::integer);
    if (GiNaC::is_a<GiNaC::mul>(q)) {
        for (std::size_t i = 0; i < q.nops(); ++i)
            if (!simple_factor(q.op(i)))
                return false;
        return q.nops() <= 3;
    }
    return false;
}

std::string show(const ex& e) {
    return brief(simplify(e), 100);
}

/// A rational with a finite decimal expansion (209/2) as a decimal (104.5), else nullopt.
std::optional<std::string> as_decimal(const ex& e) {
    if (!GiNaC::is_a<numeric>(e) || !GiNaC::ex_to<numeric>(e).is_rational())
        return std::nullopt;
    const numeric q = GiNaC::ex_to<numeric>(e);
    numeric den = q.denom();
    int twos = 0, fives = 0;
    while (GiNaC::irem(den, 2).is_zero()) {
        den = den / 2;
        ++twos;
    }
    while (GiNaC::irem(den, 5).is_zero()) {
        den = den / 5;
        ++fives;
    }
    const int k = std::max(twos, fives);
    if (!den.is_equal(1) || k > 30)
        return std::nullopt;
    // q * 10^k is an integer: its digits with the point k places from the right.
    const numeric scaled = GiNaC::abs(q) * GiNaC::pow(numeric(10), numeric(k));
    std::ostringstream digits_os;
    digits_os << scaled;
    std::string digits = digits_os.str();
    if (k > 0) {
        if (digits.size() <= static_cast<std::size_t>(k))
            digits.insert(0, static_cast<std::size_t>(k) + 1 - digits.size(), '0');
        digits.insert(digits.size() - static_cast<std::size_t>(k), ".");
    }
    return (q.is_negative() ? "-" : "") + digits;
}

/// What a wrong part @p written should be: a decimal where the student wrote one.
std::string show_like(const ex& e, const std::string& written) {
    if (written.find('.') != std::string::npos)
        if (auto d = as_decimal(simplify(e)))
            return *d;
    return show(e);
}

struct candidate {
    slip_kind kind;
    std::string explanation, wrong_part, corrected_part;
    ex fixed; ///< the claimed line with the fix
};

/// The inner functions of @p f that depend on @p v: arguments of functions and bases of powers.
std::vector<ex> inner_functions(const ex& f, const ex& v) {
    std::vector<ex> out;
    std::set<ex, GiNaC::ex_is_less> seen;
    std::function<void(const ex&)> walk = [&](const ex& e) {
        if (!e.has(v))
            return;
        if (GiNaC::is_a<GiNaC::function>(e) || GiNaC::is_a<GiNaC::power>(e)) {
            const ex inner = e.op(0);
            if (inner.has(v) && !GiNaC::is_a<GiNaC::symbol>(inner) && seen.insert(inner).second)
                out.push_back(inner);
            // (y - w x)^2 is held as (w x - y)^2: the inner function may be written either way.
            if (GiNaC::is_a<GiNaC::power>(e) && e.op(1).info(GiNaC::info_flags::even) &&
                inner.has(v) && seen.insert(-inner).second)
                out.push_back(-inner);
        }
        for (std::size_t i = 0; i < e.nops(); ++i)
            walk(e.op(i));
    };
    walk(f);
    // Also the terms and factors of the inner functions: w x in sigma(w x + b).
    const std::size_t n = out.size();
    for (std::size_t i = 0; i < n; ++i)
        if (GiNaC::is_a<GiNaC::add>(out[i]))
            for (std::size_t j = 0; j < out[i].nops(); ++j)
                if (out[i].op(j).has(v) && seen.insert(out[i].op(j)).second)
                    out.push_back(out[i].op(j));
    return out;
}

class classifier {
public:
    classifier(const derivation_claim& c, const probe& p) : c_(c), p_(p) {}

    std::optional<candidate> find() {
        const ex C = c_.claimed.value, R = c_.reference.value;
        if (GiNaC::is_a<numeric>(C) && GiNaC::is_a<numeric>(R) && !p_.equal(C, -R))
            return candidate{slip_kind::number_slip,
                             c_.written + " should be " + show_like(R, c_.written), c_.written,
                             show_like(R, c_.written), R};
        if (p_.equal(C, -R))
            return candidate{slip_kind::sign_of_line,
                             "the line is the negative of " + c_.reference_name, c_.written,
                             show(-C), -C};
        if (auto t = by_terms())
            return t;
        if (auto t = generic_terms())
            return t;
        if (auto t = chain_rule())
            return t;
        if (auto t = factor())
            return t;
        return numbers();
    }

    /// A wrong number: a constant term, a coefficient, or a number anywhere in the line.
    std::optional<candidate> numbers() {
        const ex C = c_.claimed.value, R = c_.reference.value;
        const ex D = R - C;
        if (auto d = p_.constant(D); d && !d->is_zero() && d->is_rational()) {
            for (const auto& t : c_.claimed_terms)
                if (GiNaC::is_a<numeric>(t.value))
                    return candidate{slip_kind::number_slip,
                                     t.text + " should be " + show(t.value + *d), t.text,
                                     show(t.value + *d), C + *d};
            if (auto n = one_number(C, R))
                return n;
            return candidate{slip_kind::term_dropped,
                             "the constant term " + format_number(*d, 12) + " of " +
                                 c_.reference_name + " is missing",
                             "", format_number(*d, 12), C + *d};
        }
        // A coefficient: the term c*m should be (c + k)*m.
        for (const auto& t : c_.claimed_terms) {
            const ex m = coefficient_free(t.value);
            if (m.is_equal(1) || !GiNaC::is_a<GiNaC::mul>(t.value))
                continue;
            if (auto k = p_.constant(D / m); k && !k->is_zero() && k->is_rational()) {
                const ex fixed_term = t.value + *k * m;
                return candidate{slip_kind::number_slip, t.text + " should be " + show(fixed_term),
                                 t.text, show(fixed_term), C + *k * m};
            }
        }
        return one_number(C, R);
    }

    /// One number anywhere in the line (an exponent, a coefficient inside a function).
    std::optional<candidate> one_number(const ex& C, const ex& R) {
        const std::vector<numeric> values = candidate_numbers(R);
        // In one written term first: 2 (w - 4) should be 2 w - 6.
        if (c_.claimed_terms.size() >= 2)
            for (const auto& t : c_.claimed_terms)
                if (auto f = number_fix_in(
                        t.value, 12, values, [&](const ex& term) { return C - t.value + term; }, R))
                    return candidate{slip_kind::number_slip,
                                     t.text + " should be " + show(f->part) + " (the number " +
                                         format_number(f->old, 12) + " should be " +
                                         format_number(f->value, 12) + ")",
                                     t.text, show(f->part), C - t.value + f->part};
        if (auto f = number_fix_in(
                C, 24, values, [](const ex& line) { return line; }, R))
            return candidate{slip_kind::number_slip,
                             "the number " + format_number(f->old, 12) + " should be " +
                                 format_number(f->value, 12) + ": the line should be " +
                                 show(f->part),
                             format_number(f->old, 12), format_number(f->value, 12), f->part};
        return std::nullopt;
    }

    struct number_fix {
        ex part;            ///< @p part with the number changed
        numeric old, value; ///< the number, and what it should be
    };

    /// The first change of one of the first @p most numbers of @p part to one of @p values that
    /// makes @p line_with(the changed part) equal to @p R.
    std::optional<number_fix> number_fix_in(const ex& part, std::size_t most,
                                            const std::vector<numeric>& values,
                                            const std::function<ex(const ex&)>& line_with,
                                            const ex& R) const {
        const std::size_t count = number_count(part);
        for (std::size_t target = 0; target < count && target < most; ++target)
            for (const numeric& v : values) {
                std::optional<numeric> old;
                const ex changed = with_number(part, target, v, old);
                if (!old || old->is_equal(v) || changed.is_equal(part))
                    continue;
                if (p_.equal(line_with(changed), R))
                    return number_fix{changed, *old, v};
            }
        return std::nullopt;
    }

    /// The term without its numeric coefficient.
    static ex coefficient_free(const ex& t) {
        if (!GiNaC::is_a<GiNaC::mul>(t))
            return t;
        ex m = 1;
        for (std::size_t i = 0; i < t.nops(); ++i)
            if (!GiNaC::is_a<numeric>(t.op(i)))
                m *= t.op(i);
        return m;
    }

    static std::size_t number_count(const ex& e) {
        if (GiNaC::is_a<numeric>(e))
            return 1;
        std::size_t n = 0;
        for (std::size_t i = 0; i < e.nops(); ++i)
            n += number_count(e.op(i));
        return n;
    }

    /// The numbers worth trying in place of a wrong one: small integers and halves, and the
    /// numbers of the reference.
    static std::vector<numeric> candidate_numbers(const ex& reference) {
        std::set<numeric, std::function<bool(const numeric&, const numeric&)>> out(
            [](const numeric& a, const numeric& b) { return a.compare(b) < 0; });
        for (int k = -24; k <= 24; ++k)
            out.insert(numeric(k, 2));
        std::function<void(const ex&)> walk = [&](const ex& e) {
            if (GiNaC::is_a<numeric>(e) && GiNaC::ex_to<numeric>(e).is_rational()) {
                out.insert(GiNaC::ex_to<numeric>(e));
                out.insert(-GiNaC::ex_to<numeric>(e));
            }
            for (std::size_t i = 0; i < e.nops(); ++i)
                walk(e.op(i));
        };
        walk(reference);
        return {out.begin(), out.end()};
    }

    /// @p e with its @p target-th number (in tree order) replaced by @p value, rebuilt and
    /// evaluated; @p old receives the number replaced.
    static ex with_number(const ex& e, std::size_t target, const numeric& value,
                          std::optional<numeric>& old) {
        struct replace : GiNaC::map_function {
            std::size_t target, seen = 0;
            numeric value;
            std::optional<numeric>* old;
            ex operator()(const ex& x) override {
                if (GiNaC::is_a<numeric>(x)) {
                    if (seen++ == target) {
                        *old = GiNaC::ex_to<numeric>(x);
                        return value;
                    }
                    return x;
                }
                return x.map(*this);
            }
        } r;
        r.target = target;
        r.value = value;
        r.old = &old;
        try {
            return r(e);
        } catch (const std::exception&) {
            old.reset();
            return e;
        }
    }

private:
    /// The written terms of both sides paired: by position, else by value; one pair differs.
    std::optional<candidate> by_terms() {
        const auto& ct = c_.claimed_terms;
        const auto& rt = c_.reference_terms;
        if (ct.empty() || rt.empty() || (ct.size() < 2 && rt.size() < 2))
            return std::nullopt;
        // Match each claimed term to an equal reference term, in order where possible.
        std::vector<int> match(ct.size(), -1);
        std::vector<bool> used(rt.size(), false);
        for (std::size_t i = 0; i < ct.size(); ++i)
            if (i < rt.size() && ct.size() == rt.size() && p_.equal(ct[i].value, rt[i].value)) {
                match[i] = static_cast<int>(i);
                used[i] = true;
            }
        for (std::size_t i = 0; i < ct.size(); ++i) {
            if (match[i] >= 0)
                continue;
            for (std::size_t j = 0; j < rt.size(); ++j)
                if (!used[j] && p_.equal(ct[i].value, rt[j].value)) {
                    match[i] = static_cast<int>(j);
                    used[j] = true;
                    break;
                }
        }
        std::vector<std::size_t> lone_c, lone_r;
        for (std::size_t i = 0; i < ct.size(); ++i)
            if (match[i] < 0)
                lone_c.push_back(i);
        for (std::size_t j = 0; j < rt.size(); ++j)
            if (!used[j])
                lone_r.push_back(j);
        const ex C = c_.claimed.value;
        if (lone_c.empty() && lone_r.size() == 1) {
            const written_term& r = rt[lone_r[0]];
            return candidate{slip_kind::term_dropped,
                             "the term " + r.text + " of " + c_.reference_name + " is missing", "",
                             r.text, C + r.value};
        }
        if (lone_c.size() == 1 && lone_r.empty()) {
            const written_term& t = ct[lone_c[0]];
            return candidate{slip_kind::term_added, "the term " + t.text + " should not be there",
                             t.text, "0", C - t.value};
        }
        if (lone_c.size() != 1 || lone_r.size() != 1)
            return std::nullopt;
        const written_term& t = ct[lone_c[0]];
        const written_term& r = rt[lone_r[0]];
        const std::string shown = show_like(r.value, t.text);
        const std::string should =
            t.text + " should be " + shown + (r.text == shown ? "" : " (= " + r.text + ")");
        const ex fixed = C - t.value + r.value;
        if (p_.equal(t.value, -r.value))
            return candidate{slip_kind::sign_of_term, should, t.text, show(r.value), fixed};
        if (GiNaC::is_a<numeric>(t.value) && GiNaC::is_a<numeric>(r.value))
            return candidate{slip_kind::number_slip, should, t.text, show(r.value), fixed};
        if (t.value.is_zero() || r.value.is_zero())
            return std::nullopt;
        const ex q = simplify(r.value / t.value);
        if (simple_factor(q) && !q.is_equal(1) && !q.is_equal(-1)) {
            const bool dropped =
                !GiNaC::is_a<numeric>(q) || GiNaC::abs(GiNaC::ex_to<numeric>(q)) > 1;
            return candidate{dropped ? slip_kind::factor_dropped : slip_kind::factor_added,
                             should +
                                 (dropped ? ": the factor " + show(q) + " is missing"
                                          : ": the factor " + show(1 / q) + " should not be there"),
                             t.text, show(r.value), fixed};
        }
        if (const auto inner = missing_inner_derivative(t.value, r.value))
            return candidate{slip_kind::chain_rule_factor_missing,
                             should + ": the factor " + show(inner->second) +
                                 ", the derivative of " + show(inner->first) + ", is missing",
                             t.text, show(r.value), fixed};
        return candidate{slip_kind::number_slip, should, t.text, show(r.value), fixed};
    }

    /// Without a pairing: a term (or two, or three) of the line with the wrong sign, a term of
    /// the reference missing, a written term too many.
    std::optional<candidate> generic_terms() {
        const ex C = c_.claimed.value, R = c_.reference.value;
        const auto& ct = c_.claimed_terms;
        if (ct.size() >= 2 && ct.size() <= 12) {
            const std::size_t n = ct.size();
            for (std::size_t size = 1; size <= 3; ++size) {
                std::vector<std::size_t> pick(size);
                std::function<std::optional<candidate>(std::size_t, std::size_t)> choose =
                    [&](std::size_t from, std::size_t k) -> std::optional<candidate> {
                    if (k == size) {
                        ex sum = 0;
                        std::string text;
                        for (std::size_t i : pick) {
                            sum += ct[i].value;
                            const bool negative = !ct[i].text.empty() && ct[i].text[0] == '-';
                            text += (text.empty() ? "" : negative ? " " : " + ") + ct[i].text;
                        }
                        if (p_.equal(C - 2 * sum, R))
                            return candidate{slip_kind::sign_of_term,
                                             text + " should be " + show(-sum), text, show(-sum),
                                             C - 2 * sum};
                        return std::nullopt;
                    }
                    for (std::size_t i = from; i < n; ++i) {
                        pick[k] = i;
                        if (auto c = choose(i + 1, k + 1))
                            return c;
                    }
                    return std::nullopt;
                };
                if (auto c = choose(0, 0))
                    return c;
            }
            for (const auto& t : ct)
                if (p_.equal(C - t.value, R))
                    return candidate{slip_kind::term_added,
                                     "the term " + t.text + " should not be there", t.text, "0",
                                     C - t.value};
        }
        for (const auto& r : c_.reference_terms)
            if (p_.equal(C + r.value, R))
                return candidate{slip_kind::term_dropped,
                                 "the term " + r.text + " of " + c_.reference_name + " is missing",
                                 "", r.text, C + r.value};
        // A term of the reference expanded (as a student expands it before dropping a term).
        const ex expanded = R.expand();
        if (GiNaC::is_a<GiNaC::add>(expanded) && expanded.nops() <= 32)
            for (std::size_t i = 0; i < expanded.nops(); ++i)
                if (!GiNaC::is_a<numeric>(expanded.op(i)) && p_.equal(C + expanded.op(i), R))
                    return candidate{slip_kind::term_dropped,
                                     "the term " + show(expanded.op(i)) + " of " +
                                         c_.reference_name + ", expanded, is missing",
                                     "", show(expanded.op(i)), C + expanded.op(i)};
        return std::nullopt;
    }

    std::optional<candidate> chain_rule() {
        const ex C = c_.claimed.value, R = c_.reference.value;
        const auto inner = missing_inner_derivative(C, R);
        if (!inner)
            return std::nullopt;
        const auto& [g, gd] = *inner;
        return candidate{slip_kind::chain_rule_factor_missing,
                         "the factor " + show(gd) + ", the derivative of the inner " + show(g) +
                             " by " + show(c_.variable) + ", is missing",
                         c_.written, show(R), C * gd};
    }

    /// A derivative line: an inner function g of the function differentiated (not the variable
    /// itself) whose derivative g' is the factor @p have lacks to be @p want; {g, g'}.
    std::optional<std::pair<ex, ex>> missing_inner_derivative(const ex& have,
                                                              const ex& want) const {
        if (!c_.function)
            return std::nullopt;
        for (const ex& g : inner_functions(*c_.function, c_.variable)) {
            const ex gd = g.diff(GiNaC::ex_to<GiNaC::symbol>(c_.variable));
            if (GiNaC::is_a<numeric>(gd) && GiNaC::ex_to<numeric>(gd).is_equal(1))
                continue;
            if (p_.equal(have * gd, want))
                return std::make_pair(g, gd);
        }
        return std::nullopt;
    }

    std::optional<candidate> factor() {
        const ex C = c_.claimed.value, R = c_.reference.value;
        if (C.is_zero() || R.is_zero())
            return std::nullopt;
        if (auto q = p_.constant(R / C);
            q && q->is_rational() && !q->is_equal(1) && !q->is_zero() && !q->is_equal(-1)) {
            const bool dropped = GiNaC::abs(*q) > 1;
            const numeric shown = dropped ? *q : numeric(1) / *q;
            if (shown.is_integer() || dropped)
                return candidate{dropped ? slip_kind::factor_dropped : slip_kind::factor_added,
                                 dropped ? "the factor " + format_number(*q, 12) + " is missing"
                                         : "the factor " + format_number(shown, 12) +
                                               " should not be there",
                                 c_.written, show(R), C * *q};
        }
        for (const ex& s : symbols_of_all({C, R}))
            for (int k : {1, 2, -1, -2}) {
                const ex f = GiNaC::pow(s, k);
                for (int sign : {1, -1})
                    if (p_.equal(C * f * sign, R)) {
                        const ex shown = sign * f;
                        if (k > 0)
                            return candidate{slip_kind::factor_dropped,
                                             "the factor " + show(shown) + " is missing",
                                             c_.written, show(R), C * shown};
                        return candidate{slip_kind::factor_added,
                                         "the factor " + show(1 / shown) + " should not be there",
                                         c_.written, show(R), C * shown};
                    }
            }
        return std::nullopt;
    }

    const derivation_claim& c_;
    const probe& p_;
};

} // namespace

derivation_report check_derivation(const derivation& d, const verify_options& options) {
    derivation_report report;
    for (std::size_t i = 0; i < d.claims.size(); ++i) {
        const derivation_claim& c = d.claims[i];
        claim_result r;
        try {
            r.check = verify(c.claimed, c.reference, options);
        } catch (const invalid_input& e) {
            // No point where both sides are defined, no proof: the line is not checked.
            r.not_checked = e.what();
            report.results.push_back(std::move(r));
            continue;
        }
        r.wrong = r.check.outcome == verdict::refuted;
        if (r.wrong && c.written == "0") {
            // "... = 0" sets an expression to zero (a condition to solve for the optimum),
            // it does not claim it is zero everywhere.
            r.wrong = false;
            r.not_checked = "'= 0' here states a condition (an equation to solve), not an "
                            "identity: not checked";
            report.results.push_back(std::move(r));
            continue;
        }
        if (r.wrong) {
            if (!report.first_wrong)
                report.first_wrong = i;
            std::vector<ex> all{c.claimed.value, c.reference.value};
            if (c.function)
                all.push_back(*c.function);
            const probe p(r.check.witness, symbols_of_all(all));
            std::optional<candidate> found;
            try {
                found = classifier(c, p).find();
            } catch (const std::exception&) {
                // A candidate GiNaC cannot form (a division by a zero part): no slip named.
            }
            if (auto k = found) {
                verify_options quick = options;
                quick.timeout_seconds = std::min(options.timeout_seconds, 5.0);
                const verify_result fix =
                    verify(written_expression{k->fixed, c.claimed.domain}, c.reference, quick);
                if (fix.outcome != verdict::refuted)
                    r.found_slip = slip{k->kind, k->explanation, k->wrong_part, k->corrected_part,
                                        fix.outcome};
            }
            if (c.function && c.restated_function) {
                const probe q(r.check.witness,
                              symbols_of_all({c.claimed.value, *c.restated_function}));
                const ex carried =
                    c.restated_function->diff(GiNaC::ex_to<GiNaC::symbol>(c.variable));
                if (q.equal(c.claimed.value, carried)) {
                    r.follows_from = c.restated_line;
                    // The restatement's error came in at its first wrong line.
                    for (std::size_t k = 0; k < i; ++k)
                        if (report.results[k].wrong && d.claims[k].subject == c.function_name &&
                            d.claims[k].line <= c.restated_line) {
                            r.follows_from = d.claims[k].line;
                            break;
                        }
                }
            }
        }
        report.results.push_back(std::move(r));
    }
    return report;
}

int derivation_status(const derivation_report& r) {
    bool where_defined = false, probably = false;
    for (const auto& c : r.results) {
        if (c.wrong)
            return 1;
        probably |= !c.not_checked.empty();
        where_defined |= c.check.outcome == verdict::equal_where_defined;
        probably |= c.check.outcome == verdict::probably_equal;
    }
    return where_defined ? 4 : probably ? 3 : 0;
}

namespace {

std::string line_verdict(const claim_result& r) {
    if (!r.not_checked.empty())
        return "not checked";
    return r.wrong ? "wrong" : std::string(verdict_name(r.check.outcome));
}

/// At most @p n bytes of @p s, cut between characters.
std::string clip(const std::string& s, std::size_t n) {
    if (s.size() <= n)
        return s;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0u) == 0x80u)
        --n;
    return s.substr(0, n) + "...";
}

} // namespace

/// The last line when no line is wrong: what was shown, and what was not.
std::string summary_of_right_lines(const derivation_report& r) {
    std::size_t proved = 0, probably = 0, where_defined = 0, unchecked = 0;
    for (const auto& c : r.results) {
        if (!c.not_checked.empty())
            ++unchecked;
        else if (c.check.outcome == verdict::proved)
            ++proved;
        else if (c.check.outcome == verdict::probably_equal)
            ++probably;
        else
            ++where_defined;
    }
    if (probably + where_defined + unchecked == 0)
        return "every line checked is right";
    std::string s = "no line is wrong: " + std::to_string(proved) + " proved";
    if (probably != 0)
        s += ", " + std::to_string(probably) + " probably equal (no proof)";
    if (where_defined != 0)
        s += ", " + std::to_string(where_defined) + " equal only where both sides are defined";
    if (unchecked != 0)
        s += ", " + std::to_string(unchecked) + " not checked";
    return s;
}

std::string format_text(const derivation& d, const derivation_report& r) {
    std::ostringstream os;
    os << "derivation " << d.source << ": " << d.claims.size() << " claim(s) in " << d.blocks
       << " block(s) of maths";
    if (d.unread_blocks != 0)
        os << ", " << d.unread_blocks << " of them not read";
    os << "\n";
    for (const auto& def : d.definitions)
        os << "  defined: " << def << "\n";
    for (std::size_t i = 0; i < d.claims.size(); ++i) {
        const derivation_claim& c = d.claims[i];
        const claim_result& res = r.results[i];
        const bool first = r.first_wrong && *r.first_wrong == i;
        os << "\n"
           << (first ? ">> " : "   ") << "line " << c.line << ":" << c.column << "  "
           << clip(c.written, 100) << "\n";
        os << "   " << line_verdict(res) << " (compared with " << c.reference_name << ")"
           << (first ? "  <-- the first wrong line" : "") << "\n";
        if (!res.not_checked.empty()) {
            os << "   " << res.not_checked << "\n";
        } else if (res.wrong) {
            os << "   at "
               << (res.check.witness.empty() ? std::string("every point (no variables)")
                                             : format_point(res.check.witness))
               << ":\n";
            os << "     this line:  " << res.check.lhs_value << "\n";
            os << "     " << c.reference_name << ": " << res.check.rhs_value << "\n";
            os << "     difference: " << res.check.difference
               << (res.check.exact_values ? " (exact)" : " (certified nonzero)") << "\n";
            if (res.found_slip)
                os << "   slip: " << slip_description(res.found_slip->kind) << ": "
                   << res.found_slip->explanation << " (with this fix the line is "
                   << verdict_name(res.found_slip->fix_verdict) << ")\n";
            if (res.follows_from)
                os << "   this follows from the wrong line " << *res.follows_from
                   << ": it is the derivative of " << c.function_name << " as restated there\n";
        } else if (res.check.outcome == verdict::equal_where_defined) {
            os << "   note: the two sides have different domains";
            if (!res.check.witness.empty())
                os << " (at " << format_point(res.check.witness) << " only one is defined)";
            os << "\n";
        } else if (res.check.outcome == verdict::probably_equal) {
            os << "   (no proof: equal at " << res.check.sample_points << " points to "
               << res.check.agreement_digits << " digits)\n";
        }
    }
    for (const auto& s : d.skipped)
        os << "\nnot read (line " << s.line << ":" << s.column << "): " << clip(s.text, 80)
           << "\n  " << s.reason << "\n";
    os << "\n";
    if (r.first_wrong)
        os << "first wrong line: " << d.claims[*r.first_wrong].line << "\n";
    else if (d.claims.empty())
        os << "nothing to check: no line states an equality\n";
    else
        os << summary_of_right_lines(r) << "\n";
    return os.str();
}

std::string format_json(const derivation& d, const derivation_report& r) {
    nlohmann::ordered_json j;
    j["source"] = d.source;
    j["status"] = derivation_status(r);
    j["first_wrong_line"] =
        r.first_wrong ? nlohmann::ordered_json(d.claims[*r.first_wrong].line) : nullptr;
    j["blocks"] = d.blocks;
    j["unread_blocks"] = d.unread_blocks;
    j["definitions"] = d.definitions;
    j["claims"] = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < d.claims.size(); ++i) {
        const derivation_claim& c = d.claims[i];
        const claim_result& res = r.results[i];
        nlohmann::ordered_json cj;
        cj["line"] = c.line;
        cj["column"] = c.column;
        cj["written"] = c.written;
        cj["compared_with"] = c.reference_name;
        cj["verdict"] = line_verdict(res);
        if (res.found_slip) {
            const slip& s = *res.found_slip;
            cj["slip"] = {{"kind", slip_id(s.kind)},
                          {"description", slip_description(s.kind)},
                          {"explanation", s.explanation},
                          {"wrong_part", s.wrong_part},
                          {"corrected_part", s.corrected_part},
                          {"fix_verdict", std::string(verdict_name(s.fix_verdict))}};
        } else {
            cj["slip"] = nullptr;
        }
        cj["follows_from_line"] =
            res.follows_from ? nlohmann::ordered_json(*res.follows_from) : nullptr;
        if (res.not_checked.empty())
            cj["evidence"] = nlohmann::ordered_json::parse(format_json(res.check));
        else
            cj["not_checked"] = res.not_checked;
        j["claims"].push_back(std::move(cj));
    }
    j["skipped"] = nlohmann::ordered_json::array();
    for (const auto& s : d.skipped)
        j["skipped"].push_back(
            {{"line", s.line}, {"column", s.column}, {"text", s.text}, {"reason", s.reason}});
    // Text from the file may hold invalid UTF-8: replaced, not an exception.
    return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

namespace {

/// Text for a Markdown table cell: | and line breaks escaped, LaTeX kept as inline maths.
std::string cell(const std::string& s) {
    std::string out;
    for (char ch : s) {
        if (ch == '|')
            out += "\\|";
        else if (ch == '\n' || ch == '\r')
            out += ' ';
        else
            out += ch;
    }
    return out;
}

} // namespace

std::string format_markdown(const derivation& d, const derivation_report& r) {
    std::ostringstream os;
    os << "## Derivation check: `" << d.source << "`\n\n";
    os << "| line | as written | compared with | verdict |\n|---:|---|---|---|\n";
    for (std::size_t i = 0; i < d.claims.size(); ++i) {
        const derivation_claim& c = d.claims[i];
        const claim_result& res = r.results[i];
        const bool first = r.first_wrong && *r.first_wrong == i;
        const std::string verdict_text = res.wrong
                                             ? (first ? "**wrong: the first wrong line**" : "wrong")
                                             : std::string(verdict_name(res.check.outcome));
        os << "| " << (first ? "**" + std::to_string(c.line) + "**" : std::to_string(c.line))
           << " | $" << cell(c.written) << "$ | " << cell(c.reference_name) << " | " << verdict_text
           << " |\n";
    }
    os << "\n";
    for (std::size_t i = 0; i < d.claims.size(); ++i) {
        const claim_result& res = r.results[i];
        if (!res.wrong)
            continue;
        const derivation_claim& c = d.claims[i];
        os << "### Line " << c.line
           << (r.first_wrong && *r.first_wrong == i ? " (first wrong line)" : "") << "\n\n";
        os << "- at `" << format_point(res.check.witness) << "`: this line is `"
           << res.check.lhs_value << "`, " << c.reference_name << " is `" << res.check.rhs_value
           << "`\n";
        if (res.found_slip)
            os << "- slip: " << slip_description(res.found_slip->kind) << ": "
               << res.found_slip->explanation << "\n";
        if (res.follows_from)
            os << "- follows from the wrong line " << *res.follows_from << "\n";
        os << "\n";
    }
    if (r.first_wrong)
        os << "**First wrong line: " << d.claims[*r.first_wrong].line << ".**\n";
    else
        os << "Every line checked is right.\n";
    return os.str();
}

} // namespace symgrad
