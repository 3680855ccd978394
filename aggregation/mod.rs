// SPDX-License-Identifier: GPL-2.0

//! Aggregation rules (pure, `pub`: shared with the host tests).

pub mod rules;
