// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/train/optimizer.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/precision.hpp"
#include "symgrad/core/spelling.hpp"
#include "train/numeric_kinds.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace symgrad {

using detail::from_numeric;
using GiNaC::numeric;

namespace {

double root(double x, long) {
    return std::sqrt(x);
}
numeric root(const numeric& x, long digits) {
    return numeric_sqrt(x, digits);
}

double magnitude(double x) {
    return std::fabs(x);
}
numeric magnitude(const numeric& x) {
    return GiNaC::abs(x);
}

bool zero_value(double x) {
    return x == 0;
}
bool zero_value(const numeric& x) {
    return x.is_zero();
}

/// A pivot too small to divide by: exactly zero for rationals; relative to the matrix's scale
/// for floats.
bool negligible(double pivot, double scale, std::size_t n) {
    return std::fabs(pivot) <=
           scale * static_cast<double>(n) * std::numeric_limits<double>::epsilon();
}
bool negligible(const numeric& pivot, const numeric& scale, std::size_t n, long digits) {
    if (pivot.is_zero())
        return true;
    if (pivot.is_rational())
        return false;
    return GiNaC::abs(pivot) <=
           scale * numeric(static_cast<long>(n)) * GiNaC::pow(numeric(10), numeric(-digits));
}

template <class T> T dot(const std::vector<T>& a, const std::vector<T>& b) {
    T s = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        s += a[i] * b[i];
    return s;
}

/// Solve a x = b for an n x n row-major a by Gaussian elimination with partial pivoting (the
/// largest pivot in magnitude). Returns false when a is singular; @p pivot then holds the
/// column where elimination stopped.
template <class T>
bool solve(std::vector<T> a, std::vector<T> b, std::size_t n, std::vector<T>& x,
           std::size_t& pivot_column, long digits) {
    T scale = 0;
    for (const auto& v : a)
        if (magnitude(v) > scale)
            scale = magnitude(v);
    for (std::size_t k = 0; k < n; ++k) {
        std::size_t best = k;
        for (std::size_t i = k + 1; i < n; ++i)
            if (magnitude(a[i * n + k]) > magnitude(a[best * n + k]))
                best = i;
        bool tiny;
        if constexpr (std::is_same_v<T, double>)
            tiny = negligible(a[best * n + k], scale, n);
        else
            tiny = negligible(a[best * n + k], scale, n, digits);
        if (tiny) {
            pivot_column = k;
            return false;
        }
        if (best != k) {
            for (std::size_t j = 0; j < n; ++j)
                std::swap(a[k * n + j], a[best * n + j]);
            std::swap(b[k], b[best]);
        }
        for (std::size_t i = k + 1; i < n; ++i) {
            const T factor = a[i * n + k] / a[k * n + k];
            if (zero_value(factor))
                continue;
            for (std::size_t j = k; j < n; ++j)
                a[i * n + j] -= factor * a[k * n + j];
            b[i] -= factor * b[k];
        }
    }
    x.assign(n, T(0));
    for (std::size_t k = n; k-- > 0;) {
        T s = b[k];
        for (std::size_t j = k + 1; j < n; ++j)
            s -= a[k * n + j] * x[j];
        x[k] = s / a[k * n + k];
    }
    return true;
}

/// The objective seen by the line search, with the weight decay's (lambda/2)|w|^2 added so
/// that the decayed gradient is its gradient.
template <class T> class decayed_objective : public objective_access<T> {
public:
    decayed_objective(objective_access<T>& f, const T& lambda) : f_(f), lambda_(lambda) {}
    T value(const std::vector<T>& w) override {
        T v = f_.value(w);
        if (!zero_value(lambda_))
            v += lambda_ * dot(w, w) / 2;
        return v;
    }
    void hessian(const std::vector<T>& w, std::vector<T>& h) override { f_.hessian(w, h); }

private:
    objective_access<T>& f_;
    T lambda_;
};

[[noreturn]] void bad_setting(const std::string& what) {
    throw invalid_input("train: " + what);
}

void check_range(const char* name, const numeric& v, bool zero_ok, bool one_ok, bool upper) {
    const bool low_ok = zero_ok ? v >= 0 : v > 0;
    const bool high_ok = !upper || (one_ok ? v <= 1 : v < 1);
    if (!low_ok || !high_ok)
        bad_setting(std::string(name) + " must be " + (zero_ok ? "at least 0" : "above 0") +
                    (upper ? (one_ok ? " and at most 1" : " and below 1") : "") + ", got " +
                    setting_text(v));
}

} // namespace

