// SPDX-License-Identifier: GPL-2.0

//! The running module: the flow table fed by the target, and the periodic work that ages
//! flows out of it, exports them and samples the rates.

pub(crate) mod namespaces;
pub(crate) mod stats;
pub(crate) mod table;

use crate::export::exporter::{ExportOptions, ExportStats, Exporter};
use crate::export::options::{Statistics, DOMAIN_NAME_LEN};
use crate::export::pdu::Clock;
use crate::flow::aging::pass_secs;
use crate::flow::aging::{aging_chunk, Timeouts};
use crate::flow::rate::{metric_x100, Average, Rate};
use crate::flow::sampling::Sampler;
use crate::glue::cpu;
use crate::glue::memcg::MemCgroup;
use crate::glue::modinfo;
use crate::glue::net::NetRef;
use crate::glue::rcu_table::Maintenance;
use crate::glue::skb::Packet;
use crate::glue::time;
use crate::glue::work::{Next, Periodic};
use crate::nat::listener::{NatListener, NatStats};
use crate::settings::spec::{Setting, ANY_CPU};
use crate::settings::values::Values;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};
use kernel::prelude::*;
use kernel::sync::lock::{mutex::MutexBackend, Guard};
use kernel::sync::{new_mutex, Arc, Mutex};
use stats::Stat;
use table::{Flow, FlowTable, Sampling};

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
    /// Jiffies when the last run started.
    pub(crate) last_start: AtomicU64,
    /// Microseconds the last run took.
    pub(crate) last_us: AtomicU64,
    /// Jiffies between runs.
    pub(crate) delay: AtomicU64,
    /// The CPU the last run started on.
    pub(crate) cpu: AtomicU32,
    /// Flows the last run's aging scan looked at.
    pub(crate) flows: AtomicU64,
    /// Buckets it looked at.
    pub(crate) buckets: AtomicU64,
    /// Flows the last run exported.
    pub(crate) exported: AtomicU64,
}

/// What the sampler did with the flows that left the table (the packets hash sampling
/// kept out of the table are the per-CPU `SampledOut` counter).
#[derive(Default)]
pub(crate) struct SamplingStats {
    /// Flows created under a sampler and kept: exported.
    pub(crate) flows_selected: AtomicU64,
    /// Flows created under a deterministic or random sampler and not kept.
    pub(crate) flows_discarded: AtomicU64,
    /// Packets of the selected flows.
    pub(crate) packets_selected: AtomicU64,
    /// Packets of the discarded flows.
    pub(crate) packets_discarded: AtomicU64,
}

impl SamplingStats {
    fn count(&self, sampling: Sampling, packets: u64) {
        // Atomic adds wrap, never panic.
        let (flows, pkts) = match sampling {
            Sampling::Off => return,
            Sampling::Selected(_) => (&self.flows_selected, &self.packets_selected),
            Sampling::Discarded => (&self.flows_discarded, &self.packets_discarded),
        };
        flows.fetch_add(1, Relaxed);
        pkts.fetch_add(packets, Relaxed);
    }

    /// The selector statistics, given the packets hash sampling kept out of the table.
    fn figures(&self, sampled_out: u64) -> Statistics {
        let (fs, fd) = (
            self.flows_selected.load(Relaxed),
            self.flows_discarded.load(Relaxed),
        );
        let (ps, pd) = (
            self.packets_selected.load(Relaxed),
            self.packets_discarded.load(Relaxed),
        );
        Statistics {
            sampled_flows_observed: fs.saturating_add(fd),
            sampled_flows_selected: fs,
            sampled_packets_observed: ps.saturating_add(pd).saturating_add(sampled_out),
            sampled_packets_selected: ps,
            ..Statistics::default()
        }
    }

    fn reset(&self) {
        for c in [
            &self.flows_selected,
            &self.flows_discarded,
            &self.packets_selected,
            &self.packets_discarded,
        ] {
            c.store(0, Relaxed);
        }
    }
}

