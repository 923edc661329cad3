// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// Problem files run as worked solutions (symgrad run), collected as structured steps, and
// training (trainer.hpp) with its history as NumPy arrays.
#include "bindings.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/spelling.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/problem/problem.hpp"
#include "symgrad/problem/problem_report.hpp"
#include "symgrad/problem/problem_source.hpp"
#include "symgrad/program/gradient_program.hpp"
#include "symgrad/train/dataset.hpp"
#include "symgrad/train/optimizer.hpp"
#include "symgrad/train/trainer.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

namespace symgrad::python {

using GiNaC::ex;

namespace {

/// One result of a statement, as the report received it.
struct report_item {
    std::string kind; // formula, values, table, text, outcome
    std::string label, latex, text;
    GiNaC::ex value;
    std::vector<std::pair<std::string, std::string>> rows;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> table;
    bool passed = false;
    /// kind "training": what ran, and its records.
    std::optional<train_result> result;
    table_options table_shown;
};

struct report_step {
    std::size_t line = 0;
    std::string text;
    std::vector<std::string> notes;
    std::vector<report_item> items;
};

/// Collects the worked solution as steps, and passes every call on to the text and Markdown
/// reports (the command's own renderings).
class collecting_report : public problem_report {
public:
    collecting_report(std::ostream& text, std::ostream& markdown)
        : text_(make_report(report_format::text, text)),
          markdown_(make_report(report_format::markdown, markdown)) {}

    void begin_file(const std::string& file, const std::vector<std::string>& header) override {
        header_ = header;
        for (auto* r : both())
            r->begin_file(file, header);
    }
    void statement(std::size_t line, const std::string& text) override {
        steps_.push_back({line, text, std::move(pending_notes_), {}});
        pending_notes_.clear();
        for (auto* r : both())
            r->statement(line, text);
    }
    void formula(const std::string& label, const std::string& latex,
                 const GiNaC::ex& value) override {
        report_item i;
        i.kind = "formula";
        i.label = label;
        i.latex = latex;
        i.value = value;
        add(std::move(i));
        for (auto* r : both())
            r->formula(label, latex, value);
    }
    void values(const std::vector<std::pair<std::string, std::string>>& rows) override {
        report_item i;
        i.kind = "values";
        i.rows = rows;
        add(std::move(i));
        for (auto* r : both())
            r->values(rows);
    }
    void table(const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows) override {
        report_item i;
        i.kind = "table";
        i.header = header;
        i.table = rows;
        add(std::move(i));
        for (auto* r : both())
            r->table(header, rows);
    }
    void text(const std::string& lines) override {
        report_item i;
        i.kind = "text";
        i.text = lines;
        add(std::move(i));
        for (auto* r : both())
            r->text(lines);
    }
    void training(const std::string& description, const train_result& result,
                  const table_options& table) override {
        report_item i;
        i.kind = "training";
        i.text = description;
        i.result = result;
        i.table_shown = table;
        add(std::move(i));
        for (auto* r : both())
            r->training(description, result, table);
    }
    bool wants_objective() const override {
        return text_->wants_objective() || markdown_->wants_objective();
    }
    void note(const std::vector<std::string>& lines) override {
        pending_notes_.insert(pending_notes_.end(), lines.begin(), lines.end());
        for (auto* r : both())
            r->note(lines);
    }
    void outcome(bool passed, const std::string& message) override {
        report_item i;
        i.kind = "outcome";
        i.passed = passed;
        i.text = message;
        add(std::move(i));
        for (auto* r : both())
            r->outcome(passed, message);
    }
    void end_file(std::size_t expectations, std::size_t failures) override {
        for (auto* r : both())
            r->end_file(expectations, failures);
    }

    const std::vector<std::string>& header() const noexcept { return header_; }
    const std::vector<report_step>& steps() const noexcept { return steps_; }

private:
    std::vector<problem_report*> both() { return {text_.get(), markdown_.get()}; }
    void add(report_item i) {
        if (steps_.empty())
            steps_.push_back({});
        steps_.back().items.push_back(std::move(i));
    }

