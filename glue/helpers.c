// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers for static inline functions and macros Rust cannot call directly.
 * One line each: no logic lives here.
 */
#include "bindings.h"