/// Settings kept as text for reading back.
pub(crate) struct ConfigText {
    /// The aggregation rules as given.
    pub(crate) aggregation: KVec<u8>,
}

/// One network namespace's accounting and export: everything its packets, its periodic
/// work, its `/proc` files and its sysctls share.
#[pin_data]
pub(crate) struct Netflow {
    /// The namespace (its sockets are created there).
    pub(crate) net: NetRef,
    /// The initial namespace's instance, for the limits of another namespace's settings.
    pub(crate) initial: Option<Arc<Netflow>>,
    /// Where the namespace's flows are charged.
    memcg: MemCgroup,
    /// Whether the "IPv6 rule while exporting v5" line was printed since the protocol
    /// last changed.
    pub(crate) v6_in_v5_warned: AtomicBool,
    /// Whether every collector gets v5: a copy of the exporter's answer that a rule check
    /// can read inside an RCU section, where the exporter's mutex cannot be taken.
    pub(crate) only_v5: AtomicBool,
    pub(crate) flows: FlowTable,
    /// Every setting's current value (the settings table's numbers).
    pub(crate) settings: Values,
    /// Use through [`Netflow::exporter`], which hands it the current settings.
    #[pin]
    exporter: Mutex<Exporter>,
    pub(crate) export_stats: ExportStats,
    /// What the sampler kept and dropped.
    pub(crate) sampling: SamplingStats,
    /// The conntrack event listener, while `natevents` is on.
    #[pin]
    nat: Mutex<Option<NatListener>>,
    /// What it read.
    pub(crate) nat_stats: NatStats,
    #[pin]
    pub(crate) rates: Mutex<Rates>,
    pub(crate) worker: WorkerStats,
    /// Next bucket the aging scan looks at.
    cursor: AtomicUsize,
    /// When the instance started, Unix milliseconds (systemInitTimeMilliseconds).
    started_ms: u64,
    /// Serialises reconfiguration; holds what is read back as text.
    #[pin]
    pub(crate) config: Mutex<ConfigText>,
}

impl Netflow {
    /// The instance of `net`, exporting through `exporter`; `initial` is the initial
    /// namespace's (`None` for that one itself). Its flows are charged to the memory
    /// cgroup of the current task (the one creating the namespace).
    pub(crate) fn new(
        net: NetRef,
        initial: Option<Arc<Netflow>>,
        flows: FlowTable,
        settings: Values,
        exporter: Exporter,
        aggregation: &str,
    ) -> Result<impl PinInit<Self>> {
        let mut text = KVec::new();
        text.extend_from_slice(aggregation.as_bytes(), GFP_KERNEL)?;
        let mut rates = Rates::default();
        for _ in flows.per_cpu() {
            rates.cpu_packets.push(Rate::default(), GFP_KERNEL)?;
        }
        Ok(pin_init!(Self {
            net,
            initial,
            memcg: MemCgroup::of_current(),
            v6_in_v5_warned: AtomicBool::new(false),
            only_v5: AtomicBool::new(exporter.only_v5()),
            flows,
            settings,
            exporter <- new_mutex!(exporter, "netflow_exporter"),
            export_stats: ExportStats::default(),
            sampling: SamplingStats::default(),
            nat <- new_mutex!(None, "netflow_nat"),
            nat_stats: NatStats::default(),
            rates <- new_mutex!(rates, "netflow_rates"),
            worker: WorkerStats::default(),
            cursor: AtomicUsize::new(0),
            started_ms: time::real_ms(),
            config <- new_mutex!(ConfigText { aggregation: text }, "netflow_config"),
        }))
    }

