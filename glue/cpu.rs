// SPDX-License-Identifier: GPL-2.0

//! CPU numbers: which are online, and which one runs the caller.
//!
//! C header: [`include/linux/cpumask.h`](srctree/include/linux/cpumask.h)

use super::bindings;

/// Whether `cpu` is a CPU that is online now (it may go offline right after).
pub(crate) fn online(cpu: u64) -> bool {
    match u32::try_from(cpu) {
        // SAFETY: only reads the online mask, for any number (checked against nr_cpu_ids).
        Ok(cpu) => unsafe { bindings::netflow_cpu_online(cpu) },
        Err(_) => false,
    }
}

/// The CPU the caller runs on (it may be moved to another right after, unless pinned).
pub(crate) fn current() -> u32 {
    // SAFETY: reads the current CPU number; no requirement.
    unsafe { bindings::netflow_current_cpu() }
}
