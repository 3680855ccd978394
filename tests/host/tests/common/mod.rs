// SPDX-License-Identifier: GPL-2.0

//! Helpers shared by every host test crate (`mod common;`), whatever it tests.
#![allow(dead_code)]

/// Marsaglia's xorshift64 (13, 7, 17): a deterministic pseudo-random sequence, so a
/// randomized test fails the same way on every run. The seed must not be 0.
pub struct XorShift(pub u64);

impl XorShift {
    /// The next value of the sequence.
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A value in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
