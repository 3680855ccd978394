// SPDX-License-Identifier: GPL-2.0

//! Aggregation rules: strip addresses to prefixes and fold port ranges.

pub(crate) mod rules;
