// SPDX-License-Identifier: GPL-2.0

//! Export decisions for flows in the table.

use super::common::XorShift;
use crate::flow::aging::EndReason;
use crate::flow::aging::{due, pass_secs, Timeouts};

const T: Timeouts = Timeouts {
    inactive: 15_000,
    active: 1_800_000,
};
const GRACE: u64 = 2_000;
const TCP: u8 = 6;
const UDP: u8 = 17;
const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const RST: u8 = 0x04;
const ACK: u8 = 0x10;

#[test]
fn fresh_flow_not_due() {
    assert_eq!(due(1000, 1000, 1000, SYN | ACK, TCP, &T, GRACE), None);
    assert_eq!(due(5000, 1000, 4000, 0, UDP, &T, GRACE), None);
}

#[test]
fn idle_timeout_boundary() {
    assert_eq!(due(15_999, 1000, 1000, 0, UDP, &T, GRACE), None);
    assert_eq!(
        due(16_000, 1000, 1000, 0, UDP, &T, GRACE),
        Some(EndReason::IdleTimeout)
    );
}

#[test]
fn active_timeout_boundary() {
    // Busy flow: last packet just now.
    let now = 1_800_000 + 500;
    assert_eq!(due(now - 1, 500, now - 1, ACK, TCP, &T, GRACE), None);
    assert_eq!(
        due(now, 500, now, ACK, TCP, &T, GRACE),
        Some(EndReason::ActiveTimeout)
    );
}

#[test]
fn active_wins_over_idle_and_end() {
    assert_eq!(
        due(10_000_000, 0, 0, FIN | ACK, TCP, &T, GRACE),
        Some(EndReason::ActiveTimeout)
    );
}

#[test]
fn idle_wins_over_end() {
    assert_eq!(
        due(100_000, 50_000, 80_000, RST, TCP, &T, GRACE),
        Some(EndReason::IdleTimeout)
    );
}

#[test]
fn tcp_end_after_grace() {
    for flags in [FIN, RST, FIN | ACK, RST | ACK, FIN | RST | SYN] {
        assert_eq!(due(11_999, 1000, 10_000, flags, TCP, &T, GRACE), None);
        assert_eq!(
            due(12_000, 1000, 10_000, flags, TCP, &T, GRACE),
            Some(EndReason::EndDetected),
            "flags {flags:#x}"
        );
    }
    // Zero grace: due as soon as seen.
    assert_eq!(
        due(10_000, 1000, 10_000, FIN, TCP, &T, 0),
        Some(EndReason::EndDetected)
    );
}

#[test]
fn end_needs_tcp_and_fin_or_rst() {
    assert_eq!(
        due(12_000, 1000, 10_000, SYN | ACK | 0xe8, TCP, &T, GRACE),
        None
    );
    for p in [UDP, 1, 58, 132, 33] {
        assert_eq!(
            due(12_000, 1000, 10_000, FIN | RST, p, &T, GRACE),
            None,
            "proto {p}"
        );
    }
}

#[test]
fn future_timestamps_count_as_age_zero() {
    // Clock stepped back: no underflow, nothing due.
    assert_eq!(due(100, 5000, 6000, FIN, TCP, &T, GRACE), None);
    assert_eq!(due(0, u64::MAX, u64::MAX, 0, UDP, &T, GRACE), None);
}

#[test]
fn zero_timeouts_make_everything_due() {
    let z = Timeouts {
        inactive: 0,
        active: 0,
    };
    assert_eq!(due(0, 0, 0, 0, UDP, &z, 0), Some(EndReason::ActiveTimeout));
    let z = Timeouts {
        inactive: 0,
        active: u64::MAX,
    };
    assert_eq!(due(0, 0, 0, 0, UDP, &z, 0), Some(EndReason::IdleTimeout));
}

#[test]
fn extreme_values_no_panic() {
    let big = Timeouts {
        inactive: u64::MAX,
        active: u64::MAX,
    };
    assert_eq!(
        due(u64::MAX, u64::MAX, u64::MAX, 0xff, TCP, &big, u64::MAX),
        None
    );
    assert_eq!(
        due(u64::MAX, 0, 0, 0, UDP, &big, 0),
        Some(EndReason::ActiveTimeout)
    );
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for _ in 0..100_000 {
        let mut r = || rng.next();
        let t = Timeouts {
            inactive: r() >> (r() % 64),
            active: r() >> (r() % 64),
        };
        let (now, first, last) = (r() >> (r() % 64), r() >> (r() % 64), r() >> (r() % 64));
        let res = due(
            now,
            first,
            last,
            r() as u8,
            r() as u8,
            &t,
            r() >> (r() % 64),
        );
        if now.saturating_sub(first) >= t.active {
            assert_eq!(res, Some(EndReason::ActiveTimeout));
        }
    }
}

#[test]
fn pass_is_a_sixteenth_of_the_shorter_timeout_within_1_to_10_s() {
    // The C module's defaults (15 s idle, 1800 s active): every flow is checked each second.
    assert_eq!(pass_secs(15, 1800), 1);
    assert_eq!(pass_secs(0, 0), 1);
    assert_eq!(pass_secs(1, 1800), 1);
    assert_eq!(pass_secs(64, 1800), 4);
    assert_eq!(pass_secs(1800, 64), 4);
    assert_eq!(pass_secs(1800, 1800), 10);
    assert_eq!(pass_secs(u64::MAX, u64::MAX), 10);
}

#[test]
fn aging_chunk_shares_a_pass() {
    use crate::flow::aging::aging_chunk;
    // 10 runs a second (delay 25 at HZ 250), a 1 s pass over 1M buckets: 100k a run.
    assert_eq!(aging_chunk(1_000_000, 25, 250, 1), 100_001);
    assert_eq!(aging_chunk(0, 25, 250, 1), 1);
    // Nothing divides by zero, nothing overflows.
    assert_eq!(aging_chunk(1024, 25, 0, 0), 1024 * 25 + 1);
    assert_eq!(aging_chunk(usize::MAX, u64::MAX, 1, 1), usize::MAX);
}
