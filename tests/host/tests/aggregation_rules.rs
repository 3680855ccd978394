// SPDX-License-Identifier: GPL-2.0

//! Aggregation rule parsing, matching and display.

use super::common::XorShift;
use crate::aggregation::rules::{
    parse, Applied, NetRule, PortRule, Rule, RuleErrorKind, Rules, MAX_LEN, MAX_RULES,
};
use crate::flow::key::{Family, FlowKey};

fn key4(src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16, protocol: u8) -> FlowKey {
    let mut k = FlowKey {
        src: [0; 16],
        dst: [0; 16],
        in_if: 1,
        src_port: sport,
        dst_port: dport,
        protocol,
        tos: 0,
        family: Family::V4,
    };
    k.src[..4].copy_from_slice(&src);
    k.dst[..4].copy_from_slice(&dst);
    k
}

fn key6(src: &str, dst: &str, sport: u16, dport: u16) -> FlowKey {
    FlowKey {
        src: src.parse::<core::net::Ipv6Addr>().unwrap().octets(),
        dst: dst.parse::<core::net::Ipv6Addr>().unwrap().octets(),
        in_if: 1,
        src_port: sport,
        dst_port: dport,
        protocol: 17,
        tos: 0,
        family: Family::V6,
    }
}

fn v4(a: [u8; 4]) -> [u8; 16] {
    let mut o = [0u8; 16];
    o[..4].copy_from_slice(&a);
    o
}

fn err(s: &str) -> (usize, RuleErrorKind, String) {
    let e = parse(s).unwrap_err();
    assert_eq!(s.get(e.span.clone()), Some(e.text), "span matches text");
    (e.index, e.reason, e.to_string())
}

#[test]
fn empty_means_no_rules() {
    for s in ["", " ", ",", " , ,\n", "\t"] {
        let r = parse(s).unwrap();
        assert!(r.is_empty());
        assert_eq!(r.len(), 0);
        assert_eq!(r.iter().count(), 0);
    }
    assert_eq!(Rules::default(), Rules::new());
    let mut k = key4([1, 2, 3, 4], [5, 6, 7, 8], 80, 90, 6);
    let before = k;
    assert_eq!(Rules::new().apply(&mut k), Applied::default());
    assert_eq!(k, before);
}

#[test]
fn seed_readme_example() {
    let r = parse("192.0.0.0/8=16,10.0.0.0/8=16,80-89=80,3128=80").unwrap();
    assert_eq!(r.len(), 4);
    assert_eq!(
        r.as_slice()[0],
        Rule::Net(NetRule {
            family: Family::V4,
            addr: v4([192, 0, 0, 0]),
            prefix: 8,
            strip: 16
        })
    );
    assert_eq!(
        r.as_slice()[2],
        Rule::Port(PortRule {
            lo: 80,
            hi: 89,
            replace: 80
        })
    );
    assert_eq!(
        r.as_slice()[3],
        Rule::Port(PortRule {
            lo: 3128,
            hi: 3128,
            replace: 80
        })
    );
    let shown: Vec<String> = r.iter().map(|x| x.to_string()).collect();
    assert_eq!(
        shown,
        [
            "net: match 192.0.0.0/8 strip 16",
            "net: match 10.0.0.0/8 strip 16",
            "port: ports 80-89 replace 80",
            "port: ports 3128-3128 replace 80",
        ]
    );
}

#[test]
fn separators_spaces_and_newline() {
    let a = parse("192.0.0.0/8=16,80-89=80").unwrap();
    for s in [
        "192.0.0.0/8=16 80-89=80",
        " 192.0.0.0/8=16 ,  80-89=80\n",
        "192.0.0.0/8=16,,80-89=80,",
        "\t192.0.0.0/8=16\t80-89=80",
    ] {
        assert_eq!(parse(s).unwrap(), a, "{s:?}");
    }
}

