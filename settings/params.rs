// SPDX-License-Identifier: GPL-2.0

//! The module parameters: one per row of the settings table that has a parameter name,
//! declared from the table itself. A value given to `insmod` is checked as a sysctl
//! write is, and refused with the same message.

use super::spec::{Setting, IDS};
use super::{parse, Origin};
use crate::glue::params::{module_param, ParamHandler};
use core::fmt::{self, Write};
use kernel::prelude::*;

/// Handles the parameters; a parameter's index is its setting's row.
pub(crate) struct Params;

impl ParamHandler for Params {
    fn check(index: usize, value: &[u8]) -> Result {
        let id = Setting::from_index(index).ok_or(EINVAL)?;
        parse(Origin::Param, id, value).map(|_| ())
    }

    fn show(index: usize, given: Option<&[u8]>, out: &mut dyn Write) -> fmt::Result {
        let id = Setting::from_index(index).ok_or(fmt::Error)?;
        match given {
            Some(text) => out.write_str(core::str::from_utf8(text).map_err(|_| fmt::Error)?),
            None => out.write_str(id.spec().default),
        }
    }
}

/// The value given at load time for `id`'s parameter, if any.
pub(crate) fn given(id: Setting) -> Option<&'static [u8]> {
    id.spec().param?;
    crate::glue::params::given(id as usize)
}

macro_rules! declare_params {
    ($( $id:ident : $(param $p:literal)? $(no_param)?, $(sysctl $s:literal)? $(no_sysctl)?,
        default $d:literal, $kind:expr, $ty:ident, $desc:literal; )*) => {
        $( $( module_param!(Params, Setting::$id as usize, $p, $ty, $desc); )? )*
    };
}

crate::for_each_setting!(declare_params);

// Every setting's index fits the parameter glue's slots.
const _: () = assert!(IDS.len() <= crate::glue::params::MAX_PARAMS);
