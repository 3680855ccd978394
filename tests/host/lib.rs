// SPDX-License-Identifier: GPL-2.0

//! The module's pure-logic files (no kernel imports), laid out as in the module crate so
//! that `crate::` paths resolve the same here and there, and with the same (crate-private)
//! visibility: the tests in `tests/` are this crate's own test modules, and the fuzz
//! targets' bodies are in `fuzzing` (feature `fuzzing`).
#![cfg_attr(not(any(test, feature = "fuzzing")), no_std)]
// Dead code is the module build's to report: here only the tests use the files.
#![allow(dead_code)]

/// Flow keys, hashing, aging.
#[path = "../../flow"]
pub mod flow {
    pub mod aging;
    pub mod attributes;
    pub mod hash;
    pub mod key;
    pub mod rate;
    pub mod sampling;
}

/// Encoders and the destination list.
#[path = "../../export"]
pub mod export {
    pub mod destination;
    pub mod ipfix;
    pub mod nel;
    pub mod options;
    pub mod pdu;
    pub mod record;
    pub mod sets;
    pub mod templates;
    pub mod v5;
    pub mod v9;
    pub mod writer;
}

/// NAT events: the event and the ctnetlink message parser.
#[path = "../../nat"]
pub mod nat {
    pub mod ctnetlink;
    pub mod event;
}

/// Aggregation rules.
#[path = "../../aggregation"]
pub mod aggregation {
    pub mod rules;
}

/// What /proc derives from the counters.
#[path = "../../procfs"]
pub mod procfs {
    pub mod figures;
    pub mod flow_line;
}

/// The pure part of the kernel glue.
#[path = "../../glue"]
pub mod glue {
    pub mod bucket;
}

/// The settings table and the parsing of values.
#[path = "../../settings"]
pub mod settings {
    pub mod clip;
    pub mod number;
    pub mod spec;
}

#[cfg(feature = "fuzzing")]
pub mod fuzzing;

/// The key parsers as functions of the packet alone (the module parses in place).
#[cfg(any(test, feature = "fuzzing"))]
pub mod parse {
    use crate::flow::key::{read_ipv4, read_ipv6, Family, Malformed, PacketBytes, Parsed};

    /// The flow key of an IPv4 packet seen on `in_if`.
    pub(crate) fn parse_ipv4<P: PacketBytes + ?Sized>(
        pkt: &P,
        in_if: u32,
    ) -> Result<Parsed, Malformed> {
        let mut p = Parsed::empty(Family::V4, in_if);
        read_ipv4(pkt, &mut p).map(|()| p)
    }

    /// The flow key of an IPv6 packet seen on `in_if`.
    pub(crate) fn parse_ipv6<P: PacketBytes + ?Sized>(
        pkt: &P,
        in_if: u32,
    ) -> Result<Parsed, Malformed> {
        let mut p = Parsed::empty(Family::V6, in_if);
        read_ipv6(pkt, &mut p).map(|()| p)
    }
}

#[cfg(test)]
#[path = "tests"]
mod tests {
    mod aggregation_rules;
    mod common;
    mod encode_decoders;
    mod encode_ipfix;
    mod encode_util;
    mod encode_v5;
    mod encode_v9;
    mod export_destination;
    mod export_options;
    mod export_templates;
    mod flow_aging;
    mod flow_hash;
    mod flow_key;
    mod flow_rate;
    mod flow_sampling;
    mod nat_ctnetlink;
    mod nat_export;
    mod procfs_figures;
    mod procfs_flow_line;
    mod settings_clip;
    mod settings_number;
    mod settings_spec;
}
