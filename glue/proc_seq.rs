// SPDX-License-Identifier: GPL-2.0

//! Read-only `/proc/net/stat` files of many records, read through a seq_file iterator:
//! each `read(2)` fills one buffer (a page) with the records from where the last one
//! stopped, so a file of a million lines never needs a buffer of its size, and nothing
//! is held between two reads (nor, by this layer, between two records).
//!
//! C headers: [`include/linux/proc_fs.h`](srctree/include/linux/proc_fs.h),
//! [`include/linux/seq_file.h`](srctree/include/linux/seq_file.h)

use super::bindings;
use super::net::NetRef;
use super::proc::SeqFile;
use core::ffi::{c_int, c_void};
use core::marker::PhantomData;
use kernel::error::code::{EINVAL, ENOMEM};
use kernel::error::from_result;
use kernel::prelude::*;
use kernel::sync::Arc;

/// The records of a file, walked by position: 0 is the first record, and each `next`
/// moves to the following one. seq_file restarts a read at the position where the last
/// stopped (the record that did not fit), or at 0 (a new read from the start, a seek).
pub(crate) trait SeqRecords: Send + Sync + 'static {
    /// What one open file keeps between reads (where it is).
    type State: Send + 'static;

    /// The state of a newly opened file. May sleep.
    fn open(&self) -> Result<Self::State>;

    /// Readies the record at `pos`; false if there is none (the end). May sleep.
    fn start(&self, state: &mut Self::State, pos: u64) -> bool;

    /// Readies the record at `pos`, right after the one readied last; false at the end.
    /// May sleep.
    fn next(&self, state: &mut Self::State, pos: u64) -> bool;

    /// Writes the record readied last. On a full buffer (`?` on the write's error), the
    /// record is readied again by `start` and shown again (into a bigger buffer, if it
    /// was alone in it).
    fn show(&self, state: &Self::State, m: &mut SeqFile<'_>) -> Result;
}

/// What an open file's `seq_file` private data holds.
struct Open<T: SeqRecords> {
    /// The entry's data; it outlives every open file (see `ProcSeqEntry::drop`).
    data: *const T,
    state: T::State,
}

/// The callbacks of every `ProcSeqEntry<T>`.
struct Ops<T>(PhantomData<T>);

impl<T: SeqRecords> Ops<T> {
    const SEQ: bindings::seq_operations = bindings::seq_operations {
        start: Some(start::<T>),
        stop: Some(stop::<T>),
        next: Some(next::<T>),
        show: Some(show::<T>),
    };

    const PROC: bindings::proc_ops = bindings::proc_ops {
        proc_open: Some(open::<T>),
        proc_read_iter: Some(bindings::seq_read_iter),
        proc_lseek: Some(bindings::seq_lseek),
        proc_release: Some(release::<T>),
        // SAFETY: the other fields are optional callbacks (NULL: none) and flags (0: none),
        // for which all-zero bytes are valid.
        ..unsafe { core::mem::MaybeUninit::zeroed().assume_init() }
    };
}

/// A read-only (0444) file `/proc/net/stat/<name>` of a network namespace whose records
/// come from `data`. Dropping it removes the file, after waiting for the calls in progress
/// and releasing the files still open (which then read as `EIO`).
///
/// # Invariants
///
/// The entry `name` in `parent` exists for as long as `self` lives, with the operations
/// `Ops::<T>::PROC` and private data pointing to `data`'s `T`.
pub(crate) struct ProcSeqEntry<T: SeqRecords> {
    name: &'static CStr,
    parent: *mut bindings::proc_dir_entry,
    _data: Arc<T>,
}

// SAFETY: `parent` is only used to remove the entry, which procfs allows from any thread.
unsafe impl<T: SeqRecords> Send for ProcSeqEntry<T> {}
// SAFETY: `&ProcSeqEntry` gives access to nothing.
unsafe impl<T: SeqRecords> Sync for ProcSeqEntry<T> {}

impl<T: SeqRecords> ProcSeqEntry<T> {
    /// Creates `/proc/net/stat/<name>` in `net`; fails if the name exists or on allocation
    /// failure. The entry must be dropped before `net` goes away (`NetRef`'s contract).
    pub(crate) fn new(net: &NetRef, name: &'static CStr, data: Arc<T>) -> Result<Self> {
        const {
            // kmalloc'd private data is aligned to at least 8 bytes.
            assert!(align_of::<Open<T>>() <= 8);
        }
        // SAFETY: `net` is live; its `proc_net_stat` is set when the namespace is created
        // (before any pernet init of a module) and removed only after every exit.
        let parent = unsafe { (*net.as_ptr()).proc_net_stat };
        if parent.is_null() {
            return Err(EINVAL);
        }
        let data_ptr = (&*data as *const T).cast_mut().cast::<c_void>();
        // SAFETY: `name` lives forever (procfs copies it anyway); `parent` is a valid
        // directory; the operations are 'static and accept `data_ptr` as the entry's
        // data, which `self` keeps alive until `drop` removes the entry.
        let pde = unsafe {
            bindings::proc_create_data(name.as_char_ptr(), 0o444, parent, &Ops::<T>::PROC, data_ptr)
        };
        if pde.is_null() {
            return Err(ENOMEM);
        }
        // INVARIANT: created above with `data`'s `T`, kept in `self`.
        Ok(Self {
            name,
            parent,
            _data: data,
        })
    }
}

