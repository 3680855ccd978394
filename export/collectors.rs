// SPDX-License-Identifier: GPL-2.0

//! The collectors export packets go to: one UDP socket per destination, each with the
//! counters of C ipt_NETFLOW's `sockN:` lines in `/proc/net/stat/ipt_netflow`.
//!
//! Each collector speaks one protocol: the one its destination entry names (`/9`), or the
//! `protocol` setting. A PDU goes to every collector of its protocol. Sends never block: a collector
//! that is slow, absent or unreachable loses that packet, counted, and the others are not
//! affected. ICMP errors a collector's host sends back (e.g. port unreachable) are counted
//! as `cberr`, never fatal. A destination that cannot be connected to (no route yet) stays
//! in the list: its failures are counted as `connect` and it is retried on later sends, at
//! most once per second.

use crate::export::destination::{Destination, Destinations};
use crate::export::writer::Protocol;
use crate::glue::net::NetRef;
use crate::glue::udp::{SendError, UdpSocket};
use core::fmt;
use core::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, Ordering};
use kernel::prelude::*;
use kernel::time::Ktime;

/// Shortest time between two connect attempts of one collector, nanoseconds.
const RECONNECT_INTERVAL_NS: i64 = 1_000_000_000;

/// One collector: its socket and its counters.
pub(crate) struct Collector {
    dest: Destination,
    /// The protocol it gets: `dest.protocol`, or the `protocol` setting.
    protocol: Protocol,
    sock: UdpSocket,
    /// Whether `sock` is connected; sends to an unconnected socket try to connect first.
    connected: AtomicBool,
    /// `ktime_get()` of the last connect attempt, nanoseconds.
    last_connect_ns: AtomicI64,
    /// Bytes the socket held right after the last successful send.
    filled: AtomicU32,
    /// Largest `filled` seen.
    peak: AtomicU32,
    /// Sends refused because the send buffer was full.
    err_sndbuf: AtomicU64,
    /// Failed connect attempts.
    err_connect: AtomicU64,
    /// ICMP errors reported through the socket.
    err_cberr: AtomicU64,
    /// Other send errors.
    err_other: AtomicU64,
}

/// A snapshot of one collector's state and counters.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CollectorStats {
    /// Where the collector is.
    pub(crate) destination: Destination,
    /// The protocol it gets.
    pub(crate) protocol: Protocol,
    /// Whether its socket is connected.
    pub(crate) connected: bool,
    /// Send buffer size, bytes.
    pub(crate) sndbuf: u32,
    /// Bytes queued in the socket right after the last successful send.
    pub(crate) filled: u32,
    /// Largest `filled` seen.
    pub(crate) peak: u32,
    /// Packets lost because the send buffer was full ("sndbuf reached").
    pub(crate) err_sndbuf: u64,
    /// Failed connect attempts.
    pub(crate) err_connect: u64,
    /// ICMP errors reported through the socket ("cberr").
    pub(crate) err_cberr: u64,
    /// Packets lost to other send errors.
    pub(crate) err_other: u64,
}

impl Collector {
    /// Opens the socket for `dest` (bound to its device, if any) and tries to connect it;
    /// only a failure to create or bind the socket is an error.
    fn open(net: &NetRef, dest: &Destination, protocol: Protocol, sndbuf: u32) -> Result<Self> {
        let device = match &dest.device {
            Some(name) => Some(net.interface_index(name.as_bytes()).ok_or_else(|| {
                pr_err!(
                    "destination {}: no device {} in this namespace\n",
                    dest,
                    name
                );
                ENODEV
            })?),
            None => None,
        };
        let sock = UdpSocket::new(net, dest.addr, dest.source, device).inspect_err(|e| {
            pr_err!(
                "destination {}: cannot open socket: error {}\n",
                dest,
                e.to_errno()
            );
        })?;
        sock.set_sndbuf(sndbuf);
        let c = Self {
            dest: *dest,
            protocol: dest.protocol.unwrap_or(protocol),
            sock,
            connected: AtomicBool::new(false),
            last_connect_ns: AtomicI64::new(Ktime::ktime_get().to_ns()),
            filled: AtomicU32::new(0),
            peak: AtomicU32::new(0),
            err_sndbuf: AtomicU64::new(0),
            err_connect: AtomicU64::new(0),
            err_cberr: AtomicU64::new(0),
            err_other: AtomicU64::new(0),
        };
        match c.sock.connect() {
            Ok(()) => c.connected.store(true, Ordering::Release),
            Err(e) => {
                c.err_connect.fetch_add(1, Ordering::Relaxed);
                pr_err!(
                    "destination {}: cannot connect: error {}, will retry\n",
                    dest,
                    e.to_errno()
                );
            }
        }
        Ok(c)
    }

    /// The destination of this collector.
    pub(crate) fn destination(&self) -> &Destination {
        &self.dest
    }

