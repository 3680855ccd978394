// SPDX-License-Identifier: GPL-2.0

//! Periodic work: a `struct delayed_work` that re-arms itself, on the unbound system
//! workqueue so it runs on whichever CPU is idle, not on one busy with packets.
//!
//! C header: [`include/linux/workqueue.h`](srctree/include/linux/workqueue.h)

use super::bindings;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::prelude::*;
use kernel::sync::Arc;
use kernel::types::Opaque;

/// What a periodic work item does each time it runs.
pub(crate) trait Periodic: Send + Sync + 'static {
    /// Runs in process context (may sleep); returns the delay in jiffies until the next run.
    fn run(&self) -> u64;
}

/// The work item and its data, at a stable address. `work` must stay the first field:
/// the callback finds the `Inner` from the `work_struct` pointer it is given.
#[repr(C)]
struct Inner<T: Periodic> {
    work: Opaque<bindings::delayed_work>,
    stopping: AtomicBool,
    data: Arc<T>,
}

// SAFETY: the work item is handed to the workqueue, which may run it on any CPU; `data` is
// `Arc<T>` with `T: Send + Sync`, and `stopping` is atomic.
unsafe impl<T: Periodic> Send for Inner<T> {}
// SAFETY: shared access is only through the workqueue API (which synchronises itself),
// `stopping` (atomic) and `&T` (`T: Sync`).
unsafe impl<T: Periodic> Sync for Inner<T> {}

/// A periodic work item. Dropping it stops it and waits for a running call to end.
///
/// # Invariants
///
/// `inner.work` is an initialised delayed work whose function is `run_work::<T>`.
pub(crate) struct PeriodicWork<T: Periodic> {
    inner: Pin<KBox<Inner<T>>>,
}

impl<T: Periodic> PeriodicWork<T> {
    /// Creates the work item, first run after `delay` jiffies.
    pub(crate) fn start(data: Arc<T>, delay: u64) -> Result<Self> {
        let inner = KBox::pin(
            Inner {
                work: Opaque::uninit(),
                stopping: AtomicBool::new(false),
                data,
            },
            GFP_KERNEL,
        )?;
        // SAFETY: `work` is at a stable (pinned, boxed) address and not queued yet.
        unsafe { bindings::netflow_init_delayed_work(inner.work.get(), Some(run_work::<T>)) };
        // INVARIANT: initialised above with `run_work::<T>`.
        let this = Self { inner };
        this.schedule(delay);
        Ok(this)
    }

    fn schedule(&self, delay: u64) {
        // SAFETY: `work` is initialised (type invariant) and stays allocated until `drop`,
        // which cancels it.
        unsafe { bindings::netflow_queue_delayed_work(self.inner.work.get(), delay as _) };
    }
}

impl<T: Periodic> Drop for PeriodicWork<T> {
    fn drop(&mut self) {
        self.inner.stopping.store(true, Ordering::Release);
        // SAFETY: `work` is initialised; `cancel_delayed_work_sync` returns only when the
        // work is neither queued nor running, even if it re-arms itself meanwhile.
        unsafe { bindings::cancel_delayed_work_sync(self.inner.work.get()) };
    }
}

/// Work function: runs `T::run`, then re-arms unless the item is being dropped.
///
/// # Safety
///
/// Called by the workqueue with the `work_struct` of a `PeriodicWork<T>`'s `Inner<T>`.
unsafe extern "C" fn run_work<T: Periodic>(work: *mut bindings::work_struct) {
    // SAFETY: `work` is the first field of `delayed_work`, itself the first field of the
    // `#[repr(C)]` `Inner<T>`, which lives until `drop` has cancelled the work.
    let inner = unsafe { &*work.cast::<Inner<T>>() };
    let delay = inner.data.run();
    if !inner.stopping.load(Ordering::Acquire) {
        // SAFETY: `work` is an initialised delayed work; see `PeriodicWork::drop`.
        unsafe { bindings::netflow_queue_delayed_work(inner.work.get(), delay as _) };
    }
}
