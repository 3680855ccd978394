// SPDX-License-Identifier: GPL-2.0

//! Packet key extraction: real header layouts, every truncation point, hostile input.

use super::common::XorShift;
use crate::flow::key::{
    has_ports, proto, Family, Malformed, PacketBytes, ParseKind, Parsed, MAX_EXT_HEADERS,
};
use crate::parse::{parse_ipv4, parse_ipv6};

const SRC4: [u8; 4] = [192, 0, 2, 1];
const DST4: [u8; 4] = [198, 51, 100, 7];
const SRC6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const DST6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

/// Builds an IPv4 packet; `frag` is the flags+offset field, `options` a multiple of 4.
fn v4(protocol: u8, tos: u8, frag: u16, options: &[u8], l4: &[u8]) -> Vec<u8> {
    assert_eq!(options.len() % 4, 0);
    let ihl = 5 + options.len() / 4;
    let total = ihl * 4 + l4.len();
    let mut p = vec![0x40 | ihl as u8, tos];
    p.extend_from_slice(&(total as u16).to_be_bytes());
    p.extend_from_slice(&[0x12, 0x34]);
    p.extend_from_slice(&frag.to_be_bytes());
    p.extend_from_slice(&[64, protocol, 0, 0]);
    p.extend_from_slice(&SRC4);
    p.extend_from_slice(&DST4);
    p.extend_from_slice(options);
    p.extend_from_slice(l4);
    p
}

/// Builds an IPv6 packet with traffic class `tc`; `rest` is the extension chain + L4.
fn v6(tc: u8, next: u8, rest: &[u8]) -> Vec<u8> {
    let mut p = vec![0x60 | (tc >> 4), (tc << 4) | 0x0a, 0xbc, 0xde];
    p.extend_from_slice(&(rest.len() as u16).to_be_bytes());
    p.extend_from_slice(&[next, 64]);
    p.extend_from_slice(&SRC6);
    p.extend_from_slice(&DST6);
    p.extend_from_slice(rest);
    p
}

/// A generic extension header (hop-by-hop, routing, dstopts, mobility) of `len` bytes.
fn ext(next: u8, len: usize) -> Vec<u8> {
    assert!(len >= 8 && len.is_multiple_of(8));
    let mut h = vec![0xee; len];
    h[0] = next;
    h[1] = (len / 8 - 1) as u8;
    h
}

/// An AH header of `len` bytes (multiple of 4, at least 12).
fn ah(next: u8, len: usize) -> Vec<u8> {
    let mut h = vec![0xaa; len];
    h[0] = next;
    h[1] = (len / 4 - 2) as u8;
    h
}

/// A fragment header with the given offset (in 8-byte units) and more-fragments flag.
fn frag6(next: u8, offset: u16, more: bool) -> Vec<u8> {
    let f = (offset << 3) | u16::from(more);
    let mut h = vec![next, 0];
    h.extend_from_slice(&f.to_be_bytes());
    h.extend_from_slice(&[1, 2, 3, 4]);
    h
}

fn tcp(sport: u16, dport: u16, flags: u8) -> Vec<u8> {
    let mut h = vec![0u8; 20];
    h[0..2].copy_from_slice(&sport.to_be_bytes());
    h[2..4].copy_from_slice(&dport.to_be_bytes());
    h[12] = 0x50;
    h[13] = flags;
    h
}

/// Generic ported header (UDP/UDP-Lite 8, SCTP/DCCP 12 bytes).
fn ported(sport: u16, dport: u16, len: usize) -> Vec<u8> {
    let mut h = vec![0x5au8; len];
    h[0..2].copy_from_slice(&sport.to_be_bytes());
    h[2..4].copy_from_slice(&dport.to_be_bytes());
    h
}

