// SPDX-License-Identifier: GPL-2.0

//! NetFlow v9 encoder (RFC 3954): 20-byte header, a template flowset when due, then
//! data flowsets for templates 256 (IPv4) and 257 (IPv6).
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::export::pdu::{Clock, Cursor};
use crate::export::sets::{Field, PduInfo, SetFormat, SetWriter, Template};

/// Bytes of the v9 header.
pub(crate) const V9_HEADER_LEN: usize = 20;
/// Flowset ID of template flowsets.
pub(crate) const V9_TEMPLATE_SET: u16 = 0;

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
pub(crate) const V9_FIELDS_V4: &[Field] = v9_fields!((8, 4), (12, 4), (9, 1), (13, 1));
/// IPv6 fields of template 257.
pub(crate) const V9_FIELDS_V6: &[Field] = v9_fields!((27, 16), (28, 16), (29, 1), (30, 1));

/// The two v9 templates: IPv4 first, then IPv6.
pub(crate) static V9_TEMPLATES: [Template; 2] = [
    Template {
        id: 256,
        fields: V9_FIELDS_V4,
    },
    Template {
        id: 257,
        fields: V9_FIELDS_V6,
    },
];

/// NetFlow v9: counts include template records; the sequence numbers PDUs; sysuptime is
/// taken at the whole second of unix_secs (see [`Clock::sysuptime_at_unix_secs`]).
pub(crate) struct V9;

impl SetFormat for V9 {
    const HEADER_LEN: usize = V9_HEADER_LEN;
    const TEMPLATE_SET: u16 = V9_TEMPLATE_SET;
    const TEMPLATES: &'static [Template] = &V9_TEMPLATES;

    fn next_sequence(seq: u32, _data_records: u32) -> u32 {
        seq.wrapping_add(1)
    }

    fn header(c: &mut Cursor<'_>, pdu: &PduInfo, clock: &Clock) -> Option<()> {
        c.u16(9)?;
        // Each record takes at least 1 byte of a MAX_TEMPLATED_PDU (1400) buffer: the sum
        // is below 1400, no overflow, and fits a u16.
        c.u16((pdu.data_records + pdu.template_records) as u16)?;
        c.u32(clock.sysuptime_at_unix_secs())?;
        c.u32(clock.unix_secs())?;
        c.u32(pdu.sequence)?;
        c.u32(pdu.id)
    }
}

/// NetFlow v9 PDU builder.
pub(crate) type V9Writer = SetWriter<V9>;
