// SPDX-License-Identifier: GPL-2.0

//! Clocks: jiffies, wall-clock and boot time in milliseconds.
//!
//! C headers: [`include/linux/jiffies.h`](srctree/include/linux/jiffies.h),
//! [`include/linux/timekeeping.h`](srctree/include/linux/timekeeping.h)

use super::bindings;

/// The jiffies counter now.
pub(crate) fn jiffies() -> u64 {
    // SAFETY: `jiffies` is an exported, always valid, word-sized counter that the timer
    // interrupt updates; a volatile read is how C reads it (it is declared volatile).
    // `unsigned long` into u64: lossless.
    (unsafe { core::ptr::read_volatile(&raw const bindings::jiffies) }) as u64
}

/// Jiffies per second (`HZ`).
pub(crate) fn hz() -> u64 {
    // SAFETY: returns a constant.
    u64::from(unsafe { bindings::netflow_hz() })
}

/// Wall-clock time, milliseconds since the Unix epoch.
pub(crate) fn real_ms() -> u64 {
    // SAFETY: reads the clock; callable from any context.
    unsafe { bindings::netflow_ktime_get_real_ms() }
}

/// Time since boot, milliseconds.
pub(crate) fn boot_ms() -> u64 {
    // SAFETY: reads the clock; callable from any context.
    unsafe { bindings::netflow_ktime_get_boot_ms() }
}

/// Monotonic time, nanoseconds (for measuring how long something took).
pub(crate) fn mono_ns() -> u64 {
    // SAFETY: reads the clock; callable from any context.
    unsafe { bindings::netflow_ktime_get_ns() }
}

/// Pages of RAM (for sizing the hash table like C ipt_NETFLOW).
pub(crate) fn totalram_pages() -> u64 {
    // SAFETY: reads a counter; no preconditions.
    (unsafe { bindings::netflow_totalram_pages() }) as u64
}
