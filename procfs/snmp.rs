// SPDX-License-Identifier: GPL-2.0

//! `/proc/net/stat/ipt_netflow_snmp`: `name value` lines for the SNMP agent.

use super::figures::Fixed2;
use crate::engine::stats::Stat;
use crate::engine::Netflow;
use crate::flow::rate::metric_x100;
use crate::glue::proc::{ProcShow, SeqFile};
use core::fmt::{self, Write};
use core::sync::atomic::Ordering::Relaxed;
use kernel::prelude::*;
use kernel::sync::Arc;

/// The SNMP file.
pub(crate) struct SnmpFile(pub(crate) Arc<Netflow>);

impl ProcShow for SnmpFile {
    fn show(&self, m: &mut SeqFile<'_>) -> Result {
        write_snmp(&self.0, m).map_err(|_| EINVAL)
    }
}

fn write_snmp(n: &Netflow, m: &mut impl Write) -> fmt::Result {
    let t = n.flows.totals();
    // t and each per-CPU array hold STATS counters: every Stat indexes them in bounds.
    let v = |s: Stat| t[s as usize];
    let counters = super::counters(n, &t);
    let fig = counters.figures();
    let e = &n.export_stats;
    let rates = n.rates.lock();
    let line = |m: &mut dyn Write, name: &str, value: u64| writeln!(m, "{:<12} {}", name, value);
    line(m, "inBitRate", rates.bits.per_sec)?;
    line(m, "inPacketRate", rates.packets.per_sec)?;
    line(m, "inFlows", v(Stat::New))?;
    line(m, "inPackets", v(Stat::Packets))?;
    line(m, "inBytes", v(Stat::Bytes))?;
    writeln!(m, "{:<12} {}", "hashMetric", Fixed2(fig.metric_x100))?;
    line(m, "hashMemory", fig.table_memory)?;
    line(m, "hashFlows", counters.flows)?;
    line(m, "hashPackets", fig.in_hash_packets)?;
    line(m, "hashBytes", fig.in_hash_bytes)?;
    line(m, "dropPackets", v(Stat::DropPackets))?;
    line(m, "dropBytes", v(Stat::DropBytes))?;
    line(m, "outByteRate", rates.export_bytes.per_sec)?;
    line(m, "outFlows", e.flows.load(Relaxed))?;
    line(m, "outPackets", e.pdus.load(Relaxed))?;
    line(m, "outBytes", e.bytes.load(Relaxed))?;
    line(m, "lostFlows", e.lost_flows.load(Relaxed))?;
    line(m, "lostPackets", e.lost_packets.load(Relaxed))?;
    line(m, "lostBytes", e.lost_bytes.load(Relaxed))?;
    line(m, "errTotal", e.errors.load(Relaxed))?;
    let nat = &n.nat_stats;
    line(m, "natStart", nat.starts.load(Relaxed))?;
    line(m, "natStop", nat.stops.load(Relaxed))?;
    line(m, "natExported", e.nat_exported.load(Relaxed))?;
    line(m, "natDropped", nat.dropped.load(Relaxed))?;
    line(m, "natLost", e.nat_lost.load(Relaxed))?;
    for (i, (cpu, rate)) in n.flows.per_cpu().zip(&rates.cpu_packets).enumerate() {
        let c = |s: Stat| cpu[s as usize];
        let metric = metric_x100(c(Stat::Searched), c(Stat::Found), c(Stat::New));
        writeln!(
            m,
            "cpu{} {} {} {} {} {} {} {} {} {} {} {}",
            i,
            rate.per_sec,
            c(Stat::New),
            c(Stat::Packets),
            c(Stat::Bytes),
            Fixed2(metric),
            c(Stat::DropPackets),
            c(Stat::DropBytes),
            c(Stat::Trunc),
            c(Stat::Frag),
            c(Stat::AllocErr),
            c(Stat::MaxflowsErr)
        )?;
    }
    drop(rates);
    let exporter = n.exporter();
    let mut peak_max = 0;
    for (i, c) in exporter.collectors().iter().enumerate() {
        let s = c.stats();
        peak_max = peak_max.max(s.peak);
        writeln!(
            m,
            "sock{} {} {} {} {} {} {} {} {} {}",
            i,
            s.destination,
            u32::from(s.connected),
            s.err_connect,
            s.err_sndbuf,
            s.err_cberr,
            s.err_other,
            s.sndbuf,
            s.filled,
            s.peak
        )?;
    }
    writeln!(m, "sndbufPeak   {}", peak_max)
}
