// SPDX-License-Identifier: GPL-2.0

//! NAT events on the wire: the NEL templates and records of v9/IPFIX (C's layout, and
//! IPv6 past C), the v5 pseudo-flows, and tshark decoding them.

use super::encode_util::*;
use crate::export::pdu::Push;
use crate::export::v5::{V5Writer, V5_HEADER_LEN, V5_RECORD_LEN};
use crate::export::writer::{PduWriter, Protocol};
use crate::flow::key::Family;
use crate::nat::event::{NatEvent, NatEventKind};
use std::collections::BTreeMap;

/// 10.1.0.2:40000 -> 10.1.0.1:8080 translated to 10.2.0.1:40001 -> 10.2.0.2:80, at
/// uptime 99 s.
fn full_nat(kind: NatEventKind) -> NatEvent {
    NatEvent {
        kind,
        family: Family::V4,
        protocol: 6,
        src: v4([10, 1, 0, 2]),
        dst: v4([10, 1, 0, 1]),
        post_src: v4([10, 2, 0, 1]),
        post_dst: v4([10, 2, 0, 2]),
        src_port: 40000,
        dst_port: 8080,
        post_src_port: 40001,
        post_dst_port: 80,
        time_ms: NOW_UNIX_MS - 1000,
    }
}

fn nat66() -> NatEvent {
    let a = |net: u8, host: u8| {
        let mut v = [0u8; 16];
        (v[0], v[1], v[15]) = (0xfd, net, host);
        v
    };
    NatEvent {
        family: Family::V6,
        protocol: 17,
        src: a(1, 2),
        dst: a(2, 2),
        post_src: a(2, 1),
        post_dst: a(2, 2),
        src_port: 5000,
        dst_port: 53,
        post_src_port: 5000,
        post_dst_port: 53,
        ..full_nat(NatEventKind::Delete)
    }
}

const NEL_V4: [(u16, u16); 11] = [
    (323, 8),
    (8, 4),
    (12, 4),
    (225, 4),
    (226, 4),
    (7, 2),
    (11, 2),
    (227, 2),
    (228, 2),
    (4, 1),
    (230, 1),
];
const NEL_V6: [(u16, u16); 11] = [
    (323, 8),
    (27, 16),
    (28, 16),
    (281, 16),
    (282, 16),
    (7, 2),
    (11, 2),
    (227, 2),
    (228, 2),
    (4, 1),
    (230, 1),
];

#[test]
fn nel_templates_and_records() {
    for (proto, hdr, tpl_set) in [(Protocol::V9, 20, 0), (Protocol::Ipfix, 16, 2)] {
        let mut w = PduWriter::new(proto, 1);
        for ev in [
            full_nat(NatEventKind::Create),
            full_nat(NatEventKind::Delete),
            nat66(),
        ] {
            assert_eq!(w.push_nat(&ev, &clock()), Push::Added);
        }
        // Flow records beside them keep their own templates.
        assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
        let pdu = w.finish(&clock()).unwrap().to_vec();
        let mut known = BTreeMap::new();
        let d = decode(&pdu, hdr, tpl_set, &mut known);
        let tpl: BTreeMap<u16, Vec<(u16, u16)>> = d.templates.iter().cloned().collect();
        assert_eq!(tpl[&512], NEL_V4, "{proto:?}");
        assert_eq!(tpl[&513], NEL_V6, "{proto:?}");
        let nel: Vec<_> = d
            .records
            .iter()
            .filter(|r| r.0 == 512 || r.0 == 513)
            .collect();
        assert_eq!(nel.len(), 3);
        let r = &nel[0].1;
        assert_eq!(num(r, 323), NOW_UNIX_MS - 1000);
        assert_eq!(
            (bytes(r, 8), bytes(r, 12)),
            (vec![10, 1, 0, 2], vec![10, 1, 0, 1])
        );
        assert_eq!(
            (bytes(r, 225), bytes(r, 226)),
            (vec![10, 2, 0, 1], vec![10, 2, 0, 2])
        );
        assert_eq!(
            (num(r, 7), num(r, 11), num(r, 227), num(r, 228)),
            (40000, 8080, 40001, 80)
        );
        assert_eq!((num(r, 4), num(r, 230)), (6, 1));
        assert_eq!(num(&nel[1].1, 230), 2);
        let r = &nel[2].1;
        assert_eq!(nel[2].0, 513);
        assert_eq!(bytes(r, 281), nat66().post_src.to_vec());
        assert_eq!((num(r, 4), num(r, 230)), (17, 2));
        // The next PDU has no template again (until the refresh).
        assert_eq!(
            w.push_nat(&full_nat(NatEventKind::Create), &clock()),
            Push::Added
        );
        let pdu = w.finish(&clock()).unwrap().to_vec();
        let d = decode(&pdu, hdr, tpl_set, &mut known);
        assert!(d.templates.is_empty());
        assert_eq!(d.records.len(), 1);
    }
}

