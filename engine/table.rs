// SPDX-License-Identifier: GPL-2.0

//! The flow table: every packet is folded into its flow here, on any CPU, in softirq or
//! process context; due flows leave it for the exporter.

use super::stats::{counter, derive, Baseline, CpuStats, Stat, STATS};
use crate::aggregation::rules::{Rules, MAX_RULES};
use crate::export::record::FlowRecord;
use crate::flow::aging::{self, EndReason, Timeouts};
use crate::flow::attributes::Attributes;
use crate::flow::hash::{flow_hash, HashSeed};
use crate::flow::key::{read_ipv4, read_ipv6, Family, FlowKey, PacketBytes, ParseKind, Parsed};
use crate::flow::sampling::{Mode, Sampler};
use crate::glue::bh::BhDisabled;
use crate::glue::kmem_cache::KmemCache;
use crate::glue::memcg::MemCgroup;
use crate::glue::percpu::{Counter, PerCpu};
use crate::glue::random::random_u32;
use crate::glue::rcu::{ReadGuard, ReadSection};
use crate::glue::rcu_box::RcuBox;
use crate::glue::rcu_table::{
    node_size, Entry, Hashed, Maintenance, NodeCache, Position, RcuTable, Scanned,
};
use crate::glue::skb::{HookFamily, Packet};
use crate::glue::time;
use core::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, Ordering::Relaxed};
use kernel::c_str;
use kernel::prelude::*;
use kernel::sync::Arc;

/// One flow. Counters are atomics: packets of one flow may arrive on several CPUs at once.
pub(crate) struct Flow {
    key: FlowKey,
    /// The key's hash: where the flow is filed.
    hash: u32,
    /// Jiffies of the first packet.
    first: u64,
    /// Jiffies of the last packet.
    last: AtomicU64,
    packets: AtomicU64,
    bytes: AtomicU64,
    out_if: u32,
    tcp_flags: AtomicU8,
    src_mask: u8,
    dst_mask: u8,
    /// What the sampler decided, and why the flow left the table.
    state: State,
    /// The first packet's gateway (zero: none).
    next_hop: [u8; 16],
    /// The first packet's flow label (the option maps are below, not in a copy of the
    /// packet's `Attributes`: fewer bytes per flow; the IGMP type and the SPI are in the
    /// key's ports).
    flow_label: u32,
    /// IPv4 options / IPv6 extension headers and TCP options: OR over the packets.
    ip_options: AtomicU32,
    tcp_options: AtomicU64,
}

impl Flow {
    fn account(&self, bytes: u64, tcp_flags: u8, attrs: &Attributes, now: u64) {
        self.packets.fetch_add(1, Relaxed);
        self.bytes.fetch_add(bytes, Relaxed);
        if tcp_flags != 0 {
            self.tcp_flags.fetch_or(tcp_flags, Relaxed);
        }
        // Atomic ORs only when there is something new: most packets carry no IP options
        // (then the flow's map is not even read), and a TCP connection repeats the same
        // few options.
        if attrs.ip_options != 0 && attrs.ip_options & !self.ip_options.load(Relaxed) != 0 {
            self.ip_options.fetch_or(attrs.ip_options, Relaxed);
        }
        if attrs.tcp_options != 0 && attrs.tcp_options & !self.tcp_options.load(Relaxed) != 0 {
            self.tcp_options.fetch_or(attrs.tcp_options, Relaxed);
        }
        self.last.store(now, Relaxed);
    }

    /// The flow as an export record; `now_jiffies` and `now_ms` are the same instant.
    pub(crate) fn record(&self, now_jiffies: u64, now_ms: u64) -> FlowRecord {
        // HZ is a nonzero kernel constant; checked all the same, so that no panic call (which
        // objtool of 6.12 does not know as noreturn) ends the function.
        let ms_ago = |t: u64| {
            let ms = now_jiffies.saturating_sub(t).saturating_mul(1000);
            ms.checked_div(time::hz()).unwrap_or(ms)
        };
        FlowRecord {
            key: self.key,
            out_if: self.out_if,
            next_hop: self.next_hop,
            attrs: Attributes {
                ip_options: self.ip_options.load(Relaxed),
                tcp_options: self.tcp_options.load(Relaxed),
                flow_label: self.flow_label,
            },
            packets: self.packets.load(Relaxed),
            bytes: self.bytes.load(Relaxed),
            first_ms: now_ms.saturating_sub(ms_ago(self.first)),
            last_ms: now_ms.saturating_sub(ms_ago(self.last.load(Relaxed))),
            tcp_flags: self.tcp_flags.load(Relaxed),
            src_mask: self.src_mask,
            dst_mask: self.dst_mask,
            end_reason: self.state.end(),
            sampler_id: match self.state.sampling() {
                Sampling::Selected(mode) => mode as u8,
                Sampling::Off | Sampling::Discarded => 0,
            },
        }
    }
}

