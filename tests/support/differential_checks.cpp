// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "support/differential_checks.hpp"

#include "symgrad/compile/interpreter.hpp"
#include "symgrad/compile/native.hpp"
#include "symgrad/compile/tape.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/simplify/simplify.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/verify/verify.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <iostream>
#include <limits>
#include <poll.h>
#include <regex>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace symgrad::test {

using GiNaC::ex;
using GiNaC::numeric;

namespace {

/// Failures printed in full per property; beyond that only counted (the summary has them all
/// by kind).
constexpr std::size_t max_printed = 400;

std::string shorten(const std::string& s, std::size_t n = 2000) {
    return s.size() <= n ? s : s.substr(0, n) + "...[" + std::to_string(s.size()) + " bytes]";
}

std::string number_text(const numeric& n, int digits = 25) {
    if (n.is_rational())
        return shorten(format_number(n, digits), 200);
    std::ostringstream os;
    os << GiNaC::ex(n).evalf();
    std::string s = os.str();
    if (s.size() > static_cast<std::size_t>(digits) + 12) {
        // mantissa cut to `digits` characters, exponent kept
        const auto e = s.find_first_of("Ee");
        s = e == std::string::npos
                ? s.substr(0, static_cast<std::size_t>(digits) + 2)
                : s.substr(0, static_cast<std::size_t>(digits) + 2) + s.substr(e);
    }
    return s;
}

std::string value_text(const reference_value& r) {
    if (!r.ok())
        return std::string(reference_status_name(r.status)) + " (" + r.reason + ")";
    return number_text(r.value) + " +- " + number_text(r.error, 3);
}

/// Whether a symgrad::error's message is really GiNaC's or CLN's ("mul::degree(): ...",
/// "floating point underflow"), which issue 12 forbids to reach a user.
bool internal_message(const std::string& what) {
    static const std::regex method(R"([A-Za-z_]+::[A-Za-z_]+\(\))");
    return std::regex_search(what, method) || what.find("floating point") != std::string::npos ||
           what.find("undefined degree") != std::string::npos;
}

/// Parse a generated text. A symgrad::error is a legitimate refusal (a constant part is
/// undefined, log(0)), counted; anything else (a GiNaC message) is a failure.
bool parse_generated(const std::string& text, ex& e, failure_log& log, std::size_t index) {
    try {
        enter_stage("parse");
        e = parse(text);
        return true;
    } catch (const symgrad::error& x) {
        std::string what = x.what();
        if (internal_message(what)) {
            log.fail(index, "parse: GiNaC or CLN message reaches the user", text, what);
            return false;
        }
        const auto nl = what.find('\n');
        what = what.substr(0, nl);
        const auto colon = what.rfind(": ");
        log.count("rejected by the parser: " +
                  (colon == std::string::npos ? what : what.substr(colon + 2)));
        return false;
    } catch (const std::exception& x) {
        log.fail(index, "parse: internal error", text, x.what());
        return false;
    }
}

GiNaC::exmap shifted(const GiNaC::exmap& p, const ex& v, const numeric& by) {
    GiNaC::exmap q = p;
    q[v] = GiNaC::ex_to<numeric>(q[v]) + by;
    return q;
}

} // namespace

// ---- bookkeeping -------------------------------------------------------------------------

std::size_t differential_case_count(std::size_t fallback) {
    if (const char* env = std::getenv("SYMGRAD_DIFF_CASES")) {
        const long n = std::strtol(env, nullptr, 10);
        if (n > 0)
            return static_cast<std::size_t>(n);
    }
    return fallback;
}

failure_log::failure_log(std::string property, std::uint64_t seed, bool quiet)
    : property_(std::move(property)), seed_(seed), quiet_(quiet) {}

void failure_log::fail(std::size_t index, const std::string& kind, const std::string& expression,
                       const std::string& details) {
    ++failures_;
    ++kinds_[kind];
    if (quiet_) {
        recorded_.push_back({index, kind, expression, details});
        return;
    }
    if (printed_++ < max_printed)
        BOOST_TEST_MESSAGE("FAILURE " << property_ << " seed " << seed_ << " case " << index << " ["
                                      << kind << "]: " << shorten(expression) << "\n    "
                                      << shorten(details));
}

void failure_log::count(const std::string& outcome, std::size_t n) {
    outcomes_[outcome] += n;
}

std::string failure_log::summary() const {
    std::ostringstream os;
    os << property_ << " (seed " << seed_ << "): " << failures_ << " failures";
    for (const auto& [k, n] : kinds_)
        os << "\n  failure [" << k << "]: " << n;
    for (const auto& [k, n] : outcomes_)
        os << "\n  " << k << ": " << n;
    return os.str();
}

namespace {

std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '\t')
            out += "\\t";
        else
            out += c;
    }
    return out;
}

std::string unescape(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            const char c = s[++i];
            out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t tab = line.find('\t', start);
        out.push_back(unescape(line.substr(start, tab - start)));
        if (tab == std::string::npos)
            return out;
        start = tab + 1;
    }
}

} // namespace

std::string failure_log::serialize() const {
    std::string out;
    for (const auto& f : recorded_)
        out += "F\t" + std::to_string(f.index) + "\t" + escape(f.kind) + "\t" +
               escape(f.expression) + "\t" + escape(f.details) + "\n";
    for (const auto& [k, n] : outcomes_)
        out += "C\t" + escape(k) + "\t" + std::to_string(n) + "\n";
    return out;
}

