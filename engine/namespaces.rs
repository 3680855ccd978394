// SPDX-License-Identifier: GPL-2.0

//! One exporter per network namespace: every namespace gets its own flow table,
//! collectors, periodic work, `/proc/net/stat/ipt_netflow*` and `net.netflow.*`, and the
//! target accounts a packet into the instance of the packet's namespace.
//!
//! The initial namespace starts from the module parameters; another starts from them too,
//! except for a small hash table ([`START_BUCKETS`]) and a `maxflows` no larger than the
//! initial namespace's. The slab cache of flows is shared.
//!
//! Teardown (see `glue/pernet.rs`): when a namespace goes, lookups stop finding its
//! instance, its flows are exported while its devices still exist (best effort), and the
//! instance is freed after an RCU grace period, so no packet in flight touches freed
//! memory. The target stays registered until the module goes; it can go only once no
//! rule uses it.

use super::table::{flow_cache, FlowCache, FlowTable};
use super::{export_options, Netflow};
use crate::export::collectors::Collectors;
use crate::export::exporter::Exporter;
use crate::export::writer::Protocol;
use crate::glue::net::{Net, NetRef};
use crate::glue::pernet::{Pernet, PernetHandler};
use crate::glue::proc::ProcEntry;
use crate::glue::proc_seq::ProcSeqEntry;
use crate::glue::rcu::ReadGuard;
use crate::glue::skb::{HookFamily, Packet};
use crate::glue::sysctl::SysctlTable;
use crate::glue::work::{Next, PeriodicWork};
use crate::glue::xtables::Target;
use crate::procfs::{flows::FlowsFile, snmp::SnmpFile, stat::StatFile};
use crate::settings::params::TARGET;
use crate::settings::spec::Setting;
use crate::settings::sysctl::{Sysctls, NAMES};
use crate::settings::values::Values;
use crate::settings::Initial;
use core::sync::atomic::Ordering::Relaxed;
use kernel::c_str;
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::sync::{new_mutex, Arc, Mutex};

/// Buckets of a new namespace's table (it grows with its `hashsize` sysctl).
pub(crate) const START_BUCKETS: u64 = 1024;

/// One namespace's instance. Fields drop in order: no more readers or writers of the
/// settings, no more runs, then the accounting state (sockets, table).
pub(crate) struct Instance {
    _sysctl: SysctlTable<Sysctls>,
    _stat: ProcEntry<StatFile>,
    _snmp: ProcEntry<SnmpFile>,
    _flows: ProcSeqEntry<FlowsFile>,
    _work: PeriodicWork<Netflow>,
    netflow: Arc<Netflow>,
}

/// Makes and winds down the instances.
#[pin_data]
pub(crate) struct Namespaces {
    cache: Arc<FlowCache>,
    /// The module parameters, parsed once.
    params: Initial,
    /// The initial namespace's instance (the limits of the others).
    #[pin]
    initial: Mutex<Option<Arc<Netflow>>>,
}

impl Namespaces {
    /// The instances' maker, from the module parameters.
    pub(crate) fn new(params: Initial) -> Result<impl PinInit<Self, Error>> {
        let cache = flow_cache()?;
        Ok(try_pin_init!(Self {
            cache,
            params,
            initial <- new_mutex!(None, "netflow_initial"),
        }))
    }
}

impl PernetHandler for Namespaces {
    type Data = Instance;

