// SPDX-License-Identifier: GPL-2.0

//! Turns finished flows into PDUs, one stream per protocol in use, and sends each PDU to
//! the collectors of its protocol.
//!
//! With collectors of several protocols, every flow goes into each protocol's stream, and
//! the export counters count each stream's PDUs and records (a flow sent as v9 and as
//! IPFIX counts twice; an IPv6 flow counts lost for a v5 stream only).

use super::collectors::Collectors;
use super::options::{
    Interface, OptionsRecord, Schedule, Statistics, DOMAIN_NAME_LEN, IF_DESCRIPTION_LEN,
    IF_NAME_LEN, INTERFACES_PER_RUN,
};
use super::pdu::{Clock, Push};
use super::record::FlowRecord;
use super::templates::Dialect;
use super::writer::{PduWriter, Protocol};
use crate::flow::key::{Family, FlowKey};
use crate::flow::sampling::Sampler;
use crate::glue::ratelimit::debug_allowed;
use crate::glue::sched;
use crate::nat::event::NatEvent;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use kernel::prelude::*;

/// Export counters, read by /proc while the exporter runs.
#[derive(Default)]
pub(crate) struct ExportStats {
    /// PDUs sent to at least one collector.
    pub(crate) pdus: AtomicU64,
    /// Their bytes.
    pub(crate) bytes: AtomicU64,
    /// Flows in those PDUs.
    pub(crate) flows: AtomicU64,
    /// PDUs that no collector took.
    pub(crate) errors: AtomicU64,
    /// Flows lost: in PDUs no collector took, or not exportable (IPv6 in v5).
    pub(crate) lost_flows: AtomicU64,
    /// Their packets.
    pub(crate) lost_packets: AtomicU64,
    /// Their bytes.
    pub(crate) lost_bytes: AtomicU64,
    /// NAT events in PDUs sent to at least one collector.
    pub(crate) nat_exported: AtomicU64,
    /// NAT events lost: in PDUs no collector took, or not exportable (IPv6 in v5).
    pub(crate) nat_lost: AtomicU64,
}

impl ExportStats {
    /// Makes every counter count from 0 again.
    pub(crate) fn reset(&self) {
        for c in [
            &self.pdus,
            &self.bytes,
            &self.flows,
            &self.errors,
            &self.lost_flows,
            &self.lost_packets,
            &self.lost_bytes,
            &self.nat_exported,
            &self.nat_lost,
        ] {
            c.store(0, Relaxed);
        }
    }
}

/// Totals of the records in the PDU being filled, to count them when it is sent or lost.
#[derive(Default, Clone, Copy)]
struct Pending {
    flows: u64,
    packets: u64,
    bytes: u64,
    nat_events: u64,
}

/// The export settings, as the settings table has them when the exporter is used.
#[derive(Clone, Copy, Default)]
pub(crate) struct ExportOptions {
    /// v5 engine id, v9 source id, IPFIX observation domain.
    pub(crate) engine_id: u32,
    /// v9/IPFIX: PDUs between template re-sends (0: never by count).
    pub(crate) refresh_rate: u32,
    /// v9/IPFIX: minutes between template re-sends (0: never by time).
    pub(crate) timeout_rate: u32,
    /// Debug level: 1 send errors, 2 every PDU, 3 every flow (rate-limited).
    pub(crate) debug: u32,
    /// The flow sampler, if any: collectors are told of it.
    pub(crate) sampler: Option<Sampler>,
}

/// One protocol's stream of PDUs, for the collectors of that protocol: its encoder (with
/// its sequence numbers and templates), the totals of the PDU being filled, and when its
/// options records are due.
struct Lane {
    /// Boxed, as the schedule: each is kilobytes, built in a function of its own.
    writer: KBox<PduWriter>,
    pending: Pending,
    schedule: KBox<Schedule>,
    /// The interfaces of the last flow, to skip noting them again.
    last_interfaces: (u32, u32),
}

