// SPDX-License-Identifier: GPL-2.0

//! The sampler: C's syntax, what is refused, the encoding kept in a setting, the v5 field,
//! and the share of flows each mode keeps.

use super::common::XorShift;
use crate::flow::sampling::{Mode, Sampler, SamplerError, MAX_INTERVAL};
use crate::settings::spec::{Refusal, Setting, Value};

#[test]
fn parses_c_syntax() {
    for (text, mode, n) in [
        ("deterministic:10", Mode::Deterministic, 10),
        ("random:2", Mode::Random, 2),
        ("hash:16383", Mode::Hash, 16383),
        (" hash:100\n", Mode::Hash, 100),
    ] {
        let s = Sampler::parse(text).unwrap().unwrap();
        assert_eq!((s.mode(), s.interval()), (mode, n), "{text}");
        assert_eq!(Sampler::parse(&s.to_string()), Ok(Some(s)));
    }
    for off in ["", "0", " ", "\n"] {
        assert_eq!(Sampler::parse(off), Ok(None), "{off:?}");
    }
}

#[test]
fn refuses_bad_text() {
    for (text, why) in [
        ("hash:1", SamplerError::Interval),
        ("hash:0", SamplerError::Interval),
        ("random:16384", SamplerError::Interval),
        ("random:99999999999999999999", SamplerError::Interval),
        ("foo:10", SamplerError::Mode),
        ("Hash:10", SamplerError::Mode),
        (":10", SamplerError::Mode),
        ("deterministic:", SamplerError::NotNumber),
        ("deterministic:1x", SamplerError::NotNumber),
        ("deterministic:-5", SamplerError::NotNumber),
        ("deterministic: 5", SamplerError::NotNumber),
        ("deterministic", SamplerError::NoInterval),
        ("10", SamplerError::NoInterval),
    ] {
        assert_eq!(Sampler::parse(text), Err(why), "{text}");
    }
}

#[test]
fn the_setting_refuses_with_a_message_and_reads_back() {
    let spec = Setting::Sampler.spec();
    assert_eq!(spec.default, "");
    assert_eq!(spec.parse(b""), Ok(Value::Number(0)));
    let Ok(Value::Number(v)) = spec.parse(b"hash:100") else {
        panic!("hash:100 refused");
    };
    assert_eq!(Sampler::decode(v).unwrap().to_string(), "hash:100");
    let why = spec.parse(b"random:16384").unwrap_err();
    assert_eq!(why, Refusal::Sampler(SamplerError::Interval));
    assert_eq!(why.to_string(), format!("N is not in 2..{MAX_INTERVAL}"));
}

#[test]
fn encoding_round_trips_and_rejects_garbage() {
    assert_eq!(Sampler::encode(None), 0);
    assert_eq!(Sampler::decode(0), None);
    for mode in [Mode::Deterministic, Mode::Random, Mode::Hash] {
        for n in [2, 3, 100, MAX_INTERVAL] {
            let s = Sampler::new(mode, n).unwrap();
            assert_eq!(Sampler::decode(Sampler::encode(Some(s))), Some(s));
        }
    }
    assert_eq!(Sampler::new(Mode::Hash, 1), None);
    assert_eq!(Sampler::new(Mode::Hash, MAX_INTERVAL + 1), None);
    // A mode that does not exist, an interval out of range.
    assert_eq!(Sampler::decode(4 << 16 | 10), None);
    assert_eq!(Sampler::decode(1 << 16 | 1), None);
    assert_eq!(Sampler::decode(u64::MAX), None);
}

#[test]
fn v5_field_has_mode_and_interval_hash_told_as_random() {
    let f = |m, n| Sampler::new(m, n).unwrap().v5_field();
    assert_eq!(f(Mode::Deterministic, 10), 0x4000 | 10);
    assert_eq!(f(Mode::Random, 100), 0x8000 | 100);
    assert_eq!(f(Mode::Hash, MAX_INTERVAL), 0x8000 | 0x3fff);
    assert_eq!(
        Sampler::new(Mode::Hash, 5).unwrap().reported_mode(),
        Mode::Random
    );
}

#[test]
fn deterministic_keeps_every_nth() {
    let s = Sampler::new(Mode::Deterministic, 10).unwrap();
    let kept: Vec<u64> = (0..1000).filter(|&n| s.keeps_nth(n)).collect();
    assert_eq!(kept.len(), 100);
    assert!(kept.iter().all(|n| n % 10 == 0));
    assert!(s.keeps_nth(u64::MAX - 5)); // 2^64 - 6 is a multiple of 10
}

#[test]
fn random_and_hash_keep_about_one_in_n() {
    let mut rng = XorShift(7);
    for n in [2u16, 10, 100, MAX_INTERVAL] {
        let s = Sampler::new(Mode::Random, n).unwrap();
        let h = Sampler::new(Mode::Hash, n).unwrap();
        let trials = 200_000u32;
        let (mut r, mut k) = (0u32, 0u32);
        for i in 0..trials {
            r += u32::from(s.keeps_random(rng.next() as u32));
            // Consecutive hashes too: the mix spreads them.
            k += u32::from(h.keeps_hash(i));
        }
        let want = f64::from(trials) / f64::from(n);
        let tol = 5.0 * want.sqrt() + 2.0;
        assert!(
            (f64::from(r) - want).abs() < tol,
            "random {n}: {r} of {trials}"
        );
        assert!(
            (f64::from(k) - want).abs() < tol,
            "hash {n}: {k} of {trials}"
        );
    }
    // The extremes of the range.
    let s = Sampler::new(Mode::Random, 2).unwrap();
    assert!(s.keeps_random(0) && !s.keeps_random(u32::MAX));
}

#[test]
fn hash_kept_flows_spread_over_the_buckets() {
    // The table files by multiply-shift of the same hash: kept flows must not crowd into
    // the first 1/N of the buckets.
    let h = Sampler::new(Mode::Hash, 10).unwrap();
    let buckets = 1024u64;
    let mut used = vec![0u32; buckets as usize];
    let mut rng = XorShift(11);
    for _ in 0..100_000 {
        let hash = rng.next() as u32;
        if h.keeps_hash(hash) {
            used[((u64::from(hash) * buckets) >> 32) as usize] += 1;
        }
    }
    let empty = used.iter().filter(|&&c| c == 0).count();
    assert!(empty < 5, "{empty} of {buckets} buckets got no kept flow");
    assert!(used[buckets as usize / 2..].iter().sum::<u32>() > 4000);
}