void failure_log::absorb(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        const auto f = split_tabs(line);
        if (f.size() == 5 && f[0] == "F")
            fail(std::stoul(f[1]), f[2], f[3], f[4]);
        else if (f.size() == 3 && f[0] == "C")
            count(f[1], std::stoul(f[2]));
    }
}

namespace {

/// The pipe to the parent inside a child of run_isolated_cases, else -1.
int stage_fd = -1;

} // namespace

void enter_stage(const char* name) {
    if (stage_fd < 0)
        return;
    const std::string line = std::string("S\t") + name + "\n";
    if (::write(stage_fd, line.data(), line.size()) < 0)
        stage_fd = -1;
}

void run_isolated_cases(std::size_t count, double timeout_seconds, failure_log& log,
                        const std::function<void(std::size_t, failure_log&)>& run_case,
                        const std::function<std::string(std::size_t)>& describe) {
    std::size_t next = 0;
    while (next < count) {
        int fds[2];
        if (::pipe(fds) != 0)
            throw std::runtime_error("run_isolated_cases: pipe failed");
        std::cout.flush();
        const pid_t pid = ::fork();
        if (pid < 0)
            throw std::runtime_error("run_isolated_cases: fork failed");
        if (pid == 0) {
            // Boost.Test's handlers would turn a crash into a return into the test runner.
            for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT})
                std::signal(sig, SIG_DFL);
            ::close(fds[0]);
            stage_fd = fds[1];
            for (std::size_t i = next; i < count; ++i) {
                failure_log child(log.property(), log.seed(), true);
                try {
                    run_case(i, child);
                } catch (const std::exception& x) {
                    child.fail(i, "uncaught exception", describe(i), x.what());
                }
                const std::string record = child.serialize() + "E\t" + std::to_string(i) + "\n";
                std::size_t written = 0;
                while (written < record.size()) {
                    const ssize_t n =
                        ::write(fds[1], record.data() + written, record.size() - written);
                    if (n <= 0)
                        ::_exit(3);
                    written += static_cast<std::size_t>(n);
                }
            }
            ::_exit(0);
        }
        ::close(fds[1]);
        std::string buffer, pending, stage;
        auto last = std::chrono::steady_clock::now();
        bool killed = false;
        char chunk[65536];
        for (;;) {
            const double waited =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - last).count();
            const int left_ms = static_cast<int>((timeout_seconds - waited) * 1000);
            if (left_ms <= 0) {
                ::kill(pid, SIGKILL);
                killed = true;
                break;
            }
            pollfd pfd{fds[0], POLLIN, 0};
            const int ready = ::poll(&pfd, 1, std::min(left_ms, 1000));
            if (ready <= 0)
                continue;
            const ssize_t n = ::read(fds[0], chunk, sizeof chunk);
            if (n <= 0)
                break;
            buffer.append(chunk, static_cast<std::size_t>(n));
            // whole lines: a case's records, then its end line "E<tab>i"
            std::size_t line_end;
            while ((line_end = buffer.find('\n')) != std::string::npos) {
                const std::string line = buffer.substr(0, line_end + 1);
                buffer.erase(0, line_end + 1);
                if (line.rfind("S\t", 0) == 0) {
                    stage = line.substr(2, line.size() - 3);
                } else if (line.rfind("E\t", 0) == 0) {
                    log.absorb(pending);
                    pending.clear();
                    stage.clear();
                    next = std::stoul(line.substr(2)) + 1;
                    last = std::chrono::steady_clock::now();
                } else {
                    pending += line;
                }
            }
        }
        ::close(fds[0]);
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (next >= count)
            break;
        if (killed)
            log.fail(next,
                     "no result within " + std::to_string(static_cast<int>(timeout_seconds)) +
                         " s" + (stage.empty() ? "" : " (in " + stage + ")"),
                     describe(next), "the case was stopped");
        else
            log.fail(next, stage.empty() ? "crashes" : "crashes (in " + stage + ")", describe(next),
                     WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                         : "exit status " + std::to_string(WEXITSTATUS(status)));
        ++next;
    }
}

// ---- points ------------------------------------------------------------------------------

GiNaC::exmap random_exact_point(const std::vector<std::string>& variables, int label_classes,
                                random_source& random) {
    GiNaC::exmap p;
    for (const auto& name : variables) {
        numeric v;
        switch (random.below(10)) {
        case 0:
        case 1:
            v = numeric(random.between(-3, 3));
            break;
        case 2:
        case 3:
        case 4:
            v = numeric(random.between(-32, 32), 8);
            break;
        case 5:
        case 6:
        case 7: {
            const auto m = random.between(6, 12);
            v = numeric(random.between(-4096, 4096)) / numeric(2).power(numeric(m));
            break;
        }
        default: {
            // many orders of magnitude: 2^-30 .. 2^30 times a 10-bit mantissa
            const auto k = random.between(-30, 30);
            v = numeric(random.between(-1023, 1023), 512) * numeric(2).power(numeric(k));
            break;
        }
        }
        p[symbol_named(name)] = v;
    }
    if (label_classes > 0)
        p[symbol_named("y")] = numeric(random.between(0, label_classes - 1));
    return p;
}

