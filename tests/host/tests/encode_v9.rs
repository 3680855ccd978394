// SPDX-License-Identifier: GPL-2.0

//! NetFlow v9 encoder: exact bytes, sequence, template refresh, full PDUs, family switch.

use super::encode_util::*;
use crate::export::pdu::{Push, MAX_TEMPLATED_PDU};
use crate::export::v9::V9Writer;

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

/// The template flowset: templates 256 (IPv4) and 257 (IPv6), 140 bytes.
#[rustfmt::skip]
fn template_flowset() -> Vec<u8> {
    vec![
        0x00, 0x00, 0x00, 0x8c, // flowset 0 (templates), length 140
        0x01, 0x00, 0x00, 0x10, // template 256, 16 fields
        0x00, 0x01, 0x00, 0x08, // IN_BYTES 8
        0x00, 0x02, 0x00, 0x08, // IN_PKTS 8
        0x00, 0x16, 0x00, 0x04, // FIRST_SWITCHED 4
        0x00, 0x15, 0x00, 0x04, // LAST_SWITCHED 4
        0x00, 0x08, 0x00, 0x04, // IPV4_SRC_ADDR 4
        0x00, 0x0c, 0x00, 0x04, // IPV4_DST_ADDR 4
        0x00, 0x0a, 0x00, 0x04, // INPUT_SNMP 4
        0x00, 0x0e, 0x00, 0x04, // OUTPUT_SNMP 4
        0x00, 0x07, 0x00, 0x02, // L4_SRC_PORT 2
        0x00, 0x0b, 0x00, 0x02, // L4_DST_PORT 2
        0x00, 0x20, 0x00, 0x02, // ICMP_TYPE 2
        0x00, 0x04, 0x00, 0x01, // PROTOCOL 1
        0x00, 0x05, 0x00, 0x01, // SRC_TOS 1
        0x00, 0x06, 0x00, 0x01, // TCP_FLAGS 1
        0x00, 0x09, 0x00, 0x01, // SRC_MASK 1
        0x00, 0x0d, 0x00, 0x01, // DST_MASK 1
        0x01, 0x01, 0x00, 0x10, // template 257, 16 fields
        0x00, 0x01, 0x00, 0x08, // IN_BYTES 8
        0x00, 0x02, 0x00, 0x08, // IN_PKTS 8
        0x00, 0x16, 0x00, 0x04, // FIRST_SWITCHED 4
        0x00, 0x15, 0x00, 0x04, // LAST_SWITCHED 4
        0x00, 0x1b, 0x00, 0x10, // IPV6_SRC_ADDR 16
        0x00, 0x1c, 0x00, 0x10, // IPV6_DST_ADDR 16
        0x00, 0x0a, 0x00, 0x04, // INPUT_SNMP 4
        0x00, 0x0e, 0x00, 0x04, // OUTPUT_SNMP 4
        0x00, 0x07, 0x00, 0x02, // L4_SRC_PORT 2
        0x00, 0x0b, 0x00, 0x02, // L4_DST_PORT 2
        0x00, 0x20, 0x00, 0x02, // ICMP_TYPE 2
        0x00, 0x04, 0x00, 0x01, // PROTOCOL 1
        0x00, 0x05, 0x00, 0x01, // SRC_TOS 1
        0x00, 0x06, 0x00, 0x01, // TCP_FLAGS 1
        0x00, 0x1d, 0x00, 0x01, // IPV6_SRC_MASK 1
        0x00, 0x1e, 0x00, 0x01, // IPV6_DST_MASK 1
    ]
}

/// Record A as a v9 template-256 record (51 bytes).
#[rustfmt::skip]
fn record_a() -> Vec<u8> {
    vec![
        0, 0, 0, 0, 0, 0, 0x05, 0xdc, // IN_BYTES 1500
        0, 0, 0, 0, 0, 0, 0x00, 0x0a, // IN_PKTS 10
        0x00, 0x01, 0x5f, 0x90,       // FIRST_SWITCHED 90000
        0x00, 0x01, 0x73, 0x18,       // LAST_SWITCHED 95000
        10, 0, 0, 1,                  // IPV4_SRC_ADDR
        192, 168, 1, 2,               // IPV4_DST_ADDR
        0x00, 0x00, 0x00, 0x03,       // INPUT_SNMP 3
        0x00, 0x00, 0x00, 0x04,       // OUTPUT_SNMP 4
        0x30, 0x39,                   // L4_SRC_PORT 12345
        0x00, 0x50,                   // L4_DST_PORT 80
        0x00, 0x00,                   // ICMP_TYPE (not ICMP)
        0x06,                         // PROTOCOL TCP
        0x10,                         // SRC_TOS
        0x1b,                         // TCP_FLAGS
        24,                           // SRC_MASK
        16,                           // DST_MASK
    ]
}

