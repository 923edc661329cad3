// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/symbols.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/expression_walk.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <mutex>
#include <set>
#include <unordered_set>

namespace symgrad {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

constexpr std::array<std::string_view, 40> greek = {
    "alpha",    "beta",   "gamma",   "delta",    "epsilon", "zeta",  "eta",   "theta",
    "iota",     "kappa",  "lambda",  "mu",       "nu",      "xi",    "pi",    "rho",
    "sigma",    "tau",    "upsilon", "phi",      "chi",     "psi",   "omega", "varepsilon",
    "vartheta", "varphi", "varrho",  "varsigma", "Gamma",   "Delta", "Theta", "Lambda",
    "Xi",       "Pi",     "Sigma",   "Upsilon",  "Phi",     "Psi",   "Omega", "ell"};

std::string tex_stem(std::string_view stem) {
    if (std::find(greek.begin(), greek.end(), stem) != greek.end())
        return "\\" + std::string(stem);
    if (stem.size() > 1)
        return "\\mathit{" + std::string(stem) + "}";
    return std::string(stem);
}

} // namespace

bool is_valid_symbol_name(std::string_view name) {
    if (name.empty())
        return false;
    auto alpha = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
    if (!alpha(name.front()))
        return false;
    return std::all_of(name.begin(), name.end(), [&](char c) { return alpha(c) || is_digit(c); });
}

std::string tex_name(std::string_view name) {
    // "w_hidden" -> w_{hidden}; "W1_12" -> W_{1,12} (one subscript: TeX rejects W_{1}_{12})
    if (auto u = name.find('_'); u != std::string_view::npos && u > 0 && u + 1 < name.size()) {
        const std::string_view head = name.substr(0, u), rest = name.substr(u + 1);
        std::size_t digits = head.size();
        while (digits > 0 && is_digit(head[digits - 1]))
            --digits;
        if (digits > 0 && digits < head.size())
            return tex_stem(head.substr(0, digits)) + "_{" + std::string(head.substr(digits)) +
                   "," + std::string(rest) + "}";
        return tex_name(head) + "_{" + std::string(rest) + "}";
    }
    std::size_t end = name.size();
    while (end > 0 && is_digit(name[end - 1]))
        --end;
    if (end > 0 && end < name.size())
        return tex_stem(name.substr(0, end)) + "_{" + std::string(name.substr(end)) + "}";
    return tex_stem(name);
}

const GiNaC::realsymbol& symbol_named(std::string_view name) {
    if (!is_valid_symbol_name(name))
        throw invalid_input("symbol_named: '" + std::string(name) +
                            "' is not a valid name (letters, digits and _, not starting "
                            "with a digit)");
    static std::mutex mutex;
    static std::map<std::string, GiNaC::realsymbol, std::less<>> table;
    std::lock_guard<std::mutex> lock(mutex);
    auto it = table.find(name);
    if (it == table.end())
        it = table.emplace(std::string(name), GiNaC::realsymbol(std::string(name), tex_name(name)))
                 .first;
    return it->second;
}

bool natural_less(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (is_digit(a[i]) && is_digit(b[j])) {
            std::size_t i2 = i, j2 = j;
            while (i2 < a.size() && is_digit(a[i2]))
                ++i2;
            while (j2 < b.size() && is_digit(b[j2]))
                ++j2;
            // Compare numerically without overflow: strip zeros, then length, then digits.
            auto ai = a.substr(i, i2 - i), bj = b.substr(j, j2 - j);
            ai.remove_prefix(std::min(ai.find_first_not_of('0'), ai.size()));
            bj.remove_prefix(std::min(bj.find_first_not_of('0'), bj.size()));
            if (ai.size() != bj.size())
                return ai.size() < bj.size();
            if (ai != bj)
                return ai < bj;
            i = i2;
            j = j2;
        } else {
            if (a[i] != b[j])
                return a[i] < b[j];
            ++i;
            ++j;
        }
    }
    return a.size() - i < b.size() - j;
}

std::string symbol_name(const GiNaC::ex& s) {
    if (!GiNaC::is_a<GiNaC::symbol>(s))
        throw invalid_input("symbol_name: not a symbol");
    return GiNaC::ex_to<GiNaC::symbol>(s).get_name();
}

std::vector<GiNaC::ex> free_symbols(const GiNaC::ex& e) {
    std::set<std::string> names;
    std::vector<GiNaC::ex> out;
    for_each_subexpression(e, [&](const GiNaC::ex& node) {
        if (GiNaC::is_a<GiNaC::symbol>(node) && names.insert(symbol_name(node)).second)
            out.push_back(node);
    });
    std::sort(out.begin(), out.end(), [](const GiNaC::ex& x, const GiNaC::ex& y) {
        return natural_less(symbol_name(x), symbol_name(y));
    });
    return out;
}

} // namespace symgrad
