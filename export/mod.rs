// SPDX-License-Identifier: GPL-2.0

//! Export: the destination list, the collectors' sockets, and (pure) the encoders.

pub(crate) mod collectors;
// Pure code shared with the host tests (`tests/host`), which need its items `pub`.
#[allow(unreachable_pub)]
pub(crate) mod destination;
