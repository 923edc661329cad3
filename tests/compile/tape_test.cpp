// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/compile/tape.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/program/gradient_program.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/train/model.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <map>
#include <unistd.h>

namespace {

using GiNaC::ex;
using namespace symgrad;

ex s(const char* name) {
    return symbol_named(name);
}

std::map<std::string, std::size_t> opcode_counts(const symgrad::tape& t) {
    std::map<std::string, std::size_t> counts;
    for (const auto& in : t.instructions())
        ++counts[opcode_name(in.op)];
    return counts;
}

/// The layout with weights w..., inputs x... and no labels.
argument_layout layout(std::initializer_list<const char*> weights,
                       std::initializer_list<const char*> inputs = {}) {
    argument_layout l;
    for (auto w : weights)
        l.weights.push_back(s(w));
    for (auto x : inputs)
        l.inputs.push_back(s(x));
    return l;
}

template <class F> void check_error_message(F f, const std::string& part) {
    try {
        f();
        BOOST_ERROR("expected an exception mentioning: " << part);
    } catch (const symgrad::error& e) {
        BOOST_TEST_INFO("message: " << e.what());
        BOOST_TEST(std::string(e.what()).find(part) != std::string::npos);
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(tape)

BOOST_AUTO_TEST_CASE(a_subexpression_shared_by_two_outputs_is_computed_once) {
    const ex z = parse("sigmoid(w*x)");
    const symgrad::tape t = compile_tape({z + 1, 2 * z}, layout({"w"}, {"x"}));
    const auto counts = opcode_counts(t);
    BOOST_TEST(counts.at("sigmoid") == 1u);
    BOOST_TEST(counts.at("mul") == 2u); // w*x and 2*sigmoid(w*x)
    BOOST_TEST(t.instructions().size() == 4u);
    BOOST_TEST(t.outputs().size() == 2u);
}

BOOST_AUTO_TEST_CASE(constant_subexpressions_fold_into_one_exact_constant) {
    // w*(log(2) + 1/3): the sum of constants is one constant, kept exactly for CLN.
    const symgrad::tape t = compile_tape({parse("w*(log(2) + 1/3)")}, layout({"w"}));
    BOOST_TEST(t.instructions().size() == 1u);
    BOOST_TEST(t.constant_count() == 1u);
    const ex exact = t.exact_constants()[0];
    BOOST_TEST((exact - GiNaC::log(ex(2)) - GiNaC::numeric(1, 3)).is_zero());
    BOOST_TEST(t.constants()[0] == std::log(2.0) + 1.0 / 3.0, boost::test_tools::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(definitions_with_constant_values_fold_into_their_uses) {
    // t = 0 makes sigmoid(t) the constant 1/2 and t*w vanish.
    tape_source src;
    src.layout = layout({"w"});
    const ex t0 = GiNaC::realsymbol("t0");
    src.definitions.push_back({t0, 0});
    src.outputs = {symgrad::sigmoid(t0) * s("w") + t0 * s("w")};
    const symgrad::tape t = compile_tape(src);
    BOOST_TEST(t.instructions().size() == 1u);
    BOOST_TEST(t.constants()[0] == 0.5);
}

BOOST_AUTO_TEST_CASE(quotients_powers_and_roots_lower_to_cheap_operations) {
    const auto l = layout({"a", "b"});
    BOOST_TEST(opcode_counts(compile_tape({parse("a/b")}, l)).at("div") == 1u);
    const auto square = opcode_counts(compile_tape({parse("a^2")}, l));
    BOOST_TEST(square.at("mul") == 1u);
    BOOST_TEST(square.count("powi") == 0u);
    BOOST_TEST(opcode_counts(compile_tape({parse("sqrt(a)")}, l)).at("sqrt") == 1u);
    const auto inverse_square = opcode_counts(compile_tape({parse("1/a^2")}, l));
    BOOST_TEST(inverse_square.at("div") == 1u);
    BOOST_TEST(inverse_square.at("mul") == 1u);
    BOOST_TEST(opcode_counts(compile_tape({parse("a^7")}, l)).at("powi") == 1u);
    BOOST_TEST(opcode_counts(compile_tape({parse("a^b")}, l)).at("pow") == 1u);
}

BOOST_AUTO_TEST_CASE(a_product_used_once_by_a_sum_fuses_into_it) {
    const auto l = layout({"a", "b", "c"});
    const symgrad::tape t = compile_tape({parse("a*b + c")}, l);
    BOOST_TEST(t.instructions().size() == 1u);
    BOOST_TEST(opcode_counts(t).at("muladd") == 1u);
    const symgrad::tape d = compile_tape({parse("c - a*b")}, l);
    BOOST_TEST(opcode_counts(d).at("mulsub") == 1u);
    // Used twice: it stays a product.
    const symgrad::tape twice = compile_tape({parse("a*b + c"), parse("a*b")}, l);
    BOOST_TEST(opcode_counts(twice).count("muladd") == 0u);
}

BOOST_AUTO_TEST_CASE(values_of_weights_alone_are_hoisted_before_the_per_sample_part) {
    const symgrad::tape t =
        compile_tape({parse("sigmoid(w1*w2)*x + x")}, layout({"w1", "w2"}, {"x"}));
    BOOST_TEST(t.uniform_count() == 2u); // w1*w2 and its sigmoid
    for (std::size_t i = 0; i < t.instructions().size(); ++i)
        BOOST_TEST(t.is_varying(t.instructions()[i].result) == (i >= t.uniform_count()));
}

BOOST_AUTO_TEST_CASE(the_loss_alone_drops_the_backward_pass) {
    const gradient_program p = per_sample_program(seed000_softmax_classifier());
    const symgrad::tape full = compile_tape(p);
    const symgrad::tape loss = compile_tape(p, program_outputs::loss);
    BOOST_TEST(loss.outputs().size() == 1u);
    BOOST_TEST(full.outputs().size() == 5u);
    BOOST_TEST(loss.instructions().size() < full.instructions().size());
    // The backward pass's g_l = exp(z_l - lse) (an expdiff2 over the logsumexp's parts) is
    // not in the loss-only tape.
    BOOST_TEST(opcode_counts(loss).count("expdiff2") == 0u);
    BOOST_TEST(opcode_counts(full).at("expdiff2") == 2u);
}

BOOST_AUTO_TEST_CASE(the_layout_puts_weights_inputs_labels_then_constants_in_registers) {
    const gradient_program p = per_sample_program(seed000_softmax_classifier());
    const symgrad::tape t = compile_tape(p);
    BOOST_TEST(t.weight_count() == 4u);
    BOOST_TEST(t.input_count() == 1u);
    BOOST_TEST(t.label_count() == 1u);
    BOOST_TEST(t.describe(0) == "w1");
    BOOST_TEST(t.describe(4) == "x");
    BOOST_TEST(t.describe(5) == "y");
    BOOST_TEST(t.first_constant() == 6u);
    BOOST_TEST(t.outputs()[0].name == "L");
    BOOST_TEST(t.outputs()[1].name == "d/dw1");
    // Program symbols name the registers that compute them.
    BOOST_TEST(t.listing().find("# z0") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_same_program_compiles_to_the_same_tape_in_another_process) {
    // GiNaC orders terms by hashes that differ between processes (they mix in addresses); the
    // tape must not, or the native cache would miss. The built `symgrad` command compiles the
    // seed model in two processes; their C (the tape's code, without program symbol names,
    // which the gradient program numbers in GiNaC's order) must be identical.
    const auto self = std::filesystem::read_symlink("/proc/self/exe");
    const auto cli = self.parent_path().parent_path() / "symgrad";
    if (!std::filesystem::exists(cli)) {
        BOOST_TEST_MESSAGE("skipped: " << cli << " is not built");
        return;
    }
    const std::vector<std::string> args{cli.string(),
                                        "emit",
                                        "c",
                                        "logsumexp(w1*x+w3, w2*x+w4) - indicator(y,0)*(w1*x+w3) "
                                        "- indicator(y,1)*(w2*x+w4)",
                                        "--wrt",
                                        "w1,w2,w3,w4",
                                        "--inputs",
                                        "x",
                                        "--labels",
                                        "y"};
    const auto a = test::run_process(args);
    const auto b = test::run_process(args);
    BOOST_TEST(a.status == 0);
    BOOST_TEST(a.out == b.out);
    BOOST_TEST(a.out.find("sg_logsumexp(") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_symbol_outside_the_layout_is_named) {
    check_error_message([] { compile_tape({parse("w*x + z")}, layout({"w"}, {"x"})); },
                        "the symbol z is neither in the argument layout");
}

BOOST_AUTO_TEST_CASE(a_symbol_listed_twice_in_the_layout_is_refused) {
    check_error_message(
        [] {
            compile_tape({parse("w*x")}, layout({"w"}, {"w", "x"}));
        },
        "w is listed twice in the argument layout");
}

BOOST_AUTO_TEST_CASE(a_function_without_a_numeric_rule_is_named) {
    check_error_message([] { compile_tape({GiNaC::zeta(s("w"))}, layout({"w"})); },
                        "the function zeta has no numeric rule");
}

BOOST_AUTO_TEST_CASE(an_undefined_constant_is_a_domain_error) {
    tape_source src;
    src.layout = layout({"w"});
    const ex t0 = GiNaC::realsymbol("t0");
    src.definitions.push_back({t0, 0});
    src.outputs = {GiNaC::log(t0) + s("w")};
    try {
        compile_tape(src);
        BOOST_ERROR("expected a domain_error");
    } catch (const domain_error& e) {
        BOOST_TEST(std::string(e.what()).find("compile: log(t0) is undefined") !=
                   std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
