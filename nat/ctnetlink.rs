// SPDX-License-Identifier: GPL-2.0

//! The conntrack event messages of ctnetlink (netlink family `NETLINK_NETFILTER`,
//! subsystem `NFNL_SUBSYS_CTNETLINK`), as a listener of the NEW and DESTROY groups reads
//! them: one or more netlink messages per datagram, each a `nlmsghdr`, a `nfgenmsg` and
//! attributes (`include/uapi/linux/netfilter/nfnetlink_conntrack.h`). Only what a NAT
//! event needs is read: both tuples, the status and the timestamps.
//!
//! The input comes from the kernel, but is parsed as if it were hostile: every length is
//! checked, nothing panics, a bad message is reported and the rest of the datagram is
//! still read where its framing allows.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::flow::key::{proto, Family};
use crate::nat::event::{NatEvent, NatEventKind};

/// Netlink multicast groups of conntrack events: bit `group - 1` for `NFNLGRP_CONNTRACK_NEW`
/// (1) and `NFNLGRP_CONNTRACK_DESTROY` (3), as `sockaddr_nl.nl_groups` takes them.
pub(crate) const GROUPS: u32 = 1 << 0 | 1 << 2;

const NLMSG_HDRLEN: usize = 16;
const NFGENMSG_LEN: usize = 4;
const NLA_HDRLEN: usize = 4;
/// `nla_type` without `NLA_F_NESTED` and `NLA_F_NET_BYTEORDER`.
const NLA_TYPE_MASK: u16 = 0x3fff;

const NLMSG_NOOP: u16 = 1;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLMSG_OVERRUN: u16 = 4;

const NFNL_SUBSYS_CTNETLINK: u16 = 1;
const IPCTNL_MSG_CT_NEW: u16 = 0;
const IPCTNL_MSG_CT_DELETE: u16 = 2;
const NLM_F_CREATE: u16 = 0x400;

const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;

const CTA_TUPLE_ORIG: u16 = 1;
const CTA_TUPLE_REPLY: u16 = 2;
const CTA_STATUS: u16 = 3;
const CTA_TIMESTAMP: u16 = 20;
const CTA_TUPLE_IP: u16 = 1;
const CTA_TUPLE_PROTO: u16 = 2;
const CTA_IP_V4_SRC: u16 = 1;
const CTA_IP_V4_DST: u16 = 2;
const CTA_IP_V6_SRC: u16 = 3;
const CTA_IP_V6_DST: u16 = 4;
const CTA_PROTO_NUM: u16 = 1;
const CTA_PROTO_SRC_PORT: u16 = 2;
const CTA_PROTO_DST_PORT: u16 = 3;
const CTA_PROTO_ICMP_ID: u16 = 4;
const CTA_PROTO_ICMP_TYPE: u16 = 5;
const CTA_PROTO_ICMP_CODE: u16 = 6;
const CTA_PROTO_ICMPV6_ID: u16 = 7;
const CTA_PROTO_ICMPV6_TYPE: u16 = 8;
const CTA_PROTO_ICMPV6_CODE: u16 = 9;
const CTA_TIMESTAMP_START: u16 = 1;
const CTA_TIMESTAMP_STOP: u16 = 2;

/// `IPS_SRC_NAT | IPS_DST_NAT`: the connection is translated.
const IPS_NAT_MASK: u32 = 1 << 4 | 1 << 5;

/// What one netlink message of the datagram was.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Message {
    /// A create or destroy event of a translated connection.
    Nat(NatEvent),
    /// A conntrack event of a connection without NAT.
    NotNat,
    /// Netlink's own messages, or conntrack messages that are not events we read.
    Other,
    /// A message that does not parse (counted, and skipped).
    Malformed,
}

