// SPDX-License-Identifier: GPL-2.0

//! xtables targets: what `-j NAME` does, for iptables (legacy and nft_compat) and ip6tables.
//!
//! C header: [`include/linux/netfilter/x_tables.h`](srctree/include/linux/netfilter/x_tables.h)

use super::bindings;
use super::net::Net;
use super::skb::{HookFamily, Packet};
use core::ffi::{c_int, c_void};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::c_str;
use kernel::error::from_result;
use kernel::error::{code::EBUSY, code::EINVAL, to_result};
use kernel::prelude::*;
use kernel::sync::Arc;
use kernel::ThisModule;

/// What a target does with each packet. It never decides the packet's fate: the packet
/// always goes on to the next rule (`XT_CONTINUE`).
pub(crate) trait Target: Send + Sync + 'static {
    /// Handles one packet, in softirq or process context, on any CPU; must not sleep.
    fn target(&self, packet: &Packet<'_>);

    /// Accepts (`Ok`) or refuses (an error, returned to iptables) a new rule using the
    /// target, in `table` (`filter`, `nat`, ... or an nftables table's name) of `family`.
    /// Process context, may sleep. iptables-legacy checks every rule of a table again
    /// each time the table is replaced. By default, every rule is accepted.
    fn check(&self, _net: &Net, _table: &CStr, _family: HookFamily) -> Result {
        Ok(())
    }
}

/// The data of the registered target. `struct xt_target` has no context pointer, so the
/// trampoline finds its data here; one registration per module at a time.
static TARGET_DATA: AtomicPtr<c_void> = AtomicPtr::new(null_mut());

/// Families the target is registered for: one `struct xt_target` each.
const FAMILIES: [u32; 2] = [bindings::NFPROTO_IPV4, bindings::NFPROTO_IPV6];

/// A target registered for IPv4 and IPv6, in any table and hook. Dropping it unregisters.
///
/// # Invariants
///
/// `targets` are registered with xtables for as long as `self` lives, at a stable address
/// (boxed), and `TARGET_DATA` points to `data`'s `T`, which `self` keeps alive.
pub(crate) struct Registration<T: Target> {
    targets: KBox<Targets>,
    /// What `TARGET_DATA` points to, kept alive until unregistered.
    _data: Arc<T>,
}

/// The `struct xt_target`s handed to xtables.
struct Targets([bindings::xt_target; FAMILIES.len()]);

// SAFETY: after registration, only xtables touches the targets (list linkage, under its own
// mutex); the rest is read-only data and pointers to 'static items (name, module).
unsafe impl Send for Targets {}
// SAFETY: as for `Send`: `&Targets` gives no access that could race with xtables.
unsafe impl Sync for Targets {}

impl<T: Target> Registration<T> {
    /// Registers target `name` (revision 0, no per-rule data) handled by `data`.
    ///
    /// Register last in module init: from here on a rule may take a reference to the
    /// module, and a module whose init then fails cannot drop it.
    pub(crate) fn new(name: &CStr, module: &'static ThisModule, data: Arc<T>) -> Result<Self> {
        let mut targets = KBox::new(
            Targets([
                bindings::xt_target::default(),
                bindings::xt_target::default(),
            ]),
            GFP_KERNEL,
        )?;
        for (target, family) in targets.0.iter_mut().zip(FAMILIES) {
            fill(target, name, module, family)?;
            target.target = Some(target_trampoline::<T>);
            target.checkentry = Some(check_trampoline::<T>);
        }
        let data_ptr = (&*data as *const T).cast_mut().cast::<c_void>();
        TARGET_DATA
            .compare_exchange(null_mut(), data_ptr, Ordering::AcqRel, Ordering::Acquire)
            .map_err(|_| EBUSY)?;
        // SAFETY: `targets` is a valid array of `FAMILIES.len()` filled-in targets, boxed
        // so it stays put until `drop` unregisters it.
        let ret =
            unsafe { bindings::xt_register_targets(targets.0.as_mut_ptr(), FAMILIES.len() as u32) };
        if let Err(e) = to_result(ret) {
            TARGET_DATA.store(null_mut(), Ordering::Release);
            return Err(e);
        }
        // INVARIANT: registered above; `TARGET_DATA` points to `data`, kept in `self`.
        Ok(Self {
            targets,
            _data: data,
        })
    }
}

impl<T: Target> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: registered in `new` (type invariant). No rule uses the target any more:
        // each rule holds a reference on the module, so it cannot be unloading otherwise.
        unsafe {
            bindings::xt_unregister_targets(self.targets.0.as_mut_ptr(), FAMILIES.len() as u32)
        };
        TARGET_DATA.store(null_mut(), Ordering::Release);
    }
}

fn fill(
    target: &mut bindings::xt_target,
    name: &CStr,
    module: &'static ThisModule,
    family: u32,
) -> Result {
    let bytes = name.as_bytes();
    // The name must leave room for its terminating NUL.
    if bytes.len() >= target.name.len() {
        return Err(EINVAL);
    }
    for (dst, src) in target.name.iter_mut().zip(bytes) {
        *dst = *src as _;
    }
    target.revision = 0;
    target.family = family as u16;
    target.me = module.as_ptr().cast();
    Ok(())
}

/// Called by xtables for every packet that reaches a rule with this target.
///
/// # Safety
///
/// Called by xtables only, with a valid `skb` and `par`, while the target is registered.
unsafe extern "C" fn target_trampoline<T: Target>(
    skb: *mut bindings::sk_buff,
    par: *const bindings::xt_action_param,
) -> u32 {
    let data = TARGET_DATA.load(Ordering::Acquire).cast::<T>();
    // SAFETY: while the target is registered, `TARGET_DATA` points to the `T` of the
    // `Registration<T>` that registered this very trampoline (type invariant).
    let data = unsafe { &*data };
    // SAFETY: `skb` and `par` are valid for this call, by the function's contract.
    let packet = unsafe { Packet::from_raw(skb, par) };
    data.target(&packet);
    bindings::XT_CONTINUE
}

/// Called by xtables when a rule using the target is checked (added, or its table
/// replaced); a negative errno refuses the rule.
///
/// # Safety
///
/// Called by xtables only, with a valid `par`, while the target is registered.
unsafe extern "C" fn check_trampoline<T: Target>(par: *const bindings::xt_tgchk_param) -> c_int {
    let data = TARGET_DATA.load(Ordering::Acquire).cast::<T>();
    // SAFETY: as in `target_trampoline`: the target is registered, so `TARGET_DATA`
    // points to the `T` of its registration.
    let data = unsafe { &*data };
    // SAFETY: `par` is valid for this call, by the function's contract.
    let par = unsafe { &*par };
    let family = if u32::from(par.family) == bindings::NFPROTO_IPV6 {
        HookFamily::Ipv6
    } else {
        HookFamily::Ipv4
    };
    // SAFETY: `par.net` is the namespace the rule is added in, alive during the check.
    let net = unsafe { Net::from_raw(par.net) };
    let table = if par.table.is_null() {
        c_str!("")
    } else {
        // SAFETY: xtables passes the table's NUL-terminated name (of the `xt_table` or the
        // nftables table), alive for the duration of the check.
        unsafe { CStr::from_char_ptr(par.table) }
    };
    from_result(|| data.check(net, table, family).map(|()| 0))
}
