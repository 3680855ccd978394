// SPDX-License-Identifier: GPL-2.0

//! NetFlow v5 encoder: 24-byte header, up to 30 fixed 48-byte IPv4 records.
//!
//! Counters above `u32::MAX` are split over several records instead of being lost or
//! wrapped. Pure `core` code: compiled into the module and into the host test harness.

use crate::export::pdu::{Clock, Cursor, Push};
use crate::export::record::FlowRecord;
use crate::flow::key::Family;
use crate::flow::sampling::Sampler;
use crate::nat::event::{NatEvent, NatEventKind};

/// Bytes of the v5 header.
pub(crate) const V5_HEADER_LEN: usize = 24;
/// Bytes of one v5 record.
pub(crate) const V5_RECORD_LEN: usize = 48;
/// Records per v5 PDU (the format's limit).
pub(crate) const V5_MAX_RECORDS: usize = 30;
/// Largest v5 PDU (1464 bytes; over an IPv6 collector path it exceeds a 1500 MTU by 12).
pub(crate) const MAX_PDU_V5: usize = V5_HEADER_LEN + V5_MAX_RECORDS * V5_RECORD_LEN;

/// One v5 record's fields (addresses in the first 4 bytes).
struct Row {
    src: [u8; 16],
    dst: [u8; 16],
    next_hop: [u8; 16],
    in_if: u16,
    out_if: u16,
    pkts: u32,
    bytes: u32,
    first: u32,
    last: u32,
    src_port: u16,
    dst_port: u16,
    tcp_flags: u8,
    protocol: u8,
    tos: u8,
    src_as: u16,
    dst_as: u16,
    src_mask: u8,
    dst_mask: u8,
}

const TCP_FIN: u8 = 0x01;
const TCP_RST: u8 = 0x04;
const TCP_SYN: u8 = 0x02;
const TCP_ACK: u8 = 0x10;

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
        self.write_row(&Row {
            src: k.src,
            dst: k.dst,
            next_hop: rec.next_hop, // the gateway of the first packet's route
            in_if: k.in_if.min(0xffff) as u16,
            out_if: rec.out_if.min(0xffff) as u16,
            pkts,
            bytes,
            first: clock.uptime_of(rec.first_ms),
            last: clock.uptime_of(rec.last_ms),
            src_port: k.src_port,
            dst_port: k.dst_port,
            tcp_flags: rec.tcp_flags,
            protocol: k.protocol,
            tos: k.tos,
            src_as: 0,
            dst_as: 0,
            src_mask: rec.src_mask,
            dst_mask: rec.dst_mask,
        })
    }

    /// Adds a NAT event as C ipt_NETFLOW's v5 pseudo-flows: source the pre-NAT source,
    /// destination the post-NAT destination (as the FORWARD chain's flow has them), no
    /// packets or bytes, TCP flags SYN+ACK for a creation and FIN+RST for a deletion; one
    /// record for a translated source (next hop and src_as: the post-NAT source and
    /// port) and one for a translated destination (next hop and dst_as: the pre-NAT
    /// destination and port). Both or none go into this PDU.
    pub(crate) fn push_nat(&mut self, ev: &NatEvent, clock: &Clock) -> Push {
        if ev.family != Family::V4 {
            return Push::NotExportable;
        }
        let (snat, dnat) = (ev.source_translated(), ev.destination_translated());
        // At most 2 more records than V5_MAX_RECORDS (30): no overflow.
        if self.count + usize::from(snat) + usize::from(dnat) > V5_MAX_RECORDS {
            return Push::Full;
        }
        let t = clock.uptime_of(ev.time_ms);
        let mut row = Row {
            src: ev.src,
            dst: ev.post_dst,
            next_hop: [0; 16],
            in_if: 0,
            out_if: 0,
            pkts: 0,
            bytes: 0,
            first: t,
            last: t,
            src_port: ev.src_port,
            dst_port: ev.post_dst_port,
            tcp_flags: match ev.kind {
                NatEventKind::Create => TCP_SYN | TCP_ACK,
                NatEventKind::Delete => TCP_FIN | TCP_RST,
            },
            protocol: ev.protocol,
            tos: 0,
            src_as: 0,
            dst_as: 0,
            src_mask: 0,
            dst_mask: 0,
        };
        let halves = [
            (snat, ev.post_src, ev.post_src_port, 0),
            (dnat, ev.dst, 0, ev.dst_port),
        ];
        for (translated, next_hop, src_as, dst_as) in halves {
            if !translated {
                continue;
            }
            (row.next_hop, row.src_as, row.dst_as) = (next_hop, src_as, dst_as);
            if self.write_row(&row).is_none() {
                return Push::NotExportable; // unreachable: the count bounds the offset
            }
            // count < V5_MAX_RECORDS (checked above).
            self.count += 1;
        }
        Push::Added
    }

    /// Writes record number `count` (at most `V5_MAX_RECORDS - 1`).
    fn write_row(&mut self, r: &Row) -> Option<()> {
        // count < V5_MAX_RECORDS (the callers check it): off < MAX_PDU_V5, no overflow.
        let off = V5_HEADER_LEN + self.count * V5_RECORD_LEN;
        let mut c = Cursor::new(&mut self.buf, off);
        c.bytes(r.src.get(..4)?)?;
        c.bytes(r.dst.get(..4)?)?;
        c.bytes(r.next_hop.get(..4)?)?;
        c.u16(r.in_if)?;
        c.u16(r.out_if)?;
        c.u32(r.pkts)?;
        c.u32(r.bytes)?;
        c.u32(r.first)?;
        c.u32(r.last)?;
        c.u16(r.src_port)?;
        c.u16(r.dst_port)?;
        c.u8(0)?; // pad1
        c.u8(r.tcp_flags)?;
        c.u8(r.protocol)?;
        c.u8(r.tos)?;
        c.u16(r.src_as)?;
        c.u16(r.dst_as)?;
        c.u8(r.src_mask)?;
        c.u8(r.dst_mask)?;
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
