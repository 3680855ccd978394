// SPDX-License-Identifier: GPL-2.0

//! The figures `/proc/net/stat/ipt_netflow` and `ipt_netflow_snmp` derive from the
//! counters, computed in one place.
//!
//! The counters are read while other CPUs update them, one after the other: a reader can
//! see a drop before the packet it belongs to, a flow found before it was searched, or a
//! flow released before its packets were summed. Every figure here is therefore
//! computed without assuming any order between counters: differences saturate at 0,
//! sums and products saturate at `u64::MAX`.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::flow::rate::metric_x100;

/// The counters the figures come from, as read (in any order) by one reader.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counters {
    /// Packets that reached the target.
    pub(crate) packets: u64,
    /// Their bytes.
    pub(crate) bytes: u64,
    /// Packets not accounted (malformed, no memory, maxflows).
    pub(crate) drop_packets: u64,
    /// Their bytes.
    pub(crate) drop_bytes: u64,
    /// Flows passed over while searching (not the packet's).
    pub(crate) searched: u64,
    /// Packets that found their flow.
    pub(crate) found: u64,
    /// Packets that made a new flow.
    pub(crate) new: u64,
    /// Packets of the flows that left the table.
    pub(crate) released_packets: u64,
    /// Their bytes.
    pub(crate) released_bytes: u64,
    /// Flows in the table.
    pub(crate) flows: u64,
    /// Slab bytes of one flow.
    pub(crate) flow_size: u64,
    /// Buckets of the hash table.
    pub(crate) buckets: u64,
    /// Bytes of one bucket.
    pub(crate) bucket_size: u64,
}

/// What `/proc` shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Figures {
    /// Packets accounted and still in the table.
    pub(crate) in_hash_packets: u64,
    /// Their bytes.
    pub(crate) in_hash_bytes: u64,
    /// Flows compared per lookup, x100 (1.00 is ideal).
    pub(crate) metric_x100: u64,
    /// Bytes of the bucket array.
    pub(crate) hash_memory: u64,
    /// Bytes of the bucket array and the flows in it.
    pub(crate) table_memory: u64,
}

impl Counters {
    /// The figures of these counters.
    pub(crate) fn figures(&self) -> Figures {
        let hash_memory = self.buckets.saturating_mul(self.bucket_size);
        Figures {
            in_hash_packets: self
                .packets
                .saturating_sub(self.drop_packets)
                .saturating_sub(self.released_packets),
            in_hash_bytes: self
                .bytes
                .saturating_sub(self.drop_bytes)
                .saturating_sub(self.released_bytes),
            metric_x100: metric_x100(self.searched, self.found, self.new),
            hash_memory,
            table_memory: self
                .flows
                .saturating_mul(self.flow_size)
                .saturating_add(hash_memory),
        }
    }
}

/// A value x100 shown as `N.NN`.
pub(crate) struct Fixed2(pub u64);

impl core::fmt::Display for Fixed2 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Nonzero constant divisors.
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// Seconds as days, hours and minutes (`XdYhZm`).
pub(crate) fn days_hours_minutes(secs: u64) -> (u64, u64, u64) {
    // Nonzero constant divisors.
    (secs / 86400, secs / 3600 % 24, secs / 60 % 60)
}

/// Milliseconds between two tick counts (`then` after `now` counts as 0); `hz` 0 is
/// taken as 1.
pub(crate) fn ticks_to_ms(now: u64, then: u64, hz: u64) -> u64 {
    // Divisor >= 1.
    now.saturating_sub(then).saturating_mul(1000) / hz.max(1)
}
