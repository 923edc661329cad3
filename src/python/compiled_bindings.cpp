// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// compile(): a loss's gradient program on the batch evaluator (batch_evaluator.hpp), called on
// NumPy arrays with one row per sample. The GIL is released while samples run.
#include "bindings.hpp"

#include "symgrad/compile/batch_evaluator.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/program/gradient_program.hpp"
#include "symgrad/text/parser.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <optional>

namespace symgrad::python {

using GiNaC::ex;

namespace {

using double_array = py::array_t<double, py::array::c_style | py::array::forcecast>;

std::vector<std::string> names_of(const std::vector<ex>& symbols) {
    std::vector<std::string> names;
    for (const auto& s : symbols)
        names.push_back(symbol_name(s));
    return names;
}

std::string joined(const std::vector<std::string>& names) {
    std::string list;
    for (const auto& n : names)
        list += (list.empty() ? "" : ", ") + n;
    return list.empty() ? "none" : list;
}

/// Samples of one kind (inputs or labels) as a row-major block: how many, and whether the
/// caller gave a single sample (then the outputs are a float and a vector).
struct sample_block {
    /// The values as an array, or one number given as a Python float or int (no array is made
    /// for it: a single-sample call costs less).
    std::optional<double_array> values;
    double scalar = 0;
    bool is_scalar = false;
    std::size_t samples = 0;
    bool single = false;
    /// Values were given (false for a layout without such columns).
    bool given = false;

    const double* data() const { return is_scalar ? &scalar : (values ? values->data() : nullptr); }
};

/// @p h as samples of @p width columns called @p what (their names @p names): a 2-D array
/// (samples x width), a 1-D array (one sample of width values; or, when width is 1, one value
/// per sample), or a scalar (one sample of one value).
sample_block to_samples(py::handle h, std::size_t width, const char* what,
                        const std::vector<std::string>& names) {
    sample_block b;
    if (width == 0) {
        b.single = true;
        b.samples = 1;
        return b;
    }
    if (h.is_none())
        throw invalid_input(std::string("compiled gradient: values of the ") + what +
                            " are missing (" + joined(names) + ")");
    b.given = true;
    if (width == 1 && (PyFloat_Check(h.ptr()) || PyLong_Check(h.ptr()))) {
        b.scalar = py::cast<double>(h);
        b.is_scalar = b.single = true;
        b.samples = 1;
        return b;
    }
    b.values = double_array::ensure(h);
    if (!*b.values)
        throw invalid_input(std::string("compiled gradient: the ") + what +
                            " must be an array of numbers");
    const auto& a = *b.values;
    const auto shape = [&] {
        std::string s;
        for (py::ssize_t i = 0; i < a.ndim(); ++i)
            s += (i ? ", " : "") + std::to_string(a.shape(i));
        return "(" + s + (a.ndim() == 1 ? ",)" : ")");
    };
    if (a.ndim() == 0) {
        if (width != 1)
            throw shape_error(std::string("compiled gradient: one number given for the ") + what +
                              ", which are " + std::to_string(width) + " (" + joined(names) + ")");
        b.samples = 1;
        b.single = true;
    } else if (a.ndim() == 1) {
        if (width == 1) {
            b.samples = static_cast<std::size_t>(a.shape(0));
        } else if (static_cast<std::size_t>(a.shape(0)) == width) {
            b.samples = 1;
            b.single = true;
        } else {
            throw shape_error(std::string("compiled gradient: the ") + what + " have shape " +
                              shape() + "; one sample has " + std::to_string(width) + " values (" +
                              joined(names) + "), many samples are (N, " + std::to_string(width) +
                              ")");
        }
    } else if (a.ndim() == 2 && static_cast<std::size_t>(a.shape(1)) == width) {
        b.samples = static_cast<std::size_t>(a.shape(0));
    } else {
        throw shape_error(std::string("compiled gradient: the ") + what + " have shape " + shape() +
                          "; expected (N, " + std::to_string(width) + ") for " + joined(names));
    }
    return b;
}

/// A compiled loss and gradient: outputs L, then dL/dw for each weight.
class compiled_gradient {
public:
    compiled_gradient(const gradient_program& p, const evaluator_options& o)
        : evaluator_(compile(p, o)), weights_(names_of(p.weights())),
          inputs_(names_of(evaluator_.program().layout().inputs)),
          labels_(names_of(evaluator_.program().layout().labels)) {}

