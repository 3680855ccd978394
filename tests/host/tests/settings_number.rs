// SPDX-License-Identifier: GPL-2.0

use super::common::XorShift;
use crate::settings::number::{parse_in_range, NumberError};

#[test]
fn accepts_plain_decimals_in_range() {
    assert_eq!(parse_in_range("15", 1, 100), Ok(15));
    assert_eq!(
        parse_in_range(" 32768\n", 256, u64::from(u32::MAX)),
        Ok(32768)
    );
    assert_eq!(parse_in_range("0", 0, 0), Ok(0));
    assert_eq!(
        parse_in_range("18446744073709551615", 0, u64::MAX),
        Ok(u64::MAX)
    );
}

#[test]
fn refuses_everything_else() {
    for bad in ["", " ", "-5", "+5", "abc", "1x", "0x10", "1 2", "1.5", "١"] {
        assert_eq!(
            parse_in_range(bad, 0, 100),
            Err(NumberError::NotANumber),
            "{bad:?}"
        );
    }
    assert_eq!(
        parse_in_range("255", 256, 1000),
        Err(NumberError::TooSmall(256))
    );
    assert_eq!(
        parse_in_range("1001", 256, 1000),
        Err(NumberError::TooLarge(1000))
    );
    assert_eq!(
        parse_in_range("18446744073709551616", 0, u64::MAX),
        Err(NumberError::TooLarge(u64::MAX))
    );
    assert_eq!(
        parse_in_range("99999999999999999999999", 0, 10),
        Err(NumberError::TooLarge(10))
    );
}

#[test]
fn random_strings_never_panic() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let alphabet = b"0123456789 -+x\n\t.a";
    for _ in 0..100_000 {
        let x = rng.next();
        let len = (x % 24) as usize;
        let s: String = (0..len)
            .map(|i| alphabet[((x >> (i % 8 * 8)) as usize + i) % alphabet.len()] as char)
            .collect();
        let _ = parse_in_range(&s, x % 1000, 1000 + x % 100_000);
    }
}