#[test]
fn apply_strips_both_addresses_separately() {
    let r = parse("192.0.0.0/8=16,10.0.0.0/8=24,0.0.0.0/0=32").unwrap();
    let mut k = key4([192, 168, 5, 6], [10, 1, 2, 3], 1, 2, 6);
    let a = r.apply(&mut k);
    assert_eq!(k.src, v4([192, 168, 0, 0]));
    assert_eq!(k.dst, v4([10, 1, 2, 0]));
    assert_eq!((a.src_net, a.dst_net), (Some(0), Some(1)));
    assert_eq!((a.src_mask, a.dst_mask), (16, 24));
    assert_eq!((a.src_port, a.dst_port), (None, None));
    // Catch-all third rule for an address no earlier rule covers.
    let mut k = key4([8, 8, 8, 8], [192, 0, 2, 1], 1, 2, 6);
    let a = r.apply(&mut k);
    assert_eq!((a.src_net, a.dst_net), (Some(2), Some(0)));
    assert_eq!(k.src, v4([8, 8, 8, 8]));
    assert_eq!(k.dst, v4([192, 0, 0, 0]));
}

#[test]
fn first_matching_rule_wins() {
    let r = parse("10.1.0.0/16=24,10.0.0.0/8=8,10.1.2.0/24=32").unwrap();
    let mut k = key4([10, 1, 2, 3], [10, 2, 3, 4], 0, 0, 17);
    let a = r.apply(&mut k);
    assert_eq!((a.src_net, a.dst_net), (Some(0), Some(1)));
    assert_eq!(k.src, v4([10, 1, 2, 0]));
    assert_eq!(k.dst, v4([10, 0, 0, 0]));
}

#[test]
fn no_match_leaves_key_alone() {
    let r = parse("192.168.0.0/16=24,8000-8080=8000").unwrap();
    let mut k = key4([192, 169, 0, 1], [172, 16, 0, 1], 7999, 8081, 6);
    let before = k;
    let a = r.apply(&mut k);
    assert_eq!(a, Applied::default());
    assert_eq!(k, before);
}

#[test]
fn strip_longer_or_shorter_than_prefix() {
    let r = parse("10.1.0.0/16=8,10.0.0.0/8=32,0.0.0.0/0=0").unwrap();
    let mut k = key4([10, 1, 200, 9], [10, 9, 9, 9], 0, 0, 6);
    let a = r.apply(&mut k);
    assert_eq!(k.src, v4([10, 0, 0, 0]));
    assert_eq!(k.dst, v4([10, 9, 9, 9]));
    assert_eq!((a.src_mask, a.dst_mask), (8, 32));
    let mut k = key4([1, 2, 3, 4], [5, 6, 7, 8], 0, 0, 6);
    let a = r.apply(&mut k);
    assert_eq!((k.src, k.dst), ([0; 16], [0; 16]));
    assert_eq!((a.src_net, a.dst_net, a.src_mask), (Some(2), Some(2), 0));
}

#[test]
fn host_bits_in_network_are_ignored() {
    let r = parse("192.168.1.77/16=24").unwrap();
    assert_eq!(
        r.as_slice()[0].to_string(),
        "net: match 192.168.0.0/16 strip 24"
    );
    let mut k = key4([192, 168, 9, 9], [0; 4], 0, 0, 6);
    assert_eq!(r.apply(&mut k).src_net, Some(0));
}

#[test]
fn odd_prefix_lengths() {
    let r = parse("10.0.0.0/9=13").unwrap();
    let mut k = key4([10, 127, 255, 255], [10, 128, 0, 0], 0, 0, 6);
    let a = r.apply(&mut k);
    assert_eq!(k.src, v4([10, 120, 0, 0]));
    assert_eq!((a.src_net, a.dst_net), (Some(0), None));
}

