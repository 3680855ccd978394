// SPDX-License-Identifier: GPL-2.0

//! The `destination` parameter: where to send export packets, and from which address.
//!
//! Entries are separated by commas, spaces or semicolons. Each is
//! `addr[:port][@source][%device][/protocol]`, in that order:
//! - `addr[:port]`: `a.b.c.d[:port]`, `[v6addr][:port]`, or a bare `v6addr` with the port
//!   after `p` or `#` (`2001:db8::1p2055`), as C ipt_NETFLOW reads it; the port defaults
//!   to [`DEFAULT_PORT`];
//! - `@source`: the local address to send from, of the same family (`a.b.c.d`, `[v6addr]`
//!   or `v6addr`, no port);
//! - `%device`: the interface or VRF device to bind the socket to (`SO_BINDTODEVICE`);
//! - `/protocol`: 5, 9 or 10, this collector's export protocol; without it the collector
//!   follows the `protocol` setting.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::export::writer::Protocol;
use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4};

/// Most destinations one parameter may name.
pub(crate) const MAX_DESTINATIONS: usize = 16;

/// Collector port used when an entry names none.
pub(crate) const DEFAULT_PORT: u16 = 2055;

/// Longest device name (`IFNAMSIZ` less its NUL).
pub(crate) const DEVICE_NAME_MAX: usize = 15;

/// The name of the device a collector's socket is bound to: 1 to [`DEVICE_NAME_MAX`]
/// bytes, none of them NUL, `/`, `:` or whitespace (the kernel's `dev_valid_name`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct DeviceName {
    bytes: [u8; DEVICE_NAME_MAX],
    len: u8,
}

impl DeviceName {
    fn parse(s: &str) -> Result<Self, DestErrorKind> {
        let ok = |b: u8| b != b'/' && b != b':' && b != 0 && !b.is_ascii_whitespace();
        if s.is_empty() || s.len() > DEVICE_NAME_MAX || s == "." || s == ".." {
            return Err(DestErrorKind::BadDevice);
        }
        if !s.bytes().all(ok) {
            return Err(DestErrorKind::BadDevice);
        }
        let mut bytes = [0; DEVICE_NAME_MAX];
        for (o, b) in bytes.iter_mut().zip(s.bytes()) {
            *o = b;
        }
        // s.len() <= DEVICE_NAME_MAX, checked above.
        Ok(Self {
            bytes,
            len: s.len() as u8,
        })
    }

    /// The name's bytes (no NUL).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

impl fmt::Display for DeviceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Parsed from a &str and cut nowhere: valid UTF-8.
        f.write_str(core::str::from_utf8(self.as_bytes()).unwrap_or("?"))
    }
}

/// One collector to export to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Destination {
    /// Collector address and port (IPv6 scope and flow info are always 0).
    pub(crate) addr: SocketAddr,
    /// Local address to bind the socket to, same family as `addr`.
    pub(crate) source: Option<IpAddr>,
    /// Device to bind the socket to.
    pub(crate) device: Option<DeviceName>,
    /// This collector's protocol; `None`: the `protocol` setting.
    pub(crate) protocol: Option<Protocol>,
}

impl fmt::Display for Destination {
    /// `addr:port`, IPv6 as `[addr]:port`, as the C module prints it, then `@source` and
    /// `%device` when given (the protocol is shown apart: see the collectors' lines).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.addr {
            SocketAddr::V4(a) => write!(f, "{}:{}", a.ip(), a.port())?,
            SocketAddr::V6(a) => write!(f, "[{}]:{}", a.ip(), a.port())?,
        }
        match self.source {
            Some(IpAddr::V4(s)) => write!(f, "@{s}")?,
            Some(IpAddr::V6(s)) => write!(f, "@[{s}]")?,
            None => {}
        }
        if let Some(d) = &self.device {
            write!(f, "%{d}")?;
        }
        Ok(())
    }
}

/// A parsed `destination` parameter: 1 to [`MAX_DESTINATIONS`] distinct destinations.
#[derive(Clone)]
pub(crate) struct Destinations {
    list: [Destination; MAX_DESTINATIONS],
    len: usize,
}

