// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/compile/tape.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/expression_walk.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/ginac_reason.hpp"
#include "symgrad/core/precision.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/stable_forms.hpp"
#include "symgrad/core/symbols.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace symgrad {

using GiNaC::ex;
using GiNaC::exvector;
using GiNaC::numeric;

namespace {

/// Where error messages cut an expression short (brief).
constexpr std::size_t brief_width = 100;

bool is_leaf(const ex& e) {
    return GiNaC::is_a<GiNaC::symbol>(e) || GiNaC::is_exactly_a<numeric>(e) ||
           GiNaC::is_a<GiNaC::constant>(e);
}

bool is_integer(const ex& e) {
    return GiNaC::is_exactly_a<numeric>(e) && GiNaC::ex_to<numeric>(e).is_integer();
}

/// A small integer exponent (|n| < 2^31) or nothing.
bool small_integer(const ex& e, long& n) {
    if (!is_integer(e))
        return false;
    const numeric& v = GiNaC::ex_to<numeric>(e);
    if (GiNaC::abs(v) >= numeric(std::numeric_limits<std::int32_t>::max()))
        return false;
    n = v.to_long();
    return true;
}

bool is_negative_number(const ex& e) {
    return GiNaC::is_exactly_a<numeric>(e) && GiNaC::ex_to<numeric>(e).is_real() &&
           GiNaC::ex_to<numeric>(e).is_negative();
}

/// The function opcode for a GiNaC function that is not an ML function, by name.
bool named_function_opcode(const std::string& name, opcode& op) {
    static const std::unordered_map<std::string, opcode> table{
        {"exp", opcode::exp},   {"log", opcode::log},   {"tanh", opcode::tanh},
        {"sinh", opcode::sinh}, {"cosh", opcode::cosh}, {"sin", opcode::sin},
        {"cos", opcode::cos},   {"tan", opcode::tan},   {"atan", opcode::atan},
        {"asin", opcode::asin}, {"acos", opcode::acos}, {"abs", opcode::abs},
        {"step", opcode::step}, {"csgn", opcode::csgn},
    };
    auto it = table.find(name);
    if (it == table.end())
        return false;
    op = it->second;
    return true;
}

/// A product split for lowering: coefficient * prod(numerator) / prod(denominator), where the
/// denominator holds the factors of negative exponent with the exponent's sign flipped.
struct product_plan {
    numeric coefficient = 1;
    exvector numerator, denominator;
};

product_plan plan_product(const exvector& factors) {
    product_plan p;
    for (const ex& f : factors) {
        if (GiNaC::is_exactly_a<numeric>(f)) {
            p.coefficient *= GiNaC::ex_to<numeric>(f);
        } else if (GiNaC::is_exactly_a<GiNaC::power>(f) && is_negative_number(f.op(1))) {
            p.denominator.push_back(GiNaC::pow(f.op(0), -f.op(1)));
        } else {
            p.numerator.push_back(f);
        }
    }
    // -(o - 1)*d -> (1 - o)*d: a sum absorbs the sign (GiNaC distributes -1 over it), which
    // saves the negation the backward pass of sigmoid would otherwise cost.
    if (p.coefficient.is_negative())
        for (auto* list : {&p.numerator, &p.denominator}) {
            auto it = std::find_if(list->begin(), list->end(),
                                   [](const ex& f) { return GiNaC::is_exactly_a<GiNaC::add>(f); });
            if (it != list->end()) {
                *it = -*it;
                p.coefficient = -p.coefficient;
                break;
            }
        }
    return p;
}

/// A sum's terms with their signs pulled out: x - 2*y -> (x, +), (2*y, -).
void plan_sum(const exvector& ops, exvector& terms, std::vector<bool>& negative) {
    for (const ex& t : ops) {
        bool neg = false;
        if (is_negative_number(t))
            neg = true;
        else if (GiNaC::is_exactly_a<GiNaC::mul>(t) && t.nops() > 0 &&
                 is_negative_number(t.op(t.nops() - 1)))
            neg = true;
        terms.push_back(neg ? ex(-t) : t);
        negative.push_back(neg);
    }
}

struct vn_key {
    opcode op;
    std::uint32_t a, b;
    std::int32_t imm;
    std::vector<std::uint32_t> list;
    bool operator==(const vn_key&) const = default;
};

struct vn_hash {
    std::size_t operator()(const vn_key& k) const noexcept {
        std::size_t h = static_cast<std::size_t>(k.op) * 0x9e3779b97f4a7c15ULL;
        auto mix = [&h](std::size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
        mix(k.a);
        mix(k.b);
        mix(static_cast<std::size_t>(k.imm));
        for (auto v : k.list)
            mix(v);
        return h;
    }
};

std::size_t label_index(const ex& label, std::size_t classes) {
    if (!GiNaC::is_exactly_a<numeric>(label))
        throw domain_error("crossentropy: the label " + brief(label, brief_width) +
                           " is not a number");
    const numeric& v = GiNaC::ex_to<numeric>(label);
    numeric k;
    if (v.is_integer()) {
        k = v;
    } else if (v.is_real() && !v.is_rational() && std::floor(v.to_double()) == v.to_double() &&
               v == numeric(static_cast<long>(v.to_double()))) {
        k = numeric(static_cast<long>(v.to_double()));
    } else {
        throw domain_error("crossentropy: the label " + brief(label, brief_width) +
                           " is not a class index 0.." + std::to_string(classes - 1));
    }
    if (k.is_negative() || k >= numeric(static_cast<long>(classes)))
        throw domain_error("crossentropy: the label " + brief(label, brief_width) +
                           " is not a class index 0.." + std::to_string(classes - 1));
    return static_cast<std::size_t>(k.to_long());
}

} // namespace

const char* opcode_name(opcode op) {
    switch (op) {
    case opcode::neg:
        return "neg";
    case opcode::sqrt:
        return "sqrt";
    case opcode::exp:
        return "exp";
    case opcode::log:
        return "log";
    case opcode::tanh:
        return "tanh";
    case opcode::sinh:
        return "sinh";
    case opcode::cosh:
        return "cosh";
    case opcode::sin:
        return "sin";
    case opcode::cos:
        return "cos";
    case opcode::tan:
        return "tan";
    case opcode::atan:
        return "atan";
    case opcode::asin:
        return "asin";
    case opcode::acos:
        return "acos";
    case opcode::abs:
        return "abs";
    case opcode::step:
        return "step";
    case opcode::csgn:
        return "csgn";
    case opcode::sigmoid:
        return "sigmoid";
    case opcode::softplus:
        return "softplus";
    case opcode::expnegabs:
        return "expnegabs";
    case opcode::log1p:
        return "log1p";
    case opcode::expm1:
        return "expm1";
    case opcode::hypot:
        return "hypot";
    case opcode::relu:
        return "relu";
    case opcode::add:
        return "add";
    case opcode::sub:
        return "sub";
    case opcode::mul:
        return "mul";
    case opcode::div:
        return "div";
    case opcode::pow:
        return "pow";
    case opcode::sigmoid_e:
        return "sigmoid_e";
    case opcode::expsum:
        return "expsum";
    case opcode::logloss:
        return "logloss";
    case opcode::indicator:
        return "indicator";
    case opcode::muladd:
        return "muladd";
    case opcode::mulsub:
        return "mulsub";
    case opcode::powi:
        return "powi";
    case opcode::logsumexp:
        return "logsumexp";
    case opcode::softmax:
        return "softmax";
    case opcode::crossentropy:
        return "crossentropy";
    case opcode::lse_max:
        return "lse_max";
    case opcode::lse_tail:
        return "lse_tail";
    case opcode::expdiff2:
        return "expdiff2";
    }
    return "?";
}

unsigned opcode_arity(opcode op) {
    if (op <= opcode::relu || op == opcode::powi)
        return 1;
    if (op <= opcode::indicator)
        return 2;
    if (op == opcode::muladd || op == opcode::mulsub)
        return 3;
    return 0;
}

namespace {

double approximately(const ex& e) {
    const ex f = e.evalf();
    return GiNaC::is_exactly_a<numeric>(f) ? GiNaC::ex_to<numeric>(f).to_double()
                                           : std::numeric_limits<double>::quiet_NaN();
}

/// The index of the largest of constant values (compared in double: ties do not matter).
std::size_t largest(const exvector& v) {
    std::size_t top = 0;
    for (std::size_t j = 1; j < v.size(); ++j)
        if (approximately(v[j]) > approximately(v[top]))
            top = j;
    return top;
}

} // namespace

ex apply_opcode(opcode op, const exvector& v, int imm) {
    switch (op) {
    case opcode::neg:
        return -v[0];
    case opcode::sqrt:
        return GiNaC::sqrt(v[0]);
    case opcode::exp:
        return GiNaC::exp(v[0]);
    case opcode::log:
        return GiNaC::log(v[0]);
    case opcode::tanh:
        return GiNaC::tanh(v[0]);
    case opcode::sinh:
        return GiNaC::sinh(v[0]);
    case opcode::cosh:
        return GiNaC::cosh(v[0]);
    case opcode::sin:
        return GiNaC::sin(v[0]);
    case opcode::cos:
        return GiNaC::cos(v[0]);
    case opcode::tan:
        return GiNaC::tan(v[0]);
    case opcode::atan:
        return GiNaC::atan(v[0]);
    case opcode::asin:
        return GiNaC::asin(v[0]);
    case opcode::acos:
        return GiNaC::acos(v[0]);
    case opcode::abs:
        return GiNaC::abs(v[0]);
    case opcode::step:
        return GiNaC::step(v[0]);
    case opcode::csgn:
        return GiNaC::csgn(v[0]);
    case opcode::sigmoid:
        return sigmoid(v[0]);
    case opcode::softplus:
        return softplus(v[0]);
    case opcode::relu:
        return relu(v[0]);
    case opcode::add:
        return v[0] + v[1];
    case opcode::sub:
        return v[0] - v[1];
    case opcode::mul:
        return v[0] * v[1];
    case opcode::div:
        return v[0] / v[1];
    case opcode::pow:
        return GiNaC::pow(v[0], v[1]);
    case opcode::expsum:
        return GiNaC::exp(v[0] + v[1]);
    case opcode::expnegabs:
        return GiNaC::exp(-GiNaC::abs(v[0]));
    case opcode::log1p:
        return GiNaC::log(1 + v[0]);
    case opcode::expm1:
        return GiNaC::exp(v[0]) - 1;
    case opcode::hypot:
        return GiNaC::sqrt(v[0] * v[0] + v[1] * v[1]);
    case opcode::sigmoid_e:
        return sigmoid(v[0]);
    case opcode::logloss:
        return logloss(v[0], v[1]);
    case opcode::indicator:
        return indicator(v[0], v[1]);
    case opcode::muladd:
        return v[0] * v[1] + v[2];
    case opcode::mulsub:
        return v[2] - v[0] * v[1];
    case opcode::powi:
        return GiNaC::pow(v[0], imm);
    case opcode::logsumexp:
        return logsumexp(v);
    case opcode::softmax:
        return softmax(static_cast<std::size_t>(imm), v);
    case opcode::crossentropy: {
        const std::size_t k = label_index(v[0], v.size() - 1);
        return -GiNaC::log(v[k + 1]);
    }
    case opcode::lse_max:
        return v[largest(v)];
    case opcode::lse_tail:
        return logsumexp(v) - v[largest(v)];
    case opcode::expdiff2:
        return GiNaC::exp(v[0] - v[1] - v[2]);
    }
    throw invalid_input("apply_opcode: unknown opcode " + std::to_string(static_cast<int>(op)));
}

/// Lowers expressions to instructions over value ids, then renumbers the live instructions
/// into the tape's register order.
class tape_builder {
public:
    explicit tape_builder(const tape_source& source) : source_(source) {
        find_sigmoid_arguments(source);
        const auto& l = source.layout;
        add_arguments(l.weights, "weight");
        add_arguments(l.inputs, "input");
        add_arguments(l.labels, "label");
        for (const auto& a : source.definitions)
            define(a);
        for (const auto& o : source.outputs)
            output_ids_.push_back(lower(o));
    }

