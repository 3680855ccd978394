// SPDX-License-Identifier: GPL-2.0

//! Templates chosen per flow: a flow's [`Shape`] (family, what its upper layer has,
//! which optional values it carries) decides its fields, and a [`Templates`] registry
//! gives each shape in use its own template ID (>= 256, on first use) and remembers
//! which templates the collectors have been told of since the last refresh.
//!
//! Pure `core` code (no allocation, no panics): compiled into the module and into the
//! host test harness.

use crate::export::record::FlowRecord;
use crate::flow::key::{has_ports, proto, Family};

/// A template field: information element ID and length in bytes.
pub(crate) type Field = (u16, u16);

/// Most fields of one data template (the longest shape has 21; room for more).
pub(crate) const MAX_FIELDS: usize = 28;

/// Most templates one writer defines: [`Shape`] forms at most 128 (IPv4: 5 upper-layer
/// kinds x prefix lengths x IP options, + TCP options with ports = 24; IPv6: 4 kinds x
/// prefix lengths x extension headers x flow label, + TCP options with ports = 40; each
/// sampled or not), with room for the shapes later features add.
pub(crate) const MAX_TEMPLATES: usize = 160;

/// The first data template ID (RFC 3954, RFC 7011).
pub(crate) const FIRST_TEMPLATE_ID: u16 = 256;

/// What v9 and IPFIX templates differ in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Dialect {
    /// NetFlow v9: times in sysuptime ms (21/22), ICMP in 32 for both families, no
    /// flowEndReason.
    V9,
    /// IPFIX: absolute ms (152/153), icmpTypeCodeIPv4/IPv6 (32/139), flowEndReason 136.
    Ipfix,
}

/// Which optional parts a flow's template has.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Shape(u16);

impl Shape {
    const V6: u16 = 1 << 0;
    const PORTS: u16 = 1 << 1;
    const ICMP: u16 = 1 << 2;
    const IGMP: u16 = 1 << 3;
    const IPSEC: u16 = 1 << 4;
    const MASKS: u16 = 1 << 5;
    const IP_OPTIONS: u16 = 1 << 6;
    const TCP_OPTIONS: u16 = 1 << 7;
    const FLOW_LABEL: u16 = 1 << 8;
    const SAMPLED: u16 = 1 << 9;

    /// The shape of `rec`'s template: optional values are in it only when set, as
    /// C ipt_NETFLOW 2.6 does, so common flows keep short records.
    pub(crate) fn of(rec: &FlowRecord) -> Shape {
        let k = &rec.key;
        let a = &rec.attrs;
        let mut s = 0;
        if k.family == Family::V6 {
            s |= Self::V6;
            if a.flow_label != 0 {
                s |= Self::FLOW_LABEL;
            }
        }
        s |= match k.protocol {
            p if has_ports(p) => Self::PORTS,
            proto::ICMP | proto::ICMPV6 => Self::ICMP,
            proto::IGMP if k.family == Family::V4 => Self::IGMP,
            proto::ESP | proto::AH => Self::IPSEC,
            _ => 0,
        };
        if rec.src_mask != 0 || rec.dst_mask != 0 {
            s |= Self::MASKS;
        }
        if a.ip_options != 0 {
            s |= Self::IP_OPTIONS;
        }
        // Only ported flows (TCP) can have seen TCP options.
        if a.tcp_options != 0 && s & Self::PORTS != 0 {
            s |= Self::TCP_OPTIONS;
        }
        if rec.sampler_id != 0 {
            s |= Self::SAMPLED;
        }
        Shape(s)
    }

    fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }

    /// The template's fields, in the order data records carry them.
    pub(crate) fn fields(self, dialect: Dialect) -> Fields {
        let v6 = self.has(Self::V6);
        let ipfix = dialect == Dialect::Ipfix;
        let mut f = Fields::new();
        f.push(1, 8); // octetDeltaCount / IN_BYTES
        f.push(2, 8); // packetDeltaCount / IN_PKTS
        if ipfix {
            f.push(152, 8); // flowStartMilliseconds
            f.push(153, 8); // flowEndMilliseconds
        } else {
            f.push(22, 4); // FIRST_SWITCHED
            f.push(21, 4); // LAST_SWITCHED
        }
        if v6 {
            f.push(27, 16); // sourceIPv6Address
            f.push(28, 16); // destinationIPv6Address
            f.push(62, 16); // ipNextHopIPv6Address
        } else {
            f.push(8, 4); // sourceIPv4Address
            f.push(12, 4); // destinationIPv4Address
            f.push(15, 4); // ipNextHopIPv4Address
        }
        f.push(60, 1); // ipVersion
        f.push(10, 4); // ingressInterface
        f.push(14, 4); // egressInterface
        if self.has(Self::PORTS) {
            f.push(7, 2); // sourceTransportPort
            f.push(11, 2); // destinationTransportPort
                           // tcpControlBits: 2 bytes in IPFIX since RFC 7125, 1 in v9.
            f.push(6, if ipfix { 2 } else { 1 });
        }
        if self.has(Self::ICMP) {
            // icmpTypeCodeIPv6 in IPFIX; v9 (and nfdump) read both families from 32.
            f.push(if ipfix && v6 { 139 } else { 32 }, 2);
        }
        f.push(4, 1); // protocolIdentifier
        f.push(5, 1); // ipClassOfService
        if self.has(Self::MASKS) {
            if v6 {
                f.push(29, 1); // sourceIPv6PrefixLength
                f.push(30, 1); // destinationIPv6PrefixLength
            } else {
                f.push(9, 1); // sourceIPv4PrefixLength
                f.push(13, 1); // destinationIPv4PrefixLength
            }
        }
        if self.has(Self::FLOW_LABEL) {
            f.push(31, 4); // flowLabelIPv6
        }
        if self.has(Self::IP_OPTIONS) {
            // ipv6ExtensionHeaders / ipv4Options
            f.push(if v6 { 64 } else { 208 }, 4);
        }
        if self.has(Self::TCP_OPTIONS) {
            f.push(209, 8); // tcpOptions
        }
        if self.has(Self::IGMP) {
            f.push(33, 1); // igmpType
        }
        if self.has(Self::IPSEC) {
            f.push(295, 4); // ipSecSPI
        }
        if self.has(Self::SAMPLED) {
            // selectorId / samplerId: which sampler kept the flow (C's length).
            f.push(if ipfix { 302 } else { 48 }, 1);
        }
        if ipfix {
            f.push(136, 1); // flowEndReason
        }
        f
    }
}

/// A template's field list (at most [`MAX_FIELDS`]).
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    list: [Field; MAX_FIELDS],
    len: usize,
}

impl Fields {
    const fn new() -> Self {
        Fields {
            list: [(0, 0); MAX_FIELDS],
            len: 0,
        }
    }

    /// The fields of a fixed list (at most [`MAX_FIELDS`] are kept).
    pub(crate) fn from_list(list: &[Field]) -> Self {
        let mut f = Fields::new();
        for &(id, len) in list {
            f.push(id, len);
        }
        f
    }

    fn push(&mut self, id: u16, len: u16) {
        if let Some(slot) = self.list.get_mut(self.len) {
            *slot = (id, len);
            // len < MAX_FIELDS.
            self.len += 1;
        }
    }

    /// The fields, in wire order.
    pub(crate) fn as_slice(&self) -> &[Field] {
        self.list.get(..self.len).unwrap_or(&[])
    }

    /// Bytes of one data record.
    pub(crate) fn record_len(&self) -> usize {
        // At most MAX_FIELDS fields of at most 16 bytes.
        self.as_slice().iter().map(|f| usize::from(f.1)).sum()
    }

    /// Bytes of the template record (ID, count, 4 bytes per field).
    pub(crate) fn template_len(&self) -> usize {
        // At most MAX_FIELDS fields.
        4 + 4 * self.len
    }
}

/// One defined template.
#[derive(Clone, Copy)]
pub(crate) struct Template {
    /// Template ID (>= 256).
    pub(crate) id: u16,
    /// What it is for (its fields are `shape.fields(dialect)`, built at use: the
    /// registry stays small enough to be moved on a kernel stack).
    pub(crate) shape: Shape,
    /// Whether the collectors have been sent it since the last refresh.
    pub(crate) announced: bool,
}

/// The templates one writer has defined, by shape.
pub(crate) struct Templates {
    list: [Option<Template>; MAX_TEMPLATES],
    /// Templates ever defined (C's "templates" count).
    generated: u32,
}

impl Templates {
    /// No template defined yet.
    pub(crate) const fn new() -> Self {
        Templates {
            list: [None; MAX_TEMPLATES],
            generated: 0,
        }
    }

    /// The template of `shape`, defined now if it is new; `None` if the registry is full
    /// (cannot happen: there are fewer shapes than slots).
    pub(crate) fn get(&mut self, shape: Shape) -> Option<&mut Template> {
        let mut free = None;
        for (i, slot) in self.list.iter().enumerate() {
            match slot {
                Some(t) if t.shape == shape => return self.list.get_mut(i)?.as_mut(),
                None if free.is_none() => free = Some(i),
                _ => {}
            }
        }
        let i = free?;
        // i < MAX_TEMPLATES (160): the ID stays below 416, under the options IDs (1024).
        let id = FIRST_TEMPLATE_ID + i as u16;
        self.generated = self.generated.saturating_add(1);
        let slot = self.list.get_mut(i)?;
        *slot = Some(Template {
            id,
            shape,
            announced: false,
        });
        slot.as_mut()
    }

    /// Makes every template go out again before its next data record.
    pub(crate) fn refresh(&mut self) {
        for t in self.list.iter_mut().flatten() {
            t.announced = false;
        }
    }

    /// Templates ever defined.
    pub(crate) fn generated(&self) -> u32 {
        self.generated
    }

    /// Templates defined now.
    pub(crate) fn active(&self) -> u32 {
        // At most MAX_TEMPLATES (160).
        self.list.iter().flatten().count() as u32
    }
}