#[test]
fn ipv6_rules() {
    let r = parse("2001:db8::/32=48,::/0=64").unwrap();
    assert_eq!(
        r.as_slice()[0].to_string(),
        "net: match 2001:db8::/32 strip 48"
    );
    assert_eq!(r.as_slice()[1].to_string(), "net: match ::/0 strip 64");
    let mut k = key6("2001:db8:1:2:3::4", "2a00:1450::1234", 5, 6);
    let a = r.apply(&mut k);
    assert_eq!(
        k.src,
        "2001:db8:1::"
            .parse::<core::net::Ipv6Addr>()
            .unwrap()
            .octets()
    );
    assert_eq!(
        k.dst,
        "2a00:1450::"
            .parse::<core::net::Ipv6Addr>()
            .unwrap()
            .octets()
    );
    assert_eq!(
        (a.src_net, a.dst_net, a.src_mask, a.dst_mask),
        (Some(0), Some(1), 48, 64)
    );
    let r = parse("2001:db8::1/127=128").unwrap();
    assert_eq!(
        r.as_slice()[0].to_string(),
        "net: match 2001:db8::/127 strip 128"
    );
}

#[test]
fn families_do_not_cross() {
    let r = parse("0.0.0.0/0=8,::/0=16").unwrap();
    let mut k4 = key4([1, 2, 3, 4], [5, 6, 7, 8], 0, 0, 6);
    assert_eq!(r.apply(&mut k4).src_net, Some(0));
    let mut k6 = key6("::1", "::2", 0, 0);
    let a = r.apply(&mut k6);
    assert_eq!((a.src_net, a.src_mask), (Some(1), 16));
    // An IPv4 rule never matches IPv6 keys whose first bytes look alike.
    let r = parse("32.1.0.0/16=16").unwrap();
    let mut k6 = key6("2001::1", "2001::2", 0, 0);
    assert_eq!(r.apply(&mut k6), Applied::default());
}

#[test]
fn port_rules() {
    let r = parse("80-89=80,3128=80,0-1023=1,60000-65535=65535").unwrap();
    let mut k = key4([0; 4], [0; 4], 85, 3128, 6);
    let a = r.apply(&mut k);
    assert_eq!((k.src_port, k.dst_port), (80, 80));
    assert_eq!((a.src_port, a.dst_port), (Some(0), Some(1)));
    let mut k = key4([0; 4], [0; 4], 22, 65535, 17);
    let a = r.apply(&mut k);
    assert_eq!((k.src_port, k.dst_port), (1, 65535));
    assert_eq!((a.src_port, a.dst_port), (Some(2), Some(3)));
    // The replaced port is not re-matched by later rules.
    let r = parse("80=3128,3128=1").unwrap();
    let mut k = key4([0; 4], [0; 4], 80, 3128, 6);
    r.apply(&mut k);
    assert_eq!((k.src_port, k.dst_port), (3128, 1));
}

#[test]
fn ports_only_for_ported_protocols() {
    let r = parse("0-65535=0").unwrap();
    for p in [6u8, 17, 33, 132, 136] {
        let mut k = key4([0; 4], [0; 4], 1, 2, p);
        assert!(r.apply(&mut k).src_port.is_some(), "proto {p}");
        assert_eq!((k.src_port, k.dst_port), (0, 0));
    }
    for p in [1u8, 58, 47, 50] {
        let mut k = key4([0; 4], [0; 4], 0, 0x0800, p);
        assert_eq!(r.apply(&mut k), Applied::default(), "proto {p}");
        assert_eq!(k.dst_port, 0x0800);
    }
}

#[test]
fn net_and_port_rules_interleaved_indices() {
    let r = parse("53=53,10.0.0.0/8=16,443=443,172.16.0.0/12=12").unwrap();
    let mut k = key4([10, 2, 3, 4], [172, 20, 1, 1], 53, 443, 17);
    let a = r.apply(&mut k);
    assert_eq!(a.src_net, Some(1));
    assert_eq!(a.dst_net, Some(3));
    assert_eq!(a.src_port, Some(0));
    assert_eq!(a.dst_port, Some(2));
    assert_eq!(k.dst, v4([172, 16, 0, 0]));
}

