// SPDX-License-Identifier: GPL-2.0

//! Numbers written to sysctls: decimal, in a range, nothing else.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use core::fmt;

/// Why a number was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum NumberError {
    /// Not a plain decimal number (sign, spaces inside, letters, empty...).
    NotANumber,
    /// Below the minimum.
    TooSmall(u64),
    /// Above the maximum (or beyond 64 bits).
    TooLarge(u64),
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberError::NotANumber => write!(f, "not a decimal number"),
            NumberError::TooSmall(min) => write!(f, "below the minimum {min}"),
            NumberError::TooLarge(max) => write!(f, "above the maximum {max}"),
        }
    }
}

/// Parses `s` (surrounding whitespace allowed) as a decimal in `min..=max`.
pub(crate) fn parse_in_range(s: &str, min: u64, max: u64) -> Result<u64, NumberError> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::NotANumber);
    }
    let mut value: u64 = 0;
    for b in s.bytes() {
        value = value
            .checked_mul(10)
            // b is an ASCII digit (checked above): b - b'0' is 0..=9.
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
            .ok_or(NumberError::TooLarge(max))?;
    }
    if value < min {
        return Err(NumberError::TooSmall(min));
    }
    if value > max {
        return Err(NumberError::TooLarge(max));
    }
    Ok(value)
}
