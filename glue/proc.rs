// SPDX-License-Identifier: GPL-2.0

//! Read-only seq_file entries in a network namespace's `/proc/net/stat`.
//!
//! C headers: [`include/linux/proc_fs.h`](srctree/include/linux/proc_fs.h),
//! [`include/linux/seq_file.h`](srctree/include/linux/seq_file.h)

use super::bindings;
use super::net::NetRef;
use core::ffi::{c_int, c_void};
use core::marker::PhantomData;
use kernel::error::code::{EINVAL, ENOMEM};
use kernel::error::from_result;
use kernel::prelude::*;
use kernel::sync::Arc;

/// What a `/proc/net/stat` entry shows.
pub(crate) trait ProcShow: Send + Sync + 'static {
    /// Writes the whole content of the file to `m`, in process context (may sleep).
    ///
    /// Must be idempotent: when the output does not fit the seq_file buffer, the buffer is
    /// doubled and `show` is called again from the start. Formatting errors that come from
    /// such an overflow are handled by the caller: propagate them with `?`.
    fn show(&self, m: &mut SeqFile<'_>) -> Result;
}

/// The output buffer of one `show` call: a `struct seq_file`, written with `seq_write`.
///
/// # Invariants
///
/// `ptr` points to the valid `struct seq_file` of a `show` call in progress, for `'a`,
/// and nothing else accesses it meanwhile.
pub(crate) struct SeqFile<'a> {
    ptr: *mut bindings::seq_file,
    _p: PhantomData<&'a mut bindings::seq_file>,
}

impl SeqFile<'_> {
    /// The seq_file `ptr`, for the duration of a callback.
    ///
    /// # Safety
    ///
    /// `ptr` is the valid `struct seq_file` of a seq_file callback in progress, used only
    /// through the result until the callback returns.
    pub(super) unsafe fn from_raw(ptr: *mut bindings::seq_file) -> Self {
        // INVARIANT: by the function's contract.
        Self {
            ptr,
            _p: PhantomData,
        }
    }

    /// Appends `bytes`. Fails (with nothing written) when the buffer is full; `show` is
    /// then called again with a bigger buffer.
    pub(crate) fn write_bytes(&mut self, bytes: &[u8]) -> Result {
        // SAFETY: `self.ptr` is the valid seq_file of a `show` call (type invariant);
        // `bytes` is valid for reading `bytes.len()` bytes.
        let ret = unsafe { bindings::seq_write(self.ptr, bytes.as_ptr().cast(), bytes.len()) };
        if ret == 0 {
            Ok(())
        } else {
            Err(ENOMEM)
        }
    }

    /// Whether the buffer overflowed: what was written is discarded and `show` called again.
    pub(super) fn overflowed(&self) -> bool {
        // SAFETY: `self.ptr` is the valid seq_file of a `show` call (type invariant).
        unsafe { bindings::netflow_seq_has_overflowed(self.ptr) }
    }
}

impl core::fmt::Write for SeqFile<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.write_bytes(s.as_bytes()).map_err(|_| core::fmt::Error)
    }
}

/// A read-only (0444) file `/proc/net/stat/<name>` of a network namespace, showing
/// `data`. Dropping it removes the file, after waiting for `show` calls in progress; files
/// still open then read as `EIO`.
///
/// # Invariants
///
/// The entry `name` in `net`'s `proc_net_stat` exists for as long as `self` lives, with
/// `single_show = show_trampoline::<T>` and private data pointing to `data`'s `T`.
pub(crate) struct ProcEntry<T: ProcShow> {
    name: &'static CStr,
    /// The directory the entry is in.
    parent: *mut bindings::proc_dir_entry,
    /// The entry's private data, kept alive until the entry is removed.
    _data: Arc<T>,
}

// SAFETY: `parent` is only used to remove the entry, which procfs allows from any thread.
unsafe impl<T: ProcShow> Send for ProcEntry<T> {}
// SAFETY: `&ProcEntry` gives access to nothing.
unsafe impl<T: ProcShow> Sync for ProcEntry<T> {}

impl<T: ProcShow> ProcEntry<T> {
    /// Creates `/proc/net/stat/<name>` in `net`; fails if the name exists or on allocation
    /// failure. The entry must be dropped before `net` goes away (`NetRef`'s contract).
    pub(crate) fn new(net: &NetRef, name: &'static CStr, data: Arc<T>) -> Result<Self> {
        // SAFETY: `net` is live; its `proc_net_stat` is set when the namespace is created
        // (before any pernet init of a module) and removed only after every exit.
        let parent = unsafe { (*net.as_ptr()).proc_net_stat };
        if parent.is_null() {
            return Err(EINVAL);
        }
        let data_ptr = (&*data as *const T).cast_mut().cast::<c_void>();
        // SAFETY: `name` is a NUL-terminated string living forever (procfs copies it
        // anyway); `parent` is a valid directory; `show_trampoline::<T>` accepts `data_ptr`
        // as private data, which `self` keeps alive until `drop` removes the entry.
        let pde = unsafe {
            bindings::proc_create_single_data(
                name.as_char_ptr(),
                0o444,
                parent,
                Some(show_trampoline::<T>),
                data_ptr,
            )
        };
        if pde.is_null() {
            return Err(ENOMEM);
        }
        // INVARIANT: created above with `data`'s `T` as private data, kept in `self`.
        Ok(Self {
            name,
            parent,
            _data: data,
        })
    }
}

impl<T: ProcShow> Drop for ProcEntry<T> {
    fn drop(&mut self) {
        // SAFETY: the entry exists (type invariant). `remove_proc_entry` waits for every
        // `show` in progress and closes the seq_files still open, so nothing reaches
        // `self.data` through the entry afterwards and it may be dropped.
        unsafe { bindings::remove_proc_entry(self.name.as_char_ptr(), self.parent) };
    }
}

/// The `show` function of every `ProcEntry<T>`: `single_open` calls it on each read from
/// the start of the file, again with a bigger buffer after an overflow.
///
/// # Safety
///
/// Called by seq_file only, with a valid `m` whose `private` is the data pointer given to
/// `proc_create_single_data` by `ProcEntry::<T>::new`, while the entry exists.
unsafe extern "C" fn show_trampoline<T: ProcShow>(
    m: *mut bindings::seq_file,
    _v: *mut c_void,
) -> c_int {
    // SAFETY: `m` is valid for this call, by the function's contract.
    let data = unsafe { (*m).private }.cast::<T>();
    // SAFETY: `private` points to the `T` that the `ProcEntry<T>` keeps alive while the
    // entry exists (type invariant of `ProcEntry`), and the entry exists during the call.
    let data = unsafe { &*data };
    // INVARIANT: `m` is the seq_file of this call, used only through `seq` until it ends.
    let mut seq = SeqFile {
        ptr: m,
        _p: PhantomData,
    };
    let result = data.show(&mut seq);
    from_result(|| {
        // After an overflow, seq_read retries with a bigger buffer only if `show`
        // returned 0.
        if !seq.overflowed() {
            result?;
        }
        Ok(0)
    })
}
