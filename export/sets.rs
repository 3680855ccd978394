// SPDX-License-Identifier: GPL-2.0

//! The set layout v9 and IPFIX share: template sets announcing each flow shape's template
//! before its first record (and again after each refresh), data records written from a
//! template's own field list, the template resend schedule, and [`SetWriter`], generic
//! over what each protocol has of its own ([`SetFormat`]: header, template set ID,
//! dialect, sequence rule).
//!
//! Pure `core` code (no allocation, no panics): compiled into the module and into the
//! host test harness.

use crate::export::nel;
use crate::export::options::{OptionsKind, OptionsRecord, OPTIONS_KINDS};
use crate::export::pdu::{put_u16_at, Clock, Cursor, Push, MAX_TEMPLATED_PDU};
use crate::export::record::FlowRecord;
use crate::export::templates::{Dialect, Field, Fields, Shape, Templates};
use crate::flow::key::Family;
use crate::nat::event::NatEvent;

/// v9 flowset ID of templates.
pub(crate) const V9_TEMPLATE_SET: u16 = 0;
/// v9 flowset ID of options templates.
pub(crate) const V9_OPTIONS_TEMPLATE_SET: u16 = 1;
/// IPFIX set ID of templates.
pub(crate) const IPFIX_TEMPLATE_SET: u16 = 2;
/// IPFIX set ID of options templates.
pub(crate) const IPFIX_OPTIONS_TEMPLATE_SET: u16 = 3;

/// Writes one field of a data record. The v9 and IPFIX element IDs used here coincide,
/// so one function serves both; writing data *from* the template's own field list keeps
/// template and records from ever disagreeing.
fn put_field(c: &mut Cursor<'_>, f: Field, rec: &FlowRecord, clock: &Clock) -> Option<()> {
    let (id, len) = (f.0, usize::from(f.1));
    let k = &rec.key;
    let a = &rec.attrs;
    let num: u64 = match id {
        1 => rec.bytes,
        2 => rec.packets,
        4 => k.protocol.into(),
        5 => k.tos.into(),
        6 => rec.tcp_flags.into(),
        7 => k.src_port.into(),
        9 | 29 => rec.src_mask.into(),
        10 => k.in_if.into(),
        11 => k.dst_port.into(),
        13 | 30 => rec.dst_mask.into(),
        14 => rec.out_if.into(),
        21 => clock.uptime_of(rec.last_ms).into(),
        22 => clock.uptime_of(rec.first_ms).into(),
        31 => a.flow_label.into(),
        // ICMP type << 8 | code, as already carried in the destination port
        32 | 139 if matches!(k.protocol, 1 | 58) => k.dst_port.into(),
        32 | 139 => 0,
        33 => k.igmp_type().into(),
        48 | 302 => rec.sampler_id.into(),
        60 => (k.family as u8).into(),
        64 | 208 => a.ip_options.into(),
        136 => (rec.end_reason as u8).into(),
        152 => rec.first_ms,
        153 => rec.last_ms,
        209 => a.tcp_options,
        295 => k.ipsec_spi().into(),
        8 | 12 | 15 | 27 | 28 | 62 => {
            let addr = match id {
                8 | 27 => &k.src,
                12 | 28 => &k.dst,
                _ => &rec.next_hop,
            };
            let n = len.min(addr.len());
            c.bytes(addr.get(..n)?)?;
            // n = min(len, ..) <= len.
            return c.zeros(len - n);
        }
        _ => return c.zeros(len),
    };
    c.uint(num, len)
}

/// Writes one field of an options record.
fn put_option_field(c: &mut Cursor<'_>, f: Field, rec: &OptionsRecord<'_>) -> Option<()> {
    let len = usize::from(f.1);
    if let Some(n) = rec.number(f.0) {
        return c.uint(n, len);
    }
    let s = rec.string(f.0).unwrap_or(&[]);
    let n = len.min(s.len());
    c.bytes(s.get(..n)?)?;
    // n <= len.
    c.zeros(len - n)
}

/// When the templates go out again (the `refresh-rate` / `timeout-rate` settings).
pub(crate) struct TemplateTimer {
    refresh_rate: u32,
    timeout_min: u32,
    ever_sent: bool,
    last_uptime_ms: u64,
    pdus_since: u32,
}

