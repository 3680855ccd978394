// SPDX-License-Identifier: GPL-2.0

//! The running module: the flow table fed by the target, and the periodic work that ages
//! flows out of it, exports them and samples the rates.

use crate::export::exporter::{ExportStats, Exporter};
use crate::export::pdu::{Clock, Protocol};
use crate::flow::aging::pass_secs;
use crate::flow::rate::{metric_x100, Average, Rate};
use crate::flow::stats::Stat;
use crate::flow::table::{Flow, FlowTable};
use crate::glue::rcu_table::Maintenance;
use crate::glue::skb::Packet;
use crate::glue::time;
use crate::glue::work::Periodic;
use crate::glue::xtables::{Family, Target};
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};
use kernel::prelude::*;
use kernel::sync::{new_mutex, Mutex};

/// Rates, sampled once a second by the work.
#[derive(Default)]
pub(crate) struct Rates {
    /// Packets reaching the target.
    pub(crate) packets: Rate,
    /// Bits reaching the target.
    pub(crate) bits: Rate,
    /// Bytes exported.
    pub(crate) export_bytes: Rate,
    /// Hash metric (x100) over the last second, and its averages.
    pub(crate) metric: u64,
    pub(crate) metric_avg: Average,
    /// Packets per second of each CPU, in `PerCpu::iter` order.
    pub(crate) cpu_packets: KVec<Rate>,
    last: [u64; 3],
    last_ms: u64,
}

/// What the work measured about its own runs.
#[derive(Default)]
pub(crate) struct WorkerStats {
    /// Runs so far.
    pub(crate) runs: AtomicU64,
    /// Jiffies when the last run started.
    pub(crate) last_start: AtomicU64,
    /// Microseconds the last run took.
    pub(crate) last_us: AtomicU64,
    /// Jiffies between runs.
    pub(crate) delay: AtomicU64,
}

/// Export settings that can change while running.
pub(crate) struct ExportSettings {
    /// v9/IPFIX: PDUs between template re-sends.
    pub(crate) refresh_rate: AtomicU32,
    /// v9/IPFIX: minutes between template re-sends.
    pub(crate) timeout_rate: AtomicU32,
}

/// Settings kept as text for reading back.
pub(crate) struct ConfigText {
    /// The aggregation rules as given.
    pub(crate) aggregation: KVec<u8>,
}

/// Everything the target, the periodic work, /proc and the sysctls share.
#[pin_data]
pub(crate) struct Netflow {
    pub(crate) flows: FlowTable,
    #[pin]
    pub(crate) exporter: Mutex<Exporter>,
    pub(crate) export_stats: ExportStats,
    pub(crate) export_settings: ExportSettings,
    #[pin]
    pub(crate) rates: Mutex<Rates>,
    pub(crate) worker: WorkerStats,
    /// Next bucket the aging scan looks at.
    cursor: AtomicUsize,
    /// Minimum jiffies between runs (`scan_min`).
    pub(crate) scan_min: AtomicU64,
    /// Debug level, 0..3.
    pub(crate) debug: AtomicU32,
    /// Socket send buffer asked for (0 = system default).
    pub(crate) sndbuf: AtomicU32,
    /// Serialises reconfiguration; holds what is read back as text.
    #[pin]
    pub(crate) config: Mutex<ConfigText>,
}

impl Netflow {
    /// The shared state, exporting through `exporter`.
    pub(crate) fn new(
        flows: FlowTable,
        exporter: Exporter,
        export_settings: ExportSettings,
        scan_min: u64,
        sndbuf: u32,
        debug: u32,
        aggregation: &str,
    ) -> Result<impl PinInit<Self>> {
        let mut text = KVec::new();
        text.extend_from_slice(aggregation.as_bytes(), GFP_KERNEL)?;
        let mut rates = Rates::default();
        for _ in flows.per_cpu() {
            rates.cpu_packets.push(Rate::default(), GFP_KERNEL)?;
        }
        Ok(pin_init!(Self {
            flows,
            exporter <- new_mutex!(exporter, "netflow_exporter"),
            export_stats: ExportStats::default(),
            export_settings,
            rates <- new_mutex!(rates, "netflow_rates"),
            worker: WorkerStats::default(),
            cursor: AtomicUsize::new(0),
            scan_min: AtomicU64::new(scan_min),
            debug: AtomicU32::new(debug),
            sndbuf: AtomicU32::new(sndbuf),
            config <- new_mutex!(ConfigText { aggregation: text }, "netflow_config"),
        }))
    }

    /// Exports the retired flows that are ready (all of them, after a grace period, if
    /// `all`); returns how many.
    fn export_retired(&self, m: &mut Maintenance<'_, Flow>, all: bool) -> usize {
        let clock = now();
        let now_jiffies = time::jiffies();
        let mut exporter = self.exporter.lock();
        let (mut packets, mut bytes) = (0, 0);
        let mut export = |f: &Flow| {
            let rec = f.record(now_jiffies, clock.unix_ms);
            packets += rec.packets;
            bytes += rec.bytes;
            exporter.export(&rec, &clock, &self.export_stats);
        };
        let released = if all {
            m.release_all(&mut export)
        } else {
            m.release_ready(&mut export)
        };
        self.flows.released(released, packets, bytes);
        // A quiet network still gets its flows: send a partly filled PDU once a run
        // brought nothing more (or on a flush).
        if all || released == 0 {
            exporter.send(&clock, &self.export_stats);
        }
        released
    }

