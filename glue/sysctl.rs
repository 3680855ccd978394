// SPDX-License-Identifier: GPL-2.0

//! `net.netflow.*` sysctls (`/proc/sys/net/netflow/`) of the initial network namespace,
//! read and written as text.
//!
//! C headers: [`include/linux/sysctl.h`](srctree/include/linux/sysctl.h),
//! [`include/net/net_namespace.h`](srctree/include/net/net_namespace.h)

use super::bindings;
use super::net::NetRef;
use core::ffi::{c_int, c_void};
use core::ptr::{null_mut, NonNull};
use kernel::c_str;
use kernel::error::code::{EINVAL, EIO, ENOMEM};
use kernel::error::from_result;
use kernel::prelude::*;
use kernel::sync::Arc;

/// The folder of the table, below `/proc/sys`.
const PATH: &CStr = c_str!("net/netflow");

/// Longest text `read` may produce, in bytes (without the newline added after it).
pub(crate) const MAX_READ_LEN: usize = 4095;

/// Mode of the entries of [`SysctlTable::new`]: read by all, written by root.
pub(crate) const MODE_RW: u16 = 0o644;

/// Reads and writes the values of a [`SysctlTable`], by index into its names.
///
/// Called in process context (may sleep), possibly concurrently for the same or
/// different entries: the handler does its own locking.
pub(crate) trait SysctlHandler: Send + Sync + 'static {
    /// Writes the current value of entry `index` to `out`, without a trailing newline.
    ///
    /// May be called again for one `read(2)` loop (once per system call): keep it cheap.
    fn read(&self, index: usize, out: &mut dyn core::fmt::Write) -> core::fmt::Result;

    /// Sets entry `index` to `value`: the bytes written, without trailing whitespace (nor
    /// newline). An error is returned to the writer unchanged (`EINVAL` for a bad value),
    /// and the old value should then stay.
    fn write(&self, index: usize, value: &[u8]) -> Result;
}

/// A registered `net.netflow` table: one file per name, handled by `data`. Dropping it
/// unregisters the table, after waiting for the handler calls in progress.
///
/// # Invariants
///
/// `header` is the registration of `table` with `register_net_sysctl_sz` in a namespace,
/// alive for as long as `self`; `table` is not touched by Rust after registration and its
/// buffer does not move. Each entry's `extra1` points to `data`'s `T` and its `extra2` is
/// its index; its handler is `handler_trampoline::<T>`.
pub(crate) struct SysctlTable<T: SysctlHandler> {
    header: NonNull<bindings::ctl_table_header>,
    /// The entries the registration points to, freed after `drop` unregisters.
    _table: KVec<bindings::ctl_table>,
    /// What the entries' `extra1` points to, kept as long.
    _data: Arc<T>,
}

// SAFETY: `header` and `table` are only used by `drop` (to unregister) and by the sysctl
// core; the pointers in `table` are to 'static names and to `data`, which is `Send + Sync`.
unsafe impl<T: SysctlHandler> Send for SysctlTable<T> {}
// SAFETY: `&SysctlTable` gives access to nothing but `data`, which is `Sync`.
unsafe impl<T: SysctlHandler> Sync for SysctlTable<T> {}

impl<T: SysctlHandler> SysctlTable<T> {
    /// Registers `net.netflow.<name>` for each of `names`, mode 0644; the index of a
    /// name is what the handler gets.
    ///
    /// In a namespace other than the initial one, root of the namespace's owning user
    /// namespace may write them (the sysctl core's rule for `net.*`). The table must be
    /// dropped before `net` goes away (`NetRef`'s contract).
    pub(crate) fn new(net: &NetRef, names: &'static [&'static CStr], data: Arc<T>) -> Result<Self> {
        let data_ptr = (&*data as *const T).cast_mut().cast::<c_void>();
        let mut table = KVec::with_capacity(names.len(), GFP_KERNEL)?;
        for (i, name) in names.iter().enumerate() {
            if name.is_empty() {
                return Err(EINVAL);
            }
            let entry = bindings::ctl_table {
                procname: name.as_char_ptr(),
                data: null_mut(),
                maxlen: 0,
                mode: MODE_RW,
                proc_handler: Some(handler_trampoline::<T>),
                extra1: data_ptr,
                extra2: i as *mut c_void,
                ..Default::default()
            };
            table.push(entry, GFP_KERNEL)?;
        }
        // SAFETY: `net` is live until the table is dropped. `PATH` is a 'static string;
        // `table` holds `names.len()` valid entries whose names are 'static and whose
        // `extra1` is `data`, all kept alive (and the table unmoved: no push after this)
        // in `self` until `drop` unregisters.
        let header = unsafe {
            bindings::register_net_sysctl_sz(
                net.as_ptr(),
                PATH.as_char_ptr(),
                table.as_mut_ptr(),
                table.len(),
            )
        };
        let header = NonNull::new(header).ok_or(ENOMEM)?;
        // INVARIANT: registered just above, with the entries as described.
        Ok(Self {
            header,
            _table: table,
            _data: data,
        })
    }
}