/// Record B as a v9 template-257 record (75 bytes).
#[rustfmt::skip]
fn record_b() -> Vec<u8> {
    vec![
        0, 0, 0, 0, 0, 0, 0x00, 0xc8, // IN_BYTES 200
        0, 0, 0, 0, 0, 0, 0x00, 0x02, // IN_PKTS 2
        0x00, 0x01, 0x82, 0xb8,       // FIRST_SWITCHED 99000
        0x00, 0x01, 0x84, 0xac,       // LAST_SWITCHED 99500
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // IPV6_SRC_ADDR 2001:db8::1
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, // IPV6_DST_ADDR 2001:db8::2
        0x00, 0x00, 0x00, 0x07,       // INPUT_SNMP 7
        0x00, 0x00, 0x00, 0x00,       // OUTPUT_SNMP 0
        0x00, 0x35,                   // L4_SRC_PORT 53
        0x9c, 0x40,                   // L4_DST_PORT 40000
        0x00, 0x00,                   // ICMP_TYPE (not ICMP)
        0x11,                         // PROTOCOL UDP
        0x00,                         // SRC_TOS
        0x00,                         // TCP_FLAGS
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
    want.extend(template_flowset());
    want.extend([0x01, 0x00, 0x00, 0x38]); // data flowset 256, length 56
    want.extend(record_a());
    want.extend([0]); // padding to 4 bytes
    want.extend([0x01, 0x01, 0x00, 0x50]); // data flowset 257, length 80
    want.extend(record_b());
    want.extend([0]); // padding
    assert_eq!(want.len(), 296);
    assert_bytes(w.finish(&clock()).unwrap(), &want);
    assert!(w.finish(&clock()).is_none());
}

#[test]
fn second_pdu_has_no_templates() {
    let mut w = V9Writer::new(1);
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    w.finish(&clock()).unwrap();
    assert_eq!(w.push(&rec_a(), &clock()), Push::Added);
    let mut want = header(1, 1, 1);
    want.extend([0x01, 0x00, 0x00, 0x38]);
    want.extend(record_a());
    want.extend([0]);
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
    // templates (2 records) in PDUs 0, 2, 4
    assert_eq!(seen, [(0, 3), (1, 2), (2, 5), (3, 4), (4, 7)]);
    assert_eq!(w.sequence(), 5);
}

fn has_templates(p: &[u8]) -> bool {
    let s = sets(p, 20);
    assert!(
        s.iter().skip(1).all(|&(id, _)| id >= 256),
        "templates only first"
    );
    s[0].0 == 0
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
fn full_pdu() {
    let mut w = V9Writer::new(0);
    let mut n = 0u16;
    while w.push(&numbered(rec_a(), n), &clock()) == Push::Added {
        n += 1;
    }
    // 20 header + 140 templates + 4 set header + 24 * 51 = 1388; 25 won't fit
    assert_eq!(n, 24);
    let p = w.finish(&clock()).unwrap();
    assert_eq!(p.len(), 1388);
    assert_eq!(sets(p, 20), [(0, 140), (256, 1228)]);
    assert_eq!(be16(p, 2), 26);
    // the refused record goes first into the next PDU, which has room for 26
    let mut m = 0u16;
    while w.push(&numbered(rec_a(), n + m), &clock()) == Push::Added {
        m += 1;
    }
    assert_eq!(m, 26);
    let p = w.finish(&clock()).unwrap();
    assert!(p.len() <= MAX_TEMPLATED_PDU);
    assert_eq!(p.len(), 20 + 4 + 26 * 51 + 2); // 1350 padded to 1352
    assert_eq!(
        be16(p, 24 + 40),
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
    // 20 + 140 + 4 + n * 75 <= 1400 → n = 16
    assert_eq!(n, 16);
    let p = w.finish(&clock()).unwrap();
    assert!(p.len() <= MAX_TEMPLATED_PDU);
    assert_eq!(sets(p, 20), [(0, 140), (257, 1204)]);
}

#[test]
fn family_switch_opens_new_sets() {
    let mut w = V9Writer::new(0);
    for r in [rec_a(), rec_a(), rec_b(), rec_a(), rec_b(), rec_b()] {
        assert_eq!(w.push(&r, &clock()), Push::Added);
    }
    let p = w.finish(&clock()).unwrap();
    // 4 + 2*51 = 106 → 108; 4 + 75 = 79 → 80; 4 + 51 → 56; 4 + 2*75 = 154 → 156
    assert_eq!(
        sets(p, 20),
        [(0, 140), (256, 108), (257, 80), (256, 56), (257, 156)]
    );
    assert_eq!(be16(p, 2), 8);
    // second set's record is record B, byte for byte, followed by zero padding
    let off = 20 + 140 + 108 + 4;
    assert_eq!(p[off..off + 75], record_b()[..]);
    assert_eq!(p[off + 75], 0);
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
    assert_eq!(sets(p, 20), [(257, 80), (256, 56)]);
    assert_eq!(p[20 + 79], 0);
    assert_eq!(p[100 + 55], 0);
}

#[test]
fn icmp_type_field_and_header_uptime() {
    let mut w = V9Writer::new(0);
    assert_eq!(w.push(&rec_icmp(), &clock()), Push::Added);
    let p = w.finish(&clock()).unwrap();
    let rec = 20 + 140 + 4;
    // L4_SRC_PORT, L4_DST_PORT, ICMP_TYPE after 40 bytes of counters, times, addresses
    assert_eq!(
        (be16(p, rec + 40), be16(p, rec + 42), be16(p, rec + 44)),
        (0, 0x0800, 0x0800)
    );
    // header sysuptime is taken at unix_secs' whole second: boot = secs * 1000 - sysuptime
    let boot = u64::from(be32(p, 8)) * 1000 - u64::from(be32(p, 4));
    assert_eq!(boot, BOOT_MS);
    assert_eq!(boot + u64::from(be32(p, rec + 16)), rec_icmp().first_ms);
}
