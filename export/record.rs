// SPDX-License-Identifier: GPL-2.0

//! A finished flow, as handed from the flow table to the encoders.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::flow::key::FlowKey;

/// Why a flow left the table (IPFIX flowEndReason, RFC 5102).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum EndReason {
    /// Idle longer than `inactive_timeout`.
    IdleTimeout = 1,
    /// Older than `active_timeout`.
    ActiveTimeout = 2,
    /// TCP FIN or RST seen.
    EndDetected = 3,
    /// Flushed on request, on reconfiguration or on unload.
    ForcedEnd = 4,
}

/// One flow ready for export.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FlowRecord {
    /// The flow's key (after aggregation).
    pub key: FlowKey,
    /// Output interface index of the first packet (0 if none).
    pub out_if: u32,
    /// Packets accounted.
    pub packets: u64,
    /// Bytes accounted (network header and above).
    pub bytes: u64,
    /// Time of the first packet, milliseconds since the Unix epoch.
    pub first_ms: u64,
    /// Time of the last packet, milliseconds since the Unix epoch.
    pub last_ms: u64,
    /// OR of the TCP flags of every packet.
    pub tcp_flags: u8,
    /// Source prefix length set by aggregation, 0 if none.
    pub src_mask: u8,
    /// Destination prefix length set by aggregation, 0 if none.
    pub dst_mask: u8,
    /// Why the flow ended.
    pub end_reason: EndReason,
}
