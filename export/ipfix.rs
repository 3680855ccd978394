// SPDX-License-Identifier: GPL-2.0

//! IPFIX encoder (RFC 7011): 16-byte header, a template set when due, then data sets
//! for templates 256 (IPv4) and 257 (IPv6).
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::export::pdu::{Clock, Cursor};
use crate::export::sets::{Field, PduInfo, SetFormat, SetWriter, Template};

/// Bytes of the IPFIX message header.
pub(crate) const IPFIX_HEADER_LEN: usize = 16;
/// Set ID of template sets.
pub(crate) const IPFIX_TEMPLATE_SET: u16 = 2;

/// Both templates' fields around the family-specific ones. Counters are 64-bit; times
/// are absolute milliseconds (what nfdump expects).
macro_rules! ipfix_fields {
    ($src:expr, $dst:expr, $srcmask:expr, $dstmask:expr, $icmp:expr) => {
        &[
            (1, 8),   // octetDeltaCount
            (2, 8),   // packetDeltaCount
            (152, 8), // flowStartMilliseconds
            (153, 8), // flowEndMilliseconds
            $src,
            $dst,
            (10, 4), // ingressInterface
            (14, 4), // egressInterface
            (7, 2),  // sourceTransportPort
            (11, 2), // destinationTransportPort (ICMP: type << 8 | code, as the C module)
            $icmp,
            (6, 2), // tcpControlBits (2 bytes since RFC 7125)
            (4, 1), // protocolIdentifier
            (5, 1), // ipClassOfService
            $srcmask,
            $dstmask,
            (136, 1), // flowEndReason
        ]
    };
}

/// IPv4 fields of template 256 (with icmpTypeCodeIPv4).
pub(crate) const IPFIX_FIELDS_V4: &[Field] =
    ipfix_fields!((8, 4), (12, 4), (9, 1), (13, 1), (32, 2));
/// IPv6 fields of template 257 (with icmpTypeCodeIPv6).
pub(crate) const IPFIX_FIELDS_V6: &[Field] =
    ipfix_fields!((27, 16), (28, 16), (29, 1), (30, 1), (139, 2));

/// The two IPFIX templates: IPv4 first, then IPv6.
pub(crate) static IPFIX_TEMPLATES: [Template; 2] = [
    Template {
        id: 256,
        fields: IPFIX_FIELDS_V4,
    },
    Template {
        id: 257,
        fields: IPFIX_FIELDS_V6,
    },
];

/// IPFIX: the length is in bytes; the sequence numbers data records (templates do not
/// count).
pub(crate) struct Ipfix;

impl SetFormat for Ipfix {
    const HEADER_LEN: usize = IPFIX_HEADER_LEN;
    const TEMPLATE_SET: u16 = IPFIX_TEMPLATE_SET;
    const TEMPLATES: &'static [Template] = &IPFIX_TEMPLATES;

    fn next_sequence(seq: u32, data_records: u32) -> u32 {
        seq.wrapping_add(data_records)
    }

    fn header(c: &mut Cursor<'_>, pdu: &PduInfo, clock: &Clock) -> Option<()> {
        c.u16(10)?;
        // len <= MAX_TEMPLATED_PDU (1400): fits a u16.
        c.u16(pdu.len as u16)?;
        c.u32(clock.unix_secs())?;
        c.u32(pdu.sequence)?;
        c.u32(pdu.id)
    }
}

/// IPFIX message builder.
pub(crate) type IpfixWriter = SetWriter<Ipfix>;