/// A flow's sampling decision, taken when it is created: a flow stays in or out for its
/// whole life, so an exported flow has every packet, and a sampler change applies to new
/// flows only.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sampling {
    /// Created with no sampler: exported.
    Off,
    /// Kept by the sampler of this mode: exported, naming it.
    Selected(Mode),
    /// Not kept (deterministic or random): counted, then dropped instead of exported.
    Discarded,
}

/// A flow's sampling decision (bits 0-3, set when it is created) and its end reason (bits
/// 4-7, an `EndReason` set when it is retired; 0 before): one byte of the node for both.
struct State(AtomicU8);

impl State {
    const END_SHIFT: u32 = 4;
    const DISCARDED: u8 = 4;

    fn new(sampling: Sampling) -> Self {
        Self(AtomicU8::new(match sampling {
            Sampling::Off => 0,
            Sampling::Selected(mode) => mode as u8,
            Sampling::Discarded => Self::DISCARDED,
        }))
    }

    fn sampling(&self) -> Sampling {
        match self.0.load(Relaxed) & 0x0f {
            0 => Sampling::Off,
            1 => Sampling::Selected(Mode::Deterministic),
            2 => Sampling::Selected(Mode::Random),
            3 => Sampling::Selected(Mode::Hash),
            _ => Sampling::Discarded,
        }
    }

    /// Records why the flow leaves; the sampling bits never change after creation, so a
    /// plain store keeps them.
    fn set_end(&self, reason: EndReason) {
        let sampling = self.0.load(Relaxed) & 0x0f;
        self.0
            .store(sampling | ((reason as u8) << Self::END_SHIFT), Relaxed);
    }

    fn end(&self) -> EndReason {
        match self.0.load(Relaxed) >> Self::END_SHIFT {
            1 => EndReason::IdleTimeout,
            2 => EndReason::ActiveTimeout,
            3 => EndReason::EndDetected,
            _ => EndReason::ForcedEnd,
        }
    }
}

impl Flow {
    /// The sampler's decision for this flow.
    pub(crate) fn sampling(&self) -> Sampling {
        self.state.sampling()
    }

    /// The jiffies of the first and of the last packet.
    pub(crate) fn times(&self) -> (u64, u64) {
        (self.first, self.last.load(Relaxed))
    }
}

impl Hashed for Flow {
    fn hash(&self) -> u32 {
        self.hash
    }
}

// The memory goal: a flow's node (the flow and its chain link) fits 128 bytes of slab.
const _: () = assert!(node_size::<Flow>() <= 128);

/// The slab cache of flows, shared by every namespace's table.
pub(crate) type FlowCache = NodeCache<Flow>;

/// The flow cache: one `ipt_netflow` line in `/proc/slabinfo`, whatever the namespaces.
pub(crate) fn flow_cache() -> Result<Arc<FlowCache>> {
    Ok(Arc::new(
        KmemCache::new(c_str!("ipt_netflow"))?,
        GFP_KERNEL,
    )?)
}

/// How long a TCP flow that saw FIN or RST may stay idle before it leaves early (jiffies
/// are converted at use): late segments of the close still land in the same flow.
pub(crate) const END_GRACE_MS: u64 = 1000;

/// The flow table and its statistics.
pub(crate) struct FlowTable {
    table: RcuTable<Flow>,
    stats: PerCpu<CpuStats>,
    /// Where `stats` count from (`flush=2`).
    base: Baseline,
    rules: RcuBox<Rules>,
    rule_usage: [AtomicU64; MAX_RULES],
    /// The flow hash's seed, random per table.
    seed: HashSeed,
    /// Flows in the table.
    active: AtomicU64,
    /// Packets and bytes of the flows that left the table.
    released_packets: AtomicU64,
    released_bytes: AtomicU64,
    /// New flows the deterministic sampler has seen: it keeps every N-th.
    sampled_flows: AtomicU64,
    /// Most flows ever in the table, and when (jiffies).
    peak: AtomicU64,
    peak_jiffies: AtomicU64,
}

