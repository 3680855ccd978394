// SPDX-License-Identifier: GPL-2.0

//! The ctnetlink event parser: messages built as `ctnetlink_conntrack_event` builds them
//! (net/netfilter/nf_conntrack_netlink.c), and hostile ones.

use super::common::XorShift;
use crate::flow::key::Family;
use crate::nat::ctnetlink::{parse, Message};
use crate::nat::event::{NatEvent, NatEventKind};

const NOW: u64 = 1_700_000_000_000;

/// A netlink attribute (host-order header, padded to 4).
pub fn attr(kind: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&((4 + payload.len()) as u16).to_ne_bytes());
    v.extend_from_slice(&kind.to_ne_bytes());
    v.extend_from_slice(payload);
    while v.len() % 4 != 0 {
        v.push(0);
    }
    v
}

/// A nested attribute (NLA_F_NESTED set, as the kernel sets it).
pub fn nest(kind: u16, parts: &[Vec<u8>]) -> Vec<u8> {
    attr(kind | 0x8000, &parts.concat())
}

/// One side's tuple: CTA_TUPLE_IP and CTA_TUPLE_PROTO.
pub fn tuple(
    kind: u16,
    v6: bool,
    src: &[u8],
    dst: &[u8],
    proto: u8,
    sport: u16,
    dport: u16,
) -> Vec<u8> {
    let (s, d) = if v6 { (3, 4) } else { (1, 2) };
    let l4 = if proto == 1 || proto == 58 {
        let (id, t, c) = if proto == 1 { (4, 5, 6) } else { (7, 8, 9) };
        vec![
            attr(1, &[proto]),
            attr(id, &sport.to_be_bytes()),
            attr(t, &[(dport >> 8) as u8]),
            attr(c, &[dport as u8]),
        ]
    } else {
        vec![
            attr(1, &[proto]),
            attr(2, &sport.to_be_bytes()),
            attr(3, &dport.to_be_bytes()),
        ]
    };
    nest(
        kind,
        &[nest(1, &[attr(s, src), attr(d, dst)]), nest(2, &l4)],
    )
}

/// A whole message: nlmsghdr (type, flags), nfgenmsg (family), attributes.
pub fn message(msg_type: u16, flags: u16, family: u8, attrs: &[Vec<u8>]) -> Vec<u8> {
    let body = attrs.concat();
    let len = 16 + 4 + body.len();
    let mut v = Vec::new();
    v.extend_from_slice(&(len as u32).to_ne_bytes());
    v.extend_from_slice(&(1u16 << 8 | msg_type).to_ne_bytes());
    v.extend_from_slice(&flags.to_ne_bytes());
    v.extend_from_slice(&0u32.to_ne_bytes()); // seq
    v.extend_from_slice(&0u32.to_ne_bytes()); // pid
    v.extend_from_slice(&[family, 0, 0, 0]);
    v.extend_from_slice(&body);
    v
}

/// A full-NAT (MASQUERADE + DNAT) TCP connection 10.1.0.2:40000 -> 10.1.0.1:8080,
/// translated to 10.2.0.1:40001 -> 10.2.0.2:80, as a create (NEW + NLM_F_CREATE|EXCL) or
/// a delete event, with the status and, if given, conntrack's timestamps.
pub fn full_nat(create: bool, status: u32, stamps: Option<(u64, u64)>) -> Vec<u8> {
    let mut attrs = vec![
        tuple(1, false, &[10, 1, 0, 2], &[10, 1, 0, 1], 6, 40000, 8080),
        tuple(2, false, &[10, 2, 0, 2], &[10, 2, 0, 1], 6, 80, 40001),
        attr(12, &7u32.to_be_bytes()), // CTA_ID
        attr(3, &status.to_be_bytes()),
    ];
    if let Some((start, stop)) = stamps {
        attrs.push(nest(
            20,
            &[attr(1, &start.to_be_bytes()), attr(2, &stop.to_be_bytes())],
        ));
    }
    let (msg_type, flags) = if create { (0, 0x400 | 0x200) } else { (2, 0) };
    message(msg_type, flags, 2, &attrs)
}