impl TemplateTimer {
    /// A timer resending every `refresh_rate` PDUs or `timeout_min` minutes (0 = never).
    pub(crate) const fn new(refresh_rate: u32, timeout_min: u32) -> Self {
        TemplateTimer {
            refresh_rate,
            timeout_min,
            ever_sent: false,
            last_uptime_ms: 0,
            pdus_since: 0,
        }
    }

    /// Changes both rates; takes effect at the next PDU.
    pub(crate) fn set_rates(&mut self, refresh_rate: u32, timeout_min: u32) {
        self.refresh_rate = refresh_rate;
        self.timeout_min = timeout_min;
    }

    /// Makes the next PDU carry the templates.
    pub(crate) fn force(&mut self) {
        self.ever_sent = false;
    }

    fn due(&self, clock: &Clock) -> bool {
        // Uptime, not wall time: settimeofday must not stop or storm the refresh.
        let elapsed = clock.uptime_ms.saturating_sub(self.last_uptime_ms);
        !self.ever_sent
            || (self.refresh_rate != 0 && self.pdus_since >= self.refresh_rate)
            // u32::MAX * 60_000 < 2^48: fits a u64.
            || (self.timeout_min != 0 && elapsed >= u64::from(self.timeout_min) * 60_000)
    }

    fn sent(&mut self, clock: &Clock) {
        self.ever_sent = true;
        self.last_uptime_ms = clock.uptime_ms;
        self.pdus_since = 0;
    }

    fn pdu_finished(&mut self) {
        self.pdus_since = self.pdus_since.saturating_add(1);
    }
}

/// A v9/IPFIX PDU under construction: header space, then data sets grouped by template,
/// each template's own template set written just before the first of its records that
/// follows a refresh. The header itself is written by the protocol's writer on finish.
pub(crate) struct SetPdu {
    body: SetBuf,
    /// The data templates defined so far, by flow shape.
    pub(crate) templates: Templates,
    /// Which options templates were sent since the last refresh.
    options_announced: [bool; OPTIONS_KINDS],
    /// Whether the IPv4 and the IPv6 NAT event templates were sent since then.
    nat_announced: [bool; 2],
    /// The template resend schedule.
    pub(crate) timer: TemplateTimer,
}

/// The bytes of a PDU under construction and where its open set is.
struct SetBuf {
    buf: [u8; MAX_TEMPLATED_PDU],
    hdr_len: usize,
    dialect: Dialect,
    len: usize,
    data_records: u32,
    template_records: u32,
    open_set: Option<(u16, usize)>,
}

/// What a template set announces: a data template or an options template.
#[derive(Clone, Copy)]
enum Announce<'a> {
    Data(&'a Fields),
    Options(OptionsKind),
}

impl Announce<'_> {
    /// Bytes of its template record: ID, then a count (data) or the v9 scope and option
    /// lengths / the IPFIX field and scope counts (options), then 4 bytes per field.
    fn len(self) -> usize {
        match self {
            Announce::Data(f) => f.template_len(),
            // One scope field and at most 5 others.
            Announce::Options(k) => 6 + 4 * (1 + k.fields().len()),
        }
    }
}

impl SetPdu {
    /// An empty PDU with a `hdr_len`-byte header, templates of `dialect`.
    pub(crate) const fn new(hdr_len: usize, dialect: Dialect) -> Self {
        SetPdu {
            body: SetBuf {
                buf: [0; MAX_TEMPLATED_PDU],
                hdr_len,
                dialect,
                len: hdr_len,
                data_records: 0,
                template_records: 0,
                open_set: None,
            },
            templates: Templates::new(),
            options_announced: [false; OPTIONS_KINDS],
            nat_announced: [false; 2],
            timer: TemplateTimer::new(20, 30),
        }
    }

    /// Data records in the PDU under construction.
    pub(crate) fn data_records(&self) -> u32 {
        self.body.data_records
    }

    /// Template records in the PDU under construction.
    pub(crate) fn template_records(&self) -> u32 {
        self.body.template_records
    }

