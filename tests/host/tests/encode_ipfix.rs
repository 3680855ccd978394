// SPDX-License-Identifier: GPL-2.0

//! IPFIX encoder: exact bytes, sequence, template refresh, full messages, family switch.

use super::encode_util::*;
use crate::export::ipfix::IpfixWriter;
use crate::export::pdu::{Clock, Push, MAX_TEMPLATED_PDU};

/// IPFIX message header with the fixture clock.
#[rustfmt::skip]
fn header(len: u16, seq: u32, domain: u32) -> Vec<u8> {
    let (l, s, d) = (len.to_be_bytes(), seq.to_be_bytes(), domain.to_be_bytes());
    vec![
        0x00, 0x0a,             // version 10
        l[0], l[1],             // message length
        0x65, 0x53, 0xf1, 0x00, // export time 1700000000
        s[0], s[1], s[2], s[3], // sequence: data records sent before
        d[0], d[1], d[2], d[3], // observation domain
    ]
}

/// The template set: templates 256 (IPv4) and 257 (IPv6), 148 bytes.
#[rustfmt::skip]
fn template_set() -> Vec<u8> {
    vec![
        0x00, 0x02, 0x00, 0x94, // set 2 (templates), length 148
        0x01, 0x00, 0x00, 0x11, // template 256, 17 fields
        0x00, 0x01, 0x00, 0x08, // octetDeltaCount 8
        0x00, 0x02, 0x00, 0x08, // packetDeltaCount 8
        0x00, 0x98, 0x00, 0x08, // flowStartMilliseconds 8
        0x00, 0x99, 0x00, 0x08, // flowEndMilliseconds 8
        0x00, 0x08, 0x00, 0x04, // sourceIPv4Address 4
        0x00, 0x0c, 0x00, 0x04, // destinationIPv4Address 4
        0x00, 0x0a, 0x00, 0x04, // ingressInterface 4
        0x00, 0x0e, 0x00, 0x04, // egressInterface 4
        0x00, 0x07, 0x00, 0x02, // sourceTransportPort 2
        0x00, 0x0b, 0x00, 0x02, // destinationTransportPort 2
        0x00, 0x20, 0x00, 0x02, // icmpTypeCodeIPv4 2
        0x00, 0x06, 0x00, 0x02, // tcpControlBits 2
        0x00, 0x04, 0x00, 0x01, // protocolIdentifier 1
        0x00, 0x05, 0x00, 0x01, // ipClassOfService 1
        0x00, 0x09, 0x00, 0x01, // sourceIPv4PrefixLength 1
        0x00, 0x0d, 0x00, 0x01, // destinationIPv4PrefixLength 1
        0x00, 0x88, 0x00, 0x01, // flowEndReason 1
        0x01, 0x01, 0x00, 0x11, // template 257, 17 fields
        0x00, 0x01, 0x00, 0x08, // octetDeltaCount 8
        0x00, 0x02, 0x00, 0x08, // packetDeltaCount 8
        0x00, 0x98, 0x00, 0x08, // flowStartMilliseconds 8
        0x00, 0x99, 0x00, 0x08, // flowEndMilliseconds 8
        0x00, 0x1b, 0x00, 0x10, // sourceIPv6Address 16
        0x00, 0x1c, 0x00, 0x10, // destinationIPv6Address 16
        0x00, 0x0a, 0x00, 0x04, // ingressInterface 4
        0x00, 0x0e, 0x00, 0x04, // egressInterface 4
        0x00, 0x07, 0x00, 0x02, // sourceTransportPort 2
        0x00, 0x0b, 0x00, 0x02, // destinationTransportPort 2
        0x00, 0x8b, 0x00, 0x02, // icmpTypeCodeIPv6 2
        0x00, 0x06, 0x00, 0x02, // tcpControlBits 2
        0x00, 0x04, 0x00, 0x01, // protocolIdentifier 1
        0x00, 0x05, 0x00, 0x01, // ipClassOfService 1
        0x00, 0x1d, 0x00, 0x01, // sourceIPv6PrefixLength 1
        0x00, 0x1e, 0x00, 0x01, // destinationIPv6PrefixLength 1
        0x00, 0x88, 0x00, 0x01, // flowEndReason 1
    ]
}