    /// The exporter, locked, with the current export settings.
    pub(crate) fn exporter(&self) -> Guard<'_, Exporter, MutexBackend> {
        let mut exporter = self.exporter.lock();
        exporter.configure(export_options(&self.settings));
        exporter
    }

    /// The flow timeouts now, in jiffies.
    pub(crate) fn timeouts(&self) -> Timeouts {
        let hz = time::hz();
        Timeouts {
            inactive: self
                .settings
                .get(Setting::InactiveTimeout)
                .saturating_mul(hz),
            active: self.settings.get(Setting::ActiveTimeout).saturating_mul(hz),
        }
    }

    /// Exports the retired flows that are ready (all of them, after a grace period, if
    /// `all`); returns how many.
    fn export_retired(&self, m: &mut Maintenance<'_, Flow>, all: bool) -> usize {
        let clock = now();
        let now_jiffies = time::jiffies();
        let mut exporter = self.exporter();
        let (mut packets, mut bytes) = (0u64, 0u64);
        let mut export = |f: &Flow| {
            let rec = f.record(now_jiffies, clock.unix_ms);
            packets = packets.saturating_add(rec.packets);
            bytes = bytes.saturating_add(rec.bytes);
            let sampling = f.sampling();
            self.sampling.count(sampling, rec.packets);
            if sampling != Sampling::Discarded {
                exporter.export(&rec, &clock, &self.export_stats);
            }
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

    /// Exports the NAT events conntrack has queued for us (while `natevents` is on).
    fn export_nat_events(&self) {
        let mut nat = self.nat.lock();
        let Some(listener) = nat.as_mut() else {
            return;
        };
        let clock = now();
        let mut exporter = self.exporter();
        listener.drain(clock.unix_ms, &self.nat_stats, |ev| {
            exporter.export_nat(ev, &clock, &self.export_stats)
        });
    }

    /// Starts (`true`) or stops listening to conntrack's events. Stopping exports what
    /// was queued first. Sleeps.
    pub(crate) fn set_natevents(&self, on: bool) -> Result {
        if on == self.nat.lock().is_some() {
            return Ok(());
        }
        if on {
            let listener = NatListener::open(&self.net)?;
            // Said for the initial namespace only, not again for each one made after.
            if self.initial.is_none() && !crate::glue::conntrack::events_delivered(&self.net) {
                pr_warn!(
                    "natevents: conntrack delivers no events in this namespace yet (is \
                     nf_conntrack_netlink loaded?): NAT events start once it is\n"
                );
            }
            *self.nat.lock() = Some(listener);
        } else {
            self.export_nat_events();
            let listener = self.nat.lock().take();
            drop(listener);
        }
        Ok(())
    }

    /// Whether NAT events are on, and if so whether conntrack delivers events now, the
    /// listener's queued bytes and queue size.
    pub(crate) fn nat_state(&self) -> Option<(bool, u32, u32)> {
        let nat = self.nat.lock();
        let (queued, size) = nat.as_ref()?.queue();
        Some((
            crate::glue::conntrack::events_delivered(&self.net),
            queued,
            size,
        ))
    }

    /// Exports every flow now and sends the last PDU. Sleeps.
    pub(crate) fn flush_all(&self) {
        self.export_nat_events();
        let mut m = self.flows.maintenance();
        m.retire_all();
        self.export_retired(&mut m, true);
    }

    /// Exports every flow now, then makes the statistics count from 0, as C's `flush=2`:
    /// the per-CPU packet path counters, the released traffic and the export counters.
    /// Sleeps.
    pub(crate) fn flush_and_reset(&self) {
        let mut m = self.flows.maintenance();
        m.retire_all();
        self.export_retired(&mut m, true);
        // Under the maintenance lock no flow leaves the table, and under the exporter's
        // no export is counted: nothing is counted half before and half after.
        self.flows.reset_stats();
        self.sampling.reset();
        let exporter = self.exporter();
        self.export_stats.reset();
        self.nat_stats.reset();
        drop(exporter);
        drop(m);
        // Rates restart from the new totals.
        let mut r = self.rates.lock();
        r.last = [0; 3];
    }

    /// Where the periodic work runs next: the `exportcpu` CPU if it is online. A CPU that
    /// went offline is dropped from the setting, with one line, as C does.
    pub(crate) fn work_cpu(&self) -> Option<u32> {
        let want = self.settings.get(Setting::Exportcpu);
        if want == ANY_CPU {
            return None;
        }
        if cpu::online(want) {
            // At most MAX_CPU (the table's range), or checked online: fits.
            return u32::try_from(want).ok();
        }
        pr_warn!(
            "can't schedule the export work on CPU {}: not online; exportcpu set to -1\n",
            want
        );
        self.settings.set(Setting::Exportcpu, ANY_CPU);
        None
    }

    /// Exports every flow in the current protocols, then makes the collectors without a
    /// protocol of their own switch to `protocol`. Sleeps.
    pub(crate) fn switch_protocol(&self, protocol: crate::export::writer::Protocol) -> Result {
        let mut m = self.flows.maintenance();
        m.retire_all();
        self.export_retired(&mut m, true);
        let mut exporter = self.exporter();
        exporter.set_protocol(protocol)?;
        self.only_v5.store(exporter.only_v5(), Relaxed);
        self.v6_in_v5_warned.store(false, Relaxed);
        Ok(())
    }

    /// Sends the PDUs being filled to the old collectors, then uses `collectors`; returns
    /// the old ones (to be dropped outside the lock), or the new ones back with an error
    /// if the exporter cannot take them (out of memory).
    pub(crate) fn switch_collectors(
        &self,
        collectors: crate::export::collectors::Collectors,
    ) -> core::result::Result<
        crate::export::collectors::Collectors,
        crate::export::collectors::Collectors,
    > {
        let mut exporter = self.exporter();
        exporter.send(&now(), &self.export_stats);
        let old = exporter.set_collectors(collectors);
        self.only_v5.store(exporter.only_v5(), Relaxed);
        self.v6_in_v5_warned.store(false, Relaxed);
        old
    }

    /// Adds the options records that are due to the PDU being filled (v9/IPFIX). The
    /// counters are summed only when the once-a-second schedule lets something out.
    fn export_options(&self) {
        let read = || {
            let t = self.flows.totals();
            let e = &self.export_stats;
            // t has STATS entries; every Stat indexes it in bounds.
            let counters = Statistics {
                domain: self.settings.get32(Setting::EngineId),
                init_ms: self.started_ms,
                messages: e.pdus.load(Relaxed),
                flow_records: e.flows.load(Relaxed),
                octets: e.bytes.load(Relaxed),
                observed_flows: t[Stat::New as usize],
                ignored_packets: t[Stat::DropPackets as usize],
                ignored_octets: t[Stat::DropBytes as usize],
                lost_flows: e.lost_flows.load(Relaxed),
                lost_packets: e.lost_packets.load(Relaxed),
                lost_octets: e.lost_bytes.load(Relaxed),
                sampler: Sampler::decode(self.settings.get(Setting::Sampler)),
                ..self.sampling.figures(t[Stat::SampledOut as usize])
            };
            (counters, domain_name())
        };
        let interface = |index, name: &mut _, alias: &mut _| self.net.interface(index, name, alias);
        self.exporter()
            .export_options(read, interface, &now(), &self.export_stats);
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
        // t and each per-CPU array have STATS entries; every Stat indexes them in bounds.
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
        // Per-CPU sums read while CPUs count can come out below the last reading.
        let [ls, lf, ln] = r.last;
        r.metric = metric_x100(
            searched.saturating_sub(ls),
            found.saturating_sub(lf),
            new.saturating_sub(ln),
        );
        let metric = r.metric;
        r.metric_avg.update(metric);
        r.last = [searched, found, new];
        for (rate, cpu) in r.cpu_packets.iter_mut().zip(self.flows.per_cpu()) {
            rate.sample(cpu[Stat::Packets as usize], elapsed);
        }
    }
}

/// observationDomainName: the module's version and srcversion, zero-padded.
fn domain_name() -> [u8; DOMAIN_NAME_LEN] {
    struct Buf([u8; DOMAIN_NAME_LEN], usize);
    impl core::fmt::Write for Buf {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            for &b in s.as_bytes() {
                // Cut at the end, keeping a final NUL.
                if let Some(slot) = self
                    .0
                    .get_mut(self.1)
                    .filter(|_| self.1 + 1 < DOMAIN_NAME_LEN)
                {
                    *slot = b;
                    self.1 += 1;
                }
            }
            Ok(())
        }
    }
    let mut b = Buf([0; DOMAIN_NAME_LEN], 0);
    let _ = core::fmt::write(
        &mut b,
        format_args!(
            "ipt_NETFLOW {} srcversion {}",
            modinfo::version().to_str().unwrap_or("?"),
            modinfo::srcversion().to_str().unwrap_or("?")
        ),
    );
    b.0
}

