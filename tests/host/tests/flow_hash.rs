// SPDX-License-Identifier: GPL-2.0

//! Flow hash quality and bucket reduction.

use super::common::XorShift;
use crate::flow::hash::{self, HashSeed};
use crate::flow::key::{Family, FlowKey};
use crate::glue::bucket::bucket_index;

fn flow_hash(k: &FlowKey, seed: u64) -> u32 {
    hash::flow_hash(k, &HashSeed::new(seed))
}

fn key4(src: u32, dst: u32, sport: u16, dport: u16) -> FlowKey {
    let mut k = FlowKey {
        src: [0; 16],
        dst: [0; 16],
        in_if: 2,
        src_port: sport,
        dst_port: dport,
        protocol: 6,
        tos: 0,
        family: Family::V4,
    };
    k.src[..4].copy_from_slice(&src.to_be_bytes());
    k.dst[..4].copy_from_slice(&dst.to_be_bytes());
    k
}

fn random_key(rng: &mut XorShift) -> FlowKey {
    let mut k = key4(0, 0, 0, 0);
    for b in k.src.iter_mut().chain(k.dst.iter_mut()) {
        *b = rng.next() as u8;
    }
    k.in_if = rng.next() as u32;
    k.src_port = rng.next() as u16;
    k.dst_port = rng.next() as u16;
    k.protocol = rng.next() as u8;
    k.tos = rng.next() as u8;
    k.family = if rng.next() & 1 == 0 {
        Family::V4
    } else {
        Family::V6
    };
    if k.family == Family::V4 {
        // An IPv4 key's addresses are 4 bytes; the rest is zero.
        k.src[4..].fill(0);
        k.dst[4..].fill(0);
    }
    k
}

/// Bits of a key's fields but the family, as `flip` numbers them.
const KEY_BITS: usize = 336;

/// Flips bit `bit` (< [`KEY_BITS`]) of `k`'s fields: addresses, interface, ports,
/// protocol, TOS.
fn flip(k: &mut FlowKey, bit: usize) {
    match bit {
        0..=127 => k.src[bit / 8] ^= 1 << (bit % 8),
        128..=255 => k.dst[(bit - 128) / 8] ^= 1 << (bit % 8),
        256..=287 => k.in_if ^= 1 << (bit - 256),
        288..=303 => k.src_port ^= 1 << (bit - 288),
        304..=319 => k.dst_port ^= 1 << (bit - 304),
        320..=327 => k.protocol ^= 1 << (bit - 320),
        _ => k.tos ^= 1 << (bit - 328),
    }
}

/// Longest chain when hashing `keys` into `buckets`.
fn max_chain(keys: impl Iterator<Item = FlowKey>, buckets: usize, seed: u64) -> (usize, usize) {
    let mut counts = vec![0usize; buckets];
    for k in keys {
        counts[bucket_index(flow_hash(&k, seed), buckets)] += 1;
    }
    let empty = counts.iter().filter(|&&c| c == 0).count();
    (counts.into_iter().max().unwrap(), empty)
}

#[test]
fn deterministic_and_seeded() {
    let k = key4(0x0a000001, 0x0a000002, 1000, 80);
    assert_eq!(flow_hash(&k, 1), flow_hash(&k, 1));
    assert_ne!(flow_hash(&k, 1), flow_hash(&k, 2));
    let k2 = k;
    assert_eq!(flow_hash(&k, 0), flow_hash(&k2, 0));
}

#[test]
fn every_ipv6_address_byte_matters() {
    let mut base = key4(0x0a000001, 0x0a000002, 1000, 80);
    base.family = Family::V6;
    let h = flow_hash(&base, 7);
    for i in 0..16 {
        let mut k = base;
        k.src[i] ^= 1;
        assert_ne!(flow_hash(&k, 7), h, "src byte {i}");
        let mut k = base;
        k.dst[i] ^= 1;
        assert_ne!(flow_hash(&k, 7), h, "dst byte {i}");
    }
}

