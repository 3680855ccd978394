// SPDX-License-Identifier: GPL-2.0

//! What identifies a flow, and reading it out of packet bytes.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::flow::attributes::{self, ext, Attributes};

/// Address family of a flow.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
#[repr(u8)]
pub(crate) enum Family {
    /// IPv4: addresses use the first 4 bytes of the 16-byte fields, the rest is zero.
    V4 = 4,
    /// IPv6.
    V6 = 6,
}

/// The fields that tell one flow from another (as ipt_NETFLOW's flow key).
// In declaration order, no gap between the fields: the words of `words()` are then single
// loads, and a key compare is a few of them (see `PartialEq`).
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub(crate) struct FlowKey {
    /// Source address; IPv4 in the first 4 bytes.
    pub(crate) src: [u8; 16],
    /// Destination address; IPv4 in the first 4 bytes.
    pub(crate) dst: [u8; 16],
    /// Input interface index.
    pub(crate) in_if: u32,
    /// Source port; for ESP/AH the SPI's high 16 bits; else 0.
    pub(crate) src_port: u16,
    /// Destination port; for ICMP/ICMPv6 `type << 8 | code`, for IGMP the type, for
    /// ESP/AH the SPI's low 16 bits (as the C module: flows differ by them too).
    pub(crate) dst_port: u16,
    /// IP protocol (IPv6: the upper-layer protocol after extension headers).
    pub(crate) protocol: u8,
    /// IPv4 TOS / IPv6 traffic class.
    pub(crate) tos: u8,
    /// Address family.
    pub(crate) family: Family,
}

impl FlowKey {
    /// The fields after the addresses as two words, in memory order (each word is then
    /// one or two loads): input interface and ports; protocol, TOS and family.
    #[inline(always)]
    pub(crate) fn words(&self) -> (u64, u64) {
        // Widened before shifting by 32 and 48: no bit is lost.
        let ports = u64::from(self.in_if)
            | (u64::from(self.src_port) << 32)
            | (u64::from(self.dst_port) << 48);
        let small = u64::from(self.protocol)
            | (u64::from(self.tos) << 8)
            | (u64::from(self.family as u8) << 16);
        (ports, small)
    }
}

/// The 8-byte little-endian word at `i` (0 or 8) of a 16-byte address.
#[inline(always)]
pub(crate) fn addr_word(a: &[u8; 16], i: usize) -> u64 {
    let mut w = [0u8; 8];
    // Only called with 0 and 8: i + 8 <= 16, in bounds.
    w.copy_from_slice(&a[i..i + 8]);
    u64::from_le_bytes(w)
}

impl PartialEq for FlowKey {
    /// Every field, compared as seven words with no branch between them: for the packet
    /// path's lookup, about half the instructions of a field-by-field compare.
    #[inline(always)]
    fn eq(&self, other: &Self) -> bool {
        let (a1, a2) = self.words();
        let (b1, b2) = other.words();
        let addrs = (addr_word(&self.src, 0) ^ addr_word(&other.src, 0))
            | (addr_word(&self.src, 8) ^ addr_word(&other.src, 8))
            | (addr_word(&self.dst, 0) ^ addr_word(&other.dst, 0))
            | (addr_word(&self.dst, 8) ^ addr_word(&other.dst, 8));
        (addrs | (a1 ^ b1) | (a2 ^ b2)) == 0
    }
}

impl Eq for FlowKey {}

