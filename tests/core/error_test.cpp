// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/error.hpp"

#include "symgrad/core/assert.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

BOOST_AUTO_TEST_SUITE(error)

BOOST_AUTO_TEST_CASE(located_messages_have_line_column_and_caret) {
    const symgrad::parse_error e("unexpected token", "file.txt", 3, 5, "a + * b", 1);
    BOOST_TEST(std::string(e.what()) == "file.txt:3:5: unexpected token\n    a + * b\n        ^");
    BOOST_TEST(e.line() == 3u);
    BOOST_TEST(e.column() == 5u);
    BOOST_TEST(e.message() == "unexpected token");
}

BOOST_AUTO_TEST_CASE(carets_keep_tabs_and_count_utf8_characters) {
    BOOST_TEST(symgrad::format_located_message("m", "f", 1, 3, "\tя x", 2) ==
               "f:1:3: m\n    \tя x\n    \t ^~");
}

BOOST_AUTO_TEST_CASE(unbound_symbols_lists_every_name) {
    const symgrad::unbound_symbols e("eval", {"w1", "x"});
    BOOST_TEST(std::string(e.what()) == "eval: no value given for symbols w1, x");
    BOOST_TEST(e.names().size() == 2u);
    const symgrad::unbound_symbols one("grad", {"y"});
    BOOST_TEST(std::string(one.what()) == "grad: no value given for symbol y");
}

BOOST_AUTO_TEST_CASE(every_error_is_a_std_runtime_error) {
    try {
        throw symgrad::shape_error("matmul: 2x3 times 2x3");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(std::string(e.what()) == "matmul: 2x3 times 2x3");
    }
}

BOOST_AUTO_TEST_CASE(a_failed_assertion_names_file_line_and_condition) {
    // The function SYMGRAD_ASSERT calls in Debug builds, callable in every build.
    try {
        symgrad::detail::assertion_failed("i < n", "src/compile/tape.cpp", 42);
        BOOST_FAIL("assertion_failed returned");
    } catch (const symgrad::internal_error& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "src/compile/tape.cpp:42: internal error: the invariant i < n does not hold");
    }
}

BOOST_AUTO_TEST_CASE(symgrad_assert_throws_in_debug_and_is_compiled_out_in_release) {
    int evaluations = 0;
    const auto count = [&evaluations](bool result) {
        ++evaluations;
        return result;
    };
    SYMGRAD_ASSERT(count(true)); // holds: nothing happens in either build
#ifndef NDEBUG
    BOOST_TEST(evaluations == 1);
    const int line = __LINE__ + 2;
    try {
        SYMGRAD_ASSERT(count(evaluations == 2));
        BOOST_FAIL("SYMGRAD_ASSERT did not throw");
    } catch (const symgrad::internal_error& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("error_test.cpp:" + std::to_string(line) + ": internal error") !=
                   std::string::npos);
        BOOST_TEST(what.find("the invariant count(evaluations == 2) does not hold") !=
                   std::string::npos);
    }
#else
    // Release: the condition is not evaluated, and a false one does not throw.
    BOOST_CHECK_NO_THROW(SYMGRAD_ASSERT(count(false)));
    BOOST_TEST(evaluations == 0);
#endif
}

BOOST_AUTO_TEST_SUITE_END()
