// SPDX-License-Identifier: GPL-2.0

//! NAT events (`natevents`): conntrack's create and destroy events of translated
//! connections, read from conntrack's own netlink event groups and exported as NEL
//! records (v9/IPFIX) or C's v5 pseudo-flows.
//!
//! Why a netlink socket: conntrack has one event callback per namespace, ctnetlink's.
//! C ipt_NETFLOW replaces it with its own and chains ctnetlink's from it, which breaks
//! when ctnetlink loads after it (the kernel warns and C's events end) or unloads while
//! chained (a call into freed code). Listening on the NEW and DESTROY groups as
//! `conntrack -E` does leaves that callback alone: every listener gets every event,
//! ctnetlink can come and go, and a full receive queue is counted by the socket
//! (`sk_drops`), so a lost event is a counted one.

pub(crate) mod ctnetlink;
pub(crate) mod event;
pub(crate) mod listener;