impl<T: SeqRecords> Drop for ProcSeqEntry<T> {
    fn drop(&mut self) {
        // SAFETY: the entry exists (type invariant). `remove_proc_entry` waits for the
        // calls in progress and releases (`release::<T>`) every file still open, so
        // nothing reaches `data` or an open file's state afterwards.
        unsafe { bindings::remove_proc_entry(self.name.as_char_ptr(), self.parent) };
    }
}

/// # Safety
///
/// Called by procfs on open of an entry made by `ProcSeqEntry::<T>::new`, which exists.
unsafe extern "C" fn open<T: SeqRecords>(
    inode: *mut bindings::inode,
    file: *mut bindings::file,
) -> c_int {
    from_result(|| {
        // SAFETY: the inode of an entry whose data is `data`'s `T` (`ProcSeqEntry`), alive
        // while the entry exists.
        let data = unsafe { bindings::netflow_pde_data(inode) }
            .cast::<T>()
            .cast_const();
        // SAFETY: as above; the entry exists during the call.
        let state = unsafe { &*data }.open()?;
        // SAFETY: `file` is being opened; the ops are 'static. The private area is
        // zeroed memory of `Open<T>`'s size, aligned enough (checked in `new`).
        let private = unsafe {
            bindings::__seq_open_private(file, &Ops::<T>::SEQ, size_of::<Open<T>>() as _)
        };
        if private.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: fresh, unaliased memory for an `Open<T>`; `release` drops it.
        unsafe { private.cast::<Open<T>>().write(Open { data, state }) };
        Ok(0)
    })
}

/// # Safety
///
/// Called by procfs, once, to release a file `open::<T>` opened.
unsafe extern "C" fn release<T: SeqRecords>(
    inode: *mut bindings::inode,
    file: *mut bindings::file,
) -> c_int {
    // SAFETY: `file` was opened by `open::<T>`: its seq_file's private data is an
    // `Open<T>`, dropped only here.
    unsafe { core::ptr::drop_in_place(bindings::netflow_seq_private(file).cast::<Open<T>>()) };
    // SAFETY: frees the seq_file and its private area, opened by `__seq_open_private`.
    unsafe { bindings::seq_release_private(inode, file) }
}

/// The open file of a seq_file callback.
///
/// # Safety
///
/// `m` is the seq_file of a file `open::<T>` opened and not released, in a callback,
/// which seq_file serialises per file (`m->lock`).
unsafe fn open_of<'a, T: SeqRecords>(m: *mut bindings::seq_file) -> &'a mut Open<T> {
    // SAFETY: by the function's contract, `private` is the file's `Open<T>`, used by one
    // callback at a time.
    unsafe { &mut *(*m).private.cast::<Open<T>>() }
}

/// The token of a readied record: non-NULL (the open file) or NULL at the end.
fn token<T: SeqRecords>(open: &mut Open<T>, ready: bool) -> *mut c_void {
    if ready {
        (open as *mut Open<T>).cast()
    } else {
        core::ptr::null_mut()
    }
}

/// # Safety
///
/// A seq_file callback of a file `open::<T>` opened; `pos` valid.
unsafe extern "C" fn start<T: SeqRecords>(
    m: *mut bindings::seq_file,
    pos: *mut bindings::loff_t,
) -> *mut c_void {
    // SAFETY: by the function's contract.
    let (open, pos) = unsafe { (open_of::<T>(m), *pos) };
    // SAFETY: `data` outlives the open file (`Open::data`).
    let data = unsafe { &*open.data };
    let ready = u64::try_from(pos).is_ok_and(|pos| data.start(&mut open.state, pos));
    token(open, ready)
}

/// # Safety
///
/// A seq_file callback of a file `open::<T>` opened; `pos` valid.
unsafe extern "C" fn next<T: SeqRecords>(
    m: *mut bindings::seq_file,
    _v: *mut c_void,
    pos: *mut bindings::loff_t,
) -> *mut c_void {
    // SAFETY: by the function's contract.
    let (open, pos) = unsafe { (open_of::<T>(m), &mut *pos) };
    // seq_file wants the position moved even at the end. A file of 2^63 records is
    // never read to its end.
    *pos = pos.saturating_add(1);
    // SAFETY: `data` outlives the open file (`Open::data`).
    let data = unsafe { &*open.data };
    let ready = u64::try_from(*pos).is_ok_and(|pos| data.next(&mut open.state, pos));
    token(open, ready)
}

/// # Safety
///
/// A seq_file callback of a file `open::<T>` opened.
unsafe extern "C" fn stop<T: SeqRecords>(_m: *mut bindings::seq_file, _v: *mut c_void) {
    // Nothing is held across callbacks.
}

/// # Safety
///
/// A seq_file callback of a file `open::<T>` opened, for a record `start` or `next`
/// readied.
unsafe extern "C" fn show<T: SeqRecords>(m: *mut bindings::seq_file, _v: *mut c_void) -> c_int {
    // SAFETY: by the function's contract.
    let open = unsafe { open_of::<T>(m) };
    // SAFETY: `data` outlives the open file (`Open::data`).
    let data = unsafe { &*open.data };
    // SAFETY: `m` is this callback's seq_file, used only through `seq` until it returns.
    let mut seq = unsafe { SeqFile::from_raw(m) };
    let result = data.show(&open.state, &mut seq);
    from_result(|| {
        // An overflow is seq_file's to handle (it shows the record again), with 0.
        if !seq.overflowed() {
            result?;
        }
        Ok(0)
    })
}
