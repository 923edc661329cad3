// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/reserved_names.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <string>

namespace symgrad {

namespace {

constexpr std::array<std::string_view, 35> python_keywords = {
    "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
    "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
    "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
    "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};

/// Keywords of C89 to C23 and common extensions, and names the printed code or its compiler
/// define.
constexpr std::string_view c_words[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
    "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict",
    "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while", "alignas", "alignof", "bool", "constexpr", "false",
    "nullptr", "static_assert", "thread_local", "true", "typeof", "typeof_unqual", "asm", "complex",
    "imaginary", "main", "errno", "NULL", "size_t", "ptrdiff_t", "linux", "unix", "i386",
    // <math.h> macros and types without a common prefix
    "INFINITY", "NAN", "SNAN", "SNANF", "SNANL", "math_errhandling", "fpclassify", "isfinite",
    "isinf", "isnan", "isnormal", "signbit", "isgreater", "isgreaterequal", "isless", "islessequal",
    "islessgreater", "isunordered", "issignaling", "issubnormal", "iszero", "iscanonical",
    "iseqsig", "float_t", "double_t", "signgam", "DOMAIN", "SING", "OVERFLOW", "UNDERFLOW", "TLOSS",
    "PLOSS", "X_TLOSS", "MAXFLOAT", "exception", "matherr",
    // the helpers of c_helpers (printers.cpp)
    "sigmoid", "softplus", "relu", "step", "csgn", "logloss", "indicator"};

/// <math.h> functions (glibc, with _GNU_SOURCE); each also with the suffixes below.
constexpr std::string_view math_functions[] = {
    "acos", "asin", "atan", "atan2", "cos", "sin", "tan", "acosh", "asinh", "atanh", "cosh", "sinh",
    "tanh", "exp", "exp2", "exp10", "expm1", "frexp", "ilogb", "llogb", "ldexp", "log", "log10",
    "log1p", "log2", "logb", "logp1", "log2p1", "log10p1", "exp2m1", "exp10m1", "modf", "scalbn",
    "scalbln", "scalb", "cbrt", "fabs", "hypot", "pow", "pown", "powr", "rootn", "rsqrt",
    "compoundn", "sqrt", "erf", "erfc", "lgamma", "lgamma_r", "tgamma", "gamma", "gamma_r", "ceil",
    "floor", "nearbyint", "rint", "lrint", "llrint", "round", "roundeven", "lround", "llround",
    "trunc", "fmod", "remainder", "remquo", "drem", "copysign", "nan", "nextafter", "nexttoward",
    "nextup", "nextdown", "fdim", "fmax", "fmin", "fma", "fmaxmag", "fminmag", "fmaximum",
    "fminimum", "fmaximum_num", "fminimum_num", "fmaximum_mag", "fminimum_mag", "fmaximum_mag_num",
    "fminimum_mag_num", "j0", "j1", "jn", "y0", "y1", "yn", "finite", "significand", "sincos",
    "pow10", "canonicalize", "fromfp", "ufromfp", "fromfpx", "ufromfpx", "getpayload", "setpayload",
    "setpayloadsig", "totalorder", "totalordermag", "acospi", "asinpi", "atanpi", "atan2pi",
    "cospi", "sinpi", "tanpi", "isinf", "isnan",
    // narrowing operations: f (to float) and d (to double) with their argument suffixes
    "fadd", "fsub", "fmul", "fdiv", "ffma", "fsqrt", "dadd", "dsub", "dmul", "ddiv", "dfma",
    "dsqrt"};

constexpr std::string_view math_suffixes[] = {"",     "f",    "l",    "f16", "f32", "f64",
                                              "f128", "f32x", "f64x", "d32", "d64", "d128"};

/// The narrowing operations' families: f32addf64, f64xsqrtf128, ... (TYPE OP TYPE).
constexpr std::string_view float_types[] = {"f16", "f32", "f64", "f128", "f32x", "f64x"};
constexpr std::string_view narrowing_operations[] = {"add", "sub", "mul", "div", "fma", "sqrt"};

/// Prefixes of whole families: M_PI, FP_NAN, MATH_ERRNO, HUGE_VAL, FP_FAST_FMA, symgrad_...
constexpr std::string_view c_prefixes[] = {"M_",   "FP_",      "MATH_",   "HUGE_VAL",
                                           "SNAN", "INFINITY", "symgrad_"};

const std::set<std::string, std::less<>>& c_names() {
    static const std::set<std::string, std::less<>> names = [] {
        std::set<std::string, std::less<>> s(std::begin(c_words), std::end(c_words));
        for (auto f : math_functions)
            for (auto suffix : math_suffixes) {
                s.insert(std::string(f) + std::string(suffix));
                s.insert(std::string(f) + std::string(suffix) + "_r"); // lgammaf128_r
            }
        for (auto to : float_types)
            for (auto op : narrowing_operations)
                for (auto from : float_types)
                    s.insert(std::string(to) + std::string(op) + std::string(from));
        return s;
    }();
    return names;
}

} // namespace

bool reserved_in_c(std::string_view name) {
    // C reserves identifiers that begin with two underscores or an underscore and a capital
    // letter (for keywords such as _Bool and the implementation's macros).
    if (name.size() >= 2 && name[0] == '_' &&
        (name[1] == '_' || (name[1] >= 'A' && name[1] <= 'Z')))
        return true;
    for (auto p : c_prefixes)
        if (name.substr(0, p.size()) == p)
            return true;
    return c_names().count(name) != 0;
}

bool reserved_in_python(std::string_view name) {
    return std::find(python_keywords.begin(), python_keywords.end(), name) != python_keywords.end();
}

} // namespace symgrad
