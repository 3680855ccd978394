// SPDX-License-Identifier: GPL-2.0

//! Parsing the `destination` parameter.

use super::common::XorShift;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::export::destination::{
    parse, DestErrorKind, Destination, DEFAULT_PORT, DEVICE_NAME_MAX, MAX_DESTINATIONS,
};
use crate::export::writer::Protocol;

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn one(s: &str) -> Destination {
    let d = parse(s).unwrap();
    assert_eq!(d.len(), 1, "{s}");
    d.as_slice()[0]
}

fn err(s: &str) -> (usize, DestErrorKind, String) {
    let e = parse(s).unwrap_err();
    (e.index, e.reason, e.to_string())
}

#[test]
fn module_default() {
    let d = one("127.0.0.1:2055");
    assert_eq!(d.addr, sa("127.0.0.1:2055"));
    assert_eq!(d.source, None);
    assert_eq!(d.to_string(), "127.0.0.1:2055");
}

#[test]
fn default_port() {
    assert_eq!(DEFAULT_PORT, 2055);
    assert_eq!(one("10.0.0.1").addr, sa("10.0.0.1:2055"));
    assert_eq!(one("[2001:db8::1]").addr, sa("[2001:db8::1]:2055"));
    assert_eq!(one("2001:db8::1").addr, sa("[2001:db8::1]:2055"));
    assert_eq!(one("::1").addr, sa("[::1]:2055"));
    assert_eq!(one("::").addr, sa("[::]:2055"));
}

#[test]
fn explicit_ports() {
    assert_eq!(one("10.0.0.1:1").addr, sa("10.0.0.1:1"));
    assert_eq!(one("10.0.0.1:65535").addr, sa("10.0.0.1:65535"));
    assert_eq!(one("[::1]:9995").addr, sa("[::1]:9995"));
    assert_eq!(
        one("[::ffff:1.2.3.4]:4739").addr,
        sa("[::ffff:1.2.3.4]:4739")
    );
    assert_eq!(one("10.0.0.1:02055").addr, sa("10.0.0.1:2055"));
}

#[test]
fn separators() {
    let want = [sa("127.0.0.1:2055"), sa("192.0.0.1:2055"), sa("[::1]:9996")];
    for s in [
        "127.0.0.1:2055,192.0.0.1:2055,[::1]:9996",
        "127.0.0.1:2055 192.0.0.1:2055 [::1]:9996",
        "127.0.0.1:2055;192.0.0.1:2055;[::1]:9996",
        " 127.0.0.1:2055 ,; 192.0.0.1 ;[::1]:9996,\n",
    ] {
        let d = parse(s).unwrap();
        let got: Vec<SocketAddr> = d.iter().map(|d| d.addr).collect();
        assert_eq!(got, want, "{s:?}");
    }
}

#[test]
fn source_addresses() {
    let d = one("127.0.0.1:2055@127.0.0.2");
    assert_eq!(
        (d.addr, d.source),
        (sa("127.0.0.1:2055"), Some(ip("127.0.0.2")))
    );
    let d = one("10.1.1.1@10.1.1.2");
    assert_eq!(
        (d.addr, d.source),
        (sa("10.1.1.1:2055"), Some(ip("10.1.1.2")))
    );
    let d = one("[::1]:2055@[::1]");
    assert_eq!((d.addr, d.source), (sa("[::1]:2055"), Some(ip("::1"))));
    let d = one("[::1]:2055@::1");
    assert_eq!(d.source, Some(ip("::1")));
    let d = one("2001:db8::5@2001:db8::6");
    assert_eq!(
        (d.addr, d.source),
        (sa("[2001:db8::5]:2055"), Some(ip("2001:db8::6")))
    );
    // The source is part of the printed form, as in C's.
    assert_eq!(d.to_string(), "[2001:db8::5]:2055@[2001:db8::6]");
    let d = parse("1.1.1.1@2.2.2.2,[::2]:1@[::3] 3.3.3.3").unwrap();
    let src: Vec<Option<IpAddr>> = d.iter().map(|d| d.source).collect();
    assert_eq!(src, [Some(ip("2.2.2.2")), Some(ip("::3")), None]);
}

