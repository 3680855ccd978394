// SPDX-License-Identifier: GPL-2.0

//! Conntrack's event delivery, seen from outside: whether a namespace's conntrack has
//! an event callback at all (ctnetlink registers it when it loads). Only read, never
//! set: that callback is conntrack's and ctnetlink's.
//!
//! C header: [`include/net/netfilter/nf_conntrack_ecache.h`](srctree/include/net/netfilter/nf_conntrack_ecache.h)

use super::bindings;
use super::net::NetRef;

/// Whether conntrack in `net` delivers events (some module, normally ctnetlink, has
/// registered the event callback); `false` on a kernel without conntrack events.
pub(crate) fn events_delivered(net: &NetRef) -> bool {
    // SAFETY: `net` is a live namespace (`NetRef`'s invariant); the helper only tests
    // the RCU pointer for NULL (`rcu_access_pointer`), without dereferencing it.
    unsafe { bindings::netflow_ct_events_delivered(net.as_ptr()) }
}