std::string point_text(const GiNaC::exmap& point) {
    std::vector<std::pair<std::string, numeric>> items;
    for (const auto& [s, v] : point)
        items.emplace_back(symbol_name(s), GiNaC::ex_to<numeric>(v));
    std::sort(items.begin(), items.end(),
              [](const auto& a, const auto& b) { return natural_less(a.first, b.first); });
    std::string out;
    for (const auto& [name, v] : items) {
        std::ostringstream os;
        os << v;
        out += (out.empty() ? "" : ", ") + name + " = " + os.str();
    }
    return out;
}

std::vector<std::string> variables_of(const ex& e) {
    std::vector<std::string> out;
    for (const auto& s : free_symbols(e))
        if (symbol_name(s) != "y")
            out.push_back(symbol_name(s));
    std::sort(out.begin(), out.end());
    return out;
}

// ---- 1. derivatives ------------------------------------------------------------------------

namespace {

/// Central differences of e in v at p, with their error bound.
struct difference {
    reference_status status = reference_status::ok;
    std::string reason;
    numeric value, bound;
};

difference central_difference(const ex& e, const ex& v, const GiNaC::exmap& p,
                              const reference_options& o, const numeric& h) {
    difference d;
    reference_value f[4];
    const numeric offsets[4] = {h, -h, 2 * h, -2 * h};
    for (int i = 0; i < 4; ++i) {
        f[i] = reference_evaluate(e, shifted(p, v, offsets[i]), o);
        if (!f[i].ok()) {
            d.status = f[i].status;
            d.reason = f[i].reason;
            return d;
        }
    }
    const numeric d1 = (f[0].value - f[1].value) / (2 * h);
    const numeric d2 = (f[2].value - f[3].value) / (4 * h);
    d.value = d1;
    // Rounding: (E+ + E-)/2h. Truncation: d1 - f' ~ c h^2 and d2 - f' ~ 4 c h^2, so
    // |d2 - d1| = 3|c| h^2 bounds it (to leading order) with room to spare.
    d.bound = (f[0].error + f[1].error) / (2 * h) + (f[2].error + f[3].error) / (4 * h) +
              GiNaC::abs(d2 - d1);
    return d;
}

} // namespace

void check_derivative(const std::string& text, const std::vector<GiNaC::exmap>& points,
                      failure_log& log, std::size_t index) {
    ex e;
    if (!parse_generated(text, e, log, index))
        return;
    for (const auto& name : variables_of(e)) {
        const ex v = symbol_named(name);
        ex raw, simplified;
        try {
            enter_stage("diff");
            raw = e.diff(GiNaC::ex_to<GiNaC::symbol>(v)); // what `symgrad diff --raw` prints
        } catch (const std::exception& x) {
            log.fail(index, "diff throws", text, "d/d" + name + ": " + x.what());
            continue;
        }
        try {
            enter_stage("simplify of the derivative");
            simplified = simplify(raw); // what `symgrad diff` prints
        } catch (const std::exception& x) {
            log.fail(index, "simplify of a derivative throws", text,
                     "d/d" + name + ": " + x.what());
            simplified = raw;
        }
        enter_stage("reference evaluation");
        for (const auto& p : points) {
            static const numeric margin("1e-6");
            struct level {
                long digits;
                numeric h;
            };
            // exact steps: a float step would round x + h back to x
            static const level levels[2] = {{60, numeric(1) / numeric(10).power(20)},
                                            {400, numeric(1) / numeric(10).power(120)}};
            bool done = false;
            for (int li = 0; li < 2 && !done; ++li) {
                reference_options o;
                o.digits = levels[li].digits;
                o.switch_margin = margin;
                const reference_value f0 = reference_evaluate(e, p, o);
                if (!f0.ok() && f0.status != reference_status::ill_conditioned) {
                    log.count(std::string("points skipped: function ") +
                              reference_status_name(f0.status));
                    done = true;
                    break;
                }
                const difference fd = central_difference(e, v, p, o, levels[li].h);
                if (fd.status != reference_status::ok) {
                    if (fd.status == reference_status::ill_conditioned && li == 0)
                        continue;
                    log.count(std::string("points skipped: stencil ") +
                              reference_status_name(fd.status));
                    done = true;
                    break;
                }
                const numeric scale = std::max(GiNaC::abs(fd.value), fd.bound);
                if (li == 0 && fd.bound > numeric("1e-8") * scale && !fd.bound.is_zero())
                    continue; // try again at 400 digits
                const std::pair<const char*, const ex*> forms[2] = {{"raw", &raw},
                                                                    {"simplified", &simplified}};
                bool any_compared = false;
                for (const auto& [form, d] : forms) {
                    if (form == std::string("simplified") && simplified.is_equal(raw))
                        continue;
                    const reference_value dv = reference_evaluate(*d, p, o);
                    if (dv.status == reference_status::near_switch ||
                        dv.status == reference_status::out_of_range ||
                        dv.status == reference_status::ill_conditioned) {
                        log.count(std::string("derivative values skipped: ") +
                                  reference_status_name(dv.status));
                        continue;
                    }
                    const std::string where = "d/d" + name + " (" + form +
                                              ") = " + shorten(to_text(*d), 600) + "\n    at " +
                                              point_text(p) + ": ";
                    if (!dv.ok()) {
                        log.fail(index,
                                 std::string(form) + " derivative " +
                                     reference_status_name(dv.status) + " where f is smooth",
                                 text,
                                 where + value_text(dv) + "; finite difference " +
                                     number_text(fd.value));
                        continue;
                    }
                    any_compared = true;
                    const numeric tolerance = 8 * (dv.error + fd.bound);
                    if (GiNaC::abs(dv.value - fd.value) > tolerance)
                        log.fail(index,
                                 std::string(form) + " derivative differs from finite differences",
                                 text,
                                 where + value_text(dv) + "; finite difference " +
                                     number_text(fd.value) + " +- " + number_text(fd.bound, 3));
                }
                if (any_compared)
                    log.count(li == 0 ? "points compared at 60 digits"
                                      : "points compared at 400 digits");
                done = true;
            }
            if (!done)
                log.count("points skipped: ill-conditioned at 400 digits");
        }
    }
}

