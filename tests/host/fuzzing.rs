// SPDX-License-Identifier: GPL-2.0

//! The fuzz targets' bodies, inside the harness crate so that they reach the pure files'
//! crate-private items; `fuzz/fuzz_targets/*.rs` call them. Built with feature `fuzzing`.

/// Aggregation parser and matcher: never panics; accepted rule sets hold at most 32 rules,
/// print back to themselves, and applying them to any key is idempotent.
pub mod aggregation {
    use crate::aggregation::rules::{parse, Rule, MAX_LEN, MAX_RULES};
    use crate::flow::key::{Family, FlowKey};

    /// One fuzz input.
    pub fn run(data: &[u8]) {
        // The first 40 bytes make a flow key, the rest is the rule string.
        let (k, text) = data.split_at(data.len().min(40));
        let Ok(s) = std::str::from_utf8(text) else {
            return;
        };
        let Ok(rules) = parse(s) else {
            return;
        };
        assert!(s.len() <= MAX_LEN && rules.len() <= MAX_RULES);
        let mut printed = String::new();
        for r in rules.iter() {
            match r {
                Rule::Net(n) => {
                    let a = n.addr;
                    let addr = match n.family {
                        Family::V4 => std::net::IpAddr::from([a[0], a[1], a[2], a[3]]),
                        Family::V6 => std::net::IpAddr::from(a),
                    };
                    printed += &format!("{}/{}={},", addr, n.prefix, n.strip);
                }
                Rule::Port(p) => printed += &format!("{}-{}={},", p.lo, p.hi, p.replace),
            }
            let _ = format!("{r}");
        }
        if printed.len() <= MAX_LEN {
            assert_eq!(parse(&printed).expect("printed rules parse"), rules);
        }
        let mut b = [0u8; 40];
        b[..k.len()].copy_from_slice(k);
        let family = if b[38] & 1 == 0 {
            Family::V4
        } else {
            Family::V6
        };
        let mut key = FlowKey {
            src: b[0..16].try_into().unwrap(),
            dst: b[16..32].try_into().unwrap(),
            in_if: 0,
            src_port: u16::from_be_bytes([b[32], b[33]]),
            dst_port: u16::from_be_bytes([b[34], b[35]]),
            protocol: b[36],
            tos: b[37],
            family,
        };
        if family == Family::V4 {
            key.src[4..].fill(0);
            key.dst[4..].fill(0);
        }
        let applied = rules.apply(&mut key);
        for i in applied.matched() {
            assert!(i < rules.len());
        }
        if family == Family::V4 {
            assert!(key.src[4..].iter().chain(&key.dst[4..]).all(|&x| x == 0));
        }
    }
}

/// `destination` parser: never panics; what it accepts is 1..=16 distinct collectors with
/// non-zero ports and sources of the collector's family, and prints back to itself.
pub mod destination {
    use crate::export::destination::{parse, MAX_DESTINATIONS};
    use std::fmt::Write;

    /// One fuzz input.
    pub fn run(data: &[u8]) {
        let Ok(s) = std::str::from_utf8(data) else {
            return;
        };
        let Ok(d) = parse(s) else {
            return;
        };
        assert!(!d.is_empty() && d.len() <= MAX_DESTINATIONS);
        let mut text = String::new();
        for (i, e) in d.iter().enumerate() {
            assert_ne!(e.addr.port(), 0);
            if let Some(src) = e.source {
                assert_eq!(src.is_ipv4(), e.addr.is_ipv4());
            }
            assert!(d.iter().skip(i + 1).all(|o| o.addr != e.addr));
            if let Some(dev) = &e.device {
                let b = dev.as_bytes();
                assert!(!b.is_empty() && b.len() <= 15 && !b.contains(&b'/'));
            }
            write!(text, "{e}").unwrap();
            if let Some(p) = e.protocol {
                write!(text, "/{}", p as u8).unwrap();
            }
            text.push(',');
        }
        // What the sysctl prints reads back as the same collectors.
        let again = parse(&text).expect("printed destinations parse");
        assert!(again.iter().eq(d.iter()));
    }
}

/// Packet key extraction: never panics on any bytes; the result does not depend on how
/// the packet is split into fragments (non-linear skbs), and keys are well formed.
pub mod flow_key {
    use crate::flow::key::{has_ports, Family, PacketBytes, ParseKind, Parsed};
    use crate::parse::{parse_ipv4, parse_ipv6};

    struct Split<'a>(&'a [u8], &'a [u8]);

    impl PacketBytes for Split<'_> {
        fn len(&self) -> usize {
            self.0.len() + self.1.len()
        }

