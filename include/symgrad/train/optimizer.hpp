// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file optimizer.hpp
/// The update rules of training, with the conventions of PyTorch's torch.optim, written out.
/// Notation: w the weights, g = dJ/dw at w (the gradient of the objective over the current batch),
/// gamma the learning rate of the step (after the schedule), t = 1, 2, ... the step number,
/// lambda the weight decay (L2, added to the gradient as in torch.optim: g <- g + lambda w).
/// Vectors are updated componentwise; sqrt, squares and quotients are componentwise.
///
///   gd, sgd (torch.optim.SGD, momentum 0):
///       w <- w - gamma g
///   momentum (torch.optim.SGD, momentum mu, dampening tau, nesterov=False):
///       b_1 = g;  b_t = mu b_{t-1} + (1 - tau) g  (t > 1)
///       w <- w - gamma b_t
///   nesterov (torch.optim.SGD, momentum mu, dampening tau, nesterov=True):
///       b_t as above;  w <- w - gamma (g + mu b_t)
///     With tau = 0 and a constant gamma, momentum is the textbook v_t = mu v_{t-1} + gamma g,
///     w <- w - v_t (v_t = gamma b_t), and PyTorch's nesterov weights are the textbook's
///     look-ahead point: textbook Nesterov v_t = mu v_{t-1} + gamma grad J(u_{t-1} - mu v_{t-1}),
///     u_t = u_{t-1} - v_t, gives w_t = u_t - mu v_t.
///   adagrad (torch.optim.Adagrad, lr_decay eta, initial_accumulator_value s_0):
///       gamma~ = gamma / (1 + (t - 1) eta)
///       s_t = s_{t-1} + g^2
///       w <- w - gamma~ g / (sqrt(s_t) + eps)                       (eps default 1e-10)
///   rmsprop (torch.optim.RMSprop, alpha, eps, centered, momentum mu):
///       v_t = alpha v_{t-1} + (1 - alpha) g^2                        (v_0 = 0)
///       centered: a_t = alpha a_{t-1} + (1 - alpha) g,  v~ = v_t - a_t^2;  else v~ = v_t
///       mu > 0:  b_t = mu b_{t-1} + g / (sqrt(v~) + eps),  w <- w - gamma b_t
///       mu = 0:  w <- w - gamma g / (sqrt(v~) + eps)                 (alpha 0.99, eps 1e-8)
///   adam (torch.optim.Adam, betas (beta1, beta2), eps; not AMSGrad):
///       m_t = beta1 m_{t-1} + (1 - beta1) g,   v_t = beta2 v_{t-1} + (1 - beta2) g^2
///       m^ = m_t / (1 - beta1^t),   v^ = v_t / (1 - beta2^t)
///       w <- w - gamma m^ / (sqrt(v^) + eps)                         (0.9, 0.999, 1e-8)
///     in double computed as PyTorch does, w <- w - (gamma / (1 - beta1^t)) m_t /
///     (sqrt(v_t) / sqrt(1 - beta2^t) + eps), the same value up to rounding; in exact
///     arithmetic as written (sqrt(v^) is rational when v^ is the square of a rational).
///   fletcher-reeves, polak-ribiere (nonlinear conjugate gradient, whole objective):
///       p_0 = -g_0;  p_k = -g_k + beta_k p_{k-1}
///       FR: beta_k = (g_k . g_k) / (g_{k-1} . g_{k-1})
///       PR: beta_k = (g_k . (g_k - g_{k-1})) / (g_{k-1} . g_{k-1})
///       restart (p_k = -g_k) every `restart` steps when set, and whenever g_k . p_k >= 0
///       (p_k is not a descent direction);
///       w <- w + s p_k with s = gamma (fixed step) or s from the backtracking line search of
///       line_search.hpp started at gamma.
///   newton (damped, whole objective; H = the Hessian of J, from the symbolic second
///   derivatives):
///       solve (H + delta I) d = g  (Gaussian elimination with partial pivoting; exact in
///       rationals),  w <- w - s d  with s = gamma (default 1) or from the line search along
///       p = -d (which falls back to p = -g when g . d <= 0, i.e. H + delta I is not positive
///       definite along d).
///
/// eps may be 0, as in hand computations (then a zero accumulator with a zero gradient gives
/// 0/0: the step stops as not finite, naming the weight).
///
/// Every rule runs in double (the fast path) and in GiNaC::numeric: exact rationals where every
/// operation is rational, CLN floats at a set number of digits where a square root is not.

#include "symgrad/train/line_search.hpp"

#include <ginac/ginac.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace symgrad {

/// The update rules.
enum class method {
    gd,
    sgd,
    momentum,
    nesterov,
    adagrad,
    rmsprop,
    adam,
    fletcher_reeves,
    polak_ribiere,
    newton
};

/// "gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "fletcher-reeves",
/// "polak-ribiere", "newton".
std::string_view method_name(method m);

/// Every method's name, in enum order.
const std::vector<std::string>& method_names();

/// The method called @p name (also "fr" and "pr"); invalid_input naming the closest method and
/// listing all otherwise.
method parse_method(std::string_view name);

