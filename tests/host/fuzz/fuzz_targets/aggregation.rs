// SPDX-License-Identifier: GPL-2.0

//! Aggregation parser and matcher: never panics; accepted rule sets hold at most 32 rules,
//! print back to themselves, and applying them to any key is idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netflow_pure::aggregation::rules::{parse, Rule, MAX_LEN, MAX_RULES};
use netflow_pure::flow::key::{Family, FlowKey};

fuzz_target!(|data: &[u8]| {
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
});