// ---- names ---------------------------------------------------------------------------------

std::string_view method_name(method m) {
    switch (m) {
    case method::gd:
        return "gd";
    case method::sgd:
        return "sgd";
    case method::momentum:
        return "momentum";
    case method::nesterov:
        return "nesterov";
    case method::adagrad:
        return "adagrad";
    case method::rmsprop:
        return "rmsprop";
    case method::adam:
        return "adam";
    case method::fletcher_reeves:
        return "fletcher-reeves";
    case method::polak_ribiere:
        return "polak-ribiere";
    case method::newton:
        return "newton";
    }
    return "?";
}

const std::vector<std::string>& method_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (int k = 0; k <= static_cast<int>(method::newton); ++k)
            v.emplace_back(method_name(static_cast<method>(k)));
        return v;
    }();
    return names;
}

method parse_method(std::string_view name) {
    if (name == "fr")
        return method::fletcher_reeves;
    if (name == "pr")
        return method::polak_ribiere;
    const auto& names = method_names();
    for (std::size_t k = 0; k < names.size(); ++k)
        if (names[k] == name)
            return static_cast<method>(k);
    std::string list;
    for (const auto& n : names)
        list += (list.empty() ? "" : ", ") + n;
    throw invalid_input("train: unknown method '" + std::string(name) + "'" +
                        did_you_mean(name, names) + "; the methods are " + list);
}

bool is_whole_objective_method(method m) {
    return m == method::fletcher_reeves || m == method::polak_ribiere || m == method::newton;
}

std::string setting_text(const numeric& x) {
    if (!x.is_rational())
        return format_number(x, 17);
    const numeric den = x.denom();
    // A finite decimal when the denominator is 2^a 5^b: scale by 10^k until it is an integer.
    numeric d = den;
    int twos = 0, fives = 0;
    while (GiNaC::mod(d, 2).is_zero()) {
        d = d / 2;
        ++twos;
    }
    while (GiNaC::mod(d, 5).is_zero()) {
        d = d / 5;
        ++fives;
    }
    if (d != 1 || den == 1) {
        std::ostringstream os;
        os << x;
        return os.str();
    }
    const int k = std::max(twos, fives);
    const numeric scaled = GiNaC::abs(x) * GiNaC::pow(numeric(10), numeric(k));
    std::ostringstream os;
    os << scaled; // an integer
    std::string digits = os.str();
    const std::string sign = x < 0 ? "-" : "";
    if (GiNaC::abs(x) < numeric(1, 10000)) {
        // small values in scientific notation, still exact: 1/10^8 -> "1e-8", 25/10^6 ->
        // "2.5e-5"
        const int exponent = static_cast<int>(digits.size()) - 1 - k;
        std::string mantissa = digits.substr(0, 1);
        if (digits.size() > 1)
            mantissa += "." + digits.substr(1);
        return sign + mantissa + "e" + std::to_string(exponent);
    }
    if (digits.size() <= static_cast<std::size_t>(k))
        digits = std::string(static_cast<std::size_t>(k) + 1 - digits.size(), '0') + digits;
    std::string text = digits.substr(0, digits.size() - static_cast<std::size_t>(k)) + "." +
                       digits.substr(digits.size() - static_cast<std::size_t>(k));
    return sign + text;
}

numeric numeric_sqrt(const numeric& x, long digits) {
    if (x < 0)
        throw domain_error("sqrt: the argument is negative: " + format_number(x, 17));
    if (x.is_zero())
        return 0;
    if (x.is_rational()) {
        const numeric p = x.numer(), q = x.denom();
        const numeric rp = GiNaC::isqrt(p), rq = GiNaC::isqrt(q);
        if (rp * rp == p && rq * rq == q)
            return rp / rq;
    }
    precision_guard guard(digits + 10);
    const GiNaC::ex f = GiNaC::ex(x).evalf();
    return GiNaC::sqrt(GiNaC::ex_to<numeric>(f));
}

// ---- settings ------------------------------------------------------------------------------

