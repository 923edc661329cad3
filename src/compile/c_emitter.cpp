// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/compile/c_emitter.hpp"

#include "compile/register_allocation.hpp"

#include "symgrad/core/assert.hpp"
#include "symgrad/core/c_kernels.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/version.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <sstream>
#include <vector>

namespace symgrad {

namespace {

constexpr const char* c_includes = "#include <math.h>\n#include <stddef.h>\n#include <stdlib.h>\n";

/// The kernels of kernels.hpp in C99, formula for formula: sg_sigmoid, sg_softplus and
/// sg_logsumexp come from c_kernels.hpp (shared with the printed C helpers), the rest are here.
std::string c_stable_kernels() {
    return c_kernel_definition(c_kernel::sigmoid, "static inline double sg_sigmoid(double z)") +
           "\n" +
           c_kernel_definition(c_kernel::softplus, "static inline double sg_softplus(double z)") +
           "\n" +
           c_kernel_definition(c_kernel::logsumexp,
                               "static inline double sg_logsumexp(const double *z, int n)") +
           "\n";
}

constexpr const char* c_prelude =
    R"(static inline double sg_relu(double z) { return z > 0 ? z : 0.0; }
static inline double sg_step(double z) { return z > 0 ? 1.0 : (z < 0 ? 0.0 : 0.5); }
static inline double sg_csgn(double z) { return z > 0 ? 1.0 : (z < 0 ? -1.0 : 0.0); }
static inline double sg_powi(double a, int n) { return pow(a, (double)n); }
static inline double sg_logloss(double p, double y) {
    double r = 0;
    if (!(p >= 0 && p <= 1 && (p > 0 || y == 0) && (p < 1 || y == 1)))
        return NAN;
    if (y != 0)
        r -= y * log(p);
    if (y != 1)
        r -= (1 - y) * log1p(-p);
    return r;
}
static inline double sg_expsum(double a, double b) {
    const double s = a + b, r = exp(s);
    double bb, err;
    if (!isfinite(s))
        return r;
    bb = s - a;
    err = (a - (s - bb)) + (b - bb);
    return r + r * err;
}
static inline int sg_argmax(const double *z, int n) {
    int j, top = 0;
    for (j = 1; j < n; ++j)
        if (z[j] > z[top])
            top = j;
    return top;
}
static inline double sg_lse_tail(const double *z, int n) {
    const int top = sg_argmax(z, n);
    const double m = z[top];
    double s = 0;
    int j;
    if (isinf(m))
        return 0;
    for (j = 0; j < n; ++j)
        if (j != top)
            s += exp(z[j] - m);
    return log1p(s);
}
static inline double sg_expdiff2(const double *v, int n) {
    const double a = v[0], m = v[1], l = v[2];
    const double d = a - m;
    double dd, e1, t, tt, e2, r;
    (void)n;
    if (!isfinite(d))
        return exp(d - l);
    dd = d - a;
    e1 = (a - (d - dd)) + (-m - dd);
    t = d - l;
    tt = t - d;
    e2 = (d - (t - tt)) + (-l - tt);
    r = exp(t);
    return r + r * (e1 + e2);
}
static inline double sg_softmax(int k, const double *z, int n) {
    double m = z[0], s = 0;
    int j;
    for (j = 1; j < n; ++j)
        m = m < z[j] ? z[j] : m;
    for (j = 0; j < n; ++j)
        s += exp(z[j] - m);
    return exp(z[k] - m) / s;
}
static inline double sg_crossentropy(const double *v, int n) {
    const double y = v[0];
    if (!(y >= 0 && y < (double)(n - 1)) || floor(y) != y)
        return NAN;
    return -log(v[(int)y + 1]);
}
/* The fixed summation order: sample l of a block goes to lane l mod 8. */
static inline void sg_sum_lanes(double *restrict acc, const double *restrict v, size_t m) {
    size_t l0 = 0, j;
    for (; l0 + 8 <= m; l0 += 8)
        for (j = 0; j < 8; ++j)
            acc[j] += v[l0 + j];
    for (j = 0; l0 + j < m; ++j)
        acc[j] += v[l0 + j];
}
static inline void sg_sum_scalar(double *restrict acc, double s, size_t m) {
    size_t l0 = 0, j;
    for (; l0 + 8 <= m; l0 += 8)
        for (j = 0; j < 8; ++j)
            acc[j] += s;
    for (j = 0; l0 + j < m; ++j)
        acc[j] += s;
}
static inline void sg_sum_products(double *restrict acc, const double *restrict a,
                                   const double *restrict b, size_t m) {
    size_t l0 = 0, j;
    for (; l0 + 8 <= m; l0 += 8)
        for (j = 0; j < 8; ++j)
            acc[j] += a[l0 + j] * b[l0 + j];
    for (j = 0; l0 + j < m; ++j)
        acc[j] += a[l0 + j] * b[l0 + j];
}
static inline void sg_sum_scaled(double *restrict acc, const double *restrict a, double s,
                                 size_t m) {
    size_t l0 = 0, j;
    for (; l0 + 8 <= m; l0 += 8)
        for (j = 0; j < 8; ++j)
            acc[j] += a[l0 + j] * s;
    for (j = 0; l0 + j < m; ++j)
        acc[j] += a[l0 + j] * s;
}
static inline double sg_fold(const double *a) {
    return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}
)";

/// Text safe inside a C comment: no '*', so nothing can close it.
std::string comment_text(std::string_view text) {
    std::string out;
    for (char ch : text) {
        const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                        (ch >= '0' && ch <= '9') || ch == '_' || ch == '/' || ch == ' ';
        out += ok ? ch : '_';
    }
    return out;
}

/// @p text with four spaces less indentation on every line.
std::string dedent(const std::string& text) {
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos)
            end = text.size();
        std::string line = text.substr(pos, end - pos);
        if (line.rfind("    ", 0) == 0)
            line.erase(0, 4);
        out += line + "\n";
        pos = end + 1;
    }
    return out;
}

