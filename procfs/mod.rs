// SPDX-License-Identifier: GPL-2.0

//! `/proc/net/stat/ipt_netflow` and `/proc/net/stat/ipt_netflow_snmp`, in the line formats
//! of C ipt_NETFLOW 2.x so that existing scripts and the SNMP agent keep working.

pub(crate) mod snmp;
pub(crate) mod stat;