    const evaluator& engine() const noexcept { return evaluator_; }
    const std::vector<std::string>& weights() const noexcept { return weights_; }
    const std::vector<std::string>& inputs() const noexcept { return inputs_; }
    const std::vector<std::string>& labels() const noexcept { return labels_; }

    /// Per sample: (loss, gradient) as a float and a vector for one sample, or arrays
    /// (N,) and (N, W) for N samples.
    py::object call(py::handle w, py::handle x, py::handle y) const {
        const double_array weights = checked_weights(w);
        const sample_block xs = to_samples(x, inputs_.size(), "inputs", inputs_);
        const sample_block ys = to_samples(y, labels_.size(), "labels", labels_);
        const std::size_t n = sample_count(xs, ys);
        const std::size_t nw = weights_.size();
        const std::size_t ni = inputs_.size(), nl = labels_.size();
        const double* wp = weights.data();
        const double* xp = ni ? xs.data() : nullptr;
        const double* yp = nl ? ys.data() : nullptr;
        if (xs.single && ys.single) {
            py::array_t<double> gradient(static_cast<py::ssize_t>(nw));
            double loss = 0;
            bool finite = true;
            {
                py::gil_scoped_release unlocked;
                finite = one_sample(wp, xp, yp, loss, gradient.mutable_data());
            }
            if (!finite)
                explain(wp, xp, yp);
            return py::make_tuple(loss, gradient);
        }
        py::array_t<double> loss(static_cast<py::ssize_t>(n));
        py::array_t<double> gradient({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(nw)});
        double* lp = loss.mutable_data();
        double* gp = gradient.mutable_data();
        std::size_t first_bad = n;
        {
            py::gil_scoped_release unlocked;
            for (std::size_t s = 0; s < n; ++s)
                if (!one_sample(wp, xp ? xp + s * ni : nullptr, yp ? yp + s * nl : nullptr, lp[s],
                                gp + s * nw) &&
                    first_bad == n)
                    first_bad = s;
        }
        if (first_bad < n)
            explain(wp, xp ? xp + first_bad * ni : nullptr, yp ? yp + first_bad * nl : nullptr);
        return py::make_tuple(loss, gradient);
    }

    /// Sums over the samples on the batch evaluator: (sum of losses, sum of gradients); with
    /// @p mean divided by N.
    py::tuple sum(py::handle w, py::handle x, py::handle y, std::size_t threads, bool mean) const {
        const double_array weights = checked_weights(w);
        const sample_block xs = to_samples(x, inputs_.size(), "inputs", inputs_);
        const sample_block ys = to_samples(y, labels_.size(), "labels", labels_);
        const sample_view view{inputs_.empty() ? nullptr : xs.data(),
                               labels_.empty() ? nullptr : ys.data(), sample_count(xs, ys)};
        batch_result r;
        const std::size_t use = threads ? threads : evaluator_.options().threads;
        {
            py::gil_scoped_release unlocked;
            r = evaluator_.sum_unchecked(weights.data(), view, use);
        }
        // The message names expressions: it is made with the lock held.
        if (!std::all_of(r.sums.begin(), r.sums.end(), [](double v) { return std::isfinite(v); }))
            r = evaluator_.sum(weights.data(), view, use);
        const double scale = mean ? 1.0 / static_cast<double>(r.samples) : 1.0;
        py::array_t<double> gradient(static_cast<py::ssize_t>(weights_.size()));
        for (std::size_t k = 0; k < weights_.size(); ++k)
            gradient.mutable_at(static_cast<py::ssize_t>(k)) = r.sums[k + 1] * scale;
        return py::make_tuple(r.sums[0] * scale, gradient);
    }