/// True for the methods that work on the whole objective (conjugate gradient, Newton), which
/// take no minibatches.
bool is_whole_objective_method(method m);

/// The rule and its hyperparameters, as exact numbers (so that exact training uses 1/10, not the
/// double nearest 0.1). Unset values take the defaults above (PyTorch's).
struct optimizer_settings {
    method kind = method::gd;
    /// gamma. Defaults: adam 1/1000, rmsprop and adagrad 1/100, newton 1, conjugate gradient
    /// with line search 1; required for the others.
    std::optional<GiNaC::numeric> rate;
    /// mu for momentum (default 9/10), nesterov (9/10) and rmsprop (0).
    std::optional<GiNaC::numeric> momentum;
    /// tau (momentum and nesterov; default 0).
    GiNaC::numeric dampening = 0;
    /// lambda: L2 weight decay added to the gradient (default 0).
    GiNaC::numeric weight_decay = 0;
    /// RMSprop's smoothing constant (default 99/100).
    std::optional<GiNaC::numeric> alpha;
    /// RMSprop, Adagrad and Adam's eps; may be 0.
    std::optional<GiNaC::numeric> eps;
    bool centered = false;
    std::optional<GiNaC::numeric> beta1, beta2;
    /// Adagrad's lr_decay and initial_accumulator_value (both default 0).
    GiNaC::numeric lr_decay = 0;
    GiNaC::numeric initial_accumulator = 0;
    /// Conjugate gradient: restart every this many steps (0: only when p is not a descent
    /// direction).
    std::size_t restart = 0;
    /// delta: Newton's damping (default 0, the plain Newton step).
    GiNaC::numeric damping = 0;
    /// Backtracking line search (gd, conjugate gradient, newton).
    bool line_search = false;
    /// Armijo constant c and shrink factor rho of the line search (1/10000 and 1/2).
    GiNaC::numeric armijo = GiNaC::numeric(1, 10000);
    GiNaC::numeric shrink = GiNaC::numeric(1, 2);
};

/// The settings with every default filled in; invalid_input when a required value is missing
/// (a rate for gd), a value is out of range (alpha outside [0, 1], a negative eps), or a
/// setting does not belong to the method (centered for adam).
optimizer_settings resolved(const optimizer_settings& s);

/// "rate 0.1, momentum 0.9, dampening 0" — the hyperparameters in effect, for reports (numbers
/// as given: exact rationals as decimals where they are finite decimals).
std::string describe(const optimizer_settings& resolved_settings);

/// Outcome of one step.
enum class step_status {
    ok,
    singular,          ///< Newton: H + delta I is singular
    line_search_failed ///< no step length gave sufficient decrease
};

/// An update rule with its state (momentum buffers, accumulators, the previous gradient).
template <class T> class optimizer {
public:
    /// For @p weights weights; @p digits: significant digits of CLN floats (numeric only).
    optimizer(const optimizer_settings& settings, std::size_t weights, long digits = 17);

    /// One step: w <- update(w, g) with learning rate @p rate, g = dJ/dw at w, @p loss = J(w)
    /// (used by the line search). @p f is needed by the line search and by Newton.
    step_status step(std::vector<T>& w, const std::vector<T>& g, const T& rate, const T& loss,
                     objective_access<T>* f = nullptr);

    /// Steps taken (t).
    std::size_t steps() const noexcept { return t_; }
    const optimizer_settings& settings() const noexcept { return s_; }
    /// Why the last step failed (for singular and line_search_failed).
    const std::string& failure() const noexcept { return failure_; }

private:
    step_status conjugate_gradient(std::vector<T>& w, const std::vector<T>& g, const T& rate,
                                   const T& loss, objective_access<T>* f);
    step_status newton(std::vector<T>& w, const std::vector<T>& g, const T& rate, const T& loss,
                       objective_access<T>* f);
    step_status move(std::vector<T>& w, const std::vector<T>& g, const std::vector<T>& p,
                     const T& rate, const T& loss, objective_access<T>* f);

    optimizer_settings s_;
    std::size_t n_;
    long digits_;
    std::size_t t_ = 0;
    T mu_{}, tau_{}, lambda_{}, alpha_{}, eps_{}, beta1_{}, beta2_{}, lr_decay_{}, delta_{};
    T beta1_power_{}, beta2_power_{};
    std::vector<T> buffer_, square_, average_, previous_g_, direction_, gradient_;
    std::vector<T> hessian_;
    std::size_t since_restart_ = 0;
    std::string failure_;
};

extern template class optimizer<double>;
extern template class optimizer<GiNaC::numeric>;

/// A hyperparameter for people: an exact decimal when the rational has one (1/10 -> "0.1",
/// 1/10000 -> "0.0001"), else the fraction ("1/3"); floats with 17 significant digits.
std::string setting_text(const GiNaC::numeric& x);

/// sqrt(x) for x >= 0 as a numeric: exact for the square of a rational, else a CLN float to
/// @p digits significant digits.
GiNaC::numeric numeric_sqrt(const GiNaC::numeric& x, long digits);

} // namespace symgrad
