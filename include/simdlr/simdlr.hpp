// Umbrella header: everything public in simdlr.
#pragma once

#include "simdlr/cpu.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/kernels.hpp"
#include "simdlr/matrix.hpp"
#include "simdlr/version.hpp"
