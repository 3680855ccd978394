// SPDX-License-Identifier: GPL-2.0

use crate::flow::rate::{metric_x100, Average, Rate};

#[test]
fn first_sample_only_records() {
    let mut r = Rate::default();
    r.sample(1000, 1000);
    assert_eq!(r.per_sec, 0);
    r.sample(3000, 1000);
    assert_eq!(r.per_sec, 2000);
    r.sample(3500, 500);
    assert_eq!(r.per_sec, 1000);
}

#[test]
fn averages_converge_at_their_speeds() {
    let mut a = Average::default();
    for _ in 0..60 {
        a.update(1000);
    }
    // After one window, an EWMA reaches 1 - 1/e of a step.
    let one = a.get(0);
    assert!((620..=645).contains(&one), "1 min average {one}");
    assert!(a.get(1) < one && a.get(2) < a.get(1));
    for _ in 0..10_000 {
        a.update(1000);
    }
    for w in 0..3 {
        assert!((990..=1000).contains(&a.get(w)), "window {w}: {}", a.get(w));
    }
    assert_eq!(a.get(7), 0);
}

#[test]
fn huge_values_saturate_instead_of_overflowing() {
    let mut r = Rate::default();
    r.sample(0, 1000);
    r.sample(u64::MAX, 1);
    r.avg.update(u64::MAX);
    let _ = r.avg.get(2);
}

#[test]
fn metric_is_flows_looked_at_per_lookup() {
    assert_eq!(metric_x100(0, 0, 0), 100);
    // Every packet found its flow first in the chain (nothing passed over).
    assert_eq!(metric_x100(0, 10, 0), 100);
    // New flows in empty buckets.
    assert_eq!(metric_x100(0, 0, 10), 100);
    // Half the hits passed over one other flow first.
    assert_eq!(metric_x100(5, 10, 0), 150);
    // New flows in buckets of one other flow each: two looks per lookup.
    assert_eq!(metric_x100(10, 0, 10), 200);
    // Sums saturate.
    assert_eq!(metric_x100(u64::MAX, u64::MAX, u64::MAX), 1);
}