    fn init(&self, net: NetRef) -> Result<Instance> {
        let p = &self.params;
        let values = Values::new(&p.numbers);
        let initial = if net.is_initial() {
            None
        } else {
            let initial = self.initial.lock().clone().ok_or(EINVAL)?;
            values.set(Setting::Hashsize, START_BUCKETS);
            let max = initial.settings.get(Setting::Maxflows);
            if max != 0
                && (values.get(Setting::Maxflows) == 0 || values.get(Setting::Maxflows) > max)
            {
                values.set(Setting::Maxflows, max);
            }
            Some(initial)
        };
        let buckets = match values.get(Setting::Hashsize) {
            0 => super::auto_hashsize(),
            // At most 2^26 (the table's range): fits.
            n => n as usize,
        };
        let protocol = Protocol::try_from(values.get32(Setting::Protocol)).map_err(|_| EINVAL)?;
        let sndbuf = values.get32(Setting::Sndbuf);
        let collectors = Collectors::open(&net, &p.destinations, protocol, sndbuf)?;
        let exporter = Exporter::new(protocol, export_options(&values), collectors)?;
        let flows = FlowTable::new(
            self.cache.clone(),
            buckets,
            KBox::new(p.rules.clone(), GFP_KERNEL)?,
        )?;
        let is_initial = initial.is_none();
        let inum = net.inum();
        let netflow = Netflow::new(net, initial, flows, values, exporter, p.aggregation)?;
        let netflow = Arc::pin_init(netflow, GFP_KERNEL)?;
        if netflow.settings.get(Setting::Natevents) != 0 {
            netflow.set_natevents(true).inspect_err(|e| {
                pr_err!(
                    "natevents: cannot listen to conntrack's events: error {}\n",
                    e.to_errno()
                )
            })?;
        }
        let first = Next {
            delay: 1,
            cpu: netflow.work_cpu(),
        };
        let work = PeriodicWork::start(netflow.clone(), first)?;
        let snmp = ProcEntry::new(
            &netflow.net,
            c_str!("ipt_netflow_snmp"),
            Arc::new(SnmpFile(netflow.clone()), GFP_KERNEL)?,
        )?;
        let stat = ProcEntry::new(
            &netflow.net,
            c_str!("ipt_netflow"),
            Arc::new(StatFile(netflow.clone()), GFP_KERNEL)?,
        )?;
        let flows = ProcSeqEntry::new(
            &netflow.net,
            c_str!("ipt_netflow_flows"),
            Arc::new(FlowsFile(netflow.clone()), GFP_KERNEL)?,
        )?;
        let sysctl = SysctlTable::new(
            &netflow.net,
            NAMES,
            Arc::new(Sysctls(netflow.clone()), GFP_KERNEL)?,
        )?;
        if is_initial {
            *self.initial.lock() = Some(netflow.clone());
            drop(TARGET.replace(Some(netflow.clone())));
        } else if netflow.settings.get(Setting::Debug) > 0 {
            pr_info!("namespace {}: instance created\n", inum);
        }
        Ok(Instance {
            _sysctl: sysctl,
            _stat: stat,
            _snmp: snmp,
            _flows: flows,
            _work: work,
            netflow,
        })
    }

    fn pre_exit(&self, instance: &Instance) {
        // The namespace's devices are still there: its collectors can get its flows (and
        // the NAT events queued, which flush_all exports first).
        instance.netflow.flush_all();
        let _ = instance.netflow.set_natevents(false);
        if instance.netflow.net.is_initial() {
            drop(TARGET.replace(None));
            self.initial.lock().take();
        }
    }
}

/// The `NETFLOW` target: each packet goes to its namespace's instance.
pub(crate) struct Accounting(pub(crate) Pernet<Namespaces>);

impl Target for Accounting {
    // Inlined into the C-called trampoline: one call and the packet's copy on the stack
    // fewer per packet.
    #[inline(always)]
    fn target(&self, packet: &Packet<'_>) {
        // A namespace being created or destroyed has no instance: nothing to count into.
        if let Some(instance) = self.0.get(packet.net(), packet.rcu()) {
            instance.netflow.account(packet);
        }
    }

    fn check(&self, net: &Net, table: &CStr, family: HookFamily) -> Result {
        if table.as_bytes() == b"nat" {
            pr_err!(
                "NETFLOW refused in the nat table: it sees only the first packet of a \
                 connection, so flows would miss the rest; use the filter, mangle or raw table\n"
            );
            return Err(EINVAL);
        }
        let rcu = ReadGuard::new();
        let Some(instance) = self.0.get(net, &rcu) else {
            return Ok(());
        };
        let n = &instance.netflow;
        // iptables-legacy checks every rule of a table again on each change: one line.
        if family == HookFamily::Ipv6
            && n.only_v5.load(Relaxed)
            && !n.v6_in_v5_warned.swap(true, Relaxed)
        {
            pr_warn!(
                "NETFLOW in an IPv6 rule while exporting NetFlow v5: v5 cannot carry IPv6, \
                 so IPv6 flows will be counted as lost (use protocol=9 or 10)\n"
            );
        }
        Ok(())
    }
}
