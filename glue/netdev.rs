// SPDX-License-Identifier: GPL-2.0

//! Network devices of a namespace, looked up by interface index for their name and alias
//! (`dev_get_by_index_rcu`, `dev->ifalias`), and by name for their index
//! (`dev_get_by_name_rcu`).
//!
//! C header: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h)

use super::bindings;
use super::net::Net;
use super::rcu::ReadGuard;

/// Copies the NUL-terminated string at `src` (at most `max` bytes) into `out`, cut to fit
/// and zero-padded.
///
/// # Safety
///
/// `src` points to `max` readable bytes, or to fewer that include a NUL.
unsafe fn copy_cstr(src: *const u8, max: usize, out: &mut [u8]) {
    out.fill(0);
    for (i, o) in out.iter_mut().enumerate().take(max) {
        // SAFETY: i < max, and no byte after a NUL is read (contract).
        let b = unsafe { *src.add(i) };
        if b == 0 {
            break;
        }
        *o = b;
    }
}

impl Net {
    /// The interface index of the device called `name` in this namespace, if there is one.
    pub(crate) fn interface_index(&self, name: &[u8]) -> Option<u32> {
        let mut cname = [0u8; bindings::IFNAMSIZ as usize];
        // A name that does not fit with its NUL, or holds one, names no device.
        if name.len() >= cname.len() || name.contains(&0) {
            return None;
        }
        cname.get_mut(..name.len())?.copy_from_slice(name);
        let _rcu = ReadGuard::new();
        // SAFETY: the namespace is alive (type invariant of `Net`); `cname` is
        // NUL-terminated; the lookup needs only the RCU read lock, held while `dev` is read.
        let dev = unsafe { bindings::dev_get_by_name_rcu(self.as_ptr(), cname.as_ptr().cast()) };
        if dev.is_null() {
            return None;
        }
        // SAFETY: `dev` is a live device under RCU.
        let index = unsafe { (*dev).ifindex };
        u32::try_from(index).ok()
    }

    /// The name and alias (empty if none) of interface `ifindex` of this namespace, in
    /// `name` and `alias`, cut to fit and zero-padded; `false` if there is no such device.
    pub(crate) fn interface(
        &self,
        ifindex: u32,
        name: &mut [u8; 16],
        alias: &mut [u8; 64],
    ) -> bool {
        let Ok(index) = i32::try_from(ifindex) else {
            return false;
        };
        let _rcu = ReadGuard::new();
        // SAFETY: the namespace is alive (type invariant of `Net`); the lookup needs only
        // the RCU read lock, held for as long as `dev` is used.
        let dev = unsafe { bindings::dev_get_by_index_rcu(self.as_ptr(), index) };
        if dev.is_null() {
            return false;
        }
        // SAFETY: `dev` is a live device under RCU; `name` is an IFNAMSIZ array holding a
        // NUL-terminated name.
        unsafe {
            let n = &(*dev).name;
            copy_cstr(n.as_ptr().cast(), n.len(), name);
        }
        // SAFETY: `ifalias` is an RCU pointer (read once, as rcu_dereference does) to a
        // `struct dev_ifalias` whose `ifalias` is a NUL-terminated string, alive under RCU.
        unsafe {
            let a = core::ptr::read_volatile(core::ptr::addr_of!((*dev).ifalias));
            if a.is_null() {
                alias.fill(0);
            } else {
                copy_cstr(
                    (*a).ifalias.as_ptr().cast(),
                    bindings::IFALIASZ as usize,
                    alias,
                );
            }
        }
        true
    }
}