// ---- 2. simplify -------------------------------------------------------------------------

void check_simplify(const std::string& given, const std::vector<GiNaC::exmap>& points,
                    failure_log& log, std::size_t index, bool of_derivative) {
    ex e, s;
    if (!parse_generated(given, e, log, index))
        return;
    std::string text = given;
    if (of_derivative && !variables_of(e).empty()) {
        const std::string name = variables_of(e).front();
        text = "diff(" + given + ", " + name + ")";
        try {
            enter_stage("diff");
            e = e.diff(GiNaC::ex_to<GiNaC::symbol>(symbol_named(name)));
        } catch (const std::exception& x) {
            log.fail(index, "diff throws", text, x.what());
            return;
        }
    }
    try {
        enter_stage("simplify");
        s = simplify(e);
    } catch (const std::exception& x) {
        log.fail(index, "simplify throws", text, x.what());
        return;
    }
    const std::size_t ce = expression_cost(e), cs = expression_cost(s);
    if (cs > ce)
        log.fail(index, "simplify made it bigger", text,
                 "cost " + std::to_string(ce) + " -> " + std::to_string(cs) + ": " +
                     shorten(to_text(s), 600));
    if (s.is_equal(e)) {
        log.count("unchanged by simplify");
        return;
    }
    enter_stage("reference evaluation");
    const numeric rel("1e-20");
    reference_options o;
    o.digits = 50;
    for (const auto& p : points) {
        const reference_value ve = reference_resolved(e, p, o, rel);
        if (!ve.ok()) {
            log.count(std::string("points skipped: e ") + reference_status_name(ve.status));
            continue;
        }
        const reference_value vs = reference_resolved(s, p, o, rel);
        const std::string details = "simplified " + shorten(to_text(s), 600) + "\n    at " +
                                    point_text(p) + ": e = " + value_text(ve) +
                                    ", simplified = " + value_text(vs);
        if (vs.status == reference_status::undefined ||
            vs.status == reference_status::unsupported) {
            log.fail(index,
                     std::string("simplified is ") + reference_status_name(vs.status) +
                         " where e is defined",
                     text, details);
            continue;
        }
        if (!vs.ok()) {
            log.count(std::string("points skipped: simplified ") +
                      reference_status_name(vs.status));
            continue;
        }
        if (GiNaC::abs(ve.value - vs.value) > 4 * (ve.error + vs.error)) {
            log.fail(index, "simplified differs", text, details);
            continue;
        }
        log.count(ve.resolved(rel) && vs.resolved(rel) ? "points compared (20 digits resolved)"
                                                       : "points compared (bound only)");
    }
}

// ---- 3. verify -----------------------------------------------------------------------------

namespace {

/// The verdicts' time budget here (at most; SYMGRAD_VERIFY_TIMEOUT may set less). The cases'
/// own limit (differential_test.cpp, 10 s) is then a hang check with room for the process
/// around the verdict: with verify's default budget of 10 s, every verdict that used its
/// budget (an exact decision stopped at 7 s, then sampling) counted as a hang.
constexpr double verdict_budget_seconds = 4;

/// verify(lhs, rhs): the verdict's name ("" when there was none: an error, logged) and the
/// formatted evidence. A verdict more than 20% later than its budget is a failure.
std::pair<std::string, std::string> verdict_of(const std::string& lhs, const std::string& rhs,
                                               failure_log& log, std::size_t index) {
    const std::string sides = "check '" + lhs + "' '" + rhs + "'";
    try {
        enter_stage("verify");
        verify_options options;
        options.timeout_seconds = std::min(options.timeout_seconds, verdict_budget_seconds);
        const auto start = std::chrono::steady_clock::now();
        const verify_result v = verify(parse(lhs), parse(rhs), options);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        // Issue 19: no run more than 20% over its budget.
        const double share = seconds / options.timeout_seconds;
        if (share > 1.2)
            log.fail(index, "verify: the verdict came more than 20% after its time budget", sides,
                     std::to_string(seconds) + " s for a budget of " +
                         std::to_string(options.timeout_seconds) + " s");
        log.count(share <= 0.5   ? "verdict time: within half its budget"
                  : share <= 1.0 ? "verdict time: within its budget"
                                 : "verdict time: over its budget by at most 20%");
        const std::string name(verdict_name(v.outcome));
        log.count("verdict " + name);
        return {name, format_text(v)};
    } catch (const symgrad::error& x) {
        std::string what = x.what();
        if (internal_message(what)) {
            log.fail(index, "verify: GiNaC or CLN message reaches the user", sides, what);
            return {"", ""};
        }
        what = what.substr(0, what.find('\n'));
        const auto colon = what.rfind(": ");
        log.count("symgrad error, no verdict: " +
                  (colon == std::string::npos ? what : what.substr(colon + 2)));
    } catch (const std::exception& x) {
        log.fail(index, "internal error", sides, x.what());
    }
    return {"", ""};
}

} // namespace

