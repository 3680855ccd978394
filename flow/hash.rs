// SPDX-License-Identifier: GPL-2.0

//! Hashing flow keys into table buckets.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::flow::key::{Family, FlowKey};

/// Odd constants with about half their bits set (wyhash's), one per input word, so that
/// equal words in different fields do not cancel out.
const P: [u64; 4] = [
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

/// The 8-byte little-endian word at `i` (0 or 8) of a 16-byte address (the same hash on
/// every CPU).
#[inline(always)]
fn word64(a: &[u8; 16], i: usize) -> u64 {
    let mut w = [0u8; 8];
    // Only called with 0 and 8: i + 8 <= 16, in bounds.
    w.copy_from_slice(&a[i..i + 8]);
    u64::from_le_bytes(w)
}

/// The 4-byte little-endian word at the start of an address (IPv4's).
#[inline(always)]
fn word32(a: &[u8; 16]) -> u64 {
    u64::from(u32::from_le_bytes([a[0], a[1], a[2], a[3]]))
}

/// Hashes every field of `key`, seeded: 64-bit multiply-and-fold rounds over the key's
/// words (as wyhash). Of an IPv4 key's addresses only the first 4 bytes are hashed: the
/// rest is zero (see [`Family::V4`]), so an IPv4 key is one round and a final one.
/// Keys are still compared whole.
///
/// Not cryptographic: `seed` should be random per table so that remote senders cannot
/// aim many flows at one bucket without knowing it. Both operands of every round over
/// packet data are seeded: an operand a sender could make zero would void the other.
#[inline(always)]
pub(crate) fn flow_hash(key: &FlowKey, seed: u64) -> u32 {
    let s = |n: u32| seed.rotate_left(n);
    // Shifts of 8/16/32 bits of values widened to u64: no bit is lost.
    let rest =
        (u64::from(key.in_if) << 32) | (u64::from(key.src_port) << 16) | u64::from(key.dst_port);
    let small =
        u64::from(key.protocol) | (u64::from(key.tos) << 8) | (u64::from(key.family as u8) << 16);
    let addrs = match key.family {
        Family::V4 => mum(
            (word32(&key.src) | (word32(&key.dst) << 32)) ^ P[0] ^ seed,
            rest ^ P[1] ^ s(32),
        ),
        Family::V6 => {
            mum(
                word64(&key.src, 0) ^ P[0] ^ seed,
                word64(&key.src, 8) ^ P[1] ^ s(32),
            ) ^ mum(
                word64(&key.dst, 0) ^ P[2] ^ s(16),
                word64(&key.dst, 8) ^ P[3] ^ s(48),
            ) ^ rest
        }
    };
    let h = mum(addrs ^ P[2], small ^ P[3] ^ seed);
    // The high half into the low: the table files by the high bits of the 32.
    (h ^ (h >> 32)) as u32
}
