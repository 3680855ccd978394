// SPDX-License-Identifier: GPL-2.0

//! [`PduWriter`], the one encoder entry point the exporter uses: the protocol selector
//! and a dispatch over the v5, v9 and IPFIX writers.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::export::ipfix::IpfixWriter;
use crate::export::options::OptionsRecord;
use crate::export::pdu::{Clock, Push};
use crate::export::record::FlowRecord;
use crate::export::v5::V5Writer;
use crate::export::v9::V9Writer;
use crate::flow::sampling::Sampler;
use crate::nat::event::NatEvent;

/// Export protocol, numbered as the `protocol` parameter and the header's version field.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum Protocol {
    /// NetFlow v5 (IPv4 only).
    V5 = 5,
    /// NetFlow v9 (RFC 3954).
    V9 = 9,
    /// IPFIX (RFC 7011).
    Ipfix = 10,
}

impl TryFrom<u32> for Protocol {
    /// The rejected value.
    type Error = u32;

    fn try_from(v: u32) -> Result<Self, u32> {
        match v {
            5 => Ok(Protocol::V5),
            9 => Ok(Protocol::V9),
            10 => Ok(Protocol::Ipfix),
            other => Err(other),
        }
    }
}

/// The PDU encoder of the configured protocol.
pub(crate) enum PduWriter {
    /// NetFlow v5.
    V5(V5Writer),
    /// NetFlow v9.
    V9(V9Writer),
    /// IPFIX.
    Ipfix(IpfixWriter),
}

impl PduWriter {
    /// A writer for `protocol`; `engine_id` goes to the v5 engine_id (low 8 bits), the v9
    /// source_id or the IPFIX observation domain. Templates default to every 20 PDUs or
    /// 30 minutes.
    pub(crate) fn new(protocol: Protocol, engine_id: u32) -> Self {
        match protocol {
            Protocol::V5 => PduWriter::V5(V5Writer::new(engine_id)),
            Protocol::V9 => PduWriter::V9(V9Writer::new(engine_id)),
            Protocol::Ipfix => PduWriter::Ipfix(IpfixWriter::new(engine_id)),
        }
    }

    /// The protocol this writer encodes.
    pub(crate) fn protocol(&self) -> Protocol {
        match self {
            PduWriter::V5(_) => Protocol::V5,
            PduWriter::V9(_) => Protocol::V9,
            PduWriter::Ipfix(_) => Protocol::Ipfix,
        }
    }

    /// Sets the template resend rates (`refresh-rate` PDUs, `timeout-rate` minutes; 0
    /// disables that trigger). No effect for v5.
    pub(crate) fn set_template_rates(&mut self, refresh_rate: u32, timeout_rate_min: u32) {
        match self {
            PduWriter::V5(_) => {}
            PduWriter::V9(w) => w.set_template_rates(refresh_rate, timeout_rate_min),
            PduWriter::Ipfix(w) => w.set_template_rates(refresh_rate, timeout_rate_min),
        }
    }

    /// Sets the engine id of the next PDUs: v5 engine_id (low 8 bits), v9 source_id,
    /// IPFIX observation domain.
    pub(crate) fn set_engine_id(&mut self, engine_id: u32) {
        match self {
            PduWriter::V5(w) => w.set_engine_id(engine_id),
            PduWriter::V9(w) => w.set_id(engine_id),
            PduWriter::Ipfix(w) => w.set_id(engine_id),
        }
    }

    /// Sets the sampler the next PDUs tell of (v5: the header's sampling field).
    pub(crate) fn set_sampler(&mut self, sampler: Option<Sampler>) {
        match self {
            PduWriter::V5(w) => w.set_sampler(sampler),
            PduWriter::V9(_) | PduWriter::Ipfix(_) => {}
        }
    }

    /// Makes the next PDU carry the templates (e.g. after a destination change).
    pub(crate) fn resend_templates(&mut self) {
        match self {
            PduWriter::V5(_) => {}
            PduWriter::V9(w) => w.resend_templates(),
            PduWriter::Ipfix(w) => w.resend_templates(),
        }
    }

    /// Adds a record to the PDU under construction.
    pub(crate) fn push(&mut self, rec: &FlowRecord, clock: &Clock) -> Push {
        match self {
            PduWriter::V5(w) => w.push(rec, clock),
            PduWriter::V9(w) => w.push(rec, clock),
            PduWriter::Ipfix(w) => w.push(rec, clock),
        }
    }

    /// Adds a NAT event to the PDU under construction: a NEL record in v9/IPFIX, C's
    /// pseudo-flows in v5 (IPv4 only).
    pub(crate) fn push_nat(&mut self, ev: &NatEvent, clock: &Clock) -> Push {
        match self {
            PduWriter::V5(w) => w.push_nat(ev, clock),
            PduWriter::V9(w) => w.push_nat(ev, clock),
            PduWriter::Ipfix(w) => w.push_nat(ev, clock),
        }
    }

    /// Adds an options record to the PDU under construction (v5 has none:
    /// `NotExportable`).
    pub(crate) fn push_options(&mut self, rec: &OptionsRecord<'_>, clock: &Clock) -> Push {
        match self {
            PduWriter::V5(_) => Push::NotExportable,
            PduWriter::V9(w) => w.push_options(rec, clock),
            PduWriter::Ipfix(w) => w.push_options(rec, clock),
        }
    }

    /// Writes the header, advances the sequence number and returns the PDU, or `None` if
    /// it holds no record. The next push starts a new PDU.
    pub(crate) fn finish(&mut self, clock: &Clock) -> Option<&[u8]> {
        match self {
            PduWriter::V5(w) => w.finish(clock),
            PduWriter::V9(w) => w.finish(clock),
            PduWriter::Ipfix(w) => w.finish(clock),
        }
    }

    /// v9/IPFIX templates ever defined, and defined now (0, 0 for v5).
    pub(crate) fn template_counts(&self) -> (u32, u32) {
        match self {
            PduWriter::V5(_) => (0, 0),
            PduWriter::V9(w) => w.template_counts(),
            PduWriter::Ipfix(w) => w.template_counts(),
        }
    }

    /// Data records in the PDU under construction.
    #[cfg(test)]
    pub(crate) fn pending(&self) -> usize {
        match self {
            PduWriter::V5(w) => w.pending(),
            PduWriter::V9(w) => w.pending(),
            PduWriter::Ipfix(w) => w.pending(),
        }
    }
}
