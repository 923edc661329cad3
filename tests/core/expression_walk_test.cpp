// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/expression_walk.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/symbols.hpp"

#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <vector>

namespace {

using GiNaC::ex;

/// a_0 = x, a_{k+1} = {sin(a_k), cos(a_k)}: a tree of 2^n leaves, a DAG of 3n + 1 objects.
/// (Held and in lists, so that building it walks nothing: GiNaC's evaluation of a product of
/// sin(a_k) would ask every level for its properties, which walks the tree.)
ex doubling_chain(std::size_t n) {
    ex a = symgrad::symbol_named("x");
    for (std::size_t k = 0; k < n; ++k)
        a = GiNaC::lst{GiNaC::sin(a).hold(), GiNaC::cos(a).hold()};
    return a;
}

/// Position of each visited object in the visiting order.
std::size_t position(const std::vector<ex>& order, const ex& e) {
    for (std::size_t i = 0; i < order.size(); ++i)
        if (GiNaC::are_ex_trivially_equal(order[i], e))
            return i;
    return order.size();
}

} // namespace

BOOST_AUTO_TEST_SUITE(expression_walk)

BOOST_AUTO_TEST_CASE(each_distinct_object_is_visited_once_not_each_path) {
    // 60 levels: a walk of the tree would take 2^60 steps.
    const ex e = doubling_chain(60);
    std::size_t pre = 0, post = 0;
    symgrad::for_each_subexpression(e, [&](const ex&) { ++pre; });
    symgrad::for_each_subexpression_postorder(
        e, [](const ex&) { return false; }, [&](const ex&) { ++post; });
    BOOST_TEST(pre == 3u * 60 + 1);
    BOOST_TEST(post == 3u * 60 + 1);
}

BOOST_AUTO_TEST_CASE(pre_order_reaches_each_node_from_one_visited_before) {
    const ex e = doubling_chain(4);
    std::vector<ex> order;
    symgrad::for_each_subexpression(e, [&](const ex& n) { order.push_back(n); });
    BOOST_TEST(GiNaC::are_ex_trivially_equal(order.front(), e));
    // Depth first: every node after the root is an operand of a node visited before it (a
    // shared operand comes after its first parent, not after all of them).
    for (std::size_t i = 1; i < order.size(); ++i) {
        bool has_earlier_parent = false;
        for (std::size_t j = 0; j < i && !has_earlier_parent; ++j)
            for (std::size_t k = 0; k < order[j].nops(); ++k)
                has_earlier_parent =
                    has_earlier_parent || GiNaC::are_ex_trivially_equal(order[j].op(k), order[i]);
        BOOST_TEST(has_earlier_parent);
    }
    // The first operand's subexpressions before the second operand: {sin(a), cos(a)}.
    BOOST_TEST(GiNaC::are_ex_trivially_equal(order[1], e.op(0)));
}

BOOST_AUTO_TEST_CASE(post_order_visits_the_operands_first) {
    const ex e = doubling_chain(4);
    std::vector<ex> order;
    symgrad::for_each_subexpression_postorder(
        e, [](const ex&) { return false; }, [&](const ex& n) { order.push_back(n); });
    BOOST_TEST(GiNaC::are_ex_trivially_equal(order.back(), e));
    for (std::size_t i = 0; i < order.size(); ++i)
        for (std::size_t k = 0; k < order[i].nops(); ++k)
            BOOST_TEST(position(order, order[i].op(k)) < i);
}

BOOST_AUTO_TEST_CASE(post_order_skips_what_is_done_and_what_only_it_reaches) {
    const ex x = symgrad::symbol_named("x");
    const ex y = symgrad::symbol_named("y");
    const ex inner = GiNaC::sin(x); // x is reached only through inner
    const ex e = GiNaC::exp(inner) + y;
    std::vector<ex> order;
    symgrad::for_each_subexpression_postorder(
        e, [&](const ex& n) { return GiNaC::are_ex_trivially_equal(n, inner); },
        [&](const ex& n) { order.push_back(n); });
    BOOST_TEST(position(order, inner) == order.size());
    BOOST_TEST(position(order, x) == order.size());
    BOOST_TEST(position(order, y) < order.size());
    BOOST_TEST(order.size() == 3u); // y, exp(sin(x)), the sum
}

BOOST_AUTO_TEST_CASE(a_false_result_stops_the_walk) {
    std::size_t visited = 0;
    symgrad::for_each_subexpression(doubling_chain(10), [&](const ex&) { return ++visited < 5; });
    BOOST_TEST(visited == 5u);
}

BOOST_AUTO_TEST_CASE(deep_chains_need_no_recursion) {
    // Every link is kept in `links` and released outermost first: GiNaC's destructor of a
    // chain recurses once per link, which overflows the stack of a sanitized Debug build.
    std::vector<ex> links{symgrad::symbol_named("z")};
    const std::size_t depth = 20000;
    for (std::size_t k = 0; k < depth; ++k)
        links.push_back(symgrad::sigmoid(links.back()));
    std::size_t count = 0;
    symgrad::for_each_subexpression_postorder(
        links.back(), [](const ex&) { return false; }, [&](const ex&) { ++count; });
    BOOST_TEST(count == depth + 1);
    while (!links.empty())
        links.pop_back();
}

BOOST_AUTO_TEST_SUITE_END()
