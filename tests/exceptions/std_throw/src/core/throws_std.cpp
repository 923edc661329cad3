// A fixture for the exception check (cmake/check_exceptions.cmake), never compiled: a throw of a
// standard exception, which the check must reject.
#include <stdexcept>

void fail() {
    throw std::runtime_error("not from the symgrad::error family");
}
