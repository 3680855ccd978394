// SPDX-License-Identifier: GPL-2.0

//! `/proc/net/stat/ipt_netflow`, `/proc/net/stat/ipt_netflow_snmp` and
//! `/proc/net/stat/ipt_netflow_flows`, in the line formats of C ipt_NETFLOW 2.x so that
//! existing scripts and the SNMP agent keep working.

pub(crate) mod figures;
pub(crate) mod flow_line;
pub(crate) mod flows;
pub(crate) mod snmp;
pub(crate) mod stat;

use crate::engine::stats::{Stat, STATS};
use crate::engine::Netflow;
use figures::Counters;

/// The counters of `n`, with `totals` the per-CPU statistics summed.
fn counters(n: &Netflow, totals: &[u64; STATS]) -> Counters {
    // An array of STATS counters: every Stat indexes it in bounds.
    let t = |s: Stat| totals[s as usize];
    let (released_packets, released_bytes) = n.flows.released_traffic();
    Counters {
        packets: t(Stat::Packets),
        bytes: t(Stat::Bytes),
        drop_packets: t(Stat::DropPackets),
        drop_bytes: t(Stat::DropBytes),
        searched: t(Stat::Searched),
        found: t(Stat::Found),
        new: t(Stat::New),
        released_packets,
        released_bytes,
        flows: n.flows.active(),
        // usize into u64: lossless.
        flow_size: n.flows.flow_size() as u64,
        buckets: n.flows.buckets() as u64,
        bucket_size: size_of::<usize>() as u64,
    }
}
