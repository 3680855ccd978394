// SPDX-License-Identifier: GPL-2.0

//! Aggregation rules (the `aggregation` parameter): parsing, matching, display.
//!
//! Syntax, as the C module: rules separated by commas (spaces also accepted), each either
//! a netmask rule `A.B.C.D/M=N` or `ADDR6/M=N` (addresses inside the /M network are
//! stripped to /N; N may be larger or smaller than M) or a port rule `P=R` / `P-Q=R`
//! (ports P..=Q become R). Rules are tried in order; netmask rules and port rules are
//! matched separately, first match wins, for source and destination independently.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};
use core::ops::Range;

use crate::flow::key::{has_ports, Family, FlowKey};

/// Most rules one aggregation string may hold.
pub(crate) const MAX_RULES: usize = 32;

/// Longest aggregation string accepted, in bytes (the C module's buffer size).
pub(crate) const MAX_LEN: usize = 1024;

/// Strip addresses inside a network to a shorter (or longer) prefix.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct NetRule {
    /// Family of the network; only keys of the same family match.
    pub(crate) family: Family,
    /// The network, with bits beyond `prefix` cleared (IPv4 in the first 4 bytes).
    pub(crate) addr: [u8; 16],
    /// Prefix length of the network (M).
    pub(crate) prefix: u8,
    /// Prefix length matching addresses are stripped to (N).
    pub(crate) strip: u8,
}

/// Replace ports within a range by one port.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct PortRule {
    /// First port of the range.
    pub(crate) lo: u16,
    /// Last port of the range (inclusive).
    pub(crate) hi: u16,
    /// Port that replaces any port in `lo..=hi`.
    pub(crate) replace: u16,
}

/// One aggregation rule.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Rule {
    /// Netmask aggregation.
    Net(NetRule),
    /// Port aggregation.
    Port(PortRule),
}

/// A parsed aggregation string: up to [`MAX_RULES`] rules in definition order.
#[derive(Clone)]
pub(crate) struct Rules {
    rules: [Rule; MAX_RULES],
    len: usize,
}

// Compare and show only the used slots.
impl PartialEq for Rules {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Rules {}

impl fmt::Debug for Rules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// What [`Rules::apply`] changed in a key. Indices are positions in [`Rules::as_slice`],
/// for per-rule usage counters.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Applied {
    /// Netmask rule that matched the source address.
    pub(crate) src_net: Option<usize>,
    /// Netmask rule that matched the destination address.
    pub(crate) dst_net: Option<usize>,
    /// Port rule that matched the source port.
    pub(crate) src_port: Option<usize>,
    /// Port rule that matched the destination port.
    pub(crate) dst_port: Option<usize>,
    /// Prefix length the source address was stripped to, 0 if no rule matched.
    pub(crate) src_mask: u8,
    /// Prefix length the destination address was stripped to, 0 if no rule matched.
    pub(crate) dst_mask: u8,
}

impl Applied {
    /// Indices of the rules that matched (a rule matching both directions counts twice).
    pub(crate) fn matched(&self) -> impl Iterator<Item = usize> {
        [self.src_net, self.dst_net, self.src_port, self.dst_port]
            .into_iter()
            .flatten()
    }
}

/// Why an aggregation string was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RuleErrorKind {
    /// The whole string is longer than [`MAX_LEN`].
    TooLong,
    /// More than [`MAX_RULES`] rules.
    TooMany,
    /// Not of the form `ADDR/M=N`, `P=R` or `P-Q=R`, or a number is missing.
    Syntax,
    /// The address is not a valid IPv4 or IPv6 address.
    BadAddress,
    /// M exceeds the address width (32 or 128).
    PrefixOutOfRange,
    /// N exceeds the address width (32 or 128).
    StripOutOfRange,
    /// A port above 65535.
    PortOutOfRange,
    /// A port range whose first port is above its last.
    ReversedRange,
    /// Characters left after a number.
    TrailingJunk,
}

impl RuleErrorKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::TooLong => "aggregation string too long",
            Self::TooMany => "too many rules",
            Self::Syntax => "expected ADDR/M=N, PORT=PORT or PORT-PORT=PORT",
            Self::BadAddress => "bad address",
            Self::PrefixOutOfRange => "prefix length out of range",
            Self::StripOutOfRange => "strip length out of range",
            Self::PortOutOfRange => "port out of range",
            Self::ReversedRange => "port range reversed",
            Self::TrailingJunk => "trailing characters after number",
        }
    }
}

impl fmt::Display for RuleErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused aggregation string: which rule, where, and why.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct RuleError<'a> {
    /// 1-based number of the offending rule; 0 for [`RuleErrorKind::TooLong`].
    pub(crate) index: usize,
    /// The offending rule's text (empty for [`RuleErrorKind::TooLong`]).
    pub(crate) text: &'a str,
    /// Byte range of `text` in the parsed string (the whole string for `TooLong`).
    pub(crate) span: Range<usize>,
    /// Why it was refused.
    pub(crate) reason: RuleErrorKind,
}

