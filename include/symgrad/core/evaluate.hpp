// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file evaluate.hpp
/// Values of expressions at a point: exactly (rationals stay rational, CLN for the rest at any
/// precision) or in IEEE double with overflow-safe kernels. Every function here checks its
/// input first: unbound symbols are all named at once, and a subexpression that is undefined
/// (log(0), 1/0), not real (log of a negative number) or not finite (overflow in double) is
/// named with the reason, instead of a NaN or a crash.

#include "symgrad/core/object_identity.hpp"
#include "symgrad/core/printers.hpp"

#include <ginac/ginac.h>

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace symgrad {

/// Values for symbols, in double.
using double_point = std::map<GiNaC::ex, double, GiNaC::ex_is_less>;

/// Names of the symbols of @p e that @p point does not bind, sorted naturally.
std::vector<std::string> unbound_names(const GiNaC::ex& e, const GiNaC::exmap& point);

/// The exact value of @p e at @p point: a rational number where it is one, otherwise an exact
/// constant expression (log(2), sigmoid(1), ...). Throws unbound_symbols or domain_error.
/// @p where prefixes error messages (e.g. "eval").
GiNaC::ex evaluate_exact(const GiNaC::ex& e, const GiNaC::exmap& point,
                         const std::string& where = "evaluate");

/// evaluate_exact for a run of evaluations whose points hold earlier results (a program's
/// assignments in order): @p known_real keeps the values found free of the imaginary unit, so
/// that no later evaluation walks them again (a fresh walk per assignment was quadratic in an
/// MLP's size).
GiNaC::ex evaluate_exact(const GiNaC::ex& e, const GiNaC::exmap& point, object_set& known_real,
                         const std::string& where);

/// The size in bits of the exact value GiNaC would compute for @p base ^ @p exponent at once: a
/// rational power of a rational number, or of a product with a rational factor (GiNaC
/// distributes the power over it: (2*w)^n has 2^n in it). 0 when nothing would be computed or
/// the base is 0, 1 or -1. The readers refuse powers over the digits limit (size_limits.hpp),
/// and point evaluation leaves them unevaluated for ball arithmetic.
double exact_power_bits(const GiNaC::ex& base, const GiNaC::ex& exponent);

/// Bits of the numerator or denominator of @p exponent, whichever is larger, when it is a
/// rational number; 0 otherwise. GiNaC computes (-w)^n as (-1)^n w^n, and CLN's power takes time
/// quadratic in n's length even for the base -1: (-w*x)^(200^30100) took 0.8 s, and under the
/// fuzzers' sanitizer gigabytes. The readers refuse exact exponents longer than
/// max_exponent_bits, and point evaluation leaves such powers unevaluated.
double exponent_bits(const GiNaC::ex& exponent);

/// 65,536 bits (19,728 digits; the readers say "more than 19728 digits"): (-1)^n takes about 40 ms
/// at that length.
constexpr double max_exponent_bits = 65536;

/// Whether @p value holds the imaginary unit anywhere but in subexpressions of @p real, which
/// are known to be real (the arguments a value was built from). Each object is walked once,
/// without recursion, so a chain of n definitions is checked in linear time (GiNaC's has() at
/// every link took quadratic time). When there is no I, what was walked joins @p real.
bool has_imaginary_unit(const GiNaC::ex& value, object_set& real);

/// The size in bits (an estimate from log-gamma) of the exact value GiNaC computes at once for
/// the function @p name at numeric arguments @p args: factorial(n) (n! has about log2(n!) bits),
/// tgamma(x) and beta(a, b) at integers and half-integers, binomial(n, k), psi(n) (a harmonic
/// number) and zeta(2n) (a Bernoulli number). 0 for anything else. factorial(10^9) would take
/// hours: the readers and the evaluators refuse values over the digits limit (size_limits.hpp).
double exact_function_bits(const std::string& name, const GiNaC::exvector& args);

/// Whether the function @p name at the numeric arguments @p args is infinite although its
/// arguments are finite, where GiNaC's numeric evaluation would never end: EllipticK(k) at
/// k = 1 and k = -1 (its arithmetic-geometric mean of 1 and 0 does not converge).
bool at_a_pole_that_never_evaluates(const std::string& name, const GiNaC::exvector& args);

/// A real number for @p e at @p point: the exact rational when the value is rational, else a
/// CLN float whose @p digits significant digits are right: the value is enclosed in a ball
/// (enclosure.hpp) and the precision raised until the ball's radius is below the last digit.
/// A value whose ball contains 0 at every precision up to max_certification_bits is returned as
/// the rational 0 only when the exact zero test (exp_normal_form.hpp) proves it; otherwise
/// domain_error says the value could not be certified, with a bound on its magnitude. Never a 0
/// for a nonzero value (softplus(-1000) is 5.0759588975494568e-435).
GiNaC::numeric evaluate_numeric(const GiNaC::ex& e, const GiNaC::exmap& point, long digits = 17,
                                const std::string& where = "evaluate");

/// evaluate_numeric for several expressions that share subexpressions (the partials of a
/// gradient over the same forward values): what one call found (the values free of the
/// imaginary unit, the balls at each precision) is kept for the next, so the work is linear in
/// the shared graph, not in the sum of the expressions' sizes as trees. For one point at a
/// time: the cached balls are of the constants the calls built.
class numeric_evaluation {
public:
    numeric_evaluation();
    ~numeric_evaluation();
    numeric_evaluation(const numeric_evaluation&) = delete;
    numeric_evaluation& operator=(const numeric_evaluation&) = delete;

    GiNaC::numeric operator()(const GiNaC::ex& e, const GiNaC::exmap& point, long digits = 17,
                              const std::string& where = "evaluate");

    /// Whether @p e has neither a symbol nor the imaginary unit (a real constant).
    bool real_constant(const GiNaC::ex& e);

private:
    struct caches;
    std::unique_ptr<caches> caches_;
};

/// The value in IEEE double (overflow-safe kernels for the ML functions), of @p e's stable form
/// (stable_forms.hpp: 1 - sigmoid(40) is sigmoid(-40), not 0). Throws domain_error
/// naming the first subexpression whose value is not finite although its inputs are.
double evaluate_double(const GiNaC::ex& e, const double_point& point,
                       const std::string& where = "evaluate");

/// GiNaC's evalf at the current precision (precision_guard), memoised over the DAG, with the
/// terms of sums and the factors of products accumulated in structural order (printers.hpp).
/// Floating-point addition is not associative and GiNaC's own evalf adds in its operand order,
/// which changes from run to run: the last digits of a cancelling sum would too.
class ordered_evalf : public GiNaC::map_function {
public:
    GiNaC::ex operator()(const GiNaC::ex& e) override;

private:
    structural_order order_;
    std::unordered_map<GiNaC::ex, GiNaC::ex> memo_;
};

/// A double_point from an exact point.
double_point to_double_point(const GiNaC::exmap& point);

/// A number for people: "1/2" for rationals (or integers), else @p digits significant digits
/// in plain or scientific notation ("0.62245933120185456", "-1.2e-30").
std::string format_number(const GiNaC::numeric& value, long digits = 17);

/// A double for people, to @p digits significant digits (shortest exact form when digits is 0).
std::string format_double(double value, int digits = 17);

/// A double in a message: "nan" for every NaN (whatever its sign bit), "inf" or "-inf", else
/// format_double(value, 17).
std::string double_text(double value);

} // namespace symgrad