    tape finish();

    /// The arguments of every sigmoid in @p source (a walk over the DAG).
    void find_sigmoid_arguments(const tape_source& source) {
        exvector roots(source.outputs.begin(), source.outputs.end());
        for (const auto& a : source.definitions)
            roots.push_back(a.value);
        for_each_subexpression(roots, [&](const ex& e) {
            if (ml_function_of(e) == ml_function::sigmoid)
                sigmoid_arguments_.insert(e.op(0));
        });
    }

private:
    enum class value_kind : std::uint8_t { argument, constant, instruction };
    struct value {
        value_kind kind;
        std::uint32_t index;
    };

    void add_arguments(const exvector& list, const char* what) {
        for (const auto& s : list) {
            if (!GiNaC::is_a<GiNaC::symbol>(s))
                throw invalid_input(std::string("compile: the ") + what + " " +
                                    brief(s, brief_width) + " is not a symbol");
            const auto id = static_cast<std::uint32_t>(values_.size());
            if (!memo_.emplace(s, id).second)
                throw invalid_input("compile: " + symbol_name(s) +
                                    " is listed twice in the argument layout");
            keys_.emplace(s, mix(9, argument_count_));
            value_keys_.push_back(mix(9, argument_count_));
            values_.push_back({value_kind::argument, argument_count_++});
        }
    }