/// IP protocol numbers the parser looks into.
pub(crate) mod proto {
    /// ICMP (IPv4).
    pub(crate) const ICMP: u8 = 1;
    /// IGMP.
    pub(crate) const IGMP: u8 = 2;
    /// TCP.
    pub(crate) const TCP: u8 = 6;
    /// UDP.
    pub(crate) const UDP: u8 = 17;
    /// DCCP.
    pub(crate) const DCCP: u8 = 33;
    /// IPv6 hop-by-hop options header.
    pub(crate) const HOPOPTS: u8 = 0;
    /// IPv6 routing header.
    pub(crate) const ROUTING: u8 = 43;
    /// IPv6 fragment header.
    pub(crate) const FRAGMENT: u8 = 44;
    /// Encapsulating security payload (opaque: ends the header chain).
    pub(crate) const ESP: u8 = 50;
    /// Authentication header.
    pub(crate) const AH: u8 = 51;
    /// ICMPv6.
    pub(crate) const ICMPV6: u8 = 58;
    /// IPv6 "no next header".
    pub(crate) const NONE: u8 = 59;
    /// IPv6 destination options header.
    pub(crate) const DSTOPTS: u8 = 60;
    /// SCTP.
    pub(crate) const SCTP: u8 = 132;
    /// IPv6 mobility header.
    pub(crate) const MOBILITY: u8 = 135;
    /// UDP-Lite.
    pub(crate) const UDPLITE: u8 = 136;
}

/// TCP FIN flag (in [`Parsed::tcp_flags`]).
pub(crate) const TCP_FIN: u8 = 0x01;
/// TCP RST flag.
pub(crate) const TCP_RST: u8 = 0x04;

/// Longest IPv6 extension header chain walked before giving up; bounds the work an
/// attacker can make us do per packet.
pub(crate) const MAX_EXT_HEADERS: usize = 16;

impl FlowKey {
    /// igmpType (33) of an IPv4 IGMP flow, else 0.
    pub(crate) fn igmp_type(&self) -> u8 {
        match (self.protocol, self.family) {
            // The type is a byte, stored in the low byte of the port.
            (proto::IGMP, Family::V4) => self.dst_port.to_be_bytes()[1],
            _ => 0,
        }
    }

    /// ipSecSPI (295) of an ESP or AH flow, else 0.
    pub(crate) fn ipsec_spi(&self) -> u32 {
        match self.protocol {
            proto::ESP | proto::AH => (u32::from(self.src_port) << 16) | u32::from(self.dst_port),
            _ => 0,
        }
    }
}

/// Whether `protocol` carries 16-bit source and destination ports in its first 4 bytes.
pub(crate) fn has_ports(protocol: u8) -> bool {
    matches!(
        protocol,
        proto::TCP | proto::UDP | proto::UDPLITE | proto::SCTP | proto::DCCP
    )
}

/// Read access to a packet that may not be linear (mirrors `skb_header_pointer`).
pub(crate) trait PacketBytes {
    /// Total packet length in bytes, from the network header on.
    fn len(&self) -> usize;

    /// Copies `out.len()` bytes starting at `offset` into `out`; returns false (leaving
    /// `out` unspecified) if that range is not wholly inside the packet.
    fn copy_to(&self, offset: usize, out: &mut [u8]) -> bool;
}

impl PacketBytes for [u8] {
    #[inline]
    fn len(&self) -> usize {
        <[u8]>::len(self)
    }

    #[inline]
    fn copy_to(&self, offset: usize, out: &mut [u8]) -> bool {
        let Some(end) = offset.checked_add(out.len()) else {
            return false;
        };
        match self.get(offset..end) {
            Some(src) => {
                out.copy_from_slice(src);
                true
            }
            None => false,
        }
    }
}

/// How much of the flow key could be filled from the packet.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ParseKind {
    /// Ports (or ICMP type/code) read from a complete upper-layer header.
    Complete,
    /// A fragment other than the first: it carries no upper-layer header, ports are 0.
    NonFirstFragment,
    /// The upper-layer header (or an IPv6 extension header before it) is cut short:
    /// ports are 0 and the key holds addresses, protocol and TOS only. For a chain cut
    /// short, `protocol` is the header type that could not be read.
    Truncated,
    /// A protocol without ports known to this parser (GRE, ESP, no-next-header, an IPv6
    /// chain longer than [`MAX_EXT_HEADERS`]...): ports are 0.
    UnknownProtocol,
}

/// A packet's flow key, as read by [`read_ipv4`] or [`read_ipv6`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Parsed {
    /// The flow key (before aggregation).
    pub(crate) key: FlowKey,
    /// TCP flags (byte 13 of the TCP header); 0 unless a TCP header was read.
    pub(crate) tcp_flags: u8,
    /// How complete `key` is.
    pub(crate) kind: ParseKind,
    /// What else the packet tells about its flow.
    pub(crate) attrs: Attributes,
}

