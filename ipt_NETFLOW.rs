// SPDX-License-Identifier: GPL-2.0

//! ipt_NETFLOW: the iptables/ip6tables `NETFLOW` target.
//!
//! Every packet that reaches `-j NETFLOW` is accounted into a flow; flows that end are
//! exported as NetFlow v5, v9 or IPFIX to the collectors in `destination`.

use kernel::c_str;
use kernel::prelude::*;
use kernel::sync::Arc;

mod aggregation;
mod engine;
mod export;
mod flow;
mod glue;
mod procfs;
mod settings;

use engine::table::FlowTable;
use engine::{auto_hashsize, export_options, Netflow};
use export::collectors::Collectors;
use export::exporter::Exporter;
use export::writer::Protocol;
use glue::proc::ProcEntry;
use glue::sysctl::SysctlTable;
use glue::work::PeriodicWork;
use glue::xtables;
use procfs::{snmp::SnmpFile, stat::StatFile};
use settings::spec::Setting;
use settings::sysctl::{Sysctls, NAMES};

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
    _sysctl: SysctlTable<Sysctls>,
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

impl kernel::Module for IptNetflow {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let initial = settings::Initial::from_params()?;
        let v = &initial.values;
        let protocol = Protocol::try_from(v.get32(Setting::Protocol)).map_err(|_| EINVAL)?;
        let buckets = match v.get(Setting::Hashsize) {
            0 => auto_hashsize(),
            // At most 2^26 (the table's limit).
            n => n as usize,
        };
        let collectors = Collectors::open(&initial.destinations, v.get32(Setting::Sndbuf))?;
        let exporter = Exporter::new(protocol, export_options(v), collectors);
        let destinations = initial.destinations.len();
        let flows = FlowTable::new(buckets, KBox::new(initial.rules, GFP_KERNEL)?)?;
        let netflow = Netflow::new(flows, initial.values, exporter, initial.aggregation)?;
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
        let sysctl = SysctlTable::new(NAMES, Arc::new(Sysctls(netflow.clone()), GFP_KERNEL)?)?;
        // Last: from here on rules can use the target.
        let target = xtables::Registration::new(c_str!("NETFLOW"), module, netflow.clone())?;
        pr_info!(
            "ipt_NETFLOW loaded: protocol {}, hashsize {}, {} destinations\n",
            protocol as u32,
            netflow.flows.buckets(),
            destinations
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
