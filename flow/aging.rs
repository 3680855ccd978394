// SPDX-License-Identifier: GPL-2.0

//! When a flow in the table is due for export.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::flow::key::{proto, TCP_FIN, TCP_RST};

/// Why a flow left the table (IPFIX flowEndReason, RFC 5102).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum EndReason {
    /// Idle longer than `inactive_timeout`.
    IdleTimeout = 1,
    /// Older than `active_timeout`.
    ActiveTimeout = 2,
    /// TCP FIN or RST seen.
    EndDetected = 3,
    /// Flushed on request, on reconfiguration or on unload.
    ForcedEnd = 4,
}

/// Flow timeouts, in the same unit as the timestamps given to [`due`] (jiffies,
/// milliseconds...).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Timeouts {
    /// Export a flow that saw no packet for this long.
    pub(crate) inactive: u64,
    /// Export a flow this long after its first packet, even if still busy.
    pub(crate) active: u64,
}

/// Whether a flow must leave the table now, and why.
///
/// `first` and `last` are the times of the flow's first and last packets, `tcp_flags`
/// the OR of all its packets' TCP flags. Ages use saturating subtraction, so a timestamp
/// in the future counts as age 0. A timeout of 0 makes every flow due.
///
/// Precedence, first match wins:
/// 1. [`EndReason::ActiveTimeout`] if `now - first >= t.active`;
/// 2. [`EndReason::IdleTimeout`] if `now - last >= t.inactive`;
/// 3. [`EndReason::EndDetected`] if the flow is TCP, saw FIN or RST, and
///    `now - last >= end_grace` (the grace lets the last ACKs join the flow);
/// 4. otherwise `None`.
pub(crate) fn due(
    now: u64,
    first: u64,
    last: u64,
    tcp_flags: u8,
    protocol: u8,
    t: &Timeouts,
    end_grace: u64,
) -> Option<EndReason> {
    let age = now.saturating_sub(first);
    let idle = now.saturating_sub(last);
    if age >= t.active {
        Some(EndReason::ActiveTimeout)
    } else if idle >= t.inactive {
        Some(EndReason::IdleTimeout)
    } else if protocol == proto::TCP && tcp_flags & (TCP_FIN | TCP_RST) != 0 && idle >= end_grace {
        Some(EndReason::EndDetected)
    } else {
        None
    }
}

/// Seconds one aging pass over the whole table may take, for timeouts in seconds: a flow
/// leaves at most this long after it is due.
///
/// A sixteenth of the shorter timeout, between 1 and 10 seconds: checking a million flows
/// every second costs a CPU real work, which is only worth it when a second is a large
/// part of the timeout.
pub(crate) fn pass_secs(inactive: u64, active: u64) -> u64 {
    (inactive.min(active) / 16).clamp(1, 10)
}

/// Buckets one aging run looks at: its share of a pass of `pass_secs` seconds over
/// `buckets`, for runs `delay` jiffies apart at `hz` jiffies a second; at least 1.
pub(crate) fn aging_chunk(buckets: usize, delay: u64, hz: u64, pass_secs: u64) -> usize {
    let per_pass = hz.saturating_mul(pass_secs).max(1);
    // per_pass >= 1; usize is at most 64 bits, so the cast keeps every value.
    let share = (buckets as u64).saturating_mul(delay) / per_pass;
    usize::try_from(share)
        .unwrap_or(usize::MAX)
        .saturating_add(1)
}
