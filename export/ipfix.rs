// SPDX-License-Identifier: GPL-2.0

//! IPFIX encoder (RFC 7011): 16-byte header, then template and data sets (see
//! [`crate::export::sets`]).
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::export::pdu::{Clock, Cursor};
use crate::export::sets::{PduInfo, SetFormat, SetWriter};
use crate::export::templates::Dialect;

/// Bytes of the IPFIX message header.
pub(crate) const IPFIX_HEADER_LEN: usize = 16;

/// IPFIX: the length is in bytes; the sequence numbers data records (templates do not
/// count).
pub(crate) struct Ipfix;

impl SetFormat for Ipfix {
    const HEADER_LEN: usize = IPFIX_HEADER_LEN;
    const DIALECT: Dialect = Dialect::Ipfix;

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
