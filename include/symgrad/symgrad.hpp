// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file symgrad.hpp
/// The umbrella header: everything public in symgrad.

#include "symgrad/error.hpp"
#include "symgrad/evaluate.hpp"
#include "symgrad/functions.hpp"
#include "symgrad/kernels.hpp"
#include "symgrad/parser.hpp"
#include "symgrad/precision.hpp"
#include "symgrad/printers.hpp"
#include "symgrad/spelling.hpp"
#include "symgrad/simplify.hpp"
#include "symgrad/symbols.hpp"
#include "symgrad/trainer.hpp"
#include "symgrad/verify.hpp"
#include "symgrad/closed_form.hpp"
#include "symgrad/dataset.hpp"
#include "symgrad/gradient_program.hpp"
#include "symgrad/model.hpp"
#include "symgrad/operation_count.hpp"
#include "symgrad/program_evaluate.hpp"
#include "symgrad/program_printer.hpp"
#include "symgrad/tensor.hpp"
#include "symgrad/batch_evaluator.hpp"
#include "symgrad/version.hpp"