/// Why a packet has no usable IP header; such packets cannot be accounted.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Malformed {
    /// The version nibble does not match the parser called.
    BadVersion,
    /// IPv4 IHL below 5 (20 bytes).
    BadHeaderLength,
    /// The packet is shorter than its (fixed or stated) IP header.
    Truncated,
}

/// Length of the fixed upper-layer header that must be present before its ports (and
/// TCP flags) are trusted; `None` for protocols without ports we read.
fn l4_min_len(protocol: u8, family: Family) -> Option<usize> {
    match (protocol, family) {
        (proto::TCP, _) => Some(20),
        (proto::UDP | proto::UDPLITE, _) => Some(8),
        (proto::SCTP | proto::DCCP, _) => Some(12),
        (proto::ICMP, Family::V4) => Some(8),
        (proto::ICMPV6, Family::V6) => Some(4),
        _ => None,
    }
}

impl Parsed {
    /// What a parser starts from: a key of `family` seen on `in_if`, nothing read yet.
    #[inline(always)]
    pub(crate) fn empty(family: Family, in_if: u32) -> Self {
        Self {
            key: FlowKey {
                src: [0; 16],
                dst: [0; 16],
                in_if,
                src_port: 0,
                dst_port: 0,
                protocol: 0,
                tos: 0,
                family,
            },
            tcp_flags: 0,
            kind: ParseKind::Complete,
            attrs: Attributes::default(),
        }
    }
}

/// Fills ports / ICMP type-code, TCP flags and the upper layer's attributes from the
/// upper-layer header at `off`, and says how complete the key is.
// The parsers fill one `Parsed` in place and are always inlined into the packet path:
// returned by value from each exit, the key and attributes were built in one place and
// copied into another (about 60 instructions a packet, by the bench's trace).
#[inline(always)]
fn parse_l4<P: PacketBytes + ?Sized>(pkt: &P, off: usize, p: &mut Parsed) {
    let key = &mut p.key;
    let Some(need) = l4_min_len(key.protocol, key.family) else {
        read_portless_l4(pkt, off, key);
        p.kind = ParseKind::UnknownProtocol;
        return;
    };
    // The whole fixed header must be there; only its first 4 bytes (and the TCP flags)
    // are read, in copies of constant size.
    let mut hdr = [0u8; 4];
    let within = off.checked_add(need).is_some_and(|end| end <= pkt.len());
    if !within || !pkt.copy_to(off, &mut hdr) {
        p.kind = ParseKind::Truncated;
        return;
    }
    if !has_ports(key.protocol) {
        // ICMP / ICMPv6: type and code in the destination port, as the C module.
        key.dst_port = u16::from_be_bytes([hdr[0], hdr[1]]);
        return;
    }
    key.src_port = u16::from_be_bytes([hdr[0], hdr[1]]);
    key.dst_port = u16::from_be_bytes([hdr[2], hdr[3]]);
    let mut fl = [0u8; 2];
    // Inside the 20 bytes checked above: off + 20 did not overflow, so off + 12 cannot.
    if key.protocol == proto::TCP && pkt.copy_to(off + 12, &mut fl) {
        p.tcp_flags = fl[1];
        // Data offset in 4-byte words: options follow the fixed 20 bytes when above 5.
        let opts_len = usize::from(fl[0] >> 4).saturating_mul(4).saturating_sub(20);
        if opts_len != 0 {
            let mut opts = [0u8; 40];
            // opts_len <= 60 - 20 = 40; off + 20 checked above.
            let opts = &mut opts[..opts_len];
            if pkt.copy_to(off + 20, opts) {
                p.attrs.tcp_options = attributes::tcp_options(opts);
            }
        }
    }
}