    /// Starts a refresh if this push opens a PDU after the refresh interval: every
    /// template goes out again, each before its first record.
    fn refresh_if_due(&mut self, clock: &Clock) {
        if self.body.data_records == 0 && self.timer.due(clock) {
            self.templates.refresh();
            self.options_announced = [false; OPTIONS_KINDS];
            self.nat_announced = [false; 2];
            self.timer.sent(clock);
        }
    }

    /// Adds a flow record, first writing its template if the collectors have not been
    /// sent it since the last refresh.
    pub(crate) fn push(&mut self, rec: &FlowRecord, clock: &Clock) -> Push {
        self.refresh_if_due(clock);
        let Some(tpl) = self.templates.get(Shape::of(rec)) else {
            return Push::NotExportable;
        };
        let fields = &tpl.shape.fields(self.body.dialect);
        let announce = (!tpl.announced).then_some(Announce::Data(fields));
        let pushed = self
            .body
            .push_record(tpl.id, announce, fields.record_len(), |c| {
                fields
                    .as_slice()
                    .iter()
                    .try_for_each(|&f| put_field(c, f, rec, clock))
            });
        if pushed == Push::Added {
            tpl.announced = true;
        }
        pushed
    }

    /// Adds a NAT event record, first writing its family's NEL template if due.
    pub(crate) fn push_nat(&mut self, ev: &NatEvent, clock: &Clock) -> Push {
        self.refresh_if_due(clock);
        let (id, list) = nel::template(ev.family);
        let fields = Fields::from_list(list);
        // Constant indexes into a [bool; 2]: checked at compile time.
        let announced = match ev.family {
            Family::V4 => &mut self.nat_announced[0],
            Family::V6 => &mut self.nat_announced[1],
        };
        let announce = (!*announced).then_some(Announce::Data(&fields));
        let pushed = self
            .body
            .push_record(id, announce, fields.record_len(), |c| {
                list.iter().try_for_each(|&f| nel::put_field(c, f, ev))
            });
        if pushed == Push::Added {
            *announced = true;
        }
        pushed
    }

    /// Adds an options record, first writing its options template if due.
    pub(crate) fn push_options(&mut self, rec: &OptionsRecord<'_>, clock: &Clock) -> Push {
        self.refresh_if_due(clock);
        let kind = rec.kind();
        let Some(announced) = self.options_announced.get_mut(kind as usize) else {
            return Push::NotExportable;
        };
        let announce = (!*announced).then_some(Announce::Options(kind));
        let pushed = self
            .body
            .push_record(kind.template_id(), announce, kind.record_len(), |c| {
                core::iter::once(kind.scope())
                    .chain(kind.fields().iter().copied())
                    .try_for_each(|f| put_option_field(c, f, rec))
            });
        if pushed == Push::Added {
            *announced = true;
        }
        pushed
    }

    /// Closes the PDU: returns its buffer (header still to be written) and total length,
    /// or `None` if it holds no data record. The next push starts a new PDU.
    pub(crate) fn close(&mut self) -> Option<(&mut [u8], usize)> {
        let closed = self.body.close()?;
        self.timer.pdu_finished();
        Some(closed)
    }
}

