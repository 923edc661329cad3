// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// The ML functions written with exp and log, so that one algebra (rational functions of
// exponentials, and their logs) sees through all of them; the search recognises them again.
#include "rules.hpp"

#include "symgrad/core/functions.hpp"
#include "symgrad/core/object_identity.hpp"

#include <unordered_map>

namespace symgrad::simplify_detail {

namespace {

using GiNaC::exp;
using GiNaC::log;
using GiNaC::pow;

/// Lowers the skeleton: sums, products, power bases and log arguments are followed; the
/// arguments of exp and of every other function are atoms and stay as they are.
class lowering : public GiNaC::map_function {
public:
    ex operator()(const ex& e) override {
        if (auto it = memo_.find(e); it != memo_.end())
            return it->second;
        ex r = lower(e);
        memo_.emplace(e, r);
        return r;
    }

private:
    ex lower(const ex& e) {
        if (GiNaC::is_exactly_a<GiNaC::add>(e) || GiNaC::is_exactly_a<GiNaC::mul>(e))
            return e.map(*this);
        if (GiNaC::is_exactly_a<GiNaC::power>(e))
            return pow((*this)(e.op(0)), e.op(1));
        if (!GiNaC::is_exactly_a<GiNaC::function>(e))
            return e;
        switch (ml_function_of(e)) {
        case ml_function::sigmoid:
            return pow(1 + exp(-e.op(0)), -1); // 1/(1 + exp(-z))
        case ml_function::softplus:
            return log(1 + exp(e.op(0))); // log(1 + exp(z))
        case ml_function::softmax: {
            // exp(z_k)/sum_j exp(z_j), for a numeric component index k
            if (!e.op(0).info(GiNaC::info_flags::nonnegint))
                return e;
            const std::size_t k = softmax_index(e);
            ex sum = 0;
            for (std::size_t j = 1; j < e.nops(); ++j)
                sum += exp(e.op(j));
            return exp(e.op(k + 1)) * pow(sum, -1);
        }
        case ml_function::logsumexp: {
            ex sum = 0;
            for (std::size_t j = 0; j < e.nops(); ++j)
                sum += exp(e.op(j));
            return log(sum); // log(sum_j exp(z_j))
        }
        case ml_function::logloss: {
            // -(y log p + (1 - y) log(1 - p))
            const ex p = (*this)(e.op(0));
            const ex& y = e.op(1);
            return -(y * log(p) + (1 - y) * log(1 - p));
        }
        case ml_function::none:
        case ml_function::relu:
        case ml_function::indicator:
        case ml_function::crossentropy:
            break;
        }
        if (GiNaC::is_the_function<GiNaC::log_SERIAL>(e))
            return log((*this)(e.op(0)));
        if (GiNaC::is_the_function<GiNaC::tanh_SERIAL>(e))
            return 2 * pow(1 + exp(-2 * e.op(0)), -1) - 1; // tanh(z) = 2 sigma(2z) - 1
        if (GiNaC::is_the_function<GiNaC::sinh_SERIAL>(e))
            return (exp(e.op(0)) - exp(-e.op(0))) / 2;
        if (GiNaC::is_the_function<GiNaC::cosh_SERIAL>(e))
            return (exp(e.op(0)) + exp(-e.op(0))) / 2;
        return e;
    }

    object_map<ex> memo_;
};

} // namespace

ex lower_ml_functions(const ex& e) {
    lowering l;
    return l(e);
}

bool has_hyperbolic(const ex& e) {
    return any_subexpression(e, [](const ex& x) {
        return GiNaC::is_the_function<GiNaC::tanh_SERIAL>(x) ||
               GiNaC::is_the_function<GiNaC::sinh_SERIAL>(x) ||
               GiNaC::is_the_function<GiNaC::cosh_SERIAL>(x);
    });
}

} // namespace symgrad::simplify_detail
