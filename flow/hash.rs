// SPDX-License-Identifier: GPL-2.0

//! Hashing flow keys into table buckets.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::flow::key::{addr_word, Family, FlowKey};

/// Odd constants with about half their bits set (wyhash's), one per input word, so that
/// equal words in different fields do not cancel out. Public knowledge: what keeps a
/// sender from aiming at them is the seed (see [`HashSeed`]).
pub(crate) const P: [u64; 4] = [
    0xa076_1d64_78bd_642f,
    0xe703_7ed1_a0b4_28db,
    0x8ebc_6af0_9c88_c6e3,
    0x5899_65cc_7537_4cc3,
];

/// Multiplies two words into 128 bits and folds the halves: each output bit depends on
/// most input bits of both (wyhash's "mum").
#[inline(always)]
fn mum(a: u64, b: u64) -> u64 {
    // A product of two 64-bit values fits 128 bits: wrapping_mul never wraps here, it
    // only spares the packet path an overflow check.
    let r = u128::from(a).wrapping_mul(u128::from(b));
    // The low and the high half, each exactly 64 bits.
    (r as u64) ^ ((r >> 64) as u64)
}

/// The 4-byte little-endian word at the start of an address (IPv4's).
#[inline(always)]
fn word32(a: &[u8; 16]) -> u64 {
    u64::from(u32::from_le_bytes([a[0], a[1], a[2], a[3]]))
}

/// A table's hash seed, expanded once into the keys the rounds XOR in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HashSeed([u64; 5]);

impl HashSeed {
    /// The keys of `seed` (random per table): the round constants XOR the seed rotated
    /// differently per operand, so that no two operands share a key.
    pub(crate) fn new(seed: u64) -> Self {
        let s = |n: u32| seed.rotate_left(n);
        Self([
            P[0] ^ seed,
            P[1] ^ s(32),
            P[2] ^ s(16),
            P[3] ^ s(48),
            P[3] ^ s(8),
        ])
    }
}

/// Hashes every field of `key`: 64-bit multiply-and-fold rounds over the key's words (as
/// wyhash). Of an IPv4 key's addresses only the first 4 bytes are hashed: the rest is
/// zero (see [`Family::V4`]), so an IPv4 key is one round and a final one. Keys are still
/// compared whole.
///
/// Not cryptographic: the seed should be random per table so that remote senders cannot
/// aim many flows at one bucket without knowing it. Both operands of every round over
/// packet data are seeded: an operand a sender could make zero would void the other.
#[inline(always)]
pub(crate) fn flow_hash(key: &FlowKey, seed: &HashSeed) -> u32 {
    let k = &seed.0;
    let (rest, small) = key.words();
    let addrs = match key.family {
        Family::V4 => mum(
            (word32(&key.src) | (word32(&key.dst) << 32)) ^ k[0],
            rest ^ k[1],
        ),
        Family::V6 => {
            mum(addr_word(&key.src, 0) ^ k[0], addr_word(&key.src, 8) ^ k[1])
                ^ mum(addr_word(&key.dst, 0) ^ k[2], addr_word(&key.dst, 8) ^ k[3])
                ^ rest
        }
    };
    let h = mum(addrs ^ P[2], small ^ k[4]);
    // The high half into the low: the table files by the high bits of the 32.
    (h ^ (h >> 32)) as u32
}