impl SetBuf {
    /// Adds one record of template `id` (`rec_len` bytes, written by `write`), after a
    /// template set for `announce` if given.
    fn push_record(
        &mut self,
        id: u16,
        announce: Option<Announce<'_>>,
        rec_len: usize,
        write: impl FnOnce(&mut Cursor<'_>) -> Option<()>,
    ) -> Push {
        // self.len <= MAX_TEMPLATED_PDU (1400), a template record is under 30 fields and
        // a record under 30 fields of at most 64 bytes: these sums stay far below
        // usize::MAX.
        let mut end = self.len;
        if let Some(a) = announce {
            end = align4(align4(end) + 4 + a.len());
        }
        let switch = announce.is_some() || self.open_set.map(|(open, _)| open) != Some(id);
        if switch {
            end = align4(end) + 4;
        }
        end += rec_len;
        // MAX_TEMPLATED_PDU is a multiple of 4, so the final padding always fits too.
        if end > self.buf.len() {
            return Push::Full;
        }
        let saved = (self.len, self.open_set, self.template_records);
        let written = (|| {
            if let Some(a) = announce {
                self.write_template(id, a)?;
            }
            if switch {
                self.close_set()?;
                let start = self.len;
                let mut c = Cursor::new(&mut self.buf, start);
                c.u16(id)?;
                c.u16(0)?; // length, patched by close_set
                self.len = c.pos();
                self.open_set = Some((id, start));
            }
            let mut c = Cursor::new(&mut self.buf, self.len);
            write(&mut c)?;
            self.len = c.pos();
            Some(())
        })();
        match written {
            Some(()) => {
                // At most one record per byte of the 1400-byte buffer: fits.
                self.data_records += 1;
                Push::Added
            }
            // Unreachable after the size check. Undo, and report the record as lost rather
            // than `Full`, which could make the caller retry forever.
            None => {
                (self.len, self.open_set, self.template_records) = saved;
                Push::NotExportable
            }
        }
    }

    /// Writes a template set holding template `id`'s record, padded to 4 bytes.
    fn write_template(&mut self, id: u16, what: Announce<'_>) -> Option<()> {
        self.close_set()?;
        let start = self.len;
        let mut c = Cursor::new(&mut self.buf, start);
        let (v9, set_id) = match (self.dialect, what) {
            (Dialect::V9, Announce::Data(_)) => (true, V9_TEMPLATE_SET),
            (Dialect::V9, Announce::Options(_)) => (true, V9_OPTIONS_TEMPLATE_SET),
            (Dialect::Ipfix, Announce::Data(_)) => (false, IPFIX_TEMPLATE_SET),
            (Dialect::Ipfix, Announce::Options(_)) => (false, IPFIX_OPTIONS_TEMPLATE_SET),
        };
        c.u16(set_id)?;
        c.u16(0)?; // length, patched below
        c.u16(id)?;
        match what {
            Announce::Data(fields) => {
                // Under 30 fields: fits.
                c.u16(fields.as_slice().len() as u16)?;
                for f in fields.as_slice() {
                    c.u16(f.0)?;
                    c.u16(f.1)?;
                }
            }
            Announce::Options(kind) => {
                let (scope, fields) = (kind.scope(), kind.fields());
                // At most 5 fields: the counts and byte lengths fit.
                if v9 {
                    c.u16(4)?; // bytes of scope fields
                    c.u16(4 * fields.len() as u16)?; // bytes of option fields
                    c.u16(kind.v9_scope_type())?;
                    c.u16(scope.1)?;
                } else {
                    c.u16(1 + fields.len() as u16)?; // fields
                    c.u16(1)?; // of which scope fields
                    c.u16(scope.0)?;
                    c.u16(scope.1)?;
                }
                for f in fields {
                    c.u16(f.0)?;
                    c.u16(f.1)?;
                }
            }
        }
        let end = c.pos();
        let padded = align4(end);
        // align4(n) >= n.
        c.zeros(padded - end)?;
        self.len = padded;
        // start <= self.len <= 1400: the difference fits a u16.
        put_u16_at(&mut self.buf, start + 2, (self.len - start) as u16)?;
        // At most one template record per byte of the buffer.
        self.template_records += 1;
        Some(())
    }

    /// Pads the open data set to 4 bytes and writes its length.
    fn close_set(&mut self) -> Option<()> {
        if let Some((_, start)) = self.open_set.take() {
            let padded = align4(self.len);
            // align4(n) >= n; start (the set's start) <= self.len <= 1400.
            Cursor::new(&mut self.buf, self.len).zeros(padded - self.len)?;
            self.len = padded;
            put_u16_at(&mut self.buf, start + 2, (self.len - start) as u16)?;
        }
        Some(())
    }

    /// Closes the PDU: returns its buffer and total length, or `None` if it holds no
    /// data record. The next push starts a new PDU.
    fn close(&mut self) -> Option<(&mut [u8], usize)> {
        if self.data_records == 0 {
            return None;
        }
        if self.close_set().is_none() {
            self.reset();
            return None;
        }
        let len = self.len;
        self.reset();
        Some((&mut self.buf, len))
    }

    fn reset(&mut self) {
        self.len = self.hdr_len;
        self.data_records = 0;
        self.template_records = 0;
        self.open_set = None;
    }
}

/// What a v9 or IPFIX PDU has of its own around the set layout [`SetPdu`] builds.
pub(crate) trait SetFormat {
    /// Bytes of the header.
    const HEADER_LEN: usize;
    /// Which fields its templates use.
    const DIALECT: Dialect;

