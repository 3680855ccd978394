// SPDX-License-Identifier: GPL-2.0

//! ipt_NETFLOW: the iptables/ip6tables `NETFLOW` target.
//!
//! Every packet that reaches `-j NETFLOW` is accounted into a flow; flows that end are
//! exported as NetFlow v5, v9 or IPFIX to the collectors in `destination`.

use kernel::c_str;
use kernel::prelude::*;
use kernel::sync::Arc;

mod export;
mod flow;
mod glue;

use glue::params::Params;
use glue::skb::Packet;
use glue::xtables;

module! {
    type: IptNetflow,
    name: "ipt_NETFLOW",
    author: "ipt_NETFLOW Rust-for-Linux authors",
    description: "iptables NETFLOW target: accounts flows, exports NetFlow v5/v9/IPFIX",
    license: "GPL",
}

/// The NETFLOW target's state.
struct Netflow;

impl xtables::Target for Netflow {
    fn target(&self, packet: &Packet<'_>) {
        let _ = packet;
    }
}

struct IptNetflow {
    _target: xtables::Registration<Netflow>,
}

impl kernel::Module for IptNetflow {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let params = Params::get();
        if params.debug > 0 {
            pr_info!("destination={:?} protocol={}\n", params.destination, params.protocol);
        }
        let netflow = Arc::new(Netflow, GFP_KERNEL)?;
        let target = xtables::Registration::new(c_str!("NETFLOW"), module, netflow)?;
        pr_info!("loaded\n");
        Ok(Self { _target: target })
    }
}
