// SPDX-License-Identifier: GPL-2.0

//! The set layout v9 and IPFIX share: template sets announcing each flow shape's template
//! before its first record (and again after each refresh), data records written from a
//! template's own field list, the template resend schedule, and [`SetWriter`], generic
//! over what each protocol has of its own ([`SetFormat`]: header, template set ID,
//! dialect, sequence rule).
//!
//! Pure `core` code (no allocation, no panics): compiled into the module and into the
//! host test harness.

use crate::export::pdu::{put_u16_at, Clock, Cursor, Push, MAX_TEMPLATED_PDU};
use crate::export::record::FlowRecord;
use crate::export::templates::{Dialect, Field, Fields, Shape, Templates};

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
        33 => a.igmp_type.into(),
        60 => (k.family as u8).into(),
        64 | 208 => a.ip_options.into(),
        136 => (rec.end_reason as u8).into(),
        152 => rec.first_ms,
        153 => rec.last_ms,
        209 => a.tcp_options,
        295 => a.ipsec_spi.into(),
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
    buf: [u8; MAX_TEMPLATED_PDU],
    hdr_len: usize,
    tpl_set_id: u16,
    len: usize,
    data_records: u32,
    template_records: u32,
    open_set: Option<(u16, usize)>,
    /// The templates defined so far, by flow shape.
    pub(crate) templates: Templates,
    /// The template resend schedule.
    pub(crate) timer: TemplateTimer,
}

impl SetPdu {
    /// An empty PDU with a `hdr_len`-byte header and templates of `dialect` announced in
    /// sets with ID `tpl_set_id` (0 for v9, 2 for IPFIX).
    pub(crate) const fn new(hdr_len: usize, tpl_set_id: u16, dialect: Dialect) -> Self {
        SetPdu {
            buf: [0; MAX_TEMPLATED_PDU],
            hdr_len,
            tpl_set_id,
            len: hdr_len,
            data_records: 0,
            template_records: 0,
            open_set: None,
            templates: Templates::new(dialect),
            timer: TemplateTimer::new(20, 30),
        }
    }

    /// Data records in the PDU under construction.
    pub(crate) fn data_records(&self) -> u32 {
        self.data_records
    }

    /// Template records in the PDU under construction.
    pub(crate) fn template_records(&self) -> u32 {
        self.template_records
    }

    /// Adds a record, first writing its template if the collectors have not been sent
    /// it since the last refresh.
    pub(crate) fn push(&mut self, rec: &FlowRecord, clock: &Clock) -> Push {
        if self.data_records == 0 && self.timer.due(clock) {
            // A PDU that starts after the refresh interval announces every template
            // again, each before its first record.
            self.templates.refresh();
            self.timer.sent(clock);
        }
        let Some(tpl) = self.templates.get(Shape::of(rec)) else {
            return Push::NotExportable;
        };
        let (id, fields, announce) = (tpl.id, tpl.fields, !tpl.announced);
        // self.len <= MAX_TEMPLATED_PDU (1400) and a template is under 30 fields of at
        // most 16 bytes: these sums stay far below usize::MAX.
        let mut end = self.len;
        if announce {
            end = align4(end) + 4 + fields.template_len();
        }
        let switch = announce || self.open_set.map(|(open, _)| open) != Some(id);
        if switch {
            end = align4(end) + 4;
        }
        end += fields.record_len();
        // MAX_TEMPLATED_PDU is a multiple of 4, so the final padding always fits too.
        if end > self.buf.len() {
            return Push::Full;
        }
        let saved = (self.len, self.open_set, self.template_records);
        match self.write(id, &fields, announce, switch, rec, clock) {
            Some(()) => {
                if announce {
                    if let Some(t) = self.templates.get(Shape::of(rec)) {
                        t.announced = true;
                    }
                }
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

    fn write(
        &mut self,
        id: u16,
        fields: &Fields,
        announce: bool,
        switch: bool,
        rec: &FlowRecord,
        clock: &Clock,
    ) -> Option<()> {
        if announce {
            self.close_set()?;
            let start = self.len;
            let mut c = Cursor::new(&mut self.buf, start);
            c.u16(self.tpl_set_id)?;
            // 4 bytes of set header and a template record of under 30 fields: fits.
            c.u16((4 + fields.template_len()) as u16)?;
            c.u16(id)?;
            c.u16(fields.as_slice().len() as u16)?;
            for f in fields.as_slice() {
                c.u16(f.0)?;
                c.u16(f.1)?;
            }
            self.len = c.pos();
            // At most one template record per byte of the buffer.
            self.template_records += 1;
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
        for &f in fields.as_slice() {
            put_field(&mut c, f, rec, clock)?;
        }
        self.len = c.pos();
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

    /// Closes the PDU: returns its buffer (header still to be written) and total length,
    /// or `None` if it holds no data record. The next push starts a new PDU.
    pub(crate) fn close(&mut self) -> Option<(&mut [u8], usize)> {
        if self.data_records == 0 {
            return None;
        }
        if self.close_set().is_none() {
            self.reset();
            return None;
        }
        let len = self.len;
        self.reset();
        self.timer.pdu_finished();
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
    /// Set ID of template sets.
    const TEMPLATE_SET: u16;
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
            pdu: SetPdu::new(F::HEADER_LEN, F::TEMPLATE_SET, F::DIALECT),
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
