// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/program/program_printer.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/symbols.hpp"

namespace symgrad {

using GiNaC::ex;

namespace {

/// The loss's name, and whether the loss needs its own line (when it is not the symbol of the
/// last forward assignment, e.g. a loss that is a single weight).
struct loss_line {
    std::string name = "L";
    bool separate = true;
};

loss_line loss_of(const gradient_program& p) {
    loss_line l;
    if (GiNaC::is_a<GiNaC::symbol>(p.loss()) && p.definition(p.loss())) {
        l.name = symbol_name(p.loss());
        l.separate = false;
    }
    return l;
}

std::string tex_of(const ex& symbol) {
    return GiNaC::ex_to<GiNaC::symbol>(symbol).get_TeX_name();
}

} // namespace

std::string program_text(const gradient_program& p) {
    const loss_line loss = loss_of(p);
    std::string out = "forward:\n";
    for (const auto& a : p.forward())
        out += "  " + symbol_name(a.symbol) + " = " + to_text(a.value) + "\n";
    if (loss.separate)
        out += "  " + loss.name + " = " + to_text(p.loss()) + "\n";
    out += "backward:\n";
    for (const auto& a : p.backward())
        out += "  " + symbol_name(a.symbol) + " = " + to_text(a.value) + "\n";
    for (std::size_t i = 0; i < p.weights().size(); ++i)
        out += "  d" + loss.name + "/d" + symbol_name(p.weights()[i]) + " = " +
               to_text(p.gradient()[i]) + "\n";
    return out;
}

std::string program_latex(const gradient_program& p) {
    const loss_line loss = loss_of(p);
    const std::string loss_tex = loss.separate ? std::string("L") : tex_of(p.loss());
    std::string out = "\\begin{aligned}\n&\\text{forward:} \\\\\n";
    for (const auto& a : p.forward())
        out += tex_of(a.symbol) + " &= " + to_latex(a.value) + " \\\\\n";
    if (loss.separate)
        out += "L &= " + to_latex(p.loss()) + " \\\\\n";
    out += "&\\text{backward:} \\\\\n";
    for (const auto& a : p.backward())
        out += tex_of(a.symbol) + " &= " + to_latex(a.value) + " \\\\\n";
    for (std::size_t i = 0; i < p.weights().size(); ++i) {
        out += "\\frac{\\partial " + loss_tex + "}{\\partial " + tex_of(p.weights()[i]) +
               "} &= " + to_latex(p.gradient()[i]);
        out += i + 1 < p.weights().size() ? " \\\\\n" : "\n";
    }
    out += "\\end{aligned}\n";
    return out;
}

std::string program_to_format(const gradient_program& p, output_format format) {
    switch (format) {
    case output_format::text:
        return program_text(p);
    case output_format::latex:
        return program_latex(p);
    case output_format::python:
    case output_format::c:
        break;
    }
    throw invalid_input("program_to_format: a gradient program prints as text or latex, not as "
                        "code (compile it instead)");
}

} // namespace symgrad
