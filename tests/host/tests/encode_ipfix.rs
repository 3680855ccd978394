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

/// Record A's template (IPv4, ports, prefix lengths): 18 fields.
#[rustfmt::skip]
const FIELDS_A: [(u16, u16); 18] = [
    (1, 8), (2, 8), (152, 8), (153, 8), // octets, packets, flowStart/EndMilliseconds
    (8, 4), (12, 4), (15, 4), (60, 1),  // addresses, ipNextHopIPv4Address, ipVersion
    (10, 4), (14, 4),                   // ingress/egressInterface
    (7, 2), (11, 2), (6, 2),            // ports, tcpControlBits (RFC 7125: 2 bytes)
    (4, 1), (5, 1), (9, 1), (13, 1),    // protocol, class of service, prefix lengths
    (136, 1),                           // flowEndReason
];

/// Record B's template (IPv6, ports, prefix lengths): 18 fields.
#[rustfmt::skip]
const FIELDS_B: [(u16, u16); 18] = [
    (1, 8), (2, 8), (152, 8), (153, 8),
    (27, 16), (28, 16), (62, 16), (60, 1),
    (10, 4), (14, 4),
    (7, 2), (11, 2), (6, 2),
    (4, 1), (5, 1), (29, 1), (30, 1),
    (136, 1),
];

/// A template set (ID 2) holding one template.
fn template_set(id: u16, fields: &[(u16, u16)]) -> Vec<u8> {
    one_template_set(2, id, fields)
}

/// Record A as a record of its template (64 bytes).
#[rustfmt::skip]
fn record_a() -> Vec<u8> {
    let first = (BOOT_MS + 90_000).to_be_bytes();
    let last = (BOOT_MS + 95_000).to_be_bytes();
    let mut v = vec![
        0, 0, 0, 0, 0, 0, 0x05, 0xdc, // octetDeltaCount 1500
        0, 0, 0, 0, 0, 0, 0x00, 0x0a, // packetDeltaCount 10
    ];
    v.extend(first);
    v.extend(last);
    v.extend([
        10, 0, 0, 1,                  // sourceIPv4Address
        192, 168, 1, 2,               // destinationIPv4Address
        10, 0, 0, 254,                // ipNextHopIPv4Address
        4,                            // ipVersion
        0x00, 0x00, 0x00, 0x03,       // ingressInterface 3
        0x00, 0x00, 0x00, 0x04,       // egressInterface 4
        0x30, 0x39,                   // sourceTransportPort 12345
        0x00, 0x50,                   // destinationTransportPort 80
        0x00, 0x1b,                   // tcpControlBits
        0x06,                         // protocolIdentifier
        0x10,                         // ipClassOfService
        24, 16,                       // prefix lengths
        0x01,                         // flowEndReason idle timeout
    ]);
    v
}

/// Record B as a record of its template (100 bytes).
#[rustfmt::skip]
fn record_b() -> Vec<u8> {
    let mut v = vec![
        0, 0, 0, 0, 0, 0, 0x00, 0xc8, // octetDeltaCount 200
        0, 0, 0, 0, 0, 0, 0x00, 0x02, // packetDeltaCount 2
    ];
    v.extend((BOOT_MS + 99_000).to_be_bytes());
    v.extend((BOOT_MS + 99_500).to_be_bytes());
    v.extend([
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // sourceIPv6Address
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, // destinationIPv6Address
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,             // ipNextHopIPv6Address
        6,                                                          // ipVersion
        0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00,             // interfaces 7, 0
        0x00, 0x35, 0x9c, 0x40,                                     // ports 53, 40000
        0x00, 0x00,                                                 // tcpControlBits
        0x11, 0x00,                                                 // UDP, class 0
        64, 48,                                                     // prefix lengths
        0x04,                                                       // flowEndReason forced end
    ]);
    v
}

