// SPDX-License-Identifier: GPL-2.0

//! `/proc/net/stat/ipt_netflow_flows`: every flow in the namespace's table, one line each
//! (format: [`super::flow_line`]), as C ipt_NETFLOW 2.6 lists them.
//!
//! A million flows are listed without holding anything the packet path or the aging
//! work waits for: the file walks the table bucket by bucket from a position (bucket,
//! place in its chain) kept per open file, copying up to [`BATCH`] lines at a time under
//! a short RCU read section, and formats them afterwards with nothing held. Flows come
//! and go while the walk goes on: a flow may be missing or listed twice, as in C's dump.

use super::flow_line::{due_bits, FlowLine, HEADER};
use crate::engine::table::END_GRACE_MS;
use crate::engine::Netflow;
use crate::glue::proc::SeqFile;
use crate::glue::proc_seq::SeqRecords;
use crate::glue::rcu::ReadGuard;
use crate::glue::rcu_table::Position;
use crate::glue::{sched, time};
use kernel::prelude::*;
use kernel::sync::Arc;

/// Lines copied per read section (the copies live in the open file's state).
const BATCH: usize = 16;

/// Buckets one read section looks at, at most: a mostly empty table of millions of
/// buckets is walked in many short sections.
const BUCKETS_PER_SECTION: usize = 4096;

/// The flow dump of one namespace.
pub(crate) struct FlowsFile(pub(crate) Arc<Netflow>);

/// Where one open dump is.
pub(crate) struct Cursor {
    /// The lines copied last, `len` of them; `lines[at]` is the record at `pos` (unless
    /// `pos` is 0, the header).
    lines: [Option<FlowLine>; BATCH],
    len: usize,
    at: usize,
    /// The position readied last.
    pos: u64,
    /// Where the walk goes on after `lines`; `None` once it reached the last bucket.
    resume: Option<Position>,
    /// Lines copied so far.
    numbered: u64,
}

impl FlowsFile {
    /// Back to the header, the walk to the first bucket.
    fn rewind(c: &mut Cursor) {
        c.len = 0;
        c.at = 0;
        c.pos = 0;
        c.resume = Some(Position::default());
        c.numbered = 0;
    }

    /// Copies the next lines into `c.lines` (none at the end of the table).
    fn refill(&self, c: &mut Cursor) {
        let n = &self.0;
        let t = n.timeouts();
        // HZ is at most a few thousand: no overflow.
        let grace = END_GRACE_MS * time::hz() / 1000;
        c.len = 0;
        c.at = 0;
        while let Some(from) = c.resume {
            let rcu = ReadGuard::new();
            let now = time::jiffies();
            let (lines, len) = (&mut c.lines, &mut c.len);
            let numbered = &mut c.numbered;
            c.resume = n.flows.visit(&rcu, from, BUCKETS_PER_SECTION, |pos, flow| {
                let Some(slot) = lines.get_mut(*len) else {
                    return false;
                };
                let (first, last) = flow.times();
                // The record's milliseconds are not shown: any instant does.
                let record = flow.record(now, 0);
                *numbered = numbered.saturating_add(1);
                let line = FlowLine {
                    number: *numbered,
                    bucket: pos.bucket,
                    due: due_bits(
                        now,
                        first,
                        last,
                        record.tcp_flags,
                        record.key.protocol,
                        &t,
                        grace,
                    ),
                    record,
                    age: now.saturating_sub(first),
                    idle: now.saturating_sub(last),
                };
                *slot = Some(line);
                // len < BATCH (`slot` exists): + 1 fits.
                *len += 1;
                true
            });
            drop(rcu);
            if c.len > 0 {
                break;
            }
            // Empty buckets only so far: let others run between sections.
            sched::cond_resched();
        }
    }

    /// Moves from the record at `c.pos` to the next one; false at the end.
    fn advance(&self, c: &mut Cursor) -> bool {
        if c.pos != 0 {
            // at < BATCH: + 1 fits.
            c.at += 1;
        }
        c.pos = c.pos.saturating_add(1);
        if c.at >= c.len {
            self.refill(c);
        }
        c.at < c.len
    }
}

impl SeqRecords for FlowsFile {
    type State = Cursor;

    fn open(&self) -> Result<Cursor> {
        let mut c = Cursor {
            lines: [None; BATCH],
            len: 0,
            at: 0,
            pos: 0,
            resume: None,
            numbered: 0,
        };
        Self::rewind(&mut c);
        Ok(c)
    }

    fn start(&self, c: &mut Cursor, pos: u64) -> bool {
        if pos == 0 {
            Self::rewind(c);
            return true;
        }
        // A read goes on where the last stopped; anything else (a seek) walks from the
        // start, as C's dump does.
        if pos != c.pos {
            Self::rewind(c);
            while c.pos < pos {
                if !self.advance(c) {
                    return false;
                }
            }
            return true;
        }
        c.at < c.len
    }

    fn next(&self, c: &mut Cursor, _pos: u64) -> bool {
        self.advance(c)
    }

    fn show(&self, c: &Cursor, m: &mut SeqFile<'_>) -> Result {
        use core::fmt::Write;
        if c.pos == 0 {
            return m.write_bytes(HEADER.as_bytes());
        }
        let line = c
            .lines
            .get(c.at)
            .filter(|_| c.at < c.len)
            .and_then(Option::as_ref)
            .ok_or(EINVAL)?;
        write!(m, "{}", line).map_err(|_| ENOMEM)
    }
}
