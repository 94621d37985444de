// Umbrella header: everything public in simdlr.
#pragma once

#include "simdlr/cpu.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/io.hpp"
#include "simdlr/kernels.hpp"
#include "simdlr/linear_regression.hpp"
#include "simdlr/logistic_regression.hpp"
#include "simdlr/matrix.hpp"
#include "simdlr/metrics.hpp"
#include "simdlr/model_file.hpp"
#include "simdlr/model_selection.hpp"
#include "simdlr/objective.hpp"
#include "simdlr/objectives.hpp"
#include "simdlr/solvers.hpp"
#include "simdlr/version.hpp"
