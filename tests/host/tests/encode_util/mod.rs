// SPDX-License-Identifier: GPL-2.0

//! Fixtures shared by the encoder tests (each test crate uses a different subset).
#![allow(dead_code)]

use crate::export::pdu::Clock;
use crate::export::record::FlowRecord;
use crate::flow::aging::EndReason;
use crate::flow::attributes::Attributes;
use crate::flow::key::{Family, FlowKey};

/// Unix ms of the fixture clock: 1_700_000_000.500 s.
pub const NOW_UNIX_MS: u64 = 1_700_000_000_500;
/// Uptime of the fixture clock: 100 s.
pub const NOW_UPTIME_MS: u64 = 100_000;
/// Boot time in Unix ms implied by the fixture clock.
pub const BOOT_MS: u64 = NOW_UNIX_MS - NOW_UPTIME_MS;

/// The fixture clock.
pub fn clock() -> Clock {
    Clock {
        unix_ms: NOW_UNIX_MS,
        uptime_ms: NOW_UPTIME_MS,
    }
}

/// The fixture clock moved forward by `ms`.
pub fn clock_plus(ms: u64) -> Clock {
    Clock {
        unix_ms: NOW_UNIX_MS + ms,
        uptime_ms: NOW_UPTIME_MS + ms,
    }
}

/// An IPv4 address in a 16-byte key field.
pub fn v4(a: [u8; 4]) -> [u8; 16] {
    let mut r = [0; 16];
    r[..4].copy_from_slice(&a);
    r
}

/// Record A: IPv4 TCP 10.0.0.1:12345 -> 192.168.1.2:80, 10 packets, 1500 bytes,
/// first/last at uptime 90 s / 95 s.
pub fn rec_a() -> FlowRecord {
    FlowRecord {
        key: FlowKey {
            src: v4([10, 0, 0, 1]),
            dst: v4([192, 168, 1, 2]),
            in_if: 3,
            src_port: 12345,
            dst_port: 80,
            protocol: 6,
            tos: 0x10,
            family: Family::V4,
        },
        out_if: 4,
        next_hop: v4([10, 0, 0, 254]),
        attrs: Attributes::default(),
        packets: 10,
        bytes: 1500,
        first_ms: BOOT_MS + 90_000,
        last_ms: BOOT_MS + 95_000,
        tcp_flags: 0x1b,
        src_mask: 24,
        dst_mask: 16,
        end_reason: EndReason::IdleTimeout,
        sampler_id: 0,
    }
}

