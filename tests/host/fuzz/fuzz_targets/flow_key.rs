// SPDX-License-Identifier: GPL-2.0

//! Packet key extraction: never panics on any bytes; the result does not depend on how
//! the packet is split into fragments (non-linear skbs), and keys are well formed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netflow_pure::flow::key::{
    has_ports, parse_ipv4, parse_ipv6, Family, PacketBytes, ParseKind, Parsed,
};

/// A packet in two pieces, as a non-linear skb (head + one page fragment).
struct Split<'a>(&'a [u8], &'a [u8]);

impl PacketBytes for Split<'_> {
    fn len(&self) -> usize {
        self.0.len() + self.1.len()
    }

    fn copy_to(&self, offset: usize, out: &mut [u8]) -> bool {
        let Some(end) = offset.checked_add(out.len()) else {
            return false;
        };
        if end > self.len() {
            return false;
        }
        for (i, o) in out.iter_mut().enumerate() {
            let at = offset + i;
            *o = if at < self.0.len() {
                self.0[at]
            } else {
                self.1[at - self.0.len()]
            };
        }
        true
    }
}

fn well_formed(p: &Parsed) {
    match p.key.family {
        Family::V4 => assert!(p.key.src[4..]
            .iter()
            .chain(&p.key.dst[4..])
            .all(|&b| b == 0)),
        Family::V6 => {}
    }
    if p.kind != ParseKind::Complete {
        assert_eq!((p.key.src_port, p.key.dst_port, p.tcp_flags), (0, 0, 0));
    }
    if p.kind == ParseKind::Complete && !has_ports(p.key.protocol) {
        assert_eq!(p.key.src_port, 0);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&cut, pkt)) = data.split_first() else {
        return;
    };
    let cut = usize::from(cut).min(pkt.len());
    let split = Split(&pkt[..cut], &pkt[cut..]);
    let v4 = parse_ipv4(pkt, 7);
    assert_eq!(v4, parse_ipv4(&split, 7));
    let v6 = parse_ipv6(pkt, 7);
    assert_eq!(v6, parse_ipv6(&split, 7));
    for p in [v4, v6].iter().flatten() {
        well_formed(p);
        assert_eq!(p.key.in_if, 7);
    }
});