/// The IGMP type and the IPsec SPI of the portless protocols that have them, kept in the
/// key's ports (see [`FlowKey::igmp_type`], [`FlowKey::ipsec_spi`]); what cannot be read
/// stays 0.
fn read_portless_l4<P: PacketBytes + ?Sized>(pkt: &P, off: usize, key: &mut FlowKey) {
    let spi = match key.protocol {
        proto::IGMP if key.family == Family::V4 => {
            let mut t = [0u8; 1];
            if pkt.copy_to(off, &mut t) {
                key.dst_port = t[0].into();
            }
            return;
        }
        proto::ESP => read_u32(pkt, off),
        // Next header, length, 2 reserved bytes, then the SPI.
        proto::AH => off.checked_add(4).map_or(0, |o| read_u32(pkt, o)),
        _ => return,
    };
    let [a, b, c, d] = spi.to_be_bytes();
    key.src_port = u16::from_be_bytes([a, b]);
    key.dst_port = u16::from_be_bytes([c, d]);
}

fn read_u32<P: PacketBytes + ?Sized>(pkt: &P, off: usize) -> u32 {
    let mut b = [0u8; 4];
    if pkt.copy_to(off, &mut b) {
        u32::from_be_bytes(b)
    } else {
        0
    }
}

/// Reads the flow key of an IPv4 packet starting at its network header into `p`, which
/// is `Parsed::empty(Family::V4, in_if)`; on an error `p` is unspecified.
///
/// IP options are skipped; the IPv4 total length is not used (the stack already trimmed
/// the packet to it, and GSO packets may carry 0 there).
#[inline(always)]
pub(crate) fn read_ipv4<P: PacketBytes + ?Sized>(pkt: &P, p: &mut Parsed) -> Result<(), Malformed> {
    // Constant indexes into this fixed-size array (and `v`, `e`, `hdr` below) are checked
    // at compile time.
    let mut h = [0u8; 20];
    if !pkt.copy_to(0, &mut h) {
        // Tell a wrong version from a short packet when at least one byte is there.
        let mut v = [0u8; 1];
        if pkt.copy_to(0, &mut v) && v[0] >> 4 != 4 {
            return Err(Malformed::BadVersion);
        }
        return Err(Malformed::Truncated);
    }
    if h[0] >> 4 != 4 {
        return Err(Malformed::BadVersion);
    }
    // A nibble times 4: at most 60.
    let ihl = usize::from(h[0] & 0x0f) * 4;
    if ihl < 20 {
        return Err(Malformed::BadHeaderLength);
    }
    if pkt.len() < ihl {
        return Err(Malformed::Truncated);
    }
    let key = &mut p.key;
    key.protocol = h[9];
    key.tos = h[1];
    key.src[..4].copy_from_slice(&h[12..16]);
    key.dst[..4].copy_from_slice(&h[16..20]);
    if ihl > 20 {
        let mut opts = [0u8; 40];
        // 20 < ihl <= 60, and the packet holds ihl bytes (checked above).
        let opts = &mut opts[..ihl - 20];
        if pkt.copy_to(20, opts) {
            p.attrs.ip_options = attributes::ipv4_options(opts);
        }
    }
    let frag_offset = u16::from_be_bytes([h[6], h[7]]) & 0x1fff;
    if frag_offset != 0 {
        p.kind = ParseKind::NonFirstFragment;
        return Ok(());
    }
    parse_l4(pkt, ihl, p);
    Ok(())
}