#[test]
fn v5_pseudo_flows_as_c() {
    let mut w = V5Writer::new(0);
    assert_eq!(
        w.push_nat(&full_nat(NatEventKind::Create), &clock()),
        Push::Added
    );
    assert_eq!(
        w.push_nat(&full_nat(NatEventKind::Delete), &clock()),
        Push::Added
    );
    // IPv6 cannot go into v5.
    assert_eq!(w.push_nat(&nat66(), &clock()), Push::NotExportable);
    // A source-only translation (MASQUERADE) is one record.
    let snat = NatEvent {
        dst: v4([10, 2, 0, 2]),
        dst_port: 80,
        ..full_nat(NatEventKind::Create)
    };
    assert_eq!(w.push_nat(&snat, &clock()), Push::Added);
    assert_eq!(w.pending(), 5);
    let pdu = w.finish(&clock()).unwrap().to_vec();
    let rec = |i: usize| &pdu[V5_HEADER_LEN + i * V5_RECORD_LEN..][..V5_RECORD_LEN];
    for (i, next_hop, src_as, dst_as, flags) in [
        (0, [10, 2, 0, 1], 40001, 0, 0x12),
        (1, [10, 1, 0, 1], 0, 8080, 0x12),
        (2, [10, 2, 0, 1], 40001, 0, 0x05),
        (3, [10, 1, 0, 1], 0, 8080, 0x05),
        (4, [10, 2, 0, 1], 40001, 0, 0x12),
    ] {
        let r = rec(i);
        assert_eq!(&r[0..4], &[10, 1, 0, 2], "record {i}: pre-NAT source");
        assert_eq!(&r[4..8], &[10, 2, 0, 2], "record {i}: post-NAT destination");
        assert_eq!(&r[8..12], &next_hop, "record {i}: next hop");
        assert_eq!(be32(r, 16), 0, "record {i}: no packets");
        assert_eq!(be32(r, 20), 0, "record {i}: no bytes");
        assert_eq!(
            (be32(r, 24), be32(r, 28)),
            (99_000, 99_000),
            "record {i}: times"
        );
        assert_eq!((be16(r, 32), be16(r, 34)), (40000, 80), "record {i}: ports");
        assert_eq!((r[37], r[38]), (flags, 6), "record {i}: flags, protocol");
        assert_eq!(
            (be16(r, 40), be16(r, 42)),
            (src_as, dst_as),
            "record {i}: AS fields"
        );
    }
    // Both halves of an event go into one PDU: 29 records leave no room for two.
    for _ in 0..29 {
        assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    }
    assert_eq!(
        w.push_nat(&full_nat(NatEventKind::Create), &clock()),
        Push::Full
    );
    assert_eq!(w.pending(), 29);
    w.finish(&clock()).unwrap();
    assert_eq!(
        w.push_nat(&full_nat(NatEventKind::Create), &clock()),
        Push::Added
    );
    assert_eq!(w.pending(), 2);
}

#[test]
fn nel_fills_pdus() {
    // Many events: every PDU full-ish, nothing lost, each PDU decodable alone after the
    // first (templates only in the first).
    let mut w = PduWriter::new(Protocol::Ipfix, 1);
    let (mut pdus, mut n) = (Vec::new(), 0);
    while n < 500 {
        let ev = NatEvent {
            src_port: n as u16,
            ..full_nat(NatEventKind::Create)
        };
        match w.push_nat(&ev, &clock()) {
            Push::Added => n += 1,
            Push::Full => pdus.push(w.finish(&clock()).unwrap().to_vec()),
            Push::NotExportable => panic!("not exportable"),
        }
    }
    pdus.push(w.finish(&clock()).unwrap().to_vec());
    let mut known = BTreeMap::new();
    let total: usize = pdus
        .iter()
        .map(|p| decode(p, 16, 2, &mut known).records.len())
        .sum();
    assert_eq!(total, 500);
    assert!(pdus.iter().all(|p| p.len() <= 1400));
}