impl<T: SysctlHandler> Drop for SysctlTable<T> {
    fn drop(&mut self) {
        // SAFETY: `header` is the live registration (type invariant). Unregistering waits
        // for handler calls in progress and prevents new ones, so `table` and `data` are
        // unused afterwards and may be freed.
        unsafe { bindings::unregister_net_sysctl_table(self.header.as_ptr()) };
    }
}

/// Collects what `SysctlHandler::read` formats, up to `MAX_READ_LEN` bytes.
struct ReadBuf {
    buf: KVec<u8>,
    error: Option<Error>,
}

impl core::fmt::Write for ReadBuf {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        if self.buf.len().saturating_add(s.len()) > MAX_READ_LEN {
            self.error = Some(Error::from_errno(-(kernel::bindings::EOVERFLOW as c_int)));
            return Err(core::fmt::Error);
        }
        self.buf
            .extend_from_slice(s.as_bytes(), GFP_KERNEL)
            .map_err(|_| {
                self.error = Some(ENOMEM);
                core::fmt::Error
            })
    }
}

/// The `proc_handler` of every entry of a `SysctlTable<T>`.
///
/// Read: the value and a newline, from `*ppos` on, at most `*lenp` bytes; `*lenp` is set to
/// the bytes given and `*ppos` advanced (so a read at the end gives 0 bytes). Write: the
/// `*lenp` bytes are the whole new value (a write at a non-zero offset fails with `EINVAL`).
///
/// # Safety
///
/// Called by the sysctl core only, while the table is registered, with `ctl` one of the
/// table's entries, `lenp` and `ppos` valid, and `buffer` a kernel buffer of `*lenp` bytes
/// (for a write, followed by a NUL byte).
unsafe extern "C" fn handler_trampoline<T: SysctlHandler>(
    ctl: *const bindings::ctl_table,
    write: c_int,
    buffer: *mut c_void,
    lenp: *mut usize,
    ppos: *mut bindings::loff_t,
) -> c_int {
    // SAFETY: `ctl` is one of the table's entries, valid during the call (contract).
    let (data, index) = unsafe { ((*ctl).extra1.cast::<T>(), (*ctl).extra2 as usize) };
    // SAFETY: `extra1` points to the `T` the registered `SysctlTable<T>` keeps alive, and
    // the table stays registered during the call (type invariant, contract).
    let data = unsafe { &*data };
    // SAFETY: `lenp` and `ppos` are valid for this call (contract) and only used here.
    let (len, pos) = unsafe { (&mut *lenp, &mut *ppos) };
    if *len == 0 {
        return 0;
    }
    // SAFETY: `buffer` is a kernel buffer of `*len` bytes for this call (contract), used
    // only through this slice.
    let buffer = unsafe { core::slice::from_raw_parts_mut(buffer.cast::<u8>(), *len) };
    let result = if write != 0 {
        write_value(data, index, buffer, pos)
    } else {
        read_value(data, index, buffer, pos).map(|n| *len = n)
    };
    from_result(|| result.map(|()| 0))
}

fn read_value<T: SysctlHandler>(
    data: &T,
    index: usize,
    buffer: &mut [u8],
    pos: &mut bindings::loff_t,
) -> Result<usize> {
    let start = usize::try_from(*pos).map_err(|_| EINVAL)?;
    let mut text = ReadBuf {
        buf: KVec::new(),
        error: None,
    };
    if data.read(index, &mut text).is_err() {
        return Err(text.error.unwrap_or(EIO));
    }
    text.buf.push(b'\n', GFP_KERNEL)?;
    let rest = text.buf.get(start..).unwrap_or(&[]);
    let n = rest.len().min(buffer.len());
    // n <= both lengths: in bounds.
    buffer[..n].copy_from_slice(&rest[..n]);
    // n > 0 only if `*pos` < the text's length; `n <= MAX_READ_LEN + 1`: no overflow.
    *pos += n as bindings::loff_t;
    Ok(n)
}

fn write_value<T: SysctlHandler>(
    data: &T,
    index: usize,
    buffer: &[u8],
    pos: &mut bindings::loff_t,
) -> Result {
    if *pos != 0 {
        return Err(EINVAL);
    }
    // Trailing whitespace and newline (`trim_ascii_end` is newer than the kernel's MSRV).
    let end = buffer
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        // i < buffer.len(): + 1 fits, and the slice below is in bounds.
        .map_or(0, |i| i + 1);
    let value = &buffer[..end];
    data.write(index, value)?;
    // `buffer.len()` is below `KMALLOC_MAX_SIZE` (checked by the sysctl core).
    *pos += buffer.len() as bindings::loff_t;
    Ok(())
}
