// SPDX-License-Identifier: GPL-2.0

//! Hashing flow keys into table buckets.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::flow::key::{Family, FlowKey};

/// MurmurHash3 (x86_32) per-word mixing constants.
const C1: u32 = 0xcc9e_2d51;
const C2: u32 = 0x1b87_3593;

/// Mixes one 32-bit word into the running state (MurmurHash3 body step).
#[inline]
fn mix(h: u32, k: u32) -> u32 {
    let k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
    (h ^ k)
        .rotate_left(13)
        .wrapping_mul(5)
        .wrapping_add(0xe654_6b64)
}

/// MurmurHash3 finaliser: every input bit affects every output bit.
#[inline]
fn fmix(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// The little-endian word at `i` (0, 4, 8 or 12) of a 16-byte address (so the hash is
/// the same on every CPU).
#[inline]
fn word(a: &[u8; 16], i: usize) -> u32 {
    // Only called with 0, 4, 8, 12: i + 3 <= 15, in bounds of the 16 bytes.
    u32::from_le_bytes([a[i], a[i + 1], a[i + 2], a[i + 3]])
}

/// Mixes the four words of a 16-byte address.
#[inline]
fn mix_addr(h: u32, a: &[u8; 16]) -> u32 {
    mix(
        mix(mix(mix(h, word(a, 0)), word(a, 4)), word(a, 8)),
        word(a, 12),
    )
}

/// Hashes every field of `key` (MurmurHash3-style, seeded). Of an IPv4 key's addresses
/// only the first 4 bytes are hashed: the rest is zero (see [`Family::V4`]), so 5 words
/// are mixed instead of 11. Keys are still compared whole.
///
/// Not cryptographic: `seed` should be random per table so that remote senders cannot
/// aim many flows at one bucket without knowing it.
#[inline]
pub(crate) fn flow_hash(key: &FlowKey, seed: u32) -> u32 {
    // Murmur folds the input length in: 5 or 11 words.
    let (mut h, len) = match key.family {
        Family::V4 => (mix(mix(seed, word(&key.src, 0)), word(&key.dst, 0)), 20),
        Family::V6 => (mix_addr(mix_addr(seed, &key.src), &key.dst), 44),
    };
    h = mix(h, key.in_if);
    // Shifts of 8/16 bits of u8/u16 values widened to u32: no bit is lost.
    h = mix(h, (u32::from(key.src_port) << 16) | u32::from(key.dst_port));
    h = mix(
        h,
        u32::from(key.protocol) | (u32::from(key.tos) << 8) | (u32::from(key.family as u8) << 16),
    );
    fmix(h ^ len)
}
