// SPDX-License-Identifier: GPL-2.0

//! NetFlow v9 encoder: exact bytes, sequence, per-flow templates and their refresh, full
//! PDUs, template switches.

use super::encode_util::*;
use crate::export::pdu::{Push, MAX_TEMPLATED_PDU};
use crate::export::v9::V9Writer;
use std::collections::BTreeMap;

/// v9 header with the fixture clock.
#[rustfmt::skip]
fn header(count: u16, seq: u32, source_id: u32) -> Vec<u8> {
    let (c, s, d) = (count.to_be_bytes(), seq.to_be_bytes(), source_id.to_be_bytes());
    vec![
        0x00, 0x09,             // version 9
        c[0], c[1],             // count (templates + data records)
        0x00, 0x01, 0x84, 0xac, // sysuptime 99500 ms: at the whole second of unix_secs
        0x65, 0x53, 0xf1, 0x00, // unix_secs 1700000000
        s[0], s[1], s[2], s[3], // package sequence
        d[0], d[1], d[2], d[3], // source id
    ]
}

/// Record A's template (IPv4, ports, prefix lengths): 17 fields.
#[rustfmt::skip]
const FIELDS_A: [(u16, u16); 17] = [
    (1, 8), (2, 8), (22, 4), (21, 4), // IN_BYTES IN_PKTS FIRST_SWITCHED LAST_SWITCHED
    (8, 4), (12, 4), (15, 4), (60, 1), // IPV4_SRC_ADDR IPV4_DST_ADDR IPV4_NEXT_HOP IP_PROTOCOL_VERSION
    (10, 4), (14, 4),                  // INPUT_SNMP OUTPUT_SNMP
    (7, 2), (11, 2), (6, 1),           // L4_SRC_PORT L4_DST_PORT TCP_FLAGS
    (4, 1), (5, 1), (9, 1), (13, 1),   // PROTOCOL SRC_TOS SRC_MASK DST_MASK
];

/// Record B's template (IPv6, ports, prefix lengths): 17 fields.
#[rustfmt::skip]
const FIELDS_B: [(u16, u16); 17] = [
    (1, 8), (2, 8), (22, 4), (21, 4),
    (27, 16), (28, 16), (62, 16), (60, 1), // IPV6_SRC_ADDR IPV6_DST_ADDR IPV6_NEXT_HOP IP_PROTOCOL_VERSION
    (10, 4), (14, 4),
    (7, 2), (11, 2), (6, 1),
    (4, 1), (5, 1), (29, 1), (30, 1),      // PROTOCOL SRC_TOS IPV6_SRC_MASK IPV6_DST_MASK
];

/// A template flowset (ID 0) holding one template.
fn template_flowset(id: u16, fields: &[(u16, u16)]) -> Vec<u8> {
    one_template_set(0, id, fields)
}

/// Record A as a record of its template (54 bytes).
#[rustfmt::skip]
fn record_a() -> Vec<u8> {
    vec![
        0, 0, 0, 0, 0, 0, 0x05, 0xdc, // IN_BYTES 1500
        0, 0, 0, 0, 0, 0, 0x00, 0x0a, // IN_PKTS 10
        0x00, 0x01, 0x5f, 0x90,       // FIRST_SWITCHED 90000
        0x00, 0x01, 0x73, 0x18,       // LAST_SWITCHED 95000
        10, 0, 0, 1,                  // IPV4_SRC_ADDR
        192, 168, 1, 2,               // IPV4_DST_ADDR
        10, 0, 0, 254,                // IPV4_NEXT_HOP
        4,                            // IP_PROTOCOL_VERSION
        0x00, 0x00, 0x00, 0x03,       // INPUT_SNMP 3
        0x00, 0x00, 0x00, 0x04,       // OUTPUT_SNMP 4
        0x30, 0x39,                   // L4_SRC_PORT 12345
        0x00, 0x50,                   // L4_DST_PORT 80
        0x1b,                         // TCP_FLAGS
        0x06,                         // PROTOCOL TCP
        0x10,                         // SRC_TOS
        24,                           // SRC_MASK
        16,                           // DST_MASK
    ]
}