#[test]
fn error_messages() {
    let cases: &[(&str, usize, RuleErrorKind, &str)] = &[
        (
            "10.0.0.0/8=16,10.0.0.0/33=16",
            2,
            RuleErrorKind::PrefixOutOfRange,
            "rule 2 \"10.0.0.0/33=16\": prefix length out of range",
        ),
        (
            "10.0.0.0/8=33",
            1,
            RuleErrorKind::StripOutOfRange,
            "rule 1 \"10.0.0.0/8=33\": strip length out of range",
        ),
        (
            "2001:db8::/129=48",
            1,
            RuleErrorKind::PrefixOutOfRange,
            "rule 1 \"2001:db8::/129=48\": prefix length out of range",
        ),
        (
            "::/0=129",
            1,
            RuleErrorKind::StripOutOfRange,
            "rule 1 \"::/0=129\": strip length out of range",
        ),
        (
            "80=80 1.2.3.999/8=16",
            2,
            RuleErrorKind::BadAddress,
            "rule 2 \"1.2.3.999/8=16\": bad address",
        ),
        (
            "65536=80",
            1,
            RuleErrorKind::PortOutOfRange,
            "rule 1 \"65536=80\": port out of range",
        ),
        (
            "80=65536",
            1,
            RuleErrorKind::PortOutOfRange,
            "rule 1 \"80=65536\": port out of range",
        ),
        (
            "1-99999999999999999999=1",
            1,
            RuleErrorKind::PortOutOfRange,
            "rule 1 \"1-99999999999999999999=1\": port out of range",
        ),
        (
            "90-80=80",
            1,
            RuleErrorKind::ReversedRange,
            "rule 1 \"90-80=80\": port range reversed",
        ),
        (
            "80=80x",
            1,
            RuleErrorKind::TrailingJunk,
            "rule 1 \"80=80x\": trailing characters after number",
        ),
        (
            "hello",
            1,
            RuleErrorKind::Syntax,
            "rule 1 \"hello\": expected ADDR/M=N, PORT=PORT or PORT-PORT=PORT",
        ),
    ];
    for &(s, index, reason, msg) in cases {
        let (i, r, m) = err(s);
        assert_eq!((i, r), (index, reason), "{s}");
        assert_eq!(m, msg, "{s}");
    }
}

#[test]
fn garbage_and_trailing_junk() {
    use RuleErrorKind::*;
    let cases: &[(&str, RuleErrorKind)] = &[
        ("=", Syntax),
        ("=80", Syntax),
        ("80=", Syntax),
        ("-80=80", Syntax),
        ("80-=80", Syntax),
        ("+80=80", Syntax),
        ("80=+80", Syntax),
        ("80=80=80", TrailingJunk),
        ("80-90-100=80", TrailingJunk),
        ("10.0.0.0/8", Syntax),
        ("10.0.0.0/=16", Syntax),
        ("10.0.0.0/8=", Syntax),
        ("10.0.0.0/8=16/24", TrailingJunk),
        ("10.0.0.0/8/9=16", TrailingJunk),
        ("10.0.0.0/8=16x", TrailingJunk),
        ("10.0.0.0/-8=16", Syntax),
        ("/8=16", BadAddress),
        ("10.0.0/8=16", BadAddress),
        ("010.0.0.0/8=16", BadAddress),
        ("10.0.0.0.0/8=16", BadAddress),
        ("fe80::1%eth0/64=64", BadAddress),
        ("2001:db8::g/32=48", BadAddress),
        ("[2001:db8::]/32=48", BadAddress),
        ("10.0.0.0/8=::", Syntax),
        ("::ffff:10.0.0.0/129=16", PrefixOutOfRange),
        ("1.2.3.4:5/8=16", BadAddress),
        ("80=80\u{e9}", TrailingJunk),
        ("\u{e9}", Syntax),
        ("80;90=80", TrailingJunk),
    ];
    for &(s, reason) in cases {
        let (i, r, _) = err(s);
        assert_eq!((i, r), (1, reason), "{s:?}");
    }
    // IPv4-mapped IPv6 networks are IPv6 rules.
    let r = parse("::ffff:10.0.0.0/104=112").unwrap();
    assert_eq!(
        r.as_slice()[0].to_string(),
        "net: match ::ffff:10.0.0.0/104 strip 112"
    );
}