/// The clock export headers use.
pub(crate) fn now() -> Clock {
    Clock {
        unix_ms: time::real_ms(),
        uptime_ms: time::boot_ms(),
    }
}

impl Netflow {
    /// Accounts a packet of this namespace.
    pub(crate) fn account(&self, packet: &Packet<'_>) {
        self.flows.account(
            packet,
            || self.settings.get(Setting::Maxflows),
            self.settings.get(Setting::Sampler),
            &self.memcg,
        );
    }
}

/// The export settings of `v`.
pub(crate) fn export_options(v: &Values) -> ExportOptions {
    ExportOptions {
        engine_id: v.get32(Setting::EngineId),
        refresh_rate: v.get32(Setting::RefreshRate),
        timeout_rate: v.get32(Setting::TimeoutRate),
        debug: v.get32(Setting::Debug),
        sampler: Sampler::decode(v.get(Setting::Sampler)),
    }
}

/// The hash size of `hashsize=0`, as C ipt_NETFLOW: about 1/1024 of RAM in buckets, at
/// most 5 MiB of buckets, at least 256.
pub(crate) fn auto_hashsize() -> usize {
    let word = size_of::<usize>() as u64;
    // Divisors are nonzero constants (word = size of a pointer).
    let bytes = time::totalram_pages().saturating_mul(4096) / 1024;
    let buckets = (bytes / word).clamp(256, (5 << 20) / word);
    // At most 5 MiB / 8: fits any usize.
    buckets as usize
}