fn v4(a: [u8; 4]) -> [u8; 16] {
    let mut v = [0; 16];
    v[..4].copy_from_slice(&a);
    v
}

fn all(datagram: &[u8]) -> Vec<Message> {
    let mut out = Vec::new();
    parse(datagram, NOW, |m| out.push(m));
    out
}

const NAT_STATUS: u32 = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x80 | 0x100; // seen reply, confirmed, SNAT+DNAT done

#[test]
fn full_nat_create_and_delete() {
    let want = NatEvent {
        kind: NatEventKind::Create,
        family: Family::V4,
        protocol: 6,
        src: v4([10, 1, 0, 2]),
        dst: v4([10, 1, 0, 1]),
        post_src: v4([10, 2, 0, 1]),
        post_dst: v4([10, 2, 0, 2]),
        src_port: 40000,
        dst_port: 8080,
        post_src_port: 40001,
        post_dst_port: 80,
        time_ms: NOW,
    };
    assert_eq!(all(&full_nat(true, NAT_STATUS, None)), [Message::Nat(want)]);
    assert!(want.source_translated() && want.destination_translated());
    // Conntrack's timestamps (real-time ns) date the event: start for a create, stop for
    // a delete.
    let stamps = Some((1_600_000_000_123_456_789, 1_600_000_005_987_654_321));
    assert_eq!(
        all(&full_nat(true, NAT_STATUS, stamps)),
        [Message::Nat(NatEvent {
            time_ms: 1_600_000_000_123,
            ..want
        })]
    );
    assert_eq!(
        all(&full_nat(false, NAT_STATUS, stamps)),
        [Message::Nat(NatEvent {
            kind: NatEventKind::Delete,
            time_ms: 1_600_000_005_987,
            ..want
        })]
    );
}

#[test]
fn without_nat_or_not_an_event() {
    // No IPS_SRC_NAT / IPS_DST_NAT: a connection without translation.
    assert_eq!(all(&full_nat(true, 0x8 | 0x2, None)), [Message::NotNat]);
    // An update (IPCTNL_MSG_CT_NEW without NLM_F_CREATE) is no creation.
    let mut upd = full_nat(true, NAT_STATUS, None);
    upd[6] = 0;
    upd[7] = 0;
    assert_eq!(all(&upd), [Message::Other]);
    // Netlink's own messages and other subsystems.
    let mut done = full_nat(true, NAT_STATUS, None);
    done[4..6].copy_from_slice(&3u16.to_ne_bytes());
    assert_eq!(all(&done), [Message::Other]);
    let mut other = full_nat(true, NAT_STATUS, None);
    other[4..6].copy_from_slice(&(2u16 << 8).to_ne_bytes());
    assert_eq!(all(&other), [Message::Other]);
    // An unknown family (the nfgenmsg's).
    let mut fam = full_nat(true, NAT_STATUS, None);
    fam[16] = 7;
    assert_eq!(all(&fam), [Message::Other]);
}

#[test]
fn ipv6_and_icmp() {
    let a = |last: u8| {
        let mut v = [0u8; 16];
        v[0] = 0xfd;
        v[1] = 0x01;
        v[15] = last;
        v
    };
    let b = |last: u8| {
        let mut v = a(last);
        v[1] = 0x02;
        v
    };
    let msg = message(
        0,
        0x600,
        10,
        &[
            tuple(1, true, &a(2), &a(1), 17, 5000, 53),
            tuple(2, true, &b(2), &b(1), 17, 53, 5001),
            attr(3, &NAT_STATUS.to_be_bytes()),
        ],
    );
    let [Message::Nat(ev)] = all(&msg)[..] else {
        panic!("{:?}", all(&msg));
    };
    assert_eq!((ev.family, ev.protocol), (Family::V6, 17));
    assert_eq!(
        (ev.src, ev.dst, ev.post_src, ev.post_dst),
        (a(2), a(1), b(1), b(2))
    );
    assert_eq!(
        (ev.src_port, ev.dst_port, ev.post_src_port, ev.post_dst_port),
        (5000, 53, 5001, 53)
    );
    // ICMP echo: the ID as the source port (translated in the reply tuple), type and
    // code of the request as the destination port.
    let msg = message(
        0,
        0x600,
        2,
        &[
            tuple(1, false, &[10, 1, 0, 2], &[10, 2, 0, 2], 1, 77, 8 << 8),
            tuple(2, false, &[10, 2, 0, 2], &[10, 2, 0, 1], 1, 78, 0),
            attr(3, &0x10u32.to_be_bytes()),
        ],
    );
    let [Message::Nat(ev)] = all(&msg)[..] else {
        panic!("{:?}", all(&msg));
    };
    assert_eq!(
        (ev.src_port, ev.dst_port, ev.post_src_port, ev.post_dst_port),
        (77, 8 << 8, 78, 8 << 8)
    );
}

