// SPDX-License-Identifier: GPL-2.0

//! Options templates and records (v9 flowset 1, IPFIX set 3): what the exporter tells
//! collectors about itself (system init time and module version, metering and exporting
//! statistics and reliability) and about the interfaces its flows name. [`Schedule`]
//! decides when each goes out: on a timer like C ipt_NETFLOW 2.6, and interface records
//! paced, a bounded number per run, so a router with thousands of interfaces does not
//! burst.
//!
//! Pure `core` code (no allocation, no panics): compiled into the module and into the
//! host test harness.

use crate::export::templates::{Dialect, Field};
use crate::flow::sampling::{Mode, Sampler};

/// Length of observationDomainName (module version and srcversion), zero-padded.
pub(crate) const DOMAIN_NAME_LEN: usize = 64;
/// Length of interfaceName: IFNAMSIZ.
pub(crate) const IF_NAME_LEN: usize = 16;
/// Length of interfaceDescription (the interface's alias), zero-padded and cut.
pub(crate) const IF_DESCRIPTION_LEN: usize = 64;

/// The options templates.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum OptionsKind {
    /// observationDomainId; systemInitTimeMilliseconds, observationDomainName.
    SystemInit = 0,
    /// observationDomainId; exported messages, flow records and octets, observed flows.
    MeteringStatistics = 1,
    /// observationDomainId; ignored packets and octets, over a time window.
    MeteringReliability = 2,
    /// exportingProcessId; flows, packets and octets not sent, over a time window.
    ExportingReliability = 3,
    /// ingressInterface; interfaceName, interfaceDescription.
    Interface = 4,
    /// v9's flow sampler: observationDomainId (System); samplerId, samplerMode,
    /// samplerRandomInterval.
    Sampler = 5,
    /// IPFIX's selector of systematic count-based sampling (RFC 7014):
    /// observationDomainId; selectorId, flowSelectorAlgorithm, samplingFlowInterval,
    /// samplingFlowSpacing.
    SelectorSystematic = 6,
    /// IPFIX's selector of random n-out-of-N sampling: observationDomainId; selectorId,
    /// flowSelectorAlgorithm, samplingSize, samplingPopulation.
    SelectorRandom = 7,
    /// IPFIX's selector statistics: selectorId; flows observed and selected, packets
    /// observed and selected, since (152) and until (153).
    SelectorStatistics = 8,
    /// The same without flows observed: hash sampling never sees the flows it drops.
    SelectorStatisticsHash = 9,
}

/// Number of [`OptionsKind`]s.
pub(crate) const OPTIONS_KINDS: usize = 10;

/// The first options template ID; data templates take the IDs below it.
pub(crate) const FIRST_OPTIONS_TEMPLATE_ID: u16 = 1024;

impl OptionsKind {
    /// Every kind, in template ID order.
    pub(crate) const ALL: [OptionsKind; OPTIONS_KINDS] = [
        OptionsKind::SystemInit,
        OptionsKind::MeteringStatistics,
        OptionsKind::MeteringReliability,
        OptionsKind::ExportingReliability,
        OptionsKind::Interface,
        OptionsKind::Sampler,
        OptionsKind::SelectorSystematic,
        OptionsKind::SelectorRandom,
        OptionsKind::SelectorStatistics,
        OptionsKind::SelectorStatisticsHash,
    ];

    /// Its template ID.
    pub(crate) fn template_id(self) -> u16 {
        FIRST_OPTIONS_TEMPLATE_ID + self as u16
    }

    /// The scope field (one per template here).
    pub(crate) fn scope(self) -> Field {
        match self {
            OptionsKind::ExportingReliability => (144, 4), // exportingProcessId
            OptionsKind::Interface => (10, 4),             // ingressInterface
            OptionsKind::SelectorStatistics | OptionsKind::SelectorStatisticsHash => (302, 1),
            _ => (149, 4), // observationDomainId
        }
    }

