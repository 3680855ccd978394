// SPDX-License-Identifier: GPL-2.0

//! Flow accounting: keys, the flow table, aging.

pub(crate) mod key;
