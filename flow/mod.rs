// SPDX-License-Identifier: GPL-2.0

//! Flow accounting: keys, hashing and aging (pure, `pub`: shared with the host tests),
//! and the flow table.

pub mod aging;
pub mod hash;
pub mod key;
pub mod rate;
pub(crate) mod stats;
pub(crate) mod table;
