// SPDX-License-Identifier: GPL-2.0

//! Module parameters with the kernel's own machinery (`struct kernel_param` entries in
//! the `__param` section, `parm=`/`parmtype=` lines in `.modinfo`), declared from Rust:
//! 6.12's `module!` has no parameters. Each parameter's value goes through a
//! [`ParamHandler`], which checks it when `insmod`/`modprobe` passes it (a refusal fails
//! the load, and the kernel adds its own "invalid for parameter" line), shows it in
//! `/sys/module/<module>/parameters/` and, for a parameter declared writable, takes a
//! value written there while the module runs.
//!
//! The kernel calls the handler with the module's parameter lock held (sysfs reads and
//! writes); [`ParamTarget`] is what the handler acts on once the module runs, set and
//! cleared under the same lock.
//!
//! C header: [`include/linux/moduleparam.h`](srctree/include/linux/moduleparam.h)

use super::bindings;
use core::cell::UnsafeCell;
use core::ffi::{c_void, CStr};
use core::fmt::{self, Write};
use core::marker::PhantomData;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::error::from_result;
use kernel::ffi::{c_char, c_int};
use kernel::prelude::*;
use kernel::sync::Arc;

/// Most parameters one module may declare through this file.
pub(crate) const MAX_PARAMS: usize = 32;

/// Checks and shows the values of the parameters, by the index each was declared with.
pub(crate) trait ParamHandler: 'static {
    /// Checks `value`, given at load time for parameter `index`; an error refuses it
    /// (and fails the load). Should say why in the kernel log.
    fn check(index: usize, value: &[u8]) -> Result;

    /// Writes parameter `index`'s value, `given` at load time or `None` (not given).
    fn show(
        index: usize,
        given: Option<&[u8]>,
        locked: &ParamLocked,
        out: &mut dyn Write,
    ) -> fmt::Result;

    /// Sets writable parameter `index` to `value` (written to its sysfs file while the
    /// module runs, trailing whitespace removed); an error is returned to the writer.
    /// May sleep.
    fn store(index: usize, value: &[u8], locked: &ParamLocked) -> Result;
}

/// Proof that the module's parameter lock is held (`kernel_param_lock`).
pub(crate) struct ParamLocked {
    /// Not `Send`: the lock is the holding task's.
    _p: PhantomData<*mut ()>,
}

/// Holds the module's parameter lock while it lives.
struct ParamLock;

impl ParamLock {
    fn new() -> Self {
        // SAFETY: takes this module's parameter mutex; released in `drop`. Never called
        // from a parameter callback (the kernel holds the lock there already).
        unsafe { bindings::netflow_param_lock() };
        Self
    }
}

impl Drop for ParamLock {
    fn drop(&mut self) {
        // SAFETY: taken in `new`.
        unsafe { bindings::netflow_param_unlock() };
    }
}

/// What writable parameters act on once the module runs (set by its init, cleared before
/// it goes), reached only under the parameter lock, so a sysfs write either sees it or
/// sees nothing.
pub(crate) struct ParamTarget<T> {
    slot: UnsafeCell<Option<Arc<T>>>,
}

// SAFETY: `slot` is read and written only under the parameter lock (`ParamLocked`), and
// what it holds is an `Arc<T>` of a `Send + Sync` `T`.
unsafe impl<T: Send + Sync> Sync for ParamTarget<T> {}

impl<T: Send + Sync> ParamTarget<T> {
    /// Nothing to act on yet.
    pub(crate) const fn new() -> Self {
        Self {
            slot: UnsafeCell::new(None),
        }
    }

    /// Replaces what the parameters act on (taking the parameter lock; may sleep, and must
    /// not be called from a parameter callback); returns the old one, to be dropped by the
    /// caller.
    pub(crate) fn replace(&self, target: Option<Arc<T>>) -> Option<Arc<T>> {
        let _lock = ParamLock::new();
        // SAFETY: the parameter lock is held (`_lock`): nobody else touches the slot.
        unsafe { core::mem::replace(&mut *self.slot.get(), target) }
    }