#[test]
fn every_field_matters() {
    let base = key4(0x0a000001, 0x0a000002, 1000, 80);
    let h = flow_hash(&base, 7);
    let mut variants = Vec::new();
    let mut k = base;
    k.src[3] ^= 0x80;
    variants.push(k);
    let mut k = base;
    k.dst[1] ^= 1;
    variants.push(k);
    let mut k = base;
    k.in_if = 3;
    variants.push(k);
    let mut k = base;
    k.src_port = 1001;
    variants.push(k);
    let mut k = base;
    k.dst_port = 81;
    variants.push(k);
    let mut k = base;
    k.protocol = 17;
    variants.push(k);
    let mut k = base;
    k.tos = 4;
    variants.push(k);
    let mut k = base;
    k.family = Family::V6;
    variants.push(k);
    // Swapping ports or addresses is a different flow (the other direction).
    let mut k = base;
    core::mem::swap(&mut k.src_port, &mut k.dst_port);
    variants.push(k);
    let mut k = base;
    core::mem::swap(&mut k.src, &mut k.dst);
    variants.push(k);
    for (i, v) in variants.iter().enumerate() {
        assert_ne!(flow_hash(v, 7), h, "variant {i}");
    }
}

#[test]
fn avalanche() {
    // Flipping any single input bit flips about half the output bits.
    let mut rng = XorShift(0x1234_5678_9abc_def1);
    let mut total = 0u64;
    let mut n = 0u64;
    let mut per_bit = [0u64; 32];
    for _ in 0..2000 {
        let k = random_key(&mut rng);
        let h = flow_hash(&k, 0xdead_beef);
        for bit in (0..KEY_BITS).step_by(7) {
            // Of an IPv4 key's addresses only the first 4 bytes are the key's.
            let beyond_v4 = matches!(bit, 32..=127 | 160..=255);
            if k.family == Family::V4 && beyond_v4 {
                continue;
            }
            let mut m = k;
            flip(&mut m, bit);
            let d = h ^ flow_hash(&m, 0xdead_beef);
            total += u64::from(d.count_ones());
            for (i, c) in per_bit.iter_mut().enumerate() {
                *c += u64::from(d >> i & 1);
            }
            n += 1;
        }
    }
    let avg = total as f64 / n as f64;
    assert!((15.5..16.5).contains(&avg), "average flipped bits {avg}");
    for (i, &c) in per_bit.iter().enumerate() {
        let p = c as f64 / n as f64;
        assert!((0.45..0.55).contains(&p), "output bit {i} flips with p={p}");
    }
}

#[test]
fn no_operand_a_sender_picks_voids_the_other() {
    // A multiply round loses its other operand when one is 0. The round constants are
    // public, so an operand that were only the packet's word XOR a constant could be made
    // 0 by a sender (an IPv6 address half equal to the constant): every key differing
    // only in the other half would then collide. Seeded operands leave nothing to aim at.
    let mut rng = XorShift(77);
    for c in hash::P {
        for (field, half) in [(0, 0), (0, 8), (1, 0), (1, 8)] {
            let mut base = key4(0, 0, 443, 50000);
            base.family = Family::V6;
            let addr = if field == 0 {
                &mut base.src
            } else {
                &mut base.dst
            };
            addr[half..half + 8].copy_from_slice(&c.to_le_bytes());
            // Keys that differ only in the address's other half.
            let other = 8 - half;
            let mut hashes: Vec<u32> = (0..2000)
                .map(|_| {
                    let mut k = base;
                    let addr = if field == 0 { &mut k.src } else { &mut k.dst };
                    addr[other..other + 8].copy_from_slice(&rng.next().to_le_bytes());
                    flow_hash(&k, 0x0123_4567_89ab_cdef)
                })
                .collect();
            hashes.sort_unstable();
            hashes.dedup();
            // 2000 random 32-bit values: a collision has probability about 1/2000.
            assert!(
                hashes.len() >= 1998,
                "constant {c:#x}, field {field}, half {half}: {} distinct",
                hashes.len()
            );
        }
    }
}