void check_verify_equal(const std::string& lhs, const std::string& rhs, failure_log& log,
                        std::size_t index) {
    const auto [v, evidence] = verdict_of(lhs, rhs, log, index);
    if (v == "refuted")
        log.fail(index, "true identity refuted", "check '" + lhs + "' '" + rhs + "'", evidence);
}

void check_verify_differs(const std::string& lhs, const std::string& rhs, failure_log& log,
                          std::size_t index, random_source* confirm) {
    const auto [v, evidence] = verdict_of(lhs, rhs, log, index);
    // Any verdict of equality is wrong here, also one limited to a common domain.
    if (!((v.find("equal") != std::string::npos && v != "refuted") || v == "proved"))
        return;
    std::string witness;
    if (confirm) {
        enter_stage("reference evaluation");
        const ex l = parse(lhs), r = parse(rhs);
        std::vector<std::string> variables = variables_of(l);
        for (const auto& name : variables_of(r))
            if (std::find(variables.begin(), variables.end(), name) == variables.end())
                variables.push_back(name);
        reference_options o;
        o.digits = 60;
        for (int k = 0; k < 40 && witness.empty(); ++k) {
            const GiNaC::exmap p = random_exact_point(variables, 2, *confirm);
            const reference_value a = reference_resolved(l, p, o, numeric("1e-20"));
            const reference_value b = reference_resolved(r, p, o, numeric("1e-20"));
            if (a.ok() && b.ok() && GiNaC::abs(a.value - b.value) > 4 * (a.error + b.error))
                witness =
                    "\n    but at " + point_text(p) + ": " + value_text(a) + " vs " + value_text(b);
        }
        if (witness.empty()) {
            log.count("changed constant: equality verdict not contradicted by evaluation");
            return;
        }
    }
    {
        log.fail(index, "different sides called " + v, "check '" + lhs + "' '" + rhs + "'",
                 evidence + witness);
    }
}

std::string change_a_constant(const std::string& text, random_source& random) {
    std::vector<std::pair<std::size_t, std::size_t>> runs; // begin, length
    for (std::size_t i = 0; i < text.size();) {
        if (std::isdigit(static_cast<unsigned char>(text[i]))) {
            std::size_t j = i;
            while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])))
                ++j;
            runs.emplace_back(i, j - i);
            i = j;
        } else {
            ++i;
        }
    }
    if (runs.empty())
        return text + " + 1";
    const auto [begin, length] = runs[static_cast<std::size_t>(random.below(runs.size()))];
    std::string digits = text.substr(begin, length);
    // decimal increment
    std::size_t k = digits.size();
    while (k > 0 && digits[k - 1] == '9')
        digits[--k] = '0';
    if (k == 0)
        digits.insert(digits.begin(), '1');
    else
        ++digits[k - 1];
    return text.substr(0, begin) + digits + text.substr(begin + length);
}

// ---- 4. double evaluators ------------------------------------------------------------------

namespace {

/// A private directory (mode 0700, as the native cache requires), removed at the end.
struct private_directory {
    std::filesystem::path path;
    private_directory() {
        std::string name =
            (std::filesystem::temp_directory_path() / "symgrad-differential-XXXXXX").string();
        if (!::mkdtemp(name.data()))
            throw std::runtime_error("mkdtemp failed");
        path = name;
    }
    ~private_directory() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

/// The error bound for a double evaluator (see check_evaluators).
struct double_check {
    std::string kind;    // empty: fine
    std::string failure; // the numbers
};

double_check judge_double(double d, const reference_value& ref) {
    double_check c;
    const numeric v = ref.value;
    const numeric max_double("1.7976931348623157e308");
    const bool representable = GiNaC::abs(v) <= max_double;
    if (!std::isfinite(d)) {
        if (representable)
            c.kind = c.failure = "not finite for a finite true value";
        return c;
    }
    if (!representable) {
        c.kind = c.failure = "finite for a value beyond double's range";
        return c;
    }
    // The same computation in double rounds every operation by up to 2^-53 where the reference
    // rounded by u: its error is about condition * 2^-53. Allow 1024 times that (libm's last
    // bits, the kernels' own formulas, constants rounded), and never less than 1e-9 relative:
    // so a well-conditioned value (condition * 2^-53 below 1e-12 of it) fails only beyond 1e-9
    // relative. 1e-300 absolute covers results in or near the subnormal range.
    const numeric eps("1.1102230246251565e-16");
    numeric allowed = numeric(1024) * ref.condition * eps;
    const numeric rel = numeric("1e-9") * GiNaC::abs(v);
    if (allowed < rel)
        allowed = rel;
    allowed += numeric("1e-300");
    const numeric err = GiNaC::abs(numeric(d) - v);
    if (err > allowed) {
        c.kind = "error beyond the bound";
        c.failure = "error " + number_text(err, 3) + " beyond the bound " + number_text(allowed, 3);
    }
    return c;
}

std::string double_text(double d) {
    return format_double(d);
}

} // namespace

void check_evaluators(const std::vector<std::string>& texts,
                      const std::vector<std::vector<GiNaC::exmap>>& points, bool native,
                      failure_log& log, std::size_t first_index, double timeout_seconds) {
    argument_layout layout;
    for (const char* name : {"a", "b", "c", "x", "z", "p", "q"})
        layout.weights.push_back(symbol_named(name));
    layout.labels.push_back(symbol_named("y"));

    struct entry {
        std::size_t index;
        std::string text;
        ex e;
        std::size_t output;
        const std::vector<GiNaC::exmap>* points;
    };
    std::vector<entry> entries;
    GiNaC::exvector outputs;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const std::size_t index = first_index + i;
        ex e;
        if (!parse_generated(texts[i], e, log, index))
            continue;
        try {
            (void)compile_tape(GiNaC::exvector{e}, layout);
        } catch (const symgrad::error& x) {
            log.count("not compiled (symgrad error)");
            continue;
        } catch (const std::exception& x) {
            log.fail(index, "compile_tape internal error", texts[i], x.what());
            continue;
        }
        entries.push_back({index, texts[i], e, outputs.size(), &points[i]});
        outputs.push_back(e);
    }
    if (entries.empty())
        return;
    const tape t = compile_tape(outputs, layout);