/// Record B: IPv6 UDP [2001:db8::1]:53 -> [2001:db8::2]:40000, 2 packets, 200 bytes,
/// first/last at uptime 99 s / 99.5 s.
pub fn rec_b() -> FlowRecord {
    let mut src = [0; 16];
    src[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
    let mut dst = src;
    src[15] = 1;
    dst[15] = 2;
    FlowRecord {
        key: FlowKey {
            src,
            dst,
            in_if: 7,
            src_port: 53,
            dst_port: 40000,
            protocol: 17,
            tos: 0,
            family: Family::V6,
        },
        out_if: 0,
        next_hop: [0; 16],
        attrs: Attributes::default(),
        packets: 2,
        bytes: 200,
        first_ms: BOOT_MS + 99_000,
        last_ms: BOOT_MS + 99_500,
        tcp_flags: 0,
        src_mask: 64,
        dst_mask: 48,
        end_reason: EndReason::ForcedEnd,
        sampler_id: 0,
    }
}

/// Record C: IPv4 ICMP echo request 10.0.0.1 -> 10.0.0.2 (type 8 code 0 in dst port).
pub fn rec_icmp() -> FlowRecord {
    let mut r = rec_a();
    r.key.dst = v4([10, 0, 0, 2]);
    r.key.src_port = 0;
    r.key.dst_port = 0x0800;
    r.key.protocol = 1;
    r.key.tos = 0;
    r.tcp_flags = 0;
    r.src_mask = 0;
    r.dst_mask = 0;
    r.packets = 3;
    r.bytes = 252;
    r
}

/// `r` with distinct ports so records can be told apart.
pub fn numbered(mut r: FlowRecord, i: u16) -> FlowRecord {
    r.key.src_port = 1000 + i;
    r
}

/// Big-endian u16 at `off`.
pub fn be16(b: &[u8], off: usize) -> u16 {
    u16::from_be_bytes([b[off], b[off + 1]])
}

/// Big-endian u32 at `off`.
pub fn be32(b: &[u8], off: usize) -> u32 {
    u32::from_be_bytes(b[off..off + 4].try_into().unwrap())
}

/// Walks the sets of a v9/IPFIX PDU after a `hdr`-byte header, checking that every set
/// is non-empty, 4-byte aligned and that they exactly tile the PDU; returns (set id,
/// set length) pairs.
pub fn sets(pdu: &[u8], hdr: usize) -> Vec<(u16, usize)> {
    let mut out = Vec::new();
    let mut off = hdr;
    while off < pdu.len() {
        let id = be16(pdu, off);
        let len = be16(pdu, off + 2) as usize;
        assert!(len > 4, "empty set {id} at {off}");
        assert_eq!(len % 4, 0, "set {id} at {off} not padded");
        out.push((id, len));
        off += len;
    }
    assert_eq!(off, pdu.len(), "sets do not tile the PDU");
    out
}

/// Panics with a readable hex diff if two PDUs differ.
pub fn assert_bytes(got: &[u8], want: &[u8]) {
    if got != want {
        let first = got.iter().zip(want).position(|(a, b)| a != b);
        panic!(
            "PDU mismatch (len got {} want {}), first difference at {:?}\n got: {:02x?}\nwant: {:02x?}",
            got.len(),
            want.len(),
            first,
            got,
            want
        );
    }
}

/// A template set (v9 flowset 0, IPFIX set 2: `set_id`) holding one template.
pub fn one_template_set(set_id: u16, id: u16, fields: &[(u16, u16)]) -> Vec<u8> {
    let len = 8 + 4 * fields.len() as u16;
    let mut v = [set_id, len, id, fields.len() as u16]
        .map(u16::to_be_bytes)
        .concat();
    for &(f, l) in fields {
        v.extend(f.to_be_bytes());
        v.extend(l.to_be_bytes());
    }
    v
}

/// A decoded data record: (element ID, value bytes) in template order.
pub type Fields = Vec<(u16, Vec<u8>)>;

/// What a test-side decoder of v9/IPFIX (template-driven, like a collector) read from
/// one PDU: the templates it defined, (template ID, fields) per data record.
#[derive(Default, Debug)]
pub struct Decoded {
    pub templates: Vec<(u16, Vec<(u16, u16)>)>,
    pub options_templates: Vec<(u16, Vec<(u16, u16)>)>,
    pub records: Vec<(u16, Fields)>,
}

/// Decodes the sets of a v9/IPFIX PDU after a `hdr`-byte header, with `known` the
/// templates learnt from earlier PDUs (updated); template sets have ID `tpl_set`. Panics
/// on a data set whose template is not known yet.
pub fn decode(
    pdu: &[u8],
    hdr: usize,
    tpl_set: u16,
    known: &mut std::collections::BTreeMap<u16, Vec<(u16, u16)>>,
) -> Decoded {
    let mut d = Decoded::default();
    for (off, id, len) in set_offsets(pdu, hdr) {
        let body = &pdu[off + 4..off + len];
        if id == tpl_set + 1 {
            // options templates: v9 (flowset 1) gives scope and option lengths in bytes,
            // IPFIX (set 3) a field count and a scope count; padding may follow.
            let mut i = 0;
            while i + 6 <= body.len() && be16(body, i) != 0 {
                let tid = be16(body, i);
                let n = if tpl_set == 0 {
                    (be16(body, i + 2) as usize + be16(body, i + 4) as usize) / 4
                } else {
                    be16(body, i + 2) as usize
                };
                let fields: Vec<(u16, u16)> = (0..n)
                    .map(|k| (be16(body, i + 6 + 4 * k), be16(body, i + 8 + 4 * k)))
                    .collect();
                i += 6 + 4 * n;
                known.insert(tid, fields.clone());
                d.options_templates.push((tid, fields));
            }
            assert!(
                body[i..].iter().all(|&b| b == 0),
                "options template padding"
            );
        } else if id == tpl_set {
            let mut i = 0;
            while i + 4 <= body.len() {
                let (tid, n) = (be16(body, i), be16(body, i + 2) as usize);
                let fields: Vec<(u16, u16)> = (0..n)
                    .map(|k| (be16(body, i + 4 + 4 * k), be16(body, i + 6 + 4 * k)))
                    .collect();
                i += 4 + 4 * n;
                known.insert(tid, fields.clone());
                d.templates.push((tid, fields));
            }
        } else {
            let tpl = known
                .get(&id)
                .unwrap_or_else(|| panic!("data set {id} before its template"));
            let rec_len: usize = tpl.iter().map(|f| f.1 as usize).sum();
            let mut i = 0;
            while i + rec_len <= body.len() {
                let mut rec = Vec::new();
                for &(fid, flen) in tpl {
                    rec.push((fid, body[i..i + flen as usize].to_vec()));
                    i += flen as usize;
                }
                d.records.push((id, rec));
            }
            assert!(
                body.len() - i < 4,
                "set {id}: more than padding after the records"
            );
            assert!(
                body[i..].iter().all(|&b| b == 0),
                "set {id}: padding not zero"
            );
        }
    }
    d
}

/// (offset, set ID, set length) of each set, as [`sets`] checks them.
pub fn set_offsets(pdu: &[u8], hdr: usize) -> Vec<(usize, u16, usize)> {
    let mut off = hdr;
    sets(pdu, hdr)
        .into_iter()
        .map(|(id, len)| {
            let o = off;
            off += len;
            (o, id, len)
        })
        .collect()
}

/// The value of element `id` in a decoded record, as an unsigned number.
pub fn num(rec: &Fields, id: u16) -> u64 {
    let v = &rec
        .iter()
        .find(|f| f.0 == id)
        .unwrap_or_else(|| panic!("no element {id}"))
        .1;
    v.iter().fold(0, |a, &b| a << 8 | u64::from(b))
}

/// The bytes of element `id` in a decoded record.
pub fn bytes(rec: &Fields, id: u16) -> Vec<u8> {
    rec.iter()
        .find(|f| f.0 == id)
        .unwrap_or_else(|| panic!("no element {id}"))
        .1
        .clone()
}

/// The element IDs of a decoded record, in order.
pub fn ids(rec: &Fields) -> Vec<u16> {
    rec.iter().map(|f| f.0).collect()
}