impl FlowTable {
    /// An empty table of `buckets` buckets, its flows from `cache`.
    pub(crate) fn new(cache: Arc<FlowCache>, buckets: usize, rules: KBox<Rules>) -> Result<Self> {
        let stats = PerCpu::<CpuStats>::new()?;
        Ok(Self {
            table: RcuTable::new(cache, buckets)?,
            base: Baseline::new(stats.iter().count())?,
            stats,
            rules: RcuBox::new(rules),
            rule_usage: [const { AtomicU64::new(0) }; MAX_RULES],
            seed: HashSeed::new((u64::from(random_u32()) << 32) | u64::from(random_u32())),
            active: AtomicU64::new(0),
            released_packets: AtomicU64::new(0),
            released_bytes: AtomicU64::new(0),
            sampled_flows: AtomicU64::new(0),
            peak: AtomicU64::new(0),
            peak_jiffies: AtomicU64::new(time::jiffies()),
        })
    }

    /// Accounts one packet; a new flow only while fewer than `maxflows()` (0: no limit)
    /// are in the table. `sampler` is the sampler setting's number
    /// ([`Sampler::encode`]); both are read only where they are needed.
    pub(crate) fn account(
        &self,
        packet: &Packet<'_>,
        maxflows: impl FnOnce() -> u64,
        sampler: u64,
        memcg: &MemCgroup,
    ) {
        let bh = BhDisabled::new();
        let stats = self.stats.this_cpu(&bh);
        // usize into u64: lossless.
        let len = packet.len() as u64;
        counter(stats, Stat::Packets).add(1);
        counter(stats, Stat::Bytes).add(len);

        // Parsed in place (see `read_ipv4`). A linear packet (the usual case) is read as a
        // plain slice: one bounds check per read, no fallback to `skb_copy_bits`.
        let in_if = packet.in_ifindex();
        let mut parsed;
        let read = match packet.family() {
            Some(HookFamily::Ipv4) => {
                parsed = Parsed::empty(Family::V4, in_if);
                match packet.linear() {
                    Some(bytes) => read_ipv4(bytes, &mut parsed),
                    None => read_ipv4(&Bytes(packet), &mut parsed),
                }
            }
            Some(HookFamily::Ipv6) => {
                parsed = Parsed::empty(Family::V6, in_if);
                match packet.linear() {
                    Some(bytes) => read_ipv6(bytes, &mut parsed),
                    None => read_ipv6(&Bytes(packet), &mut parsed),
                }
            }
            // Not an IP hook: nothing to read.
            None => {
                malformed(stats, len);
                return;
            }
        };
        if read.is_err() {
            malformed(stats, len);
            return;
        }
        match parsed.kind {
            ParseKind::NonFirstFragment => counter(stats, Stat::Frag).add(1),
            ParseKind::Truncated => counter(stats, Stat::Trunc).add(1),
            ParseKind::Complete | ParseKind::UnknownProtocol => {}
        }

        let rcu = packet.rcu();
        let applied = {
            let rules = self.rules.read(rcu);
            if rules.is_empty() {
                Default::default()
            } else {
                let applied = rules.apply(&mut parsed.key);
                for i in applied.matched() {
                    if let Some(usage) = self.rule_usage.get(i) {
                        usage.fetch_add(1, Relaxed);
                    }
                }
                applied
            }
        };
        let key = &parsed.key;
        let hash = flow_hash(key, &self.seed);
        // Hash sampling: a flow not kept costs no lookup and no memory. (Decoded only when
        // set: most tables sample nothing.)
        if sampler != 0 {
            if let Some(s) = Sampler::decode(sampler) {
                if s.mode() == Mode::Hash && !s.keeps_hash(hash) {
                    counter(stats, Stat::SampledOut).add(1);
                    return;
                }
            }
        }
        let now = time::jiffies();
        let (found, mut searched) = self.table.find(rcu, hash, |f| f.key == *key);
        // Found is derived from the other counters (see `Stat::Found`): nothing to count.
        let flow = match found {
            Some(flow) => flow,
            None => {
                let make = || {
                    let mut next_hop = [0u8; 16];
                    if let Some(family) = packet.family() {
                        packet.gateway(family, &mut next_hop);
                    }
                    let sampling = self.sample_new(Sampler::decode(sampler));
                    self.reserve(maxflows()).then(|| Flow {
                        key: *key,
                        hash,
                        first: now,
                        last: AtomicU64::new(now),
                        packets: AtomicU64::new(0),
                        bytes: AtomicU64::new(0),
                        out_if: packet.out_ifindex(),
                        tcp_flags: AtomicU8::new(0),
                        src_mask: applied.src_mask,
                        dst_mask: applied.dst_mask,
                        state: State::new(sampling),
                        next_hop,
                        flow_label: parsed.attrs.flow_label,
                        ip_options: AtomicU32::new(0),
                        tcp_options: AtomicU64::new(0),
                    })
                };
                // A new flow is charged to the namespace's memory cgroup.
                let charging = memcg.charge();
                let (entry, more) =
                    self.table
                        .find_or_insert(rcu, &bh, hash, |f| f.key == *key, make);
                drop(charging);
                searched = searched.saturating_add(more);
                match entry {
                    Entry::Found(flow) => flow,
                    Entry::Inserted(flow) => {
                        counter(stats, Stat::New).add(1);
                        flow
                    }
                    Entry::Refused => {
                        counter(stats, Stat::MaxflowsErr).add(1);
                        drop_packet(stats, len);
                        return;
                    }
                    Entry::NoMemory => {
                        self.active.fetch_sub(1, Relaxed);
                        counter(stats, Stat::AllocErr).add(1);
                        drop_packet(stats, len);
                        return;
                    }
                }
            }
        };
        // Usually the flow is the first of its chain: then nothing to count.
        if searched != 0 {
            counter(stats, Stat::Searched).add(u64::from(searched));
        }
        flow.account(len, parsed.tcp_flags, &parsed.attrs, now);
    }

