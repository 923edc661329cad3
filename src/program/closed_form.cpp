// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/program/closed_form.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"

#include <cmath>
#include <sstream>
#include <unordered_map>

namespace symgrad {

using GiNaC::ex;

namespace {

/// tree_size with program symbols counting as the tree size of their definitions: the size of
/// the formula after substitution, without building it.
class inlined_size {
public:
    explicit inlined_size(const gradient_program& program) : program_(program) {}

    double operator()(const ex& e) {
        if (auto it = memo_.find(e); it != memo_.end())
            return it->second;
        double size = 1;
        if (const assignment* a = GiNaC::is_a<GiNaC::symbol>(e) ? program_.definition(e) : nullptr)
            size = (*this)(a->value);
        else if (GiNaC::is_exactly_a<GiNaC::mul>(e))
            for (const ex& f : order_.canonical_operands(e)) // as tree_size
                size += (*this)(f);
        else
            for (std::size_t i = 0; i < e.nops(); ++i)
                size += (*this)(e.op(i));
        memo_.emplace(e, size);
        return size;
    }

private:
    const gradient_program& program_;
    std::unordered_map<ex, double> memo_;
    structural_order order_;
};

/// Replaces program symbols by their definitions, recursively and memoised, so the result
/// shares every substituted definition instead of copying it.
class substitute_definitions : public GiNaC::map_function {
public:
    explicit substitute_definitions(const gradient_program& program) : program_(program) {}

    ex operator()(const ex& e) override {
        if (auto it = memo_.find(e); it != memo_.end())
            return it->second;
        ex out;
        if (const assignment* a = GiNaC::is_a<GiNaC::symbol>(e) ? program_.definition(e) : nullptr)
            out = (*this)(a->value);
        else if (e.nops() == 0)
            out = e;
        else
            out = e.map(*this);
        memo_.emplace(e, out);
        return out;
    }

private:
    const gradient_program& program_;
    std::unordered_map<ex, ex> memo_;
};

std::string format_size(double size) {
    std::ostringstream os;
    if (size < 1e9)
        os << static_cast<long long>(size);
    else
        os.precision(3), os << size;
    return os.str();
}

closed_form_result build(const gradient_program& program, const ex& e,
                         const closed_form_options& options, const std::string& what) {
    closed_form_result r;
    inlined_size size_of(program);
    r.size = size_of(e);
    if (r.size > options.max_size) {
        r.message = "closed_form: " + what + " would have " + format_size(r.size) +
                    " nodes (limit " + format_size(options.max_size) +
                    "); the gradient program is the better answer";
        return r;
    }
    substitute_definitions substitute(program);
    r.value = substitute(e);
    if (options.simplify)
        r.value = options.simplify(r.value);
    r.available = true;
    return r;
}

} // namespace

closed_form_result closed_form_of(const gradient_program& program, const ex& e,
                                  const closed_form_options& options) {
    return build(program, e, options, "the formula");
}

closed_form_result closed_form(const gradient_program& program, const ex& weight,
                               const closed_form_options& options) {
    const ex& partial = program.partial(weight);
    const std::string loss_name =
        GiNaC::is_a<GiNaC::symbol>(program.loss()) ? symbol_name(program.loss()) : "L";
    return build(program, partial, options, "d" + loss_name + "/d" + symbol_name(weight));
}

} // namespace symgrad