    /// The other fields, in wire order.
    pub(crate) fn fields(self) -> &'static [Field] {
        match self {
            // systemInitTimeMilliseconds, observationDomainName
            OptionsKind::SystemInit => &[(160, 8), (300, DOMAIN_NAME_LEN as u16)],
            // exportedMessageTotalCount, exportedFlowRecordTotalCount,
            // exportedOctetTotalCount, observedFlowTotalCount
            OptionsKind::MeteringStatistics => &[(41, 8), (42, 8), (40, 8), (163, 8)],
            // ignoredPacketTotalCount, ignoredOctetTotalCount, flowStart/EndMilliseconds
            OptionsKind::MeteringReliability => &[(164, 8), (165, 8), (152, 8), (153, 8)],
            // notSentFlowTotalCount, notSentPacketTotalCount, notSentOctetTotalCount,
            // flowStart/EndMilliseconds
            OptionsKind::ExportingReliability => {
                &[(166, 8), (167, 8), (168, 8), (152, 8), (153, 8)]
            }
            // interfaceName, interfaceDescription
            OptionsKind::Interface => &[(82, IF_NAME_LEN as u16), (83, IF_DESCRIPTION_LEN as u16)],
            // samplerId, samplerMode, samplerRandomInterval (C's lengths)
            OptionsKind::Sampler => &[(48, 1), (49, 1), (50, 2)],
            // selectorId, flowSelectorAlgorithm, samplingFlowInterval, samplingFlowSpacing
            OptionsKind::SelectorSystematic => &[(302, 1), (390, 1), (396, 1), (397, 2)],
            // selectorId, flowSelectorAlgorithm, samplingSize, samplingPopulation
            OptionsKind::SelectorRandom => &[(302, 1), (390, 1), (309, 1), (310, 2)],
            // selectorIDTotalFlowsObserved, selectorIDTotalFlowsSelected,
            // selectorIdTotalPktsObserved, selectorIdTotalPktsSelected, flowStart/End ms
            OptionsKind::SelectorStatistics => {
                &[(394, 8), (395, 8), (318, 8), (319, 8), (152, 8), (153, 8)]
            }
            OptionsKind::SelectorStatisticsHash => {
                &[(395, 8), (318, 8), (319, 8), (152, 8), (153, 8)]
            }
        }
    }

    /// Whether it exists in `dialect` (the sampler in v9, the selectors in IPFIX).
    pub(crate) fn in_dialect(self, dialect: Dialect) -> bool {
        match self {
            OptionsKind::Sampler => dialect == Dialect::V9,
            OptionsKind::SelectorSystematic
            | OptionsKind::SelectorRandom
            | OptionsKind::SelectorStatistics
            | OptionsKind::SelectorStatisticsHash => dialect == Dialect::Ipfix,
            _ => true,
        }
    }

    /// Bytes of one record.
    pub(crate) fn record_len(self) -> usize {
        // A scope of at most 4 bytes and at most 6 fields of at most 64 bytes.
        usize::from(self.scope().1)
            + self
                .fields()
                .iter()
                .map(|f| usize::from(f.1))
                .sum::<usize>()
    }

    /// The v9 scope type of its scope field (RFC 3954: 1 System, 2 Interface).
    pub(crate) fn v9_scope_type(self) -> u16 {
        match self {
            OptionsKind::Interface => 2,
            _ => 1,
        }
    }
}

/// The counters the statistics records report, totals since the instance started.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) struct Statistics {
    /// v5 engine id / v9 source id / IPFIX observation domain.
    pub(crate) domain: u32,
    /// When the instance started, Unix milliseconds.
    pub(crate) init_ms: u64,
    /// Export messages sent, their flow records and bytes.
    pub(crate) messages: u64,
    /// Flow records in them.
    pub(crate) flow_records: u64,
    /// Bytes of them.
    pub(crate) octets: u64,
    /// Flows the metering process created.
    pub(crate) observed_flows: u64,
    /// Packets and bytes that could not be accounted (dropped).
    pub(crate) ignored_packets: u64,
    /// Their bytes.
    pub(crate) ignored_octets: u64,
    /// Flows, packets and bytes lost on export.
    pub(crate) lost_flows: u64,
    /// Their packets.
    pub(crate) lost_packets: u64,
    /// Their bytes.
    pub(crate) lost_octets: u64,
    /// The flow sampler, if any.
    pub(crate) sampler: Option<Sampler>,
    /// Flows the sampler decided on (hash sampling: those it kept), and kept.
    pub(crate) sampled_flows_observed: u64,
    /// Of them, kept.
    pub(crate) sampled_flows_selected: u64,
    /// Packets the sampler saw, and those in kept flows.
    pub(crate) sampled_packets_observed: u64,
    /// Of them, in kept flows.
    pub(crate) sampled_packets_selected: u64,
}