/// Record B as a record of its template (90 bytes).
#[rustfmt::skip]
fn record_b() -> Vec<u8> {
    vec![
        0, 0, 0, 0, 0, 0, 0x00, 0xc8, // IN_BYTES 200
        0, 0, 0, 0, 0, 0, 0x00, 0x02, // IN_PKTS 2
        0x00, 0x01, 0x82, 0xb8,       // FIRST_SWITCHED 99000
        0x00, 0x01, 0x84, 0xac,       // LAST_SWITCHED 99500
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // IPV6_SRC_ADDR 2001:db8::1
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, // IPV6_DST_ADDR 2001:db8::2
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // IPV6_NEXT_HOP (on-link)
        6,                            // IP_PROTOCOL_VERSION
        0x00, 0x00, 0x00, 0x07,       // INPUT_SNMP 7
        0x00, 0x00, 0x00, 0x00,       // OUTPUT_SNMP 0
        0x00, 0x35,                   // L4_SRC_PORT 53
        0x9c, 0x40,                   // L4_DST_PORT 40000
        0x00,                         // TCP_FLAGS
        0x11,                         // PROTOCOL UDP
        0x00,                         // SRC_TOS
        64,                           // IPV6_SRC_MASK
        48,                           // IPV6_DST_MASK
    ]
}

#[test]
fn first_pdu_exact_bytes() {
    let mut w = V9Writer::new(0xdead_beef);
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    assert_eq!(w.push(&rec_b(), &clock()), Push::Added);
    assert_eq!(w.pending(), 2);
    let mut want = header(4, 0, 0xdead_beef); // 2 templates + 2 data records
    want.extend(template_flowset(256, &FIELDS_A));
    want.extend([0x01, 0x00, 0x00, 0x3c]); // data flowset 256, length 60
    want.extend(record_a());
    want.extend([0, 0]); // padding to 4 bytes
    want.extend(template_flowset(257, &FIELDS_B));
    want.extend([0x01, 0x01, 0x00, 0x60]); // data flowset 257, length 96
    want.extend(record_b());
    want.extend([0, 0]); // padding
    assert_eq!(want.len(), 20 + 76 + 60 + 76 + 96);
    assert_bytes(w.finish(&clock()).unwrap(), &want);
    assert!(w.finish(&clock()).is_none());
    assert_eq!(w.template_counts(), (2, 2));
}

#[test]
fn second_pdu_has_no_templates() {
    let mut w = V9Writer::new(1);
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    w.finish(&clock()).unwrap();
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    let mut want = header(1, 1, 1);
    want.extend([0x01, 0x00, 0x00, 0x3c]);
    want.extend(record_a());
    want.extend([0, 0]);
    assert_bytes(w.finish(&clock()).unwrap(), &want);
}

#[test]
fn sequence_counts_packets_and_count_includes_templates() {
    let mut w = V9Writer::new(0);
    w.set_template_rates(2, 0);
    let mut seen = Vec::new();
    for n in 0..5u16 {
        for i in 0..=n {
            assert_eq!(w.push(&numbered(rec_a(), i), &clock()), Push::Added);
        }
        let p = w.finish(&clock()).unwrap();
        seen.push((be32(p, 12), be16(p, 2)));
    }
    // the template (1 record) in PDUs 0, 2, 4
    assert_eq!(seen, [(0, 2), (1, 2), (2, 4), (3, 4), (4, 6)]);
    assert_eq!(w.sequence(), 5);
}

fn has_templates(p: &[u8]) -> bool {
    sets(p, 20).iter().any(|&(id, _)| id == 0)
}

fn one_pdu(w: &mut V9Writer, c: &crate::export::pdu::Clock) -> bool {
    assert_eq!(w.push(&rec_a(), c), Push::Added);
    has_templates(w.finish(c).unwrap())
}

#[test]
fn template_refresh_by_count() {
    let mut w = V9Writer::new(0);
    w.set_template_rates(3, 0);
    let got: Vec<bool> = (0..8).map(|_| one_pdu(&mut w, &clock())).collect();
    assert_eq!(got, [true, false, false, true, false, false, true, false]);
    w.set_template_rates(1, 0);
    assert!(one_pdu(&mut w, &clock()) && one_pdu(&mut w, &clock()));
}

#[test]
fn template_refresh_by_time() {
    let mut w = V9Writer::new(0);
    w.set_template_rates(0, 1);
    assert!(one_pdu(&mut w, &clock()));
    assert!(!one_pdu(&mut w, &clock_plus(59_999)));
    assert!(one_pdu(&mut w, &clock_plus(60_000)));
    assert!(!one_pdu(&mut w, &clock_plus(100_000)));
    assert!(one_pdu(&mut w, &clock_plus(120_000)));
}