    void define(const assignment& a) {
        if (!GiNaC::is_a<GiNaC::symbol>(a.symbol))
            throw invalid_input("compile: the definition of " + brief(a.symbol, brief_width) +
                                " does not define a symbol");
        if (memo_.count(a.symbol))
            throw invalid_input("compile: " + symbol_name(a.symbol) +
                                " is defined twice (or is also an argument)");
        const std::uint32_t id = lower(a.value);
        memo_.emplace(a.symbol, id);
        definitions_.emplace(a.symbol, a.value);
        keys_.emplace(a.symbol, key(a.value));
        const value& v = values_[id];
        if (v.kind == value_kind::constant)
            constant_symbols_[a.symbol] = exact_[v.index];
        else if (v.kind == value_kind::instruction && names_[v.index].empty())
            names_[v.index] = symbol_name(a.symbol);
    }

    bool is_constant(std::uint32_t id) const { return values_[id].kind == value_kind::constant; }

    // ---- canonical order ------------------------------------------------------------------
    // GiNaC orders the terms of a sum by hash values that change from run to run (they mix in
    // addresses), and a gradient program's assignments follow that order. The tape must not:
    // the same program compiles to the same code in every process (the native cache is keyed
    // by it). So terms and factors are lowered in the order of a structural key that knows
    // layout symbols by position and program symbols by their definitions, never by address
    // or name.

    static std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
        h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        return h * 0xff51afd7ed558ccdULL;
    }

    static std::uint64_t text_key(const std::string& text) {
        std::uint64_t h = 0xcbf29ce484222325ULL;
        for (unsigned char c : text) {
            h ^= c;
            h *= 0x100000001b3ULL;
        }
        return h;
    }

    std::uint64_t leaf_key(const ex& e) const {
        if (GiNaC::is_exactly_a<numeric>(e)) {
            std::ostringstream os;
            os << e;
            return mix(1, text_key(os.str()));
        }
        if (GiNaC::is_a<GiNaC::constant>(e)) {
            std::ostringstream os;
            os << e;
            return mix(2, text_key(os.str()));
        }
        return mix(3, text_key(symbol_name(e)));
    }

    /// The structural key of @p root, memoised, computed without recursion.
    std::uint64_t key(const ex& root) {
        if (auto it = keys_.find(root); it != keys_.end())
            return it->second;
        auto known = [this](const ex& e) { return keys_.count(e) != 0; };
        for_each_subexpression_postorder(root, known, [this](const ex& e) {
            if (is_leaf(e)) {
                keys_.emplace(e, leaf_key(e));
                return;
            }
            std::vector<std::uint64_t> kids;
            for (std::size_t i = 0; i < e.nops(); ++i)
                kids.push_back(keys_.at(e.op(i)));
            std::uint64_t h;
            if (GiNaC::is_exactly_a<GiNaC::add>(e) || GiNaC::is_exactly_a<GiNaC::mul>(e)) {
                std::sort(kids.begin(), kids.end());
                h = GiNaC::is_exactly_a<GiNaC::add>(e) ? 4 : 5;
            } else if (GiNaC::is_exactly_a<GiNaC::power>(e)) {
                h = 6;
            } else if (GiNaC::is_a<GiNaC::function>(e)) {
                h = mix(7, text_key(GiNaC::ex_to<GiNaC::function>(e).get_name()));
            } else {
                h = mix(8, text_key(GiNaC::ex_to<GiNaC::basic>(e).class_name()));
            }
            for (auto k : kids)
                h = mix(h, k);
            keys_.emplace(e, h);
        });
        return keys_.at(root);
    }