impl Lane {
    /// A lane on the heap. Its writer (~2.5 KB) and schedule (~1.7 KB) are each built and
    /// boxed in a function of its own: built as one value and then boxed, the lane sat
    /// twice in the caller's stack frame, 9 KB under `insmod` on a 16 KB kernel stack (it
    /// overflowed on a non-debug kernel).
    fn boxed(protocol: Protocol, options: &ExportOptions) -> Result<KBox<Self>> {
        let mut writer = boxed_writer(protocol, options.engine_id)?;
        writer.set_template_rates(options.refresh_rate, options.timeout_rate);
        let lane = Self {
            writer,
            pending: Pending::default(),
            schedule: boxed_schedule()?,
            last_interfaces: (0, 0),
        };
        Ok(KBox::new(lane, GFP_KERNEL)?)
    }
}

#[inline(never)]
fn boxed_writer(protocol: Protocol, engine_id: u32) -> Result<KBox<PduWriter>> {
    Ok(KBox::new(PduWriter::new(protocol, engine_id), GFP_KERNEL)?)
}

#[inline(never)]
fn boxed_schedule() -> Result<KBox<Schedule>> {
    Ok(KBox::new(Schedule::new(), GFP_KERNEL)?)
}

/// The protocols, in the order of [`Exporter`]'s lanes.
const PROTOCOLS: [Protocol; 3] = [Protocol::V5, Protocol::V9, Protocol::Ipfix];

/// Turns flows into PDUs, one stream per protocol that some collector speaks, and sends
/// each PDU to the collectors of its protocol.
pub(crate) struct Exporter {
    /// Indexed as [`PROTOCOLS`]; a lane exists while a collector speaks its protocol.
    /// Boxed: the exporter is built and moved on the kernel stack, and a lane's PDU buffer
    /// and template registry are kilobytes.
    lanes: [Option<KBox<Lane>>; 3],
    collectors: Collectors,
    /// The `protocol` setting: what collectors without a `/protocol` of their own speak.
    protocol: Protocol,
    /// What [`Exporter::configure`] was given last.
    options: ExportOptions,
}

impl Exporter {
    /// An exporter to `collectors`, those without a protocol of their own getting
    /// `protocol` PDUs.
    pub(crate) fn new(
        protocol: Protocol,
        options: ExportOptions,
        mut collectors: Collectors,
    ) -> Result<Self> {
        collectors.follow(protocol);
        let mut this = Self {
            lanes: [None, None, None],
            collectors,
            protocol,
            options,
        };
        let lanes = this.missing_lanes(&this.collectors, protocol)?;
        this.install_lanes(lanes);
        this.configure(options);
        Ok(this)
    }

    /// The lanes `collectors` need that are not open yet, allocated, if the collectors
    /// without a protocol of their own follow `default`. Nothing changes yet: an
    /// allocation failure leaves the exporter as it was.
    fn missing_lanes(
        &self,
        collectors: &Collectors,
        default: Protocol,
    ) -> Result<[Option<KBox<Lane>>; 3]> {
        let mut new: [Option<KBox<Lane>>; 3] = [None, None, None];
        for ((slot, have), protocol) in new.iter_mut().zip(&self.lanes).zip(PROTOCOLS) {
            if have.is_none() && collectors.would_speak(protocol, default) {
                *slot = Some(Lane::boxed(protocol, &self.options)?);
            }
        }
        Ok(new)
    }

    /// Installs the lanes from [`Exporter::missing_lanes`] once the collectors follow
    /// their protocols: closes the lanes nobody speaks any more (their PDUs were sent
    /// before), and tells each lane kept to send its templates and options again, as
    /// collectors new to it have never seen them.
    fn install_lanes(&mut self, new: [Option<KBox<Lane>>; 3]) {
        for ((slot, new), protocol) in self.lanes.iter_mut().zip(new).zip(PROTOCOLS) {
            if !self.collectors.speak(protocol) {
                *slot = None;
            } else if new.is_some() {
                *slot = new;
            } else if let Some(lane) = slot {
                lane.writer.resend_templates();
                lane.schedule.refresh();
            }
        }
    }

