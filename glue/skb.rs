// SPDX-License-Identifier: GPL-2.0

//! A packet as an xtables target sees it (`struct sk_buff` + `struct xt_action_param`).
//!
//! C headers: [`include/linux/skbuff.h`](srctree/include/linux/skbuff.h),
//! [`include/linux/netfilter/x_tables.h`](srctree/include/linux/netfilter/x_tables.h)

use super::bindings;
use super::net::Net;
use super::rcu::ReadSection;
use kernel::types::Opaque;

/// The family of the hook a packet is seen at (`NFPROTO_IPV4`, `NFPROTO_IPV6`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum HookFamily {
    /// An IPv4 hook (iptables).
    Ipv4,
    /// An IPv6 hook (ip6tables).
    Ipv6,
}

/// A packet handed to a target, from its network header on.
///
/// # Invariants
///
/// `skb` and `par` are the valid packet and action parameters of one target call and
/// outlive `'a`; the packet's data starts at its network header (true at every IP hook).
/// For that call the fields read here (`len`, `data_len`, `data`, `state`) do not change,
/// and neither do the packet's bytes: whoever writes a packet's data must own it
/// (`skb_make_writable`/`skb_ensure_writable` unshare it first), and the target does not.
pub(crate) struct Packet<'a> {
    skb: &'a Opaque<bindings::sk_buff>,
    par: &'a Opaque<bindings::xt_action_param>,
}

impl<'a> Packet<'a> {
    /// Wraps the arguments of a target call.
    ///
    /// # Safety
    ///
    /// `skb` and `par` are the arguments xtables passed to a target function, valid for `'a`.
    pub(crate) unsafe fn from_raw(
        skb: *const bindings::sk_buff,
        par: *const bindings::xt_action_param,
    ) -> Self {
        // INVARIANT: valid for 'a by the function's safety requirement.
        // SAFETY: both pointers are valid for 'a by the function's safety requirement, and
        // `Opaque<T>` has the layout of `T`.
        unsafe {
            Self {
                skb: &*skb.cast::<Opaque<bindings::sk_buff>>(),
                par: &*par.cast::<Opaque<bindings::xt_action_param>>(),
            }
        }
    }

    /// The RCU read-side section netfilter runs every hook in (`nf_hook()` holds it
    /// around the whole hook chain), for as long as the packet is borrowed.
    pub(crate) fn rcu(&self) -> &ReadSection {
        // SAFETY: xtables targets run inside the hook chain, under `rcu_read_lock()`
        // (type invariant: this is one target call), which lasts longer than `'a`.
        unsafe { ReadSection::assume_held() }
    }

    fn state(&self) -> &bindings::nf_hook_state {
        // SAFETY: `par` is valid (type invariant), and xtables always sets its `state` to
        // the hook state of the current call, which outlives it.
        unsafe { &*(*self.par.get()).state }
    }

    /// The socket buffer's fields this file reads (type invariant: stable for the call).
    fn skb(&self) -> &bindings::sk_buff {
        // SAFETY: `skb` is valid for `'a` and the fields read through this reference do
        // not change during the target call (type invariant).
        unsafe { &*self.skb.get() }
    }

    /// The network namespace the packet is in (of the hook it is seen at).
    pub(crate) fn net(&self) -> &Net {
        // SAFETY: the hook state's `net` is the namespace of the hook, which cannot go
        // away while one of its hooks runs.
        unsafe { Net::from_raw(self.state().net) }
    }

    /// The address family of the table the rule is in, `None` for other families.
    pub(crate) fn family(&self) -> Option<HookFamily> {
        match u32::from(self.state().pf) {
            bindings::NFPROTO_IPV4 => Some(HookFamily::Ipv4),
            bindings::NFPROTO_IPV6 => Some(HookFamily::Ipv6),
            _ => None,
        }
    }

    /// Index of the input interface, 0 if none (locally generated packets).
    pub(crate) fn in_ifindex(&self) -> u32 {
        ifindex(self.state().in_)
    }

    /// Index of the output interface, 0 if not known yet (input hooks).
    pub(crate) fn out_ifindex(&self) -> u32 {
        ifindex(self.state().out)
    }

    /// Bytes of the packet from the network header on (`skb->len`, as rule counters count).
    #[inline]
    pub(crate) fn len(&self) -> usize {
        // u32 into usize: lossless on the 64-bit kernels this module builds for.
        self.skb().len as usize
    }