#[test]
fn template_refresh_disabled_and_forced() {
    let mut w = V9Writer::new(0);
    w.set_template_rates(0, 0);
    assert!(
        one_pdu(&mut w, &clock()),
        "first PDU always carries templates"
    );
    for i in 1..50u64 {
        assert!(!one_pdu(&mut w, &clock_plus(i * 3_600_000)));
    }
    w.resend_templates();
    assert!(one_pdu(&mut w, &clock()));
    assert!(!one_pdu(&mut w, &clock()));
}

#[test]
fn refresh_announces_each_template_before_its_next_record() {
    let mut w = V9Writer::new(0);
    w.set_template_rates(2, 0);
    let mut known = BTreeMap::new();
    // PDU 0 defines A's template, PDU 1 defines B's mid-way (no refresh due).
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    let d = decode(w.finish(&clock()).unwrap(), 20, 0, &mut known);
    assert_eq!(d.templates.len(), 1);
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    assert_eq!(w.push(&rec_b(), &clock()), Push::Added);
    let p = w.finish(&clock()).unwrap();
    assert_eq!(
        sets(p, 20).iter().map(|s| s.0).collect::<Vec<_>>(),
        [256, 0, 257]
    );
    let d = decode(p, 20, 0, &mut known);
    assert_eq!(d.records.len(), 2);
    // PDU 2 is due: both templates again, each just before its first record.
    assert_eq!(w.push(&rec_b(), &clock()), Push::Added);
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    assert_eq!(w.push(&rec_b(), &clock()), Push::Added);
    let p = w.finish(&clock()).unwrap();
    assert_eq!(
        sets(p, 20).iter().map(|s| s.0).collect::<Vec<_>>(),
        [0, 257, 0, 256, 257]
    );
    assert_eq!(be16(p, 2), 5);
    assert_eq!(w.template_counts(), (2, 2));
}

#[test]
fn full_pdu() {
    let mut w = V9Writer::new(0);
    let mut n = 0u16;
    while w.push(&numbered(rec_a(), n), &clock()) == Push::Added {
        n += 1;
    }
    // 20 header + 76 template + 4 set header + 24 * 54 = 1396; 25 won't fit
    assert_eq!(n, 24);
    let p = w.finish(&clock()).unwrap();
    assert_eq!(p.len(), 1396);
    assert_eq!(sets(p, 20), [(0, 76), (256, 1300)]);
    assert_eq!(be16(p, 2), 25);
    // the refused record goes first into the next PDU, which has room for 25
    let mut m = 0u16;
    while w.push(&numbered(rec_a(), n + m), &clock()) == Push::Added {
        m += 1;
    }
    assert_eq!(m, 25);
    let p = w.finish(&clock()).unwrap();
    assert!(p.len() <= MAX_TEMPLATED_PDU);
    assert_eq!(p.len(), 20 + 4 + 25 * 54 + 2); // 1374 padded to 1376
    let d = decode(p, 20, 0, &mut [(256, FIELDS_A.to_vec())].into());
    assert_eq!(
        num(&d.records[0].1, 7),
        1000 + 24,
        "first record is the refused one"
    );
}

#[test]
fn ipv6_fills_to_limit() {
    let mut w = V9Writer::new(0);
    let mut n = 0;
    while w.push(&rec_b(), &clock()) == Push::Added {
        n += 1;
    }
    // 20 + 76 + 4 + n * 90 <= 1400 → n = 14
    assert_eq!(n, 14);
    let p = w.finish(&clock()).unwrap();
    assert!(p.len() <= MAX_TEMPLATED_PDU);
    assert_eq!(
        sets(p, 20),
        [(0, 76), (256, 1264)],
        "IDs are given on first use"
    );
}