/// A double literal that reads back exactly (17 significant digits) and is never an int.
std::string literal(double v) {
    std::string s = fmt::format("{:.17g}", v);
    if (s.find_first_of(".en") == std::string::npos)
        s += ".0";
    if (s[0] == '-')
        s = "(" + s + ")";
    return s;
}

/// Instructions per loop (and per function): keeps each function small enough that the C
/// compiler's optimisation time stays linear in the program.
constexpr std::size_t group_limit = 64;

/// Operations the compiler can vectorise over samples (no library call).
bool vectorisable(opcode op) {
    switch (op) {
    case opcode::neg:
    case opcode::sqrt:
    case opcode::abs:
    case opcode::step:
    case opcode::csgn:
    case opcode::relu:
    case opcode::add:
    case opcode::sub:
    case opcode::mul:
    case opcode::div:
    case opcode::indicator:
    case opcode::muladd:
    case opcode::mulsub:
    case opcode::sigmoid_e:
        return true;
    default:
        return false;
    }
}

/// The C text of an instruction's value, given how to name its operands.
std::string expression(const tape& t, const instruction& in,
                       const std::function<std::string(std::uint32_t)>& name, std::string& prologue,
                       const std::string& scratch) {
    const std::string a = opcode_arity(in.op) != 0 ? name(in.a) : "";
    const std::string b = opcode_arity(in.op) >= 2 ? name(in.b) : "";
    switch (in.op) {
    case opcode::neg:
        return "-" + a;
    case opcode::sqrt:
        return "sqrt(" + a + ")";
    case opcode::exp:
        return "exp(" + a + ")";
    case opcode::log:
        return "log(" + a + ")";
    case opcode::tanh:
        return "tanh(" + a + ")";
    case opcode::sinh:
        return "sinh(" + a + ")";
    case opcode::cosh:
        return "cosh(" + a + ")";
    case opcode::sin:
        return "sin(" + a + ")";
    case opcode::cos:
        return "cos(" + a + ")";
    case opcode::tan:
        return "tan(" + a + ")";
    case opcode::atan:
        return "atan(" + a + ")";
    case opcode::asin:
        return "asin(" + a + ")";
    case opcode::acos:
        return "acos(" + a + ")";
    case opcode::abs:
        return "fabs(" + a + ")";
    case opcode::step:
        return "sg_step(" + a + ")";
    case opcode::csgn:
        return "sg_csgn(" + a + ")";
    case opcode::sigmoid:
        return "sg_sigmoid(" + a + ")";
    case opcode::softplus:
        return "sg_softplus(" + a + ")";
    case opcode::expnegabs:
        return "exp(-fabs(" + a + "))";
    case opcode::log1p:
        return "log1p(" + a + ")";
    case opcode::expm1:
        return "expm1(" + a + ")";
    case opcode::hypot:
        return "hypot(" + a + ", " + b + ")";
    case opcode::relu:
        return "sg_relu(" + a + ")";
    case opcode::add:
        return a + " + " + b;
    case opcode::sub:
        return a + " - " + b;
    case opcode::mul:
        return a + " * " + b;
    case opcode::div:
        return a + " / " + b;
    case opcode::pow:
        return "pow(" + a + ", " + b + ")";
    case opcode::expsum:
        return "sg_expsum(" + a + ", " + b + ")";
    case opcode::sigmoid_e:
        return "((" + a + " >= 0 ? 1.0 : " + b + ") / (1.0 + " + b + "))";
    case opcode::logloss:
        return "sg_logloss(" + a + ", " + b + ")";
    case opcode::indicator:
        return "(" + a + " == " + b + " ? 1.0 : 0.0)";
    case opcode::muladd:
        return a + " * " + b + " + " + name(in.c);
    case opcode::mulsub:
        return name(in.c) + " - " + a + " * " + b;
    case opcode::powi:
        return "sg_powi(" + a + ", " + std::to_string(in.imm) + ")";
    case opcode::logsumexp:
    case opcode::softmax:
    case opcode::crossentropy:
    case opcode::lse_max:
    case opcode::lse_tail:
    case opcode::expdiff2: {
        std::string list;
        for (std::uint32_t k = 0; k < in.b; ++k)
            list += (k ? ", " : "") + name(t.operands()[in.a + k]);
        prologue += "double " + scratch + "[" + std::to_string(in.b) + "] = {" + list + "}; ";
        const std::string n = std::to_string(in.b);
        if (in.op == opcode::logsumexp)
            return "sg_logsumexp(" + scratch + ", " + n + ")";
        if (in.op == opcode::lse_max)
            return scratch + "[sg_argmax(" + scratch + ", " + n + ")]";
        if (in.op == opcode::lse_tail)
            return "sg_lse_tail(" + scratch + ", " + n + ")";
        if (in.op == opcode::expdiff2)
            return "sg_expdiff2(" + scratch + ", " + n + ")";
        if (in.op == opcode::softmax)
            return "sg_softmax(" + std::to_string(in.imm) + ", " + scratch + ", " + n + ")";
        return "sg_crossentropy(" + scratch + ", " + n + ")";
    }
    }
    return "0";
}

