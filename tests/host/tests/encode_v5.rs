// SPDX-License-Identifier: GPL-2.0

//! NetFlow v5 encoder: exact bytes, sequence numbers, full PDUs, counter splitting.

use super::common::XorShift;
use super::encode_util::*;
use crate::export::pdu::{Clock, Push};
use crate::export::v5::{V5Writer, MAX_PDU_V5};
use crate::export::writer::{PduWriter, Protocol};

/// Header and record A exactly as on the wire.
#[rustfmt::skip]
fn expected_one_record(seq: u32, engine_id: u8) -> Vec<u8> {
    let s = seq.to_be_bytes();
    vec![
        // header
        0x00, 0x05,             // version 5
        0x00, 0x01,             // count 1
        0x00, 0x01, 0x86, 0xa0, // sysuptime 100000 ms
        0x65, 0x53, 0xf1, 0x00, // unix_secs 1700000000
        0x1d, 0xcd, 0x65, 0x00, // unix_nsecs 500000000
        s[0], s[1], s[2], s[3], // flow_sequence
        0x00,                   // engine_type
        engine_id,              // engine_id
        0x00, 0x00,             // sampling_interval
        // record
        10, 0, 0, 1,            // srcaddr
        192, 168, 1, 2,         // dstaddr
        10, 0, 0, 254,          // nexthop
        0x00, 0x03,             // input
        0x00, 0x04,             // output
        0x00, 0x00, 0x00, 0x0a, // dPkts 10
        0x00, 0x00, 0x05, 0xdc, // dOctets 1500
        0x00, 0x01, 0x5f, 0x90, // First 90000
        0x00, 0x01, 0x73, 0x18, // Last 95000
        0x30, 0x39,             // srcport 12345
        0x00, 0x50,             // dstport 80
        0x00,                   // pad1
        0x1b,                   // tcp_flags
        0x06,                   // prot TCP
        0x10,                   // tos
        0x00, 0x00,             // src_as
        0x00, 0x00,             // dst_as
        24,                     // src_mask
        16,                     // dst_mask
        0x00, 0x00,             // pad2
    ]
}

#[test]
fn one_record_exact_bytes() {
    let mut w = V5Writer::new(0x1234_5607);
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    assert_eq!(w.pending(), 1);
    let pdu = w.finish(&clock()).unwrap().to_vec();
    // engine_id keeps the low 8 bits of the u32 parameter
    assert_bytes(&pdu, &expected_one_record(0, 0x07));
    assert_eq!(w.pending(), 0);
    assert!(w.finish(&clock()).is_none(), "no records, no PDU");
}

#[test]
fn flow_sequence_counts_flows_sent_before() {
    let mut w = V5Writer::new(0);
    for i in 0..3 {
        assert_eq!(w.push(&numbered(rec_a(), i), &clock()), Push::Added);
    }
    let p = w.finish(&clock()).unwrap();
    assert_eq!((be16(p, 2), be32(p, 16)), (3, 0));
    for i in 0..2 {
        assert_eq!(w.push(&numbered(rec_a(), i), &clock()), Push::Added);
    }
    let p = w.finish(&clock()).unwrap();
    assert_eq!((be16(p, 2), be32(p, 16)), (2, 3));
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    assert_bytes(w.finish(&clock()).unwrap(), &expected_one_record(5, 0));
    assert_eq!(w.sequence(), 6);
}

#[test]
fn thirty_records_then_full() {
    let mut w = V5Writer::new(0);
    for i in 0..30 {
        assert_eq!(w.push(&numbered(rec_a(), i), &clock()), Push::Added);
    }
    let extra = numbered(rec_a(), 30);
    assert_eq!(w.push(&extra, &clock()), Push::Full);
    assert_eq!(w.pending(), 30);
    let p = w.finish(&clock()).unwrap();
    assert_eq!(p.len(), MAX_PDU_V5);
    assert_eq!(p.len(), 1464);
    assert_eq!(be16(p, 2), 30);
    // records in push order: source port at record offset 32
    for i in 0..30 {
        assert_eq!(be16(p, 24 + 48 * i + 32), 1000 + i as u16);
    }
    assert_eq!(w.push(&extra, &clock()), Push::Added);
    let p = w.finish(&clock()).unwrap();
    assert_eq!((be16(p, 2), be32(p, 16), be16(p, 24 + 32)), (1, 30, 1030));
}

#[test]
fn ipv6_not_exportable() {
    let mut w = V5Writer::new(0);
    assert_eq!(w.push(&rec_b(), &clock()), Push::NotExportable);
    assert_eq!(w.pending(), 0);
    assert!(w.finish(&clock()).is_none());
    // and it does not disturb IPv4 flows around it
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    assert_eq!(w.push(&rec_b(), &clock()), Push::NotExportable);
    assert_bytes(w.finish(&clock()).unwrap(), &expected_one_record(0, 0));
}

