// SPDX-License-Identifier: GPL-2.0

//! One line of `/proc/net/stat/ipt_netflow_flows`, in C ipt_NETFLOW 2.6's format:
//!
//! ```text
//! # hash a dev:i,o proto src:ip,port dst:ip,port nexthop tos,tcpflags,options,tcpoptions packets bytes ts:first,last
//! 1 03a1 0 2,3 17 10.0.0.1,1024 10.0.1.1,53 0.0.0.0 0,0,0,0 3 252 1520,20
//! ```
//!
//! The line's number in the dump; the flow's hash bucket (hex); which timeouts it is due
//! for (hex bits: 1 inactive or TCP end, 2 active); input and output interface indexes;
//! IP protocol; source and destination address and port (ICMP: type << 8 | code as the
//! destination port); next hop (the first packet's gateway, 0 when on-link); TOS, TCP
//! flags, IP options (IPv4 options or IPv6 extension headers) and TCP options (hex bit
//! maps, as exported in IPFIX); packets; bytes; jiffies since the first and since the
//! last packet.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::export::record::FlowRecord;
use crate::flow::aging::{due, Timeouts};
use crate::flow::key::{Family, FlowKey};
use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};

/// The first line of the dump.
pub(crate) const HEADER: &str = "# hash a dev:i,o proto src:ip,port dst:ip,port nexthop \
tos,tcpflags,options,tcpoptions packets bytes ts:first,last\n";

/// Bit of [`FlowLine::due`]: idle longer than the inactive timeout (or a finished TCP
/// flow past its grace).
pub(crate) const DUE_INACTIVE: u8 = 1;
/// Bit of [`FlowLine::due`]: older than the active timeout.
pub(crate) const DUE_ACTIVE: u8 = 2;

/// What one line shows of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FlowLine {
    /// The line's number in the dump, from 1.
    pub(crate) number: u64,
    /// The hash bucket the flow is in.
    pub(crate) bucket: usize,
    /// [`DUE_INACTIVE`] | [`DUE_ACTIVE`], as far as they apply.
    pub(crate) due: u8,
    /// The flow (its `first_ms`, `last_ms` and `end_reason` are not shown).
    pub(crate) record: FlowRecord,
    /// Jiffies since its first packet.
    pub(crate) age: u64,
    /// Jiffies since its last packet.
    pub(crate) idle: u64,
}

/// Which timeouts a flow with these times (jiffies, as [`due`] takes them) is due for.
pub(crate) fn due_bits(
    now: u64,
    first: u64,
    last: u64,
    tcp_flags: u8,
    protocol: u8,
    t: &Timeouts,
    end_grace: u64,
) -> u8 {
    let idle_only = Timeouts {
        inactive: t.inactive,
        active: u64::MAX,
    };
    let mut bits = 0;
    if due(now, first, last, tcp_flags, protocol, &idle_only, end_grace).is_some() {
        bits |= DUE_INACTIVE;
    }
    if now.saturating_sub(first) >= t.active {
        bits |= DUE_ACTIVE;
    }
    bits
}

/// An address of a key as C prints it (`%pI4`, `%pI6c`).
struct Addr<'a>(&'a FlowKey, &'a [u8; 16]);

impl fmt::Display for Addr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, ..] = *self.1;
        match self.0.family {
            Family::V4 => write!(f, "{}", Ipv4Addr::new(a, b, c, d)),
            Family::V6 => write!(f, "{}", Ipv6Addr::from(*self.1)),
        }
    }
}

impl fmt::Display for FlowLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.record;
        let k = &r.key;
        writeln!(
            f,
            "{} {:04x} {:x} {},{} {} {},{} {},{} {} {:x},{:x},{:x},{:x} {} {} {},{}",
            self.number,
            self.bucket,
            self.due,
            k.in_if,
            r.out_if,
            k.protocol,
            Addr(k, &k.src),
            k.src_port,
            Addr(k, &k.dst),
            k.dst_port,
            Addr(k, &r.next_hop),
            k.tos,
            r.tcp_flags,
            r.attrs.ip_options,
            r.attrs.tcp_options,
            r.packets,
            r.bytes,
            self.age,
            self.idle
        )
    }
}