#[test]
fn first_message_exact_bytes() {
    let mut w = IpfixWriter::new(0x0102_0304);
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    assert_eq!(w.push(&rec_b(), &clock()), Push::Added);
    let total = 16 + 80 + 68 + 80 + 104;
    let mut want = header(total, 0, 0x0102_0304);
    want.extend(template_set(256, &FIELDS_A));
    want.extend([0x01, 0x00, 0x00, 0x44]); // data set 256, length 68
    want.extend(record_a());
    want.extend(template_set(257, &FIELDS_B));
    want.extend([0x01, 0x01, 0x00, 0x68]); // data set 257, length 104
    want.extend(record_b());
    assert_eq!(want.len(), total as usize);
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
    let mut want = header(16 + 104, 2, 9); // two data records sent before
    want.extend([0x01, 0x01, 0x00, 0x68]);
    want.extend(record_b());
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
    sets(w.finish(c).unwrap(), 16)
        .iter()
        .any(|&(id, _)| id == 2)
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
fn full_message_and_template_switch() {
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
    // 16, both templates (80 each) before their first sets, then alternating sets of 68
    // (v4) and 104 (v6) bytes: 16 + 80 + 68 + 80 + 104 + 5 * 172 + 68 = 1276; the next
    // IPv6 set (104) would reach 1380, the IPv4 one after it 1448 > 1400
    assert_eq!(n, 14);
    let p = w.finish(&clock()).unwrap();
    assert_eq!(p.len(), 1380);
    assert!(p.len() <= MAX_TEMPLATED_PDU);
    let s = sets(p, 16);
    assert_eq!(s[..4], [(2, 80), (256, 68), (2, 80), (257, 104)]);
    for (i, set) in s[4..].iter().enumerate() {
        assert_eq!(
            *set,
            if i.is_multiple_of(2) {
                (256, 68)
            } else {
                (257, 104)
            }
        );
    }
    assert_eq!(be32(p, 8), 0);
    // the refused (IPv4) record opens the next message
    assert_eq!(w.push(&numbered(rec_a(), n), &clock()), Push::Added);
    let p = w.finish(&clock()).unwrap();
    assert_eq!(be32(p, 8), 14);
    assert_eq!(sets(p, 16), [(256, 68)]);
}

#[test]
fn many_small_records_fill_one_set() {
    let mut w = IpfixWriter::new(0);
    let mut n = 0;
    while w.push(&rec_a(), &clock()) == Push::Added {
        n += 1;
    }
    // 16 + 80 + 4 + n * 64 <= 1400 → n = 20 (1380)
    assert_eq!(n, 20);
    let p = w.finish(&clock()).unwrap();
    assert_eq!(p.len(), 1380);
    assert_eq!(sets(p, 16), [(2, 80), (256, 1284)]);
}

#[test]
fn icmp_and_ipv6_fields() {
    let mut w = IpfixWriter::new(0);
    let mut icmp6 = rec_b();
    icmp6.key.protocol = 58;
    icmp6.key.src_port = 0;
    icmp6.key.dst_port = 0x8000;
    icmp6.attrs.flow_label = 0x12345;
    icmp6.src_mask = 0;
    icmp6.dst_mask = 0;
    for r in [rec_icmp(), icmp6] {
        assert_eq!(w.push(&r, &clock()), Push::Added);
    }
    let d = decode(w.finish(&clock()).unwrap(), 16, 2, &mut Default::default());
    let (v4, v6) = (&d.records[0].1, &d.records[1].1);
    assert_eq!(
        ids(v4),
        [1, 2, 152, 153, 8, 12, 15, 60, 10, 14, 32, 4, 5, 136]
    );
    assert_eq!(num(v4, 32), 0x0800, "icmpTypeCodeIPv4");
    assert_eq!(
        ids(v6),
        [1, 2, 152, 153, 27, 28, 62, 60, 10, 14, 139, 4, 5, 31, 136]
    );
    assert_eq!(num(v6, 139), 0x8000, "icmpTypeCodeIPv6");
    assert_eq!(num(v6, 31), 0x12345, "flowLabelIPv6");
    assert_eq!(num(v6, 60), 6);
}
