// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/spelling.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(spelling)

BOOST_AUTO_TEST_CASE(edit_distance_counts_single_character_edits) {
    BOOST_TEST(symgrad::edit_distance("sigmoid", "sigmoid") == 0u);
    BOOST_TEST(symgrad::edit_distance("sigmod", "sigmoid") == 1u);  // deletion
    BOOST_TEST(symgrad::edit_distance("sigmiod", "sigmoid") == 1u); // transposition
    BOOST_TEST(symgrad::edit_distance("softmux", "softmax") == 1u); // substitution
    BOOST_TEST(symgrad::edit_distance("", "abc") == 3u);
    BOOST_TEST(symgrad::edit_distance("kitten", "sitting") == 3u);
}

BOOST_AUTO_TEST_CASE(closest_name_only_suggests_plausible_typos) {
    const std::vector<std::string> names{"sigmoid", "softmax", "softplus", "exp", "log"};
    BOOST_TEST(symgrad::closest_name("sigmod", names).value() == "sigmoid");
    BOOST_TEST(symgrad::closest_name("softmx", names).value() == "softmax");
    BOOST_TEST(!symgrad::closest_name("banana", names).has_value());
    BOOST_TEST(!symgrad::closest_name("ab", names).has_value());
    BOOST_TEST(symgrad::did_you_mean("lg", names) == "; did you mean 'log'?");
    BOOST_TEST(symgrad::did_you_mean("zzz", names) == "");
}

BOOST_AUTO_TEST_SUITE_END()
