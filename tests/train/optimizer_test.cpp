// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// The update rules against hand computations: exact rationals worked out on paper, values
// computed by hand at 40 digits, and an independent transcription of torch.optim's documented
// algorithms (the pseudocode of the PyTorch documentation pages of SGD, Adagrad, RMSprop and
// Adam), run side by side with the optimizer.
#include "symgrad/core/error.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/train/line_search.hpp"
#include "symgrad/train/optimizer.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <functional>

using namespace symgrad;
using GiNaC::numeric;

namespace {

using symgrad::test::message_of;

using symgrad::test::contains;

/// The suite's namespace hides the class template of the same name.
template <class T> using rule = symgrad::optimizer<T>;

template <class T> T as(const numeric& x);
template <> double as<double>(const numeric& x) {
    return x.to_double();
}
template <> numeric as<numeric>(const numeric& x) {
    return x;
}

/// Seed 004 ch. 3: y = w x on (x, y) = (1, 2), (2, 3), objective the sum of squared errors
/// J(w) = (2 - w)^2 + (3 - 2w)^2 = 5w^2 - 16w + 13, so J'(w) = 10w - 16.
template <class T> T book_gradient(const T& w) {
    return T(10) * w - T(16);
}

/// Two steps of @p s from w = 0 on the book's objective.
template <class T> std::vector<T> two_steps(const optimizer_settings& s, long digits = 30) {
    rule<T> opt(s, 1, digits);
    const T rate = as<T>(*resolved(s).rate);
    std::vector<T> w{T(0)};
    std::vector<T> out;
    for (int k = 0; k < 2; ++k) {
        const std::vector<T> g{book_gradient(w[0])};
        BOOST_TEST((opt.step(w, g, rate, T(0)) == step_status::ok));
        out.push_back(w[0]);
    }
    return out;
}

/// An exact rational p/q.
numeric exact(long p, long q = 1) {
    return numeric(p, q);
}

optimizer_settings settings(method m, numeric rate) {
    optimizer_settings s;
    s.kind = m;
    s.rate = rate;
    return s;
}

/// |a - b| <= tol for a numeric and a decimal string computed by hand.
bool near(const numeric& a, const char* decimal, double tol) {
    const numeric b = GiNaC::ex_to<numeric>(parse(decimal)); // decimals are read exactly
    return GiNaC::abs(a - b) <= numeric(tol);
}

/// The gradient of f(w) = sum_i c_i (w_i - t_i)^2 + s (w_0 w_1), a coupled quadratic.
std::vector<double> quadratic_gradient(const std::vector<double>& w) {
    static const double c[] = {1.5, 0.25, 3.0};
    static const double t[] = {1.0, -2.0, 0.5};
    std::vector<double> g(3);
    for (std::size_t i = 0; i < 3; ++i)
        g[i] = 2 * c[i] * (w[i] - t[i]);
    g[0] += 0.7 * w[1];
    g[1] += 0.7 * w[0];
    return g;
}

// ---- torch.optim's algorithms, transcribed from their documentation pages ------------------
// Each takes the parameters theta, runs `steps` steps on quadratic_gradient and returns theta.

std::vector<double> torch_sgd(double lr, double momentum, double dampening, double weight_decay,
                              bool nesterov, int steps) {
    std::vector<double> theta{0.3, -0.1, 0.8}, b(3);
    for (int t = 1; t <= steps; ++t) {
        std::vector<double> g = quadratic_gradient(theta);
        for (std::size_t i = 0; i < 3; ++i) {
            if (weight_decay != 0)
                g[i] = g[i] + weight_decay * theta[i];
            if (momentum != 0) {
                if (t > 1)
                    b[i] = momentum * b[i] + (1 - dampening) * g[i];
                else
                    b[i] = g[i];
                if (nesterov)
                    g[i] = g[i] + momentum * b[i];
                else
                    g[i] = b[i];
            }
            theta[i] = theta[i] - lr * g[i];
        }
    }
    return theta;
}

std::vector<double> torch_adagrad(double lr, double lr_decay, double weight_decay,
                                  double initial_accumulator_value, double eps, int steps) {
    std::vector<double> theta{0.3, -0.1, 0.8}, state_sum(3, initial_accumulator_value);
    for (int t = 1; t <= steps; ++t) {
        std::vector<double> g = quadratic_gradient(theta);
        const double lr_t = lr / (1 + (t - 1) * lr_decay);
        for (std::size_t i = 0; i < 3; ++i) {
            if (weight_decay != 0)
                g[i] = g[i] + weight_decay * theta[i];
            state_sum[i] = state_sum[i] + g[i] * g[i];
            theta[i] = theta[i] - lr_t * g[i] / (std::sqrt(state_sum[i]) + eps);
        }
    }
    return theta;
}

std::vector<double> torch_rmsprop(double lr, double alpha, double eps, double weight_decay,
                                  double momentum, bool centered, int steps) {
    std::vector<double> theta{0.3, -0.1, 0.8}, v(3), b(3), g_ave(3);
    for (int t = 1; t <= steps; ++t) {
        std::vector<double> g = quadratic_gradient(theta);
        for (std::size_t i = 0; i < 3; ++i) {
            if (weight_decay != 0)
                g[i] = g[i] + weight_decay * theta[i];
            v[i] = alpha * v[i] + (1 - alpha) * g[i] * g[i];
            double v_tilde = v[i];
            if (centered) {
                g_ave[i] = g_ave[i] * alpha + (1 - alpha) * g[i];
                v_tilde = v_tilde - g_ave[i] * g_ave[i];
            }
            if (momentum > 0) {
                b[i] = momentum * b[i] + g[i] / (std::sqrt(v_tilde) + eps);
                theta[i] = theta[i] - lr * b[i];
            } else {
                theta[i] = theta[i] - lr * g[i] / (std::sqrt(v_tilde) + eps);
            }
        }
    }
    return theta;
}

std::vector<double> torch_adam(double lr, double beta1, double beta2, double eps,
                               double weight_decay, int steps) {
    std::vector<double> theta{0.3, -0.1, 0.8}, m(3), v(3);
    for (int t = 1; t <= steps; ++t) {
        std::vector<double> g = quadratic_gradient(theta);
        for (std::size_t i = 0; i < 3; ++i) {
            if (weight_decay != 0)
                g[i] = g[i] + weight_decay * theta[i];
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            const double m_hat = m[i] / (1 - std::pow(beta1, t));
            const double v_hat = v[i] / (1 - std::pow(beta2, t));
            theta[i] = theta[i] - lr * m_hat / (std::sqrt(v_hat) + eps);
        }
    }
    return theta;
}

std::vector<double> run_ours(const optimizer_settings& s, int steps) {
    rule<double> opt(s, 3);
    std::vector<double> w{0.3, -0.1, 0.8};
    const double rate = resolved(s).rate->to_double();
    for (int t = 0; t < steps; ++t)
        opt.step(w, quadratic_gradient(w), rate, 0.0);
    return w;
}

void check_close(const std::vector<double>& ours, const std::vector<double>& theirs) {
    BOOST_REQUIRE_EQUAL(ours.size(), theirs.size());
    for (std::size_t i = 0; i < ours.size(); ++i)
        BOOST_TEST(std::fabs(ours[i] - theirs[i]) <= 1e-13 * std::max(1.0, std::fabs(theirs[i])),
                   "component " << i << ": " << ours[i] << " against torch.optim's " << theirs[i]);
}

/// f(w) = w . w / 2 + w_0 (a quadratic for the line search), counting evaluations.
template <class T> class bowl : public objective_access<T> {
public:
    T value(const std::vector<T>& w) override {
        ++calls;
        if (blow_up_below && w[0] < T(*blow_up_below))
            throw domain_error("evaluate: L is inf");
        T s = 0;
        for (const auto& v : w)
            s += v * v;
        return s / 2 + w[0];
    }
    void hessian(const std::vector<T>& w, std::vector<T>& h) override {
        h.assign(w.size() * w.size(), T(0));
        for (std::size_t i = 0; i < w.size(); ++i)
            h[i * w.size() + i] = 1;
    }
    int calls = 0;
    std::optional<double> blow_up_below;
};

/// J(w) = w_1^2 + 2 w_2^2 - w_1 - w_2 with its Hessian diag(2, 4) (or a singular one).
class quadratic_2d : public objective_access<numeric> {
public:
    numeric value(const std::vector<numeric>& w) override {
        return w[0] * w[0] + 2 * w[1] * w[1] - w[0] - w[1];
    }
    void hessian(const std::vector<numeric>&, std::vector<numeric>& h) override {
        if (singular)
            h = {1, 1, 1, 1};
        else
            h = {2, 0, 0, 4};
    }
    static std::vector<numeric> gradient(const std::vector<numeric>& w) {
        return {2 * w[0] - 1, 4 * w[1] - 1};
    }
    bool singular = false;
};

} // namespace

