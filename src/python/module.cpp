// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// The extension module symgrad._symgrad, and symgrad's exceptions as Python exceptions: the
// same family (symgrad::error and its kinds), the same messages, carets included.
#include "bindings.hpp"

#include "symgrad/compile/native.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/version.hpp"
#include "symgrad/train/trainer.hpp"

#include <exception>

namespace symgrad::python {

namespace {

/// The Python classes of the exceptions. Created once with the module and never freed (the
/// interpreter owns them through the module's attributes).
struct exception_types {
    PyObject* error = nullptr;
    PyObject* parse_error = nullptr;
    PyObject* invalid_input = nullptr;
    PyObject* unbound_symbols = nullptr;
    PyObject* domain_error = nullptr;
    PyObject* shape_error = nullptr;
    PyObject* native_unavailable = nullptr;
    PyObject* training_failed = nullptr;
};

exception_types& types() {
    static exception_types t;
    return t;
}

/// A new exception class symgrad.NAME deriving from @p bases, added to @p m.
PyObject* add_exception(py::module_& m, const char* name, const char* doc, py::tuple bases) {
    const std::string qualified = std::string("symgrad.") + name;
    PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
    if (type == nullptr)
        throw py::error_already_set();
    m.add_object(name, py::reinterpret_borrow<py::object>(type));
    return type;
}

/// Raise @p type with @p message, and @p attributes set on the instance.
void raise(PyObject* type, const std::string& message, const py::dict& attributes = {}) {
    py::object instance = py::reinterpret_borrow<py::object>(type)(message);
    for (auto item : attributes)
        py::setattr(instance, item.first, item.second);
    PyErr_SetObject(type, instance.ptr());
}

void translate(std::exception_ptr p) {
    const exception_types& t = types();
    try {
        std::rethrow_exception(p);
    } catch (const parse_error& e) {
        py::dict a;
        a["message"] = e.message();
        a["source"] = e.source();
        a["line"] = e.line();
        a["column"] = e.column();
        a["line_text"] = e.line_text();
        raise(t.parse_error, e.what(), a);
    } catch (const unbound_symbols& e) {
        py::dict a;
        a["names"] = e.names();
        raise(t.unbound_symbols, e.what(), a);
    } catch (const training_failed& e) {
        raise(t.training_failed, e.what());
    } catch (const domain_error& e) {
        raise(t.domain_error, e.what());
    } catch (const shape_error& e) {
        raise(t.shape_error, e.what());
    } catch (const native_unavailable& e) {
        raise(t.native_unavailable, e.what());
    } catch (const invalid_input& e) {
        raise(t.invalid_input, e.what());
    } catch (const error& e) {
        raise(t.error, e.what());
    }
}

void bind_errors(py::module_& m) {
    exception_types& t = types();
    const auto builtin = [](PyObject* type) { return py::reinterpret_borrow<py::object>(type); };
    t.error = add_exception(m, "Error", "Base of every symgrad exception.",
                            py::make_tuple(builtin(PyExc_Exception)));
    const py::object error = builtin(t.error);
    t.parse_error = add_exception(
        m, "ParseError",
        "Malformed text. str() is 'source:line:column: message' with the line and a caret; "
        "attributes message, source, line, column, line_text.",
        py::make_tuple(error, builtin(PyExc_ValueError)));
    t.invalid_input = add_exception(m, "InvalidInput", "Well-formed input that is not acceptable.",
                                    py::make_tuple(error, builtin(PyExc_ValueError)));
    t.unbound_symbols = add_exception(
        m, "UnboundSymbols", "Values are missing for symbols; attribute names lists them all.",
        py::make_tuple(error, builtin(PyExc_ValueError)));
    t.domain_error =
        add_exception(m, "DomainError", "A value is undefined, not real or not finite.",
                      py::make_tuple(error, builtin(PyExc_ArithmeticError)));
    t.shape_error = add_exception(m, "ShapeError", "Shapes of vectors or arrays do not fit.",
                                  py::make_tuple(error, builtin(PyExc_ValueError)));
    t.native_unavailable =
        add_exception(m, "NativeUnavailable", "The native backend cannot be used here.",
                      py::make_tuple(error, builtin(PyExc_RuntimeError)));
    t.training_failed = add_exception(m, "TrainingFailed", "Training stopped on a failure.",
                                      py::make_tuple(builtin(t.domain_error)));
    py::register_exception_translator(translate);
}

} // namespace

} // namespace symgrad::python

PYBIND11_MODULE(_symgrad, m) {
    namespace sp = symgrad::python;
    m.doc() = "symgrad's C++ engine (use the package symgrad, which adds SymPy, torch and "
              "matplotlib on top)";
    m.attr("__version__") = symgrad::version;
    symgrad::register_ml_functions();
    sp::bind_errors(m);
    sp::bind_expressions(m);
    sp::bind_compiled(m);
    sp::bind_problems(m);
}
