// SPDX-License-Identifier: GPL-2.0

//! Per-CPU statistics of the packet path.

use crate::glue::percpu::Counter;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use kernel::prelude::*;

/// One per-CPU counter; the names follow the `/proc/net/stat/ipt_netflow` columns.
#[derive(Clone, Copy)]
pub(crate) enum Stat {
    /// Packets that reached the target.
    Packets,
    /// Their bytes.
    Bytes,
    /// Flows passed over while searching (looked at, not the packet's), as C counts them:
    /// written only when a chain walk goes past another flow.
    Searched,
    /// Packets that found their flow. Not written by the packet path: every packet that
    /// is not dropped or sampled out finds its flow or makes one, so it is
    /// Packets - New - DropPackets - SampledOut, filled in by [`derive`] when read.
    Found,
    /// Packets that created a flow.
    New,
    /// Packets with a header cut short (or no usable IP header at all).
    Trunc,
    /// Non-first fragments (accounted with ports 0).
    Frag,
    /// Flows not created for lack of memory.
    AllocErr,
    /// Flows not created because `maxflows` was reached.
    MaxflowsErr,
    /// Packets not accounted (no memory, maxflows, malformed).
    DropPackets,
    /// Their bytes.
    DropBytes,
    /// Packets of flows that hash sampling does not keep: neither looked up nor counted
    /// in a flow.
    SampledOut,
}

/// Number of [`Stat`]s.
pub(crate) const STATS: usize = Stat::SampledOut as usize + 1;

/// A CPU's counters.
pub(crate) type CpuStats = [Counter; STATS];

/// Counter `s` of `stats`.
pub(crate) fn counter(stats: &CpuStats, s: Stat) -> &Counter {
    // Every Stat is below STATS (DropBytes, the last, is STATS - 1): in bounds.
    &stats[s as usize]
}

/// A CPU's counters `c` as read, with the derived ones filled in (see [`Stat::Found`]).
/// Counters read while their CPU counts may be a packet apart: the difference saturates.
pub(crate) fn derive(mut c: [u64; STATS]) -> [u64; STATS] {
    // Every Stat is below STATS: in bounds.
    c[Stat::Found as usize] = c[Stat::Packets as usize]
        .saturating_sub(c[Stat::New as usize])
        .saturating_sub(c[Stat::DropPackets as usize])
        .saturating_sub(c[Stat::SampledOut as usize]);
    c
}

/// What each CPU's counters read at the last reset (`flush=2`): the figures shown count
/// from there. The counters themselves are only ever written by their own CPU, so a
/// reset from another CPU cannot lose a concurrent add, and cannot be lost by one.
pub(crate) struct Baseline(KVec<[AtomicU64; STATS]>);

impl Baseline {
    /// Zero for each of `cpus` CPUs.
    pub(crate) fn new(cpus: usize) -> Result<Self> {
        let mut v = KVec::with_capacity(cpus, GFP_KERNEL)?;
        for _ in 0..cpus {
            v.push([const { AtomicU64::new(0) }; STATS], GFP_KERNEL)?;
        }
        Ok(Self(v))
    }

    /// The counters `raw` of the `cpu`-th CPU, counted from its last reset. Counters
    /// only grow, so the wrapping difference is what was added since.
    pub(crate) fn since(&self, cpu: usize, raw: [u64; STATS]) -> [u64; STATS] {
        let Some(base) = self.0.get(cpu) else {
            return raw;
        };
        let mut out = raw;
        for (v, b) in out.iter_mut().zip(base) {
            *v = v.wrapping_sub(b.load(Relaxed));
        }
        out
    }

    /// Makes the `cpu`-th CPU's counters, now `raw`, count from 0.
    pub(crate) fn reset(&self, cpu: usize, raw: [u64; STATS]) {
        if let Some(base) = self.0.get(cpu) {
            for (b, v) in base.iter().zip(raw) {
                b.store(v, Relaxed);
            }
        }
    }
}