    /// What the parameters act on now, if anything.
    pub(crate) fn get<'a>(&'a self, _locked: &'a ParamLocked) -> Option<&'a Arc<T>> {
        // SAFETY: the parameter lock is held for 'a (`_locked`): the slot is written only
        // under it, so nobody changes it meanwhile.
        unsafe { (*self.slot.get()).as_ref() }
    }
}

/// The values given at load time, by index. Each points into the module's argument
/// string (`mod->args`), which the kernel frees only after the module's parameters and
/// code are gone.
static GIVEN: [AtomicPtr<c_char>; MAX_PARAMS] =
    [const { AtomicPtr::new(core::ptr::null_mut()) }; MAX_PARAMS];

/// The value given at load time for parameter `index`, if any.
pub(crate) fn given(index: usize) -> Option<&'static [u8]> {
    let ptr = GIVEN.get(index)?.load(Ordering::Acquire);
    if ptr.is_null() {
        return None;
    }
    // SAFETY: a non-NULL entry was stored by `set` from a NUL-terminated string in
    // `mod->args`, which outlives the module's code (see `GIVEN`).
    Some(unsafe { CStr::from_ptr(ptr.cast()) }.to_bytes())
}

/// The kernel calls this with a value for a parameter of ours.
///
/// # Safety
///
/// `val` is NULL or a NUL-terminated string valid for the call (inside `mod->args` while
/// the module loads, a sysfs write buffer later, with the parameter lock held), and `kp`
/// one of the entries [`module_param!`] declared.
unsafe extern "C" fn set<H: ParamHandler>(
    val: *const c_char,
    kp: *const bindings::kernel_param,
) -> c_int {
    // SAFETY: `kp` is one of the entries `module_param!` declared, whose `arg` is the
    // parameter's index (never a pointer).
    let index = unsafe { (*kp).__bindgen_anon_1.arg } as usize;
    let value: &[u8] = if val.is_null() {
        b""
    } else {
        // SAFETY: the kernel passes a NUL-terminated string, valid for the call.
        unsafe { CStr::from_ptr(val.cast()) }.to_bytes()
    };
    from_result(|| {
        let slot = GIVEN.get(index).ok_or(EINVAL)?;
        // Before the sysfs files exist, the value is a load argument; after, a sysfs write.
        // SAFETY: reads this module's sysfs pointer; the kernel sets it (once the load
        // arguments are parsed) and clears it (after the exit) in the same thread.
        if !unsafe { bindings::netflow_params_in_sysfs() } {
            H::check(index, value)?;
            // While the module loads, `val` is inside `mod->args` (see `GIVEN`).
            slot.store(val.cast_mut(), Ordering::Release);
        } else {
            // A sysfs write to a writable parameter; the kernel holds the parameter lock.
            let locked = ParamLocked { _p: PhantomData };
            // Without trailing whitespace (`trim_ascii_end` is newer than the kernel's
            // MSRV); i < len, so i + 1 fits and the slice is in bounds.
            let end = value
                .iter()
                .rposition(|b| !b.is_ascii_whitespace())
                .map_or(0, |i| i + 1);
            H::store(index, &value[..end], &locked)?;
        }
        Ok(0)
    })
}

/// The kernel calls this to read a parameter from sysfs.
///
/// # Safety
///
/// `buf` is a page, ours for the call, and `kp` one of the entries [`module_param!`]
/// declared.
unsafe extern "C" fn get<H: ParamHandler>(
    buf: *mut c_char,
    kp: *const bindings::kernel_param,
) -> c_int {
    // SAFETY: as in `set`.
    let index = unsafe { (*kp).__bindgen_anon_1.arg } as usize;
    // SAFETY: sysfs hands a buffer of `PAGE_SIZE` bytes, ours for the call.
    let page =
        unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), kernel::page::PAGE_SIZE) };
    let mut out = PageWriter { page, len: 0 };
    // Sysfs reads run with the parameter lock held.
    let locked = ParamLocked { _p: PhantomData };
    // A value too long for the page is cut; the newline always fits.
    let _ = H::show(index, given(index), &locked, &mut out);
    // `write_str` keeps `len` below the page size, so the newline fits.
    // PAGE_SIZE is a nonzero constant.
    let end = out.len.min(kernel::page::PAGE_SIZE - 1);
    if let Some(b) = out.page.get_mut(end) {
        *b = b'\n';
    }
    // At most a page: fits `c_int`.
    (end + 1) as c_int
}

