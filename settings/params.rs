// SPDX-License-Identifier: GPL-2.0

//! The module parameters: one per row of the settings table that has a parameter name,
//! declared from the table itself. A value given to `insmod` is checked as a sysctl
//! write is, and refused with the same message. The `live` rows are writable in
//! `/sys/module/ipt_NETFLOW/parameters/` while the module runs: a write there is a write
//! of the initial namespace's sysctl (C ipt_NETFLOW has that one instance only), with the
//! same checks. Reading a parameter shows the initial namespace's current value.

use super::spec::{Setting, IDS};
use super::{apply, parse, show, Origin};
use crate::engine::Netflow;
use crate::glue::params::{module_param, ParamHandler, ParamLocked, ParamTarget};
use core::fmt::{self, Write};
use kernel::prelude::*;

/// The initial namespace's instance, once it runs: what parameter writes change.
pub(crate) static TARGET: ParamTarget<Netflow> = ParamTarget::new();

/// Handles the parameters; a parameter's index is its setting's row.
pub(crate) struct Params;

impl ParamHandler for Params {
    fn check(index: usize, value: &[u8]) -> Result {
        let id = Setting::from_index(index).ok_or(EINVAL)?;
        parse(Origin::Param, id, value).map(|_| ())
    }

    fn show(
        index: usize,
        given: Option<&[u8]>,
        locked: &ParamLocked,
        out: &mut dyn Write,
    ) -> fmt::Result {
        let id = Setting::from_index(index).ok_or(fmt::Error)?;
        match (TARGET.get(locked), given) {
            (Some(n), _) => show(n, id, out),
            (None, Some(text)) => {
                out.write_str(core::str::from_utf8(text).map_err(|_| fmt::Error)?)
            }
            (None, None) => out.write_str(id.spec().default),
        }
    }

    fn store(index: usize, value: &[u8], locked: &ParamLocked) -> Result {
        let id = Setting::from_index(index).ok_or(EINVAL)?;
        if !id.spec().live {
            return Err(EPERM);
        }
        // Before init made the instance, or after exit took it away: nothing to change.
        let n = TARGET.get(locked).ok_or(EBUSY)?;
        apply(n, Origin::Param, id, value)
    }
}

/// The value given at load time for `id`'s parameter, if any.
pub(crate) fn given(id: Setting) -> Option<&'static [u8]> {
    id.spec().param?;
    crate::glue::params::given(id as usize)
}

macro_rules! declare_params {
    ($( $id:ident : $(param $($live:ident)? $p:literal)? $(no_param)?,
        $(sysctl $s:literal)? $(no_sysctl)?,
        default $d:literal, $kind:expr, $ty:ident, $desc:literal; )*) => {
        $( $( module_param!(Params, Setting::$id as usize, $p, $ty, $desc,
                            declare_params!(@live $($live)?)); )? )*
    };
    (@live live) => { true };
    (@live) => { false };
}

crate::for_each_setting!(declare_params);

// Every setting's index fits the parameter glue's slots.
const _: () = assert!(IDS.len() <= crate::glue::params::MAX_PARAMS);
