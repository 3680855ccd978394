// SPDX-License-Identifier: GPL-2.0

//! Periodic work: a `struct delayed_work` that re-arms itself, on the unbound system
//! workqueue so it runs on whichever CPU is idle, not on one busy with packets, or on
//! one CPU the work asks for (the per-CPU system workqueue).
//!
//! C header: [`include/linux/workqueue.h`](srctree/include/linux/workqueue.h)

use super::bindings;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::prelude::*;
use kernel::sync::Arc;
use kernel::types::Opaque;

/// When and where a periodic work item runs next.
#[derive(Clone, Copy)]
pub(crate) struct Next {
    /// Jiffies from now.
    pub(crate) delay: u64,
    /// The CPU to run on, which the caller checked is online (a CPU that goes offline
    /// meanwhile has its pending work moved elsewhere by the workqueue); `None`: any.
    pub(crate) cpu: Option<u32>,
}

/// What a periodic work item does each time it runs.
pub(crate) trait Periodic: Send + Sync + 'static {
    /// Runs in process context (may sleep); returns when and where to run next.
    fn run(&self) -> Next;
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
    /// Creates the work item, first run as `first` says.
    pub(crate) fn start(data: Arc<T>, first: Next) -> Result<Self> {
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
        // SAFETY: `work` is initialised (type invariant) and stays allocated until `drop`,
        // which cancels it.
        unsafe { queue(this.inner.work.get(), first) };
        Ok(this)
    }
}

/// Queues `work` as `next` says.
///
/// # Safety
///
/// `work` is an initialised delayed work that stays allocated until it is cancelled.
unsafe fn queue(work: *mut bindings::delayed_work, next: Next) {
    // Jiffies are an unsigned long: as wide as u64 on 64-bit, and a delay never nears 2^32.
    let delay = next.delay as _;
    match next.cpu.and_then(|c| core::ffi::c_int::try_from(c).ok()) {
        // SAFETY: `work` is valid (function contract); `cpu` is a CPU number.
        Some(cpu) => unsafe { bindings::netflow_queue_delayed_work_on(cpu, work, delay) },
        // SAFETY: as above.
        None => unsafe { bindings::netflow_queue_delayed_work(work, delay) },
    };
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
    let next = inner.data.run();
    if !inner.stopping.load(Ordering::Acquire) {
        // SAFETY: `work` is an initialised delayed work; see `PeriodicWork::drop`.
        unsafe { queue(inner.work.get(), next) };
    }
}
