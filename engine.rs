// SPDX-License-Identifier: GPL-2.0

//! The running module: the flow table fed by the target, and the periodic work that ages
//! flows out of it and exports them.

use crate::export::exporter::{ExportStats, Exporter};
use crate::export::pdu::Clock;
use crate::flow::table::FlowTable;
use crate::glue::skb::Packet;
use crate::glue::time;
use crate::glue::work::Periodic;
use crate::glue::xtables::Target;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use kernel::prelude::*;
use kernel::sync::{new_mutex, Mutex};

/// Everything the target, the periodic work, /proc and the sysctls share.
#[pin_data]
pub(crate) struct Netflow {
    pub(crate) flows: FlowTable,
    #[pin]
    pub(crate) exporter: Mutex<Exporter>,
    pub(crate) export_stats: ExportStats,
    /// Next bucket the aging scan looks at.
    cursor: AtomicUsize,
    /// Export every flow on the next run.
    flush_requested: AtomicBool,
    /// Minimum jiffies between runs (`scan_min`).
    pub(crate) scan_min: AtomicUsize,
}

impl Netflow {
    /// The shared state, exporting through `exporter`.
    pub(crate) fn new(flows: FlowTable, exporter: Exporter, scan_min: usize) -> impl PinInit<Self> {
        pin_init!(Self {
            flows,
            exporter <- new_mutex!(exporter, "netflow_exporter"),
            export_stats: ExportStats::default(),
            cursor: AtomicUsize::new(0),
            flush_requested: AtomicBool::new(false),
            scan_min: AtomicUsize::new(scan_min),
        })
    }

    /// Asks the next run to export every flow.
    pub(crate) fn request_flush(&self) {
        self.flush_requested.store(true, Relaxed);
    }

    /// Exports every flow now and sends the last PDU. Sleeps.
    pub(crate) fn flush_all(&self) {
        let mut m = self.flows.maintenance();
        m.retire_all();
        let clock = now();
        let now_jiffies = time::jiffies();
        let mut exporter = self.exporter.lock();
        let released = m.release_all(|f| {
            exporter.export(&f.record(now_jiffies, clock.unix_ms), &clock, &self.export_stats)
        });
        self.flows.released(released);
        exporter.send(&clock, &self.export_stats);
    }
}

/// The clock export headers use.
pub(crate) fn now() -> Clock {
    Clock {
        unix_ms: time::real_ms(),
        uptime_ms: time::boot_ms(),
    }
}

impl Target for Netflow {
    fn target(&self, packet: &Packet<'_>) {
        self.flows.account(packet);
    }
}

impl Periodic for Netflow {
    fn run(&self) -> u64 {
        let hz = time::hz();
        // Ten runs a second; each ages a tenth of the table, so a flow leaves within about
        // a second of being due, and no run holds the CPU long even with a million flows.
        let interval = (hz / 10).max(self.scan_min.load(Relaxed) as u64).max(1);
        if self.flush_requested.swap(false, Relaxed) {
            self.flush_all();
            return interval;
        }
        let mut m = self.flows.maintenance();
        let buckets = self.flows.buckets();
        let chunk = (buckets as u64 * interval / hz) as usize + 1;
        let (next, _) = self.flows.age(&mut m, self.cursor.load(Relaxed), chunk);
        self.cursor.store(next, Relaxed);

        let clock = now();
        let now_jiffies = time::jiffies();
        let mut exporter = self.exporter.lock();
        let released = m.release_ready(|f| {
            exporter.export(&f.record(now_jiffies, clock.unix_ms), &clock, &self.export_stats)
        });
        drop(m);
        self.flows.released(released);
        // A quiet network still gets its flows: send a partly filled PDU once nothing
        // more arrived in a run.
        if released == 0 && exporter.has_pending() {
            exporter.send(&clock, &self.export_stats);
        }
        interval
    }
}
