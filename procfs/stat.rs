// SPDX-License-Identifier: GPL-2.0

//! `/proc/net/stat/ipt_netflow`: the human-readable statistics.

use super::figures::{days_hours_minutes, ticks_to_ms, Fixed2};
use crate::aggregation::rules::Rule;
use crate::engine::stats::{Stat, STATS};
use crate::engine::{Netflow, SamplingStats};
use crate::export::writer::Protocol;
use crate::flow::rate::metric_x100;
use crate::flow::sampling::{Mode, Sampler};
use crate::glue::modinfo;
use crate::glue::proc::{ProcShow, SeqFile};
use crate::glue::time;
use crate::settings::spec::Setting;
use core::fmt::{self, Write};
use core::sync::atomic::Ordering::Relaxed;
use kernel::prelude::*;
use kernel::sync::Arc;

/// The statistics file.
pub(crate) struct StatFile(pub(crate) Arc<Netflow>);

impl ProcShow for StatFile {
    fn show(&self, m: &mut SeqFile<'_>) -> Result {
        write_stat(&self.0, m).map_err(|_| EINVAL)
    }
}

fn write_stat(n: &Netflow, m: &mut impl Write) -> fmt::Result {
    let s = &n.settings;
    let hz = time::hz();
    // Before the exporter's lock: the NAT listener's lock is taken first elsewhere.
    let nat = n.nat_state();
    let exporter = n.exporter();
    let protocol = exporter.protocol();

    writeln!(
        m,
        "ipt_NETFLOW {}, srcversion {}; aggr rcu ipv6 netns sampler natevents v5 v9 ipfix",
        modinfo::version(),
        modinfo::srcversion()
    )?;
    write!(
        m,
        "Protocol version {} ({})",
        protocol as u32,
        if protocol == Protocol::Ipfix {
            "ipfix"
        } else {
            "netflow"
        }
    )?;
    if protocol == Protocol::V5 {
        writeln!(m)?;
    } else {
        let (templates, active) = exporter.template_counts();
        writeln!(
            m,
            ", refresh-rate {}, timeout-rate {}, (templates {}, active {}).",
            s.get(Setting::RefreshRate),
            s.get(Setting::TimeoutRate),
            templates,
            active
        )?;
    }
    writeln!(
        m,
        "Timeouts: active {}s, inactive {}s. Maxflows {}",
        s.get(Setting::ActiveTimeout),
        s.get(Setting::InactiveTimeout),
        s.get(Setting::Maxflows)
    )?;

    let t = n.flows.totals();
    if let Some(sampler) = Sampler::decode(s.get(Setting::Sampler)) {
        sampling_line(m, &sampler, &n.sampling, &t)?;
    }
    nat_lines(m, n, nat)?;
    let counters = super::counters(n, &t);
    let fig = counters.figures();
    let (peak, peak_at) = n.flows.peak();
    let (days, hours, minutes) =
        days_hours_minutes(ticks_to_ms(time::jiffies(), peak_at, hz) / 1000);
    let w = &n.worker;
    writeln!(
        m,
        "Flows: active {} (peak {} reached {}d{}h{}m ago), mem {}K, worker delay {}/{} [{}..{}] ({} ms, {} us, {}:{} {} [cpu{}]).",
        counters.flows,
        peak,
        days,
        hours,
        minutes,
        fig.table_memory >> 10,
        w.delay.load(Relaxed),
        hz,
        s.get(Setting::ScanMin),
        // Division by a nonzero constant.
        (hz / 10).max(1),
        ticks_to_ms(time::jiffies(), w.last_start.load(Relaxed), hz),
        w.last_us.load(Relaxed),
        w.flows.load(Relaxed),
        w.buckets.load(Relaxed),
        w.exported.load(Relaxed),
        w.cpu.load(Relaxed),
    )?;

    let (pdu_packets, pdu_bytes) = exporter.pending_traffic();
    let rates = n.rates.lock();
    writeln!(
        m,
        "Hash: size {} (mem {}K), metric {} [{}, {}, {}]. InHash: {} pkt, {} K, InPDU {}, {}.",
        counters.buckets,
        fig.hash_memory >> 10,
        Fixed2(rates.metric),
        Fixed2(rates.metric_avg.get(0)),
        Fixed2(rates.metric_avg.get(1)),
        Fixed2(rates.metric_avg.get(2)),
        fig.in_hash_packets,
        fig.in_hash_bytes >> 10,
        pdu_packets,
        pdu_bytes
    )?;
    writeln!(
        m,
        "Rate: {} bits/sec, {} packets/sec; Avg 1 min: {} bps, {} pps; 5 min: {} bps, {} pps",
        rates.bits.per_sec,
        rates.packets.per_sec,
        rates.bits.avg.get(0),
        rates.packets.avg.get(0),
        rates.bits.avg.get(1),
        rates.packets.avg.get(1)
    )?;
    writeln!(
        m,
        "cpu#     pps; <search found new [metric], trunc frag alloc maxflows>, traffic: <pkt, bytes>, drop: <pkt, bytes>"
    )?;
    write_cpu_row(m, None, rates.packets.per_sec, &t)?;
    for (i, (cpu, rate)) in n.flows.per_cpu().zip(&rates.cpu_packets).enumerate() {
        write_cpu_row(m, Some(i), rate.per_sec, &cpu)?;
    }

    let e = &n.export_stats;
    writeln!(
        m,
        "Export: Rate {} bytes/s; Total {} pkts, {} MB, {} flows; Errors {} pkts; Traffic lost {} pkts, {} Kbytes, {} flows.",
        rates.export_bytes.per_sec,
        e.pdus.load(Relaxed),
        e.bytes.load(Relaxed) >> 20,
        e.flows.load(Relaxed),
        e.errors.load(Relaxed),
        e.lost_packets.load(Relaxed),
        e.lost_bytes.load(Relaxed) >> 10,
        e.lost_flows.load(Relaxed)
    )?;
    drop(rates);
    for (i, c) in exporter.collectors().iter().enumerate() {
        writeln!(m, "sock{}: {}", i, c)?;
    }
    drop(exporter);
    n.flows.with_rules(|rules, usage| {
        let (mut net, mut port) = (0, 0);
        for (rule, used) in rules.iter().zip(usage) {
            let number = if matches!(rule, Rule::Net(_)) {
                &mut net
            } else {
                &mut port
            };
            writeln!(m, "aggr#{} {} (usage {})", number, rule, used.load(Relaxed))?;
            // At most MAX_RULES rules: fits.
            *number += 1;
        }
        Ok(())
    })
}

