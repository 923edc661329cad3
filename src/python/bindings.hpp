// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

// The Python module symgrad._symgrad: one file per concept, like the command's subcommands.
//   expression_bindings.cpp  Expr, parse, diff, grad, simplify, evaluate, check, errors
//   compiled_bindings.cpp    compile(): a gradient over NumPy arrays
//   problem_bindings.cpp     Problem files and training
// The Python side (src/python/symgrad/) adds SymPy, torch and matplotlib on top.
//
// Threads: GiNaC's reference counts are not atomic, so every call that builds, prints or
// evaluates expressions keeps the GIL, which serialises them. Only the compiled gradients'
// numeric loops (compiled_bindings.cpp) release it.

#include <ginac/ginac.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h> // in every file: the casters of std types must be the same everywhere

#include <string>
#include <vector>

namespace symgrad::python {

namespace py = pybind11;

/// An expression as Python sees it: a GiNaC::ex (immutable, shared).
struct expr {
    GiNaC::ex value;
};

/// An expression from a Python value: an Expr, a str (parsed; @p where names it in parse
/// errors), an int or a float (exact: 0.1 is 1/10, as the parser reads decimals), a
/// fractions.Fraction, or a SymPy expression (through symgrad.from_sympy).
GiNaC::ex to_ex(py::handle h, const std::string& where);

/// Variables from a str ("w1, w2"), an Expr symbol or a list of them; every variable of @p e
/// (natural order) when @p h is None. Names that do not occur in @p e are refused, as the
/// command refuses them.
std::vector<GiNaC::ex> to_variables(py::handle h, const GiNaC::ex& e, const std::string& where);

/// A point from a dict {name or Expr: value} or a str "w1 = 0, w2 = 1/2"; None is the empty
/// point. Class labels of @p e must get class values (check_class_labels).
GiNaC::exmap to_point(py::handle h, const GiNaC::ex& e, const std::string& where);

/// An exact number from a Python value (as to_ex; the value must be a real number).
GiNaC::numeric to_numeric(py::handle h, const std::string& where);

void bind_expressions(py::module_& m);
void bind_compiled(py::module_& m);
void bind_problems(py::module_& m);

} // namespace symgrad::python
