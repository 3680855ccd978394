// SPDX-License-Identifier: GPL-2.0

//! Per-CPU statistics of the packet path.

use crate::glue::percpu::Counter;

/// One per-CPU counter; the names follow the `/proc/net/stat/ipt_netflow` columns.
#[derive(Clone, Copy)]
pub(crate) enum Stat {
    /// Packets that reached the target.
    Packets,
    /// Their bytes.
    Bytes,
    /// Flows looked at while searching.
    Searched,
    /// Packets that found their flow.
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
}

/// Number of [`Stat`]s.
pub(crate) const STATS: usize = Stat::DropBytes as usize + 1;

/// A CPU's counters.
pub(crate) type CpuStats = [Counter; STATS];

/// Counter `s` of `stats`.
pub(crate) fn counter(stats: &CpuStats, s: Stat) -> &Counter {
    // Every Stat is below STATS (DropBytes, the last, is STATS - 1): in bounds.
    &stats[s as usize]
}
