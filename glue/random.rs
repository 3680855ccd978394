// SPDX-License-Identifier: GPL-2.0

//! Random numbers (`get_random_u32`).
//!
//! C header: [`include/linux/random.h`](srctree/include/linux/random.h)

use super::bindings;

/// A random `u32` (e.g. a hash seed, so flows cannot be steered into one bucket).
pub(crate) fn random_u32() -> u32 {
    // SAFETY: no preconditions.
    unsafe { bindings::get_random_u32() }
}
