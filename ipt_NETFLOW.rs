// SPDX-License-Identifier: GPL-2.0

//! ipt_NETFLOW: the iptables/ip6tables `NETFLOW` target.
//!
//! Every packet that reaches `-j NETFLOW` is accounted into a flow; flows that end are
//! exported as NetFlow v5, v9 or IPFIX to the collectors in `destination`.

// pin_init! of the per-namespace state (`engine::Netflow`) nests deeper than 128.
#![recursion_limit = "256"]

use kernel::c_str;
use kernel::prelude::*;
use kernel::sync::Arc;

mod aggregation;
mod engine;
mod export;
mod flow;
mod glue;
mod nat;
mod procfs;
mod settings;

use engine::namespaces::{Accounting, Namespaces};
use glue::pernet::Pernet;
use glue::xtables;

module! {
    type: IptNetflow,
    name: "ipt_NETFLOW",
    author: "ipt_NETFLOW Rust-for-Linux authors",
    description: "iptables NETFLOW target: accounts flows, exports NetFlow v5/v9/IPFIX",
    license: "GPL",
}

/// The module: the target, and through it one instance per network namespace. Dropping
/// it unregisters the target (no rule uses it by then), then every instance goes: its
/// flows exported, its files and sockets closed.
struct IptNetflow {
    _target: xtables::Registration<Accounting>,
}

impl kernel::Module for IptNetflow {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let params = settings::Initial::from_params()?;
        let namespaces = Arc::pin_init(Namespaces::new(params)?, GFP_KERNEL)?;
        // Makes the instance of every namespace there is, the initial one first.
        let accounting = Arc::new(Accounting(Pernet::new(namespaces)?), GFP_KERNEL)?;
        // Last: from here on rules can use the target.
        let target = xtables::Registration::new(c_str!("NETFLOW"), module, accounting)?;
        pr_info!(
            "ipt_NETFLOW loaded: version {}, srcversion {}\n",
            glue::modinfo::version(),
            glue::modinfo::srcversion()
        );
        Ok(Self { _target: target })
    }
}