fn icmp(t: u8, c: u8, len: usize) -> Vec<u8> {
    let mut h = vec![0x33u8; len];
    h[0] = t;
    h[1] = c;
    h
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// A packet split over several buffers, like a paged skb.
struct Chunked(Vec<Vec<u8>>);

impl Chunked {
    fn split(p: &[u8], cuts: &[usize]) -> Self {
        let mut v = Vec::new();
        let mut last = 0;
        for &c in cuts {
            let c = c.min(p.len()).max(last);
            v.push(p[last..c].to_vec());
            last = c;
        }
        v.push(p[last..].to_vec());
        Chunked(v)
    }
}

impl PacketBytes for Chunked {
    fn len(&self) -> usize {
        self.0.iter().map(Vec::len).sum()
    }

    fn copy_to(&self, offset: usize, out: &mut [u8]) -> bool {
        if offset
            .checked_add(out.len())
            .is_none_or(|e| e > PacketBytes::len(self))
        {
            return false;
        }
        let mut pos = 0;
        let mut written = 0;
        for c in &self.0 {
            for &b in c {
                if pos >= offset && written < out.len() {
                    out[written] = b;
                    written += 1;
                }
                pos += 1;
            }
        }
        written == out.len()
    }
}

fn p4(p: &[u8]) -> Result<Parsed, Malformed> {
    parse_ipv4(p, 7)
}

fn p6(p: &[u8]) -> Result<Parsed, Malformed> {
    parse_ipv6(p, 9)
}

fn v4_addr(a: [u8; 4]) -> [u8; 16] {
    let mut o = [0u8; 16];
    o[..4].copy_from_slice(&a);
    o
}

// ---------- PacketBytes for [u8] ----------

#[test]
fn slice_copy_to_bounds() {
    let b: &[u8] = &[1, 2, 3, 4];
    let mut out = [0u8; 2];
    assert!(b.copy_to(2, &mut out));
    assert_eq!(out, [3, 4]);
    assert!(!b.copy_to(3, &mut out));
    assert!(!b.copy_to(usize::MAX, &mut out));
    assert!(b.copy_to(4, &mut []));
    assert!(!b.copy_to(5, &mut []));
    assert_eq!(PacketBytes::len(b), 4);
    assert_eq!(PacketBytes::len(&[][..]), 0);
}

#[test]
fn has_ports_list() {
    for p in 0..=255u8 {
        let expect = matches!(p, 6 | 17 | 33 | 132 | 136);
        assert_eq!(has_ports(p), expect, "protocol {p}");
    }
}

// ---------- IPv4 ----------

#[test]
fn v4_tcp_complete() {
    let p = v4(6, 0xb8, 0x4000, &[], &tcp(40000, 443, 0x12));
    let r = p4(&p).unwrap();
    assert_eq!(r.kind, ParseKind::Complete);
    assert_eq!(r.tcp_flags, 0x12);
    let k = r.key;
    assert_eq!(k.family, Family::V4);
    assert_eq!(k.src, v4_addr(SRC4));
    assert_eq!(k.dst, v4_addr(DST4));
    assert_eq!((k.src_port, k.dst_port), (40000, 443));
    assert_eq!(k.protocol, 6);
    assert_eq!(k.tos, 0xb8);
    assert_eq!(k.in_if, 7);
}

#[test]
fn v4_every_ported_protocol() {
    for (proto_nr, len) in [(17u8, 8usize), (136, 8), (132, 12), (33, 12)] {
        let p = v4(proto_nr, 0, 0, &[], &ported(1234, 5678, len));
        let r = p4(&p).unwrap();
        assert_eq!(r.kind, ParseKind::Complete, "proto {proto_nr}");
        assert_eq!((r.key.src_port, r.key.dst_port), (1234, 5678));
        assert_eq!(r.key.protocol, proto_nr);
        assert_eq!(r.tcp_flags, 0, "no TCP flags for proto {proto_nr}");
    }
}

#[test]
fn v4_icmp_type_code() {
    let p = v4(1, 0, 0, &[], &icmp(3, 13, 8));
    let r = p4(&p).unwrap();
    assert_eq!(r.kind, ParseKind::Complete);
    assert_eq!(r.key.src_port, 0);
    assert_eq!(r.key.dst_port, 0x030d);
    let echo = p4(&v4(1, 0, 0, &[], &icmp(8, 0, 64))).unwrap();
    assert_eq!(echo.key.dst_port, 0x0800);
}

#[test]
fn v4_icmpv6_number_is_unknown() {
    let r = p4(&v4(58, 0, 0, &[], &icmp(128, 0, 8))).unwrap();
    assert_eq!(r.kind, ParseKind::UnknownProtocol);
    assert_eq!((r.key.src_port, r.key.dst_port), (0, 0));
}

#[test]
fn v4_unknown_protocols_have_no_ports() {
    // IGMP (2), ESP (50) and AH (51) keep their type / SPI in the ports instead.
    for proto_nr in [0u8, 2, 4, 41, 47, 50, 51, 89, 103, 255] {
        let r = p4(&v4(proto_nr, 0, 0, &[], &[0xff; 40])).unwrap();
        assert_eq!(r.kind, ParseKind::UnknownProtocol, "proto {proto_nr}");
        let ports = match proto_nr {
            2 => (0, 0xff),
            50 | 51 => (0xffff, 0xffff),
            _ => (0, 0),
        };
        assert_eq!(
            (r.key.src_port, r.key.dst_port, r.tcp_flags),
            (ports.0, ports.1, 0)
        );
        assert_eq!(r.key.protocol, proto_nr);
    }
}

#[test]
fn v4_options_skipped() {
    for words in 1..=10usize {
        let mut opts = vec![1u8; words * 4]; // NOPs
        opts[0] = 0x94; // router alert, then NOPs
        opts[1] = 4;
        let p = v4(17, 0, 0, &opts, &ported(53, 33333, 8));
        let r = p4(&p).unwrap();
        assert_eq!(r.kind, ParseKind::Complete, "IHL {}", 5 + words);
        assert_eq!((r.key.src_port, r.key.dst_port), (53, 33333));
    }
}

#[test]
fn v4_options_truncated_is_malformed() {
    let p = v4(6, 0, 0, &[1; 40], &tcp(1, 2, 0));
    for len in 20..60 {
        assert_eq!(p4(&p[..len]), Err(Malformed::Truncated), "len {len}");
    }
    assert_eq!(p4(&p[..60]).unwrap().kind, ParseKind::Truncated);
    assert_eq!(p4(&p).unwrap().kind, ParseKind::Complete);
}

#[test]
fn v4_fragments() {
    // Non-first fragment: L4 bytes are payload, not a header.
    for field in [0x0001u16, 0x00b9, 0x2001, 0x1fff, 0x3fff] {
        let p = v4(6, 0, field, &[], &tcp(1111, 2222, 0x02));
        let r = p4(&p).unwrap();
        assert_eq!(r.kind, ParseKind::NonFirstFragment, "frag field {field:#x}");
        assert_eq!((r.key.src_port, r.key.dst_port, r.tcp_flags), (0, 0, 0));
        assert_eq!(r.key.protocol, 6);
    }
    // First fragment (MF set, offset 0), DF, reserved bit: ports read.
    for field in [0x2000u16, 0x4000, 0x8000, 0x0000] {
        let r = p4(&v4(6, 0, field, &[], &tcp(1111, 2222, 0x02))).unwrap();
        assert_eq!(r.kind, ParseKind::Complete, "frag field {field:#x}");
        assert_eq!(r.key.dst_port, 2222);
    }
    // A non-first fragment needs no L4 bytes at all.
    let r = p4(&v4(17, 0, 0x0010, &[], &[])).unwrap();
    assert_eq!(r.kind, ParseKind::NonFirstFragment);
}

#[test]
fn v4_truncated_at_every_boundary() {
    let cases: Vec<(u8, Vec<u8>)> = vec![
        (6, tcp(10, 20, 0x11)),
        (17, ported(10, 20, 8)),
        (136, ported(10, 20, 8)),
        (132, ported(10, 20, 12)),
        (33, ported(10, 20, 12)),
        (1, icmp(11, 0, 8)),
    ];
    for (proto_nr, l4) in cases {
        let p = v4(proto_nr, 0x10, 0, &[], &l4);
        for len in 0..p.len() {
            let r = p4(&p[..len]);
            if len < 20 {
                assert_eq!(r, Err(Malformed::Truncated), "proto {proto_nr} len {len}");
            } else {
                let r = r.unwrap();
                assert_eq!(r.kind, ParseKind::Truncated, "proto {proto_nr} len {len}");
                assert_eq!((r.key.src_port, r.key.dst_port, r.tcp_flags), (0, 0, 0));
                assert_eq!(r.key.protocol, proto_nr);
                assert_eq!(r.key.src, v4_addr(SRC4));
                assert_eq!(r.key.dst, v4_addr(DST4));
                assert_eq!(r.key.tos, 0x10);
            }
        }
        assert_eq!(
            p4(&p).unwrap().kind,
            ParseKind::Complete,
            "proto {proto_nr}"
        );
    }
}

#[test]
fn v4_bad_headers() {
    assert_eq!(p4(&[]), Err(Malformed::Truncated));
    assert_eq!(p4(&[0x45]), Err(Malformed::Truncated));
    assert_eq!(p4(&[0x60]), Err(Malformed::BadVersion));
    let good = v4(6, 0, 0, &[], &tcp(1, 2, 0));
    for version in [0u8, 1, 5, 6, 7, 15] {
        let mut p = good.clone();
        p[0] = (version << 4) | 5;
        assert_eq!(p4(&p), Err(Malformed::BadVersion), "version {version}");
    }
    for ihl in 0..5u8 {
        let mut p = good.clone();
        p[0] = 0x40 | ihl;
        assert_eq!(p4(&p), Err(Malformed::BadHeaderLength), "IHL {ihl}");
    }
    // IHL 15 on a 40-byte packet: stated header (60) longer than the packet.
    let mut p = good.clone();
    p[0] = 0x4f;
    assert_eq!(p4(&p), Err(Malformed::Truncated));
    // IPv4 parser handed an IPv6 packet.
    assert_eq!(p4(&v6(0, 6, &tcp(1, 2, 0))), Err(Malformed::BadVersion));
}

#[test]
fn v4_ignores_total_length_and_trailing_bytes() {
    let mut p = v4(6, 0, 0, &[], &tcp(5, 6, 0x10));
    p[2] = 0;
    p[3] = 0; // GSO-style zero total length
    p.extend_from_slice(&[0xde; 100]);
    let r = p4(&p).unwrap();
    assert_eq!(r.kind, ParseKind::Complete);
    assert_eq!((r.key.src_port, r.key.dst_port, r.tcp_flags), (5, 6, 0x10));
}

#[test]
fn v4_nonlinear_matches_linear() {
    let p = v4(6, 4, 0, &[1; 8], &tcp(7777, 80, 0x18));
    let want = p4(&p);
    for a in 0..p.len() {
        for b in a..p.len() {
            let c = Chunked::split(&p, &[a, b]);
            assert_eq!(parse_ipv4(&c, 7), want, "cuts {a} {b}");
        }
    }
}

// ---------- IPv6 ----------

#[test]
fn v6_tcp_complete() {
    let p = v6(0xab, 6, &tcp(50000, 22, 0x01));
    let r = p6(&p).unwrap();
    assert_eq!(r.kind, ParseKind::Complete);
    assert_eq!(r.tcp_flags, 0x01);
    let k = r.key;
    assert_eq!(k.family, Family::V6);
    assert_eq!(k.src, SRC6);
    assert_eq!(k.dst, DST6);
    assert_eq!((k.src_port, k.dst_port), (50000, 22));
    assert_eq!(k.protocol, 6);
    assert_eq!(k.tos, 0xab);
    assert_eq!(k.in_if, 9);
}

#[test]
fn v6_every_ported_protocol_and_icmpv6() {
    for (proto_nr, len) in [(17u8, 8usize), (136, 8), (132, 12), (33, 12)] {
        let r = p6(&v6(0, proto_nr, &ported(9, 10, len))).unwrap();
        assert_eq!(r.kind, ParseKind::Complete, "proto {proto_nr}");
        assert_eq!((r.key.src_port, r.key.dst_port), (9, 10));
    }
    let r = p6(&v6(0, 58, &icmp(128, 0, 4))).unwrap();
    assert_eq!(r.kind, ParseKind::Complete);
    assert_eq!((r.key.src_port, r.key.dst_port), (0, 0x8000));
    let r = p6(&v6(0, 58, &icmp(1, 4, 48))).unwrap();
    assert_eq!(r.key.dst_port, 0x0104);
    // ICMP (v4) number inside IPv6 has no type/code for us.
    let r = p6(&v6(0, 1, &icmp(8, 0, 8))).unwrap();
    assert_eq!(r.kind, ParseKind::UnknownProtocol);
    assert_eq!(r.key.dst_port, 0);
}

#[test]
fn v6_each_extension_header() {
    for kind in [
        proto::HOPOPTS,
        proto::ROUTING,
        proto::DSTOPTS,
        proto::MOBILITY,
    ] {
        for len in [8usize, 16, 24, 2048] {
            let p = v6(0, kind, &cat(&[&ext(17, len), &ported(100, 200, 8)]));
            let r = p6(&p).unwrap();
            assert_eq!(r.kind, ParseKind::Complete, "ext {kind} len {len}");
            assert_eq!(r.key.protocol, 17);
            assert_eq!((r.key.src_port, r.key.dst_port), (100, 200));
        }
    }
    for len in [12usize, 16, 24, 1028] {
        let p = v6(0, proto::AH, &cat(&[&ah(6, len), &tcp(3, 4, 0x04)]));
        let r = p6(&p).unwrap();
        assert_eq!(r.kind, ParseKind::Complete, "AH len {len}");
        assert_eq!((r.key.protocol, r.key.src_port, r.key.dst_port), (6, 3, 4));
        assert_eq!(r.tcp_flags, 0x04);
    }
}

#[test]
fn v6_fragments() {
    let first = v6(
        0,
        proto::FRAGMENT,
        &cat(&[&frag6(6, 0, true), &tcp(8, 9, 0x02)]),
    );
    let r = p6(&first).unwrap();
    assert_eq!(r.kind, ParseKind::Complete);
    assert_eq!((r.key.protocol, r.key.src_port, r.key.dst_port), (6, 8, 9));

    for offset in [1u16, 185, 0x1fff] {
        for more in [false, true] {
            let p = v6(
                0,
                proto::FRAGMENT,
                &cat(&[&frag6(6, offset, more), &tcp(8, 9, 2)]),
            );
            let r = p6(&p).unwrap();
            assert_eq!(r.kind, ParseKind::NonFirstFragment, "offset {offset}");
            assert_eq!(r.key.protocol, 6);
            assert_eq!((r.key.src_port, r.key.dst_port, r.tcp_flags), (0, 0, 0));
        }
    }
    // Non-first fragment after other headers, with nothing after the fragment header.
    let p = v6(
        0,
        proto::HOPOPTS,
        &cat(&[&ext(44, 8), &frag6(17, 100, false)]),
    );
    assert_eq!(p6(&p).unwrap().kind, ParseKind::NonFirstFragment);
    assert_eq!(p6(&p).unwrap().key.protocol, 17);
    // Fragment header cut short.
    let p = v6(0, proto::FRAGMENT, &frag6(6, 100, false)[..4]);
    let r = p6(&p).unwrap();
    assert_eq!(
        (r.kind, r.key.protocol),
        (ParseKind::Truncated, proto::FRAGMENT)
    );
}

fn long_chain() -> Vec<u8> {
    v6(
        0x20,
        proto::HOPOPTS,
        &cat(&[
            &ext(proto::DSTOPTS, 16),
            &ext(proto::ROUTING, 8),
            &ext(proto::FRAGMENT, 24),
            &frag6(proto::AH, 0, true),
            &ah(proto::MOBILITY, 16),
            &ext(proto::DSTOPTS, 8),
            &ext(17, 8),
            &ported(4789, 4789, 8),
        ]),
    )
}

#[test]
fn v6_chain_of_every_kind() {
    let r = p6(&long_chain()).unwrap();
    assert_eq!(r.kind, ParseKind::Complete);
    assert_eq!(r.key.protocol, 17);
    assert_eq!((r.key.src_port, r.key.dst_port), (4789, 4789));
    assert_eq!(r.key.tos, 0x20);
}

#[test]
fn v6_truncated_mid_chain() {
    let p = long_chain();
    // Header start offsets and the type expected there.
    let starts = [
        (40usize, proto::HOPOPTS),
        (56, proto::DSTOPTS),
        (64, proto::ROUTING),
        (88, proto::FRAGMENT),
        (96, proto::AH),
        (112, proto::MOBILITY),
        (120, proto::DSTOPTS),
        (128, 17),
    ];
    for len in 0..p.len() {
        let r = p6(&p[..len]);
        if len < 40 {
            assert_eq!(r, Err(Malformed::Truncated), "len {len}");
            continue;
        }
        let r = r.unwrap();
        assert_eq!(r.kind, ParseKind::Truncated, "len {len}");
        assert_eq!((r.key.src_port, r.key.dst_port, r.tcp_flags), (0, 0, 0));
        // The header that could not be read: the last one starting at or before len
        // whose needed bytes are missing.
        let need = |t: u8| match t {
            proto::FRAGMENT => 8,
            17 => 8,
            _ => 2,
        };
        let (_, t) = starts
            .iter()
            .copied()
            .find(|&(s, t)| len < s + need(t))
            .unwrap();
        assert_eq!(r.key.protocol, t, "len {len}");
    }
}

#[test]
fn v6_esp_and_no_next_stop_the_walk() {
    let r = p6(&v6(0, proto::ESP, &[0xff; 64])).unwrap();
    assert_eq!((r.kind, r.key.protocol), (ParseKind::UnknownProtocol, 50));
    let p = v6(
        0,
        proto::DSTOPTS,
        &cat(&[&ext(proto::ESP, 8), &tcp(1, 2, 3)]),
    );
    let r = p6(&p).unwrap();
    // ESP's SPI: the first 4 bytes of the TCP header that follows (ports 1 and 2)
    assert_eq!(
        (r.kind, r.key.protocol, r.key.ipsec_spi()),
        (ParseKind::UnknownProtocol, 50, 0x0001_0002)
    );
    let r = p6(&v6(0, proto::NONE, &[])).unwrap();
    assert_eq!((r.kind, r.key.protocol), (ParseKind::UnknownProtocol, 59));
    let p = v6(0, proto::MOBILITY, &ext(proto::NONE, 16));
    let r = p6(&p).unwrap();
    assert_eq!((r.kind, r.key.protocol), (ParseKind::UnknownProtocol, 59));
}

#[test]
fn v6_chain_length_bound() {
    let build = |n: usize| {
        let mut rest = Vec::new();
        for i in 0..n {
            let next = if i + 1 == n { 6 } else { proto::DSTOPTS };
            rest.extend_from_slice(&ext(next, 8));
        }
        rest.extend_from_slice(&tcp(1, 2, 0x10));
        v6(0, proto::DSTOPTS, &rest)
    };
    let r = p6(&build(MAX_EXT_HEADERS)).unwrap();
    assert_eq!(
        (r.kind, r.key.protocol, r.key.dst_port),
        (ParseKind::Complete, 6, 2)
    );
    let r = p6(&build(MAX_EXT_HEADERS + 1)).unwrap();
    assert_eq!(r.kind, ParseKind::UnknownProtocol);
    assert_eq!(r.key.protocol, proto::DSTOPTS);
    assert_eq!((r.key.src_port, r.key.dst_port), (0, 0));
    // A looping chain (each header pointing to another) is bounded too.
    let r = p6(&build(1000)).unwrap();
    assert_eq!(r.kind, ParseKind::UnknownProtocol);
}

#[test]
fn v6_huge_lengths_past_end() {
    // Lengths pointing far beyond the packet end in truncation, not a panic.
    let mut h = ext(6, 8);
    h[1] = 255;
    let r = p6(&v6(0, 0, &cat(&[&h, &tcp(1, 2, 0)]))).unwrap();
    assert_eq!((r.kind, r.key.protocol), (ParseKind::Truncated, 6));
    let mut a = ah(6, 12);
    a[1] = 255;
    let r = p6(&v6(0, 51, &cat(&[&a, &tcp(1, 2, 0)]))).unwrap();
    assert_eq!((r.kind, r.key.protocol), (ParseKind::Truncated, 6));
    // AH length 0 still advances 8 bytes (no infinite loop on zero lengths).
    let mut a = ah(17, 8);
    a[1] = 0;
    let r = p6(&v6(0, 51, &cat(&[&a, &ported(1, 2, 8)]))).unwrap();
    assert_eq!((r.kind, r.key.src_port), (ParseKind::Complete, 1));
}

#[test]
fn v6_bad_headers() {
    assert_eq!(p6(&[]), Err(Malformed::Truncated));
    assert_eq!(p6(&[0x45]), Err(Malformed::BadVersion));
    let good = v6(0, 6, &tcp(1, 2, 0));
    assert_eq!(p6(&good[..39]), Err(Malformed::Truncated));
    assert_eq!(p6(&good[..40]).unwrap().kind, ParseKind::Truncated);
    for version in [0u8, 4, 5, 7, 15] {
        let mut p = good.clone();
        p[0] = (version << 4) | (p[0] & 0x0f);
        assert_eq!(p6(&p), Err(Malformed::BadVersion), "version {version}");
    }
    assert_eq!(
        p6(&v4(6, 0, 0, &[], &tcp(1, 2, 0))),
        Err(Malformed::BadVersion)
    );
}

#[test]
fn v6_traffic_class_all_values() {
    for tc in 0..=255u8 {
        let r = p6(&v6(tc, 59, &[])).unwrap();
        assert_eq!(r.key.tos, tc);
    }
}

#[test]
fn v6_nonlinear_matches_linear() {
    let p = long_chain();
    let want = p6(&p);
    for a in (0..p.len()).step_by(3) {
        for b in (a..p.len()).step_by(5) {
            let c = Chunked::split(&p, &[a, b, b + 1]);
            assert_eq!(parse_ipv6(&c, 9), want, "cuts {a} {b}");
        }
    }
}

// ---------- randomized ----------

fn check_invariants(r: &Result<Parsed, Malformed>) {
    if let Ok(r) = r {
        if r.kind != ParseKind::Complete {
            // Only an SPI or an IGMP type in the ports when the upper layer is not parsed.
            let (spi, igmp) = (r.key.ipsec_spi(), r.key.igmp_type());
            let ports = (u32::from(r.key.src_port) << 16) | u32::from(r.key.dst_port);
            assert!(
                ports == 0 || ports == spi || ports == u32::from(igmp),
                "{r:?}"
            );
            assert_eq!(r.tcp_flags, 0);
        }
        if r.tcp_flags != 0 {
            assert_eq!(r.key.protocol, 6);
        }
        if r.key.family == Family::V4 {
            assert!(r.key.src[4..]
                .iter()
                .chain(&r.key.dst[4..])
                .all(|&b| b == 0));
        }
    }
}

#[test]
fn random_no_panic() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let seeds = [
        v4(6, 0, 0, &[1; 12], &tcp(1, 2, 0x3f)),
        v4(1, 0, 0x2000, &[], &icmp(0, 0, 8)),
        v4(132, 0, 0, &[], &ported(1, 2, 12)),
        long_chain(),
        v6(
            0,
            51,
            &cat(&[&ah(44, 12), &frag6(58, 0, true), &icmp(135, 0, 24)]),
        ),
        v6(
            0,
            0,
            &cat(&[&ext(0, 8), &ext(0, 8), &ext(6, 8), &tcp(1, 2, 0)]),
        ),
    ];
    let mut buf = Vec::new();
    for i in 0..100_000 {
        buf.clear();
        match i % 3 {
            0 => {
                // Pure noise with a plausible version nibble.
                let n = rng.below(200);
                buf.extend((0..n).map(|_| rng.next() as u8));
                if let Some(b) = buf.first_mut() {
                    *b = (*b & 0x0f) | if rng.next() & 1 == 0 { 0x40 } else { 0x60 };
                }
            }
            _ => {
                // Mutate a valid packet: flip bytes, truncate, extend.
                buf.extend_from_slice(&seeds[rng.below(seeds.len())]);
                for _ in 0..=rng.below(6) {
                    let at = rng.below(buf.len());
                    buf[at] = rng.next() as u8;
                }
                if rng.next() & 1 == 0 {
                    buf.truncate(rng.below(buf.len() + 1));
                }
                if rng.next() & 7 == 0 {
                    buf.extend((0..rng.below(64)).map(|_| rng.next() as u8));
                }
            }
        }
        let a = parse_ipv4(&buf[..], 1);
        let b = parse_ipv6(&buf[..], 1);
        check_invariants(&a);
        check_invariants(&b);
        if i % 64 == 0 {
            let cut = rng.below(buf.len() + 1);
            let c = Chunked::split(&buf, &[cut]);
            assert_eq!(parse_ipv4(&c, 1), a);
            assert_eq!(parse_ipv6(&c, 1), b);
        }
    }
}

