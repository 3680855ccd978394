// SPDX-License-Identifier: GPL-2.0

//! Buffer sizes of kernel sockets (`struct sock`), set as `SO_SNDBUFFORCE` /
//! `SO_RCVBUFFORCE` would: the value is used as is (not doubled, not limited by
//! `net.core.wmem_max` / `rmem_max`) and locked against the kernel's own tuning.
//!
//! C header: [`include/net/sock.h`](srctree/include/net/sock.h)

use super::bindings;
use core::ptr::{addr_of, addr_of_mut};

/// Which buffer of a socket.
#[derive(Clone, Copy)]
pub(crate) enum Buffer {
    /// `sk_sndbuf`.
    Send,
    /// `sk_rcvbuf`.
    Receive,
}

/// Sets `which` buffer of `sk` to `bytes` (at least the kernel's minimum); 0 leaves it.
///
/// # Safety
///
/// `sk` is a valid socket, and this is called in process context (it takes the socket
/// lock, which may sleep).
pub(super) unsafe fn set(sk: *mut bindings::sock, which: Buffer, bytes: u32) {
    if bytes == 0 {
        return;
    }
    // SAFETY: no requirement.
    let min = unsafe {
        match which {
            Buffer::Send => bindings::netflow_sock_min_sndbuf(),
            Buffer::Receive => bindings::netflow_sock_min_rcvbuf(),
        }
    };
    let val = i32::try_from(bytes).unwrap_or(i32::MAX).max(min);
    // SAFETY: `sk` is valid (function contract); `lock_sock_nested(sk, 0)` is
    // `lock_sock`, called in process context as the contract requires.
    unsafe { bindings::lock_sock_nested(sk, 0) };
    // SAFETY: `sk` is valid and locked: `sk_userlocks` is changed under the socket lock;
    // the buffer size is read locklessly elsewhere, hence the volatile write
    // (`WRITE_ONCE`), as in `sk_setsockopt`.
    unsafe {
        match which {
            Buffer::Send => {
                (*sk).sk_userlocks |= bindings::SOCK_SNDBUF_LOCK as u8;
                addr_of_mut!((*sk).sk_sndbuf).write_volatile(val);
            }
            Buffer::Receive => {
                (*sk).sk_userlocks |= bindings::SOCK_RCVBUF_LOCK as u8;
                addr_of_mut!((*sk).sk_rcvbuf).write_volatile(val);
            }
        }
    }
    // SAFETY: locked above.
    unsafe { bindings::release_sock(sk) };
}

/// The size of `which` buffer of `sk`, bytes.
///
/// # Safety
///
/// `sk` is a valid socket.
pub(super) unsafe fn get(sk: *mut bindings::sock, which: Buffer) -> u32 {
    // SAFETY: `sk` is valid (function contract); a `READ_ONCE` of a field written with
    // `WRITE_ONCE`.
    let val = unsafe {
        match which {
            Buffer::Send => addr_of!((*sk).sk_sndbuf).read_volatile(),
            Buffer::Receive => addr_of!((*sk).sk_rcvbuf).read_volatile(),
        }
    };
    u32::try_from(val).unwrap_or(0)
}