#[test]
fn capacity_limits() {
    let ok: Vec<String> = (0..MAX_RULES).map(|i| format!("{i}={i}")).collect();
    let r = parse(&ok.join(",")).unwrap();
    assert_eq!(r.len(), MAX_RULES);
    let over: Vec<String> = (0..=MAX_RULES).map(|i| format!("{i}={i}")).collect();
    let s = over.join(",");
    let e = parse(&s).unwrap_err();
    assert_eq!(
        (e.index, e.reason, e.text),
        (MAX_RULES + 1, RuleErrorKind::TooMany, "32=32")
    );
    assert_eq!(e.to_string(), "rule 33 \"32=32\": too many rules (max 32)");

    let long = " ".repeat(MAX_LEN);
    assert!(parse(&long).unwrap().is_empty());
    let long = " ".repeat(MAX_LEN + 1);
    let e = parse(&long).unwrap_err();
    assert_eq!((e.index, e.reason), (0, RuleErrorKind::TooLong));
    assert_eq!(
        e.to_string(),
        "aggregation string too long (1025 bytes, max 1024)"
    );
}

#[test]
fn error_span_points_into_string() {
    let s = "  80=80 ,  10.0.0.0/8=99 ";
    let e = parse(s).unwrap_err();
    assert_eq!(e.index, 2);
    assert_eq!(e.span, 11..24);
    assert_eq!(&s[e.span.clone()], "10.0.0.0/8=99");
}

#[test]
fn display_each_rule_kind() {
    let n = NetRule {
        family: Family::V4,
        addr: v4([10, 0, 0, 0]),
        prefix: 8,
        strip: 16,
    };
    assert_eq!(n.to_string(), "match 10.0.0.0/8 strip 16");
    let p = PortRule {
        lo: 1,
        hi: 2,
        replace: 3,
    };
    assert_eq!(p.to_string(), "ports 1-2 replace 3");
    assert_eq!(Rule::Port(p).to_string(), "port: ports 1-2 replace 3");
    // The full /proc line as the caller would print it.
    let line = format!("aggr#{} {} (usage {})", 0, Rule::Net(n), 42);
    assert_eq!(line, "aggr#0 net: match 10.0.0.0/8 strip 16 (usage 42)");
}

#[test]
fn random_no_panic() {
    let mut rng = XorShift(0xa5a5_5a5a_dead_beef);
    let seeds = [
        "192.0.0.0/8=16,10.0.0.0/8=16,80-89=80,3128=80",
        "2001:db8::/32=48 ::ffff:0:0/96=120",
        "0.0.0.0/0=0,0-65535=0",
    ];
    let alphabet = b"0123456789abcdef.:/=-, []x\n";
    let mut s = Vec::new();
    for i in 0..100_000 {
        rng.mutated(i, &seeds, alphabet, &mut s);
        let text = String::from_utf8(s.clone()).unwrap();
        match parse(&text) {
            Ok(r) => {
                assert!(r.len() <= MAX_RULES);
                let mut k = key4([10, 1, 2, 3], [192, 168, 1, 1], 85, 3128, 6);
                if rng.next() & 1 == 0 {
                    k = key6("2001:db8:1::1", "::ffff:1.2.3.4", 80, 443);
                }
                let a = r.apply(&mut k);
                for idx in [a.src_net, a.dst_net, a.src_port, a.dst_port]
                    .into_iter()
                    .flatten()
                {
                    assert!(idx < r.len());
                }
                for rule in r.iter() {
                    let _ = rule.to_string();
                }
            }
            Err(e) => {
                assert_eq!(text.get(e.span.clone()), Some(e.text));
                assert!(!e.to_string().is_empty());
            }
        }
    }
    // Arbitrary bytes (valid UTF-8 made from them).
    for _ in 0..20_000 {
        let bytes: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse(&text).map(|r| r.len()).map_err(|e| e.to_string());
    }
}