#[test]
fn display_forms() {
    let d = parse("1.2.3.4:5,[2001:db8::1]:9995,fe80::1,[::ffff:1.2.3.4]:1").unwrap();
    let shown: Vec<String> = d.iter().map(|x| x.to_string()).collect();
    assert_eq!(
        shown,
        [
            "1.2.3.4:5",
            "[2001:db8::1]:9995",
            "[fe80::1]:2055",
            "[::ffff:1.2.3.4]:1"
        ]
    );
    let d = Destination {
        addr: SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 7),
        source: None,
        device: None,
        protocol: None,
    };
    assert_eq!(d.to_string(), "[::1]:7");
    let d = Destination {
        addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::BROADCAST), 7),
        source: None,
        device: None,
        protocol: None,
    };
    assert_eq!(d.to_string(), "255.255.255.255:7");
}

#[test]
fn error_messages() {
    let cases: &[(&str, usize, DestErrorKind, &str)] = &[
        (
            "127.0.0.1:2055,1.2.3.999:2055",
            2,
            DestErrorKind::BadAddress,
            "destination entry 2 \"1.2.3.999:2055\": bad address",
        ),
        (
            "1.2.3.4:0",
            1,
            DestErrorKind::PortZero,
            "destination entry 1 \"1.2.3.4:0\": port 0 not allowed",
        ),
        (
            "1.2.3.4:65536",
            1,
            DestErrorKind::BadPort,
            "destination entry 1 \"1.2.3.4:65536\": bad port",
        ),
        (
            "1.2.3.4@::1",
            1,
            DestErrorKind::FamilyMismatch,
            "destination entry 1 \"1.2.3.4@::1\": source and destination families differ",
        ),
        (
            "1.2.3.4@1.2.3",
            1,
            DestErrorKind::BadSource,
            "destination entry 1 \"1.2.3.4@1.2.3\": bad source address",
        ),
        (
            "1.2.3.4 1.2.3.4:2055",
            2,
            DestErrorKind::Duplicate,
            "destination entry 2 \"1.2.3.4:2055\": duplicate destination",
        ),
        (
            "",
            0,
            DestErrorKind::Empty,
            "destination: no destination given",
        ),
    ];
    for &(s, index, reason, msg) in cases {
        let (i, r, m) = err(s);
        assert_eq!((i, r), (index, reason), "{s}");
        assert_eq!(m, msg, "{s}");
    }
}

#[test]
fn refused_entries() {
    use DestErrorKind::*;
    let cases: &[(&str, DestErrorKind)] = &[
        (" , ; \n", Empty),
        ("1.2.3.4:", BadPort),
        ("1.2.3.4:+80", BadPort),
        ("1.2.3.4:-1", BadPort),
        ("1.2.3.4:80x", BadPort),
        ("1.2.3.4:99999999999999999999", BadPort),
        ("[::1]:0", PortZero),
        ("[::1]:", BadPort),
        ("[::1]:65536", BadPort),
        ("[::1]x", BadAddress),
        ("[::1]2055", BadAddress),
        ("[::1", BadAddress),
        ("[1.2.3.4]:2055", BadAddress),
        ("[]:2055", BadAddress),
        ("::1:2055x", BadAddress),
        // `%` starts a device name, as in C: never an IPv6 zone.
        ("[fe80::1%2]:2055", BadAddress),
        ("localhost:2055", BadAddress),
        ("1.2.3.4.5", BadAddress),
        ("01.2.3.4", BadAddress),
        ("1.2.3.4:20:55", BadAddress),
        (":2055", BadAddress),
        ("@1.2.3.4", BadAddress),
        ("1.2.3.4@", BadSource),
        ("1.2.3.4@1.2.3.4:5", BadSource),
        ("1.2.3.4@[1.2.3.4]", BadSource),
        ("[::1]@[::2]:5", BadSource),
        ("[::1]@[::2", BadSource),
        ("[::1]@::2@::3", BadSource),
        ("[::1]@1.2.3.4", FamilyMismatch),
        ("::1@127.0.0.1", FamilyMismatch),
        ("1.2.3.4@[::1]", FamilyMismatch),
        ("[::1]:2055 ::1", Duplicate),
        ("1.2.3.4:1@1.1.1.1 1.2.3.4:1@2.2.2.2", Duplicate),
        ("\u{e9}", BadAddress),
    ];
    for &(s, reason) in cases {
        let e = parse(s).unwrap_err();
        assert_eq!(e.reason, reason, "{s:?}");
    }
    // Same address, different ports: two collectors.
    assert_eq!(parse("1.2.3.4:1 1.2.3.4:2").unwrap().len(), 2);
}

