// SPDX-License-Identifier: GPL-2.0

//! When a flow in the table is due for export.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::export::record::EndReason;
use crate::flow::key::{proto, TCP_FIN, TCP_RST};

/// Flow timeouts, in the same unit as the timestamps given to [`due`] (jiffies,
/// milliseconds...).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Timeouts {
    /// Export a flow that saw no packet for this long.
    pub inactive: u64,
    /// Export a flow this long after its first packet, even if still busy.
    pub active: u64,
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
pub fn due(
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
pub fn pass_secs(inactive: u64, active: u64) -> u64 {
    (inactive.min(active) / 16).clamp(1, 10)
}