    fn lanes(&mut self) -> impl Iterator<Item = &mut Lane> {
        self.lanes.iter_mut().flatten().map(|l| &mut **l)
    }

    /// Takes the current export settings (the settings table is their only home: the
    /// engine passes them each time it uses the exporter).
    pub(crate) fn configure(&mut self, options: ExportOptions) {
        self.options = options;
        for lane in self.lanes() {
            lane.writer.set_engine_id(options.engine_id);
            lane.writer.set_sampler(options.sampler);
            lane.writer
                .set_template_rates(options.refresh_rate, options.timeout_rate);
        }
    }

    /// The `protocol` setting the exporter follows.
    pub(crate) fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Whether every collector gets NetFlow v5 (which cannot carry IPv6).
    pub(crate) fn only_v5(&self) -> bool {
        !self.collectors.speak(Protocol::V9) && !self.collectors.speak(Protocol::Ipfix)
    }

    /// v9/IPFIX templates ever defined, and defined now, over every lane.
    pub(crate) fn template_counts(&self) -> (u32, u32) {
        let mut sum = (0u32, 0u32);
        for lane in self.lanes.iter().flatten() {
            let (ever, now) = lane.writer.template_counts();
            sum = (sum.0.saturating_add(ever), sum.1.saturating_add(now));
        }
        sum
    }

    /// Makes the collectors without a protocol of their own get `protocol` (send the PDUs
    /// being filled first). A lane that gains collectors sends its templates anew; a lane
    /// nobody speaks any more is closed, and opens afresh (new sequence numbers) if it is
    /// needed again.
    pub(crate) fn set_protocol(&mut self, protocol: Protocol) -> Result {
        let lanes = self.missing_lanes(&self.collectors, protocol)?;
        self.protocol = protocol;
        self.collectors.follow(protocol);
        self.install_lanes(lanes);
        Ok(())
    }

    /// Replaces the collectors (send the PDUs being filled first); returns the old ones,
    /// or gives `collectors` back if a lane for them cannot be allocated.
    /// The next PDU of each lane carries its v9/IPFIX templates: the new collectors have
    /// never seen them and could not decode a data record until the next refresh.
    pub(crate) fn set_collectors(
        &mut self,
        mut collectors: Collectors,
    ) -> core::result::Result<Collectors, Collectors> {
        let Ok(lanes) = self.missing_lanes(&collectors, self.protocol) else {
            return Err(collectors);
        };
        collectors.follow(self.protocol);
        let old = core::mem::replace(&mut self.collectors, collectors);
        self.install_lanes(lanes);
        Ok(old)
    }

    /// The collectors.
    pub(crate) fn collectors(&self) -> &Collectors {
        &self.collectors
    }

    /// Adds a flow to every lane, sending a PDU whenever one is full. A lane that cannot
    /// carry the flow (IPv6 in v5) counts it lost.
    pub(crate) fn export(&mut self, rec: &FlowRecord, clock: &Clock, stats: &ExportStats) {
        if self.options.debug >= 3 && debug_allowed() {
            let k = &rec.key;
            pr_info!(
                "flow: proto {} {:?} {}:{} -> {}:{} in {} out {}, {} packets, {} bytes, end {:?}\n",
                k.protocol,
                k.family,
                IpText(k, true),
                k.src_port,
                IpText(k, false),
                k.dst_port,
                k.in_if,
                rec.out_if,
                rec.packets,
                rec.bytes,
                rec.end_reason
            );
        }
        let (collectors, debug) = (&self.collectors, self.options.debug);
        for lane in self.lanes.iter_mut().flatten() {
            lane.export(rec, clock, stats, collectors, debug);
        }
    }

