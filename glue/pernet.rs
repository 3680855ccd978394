// SPDX-License-Identifier: GPL-2.0

//! Data kept per network namespace (`register_pernet_subsys` with a `net_generic` slot):
//! created for every namespace that exists or comes to exist while registered, found
//! from a packet's namespace under RCU, and dropped when the namespace goes or the
//! registration ends.
//!
//! Exit order, as the network namespace core runs it (`cleanup_net`): `pre_exit` of every
//! subsystem, then one RCU grace period, then `exit`. In `pre_exit` the namespace's devices
//! are still there (devices go in their own `exit`, which runs before a subsystem's): that
//! is when [`PernetHandler::pre_exit`] runs, after lookups of the data have been stopped.
//! Packets already past a lookup may still use the data until the grace period ends, so
//! the data is dropped only in `exit`.
//!
//! C header: [`include/net/net_namespace.h`](srctree/include/net/net_namespace.h)

use super::bindings;
use super::net::{Net, NetRef};
use super::rcu::ReadSection;
use core::ffi::c_void;
use core::ptr::{addr_of, null_mut};
use core::sync::atomic::{AtomicPtr, AtomicU32, Ordering};
use kernel::error::{code::EBUSY, from_result, to_result};
use kernel::prelude::*;
use kernel::sync::Arc;

/// Creates and winds down the data of each namespace.
pub(crate) trait PernetHandler: Send + Sync + 'static {
    /// What is kept per namespace.
    type Data: Send + Sync + 'static;

    /// Makes the data of a new namespace (or of one that existed at registration).
    /// Sleeps. An error fails the namespace's creation (or the registration).
    fn init(&self, net: NetRef) -> Result<Self::Data>;

    /// The namespace is going: lookups no longer find `data`, its devices still exist.
    /// Sleeps. `data` is dropped after this returns and an RCU grace period has passed.
    fn pre_exit(&self, data: &Self::Data);
}

/// What the `net_generic` slot of a namespace holds.
#[repr(C)]
struct Slot {
    /// The data, while lookups may find it.
    live: AtomicPtr<c_void>,
    /// The data, from `init` until `exit` (a `KBox<H::Data>`).
    owned: AtomicPtr<c_void>,
}

/// The handler of the registration (the callbacks have no context pointer; one
/// registration per module at a time).
static HANDLER: AtomicPtr<c_void> = AtomicPtr::new(null_mut());
/// The `net_generic` id of the slots: the kernel writes it (through `ops.id`) when it
/// registers the operations, before any `init`.
static ID: AtomicU32 = AtomicU32::new(0);

/// A registered [`PernetHandler`]. Dropping it unregisters, which winds down the data of
/// every namespace.
///
/// # Invariants
///
/// `ops` is registered for as long as `self` lives, at a stable address (boxed), with
/// `ops.id` pointing to `ID`; `HANDLER` points to `handler`'s `H`.
pub(crate) struct Pernet<H: PernetHandler> {
    ops: KBox<bindings::pernet_operations>,
    /// What `HANDLER` points to, kept alive until unregistered.
    _handler: Arc<H>,
}

// SAFETY: after registration only the kernel touches `ops` (under its own lock).
unsafe impl<H: PernetHandler> Send for Pernet<H> {}
// SAFETY: `&Pernet` gives lookups (atomics under RCU) and `&H`, which is `Sync`.
unsafe impl<H: PernetHandler> Sync for Pernet<H> {}

impl<H: PernetHandler> Pernet<H> {
    /// Registers `handler`: its `init` runs for every namespace there is, before this
    /// returns. Sleeps.
    pub(crate) fn new(handler: Arc<H>) -> Result<Self> {
        let mut ops = KBox::new(
            bindings::pernet_operations {
                init: Some(init_trampoline::<H>),
                pre_exit: Some(pre_exit_trampoline::<H>),
                exit: Some(exit_trampoline::<H>),
                id: ID.as_ptr(),
                size: size_of::<Slot>(),
                ..Default::default()
            },
            GFP_KERNEL,
        )?;
        let ptr = (&*handler as *const H).cast_mut().cast::<c_void>();
        HANDLER
            .compare_exchange(null_mut(), ptr, Ordering::AcqRel, Ordering::Acquire)
            .map_err(|_| EBUSY)?;
        // SAFETY: `ops` is a filled-in `pernet_operations`, boxed so it stays put until
        // `drop` unregisters it; its callbacks find the handler through `HANDLER`, set
        // above; `id` points to the static `ID`, which the kernel writes only here.
        let ret = unsafe { bindings::register_pernet_subsys(&mut *ops) };
        if let Err(e) = to_result(ret) {
            HANDLER.store(null_mut(), Ordering::Release);
            return Err(e);
        }
        // INVARIANT: registered above; `HANDLER` is `handler`.
        Ok(Self {
            ops,
            _handler: handler,
        })
    }

    /// The data of `net`, if it has some and the namespace is not going away; valid for
    /// the read-side section `rcu`.
    #[inline]
    pub(crate) fn get<'r>(&self, net: &Net, rcu: &'r ReadSection) -> Option<&'r H::Data> {
        let slot = slot_rcu(net, rcu)?;
        let ptr = slot.live.load(Ordering::Acquire).cast::<H::Data>();
        if ptr.is_null() {
            return None;
        }
        // SAFETY: a non-NULL `live` is a `KBox<H::Data>` that `exit` frees only after
        // `pre_exit` cleared `live` and a grace period passed; `rcu` is held until 'r.
        Some(unsafe { &*ptr })
    }
}

