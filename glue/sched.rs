// SPDX-License-Identifier: GPL-2.0

//! Letting the scheduler in during long loops in process context.
//!
//! C header: [`include/linux/sched.h`](srctree/include/linux/sched.h)

use super::bindings;

/// Gives the CPU to another task if one is waiting. Call in long loops that run in
/// process context with no spinlock held and outside RCU read-side sections (a mutex
/// may be held): a loop of many seconds (a huge table, a big flush on a slow machine)
/// must not look like a soft lockup.
pub(crate) fn cond_resched() {
    // SAFETY: always sound to call. In atomic context it does not schedule (and a debug
    // kernel warns about the caller), so the documented rule is about correctness only.
    unsafe { bindings::netflow_cond_resched() };
}