    /// Exports every flow now and sends the last PDU. Sleeps.
    pub(crate) fn flush_all(&self) {
        let mut m = self.flows.maintenance();
        m.retire_all();
        self.export_retired(&mut m, true);
    }

    /// Exports every flow in the current protocol, then switches to `protocol`. Sleeps.
    pub(crate) fn switch_protocol(&self, protocol: crate::export::pdu::Protocol) {
        let mut m = self.flows.maintenance();
        m.retire_all();
        self.export_retired(&mut m, true);
        let s = &self.export_settings;
        V6_IN_V5_WARNED.store(false, Relaxed);
        self.exporter.lock().set_protocol(
            protocol,
            s.refresh_rate.load(Relaxed),
            s.timeout_rate.load(Relaxed),
        );
    }

    /// Sends the PDU being filled to the old collectors, then uses `collectors`; returns
    /// the old ones (to be dropped outside the lock).
    pub(crate) fn switch_collectors(
        &self,
        collectors: crate::export::collectors::Collectors,
    ) -> crate::export::collectors::Collectors {
        let mut exporter = self.exporter.lock();
        exporter.send(&now(), &self.export_stats);
        exporter.set_collectors(collectors)
    }

    /// Applies the template refresh settings to the exporter.
    pub(crate) fn apply_template_rates(&self) {
        let s = &self.export_settings;
        self.exporter
            .lock()
            .set_template_rates(s.refresh_rate.load(Relaxed), s.timeout_rate.load(Relaxed));
    }

    /// Samples the rates if a second has passed since the last sample.
    fn sample_rates(&self) {
        let mut r = self.rates.lock();
        let now_ms = time::boot_ms();
        let elapsed = now_ms.saturating_sub(r.last_ms);
        if elapsed < 1000 && r.last_ms != 0 {
            return;
        }
        r.last_ms = now_ms;
        let t = self.flows.totals();
        r.packets.sample(t[Stat::Packets as usize], elapsed);
        r.bits
            .sample(t[Stat::Bytes as usize].saturating_mul(8), elapsed);
        r.export_bytes
            .sample(self.export_stats.bytes.load(Relaxed), elapsed);
        let (searched, found, new) = (
            t[Stat::Searched as usize],
            t[Stat::Found as usize],
            t[Stat::New as usize],
        );
        let [ls, lf, ln] = r.last;
        r.metric = metric_x100(searched - ls, found - lf, new - ln);
        let metric = r.metric;
        r.metric_avg.update(metric);
        r.last = [searched, found, new];
        for (rate, cpu) in r.cpu_packets.iter_mut().zip(self.flows.per_cpu()) {
            rate.sample(cpu[Stat::Packets as usize], elapsed);
        }
    }
}

/// The clock export headers use.
pub(crate) fn now() -> Clock {
    Clock {
        unix_ms: time::real_ms(),
        uptime_ms: time::boot_ms(),
    }
}

/// Whether the "IPv6 rule while exporting v5" line was printed since the protocol last
/// changed: iptables-legacy re-checks every rule of a table on each change, and one line
/// says it all.
static V6_IN_V5_WARNED: AtomicBool = AtomicBool::new(false);

impl Target for Netflow {
    fn target(&self, packet: &Packet<'_>) {
        self.flows.account(packet);
    }

    fn check(&self, table: &CStr, family: Family) -> Result {
        if table.as_bytes() == b"nat" {
            pr_err!(
                "NETFLOW refused in the nat table: it sees only the first packet of a \
                 connection, so flows would miss the rest; use the filter, mangle or raw table\n"
            );
            return Err(EINVAL);
        }
        if family == Family::Ipv6
            && self.exporter.lock().protocol() == Protocol::V5
            && !V6_IN_V5_WARNED.swap(true, Relaxed)
        {
            pr_warn!(
                "NETFLOW in an IPv6 rule while exporting NetFlow v5: v5 cannot carry IPv6, \
                 so IPv6 flows will be counted as lost (use protocol=9 or 10)\n"
            );
        }
        Ok(())
    }
}

impl Periodic for Netflow {
    fn run(&self) -> u64 {
        let start_ns = time::mono_ns();
        let hz = time::hz();
        // Ten runs a second; each ages its share of one pass over the table (see
        // `pass_secs`), so no run holds the CPU long even with a million flows.
        let delay = (hz / 10).max(self.scan_min.load(Relaxed)).max(1);
        let settings = &self.flows.settings;
        let pass = pass_secs(
            settings.inactive_timeout.load(Relaxed),
            settings.active_timeout.load(Relaxed),
        );
        self.worker.last_start.store(time::jiffies(), Relaxed);
        {
            let mut m = self.flows.maintenance();
            let chunk = (self.flows.buckets() as u64 * delay / (hz * pass)) as usize + 1;
            let (next, _) = self.flows.age(&mut m, self.cursor.load(Relaxed), chunk);
            self.cursor.store(next, Relaxed);
            self.export_retired(&mut m, false);
        }
        self.sample_rates();
        self.worker.runs.fetch_add(1, Relaxed);
        self.worker.delay.store(delay, Relaxed);
        self.worker
            .last_us
            .store((time::mono_ns() - start_ns) / 1000, Relaxed);
        delay
    }
}
