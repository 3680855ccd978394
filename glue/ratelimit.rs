// SPDX-License-Identifier: GPL-2.0

//! Rate limit for debug messages (`__ratelimit`).
//!
//! C header: [`include/linux/ratelimit.h`](srctree/include/linux/ratelimit.h)

use super::bindings;

/// Whether a debug message may be printed now: at most 10 every 5 seconds.
pub(crate) fn debug_allowed() -> bool {
    // SAFETY: the rate-limit state is a static in the C helper; callable in any context.
    unsafe { bindings::netflow_debug_ratelimit() }
}
