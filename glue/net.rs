// SPDX-License-Identifier: GPL-2.0

//! Network namespaces (`struct net`), as the per-namespace parts of the module see them.
//!
//! C header: [`include/net/net_namespace.h`](srctree/include/net/net_namespace.h)

use super::bindings;
use core::ptr::{addr_of, NonNull};
use kernel::types::Opaque;

/// A network namespace, borrowed for as long as the reference lives.
#[repr(transparent)]
pub(crate) struct Net(Opaque<bindings::net>);

impl Net {
    /// The namespace at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` is a live network namespace that stays alive for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *const bindings::net) -> &'a Net {
        // SAFETY: `Net` is a transparent wrapper of `struct net`, alive for 'a (contract).
        unsafe { &*ptr.cast::<Net>() }
    }

    /// The raw pointer, for the C APIs of the other glue files.
    pub(crate) fn as_ptr(&self) -> *mut bindings::net {
        self.0.get()
    }

    /// Whether this is the initial namespace (the one the host lives in).
    pub(crate) fn is_initial(&self) -> bool {
        core::ptr::eq(self.as_ptr(), addr_of!(bindings::init_net))
    }

    /// The namespace's inode number (what `ip netns identify` and `/proc/PID/ns/net`
    /// show), for log messages.
    pub(crate) fn inum(&self) -> u32 {
        // SAFETY: the namespace is alive (type invariant); `ns.inum` is set at creation
        // and never changes.
        unsafe { (*self.as_ptr()).ns.inum }
    }
}

/// A network namespace that its holder is guaranteed to outlive: handed by
/// the per-namespace glue (`pernet.rs`) to the data it keeps for a namespace, which is dropped in the
/// namespace's exit, before the namespace itself is freed.
///
/// # Invariants
///
/// `net` stays a live namespace for as long as this value exists.
pub(crate) struct NetRef {
    net: NonNull<bindings::net>,
}

// SAFETY: a `struct net` may be used from any CPU; liveness is the type invariant.
unsafe impl Send for NetRef {}
// SAFETY: `&NetRef` only gives `&Net`, whose methods are read-only or take their own locks.
unsafe impl Sync for NetRef {}

impl NetRef {
    /// A reference to `net` that will not outlive it.
    ///
    /// # Safety
    ///
    /// The caller drops the returned value before `net` is freed.
    pub(crate) unsafe fn new(net: &Net) -> Self {
        // INVARIANT: the caller keeps `net` alive for as long (contract).
        Self {
            net: NonNull::from(net).cast(),
        }
    }
}

impl core::ops::Deref for NetRef {
    type Target = Net;

    fn deref(&self) -> &Net {
        // SAFETY: live for as long as `self` (type invariant).
        unsafe { Net::from_raw(self.net.as_ptr()) }
    }
}
