// SPDX-License-Identifier: GPL-2.0

//! Flow accounting: keys, the flow table, aging.

pub(crate) mod aging;
pub(crate) mod hash;
pub(crate) mod key;
pub(crate) mod stats;
pub(crate) mod table;