// ---------- attributes: option bit maps, flow label, IGMP type, IPsec SPI ----------

mod attributes {
    use super::*;
    use crate::flow::attributes::{ext, ipv4_options, tcp_options};

    /// A TCP header with `opts` (padded with EOL to a multiple of 4) after its 20 bytes.
    fn tcp_with(opts: &[u8]) -> Vec<u8> {
        let mut h = tcp(1, 2, 0x10);
        let mut o = opts.to_vec();
        while o.len() % 4 != 0 {
            o.push(0);
        }
        h[12] = ((20 + o.len()) / 4 << 4) as u8;
        h.extend(o);
        h
    }

    #[test]
    fn ipv4_option_bits_follow_rfc7012() {
        // RR is bit 0 (the most significant), NOP 6, EOOL 7, RTRALT 20, UMP 31
        assert_eq!(ipv4_options(&[7, 3, 0]), 0x8000_0000);
        assert_eq!(ipv4_options(&[1, 0]), 0x0200_0000 | 0x0100_0000);
        assert_eq!(ipv4_options(&[148, 4, 0, 0]), 1 << (31 - 20));
        assert_eq!(ipv4_options(&[152, 2]), 1);
        assert_eq!(ipv4_options(&[68, 4, 0, 0, 131, 3, 0]), 1 << 28 | 1 << 27);
        // options unknown to the table are skipped by their length
        assert_eq!(ipv4_options(&[99, 3, 0, 7, 3, 0]), 0x8000_0000);
    }

