// SPDX-License-Identifier: GPL-2.0

//! Export. Pure encoders, in layers: `pdu` (cursor, clock), `templates` (per-flow
//! templates) <- `sets` (the v9/IPFIX set
//! layout) <- `v5`, `v9`, `ipfix` <- `writer` (the protocol dispatch); the destination
//! parser. Kernel side: the collectors' sockets and the exporter.

pub(crate) mod collectors;
pub(crate) mod destination;
pub(crate) mod exporter;
pub(crate) mod ipfix;
pub(crate) mod nel;
pub(crate) mod options;
pub(crate) mod pdu;
pub(crate) mod record;
pub(crate) mod sets;
pub(crate) mod templates;
pub(crate) mod v5;
pub(crate) mod v9;
pub(crate) mod writer;
