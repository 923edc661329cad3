// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

// Shared by the test suites: seeded randomness (the seed is printed, and SYMGRAD_TEST_SEED in
// the environment overrides it to replay a failure), finite differences as an independent
// oracle, and running the command in-process.

#include <ginac/ginac.h>

#include <cstdint>
#include <exception>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace symgrad::test {

/// The seed for randomised tests: SYMGRAD_TEST_SEED if set, else @p fallback. Printed once per
/// call site through BOOST_TEST_MESSAGE so a failure can be replayed.
std::uint64_t seed(std::uint64_t fallback, const char* what);

/// A random exact rational in [lo, hi] with denominator up to @p max_den.
GiNaC::numeric random_rational(std::mt19937_64& rng, double lo, double hi, long max_den = 64);

/// Random exact values for every symbol of @p e, in [lo, hi].
GiNaC::exmap random_point(const GiNaC::ex& e, std::mt19937_64& rng, double lo = -2, double hi = 2);

/// d e / d v at @p point by a fourth-order central difference in CLN at 50 digits with step
/// 1e-12: an oracle independent of symbolic differentiation (error ~1e-48 * f^(5)).
GiNaC::numeric finite_difference(const GiNaC::ex& e, const GiNaC::ex& v, const GiNaC::exmap& point);

/// |a - b| <= tol * max(1, |a|, |b|)
bool close(const GiNaC::numeric& a, const GiNaC::numeric& b, double tol);

/// @p e with every symbol replaced by a new real symbol of the same name, made after @p skip
/// throwaway symbols. GiNaC orders symbols, and so the terms of sums and the factors of
/// products, by hashes of their serial numbers (and of addresses that change from run to run):
/// each copy is in another order, as another run of the command would be. Output computed from
/// the copies must not differ. @p renaming (optional) receives old symbol -> new symbol.
GiNaC::ex fresh_symbols_copy(const GiNaC::ex& e, unsigned skip, GiNaC::exmap* renaming = nullptr);

/// GiNaC's own print (its operand order), to check that copies differ in it.
std::string ginac_print(const GiNaC::ex& e);

/// Result of running the command in-process.
struct command_result {
    int status;
    std::string out;
    std::string err;
};

/// Run `symgrad ARGS...` in-process.
command_result run_command(const std::vector<std::string>& args);

/// Run a shell-free subprocess (argv[0] looked up in PATH), feeding @p input on stdin; returns
/// its exit status and stdout+stderr. Used to execute generated Python and compile generated C.
command_result run_process(const std::vector<std::string>& argv, const std::string& input = "");

/// Whether an executable is on PATH.
bool have_program(const std::string& name);

/// The message of the exception @p f throws, or "no exception".
template <class F> std::string message_of(F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "no exception";
}

/// Whether @p part occurs in @p text.
bool contains(const std::string& text, const std::string& part);

/// A fresh directory for a suite's files under the temporary directory (the caller removes it).
std::filesystem::path scratch_directory(const std::string& suite);

/// The whole contents of a file ("" when it cannot be read).
std::string read_text(const std::filesystem::path& path);

} // namespace symgrad::test
