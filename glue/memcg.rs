// SPDX-License-Identifier: GPL-2.0

//! Memory cgroups: charging what the module allocates for a network namespace to the
//! cgroup of the task that created the namespace, also from softirq (where nothing is
//! charged by default), so a container's root cannot size tables on the host's account.
//!
//! C header: [`include/linux/memcontrol.h`](srctree/include/linux/memcontrol.h)

use super::bindings;
use core::marker::PhantomData;
use core::ptr::NonNull;

/// A reference to a memory cgroup (none when memory cgroups are off).
///
/// # Invariants
///
/// `memcg` is NULL or a cgroup this value holds a reference to.
pub(crate) struct MemCgroup {
    memcg: Option<NonNull<bindings::mem_cgroup>>,
}

// SAFETY: a cgroup reference may be used and dropped on any CPU.
unsafe impl Send for MemCgroup {}
// SAFETY: `&MemCgroup` only starts charging scopes, which touch per-CPU or per-task state.
unsafe impl Sync for MemCgroup {}

impl MemCgroup {
    /// The cgroup of the current task (the root cgroup for kernel threads). Sleeps not.
    pub(crate) fn of_current() -> Self {
        // SAFETY: always callable from process context; returns a held reference or NULL.
        let memcg = unsafe { bindings::netflow_memcg_of_current() };
        // INVARIANT: the reference taken above.
        Self {
            memcg: NonNull::new(memcg),
        }
    }

    /// Charges the allocations made with `__GFP_ACCOUNT` (or from `SLAB_ACCOUNT` caches)
    /// on this CPU or task to this cgroup, until the guard is dropped.
    pub(crate) fn charge(&self) -> Charging<'_> {
        let memcg = self.memcg.map_or(core::ptr::null_mut(), NonNull::as_ptr);
        // SAFETY: `memcg` is NULL or held by `self` (type invariant), which outlives the
        // guard; the previous scope is restored by the guard on the same CPU/task.
        let old = unsafe { bindings::netflow_set_active_memcg(memcg) };
        Charging {
            old,
            _scope: PhantomData,
        }
    }
}

impl Drop for MemCgroup {
    fn drop(&mut self) {
        if let Some(memcg) = self.memcg {
            // SAFETY: the reference taken in `of_current` (type invariant).
            unsafe { bindings::netflow_memcg_put(memcg.as_ptr()) };
        }
    }
}

/// A charging scope started by [`MemCgroup::charge`].
#[must_use = "the charging scope ends when the guard is dropped"]
pub(crate) struct Charging<'a> {
    old: *mut bindings::mem_cgroup,
    // Tied to the cgroup, and to this CPU or task (not `Send`).
    _scope: PhantomData<(&'a MemCgroup, *mut ())>,
}

impl Drop for Charging<'_> {
    fn drop(&mut self) {
        // SAFETY: restores the scope `charge` replaced, on the same CPU or task (`!Send`,
        // and the packet path keeps softirqs off while it holds the guard).
        unsafe { bindings::netflow_set_active_memcg(self.old) };
    }
}