/// Reads the flow key of an IPv6 packet starting at its network header into `p`, which
/// is `Parsed::empty(Family::V6, in_if)`; on an error `p` is unspecified.
///
/// Walks up to [`MAX_EXT_HEADERS`] extension headers (hop-by-hop, routing, fragment,
/// destination options, AH, mobility); ESP and "no next header" end the walk and become
/// the key's protocol. The payload length field is not used (jumbograms carry 0).
#[inline(always)]
pub(crate) fn read_ipv6<P: PacketBytes + ?Sized>(pkt: &P, p: &mut Parsed) -> Result<(), Malformed> {
    // Constant indexes into fixed-size arrays: checked at compile time.
    let mut h = [0u8; 40];
    if !pkt.copy_to(0, &mut h) {
        let mut v = [0u8; 1];
        if pkt.copy_to(0, &mut v) && v[0] >> 4 != 6 {
            return Err(Malformed::BadVersion);
        }
        return Err(Malformed::Truncated);
    }
    if h[0] >> 4 != 6 {
        return Err(Malformed::BadVersion);
    }
    p.key.protocol = h[6];
    // u8 shifts by 4 < 8 drop the high nibble on purpose (no overflow check on shl bits).
    p.key.tos = (h[0] << 4) | (h[1] >> 4);
    p.key.src.copy_from_slice(&h[8..24]);
    p.key.dst.copy_from_slice(&h[24..40]);
    p.attrs.flow_label = u32::from_be_bytes([0, h[1] & 0x0f, h[2], h[3]]);

    let mut off: usize = 40;
    for _ in 0..MAX_EXT_HEADERS {
        let protocol = p.key.protocol;
        let hdr_len = match protocol {
            proto::HOPOPTS | proto::ROUTING | proto::DSTOPTS | proto::MOBILITY => {
                p.attrs.ip_options |= match protocol {
                    proto::HOPOPTS => ext::HOP,
                    proto::ROUTING => ext::RH,
                    proto::DSTOPTS => ext::DST,
                    _ => ext::MOB,
                };
                let mut e = [0u8; 2];
                if !pkt.copy_to(off, &mut e) {
                    p.kind = ParseKind::Truncated;
                    return Ok(());
                }
                p.key.protocol = e[0];
                // A byte plus 1, times 8: at most 2048.
                (usize::from(e[1]) + 1) * 8
            }
            proto::AH => {
                p.attrs.ip_options |= ext::AH;
                let mut e = [0u8; 2];
                if !pkt.copy_to(off, &mut e) {
                    p.kind = ParseKind::Truncated;
                    return Ok(());
                }
                // Its SPI is not kept: the flow is the upper layer's (an ESP after it
                // gives its own SPI, as in C).
                p.key.protocol = e[0];
                // AH counts 4-byte units, minus 2. A byte plus 2, times 4: at most 1028.
                (usize::from(e[1]) + 2) * 4
            }
            proto::FRAGMENT => {
                let mut e = [0u8; 8];
                if !pkt.copy_to(off, &mut e) {
                    p.attrs.ip_options |= ext::FRA0;
                    p.kind = ParseKind::Truncated;
                    return Ok(());
                }
                p.key.protocol = e[0];
                if u16::from_be_bytes([e[2], e[3]]) >> 3 != 0 {
                    p.attrs.ip_options |= ext::FRA1;
                    p.kind = ParseKind::NonFirstFragment;
                    return Ok(());
                }
                p.attrs.ip_options |= ext::FRA0;
                8
            }
            _ => {
                p.attrs.ip_options |= upper_layer_bit(protocol);
                parse_l4(pkt, off, p);
                return Ok(());
            }
        };
        // At most 40 + 16 * 2048 bytes: cannot overflow, but stay checked anyway.
        off = match off.checked_add(hdr_len) {
            Some(o) => o,
            None => {
                p.kind = ParseKind::Truncated;
                return Ok(());
            }
        };
    }
    // Still inside the chain after the limit: give up on the upper layer.
    match p.key.protocol {
        proto::HOPOPTS
        | proto::ROUTING
        | proto::DSTOPTS
        | proto::MOBILITY
        | proto::AH
        | proto::FRAGMENT => p.kind = ParseKind::UnknownProtocol,
        protocol => {
            p.attrs.ip_options |= upper_layer_bit(protocol);
            parse_l4(pkt, off, p);
        }
    }
    Ok(())
}

/// The ipv6ExtensionHeaders bit of the header that ends the chain: ESP, "unknown" for
/// an upper layer this parser does not know, none for a known one.
fn upper_layer_bit(protocol: u8) -> u32 {
    match protocol {
        proto::ESP => ext::ESP,
        // IPIP, IPv6-in-IPv6, GRE, PIM, L2TP: known, not extension headers.
        4 | 41 | 47 | 103 | 115 | proto::ICMPV6 | proto::NONE => 0,
        p if has_ports(p) => 0,
        _ => ext::UNK,
    }
}
