// SPDX-License-Identifier: GPL-2.0

//! Kernel netlink sockets that listen to a family's multicast groups, as a user-space
//! listener does (`conntrack -E`): the kernel side of a netlink family is not touched.
//!
//! C headers: [`include/linux/netlink.h`](srctree/include/linux/netlink.h),
//! [`include/net/sock.h`](srctree/include/net/sock.h)

use super::bindings;
use super::net::NetRef;
use super::sock::{self, Buffer};
use core::ptr::{null_mut, NonNull};
use kernel::error::to_result;
use kernel::prelude::*;

/// Netlink family `NETLINK_NETFILTER` (nfnetlink: conntrack, ulog, ...).
pub(crate) const NETLINK_NETFILTER: u32 = bindings::NETLINK_NETFILTER;

/// What one non-blocking receive got.
pub(crate) enum Received {
    /// A datagram of this many bytes is in the buffer.
    Datagram(usize),
    /// A datagram longer than the buffer: only its first bytes were read.
    Truncated,
    /// Nothing queued.
    Empty,
}

/// A netlink socket of a network namespace, joined to multicast groups of a family at
/// creation and read without blocking. Kernel sockets hold no reference on their
/// namespace: drop the socket before the namespace goes (`NetRef`'s contract). Dropping
/// it leaves the groups (the family is told, as for any closing socket) and releases it.
///
/// # Invariants
///
/// `sock` is a socket created by `sock_create_kern` and owned by `self` until `drop`
/// releases it; its `sk` is a valid `struct sock` for as long.
pub(crate) struct NetlinkListener {
    sock: NonNull<bindings::socket>,
}

// SAFETY: a kernel socket is not tied to the task that created it; receives and the
// counters read here take the socket's own locks or are atomic.
unsafe impl Send for NetlinkListener {}
// SAFETY: `&NetlinkListener` allows `recv` and `drops`, which the socket layer serializes
// itself (receive queue lock, atomics).
unsafe impl Sync for NetlinkListener {}

impl NetlinkListener {
    /// A socket of `family` in `net` that receives the multicast `groups` (bit `g - 1` for
    /// group `g`), with a receive queue of `rcvbuf` bytes (at least the kernel's
    /// default). Joining a group needs `CAP_NET_ADMIN` in the namespace's user namespace,
    /// checked against the current task. A full queue drops what arrives and counts it
    /// ([`NetlinkListener::drops`]); receives do not report `ENOBUFS` for it.
    ///
    /// Sleeps: process context only.
    pub(crate) fn new(net: &NetRef, family: u32, groups: u32, rcvbuf: u32) -> Result<Self> {
        let mut sock: *mut bindings::socket = null_mut();
        // SAFETY: `net` is live for as long as the socket (contract above); `sock` is a valid
        // place for the result.
        let ret = unsafe {
            bindings::sock_create_kern(
                net.as_ptr(),
                bindings::AF_NETLINK as i32,
                bindings::sock_type_SOCK_RAW as i32,
                i32::try_from(family).map_err(|_| EINVAL)?,
                &mut sock,
            )
        };
        to_result(ret)?;
        let sock = NonNull::new(sock).ok_or(EINVAL)?;
        // INVARIANT: `sock_create_kern` succeeded: `sock` is a new socket with its `sk`,
        // owned here.
        let this = Self { sock };
        // SAFETY: `sock` is a valid netlink socket (type invariant).
        to_result(unsafe { bindings::netflow_netlink_no_enobufs(this.sock.as_ptr()) })?;
        // SAFETY: `sk` is valid (type invariant); process context (this function's
        // contract). The size is used as is, not doubled nor limited by rmem_max.
        unsafe { sock::set(this.sk(), Buffer::Receive, rcvbuf) };
        let mut addr = bindings::sockaddr_nl {
            nl_family: bindings::AF_NETLINK as _,
            nl_groups: groups,
            ..Default::default()
        };
        // SAFETY: `sock` is valid (type invariant); `addr` is a netlink socket address,
        // alive for the call; port ID 0 asks for one to be assigned.
        to_result(unsafe {
            bindings::kernel_bind(
                this.sock.as_ptr(),
                (&mut addr as *mut bindings::sockaddr_nl).cast(),
                size_of::<bindings::sockaddr_nl>() as i32,
            )
        })?;
        Ok(this)
    }

    /// Receives one queued datagram into `buf`, without blocking.
    pub(crate) fn recv(&self, buf: &mut [u8]) -> Result<Received> {
        let mut vec = bindings::kvec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        let mut msg = bindings::msghdr::default();
        // SAFETY: `sock` is valid (type invariant); `msg` is an initialized message
        // without a name or control buffer; `vec` describes `buf`, writable for
        // `buf.len()` bytes during the call.
        let ret = unsafe {
            bindings::kernel_recvmsg(
                self.sock.as_ptr(),
                &mut msg,
                &mut vec,
                1,
                buf.len(),
                bindings::MSG_DONTWAIT as i32,
            )
        };
        if ret == -(bindings::EAGAIN as i32) {
            return Ok(Received::Empty);
        }
        to_result(ret)?;
        // ret >= 0 after the check, and at most buf.len().
        let n = (ret as usize).min(buf.len());
        if msg.msg_flags & bindings::MSG_TRUNC != 0 {
            return Ok(Received::Truncated);
        }
        Ok(Received::Datagram(n))
    }

    /// Datagrams dropped because the receive queue was full, since the socket was made
    /// (wraps at 2^32, as the kernel's counter).
    pub(crate) fn drops(&self) -> u32 {
        // SAFETY: `sk` is valid (type invariant); `sk_drops` is an `atomic_t`.
        let n = unsafe { bindings::netflow_sk_drops(self.sk()) };
        // Reinterpreting the counter's bits: it wraps as a u32.
        n as u32
    }

    /// Bytes queued for reading.
    pub(crate) fn queued(&self) -> u32 {
        // SAFETY: `sk` is valid (type invariant); `sk_rmem_alloc` is an `atomic_t`.
        let n = unsafe { bindings::netflow_sk_rmem_alloc_get(self.sk()) };
        u32::try_from(n).unwrap_or(0)
    }

    /// The receive queue's size, bytes.
    pub(crate) fn rcvbuf(&self) -> u32 {
        // SAFETY: `sk` is valid (type invariant).
        unsafe { sock::get(self.sk(), Buffer::Receive) }
    }

    fn sk(&self) -> *mut bindings::sock {
        // SAFETY: `sock` is valid (type invariant).
        unsafe { (*self.sock.as_ptr()).sk }
    }
}

impl Drop for NetlinkListener {
    fn drop(&mut self) {
        // SAFETY: `sock` is owned by `self` (type invariant) and not used after this.
        unsafe { bindings::sock_release(self.sock.as_ptr()) };
    }
}