    #[test]
    fn option_lists_that_cannot_be_right_stop_the_walk() {
        assert_eq!(tcp_options(&[]), 0);
        // a length below 2, or missing, ends the list after the kind is noted
        assert_eq!(tcp_options(&[2, 0, 8, 10]), 1 << 61);
        assert_eq!(tcp_options(&[2, 1, 8, 10]), 1 << 61);
        assert_eq!(tcp_options(&[3]), 1 << 60);
        // a length past the end: the kind counts, nothing after it is read
        assert_eq!(tcp_options(&[8, 200, 2, 4]), 1 << 55);
        // EOL stops even with bytes after it
        assert_eq!(tcp_options(&[0, 2, 4]), 1 << 63);
        // kinds of 64 and more have no bit (the zeros are the 254 option's data)
        assert_eq!(tcp_options(&[64, 2, 254, 4, 0, 0]), 0);
        // every byte a NOP: 40 iterations, one bit
        assert_eq!(tcp_options(&[1; 40]), 1 << 62);
    }

    #[test]
    fn tcp_options_of_a_syn() {
        // MSS, SACK permitted, timestamps, NOP, window scale
        let opts = [
            2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
        ];
        let want = 1 << (63 - 2) | 1 << (63 - 4) | 1 << (63 - 8) | 1 << (63 - 1) | 1 << (63 - 3);
        assert_eq!(tcp_options(&opts), want);
        let r = p4(&v4(6, 0, 0, &[], &tcp_with(&opts))).unwrap();
        assert_eq!(r.kind, ParseKind::Complete);
        assert_eq!(r.attrs.tcp_options, want);
        assert_eq!(r.tcp_flags, 0x10);
        let r = p6(&v6(0, 6, &tcp_with(&opts))).unwrap();
        assert_eq!(r.attrs.tcp_options, want);
    }

