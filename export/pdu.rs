// SPDX-License-Identifier: GPL-2.0

//! Pieces shared by the NetFlow v5, v9 and IPFIX encoders: a checked big-endian cursor,
//! the export clock and the outcome of adding a record.
//!
//! Pure `core` code (no allocation, no panics): compiled into the module and into the
//! host test harness.

/// Largest v9/IPFIX PDU: 1400 bytes plus IPv6 (40) and UDP (8) headers fit a 1500-byte MTU.
pub(crate) const MAX_TEMPLATED_PDU: usize = 1400;

/// The time at which a PDU is built: wall clock and time since boot, read together.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Clock {
    /// Now, milliseconds since the Unix epoch.
    pub(crate) unix_ms: u64,
    /// Now, milliseconds since boot (the v5/v9 "sysuptime").
    pub(crate) uptime_ms: u64,
}

impl Clock {
    /// The Unix time of boot in ms, as the collector reconstructs it from the header.
    pub(crate) fn boot_unix_ms(&self) -> u64 {
        self.unix_ms.saturating_sub(self.uptime_ms)
    }

    /// Header sysuptime; wraps after 49.7 days exactly as the 32-bit wire field does.
    pub(crate) fn sysuptime(&self) -> u32 {
        // Truncation on purpose: sysUpTime wraps at 2^32 ms as on the wire.
        self.uptime_ms as u32
    }

    /// Header sysuptime at the whole second `unix_secs()`, for headers without sub-second
    /// time (v9): a collector computing boot as `unix_secs * 1000 - sysuptime` then gets
    /// the exact boot time, so flow times reconstruct to the millisecond.
    pub(crate) fn sysuptime_at_unix_secs(&self) -> u32 {
        // % of a nonzero constant; truncation on purpose (the 32-bit wire field wraps).
        self.uptime_ms.saturating_sub(self.unix_ms % 1000) as u32
    }

    /// Sysuptime of a flow time (Unix ms); times before boot map to 0.
    pub(crate) fn uptime_of(&self, t_ms: u64) -> u32 {
        // Truncation mirrors `sysuptime()`, so collectors subtract consistently after a wrap.
        // Truncation on purpose (the 32-bit wire field wraps).
        t_ms.saturating_sub(self.boot_unix_ms()) as u32
    }

    /// Whole seconds since the Unix epoch (32-bit wire field).
    pub(crate) fn unix_secs(&self) -> u32 {
        // Division by a nonzero constant; truncation wraps in 2106 as the wire field does.
        (self.unix_ms / 1000) as u32
    }
}

/// Outcome of [`PduWriter::push`].
#[must_use]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Push {
    /// The record is in the PDU.
    Added,
    /// The PDU is full: `finish`, send, then push the same record again. (v5 may have
    /// written part of a split record; it remembers and continues where it stopped.)
    Full,
    /// The protocol cannot carry this record (IPv6 flow in v5); the caller counts it lost.
    NotExportable,
}

/// Checked big-endian writer over a byte slice; every write returns `None` instead of
/// panicking when it would run past the end.
pub(crate) struct Cursor<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor writing `buf` from offset `pos`.
    pub(crate) fn new(buf: &'a mut [u8], pos: usize) -> Self {
        Cursor { buf, pos }
    }

    /// Offset of the next write.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Writes raw bytes.
    pub(crate) fn bytes(&mut self, b: &[u8]) -> Option<()> {
        let end = self.pos.checked_add(b.len())?;
        self.buf.get_mut(self.pos..end)?.copy_from_slice(b);
        self.pos = end;
        Some(())
    }

    /// Writes `n` zero bytes.
    pub(crate) fn zeros(&mut self, n: usize) -> Option<()> {
        let end = self.pos.checked_add(n)?;
        self.buf.get_mut(self.pos..end)?.fill(0);
        self.pos = end;
        Some(())
    }

    /// Writes one byte.
    pub(crate) fn u8(&mut self, v: u8) -> Option<()> {
        self.bytes(&[v])
    }

    /// Writes a big-endian u16.
    pub(crate) fn u16(&mut self, v: u16) -> Option<()> {
        self.bytes(&v.to_be_bytes())
    }

    /// Writes a big-endian u32.
    pub(crate) fn u32(&mut self, v: u32) -> Option<()> {
        self.bytes(&v.to_be_bytes())
    }

    /// Writes `v` big-endian in `len` bytes (1..=8), saturating if it does not fit.
    pub(crate) fn uint(&mut self, v: u64, len: usize) -> Option<()> {
        if len == 0 || len > 8 {
            return None;
        }
        let max = if len == 8 {
            u64::MAX
        } else {
            // 1 <= len <= 7 here: shift by at most 56 < 64, and the result >= 256 > 1.
            (1u64 << (8 * len)) - 1
        };
        let be = v.min(max).to_be_bytes();
        // len <= 8 (checked above).
        self.bytes(be.get(8 - len..)?)
    }
}

/// Writes a big-endian u16 at `pos` (for patching length fields).
pub(crate) fn put_u16_at(buf: &mut [u8], pos: usize, v: u16) -> Option<()> {
    Cursor::new(buf, pos).u16(v)
}