    /// For the benchmark (bench/python_bench.py): seconds per call of the C++ evaluator on
    /// the first sample (point) or on all samples (sum), timed in C++ over @p repeats calls,
    /// with the same arguments as call() and sum().
    double time_cpp(py::handle w, py::handle x, py::handle y, std::size_t repeats,
                    bool whole_batch) const {
        const double_array weights = checked_weights(w);
        const sample_block xs = to_samples(x, inputs_.size(), "inputs", inputs_);
        const sample_block ys = to_samples(y, labels_.size(), "labels", labels_);
        const sample_view view{inputs_.empty() ? nullptr : xs.data(),
                               labels_.empty() ? nullptr : ys.data(), sample_count(xs, ys)};
        std::vector<double> out(weights_.size() + 1);
        py::gil_scoped_release unlocked;
        const auto start = std::chrono::steady_clock::now();
        double sink = 0;
        for (std::size_t r = 0; r < repeats; ++r) {
            if (whole_batch) {
                sink += evaluator_.sum_unchecked(weights.data(), view, evaluator_.options().threads)
                            .sums[0];
            } else {
                evaluator_.point_unchecked(weights.data(), view.inputs, view.labels, out.data());
                sink += out[0];
            }
        }
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        volatile double keep = sink; // the calls must not be optimised away
        (void)keep;
        return took.count() / static_cast<double>(repeats ? repeats : 1);
    }

private:
    double_array checked_weights(py::handle w) const {
        double_array a = double_array::ensure(w);
        if (!a || a.ndim() != 1 || static_cast<std::size_t>(a.shape(0)) != weights_.size())
            throw shape_error(
                "compiled gradient: the weights must be a vector of " +
                std::to_string(weights_.size()) + " values (" + joined(weights_) + ")" +
                (a ? ", got shape with " + std::to_string(a.size()) + " values" : std::string()));
        return a;
    }

    static std::size_t sample_count(const sample_block& xs, const sample_block& ys) {
        if (xs.single && ys.single)
            return 1;
        if (xs.single && xs.given)
            throw shape_error("compiled gradient: give the inputs one row per sample, like the "
                              "labels (" +
                              std::to_string(ys.samples) + " samples)");
        if (ys.single && ys.given)
            throw shape_error("compiled gradient: give the labels one row per sample, like the "
                              "inputs (" +
                              std::to_string(xs.samples) + " samples)");
        if (xs.given && ys.given && xs.samples != ys.samples)
            throw shape_error("compiled gradient: " + std::to_string(xs.samples) +
                              " rows of inputs but " + std::to_string(ys.samples) +
                              " rows of labels");
        return xs.given ? xs.samples : ys.samples;
    }

    /// One sample without the lock: numbers only. False when an output is not finite.
    bool one_sample(const double* w, const double* x, const double* y, double& loss,
                    double* gradient) const {
        const std::size_t nw = weights_.size();
        std::array<double, 64> small;
        std::vector<double> large;
        double* out = small.data();
        if (nw + 1 > small.size()) {
            large.resize(nw + 1);
            out = large.data();
        }
        const bool finite = evaluator_.point_unchecked(w, x, y, out);
        loss = out[0];
        std::memcpy(gradient, out + 1, nw * sizeof(double));
        return finite;
    }

    /// The error for a sample whose outputs are not finite, made with the lock held (the
    /// message names expressions; GiNaC's reference counts are not atomic).
    void explain(const double* w, const double* x, const double* y) const {
        std::vector<double> out(weights_.size() + 1);
        evaluator_.point(w, x, y, out.data());
    }