    #[test]
    fn tcp_options_cut_short_are_not_read() {
        let p = v4(6, 0, 0, &[], &tcp_with(&[2, 4, 5, 0xb4, 1, 3, 3, 7]));
        let r = p4(&p[..p.len() - 1]).unwrap();
        assert_eq!(r.kind, ParseKind::Complete, "the fixed 20 bytes are there");
        assert_eq!(r.attrs.tcp_options, 0);
        // a data offset below 5 claims no options
        let mut h = tcp(1, 2, 0);
        h[12] = 0x30;
        assert_eq!(p4(&v4(6, 0, 0, &[], &h)).unwrap().attrs.tcp_options, 0);
    }

    #[test]
    fn ipv4_options_in_the_header() {
        let r = p4(&v4(17, 0, 0, &[7, 3, 0, 1, 148, 4, 0, 0], &ported(1, 2, 8))).unwrap();
        assert_eq!(r.kind, ParseKind::Complete);
        assert_eq!(r.key.src_port, 1);
        assert_eq!(r.attrs.ip_options, 0x8000_0000 | 0x0200_0000 | 1 << 11);
        // also on non-first fragments
        let r = p4(&v4(17, 0, 100, &[7, 3, 0, 0], &[0; 8])).unwrap();
        assert_eq!(r.kind, ParseKind::NonFirstFragment);
        assert_eq!(
            r.attrs.ip_options,
            0x8000_0000 | 0x0100_0000,
            "RR, then EOOL"
        );
        assert_eq!(
            p4(&v4(17, 0, 0, &[], &ported(1, 2, 8)))
                .unwrap()
                .attrs
                .ip_options,
            0
        );
    }