/// Record A as an IPFIX template-256 record (61 bytes).
#[rustfmt::skip]
fn record_a() -> Vec<u8> {
    vec![
        0, 0, 0, 0, 0, 0, 0x05, 0xdc,                   // octetDeltaCount 1500
        0, 0, 0, 0, 0, 0, 0x00, 0x0a,                   // packetDeltaCount 10
        0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x42, 0xe4, // start 1699999990500 ms
        0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x56, 0x6c, // end 1699999995500 ms
        10, 0, 0, 1,                                    // sourceIPv4Address
        192, 168, 1, 2,                                 // destinationIPv4Address
        0x00, 0x00, 0x00, 0x03,                         // ingressInterface 3
        0x00, 0x00, 0x00, 0x04,                         // egressInterface 4
        0x30, 0x39,                                     // sourceTransportPort 12345
        0x00, 0x50,                                     // destinationTransportPort 80
        0x00, 0x00,                                     // icmpTypeCodeIPv4 (not ICMP)
        0x00, 0x1b,                                     // tcpControlBits FIN SYN RST ACK
        0x06,                                           // protocolIdentifier TCP
        0x10,                                           // ipClassOfService
        24,                                             // source prefix length
        16,                                             // destination prefix length
        0x01,                                           // flowEndReason idle timeout
    ]
}

/// Record B as an IPFIX template-257 record (85 bytes).
#[rustfmt::skip]
fn record_b() -> Vec<u8> {
    vec![
        0, 0, 0, 0, 0, 0, 0x00, 0xc8,                   // octetDeltaCount 200
        0, 0, 0, 0, 0, 0, 0x00, 0x02,                   // packetDeltaCount 2
        0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x66, 0x0c, // start 1699999999500 ms
        0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, // end 1700000000000 ms
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // 2001:db8::1
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, // 2001:db8::2
        0x00, 0x00, 0x00, 0x07,                         // ingressInterface 7
        0x00, 0x00, 0x00, 0x00,                         // egressInterface 0
        0x00, 0x35,                                     // sourceTransportPort 53
        0x9c, 0x40,                                     // destinationTransportPort 40000
        0x00, 0x00,                                     // icmpTypeCodeIPv6 (not ICMPv6)
        0x00, 0x00,                                     // tcpControlBits
        0x11,                                           // protocolIdentifier UDP
        0x00,                                           // ipClassOfService
        64,                                             // source prefix length
        48,                                             // destination prefix length
        0x04,                                           // flowEndReason forced end
    ]
}

#[test]
fn first_message_exact_bytes() {
    let mut w = IpfixWriter::new(0x0102_0304);
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    assert_eq!(w.push(&rec_b(), &clock()), Push::Added);
    let mut want = header(324, 0, 0x0102_0304);
    want.extend(template_set());
    want.extend([0x01, 0x00, 0x00, 0x44]); // data set 256, length 68
    want.extend(record_a());
    want.extend([0, 0, 0]); // padding to 4 bytes
    want.extend([0x01, 0x01, 0x00, 0x5c]); // data set 257, length 92
    want.extend(record_b());
    want.extend([0, 0, 0]); // padding
    assert_eq!(want.len(), 324);
    assert_bytes(w.finish(&clock()).unwrap(), &want);
    assert!(w.finish(&clock()).is_none());
}

#[test]
fn second_message_exact_bytes() {
    let mut w = IpfixWriter::new(9);
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    assert_eq!(w.push(&rec_b(), &clock()), Push::Added);
    w.finish(&clock()).unwrap();
    assert_eq!(w.push(&rec_b(), &clock()), Push::Added);
    let mut want = header(16 + 92, 2, 9); // two data records sent before
    want.extend([0x01, 0x01, 0x00, 0x5c]);
    want.extend(record_b());
    want.extend([0, 0, 0]);
    assert_bytes(w.finish(&clock()).unwrap(), &want);
    assert_eq!(w.sequence(), 3);
}

#[test]
fn sequence_counts_data_records_only() {
    let mut w = IpfixWriter::new(0);
    w.set_template_rates(2, 0);
    let mut seqs = Vec::new();
    for n in 1..=5u16 {
        for i in 0..n {
            assert_eq!(w.push(&numbered(rec_a(), i), &clock()), Push::Added);
        }
        let p = w.finish(&clock()).unwrap();
        assert_eq!(be16(p, 2) as usize, p.len(), "length field");
        seqs.push(be32(p, 8));
    }
    assert_eq!(seqs, [0, 1, 3, 6, 10]);
    assert_eq!(w.sequence(), 15);
}

fn one_msg(w: &mut IpfixWriter, c: &Clock) -> bool {
    assert_eq!(w.push(&rec_b(), c), Push::Added);
    let s = sets(w.finish(c).unwrap(), 16);
    assert!(s.iter().skip(1).all(|&(id, _)| id >= 256));
    s[0].0 == 2
}