// Compare and show only the used slots.
impl PartialEq for Destinations {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Destinations {}

impl fmt::Debug for Destinations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Destinations {
    /// The destinations in the order given.
    pub(crate) fn as_slice(&self) -> &[Destination] {
        self.list.get(..self.len).unwrap_or(&[])
    }

    /// Iterates the destinations in the order given.
    pub(crate) fn iter(&self) -> core::slice::Iter<'_, Destination> {
        self.as_slice().iter()
    }

    /// Number of destinations (at least 1 once parsed).
    pub(crate) fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// Whether the list is empty (never true for a parsed list).
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Why a `destination` parameter was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum DestErrorKind {
    /// No entries at all.
    Empty,
    /// More than [`MAX_DESTINATIONS`] entries.
    TooMany,
    /// The destination address does not parse.
    BadAddress,
    /// The port is not a decimal number up to 65535.
    BadPort,
    /// Port 0.
    PortZero,
    /// The `@source` address does not parse.
    BadSource,
    /// Destination and source are of different families.
    FamilyMismatch,
    /// The `%device` name is empty, too long or has a character a device name cannot.
    BadDevice,
    /// The `/protocol` is not 5, 9 or 10.
    BadProtocol,
    /// The same address and port appear twice.
    Duplicate,
}

impl DestErrorKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Empty => "no destination given",
            Self::TooMany => "too many destinations",
            Self::BadAddress => "bad address",
            Self::BadPort => "bad port",
            Self::PortZero => "port 0 not allowed",
            Self::BadSource => "bad source address",
            Self::FamilyMismatch => "source and destination families differ",
            Self::BadDevice => "bad device name",
            Self::BadProtocol => "protocol is not one of 5, 9, 10",
            Self::Duplicate => "duplicate destination",
        }
    }
}

impl fmt::Display for DestErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused `destination` parameter: which entry and why.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct DestError<'a> {
    /// 1-based number of the offending entry; 0 for [`DestErrorKind::Empty`].
    pub(crate) index: usize,
    /// The offending entry's text (empty for [`DestErrorKind::Empty`]).
    pub(crate) text: &'a str,
    /// Why it was refused.
    pub(crate) reason: DestErrorKind,
}

impl fmt::Display for DestError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason {
            DestErrorKind::Empty => f.write_str("destination: no destination given"),
            DestErrorKind::TooMany => write!(
                f,
                "destination entry {} \"{}\": too many destinations (max {})",
                self.index, self.text, MAX_DESTINATIONS
            ),
            r => write!(
                f,
                "destination entry {} \"{}\": {}",
                self.index, self.text, r
            ),
        }
    }
}

/// Splits on commas, semicolons and ASCII whitespace, skipping empty items.
fn items(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| c == ',' || c == ';' || c.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
}

/// Parses a port: ASCII digits only, 1..=65535.
fn parse_port(s: &str) -> Result<u16, DestErrorKind> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DestErrorKind::BadPort);
    }
    match s.parse::<u16>() {
        Ok(0) => Err(DestErrorKind::PortZero),
        Ok(p) => Ok(p),
        Err(_) => Err(DestErrorKind::BadPort),
    }
}

/// Parses the address-and-port part of an entry.
fn parse_addr(s: &str) -> Result<SocketAddr, DestErrorKind> {
    if let Some(rest) = s.strip_prefix('[') {
        let (ip, after) = rest.split_once(']').ok_or(DestErrorKind::BadAddress)?;
        let ip: Ipv6Addr = ip.parse().map_err(|_| DestErrorKind::BadAddress)?;
        let port = match after {
            "" => DEFAULT_PORT,
            _ => parse_port(after.strip_prefix(':').ok_or(DestErrorKind::BadAddress)?)?,
        };
        return Ok(SocketAddr::new(IpAddr::V6(ip), port));
    }
    match s.split_once(':') {
        // Two or more colons: a bare IPv6 address, its port after `p` or `#` (C's syntax).
        Some((_, rest)) if rest.contains(':') => {
            let (ip, port) = match s.split_once(['p', '#']) {
                Some((ip, port)) => (ip, parse_port(port)?),
                None => (s, DEFAULT_PORT),
            };
            let ip: Ipv6Addr = ip.parse().map_err(|_| DestErrorKind::BadAddress)?;
            Ok(SocketAddr::new(IpAddr::V6(ip), port))
        }
        Some((ip, port)) => {
            let ip: Ipv4Addr = ip.parse().map_err(|_| DestErrorKind::BadAddress)?;
            Ok(SocketAddr::V4(SocketAddrV4::new(ip, parse_port(port)?)))
        }
        None => {
            let ip: Ipv4Addr = s.parse().map_err(|_| DestErrorKind::BadAddress)?;
            Ok(SocketAddr::V4(SocketAddrV4::new(ip, DEFAULT_PORT)))
        }
    }
}