#[test]
fn capacity() {
    let ok: Vec<String> = (1..=MAX_DESTINATIONS)
        .map(|i| format!("10.0.0.{i}"))
        .collect();
    let d = parse(&ok.join(",")).unwrap();
    assert_eq!(d.len(), MAX_DESTINATIONS);
    assert!(!d.is_empty());
    let over: Vec<String> = (1..=MAX_DESTINATIONS + 1)
        .map(|i| format!("10.0.0.{i}"))
        .collect();
    let over = over.join(",");
    let e = parse(&over).unwrap_err();
    assert_eq!(
        (e.index, e.reason, e.text),
        (17, DestErrorKind::TooMany, "10.0.0.17")
    );
    assert_eq!(
        e.to_string(),
        "destination entry 17 \"10.0.0.17\": too many destinations (max 16)"
    );
}

#[test]
fn random_no_panic() {
    let mut rng = XorShift(0x0123_4567_89ab_cdef);
    let seeds = [
        "127.0.0.1:2055,192.0.0.1:2055",
        "[2001:db8::1]:9995@[2001:db8::2] 10.0.0.1@10.0.0.2",
        "fe80::1;1.2.3.4:65535@4.3.2.1",
        "10.0.0.1:2055@10.0.0.2%vrf-blue/9,2001:db8::1p9995%eth0/10",
    ];
    let alphabet = b"0123456789abcdef.:[]@,; x\n%/p#";
    let mut s = Vec::new();
    for i in 0..100_000 {
        rng.mutated(i, &seeds, alphabet, &mut s);
        let text = String::from_utf8(s.clone()).unwrap();
        match parse(&text) {
            Ok(d) => {
                assert!((1..=MAX_DESTINATIONS).contains(&d.len()));
                for x in d.iter() {
                    assert_ne!(x.addr.port(), 0);
                    if let Some(src) = x.source {
                        assert_eq!(src.is_ipv4(), x.addr.is_ipv4());
                    }
                    // The printed form parses back to the same collector.
                    let again = one(&x.to_string());
                    assert_eq!(
                        (again.addr, again.source, again.device),
                        (x.addr, x.source, x.device)
                    );
                }
            }
            Err(e) => {
                assert!(e.index <= MAX_DESTINATIONS + 1);
                assert!(text.contains(e.text));
                assert!(!e.to_string().is_empty());
            }
        }
    }
    for _ in 0..20_000 {
        let bytes: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse(&text).map(|d| d.len()).map_err(|e| e.to_string());
    }
}