BOOST_AUTO_TEST_SUITE(optimizer)

// ---- the book's two steps (seed 004 ch. 3), exactly --------------------------------------------

BOOST_AUTO_TEST_CASE(gd_takes_the_books_two_steps_exactly) {
    // w1 = 0 - 0.1 (-16) = 8/5, where J' = 0: w2 = 8/5 (the least-squares estimate).
    const auto w = two_steps<numeric>(settings(method::gd, exact(1, 10)));
    BOOST_TEST(w[0] == exact(8, 5));
    BOOST_TEST(w[1] == exact(8, 5));
}

BOOST_AUTO_TEST_CASE(momentum_takes_the_books_two_steps_exactly) {
    // b1 = g(0) = -16, w1 = 0 - 0.1 b1 = 8/5; b2 = 0.9 (-16) + g(8/5) = -72/5,
    // w2 = 8/5 + 0.1 * 72/5 = 76/25 (the book's v = 0.1 b: v1 = -1.6, v2 = -1.44 - 0).
    optimizer_settings s = settings(method::momentum, exact(1, 10));
    s.momentum = exact(9, 10);
    const auto w = two_steps<numeric>(s);
    BOOST_TEST(w[0] == exact(8, 5));
    BOOST_TEST(w[1] == exact(76, 25));
}

