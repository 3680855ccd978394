// SPDX-License-Identifier: GPL-2.0

//! Flow logic, all pure `core` code (shared with the host tests): key extraction from
//! packet bytes, hashing, aging decisions, rates. The flow table itself is kernel-side,
//! in `engine`.

pub(crate) mod aging;
pub(crate) mod attributes;
pub(crate) mod hash;
pub(crate) mod key;
pub(crate) mod rate;
pub(crate) mod sampling;
