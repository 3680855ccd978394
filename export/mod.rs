// SPDX-License-Identifier: GPL-2.0

//! Export: NetFlow v5/v9/IPFIX encoding and the collectors.

pub(crate) mod collectors;
pub(crate) mod destination;
pub(crate) mod exporter;
pub(crate) mod ipfix;
pub(crate) mod pdu;
pub(crate) mod record;
pub(crate) mod v5;
pub(crate) mod v9;