/// A row of the CPU table: the `Total` row (`cpu` None) or one CPU's.
fn write_cpu_row(
    m: &mut impl Write,
    cpu: Option<usize>,
    pps: u64,
    c: &[u64; STATS],
) -> fmt::Result {
    // A full array of STATS counters: every Stat indexes it in bounds.
    let v = |s: Stat| c[s as usize];
    match cpu {
        None => write!(m, "Total")?,
        Some(i) => write!(m, "cpu{:<2}", i)?,
    }
    writeln!(
        m,
        " {:6}; {:6} {:6} {:6} [{}], {:4} {:4} {:4} {:4}, traffic: {}, {} MB, drop: {}, {} K",
        pps,
        v(Stat::Searched),
        v(Stat::Found),
        v(Stat::New),
        Fixed2(metric_x100(v(Stat::Searched), v(Stat::Found), v(Stat::New))),
        v(Stat::Trunc),
        v(Stat::Frag),
        v(Stat::AllocErr),
        v(Stat::MaxflowsErr),
        v(Stat::Packets),
        v(Stat::Bytes) >> 20,
        v(Stat::DropPackets),
        v(Stat::DropBytes) >> 10
    )
}

/// C's NAT events line, and when they are on, what became of them.
fn nat_lines(m: &mut impl Write, n: &Netflow, state: Option<(bool, u32, u32)>) -> fmt::Result {
    let st = &n.nat_stats;
    writeln!(
        m,
        "Natevents {}, count start {}, stop {}.",
        if state.is_some() {
            "enabled"
        } else {
            "disabled"
        },
        st.starts.load(Relaxed),
        st.stops.load(Relaxed)
    )?;
    let Some((delivered, queued, size)) = state else {
        return Ok(());
    };
    let e = &n.export_stats;
    let dropped = st.dropped.load(Relaxed);
    let not_sent = e.nat_lost.load(Relaxed);
    writeln!(
        m,
        "Natevents exported {}, lost {} (receive queue full {}, not sent {}), malformed {}, queue {}/{} bytes; {}.",
        e.nat_exported.load(Relaxed),
        dropped.saturating_add(not_sent),
        dropped,
        not_sent,
        st.malformed.load(Relaxed),
        queued,
        size,
        if delivered {
            "conntrack delivers events"
        } else {
            "conntrack delivers no events (nf_conntrack_netlink not loaded)"
        }
    )
}

/// C's sampling line: what the sampler kept and dropped (hash sampling drops flows before
/// they exist: it has no count of discarded flows).
fn sampling_line(
    m: &mut impl Write,
    sampler: &Sampler,
    st: &SamplingStats,
    t: &[u64; STATS],
) -> fmt::Result {
    write!(
        m,
        "Flow sampling mode {} one-out-of {}. Flows selected {}",
        sampler.mode().name(),
        sampler.interval(),
        st.flows_selected.load(Relaxed)
    )?;
    if sampler.mode() != Mode::Hash {
        write!(m, ", discarded {}", st.flows_discarded.load(Relaxed))?;
    }
    // t has STATS entries; every Stat indexes it in bounds.
    let sampled_out = t[Stat::SampledOut as usize];
    writeln!(
        m,
        ". Pkts selected {}, discarded {}.",
        st.packets_selected.load(Relaxed),
        st.packets_discarded
            .load(Relaxed)
            .saturating_add(sampled_out)
    )
}