BOOST_AUTO_TEST_CASE(nesterov_follows_torch_and_equals_the_books_look_ahead_point) {
    // torch: b1 = -16, w1 = 0 - 0.1 (g + 0.9 b1) = 0.1 (16 + 14.4) = 76/25;
    // g(76/25) = 72/5, b2 = 0.9 (-16) + 72/5 = 0, w2 = 76/25 - 0.1 (72/5 + 0) = 8/5.
    // The book's look-ahead form: v1 = 0.1 g(0) = -1.6, u1 = 1.6; v2 = 0.9 v1 + 0.1 g(u1 - 0.9 v1)
    // = -1.44 + 0.1 g(3.04) = 0, u2 = 1.6; and torch's w_t = u_t - 0.9 v_t: 3.04 and 1.6.
    optimizer_settings s = settings(method::nesterov, exact(1, 10));
    s.momentum = exact(9, 10);
    const auto w = two_steps<numeric>(s);
    BOOST_TEST(w[0] == exact(76, 25));
    BOOST_TEST(w[1] == exact(8, 5));
}

BOOST_AUTO_TEST_CASE(rmsprop_takes_the_books_two_steps) {
    // alpha = 0.9, eta = 0.1, eps = 0: v1 = 0.1 * 256 = 25.6, w1 = 1.6 / sqrt(25.6) =
    // 1/sqrt(10); v2 = 0.9 v1 + 0.1 (sqrt(10) - 16)^2, w2 = w1 - 0.1 g / sqrt(v2) (by hand at
    // 40 digits).
    optimizer_settings s = settings(method::rmsprop, exact(1, 10));
    s.alpha = exact(9, 10);
    s.eps = 0;
    const auto w = two_steps<numeric>(s, 30);
    BOOST_TEST(near(w[0], "0.3162277660168379331998893544432718533720", 1e-27));
    BOOST_TEST(near(w[1], "0.5204371057154579693482380523830127589159", 1e-27));
    const auto d = two_steps<double>(s);
    BOOST_TEST(std::fabs(d[0] - 0.31622776601683793) < 1e-16);
    BOOST_TEST(std::fabs(d[1] - 0.52043710571545797) < 1e-15);
}