    evaluator evaluator_;
    std::vector<std::string> weights_, inputs_, labels_;
};

std::vector<ex> symbols_from(py::handle h, const std::string& where) {
    std::vector<ex> out;
    if (h.is_none())
        return out;
    const auto one = [&](py::handle item) {
        const ex v = to_ex(item, where);
        if (!GiNaC::is_a<GiNaC::symbol>(v))
            throw invalid_input(where + ": '" + py::str(item).cast<std::string>() +
                                "' is not a name");
        out.push_back(v);
    };
    if (py::isinstance<py::str>(h)) {
        for (const std::string& item : split_list(h.cast<std::string>()))
            one(py::str(item));
    } else if (py::isinstance<expr>(h)) {
        one(h);
    } else {
        for (auto item : h)
            one(item);
    }
    return out;
}

} // namespace

void bind_compiled(py::module_& m) {
    py::class_<compiled_gradient>(m, "Compiled",
                                  "A loss and its gradient compiled for NumPy arrays (see "
                                  "compile).")
        .def("__call__", &compiled_gradient::call, py::arg("w"), py::arg("x") = py::none(),
             py::arg("y") = py::none(),
             "(loss, gradient) per sample: a float and a vector for one sample, arrays (N,) and "
             "(N, W) for N samples (one row per sample).")
        .def(
            "sum",
            [](const compiled_gradient& c, py::handle w, py::handle x, py::handle y,
               std::size_t threads) { return c.sum(w, x, y, threads, false); },
            py::arg("w"), py::arg("x") = py::none(), py::arg("y") = py::none(),
            py::arg("threads") = 0,
            "(sum of the losses, sum of the gradients) over the samples, on the batch "
            "evaluator (threads 0: the compile() setting).")
        .def(
            "mean",
            [](const compiled_gradient& c, py::handle w, py::handle x, py::handle y,
               std::size_t threads) { return c.sum(w, x, y, threads, true); },
            py::arg("w"), py::arg("x") = py::none(), py::arg("y") = py::none(),
            py::arg("threads") = 0, "The sums divided by the number of samples.")
        .def(
            "_time_cpp",
            [](const compiled_gradient& c, py::handle w, py::handle x, py::handle y,
               std::size_t repeats,
               bool whole_batch) { return c.time_cpp(w, x, y, repeats, whole_batch); },
            py::arg("w"), py::arg("x"), py::arg("y"), py::arg("repeats"), py::arg("whole_batch"),
            "Benchmarks only: seconds per C++ call (one sample, or sum over all samples).")
        .def_property_readonly("weights", &compiled_gradient::weights)
        .def_property_readonly("inputs", &compiled_gradient::inputs)
        .def_property_readonly("labels", &compiled_gradient::labels)
        .def_property_readonly("backend",
                               [](const compiled_gradient& c) {
                                   return std::string(backend_name(c.engine().backend()));
                               })
        .def_property_readonly(
            "fallback_reason",
            [](const compiled_gradient& c) { return c.engine().fallback_reason(); })
        .def(
            "listing", [](const compiled_gradient& c) { return c.engine().program().listing(); },
            "The tape, one instruction per line.")
        .def("__repr__", [](const compiled_gradient& c) {
            return "<Compiled gradient over " + joined(c.weights()) + "; inputs " +
                   joined(c.inputs()) + "; labels " + joined(c.labels()) + "; " +
                   backend_name(c.engine().backend()) + ">";
        });

    m.def(
        "compile",
        [](py::handle e, py::handle wrt, py::handle inputs, py::handle labels,
           const std::string& backend, std::size_t threads) {
            const ex loss = to_ex(e, "<expression>");
            const std::vector<ex> weights = to_variables(wrt, loss, "compile: wrt");
            program_options po;
            po.inputs = symbols_from(inputs, "compile: inputs");
            po.labels = symbols_from(labels, "compile: labels");
            evaluator_options eo;
            eo.backend = backend_named(backend, "compile: backend");
            eo.threads = threads;
            const gradient_program program(loss, weights, po);
            return std::make_unique<compiled_gradient>(program, eo);
        },
        py::arg("expr"), py::arg("wrt"), py::arg("inputs") = py::none(),
        py::arg("labels") = py::none(), py::kw_only(), py::arg("backend") = "native",
        py::arg("threads") = 1,
        "Compile a per-sample loss and its gradient with respect to wrt. inputs and labels are "
        "the data columns (default: every other symbol is an input). backend 'native' (C "
        "compiled and waited for; the interpreter without a compiler), 'tiered' (the interpreter "
        "until native code, compiled in the background, is ready; the same bits) or "
        "'interpreter'.");
}

} // namespace symgrad::python
