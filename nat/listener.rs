// SPDX-License-Identifier: GPL-2.0

//! The kernel side of NAT events: one namespace's listener on conntrack's NEW and DESTROY
//! event groups, read by the periodic work, and the counters `/proc` shows.

use super::ctnetlink::{self, Message, GROUPS};
use super::event::{NatEvent, NatEventKind};
use crate::glue::net::NetRef;
use crate::glue::netlink::{NetlinkListener, Received, NETLINK_NETFILTER};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use kernel::prelude::*;

/// Receive queue of the listener: about 8000 events of a burst (each ~1 KB of queue)
/// wait there between two runs of the work, a tenth of a second apart.
const RCVBUF: u32 = 8 << 20;

/// Largest datagram read: a conntrack event message is a few hundred bytes.
const DATAGRAM: usize = 4096;

/// Most datagrams one run reads, so a flood cannot hold the work (and the exporter)
/// for long; what is left waits for the next run, or is dropped and counted.
pub(crate) const PER_RUN: usize = 16384;

/// What the listener saw, read by `/proc` while it runs.
#[derive(Default)]
pub(crate) struct NatStats {
    /// Create events of translated connections read.
    pub(crate) starts: AtomicU64,
    /// Delete events read.
    pub(crate) stops: AtomicU64,
    /// Events the full receive queue dropped before we read them.
    pub(crate) dropped: AtomicU64,
    /// Messages that did not parse (or were cut by the read buffer).
    pub(crate) malformed: AtomicU64,
}

impl NatStats {
    /// Makes every counter count from 0 again.
    pub(crate) fn reset(&self) {
        for c in [&self.starts, &self.stops, &self.dropped, &self.malformed] {
            c.store(0, Relaxed);
        }
    }
}

/// A namespace's conntrack event listener, while `natevents` is on.
pub(crate) struct NatListener {
    socket: NetlinkListener,
    buf: KVec<u8>,
    /// The socket's drop counter when last read.
    seen_drops: u32,
}

impl NatListener {
    /// Joins conntrack's NEW and DESTROY event groups of `net`. If ctnetlink is not
    /// loaded, joining asks for it (modprobe, without waiting); events flow once it is.
    /// Sleeps.
    pub(crate) fn open(net: &NetRef) -> Result<Self> {
        let socket = NetlinkListener::new(net, NETLINK_NETFILTER, GROUPS, RCVBUF)?;
        let buf = KVec::from_elem(0, DATAGRAM, GFP_KERNEL)?;
        let seen_drops = socket.drops();
        Ok(Self {
            socket,
            buf,
            seen_drops,
        })
    }

    /// Reads what is queued (at most [`PER_RUN`] datagrams), counting into `stats` and
    /// handing each NAT event to `each`. `now_ms` (Unix ms) dates events conntrack did
    /// not timestamp.
    pub(crate) fn drain(&mut self, now_ms: u64, stats: &NatStats, mut each: impl FnMut(&NatEvent)) {
        for _ in 0..PER_RUN {
            let n = match self.socket.recv(&mut self.buf) {
                Ok(Received::Datagram(n)) => n,
                Ok(Received::Truncated) => {
                    stats.malformed.fetch_add(1, Relaxed);
                    continue;
                }
                Ok(Received::Empty) => break,
                // ENOBUFS is not reported (NETLINK_NO_ENOBUFS); anything else is not
                // expected from a netlink receive: try again next run.
                Err(_) => break,
            };
            ctnetlink::parse(self.buf.get(..n).unwrap_or(&[]), now_ms, |m| match m {
                Message::Nat(ev) => {
                    let c = match ev.kind {
                        NatEventKind::Create => &stats.starts,
                        NatEventKind::Delete => &stats.stops,
                    };
                    c.fetch_add(1, Relaxed);
                    each(&ev);
                }
                Message::Malformed => {
                    stats.malformed.fetch_add(1, Relaxed);
                }
                Message::NotNat | Message::Other => {}
            });
        }
        let drops = self.socket.drops();
        // The kernel's counter wraps at 2^32: the difference does too.
        let new = drops.wrapping_sub(self.seen_drops);
        self.seen_drops = drops;
        stats.dropped.fetch_add(new.into(), Relaxed);
    }

    /// Bytes waiting in the receive queue, and its size.
    pub(crate) fn queue(&self) -> (u32, u32) {
        (self.socket.queued(), self.socket.rcvbuf())
    }
}