    /// The sampler's decision for a new flow.
    fn sample_new(&self, sampler: Option<Sampler>) -> Sampling {
        let Some(s) = sampler else {
            return Sampling::Off;
        };
        let kept = match s.mode() {
            // Atomic adds wrap: the count goes on past 2^64 without a panic.
            Mode::Deterministic => s.keeps_nth(self.sampled_flows.fetch_add(1, Relaxed)),
            Mode::Random => s.keeps_random(random_u32()),
            // Decided before the lookup.
            Mode::Hash => true,
        };
        if kept {
            Sampling::Selected(s.mode())
        } else {
            Sampling::Discarded
        }
    }

    /// Counts a new flow in, unless `max` (0: no limit) is reached.
    fn reserve(&self, max: u64) -> bool {
        // The count of flows stays far below 2^64: each is a slab object.
        let active = self.active.fetch_add(1, Relaxed).wrapping_add(1);
        if max != 0 && active > max {
            self.active.fetch_sub(1, Relaxed);
            return false;
        }
        if active > self.peak.load(Relaxed) {
            self.peak.store(active, Relaxed);
            self.peak_jiffies.store(time::jiffies(), Relaxed);
        }
        true
    }

    /// Exclusive access for aging, flushing and resizing. Sleeps.
    pub(crate) fn maintenance(&self) -> Maintenance<'_, Flow> {
        self.table.maintenance()
    }

    /// Retires the due flows among `count` buckets from `start`.
    pub(crate) fn age(
        &self,
        m: &mut Maintenance<'_, Flow>,
        start: usize,
        count: usize,
        t: &Timeouts,
    ) -> Scanned {
        let hz = time::hz();
        // HZ is at most a few thousand: no overflow.
        let grace = END_GRACE_MS * hz / 1000;
        let now = time::jiffies();
        m.scan(start, count, |f| {
            let reason = aging::due(
                now,
                f.first,
                f.last.load(Relaxed),
                f.tcp_flags.load(Relaxed),
                f.key.protocol,
                t,
                grace,
            );
            if let Some(reason) = reason {
                f.state.set_end(reason);
            }
            reason.is_some()
        })
    }

    /// Counts out `n` flows that left the table for good, with their packets and bytes.
    pub(crate) fn released(&self, n: usize, packets: u64, bytes: u64) {
        // Atomic adds and subtractions wrap, never panic; `n` flows were counted in.
        self.active.fetch_sub(n as u64, Relaxed);
        self.released_packets.fetch_add(packets, Relaxed);
        self.released_bytes.fetch_add(bytes, Relaxed);
    }

    /// Packets and bytes of all flows that left the table.
    pub(crate) fn released_traffic(&self) -> (u64, u64) {
        (
            self.released_packets.load(Relaxed),
            self.released_bytes.load(Relaxed),
        )
    }

    /// Slab bytes per flow.
    pub(crate) fn flow_size(&self) -> usize {
        self.table.item_size()
    }

    /// Number of buckets.
    pub(crate) fn buckets(&self) -> usize {
        self.table.buckets()
    }

    /// Flows in the table (retired ones waiting for export included).
    pub(crate) fn active(&self) -> u64 {
        self.active.load(Relaxed)
    }

    /// Most flows ever, and the jiffies when that was reached.
    pub(crate) fn peak(&self) -> (u64, u64) {
        (self.peak.load(Relaxed), self.peak_jiffies.load(Relaxed))
    }

    /// Each possible CPU's statistics since the last reset, copied, in `PerCpu::iter`
    /// order.
    pub(crate) fn per_cpu(&self) -> impl Iterator<Item = [u64; STATS]> + '_ {
        self.stats
            .iter()
            .enumerate()
            .map(|(i, cpu)| derive(self.base.since(i, cpu.each_ref().map(Counter::get))))
    }

    /// Makes the statistics and the released traffic count from 0 (`flush=2`, with the
    /// table just flushed).
    pub(crate) fn reset_stats(&self) {
        for (i, cpu) in self.stats.iter().enumerate() {
            self.base.reset(i, cpu.each_ref().map(Counter::get));
        }
        self.released_packets.store(0, Relaxed);
        self.released_bytes.store(0, Relaxed);
    }

    /// Hands `f` the flows from `from` on, looking at up to `buckets` buckets; see
    /// `RcuTable::visit`. For the flow dump: no lock taken.
    pub(crate) fn visit(
        &self,
        rcu: &ReadSection,
        from: Position,
        buckets: usize,
        f: impl FnMut(Position, &Flow) -> bool,
    ) -> Option<Position> {
        self.table.visit(rcu, from, buckets, f)
    }

    /// Statistics summed over all CPUs.
    pub(crate) fn totals(&self) -> [u64; STATS] {
        let mut t = [0u64; STATS];
        for cpu in self.per_cpu() {
            for (sum, c) in t.iter_mut().zip(cpu) {
                *sum = (*sum).wrapping_add(c);
            }
        }
        t
    }

    /// Replaces the aggregation rules (usage counters restart). Sleeps.
    pub(crate) fn set_rules(&self, rules: KBox<Rules>) {
        self.rules.replace(rules);
        for usage in &self.rule_usage {
            usage.store(0, Relaxed);
        }
    }

    /// Calls `f` with the current rules and their usage counters.
    pub(crate) fn with_rules<R>(&self, f: impl FnOnce(&Rules, &[AtomicU64]) -> R) -> R {
        let rcu = ReadGuard::new();
        f(self.rules.read(&rcu), &self.rule_usage)
    }
}

/// A packet's bytes, as the key parser reads them.
struct Bytes<'a, 'p>(&'a Packet<'p>);

impl PacketBytes for Bytes<'_, '_> {
    #[inline]
    fn len(&self) -> usize {
        self.0.len()
    }

    #[inline]
    fn copy_to(&self, offset: usize, out: &mut [u8]) -> bool {
        self.0.copy_to(offset, out)
    }
}

/// Counts a packet without a readable IP header: dropped, as C counts it.
fn malformed(stats: &CpuStats, len: u64) {
    counter(stats, Stat::Trunc).add(1);
    drop_packet(stats, len);
}

fn drop_packet(stats: &CpuStats, len: u64) {
    counter(stats, Stat::DropPackets).add(1);
    counter(stats, Stat::DropBytes).add(len);
}
