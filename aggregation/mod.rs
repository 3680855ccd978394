// SPDX-License-Identifier: GPL-2.0

//! Aggregation rules (pure: shared with the host tests).

pub(crate) mod rules;
