// SPDX-License-Identifier: GPL-2.0

//! IPFIX encoder (RFC 7011): 16-byte header, a template set when due, then data sets
//! for templates 256 (IPv4) and 257 (IPv6).
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::export::pdu::{Clock, Cursor, Field, Push, SetPdu, Template};
use crate::export::record::FlowRecord;

/// Bytes of the IPFIX message header.
pub const IPFIX_HEADER_LEN: usize = 16;
/// Set ID of template sets.
pub const IPFIX_TEMPLATE_SET: u16 = 2;

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
pub const IPFIX_FIELDS_V4: &[Field] = ipfix_fields!((8, 4), (12, 4), (9, 1), (13, 1), (32, 2));
/// IPv6 fields of template 257 (with icmpTypeCodeIPv6).
pub const IPFIX_FIELDS_V6: &[Field] = ipfix_fields!((27, 16), (28, 16), (29, 1), (30, 1), (139, 2));

/// The two IPFIX templates: IPv4 first, then IPv6.
pub static IPFIX_TEMPLATES: [Template; 2] = [
    Template {
        id: 256,
        fields: IPFIX_FIELDS_V4,
    },
    Template {
        id: 257,
        fields: IPFIX_FIELDS_V6,
    },
];

/// IPFIX message builder.
pub struct IpfixWriter {
    pdu: SetPdu,
    sequence: u32,
    domain: u32,
}

impl IpfixWriter {
    /// An empty writer exporting in observation domain `domain`.
    pub const fn new(domain: u32) -> Self {
        IpfixWriter {
            pdu: SetPdu::new(IPFIX_HEADER_LEN, IPFIX_TEMPLATE_SET, &IPFIX_TEMPLATES),
            sequence: 0,
            domain,
        }
    }

    /// Sets the template resend rates (messages, minutes; 0 disables that trigger).
    pub fn set_template_rates(&mut self, refresh_rate: u32, timeout_rate_min: u32) {
        self.pdu.timer.set_rates(refresh_rate, timeout_rate_min);
    }

    /// Makes the next message carry the templates.
    pub fn resend_templates(&mut self) {
        self.pdu.timer.force();
    }

    /// Data records in the message under construction.
    pub fn pending(&self) -> usize {
        self.pdu.data_records() as usize
    }

    /// Data records sent so far: the next message's sequence number.
    pub fn sequence(&self) -> u32 {
        self.sequence
    }

    /// Adds a record (`Full`: nothing written; finish, send, push again).
    pub fn push(&mut self, rec: &FlowRecord, clock: &Clock) -> Push {
        self.pdu.push(rec, clock)
    }

    /// Writes the header, advances the sequence by this message's data records (templates
    /// do not count) and returns the message, or `None` if it holds no data record.
    pub fn finish(&mut self, clock: &Clock) -> Option<&[u8]> {
        let records = self.pdu.data_records();
        let seq = self.sequence;
        let (buf, len) = self.pdu.close()?;
        self.sequence = seq.wrapping_add(records);
        let mut c = Cursor::new(buf, 0);
        c.u16(10)?;
        c.u16(len as u16)?;
        c.u32(clock.unix_secs())?;
        c.u32(seq)?;
        c.u32(self.domain)?;
        buf.get(..len)
    }
}