#[test]
fn template_refresh_by_count_and_time() {
    let mut w = IpfixWriter::new(0);
    w.set_template_rates(4, 0);
    let got: Vec<bool> = (0..9).map(|_| one_msg(&mut w, &clock())).collect();
    assert_eq!(
        got,
        [true, false, false, false, true, false, false, false, true]
    );

    let mut w = IpfixWriter::new(0);
    w.set_template_rates(0, 30);
    assert!(one_msg(&mut w, &clock()));
    assert!(!one_msg(&mut w, &clock_plus(30 * 60_000 - 1)));
    assert!(one_msg(&mut w, &clock_plus(30 * 60_000)));

    // both triggers: whichever comes first
    let mut w = IpfixWriter::new(0);
    w.set_template_rates(3, 1);
    assert!(one_msg(&mut w, &clock()));
    assert!(!one_msg(&mut w, &clock()));
    assert!(one_msg(&mut w, &clock_plus(60_000)));
    assert!(!one_msg(&mut w, &clock_plus(60_001)));
    assert!(!one_msg(&mut w, &clock_plus(60_002)));
    assert!(one_msg(&mut w, &clock_plus(60_003)));
}

#[test]
fn wall_clock_jump_does_not_trigger_refresh() {
    let mut w = IpfixWriter::new(0);
    w.set_template_rates(0, 1);
    assert!(one_msg(&mut w, &clock()));
    // settimeofday forward a day, uptime barely moved: timeout-rate follows uptime
    let c = Clock {
        unix_ms: NOW_UNIX_MS + 86_400_000,
        uptime_ms: NOW_UPTIME_MS + 10,
    };
    assert!(!one_msg(&mut w, &c));
}

#[test]
fn full_message_and_family_switch() {
    let mut w = IpfixWriter::new(0);
    let mut n = 0u16;
    loop {
        let r = if n.is_multiple_of(2) {
            rec_a()
        } else {
            rec_b()
        };
        if w.push(&numbered(r, n), &clock()) != Push::Added {
            break;
        }
        n += 1;
    }
    // 16 + 148, then alternating sets of 68 (v4) and 92 (v6) bytes: 164 + 7 * 160 + 68 =
    // 1352; the next IPv6 set (92) would reach 1444 > 1400
    assert_eq!(n, 15);
    let p = w.finish(&clock()).unwrap();
    assert_eq!(p.len(), 1352);
    assert!(p.len() <= MAX_TEMPLATED_PDU);
    let s = sets(p, 16);
    assert_eq!(s.len(), 16);
    assert_eq!(s[0], (2, 148));
    for (i, set) in s[1..].iter().enumerate() {
        assert_eq!(
            *set,
            if i.is_multiple_of(2) {
                (256, 68)
            } else {
                (257, 92)
            }
        );
    }
    assert_eq!(be32(p, 8), 0);
    // the refused (IPv6) record opens the next message
    assert_eq!(w.push(&numbered(rec_b(), n), &clock()), Push::Added);
    let p = w.finish(&clock()).unwrap();
    assert_eq!(be32(p, 8), 15);
    assert_eq!(sets(p, 16), [(257, 92)]);
}

#[test]
fn many_small_records_fill_one_set() {
    let mut w = IpfixWriter::new(0);
    let mut n = 0;
    while w.push(&rec_a(), &clock()) == Push::Added {
        n += 1;
    }
    // 16 + 148 + 4 + n * 61 <= 1400 → n = 20 (1388, already aligned)
    assert_eq!(n, 20);
    let p = w.finish(&clock()).unwrap();
    assert_eq!(p.len(), 1388);
    assert_eq!(sets(p, 16), [(2, 148), (256, 1224)]);
}

#[test]
fn icmp_type_code_in_destination_port() {
    let mut w = IpfixWriter::new(0);
    assert_eq!(w.push(&rec_icmp(), &clock()), Push::Added);
    let p = w.finish(&clock()).unwrap();
    let rec = 16 + 148 + 4;
    // after 48 bytes of counters, times, addresses and interfaces: ports, icmpTypeCodeIPv4
    let ports = (be16(p, rec + 48), be16(p, rec + 50), be16(p, rec + 52));
    assert_eq!(ports, (0, 0x0800, 0x0800));
    assert_eq!(p[rec + 56], 1, "protocolIdentifier after tcpControlBits");
}