/// One interface of the interface table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Interface {
    /// ifIndex.
    pub(crate) index: u32,
    /// Name, zero-padded.
    pub(crate) name: [u8; IF_NAME_LEN],
    /// Alias (description), zero-padded.
    pub(crate) description: [u8; IF_DESCRIPTION_LEN],
}

/// What one options record carries.
#[derive(Clone, Copy, Debug)]
pub(crate) enum OptionsRecord<'a> {
    /// A statistics kind (any but [`OptionsKind::Interface`]).
    System {
        /// Which.
        kind: OptionsKind,
        /// The counters.
        stats: &'a Statistics,
        /// observationDomainName.
        domain_name: &'a [u8; DOMAIN_NAME_LEN],
        /// Now, Unix milliseconds (end of the reliability windows).
        now_ms: u64,
    },
    /// An interface.
    Interface(&'a Interface),
}

impl OptionsRecord<'_> {
    /// Its kind.
    pub(crate) fn kind(&self) -> OptionsKind {
        match self {
            OptionsRecord::System { kind, .. } => *kind,
            OptionsRecord::Interface(_) => OptionsKind::Interface,
        }
    }

    /// The value of element `id` as a number, or `None` for the byte-string elements.
    pub(crate) fn number(&self, id: u16) -> Option<u64> {
        let OptionsRecord::System {
            stats: s, now_ms, ..
        } = self
        else {
            return match (self, id) {
                (OptionsRecord::Interface(i), 10) => Some(i.index.into()),
                _ => None,
            };
        };
        if let Some(v) = s
            .sampler
            .and_then(|sampler| sampler_number(&sampler, s, id))
        {
            return Some(v);
        }
        Some(match id {
            149 => s.domain.into(),
            144 => 0, // one exporting process per instance
            160 | 152 => s.init_ms,
            153 => *now_ms,
            41 => s.messages,
            42 => s.flow_records,
            40 => s.octets,
            163 => s.observed_flows,
            164 => s.ignored_packets,
            165 => s.ignored_octets,
            166 => s.lost_flows,
            167 => s.lost_packets,
            168 => s.lost_octets,
            _ => return None,
        })
    }

    /// The bytes of a byte-string element (`None` for numbers).
    pub(crate) fn string(&self, id: u16) -> Option<&[u8]> {
        match (self, id) {
            (OptionsRecord::System { domain_name, .. }, 300) => Some(&domain_name[..]),
            (OptionsRecord::Interface(i), 82) => Some(&i.name[..]),
            (OptionsRecord::Interface(i), 83) => Some(&i.description[..]),
            _ => None,
        }
    }
}

/// The value of sampler element `id` (`None`: not one).
fn sampler_number(sampler: &Sampler, s: &Statistics, id: u16) -> Option<u64> {
    Some(match id {
        // samplerId / selectorId: the mode's number, as C (a new mode, a new selector).
        48 | 302 => sampler.mode() as u64,
        49 => sampler.reported_mode() as u64,
        50 | 310 => sampler.interval().into(),
        // flowSelectorAlgorithm (IANA): 1 systematic count-based, 3 random n-out-of-N.
        390 => match sampler.mode() {
            Mode::Deterministic => 1,
            Mode::Random | Mode::Hash => 3,
        },
        // One flow selected, then interval - 1 skipped (RFC 7014 5.1); one of N.
        396 | 309 => 1,
        397 => u64::from(sampler.interval()).saturating_sub(1),
        394 => s.sampled_flows_observed,
        395 => s.sampled_flows_selected,
        318 => s.sampled_packets_observed,
        319 => s.sampled_packets_selected,
        _ => return None,
    })
}