impl fmt::Display for RuleError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason {
            RuleErrorKind::TooLong => write!(
                f,
                "aggregation string too long ({} bytes, max {})",
                self.span.end, MAX_LEN
            ),
            RuleErrorKind::TooMany => write!(
                f,
                "rule {} \"{}\": too many rules (max {})",
                self.index, self.text, MAX_RULES
            ),
            r => write!(f, "rule {} \"{}\": {}", self.index, self.text, r),
        }
    }
}

impl fmt::Display for NetRule {
    /// `match a.b.c.d/M strip N` (as in `/proc/net/stat/ipt_netflow`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.family {
            Family::V4 => {
                let a = self.addr;
                // Constant indexes into a [u8; 16]: checked at compile time.
                let ip = Ipv4Addr::new(a[0], a[1], a[2], a[3]);
                write!(f, "match {}/{} strip {}", ip, self.prefix, self.strip)
            }
            Family::V6 => {
                let ip = Ipv6Addr::from(self.addr);
                write!(f, "match {}/{} strip {}", ip, self.prefix, self.strip)
            }
        }
    }
}

impl fmt::Display for PortRule {
    /// `ports A-B replace C` (as in `/proc/net/stat/ipt_netflow`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ports {}-{} replace {}", self.lo, self.hi, self.replace)
    }
}

impl fmt::Display for Rule {
    /// `net: match a.b.c.d/M strip N` or `port: ports A-B replace C`: the part of a
    /// `/proc` line between `aggr#N ` and ` (usage N)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Net(r) => write!(f, "net: {r}"),
            Rule::Port(r) => write!(f, "port: {r}"),
        }
    }
}

/// Width in bits of a family's addresses.
fn addr_bits(family: Family) -> u32 {
    match family {
        Family::V4 => 32,
        Family::V6 => 128,
    }
}

/// Clears every bit of `addr` beyond the first `bits`.
fn mask_to(addr: &mut [u8; 16], bits: u32) {
    for (i, b) in (0u32..).zip(addr.iter_mut()) {
        // i < 16 (zipped with the 16 bytes): start <= 120, start + 8 <= 128; in the
        // second branch start < bits < start + 8, so the shift is 1..=7.
        let start = i * 8;
        if bits <= start {
            *b = 0;
        } else if bits < start + 8 {
            // 1..=7 bits of this byte survive.
            *b &= 0xffu8 << (8 - (bits - start));
        }
    }
}

/// Splits a list on commas and ASCII whitespace, yielding `(byte offset, item)`.
struct Items<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Iterator for Items<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.s.as_bytes();
        let is_sep = |b: u8| b == b',' || b.is_ascii_whitespace();
        // pos < bytes.len() in both loops (get succeeded): + 1 fits.
        while bytes.get(self.pos).is_some_and(|&b| is_sep(b)) {
            self.pos += 1;
        }
        let start = self.pos;
        while bytes.get(self.pos).is_some_and(|&b| !is_sep(b)) {
            self.pos += 1;
        }
        if start == self.pos {
            return None;
        }
        // Separators are ASCII, so both ends are char boundaries.
        self.s.get(start..self.pos).map(|t| (start, t))
    }
}

/// Parses a decimal number made of ASCII digits only (no sign), saturating on overflow
/// so that callers report "out of range".
fn number(s: &str) -> Result<u32, RuleErrorKind> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(RuleErrorKind::Syntax);
    }
    if digits != s.len() {
        return Err(RuleErrorKind::TrailingJunk);
    }
    Ok(s.bytes().fold(0u32, |v, d| {
        // d is an ASCII digit (checked above): d - b'0' is 0..=9.
        v.saturating_mul(10).saturating_add(u32::from(d - b'0'))
    }))
}

fn port(s: &str) -> Result<u16, RuleErrorKind> {
    u16::try_from(number(s)?).map_err(|_| RuleErrorKind::PortOutOfRange)
}

/// Parses `ADDR/M=N`.
fn parse_net(addr_s: &str, rest: &str) -> Result<NetRule, RuleErrorKind> {
    let (m_s, n_s) = rest.split_once('=').ok_or(RuleErrorKind::Syntax)?;
    let mut addr = [0u8; 16];
    let family = if addr_s.contains(':') {
        let ip: Ipv6Addr = addr_s.parse().map_err(|_| RuleErrorKind::BadAddress)?;
        addr = ip.octets();
        Family::V6
    } else {
        let ip: Ipv4Addr = addr_s.parse().map_err(|_| RuleErrorKind::BadAddress)?;
        addr[..4].copy_from_slice(&ip.octets());
        Family::V4
    };
    let bits = addr_bits(family);
    let m = number(m_s)?;
    if m > bits {
        return Err(RuleErrorKind::PrefixOutOfRange);
    }
    let n = number(n_s)?;
    if n > bits {
        return Err(RuleErrorKind::StripOutOfRange);
    }
    // Host bits in the network are ignored, as the C module does.
    mask_to(&mut addr, m);
    Ok(NetRule {
        family,
        addr,
        // Both are <= 128 here.
        prefix: u8::try_from(m).map_err(|_| RuleErrorKind::PrefixOutOfRange)?,
        strip: u8::try_from(n).map_err(|_| RuleErrorKind::StripOutOfRange)?,
    })
}

