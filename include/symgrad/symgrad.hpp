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
#include "symgrad/symbols.hpp"
#include "symgrad/version.hpp"
