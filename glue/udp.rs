// SPDX-License-Identifier: GPL-2.0

//! Kernel UDP sockets: how export packets reach the collectors.
//!
//! C headers: [`include/linux/net.h`](srctree/include/linux/net.h),
//! [`include/net/sock.h`](srctree/include/net/sock.h)

use super::bindings;
use super::net::NetRef;
use super::sock::{self, Buffer};
use core::net::{IpAddr, SocketAddr};
use core::ptr::{null_mut, NonNull};
use kernel::error::{to_result, Error};
use kernel::prelude::*;

/// Why a datagram was not sent.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SendError {
    /// The send buffer is full (`-EAGAIN`/`-EWOULDBLOCK`, `-ENOBUFS`): export is faster
    /// than the path to the collector drains, or the buffer is too small.
    SndbufFull,
    /// The socket returned an error that an ICMP message reported for an earlier datagram
    /// (`-ECONNREFUSED`: nothing listens; `-EHOSTUNREACH`, `-EPROTO`, ...), which consumed
    /// the error: the next send goes out normally. `-ENETUNREACH`/`-EHOSTUNREACH` can also
    /// come from this send's own route lookup (the route to the collector went away).
    /// [`UdpSocket::take_error`] takes such an error before it can fail a send.
    CallbackError(Error),
    /// Any other error (e.g. `-EDESTADDRREQ` on a socket that is not connected).
    Other(Error),
}

impl SendError {
    fn from_errno(errno: i32) -> Self {
        // Called with errno constants (< 4096): the cast keeps them, the negation fits.
        let is = |e: u32| errno == -(e as i32);
        if is(bindings::EAGAIN) || is(bindings::EWOULDBLOCK) || is(bindings::ENOBUFS) {
            Self::SndbufFull
        } else if is(bindings::ECONNREFUSED)
            || is(bindings::EHOSTUNREACH)
            || is(bindings::ENETUNREACH)
            || is(bindings::EHOSTDOWN)
            || is(bindings::ENONET)
            || is(bindings::EPROTO)
            || is(bindings::ENOPROTOOPT)
        {
            Self::CallbackError(Error::from_errno(errno))
        } else {
            Self::Other(Error::from_errno(errno))
        }
    }
}

/// A socket address in the C layout of its family.
enum RawAddr {
    V4(bindings::sockaddr_in),
    V6(bindings::sockaddr_in6),
}

impl RawAddr {
    fn new(ip: IpAddr, port: u16) -> Self {
        match ip {
            IpAddr::V4(ip) => Self::V4(bindings::sockaddr_in {
                sin_family: bindings::AF_INET as _,
                sin_port: port.to_be(),
                sin_addr: bindings::in_addr {
                    // Network byte order: the octets as they are in memory.
                    s_addr: u32::from_ne_bytes(ip.octets()),
                },
                ..Default::default()
            }),
            IpAddr::V6(ip) => Self::V6(bindings::sockaddr_in6 {
                sin6_family: bindings::AF_INET6 as _,
                sin6_port: port.to_be(),
                sin6_flowinfo: 0,
                sin6_addr: bindings::in6_addr {
                    in6_u: bindings::in6_addr__bindgen_ty_1 {
                        u6_addr8: ip.octets(),
                    },
                },
                sin6_scope_id: 0,
            }),
        }
    }

    /// The address as `struct sockaddr *` and its length, valid while `self` is.
    fn as_raw(&mut self) -> (*mut bindings::sockaddr, i32) {
        match self {
            Self::V4(a) => (
                (a as *mut bindings::sockaddr_in).cast(),
                size_of::<bindings::sockaddr_in>() as i32,
            ),
            Self::V6(a) => (
                (a as *mut bindings::sockaddr_in6).cast(),
                size_of::<bindings::sockaddr_in6>() as i32,
            ),
        }
    }
}

/// A kernel UDP socket of a network namespace, bound to a source address if given,
/// sending to its peer once connected. Kernel sockets hold no reference on their
/// namespace: drop the socket before the namespace goes (`NetRef`'s contract).
///
/// Sends never block and never raise `SIGPIPE`. Dropping the socket releases it.
///
/// # Invariants
///
/// `sock` is a socket created by `sock_create_kern` and owned by `self` until `drop`
/// releases it; its `sk` is a valid `struct sock` for as long.
pub(crate) struct UdpSocket {
    sock: NonNull<bindings::socket>,
    peer: SocketAddr,
}

// SAFETY: a kernel socket is not tied to the task that created it; every operation used
// here takes the socket's own locks, so it may be used and released from any thread.
unsafe impl Send for UdpSocket {}
// SAFETY: `&UdpSocket` allows `send`, `connect`, `take_error` and the buffer accessors;
// the socket layer serializes them itself (socket lock, atomics), concurrently too.
unsafe impl Sync for UdpSocket {}

