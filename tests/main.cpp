#define BOOST_TEST_MODULE symgrad
#include <boost/test/unit_test.hpp>
