// SPDX-License-Identifier: GPL-2.0

//! `/proc/net/stat/ipt_netflow`: the human-readable statistics.

use crate::aggregation::rules::Rule;
use crate::engine::Netflow;
use crate::export::pdu::Protocol;
use crate::flow::rate::metric_x100;
use crate::flow::stats::Stat;
use crate::glue::proc::{ProcShow, SeqFile};
use crate::glue::time;
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

/// A value x100 as `N.NN`.
struct Fixed2(u64);

impl fmt::Display for Fixed2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

fn write_stat(n: &Netflow, m: &mut impl Write) -> fmt::Result {
    let s = &n.flows.settings;
    let hz = time::hz();
    let exporter = n.exporter.lock();
    let protocol = exporter.protocol();

    writeln!(
        m,
        "ipt_NETFLOW 2.6-rust, srcversion rust; aggr rcu ipv6 v5 v9 ipfix"
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
        writeln!(
            m,
            ", refresh-rate {}, timeout-rate {}, (templates 2, active 2).",
            n.export_settings.refresh_rate.load(Relaxed),
            n.export_settings.timeout_rate.load(Relaxed)
        )?;
    }
    writeln!(
        m,
        "Timeouts: active {}s, inactive {}s. Maxflows {}",
        s.active_timeout.load(Relaxed),
        s.inactive_timeout.load(Relaxed),
        s.maxflows.load(Relaxed)
    )?;

    let active = n.flows.active();
    let (peak, peak_at) = n.flows.peak();
    let ago = time::jiffies().saturating_sub(peak_at) / hz;
    let buckets = n.flows.buckets() as u64;
    let hash_mem = buckets * size_of::<usize>() as u64;
    let w = &n.worker;
    writeln!(
        m,
        "Flows: active {} (peak {} reached {}d{}h{}m ago), mem {}K, worker delay {}/{} [{}..{}] ({} ms, {} us, {}:0 [cpu0]).",
        active,
        peak,
        ago / 86400,
        ago / 3600 % 24,
        ago / 60 % 60,
        (active * n.flows.flow_size() as u64 + hash_mem) >> 10,
        w.delay.load(Relaxed),
        hz,
        n.scan_min.load(Relaxed),
        (hz / 10).max(1),
        time::jiffies().saturating_sub(w.last_start.load(Relaxed)) * 1000 / hz,
        w.last_us.load(Relaxed),
        w.runs.load(Relaxed),
    )?;

    let t = n.flows.totals();
    let (out_packets, out_bytes) = n.flows.released_traffic();
    let accounted =
        |total: Stat, dropped: Stat| t[total as usize].saturating_sub(t[dropped as usize]);
    let (pdu_packets, pdu_bytes) = exporter.pending_traffic();
    let rates = n.rates.lock();
    writeln!(
        m,
        "Hash: size {} (mem {}K), metric {} [{}, {}, {}]. InHash: {} pkt, {} K, InPDU {}, {}.",
        buckets,
        hash_mem >> 10,
        Fixed2(rates.metric),
        Fixed2(rates.metric_avg.get(0)),
        Fixed2(rates.metric_avg.get(1)),
        Fixed2(rates.metric_avg.get(2)),
        accounted(Stat::Packets, Stat::DropPackets).saturating_sub(out_packets),
        accounted(Stat::Bytes, Stat::DropBytes).saturating_sub(out_bytes) >> 10,
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
            *number += 1;
        }
        Ok(())
    })
}

/// A row of the CPU table: the `Total` row (`cpu` None) or one CPU's.
fn write_cpu_row(m: &mut impl Write, cpu: Option<usize>, pps: u64, c: &[u64]) -> fmt::Result {
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