    #[test]
    fn ipv6_extension_header_bits_and_flow_label() {
        let p = v6(
            0,
            0,
            &cat(&[
                &ext(43, 8),
                &ext(60, 16),
                &ext(44, 8),
                &frag6(51, 0, true),
                &ah(17, 16),
                &ported(5, 6, 8),
            ]),
        );
        let r = p6(&p).unwrap();
        assert_eq!(r.kind, ParseKind::Complete);
        assert_eq!(r.key.protocol, 17);
        assert_eq!(
            r.attrs.ip_options,
            ext::HOP | ext::RH | ext::DST | ext::FRA0 | ext::AH
        );
        assert_eq!(r.attrs.flow_label, 0xabcde);
        // the flow is UDP's: ports 5 and 6, the AH's SPI not kept
        assert_eq!(
            (r.key.src_port, r.key.dst_port, r.key.ipsec_spi()),
            (5, 6, 0)
        );
        let r = p6(&v6(0, 44, &cat(&[&frag6(17, 8, false), &[0; 8]]))).unwrap();
        assert_eq!(r.attrs.ip_options, ext::FRA1);
        let r = p6(&v6(0, 135, &cat(&[&ext(47, 8), &[0; 8]]))).unwrap();
        assert_eq!(r.attrs.ip_options, ext::MOB, "GRE is known");
        let r = p6(&v6(0, 0, &cat(&[&ext(253, 8), &[0; 8]]))).unwrap();
        assert_eq!(r.attrs.ip_options, ext::HOP | ext::UNK);
        assert_eq!(
            p6(&v6(0, 17, &ported(1, 2, 8))).unwrap().attrs.ip_options,
            0
        );
    }