    std::shared_ptr<native_module> module;
    std::unique_ptr<private_directory> cache;
    if (native) {
        try {
            cache = std::make_unique<private_directory>();
            native_options no;
            no.cache_directory = cache->path.string();
            // The flags a user gets: tiered execution needs the interpreter's bits from them.
            no.flags = default_native_flags();
            module = native_module::build(t, no);
        } catch (const native_unavailable& x) {
            log.count("native code unavailable");
        } catch (const std::exception& x) {
            log.fail(first_index, "native build fails", "(batch)", x.what());
        }
    }

    const numeric rel("1e-30");
    auto run_entry = [&](std::size_t k, failure_log& case_log) {
        const entry& en = entries[k];
        std::vector<double> registers(t.register_count()), out_interp(t.outputs().size()),
            out_native(t.outputs().size());
        for (const auto& p : *en.points) {
            enter_stage("reference evaluation");
            reference_options o;
            o.digits = 60;
            const reference_value ref = reference_resolved(en.e, p, o, rel);
            if (!ref.ok()) {
                case_log.count(std::string("points skipped: ") + reference_status_name(ref.status));
                continue;
            }
            const std::string where = "at " + point_text(p) + ": reference " + value_text(ref) +
                                      " (condition " + number_text(ref.condition, 3) + ")";

            // CLN evaluation by the engine: claimed correct to 17 significant digits.
            try {
                enter_stage("evaluate_numeric");
                const numeric n = evaluate_numeric(en.e, p, 17, "differential");
                const bool ok = ref.error.is_zero() && ref.value.is_rational()
                                    ? n == ref.value || GiNaC::abs(n - ref.value) <=
                                                            numeric("1e-15") * GiNaC::abs(ref.value)
                                    : GiNaC::abs(n - ref.value) <=
                                          numeric("1e-15") * GiNaC::abs(ref.value) + ref.error;
                if (!ref.resolved(numeric("1e-20")))
                    case_log.count("evaluate_numeric: reference not resolved, not compared");
                else if (!ok)
                    case_log.fail(en.index, "evaluate_numeric wrong", en.text,
                                  where + "; evaluate_numeric " + number_text(n));
                else
                    case_log.count("evaluate_numeric compared");
            } catch (const symgrad::error& x) {
                case_log.fail(en.index, "evaluate_numeric refuses a defined value", en.text,
                              where + "; " + x.what());
            } catch (const std::exception& x) {
                case_log.fail(en.index, "evaluate_numeric internal error", en.text,
                              where + "; " + x.what());
            }

            if (ref.outside_double) {
                // A subexpression's value is beyond double's range (exp(1000)/exp(999),
                // log(sigmoid(-1000))): double evaluators are not expected to get these.
                case_log.count(
                    "double evaluators not compared: a subexpression is outside double's "
                    "range");
                continue;
            }
            std::vector<double> w;
            for (const auto& s : layout.weights) {
                const auto it = p.find(s);
                w.push_back(it == p.end() ? 0.0 : GiNaC::ex_to<numeric>(it->second).to_double());
            }
            const auto yi = p.find(symbol_named("y"));
            const double y = yi == p.end() ? 0.0 : GiNaC::ex_to<numeric>(yi->second).to_double();

            auto judge = [&](const char* evaluator, double d) {
                const double_check c = judge_double(d, ref);
                if (!c.kind.empty())
                    case_log.fail(en.index, std::string(evaluator) + ": " + c.kind, en.text,
                                  where + "; " + evaluator + " " + double_text(d) + ": " +
                                      c.failure);
                else
                    case_log.count(std::string(evaluator) + " compared");
            };
            enter_stage("interpreter");
            run_point(t, w.data(), nullptr, &y, registers.data(), out_interp.data());
            judge("interpreter", out_interp[en.output]);
            if (module) {
                enter_stage("native");
                module->point()(w.data(), nullptr, &y, out_native.data());
                judge("native", out_native[en.output]);
                // Tiered execution switches from the interpreter to native code in the middle
                // of a run: both must compute the same bits (NaN for NaN).
                const double a = out_interp[en.output], b = out_native[en.output];
                if (!(std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b))))
                    case_log.fail(en.index, "native and interpreter bits differ", en.text,
                                  where + "; interpreter " + double_text(a) + ", native " +
                                      double_text(b));
                else
                    case_log.count("native and interpreter bits compared");
            }
            try {
                enter_stage("evaluate_double");
                judge("evaluate_double", evaluate_double(en.e, to_double_point(p), "differential"));
            } catch (const symgrad::error& x) {
                case_log.fail(en.index, "evaluate_double refuses a finite value", en.text,
                              where + "; " + x.what());
            } catch (const std::exception& x) {
                case_log.fail(en.index, "evaluate_double internal error", en.text,
                              where + "; " + x.what());
            }
        }
    };
    run_isolated_cases(entries.size(), timeout_seconds, log, run_entry,
                       [&](std::size_t k) { return entries[k].text; });
}

