// SPDX-License-Identifier: GPL-2.0

//! What a packet tells about its flow beyond the key: exported, never compared. The
//! option bit maps are cumulative (a flow's value is the OR over its packets, RFC 7012);
//! the others are taken from a flow's first packet.
//!
//! Bit maps follow RFC 7012's figures, where bit 0 is the leftmost, i.e. the most
//! significant bit of the value as sent.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

/// A packet's attributes, as read by the key parsers.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Attributes {
    /// IPv4: ipv4Options (208) bit map; IPv6: ipv6ExtensionHeaders (64) bit map.
    pub(crate) ip_options: u32,
    /// tcpOptions (209): bit X set for TCP option kind X < 64.
    pub(crate) tcp_options: u64,
    /// IPv6 flow label (31), 20 bits; 0 for IPv4.
    pub(crate) flow_label: u32,
}

/// The bit of a 32-bit map that RFC 7012 numbers `n` (0 = most significant).
const fn bit32(n: u32) -> u32 {
    // Callers pass n < 32 (table values and constants).
    1 << (31 - n)
}

/// ipv4Options bit numbers (RFC 7012, IANA) of IPv4 option types.
fn ipv4_option_bit(option: u8) -> Option<u32> {
    Some(match option {
        7 => 0,                    // RR
        134 => 1,                  // CIPSO
        133 => 2,                  // E-SEC
        68 => 3,                   // TS
        131 => 4,                  // LSR
        130 => 5,                  // SEC
        1 => 6,                    // NOP
        0 => 7,                    // EOOL
        15 => 8,                   // ENCODE
        142 => 9,                  // VISA
        205 => 10,                 // FINN
        12 => 11,                  // MTUR
        11 => 12,                  // MTUP
        10 => 13,                  // ZSU
        137 => 14,                 // SSR
        136 => 15,                 // SID
        151 => 16,                 // DPS
        150 => 17,                 // NSAPA
        149 => 18,                 // SDB
        147 => 19,                 // ADDEXT
        148 => 20,                 // RTRALT
        82 => 21,                  // TR
        145 => 22,                 // EIP
        144 => 23,                 // IMITD
        30 | 94 | 158 | 222 => 25, // EXP
        25 => 30,                  // QS
        152 => 31,                 // UMP
        _ => return None,
    })
}

/// Calls `f` with the kind of every option in a TCP or IPv4 option list (both share the
/// layout: kinds 0 and 1 are one byte, the others carry a length byte covering the whole
/// option). Stops at the end-of-list option or at a length that cannot be right.
fn for_each_option(opts: &[u8], mut f: impl FnMut(u8)) {
    let mut i = 0usize;
    while let Some(&kind) = opts.get(i) {
        f(kind);
        match kind {
            0 => return,
            // i < opts.len() <= 40: no overflow.
            1 => i += 1,
            _ => match opts.get(i + 1) {
                Some(&len) if len >= 2 => i += usize::from(len),
                _ => return,
            },
        }
    }
}

/// The ipv4Options bit map of an IPv4 header's options (the bytes after the first 20).
pub(crate) fn ipv4_options(opts: &[u8]) -> u32 {
    let mut map = 0;
    for_each_option(opts, |kind| {
        if let Some(bit) = ipv4_option_bit(kind) {
            map |= bit32(bit);
        }
    });
    map
}

/// The tcpOptions bit map of a TCP header's options (the bytes after the first 20).
pub(crate) fn tcp_options(opts: &[u8]) -> u64 {
    let mut map = 0u64;
    for_each_option(opts, |kind| {
        if kind < 64 {
            // kind < 64: the shift is in range.
            map |= 1 << (63 - u32::from(kind));
        }
    });
    map
}

/// ipv6ExtensionHeaders bits (RFC 7012).
pub(crate) mod ext {
    use super::bit32;

    /// Destination options header.
    pub(crate) const DST: u32 = bit32(0);
    /// Hop-by-hop options header.
    pub(crate) const HOP: u32 = bit32(1);
    /// An unknown upper-layer header.
    pub(crate) const UNK: u32 = bit32(3);
    /// Fragment header, first fragment.
    pub(crate) const FRA0: u32 = bit32(4);
    /// Routing header.
    pub(crate) const RH: u32 = bit32(5);
    /// Fragment header, not the first fragment.
    pub(crate) const FRA1: u32 = bit32(6);
    /// Mobility header.
    pub(crate) const MOB: u32 = bit32(12);
    /// Encapsulating security payload.
    pub(crate) const ESP: u32 = bit32(13);
    /// Authentication header.
    pub(crate) const AH: u32 = bit32(14);
}
