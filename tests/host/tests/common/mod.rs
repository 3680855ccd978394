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

    /// The input of round `round` of a randomized parser test, left in `s`: on even rounds
    /// one of `seeds` with one to five bytes replaced, removed or inserted (from
    /// `alphabet`), on odd rounds up to 79 bytes of `alphabet`.
    pub fn mutated(&mut self, round: usize, seeds: &[&str], alphabet: &[u8], s: &mut Vec<u8>) {
        s.clear();
        if round % 2 == 0 {
            s.extend_from_slice(seeds[self.below(seeds.len())].as_bytes());
            for _ in 0..=self.below(4) {
                let at = self.below(s.len() + 1);
                match self.below(3) {
                    0 if at < s.len() => s[at] = alphabet[self.below(alphabet.len())],
                    1 if at < s.len() => {
                        s.remove(at);
                    }
                    _ => s.insert(at, alphabet[self.below(alphabet.len())]),
                }
            }
        } else {
            let n = self.below(80);
            s.extend((0..n).map(|_| alphabet[self.below(alphabet.len())]));
        }
    }
}