class c_writer {
public:
    c_writer(const tape& t, const c_options& o) : t_(t), o_(o), prefix_(c_identifier(o.prefix)) {}

    std::string write() {
        std::ostringstream os;
        os << "/* Generated by symgrad " << version << " from a tape of "
           << t_.instructions().size() << " instructions. */\n";
        if (o_.layout_comment)
            os << layout_comment();
        os << c_includes << "\n" << c_stable_kernels() << c_prelude << "\n";
        write_point(os);
        os << "\n";
        write_sum(os);
        return os.str();
    }

private:
    std::string layout_comment() const {
        std::ostringstream os;
        os << "/* Arguments:\n";
        for (std::size_t i = 0; i < t_.argument_count(); ++i)
            os << " *   " << arg_name(static_cast<std::uint32_t>(i)) << "  "
               << comment_text(t_.describe(i)) << "\n";
        os << " * Outputs:\n";
        for (std::size_t k = 0; k < t_.outputs().size(); ++k)
            os << " *   out[" << k << "]  " << comment_text(t_.outputs()[k].name) << "\n";
        os << " */\n";
        return os.str();
    }

    std::string arg_name(std::uint32_t reg) const {
        const std::size_t nw = t_.weight_count(), ni = t_.input_count();
        if (reg < nw)
            return "w[" + std::to_string(reg) + "]";
        if (reg < nw + ni)
            return "x[" + std::to_string(reg - nw) + "]";
        return "y[" + std::to_string(reg - nw - ni) + "]";
    }