BOOST_AUTO_TEST_CASE(adam_takes_the_books_two_steps) {
    // beta1 = beta2 = 0.9, eta = 0.1, eps = 0: m1 = -1.6, v1 = 25.6, m^ = -16, v^ = 256,
    // w1 = 0.1 exactly; g(0.1) = -15, m2 = -2.94, v2 = 45.54, bias corrections 0.19 each,
    // w2 = 0.1 + 0.1 * 2.94 / sqrt(0.19 * 45.54) (by hand at 40 digits).
    optimizer_settings s = settings(method::adam, exact(1, 10));
    s.beta1 = exact(9, 10);
    s.beta2 = exact(9, 10);
    s.eps = 0;
    const auto w = two_steps<numeric>(s, 30);
    BOOST_TEST(w[0] == exact(1, 10));
    BOOST_TEST(near(w[1], "0.1999479789799889577601839478752620341770", 1e-27));
    const auto d = two_steps<double>(s);
    BOOST_TEST(std::fabs(d[0] - 0.1) < 1e-16);
    BOOST_TEST(std::fabs(d[1] - 0.19994797897998896) < 1e-15);
}

BOOST_AUTO_TEST_CASE(adagrad_takes_two_steps) {
    // s1 = 256, w1 = 0.1 * 16 / 16 = 1/10 exactly; g(0.1) = -15, s2 = 481,
    // w2 = 0.1 + 1.5 / sqrt(481).
    optimizer_settings s = settings(method::adagrad, exact(1, 10));
    s.eps = 0;
    const auto w = two_steps<numeric>(s, 30);
    BOOST_TEST(w[0] == exact(1, 10));
    BOOST_TEST(near(w[1], "0.1683941128881329796773848389692127764558", 1e-27));
}

// ---- torch.optim's documented algorithms, side by side ----------------------------------------

BOOST_AUTO_TEST_CASE(sgd_matches_torch_optim_sgd) {
    check_close(run_ours(settings(method::sgd, exact(1, 20)), 25),
                torch_sgd(0.05, 0, 0, 0, false, 25));
}

BOOST_AUTO_TEST_CASE(momentum_with_dampening_and_weight_decay_matches_torch_optim_sgd) {
    optimizer_settings s = settings(method::momentum, exact(1, 20));
    s.momentum = exact(8, 10);
    s.dampening = exact(3, 10);
    s.weight_decay = exact(1, 100);
    check_close(run_ours(s, 25), torch_sgd(0.05, 0.8, 0.3, 0.01, false, 25));
}

BOOST_AUTO_TEST_CASE(nesterov_matches_torch_optim_sgd_with_nesterov) {
    optimizer_settings s = settings(method::nesterov, exact(1, 20));
    s.momentum = exact(8, 10);
    s.weight_decay = exact(1, 100);
    check_close(run_ours(s, 25), torch_sgd(0.05, 0.8, 0, 0.01, true, 25));
}

BOOST_AUTO_TEST_CASE(adagrad_matches_torch_optim_adagrad) {
    optimizer_settings s = settings(method::adagrad, exact(1, 10));
    s.lr_decay = exact(1, 10);
    s.initial_accumulator = exact(1, 2);
    s.weight_decay = exact(1, 100);
    check_close(run_ours(s, 25), torch_adagrad(0.1, 0.1, 0.01, 0.5, 1e-10, 25));
}

BOOST_AUTO_TEST_CASE(rmsprop_matches_torch_optim_rmsprop) {
    optimizer_settings s = settings(method::rmsprop, exact(1, 100));
    s.alpha = exact(95, 100);
    check_close(run_ours(s, 25), torch_rmsprop(0.01, 0.95, 1e-8, 0, 0, false, 25));
}

BOOST_AUTO_TEST_CASE(centered_rmsprop_with_momentum_matches_torch_optim_rmsprop) {
    optimizer_settings s = settings(method::rmsprop, exact(1, 100));
    s.alpha = exact(9, 10);
    s.centered = true;
    s.momentum = exact(1, 2);
    s.weight_decay = exact(1, 100);
    check_close(run_ours(s, 25), torch_rmsprop(0.01, 0.9, 1e-8, 0.01, 0.5, true, 25));
}

