// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// A fixture for the layer check (tests/CMakeLists.txt, test layers_wrong_way): the core layer
// may not include a header of the train layer. Never compiled.
#include "symgrad/core/error.hpp"
#include "symgrad/train/trainer.hpp"