// ---- 5. print and parse --------------------------------------------------------------------

namespace {

/// Whether @p e contains a number that @p bad says is wrong (not rational, not real).
template <class P> bool has_number(const ex& e, P bad) {
    if (GiNaC::is_exactly_a<numeric>(e))
        return bad(GiNaC::ex_to<numeric>(e));
    for (const auto& op : e)
        if (has_number(op, bad))
            return true;
    return false;
}

bool exactly_equal(const ex& a, const ex& b) {
    if (a.is_equal(b))
        return true;
    try {
        return (a - b).expand().is_zero();
    } catch (const std::exception&) {
        return false;
    }
}

} // namespace

void check_print_parse(const std::string& text, failure_log& log, std::size_t index) {
    ex e;
    if (!parse_generated(text, e, log, index))
        return;
    if (has_number(e, [](const numeric& n) { return !n.is_real(); }))
        log.fail(index, "parse accepts a non-real value", text,
                 "parsed as " + test::ginac_print(e));
    else if (has_number(e, [](const numeric& n) { return !n.is_rational(); }))
        log.fail(index, "parsed number is not exact", text, "parsed as " + test::ginac_print(e));
    std::string printed;
    try {
        printed = to_text(e);
    } catch (const std::exception& x) {
        log.fail(index, "to_text throws", text, x.what());
        return;
    }
    ex back;
    try {
        back = parse(printed);
    } catch (const std::exception& x) {
        log.fail(index, "to_text output does not parse", text,
                 "printed " + shorten(printed) + "\n    " + x.what());
        return;
    }
    if (!exactly_equal(e, back)) {
        // GiNaC evaluates the text further as it reads it (csgn(b)^3 -> csgn(b), 1/(1/u)^(4/3)
        // -> u^(4/3)): that is a failure only if the function changed. Compared at random
        // points by the reference evaluation.
        enter_stage("reference evaluation");
        random_source random(index);
        std::string witness;
        for (int k = 0; k < 12 && witness.empty(); ++k) {
            const GiNaC::exmap p = random_exact_point(variables_of(e), 2, random);
            reference_options o;
            const reference_value a = reference_resolved(e, p, o, numeric("1e-20"));
            const reference_value b = reference_resolved(back, p, o, numeric("1e-20"));
            if (a.ok() != b.ok() && (a.status == reference_status::undefined ||
                                     b.status == reference_status::undefined))
                witness = "at " + point_text(p) + ": " + value_text(a) + " vs " + value_text(b);
            else if (a.ok() && b.ok() && GiNaC::abs(a.value - b.value) > 4 * (a.error + b.error))
                witness = "at " + point_text(p) + ": " + value_text(a) + " vs " + value_text(b);
        }
        if (!witness.empty())
            log.fail(index, "to_text output reads back as a different function", text,
                     "printed " + shorten(printed) + "\n    read back as " +
                         shorten(to_text(back)) + "\n    " + witness);
        else
            log.count("read back equal in value, not in form (GiNaC evaluated the text further)");
        return;
    }
    log.count("read back equal");
    if (to_text(back) != printed)
        log.count("note: printing the read-back expression gives another text");
}

// ---- 6. same bytes -------------------------------------------------------------------------

namespace {

struct process_result {
    bool timed_out = false;
    int status = -1;
    std::string out, err;
};

/// Run the symgrad binary with @p args (no shell), stdout and stderr to files.
process_result run_symgrad(const std::vector<std::string>& args, double timeout_seconds,
                           const std::filesystem::path& dir) {
    process_result r;
    const auto out_path = dir / "out", err_path = dir / "err";
    const pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        const int o = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int e = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int in = ::open("/dev/null", O_RDONLY);
        if (o < 0 || e < 0 || in < 0)
            ::_exit(126);
        ::dup2(in, 0);
        ::dup2(o, 1);
        ::dup2(e, 2);
        std::vector<std::string> full{SYMGRAD_CLI_PATH};
        full.insert(full.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : full)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    const auto start = std::chrono::steady_clock::now();
    int status = 0;
    for (;;) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid)
            break;
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >
            timeout_seconds) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            r.timed_out = true;
            return r;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = read_text(out_path);
    r.err = read_text(err_path);
    return r;
}