BOOST_AUTO_TEST_CASE(adam_matches_torch_optim_adam) {
    optimizer_settings s = settings(method::adam, exact(1, 20));
    s.beta1 = exact(8, 10);
    s.beta2 = exact(95, 100);
    s.eps = numeric(1, 1000000);
    s.weight_decay = exact(1, 100);
    check_close(run_ours(s, 25), torch_adam(0.05, 0.8, 0.95, 1e-6, 0.01, 25));
}

BOOST_AUTO_TEST_CASE(defaults_are_torch_optims) {
    const optimizer_settings adam = resolved(settings(method::adam, exact(1, 10)));
    BOOST_TEST(*adam.beta1 == exact(9, 10));
    BOOST_TEST(*adam.beta2 == exact(999, 1000));
    BOOST_TEST(*adam.eps == numeric(1, 100000000));
    optimizer_settings s;
    s.kind = method::adam;
    BOOST_TEST(*resolved(s).rate == exact(1, 1000));
    s.kind = method::rmsprop;
    BOOST_TEST(*resolved(s).alpha == exact(99, 100));
    BOOST_TEST(*resolved(s).rate == exact(1, 100));
    s.kind = method::adagrad;
    BOOST_TEST(*resolved(s).eps == numeric(1, 10000000000L));
}

// ---- conjugate gradient and Newton -------------------------------------------------------------

BOOST_AUTO_TEST_CASE(fletcher_reeves_second_direction_by_hand) {
    // J = w1^2 + 2 w2^2 - w1 - w2, g = (2 w1 - 1, 4 w2 - 1), fixed step 1/4 from 0:
    // p0 = (1, 1), w1 = (1/4, 1/4); g1 = (-1/2, 0), beta = (1/4) / 2 = 1/8,
    // p1 = (1/2, 0) + (1/8)(1, 1) = (5/8, 1/8), w2 = (13/32, 9/32).
    rule<numeric> opt(settings(method::fletcher_reeves, exact(1, 4)), 2);
    std::vector<numeric> w{0, 0};
    opt.step(w, quadratic_2d::gradient(w), exact(1, 4), 0);
    BOOST_TEST(w[0] == exact(1, 4));
    BOOST_TEST(w[1] == exact(1, 4));
    opt.step(w, quadratic_2d::gradient(w), exact(1, 4), 0);
    BOOST_TEST(w[0] == exact(13, 32));
    BOOST_TEST(w[1] == exact(9, 32));
}

BOOST_AUTO_TEST_CASE(polak_ribiere_second_direction_by_hand) {
    // As above with beta = g1 . (g1 - g0) / |g0|^2 = (-1/2)(1/2) / 2 = -1/8,
    // p1 = (1/2, 0) - (1/8)(1, 1) = (3/8, -1/8) (g1 . p1 = -3/16 < 0, a descent direction),
    // w2 = (1/4 + 3/32, 1/4 - 1/32) = (11/32, 7/32).
    rule<numeric> opt(settings(method::polak_ribiere, exact(1, 4)), 2);
    std::vector<numeric> w{0, 0};
    opt.step(w, quadratic_2d::gradient(w), exact(1, 4), 0);
    opt.step(w, quadratic_2d::gradient(w), exact(1, 4), 0);
    BOOST_TEST(w[0] == exact(11, 32));
    BOOST_TEST(w[1] == exact(7, 32));
}

BOOST_AUTO_TEST_CASE(conjugate_gradient_restarts_when_asked) {
    // restart 1: every direction is -g, i.e. gradient descent with step 1/4:
    // w2 = w1 - (1/4) g1 = (1/4 + 1/8, 1/4).
    optimizer_settings s = settings(method::fletcher_reeves, exact(1, 4));
    s.restart = 1;
    rule<numeric> opt(s, 2);
    std::vector<numeric> w{0, 0};
    opt.step(w, quadratic_2d::gradient(w), exact(1, 4), 0);
    opt.step(w, quadratic_2d::gradient(w), exact(1, 4), 0);
    BOOST_TEST(w[0] == exact(3, 8));
    BOOST_TEST(w[1] == exact(1, 4));
}

