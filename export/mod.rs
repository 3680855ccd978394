// SPDX-License-Identifier: GPL-2.0

//! Export: NetFlow v5/v9/IPFIX encoding (pure, `pub`: shared with the host tests), the
//! collectors' sockets and the exporter.

pub(crate) mod collectors;
pub mod destination;
pub(crate) mod exporter;
pub mod ipfix;
pub mod pdu;
pub mod record;
pub mod v5;
pub mod v9;