/// Parses `P=R` or `P-Q=R`.
fn parse_port(lhs: &str, rhs: &str) -> Result<PortRule, RuleErrorKind> {
    let (lo, hi) = match lhs.split_once('-') {
        Some((a, b)) => (port(a)?, port(b)?),
        None => {
            let p = port(lhs)?;
            (p, p)
        }
    };
    let replace = port(rhs)?;
    if lo > hi {
        return Err(RuleErrorKind::ReversedRange);
    }
    Ok(PortRule { lo, hi, replace })
}

fn parse_rule(t: &str) -> Result<Rule, RuleErrorKind> {
    if let Some((addr_s, rest)) = t.split_once('/') {
        parse_net(addr_s, rest).map(Rule::Net)
    } else if let Some((lhs, rhs)) = t.split_once('=') {
        parse_port(lhs, rhs).map(Rule::Port)
    } else {
        Err(RuleErrorKind::Syntax)
    }
}

/// Parses an aggregation string; an empty (or all-separator) string gives no rules.
pub(crate) fn parse(s: &str) -> Result<Rules, RuleError<'_>> {
    if s.len() > MAX_LEN {
        return Err(RuleError {
            index: 0,
            text: "",
            span: 0..s.len(),
            reason: RuleErrorKind::TooLong,
        });
    }
    let mut rules = Rules::new();
    for (i, (start, text)) in (Items { s, pos: 0 }).enumerate() {
        let err = |reason| RuleError {
            // i <= MAX_RULES (the loop ends with TooMany); start + text.len() is the
            // item's end, within s.
            index: i + 1,
            text,
            span: start..start + text.len(),
            reason,
        };
        let rule = parse_rule(text).map_err(err)?;
        let slot = rules
            .rules
            .get_mut(rules.len)
            .ok_or_else(|| err(RuleErrorKind::TooMany))?;
        *slot = rule;
        // rules.len < MAX_RULES: get_mut(rules.len) succeeded.
        rules.len += 1;
    }
    Ok(rules)
}

impl Rules {
    /// No rules.
    pub(crate) const fn new() -> Self {
        Self {
            rules: [Rule::Port(PortRule {
                lo: 0,
                hi: 0,
                replace: 0,
            }); MAX_RULES],
            len: 0,
        }
    }

    /// The rules in definition order.
    pub(crate) fn as_slice(&self) -> &[Rule] {
        self.rules.get(..self.len).unwrap_or(&[])
    }

    /// Iterates the rules in definition order.
    pub(crate) fn iter(&self) -> core::slice::Iter<'_, Rule> {
        self.as_slice().iter()
    }

    /// Number of rules.
    pub(crate) fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// Whether there are no rules (aggregation off).
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// First netmask rule containing `addr`; strips `addr` and returns (index, N).
    fn apply_net(&self, family: Family, addr: &mut [u8; 16]) -> Option<(usize, u8)> {
        self.iter().enumerate().find_map(|(i, r)| match r {
            Rule::Net(n) if n.family == family => {
                let mut net = *addr;
                mask_to(&mut net, u32::from(n.prefix));
                if net != n.addr {
                    return None;
                }
                mask_to(addr, u32::from(n.strip));
                Some((i, n.strip))
            }
            _ => None,
        })
    }

    /// First port rule containing `*p`; replaces it and returns the index.
    fn apply_port(&self, p: &mut u16) -> Option<usize> {
        self.iter().enumerate().find_map(|(i, r)| match r {
            Rule::Port(r) if (r.lo..=r.hi).contains(p) => {
                *p = r.replace;
                Some(i)
            }
            _ => None,
        })
    }

    /// Aggregates `key` in place: each address by its first matching netmask rule, each
    /// port by its first matching port rule.
    ///
    /// Port rules only touch protocols with real ports (TCP, UDP, UDP-Lite, SCTP, DCCP),
    /// not the ICMP type/code kept in `dst_port`.
    pub(crate) fn apply(&self, key: &mut FlowKey) -> Applied {
        let mut a = Applied::default();
        if let Some((i, n)) = self.apply_net(key.family, &mut key.src) {
            a.src_net = Some(i);
            a.src_mask = n;
        }
        if let Some((i, n)) = self.apply_net(key.family, &mut key.dst) {
            a.dst_net = Some(i);
            a.dst_mask = n;
        }
        if has_ports(key.protocol) {
            a.src_port = self.apply_port(&mut key.src_port);
            a.dst_port = self.apply_port(&mut key.dst_port);
        }
        a
    }
}

impl Default for Rules {
    fn default() -> Self {
        Self::new()
    }
}