BOOST_AUTO_TEST_CASE(conjugate_gradient_with_line_search_decreases_the_objective) {
    quadratic_2d f;
    optimizer_settings s;
    s.kind = method::polak_ribiere;
    s.line_search = true;
    rule<numeric> opt(s, 2);
    std::vector<numeric> w{3, -2};
    numeric previous = f.value(w);
    for (int k = 0; k < 6; ++k) {
        BOOST_TEST((opt.step(w, quadratic_2d::gradient(w), 1, f.value(w), &f) == step_status::ok));
        const numeric now = f.value(w);
        BOOST_TEST((now < previous || now == exact(-3, 8)));
        previous = now;
    }
    // the minimum is at (1/2, 1/4) with J = -3/8; at it (g = 0 exactly) a step stays put
    BOOST_TEST(previous == exact(-3, 8));
    BOOST_TEST(w[0] == exact(1, 2));
    BOOST_TEST(w[1] == exact(1, 4));
}

BOOST_AUTO_TEST_CASE(newton_reaches_a_quadratics_minimum_in_one_step) {
    // H = diag(2, 4), g(0) = (-1, -1): w = (1/2, 1/4) exactly.
    quadratic_2d f;
    rule<numeric> opt(settings(method::newton, 1), 2);
    std::vector<numeric> w{0, 0};
    BOOST_TEST((opt.step(w, quadratic_2d::gradient(w), 1, 0, &f) == step_status::ok));
    BOOST_TEST(w[0] == exact(1, 2));
    BOOST_TEST(w[1] == exact(1, 4));
}

BOOST_AUTO_TEST_CASE(damped_newton_adds_delta_to_the_hessians_diagonal) {
    // (H + I) d = g: d = (-1/3, -1/5), w = (1/3, 1/5).
    quadratic_2d f;
    optimizer_settings s = settings(method::newton, 1);
    s.damping = 1;
    rule<numeric> opt(s, 2);
    std::vector<numeric> w{0, 0};
    opt.step(w, quadratic_2d::gradient(w), 1, 0, &f);
    BOOST_TEST(w[0] == exact(1, 3));
    BOOST_TEST(w[1] == exact(1, 5));
}

BOOST_AUTO_TEST_CASE(newton_reports_a_singular_hessian_and_keeps_the_weights) {
    quadratic_2d f;
    f.singular = true;
    rule<numeric> opt(settings(method::newton, 1), 2);
    std::vector<numeric> w{0, 0};
    BOOST_TEST((opt.step(w, quadratic_2d::gradient(w), 1, 0, &f) == step_status::singular));
    BOOST_TEST(contains(opt.failure(), "singular"));
    BOOST_TEST(contains(opt.failure(), "column 2"));
    BOOST_TEST(w[0] == 0);
    BOOST_TEST(w[1] == 0);
}

// ---- the line search ----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(backtracking_halves_until_the_armijo_condition_holds) {
    // f = w^2/2 + w from w = 1: f = 1.5, g = 2, p = -2, c = 1e-4. From s0 = 4: w = -7,
    // f = 17.5 > 1.5 - 1e-4*4*4 fails; s = 2: w = -3, f = 1.5 > 1.4992 fails; s = 1: w = -1,
    // f = -0.5 <= 1.4996 holds.
    bowl<numeric> f;
    const auto r = backtracking<numeric>(f, {1}, exact(3, 2), {2}, {-2}, 4);
    BOOST_TEST(r.ok);
    BOOST_TEST(r.step == 1);
    BOOST_TEST(r.trials == 3u);
    BOOST_TEST(r.value == exact(-1, 2));
}

BOOST_AUTO_TEST_CASE(backtracking_treats_a_non_finite_value_as_too_long_a_step) {
    bowl<double> f;
    f.blow_up_below = -2.5; // w = -3 (s = 2) "overflows"
    const auto r = backtracking<double>(f, {1}, 1.5, {2}, {-2}, 2);
    BOOST_TEST(r.ok);
    BOOST_TEST(r.step == 1);
}

