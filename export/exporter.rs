// SPDX-License-Identifier: GPL-2.0

//! Turns finished flows into PDUs and sends each to every collector.

use super::collectors::Collectors;
use super::options::{
    Interface, OptionsRecord, Schedule, Statistics, DOMAIN_NAME_LEN, IF_DESCRIPTION_LEN,
    IF_NAME_LEN, INTERFACES_PER_RUN,
};
use super::pdu::{Clock, Push};
use super::record::FlowRecord;
use super::writer::{PduWriter, Protocol};
use crate::flow::key::{Family, FlowKey};
use crate::glue::ratelimit::debug_allowed;
use crate::glue::sched;
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
}

/// Totals of the records in the PDU being filled, to count them when it is sent or lost.
#[derive(Default, Clone, Copy)]
struct Pending {
    flows: u64,
    packets: u64,
    bytes: u64,
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
}

/// The PDU being filled and where it goes.
pub(crate) struct Exporter {
    /// Boxed, as the schedule: the exporter is built and moved on the kernel stack, and
    /// the PDU buffer and template registry are kilobytes.
    writer: KBox<PduWriter>,
    collectors: Collectors,
    pending: Pending,
    /// What [`Exporter::configure`] was given last.
    options: ExportOptions,
    /// When the options records are due, and the interfaces flows named.
    schedule: KBox<Schedule>,
    /// The interfaces of the last flow, to skip noting them again.
    last_interfaces: (u32, u32),
}

impl Exporter {
    /// An exporter of `protocol` PDUs to `collectors`.
    pub(crate) fn new(
        protocol: Protocol,
        options: ExportOptions,
        collectors: Collectors,
    ) -> Result<Self> {
        let mut this = Self {
            writer: KBox::new(PduWriter::new(protocol, options.engine_id), GFP_KERNEL)?,
            collectors,
            pending: Pending::default(),
            options,
            schedule: KBox::new(Schedule::new(), GFP_KERNEL)?,
            last_interfaces: (0, 0),
        };
        this.configure(options);
        Ok(this)
    }

    /// Takes the current export settings (the settings table is their only home: the
    /// engine passes them each time it uses the exporter).
    pub(crate) fn configure(&mut self, options: ExportOptions) {
        self.options = options;
        self.writer.set_engine_id(options.engine_id);
        self.writer
            .set_template_rates(options.refresh_rate, options.timeout_rate);
    }

    /// The protocol of the PDUs.
    pub(crate) fn protocol(&self) -> Protocol {
        self.writer.protocol()
    }

    /// v9/IPFIX templates ever defined, and defined now.
    pub(crate) fn template_counts(&self) -> (u32, u32) {
        self.writer.template_counts()
    }

    /// Switches to `protocol` (send the PDU being filled first). Templates are sent anew.
    pub(crate) fn set_protocol(&mut self, protocol: Protocol) {
        *self.writer = PduWriter::new(protocol, self.options.engine_id);
        self.schedule.refresh();
        self.configure(self.options);
    }

    /// Replaces the collectors (send the PDU being filled first); returns the old ones.
    /// The next PDU carries the v9/IPFIX templates: the new collectors have never seen them
    /// and could not decode a data record until the next refresh.
    pub(crate) fn set_collectors(&mut self, collectors: Collectors) -> Collectors {
        self.writer.resend_templates();
        self.schedule.refresh();
        core::mem::replace(&mut self.collectors, collectors)
    }

    /// The collectors.
    pub(crate) fn collectors(&self) -> &Collectors {
        &self.collectors
    }

    /// Adds a flow, sending the PDU whenever it is full.
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
                Push::Full => self.send(clock, stats),
            }
        }
        stats.lost_flows.fetch_add(1, Relaxed);
        stats.lost_packets.fetch_add(rec.packets, Relaxed);
        stats.lost_bytes.fetch_add(rec.bytes, Relaxed);
    }

    /// Adds the options records that are due (v9/IPFIX; at most once a second, the
    /// interface table paced), sending PDUs as they fill.
    ///
    /// `read` gives the counters and observationDomainName, and is called only when
    /// something may be due; `interface` fills an interface's name and alias, `false` if
    /// it is gone.
    pub(crate) fn export_options<F>(
        &mut self,
        read: impl FnOnce() -> (Statistics, [u8; DOMAIN_NAME_LEN]),
        mut interface: F,
        clock: &Clock,
        stats: &ExportStats,
    ) where
        F: FnMut(u32, &mut [u8; IF_NAME_LEN], &mut [u8; IF_DESCRIPTION_LEN]) -> bool,
    {
        if self.writer.protocol() == super::writer::Protocol::V5
            || !self.schedule.run_due(clock.uptime_ms)
        {
            return;
        }
        let (counters, domain_name) = read();
        for kind in self.schedule.due_system(clock.uptime_ms, &counters).iter() {
            let rec = OptionsRecord::System {
                kind,
                stats: &counters,
                domain_name: &domain_name,
                now_ms: clock.unix_ms,
            };
            self.push_options(&rec, clock, stats);
        }
        let mut due = [0u32; INTERFACES_PER_RUN];
        let n = self.schedule.due_interfaces(clock.uptime_ms, &mut due);
        for &index in due.iter().take(n) {
            let mut i = Interface {
                index,
                name: [0; IF_NAME_LEN],
                description: [0; IF_DESCRIPTION_LEN],
            };
            if interface(index, &mut i.name, &mut i.description) {
                self.push_options(&OptionsRecord::Interface(&i), clock, stats);
            }
        }
    }

    fn push_options(&mut self, rec: &OptionsRecord<'_>, clock: &Clock, stats: &ExportStats) {
        // Full: send the PDU and retry once in an empty one, where any record fits.
        for _ in 0..2 {
            match self.writer.push_options(rec, clock) {
                Push::Full => self.send(clock, stats),
                Push::Added | Push::NotExportable => return,
            }
        }
    }

    /// Packets and bytes of the flows in the PDU being filled.
    pub(crate) fn pending_traffic(&self) -> (u64, u64) {
        (self.pending.packets, self.pending.bytes)
    }

    /// Sends the PDU being filled, if any.
    pub(crate) fn send(&mut self, clock: &Clock, stats: &ExportStats) {
        let pending = core::mem::take(&mut self.pending);
        let Some(pdu) = self.writer.finish(clock) else {
            return;
        };
        let failed = self.collectors.send(pdu);
        // A flush of a big table sends PDUs back to back (process context, no spinlock).
        sched::cond_resched();
        if (self.options.debug >= 2 || (self.options.debug >= 1 && failed > 0)) && debug_allowed() {
            pr_info!(
                "PDU of {} bytes, {} flows: sent to {} of {} collectors\n",
                pdu.len(),
                pending.flows,
                self.collectors.len().saturating_sub(failed),
                self.collectors.len()
            );
        }
        if failed < self.collectors.len() {
            stats.pdus.fetch_add(1, Relaxed);
            // Atomic adds wrap (no overflow check); usize into u64 is lossless.
            stats.bytes.fetch_add(pdu.len() as u64, Relaxed);
            stats.flows.fetch_add(pending.flows, Relaxed);
        } else {
            stats.errors.fetch_add(1, Relaxed);
            stats.lost_flows.fetch_add(pending.flows, Relaxed);
            stats.lost_packets.fetch_add(pending.packets, Relaxed);
            stats.lost_bytes.fetch_add(pending.bytes, Relaxed);
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