#[test]
fn device_and_protocol_suffixes() {
    let d = one("127.0.0.1:2055@127.0.0.2%vrf-blue/9");
    assert_eq!(d.addr, sa("127.0.0.1:2055"));
    assert_eq!(d.source, Some(ip("127.0.0.2")));
    assert_eq!(d.device.unwrap().as_bytes(), b"vrf-blue");
    assert_eq!(d.protocol, Some(Protocol::V9));
    assert_eq!(d.to_string(), "127.0.0.1:2055@127.0.0.2%vrf-blue");

    let d = one("10.0.0.1%eth0");
    assert_eq!((d.addr, d.source), (sa("10.0.0.1:2055"), None));
    assert_eq!(d.device.unwrap().to_string(), "eth0");
    assert_eq!(d.protocol, None);

    assert_eq!(one("10.0.0.1/5").protocol, Some(Protocol::V5));
    assert_eq!(one("10.0.0.1:9/10").protocol, Some(Protocol::Ipfix));
    assert_eq!(one("[::1]:9995/9").addr, sa("[::1]:9995"));
    let d = one("[2001:db8::1]:4739@[2001:db8::2]%r1/10");
    assert_eq!(d.source, Some(ip("2001:db8::2")));
    assert_eq!(d.to_string(), "[2001:db8::1]:4739@[2001:db8::2]%r1");
    let long = "a".repeat(DEVICE_NAME_MAX);
    assert_eq!(
        one(&format!("1.2.3.4%{long}")).device.unwrap().to_string(),
        long
    );

    // Three collectors, a protocol each, as the example.
    let d = parse("127.0.0.1:2055/5,127.0.0.1:2056/9,127.0.0.1:2057/10").unwrap();
    let p: Vec<_> = d.iter().map(|x| x.protocol).collect();
    assert_eq!(
        p,
        [
            Some(Protocol::V5),
            Some(Protocol::V9),
            Some(Protocol::Ipfix)
        ]
    );
}

#[test]
fn bracketless_ipv6_ports() {
    // C's syntax: the port of a bare IPv6 address after `p` or `#`.
    assert_eq!(one("2001:db8::1p9995").addr, sa("[2001:db8::1]:9995"));
    assert_eq!(one("2001:db8::1#4739").addr, sa("[2001:db8::1]:4739"));
    assert_eq!(one("::1p2056@::2").source, Some(ip("::2")));
    assert_eq!(
        one("fe80::1#2055%eth0/9").device.unwrap().to_string(),
        "eth0"
    );
    assert_eq!(err("2001:db8::1p").1, DestErrorKind::BadPort);
    assert_eq!(err("2001:db8::1p0").1, DestErrorKind::PortZero);
    assert_eq!(err("2001:db8::1#x").1, DestErrorKind::BadPort);
    assert_eq!(err("2001:db8::1p99999").1, DestErrorKind::BadPort);
}

#[test]
fn bad_devices_and_protocols() {
    for bad in [
        "1.2.3.4%",
        "1.2.3.4%.",
        "1.2.3.4%..",
        "1.2.3.4%a:b",
        "1.2.3.4%aaaaaaaaaaaaaaaa",
    ] {
        assert_eq!(err(bad).1, DestErrorKind::BadDevice, "{bad}");
    }
    for bad in [
        "1.2.3.4/",
        "1.2.3.4/7",
        "1.2.3.4/09",
        "1.2.3.4/x",
        "1.2.3.4/1/9",
    ] {
        let e = err(bad);
        assert!(
            matches!(
                e.1,
                DestErrorKind::BadProtocol | DestErrorKind::BadDevice | DestErrorKind::BadAddress
            ),
            "{bad}: {e:?}"
        );
    }
    assert_eq!(err("1.2.3.4/7").1, DestErrorKind::BadProtocol);
    assert_eq!(
        err("127.0.0.1:2055,10.0.0.1/11").2,
        "destination entry 2 \"10.0.0.1/11\": protocol is not one of 5, 9, 10"
    );
    assert_eq!(
        err("10.0.0.1%a/b").2,
        "destination entry 1 \"10.0.0.1%a/b\": protocol is not one of 5, 9, 10"
    );
    // Same collector twice, whatever the suffixes.
    assert_eq!(err("1.2.3.4/5,1.2.3.4%eth0/9").1, DestErrorKind::Duplicate);
}