impl UdpSocket {
    /// Creates a UDP socket for `peer`'s family, bound to interface `device` (an ifindex of
    /// `net`, as `SO_BINDTODEVICE`: an interface or a VRF device) and to address `source`,
    /// if given.
    ///
    /// The socket is not connected yet: call [`UdpSocket::connect`] (it may fail while
    /// there is no route, and may be retried later).
    pub(crate) fn new(
        net: &NetRef,
        peer: SocketAddr,
        source: Option<IpAddr>,
        device: Option<u32>,
    ) -> Result<Self> {
        let family = match peer {
            SocketAddr::V4(_) => bindings::AF_INET,
            SocketAddr::V6(_) => bindings::AF_INET6,
        };
        let mut sock: *mut bindings::socket = null_mut();
        // SAFETY: `net` is live for as long as the socket (contract above); `sock` is a valid
        // place for the result.
        let ret = unsafe {
            bindings::sock_create_kern(
                net.as_ptr(),
                family as i32,
                bindings::sock_type_SOCK_DGRAM as i32,
                bindings::IPPROTO_UDP as i32,
                &mut sock,
            )
        };
        to_result(ret)?;
        let sock = NonNull::new(sock).ok_or(EINVAL)?;
        // INVARIANT: `sock_create_kern` succeeded: `sock` is a new socket with its `sk`,
        // owned here.
        let this = Self { sock, peer };
        if let Some(device) = device {
            let index = i32::try_from(device).map_err(|_| ENODEV)?;
            // SAFETY: `sk` is valid (type invariant); `sock_bindtoindex` takes the socket
            // lock itself (`lock_sk`) and checks the index against the socket's namespace.
            to_result(unsafe { bindings::sock_bindtoindex(this.sk(), index, true) })?;
        }
        if let Some(source) = source {
            let mut addr = RawAddr::new(source, 0);
            let (ptr, len) = addr.as_raw();
            // SAFETY: `sock` is valid (type invariant); `ptr` points to `len` bytes of a
            // socket address of the socket's family, alive for the call.
            to_result(unsafe { bindings::kernel_bind(this.sock.as_ptr(), ptr, len) })?;
        }
        Ok(this)
    }

    /// Connects the socket to its peer: picks the route and source address, and
    /// makes ICMP errors for it reach this socket. Can be called again, e.g. after a
    /// failure for lack of a route.
    pub(crate) fn connect(&self) -> Result {
        let mut addr = RawAddr::new(self.peer.ip(), self.peer.port());
        let (ptr, len) = addr.as_raw();
        // SAFETY: `sock` is valid (type invariant); `ptr` points to `len` bytes of a
        // socket address of the socket's family, alive for the call.
        to_result(unsafe { bindings::kernel_connect(self.sock.as_ptr(), ptr, len, 0) })
    }

    /// Sends `buf` as one datagram to the connected destination, without blocking.
    pub(crate) fn send(&self, buf: &[u8]) -> Result<(), SendError> {
        let mut vec = bindings::kvec {
            // The kernel only reads from the buffer of a send.
            iov_base: buf.as_ptr().cast_mut().cast(),
            iov_len: buf.len(),
        };
        let mut msg = bindings::msghdr {
            msg_flags: bindings::MSG_DONTWAIT | bindings::MSG_NOSIGNAL,
            ..Default::default()
        };
        // SAFETY: `sock` is valid (type invariant); `msg` is an initialized message with
        // no address (the socket's connected destination is used) and no control data;
        // `vec` describes `buf`, which is readable for `buf.len()` bytes during the call.
        let ret = unsafe {
            bindings::kernel_sendmsg(self.sock.as_ptr(), &mut msg, &mut vec, 1, buf.len())
        };
        if ret < 0 {
            return Err(SendError::from_errno(ret));
        }
        Ok(())
    }

    /// Takes the error an ICMP message reported for an earlier datagram, if any, so that
    /// the next send does not fail with it.
    pub(crate) fn take_error(&self) -> Option<Error> {
        // SAFETY: `sk` is valid (type invariant); `sock_error` atomically takes `sk_err`.
        let ret = unsafe { bindings::netflow_sock_error(self.sk()) };
        (ret < 0).then(|| Error::from_errno(ret))
    }

    /// Sets the send buffer to `bytes` (at least the kernel's minimum), as the C module
    /// does: the value is used as is (not doubled as by `SO_SNDBUF`) and is not limited by
    /// `net.core.wmem_max`. 0 leaves the buffer as it is.
    ///
    /// Takes the socket lock, which may sleep: process context only.
    pub(crate) fn set_sndbuf(&self, bytes: u32) {
        // SAFETY: `sk` is valid (type invariant); process context, as this method's
        // documentation requires.
        unsafe { sock::set(self.sk(), Buffer::Send, bytes) }
    }

    /// The send buffer size, bytes.
    pub(crate) fn sndbuf(&self) -> u32 {
        // SAFETY: `sk` is valid (type invariant).
        unsafe { sock::get(self.sk(), Buffer::Send) }
    }

    /// Bytes of datagrams still held by the socket (`sk_wmem_alloc`): queued, or in flight
    /// below it.
    pub(crate) fn queued(&self) -> u32 {
        // SAFETY: `sk` is valid (type invariant).
        let val = unsafe { bindings::netflow_sk_wmem_alloc_get(self.sk()) };
        u32::try_from(val).unwrap_or(0)
    }

    fn sk(&self) -> *mut bindings::sock {
        // SAFETY: `sock` is valid (type invariant).
        unsafe { (*self.sock.as_ptr()).sk }
    }
}

impl Drop for UdpSocket {
    fn drop(&mut self) {
        // SAFETY: `sock` is owned by `self` (type invariant) and not used after this.
        unsafe { bindings::sock_release(self.sock.as_ptr()) };
    }
}