impl Periodic for Netflow {
    fn run(&self) -> Next {
        let start_ns = time::mono_ns();
        self.worker.cpu.store(cpu::current(), Relaxed);
        let hz = time::hz();
        // Ten runs a second; each ages its share of one pass over the table (see
        // `pass_secs`), so no run holds the CPU long even with a million flows.
        // Division by a nonzero constant.
        let delay = (hz / 10).max(self.settings.get(Setting::ScanMin)).max(1);
        let pass = pass_secs(
            self.settings.get(Setting::InactiveTimeout),
            self.settings.get(Setting::ActiveTimeout),
        );
        self.worker.last_start.store(time::jiffies(), Relaxed);
        {
            let mut m = self.flows.maintenance();
            let chunk = aging_chunk(self.flows.buckets(), delay, hz, pass);
            let scanned =
                self.flows
                    .age(&mut m, self.cursor.load(Relaxed), chunk, &self.timeouts());
            self.cursor.store(scanned.next, Relaxed);
            let exported = self.export_retired(&mut m, false);
            // usize into u64: lossless.
            self.worker.flows.store(scanned.items as u64, Relaxed);
            self.worker.buckets.store(scanned.buckets as u64, Relaxed);
            self.worker.exported.store(exported as u64, Relaxed);
        }
        self.export_nat_events();
        self.export_options();
        self.sample_rates();
        self.worker.delay.store(delay, Relaxed);
        self.worker
            .last_us
            .store(time::mono_ns().saturating_sub(start_ns) / 1000, Relaxed);
        Next {
            delay,
            cpu: self.work_cpu(),
        }
    }
}
