// SPDX-License-Identifier: GPL-2.0

//! The collectors export packets go to: one UDP socket per destination, each with the
//! counters of C ipt_NETFLOW's `sockN:` lines in `/proc/net/stat/ipt_netflow`.
//!
//! Every export packet (PDU) is mirrored to every collector. Sends never block: a collector
//! that is slow, absent or unreachable loses that packet, counted, and the others are not
//! affected. ICMP errors a collector's host sends back (e.g. port unreachable) are counted
//! as `cberr`, never fatal. A destination that cannot be connected to (no route yet) stays
//! in the list: its failures are counted as `connect` and it is retried on later sends, at
//! most once per second.

use crate::export::destination::{Destination, Destinations};
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
    /// Opens the socket for `dest` and tries to connect it; only a failure to create or
    /// bind the socket is an error.
    fn open(net: &NetRef, dest: &Destination, sndbuf: u32) -> Result<Self> {
        let sock = UdpSocket::new(net, dest.addr, dest.source).inspect_err(|e| {
            pr_err!(
                "destination {}: cannot open socket: error {}\n",
                dest,
                e.to_errno()
            );
        })?;
        sock.set_sndbuf(sndbuf);
        let c = Self {
            dest: *dest,
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
    /// The `/proc` line of C ipt_NETFLOW without its `sockN: ` prefix and newline:
    /// `addr:port, sndbuf N, filled N, peak N; err: sndbuf reached N, connect N, cberr N,
    /// other N`, or `addr:port unconnected (N attempts).` while not connected.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.connected {
            return write!(
                f,
                "{} unconnected ({} attempts).",
                self.destination, self.err_connect
            );
        }
        write!(
            f,
            "{}, sndbuf {}, filled {}, peak {}; err: sndbuf reached {}, connect {}, cberr {}, other {}",
            self.destination,
            self.sndbuf,
            self.filled,
            self.peak,
            self.err_sndbuf,
            self.err_connect,
            self.err_cberr,
            self.err_other
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
    /// The sockets are created in `net` (its addresses and routes), and must be closed
    /// before it goes.
    pub(crate) fn open(net: &NetRef, dests: &Destinations, sndbuf: u32) -> Result<Self> {
        let mut list = KVec::with_capacity(dests.len(), GFP_KERNEL)?;
        for dest in dests.iter() {
            list.push(Collector::open(net, dest, sndbuf)?, GFP_KERNEL)?;
        }
        Ok(Self { list })
    }

    /// Sends `pdu` to every collector, without blocking; returns how many did not get it.
    pub(crate) fn send(&self, pdu: &[u8]) -> usize {
        self.list.iter().filter(|c| !c.send(pdu)).count()
    }

    /// Sets every socket's send buffer to `bytes`; 0 leaves them as they are.
    /// Process context only (takes the socket locks).
    pub(crate) fn set_sndbuf(&self, bytes: u32) {
        for c in self.list.iter() {
            c.sock.set_sndbuf(bytes);
        }
    }

    /// Number of collectors.
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    /// The collectors, in the order of the `destination` list (`sock0`, `sock1`, ...).
    pub(crate) fn iter(&self) -> core::slice::Iter<'_, Collector> {
        self.list.iter()
    }
}
