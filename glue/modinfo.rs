// SPDX-License-Identifier: GPL-2.0

//! The module's own metadata: its version and srcversion (`modinfo`,
//! `/sys/module/ipt_NETFLOW/{version,srcversion}`), for the first line of `/proc`.
//!
//! C side: `glue/modinfo.c` (`MODULE_VERSION`, `MODULE_ALIAS`).

use super::bindings;
use kernel::prelude::*;

/// Turns a string of `glue/modinfo.c` into a `CStr`.
///
/// # Safety
///
/// `p` is a non-NULL NUL-terminated string that lives as long as the module.
unsafe fn module_str(p: *const kernel::ffi::c_char) -> &'static CStr {
    // SAFETY: by the function's contract.
    unsafe { CStr::from_char_ptr(p) }
}

/// The module's version, from the tree's `VERSION` file (e.g. `2.6.0-rust`).
pub(crate) fn version() -> &'static CStr {
    // SAFETY: `netflow_module_version` returns `THIS_MODULE->version` (set by the module
    // loader before init, freed only after exit) or a string literal; never NULL.
    unsafe { module_str(bindings::netflow_module_version()) }
}

/// The srcversion modpost computed over the module's sources, as `modinfo` shows it.
pub(crate) fn srcversion() -> &'static CStr {
    // SAFETY: as in `version`: `THIS_MODULE->srcversion` or `""`.
    unsafe { module_str(bindings::netflow_module_srcversion()) }
}