/// Calls `each` with every message of `datagram`, in order. `now_ms` (Unix ms) is the
/// time of events that carry no conntrack timestamp. A message whose length leaves the
/// datagram ends it (as `Malformed`): the framing of what follows is unknown.
pub(crate) fn parse(datagram: &[u8], now_ms: u64, mut each: impl FnMut(Message)) {
    let mut rest = datagram;
    while rest.len() >= NLMSG_HDRLEN {
        let len = ne_u32(rest, 0).map_or(0, |l| l as usize);
        if len < NLMSG_HDRLEN || len > rest.len() {
            each(Message::Malformed);
            return;
        }
        let (Some(msg), Some(kind), Some(flags)) =
            (rest.get(..len), ne_u16(rest, 4), ne_u16(rest, 6))
        else {
            each(Message::Malformed);
            return;
        };
        each(message(
            kind,
            flags,
            msg.get(NLMSG_HDRLEN..).unwrap_or(&[]),
            now_ms,
        ));
        rest = rest.get(align4(len)..).unwrap_or(&[]);
    }
    if !rest.is_empty() {
        each(Message::Malformed);
    }
}

/// One message: `kind` and `flags` from its header, `body` after it.
fn message(kind: u16, flags: u16, body: &[u8], now_ms: u64) -> Message {
    if matches!(kind, NLMSG_NOOP | NLMSG_ERROR | NLMSG_DONE | NLMSG_OVERRUN) {
        return Message::Other;
    }
    if kind >> 8 != NFNL_SUBSYS_CTNETLINK {
        return Message::Other;
    }
    let event = match kind & 0xff {
        // The NEW group's messages are creations (NLM_F_CREATE); updates go to a group
        // we do not join, but are told apart anyway.
        IPCTNL_MSG_CT_NEW if flags & NLM_F_CREATE != 0 => NatEventKind::Create,
        IPCTNL_MSG_CT_DELETE => NatEventKind::Delete,
        _ => return Message::Other,
    };
    let Some(&family) = body.first() else {
        return Message::Malformed;
    };
    let family = match family {
        AF_INET => Family::V4,
        AF_INET6 => Family::V6,
        _ => return Message::Other,
    };
    let Some(attrs) = body.get(NFGENMSG_LEN..) else {
        return Message::Malformed;
    };
    conntrack(event, family, attrs, now_ms).unwrap_or(Message::Malformed)
}

/// One side of a connection, as its tuple attribute says.
#[derive(Default)]
struct Tuple {
    src: [u8; 16],
    dst: [u8; 16],
    protocol: Option<u8>,
    src_port: u16,
    dst_port: u16,
    icmp_type: u8,
    icmp_code: u8,
    icmp_id: Option<u16>,
}

impl Tuple {
    /// The ports as C ipt_NETFLOW exports them: for ICMP the echo ID, and type/code.
    fn ports(&self) -> (u16, u16) {
        match (self.protocol, self.icmp_id) {
            (Some(proto::ICMP | proto::ICMPV6), id) => (
                id.unwrap_or(0),
                u16::from(self.icmp_type) << 8 | u16::from(self.icmp_code),
            ),
            _ => (self.src_port, self.dst_port),
        }
    }
}

fn conntrack(kind: NatEventKind, family: Family, attrs: &[u8], now_ms: u64) -> Option<Message> {
    let (mut orig, mut reply, mut status, mut stamps) = (None, None, None, (0u64, 0u64));
    for a in Attrs(attrs) {
        let (t, v) = a?;
        match t {
            CTA_TUPLE_ORIG => orig = Some(tuple(family, v)?),
            CTA_TUPLE_REPLY => reply = Some(tuple(family, v)?),
            CTA_STATUS => status = Some(be_u32(v)?),
            CTA_TIMESTAMP => stamps = timestamps(v)?,
            _ => {}
        }
    }
    let (orig, reply, status) = (orig?, reply?, status?);
    if status & IPS_NAT_MASK == 0 {
        return Some(Message::NotNat);
    }
    let protocol = orig.protocol?;
    let (src_port, dst_port) = orig.ports();
    // The reply direction runs from the translated destination to the translated source.
    let (reply_src_port, reply_dst_port) = reply.ports();
    let (post_src_port, post_dst_port) = match protocol {
        // ICMP's reply tuple has the reply type; the translation keeps the request's.
        proto::ICMP | proto::ICMPV6 => (reply_src_port, dst_port),
        _ => (reply_dst_port, reply_src_port),
    };
    // Conntrack's timestamps are real-time nanoseconds (0: not kept).
    let stamp = match kind {
        NatEventKind::Create => stamps.0,
        NatEventKind::Delete => stamps.1,
    };
    let time_ms = if stamp != 0 {
        stamp / 1_000_000
    } else {
        now_ms
    };
    Some(Message::Nat(NatEvent {
        kind,
        family,
        protocol,
        src: orig.src,
        dst: orig.dst,
        post_src: reply.dst,
        post_dst: reply.src,
        src_port,
        dst_port,
        post_src_port,
        post_dst_port,
        time_ms,
    }))
}