    /// Adds a NAT event to every lane, sending a PDU whenever one is full. A lane that
    /// cannot carry it (IPv6 in v5) counts it lost.
    pub(crate) fn export_nat(&mut self, ev: &NatEvent, clock: &Clock, stats: &ExportStats) {
        let (collectors, debug) = (&self.collectors, self.options.debug);
        for lane in self.lanes.iter_mut().flatten() {
            lane.export_nat(ev, clock, stats, collectors, debug);
        }
    }

    /// Adds the options records that are due (v9/IPFIX; at most once a second, the
    /// interface table paced), sending PDUs as they fill.
    ///
    /// `read` gives the counters and observationDomainName, and is called only when
    /// something may be due; `interface` fills an interface's name and alias, `false` if
    /// it is gone.
    pub(crate) fn export_options<F>(
        &mut self,
        read: impl Fn() -> (Statistics, [u8; DOMAIN_NAME_LEN]),
        mut interface: F,
        clock: &Clock,
        stats: &ExportStats,
    ) where
        F: FnMut(u32, &mut [u8; IF_NAME_LEN], &mut [u8; IF_DESCRIPTION_LEN]) -> bool,
    {
        let (collectors, debug) = (&self.collectors, self.options.debug);
        for lane in self.lanes.iter_mut().flatten() {
            if lane.writer.protocol() == Protocol::V5 || !lane.schedule.run_due(clock.uptime_ms) {
                continue;
            }
            let (counters, domain_name) = read();
            let dialect = match lane.writer.protocol() {
                Protocol::V9 => Dialect::V9,
                _ => Dialect::Ipfix,
            };
            let due = lane
                .schedule
                .due_system(clock.uptime_ms, &counters, dialect);
            for kind in due.iter() {
                let rec = OptionsRecord::System {
                    kind,
                    stats: &counters,
                    domain_name: &domain_name,
                    now_ms: clock.unix_ms,
                };
                lane.push_options(&rec, clock, stats, collectors, debug);
            }
            let mut due = [0u32; INTERFACES_PER_RUN];
            let n = lane.schedule.due_interfaces(clock.uptime_ms, &mut due);
            for &index in due.iter().take(n) {
                let mut i = Interface {
                    index,
                    name: [0; IF_NAME_LEN],
                    description: [0; IF_DESCRIPTION_LEN],
                };
                if interface(index, &mut i.name, &mut i.description) {
                    let rec = OptionsRecord::Interface(&i);
                    lane.push_options(&rec, clock, stats, collectors, debug);
                }
            }
        }
    }

    /// Packets and bytes of the flows in the PDUs being filled (the largest of the lanes:
    /// each lane carries the same flows).
    pub(crate) fn pending_traffic(&self) -> (u64, u64) {
        let mut most = (0u64, 0u64);
        for lane in self.lanes.iter().flatten() {
            most = (
                most.0.max(lane.pending.packets),
                most.1.max(lane.pending.bytes),
            );
        }
        most
    }

    /// Sends the PDU being filled of every lane, if any.
    pub(crate) fn send(&mut self, clock: &Clock, stats: &ExportStats) {
        let (collectors, debug) = (&self.collectors, self.options.debug);
        for lane in self.lanes.iter_mut().flatten() {
            lane.send(clock, stats, collectors, debug);
        }
    }
}

impl Lane {
    fn export(
        &mut self,
        rec: &FlowRecord,
        clock: &Clock,
        stats: &ExportStats,
        collectors: &Collectors,
        debug: u32,
    ) {
        let interfaces = (rec.key.in_if, rec.out_if);
        if interfaces != self.last_interfaces {
            self.last_interfaces = interfaces;
            self.schedule.saw_interface(interfaces.0);
            self.schedule.saw_interface(interfaces.1);
        }
        // A record that does not fit even an empty PDU cannot happen; bound the loop anyway.
        for _ in 0..8 {
            match self.writer.push(rec, clock) {
                Push::Added => {
                    let p = &mut self.pending;
                    p.flows = p.flows.saturating_add(1);
                    p.packets = p.packets.saturating_add(rec.packets);
                    p.bytes = p.bytes.saturating_add(rec.bytes);
                    return;
                }
                Push::NotExportable => break,
                Push::Full => self.send(clock, stats, collectors, debug),
            }
        }
        stats.lost_flows.fetch_add(1, Relaxed);
        stats.lost_packets.fetch_add(rec.packets, Relaxed);
        stats.lost_bytes.fetch_add(rec.bytes, Relaxed);
    }

