// SPDX-License-Identifier: GPL-2.0

//! NetFlow v5 encoder: 24-byte header, up to 30 fixed 48-byte IPv4 records.
//!
//! Counters above `u32::MAX` are split over several records instead of being lost or
//! wrapped. Pure `core` code: compiled into the module and into the host test harness.

use crate::export::pdu::{Clock, Cursor, Push};
use crate::export::record::FlowRecord;
use crate::flow::key::Family;
use crate::flow::sampling::Sampler;

/// Bytes of the v5 header.
pub(crate) const V5_HEADER_LEN: usize = 24;
/// Bytes of one v5 record.
pub(crate) const V5_RECORD_LEN: usize = 48;
/// Records per v5 PDU (the format's limit).
pub(crate) const V5_MAX_RECORDS: usize = 30;
/// Largest v5 PDU (1464 bytes; over an IPv6 collector path it exceeds a 1500 MTU by 12).
pub(crate) const MAX_PDU_V5: usize = V5_HEADER_LEN + V5_MAX_RECORDS * V5_RECORD_LEN;

/// A record split over several v5 records, part of which went into an earlier PDU.
#[derive(Clone, Copy)]
struct Carry {
    rec: FlowRecord,
    done: u64,
}

/// NetFlow v5 PDU builder.
pub(crate) struct V5Writer {
    buf: [u8; MAX_PDU_V5],
    count: usize,
    sequence: u32,
    engine_id: u8,
    /// The header's sampling field (mode and interval; 0: no sampling).
    sampling: u16,
    carry: Option<Carry>,
}

/// How many v5 records a flow needs so that each counter piece fits 32 bits.
fn pieces(rec: &FlowRecord) -> u64 {
    let m = u64::from(u32::MAX);
    rec.packets.div_ceil(m).max(rec.bytes.div_ceil(m)).max(1)
}

/// Piece `i` of `total` split into `n` near-equal parts (the first `total % n` get one
/// more), so every piece is at most `ceil(total / n)` and the pieces sum to `total`.
fn piece(total: u64, n: u64, i: u64) -> u32 {
    // n >= 1 (pieces() returns at least 1). n == 1: total % 1 == 0, so nothing is
    // added; n >= 2: total / n <= u64::MAX / 2, so + 1 fits.
    let v = total / n + u64::from(i < total % n);
    v.min(u64::from(u32::MAX)) as u32
}

impl V5Writer {
    /// An empty writer; `engine_id`'s low 8 bits go to the header (engine_type 0).
    pub(crate) const fn new(engine_id: u32) -> Self {
        V5Writer {
            buf: [0; MAX_PDU_V5],
            count: 0,
            sequence: 0,
            // Truncation on purpose: v5 carries an 8-bit engine ID (not an index).
            engine_id: engine_id as u8,
            sampling: 0,
            carry: None,
        }
    }

    /// Sets the engine id of the next PDUs (low 8 bits).
    pub(crate) fn set_engine_id(&mut self, engine_id: u32) {
        // Truncation on purpose: v5 carries an 8-bit engine ID (not an index).
        self.engine_id = engine_id as u8;
    }

    /// Sets the header's sampling field of the next PDUs (see [`Sampler::v5_field`]).
    pub(crate) fn set_sampler(&mut self, sampler: Option<Sampler>) {
        self.sampling = sampler.map_or(0, |s| s.v5_field());
    }

    /// Records in the PDU under construction.
    #[cfg(test)]
    pub(crate) fn pending(&self) -> usize {
        self.count
    }

    /// Flows (records) sent so far: the next PDU's flow_sequence.
    #[cfg(test)]
    pub(crate) fn sequence(&self) -> u32 {
        self.sequence
    }

    /// Adds a flow: one record, or several if a counter exceeds 32 bits. On `Full` part of
    /// the flow may be written; push the same record after `finish` to write the rest.
    pub(crate) fn push(&mut self, rec: &FlowRecord, clock: &Clock) -> Push {
        if rec.key.family != Family::V4 {
            return Push::NotExportable;
        }
        let n = pieces(rec);
        let mut i = match self.carry.take() {
            Some(c) if c.rec == *rec => c.done,
            // A different record: the caller gave up on the carried one.
            _ => 0,
        };
        while i < n {
            if self.count >= V5_MAX_RECORDS {
                self.carry = Some(Carry { rec: *rec, done: i });
                return Push::Full;
            }
            let pkts = piece(rec.packets, n, i);
            let bytes = piece(rec.bytes, n, i);
            if self.write_record(rec, pkts, bytes, clock).is_none() {
                return Push::NotExportable; // unreachable: the count bounds the offset
            }
            // count < V5_MAX_RECORDS (checked above) and i < n: both fit.
            self.count += 1;
            i += 1;
        }
        Push::Added
    }

    fn write_record(
        &mut self,
        rec: &FlowRecord,
        pkts: u32,
        bytes: u32,
        clock: &Clock,
    ) -> Option<()> {
        let k = &rec.key;
        // count < V5_MAX_RECORDS (push checks it): off < MAX_PDU_V5, no overflow.
        let off = V5_HEADER_LEN + self.count * V5_RECORD_LEN;
        let mut c = Cursor::new(&mut self.buf, off);
        c.bytes(k.src.get(..4)?)?;
        c.bytes(k.dst.get(..4)?)?;
        c.bytes(rec.next_hop.get(..4)?)?; // the gateway of the first packet's route
        c.u16(k.in_if.min(0xffff) as u16)?;
        c.u16(rec.out_if.min(0xffff) as u16)?;
        c.u32(pkts)?;
        c.u32(bytes)?;
        c.u32(clock.uptime_of(rec.first_ms))?;
        c.u32(clock.uptime_of(rec.last_ms))?;
        c.u16(k.src_port)?;
        c.u16(k.dst_port)?;
        c.u8(0)?; // pad1
        c.u8(rec.tcp_flags)?;
        c.u8(k.protocol)?;
        c.u8(k.tos)?;
        c.u16(0)?; // src_as
        c.u16(0)?; // dst_as
        c.u8(rec.src_mask)?;
        c.u8(rec.dst_mask)?;
        c.u16(0) // pad2
    }

    /// Writes the header, advances flow_sequence by this PDU's records and returns the
    /// PDU, or `None` if it is empty.
    pub(crate) fn finish(&mut self, clock: &Clock) -> Option<&[u8]> {
        if self.count == 0 {
            return None;
        }
        let count = self.count;
        self.count = 0;
        let seq = self.sequence;
        // count <= V5_MAX_RECORDS (30): the casts keep it; the sequence wraps by design.
        self.sequence = seq.wrapping_add(count as u32);
        let mut c = Cursor::new(&mut self.buf, 0);
        c.u16(5)?;
        c.u16(count as u16)?;
        c.u32(clock.sysuptime())?;
        c.u32(clock.unix_secs())?;
        // (x % 1000) * 1_000_000 <= 999_000_000 < u32::MAX.
        c.u32((clock.unix_ms % 1000) as u32 * 1_000_000)?;
        c.u32(seq)?;
        c.u8(0)?; // engine_type
        c.u8(self.engine_id)?;
        c.u16(self.sampling)?;
        // count <= V5_MAX_RECORDS: the end is at most MAX_PDU_V5.
        self.buf.get(..V5_HEADER_LEN + count * V5_RECORD_LEN)
    }
}
