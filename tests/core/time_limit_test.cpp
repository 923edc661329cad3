// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/time_limit.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <stdexcept>
#include <thread>

using symgrad::run_with_time_limit;

BOOST_AUTO_TEST_SUITE(time_limit)

BOOST_AUTO_TEST_CASE(a_result_comes_back_from_the_child) {
    const auto r = run_with_time_limit([] { return std::string(100000, 'x') + "end"; }, 10);
    BOOST_TEST_REQUIRE(r.value.has_value());
    BOOST_TEST(r.value->size() == 100003u);
    BOOST_TEST(r.value->substr(100000) == "end");
    BOOST_TEST(!r.timed_out);
}

BOOST_AUTO_TEST_CASE(work_past_the_limit_is_stopped) {
    // The work never ends: the test finishes only if the child is killed.
    const auto r = run_with_time_limit(
        [] {
            for (;;)
                std::this_thread::sleep_for(std::chrono::seconds(1));
            return std::string();
        },
        0.3);
    BOOST_TEST(!r.value.has_value());
    BOOST_TEST(r.timed_out);
}

BOOST_AUTO_TEST_CASE(an_exception_in_the_child_is_reported) {
    const auto r =
        run_with_time_limit([]() -> std::string { throw std::runtime_error("boom"); }, 10);
    BOOST_TEST(!r.value.has_value());
    BOOST_TEST(!r.timed_out);
    BOOST_TEST(r.failure == "boom");
}

BOOST_AUTO_TEST_SUITE_END()
