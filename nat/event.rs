// SPDX-License-Identifier: GPL-2.0

//! A NAT event: a translated connection was created or destroyed, with its addresses and
//! ports before and after the translation (what NetFlow Event Logging, NEL, exports).
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::flow::key::Family;

/// What happened to the translation (IPFIX natEvent, 230: 1 create, 2 delete).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum NatEventKind {
    /// A NATed connection was confirmed.
    Create = 1,
    /// A NATed connection was destroyed.
    Delete = 2,
}

/// One NAT event, as the collectors get it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct NatEvent {
    /// Created or deleted.
    pub(crate) kind: NatEventKind,
    /// Address family (IPv4 addresses in the first 4 bytes of each field).
    pub(crate) family: Family,
    /// IP protocol.
    pub(crate) protocol: u8,
    /// Source before NAT (the original direction's source).
    pub(crate) src: [u8; 16],
    /// Destination before NAT.
    pub(crate) dst: [u8; 16],
    /// Source after NAT (the reply direction's destination).
    pub(crate) post_src: [u8; 16],
    /// Destination after NAT (the reply direction's source).
    pub(crate) post_dst: [u8; 16],
    /// Ports before NAT (ICMP: the echo ID, and type << 8 | code).
    pub(crate) src_port: u16,
    pub(crate) dst_port: u16,
    /// Ports after NAT.
    pub(crate) post_src_port: u16,
    pub(crate) post_dst_port: u16,
    /// When it happened, Unix milliseconds (conntrack's timestamp if it keeps them, else
    /// when the event was read).
    pub(crate) time_ms: u64,
}

impl NatEvent {
    /// Whether the source was translated (SNAT, MASQUERADE).
    pub(crate) fn source_translated(&self) -> bool {
        self.src != self.post_src || self.src_port != self.post_src_port
    }

    /// Whether the destination was translated (DNAT, REDIRECT).
    pub(crate) fn destination_translated(&self) -> bool {
        self.dst != self.post_dst || self.dst_port != self.post_dst_port
    }
}