optimizer_settings resolved(const optimizer_settings& in) {
    optimizer_settings s = in;
    const method m = s.kind;
    const std::string name(method_name(m));
    const bool cg = m == method::fletcher_reeves || m == method::polak_ribiere;
    if (s.line_search && !(m == method::gd || cg || m == method::newton))
        bad_setting("the line search is for gd, fletcher-reeves, polak-ribiere and newton, not " +
                    name);
    if (!s.rate) {
        switch (m) {
        case method::adam:
            s.rate = numeric(1, 1000);
            break;
        case method::rmsprop:
        case method::adagrad:
            s.rate = numeric(1, 100);
            break;
        case method::newton:
            s.rate = 1;
            break;
        default:
            if (s.line_search)
                s.rate = 1;
            else
                bad_setting(name + " needs a rate (for example 'rate 0.1')");
        }
    }
    check_range("rate", *s.rate, false, true, false);
    if (m == method::momentum || m == method::nesterov) {
        if (!s.momentum)
            s.momentum = numeric(9, 10);
        check_range("momentum", *s.momentum, true, true, true);
        check_range("dampening", s.dampening, true, true, true);
        if (m == method::nesterov && (s.momentum->is_zero() || !s.dampening.is_zero()))
            bad_setting("nesterov needs a momentum above 0 and dampening 0 (as torch.optim.SGD), "
                        "got momentum " +
                        setting_text(*s.momentum) + " and dampening " + setting_text(s.dampening));
    } else if (m == method::rmsprop) {
        if (!s.momentum)
            s.momentum = 0;
        check_range("momentum", *s.momentum, true, true, true);
    }
    if (m == method::rmsprop) {
        if (!s.alpha)
            s.alpha = numeric(99, 100);
        check_range("alpha", *s.alpha, true, true, true);
    }
    if (m == method::adam) {
        if (!s.beta1)
            s.beta1 = numeric(9, 10);
        if (!s.beta2)
            s.beta2 = numeric(999, 1000);
        check_range("beta1", *s.beta1, true, false, true);
        check_range("beta2", *s.beta2, true, false, true);
    }
    if (m == method::adam || m == method::rmsprop || m == method::adagrad) {
        if (!s.eps)
            s.eps = m == method::adagrad ? numeric(1, 10000000000L) : numeric(1, 100000000L);
        check_range("eps", *s.eps, true, true, false);
    }
    check_range("weight_decay", s.weight_decay, true, true, false);
    check_range("lr_decay", s.lr_decay, true, true, false);
    check_range("initial_accumulator", s.initial_accumulator, true, true, false);
    check_range("damping", s.damping, true, true, false);
    check_range("armijo", s.armijo, false, false, true);
    check_range("shrink", s.shrink, false, false, true);
    return s;
}

std::string describe(const optimizer_settings& s) {
    std::string out = "rate " + setting_text(s.rate.value_or(0));
    auto add = [&](const char* name, const numeric& v) {
        out += std::string(", ") + name + " " + setting_text(v);
    };
    switch (s.kind) {
    case method::momentum:
    case method::nesterov:
        add("momentum", s.momentum.value_or(0));
        add("dampening", s.dampening);
        break;
    case method::adagrad:
        add("lr_decay", s.lr_decay);
        add("initial_accumulator", s.initial_accumulator);
        add("eps", s.eps.value_or(0));
        break;
    case method::rmsprop:
        add("alpha", s.alpha.value_or(0));
        add("eps", s.eps.value_or(0));
        if (s.centered)
            out += ", centered";
        if (s.momentum && !s.momentum->is_zero())
            add("momentum", *s.momentum);
        break;
    case method::adam:
        add("beta1", s.beta1.value_or(0));
        add("beta2", s.beta2.value_or(0));
        add("eps", s.eps.value_or(0));
        break;
    case method::fletcher_reeves:
    case method::polak_ribiere:
        if (s.restart)
            out += ", restart every " + std::to_string(s.restart) + " steps";
        break;
    case method::newton:
        add("damping", s.damping);
        break;
    default:
        break;
    }
    if (!s.weight_decay.is_zero())
        add("weight_decay", s.weight_decay);
    if (s.line_search)
        out += ", backtracking line search (armijo " + setting_text(s.armijo) + ", shrink " +
               setting_text(s.shrink) + ")";
    return out;
}

// ---- the rules -----------------------------------------------------------------------------