    /// The whole packet as one slice, when it is linear (no paged part): then every read
    /// of its headers is a plain bounds-checked slice access.
    #[inline]
    pub(crate) fn linear(&self) -> Option<&'a [u8]> {
        let skb = self.skb();
        if skb.data_len != 0 {
            return None;
        }
        if skb.len == 0 {
            return Some(&[]);
        }
        // SAFETY: with no paged part, `data` holds all `len` bytes of the packet
        // (`skb_headlen == len`); they are not written during the target call and outlive
        // `'a` (type invariant). u32 into usize: lossless on 64-bit kernels.
        Some(unsafe { core::slice::from_raw_parts(skb.data, skb.len as usize) })
    }

    /// Copies `out.len()` bytes from `offset`, whether the data is linear or paged;
    /// `false` (and nothing read) if that range is not inside the packet.
    #[inline]
    pub(crate) fn copy_to(&self, offset: usize, out: &mut [u8]) -> bool {
        let Some(end) = offset.checked_add(out.len()) else {
            return false;
        };
        if end > self.len() {
            return false;
        }
        let skb = self.skb();
        // `data_len` (the paged part) never exceeds `len`.
        let headlen = skb.len.saturating_sub(skb.data_len) as usize;
        if end <= headlen {
            // SAFETY: `data` has `headlen` readable bytes (the linear part), and
            // `offset..end` lies within them; `out` does not overlap packet data.
            unsafe {
                core::ptr::copy_nonoverlapping(skb.data.add(offset), out.as_mut_ptr(), out.len())
            };
            return true;
        }
        // Both fit in `c_int`: `end <= skb->len`, which is an `unsigned int` below 2^31.
        // SAFETY: `skb` is valid; `skb_copy_bits` writes exactly `out.len()` bytes to `out`.
        let ret = unsafe {
            bindings::skb_copy_bits(
                skb,
                offset as i32,
                out.as_mut_ptr().cast(),
                out.len() as i32,
            )
        };
        ret == 0
    }
}

impl Packet<'_> {
    /// The gateway of the route the packet was given, in `out` (IPv4 in its first 4
    /// bytes); `false`, `out` untouched, when the route is on-link, there is no route yet
    /// (input hooks), or an IPv4 route leads to an IPv6 gateway.
    pub(crate) fn gateway(&self, family: HookFamily, out: &mut [u8; 16]) -> bool {
        // SAFETY: `skb` is valid for the call (type invariant); the helper only reads it.
        let dst = unsafe { bindings::netflow_skb_dst(self.skb.get()) };
        if dst.is_null() {
            return false;
        }
        // SAFETY: a packet's dst is held (refcounted or under the hook's RCU section) for
        // as long as the packet is in the hook; `ops` is set for every dst.
        let ops_family = unsafe { (*(*dst).ops).family };
        match family {
            HookFamily::Ipv4 if u32::from(ops_family) == bindings::AF_INET => {
                // SAFETY: an AF_INET dst is the first member of a `struct rtable`.
                let rt = unsafe { &*dst.cast::<bindings::rtable>() };
                if u32::from(rt.rt_gw_family) != bindings::AF_INET {
                    return false;
                }
                // SAFETY: with `rt_gw_family == AF_INET` the union holds `rt_gw4`.
                let gw = unsafe { rt.__bindgen_anon_1.rt_gw4 };
                out[..4].copy_from_slice(&gw.to_ne_bytes());
                true
            }
            HookFamily::Ipv6 if u32::from(ops_family) == bindings::AF_INET6 => {
                // SAFETY: an AF_INET6 dst is the first member of a `struct rt6_info`.
                let rt = unsafe { &*dst.cast::<bindings::rt6_info>() };
                if rt.rt6i_flags & bindings::RTF_GATEWAY == 0 {
                    return false;
                }
                // SAFETY: `in6_addr` is a union of byte views of one 16-byte address.
                *out = unsafe { rt.rt6i_gateway.in6_u.u6_addr8 };
                true
            }
            _ => false,
        }
    }
}

fn ifindex(dev: *const bindings::net_device) -> u32 {
    if dev.is_null() {
        return 0;
    }
    // SAFETY: a non-NULL device in `nf_hook_state` is held for the duration of the hook.
    let index = unsafe { (*dev).ifindex };
    u32::try_from(index).unwrap_or(0)
}
