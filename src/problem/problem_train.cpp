// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// Problem files: the train statement,
//   train METHOD [OPTION VALUE | FLAG]...
// (the reference is the "train" section of problems/README.md). It trains the file's loss over
// its data from the current weights, shows the epoch table and leaves the trained weights in
// place for the statements after it.
#include "statements.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/input_file.hpp"
#include "symgrad/core/output_file.hpp"
#include "symgrad/core/spelling.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/problem/problem.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/train/trainer.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>

namespace symgrad {

using GiNaC::ex;
using GiNaC::numeric;

namespace {

/// A word of the statement (an option, a value) and where it is (line index within the statement,
/// byte offset).
struct word {
    std::string text; ///< a string's text is without its quotes
    std::size_t line = 0;
    std::size_t offset = 0;
    std::size_t length = 0; ///< in bytes, quotes included
    bool quoted = false;
    bool name = false;
};

/// The train statement's tokens, from the one lexer, line by line (options may continue on
/// indented lines); numbers are read by the expression reader (0.1, 1/10, -1e-8).
class train_parser {
public:
    train_parser(const statement_source& s, std::size_t offset) : s_(s) {
        for (std::size_t li = 0; li < s.lines.size(); ++li)
            lines_.push_back(std::make_unique<statement_reader>(s, li, li == 0 ? offset : 0));
        skip_ended_lines();
    }

    /// Fail at a word.
    [[noreturn]] void fail(const word& t, const std::string& message) const {
        lines_[t.line]->fail(t.offset, "train: " + message, std::max<std::size_t>(t.length, 1));
    }
    /// Fail just after the last word (something is missing).
    [[noreturn]] void fail_after(const word& t, const std::string& message) const {
        lines_[t.line]->fail(t.offset + t.length, "train: " + message);
    }

    bool done() const noexcept { return line_ >= lines_.size(); }
    word peek() const { return describe(lines_[line_]->peek()); }
    word take() {
        previous_ = peek();
        lines_[line_]->take();
        skip_ended_lines();
        return previous_;
    }
    const word& previous() const { return previous_; }

    /// A word that may hold hyphens, written without spaces: fletcher-reeves.
    word take_hyphenated() {
        word w = take();
        while (!done() && previous_.line == line_) {
            const lexer& lex = lines_[line_]->lex();
            if (!lex.at(token_kind::op, '-') || lex.peek().begin != w.offset + w.length)
                break;
            lexer ahead = lex;
            ahead.take();
            if (!ahead.at(token_kind::name) || ahead.peek().begin != lex.peek().end)
                break;
            take();
            const word part = take();
            w.text += "-" + part.text;
            w.length = part.offset + part.length - w.offset;
        }
        previous_ = w;
        return w;
    }

    /// The value after option @p option.
    word value(const word& option) {
        expect_value(option);
        return take();
    }

    /// An exact real number (decimals are exact: 0.1 is 1/10; 1/10 and 1e-8 work too).
    numeric number(const word& option) {
        expect_value(option);
        const word first = peek();
        statement_reader& r = *lines_[line_];
        ex v;
        std::size_t end = first.offset + first.length;
        try {
            v = read_expression_prefix(r.lex(), tensor_names{}).value;
            end = r.lex().last_end();
        } catch (const parse_error&) {
            fail(first, option.text + ": expected a number, got '" + first.text + "'");
        }
        previous_ = first;
        previous_.length = end - first.offset;
        skip_ended_lines();
        if (!GiNaC::is_a<numeric>(v) || !GiNaC::ex_to<numeric>(v).is_real())
            fail(previous_, option.text + ": expected a number, got '" +
                                s_.lines[first.line].text.substr(first.offset, previous_.length) +
                                "'");
        return GiNaC::ex_to<numeric>(v);
    }

