// SPDX-License-Identifier: GPL-2.0

//! NetFlow v9 encoder (RFC 3954): 20-byte header, then template and data flowsets (see
//! [`crate::export::sets`]).
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::export::pdu::{Clock, Cursor};
use crate::export::sets::{PduInfo, SetFormat, SetWriter};
use crate::export::templates::Dialect;

/// Bytes of the v9 header.
pub(crate) const V9_HEADER_LEN: usize = 20;

/// NetFlow v9: counts include template records; the sequence numbers PDUs; sysuptime is
/// taken at the whole second of unix_secs (see [`Clock::sysuptime_at_unix_secs`]).
pub(crate) struct V9;

impl SetFormat for V9 {
    const HEADER_LEN: usize = V9_HEADER_LEN;
    const DIALECT: Dialect = Dialect::V9;

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