#[test]
fn several_messages_in_a_datagram() {
    let mut d = full_nat(true, NAT_STATUS, None);
    d.extend(full_nat(false, 0x8, None));
    d.extend(full_nat(false, NAT_STATUS, None));
    let got = all(&d);
    assert_eq!(got.len(), 3);
    assert!(matches!(got[0], Message::Nat(e) if e.kind == NatEventKind::Create));
    assert_eq!(got[1], Message::NotNat);
    assert!(matches!(got[2], Message::Nat(e) if e.kind == NatEventKind::Delete));
}

#[test]
fn cut_or_damaged_messages_are_malformed() {
    let m = full_nat(true, NAT_STATUS, Some((1, 2)));
    // Cut anywhere: never a NAT event from a part, and always something reported.
    for n in 0..m.len() {
        let got = all(&m[..n]);
        assert!(
            !got.iter().any(|g| matches!(g, Message::Nat(_))),
            "cut at {n}: {got:?}"
        );
        if n > 0 {
            assert!(got.contains(&Message::Malformed), "cut at {n}: {got:?}");
        }
    }
    // A header length shorter than the header, or past the datagram.
    for len in [0u32, 15, m.len() as u32 + 1, u32::MAX] {
        let mut d = m.clone();
        d[..4].copy_from_slice(&len.to_ne_bytes());
        assert_eq!(all(&d), [Message::Malformed], "length {len}");
    }
    // An attribute length past its block, or below its header.
    for at in [20usize, 24] {
        for len in [0u16, 3, 0xffff] {
            let mut d = m.clone();
            d[at..at + 2].copy_from_slice(&len.to_ne_bytes());
            assert_eq!(
                all(&d),
                [Message::Malformed],
                "attribute at {at}, length {len}"
            );
        }
    }
    // An address of the wrong length.
    let bad = message(
        0,
        0x600,
        2,
        &[
            nest(
                1,
                &[nest(1, &[attr(1, &[10, 1, 0]), attr(2, &[10, 1, 0, 1])])],
            ),
            tuple(2, false, &[10, 2, 0, 2], &[10, 2, 0, 1], 6, 80, 1),
            attr(3, &NAT_STATUS.to_be_bytes()),
        ],
    );
    assert_eq!(all(&bad), [Message::Malformed]);
    // No reply tuple, or no status.
    let no_reply = message(
        0,
        0x600,
        2,
        &[
            tuple(1, false, &[1; 4], &[2; 4], 6, 1, 2),
            attr(3, &NAT_STATUS.to_be_bytes()),
        ],
    );
    assert_eq!(all(&no_reply), [Message::Malformed]);
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = XorShift(0x5eed_0001);
    let seed = [
        full_nat(true, NAT_STATUS, Some((5, 6))),
        full_nat(false, NAT_STATUS, None),
    ]
    .concat();
    for round in 0..20_000 {
        let mut d = seed.clone();
        for _ in 0..1 + round % 8 {
            let i = rng.below(d.len());
            d[i] = rng.next() as u8;
        }
        d.truncate(rng.below(d.len() + 1));
        let mut n = 0;
        parse(&d, NOW, |_| n += 1);
        assert!(n <= d.len() / 16 + 1);
    }
}
