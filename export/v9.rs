// SPDX-License-Identifier: GPL-2.0

//! NetFlow v9 encoder (RFC 3954): 20-byte header, a template flowset when due, then
//! data flowsets for templates 256 (IPv4) and 257 (IPv6).
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::export::pdu::{Clock, Cursor, Field, Push, SetPdu, Template};
use crate::export::record::FlowRecord;

/// Bytes of the v9 header.
pub const V9_HEADER_LEN: usize = 20;
/// Flowset ID of template flowsets.
pub const V9_TEMPLATE_SET: u16 = 0;

/// Fields common to both templates, before the addresses. Counters are 64-bit so no flow
/// is ever split; times are sysuptime ms.
macro_rules! v9_fields {
    ($src:expr, $dst:expr, $srcmask:expr, $dstmask:expr) => {
        &[
            (1, 8),  // IN_BYTES
            (2, 8),  // IN_PKTS
            (22, 4), // FIRST_SWITCHED
            (21, 4), // LAST_SWITCHED
            $src,
            $dst,
            (10, 4), // INPUT_SNMP
            (14, 4), // OUTPUT_SNMP
            (7, 2),  // L4_SRC_PORT
            (11, 2), // L4_DST_PORT (ICMP: type << 8 | code, as the C module)
            (32, 2), // ICMP_TYPE (type << 8 | code; nfdump reads ICMP only from here)
            (4, 1),  // PROTOCOL
            (5, 1),  // SRC_TOS
            (6, 1),  // TCP_FLAGS
            $srcmask,
            $dstmask,
        ]
    };
}

/// IPv4 fields of template 256.
pub const V9_FIELDS_V4: &[Field] = v9_fields!((8, 4), (12, 4), (9, 1), (13, 1));
/// IPv6 fields of template 257.
pub const V9_FIELDS_V6: &[Field] = v9_fields!((27, 16), (28, 16), (29, 1), (30, 1));

/// The two v9 templates: IPv4 first, then IPv6.
pub static V9_TEMPLATES: [Template; 2] = [
    Template {
        id: 256,
        fields: V9_FIELDS_V4,
    },
    Template {
        id: 257,
        fields: V9_FIELDS_V6,
    },
];

/// NetFlow v9 PDU builder.
pub struct V9Writer {
    pdu: SetPdu,
    sequence: u32,
    source_id: u32,
}

impl V9Writer {
    /// An empty writer exporting as `source_id`.
    pub const fn new(source_id: u32) -> Self {
        V9Writer {
            pdu: SetPdu::new(V9_HEADER_LEN, V9_TEMPLATE_SET, &V9_TEMPLATES),
            sequence: 0,
            source_id,
        }
    }

    /// Sets the template resend rates (PDUs, minutes; 0 disables that trigger).
    pub fn set_template_rates(&mut self, refresh_rate: u32, timeout_rate_min: u32) {
        self.pdu.timer.set_rates(refresh_rate, timeout_rate_min);
    }

    /// Makes the next PDU carry the templates.
    pub fn resend_templates(&mut self) {
        self.pdu.timer.force();
    }

    /// Data records in the PDU under construction.
    pub fn pending(&self) -> usize {
        self.pdu.data_records() as usize
    }

    /// Export packets sent so far: the next PDU's sequence number.
    pub fn sequence(&self) -> u32 {
        self.sequence
    }

    /// Adds a record (`Full`: nothing written; finish, send, push again).
    pub fn push(&mut self, rec: &FlowRecord, clock: &Clock) -> Push {
        self.pdu.push(rec, clock)
    }

    /// Writes the header (count includes template records; sysuptime taken at the whole
    /// second of unix_secs, see [`Clock::sysuptime_at_unix_secs`]), advances the packet
    /// sequence and returns the PDU, or `None` if it holds no data record.
    pub fn finish(&mut self, clock: &Clock) -> Option<&[u8]> {
        let count = self.pdu.data_records() + self.pdu.template_records();
        let seq = self.sequence;
        let (buf, len) = self.pdu.close()?;
        self.sequence = seq.wrapping_add(1);
        let mut c = Cursor::new(buf, 0);
        c.u16(9)?;
        c.u16(count as u16)?;
        c.u32(clock.sysuptime_at_unix_secs())?;
        c.u32(clock.unix_secs())?;
        c.u32(seq)?;
        c.u32(self.source_id)?;
        buf.get(..len)
    }
}