template <class T>
optimizer<T>::optimizer(const optimizer_settings& settings, std::size_t weights, long digits)
    : s_(resolved(settings)), n_(weights), digits_(digits) {
    mu_ = from_numeric<T>(s_.momentum.value_or(0));
    tau_ = from_numeric<T>(s_.dampening);
    lambda_ = from_numeric<T>(s_.weight_decay);
    alpha_ = from_numeric<T>(s_.alpha.value_or(0));
    eps_ = from_numeric<T>(s_.eps.value_or(0));
    beta1_ = from_numeric<T>(s_.beta1.value_or(0));
    beta2_ = from_numeric<T>(s_.beta2.value_or(0));
    lr_decay_ = from_numeric<T>(s_.lr_decay);
    delta_ = from_numeric<T>(s_.damping);
    beta1_power_ = 1;
    beta2_power_ = 1;
    buffer_.assign(n_, T(0));
    square_.assign(n_, s_.kind == method::adagrad ? from_numeric<T>(s_.initial_accumulator) : T(0));
    average_.assign(n_, T(0));
}

template <class T>
step_status optimizer<T>::step(std::vector<T>& w, const std::vector<T>& g_in, const T& rate,
                               const T& loss, objective_access<T>* f) {
    if (w.size() != n_ || g_in.size() != n_)
        throw invalid_input("optimizer: expected " + std::to_string(n_) +
                            " weights and gradient components, got " + std::to_string(w.size()) +
                            " and " + std::to_string(g_in.size()));
    ++t_;
    failure_.clear();
    const std::vector<T>* gp = &g_in;
    if (!zero_value(lambda_)) {
        gradient_ = g_in;
        for (std::size_t i = 0; i < n_; ++i)
            gradient_[i] += lambda_ * w[i];
        gp = &gradient_;
    }
    const std::vector<T>& g = *gp;
    const T one = 1;
    switch (s_.kind) {
    case method::gd:
    case method::sgd:
        if (s_.line_search) {
            direction_.resize(n_);
            for (std::size_t i = 0; i < n_; ++i)
                direction_[i] = -g[i];
            return move(w, g, direction_, rate, loss, f);
        }
        for (std::size_t i = 0; i < n_; ++i)
            w[i] -= rate * g[i];
        return step_status::ok;
    case method::momentum:
    case method::nesterov: {
        const bool nesterov = s_.kind == method::nesterov;
        for (std::size_t i = 0; i < n_; ++i) {
            T& b = buffer_[i];
            b = t_ == 1 ? g[i] : mu_ * b + (one - tau_) * g[i];
            w[i] -= rate * (nesterov ? g[i] + mu_ * b : b);
        }
        return step_status::ok;
    }
    case method::adagrad: {
        const T clr = rate / (one + T(static_cast<long>(t_ - 1)) * lr_decay_);
        for (std::size_t i = 0; i < n_; ++i) {
            square_[i] += g[i] * g[i];
            w[i] -= clr * g[i] / (root(square_[i], digits_) + eps_);
        }
        return step_status::ok;
    }
    case method::rmsprop:
        for (std::size_t i = 0; i < n_; ++i) {
            square_[i] = alpha_ * square_[i] + (one - alpha_) * g[i] * g[i];
            T v = square_[i];
            if (s_.centered) {
                average_[i] = alpha_ * average_[i] + (one - alpha_) * g[i];
                v -= average_[i] * average_[i];
            }
            const T denom = root(v, digits_) + eps_;
            if (!zero_value(mu_)) {
                buffer_[i] = mu_ * buffer_[i] + g[i] / denom;
                w[i] -= rate * buffer_[i];
            } else {
                w[i] -= rate * g[i] / denom;
            }
        }
        return step_status::ok;
    case method::adam: {
        beta1_power_ *= beta1_;
        beta2_power_ *= beta2_;
        const T correction1 = one - beta1_power_, correction2 = one - beta2_power_;
        if constexpr (std::is_same_v<T, double>) {
            // torch.optim.Adam's own order of operations, so that doubles agree with it
            const T step_size = rate / correction1;
            const T root2 = std::sqrt(correction2);
            for (std::size_t i = 0; i < n_; ++i) {
                buffer_[i] = beta1_ * buffer_[i] + (one - beta1_) * g[i];
                square_[i] = beta2_ * square_[i] + (one - beta2_) * g[i] * g[i];
                w[i] -= step_size * buffer_[i] / (std::sqrt(square_[i]) / root2 + eps_);
            }
        } else {
            // the documented formula, whose square root is of v^ (rational where v^ is a
            // square, as in hand computations)
            for (std::size_t i = 0; i < n_; ++i) {
                buffer_[i] = beta1_ * buffer_[i] + (one - beta1_) * g[i];
                square_[i] = beta2_ * square_[i] + (one - beta2_) * g[i] * g[i];
                const T m_hat = buffer_[i] / correction1, v_hat = square_[i] / correction2;
                w[i] -= rate * m_hat / (root(v_hat, digits_) + eps_);
            }
        }
        return step_status::ok;
    }
    case method::fletcher_reeves:
    case method::polak_ribiere:
        return conjugate_gradient(w, g, rate, loss, f);
    case method::newton:
        return newton(w, g, rate, loss, f);
    }
    return step_status::ok;
}

