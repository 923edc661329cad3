// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file latex.hpp
/// Maths as lecture notes and chatbots write it: LaTeX, on its own or inside Markdown. The
/// reader translates LaTeX into symgrad's language, keeping where every byte came from, and the
/// one grammar (tensor_expression.hpp) reads the result; its errors point into the LaTeX, with
/// the line, the column and a caret (source_text's mapped form).
///
/// What it reads:
///   \frac{a}{b} \dfrac \tfrac, \cdot \times \ast, \left( \right) \left[ \right] \left| \right|,
///   {} groups, ^{...} and ^x, e^{...} (exp), \exp \ln \log \tanh \sinh \cosh \sin \cos \tan
///   \sqrt{..} \sqrt[n]{..}, \max \min, \sigma (the sigmoid, unless sigma is a defined name),
///   \operatorname{softmax} (also \mathrm, \text, and softplus, relu, logsumexp), Greek letters
///   as names (\beta is beta), \hat{y} (y_hat), \sum_{i=1}^{3} with numeric bounds (the body
///   repeated with i = 1, 2, 3, in subscripts too: x_i is x_1), \frac{\partial L}{\partial w_1}
///   and \frac{dL}{dw} (diff(L, w1)), \Pr(Y=0) as the name Pr_Y_0, \partial^2 over \partial w^2,
///   \sigma'(z) and f'(z) for a function of one argument (derivative(sigmoid, z)), L'_{w} (diff(L,
///   w)), and products written side by side (2 w_1 x, y(1 - y), xy: in maths each letter is a name
///   of its own, except a known function's name or a defined name). After a line headed \sigma(z)
///   or \sigma'(z), \sigma alone is \sigma(z) (\sigma(1 - \sigma) is a product), and a bracket with
///   a prime, (1 + e^{-z})', is its derivative by z.
///
/// Names with subscripts: w_1 and w_{1} are the defined name among w_1 and w1; when neither is
/// defined, w1 for a subscript of digits and w_i otherwise. A name followed by parentheses is a
/// call when it names a function (known, or defined by the text as f(t) = ...) and a product
/// otherwise; f, g and h followed by parentheses must be defined first.
///
/// Spacing (\, \; \quad ...), & (alignment), \begin{..} and \end{..}, \displaystyle and \limits
/// are skipped. At the top level, \quad, \qquad, \Rightarrow, \implies, \to and \rightarrow
/// separate statements, and a final full stop or comma is punctuation. Anything else, such as
/// \dots, \approx, \Pr or text in a language, is an error at its place.

#include "symgrad/text/source_text.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace symgrad {

/// A piece of maths in a Markdown text.
struct math_block {
    /// The maths, without its delimiters (byte offsets).
    std::size_t begin = 0;
    std::size_t end = 0;
    /// $$...$$, \[...\] or \begin{align}...\end{align} (and the other display environments);
    /// false: $...$ in a line of prose.
    bool display = false;
    /// A $$ that is never closed: the block runs to the end of the text.
    bool unclosed = false;
};

/// The maths of a Markdown text, in order. Fenced code blocks and `code` are skipped; \$ is a
/// dollar sign.
std::vector<math_block> find_math_blocks(std::string_view markdown);

/// The rows of the maths from @p begin to @p end: cut at each \\ outside braces.
std::vector<std::pair<std::size_t, std::size_t>> math_rows(std::string_view text, std::size_t begin,
                                                           std::size_t end);

/// What the reader needs to know of the names in use.
struct latex_names {
    /// A defined name (subscripted names read as the defined spelling); may be empty.
    std::function<bool(std::string_view)> is_defined;
    /// A function defined by the text (f in f(t) = ...); may be empty.
    std::function<bool(std::string_view)> is_function;
    /// The variable of the text's last line headed \sigma(z) or \sigma'(z) (z), kept from row
    /// to row: notes write \sigma alone for \sigma(z), and (1 + e^{-z})' for its derivative by
    /// z. Updated by the reader; may be null (then neither is read).
    std::string* implicit_argument = nullptr;
};

/// LaTeX in symgrad's language.
struct latex_translation {
    std::string text;
    /// offsets[i]: the LaTeX byte that gave text[i]; one more entry, for the end.
    std::vector<std::size_t> offsets;
    /// The statements of the text: byte ranges of `text`, cut at the top-level separators.
    std::vector<std::pair<std::size_t, std::size_t>> statements;
    /// For each statement: it stands next to an implication arrow (w^2 = 4 \Rightarrow w = 2),
    /// so it is an equation being solved, not an identity.
    std::vector<bool> solved;
};

/// The LaTeX of @p latex from @p begin to @p end in symgrad's language. Throws parse_error at
/// the place in the LaTeX of anything it cannot read.
latex_translation translate_latex(const source_text& latex, std::size_t begin, std::size_t end,
                                  const latex_names& names = {});

} // namespace symgrad
