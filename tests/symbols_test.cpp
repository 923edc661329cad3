// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(symbols)
BOOST_AUTO_TEST_SUITE_END()