std::string command_text(const std::vector<std::string>& args) {
    std::string s = "symgrad";
    for (const auto& a : args)
        s += " '" + a + "'";
    return s;
}

} // namespace

void check_same_bytes(const std::vector<std::string>& args, failure_log& log, std::size_t index,
                      int runs, double timeout_seconds) {
    const auto dir = scratch_directory("differential");
    std::vector<process_result> results;
    for (int i = 0; i < runs; ++i) {
        results.push_back(run_symgrad(args, timeout_seconds, dir));
        if (results.back().timed_out) {
            log.fail(index,
                     "command did not finish within " + std::to_string(timeout_seconds) + " s",
                     command_text(args), "run " + std::to_string(i + 1));
            std::filesystem::remove_all(dir);
            return;
        }
    }
    std::filesystem::remove_all(dir);
    if (results[0].status >= 128)
        log.fail(index, "command crashes", command_text(args),
                 "status " + std::to_string(results[0].status) + "\n" + results[0].err);
    for (int i = 1; i < runs; ++i) {
        const auto& a = results[0];
        const auto& b = results[static_cast<std::size_t>(i)];
        if (a.status != b.status || a.out != b.out || a.err != b.err) {
            log.fail(index, "output differs between runs", command_text(args),
                     "run 1: status " + std::to_string(a.status) + "\n" + shorten(a.out + a.err) +
                         "\n    run " + std::to_string(i + 1) + ": status " +
                         std::to_string(b.status) + "\n" + shorten(b.out + b.err));
            return;
        }
    }
    log.count("commands with identical output (status " + std::to_string(results[0].status) + ")");
}

// ---- identities ----------------------------------------------------------------------------

const std::vector<identity>& identity_table() {
    static const std::vector<identity> table{
        {"sigmoid_of_negative", "sigmoid(-$Z)", "1 - sigmoid($Z)"},
        {"softplus_difference", "softplus($Z) - softplus(-$Z)", "$Z"},
        {"log_sigmoid", "log(sigmoid($Z))", "-softplus(-$Z)"},
        {"log_one_minus_sigmoid", "log(1 - sigmoid($Z))", "-softplus($Z)"},
        {"logsumexp_of_two", "logsumexp($A, $B)", "$A + softplus($B - $A)"},
        {"logsumexp_definition", "logsumexp($A, $B, $C)", "log(exp($A) + exp($B) + exp($C))"},
        {"tanh_by_sigmoid", "tanh($Z)", "2*sigmoid(2*$Z) - 1"},
        {"sigmoid_by_tanh", "sigmoid($Z)", "(1 + tanh($Z/2))/2"},
        {"relu_by_abs", "relu($Z)", "($Z + abs($Z))/2"},
        {"relu_difference", "relu($Z) - relu(-$Z)", "$Z"},
        {"abs_squared", "abs($Z)^2", "$Z^2"},
        {"sqrt_of_square", "sqrt($Z^2)", "abs($Z)"},
        {"exp_of_sum", "exp($A)*exp($B)", "exp($A + $B)"},
        {"exp_of_log", "exp(log($P))", "$P"},
        {"nested_fractional_power", "($P^(3/2))^(3/2)", "$P^(9/4)"},
        {"log_of_product", "log($P*$Q)", "log($P) + log($Q)"},
        {"softplus_definition", "softplus($Z)", "log(1 + exp($Z))"},
        {"softplus_shift", "softplus($Z)", "$Z + softplus(-$Z)"},
        {"step_symmetry", "step($Z) + step(-$Z)", "1"},
        {"csgn_times_abs", "csgn($Z)*abs($Z)", "$Z"},
        {"sigmoid_derivative_form", "sigmoid($Z)*(1 - sigmoid($Z))", "exp(-$Z)/(1 + exp(-$Z))^2"},
        {"softmax_of_two", "softmax(0, $A, $B)", "sigmoid($A - $B)"},
        {"logloss_of_sigmoid_1", "logloss(sigmoid($Z), 1)", "softplus(-$Z)"},
        {"logloss_of_sigmoid_0", "logloss(sigmoid($Z), 0)", "softplus($Z)"},
        {"crossentropy_of_softmax", "crossentropy(softmax({$A, $B, $C}), 1)",
         "logsumexp($A, $B, $C) - $B"},
        {"crossentropy_with_label", "crossentropy(softmax({$A, $B}), y)",
         "logsumexp($A, $B) - indicator(y, 0)*$A - indicator(y, 1)*$B"},
        {"softmax_sums_to_one", "softmax(0, $A, $B, $C) + softmax(1, $A, $B, $C)",
         "1 - softmax(2, $A, $B, $C)"},
    };
    return table;
}

std::string instantiate(const std::string& pattern, const std::map<char, std::string>& args) {
    std::string out;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '$' && i + 1 < pattern.size()) {
            out += "(" + args.at(pattern[i + 1]) + ")";
            ++i;
        } else {
            out += pattern[i];
        }
    }
    return out;
}

std::vector<char> placeholders(const std::string& pattern) {
    std::vector<char> out;
    for (std::size_t i = 0; i + 1 < pattern.size(); ++i)
        if (pattern[i] == '$' && std::find(out.begin(), out.end(), pattern[i + 1]) == out.end())
            out.push_back(pattern[i + 1]);
    return out;
}

} // namespace symgrad::test
