// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "support/expression_generator.hpp"

#include <algorithm>
#include <stdexcept>

namespace symgrad::test {

namespace {

std::string paren(const std::string& s) {
    return "(" + s + ")";
}

} // namespace

expression_generator::expression_generator(std::uint64_t seed, generator_options options)
    : random_(seed), options_(std::move(options)), used_(options_.variables.size(), false) {
    if (options_.variables.empty())
        throw std::invalid_argument("expression_generator: no variables");
    for (const auto& v : options_.variables)
        if (v == "y")
            throw std::invalid_argument("expression_generator: 'y' is the label, not a variable");
}

generated_expression expression_generator::take_used() {
    generated_expression g;
    for (std::size_t i = 0; i < used_.size(); ++i)
        if (used_[i])
            g.variables.push_back(options_.variables[i]);
    std::sort(g.variables.begin(), g.variables.end());
    g.label_classes = label_classes_;
    std::fill(used_.begin(), used_.end(), false);
    label_classes_ = 0;
    exp_nesting_ = 0;
    return g;
}

generated_expression expression_generator::next() {
    take_used();
    const int depth = static_cast<int>(random_.between(1, std::max(1, options_.max_depth)));
    const std::string text = any(depth);
    generated_expression g = take_used();
    g.text = text;
    return g;
}

std::string expression_generator::subexpression(int depth) {
    return any(std::max(0, depth));
}

std::string expression_generator::positive_subexpression(int depth) {
    return positive(std::max(0, depth));
}

generated_expression expression_generator::next_context(int depth) {
    take_used();
    std::string c = "@";
    for (int level = 0; level < depth; ++level) {
        const int side = std::max(0, static_cast<int>(random_.below(3)));
        switch (random_.below(14)) {
        case 0:
            c = paren(c + " + " + any(side));
            break;
        case 1:
            c = paren(any(side) + " - " + c);
            break;
        case 2:
            c = paren(any(side) + "*" + c);
            break;
        case 3:
            c = paren(c + ")/(" + positive(side));
            break;
        case 4:
            c = "sigmoid(" + c + ")";
            break;
        case 5:
            c = "softplus(" + c + ")";
            break;
        case 6:
            c = "log(1 + " + paren(c) + "^2)";
            break;
        case 7:
            c = paren(c) + "^" + std::to_string(random_.between(2, 3));
            break;
        case 8:
            c = "tanh(" + c + ")";
            break;
        case 9:
            c = "logsumexp(" + c + ", " + any(side) + ")";
            break;
        case 10: {
            const int k = static_cast<int>(random_.between(2, 3));
            std::string zs = c;
            for (int i = 1; i < k; ++i)
                zs += ", " + any(side);
            c = "crossentropy(softmax({" + zs + "}), " + label(k) + ")";
            break;
        }
        case 11:
            c = options_.piecewise ? "abs(" + c + ")" : "exp(-" + paren(c) + "^2)";
            break;
        case 12:
            c = options_.piecewise ? "relu(" + c + ")" : "sigmoid(2*" + paren(c) + ")";
            break;
        default:
            c = paren(c + ")*(" + positive(side));
            break;
        }
    }
    generated_expression g = take_used();
    g.text = c;
    return g;
}

std::string expression_generator::variable() {
    const std::size_t i = static_cast<std::size_t>(random_.below(options_.variables.size()));
    used_[i] = true;
    return options_.variables[i];
}

std::string expression_generator::label(int classes) {
    if (options_.labels && random_.chance(50)) {
        label_classes_ = label_classes_ == 0 ? classes : std::min(label_classes_, classes);
        return "y";
    }
    return std::to_string(random_.below(static_cast<std::uint64_t>(classes)));
}

std::string expression_generator::positive_constant() {
    const bool extreme = options_.mode == generator_mode::extreme;
    switch (random_.below(extreme ? 7 : 4)) {
    case 0:
        return std::to_string(random_.between(1, 9));
    case 1:
        return paren(std::to_string(random_.between(1, 19)) + "/" +
                     std::to_string(random_.between(2, 12)));
    case 2: {
        static const std::vector<std::string> decimals{"0.5", "0.25", "1.5",  "2.5e-3",
                                                       "0.1", "3.75", "1e-2", "0.001"};
        return random_.pick(decimals);
    }
    case 3:
        return std::to_string(random_.between(10, 1000));
    default: {
        static const std::vector<std::string> huge{
            "10^300",    "10^(-300)", "1e-300",    "1e300",      "exp(-1000)", "exp(1000)",
            "2^(-1000)", "10^(-20)",  "10^20",     "1e-100",     "exp(-200)",  "10^(-150)",
            "10^150",    "(1/3)^500", "exp(-745)", "7*10^(-320)"};
        return random_.pick(huge);
    }
    }
}

std::string expression_generator::constant() {
    if (random_.chance(12))
        return random_.chance(50) ? "0" : "(-1)";
    const std::string c = positive_constant();
    return random_.chance(30) ? "(-" + c + ")" : c;
}

std::string expression_generator::leaf() {
    return random_.chance(65) ? variable() : constant();
}

std::string expression_generator::scaled(int depth) {
    const std::string z = any(depth);
    if (options_.mode != generator_mode::extreme || random_.chance(40))
        return z;
    static const std::vector<std::string> factors{"200", "1000", "(-1000)", "10^6", "(-200)"};
    switch (random_.below(3)) {
    case 0:
        return random_.pick(factors) + "*" + paren(z);
    case 1:
        return paren(z) + (random_.chance(50) ? " - 1000" : " + 1000");
    default:
        return paren(z) + "/" + random_.pick(std::vector<std::string>{"1000", "10^6"});
    }
}

std::string expression_generator::exponent_argument(int depth) {
    // exp(exp(exp(x))) leaves every finite range: at most one exp inside another.
    ++exp_nesting_;
    std::string z = exp_nesting_ > 2 ? "tanh(" + any(depth) + ")" : scaled(depth);
    --exp_nesting_;
    return z;
}

std::string expression_generator::positive(int depth) {
    if (depth <= 0) {
        if (random_.chance(60))
            return positive_constant();
        return paren(variable() + "^2 + " + positive_constant());
    }
    const int d = depth - 1;
    switch (random_.below(14)) {
    case 0:
        return "exp(" + exponent_argument(d) + ")";
    case 1:
        return "sigmoid(" + scaled(d) + ")";
    case 2:
        return "softplus(" + scaled(d) + ")";
    case 3:
        return paren("1 + " + paren(any(d)) + "^2");
    case 4:
        return options_.piecewise ? paren("abs(" + any(d) + ") + " + positive_constant())
                                  : paren(positive(d) + " + " + positive_constant());
    case 5:
        return "sqrt(" + positive(d) + ")";
    case 6:
        return paren(positive(d) + "*" + positive(d));
    case 7:
        return paren(positive(d) + " + " + positive(d));
    case 8:
        return paren(positive(d) + "/" + positive(d));
    case 9:
        return paren(positive(d)) + "^" + paren(std::to_string(random_.between(-3, 4)));
    case 10:
        return paren(positive(d)) + "^" +
               paren(std::to_string(random_.between(-5, 5)) + "/" +
                     std::to_string(random_.between(2, 4)));
    case 11:
        return paren("1 - sigmoid(" + scaled(d) + ")");
    case 12:
        return "exp(-" + paren(any(d)) + "^2)";
    default: {
        const int k = static_cast<int>(random_.between(2, 3));
        std::string s = "softmax(" + std::to_string(random_.below(static_cast<std::uint64_t>(k)));
        for (int i = 0; i < k; ++i)
            s += ", " + scaled(d);
        return s + ")";
    }
    }
}

std::string expression_generator::probability(int depth) {
    switch (random_.below(5)) {
    case 0:
        return "sigmoid(" + scaled(depth) + ")";
    case 1:
        return paren("1 - sigmoid(" + scaled(depth) + ")");
    case 2:
        return "1/" + paren("1 + " + positive(depth));
    case 3:
        return "exp(-" + positive(depth) + ")";
    default: {
        const int k = static_cast<int>(random_.between(2, 3));
        std::string s = "softmax(" + std::to_string(random_.below(static_cast<std::uint64_t>(k)));
        for (int i = 0; i < k; ++i)
            s += ", " + scaled(depth);
        return s + ")";
    }
    }
}

std::string expression_generator::any(int depth) {
    if (depth <= 0)
        return leaf();
    const int d = depth - 1;
    const int pieces = options_.piecewise ? 4 : 0;
    const auto kind = random_.below(static_cast<std::uint64_t>(25 + pieces));
    if (kind >= 25) {
        static const std::vector<std::string> names{"abs", "step", "csgn", "relu"};
        return names[kind - 25] + "(" + scaled(d) + ")";
    }
    switch (kind) {
    case 0:
    case 1:
        return paren(any(d) + " + " + any(d));
    case 2:
    case 3:
        return paren(any(d) + " - " + any(d));
    case 4:
    case 5:
        return paren(any(d) + "*" + any(d));
    case 6:
        return paren(any(d) + "/" + (random_.chance(80) ? positive(d) : any(d)));
    case 7:
        return "-" + paren(any(d));
    case 8: {
        static const std::vector<int> exponents{2, 2, 3, 4, 5, -1, -2, -3};
        const int n = random_.pick(exponents);
        return paren(any(d)) + "^" + (n < 0 ? paren(std::to_string(n)) : std::to_string(n));
    }
    case 9: {
        static const std::vector<std::string> exponents{"1/2", "3/2",  "-1/2", "1/3",
                                                        "2/3", "-5/2", "5/4",  "0.5"};
        return paren(positive(d)) + "^(" + random_.pick(exponents) + ")";
    }
    case 10:
        return "exp(" + exponent_argument(d) + ")";
    case 11:
        return "log(" + (random_.chance(85) ? positive(d) : any(d)) + ")";
    case 12:
        return "sqrt(" + (random_.chance(85) ? positive(d) : any(d)) + ")";
    case 13:
        return "tanh(" + scaled(d) + ")";
    case 14:
        return "sigmoid(" + scaled(d) + ")";
    case 15:
        return "softplus(" + scaled(d) + ")";
    case 16:
        return "logloss(" + probability(d) + ", " + label(2) + ")";
    case 17: {
        const int k = static_cast<int>(random_.between(1, 3));
        const bool list = random_.chance(30);
        std::string s = list ? "logsumexp({" : "logsumexp(";
        for (int i = 0; i < k; ++i)
            s += (i ? ", " : "") + scaled(d);
        return s + (list ? "})" : ")");
    }
    case 18:
        return probability(d);
    case 19: {
        const int k = static_cast<int>(random_.between(2, 3));
        std::string s = "crossentropy(softmax({";
        for (int i = 0; i < k; ++i)
            s += (i ? ", " : "") + scaled(d);
        return s + "}), " + label(k) + ")";
    }
    case 20: {
        const std::string p = probability(d);
        return "crossentropy({" + p + ", 1 - " + p + "}, " + label(2) + ")";
    }
    case 21: {
        const int k = static_cast<int>(random_.between(2, 3));
        return paren("indicator(" + label(k) + ", " +
                     std::to_string(random_.below(static_cast<std::uint64_t>(k))) + ")*" +
                     paren(any(d)));
    }
    case 22:
        return paren(positive(d)) + "^" + paren(any(std::min(d, 1)));
    default:
        return leaf();
    }
}

std::string fill_hole(const std::string& context, const std::string& filler) {
    std::string out;
    for (char c : context) {
        if (c == '@')
            out += "(" + filler + ")";
        else
            out += c;
    }
    return out;
}

} // namespace symgrad::test