    /// The sequence number of the PDU after one of `data_records` records numbered `seq`.
    fn next_sequence(seq: u32, data_records: u32) -> u32;

    /// Writes the header of the PDU `pdu` describes.
    fn header(c: &mut Cursor<'_>, pdu: &PduInfo, clock: &Clock) -> Option<()>;
}

/// What a PDU's header says about it (see [`SetFormat::header`]).
pub(crate) struct PduInfo {
    /// Bytes of the whole PDU.
    pub(crate) len: usize,
    /// Data records in it.
    pub(crate) data_records: u32,
    /// Template records in it.
    pub(crate) template_records: u32,
    /// Its sequence number.
    pub(crate) sequence: u32,
    /// v9 source ID / IPFIX observation domain.
    pub(crate) id: u32,
}

/// A v9 or IPFIX PDU builder: `V9Writer` and `IpfixWriter` are its two instances.
pub(crate) struct SetWriter<F: SetFormat> {
    pdu: SetPdu,
    sequence: u32,
    id: u32,
    _format: core::marker::PhantomData<F>,
}

impl<F: SetFormat> SetWriter<F> {
    /// An empty writer exporting as `id` (v9 source ID, IPFIX observation domain).
    pub(crate) const fn new(id: u32) -> Self {
        SetWriter {
            pdu: SetPdu::new(F::HEADER_LEN, F::DIALECT),
            sequence: 0,
            id,
            _format: core::marker::PhantomData,
        }
    }

    /// Sets the template resend rates (PDUs, minutes; 0 disables that trigger).
    pub(crate) fn set_template_rates(&mut self, refresh_rate: u32, timeout_rate_min: u32) {
        self.pdu.timer.set_rates(refresh_rate, timeout_rate_min);
    }

    /// Makes the next PDU carry the templates.
    pub(crate) fn resend_templates(&mut self) {
        self.pdu.timer.force();
    }

    /// Templates ever defined, and defined now.
    pub(crate) fn template_counts(&self) -> (u32, u32) {
        (self.pdu.templates.generated(), self.pdu.templates.active())
    }

    /// Sets the v9 source ID / IPFIX observation domain of the next PDUs.
    pub(crate) fn set_id(&mut self, id: u32) {
        self.id = id;
    }

    /// Data records in the PDU under construction.
    #[cfg(test)]
    pub(crate) fn pending(&self) -> usize {
        // u32 into a 64-bit usize: lossless.
        self.pdu.data_records() as usize
    }

    /// The next PDU's sequence number.
    #[cfg(test)]
    pub(crate) fn sequence(&self) -> u32 {
        self.sequence
    }

    /// Adds a record (`Full`: nothing written; finish, send, push again).
    pub(crate) fn push(&mut self, rec: &FlowRecord, clock: &Clock) -> Push {
        self.pdu.push(rec, clock)
    }

    /// Adds a NAT event record (`Full`: nothing written; finish, send, push again).
    pub(crate) fn push_nat(&mut self, ev: &NatEvent, clock: &Clock) -> Push {
        self.pdu.push_nat(ev, clock)
    }

    /// Adds an options record (`Full`: nothing written; finish, send, push again).
    pub(crate) fn push_options(&mut self, rec: &OptionsRecord<'_>, clock: &Clock) -> Push {
        self.pdu.push_options(rec, clock)
    }

    /// Writes the header, advances the sequence and returns the PDU, or `None` if it
    /// holds no data record.
    pub(crate) fn finish(&mut self, clock: &Clock) -> Option<&[u8]> {
        let (data_records, template_records) =
            (self.pdu.data_records(), self.pdu.template_records());
        let sequence = self.sequence;
        let (buf, len) = self.pdu.close()?;
        self.sequence = F::next_sequence(sequence, data_records);
        let info = PduInfo {
            len,
            data_records,
            template_records,
            sequence,
            id: self.id,
        };
        F::header(&mut Cursor::new(buf, 0), &info, clock)?;
        buf.get(..len)
    }
}

const fn align4(n: usize) -> usize {
    // Called with PDU offsets (< 2 * MAX_TEMPLATED_PDU): n + 3 fits.
    (n + 3) & !3
}