/// Sums dPkts/dOctets of every record of a PDU, checking each against the source ports.
fn sums(p: &[u8]) -> (u64, u64, usize) {
    let n = be16(p, 2) as usize;
    assert_eq!(p.len(), 24 + 48 * n);
    let (mut pk, mut by) = (0u64, 0u64);
    for i in 0..n {
        pk += u64::from(be32(p, 24 + 48 * i + 16));
        by += u64::from(be32(p, 24 + 48 * i + 20));
    }
    (pk, by, n)
}

#[test]
fn big_counters_split_exactly() {
    let mut r = rec_a();
    r.packets = 10_000_000_000; // needs 3 records (> 2 * u32::MAX)
    r.bytes = 5_000_000_000; // would need 2
    let mut w = V5Writer::new(0);
    assert_eq!(w.push(&r, &clock()), Push::Added);
    let p = w.finish(&clock()).unwrap().to_vec();
    #[rustfmt::skip]
    let pieces: [(u32, u32); 3] = [
        // 10e9 / 3 = 3333333333 r 1; 5e9 / 3 = 1666666666 r 2
        (3_333_333_334, 1_666_666_667),
        (3_333_333_333, 1_666_666_667),
        (3_333_333_333, 1_666_666_666),
    ];
    assert_eq!(be16(&p, 2), 3);
    for (i, (pk, by)) in pieces.iter().enumerate() {
        let o = 24 + 48 * i;
        assert_eq!((be32(&p, o + 16), be32(&p, o + 20)), (*pk, *by));
        // every piece keeps the flow's identity and times
        assert_eq!(p[o..o + 16], expected_one_record(0, 0)[24..40]);
        assert_eq!(p[o + 24..o + 48], expected_one_record(0, 0)[48..72]);
    }
    assert_eq!(sums(&p), (10_000_000_000, 5_000_000_000, 3));
    assert_eq!(w.sequence(), 3, "v5 sequence counts records");
}

#[test]
fn split_at_exact_u32_boundary() {
    let mut r = rec_a();
    r.packets = u64::from(u32::MAX); // fits: one record
    r.bytes = u64::from(u32::MAX) + 1; // does not: two records
    let mut w = V5Writer::new(0);
    assert_eq!(w.push(&r, &clock()), Push::Added);
    let p = w.finish(&clock()).unwrap();
    assert_eq!(sums(p), (u64::from(u32::MAX), u64::from(u32::MAX) + 1, 2));
}

#[test]
fn split_record_continues_in_next_pdu() {
    let mut w = V5Writer::new(0);
    for i in 0..28 {
        assert_eq!(w.push(&numbered(rec_a(), i), &clock()), Push::Added);
    }
    let mut big = rec_a();
    big.packets = 7; // fewer packets than pieces: some pieces carry 0 packets
    big.bytes = u64::from(u32::MAX) * 100 + 7; // 101 pieces, over 5 PDUs
    let (mut pk, mut by, mut recs, mut pdus) = (0u64, 0u64, 0usize, 0);
    loop {
        let res = w.push(&big, &clock());
        let p = w.finish(&clock()).unwrap().to_vec();
        pdus += 1;
        let (a, b, n) = sums(&p);
        pk += a;
        by += b;
        recs += n;
        if res == Push::Added {
            break;
        }
        assert_eq!(res, Push::Full);
        assert_eq!(n, 30);
    }
    assert_eq!(pdus, 5); // pieces per PDU: 2, 30, 30, 30, 9 = 101
    assert_eq!(recs, 28 + 101);
    assert_eq!(pk, 28 * 10 + 7);
    assert_eq!(by, 28 * 1500 + u64::from(u32::MAX) * 100 + 7);
    assert_eq!(w.sequence() as usize, recs);
}

#[test]
fn abandoned_split_is_not_resumed_for_another_flow() {
    let mut w = V5Writer::new(0);
    for i in 0..29 {
        assert_eq!(w.push(&numbered(rec_a(), i), &clock()), Push::Added);
    }
    let mut big = rec_a();
    big.bytes = u64::from(u32::MAX) * 2; // 2 pieces, only 1 fits
    assert_eq!(w.push(&big, &clock()), Push::Full);
    w.finish(&clock()).unwrap();
    // the caller moves on to another flow: it is written whole
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    assert_bytes(w.finish(&clock()).unwrap(), &expected_one_record(30, 0));
}

