// SPDX-License-Identifier: GPL-2.0

//! A finished flow, as handed from the flow table to the encoders.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::flow::aging::EndReason;
use crate::flow::attributes::Attributes;
use crate::flow::key::FlowKey;

/// One flow ready for export.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct FlowRecord {
    /// The flow's key (after aggregation).
    pub(crate) key: FlowKey,
    /// Output interface index of the first packet (0 if none).
    pub(crate) out_if: u32,
    /// The gateway the first packet was routed to, in the family's layout (IPv4 in the
    /// first 4 bytes); all zero when on-link or not routed.
    pub(crate) next_hop: [u8; 16],
    /// Option bit maps (OR over the packets), flow label, IGMP type, IPsec SPI.
    pub(crate) attrs: Attributes,
    /// Packets accounted.
    pub(crate) packets: u64,
    /// Bytes accounted (network header and above).
    pub(crate) bytes: u64,
    /// Time of the first packet, milliseconds since the Unix epoch.
    pub(crate) first_ms: u64,
    /// Time of the last packet, milliseconds since the Unix epoch.
    pub(crate) last_ms: u64,
    /// OR of the TCP flags of every packet.
    pub(crate) tcp_flags: u8,
    /// Source prefix length set by aggregation, 0 if none.
    pub(crate) src_mask: u8,
    /// Destination prefix length set by aggregation, 0 if none.
    pub(crate) dst_mask: u8,
    /// Why the flow ended.
    pub(crate) end_reason: EndReason,
    /// samplerId / selectorId of the sampler that kept the flow (its mode's number, as
    /// C), 0 if no sampler chose it.
    pub(crate) sampler_id: u8,
}
