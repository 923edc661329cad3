// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file enclosure.hpp
/// Rigorous enclosures of exact real constants in ball arithmetic (Arb, from FLINT).
///
/// A ball [m +- r] contains the true value whatever the rounding: every operation of Arb bounds
/// its own error. This is what makes a numeric claim certain:
///
///  - a value is nonzero when its ball excludes 0 (at any precision: a difference of 5e-435
///    between two sides is certified once the working precision resolves it, and two equal
///    sides never are, because their difference's ball always contains 0);
///  - a printed value is right to its printed digits when the ball's radius is below half a
///    unit in the last printed digit.
///
/// Agreement of two floating-point evaluations at different precisions is no such certificate
/// (both can lose every digit to the same cancellation); symgrad's verdicts and printed values
/// rely on balls instead.
///
/// Supported: rationals, floats, Pi, Euler, Catalan; +, *, integer and rational powers, real
/// powers of positive bases; exp, log, sqrt, sin, cos, tan, sinh, cosh, tanh, atan, asin, acos,
/// abs, step, csgn; sigmoid, softplus, relu, logloss, indicator, logsumexp, softmax and
/// crossentropy (in forms accurate for extreme arguments: sigmoid(-1000), softplus(-1000) and
/// softmax over logits 200 apart keep their relative accuracy).

#include <ginac/ginac.h>

#include <memory>
#include <string>

namespace symgrad {

/// A real ball (Arb's arb_t): midpoint and radius.
class real_ball {
public:
    real_ball();
    ~real_ball();
    real_ball(const real_ball& other);
    real_ball& operator=(const real_ball& other);
    real_ball(real_ball&& other) noexcept;
    real_ball& operator=(real_ball&& other) noexcept;

    /// The exact rational @p q, rounded to @p precision_bits (exact when dyadic and short).
    static real_ball from_numeric(const GiNaC::numeric& q, long precision_bits);

    bool contains_zero() const;
    bool is_positive() const;    ///< every point of the ball is > 0
    bool is_negative() const;    ///< every point of the ball is < 0
    bool is_nonnegative() const; ///< every point of the ball is >= 0
    bool is_exact_zero() const;  ///< the ball is the single point 0
    bool is_finite() const;
    /// Bits of relative accuracy (Arb's arb_rel_accuracy_bits); negative when the radius is
    /// larger than the midpoint.
    long relative_accuracy_bits() const;

    /// The midpoint as an exact CLN number (a dyadic rational or float of enough precision);
    /// domain_error (beyond_range_message) for a value CLN's floats cannot hold.
    GiNaC::numeric midpoint() const;
    /// "the value ... is beyond the range ...", short however large the exponent.
    std::string beyond_range_message() const;
    /// An upper bound of |x| for every x in the ball.
    GiNaC::numeric magnitude_bound() const;
    /// Arb's decimal text with at most @p digits digits, each of them correct ("[+/- 1e-10]"
    /// when no digit is).
    std::string text(long digits) const;

    /// Arb's arb_struct; opaque here so that this header does not pull in Arb's.
    void* raw() const { return data_.get(); }

private:
    struct deleter {
        void operator()(void* p) const;
    };
    std::unique_ptr<void, deleter> data_;
};

enum class enclosure_status {
    /// value holds a ball containing the true value.
    ok,
    /// The expression is certainly undefined or not real (log(-1), 1/0, sqrt(-2)).
    undefined,
    /// At this precision a ball straddles a boundary of a domain (log of a ball containing 0):
    /// a higher precision may decide.
    uncertain,
    /// A free symbol, or a function symgrad cannot enclose (why names it).
    unsupported
};

struct enclosure {
    enclosure_status status = enclosure_status::unsupported;
    real_ball value;
    /// Why the status is not ok (the subexpression and the reason).
    std::string why;
};

/// Encloses the constant @p e (no free symbols) at @p precision_bits of working precision.
enclosure enclose(const GiNaC::ex& e, long precision_bits);

class encloser;

/// Enclosures of several constants at one precision that share subexpressions (the partials
/// of a gradient over the same forward values): each shared subexpression is enclosed once for
/// all of them, not once per constant.
class enclosure_cache {
public:
    explicit enclosure_cache(long precision_bits);
    ~enclosure_cache();
    enclosure_cache(enclosure_cache&&) noexcept;
    enclosure_cache& operator=(enclosure_cache&&) noexcept;

    /// enclose(e, precision_bits), with the balls of earlier calls reused.
    enclosure enclose(const GiNaC::ex& e);

private:
    std::unique_ptr<encloser> worker_;
};

/// The working precision, in bits, for @p digits decimal digits (with a few guard bits).
long bits_for_digits(long digits);

/// The highest precision symgrad raises a certification to before it gives up (bits; about
/// 40,000 decimal digits).
constexpr long max_certification_bits = 131072;

} // namespace symgrad