impl<H: PernetHandler> Drop for Pernet<H> {
    fn drop(&mut self) {
        // SAFETY: registered in `new` (type invariant). Unregistering runs `pre_exit` and
        // `exit` for every namespace, freeing all data, before it returns.
        unsafe { bindings::unregister_pernet_subsys(&mut *self.ops) };
        HANDLER.store(null_mut(), Ordering::Release);
    }
}

/// The slot of `net`, if the registration gave it one.
fn slot(net: &Net) -> Option<&Slot> {
    // SAFETY: `net` is live; `ID` is the id of our registration, whose slot every
    // namespace has (zeroed by the kernel before `init`), while registered.
    let ptr = unsafe { bindings::netflow_net_generic(net.as_ptr(), ID.load(Ordering::Acquire)) };
    // SAFETY: the slot is `size_of::<Slot>()` bytes, suitably aligned (kzalloc), and lives
    // as long as the namespace; `Slot` is made of atomics.
    (!ptr.is_null()).then(|| unsafe { &*ptr.cast::<Slot>() })
}

/// The slot of `net`, as [`slot`], read inline under the caller's read-side section (what
/// `net_generic()` does, without the call): the packet path looks it up for every packet.
#[inline]
fn slot_rcu<'r>(net: &Net, _rcu: &'r ReadSection) -> Option<&'r Slot> {
    // `ID` fits any usize: it is a small index into the generic array.
    let id = ID.load(Ordering::Acquire) as usize;
    // SAFETY: `net` is live; `gen` is its RCU-protected array of generic pointers,
    // replaced (and the old one freed after a grace period) only when a new id is
    // registered, so it stays valid while `_rcu` is held. A volatile read is C's
    // `rcu_dereference`.
    let gen = unsafe { core::ptr::read_volatile(addr_of!((*net.as_ptr()).gen_)) };
    if gen.is_null() {
        return None;
    }
    // SAFETY: the array's `ptr[]` starts at its beginning (a union with its header) and
    // has an entry for every registered id, ours (`ID`, set before any namespace got a
    // slot) included; the entry of a registered id is set before the namespace is
    // visible to packets and does not change.
    let ptr = unsafe { *gen.cast::<*mut c_void>().add(id) };
    // SAFETY: as in `slot`: our slot, alive as long as the namespace, made of atomics.
    (!ptr.is_null()).then(|| unsafe { &*ptr.cast::<Slot>() })
}

/// The registered handler.
///
/// # Safety
///
/// Called from the pernet callbacks only, which run while the registration is alive.
unsafe fn handler<'a, H: PernetHandler>() -> &'a H {
    // SAFETY: `HANDLER` points to the `H` of the live `Pernet<H>` (type invariant and
    // contract).
    unsafe { &*HANDLER.load(Ordering::Acquire).cast::<H>() }
}

/// `init` of `struct pernet_operations`.
///
/// # Safety
///
/// Called by the namespace core only, for a live `net`, while registered.
unsafe extern "C" fn init_trampoline<H: PernetHandler>(net: *mut bindings::net) -> i32 {
    from_result(|| {
        // SAFETY: live for the call (contract), and until `exit` (namespace core).
        let net = unsafe { Net::from_raw(net) };
        // SAFETY: called while registered (contract).
        let handler = unsafe { handler::<H>() };
        // SAFETY: the data (and so the reference) is dropped in `exit`, before the
        // namespace is freed.
        let data = handler.init(unsafe { NetRef::new(net) })?;
        let data = KBox::into_raw(KBox::new(data, GFP_KERNEL)?).cast::<c_void>();
        let slot = slot(net).ok_or(EINVAL)?;
        slot.owned.store(data, Ordering::Release);
        slot.live.store(data, Ordering::Release);
        Ok(0)
    })
}

/// `pre_exit` of `struct pernet_operations`.
///
/// # Safety
///
/// Called by the namespace core only, for a live `net`, while registered.
unsafe extern "C" fn pre_exit_trampoline<H: PernetHandler>(net: *mut bindings::net) {
    // SAFETY: live for the call (contract).
    let net = unsafe { Net::from_raw(net) };
    let Some(slot) = slot(net) else { return };
    let data = slot
        .live
        .swap(null_mut(), Ordering::AcqRel)
        .cast::<H::Data>();
    if data.is_null() {
        return;
    }
    // SAFETY: while registered (contract); `data` is the `KBox<H::Data>` of this
    // namespace, freed only in `exit`.
    unsafe { handler::<H>().pre_exit(&*data) };
}

/// `exit` of `struct pernet_operations`.
///
/// # Safety
///
/// Called by the namespace core only, for a live `net`, while registered, after
/// `pre_exit` and a grace period.
unsafe extern "C" fn exit_trampoline<H: PernetHandler>(net: *mut bindings::net) {
    // SAFETY: live for the call (contract).
    let net = unsafe { Net::from_raw(net) };
    let Some(slot) = slot(net) else { return };
    slot.live.store(null_mut(), Ordering::Release);
    let data = slot
        .owned
        .swap(null_mut(), Ordering::AcqRel)
        .cast::<H::Data>();
    if !data.is_null() {
        // SAFETY: from `KBox::into_raw` in `init`; no lookup can find it any more (`live`
        // cleared in `pre_exit`, a grace period since).
        drop(unsafe { KBox::from_raw(data) });
    }
}