/// Seconds between system init records (as C: 5 minutes).
pub(crate) const SYSTEM_INIT_INTERVAL_MS: u64 = 300_000;
/// Seconds between statistics records (as C: 1 minute).
pub(crate) const STATISTICS_INTERVAL_MS: u64 = 60_000;
/// Seconds between two descriptions of one interface.
pub(crate) const INTERFACE_INTERVAL_MS: u64 = 300_000;
/// Interface records per second: the pace.
pub(crate) const INTERFACES_PER_RUN: usize = 8;
/// Milliseconds between two runs of the schedule.
pub(crate) const RUN_INTERVAL_MS: u64 = 1000;
/// Interfaces the table follows; flows naming others are not described (kept small: the
/// exporter is built on a kernel stack).
pub(crate) const MAX_INTERFACES: usize = 64;

/// When each options record is due, and which interfaces flows have named.
pub(crate) struct Schedule {
    last_run: Option<u64>,
    last: [Option<u64>; OPTIONS_KINDS],
    /// (ifindex, last described at, uptime ms; None: never).
    interfaces: [(u32, Option<u64>); MAX_INTERFACES],
    known: usize,
    /// Where the next paced pass over the interfaces starts.
    cursor: usize,
    /// Interfaces named by flows when the table was full.
    pub(crate) untracked: u64,
    /// The sampler last described ([`Sampler::encode`]): a change is told at once.
    sampler: u64,
}

impl Default for Schedule {
    fn default() -> Self {
        Self::new()
    }
}

impl Schedule {
    /// Nothing sent yet.
    pub(crate) const fn new() -> Self {
        Schedule {
            last_run: None,
            last: [None; OPTIONS_KINDS],
            interfaces: [(0, None); MAX_INTERFACES],
            known: 0,
            cursor: 0,
            untracked: 0,
            sampler: 0,
        }
    }

    /// Whether a second has passed since the last run (at `now_ms`, uptime): options go
    /// out at most once a second, whatever the exporter's own pace.
    pub(crate) fn run_due(&mut self, now_ms: u64) -> bool {
        let due = self
            .last_run
            .map_or(true, |t| now_ms.saturating_sub(t) >= RUN_INTERVAL_MS);
        if due {
            self.last_run = Some(now_ms);
        }
        due
    }

    /// Notes an interface a flow names (0, "none", is not an interface).
    pub(crate) fn saw_interface(&mut self, index: u32) {
        if index == 0 {
            return;
        }
        let known = self.interfaces.get(..self.known).unwrap_or(&[]);
        if known.iter().any(|i| i.0 == index) {
            return;
        }
        match self.interfaces.get_mut(self.known) {
            Some(slot) => {
                *slot = (index, None);
                // known < MAX_INTERFACES.
                self.known += 1;
            }
            None => self.untracked = self.untracked.saturating_add(1),
        }
    }

    /// Interfaces followed.
    #[cfg(test)]
    pub(crate) fn interfaces(&self) -> usize {
        self.known
    }

    /// Makes everything due again (a new collector, a new protocol).
    pub(crate) fn refresh(&mut self) {
        self.last_run = None;
        self.last = [None; OPTIONS_KINDS];
        for i in self.interfaces.iter_mut() {
            i.1 = None;
        }
    }

