// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/printers.hpp"
#include "symgrad/core/reserved_names.hpp"
#include "symgrad/text/parser.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using symgrad::test::run_command;
using symgrad::test::run_process;

/// Identifiers <math.h> defines, by the system's compiler (the independent oracle): the
/// macros of `cc -dM -E`, and the functions declared `extern ... name (` in `cc -E`, in GNU
/// mode with _GNU_SOURCE (where glibc declares the most).
std::set<std::string> math_h_identifiers(const fs::path& dir) {
    const fs::path header = dir / "math_only.c";
    std::ofstream(header) << "#include <math.h>\n";
    std::set<std::string> names;
    auto identifier_start = [](char c) { return std::isalpha(static_cast<unsigned char>(c)); };
    auto identifier_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    };
    const auto macros =
        run_process({"cc", "-std=gnu17", "-D_GNU_SOURCE", "-dM", "-E", header.string()});
    std::istringstream lines(macros.out);
    for (std::string define, name; lines >> define >> name;) {
        name = name.substr(0, name.find('('));
        if (define == "#define" && identifier_start(name[0]))
            names.insert(name);
        std::getline(lines, define);
    }
    const auto code = run_process({"cc", "-std=gnu17", "-D_GNU_SOURCE", "-E", header.string()});
    const std::string& text = code.out;
    for (std::size_t at = text.find("extern "); at != std::string::npos;
         at = text.find("extern ", at + 1)) {
        const std::size_t paren = text.find('(', at);
        const std::size_t stop = text.find(';', at);
        if (paren == std::string::npos || paren > stop)
            continue;
        std::size_t end = paren;
        while (end > at && text[end - 1] == ' ')
            --end;
        std::size_t begin = end;
        while (begin > at && identifier_char(text[begin - 1]))
            --begin;
        if (begin < end && identifier_start(text[begin]))
            names.insert(text.substr(begin, end - begin));
    }
    return names;
}

/// Whether symgrad reads @p name as a variable (function names such as exp are not).
bool is_variable_name(const std::string& name) {
    try {
        return GiNaC::is_a<GiNaC::symbol>(symgrad::parse(name));
    } catch (const std::exception&) {
        return false;
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(reserved_names)

BOOST_AUTO_TEST_CASE(renaming_keeps_distinct_names_distinct) {
    using symgrad::code_name;
    using symgrad::output_format;
    BOOST_TEST(code_name("int", output_format::c) == "int_");
    BOOST_TEST(code_name("int_", output_format::c) == "int__");
    BOOST_TEST(code_name("M_E", output_format::c) == "M_E_");
    BOOST_TEST(code_name("x", output_format::c) == "x");
    BOOST_TEST(code_name("x_", output_format::c) == "x_");
    BOOST_TEST(code_name("lambda", output_format::python) == "lambda_");
    BOOST_TEST(code_name("lambda_", output_format::python) == "lambda__");
    BOOST_TEST(code_name("int", output_format::python) == "int");
}

BOOST_AUTO_TEST_CASE(c_output_compiles_for_variables_named_like_math_h_and_keywords) {
    BOOST_TEST_REQUIRE(symgrad::test::have_program("cc"));
    const fs::path dir = symgrad::test::scratch_directory("reserved_names");
    std::set<std::string> names = math_h_identifiers(dir);
    BOOST_TEST_REQUIRE(names.count("M_E") == 1u); // the oracle found <math.h>
    BOOST_TEST_REQUIRE(names.count("j0") == 1u);
    for (const char* n : {"double", "int", "int_", "float", "return", "errno", "main", "x_"})
        names.insert(n);
    std::vector<std::string> variables;
    std::string sum;
    for (const auto& n : names)
        if (is_variable_name(n)) {
            variables.push_back(n);
            sum += (sum.empty() ? "" : " + ") + n;
        }
    BOOST_TEST_MESSAGE(variables.size() << " names");
    BOOST_TEST_REQUIRE(variables.size() > 100u);
    // d/dt (t*(sum)) is the sum: every name appears in the function's body and parameters.
    for (const char* command : {"diff", "simplify"}) {
        const std::vector<std::string> args =
            std::string(command) == "diff"
                ? std::vector<std::string>{"diff", "t*(" + sum + ")", "t", "--format", "c"}
                : std::vector<std::string>{"simplify", "t*(" + sum + ")", "--format", "c"};
        const auto r = run_command(args);
        BOOST_TEST_REQUIRE(r.status == 0, r.err);
        BOOST_TEST(r.out.find("/* Renamed for C: ") != std::string::npos);
        BOOST_TEST(r.out.find("M_E -> M_E_") != std::string::npos);
        BOOST_TEST(r.out.find("int -> int_, int_ -> int__") != std::string::npos);
        BOOST_TEST(r.out.find(", x_ ->") == std::string::npos); // x_ is kept
        const fs::path source = dir / (std::string(command) + ".c");
        std::ofstream(source) << r.out;
        for (const char* standard : {"-std=c99", "-std=gnu17"}) {
            BOOST_TEST_INFO(command << " " << standard);
            const auto cc = run_process({"cc", standard, "-D_GNU_SOURCE", "-Wall", "-Werror", "-c",
                                         "-o", (dir / "out.o").string(), source.string()});
            BOOST_TEST(cc.status == 0, cc.out.substr(0, 2000));
        }
    }
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(emit_c_compiles_whatever_the_variables_and_prefix_are_named) {
    BOOST_TEST_REQUIRE(symgrad::test::have_program("cc"));
    const fs::path dir = symgrad::test::scratch_directory("reserved_names_emit");
    const auto r = run_command({"emit", "c", "sigmoid(M_E*int + FP_NAN*j0) - y0*log(HUGE_VAL)",
                                "--wrt", "M_E,FP_NAN,HUGE_VAL", "--inputs", "int,j0", "--labels",
                                "y0", "--name", "double"});
    BOOST_TEST_REQUIRE(r.status == 0, r.err);
    const fs::path source = dir / "emitted.c";
    std::ofstream(source) << r.out;
    const auto cc = run_process({"cc", "-std=c99", "-Wall", "-Werror", "-c", "-o",
                                 (dir / "out.o").string(), source.string()});
    BOOST_TEST(cc.status == 0, cc.out.substr(0, 2000));
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