    /// A count: a non-negative integer.
    std::size_t count(const word& option, bool positive = true) {
        const word t = value(option);
        std::size_t n = 0;
        const auto* end = t.text.data() + t.text.size();
        const auto [ptr, ec] = std::from_chars(t.text.data(), end, n);
        if (ec != std::errc() || ptr != end || (positive && n == 0))
            fail(t, option.text + ": expected a " + (positive ? "positive" : "non-negative") +
                        " whole number, got '" + t.text + "'");
        return n;
    }

private:
    /// A value must follow @p option, without '=' (lr=0.1 is written lr 0.1).
    void expect_value(const word& option) const {
        if (done())
            fail_after(option, "'" + option.text + "' needs a value");
        if (lines_[line_]->lex().at(token_kind::equals))
            fail(peek(), "options take no '=': write '" + option.text + " VALUE'");
    }

    word describe(const symgrad::token& t) const {
        const lexer& lex = lines_[line_]->lex();
        word out;
        out.line = line_;
        out.offset = t.begin;
        out.length = t.end - t.begin;
        out.quoted = t.kind == token_kind::string;
        out.name = t.kind == token_kind::name;
        const std::string_view text = lex.text_of(t);
        out.text = out.quoted ? std::string(text.substr(1, text.size() - 2)) : std::string(text);
        return out;
    }

    void skip_ended_lines() {
        while (line_ < lines_.size() && lines_[line_]->at_end())
            ++line_;
    }

