// SPDX-License-Identifier: GPL-2.0

//! The module's pure-logic files (no kernel imports), laid out as in the module crate so
//! that `crate::` paths resolve the same here and there. Tests live in `tests/`.
#![no_std]

/// Flow keys, hashing, aging.
#[path = "../../flow"]
pub mod flow {
    pub mod aging;
    pub mod hash;
    pub mod key;
    pub mod rate;
}

/// Encoders and the destination list.
#[path = "../../export"]
pub mod export {
    pub mod destination;
    pub mod ipfix;
    pub mod pdu;
    pub mod record;
    pub mod v5;
    pub mod v9;
}

/// Aggregation rules.
#[path = "../../aggregation"]
pub mod aggregation {
    pub mod rules;
}

/// Parsing of sysctl values.
#[path = "../../sysctl"]
pub mod sysctl {
    pub mod clip;
    pub mod number;
}
