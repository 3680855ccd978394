// SPDX-License-Identifier: GPL-2.0

//! RCU: read-side sections and grace periods.
//!
//! C header: [`include/linux/rcupdate.h`](srctree/include/linux/rcupdate.h)

use super::bindings;
use core::marker::PhantomData;
use core::ops::Deref;

/// Proof that an RCU read-side critical section is held: only handed out by reference,
/// for no longer than the section lasts.
///
/// Objects reached through RCU-protected pointers stay allocated while it is held.
pub(crate) struct ReadSection {
    _not_send: PhantomData<*mut ()>,
}

impl ReadSection {
    /// The section the caller is already in.
    ///
    /// # Safety
    ///
    /// An RCU read-side critical section is held for all of `'a`.
    pub(crate) unsafe fn assume_held<'a>() -> &'a Self {
        &Self {
            _not_send: PhantomData,
        }
    }
}

/// An RCU read-side critical section, held while the guard lives.
#[must_use = "the read-side section ends when the guard is dropped"]
pub(crate) struct ReadGuard {
    _not_send: PhantomData<*mut ()>,
}

impl ReadGuard {
    /// Enters a read-side critical section (nests).
    pub(crate) fn new() -> Self {
        // SAFETY: always allowed; paired with the unlock in `drop` on the same CPU/task.
        unsafe { bindings::netflow_rcu_read_lock() };
        Self {
            _not_send: PhantomData,
        }
    }
}

impl Deref for ReadGuard {
    type Target = ReadSection;

    fn deref(&self) -> &ReadSection {
        // SAFETY: the section entered in `new` lasts as long as `self`.
        unsafe { ReadSection::assume_held() }
    }
}

impl Drop for ReadGuard {
    fn drop(&mut self) {
        // SAFETY: pairs with the lock in `new`.
        unsafe { bindings::netflow_rcu_read_unlock() };
    }
}

/// Waits until every read-side section that began before the call has ended. Sleeps.
pub(crate) fn synchronize() {
    // SAFETY: called from process context (the functions that call it are documented so).
    unsafe { bindings::synchronize_rcu() };
}

/// A grace period that began when it was created; polled, never waited for.
pub(crate) struct GracePeriod(kernel::ffi::c_ulong);

impl GracePeriod {
    /// Starts (or joins) a grace period covering every reader active now.
    pub(crate) fn start() -> Self {
        // SAFETY: no preconditions; returns a cookie for `poll_state_synchronize_rcu`.
        Self(unsafe { bindings::start_poll_synchronize_rcu() })
    }

    /// Whether the grace period has ended.
    pub(crate) fn elapsed(&self) -> bool {
        // SAFETY: the cookie came from `start_poll_synchronize_rcu`.
        unsafe { bindings::poll_state_synchronize_rcu(self.0) }
    }
}
