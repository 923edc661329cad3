// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/error.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/text/parser.hpp"

#include <boost/test/unit_test.hpp>

#include <thread>

BOOST_AUTO_TEST_SUITE(symbols)

BOOST_AUTO_TEST_CASE(the_same_name_is_the_same_real_symbol) {
    const GiNaC::ex a = symgrad::symbol_named("w1");
    const GiNaC::ex b = symgrad::symbol_named("w1");
    BOOST_TEST(a.is_equal(b));
    BOOST_TEST((a - b).is_zero());
    BOOST_TEST(a.info(GiNaC::info_flags::real));
    BOOST_TEST(GiNaC::conjugate(a).is_equal(a));
}

BOOST_AUTO_TEST_CASE(symbols_from_many_threads_are_one) {
    std::vector<GiNaC::ex> seen(4);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < seen.size(); ++i)
        threads.emplace_back([&, i] { seen[i] = symgrad::symbol_named("shared_name"); });
    for (auto& t : threads)
        t.join();
    for (const auto& s : seen)
        BOOST_TEST(s.is_equal(seen[0]));
}

BOOST_AUTO_TEST_CASE(invalid_names_are_rejected) {
    BOOST_TEST(symgrad::is_valid_symbol_name("W1_12"));
    BOOST_TEST(!symgrad::is_valid_symbol_name("1w"));
    BOOST_TEST(!symgrad::is_valid_symbol_name("w-1"));
    BOOST_CHECK_EXCEPTION(symgrad::symbol_named("1w"), symgrad::invalid_input,
                          [](const symgrad::invalid_input& e) {
                              return std::string(e.what()).rfind("symbol_named: '1w' is not a "
                                                                 "valid name",
                                                                 0) == 0;
                          });
}

BOOST_AUTO_TEST_CASE(tex_names_use_subscripts_and_greek_letters) {
    BOOST_TEST(symgrad::tex_name("w1") == "w_{1}");
    BOOST_TEST(symgrad::tex_name("W1_12") == "W_{1,12}");
    BOOST_TEST(symgrad::tex_name("W_12") == "W_{12}");
    BOOST_TEST(symgrad::tex_name("w_hidden") == "w_{hidden}");
    BOOST_TEST(symgrad::tex_name("alpha") == "\\alpha");
    BOOST_TEST(symgrad::tex_name("beta2") == "\\beta_{2}");
    BOOST_TEST(symgrad::tex_name("x") == "x");
    BOOST_TEST(symgrad::tex_name("loss") == "\\mathit{loss}");
}

BOOST_AUTO_TEST_CASE(free_symbols_are_in_natural_order_and_walk_shared_dags) {
    const auto s = symgrad::free_symbols(symgrad::parse("w10 + w2*x + w1"));
    BOOST_TEST_REQUIRE(s.size() == 4u);
    BOOST_TEST(symgrad::symbol_name(s[0]) == "w1");
    BOOST_TEST(symgrad::symbol_name(s[1]) == "w2");
    BOOST_TEST(symgrad::symbol_name(s[2]) == "w10");
    BOOST_TEST(symgrad::symbol_name(s[3]) == "x");
    // A DAG of depth 200 with each level used twice: a tree walk would take 2^200 steps.
    GiNaC::ex e = symgrad::symbol_named("z");
    for (int i = 0; i < 200; ++i)
        e = GiNaC::pow(e, 2) + GiNaC::sin(e);
    BOOST_TEST(symgrad::free_symbols(e).size() == 1u);
    BOOST_TEST(symgrad::natural_less("w2", "w10"));
    BOOST_TEST(!symgrad::natural_less("w10", "w2"));
    BOOST_TEST(symgrad::natural_less("a", "b"));
}

BOOST_AUTO_TEST_SUITE_END()
