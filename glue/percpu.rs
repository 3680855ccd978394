// SPDX-License-Identifier: GPL-2.0

//! Per-CPU data (`alloc_percpu`).
//!
//! C header: [`include/linux/percpu.h`](srctree/include/linux/percpu.h)

use super::bh::BhDisabled;
use super::bindings;
use core::ffi::c_void;
use core::marker::PhantomData;
use core::ptr::NonNull;
use kernel::error::code::ENOMEM;
use kernel::prelude::*;

/// Types for which all-zero bytes are a valid value (per-CPU memory starts zeroed).
///
/// # Safety
///
/// The all-zero bit pattern must be a valid `Self`, and `Self` must need no `Drop`.
pub(crate) unsafe trait Zeroable: Sync {}

/// One `T` per possible CPU.
///
/// # Invariants
///
/// `ptr` is a per-CPU allocation of a zero-initialised `T` for every possible CPU, freed
/// only in `drop`.
pub(crate) struct PerCpu<T: Zeroable> {
    ptr: NonNull<c_void>,
    _type: PhantomData<T>,
}

// SAFETY: the per-CPU memory is owned by `self`; `T: Sync` makes shared access from any
// CPU sound, and `T` needs no drop, so it can be freed from any CPU.
unsafe impl<T: Zeroable> Send for PerCpu<T> {}
// SAFETY: only shared references to `T` are handed out, and `T: Sync`.
unsafe impl<T: Zeroable> Sync for PerCpu<T> {}

impl<T: Zeroable> PerCpu<T> {
    /// Allocates a zeroed `T` for every possible CPU. Sleeps.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: plain allocation; the result is checked for NULL.
        let ptr = unsafe { bindings::netflow_alloc_percpu(size_of::<T>(), align_of::<T>()) };
        let ptr = NonNull::new(ptr).ok_or(ENOMEM)?;
        // INVARIANT: `alloc_percpu` memory is zeroed, which is a valid `T` (`Zeroable`).
        Ok(Self {
            ptr,
            _type: PhantomData,
        })
    }

    /// This CPU's `T`; softirqs being off keeps the task on this CPU and keeps the packet
    /// path of this CPU out while the reference lives.
    #[inline]
    pub(crate) fn this_cpu<'a>(&'a self, _bh: &'a BhDisabled) -> &'a T {
        // SAFETY: `ptr` is a live per-CPU allocation of `T` (type invariant); the task
        // cannot migrate while softirqs are off, so the pointer stays this CPU's.
        unsafe { &*this_cpu_ptr(self.ptr.as_ptr()).cast::<T>() }
    }

    /// Every possible CPU's `T`, for summing.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        // SAFETY: -1 starts the iteration; always allowed.
        let mut cpu = unsafe { bindings::netflow_next_possible_cpu(-1) };
        core::iter::from_fn(move || {
            if cpu < 0 {
                return None;
            }
            // SAFETY: `cpu` is a possible CPU and `ptr` a live per-CPU allocation of `T`.
            let item =
                unsafe { &*bindings::netflow_per_cpu_ptr(self.ptr.as_ptr(), cpu).cast::<T>() };
            // SAFETY: `cpu` is a valid CPU number.
            cpu = unsafe { bindings::netflow_next_possible_cpu(cpu) };
            Some(item)
        })
    }
}

/// `this_cpu_ptr(ptr)`: this CPU's copy of the per-CPU `ptr`. On x86-64 inline, as C's
/// (the per-CPU base read `%gs`-relative from `this_cpu_off`, added to `ptr`); elsewhere
/// through the C helper.
///
/// # Safety
///
/// `ptr` is a live per-CPU allocation, and the task cannot migrate (preemption or
/// softirqs off) while the result is used.
#[cfg(all(target_arch = "x86_64", CONFIG_SMP))]
#[inline(always)]
unsafe fn this_cpu_ptr(ptr: *mut c_void) -> *mut c_void {
    let base: usize;
    // SAFETY: `this_cpu_off` is the kernel's per-CPU variable that holds each CPU's
    // offset into the per-CPU areas; `%gs` points at this CPU's area, so this reads this
    // CPU's offset, as `raw_cpu_read(this_cpu_off)` does. It only reads that variable.
    unsafe {
        core::arch::asm!(
            "mov {base}, qword ptr gs:[rip + {off}]",
            base = out(reg) base,
            off = sym bindings::this_cpu_off,
            options(nostack, preserves_flags, readonly),
        )
    };
    // A per-CPU pointer is an offset that this CPU's base turns into an address; the
    // kernel adds them the same way (address arithmetic, no overflow check).
    (ptr as usize).wrapping_add(base) as *mut c_void
}

/// See the x86-64 version.
///
/// # Safety
///
/// As the x86-64 version.
#[cfg(not(all(target_arch = "x86_64", CONFIG_SMP)))]
#[inline(always)]
unsafe fn this_cpu_ptr(ptr: *mut c_void) -> *mut c_void {
    // SAFETY: `ptr` is a live per-CPU allocation (contract).
    unsafe { bindings::netflow_this_cpu_ptr(ptr) }
}

impl<T: Zeroable> Drop for PerCpu<T> {
    fn drop(&mut self) {
        // SAFETY: allocated by `alloc_percpu` (type invariant); no reference outlives `self`.
        unsafe { bindings::free_percpu(self.ptr.as_ptr()) };
    }
}

/// A per-CPU event counter: written by its own CPU with softirqs off, read by anyone.
#[derive(Default)]
pub(crate) struct Counter(core::sync::atomic::AtomicU64);

impl Counter {
    /// Adds `n`. Only this CPU writes its counter, with softirqs off (what the
    /// `BhDisabled` borrow in [`PerCpu::this_cpu`] ensures), so a plain load and store suffice.
    pub(crate) fn add(&self, n: u64) {
        use core::sync::atomic::Ordering::Relaxed;
        self.0.store(self.0.load(Relaxed).wrapping_add(n), Relaxed);
    }

    /// The current value.
    pub(crate) fn get(&self) -> u64 {
        self.0.load(core::sync::atomic::Ordering::Relaxed)
    }
}

// SAFETY: an all-zero `AtomicU64` is 0; no `Drop`.
unsafe impl Zeroable for Counter {}
// SAFETY: an array of zeroable items is zeroable.
unsafe impl<T: Zeroable, const N: usize> Zeroable for [T; N] {}