    #[test]
    fn esp_spi_and_igmp_type() {
        // In the key's ports, as C: SAs and IGMP types are flows of their own.
        let spi = [0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1];
        let r = p4(&v4(50, 0, 0, &[], &spi)).unwrap();
        assert_eq!(r.kind, ParseKind::UnknownProtocol);
        assert_eq!((r.key.src_port, r.key.dst_port), (0xdead, 0xbeef));
        assert_eq!((r.key.ipsec_spi(), r.key.igmp_type()), (0xdead_beef, 0));
        let r = p6(&v6(0, 50, &spi)).unwrap();
        assert_eq!(
            (r.key.ipsec_spi(), r.attrs.ip_options),
            (0xdead_beef, ext::ESP)
        );
        let mut a = ah(6, 12);
        a[4..8].copy_from_slice(&[1, 2, 3, 4]);
        let r = p4(&v4(51, 0, 0, &[], &a)).unwrap();
        assert_eq!(r.key.ipsec_spi(), 0x0102_0304);
        // IPv6: AH then ESP: ESP's SPI
        let r = p6(&v6(0, 51, &cat(&[&ah(50, 16), &spi]))).unwrap();
        assert_eq!(
            (r.key.protocol, r.key.ipsec_spi(), r.attrs.ip_options),
            (50, 0xdead_beef, ext::AH | ext::ESP)
        );
        // cut before the SPI: 0
        assert_eq!(
            p4(&v4(50, 0, 0, &[], &spi[..3])).unwrap().key.ipsec_spi(),
            0
        );
        let r = p4(&v4(2, 0, 0, &[], &[0x11, 0, 0, 0, 224, 0, 0, 1])).unwrap();
        assert_eq!((r.key.src_port, r.key.dst_port), (0, 0x11));
        assert_eq!((r.key.igmp_type(), r.key.ipsec_spi()), (0x11, 0));
        assert_eq!(p4(&v4(2, 0, 0, &[], &[])).unwrap().key.igmp_type(), 0);
        // IGMP is IPv4's: an IPv6 packet naming protocol 2 has no IGMP type
        let r = p6(&v6(0, 2, &[0x11; 8])).unwrap();
        assert_eq!((r.key.igmp_type(), r.key.dst_port), (0, 0));
        // no SPI nor IGMP type in the ports of other protocols
        let r = p4(&v4(17, 0, 0, &[], &ported(0xdead, 0xbeef, 8))).unwrap();
        assert_eq!((r.key.ipsec_spi(), r.key.igmp_type()), (0, 0));
    }
}