#[test]
fn template_switch_opens_new_sets() {
    let mut w = V9Writer::new(0);
    for r in [rec_a(), rec_a(), rec_b(), rec_a(), rec_b(), rec_b()] {
        assert_eq!(w.push(&r, &clock()), Push::Added);
    }
    let p = w.finish(&clock()).unwrap();
    // 4 + 2*54 = 112; 4 + 90 = 94 → 96; 4 + 54 = 58 → 60; 4 + 2*90 = 184
    assert_eq!(
        sets(p, 20),
        [
            (0, 76),
            (256, 112),
            (0, 76),
            (257, 96),
            (256, 60),
            (257, 184)
        ]
    );
    assert_eq!(be16(p, 2), 8);
    // record B, byte for byte, followed by zero padding
    let off = 20 + 76 + 112 + 76 + 4;
    assert_eq!(p[off..off + 90], record_b()[..]);
    assert_eq!(p[off + 90..off + 92], [0, 0]);
}

#[test]
fn padding_is_zero_after_buffer_reuse() {
    let mut w = V9Writer::new(0);
    // dirty the buffer with non-zero bytes everywhere a later PDU puts padding
    for i in 0..24 {
        let mut r = numbered(rec_a(), i);
        r.bytes = u64::MAX;
        assert_eq!(w.push(&r, &clock()), Push::Added);
    }
    w.finish(&clock()).unwrap();
    assert_eq!(w.push(&rec_b(), &clock()), Push::Added);
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    let p = w.finish(&clock()).unwrap();
    assert_eq!(sets(p, 20), [(0, 76), (257, 96), (256, 60)]);
    let mut known = [(256, FIELDS_A.to_vec())].into();
    decode(p, 20, 0, &mut known); // checks the padding is zero
}

#[test]
fn fields_follow_the_flow() {
    let mut w = V9Writer::new(0);
    let mut icmp = rec_icmp();
    icmp.next_hop = [0; 16];
    let mut igmp = rec_icmp();
    igmp.key.protocol = 2;
    igmp.key.dst_port = 0x16;
    let mut esp = rec_icmp();
    esp.key.protocol = 50;
    (esp.key.src_port, esp.key.dst_port) = (0x1234, 0x5678);
    let mut opts = rec_a();
    opts.attrs.ip_options = 0x8000_0000;
    opts.attrs.tcp_options = 0x2000_0000_0000_0000;
    let mut label = rec_b();
    label.attrs.flow_label = 0xabcde;
    label.attrs.ip_options = 0x0400_0000;
    let mut known = BTreeMap::new();
    let mut d = Decoded::default();
    for r in [&icmp, &igmp, &esp, &opts, &label] {
        assert_eq!(w.push(r, &clock()), Push::Added);
    }
    let got = decode(w.finish(&clock()).unwrap(), 20, 0, &mut known);
    d.records.extend(got.records);
    assert_eq!(got.templates.len(), 5, "one template per shape");
    let [icmp_r, igmp_r, esp_r, opts_r, label_r] = [0, 1, 2, 3, 4].map(|i| &d.records[i].1);
    // ICMP: no ports, type/code in ICMP_TYPE; no prefix lengths
    assert_eq!(ids(icmp_r), [1, 2, 22, 21, 8, 12, 15, 60, 10, 14, 32, 4, 5]);
    assert_eq!(num(icmp_r, 32), 0x0800);
    assert_eq!(num(icmp_r, 15), 0);
    assert_eq!(num(igmp_r, 33), 0x16);
    assert_eq!(num(esp_r, 295), 0x1234_5678);
    assert_eq!(num(opts_r, 208), 0x8000_0000);
    assert_eq!(num(opts_r, 209), 0x2000_0000_0000_0000);
    assert_eq!(bytes(opts_r, 15), [10, 0, 0, 254]);
    assert_eq!(num(label_r, 31), 0xabcde);
    assert_eq!(num(label_r, 64), 0x0400_0000);
    assert_eq!(num(label_r, 60), 6);
    assert_eq!(w.template_counts(), (5, 5));
}

#[test]
fn icmp_type_field_and_header_uptime() {
    let mut w = V9Writer::new(0);
    assert_eq!(w.push(&rec_icmp(), &clock()), Push::Added);
    let p = w.finish(&clock()).unwrap();
    let d = decode(p, 20, 0, &mut BTreeMap::new());
    let rec = &d.records[0].1;
    assert_eq!(num(rec, 32), 0x0800);
    // header sysuptime is taken at unix_secs' whole second: boot = secs * 1000 - sysuptime
    let boot = u64::from(be32(p, 8)) * 1000 - u64::from(be32(p, 4));
    assert_eq!(boot, BOOT_MS);
    assert_eq!(boot + num(rec, 22), rec_icmp().first_ms);
}