    const statement_source& s_;
    std::vector<std::unique_ptr<statement_reader>> lines_;
    std::size_t line_ = 0;
    word previous_;
};

/// Which methods an option belongs to (empty: every method).
struct option_rule {
    std::set<method> methods;
    std::function<void(train_parser&, const word&, train_options&)> apply;
};

const std::set<method> sgd_family{method::gd,       method::sgd,     method::momentum,
                                  method::nesterov, method::adagrad, method::rmsprop,
                                  method::adam};

std::map<std::string, option_rule>& rules() {
    static std::map<std::string, option_rule> r = [] {
        std::map<std::string, option_rule> m;
        auto rate = [](train_parser& p, const word& t, train_options& o) {
            o.optimizer.rate = p.number(t);
        };
        m["rate"] = {{}, rate};
        m["lr"] = {{}, rate};
        m["epochs"] = {
            {}, [](train_parser& p, const word& t, train_options& o) { o.epochs = p.count(t); }};
        m["steps"] = {
            {}, [](train_parser& p, const word& t, train_options& o) { o.steps = p.count(t); }};
        m["batch"] = {sgd_family, [](train_parser& p, const word& t, train_options& o) {
                          if (!p.done() && p.peek().text == "all") {
                              p.take();
                              o.batches.size = 0;
                          } else {
                              o.batches.size = p.count(t);
                          }
                      }};
        m["order"] = {sgd_family, [](train_parser& p, const word& t, train_options& o) {
                          const word v = p.value(t);
                          if (v.text != "given")
                              p.fail(v, "order: write 'order given' or 'shuffle SEED'");
                          o.batches.shuffle = false;
                      }};
        m["shuffle"] = {sgd_family, [](train_parser& p, const word& t, train_options& o) {
                            o.batches.shuffle = true;
                            o.batches.seed = p.count(t, false);
                        }};
        m["objective"] = {{}, [](train_parser& p, const word& t, train_options& o) {
                              const word v = p.value(t);
                              if (v.text != "sum" && v.text != "mean")
                                  p.fail(v, "objective: write 'objective sum' or 'objective "
                                            "mean'");
                              o.objective = v.text == "sum" ? reduction::sum : reduction::mean;
                          }};
        m["momentum"] = {{method::momentum, method::nesterov, method::rmsprop},
                         [](train_parser& p, const word& t, train_options& o) {
                             o.optimizer.momentum = p.number(t);
                         }};
        m["dampening"] = {{method::momentum}, [](train_parser& p, const word& t, train_options& o) {
                              o.optimizer.dampening = p.number(t);
                          }};
        m["alpha"] = {{method::rmsprop}, [](train_parser& p, const word& t, train_options& o) {
                          o.optimizer.alpha = p.number(t);
                      }};
        m["eps"] = {{method::adagrad, method::rmsprop, method::adam},
                    [](train_parser& p, const word& t, train_options& o) {
                        o.optimizer.eps = p.number(t);
                    }};
        m["centered"] = {{method::rmsprop}, [](train_parser&, const word&, train_options& o) {
                             o.optimizer.centered = true;
                         }};
        m["beta1"] = {{method::adam}, [](train_parser& p, const word& t, train_options& o) {
                          o.optimizer.beta1 = p.number(t);
                      }};
        m["beta2"] = {{method::adam}, [](train_parser& p, const word& t, train_options& o) {
                          o.optimizer.beta2 = p.number(t);
                      }};
        m["lr_decay"] = {{method::adagrad}, [](train_parser& p, const word& t, train_options& o) {
                             o.optimizer.lr_decay = p.number(t);
                         }};
        m["initial_accumulator"] = {{method::adagrad},
                                    [](train_parser& p, const word& t, train_options& o) {
                                        o.optimizer.initial_accumulator = p.number(t);
                                    }};
        m["weight_decay"] = {{}, [](train_parser& p, const word& t, train_options& o) {
                                 o.optimizer.weight_decay = p.number(t);
                             }};
        m["restart"] = {{method::fletcher_reeves, method::polak_ribiere},
                        [](train_parser& p, const word& t, train_options& o) {
                            o.optimizer.restart = p.count(t);
                        }};
        m["damping"] = {{method::newton}, [](train_parser& p, const word& t, train_options& o) {
                            o.optimizer.damping = p.number(t);
                        }};
        const std::set<method> searching{method::gd, method::fletcher_reeves, method::polak_ribiere,
                                         method::newton};
        m["line_search"] = {searching, [](train_parser&, const word&, train_options& o) {
                                o.optimizer.line_search = true;
                            }};
        m["armijo"] = {searching, [](train_parser& p, const word& t, train_options& o) {
                           o.optimizer.armijo = p.number(t);
                       }};
        m["shrink"] = {searching, [](train_parser& p, const word& t, train_options& o) {
                           o.optimizer.shrink = p.number(t);
                       }};
        m["schedule"] = {{}, [](train_parser& p, const word& t, train_options& o) {
                             const word kind = p.value(t);
                             if (kind.text == "constant") {
                                 o.rates = schedule{};
                             } else if (kind.text == "step") {
                                 o.rates.type = schedule::kind::step;
                                 o.rates.every = p.count(kind);
                                 o.rates.factor = p.number(kind);
                             } else if (kind.text == "exponential") {
                                 o.rates.type = schedule::kind::exponential;
                                 o.rates.factor = p.number(kind);
                             } else {
                                 p.fail(kind, "schedule: write 'schedule constant', 'schedule "
                                              "step EPOCHS FACTOR' or 'schedule exponential "
                                              "FACTOR'");
                             }
                         }};
        m["gradtol"] = {{}, [](train_parser& p, const word& t, train_options& o) {
                            o.gradient_tolerance = p.number(t);
                        }};
        m["losstol"] = {{}, [](train_parser& p, const word& t, train_options& o) {
                            o.loss_tolerance = p.number(t);
                        }};
        m["digits"] = {{}, [](train_parser& p, const word& t, train_options& o) {
                           const std::size_t d = p.count(t, false);
                           if (d > 100)
                               p.fail(p.previous(),
                                      "digits: at most 100, got " + std::to_string(d));
                           o.table.digits = static_cast<int>(d);
                       }};
        m["every"] = {{}, [](train_parser& p, const word& t, train_options& o) {
                          if (!p.done() && p.peek().text == "step") {
                              p.take();
                              o.table.steps = true;
                              o.table.every = 1;
                              return;
                          }
                          o.table.every = p.count(t, false);
                          if (!p.done() && (p.peek().text == "steps" || p.peek().text == "step")) {
                              p.take();
                              o.table.steps = true;
                          } else if (!p.done() &&
                                     (p.peek().text == "epochs" || p.peek().text == "epoch")) {
                              p.take();
                          }
                      }};
        m["loss"] = {{}, [](train_parser&, const word&, train_options& o) { o.table.loss = true; }};
        m["gradnorm"] = {
            {}, [](train_parser&, const word&, train_options& o) { o.table.gradient_norm = true; }};
        m["exact"] = {{}, [](train_parser&, const word&, train_options& o) {
                          o.numbers = arithmetic::exact;
                      }};
        m["precision"] = {{}, [](train_parser& p, const word& t, train_options& o) {
                              o.digits = static_cast<long>(p.count(t));
                          }};
        m["log"] = {{}, [](train_parser& p, const word& t, train_options& o) {
                        const word v = p.value(t);
                        const std::string ext = std::filesystem::path(v.text).extension();
                        if (ext == ".csv")
                            o.csv_log = v.text;
                        else if (ext == ".json")
                            o.json_log = v.text;
                        else
                            p.fail(v, "log: the file name must end in .csv or .json, got '" +
                                          v.text + "'");
                    }};
        return m;
    }();
    return r;
}

std::string method_list(const std::set<method>& methods) {
    std::string out;
    for (method m : methods)
        out += (out.empty() ? "" : ", ") + std::string(method_name(m));
    return out;
}

/// Parse the statement's words after the keyword.
train_options parse_train(train_parser& p, const statement_source& s, std::size_t offset,
                          train_options o) {
    if (p.done())
        s.fail(
            offset, "train: name a method: " + [] {
                std::string list;
                for (const auto& n : method_names())
                    list += (list.empty() ? "" : ", ") + n;
                return list;
            }());
    const word m = p.take_hyphenated();
    try {
        o.optimizer.kind = parse_method(m.text);
    } catch (const invalid_input& e) {
        std::string message = e.what();
        p.fail(m, message.substr(std::string("train: ").size()));
    }
    std::vector<std::string> known;
    for (const auto& [name, rule] : rules())
        known.push_back(name);
    while (!p.done()) {
        const word t = p.take();
        auto it = rules().find(t.text);
        if (it == rules().end() || !t.name) {
            if (t.name && (t.text == "learning_rate" || t.text == "eta"))
                p.fail(t, "unknown option '" + t.text + "'; the learning rate is 'rate VALUE'");
            p.fail(t, "unknown option '" + t.text + "'" + did_you_mean(t.text, known));
        }
        const option_rule& rule = it->second;
        if (!rule.methods.empty() && !rule.methods.count(o.optimizer.kind))
            p.fail(t, "'" + t.text + "' is not an option of " +
                          std::string(method_name(o.optimizer.kind)) + " (it belongs to " +
                          method_list(rule.methods) + ")");
        rule.apply(p, t, o);
    }
    return o;
}

/// A log's path: relative to the problem file's directory and confined to it (see
/// input_file.hpp). The words of `symgrad train FILE ...` come from the user's own command line
/// (their statement's file is not the problem file): their path is taken as it is.
std::string log_path(const problem_state& state, const statement_source& s,
                     const std::string& named) {
    if (named.empty())
        return named;
    std::string path = named;
    if (s.file == state.file) {
        try {
            path = confined_path(state.file, named, state.paths, path_use::write);
        } catch (const invalid_input& e) {
            const std::string& t = s.lines.front().text;
            const std::size_t quoted = t.find('"' + named + '"');
            const std::size_t at = quoted != std::string::npos ? quoted : t.find(named);
            s.fail(at == std::string::npos ? 0 : at, std::string("log: ") + e.what(),
                   quoted != std::string::npos ? named.size() + 2 : named.size());
        }
    }
    check_output_path(path, "train: log", state.files_read); // before the work, not after it
    return path;
}

numeric start_value(const problem_state& state, const ex& w) {
    auto it = state.weight_values.find(w);
    const ex v = it == state.weight_values.end() ? ex(0) : it->second;
    if (GiNaC::is_a<numeric>(v))
        return GiNaC::ex_to<numeric>(v);
    return evaluate_numeric(v, {}, 30, "train: the start of " + symbol_name(w));
}

} // namespace

void run_train(problem_state& state, const statement_source& s, std::size_t offset,
               problem_report& report, const problem_options& options) {
    // The file's objective (sum or mean), unless the statement says otherwise.
    train_options defaults;
    defaults.objective = state.mean ? reduction::mean : reduction::sum;
    train_parser p(s, offset);
    train_options o = parse_train(p, s, offset, defaults);
    o.csv_log = log_path(state, s, o.csv_log);
    o.json_log = log_path(state, s, o.json_log);
    o.log_rules.inputs = state.files_read;
    if (s.file == state.file) // checked again when the logs are written, after the training
        o.log_rules.confined_to = confinement(state.file, state.paths);
    o.progress = options.progress;
    // A report that plots the objective gets it in every row.
    o.table.loss = o.table.loss || report.wants_objective();
    if (o.numbers == arithmetic::exact && o.digits == 17)
        o.digits = options.digits;

    const std::size_t at = s.lines.front().text.find_first_not_of(" \t");
    if (state.weight_symbols.empty())
        s.fail(at, "train: no weights are declared (weights w1 w2 ...)");
    if (!state.loss && !state.direct_objective)
        s.fail(at, "train: there is nothing to train yet; define loss = ... (or L = ...)");

    // The per-sample program and the data.
    std::vector<label> labels;
    for (const auto& y : state.label_symbols)
        labels.push_back(label{y, 0});
    program_options po;
    ex objective;
    std::vector<ex> inputs, label_list;
    bool use_rows = false;
    if (state.direct_objective) {
        objective = *state.direct_objective;
    } else {
        objective = *state.loss;
        use_rows = !state.rows.empty();
        if (!use_rows) {
            for (const auto* list : {&state.input_symbols, &state.label_symbols})
                for (const auto& sym : *list)
                    if (objective.has(sym))
                        s.fail(at, "train: the loss uses " + symbol_name(sym) +
                                       " but there are no data; give them (data " +
                                       symbol_name(sym) + " = ...) or define L directly");
        }
    }
    if (use_rows) {
        po.inputs = state.input_symbols;
        po.labels = state.label_symbols;
        inputs = state.input_symbols;
    } else {
        labels.clear();
    }
    const gradient_program program = [&] {
        try {
            return gradient_program(objective, state.weight_symbols, po);
        } catch (const parse_error&) {
            throw;
        } catch (const error& e) {
            s.fail(at, std::string("train: ") + e.what());
        }
    }();
    dataset data(inputs, labels);
    if (use_rows) {
        for (const auto& row : state.rows)
            data.add_named_row(row);
    } else {
        data.add_row({});
    }

    std::vector<numeric> start;
    for (const auto& w : state.weight_symbols)
        start.push_back(start_value(state, w));

    train_result r;
    try {
        r = train(program, data, start, o);
    } catch (const parse_error&) {
        throw;
    } catch (const invalid_input& e) {
        s.fail(at, e.what());
    }

    report.training(describe(o, use_rows ? data.size() : 0), r, o.table);

    // The trained weights stay for the statements that follow.
    std::vector<std::pair<std::string, std::string>> rows;
    for (std::size_t i = 0; i < state.weight_symbols.size(); ++i) {
        state.weight_values[state.weight_symbols[i]] = r.weights[i];
        rows.emplace_back(symbol_name(state.weight_symbols[i]),
                          format_value(r.weights[i], options.digits));
    }
    report.values(rows);
    if (!r.ok())
        throw training_failed(s.file + ":" + std::to_string(s.lines.front().number) +
                              ": train stopped: " + r.message);
}

} // namespace symgrad