    /// The statistics kinds of `dialect` due at `now_ms` (uptime); marks them sent. The
    /// reliability kinds only when something was dropped / lost, the sampler's when there
    /// is one (and at once when it changed).
    pub(crate) fn due_system(
        &mut self,
        now_ms: u64,
        stats: &Statistics,
        dialect: Dialect,
    ) -> DueKinds {
        let mut due = DueKinds::default();
        let sampler = Sampler::encode(stats.sampler);
        if sampler != self.sampler {
            self.sampler = sampler;
            for kind in SAMPLER_KINDS {
                if let Some(last) = self.last.get_mut(kind as usize) {
                    *last = None;
                }
            }
        }
        let mode = stats.sampler.map(|s| s.mode());
        for kind in OptionsKind::ALL {
            if !kind.in_dialect(dialect) {
                continue;
            }
            let (interval, wanted) = match kind {
                OptionsKind::SystemInit => (SYSTEM_INIT_INTERVAL_MS, true),
                OptionsKind::MeteringStatistics => (STATISTICS_INTERVAL_MS, true),
                OptionsKind::MeteringReliability => {
                    (STATISTICS_INTERVAL_MS, stats.ignored_packets != 0)
                }
                OptionsKind::ExportingReliability => {
                    (STATISTICS_INTERVAL_MS, stats.lost_flows != 0)
                }
                OptionsKind::Interface => continue,
                OptionsKind::Sampler => (SYSTEM_INIT_INTERVAL_MS, mode.is_some()),
                OptionsKind::SelectorSystematic => {
                    (SYSTEM_INIT_INTERVAL_MS, mode == Some(Mode::Deterministic))
                }
                OptionsKind::SelectorRandom => (
                    SYSTEM_INIT_INTERVAL_MS,
                    matches!(mode, Some(Mode::Random | Mode::Hash)),
                ),
                OptionsKind::SelectorStatistics => (
                    STATISTICS_INTERVAL_MS,
                    matches!(mode, Some(Mode::Deterministic | Mode::Random)),
                ),
                OptionsKind::SelectorStatisticsHash => {
                    (STATISTICS_INTERVAL_MS, mode == Some(Mode::Hash))
                }
            };
            let Some(last) = self.last.get_mut(kind as usize) else {
                continue;
            };
            let is_due = last.map_or(true, |t| now_ms.saturating_sub(t) >= interval);
            if wanted && is_due {
                *last = Some(now_ms);
                due.push(kind);
            }
        }
        due
    }

    /// Up to [`INTERFACES_PER_RUN`] interfaces due at `now_ms` (uptime), into `out`;
    /// returns how many, and marks them described.
    pub(crate) fn due_interfaces(
        &mut self,
        now_ms: u64,
        out: &mut [u32; INTERFACES_PER_RUN],
    ) -> usize {
        let mut n = 0;
        let mut examined = 0;
        let known = self.known;
        for step in 0..known {
            if n == INTERFACES_PER_RUN {
                break;
            }
            examined = step + 1;
            // cursor < known and step < known: the sum is below 2 * MAX_INTERFACES.
            let i = (self.cursor + step) % known;
            let Some(slot) = self.interfaces.get_mut(i) else {
                break;
            };
            let is_due = slot
                .1
                .map_or(true, |t| now_ms.saturating_sub(t) >= INTERFACE_INTERVAL_MS);
            if is_due {
                slot.1 = Some(now_ms);
                if let Some(o) = out.get_mut(n) {
                    *o = slot.0;
                }
                n += 1;
            }
        }
        if known != 0 {
            // Resume after the last one looked at, so every interface gets its turn.
            self.cursor = (self.cursor + examined) % known;
        }
        n
    }
}

/// The kinds that describe the sampler.
const SAMPLER_KINDS: [OptionsKind; 5] = [
    OptionsKind::Sampler,
    OptionsKind::SelectorSystematic,
    OptionsKind::SelectorRandom,
    OptionsKind::SelectorStatistics,
    OptionsKind::SelectorStatisticsHash,
];

/// A small set of [`OptionsKind`]s.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub(crate) struct DueKinds {
    list: [Option<OptionsKind>; OPTIONS_KINDS],
}

impl DueKinds {
    fn push(&mut self, kind: OptionsKind) {
        if let Some(slot) = self.list.iter_mut().find(|s| s.is_none()) {
            *slot = Some(kind);
        }
    }

    /// The kinds, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = OptionsKind> + '_ {
        self.list.iter().flatten().copied()
    }
}
