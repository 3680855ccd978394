// SPDX-License-Identifier: GPL-2.0

//! `net.netflow.*`: one sysctl per row of the settings table that has a sysctl name.

use super::spec::Setting;
use crate::engine::Netflow;
use crate::glue::sysctl::SysctlHandler;
use core::fmt::{self, Write};
use kernel::c_str;
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::sync::Arc;

macro_rules! sysctl_rows {
    ($( $id:ident : $(param $($live:ident)? $p:literal)? $(no_param)?,
        $(sysctl $s:literal)? $(no_sysctl)?,
        default $d:literal, $kind:expr, $ty:ident, $desc:literal; )*) => {
        /// The sysctl names, in table order.
        pub(crate) static NAMES: &[&CStr] = &[$( $( c_str!($s), )? )*];
        /// The setting of each of [`NAMES`].
        static IDS: &[Setting] = &[$( $( sysctl_rows!(@id $id $s), )? )*];
    };
    (@id $id:ident $s:literal) => { Setting::$id };
}

crate::for_each_setting!(sysctl_rows);

/// The `net.netflow` table's handler.
pub(crate) struct Sysctls(pub(crate) Arc<Netflow>);

impl SysctlHandler for Sysctls {
    fn read(&self, index: usize, out: &mut dyn Write) -> fmt::Result {
        super::show(&self.0, *IDS.get(index).ok_or(fmt::Error)?, out)
    }

    fn write(&self, index: usize, value: &[u8]) -> Result {
        super::apply(
            &self.0,
            super::Origin::Sysctl,
            *IDS.get(index).ok_or(EINVAL)?,
            value,
        )
    }
}