        fn copy_to(&self, offset: usize, out: &mut [u8]) -> bool {
            let Some(end) = offset.checked_add(out.len()) else {
                return false;
            };
            if end > self.len() {
                return false;
            }
            for (i, o) in out.iter_mut().enumerate() {
                let at = offset + i;
                *o = if at < self.0.len() {
                    self.0[at]
                } else {
                    self.1[at - self.0.len()]
                };
            }
            true
        }
    }

    fn well_formed(p: &Parsed) {
        match p.key.family {
            Family::V4 => assert!(p.key.src[4..]
                .iter()
                .chain(&p.key.dst[4..])
                .all(|&b| b == 0)),
            Family::V6 => {}
        }
        if p.kind != ParseKind::Complete {
            // Ports only as the SPI or the IGMP type of a protocol the parser stops at.
            let ports = (u32::from(p.key.src_port) << 16) | u32::from(p.key.dst_port);
            let kept = p.key.ipsec_spi() | u32::from(p.key.igmp_type());
            assert!(ports == 0 || ports == kept);
            assert_eq!(p.tcp_flags, 0);
        }
        if p.kind == ParseKind::Complete && !has_ports(p.key.protocol) {
            assert_eq!(p.key.src_port, 0);
        }
    }

    /// One fuzz input.
    pub fn run(data: &[u8]) {
        let Some((&cut, pkt)) = data.split_first() else {
            return;
        };
        let cut = usize::from(cut).min(pkt.len());
        let split = Split(&pkt[..cut], &pkt[cut..]);
        let v4 = parse_ipv4(pkt, 7);
        assert_eq!(v4, parse_ipv4(&split, 7));
        let v6 = parse_ipv6(pkt, 7);
        assert_eq!(v6, parse_ipv6(&split, 7));
        for p in [v4, v6].iter().flatten() {
            well_formed(p);
            assert_eq!(p.key.in_if, 7);
        }
    }
}

/// Every setting's parser, on any bytes: never panics; a number it accepts is in the
/// setting's range (or the list, or 0 where 0 is allowed); a refusal's message formats.
pub mod settings {
    use crate::settings::spec::{Kind, Refused, Value, ANY_CPU, MAX_CPU, SPECS};
    use std::fmt::Write;

    /// One fuzz input.
    pub fn run(data: &[u8]) {
        let Some((&pick, value)) = data.split_first() else {
            return;
        };
        let spec = &SPECS[usize::from(pick) % SPECS.len()];
        match spec.parse(value) {
            Ok(Value::Number(v)) => match spec.kind {
                Kind::Number { min, max, zero } => {
                    assert!(
                        (v == 0 && zero) || (min..=max).contains(&v),
                        "{v} outside {min}..={max}"
                    )
                }
                Kind::OneOf(list) => assert!(list.contains(&v)),
                Kind::Cpu => assert!(v == ANY_CPU || v <= MAX_CPU, "CPU {v}"),
                Kind::Sampler => {
                    // What is kept decodes to the sampler that reads back the same text.
                    let s = crate::flow::sampling::Sampler::decode(v);
                    assert_eq!(crate::flow::sampling::Sampler::encode(s), v);
                    if let Some(s) = s {
                        let text = s.to_string();
                        assert_eq!(spec.parse(text.as_bytes()), Ok(Value::Number(v)));
                    }
                }
                _ => panic!("number for a text setting"),
            },
            Ok(Value::Destinations(d)) => {
                assert!(matches!(spec.kind, Kind::Destinations) && !d.is_empty())
            }
            Ok(Value::Rules(_)) => assert!(matches!(spec.kind, Kind::Aggregation)),
            Err(why) => {
                let mut msg = String::new();
                write!(msg, "{}", Refused { value, why: &why }).unwrap();
                assert!(msg.contains("refused: "));
            }
        }
    }
}

/// Sysctl number parser: never panics; accepts exactly what `u64::from_str` accepts as
/// plain digits (after trimming whitespace) within the range.
pub mod settings_number {
    use crate::settings::number::{parse_in_range, NumberError};

    /// One fuzz input.
    pub fn run(data: &[u8]) {
        if data.len() < 16 {
            return;
        }
        let (bounds, text) = data.split_at(16);
        let min = u64::from_le_bytes(bounds[..8].try_into().unwrap());
        let max = u64::from_le_bytes(bounds[8..].try_into().unwrap());
        let Ok(s) = std::str::from_utf8(text) else {
            return;
        };
        let t = s.trim();
        let reference = if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            match t.parse::<u64>() {
                Ok(v) if v < min => Err(NumberError::TooSmall(min)),
                Ok(v) if v > max => Err(NumberError::TooLarge(max)),
                Ok(v) => Ok(v),
                Err(_) => Err(NumberError::TooLarge(max)),
            }
        } else {
            Err(NumberError::NotANumber)
        };
        assert_eq!(parse_in_range(s, min, max), reference);
    }
}

/// ctnetlink event parser: never panics, and reports at most one message per 16 bytes
/// (a netlink header's size) plus one for a cut tail.
pub mod ctnetlink {
    use crate::nat::ctnetlink::{parse, Message};

    /// One fuzz input.
    pub fn run(data: &[u8]) {
        let mut n = 0;
        parse(data, 1, |m| {
            n += 1;
            // A create or delete needs both tuples: its addresses came from the input.
            if let Message::Nat(ev) = m {
                assert!(data.len() >= 20 + 2 * 4, "{ev:?} from {} bytes", data.len());
            }
        });
        assert!(n <= data.len() / 16 + 1);
    }
}