    bool is_constant(std::uint32_t reg) const {
        return reg >= t_.first_constant() && reg < t_.first_result();
    }

    std::string constant(std::uint32_t reg) const {
        return literal(t_.constants()[reg - t_.first_constant()]);
    }

    void write_point(std::ostream& os) {
        os << "void " << prefix_
           << "_point(const double *restrict w, const double *restrict x,\n"
              "    const double *restrict y, double *restrict out) {\n";
        os << "    (void)w; (void)x; (void)y;\n";
        auto name = [&](std::uint32_t reg) -> std::string {
            if (reg < t_.argument_count())
                return arg_name(reg);
            if (is_constant(reg))
                return constant(reg);
            return "r" + std::to_string(reg);
        };
        for (const auto& in : t_.instructions()) {
            std::string prologue;
            const std::string scratch = "z" + std::to_string(in.result);
            const std::string value = expression(t_, in, name, prologue, scratch);
            os << "    " << prologue << "const double r" << in.result << " = " << value << ";\n";
        }
        for (std::size_t k = 0; k < t_.outputs().size(); ++k)
            os << "    out[" << k << "] = " << name(t_.outputs()[k].reg) << ";\n";
        os << "}\n";
    }

    /// Varying instructions in an order that keeps instructions of one kind (vectorisable or
    /// library calls) together, split into groups of one kind: one loop each.
    std::vector<std::vector<std::size_t>> schedule() const {
        const auto& code = t_.instructions();
        const std::size_t nu = t_.uniform_count(), first = t_.first_result();
        const std::size_t n = code.size();
        std::vector<std::vector<std::size_t>> users(n);
        std::vector<std::size_t> waiting(n, 0);
        for (std::size_t i = nu; i < n; ++i) {
            std::vector<std::size_t> deps;
            for_each_operand(t_, code[i], [&](std::uint32_t reg) {
                if (reg >= first && reg - first >= nu)
                    deps.push_back(reg - first);
            });
            std::sort(deps.begin(), deps.end());
            deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
            waiting[i] = deps.size();
            for (auto d : deps)
                users[d].push_back(i);
        }
        using queue = std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>>;
        queue ready[2];
        auto kind = [&](std::size_t i) { return vectorisable(code[i].op) ? 0 : 1; };
        for (std::size_t i = nu; i < n; ++i)
            if (waiting[i] == 0)
                ready[kind(i)].push(i);
        std::vector<std::vector<std::size_t>> groups;
        int current = -1;
        for (std::size_t done = nu; done < n; ++done) {
            if (current >= 0 && !ready[current].empty() && groups.back().size() >= group_limit) {
                groups.emplace_back();
            } else if (current < 0 || ready[current].empty()) {
                if (ready[0].empty())
                    current = 1;
                else if (ready[1].empty())
                    current = 0;
                else
                    current = ready[0].top() < ready[1].top() ? 0 : 1;
                groups.emplace_back();
            }
            const std::size_t i = ready[current].top();
            ready[current].pop();
            groups.back().push_back(i);
            for (auto u : users[i])
                if (--waiting[u] == 0)
                    ready[kind(u)].push(u);
        }
        return groups;
    }