    fn export_nat(
        &mut self,
        ev: &NatEvent,
        clock: &Clock,
        stats: &ExportStats,
        collectors: &Collectors,
        debug: u32,
    ) {
        // Full: send the PDU and retry once in an empty one, where any record fits.
        for _ in 0..2 {
            match self.writer.push_nat(ev, clock) {
                Push::Added => {
                    self.pending.nat_events = self.pending.nat_events.saturating_add(1);
                    return;
                }
                Push::NotExportable => break,
                Push::Full => self.send(clock, stats, collectors, debug),
            }
        }
        stats.nat_lost.fetch_add(1, Relaxed);
    }

    fn push_options(
        &mut self,
        rec: &OptionsRecord<'_>,
        clock: &Clock,
        stats: &ExportStats,
        collectors: &Collectors,
        debug: u32,
    ) {
        // Full: send the PDU and retry once in an empty one, where any record fits.
        for _ in 0..2 {
            match self.writer.push_options(rec, clock) {
                Push::Full => self.send(clock, stats, collectors, debug),
                Push::Added | Push::NotExportable => return,
            }
        }
    }

    /// Sends the PDU being filled, if any, to the collectors of this lane's protocol.
    fn send(&mut self, clock: &Clock, stats: &ExportStats, collectors: &Collectors, debug: u32) {
        let pending = core::mem::take(&mut self.pending);
        let protocol = self.writer.protocol();
        let Some(pdu) = self.writer.finish(clock) else {
            return;
        };
        let (all, failed) = collectors.send(protocol, pdu);
        // A flush of a big table sends PDUs back to back (process context, no spinlock).
        sched::cond_resched();
        if (debug >= 2 || (debug >= 1 && failed > 0)) && debug_allowed() {
            pr_info!(
                "v{} PDU of {} bytes, {} flows: sent to {} of {} collectors\n",
                protocol as u8,
                pdu.len(),
                pending.flows,
                all.saturating_sub(failed),
                all
            );
        }
        if failed < all {
            stats.pdus.fetch_add(1, Relaxed);
            // Atomic adds wrap (no overflow check); usize into u64 is lossless.
            stats.bytes.fetch_add(pdu.len() as u64, Relaxed);
            stats.flows.fetch_add(pending.flows, Relaxed);
            stats.nat_exported.fetch_add(pending.nat_events, Relaxed);
        } else {
            stats.errors.fetch_add(1, Relaxed);
            stats.lost_flows.fetch_add(pending.flows, Relaxed);
            stats.lost_packets.fetch_add(pending.packets, Relaxed);
            stats.lost_bytes.fetch_add(pending.bytes, Relaxed);
            stats.nat_lost.fetch_add(pending.nat_events, Relaxed);
        }
    }
}

/// A flow's source (`true`) or destination address, for debug messages.
struct IpText<'a>(&'a FlowKey, bool);

impl core::fmt::Display for IpText<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let a = if self.1 { &self.0.src } else { &self.0.dst };
        match self.0.family {
            Family::V4 => {
                // Constant indexes into a [u8; 16]: checked at compile time.
                write!(f, "{}", core::net::Ipv4Addr::new(a[0], a[1], a[2], a[3]))
            }
            Family::V6 => write!(f, "[{}]", core::net::Ipv6Addr::from(*a)),
        }
    }
}
