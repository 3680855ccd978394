// SPDX-License-Identifier: GPL-2.0

//! `destination` parser: never panics; what it accepts is 1..=16 distinct collectors with
//! non-zero ports and sources of the collector's family, and prints back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netflow_pure::export::destination::{parse, MAX_DESTINATIONS};
use std::fmt::Write;

fuzz_target!(|data: &[u8]| {
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
        write!(text, "{e},").unwrap();
    }
    // What /proc and the sysctl print reads back as the same collectors.
    let again = parse(&text).expect("printed destinations parse");
    assert!(again.iter().map(|e| e.addr).eq(d.iter().map(|e| e.addr)));
});
