// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/error.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/program/program_printer.hpp"
#include "symgrad/train/model.hpp"

#include <boost/test/unit_test.hpp>

using namespace symgrad;
using GiNaC::ex;

BOOST_AUTO_TEST_SUITE(program_printer)

BOOST_AUTO_TEST_CASE(chain_rule_program_prints_forward_then_backward) {
    const ex &x = symbol_named("x"), &y = symbol_named("y");
    const gradient_program p(GiNaC::pow(x, 2) + x * y + GiNaC::pow(x + y, 2), {x, y});
    BOOST_TEST(program_text(p) == "forward:\n"
                                  "  t1 = x + y\n"
                                  "  L = t1^2 + x*y + x^2\n"
                                  "backward:\n"
                                  "  d_t1 = 2*t1\n"
                                  "  dL/dx = 2*x + d_t1 + y\n"
                                  "  dL/dy = d_t1 + x\n");
}

BOOST_AUTO_TEST_CASE(softmax_classifier_reads_like_the_backprop_schema) {
    const std::string text = program_text(per_sample_program(seed000_softmax_classifier()));
    for (const char* line :
         {"  z0 = w1*x + w3\n", "  lse1 = logsumexp(z0, z1)\n", "  g1 = exp(z0 - lse1)\n",
          "  d_z0 = g1 - indicator(y, 0)\n", "  dL/dw1 = d_z0*x\n", "  dL/dw4 = d_z1\n"})
        BOOST_TEST(text.find(line) != std::string::npos, line << " not in\n" << text);
    BOOST_TEST(text.find("forward:\n") == 0u);
    BOOST_TEST(text.find("backward:\n") > text.find("  L = "));
}

BOOST_AUTO_TEST_CASE(latex_is_one_aligned_block_with_partial_fractions) {
    const std::string tex = program_latex(per_sample_program(seed004_logistic_regression()));
    BOOST_TEST(tex.find("\\begin{aligned}\n&\\text{forward:} \\\\\n") == 0u, tex);
    BOOST_TEST(tex.find("&\\text{backward:}") != std::string::npos, tex);
    BOOST_TEST(tex.find("\\frac{\\partial L}{\\partial w} &= ") != std::string::npos, tex);
    BOOST_TEST(tex.find("\\end{aligned}\n") == tex.size() - 14, tex);
    BOOST_TEST(program_to_format(per_sample_program(seed004_logistic_regression()),
                                 output_format::latex) == tex);
}

BOOST_AUTO_TEST_CASE(layer_and_unit_indices_become_one_subscript_in_latex) {
    // h1_2 (layer 1, unit 2) is h_{1,2}: TeX rejects two subscripts on one base.
    const std::string tex = program_latex(per_sample_program(seed004_network_2221()));
    for (const char* part :
         {"h_{1,2} &= ", "o_{2,1} &= \\sigma\\left(h_{2,1}\\right)", "d_{h_{1,1}} &= "})
        BOOST_TEST(tex.find(part) != std::string::npos, part << " not in\n" << tex);
}

BOOST_AUTO_TEST_CASE(a_loss_without_assignments_still_prints_its_line) {
    const ex& w = symbol_named("w");
    BOOST_TEST(program_text(gradient_program(w, {w})) ==
               "forward:\n  L = w\nbackward:\n  dL/dw = 1\n");
}

BOOST_AUTO_TEST_CASE(code_formats_are_refused) {
    const ex& w = symbol_named("w");
    try {
        program_to_format(gradient_program(w * w, {w}), output_format::c);
        BOOST_FAIL("no exception");
    } catch (const invalid_input& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "program_to_format: a gradient program prints as text or latex, not as code "
                   "(compile it instead)");
    }
}

BOOST_AUTO_TEST_SUITE_END()