BOOST_AUTO_TEST_CASE(backtracking_refuses_an_ascent_direction) {
    bowl<double> f;
    const auto r = backtracking<double>(f, {1}, 1.5, {2}, {2}, 1);
    BOOST_TEST(!r.ok);
    BOOST_TEST(contains(r.failure, "not a descent direction"));
    BOOST_TEST(f.calls == 0);
}

// ---- settings and names -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_missing_rate_is_an_error_naming_the_method) {
    optimizer_settings s;
    s.kind = method::gd;
    BOOST_TEST(message_of([&] { resolved(s); }) ==
               "train: gd needs a rate (for example 'rate 0.1')");
}

BOOST_AUTO_TEST_CASE(nesterov_needs_momentum_and_no_dampening_as_in_torch) {
    optimizer_settings s = settings(method::nesterov, exact(1, 10));
    s.dampening = exact(1, 10);
    BOOST_TEST(contains(message_of([&] { resolved(s); }),
                        "nesterov needs a momentum above 0 and dampening 0"));
}

BOOST_AUTO_TEST_CASE(out_of_range_hyperparameters_are_errors_with_the_value) {
    optimizer_settings s = settings(method::rmsprop, exact(1, 10));
    s.alpha = exact(3, 2);
    BOOST_TEST(message_of([&] { resolved(s); }) ==
               "train: alpha must be at least 0 and at most 1, got 1.5");
    s = settings(method::adam, exact(1, 10));
    s.eps = -1;
    BOOST_TEST(message_of([&] { resolved(s); }) == "train: eps must be at least 0, got -1");
    s = settings(method::gd, -1);
    BOOST_TEST(message_of([&] { resolved(s); }) == "train: rate must be above 0, got -1");
}

BOOST_AUTO_TEST_CASE(unknown_methods_get_a_suggestion_and_the_list) {
    const std::string m = message_of([] { parse_method("adma"); });
    BOOST_TEST(contains(m, "unknown method 'adma'; did you mean 'adam'?"));
    BOOST_TEST(contains(m, "fletcher-reeves"));
    BOOST_TEST((parse_method("fr") == method::fletcher_reeves));
    BOOST_TEST((parse_method("polak-ribiere") == method::polak_ribiere));
}

BOOST_AUTO_TEST_CASE(settings_print_as_exact_decimals_where_they_have_one) {
    BOOST_TEST(setting_text(exact(1, 10)) == "0.1");
    BOOST_TEST(setting_text(numeric(1, 10000)) == "0.0001");
    BOOST_TEST(setting_text(exact(-1, 4)) == "-0.25");
    BOOST_TEST(setting_text(exact(5)) == "5");
    BOOST_TEST(setting_text(exact(1, 3)) == "1/3");
    BOOST_TEST(setting_text(exact(13, 8)) == "1.625");
    BOOST_TEST(setting_text(numeric(1, 100000000)) == "1e-8");
    BOOST_TEST(setting_text(numeric(-25, 1000000)) == "-2.5e-5");
}

BOOST_AUTO_TEST_CASE(numeric_sqrt_is_exact_for_squares_of_rationals) {
    BOOST_TEST(numeric_sqrt(exact(9, 4), 20) == exact(3, 2));
    BOOST_TEST(numeric_sqrt(0, 20) == 0);
    const numeric r = numeric_sqrt(2, 40);
    BOOST_TEST(!r.is_rational());
    BOOST_TEST(near(r, "1.414213562373095048801688724209698078570", 1e-38));
}

BOOST_AUTO_TEST_CASE(describe_states_every_hyperparameter_in_effect) {
    optimizer_settings s = settings(method::adam, exact(1, 10));
    s.eps = 0;
    BOOST_TEST(describe(resolved(s)) == "rate 0.1, beta1 0.9, beta2 0.999, eps 0");
    optimizer_settings m = settings(method::momentum, exact(1, 10));
    BOOST_TEST(describe(resolved(m)) == "rate 0.1, momentum 0.9, dampening 0");
}

BOOST_AUTO_TEST_SUITE_END()