template <class T>
step_status optimizer<T>::conjugate_gradient(std::vector<T>& w, const std::vector<T>& g,
                                             const T& rate, const T& loss, objective_access<T>* f) {
    bool restart = t_ == 1 || (s_.restart > 0 && since_restart_ >= s_.restart);
    direction_.resize(n_);
    if (!restart) {
        const T previous = dot(previous_g_, previous_g_);
        T beta = 0;
        if (!zero_value(previous)) {
            if (s_.kind == method::fletcher_reeves) {
                beta = dot(g, g) / previous;
            } else {
                T s = 0;
                for (std::size_t i = 0; i < n_; ++i)
                    s += g[i] * (g[i] - previous_g_[i]);
                beta = s / previous;
            }
        }
        for (std::size_t i = 0; i < n_; ++i)
            direction_[i] = -g[i] + beta * direction_[i];
        // Not a descent direction: start again along -g.
        if (!(dot(g, direction_) < 0))
            restart = true;
    }
    if (restart) {
        for (std::size_t i = 0; i < n_; ++i)
            direction_[i] = -g[i];
        since_restart_ = 0;
    }
    ++since_restart_;
    previous_g_ = g;
    return move(w, g, direction_, rate, loss, f);
}

template <class T>
step_status optimizer<T>::newton(std::vector<T>& w, const std::vector<T>& g, const T& rate,
                                 const T& loss, objective_access<T>* f) {
    if (!f)
        throw invalid_input("newton: the step needs the objective's Hessian");
    f->hessian(w, hessian_);
    if (hessian_.size() != n_ * n_)
        throw invalid_input("newton: the Hessian has " + std::to_string(hessian_.size()) +
                            " entries, expected " + std::to_string(n_ * n_));
    for (std::size_t i = 0; i < n_; ++i)
        hessian_[i * n_ + i] += delta_ + lambda_;
    std::vector<T> d;
    std::size_t column = 0;
    if (!solve(hessian_, g, n_, d, column, digits_)) {
        failure_ = "the Hessian" + std::string(zero_value(delta_) ? "" : " plus damping") +
                   " is singular (no pivot in column " + std::to_string(column + 1) +
                   "); a damping above 0 makes it regular";
        return step_status::singular;
    }
    direction_.resize(n_);
    for (std::size_t i = 0; i < n_; ++i)
        direction_[i] = -d[i];
    if (s_.line_search && !(dot(g, direction_) < 0))
        for (std::size_t i = 0; i < n_; ++i)
            direction_[i] = -g[i];
    return move(w, g, direction_, rate, loss, f);
}

template <class T>
step_status optimizer<T>::move(std::vector<T>& w, const std::vector<T>& g, const std::vector<T>& p,
                               const T& rate, const T& loss, objective_access<T>* f) {
    if (!s_.line_search) {
        for (std::size_t i = 0; i < n_; ++i)
            w[i] += rate * p[i];
        return step_status::ok;
    }
    // At a stationary point (g = 0 exactly) there is nothing to search: stay.
    if (std::all_of(g.begin(), g.end(), [](const T& v) { return zero_value(v); }))
        return step_status::ok;
    if (!f)
        throw invalid_input("optimizer: the line search needs the objective");
    decayed_objective<T> objective(*f, lambda_);
    T start = loss;
    if (!zero_value(lambda_))
        start += lambda_ * dot(w, w) / 2;
    line_search_settings ls;
    ls.armijo = s_.armijo;
    ls.shrink = s_.shrink;
    const line_search_result<T> r = backtracking(objective, w, start, g, p, rate, ls);
    if (!r.ok) {
        failure_ = "line search: " + r.failure;
        return step_status::line_search_failed;
    }
    for (std::size_t i = 0; i < n_; ++i)
        w[i] += r.step * p[i];
    return step_status::ok;
}

template class optimizer<double>;
template class optimizer<numeric>;

} // namespace symgrad
