// SPDX-License-Identifier: GPL-2.0

//! Where the numeric settings of one namespace's instance live.

use super::spec::{Setting, COUNT};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// The current value of every numeric setting (text settings keep 0 here).
pub(crate) struct Values([AtomicU64; COUNT]);

impl Values {
    /// The settings `numbers`, in table order.
    pub(crate) fn new(numbers: &[u64; COUNT]) -> Self {
        Self(numbers.map(AtomicU64::new))
    }

    /// The value of `id`.
    pub(crate) fn get(&self, id: Setting) -> u64 {
        // Every Setting is below COUNT, the array's length.
        self.0[id as usize].load(Relaxed)
    }

    /// The value of `id`, for settings whose table range fits 32 bits.
    pub(crate) fn get32(&self, id: Setting) -> u32 {
        u32::try_from(self.get(id)).unwrap_or(u32::MAX)
    }

    pub(crate) fn set(&self, id: Setting, v: u64) {
        // Every Setting is below COUNT, the array's length.
        self.0[id as usize].store(v, Relaxed);
    }
}