fn tuple(family: Family, v: &[u8]) -> Option<Tuple> {
    let mut t = Tuple::default();
    for a in Attrs(v) {
        let (kind, v) = a?;
        match kind {
            CTA_TUPLE_IP => {
                for a in Attrs(v) {
                    let (kind, v) = a?;
                    match (family, kind) {
                        (Family::V4, CTA_IP_V4_SRC) => copy(&mut t.src, v, 4)?,
                        (Family::V4, CTA_IP_V4_DST) => copy(&mut t.dst, v, 4)?,
                        (Family::V6, CTA_IP_V6_SRC) => copy(&mut t.src, v, 16)?,
                        (Family::V6, CTA_IP_V6_DST) => copy(&mut t.dst, v, 16)?,
                        _ => {}
                    }
                }
            }
            CTA_TUPLE_PROTO => {
                for a in Attrs(v) {
                    let (kind, v) = a?;
                    match kind {
                        CTA_PROTO_NUM => t.protocol = Some(*v.first()?),
                        CTA_PROTO_SRC_PORT => t.src_port = be_u16(v)?,
                        CTA_PROTO_DST_PORT => t.dst_port = be_u16(v)?,
                        CTA_PROTO_ICMP_ID | CTA_PROTO_ICMPV6_ID => t.icmp_id = Some(be_u16(v)?),
                        CTA_PROTO_ICMP_TYPE | CTA_PROTO_ICMPV6_TYPE => t.icmp_type = *v.first()?,
                        CTA_PROTO_ICMP_CODE | CTA_PROTO_ICMPV6_CODE => t.icmp_code = *v.first()?,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Some(t)
}

fn timestamps(v: &[u8]) -> Option<(u64, u64)> {
    let (mut start, mut stop) = (0, 0);
    for a in Attrs(v) {
        let (kind, v) = a?;
        match kind {
            CTA_TIMESTAMP_START => start = be_u64(v)?,
            CTA_TIMESTAMP_STOP => stop = be_u64(v)?,
            _ => {}
        }
    }
    Some((start, stop))
}

/// Copies an address of exactly `n` bytes into the front of `to`.
fn copy(to: &mut [u8; 16], v: &[u8], n: usize) -> Option<()> {
    if v.len() != n {
        return None;
    }
    to.get_mut(..n)?.copy_from_slice(v);
    Some(())
}

/// The attributes of a block: `(type, payload)`, or `None` once one is malformed (the
/// caller stops there).
struct Attrs<'a>(&'a [u8]);

impl<'a> Iterator for Attrs<'a> {
    type Item = Option<(u16, &'a [u8])>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.0.is_empty() {
            return None;
        }
        let parsed = (|| {
            let len = usize::from(ne_u16(self.0, 0)?);
            let kind = ne_u16(self.0, 2)? & NLA_TYPE_MASK;
            let payload = self.0.get(NLA_HDRLEN..len)?;
            // The last attribute may end unpadded.
            self.0 = self.0.get(align4(len)..).unwrap_or(&[]);
            Some((kind, payload))
        })();
        if parsed.is_none() {
            self.0 = &[];
        }
        Some(parsed)
    }
}

const fn align4(n: usize) -> usize {
    // n is a length within a datagram (far below usize::MAX).
    n.saturating_add(3) & !3
}

fn ne_u16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn ne_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn be_u16(v: &[u8]) -> Option<u16> {
    Some(u16::from_be_bytes(v.try_into().ok()?))
}

fn be_u32(v: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(v.try_into().ok()?))
}

fn be_u64(v: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(v.try_into().ok()?))
}