    void write_sum(std::ostream& os) {
        const auto& code = t_.instructions();
        const std::size_t nu = t_.uniform_count(), first = t_.first_result();
        const std::size_t nregs = t_.register_count();
        const std::size_t nout = t_.outputs().size();
        const std::size_t ni = t_.input_count(), nl = t_.label_count();
        const auto groups = schedule();

        // Which group computes each varying result, and the outputs of each register.
        constexpr std::size_t none = static_cast<std::size_t>(-1);
        std::vector<std::size_t> group_of(nregs, none);
        for (std::size_t g = 0; g < groups.size(); ++g)
            for (auto i : groups[g])
                group_of[first + i] = g;
        const auto outputs_of = detail::outputs_by_register(t_);
        const auto uses = detail::operand_uses(t_);
        // A product that is only an output is added up after its group's loop, unstored.
        std::vector<bool> product_sum(code.size(), false);
        for (std::size_t i = nu; i < code.size(); ++i) {
            SYMGRAD_ASSERT(code[i].result == first + i); // instruction i writes register first + i
            product_sum[i] = detail::is_output_only_product(code[i], uses, outputs_of);
        }

        // A varying value needs a slot (a block array) when it is read outside the loop of its
        // group: by another group, by a product sum, or as an output.
        std::vector<bool> needs_slot(nregs, false);
        std::vector<std::size_t> last_group(nregs, 0);
        for (std::size_t g = 0; g < groups.size(); ++g)
            for (auto i : groups[g])
                for_each_operand(t_, code[i], [&](std::uint32_t reg) {
                    if (!t_.is_varying(reg))
                        return;
                    last_group[reg] = std::max(last_group[reg], g);
                    if (reg < t_.argument_count() || group_of[reg] != g || product_sum[i])
                        needs_slot[reg] = true;
                });
        for (std::size_t k = 0; k < nout; ++k) {
            const std::uint32_t reg = t_.outputs()[k].reg;
            if (t_.is_varying(reg) && reg >= first && !product_sum[reg - first]) {
                needs_slot[reg] = true;
                last_group[reg] = std::max(last_group[reg], group_of[reg]);
            }
            if (t_.is_varying(reg) && reg < first)
                needs_slot[reg] = true;
        }

        // Slots, reused once the group of a value's last use is over.
        std::vector<std::size_t> slot(nregs, none);
        detail::slot_pool pool;
        std::vector<std::vector<std::uint32_t>> dies_after(groups.size() + 1);
        std::vector<std::uint32_t> data;
        for (std::size_t reg = t_.weight_count(); reg < t_.argument_count(); ++reg)
            if (needs_slot[reg]) {
                slot[reg] = pool.take();
                data.push_back(static_cast<std::uint32_t>(reg));
            }
        std::vector<bool> read_by_group(nregs, false);
        for (const auto& g : groups)
            for (auto i : g)
                for_each_operand(t_, code[i],
                                 [&](std::uint32_t reg) { read_by_group[reg] = true; });
        for (auto reg : data) {
            if (read_by_group[reg])
                dies_after[last_group[reg]].push_back(reg);
            else
                pool.release(slot[reg]); // only an output: added up before any group
        }
        for (std::size_t g = 0; g < groups.size(); ++g) {
            for (auto i : groups[g]) {
                const std::uint32_t reg = static_cast<std::uint32_t>(first + i);
                if (needs_slot[reg]) {
                    slot[reg] = pool.take();
                    dies_after[last_group[reg]].push_back(reg);
                }
            }
            for (auto reg : dies_after[g])
                pool.release(slot[reg]);
        }

        auto uniform_name = [&](std::uint32_t reg) {
            return "u[" + std::to_string(reg - first) + "]";
        };
        auto scalar_of = [&](std::uint32_t reg) -> std::string {
            if (reg < t_.weight_count())
                return "w[" + std::to_string(reg) + "]";
            if (is_constant(reg))
                return constant(reg);
            return uniform_name(reg);
        };
        auto loop_name = [&](std::uint32_t reg) -> std::string {
            if (!t_.is_varying(reg))
                return scalar_of(reg);
            if (slot[reg] != none)
                return "v[" + std::to_string(slot[reg]) + "][l]";
            return "t" + std::to_string(reg);
        };
        auto lane_of = [&](std::uint32_t reg) {
            return "v[" + std::to_string(slot[reg]) + "][l0 + j]";
        };
        const std::string group_parameters =
            "(const double *restrict w, const double *restrict u, sg_block *restrict v,\n"
            "    double (*restrict acc)[8], size_t m)";
        const std::string group_arguments = "(w, u, v, acc, m)";
        /// One loop over the block's samples, then one adding the group's outputs.
        auto write_group = [&](std::size_t number, const std::string& body,
                               const std::string& sums) {
            os << "static SG_NOINLINE void " << prefix_ << "_g" << number << group_parameters
               << " {\n";
            os << "    size_t l, l0 = 0, j;\n";
            os << "    (void)w; (void)u; (void)acc; (void)l; (void)l0; (void)j;\n";
            if (!body.empty())
                os << "    for (l = 0; l < m; ++l) {\n" << body << "    }\n";
            if (!sums.empty()) {
                os << "    for (; l0 + 8 <= m; l0 += 8)\n        for (j = 0; j < 8; ++j) {\n"
                   << sums << "        }\n";
                os << "    for (j = 0; l0 + j < m; ++j) {\n" << dedent(sums) << "    }\n";
            }
            os << "}\n";
        };

        os << "#if defined(__GNUC__)\n#define SG_NOINLINE __attribute__((noinline))\n#else\n"
              "#define SG_NOINLINE\n#endif\n";
        os << "typedef double sg_block[" << o_.block << "];\n\n";
        // Group 0 gathers the block's inputs and labels and adds up the outputs that are not
        // computed per sample.
        {
            std::ostringstream body, sums;
            for (auto reg : data) {
                const bool label = reg >= t_.weight_count() + ni;
                const std::size_t column =
                    label ? reg - t_.weight_count() - ni : reg - t_.weight_count();
                body << "        v[" << slot[reg] << "][l] = "
                     << (label ? "y[l * " + std::to_string(nl) : "x[l * " + std::to_string(ni))
                     << " + " << column << "];\n";
            }
            for (std::size_t k = 0; k < nout; ++k) {
                const std::uint32_t reg = t_.outputs()[k].reg;
                if (!t_.is_varying(reg))
                    sums << "            acc[" << k << "][j] += " << scalar_of(reg) << ";\n";
                else if (reg < first)
                    sums << "            acc[" << k << "][j] += " << lane_of(reg) << ";\n";
            }
            os << "static SG_NOINLINE void " << prefix_
               << "_g0(const double *restrict x, const double *restrict y, const double "
                  "*restrict w,\n    const double *restrict u, sg_block *restrict v, double "
                  "(*restrict acc)[8], size_t m) {\n";
            os << "    size_t l, l0 = 0, j;\n";
            os << "    (void)x; (void)y; (void)w; (void)u; (void)v; (void)acc; (void)l; (void)l0; "
                  "(void)j;\n";
            if (!body.str().empty())
                os << "    for (l = 0; l < m; ++l) {\n" << body.str() << "    }\n";
            if (!sums.str().empty()) {
                os << "    for (; l0 + 8 <= m; l0 += 8)\n        for (j = 0; j < 8; ++j) {\n"
                   << sums.str() << "        }\n";
                os << "    for (j = 0; l0 + j < m; ++j) {\n" << dedent(sums.str()) << "    }\n";
            }
            os << "}\n";
        }
        for (std::size_t g = 0; g < groups.size(); ++g) {
            std::ostringstream body, sums;
            for (auto i : groups[g]) {
                const instruction& in = code[i];
                const std::uint32_t reg = in.result;
                if (product_sum[i]) {
                    const std::size_t k = outputs_of[reg].front();
                    const bool av = t_.is_varying(in.a), bv = t_.is_varying(in.b);
                    sums << "            acc[" << k
                         << "][j] += " << (av ? lane_of(in.a) : scalar_of(in.a)) << " * "
                         << (bv ? lane_of(in.b) : scalar_of(in.b)) << ";\n";
                    continue;
                }
                std::string prologue;
                const std::string value =
                    expression(t_, in, loop_name, prologue, "z" + std::to_string(reg));
                if (!prologue.empty()) {
                    body << "        double t" << reg << "; { " << prologue << "t" << reg << " = "
                         << value << "; }\n";
                    if (needs_slot[reg])
                        body << "        " << loop_name(reg) << " = t" << reg << ";\n";
                } else if (needs_slot[reg]) {
                    body << "        " << loop_name(reg) << " = " << value << ";\n";
                } else {
                    body << "        const double t" << reg << " = " << value << ";\n";
                }
                for (std::size_t k : outputs_of[reg])
                    sums << "            acc[" << k << "][j] += " << lane_of(reg) << ";\n";
            }
            write_group(g + 1, body.str(), sums.str());
        }

        os << "\nvoid " << prefix_
           << "_sum(const double *restrict w, const double *restrict x,\n"
              "    const double *restrict y, size_t begin, size_t end, double *restrict out) {\n";
        // The blocks and accumulators live on the heap: a large model's would not fit the
        // stack of every thread.
        const std::size_t nacc = std::max<std::size_t>(nout, 1);
        os << "    double u[" << std::max<std::size_t>(nu, 1) << "];\n";
        os << "    size_t s0, k, j;\n";
        os << "    sg_block *v = (sg_block *)malloc(sizeof(sg_block) * "
           << std::max<std::size_t>(pool.count(), 1) << " + sizeof(double[8]) * " << nacc << ");\n";
        os << "    double (*acc)[8] = (double (*)[8])(v + "
           << std::max<std::size_t>(pool.count(), 1) << ");\n";
        os << "    if (!v) {\n        for (k = 0; k < " << nout
           << "; ++k)\n            out[k] = NAN;\n        return;\n    }\n";
        for (std::size_t i = 0; i < nu; ++i) {
            std::string prologue;
            const std::string u = uniform_name(code[i].result);
            const std::string value =
                expression(t_, code[i], scalar_of, prologue, "zu" + std::to_string(i));
            if (prologue.empty())
                os << "    " << u << " = " << value << ";\n";
            else
                os << "    { " << prologue << u << " = " << value << "; }\n";
        }
        os << "    for (k = 0; k < " << nout
           << "; ++k)\n"
              "        for (j = 0; j < 8; ++j)\n"
              "            acc[k][j] = 0;\n";
        os << "    for (s0 = begin; s0 < end; s0 += " << o_.block << ") {\n";
        os << "        const size_t m = end - s0 < " << o_.block << " ? end - s0 : " << o_.block
           << ";\n";
        os << "        " << prefix_ << "_g0(x + s0 * " << ni << ", y + s0 * " << nl
           << ", w, u, v, acc, m);\n";
        for (std::size_t g = 0; g < groups.size(); ++g)
            os << "        " << prefix_ << "_g" << g + 1 << group_arguments << ";\n";
        os << "    }\n";
        os << "    for (k = 0; k < " << nout
           << "; ++k)\n"
              "        out[k] = sg_fold(acc[k]);\n";
        os << "    free(v);\n";
        os << "}\n";
    }

    const tape& t_;
    const c_options& o_;
    std::string prefix_;
};

} // namespace

std::string c_identifier(std::string_view text) {
    std::string out;
    for (char ch : text) {
        const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                        (ch >= '0' && ch <= '9') || ch == '_';
        out += ok ? ch : '_';
    }
    if (out.empty() || (out[0] >= '0' && out[0] <= '9'))
        out = "_" + out;
    return out;
}

std::string emit_c(const tape& t, const c_options& options) {
    if (options.block == 0)
        throw invalid_input("emit_c: the block size must be positive, got 0");
    c_writer w(t, options);
    return w.write();
}

} // namespace symgrad