/// Parses an `@source` address: `a.b.c.d`, `[v6addr]` or `v6addr`.
fn parse_source(s: &str) -> Result<IpAddr, DestErrorKind> {
    let inner = match s.strip_prefix('[') {
        Some(rest) => rest.strip_suffix(']').ok_or(DestErrorKind::BadSource)?,
        None => s,
    };
    let ip: IpAddr = inner.parse().map_err(|_| DestErrorKind::BadSource)?;
    // Brackets are for IPv6 only.
    if inner.len() != s.len() && ip.is_ipv4() {
        return Err(DestErrorKind::BadSource);
    }
    Ok(ip)
}

/// Parses a `/protocol` suffix: 5, 9 or 10.
fn parse_protocol(s: &str) -> Result<Protocol, DestErrorKind> {
    match s {
        "5" => Ok(Protocol::V5),
        "9" => Ok(Protocol::V9),
        "10" => Ok(Protocol::Ipfix),
        _ => Err(DestErrorKind::BadProtocol),
    }
}

/// Splits `s` at the last `sep`, if any: (before, Some(after)).
fn split_suffix(s: &str, sep: char) -> (&str, Option<&str>) {
    match s.rsplit_once(sep) {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    }
}

fn parse_entry(s: &str) -> Result<Destination, DestErrorKind> {
    // Peeled from the end, as written: /protocol, then %device, then @source.
    let (s, protocol) = split_suffix(s, '/');
    let (s, device) = split_suffix(s, '%');
    let (addr_s, source_s) = match s.split_once('@') {
        Some((a, src)) => (a, Some(src)),
        None => (s, None),
    };
    let addr = parse_addr(addr_s)?;
    let source = source_s.map(parse_source).transpose()?;
    if source.is_some_and(|src| src.is_ipv4() != addr.is_ipv4()) {
        return Err(DestErrorKind::FamilyMismatch);
    }
    Ok(Destination {
        addr,
        source,
        device: device.map(DeviceName::parse).transpose()?,
        protocol: protocol.map(parse_protocol).transpose()?,
    })
}

/// Parses a `destination` parameter; at least one entry is required.
pub(crate) fn parse(s: &str) -> Result<Destinations, DestError<'_>> {
    let placeholder = Destination {
        addr: SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0)),
        source: None,
        device: None,
        protocol: None,
    };
    let mut d = Destinations {
        list: [placeholder; MAX_DESTINATIONS],
        len: 0,
    };
    for (i, text) in items(s).enumerate() {
        let err = |reason| DestError {
            // i <= MAX_DESTINATIONS: the loop ends with TooMany once the list is full.
            index: i + 1,
            text,
            reason,
        };
        let dest = parse_entry(text).map_err(err)?;
        if d.iter().any(|o| o.addr == dest.addr) {
            return Err(err(DestErrorKind::Duplicate));
        }
        let slot = d
            .list
            .get_mut(d.len)
            .ok_or_else(|| err(DestErrorKind::TooMany))?;
        *slot = dest;
        // d.len < MAX_DESTINATIONS: get_mut(d.len) succeeded.
        d.len += 1;
    }
    if d.is_empty() {
        return Err(DestError {
            index: 0,
            text: "",
            reason: DestErrorKind::Empty,
        });
    }
    Ok(d)
}
