// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file printers.hpp
/// Expressions as text people read, LaTeX, and code they paste. The code forms are made to
/// work as pasted: Python output runs after `from math import *` plus the helper definitions
/// from python_helpers (which symgrad prints as comment lines), and C output compiles with
/// <math.h> plus the definitions from c_helpers. Names that are keywords of the target
/// language, or C's <math.h> names, get a trailing underscore (lambda -> lambda_, M_E -> M_E_;
/// see code_name).

#include <ginac/ginac.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace symgrad {

enum class output_format { text, latex, python, c };

/// "text", "latex", "python" or "c"; throws invalid_input naming the accepted values.
output_format parse_output_format(std::string_view name);

/// Plain text in the parser's syntax, laid out like a textbook (positive terms first, signs
/// moved into differences: sigmoid(z)*(1 - sigmoid(z))); parse() reads it back. Terms and
/// factors are sorted and the signs of sums in products chosen by the formula alone, so the
/// text is the same in every run (GiNaC's own print follows its run-dependent order).
std::string to_text(const GiNaC::ex& e);

/// to_text(e) for an error message: when it is longer than @p max_chars, its first
/// max_chars - 10 characters followed by " ... (N characters)".
std::string brief(const GiNaC::ex& e, std::size_t max_chars = 120);

/// LaTeX: \frac for quotients, \sigma, e^{...}, \operatorname{softmax}_{k}, [y = k], ...
std::string to_latex(const GiNaC::ex& e);

/// A Python expression (math module names, ** for powers).
std::string to_python(const GiNaC::ex& e);

/// A C expression in double precision (math.h names, pow, fabs; numbers as double literals).
std::string to_c(const GiNaC::ex& e);

/// Any of the above.
std::string to_format(const GiNaC::ex& e, output_format f);

/// The name a symbol gets in Python or C code: a trailing underscore when the name would not
/// compile there (reserved_names.hpp: C keywords, <math.h>'s functions and macros such as
/// M_E, FP_NAN, j0, the helpers' names; Python keywords), and also when its stem without
/// trailing underscores would not: int -> int_, int_ -> int__. Distinct names stay distinct.
std::string code_name(std::string_view name, output_format f);

/// The names among @p names that code_name changes, with their new names, in the given order:
/// for the comment that lists them above printed code.
std::vector<std::pair<std::string, std::string>>
code_renamings(const std::vector<std::string>& names, output_format f);

/// Python definitions (one line each) of the helper functions @p exprs use: sigmoid, softplus,
/// relu, step, csgn, logsumexp, softmax, logloss, indicator, crossentropy.
std::vector<std::string> python_helpers(const std::vector<GiNaC::ex>& exprs);

/// C definitions (static functions, C99) of the helper functions @p exprs use.
std::vector<std::string> c_helpers(const std::vector<GiNaC::ex>& exprs);

/// A total order on expressions that depends on their structure only: numbers (rationals by
/// absolute value, 1 before -1), then constants, then symbols by name (natural order: w2 before
/// w10), then sums, products, powers and functions (by name), each by its operands: a sum's or
/// product's operands sorted first, and a product's sums and a power's sum base taken with
/// their representative sign (canonical_operands), so that the sign GiNaC gave them does not
/// matter. GiNaC's own order (ex_is_less, the operand order of sums and products, the sign of a
/// sum in a product) compares hash values, which depend on the order symbols were created in
/// and on addresses that change from run to run; anything that reaches output must be ordered
/// with this one instead. Distinct expressions compare equal only when they print alike (two
/// symbols of one name) or are odd powers of opposite sums ((a - b)^3, (b - a)^3). One object
/// memoises the comparisons of a DAG's nodes: keep it while sorting many of them.
class structural_order {
public:
    structural_order();
    ~structural_order();
    structural_order(const structural_order&) = delete;
    structural_order& operator=(const structural_order&) = delete;

    /// Negative, zero or positive as @p a is before, alike or after @p b.
    int compare(const GiNaC::ex& a, const GiNaC::ex& b);
    bool less(const GiNaC::ex& a, const GiNaC::ex& b) { return compare(a, b) < 0; }

    /// See symgrad::sign_representative (this one memoises in this object).
    GiNaC::ex sign_representative(const GiNaC::ex& s, bool& negated);

    /// The operands of @p e with GiNaC's run-dependent sign choices undone: the sums among a
    /// product's factors, and the sum bases of its odd powers, with their representative sign
    /// (sign_representative) and the coefficient corrected for it (GiNaC makes the "leading"
    /// coefficient of every sum in a product positive: -(y - w*x)*x or (w*x - y)*x as its
    /// order has it), and the sum base of an even power likewise; other operands as they are,
    /// in GiNaC's order. Their product (for a power: base^exponent) equals @p e. A power whose
    /// base was negated is built as it stands, without GiNaC's evaluation (which would choose
    /// the sign again): combining it with other expressions may do that, value unchanged.
    GiNaC::exvector canonical_operands(const GiNaC::ex& e);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// structural_order().compare(a, b), for a single comparison.
int structural_compare(const GiNaC::ex& a, const GiNaC::ex& b);

/// A comparator for std::sort and std::map keys (a fresh structural_order per comparison: for
/// many comparisons over one DAG, share a structural_order instead).
struct structural_less {
    bool operator()(const GiNaC::ex& a, const GiNaC::ex& b) const {
        return structural_compare(a, b) < 0;
    }
};

/// Of a sum s and its negation -s, the one written with fewer minus signs (on a tie, the first
/// in structural order: 1 - x rather than x - 1, a - b rather than b - a); @p negated tells
/// which. GiNaC itself picks the sign of a sum in a product and of the base of an integer
/// power, -(y - o)*x or (o - y)*x, (y - o)^2 or (o - y)^2, by its run-dependent order (and
/// normal() and factor() the signs of what they return); the printers, the program builder and
/// operation_count use this choice instead. Anything but a sum is returned as it is.
GiNaC::ex sign_representative(const GiNaC::ex& s, bool& negated);

} // namespace symgrad