#[test]
fn sequential_addresses_spread() {
    // 100k sequential sources into 65536 buckets: a random hash gives max chain ~8-9.
    let keys = (0..100_000u32).map(|i| key4(0x0a00_0000 + i, 0xc000_0201, 12345, 80));
    let (max, empty) = max_chain(keys, 65536, 0x5eed);
    assert!(max <= 12, "max chain {max}");
    // Poisson(1.526): about 21.7% of buckets empty.
    let frac = empty as f64 / 65536.0;
    assert!((0.20..0.235).contains(&frac), "empty fraction {frac}");
}

#[test]
fn sequential_ports_and_odd_bucket_counts() {
    for buckets in [256usize, 1000, 4099, 65537, 100_003] {
        let n = buckets * 2;
        let keys = (0..n).map(|i| {
            key4(
                0x0a000001,
                0x0a000002,
                (i % 65536) as u16,
                (i / 65536) as u16,
            )
        });
        let (max, _) = max_chain(keys, buckets, 99);
        assert!(max <= 14, "buckets {buckets}: max chain {max}");
    }
    // IPv6 keys differing only in the last address byte pair.
    let keys = (0..50_000u32).map(|i| {
        let mut k = key4(0, 0, 443, 50000);
        k.family = Family::V6;
        k.src = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        k.src[12..].copy_from_slice(&i.to_be_bytes());
        k
    });
    let (max, _) = max_chain(keys, 32768, 3);
    assert!(max <= 12, "v6 max chain {max}");
}

#[test]
fn bucket_index_in_range() {
    let mut rng = XorShift(42);
    assert_eq!(bucket_index(12345, 0), 0);
    assert_eq!(bucket_index(u32::MAX, 1), 0);
    for buckets in [
        1usize,
        2,
        3,
        255,
        256,
        1000,
        65536,
        1 << 31,
        u32::MAX as usize,
    ] {
        assert_eq!(bucket_index(0, buckets), 0);
        assert_eq!(
            bucket_index(u32::MAX, buckets),
            buckets - 1,
            "buckets {buckets}"
        );
        for _ in 0..10_000 {
            assert!(bucket_index(rng.next() as u32, buckets) < buckets);
        }
    }
    // Huge counts (64-bit hosts) stay in range and never overflow.
    assert!(bucket_index(u32::MAX, usize::MAX) < usize::MAX);
    // Monotonic in the hash: the reduction keeps order.
    let mut last = 0;
    for h in (0..=u32::MAX).step_by(65_521) {
        let b = bucket_index(h, 1000);
        assert!(b >= last);
        last = b;
    }
}

#[test]
fn bucket_index_uniform_over_hash_space() {
    // Each bucket gets floor or ceil of 2^32 / buckets hashes.
    let buckets = 7usize;
    let mut boundaries = Vec::new();
    let mut prev = 0;
    for h in (0..=u32::MAX).step_by(1 << 12) {
        let b = bucket_index(h, buckets);
        if b != prev {
            boundaries.push(h);
            prev = b;
        }
    }
    assert_eq!(boundaries.len(), buckets - 1);
}

#[test]
fn key_equality_sees_every_field_bit() {
    // The compare works on packed words: a bit of any field, flipped, makes another key.
    let mut rng = XorShift(0x600d_cafe);
    for _ in 0..200 {
        let k = random_key(&mut rng);
        let copy = k;
        assert_eq!(k, copy);
        for bit in 0..KEY_BITS {
            let mut m = k;
            flip(&mut m, bit);
            assert_ne!(k, m, "bit {bit}");
        }
        let mut m = k;
        m.family = match k.family {
            Family::V4 => Family::V6,
            Family::V6 => Family::V4,
        };
        assert_ne!(k, m, "family");
    }
}
