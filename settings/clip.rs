// SPDX-License-Identifier: GPL-2.0

//! Refusal messages quote the refused value, which may be 1 KiB of garbage: a printk line
//! that long vanishes from the log whole, so messages are clipped.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use core::fmt::{self, Write};

/// Most bytes of a refusal message shown: it may quote up to 1 KiB of garbage, and a line
/// that long does not make it to the log.
pub(crate) const MAX_SHOWN: usize = 200;

/// Shows a message cut at [`MAX_SHOWN`] bytes (on a character boundary), with `...`.
pub(crate) struct Clipped<'a>(pub fmt::Arguments<'a>);

/// Passes on at most `left` bytes.
struct Limit<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    left: usize,
    clipped: bool,
}

impl Write for Limit<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut end = s.len().min(self.left);
        // 0 is always a char boundary, so end never goes below 0.
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        if end < s.len() {
            self.clipped = true;
            self.left = 0;
        } else {
            // end = min(s.len(), left), maybe lowered: end <= left.
            self.left -= end;
        }
        self.f.write_str(s.get(..end).unwrap_or(""))
    }
}

impl fmt::Display for Clipped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut limit = Limit {
            f,
            left: MAX_SHOWN,
            clipped: false,
        };
        limit.write_fmt(self.0)?;
        if limit.clipped {
            limit.f.write_str("...")?;
        }
        Ok(())
    }
}
