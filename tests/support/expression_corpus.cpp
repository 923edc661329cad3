// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// symgrad_expression_corpus SEED COUNT: the differential tests' generated expressions (the
// trust issue's corpus, tests/support/expression_generator.hpp), one per line, alternating
// ordinary and extreme ones as differential_test.cpp does, for test suites in other languages
// (the Python module's SymPy round trip).
#include "support/expression_generator.hpp"

#include <cstdint>
#include <exception>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: symgrad_expression_corpus SEED COUNT\n";
        return 2;
    }
    try {
        const std::uint64_t seed = std::stoull(argv[1]);
        const unsigned long count = std::stoul(argv[2]);
        symgrad::test::expression_generator ordinary(seed,
                                                     {symgrad::test::generator_mode::ordinary});
        symgrad::test::expression_generator extreme(seed ^ 0x9e3779b97f4a7c15ULL,
                                                    {symgrad::test::generator_mode::extreme});
        for (unsigned long i = 0; i < count; ++i)
            std::cout << (i % 4 == 3 ? extreme : ordinary).next().text << "\n";
    } catch (const std::exception& e) {
        std::cerr << "symgrad_expression_corpus: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