/// Writes into a sysfs page, keeping the last byte for the newline.
struct PageWriter<'a> {
    page: &'a mut [u8],
    len: usize,
}

impl Write for PageWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.page.len().saturating_sub(1).saturating_sub(self.len);
        let n = s.len().min(room);
        // n <= room, so self.len + n <= page.len() - 1: no overflow; n <= s.len() for the
        // slice of s below.
        let dst = self
            .page
            .get_mut(self.len..self.len + n)
            .ok_or(fmt::Error)?;
        dst.copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        if n < s.len() {
            return Err(fmt::Error);
        }
        Ok(())
    }
}

/// The callbacks of every parameter handled by `H`.
#[repr(transparent)]
pub(crate) struct Ops(bindings::kernel_param_ops);

// SAFETY: the callbacks are plain functions, callable from any thread.
unsafe impl Sync for Ops {}

impl Ops {
    /// The operations calling `H`.
    pub(crate) const fn new<H: ParamHandler>() -> Self {
        Self(bindings::kernel_param_ops {
            flags: 0,
            set: Some(set::<H>),
            get: Some(get::<H>),
            free: None,
        })
    }
}

/// One `__param` entry.
#[repr(transparent)]
pub(crate) struct KernelParam(bindings::kernel_param);

// SAFETY: the entry is never written after the build; its pointers are to 'static data
// (name, operations, this module).
unsafe impl Sync for KernelParam {}

extern "C" {
    /// This module, defined by modpost in the module's `.mod.c`.
    static __this_module: bindings::module;
}

impl KernelParam {
    /// Parameter `name` (NUL-terminated) with `ops`, index `index`; read-only after load
    /// (0444) or, if `writable`, written by root (0644).
    pub(crate) const fn new(
        name: &'static str,
        ops: &'static Ops,
        index: usize,
        writable: bool,
    ) -> Self {
        Self(bindings::kernel_param {
            name: name.as_ptr().cast(),
            mod_: &raw const __this_module as *mut bindings::module,
            ops: &ops.0,
            perm: if writable { 0o644 } else { 0o444 },
            level: -1,
            flags: 0,
            __bindgen_anon_1: bindings::kernel_param__bindgen_ty_1 {
                arg: index as *mut c_void,
            },
        })
    }
}

/// `s` as an array of its bytes (for `.modinfo` lines built with `concat!`).
pub(crate) const fn modinfo<const N: usize>(s: &str) -> [u8; N] {
    let b = s.as_bytes();
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N && i < b.len() {
        out[i] = b[i];
        i += 1;
    }
    out
}

/// Declares module parameter `$name` (a string literal) of `modinfo` type `$ty`, with
/// description `$desc`, handled by `$handler` as index `$index`, writable at run time if
/// `$writable`.
macro_rules! module_param {
    ($handler:ty, $index:expr, $name:literal, $ty:ident, $desc:literal, $writable:expr) => {
        const _: () = {
            const NAME: &str = concat!($name, "\0");
            const PARM: &str = concat!("parm=", $name, ":", $desc, "\0");
            const PARMTYPE: &str = concat!("parmtype=", $name, ":", stringify!($ty), "\0");
            static OPS: $crate::glue::params::Ops = $crate::glue::params::Ops::new::<$handler>();
            #[link_section = "__param"]
            #[used]
            static PARAM: $crate::glue::params::KernelParam =
                $crate::glue::params::KernelParam::new(NAME, &OPS, $index, $writable);
            #[link_section = ".modinfo"]
            #[used]
            static PARM_INFO: [u8; PARM.len()] = $crate::glue::params::modinfo(PARM);
            #[link_section = ".modinfo"]
            #[used]
            static PARMTYPE_INFO: [u8; PARMTYPE.len()] = $crate::glue::params::modinfo(PARMTYPE);
        };
    };
}
pub(crate) use module_param;
