// SPDX-License-Identifier: GPL-2.0

//! NAT event records (NetFlow Event Logging) in v9/IPFIX: C ipt_NETFLOW 2.6's layout, in
//! a data template of their own per family (IPv6 NAT is past C, which has IPv4 only).
//!
//! Pure `core` code (no allocation, no panics): compiled into the module and into the
//! host test harness.

use crate::export::pdu::Cursor;
use crate::export::templates::Field;
use crate::flow::key::Family;
use crate::nat::event::NatEvent;

/// Template ID of IPv4 NAT event records: above the flow templates (256..416), below the
/// options templates (1024..).
pub(crate) const NEL_TEMPLATE_V4: u16 = 512;
/// Template ID of IPv6 NAT event records.
pub(crate) const NEL_TEMPLATE_V6: u16 = 513;

/// The fields of IPv4 NAT event records, in wire order (as C).
const FIELDS_V4: [Field; 11] = [
    (323, 8), // observationTimeMilliseconds
    (8, 4),   // sourceIPv4Address
    (12, 4),  // destinationIPv4Address
    (225, 4), // postNATSourceIPv4Address
    (226, 4), // postNATDestinationIPv4Address
    (7, 2),   // sourceTransportPort
    (11, 2),  // destinationTransportPort
    (227, 2), // postNAPTSourceTransportPort
    (228, 2), // postNAPTDestinationTransportPort
    (4, 1),   // protocolIdentifier
    (230, 1), // natEvent
];

/// The fields of IPv6 NAT event records.
const FIELDS_V6: [Field; 11] = [
    (323, 8),
    (27, 16),  // sourceIPv6Address
    (28, 16),  // destinationIPv6Address
    (281, 16), // postNATSourceIPv6Address
    (282, 16), // postNATDestinationIPv6Address
    (7, 2),
    (11, 2),
    (227, 2),
    (228, 2),
    (4, 1),
    (230, 1),
];

/// The template ID and fields of `family`'s NAT event records.
pub(crate) fn template(family: Family) -> (u16, &'static [Field]) {
    match family {
        Family::V4 => (NEL_TEMPLATE_V4, &FIELDS_V4),
        Family::V6 => (NEL_TEMPLATE_V6, &FIELDS_V6),
    }
}

/// Writes field `f` of `ev`'s record.
pub(crate) fn put_field(c: &mut Cursor<'_>, f: Field, ev: &NatEvent) -> Option<()> {
    let (id, len) = (f.0, usize::from(f.1));
    let addr = match id {
        8 | 27 => &ev.src,
        12 | 28 => &ev.dst,
        225 | 281 => &ev.post_src,
        226 | 282 => &ev.post_dst,
        _ => {
            let num: u64 = match id {
                323 => ev.time_ms,
                7 => ev.src_port.into(),
                11 => ev.dst_port.into(),
                227 => ev.post_src_port.into(),
                228 => ev.post_dst_port.into(),
                4 => ev.protocol.into(),
                230 => (ev.kind as u8).into(),
                _ => return c.zeros(len),
            };
            return c.uint(num, len);
        }
    };
    c.bytes(addr.get(..len)?)
}
