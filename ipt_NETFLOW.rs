// SPDX-License-Identifier: GPL-2.0

//! ipt_NETFLOW: the iptables/ip6tables `NETFLOW` target.
//!
//! Every packet that reaches `-j NETFLOW` is accounted into a flow; flows that end are
//! exported as NetFlow v5, v9 or IPFIX to the collectors in `destination`.

use kernel::c_str;
use kernel::prelude::*;
use kernel::sync::Arc;

pub mod aggregation;
mod engine;
pub mod export;
pub mod flow;
mod glue;
mod procfs;
pub mod sysctl;

use core::sync::atomic::AtomicU64;
use engine::{ExportSettings, Netflow};
use export::collectors::Collectors;
use export::exporter::Exporter;
use export::pdu::Protocol;
use flow::table::{FlowSettings, FlowTable};
use glue::params::Params;
use glue::proc::ProcEntry;
use glue::sysctl::SysctlTable;
use glue::work::PeriodicWork;
use glue::{time, xtables};
use procfs::{snmp::SnmpFile, stat::StatFile};

module! {
    type: IptNetflow,
    name: "ipt_NETFLOW",
    author: "ipt_NETFLOW Rust-for-Linux authors",
    description: "iptables NETFLOW target: accounts flows, exports NetFlow v5/v9/IPFIX",
    license: "GPL",
}

/// The module. Fields drop in order: no more packets, no more readers or writers of the
/// settings, no more runs, then the last export.
struct IptNetflow {
    _target: xtables::Registration<Netflow>,
    _sysctl: SysctlTable<sysctl::Settings>,
    _stat: ProcEntry<StatFile>,
    _snmp: ProcEntry<SnmpFile>,
    _work: PeriodicWork<Netflow>,
    _final_flush: FinalFlush,
}

/// Exports every flow still in the table when the module goes away.
struct FinalFlush(Arc<Netflow>);

impl Drop for FinalFlush {
    fn drop(&mut self) {
        self.0.flush_all();
    }
}

/// Default hash size as C ipt_NETFLOW: about 1/1024 of RAM in buckets, at most 5 MiB of
/// buckets, at least `MIN_HASHSIZE`.
fn auto_hashsize() -> usize {
    let bytes = time::totalram_pages() * 4096 / 1024;
    let buckets = (bytes / size_of::<usize>() as u64).min((5 << 20) / size_of::<usize>() as u64);
    (buckets as usize).max(sysctl::MIN_HASHSIZE as usize)
}

/// Refuses a bad parameter with a message naming it.
fn bad_param(name: &str, why: core::fmt::Arguments<'_>) -> Error {
    pr_err!("parameter {}: {}\n", name, why);
    EINVAL
}

impl kernel::Module for IptNetflow {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let p = Params::get();
        let destination = p
            .destination
            .to_str()
            .map_err(|_| bad_param("destination", format_args!("not UTF-8")))?;
        let dests = export::destination::parse(destination)
            .map_err(|e| bad_param("destination", format_args!("{}", e)))?;
        let aggregation = p
            .aggregation
            .to_str()
            .map_err(|_| bad_param("aggregation", format_args!("not UTF-8")))?;
        let rules = aggregation::rules::parse(aggregation)
            .map_err(|e| bad_param("aggregation", format_args!("{}", e)))?;
        let protocol = Protocol::try_from(p.protocol)
            .map_err(|v| bad_param("protocol", format_args!("{} is not 5, 9 or 10", v)))?;
        if p.inactive_timeout == 0 || p.active_timeout == 0 {
            return Err(bad_param(
                "inactive_timeout/active_timeout",
                format_args!("must be at least 1 second"),
            ));
        }
        if p.hashsize != 0 && u64::from(p.hashsize) < sysctl::MIN_HASHSIZE {
            return Err(bad_param(
                "hashsize",
                format_args!("{} is below {}", p.hashsize, sysctl::MIN_HASHSIZE),
            ));
        }
        if p.debug > 3 {
            return Err(bad_param("debug", format_args!("{} is not 0..3", p.debug)));
        }
        let buckets = if p.hashsize == 0 {
            auto_hashsize()
        } else {
            p.hashsize as usize
        };

        let collectors = Collectors::open(&dests, p.sndbuf)?;
        let mut exporter = Exporter::new(protocol, p.engine_id, collectors);
        exporter.set_template_rates(p.refresh_rate, p.timeout_rate);
        exporter.set_debug(p.debug);
        let settings = FlowSettings {
            inactive_timeout: AtomicU64::new(p.inactive_timeout.into()),
            active_timeout: AtomicU64::new(p.active_timeout.into()),
            maxflows: AtomicU64::new(p.maxflows.into()),
        };
        let flows = FlowTable::new(buckets, KBox::new(rules, GFP_KERNEL)?, settings)?;
        let export_settings = ExportSettings {
            refresh_rate: p.refresh_rate.into(),
            timeout_rate: p.timeout_rate.into(),
        };
        let netflow = Netflow::new(
            flows,
            exporter,
            export_settings,
            p.scan_min.max(1).into(),
            p.sndbuf,
            p.debug,
            aggregation,
        )?;
        let netflow = Arc::pin_init(netflow, GFP_KERNEL)?;

        let final_flush = FinalFlush(netflow.clone());
        let work = PeriodicWork::start(netflow.clone(), 1)?;
        let snmp = ProcEntry::new(
            c_str!("ipt_netflow_snmp"),
            Arc::new(SnmpFile(netflow.clone()), GFP_KERNEL)?,
        )?;
        let stat = ProcEntry::new(
            c_str!("ipt_netflow"),
            Arc::new(StatFile(netflow.clone()), GFP_KERNEL)?,
        )?;
        let sysctl = SysctlTable::new(
            &sysctl::NAMES,
            Arc::new(sysctl::Settings(netflow.clone()), GFP_KERNEL)?,
        )?;
        // Last: from here on rules can use the target.
        let target = xtables::Registration::new(c_str!("NETFLOW"), module, netflow.clone())?;
        pr_info!(
            "ipt_NETFLOW loaded: version {}, srcversion {}, protocol {}, hashsize {}, destination {}\n",
            glue::modinfo::version(),
            glue::modinfo::srcversion(),
            p.protocol,
            netflow.flows.buckets(),
            destination
        );
        Ok(Self {
            _target: target,
            _sysctl: sysctl,
            _stat: stat,
            _snmp: snmp,
            _work: work,
            _final_flush: final_flush,
        })
    }
}