#[test]
fn interfaces_saturate_and_times_before_boot_clamp() {
    let mut r = rec_a();
    r.key.in_if = 70_000;
    r.out_if = u32::MAX;
    r.first_ms = 5; // before boot
    let mut w = V5Writer::new(0);
    assert_eq!(w.push(&r, &clock()), Push::Added);
    let p = w.finish(&clock()).unwrap();
    assert_eq!((be16(p, 24 + 12), be16(p, 24 + 14)), (0xffff, 0xffff));
    assert_eq!(be32(p, 24 + 24), 0);
}

#[test]
fn sysuptime_wraps_like_the_wire_field() {
    // 50 days up: the 32-bit sysuptime wrapped once; flow times wrap consistently.
    let up = 50 * 86_400_000u64;
    let c = Clock {
        unix_ms: NOW_UNIX_MS,
        uptime_ms: up,
    };
    let mut r = rec_a();
    r.first_ms = NOW_UNIX_MS - 1000;
    r.last_ms = NOW_UNIX_MS;
    let mut w = V5Writer::new(0);
    assert_eq!(w.push(&r, &c), Push::Added);
    let p = w.finish(&c).unwrap();
    let sysup = be32(p, 4);
    assert_eq!(u64::from(sysup), up % (1 << 32));
    assert_eq!(be32(p, 24 + 28), sysup);
    assert_eq!(sysup.wrapping_sub(be32(p, 24 + 24)), 1000);
}

#[test]
fn protocol_numbers_and_dispatch() {
    assert_eq!(Protocol::try_from(5), Ok(Protocol::V5));
    assert_eq!(Protocol::try_from(9), Ok(Protocol::V9));
    assert_eq!(Protocol::try_from(10), Ok(Protocol::Ipfix));
    assert_eq!(Protocol::try_from(7), Err(7));
    for proto in [Protocol::V5, Protocol::V9, Protocol::Ipfix] {
        let mut w = PduWriter::new(proto, 1);
        assert_eq!(w.protocol(), proto);
        assert!(w.finish(&clock()).is_none());
        assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
        assert_eq!(w.pending(), 1);
        let p = w.finish(&clock()).unwrap();
        assert_eq!(be16(p, 0), proto as u16);
        assert_eq!(w.pending(), 0);
    }
    let mut w = PduWriter::new(Protocol::V5, 0);
    assert_eq!(w.push(&rec_b(), &clock()), Push::NotExportable);
}

#[test]
fn extreme_inputs_never_panic() {
    // deterministic pseudo-random records, including all-ones and zero fields
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    let mut next = move || rng.next();
    for proto in [Protocol::V5, Protocol::V9, Protocol::Ipfix] {
        let mut w = PduWriter::new(proto, u32::MAX);
        w.set_template_rates(1, 1);
        for i in 0..2000u32 {
            let pick = |v: u64| match v % 4 {
                0 => 0,
                1 => u64::MAX,
                _ => v,
            };
            let mut r = if next() % 2 == 0 { rec_a() } else { rec_b() };
            r.key.src = (u128::from(next()) << 64 | u128::from(next())).to_be_bytes();
            r.key.in_if = next() as u32;
            r.out_if = next() as u32;
            r.packets = pick(next()) % (1 << 40); // v5: at most 256 pieces
            r.bytes = pick(next()) % (1 << 40);
            r.first_ms = pick(next());
            r.last_ms = pick(next());
            let c = Clock {
                unix_ms: pick(next()),
                uptime_ms: pick(next()),
            };
            let mut tries = 0;
            while w.push(&r, &c) == Push::Full {
                let p = w.finish(&c).expect("a full PDU is never empty");
                assert!(p.len() <= MAX_PDU_V5);
                tries += 1;
                assert!(tries < 20, "record {i} never fits");
            }
            if next() % 7 == 0 {
                if let Some(p) = w.finish(&c) {
                    match proto {
                        Protocol::V5 => assert_eq!(p.len(), 24 + 48 * be16(p, 2) as usize),
                        Protocol::V9 => drop(sets(p, 20)),
                        Protocol::Ipfix => {
                            assert_eq!(be16(p, 2) as usize, p.len());
                            drop(sets(p, 16));
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn header_tells_the_sampler() {
    use crate::flow::sampling::{Mode, Sampler};
    let mut w = V5Writer::new(0);
    let field = |w: &mut V5Writer| {
        assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
        let p = w.finish(&clock()).unwrap();
        u16::from_be_bytes([p[22], p[23]])
    };
    assert_eq!(field(&mut w), 0);
    w.set_sampler(Sampler::new(Mode::Deterministic, 10));
    assert_eq!(field(&mut w), 1 << 14 | 10);
    // Hash sampling is told as random, as C does.
    w.set_sampler(Sampler::new(Mode::Hash, 16383));
    assert_eq!(field(&mut w), 2 << 14 | 16383);
    w.set_sampler(None);
    assert_eq!(field(&mut w), 0);
}
