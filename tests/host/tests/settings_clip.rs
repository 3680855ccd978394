// SPDX-License-Identifier: GPL-2.0

//! Refusal messages are clipped: a 1 KiB value quoted whole made the dmesg line vanish
//! (found by tests/cases/rel_hostile_config.sh).

use crate::settings::clip::{Clipped, MAX_SHOWN};

fn clipped(args: std::fmt::Arguments<'_>) -> String {
    format!("{}", Clipped(args))
}

#[test]
fn short_messages_unchanged() {
    let v = "abc";
    assert_eq!(
        clipped(format_args!("'{}' refused: not a decimal number", v)),
        "'abc' refused: not a decimal number"
    );
    assert_eq!(clipped(format_args!("")), "");
}

#[test]
fn a_1023_byte_value_is_clipped() {
    let v = "9".repeat(1023);
    let m = clipped(format_args!(
        "'{}' refused: above the maximum 2147483648",
        v
    ));
    assert_eq!(m.len(), MAX_SHOWN + 3);
    assert!(m.starts_with("'999"));
    assert!(m.ends_with("9..."));
}

#[test]
fn exactly_the_limit_is_not_clipped() {
    let v = "x".repeat(MAX_SHOWN);
    assert_eq!(clipped(format_args!("{}", v)), v);
    let m = clipped(format_args!("{}{}", v, "y"));
    assert_eq!(m, format!("{v}..."));
}

#[test]
fn cut_on_a_character_boundary() {
    // 2-byte characters from an odd offset: the cut falls inside one.
    let v = "é".repeat(300);
    let m = clipped(format_args!("'{}'", v));
    assert!(m.len() <= MAX_SHOWN + 3);
    assert!(m.ends_with("é..."));
}

#[test]
fn many_pieces() {
    // The message arrives in many small writes; the limit holds across them.
    let parts = ["ab"; 500];
    let m = clipped(format_args!("{}", parts.concat()));
    assert_eq!(m.len(), MAX_SHOWN + 3);
    let m2 = format!(
        "{}",
        Clipped(format_args!(
            "{}{}{}",
            "a".repeat(150),
            "b".repeat(40),
            "c".repeat(40)
        ))
    );
    assert_eq!(
        m2,
        format!("{}{}{}...", "a".repeat(150), "b".repeat(40), "c".repeat(10))
    );
}