    /// Tries to connect an unconnected socket, at most once per
    /// [`RECONNECT_INTERVAL_NS`]; whether it is connected now.
    fn ensure_connected(&self) -> bool {
        if self.connected.load(Ordering::Acquire) {
            return true;
        }
        let now = Ktime::ktime_get().to_ns();
        let last = self.last_connect_ns.load(Ordering::Relaxed);
        if now.wrapping_sub(last) < RECONNECT_INTERVAL_NS {
            return false;
        }
        // One attempt per interval, even if several senders get here at once.
        if self
            .last_connect_ns
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return false;
        }
        match self.sock.connect() {
            Ok(()) => {
                self.connected.store(true, Ordering::Release);
                pr_info!("destination {}: connected\n", self.destination());
                true
            }
            Err(_) => {
                self.err_connect.fetch_add(1, Ordering::Relaxed);
                false
            }
        }
    }

    /// Sends one PDU without blocking; whether it went out.
    fn send(&self, pdu: &[u8]) -> bool {
        if !self.ensure_connected() {
            return false;
        }
        // An ICMP error for an earlier packet: count it, and keep it from failing this send.
        if self.sock.take_error().is_some() {
            self.err_cberr.fetch_add(1, Ordering::Relaxed);
        }
        let counter = match self.sock.send(pdu) {
            Ok(()) => {
                let queued = self.sock.queued();
                self.filled.store(queued, Ordering::Relaxed);
                self.peak.fetch_max(queued, Ordering::Relaxed);
                return true;
            }
            Err(SendError::SndbufFull) => &self.err_sndbuf,
            Err(SendError::CallbackError(_)) => &self.err_cberr,
            Err(SendError::Other(_)) => &self.err_other,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        false
    }

    /// The collector's state and counters now.
    pub(crate) fn stats(&self) -> CollectorStats {
        CollectorStats {
            destination: *self.destination(),
            protocol: self.protocol,
            connected: self.connected.load(Ordering::Acquire),
            sndbuf: self.sock.sndbuf(),
            filled: self.filled.load(Ordering::Relaxed),
            peak: self.peak.load(Ordering::Relaxed),
            err_sndbuf: self.err_sndbuf.load(Ordering::Relaxed),
            err_connect: self.err_connect.load(Ordering::Relaxed),
            err_cberr: self.err_cberr.load(Ordering::Relaxed),
            err_other: self.err_other.load(Ordering::Relaxed),
        }
    }
}

impl fmt::Display for CollectorStats {
    /// The `/proc` line of C ipt_NETFLOW without its `sockN: ` prefix and newline, the
    /// protocol added at its end: `addr:port, sndbuf N, filled N, peak N; err: sndbuf
    /// reached N, connect N, cberr N, other N; protocol P`, or `addr:port unconnected (N
    /// attempts); protocol P` while not connected.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.connected {
            return write!(
                f,
                "{} unconnected ({} attempts); protocol {}",
                self.destination, self.err_connect, self.protocol as u8
            );
        }
        write!(
            f,
            "{}, sndbuf {}, filled {}, peak {}; err: sndbuf reached {}, connect {}, cberr {}, other {}; protocol {}",
            self.destination,
            self.sndbuf,
            self.filled,
            self.peak,
            self.err_sndbuf,
            self.err_connect,
            self.err_cberr,
            self.err_other,
            self.protocol as u8
        )
    }
}

impl fmt::Display for Collector {
    /// As [`CollectorStats`]'s `Display`, for the collector's current state.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.stats().fmt(f)
    }
}

/// The collectors of one `destination` list, in its order.
pub(crate) struct Collectors {
    list: KVec<Collector>,
}

impl Collectors {
    /// Opens a socket for every destination, with send buffer `sndbuf` bytes (0: the
    /// system default). All or none: if one cannot be opened, the others are closed and
    /// the error is returned (logged with the destination that failed). A destination
    /// that cannot be connected yet is kept and retried later.
    /// The sockets are created in `net` (its addresses, routes and devices), and must be
    /// closed before it goes. Collectors whose entry names no protocol get `protocol`.
    pub(crate) fn open(
        net: &NetRef,
        dests: &Destinations,
        protocol: Protocol,
        sndbuf: u32,
    ) -> Result<Self> {
        let mut list = KVec::with_capacity(dests.len(), GFP_KERNEL)?;
        for dest in dests.iter() {
            list.push(Collector::open(net, dest, protocol, sndbuf)?, GFP_KERNEL)?;
        }
        Ok(Self { list })
    }

    /// Makes the collectors whose entry names no protocol follow `protocol`.
    pub(crate) fn follow(&mut self, protocol: Protocol) {
        for c in self.list.iter_mut() {
            c.protocol = c.dest.protocol.unwrap_or(protocol);
        }
    }

    /// Whether some collector gets `protocol`.
    pub(crate) fn speak(&self, protocol: Protocol) -> bool {
        self.list.iter().any(|c| c.protocol == protocol)
    }

    /// Whether some collector would get `protocol` if those without one of their own
    /// followed `default`.
    pub(crate) fn would_speak(&self, protocol: Protocol, default: Protocol) -> bool {
        self.list
            .iter()
            .any(|c| c.dest.protocol.unwrap_or(default) == protocol)
    }

    /// Sends `pdu` to every collector of `protocol`, without blocking; returns how many of
    /// them there are and how many did not get it.
    pub(crate) fn send(&self, protocol: Protocol, pdu: &[u8]) -> (usize, usize) {
        let (mut all, mut failed) = (0usize, 0usize);
        for c in self.list.iter().filter(|c| c.protocol == protocol) {
            // At most MAX_DESTINATIONS collectors.
            all += 1;
            failed += usize::from(!c.send(pdu));
        }
        (all, failed)
    }

    /// Sets every socket's send buffer to `bytes`; 0 leaves them as they are.
    /// Process context only (takes the socket locks).
    pub(crate) fn set_sndbuf(&self, bytes: u32) {
        for c in self.list.iter() {
            c.sock.set_sndbuf(bytes);
        }
    }

    /// The collectors, in the order of the `destination` list (`sock0`, `sock1`, ...).
    pub(crate) fn iter(&self) -> core::slice::Iter<'_, Collector> {
        self.list.iter()
    }
}
