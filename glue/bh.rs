// SPDX-License-Identifier: GPL-2.0

//! Softirqs off on this CPU (`local_bh_disable`), as a guard.
//!
//! C header: [`include/linux/bottom_half.h`](srctree/include/linux/bottom_half.h)

use super::bindings;
use core::marker::PhantomData;

/// While this lives, softirqs do not run on this CPU and the task stays on it.
///
/// Spinlocks shared with the packet path (which runs in softirq) are taken under it, and
/// per-CPU data may be updated without atomics.
#[must_use = "softirqs are enabled again when the guard is dropped"]
pub(crate) struct BhDisabled {
    /// Whether `new` disabled softirqs (they may have been off already).
    disabled: bool,
    // Must be enabled again on the CPU that disabled it.
    _not_send: PhantomData<*mut ()>,
}

impl BhDisabled {
    /// Disables softirqs on this CPU until the guard is dropped, unless they are off
    /// already (in softirq, or under `local_bh_disable`, as in every iptables hook):
    /// the packet path then pays for no call to turn them back on.
    #[inline]
    pub(crate) fn new() -> Self {
        let disabled = !softirqs_off();
        if disabled {
            // SAFETY: always allowed; undone by `drop` on the same CPU (the guard is !Send).
            unsafe { bindings::netflow_local_bh_disable() };
        }
        Self {
            disabled,
            _not_send: PhantomData,
        }
    }
}

impl Drop for BhDisabled {
    fn drop(&mut self) {
        if self.disabled {
            // SAFETY: pairs with the disable in `new`, on the same CPU.
            unsafe { bindings::netflow_local_bh_enable() };
        }
    }
}

/// Whether softirqs are off on this CPU (`softirq_count() != 0`). On x86-64 without
/// PREEMPT_RT inline, as C's: the softirq bits of this CPU's preempt count, read
/// `%gs`-relative; elsewhere through the C helper.
#[cfg(all(target_arch = "x86_64", CONFIG_SMP, not(CONFIG_PREEMPT_RT)))]
#[inline(always)]
fn softirqs_off() -> bool {
    let count: u32;
    // SAFETY: `pcpu_hot` is the kernel's per-CPU variable that holds the preempt count at
    // the offset the C side computes; `%gs` points at this CPU's per-CPU area, so this
    // reads this CPU's count, as `preempt_count()` does. It only reads that variable.
    unsafe {
        core::arch::asm!(
            "mov {count:e}, dword ptr gs:[rip + {hot} + {off}]",
            count = out(reg) count,
            hot = sym bindings::pcpu_hot,
            off = const bindings::NETFLOW_PREEMPT_COUNT_OFFSET,
            options(nostack, preserves_flags, readonly),
        )
    };
    count & bindings::NETFLOW_SOFTIRQ_MASK != 0
}

/// See the x86-64 version.
#[cfg(not(all(target_arch = "x86_64", CONFIG_SMP, not(CONFIG_PREEMPT_RT))))]
#[inline(always)]
fn softirqs_off() -> bool {
    // SAFETY: reads this CPU's (or, on PREEMPT_RT, this task's) softirq count.
    unsafe { bindings::netflow_softirqs_off() }
}