    /// The operands of a sum or product in canonical order.
    exvector ordered_ops(const ex& e) {
        std::vector<std::pair<std::uint64_t, ex>> ops;
        for (std::size_t i = 0; i < e.nops(); ++i)
            ops.emplace_back(key(e.op(i)), e.op(i));
        std::stable_sort(ops.begin(), ops.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        exvector out;
        for (auto& [k, x] : ops)
            out.push_back(x);
        return out;
    }

    /// A value's key for ordering commutative operands: arguments by position, constants by
    /// value, instructions by what they compute.
    std::uint64_t value_key(std::uint32_t id) const { return value_keys_[id]; }

    const ex& exact_of(std::uint32_t id) const { return exact_[values_[id].index]; }

    /// The double value of an exact constant expression (for its sign).
    double constant_value(const ex& exact, const ex& origin) {
        return doubles_[values_[constant(exact, origin)].index];
    }

    bool is_constant(std::uint32_t id, long n) const {
        return is_constant(id) && exact_[values_[id].index].is_equal(ex(n));
    }

    std::uint32_t constant(const ex& exact, const ex& origin) {
        if (auto it = constant_ids_.find(exact); it != constant_ids_.end())
            return it->second;
        ex f;
        // The certified value first (ball arithmetic, enclosure.hpp): GiNaC's evalf of
        // tanh(10^153) overflows inside CLN and gave 0. An exact constant it cannot certify
        // (|1 - tanh(10^153)| < 10^-32675, with no proof that it is 0) goes through evalf.
        bool certified = false;
        try {
            f = evaluate_numeric(exact, {}, 20, "compile");
            certified = true;
        } catch (const error&) {
            certified = false;
        }
        if (!certified) {
            try {
                precision_guard guard(30);
                f = exact.evalf();
            } catch (const error&) {
                throw;
            } catch (const std::exception& x) {
                throw domain_error("compile: " + brief(origin, brief_width) + " is undefined (" +
                                   ginac_reason(x) + ")");
            }
        }
        if (!GiNaC::is_exactly_a<numeric>(f) || !GiNaC::ex_to<numeric>(f).is_real())
            throw domain_error("compile: the constant " + brief(origin, brief_width) +
                               " is not a real number (it is " + brief(f, brief_width) + ")");
        const double d = GiNaC::ex_to<numeric>(f).to_double();
        if (!std::isfinite(d))
            throw domain_error("compile: the constant " + brief(origin, brief_width) + " = " +
                               brief(f, brief_width) + " is not finite in double precision");
        const auto id = static_cast<std::uint32_t>(values_.size());
        // The printed form, not GiNaC's (whose operand order changes from run to run): the key
        // orders commutative operands, and so the tape.
        value_keys_.push_back(mix(10, text_key(to_text(exact))));
        values_.push_back({value_kind::constant, static_cast<std::uint32_t>(exact_.size())});
        exact_.push_back(exact);
        doubles_.push_back(d);
        constant_ids_.emplace(exact, id);
        return id;
    }

    /// A subexpression whose operands are all constants, as one exact constant.
    std::uint32_t fold(const ex& e) {
        ex exact;
        try {
            exact = constant_symbols_.empty()
                        ? e
                        : e.subs(constant_symbols_, GiNaC::subs_options::no_pattern);
        } catch (const error&) {
            throw;
        } catch (const std::exception& x) {
            throw domain_error("compile: " + brief(e, brief_width) + " is undefined (" +
                               ginac_reason(x) + ")");
        }
        return constant(exact, e);
    }

    std::uint32_t leaf(const ex& e) {
        if (GiNaC::is_exactly_a<numeric>(e) || GiNaC::is_a<GiNaC::constant>(e))
            return constant(e, e);
        throw invalid_input("compile: the symbol " + symbol_name(e) +
                            " is neither in the argument layout (weights, inputs, labels) nor "
                            "defined by the program");
    }

    // log(1 + u), e^u - 1 and sqrt(u^2 + v^2) run as log1p, expm1 and hypot: accurate for
    // small u, and no overflow of the squares; log(1 - e^v) as log(-expm1(v)).
    // (Program symbols are seen through: log(h1) with h1 := 1 + w^2 is log1p(w^2).)
    ex value_of(const ex& e) const {
        if (GiNaC::is_a<GiNaC::symbol>(e))
            if (auto it = definitions_.find(e); it != definitions_.end())
                return it->second;
        return e;
    }

    bool is_log_one_plus(const ex& e, ex& u) const {
        if (!GiNaC::is_the_function<GiNaC::log_SERIAL>(e))
            return false;
        const ex s = value_of(e.op(0));
        if (!has_term_one(s))
            return false;
        u = s - 1;
        return true;
    }

    /// log(1 - e^v): runs as log(-expm1(v)), finite for v near 0 where 1 - e^v rounds to 0
    /// (log1p(-e^v) is log of 0 there).
    bool is_log_one_minus_exp(const ex& e, ex& v) const {
        return GiNaC::is_the_function<GiNaC::log_SERIAL>(e) &&
               is_one_minus_exp(value_of(e.op(0)), v);
    }

    bool is_exp_minus_one(const ex& e, ex& u) const {
        if (!GiNaC::is_exactly_a<GiNaC::add>(e) || e.nops() != 2)
            return false;
        const ex rest = value_of(e + 1);
        if (!GiNaC::is_the_function<GiNaC::exp_SERIAL>(rest))
            return false;
        u = rest.op(0);
        return true;
    }

    /// 1 - e^v: runs as -expm1(v), which keeps the small difference that 1 - e^v rounds to 0
    /// for |v| < 2^-54 (a probability near 1, then its log, was "not finite").
    bool is_one_minus_exp(const ex& e, ex& v) const {
        if (!GiNaC::is_exactly_a<GiNaC::add>(e) || e.nops() != 2 || !has_term_one(e))
            return false;
        const ex rest = value_of(1 - e);
        if (!GiNaC::is_the_function<GiNaC::exp_SERIAL>(rest))
            return false;
        v = rest.op(0);
        return true;
    }

    bool is_hypot(const ex& e, exvector& sides) {
        if (!GiNaC::is_exactly_a<GiNaC::power>(e) || !e.op(1).is_equal(numeric(1, 2)))
            return false;
        const ex s = value_of(e.op(0));
        if (!GiNaC::is_exactly_a<GiNaC::add>(s) || s.nops() != 2)
            return false;
        sides.clear();
        for (const ex& t : ordered_ops(s)) {
            if (!GiNaC::is_exactly_a<GiNaC::power>(t) || !t.op(1).is_equal(2))
                return false;
            sides.push_back(t.op(0));
        }
        return true;
    }

    exvector children(const ex& e) {
        ex u;
        exvector sides;
        if (is_log_one_minus_exp(e, u) || is_one_minus_exp(e, u))
            return {GiNaC::exp(u) - 1};
        if (is_log_one_plus(e, u) || is_exp_minus_one(e, u))
            return {u};
        if (is_hypot(e, sides))
            return sides;
        if (GiNaC::is_exactly_a<GiNaC::add>(e)) {
            exvector terms;
            std::vector<bool> negative;
            plan_sum(ordered_ops(e), terms, negative);
            return terms;
        }
        if (GiNaC::is_exactly_a<GiNaC::mul>(e)) {
            product_plan p = plan_product(ordered_ops(e));
            exvector kids = p.numerator;
            kids.insert(kids.end(), p.denominator.begin(), p.denominator.end());
            return kids;
        }
        if (GiNaC::is_exactly_a<GiNaC::power>(e)) {
            const ex& b = e.op(0);
            const ex& x = e.op(1);
            long n = 0;
            if (small_integer(x, n))
                return {n < 0 ? GiNaC::pow(b, -x) : b};
            if (x.is_equal(GiNaC::numeric(1, 2)))
                return {b};
            if (x.is_equal(GiNaC::numeric(-1, 2)))
                return {GiNaC::sqrt(b)};
            return {b, x};
        }
        if (is_exp_of_two_terms(e))
            return ordered_ops(e.op(0));
        if (GiNaC::is_exactly_a<GiNaC::function>(e)) {
            exvector kids;
            const std::size_t from = ml_function_of(e) == ml_function::softmax ? 1 : 0;
            for (std::size_t i = from; i < e.nops(); ++i)
                kids.push_back(e.op(i));
            return kids;
        }
        throw invalid_input("compile: cannot compile a " +
                            std::string(GiNaC::ex_to<GiNaC::basic>(e).class_name()) + ": " +
                            brief(e, brief_width));
    }

    std::uint32_t lower(const ex& root) {
        if (auto it = memo_.find(root); it != memo_.end())
            return it->second;
        struct frame {
            ex e;
            exvector kids;
            std::size_t next = 0;
        };
        std::vector<frame> stack;
        auto visit = [&](const ex& e) {
            if (is_leaf(e))
                memo_.emplace(e, leaf(e));
            else
                stack.push_back({e, children(e)});
        };
        visit(root);
        while (!stack.empty()) {
            frame& f = stack.back();
            if (f.next < f.kids.size()) {
                const ex k = f.kids[f.next++];
                if (!memo_.count(k))
                    visit(k);
                continue;
            }
            const ex e = f.e;
            const exvector kids = std::move(f.kids);
            stack.pop_back();
            std::vector<std::uint32_t> ids;
            ids.reserve(kids.size());
            bool all_constant = true;
            for (const auto& k : kids) {
                ids.push_back(memo_.at(k));
                all_constant = all_constant && is_constant(ids.back());
            }
            std::uint32_t id;
            try {
                id = all_constant ? fold(e) : build(e, ids);
            } catch (const error&) {
                throw;
            } catch (const std::exception& x) {
                throw domain_error("compile: " + brief(e, brief_width) + " is undefined (" +
                                   ginac_reason(x) + ")");
            }
            memo_.emplace(e, id);
        }
        return memo_.at(root);
    }

    std::uint32_t chain(opcode op, const std::vector<std::uint32_t>& ids, std::size_t from,
                        std::size_t to, const ex& origin) {
        std::uint32_t acc = ids[from];
        for (std::size_t i = from + 1; i < to; ++i)
            acc = emit(op, acc, ids[i], origin);
        return acc;
    }

    /// e^(a + b), lowered to expsum: the rounding error of the sum is put back (kernels.hpp).
    static bool is_exp_of_two_terms(const ex& e) {
        return GiNaC::is_the_function<GiNaC::exp_SERIAL>(e) &&
               GiNaC::is_exactly_a<GiNaC::add>(e.op(0)) && e.op(0).nops() == 2;
    }

    std::uint32_t build(const ex& e, const std::vector<std::uint32_t>& ids) {
        ex u;
        exvector sides;
        if (is_log_one_minus_exp(e, u))
            return emit(opcode::log, emit(opcode::neg, ids[0], 0, e), 0, e);
        if (is_log_one_plus(e, u))
            return emit(opcode::log1p, ids[0], 0, e);
        if (is_exp_minus_one(e, u))
            return emit(opcode::expm1, ids[0], 0, e);
        if (is_one_minus_exp(e, u))
            return emit(opcode::neg, ids[0], 0, e);
        if (is_hypot(e, sides))
            return emit(opcode::hypot, ids[0], ids[1], e);
        if (is_exp_of_two_terms(e)) {
            // e^(z_l - logsumexp(z)): from the logsumexp's parts (kernels::exp_diff2).
            for (int k = 0; k < 2; ++k)
                if (const instruction* in = instruction_of(ids[k]); in && in->op == opcode::neg)
                    if (auto parts = lse_parts_.find(in->a); parts != lse_parts_.end())
                        return emit_list(opcode::expdiff2,
                                         {ids[1 - k], parts->second.first, parts->second.second}, 0,
                                         e);
            return emit(opcode::expsum, ids[0], ids[1], e);
        }
        if (GiNaC::is_exactly_a<GiNaC::add>(e)) {
            exvector terms;
            std::vector<bool> negative;
            plan_sum(ordered_ops(e), terms, negative);
            // Constant terms add up to one constant, added last.
            std::vector<std::uint32_t> plus, minus;
            ex constant_part = 0;
            for (std::size_t i = 0; i < ids.size(); ++i) {
                if (is_constant(ids[i]))
                    constant_part += negative[i] ? -exact_of(ids[i]) : exact_of(ids[i]);
                else
                    (negative[i] ? minus : plus).push_back(ids[i]);
            }
            if (!constant_part.is_zero())
                plus.push_back(constant(constant_part, e));
            // logsumexp(z) - z_y (cross-entropy) as (max - z_y) + tail: exact 0 + tail when the
            // label's logit is the largest, where lse - z_y cancels to the tail's rounding.
            std::uint32_t tail = 0;
            bool add_tail = false;
            if (!minus.empty())
                for (auto& p : plus)
                    if (auto parts = lse_parts_.find(p); parts != lse_parts_.end()) {
                        p = parts->second.first;
                        tail = parts->second.second;
                        add_tail = true;
                        break;
                    }
            std::uint32_t acc;
            std::size_t first_minus = 0;
            if (plus.empty()) {
                acc = emit(opcode::neg, minus[0], 0, e);
                first_minus = 1;
            } else {
                acc = chain(opcode::add, plus, 0, plus.size(), e);
            }
            for (std::size_t i = first_minus; i < minus.size(); ++i)
                acc = emit(opcode::sub, acc, minus[i], e);
            return add_tail ? emit(opcode::add, acc, tail, e) : acc;
        }
        if (GiNaC::is_exactly_a<GiNaC::mul>(e)) {
            // coefficient * constant factors / constant divisors is one constant k; the rest is
            // num / den, and the sign of k becomes a negation.
            const product_plan p = plan_product(ordered_ops(e));
            const std::size_t nn = p.numerator.size();
            ex k = p.coefficient;
            std::vector<std::uint32_t> num_ids, den_ids;
            for (std::size_t i = 0; i < ids.size(); ++i) {
                if (is_constant(ids[i]))
                    k = i < nn ? k * exact_of(ids[i]) : k / exact_of(ids[i]);
                else
                    (i < nn ? num_ids : den_ids).push_back(ids[i]);
            }
            const bool negate = constant_value(k, e) < 0;
            if (negate)
                k = -k;
            std::uint32_t num = 0;
            bool have_num = !num_ids.empty();
            if (have_num)
                num = chain(opcode::mul, num_ids, 0, num_ids.size(), e);
            if (!k.is_equal(ex(1))) {
                const std::uint32_t kc = constant(k, e);
                num = have_num ? emit(opcode::mul, num, kc, e) : kc;
                have_num = true;
            }
            if (den_ids.empty())
                return negate ? emit(opcode::neg, num, 0, e) : num;
            const std::uint32_t den = chain(opcode::mul, den_ids, 0, den_ids.size(), e);
            if (!have_num)
                return emit(opcode::div, constant(negate ? -1 : 1, e), den, e);
            const std::uint32_t result = emit(opcode::div, num, den, e);
            return negate ? emit(opcode::neg, result, 0, e) : result;
        }
        if (GiNaC::is_exactly_a<GiNaC::power>(e)) {
            const ex& x = e.op(1);
            long n = 0;
            if (small_integer(x, n)) {
                if (n < 0)
                    return emit(opcode::div, constant(1, e), ids[0], e);
                if (n == 2)
                    return emit(opcode::mul, ids[0], ids[0], e);
                if (n == 3)
                    return emit(opcode::mul, emit(opcode::mul, ids[0], ids[0], e), ids[0], e);
                return emit(opcode::powi, ids[0], 0, e, static_cast<std::int32_t>(n));
            }
            if (x.is_equal(GiNaC::numeric(1, 2)))
                return emit(opcode::sqrt, ids[0], 0, e);
            if (x.is_equal(GiNaC::numeric(-1, 2)))
                return emit(opcode::div, constant(1, e), ids[0], e);
            return emit(opcode::pow, ids[0], ids[1], e);
        }
        // A function.
        const ml_function f = ml_function_of(e);
        switch (f) {
        case ml_function::sigmoid: {
            if (!sigmoid_arguments_.count(-e.op(0)))
                return emit(opcode::sigmoid, ids[0], 0, e);
            // sigmoid(u) and sigmoid(-u) both run (u's derivative): one e^-|u| for both.
            const instruction* in = instruction_of(ids[0]);
            const std::uint32_t base = in && in->op == opcode::neg ? in->a : ids[0];
            return emit(opcode::sigmoid_e, ids[0], emit(opcode::expnegabs, base, 0, e), e);
        }
        case ml_function::softplus:
            return emit(opcode::softplus, ids[0], 0, e);
        case ml_function::relu:
            return emit(opcode::relu, ids[0], 0, e);
        case ml_function::logloss:
            return emit(opcode::logloss, ids[0], ids[1], e);
        case ml_function::indicator:
            return emit(opcode::indicator, ids[0], ids[1], e);
        case ml_function::logsumexp: {
            // m + tail, with the parts kept for the softmax components e^(z_l - m - tail).
            const std::uint32_t m = emit_list(opcode::lse_max, ids, 0, e);
            const std::uint32_t tail = emit_list(opcode::lse_tail, ids, 0, e);
            const std::uint32_t sum = emit(opcode::add, m, tail, e);
            lse_parts_.emplace(sum, std::make_pair(m, tail));
            return sum;
        }
        case ml_function::softmax: {
            long k = 0;
            if (!small_integer(e.op(0), k) || k < 0 || static_cast<std::size_t>(k) >= ids.size())
                throw invalid_input("compile: the softmax component " +
                                    brief(e.op(0), brief_width) + " is not an index 0.." +
                                    std::to_string(ids.size() - 1));
            return emit_list(opcode::softmax, ids, static_cast<std::int32_t>(k), e);
        }
        case ml_function::crossentropy:
            return emit_list(opcode::crossentropy, ids, 0, e);
        case ml_function::none:
            break;
        }
        const std::string name = GiNaC::ex_to<GiNaC::function>(e).get_name();
        opcode op;
        if (ids.size() != 1 || !named_function_opcode(name, op))
            throw invalid_input("compile: the function " + name + " has no numeric rule (in " +
                                brief(e, brief_width) + ")");
        return emit(op, ids[0], 0, e);
    }

    std::uint32_t emit_list(opcode op, const std::vector<std::uint32_t>& ids, std::int32_t imm,
                            const ex& origin) {
        vn_key key{op, 0, 0, imm, ids};
        if (auto it = numbering_.find(key); it != numbering_.end())
            return it->second;
        instruction in;
        in.op = op;
        in.a = static_cast<std::uint32_t>(operands_.size());
        in.b = static_cast<std::uint32_t>(ids.size());
        in.imm = imm;
        operands_.insert(operands_.end(), ids.begin(), ids.end());
        const std::uint32_t id = push(in, origin);
        numbering_.emplace(std::move(key), id);
        return id;
    }

    const instruction* instruction_of(std::uint32_t id) const {
        const value& v = values_[id];
        return v.kind == value_kind::instruction ? &code_[v.index] : nullptr;
    }

    std::uint32_t emit(opcode op, std::uint32_t a, std::uint32_t b, const ex& origin,
                       std::int32_t imm = 0) {
        // Identities GiNaC cannot see once constants come from folded definitions.
        switch (op) {
        case opcode::mul:
            // 0*x = 0, as GiNaC has it (the tape never multiplies by a constant zero).
            if (is_constant(a, 0))
                return a;
            if (is_constant(b, 0))
                return b;
            if (is_constant(a, 1))
                return b;
            if (is_constant(b, 1))
                return a;
            if (is_constant(a, -1))
                return emit(opcode::neg, b, 0, origin);
            if (is_constant(b, -1))
                return emit(opcode::neg, a, 0, origin);
            break;
        case opcode::add:
            if (is_constant(a, 0))
                return b;
            if (is_constant(b, 0))
                return a;
            break;
        case opcode::sub:
            if (is_constant(b, 0))
                return a;
            if (is_constant(a, 0))
                return emit(opcode::neg, b, 0, origin);
            break;
        case opcode::div:
            if (is_constant(b, 1))
                return a;
            break;
        case opcode::neg:
            if (const instruction* in = instruction_of(a); in && in->op == opcode::neg)
                return in->a;
            break;
        default:
            break;
        }
        const unsigned arity = opcode_arity(op);
        if (is_constant(a) && (arity == 1 || is_constant(b))) {
            exvector operands{exact_[values_[a].index]};
            if (arity == 2)
                operands.push_back(exact_[values_[b].index]);
            ex exact;
            try {
                exact = apply_opcode(op, operands, imm);
            } catch (const error&) {
                throw;
            } catch (const std::exception& x) {
                throw domain_error("compile: " + brief(origin, brief_width) + " is undefined (" +
                                   ginac_reason(x) + ")");
            }
            return constant(exact, origin);
        }
        if (arity == 1)
            b = 0;
        if ((op == opcode::add || op == opcode::mul) &&
            (value_key(b) < value_key(a) || (value_key(b) == value_key(a) && b < a)))
            std::swap(a, b);
        vn_key key{op, a, b, imm, {}};
        if (auto it = numbering_.find(key); it != numbering_.end())
            return it->second;
        instruction in;
        in.op = op;
        in.a = a;
        in.b = b;
        in.imm = imm;
        const std::uint32_t id = push(in, origin);
        numbering_.emplace(std::move(key), id);
        return id;
    }

    std::uint32_t push(instruction in, const ex& origin) {
        const auto id = static_cast<std::uint32_t>(values_.size());
        in.result = id;
        std::uint64_t h =
            mix(11 + static_cast<std::uint64_t>(in.op), static_cast<std::uint64_t>(in.imm));
        for_each_operand(in, [&](std::uint32_t operand) { h = mix(h, value_keys_[operand]); });
        value_keys_.push_back(h);
        values_.push_back({value_kind::instruction, static_cast<std::uint32_t>(code_.size())});
        code_.push_back(in);
        names_.emplace_back();
        origins_.push_back(origin);
        return id;
    }

    template <class F> void for_each_operand(const instruction& in, F&& f) const {
        symgrad::for_each_operand(operands_, in, std::forward<F>(f));
    }

    void fuse_products(std::vector<bool>& live, const std::vector<bool>& varying);

    const tape_source& source_;
    std::uint32_t argument_count_ = 0;
    std::vector<value> values_;
    std::unordered_map<ex, std::uint32_t> memo_;
    std::unordered_set<ex> sigmoid_arguments_;
    std::unordered_map<ex, ex> definitions_; // program symbol -> its value
    /// logsumexp result -> (its lse_max, its lse_tail).
    std::unordered_map<std::uint32_t, std::pair<std::uint32_t, std::uint32_t>> lse_parts_;
    GiNaC::exmap constant_symbols_;
    exvector exact_;
    std::vector<double> doubles_;
    std::unordered_map<ex, std::uint32_t> constant_ids_;
    std::vector<instruction> code_; // operands and results are value ids until finish()
    std::vector<std::uint32_t> operands_;
    std::vector<std::string> names_;
    exvector origins_;
    std::unordered_map<vn_key, std::uint32_t, vn_hash> numbering_;
    std::unordered_map<ex, std::uint64_t> keys_;
    std::vector<std::uint64_t> value_keys_;
    std::vector<std::uint32_t> output_ids_;
};

void tape_builder::fuse_products(std::vector<bool>& live, const std::vector<bool>& varying) {
    std::vector<std::uint32_t> uses(values_.size(), 0);
    for (auto id : output_ids_)
        ++uses[id];
    for (const auto& in : code_)
        if (live[in.result])
            for_each_operand(in, [&](std::uint32_t id) { ++uses[id]; });
    // A product qualifies when this sum is its only use and both are computed as often (a
    // product of weights stays hoisted out of the per-sample part).
    auto single_product = [&](std::uint32_t id, std::uint32_t user) {
        const instruction* p = instruction_of(id);
        return p && p->op == opcode::mul && uses[id] == 1 && live[id] &&
               varying[id] == varying[user];
    };
    for (auto& in : code_) {
        if (!live[in.result] || (in.op != opcode::add && in.op != opcode::sub))
            continue;
        std::uint32_t product, other;
        if (single_product(in.b, in.result)) {
            product = in.b;
            other = in.a;
        } else if (in.op == opcode::add && single_product(in.a, in.result)) {
            product = in.a;
            other = in.b;
        } else {
            continue;
        }
        const instruction& p = *instruction_of(product);
        in.op = in.op == opcode::add ? opcode::muladd : opcode::mulsub;
        in.a = p.a;
        in.b = p.b;
        in.c = other;
        live[product] = false;
    }
}

tape tape_builder::finish() {
    const std::size_t nv = values_.size();
    // Dead-code elimination: what the outputs need.
    std::vector<bool> live(nv, false);
    for (auto id : output_ids_)
        live[id] = true;
    for (std::size_t i = code_.size(); i-- > 0;)
        if (live[code_[i].result])
            for_each_operand(code_[i], [&](std::uint32_t id) { live[id] = true; });
    // Which values differ from sample to sample.
    const std::uint32_t first_input = static_cast<std::uint32_t>(source_.layout.weights.size());
    std::vector<bool> varying(nv, false);
    for (std::size_t id = 0; id < nv; ++id)
        if (values_[id].kind == value_kind::argument && values_[id].index >= first_input)
            varying[id] = true;
    for (const auto& in : code_) {
        bool v = false;
        for_each_operand(in, [&](std::uint32_t id) { v = v || varying[id]; });
        varying[in.result] = v;
    }
    fuse_products(live, varying);
    // The order is canonical: depth first from the outputs in turn, operands in their order
    // (itself canonical), every instruction after its operands; constants numbered by first
    // use. Then the uniform instructions move to the front.
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::vector<std::size_t> instruction_of_value(nv, none);
    for (std::size_t i = 0; i < code_.size(); ++i)
        instruction_of_value[code_[i].result] = i;
    std::vector<bool> seen(nv, false);
    std::vector<std::size_t> dfs;
    std::vector<std::uint32_t> constants;
    for (auto root : output_ids_) {
        std::vector<std::pair<std::uint32_t, std::size_t>> stack{{root, 0}};
        while (!stack.empty()) {
            auto [id, next_operand] = stack.back();
            if (next_operand == 0 && seen[id]) {
                stack.pop_back();
                continue;
            }
            seen[id] = true;
            const std::size_t i = instruction_of_value[id];
            if (i == none) {
                if (values_[id].kind == value_kind::constant)
                    constants.push_back(id);
                stack.pop_back();
                continue;
            }
            std::vector<std::uint32_t> operands;
            for_each_operand(code_[i], [&](std::uint32_t o) { operands.push_back(o); });
            while (next_operand < operands.size() && seen[operands[next_operand]])
                ++next_operand;
            if (next_operand < operands.size()) {
                stack.back().second = next_operand + 1;
                stack.emplace_back(operands[next_operand], 0);
                continue;
            }
            dfs.push_back(i);
            stack.pop_back();
        }
    }
    std::vector<std::uint32_t> reg(nv, 0);
    tape t;
    t.layout_ = source_.layout;
    for (std::size_t id = 0; id < nv; ++id)
        if (values_[id].kind == value_kind::argument)
            reg[id] = values_[id].index;
    std::uint32_t next = argument_count_;
    for (auto id : constants) {
        reg[id] = next++;
        t.constants_.push_back(doubles_[values_[id].index]);
        t.exact_constants_.push_back(exact_[values_[id].index]);
    }
    std::vector<std::size_t> order;
    for (int pass = 0; pass < 2; ++pass)
        for (std::size_t i : dfs)
            if (varying[code_[i].result] == (pass == 1))
                order.push_back(i);
    for (std::size_t i : order)
        reg[code_[i].result] = next++;
    for (std::size_t i : order) {
        instruction in = code_[i];
        in.result = reg[in.result];
        if (opcode_arity(in.op) == 0) {
            const auto start = static_cast<std::uint32_t>(t.operands_.size());
            for (std::uint32_t k = 0; k < in.b; ++k)
                t.operands_.push_back(reg[operands_[in.a + k]]);
            in.a = start;
        } else {
            in.a = reg[in.a];
            if (opcode_arity(in.op) >= 2)
                in.b = reg[in.b];
            if (opcode_arity(in.op) == 3)
                in.c = reg[in.c];
        }
        if (!varying[code_[i].result])
            ++t.uniform_count_;
        t.code_.push_back(in);
        t.names_.push_back(names_[i]);
        t.origins_.push_back(origins_[i]);
    }
    for (std::size_t k = 0; k < output_ids_.size(); ++k) {
        std::string name = k < source_.output_names.size() ? source_.output_names[k]
                                                           : "output " + std::to_string(k);
        t.outputs_.push_back({reg[output_ids_[k]], std::move(name)});
    }
    return t;
}

bool tape::is_varying(std::size_t reg) const {
    if (reg < weight_count())
        return false;
    if (reg < argument_count())
        return true;
    if (reg < first_result())
        return false;
    return reg - first_result() >= uniform_count_;
}

std::string tape::describe(std::size_t reg) const {
    const std::size_t nw = weight_count(), ni = input_count();
    if (reg < nw)
        return symbol_name(layout_.weights[reg]);
    if (reg < nw + ni)
        return symbol_name(layout_.inputs[reg - nw]);
    if (reg < argument_count())
        return symbol_name(layout_.labels[reg - nw - ni]);
    if (reg < first_result())
        return to_text(exact_constants_[reg - first_constant()]);
    const std::size_t i = reg - first_result();
    if (i >= code_.size())
        return "r" + std::to_string(reg);
    if (!names_[i].empty())
        return names_[i];
    return brief(origins_[i], brief_width);
}

std::string tape::listing() const {
    std::ostringstream os;
    auto r = [](std::size_t k) { return "r" + std::to_string(k); };
    for (std::size_t i = 0; i < argument_count(); ++i)
        os << r(i) << " = " << describe(i) << "\n";
    for (std::size_t i = 0; i < constants_.size(); ++i)
        os << r(first_constant() + i) << " = " << to_text(exact_constants_[i]) << "\n";
    for (std::size_t i = 0; i < code_.size(); ++i) {
        const instruction& in = code_[i];
        os << r(in.result) << " = " << opcode_name(in.op);
        if (opcode_arity(in.op) == 0) {
            os << "(";
            for (std::uint32_t k = 0; k < in.b; ++k)
                os << (k ? ", " : "") << r(operands_[in.a + k]);
            os << ")";
        } else {
            os << " " << r(in.a);
            if (opcode_arity(in.op) >= 2)
                os << " " << r(in.b);
            if (opcode_arity(in.op) == 3)
                os << " " << r(in.c);
        }
        if (in.op == opcode::powi || in.op == opcode::softmax)
            os << " [" << in.imm << "]";
        if (i < uniform_count_)
            os << "  (uniform)";
        if (!names_[i].empty())
            os << "  # " << names_[i];
        os << "\n";
    }
    for (const auto& o : outputs_)
        os << o.name << " = " << r(o.reg) << "\n";
    return os.str();
}

tape compile_tape(const tape_source& source) {
    if (source.forms == numerics::as_written) {
        tape_builder builder(source);
        return builder.finish();
    }
    // What runs in floating point is the cancellation-free form (stable_forms.hpp).
    tape_source stable;
    stable.layout = source.layout;
    stable.output_names = source.output_names;
    stable_forms pass(source.layout.labels);
    stable.definitions.reserve(source.definitions.size());
    for (const auto& a : source.definitions)
        stable.definitions.push_back({a.symbol, pass.define(a.symbol, a.value)});
    for (const auto& o : source.outputs)
        stable.outputs.push_back(pass(o));
    tape_builder builder(stable);
    return builder.finish();
}

tape compile_tape(const exvector& outputs, const argument_layout& layout,
                  const std::vector<std::string>& output_names) {
    tape_source s;
    s.layout = layout;
    s.outputs = outputs;
    s.output_names = output_names;
    return compile_tape(s);
}

argument_layout layout_of(const gradient_program& program) {
    return {program.weights(), program.inputs(), program.labels()};
}

tape compile_tape(const gradient_program& program, program_outputs what, numerics forms) {
    tape_source s;
    s.forms = forms;
    s.layout = layout_of(program);
    s.definitions = program.forward();
    if (what == program_outputs::loss_and_gradient)
        s.definitions.insert(s.definitions.end(), program.backward().begin(),
                             program.backward().end());
    s.outputs.push_back(program.loss());
    s.output_names.push_back(GiNaC::is_a<GiNaC::symbol>(program.loss())
                                 ? symbol_name(program.loss())
                                 : std::string("loss"));
    if (what == program_outputs::loss_and_gradient)
        for (std::size_t i = 0; i < program.weights().size(); ++i) {
            s.outputs.push_back(program.gradient()[i]);
            s.output_names.push_back("d/d" + symbol_name(program.weights()[i]));
        }
    return compile_tape(s);
}

} // namespace symgrad
