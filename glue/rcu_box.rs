// SPDX-License-Identifier: GPL-2.0

//! A boxed value that readers use under RCU while a writer replaces it whole.

use super::rcu::{self, ReadSection};
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::prelude::*;

/// A `KBox<T>` published through an RCU-protected pointer.
///
/// # Invariants
///
/// `ptr` always comes from `KBox::into_raw`; a replaced box is freed only after a grace
/// period.
pub(crate) struct RcuBox<T: Send + Sync> {
    ptr: AtomicPtr<T>,
}

impl<T: Send + Sync> RcuBox<T> {
    /// Publishes `value`.
    pub(crate) fn new(value: KBox<T>) -> Self {
        // INVARIANT: from `KBox::into_raw`.
        Self {
            ptr: AtomicPtr::new(KBox::into_raw(value)),
        }
    }

    /// The current value, valid while the read guard is held.
    pub(crate) fn read<'g>(&'g self, _rcu: &'g ReadSection) -> &'g T {
        // SAFETY: a live box (type invariant); a replaced one is freed only after a grace
        // period, which the guard holds off.
        unsafe { &*self.ptr.load(Ordering::Acquire) }
    }

    /// Publishes `value`, waits until no reader can see the old one, and drops it.
    /// Sleeps; concurrent writers must be serialised by the caller.
    pub(crate) fn replace(&self, value: KBox<T>) {
        let old = self.ptr.swap(KBox::into_raw(value), Ordering::AcqRel);
        rcu::synchronize();
        // SAFETY: from `KBox::into_raw`, unpublished, and every reader is done with it.
        drop(unsafe { KBox::from_raw(old) });
    }
}

impl<T: Send + Sync> Drop for RcuBox<T> {
    fn drop(&mut self) {
        rcu::synchronize();
        // SAFETY: from `KBox::into_raw`; `&mut self` means no new reader, and the grace
        // period above lets old ones finish.
        drop(unsafe { KBox::from_raw(self.ptr.load(Ordering::Acquire)) });
    }
}

// SAFETY: the box owns a `T: Send + Sync`.
unsafe impl<T: Send + Sync> Send for RcuBox<T> {}
// SAFETY: readers get `&T` (`T: Sync`); replacement is an atomic swap plus a grace period.
unsafe impl<T: Send + Sync> Sync for RcuBox<T> {}
