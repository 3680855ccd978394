// SPDX-License-Identifier: GPL-2.0

//! Rates per second and their 1, 5 and 15 minute moving averages, sampled once a second
//! (as the load average is, in fixed point).
//!
//! Pure `core` code: compiled into the module and into the host test harness.

/// Fixed-point one.
const FIXED_1: u64 = 1 << 11;
/// `FIXED_1 * exp(-1 s / window)` for windows of 1, 5 and 15 minutes.
const DECAY: [u64; 3] = [2014, 2041, 2046];

/// A value averaged over 1, 5 and 15 minutes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Average {
    avg: [u64; 3],
}

impl Average {
    /// Folds in this second's value.
    pub(crate) fn update(&mut self, value: u64) {
        let v = value.saturating_mul(FIXED_1);
        for (avg, decay) in self.avg.iter_mut().zip(DECAY) {
            // FIXED_1 is a nonzero constant and every decay < FIXED_1: no division by 0,
            // no underflow.
            let kept = avg.saturating_mul(decay) / FIXED_1;
            *avg = kept.saturating_add(v.saturating_mul(FIXED_1 - decay) / FIXED_1);
        }
    }

    /// The average over 1, 5 or 15 minutes (`window` 0, 1 or 2), rounded.
    pub(crate) fn get(&self, window: usize) -> u64 {
        self.avg
            .get(window)
            // FIXED_1 is a nonzero constant.
            .map_or(0, |a| a.saturating_add(FIXED_1 / 2) / FIXED_1)
    }
}

/// The rate of a growing total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Rate {
    last_total: Option<u64>,
    /// Per second over the last sample.
    pub(crate) per_sec: u64,
    /// Its moving averages.
    pub(crate) avg: Average,
}

impl Rate {
    /// Samples `total`, `elapsed_ms` after the previous sample (the first only records).
    pub(crate) fn sample(&mut self, total: u64, elapsed_ms: u64) {
        if let Some(last) = self.last_total {
            let delta = total.saturating_sub(last);
            // Divisor >= 1.
            self.per_sec = delta.saturating_mul(1000) / elapsed_ms.max(1);
            self.avg.update(self.per_sec);
        }
        self.last_total = Some(total);
    }
}

/// Hash metric as C ipt_NETFLOW shows it, times 100: flows looked at per lookup (1.00 is
/// ideal). `searched` counts the flows passed over before the packet's (C's "search"
/// column), so a hit in the first place costs 1 (the hit) and a new flow in an empty bucket
/// costs 1 (the insert).
pub(crate) fn metric_x100(searched: u64, found: u64, new: u64) -> u64 {
    let lookups = found.saturating_add(new);
    if lookups == 0 {
        return 100;
    }
    // lookups != 0 (checked above).
    searched.saturating_add(lookups).saturating_mul(100) / lookups
}
