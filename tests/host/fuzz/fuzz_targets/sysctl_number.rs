// SPDX-License-Identifier: GPL-2.0

//! Sysctl number parser: never panics; accepts exactly what `u64::from_str` accepts as
//! plain digits (after trimming whitespace) within the range.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netflow_pure::sysctl::number::{parse_in_range, NumberError};

fuzz_target!(|data: &[u8]| {
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
});