    std::unique_ptr<problem_report> text_, markdown_;
    std::vector<std::string> header_;
    std::vector<report_step> steps_;
    std::vector<std::string> pending_notes_;
};

double to_double_or_nan(const std::optional<GiNaC::numeric>& n) {
    return n ? n->to_double() : std::numeric_limits<double>::quiet_NaN();
}

py::dict history_of(const train_result& r, const table_options& table,
                    const std::string& description) {
    std::vector<const train_record*> records{&r.start};
    for (const auto& rec : r.records)
        records.push_back(&rec);
    const auto n = static_cast<py::ssize_t>(records.size());
    const auto nw = static_cast<py::ssize_t>(r.weight_names.size());
    py::array_t<double> weights({n, nw}), loss(n), norm(n), rate(n);
    py::array_t<long long> epoch(n), step(n);
    for (py::ssize_t i = 0; i < n; ++i) {
        const train_record& rec = *records[static_cast<std::size_t>(i)];
        epoch.mutable_at(i) = static_cast<long long>(rec.epoch);
        step.mutable_at(i) = static_cast<long long>(rec.step);
        rate.mutable_at(i) =
            i == 0 ? std::numeric_limits<double>::quiet_NaN() : rec.rate.to_double();
        loss.mutable_at(i) = to_double_or_nan(rec.loss);
        norm.mutable_at(i) = to_double_or_nan(rec.gradient_norm);
        for (py::ssize_t k = 0; k < nw; ++k)
            weights.mutable_at(i, k) = static_cast<std::size_t>(k) < rec.weights.size()
                                           ? rec.weights[static_cast<std::size_t>(k)].to_double()
                                           : std::numeric_limits<double>::quiet_NaN();
    }
    py::dict d;
    d["epoch"] = epoch;
    d["step"] = step;
    d["rate"] = rate;
    d["weights"] = weights;
    d["loss"] = loss;
    d["gradient_norm"] = norm;
    d["weight_names"] = r.weight_names;
    std::vector<expr> final_weights;
    for (const auto& w : r.weights)
        final_weights.push_back(expr{w});
    d["final_weights"] = final_weights;
    d["reason"] = std::string(stop_reason_name(r.reason));
    d["message"] = r.message;
    d["ok"] = r.ok();
    d["epochs"] = r.epochs;
    d["steps"] = r.steps;
    d["table"] = table_lines(r, table);
    d["description"] = description;
    return d;
}

py::dict item_dict(const report_item& i) {
    py::dict d;
    d["kind"] = i.kind;
    if (i.kind == "formula") {
        d["label"] = i.label;
        d["latex"] = i.latex;
        d["value"] = expr{i.value};
    } else if (i.kind == "values") {
        d["rows"] = i.rows;
    } else if (i.kind == "table") {
        d["header"] = i.header;
        d["rows"] = i.table;
    } else if (i.kind == "training") {
        d["description"] = i.text;
        d["history"] = history_of(*i.result, i.table_shown, i.text);
    } else if (i.kind == "outcome") {
        d["passed"] = i.passed;
        d["message"] = i.text;
    } else {
        d["text"] = i.text;
    }
    return d;
}

problem_options options_of(long digits, const std::vector<std::string>& allowed, bool trust_all) {
    if (digits < 1 || digits > 1000)
        throw invalid_input("Problem: digits must be 1 to 1000, got " + std::to_string(digits));
    problem_options o;
    o.digits = digits;
    o.paths.allowed = allowed;
    o.paths.trust_all = trust_all;
    return o;
}

/// A word of a train statement: quoted when it has white space in it (as the command does).
std::string word_text(const std::string& w) {
    if (w.empty() || w.find_first_of(" \t") != std::string::npos)
        return "\"" + w + "\"";
    return w;
}

/// Run @p source, collecting the worked solution as a dict for symgrad.ProblemResult.
py::dict run_source(const problem_source& source, const std::string& path,
                    const problem_options& o) {
    std::ostringstream text, markdown;
    collecting_report report(text, markdown);
    const problem_outcome outcome = run_problem(source, report, o);
    py::list steps;
    for (const auto& s : report.steps()) {
        py::dict step;
        step["line"] = s.line;
        step["statement"] = s.text;
        step["notes"] = s.notes;
        py::list items;
        for (const auto& i : s.items)
            items.append(item_dict(i));
        step["items"] = items;
        steps.append(step);
    }
    py::dict d;
    d["file"] = path;
    d["header"] = report.header();
    d["steps"] = steps;
    d["expectations"] = outcome.expectations;
    d["failures"] = outcome.failures;
    d["files_read"] = outcome.files_read;
    d["text"] = text.str();
    d["markdown"] = markdown.str();
    return d;
}

py::dict run_problem_file(const std::string& path, long digits,
                          const std::vector<std::string>& allowed, bool trust_all) {
    const problem_options o = options_of(digits, allowed, trust_all);
    return run_source(read_problem_file(path), path, o);
}

/// `symgrad train FILE METHOD [OPTIONS]...`: the file's declarations, data and definitions,
/// then one train statement made of @p words (its show, check, expect and train statements
/// are left out).
py::dict train_problem_file(const std::string& path, const std::vector<std::string>& words,
                            long digits, const std::vector<std::string>& allowed, bool trust_all) {
    const problem_options o = options_of(digits, allowed, trust_all);
    const problem_source file = read_problem_file(path);
    problem_source source;
    source.file = file.file;
    source.header_comments = file.header_comments;
    for (const auto& st : file.statements) {
        const std::string kw = st.keyword();
        if (kw != "show" && kw != "check" && kw != "expect" && kw != "train")
            source.statements.push_back(st);
    }
    std::string line = "train";
    for (const auto& w : words)
        line += " " + word_text(w);
    source.statements.push_back(statement_source{"<train>", {source_line{1, line, ""}}, {}});
    return run_source(source, path, o);
}

// ---- training ---------------------------------------------------------------------------------

std::optional<GiNaC::numeric> optional_number(const py::dict& kw, const char* key) {
    if (!kw.contains(key) || kw[key].is_none())
        return std::nullopt;
    return to_numeric(kw[key], std::string("train: ") + key);
}

std::size_t count_of(const py::dict& kw, const char* key) {
    const auto v = kw[key].cast<long long>();
    if (v < 0)
        throw invalid_input(std::string("train: ") + key + " must not be negative, got " +
                            std::to_string(v));
    return static_cast<std::size_t>(v);
}

/// train(...)'s keyword arguments as the trainer's options; unknown keywords are refused with
/// the closest known one.
train_options options_from(const py::dict& kw) {
    static const std::vector<std::string> known{"method",
                                                "rate",
                                                "epochs",
                                                "steps",
                                                "batch",
                                                "shuffle",
                                                "mean",
                                                "exact",
                                                "digits",
                                                "momentum",
                                                "dampening",
                                                "weight_decay",
                                                "alpha",
                                                "eps",
                                                "centered",
                                                "beta1",
                                                "beta2",
                                                "lr_decay",
                                                "initial_accumulator",
                                                "restart",
                                                "damping",
                                                "line_search",
                                                "armijo",
                                                "shrink",
                                                "every",
                                                "record_steps",
                                                "backend",
                                                "threads",
                                                "gradient_tolerance",
                                                "loss_tolerance",
                                                "schedule",
                                                "factor",
                                                "every_epochs"};
    for (auto item : kw) {
        const auto key = item.first.cast<std::string>();
        if (std::find(known.begin(), known.end(), key) == known.end())
            throw invalid_input("train: unknown option '" + key + "'" + did_you_mean(key, known));
    }
    train_options o;
    optimizer_settings& s = o.optimizer;
    if (kw.contains("method"))
        s.kind = parse_method(kw["method"].cast<std::string>());
    s.rate = optional_number(kw, "rate");
    s.momentum = optional_number(kw, "momentum");
    if (auto v = optional_number(kw, "dampening"))
        s.dampening = *v;
    if (auto v = optional_number(kw, "weight_decay"))
        s.weight_decay = *v;
    s.alpha = optional_number(kw, "alpha");
    s.eps = optional_number(kw, "eps");
    if (kw.contains("centered"))
        s.centered = kw["centered"].cast<bool>();
    s.beta1 = optional_number(kw, "beta1");
    s.beta2 = optional_number(kw, "beta2");
    if (auto v = optional_number(kw, "lr_decay"))
        s.lr_decay = *v;
    if (auto v = optional_number(kw, "initial_accumulator"))
        s.initial_accumulator = *v;
    if (kw.contains("restart"))
        s.restart = count_of(kw, "restart");
    if (auto v = optional_number(kw, "damping"))
        s.damping = *v;
    if (kw.contains("line_search"))
        s.line_search = kw["line_search"].cast<bool>();
    if (auto v = optional_number(kw, "armijo"))
        s.armijo = *v;
    if (auto v = optional_number(kw, "shrink"))
        s.shrink = *v;
    if (kw.contains("epochs") && !kw["epochs"].is_none())
        o.epochs = count_of(kw, "epochs");
    if (kw.contains("steps") && !kw["steps"].is_none())
        o.steps = count_of(kw, "steps");
    if (kw.contains("batch") && !kw["batch"].is_none())
        o.batches.size = count_of(kw, "batch");
    if (kw.contains("shuffle") && !kw["shuffle"].is_none()) {
        o.batches.shuffle = true;
        o.batches.seed = kw["shuffle"].cast<std::uint64_t>();
    }
    if (kw.contains("mean"))
        o.objective = kw["mean"].cast<bool>() ? reduction::mean : reduction::sum;
    if (kw.contains("exact"))
        o.numbers = kw["exact"].cast<bool>() ? arithmetic::exact : arithmetic::double_precision;
    if (kw.contains("digits"))
        o.digits = kw["digits"].cast<long>();
    if (kw.contains("schedule") && !kw["schedule"].is_none()) {
        const auto name = kw["schedule"].cast<std::string>();
        if (name == "step")
            o.rates.type = schedule::kind::step;
        else if (name == "exponential")
            o.rates.type = schedule::kind::exponential;
        else if (name != "constant")
            throw invalid_input("train: schedule must be 'constant', 'step' or 'exponential', "
                                "got '" +
                                name + "'");
        if (auto v = optional_number(kw, "factor"))
            o.rates.factor = *v;
        if (kw.contains("every_epochs"))
            o.rates.every = count_of(kw, "every_epochs");
    }
    o.gradient_tolerance = optional_number(kw, "gradient_tolerance");
    o.loss_tolerance = optional_number(kw, "loss_tolerance");
    o.table.loss = true;
    o.table.gradient_norm = true;
    o.table.every = kw.contains("every") ? count_of(kw, "every") : 1;
    if (kw.contains("record_steps"))
        o.table.steps = kw["record_steps"].cast<bool>();
    if (kw.contains("backend")) {
        o.evaluator.backend = backend_named(kw["backend"].cast<std::string>(), "train: backend");
    }
    if (kw.contains("threads"))
        o.evaluator.threads = count_of(kw, "threads");
    return o;
}

/// Names from a str "x, y", an Expr or a list; as symbols.
std::vector<ex> names_to_symbols(py::handle h, const std::string& where) {
    std::vector<ex> out;
    if (h.is_none())
        return out;
    py::list items;
    if (py::isinstance<py::str>(h)) {
        std::stringstream list(h.cast<std::string>());
        std::string item;
        while (std::getline(list, item, ','))
            if (item.find_first_not_of(" \t") != std::string::npos)
                items.append(py::str(item));
    } else if (py::isinstance<expr>(h)) {
        items.append(h);
    } else {
        for (auto item : h)
            items.append(item);
    }
    for (auto item : items) {
        const ex v = to_ex(item, where);
        if (!GiNaC::is_a<GiNaC::symbol>(v))
            throw invalid_input(where + ": '" + py::str(item).cast<std::string>() +
                                "' is not a name");
        out.push_back(v);
    }
    return out;
}

/// The position of symbol @p s in @p v, or v.size().
std::size_t index_of(const std::vector<ex>& v, const ex& s) {
    const auto it = std::find_if(v.begin(), v.end(), [&](const ex& e) { return e.is_equal(s); });
    return static_cast<std::size_t>(it - v.begin());
}

py::dict train_python(py::handle loss_value, py::handle wrt, py::handle data, py::handle inputs,
                      py::handle labels, py::handle classes, py::handle start,
                      const py::kwargs& kwargs) {
    const ex loss = to_ex(loss_value, "<expression>");
    const std::vector<ex> weights = to_variables(wrt, loss, "train: wrt");
    const train_options o = options_from(kwargs);

    // Columns: the data's, split into labels (named, or with classes) and inputs.
    std::vector<std::pair<ex, py::object>> columns;
    if (!data.is_none()) {
        for (auto item : data.cast<py::dict>()) {
            const ex s = to_ex(item.first, "train: data");
            if (!GiNaC::is_a<GiNaC::symbol>(s))
                throw invalid_input("train: data: '" + py::str(item.first).cast<std::string>() +
                                    "' is not a column name");
            columns.emplace_back(s, py::reinterpret_borrow<py::object>(item.second));
        }
    }
    std::vector<ex> label_symbols = names_to_symbols(labels, "train: labels");
    std::map<std::string, std::size_t> class_counts;
    if (!classes.is_none()) {
        if (py::isinstance<py::dict>(classes)) {
            for (auto item : classes.cast<py::dict>())
                class_counts[py::str(item.first).cast<std::string>()] =
                    item.second.cast<std::size_t>();
        } else {
            for (const auto& l : label_symbols)
                class_counts[symbol_name(l)] = classes.cast<std::size_t>();
        }
        for (const auto& [name, k] : class_counts) {
            const ex s = symbol_named(name);
            if (index_of(label_symbols, s) == label_symbols.size())
                label_symbols.push_back(s);
            (void)k;
        }
    }
    std::vector<ex> input_symbols = names_to_symbols(inputs, "train: inputs");
    if (inputs.is_none())
        for (const auto& [s, values] : columns)
            if (index_of(label_symbols, s) == label_symbols.size())
                input_symbols.push_back(s);
    std::vector<label> dataset_labels;
    for (const auto& l : label_symbols) {
        const auto it = class_counts.find(symbol_name(l));
        dataset_labels.push_back({l, it == class_counts.end() ? 0 : it->second});
    }
    dataset rows(input_symbols, dataset_labels);
    std::vector<ex> order = input_symbols;
    order.insert(order.end(), label_symbols.begin(), label_symbols.end());
    std::vector<std::vector<ex>> values(order.size());
    std::size_t n = columns.empty() ? 1 : std::numeric_limits<std::size_t>::max();
    for (std::size_t c = 0; c < order.size(); ++c) {
        const auto it = std::find_if(columns.begin(), columns.end(),
                                     [&](const auto& col) { return col.first.is_equal(order[c]); });
        if (it == columns.end())
            throw invalid_input("train: data: no column for '" + symbol_name(order[c]) + "'");
        for (auto v : it->second)
            values[c].push_back(to_numeric(v, "train: data: " + symbol_name(order[c])));
        if (n != std::numeric_limits<std::size_t>::max() && values[c].size() != n)
            throw shape_error("train: data: column " + symbol_name(order[c]) + " has " +
                              std::to_string(values[c].size()) + " values, the column before " +
                              std::to_string(n));
        n = values[c].size();
    }
    if (n == std::numeric_limits<std::size_t>::max())
        n = 1;
    for (const auto& [s, ignored] : columns)
        if (index_of(order, s) == order.size())
            throw invalid_input("train: data: column '" + symbol_name(s) +
                                "' is neither an input nor a label");
    for (std::size_t r = 0; r < n; ++r) {
        std::vector<ex> row;
        for (std::size_t c = 0; c < order.size(); ++c)
            row.push_back(values[c][r]);
        rows.add_row(row);
    }

    // The start: one value for every weight, a list in wrt's order, or a dict by name.
    std::vector<GiNaC::numeric> first(weights.size(), 0);
    if (py::isinstance<py::dict>(start)) {
        for (auto item : start.cast<py::dict>()) {
            const ex s = to_ex(item.first, "train: start");
            const std::size_t at = index_of(weights, s);
            if (at == weights.size())
                throw invalid_input("train: start: '" + py::str(item.first).cast<std::string>() +
                                    "' is not a weight");
            first[at] = to_numeric(item.second, "train: start");
        }
    } else if (py::isinstance<py::list>(start) || py::isinstance<py::tuple>(start) ||
               py::hasattr(start, "shape")) {
        std::size_t i = 0;
        for (auto v : start) {
            if (i == weights.size())
                throw shape_error("train: start has more values than the " +
                                  std::to_string(weights.size()) + " weights");
            first[i++] = to_numeric(v, "train: start");
        }
        if (i != weights.size())
            throw shape_error("train: start has " + std::to_string(i) + " values for " +
                              std::to_string(weights.size()) + " weights");
    } else if (!start.is_none()) {
        const GiNaC::numeric v = to_numeric(start, "train: start");
        std::fill(first.begin(), first.end(), v);
    }

    program_options po;
    po.inputs = input_symbols;
    po.labels = label_symbols;
    const train_result r = train(gradient_program(loss, weights, po), rows, first, o);
    return history_of(r, o.table, describe(o, columns.empty() ? 0 : rows.size()));
}

} // namespace

void bind_problems(py::module_& m) {
    m.def("_run_problem", &run_problem_file, py::arg("path"), py::arg("digits") = 17,
          py::arg("allowed") = std::vector<std::string>{}, py::arg("trust_paths") = false,
          "Run a problem file; the worked solution as a dict (symgrad.Problem wraps it).");
    m.def("_train_problem", &train_problem_file, py::arg("path"), py::arg("words"),
          py::arg("digits") = 17, py::arg("allowed") = std::vector<std::string>{},
          py::arg("trust_paths") = false,
          "Train a problem file's model with one train statement's words (symgrad train).");
    m.def("_train", &train_python, py::arg("loss"), py::arg("wrt"), py::arg("data"),
          py::arg("inputs"), py::arg("labels"), py::arg("classes"), py::arg("start"),
          "Train; the history as a dict of arrays (symgrad.train wraps it).");
    m.def("methods", &method_names, "The training methods' names.");
}

} // namespace symgrad::python
