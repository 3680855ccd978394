// SPDX-License-Identifier: GPL-2.0

//! Module parameters (declared in C: `glue/params.c`).

use super::bindings;
use kernel::str::CStr;

/// The module parameters as given at load time, names and defaults of C ipt_NETFLOW.
pub(crate) struct Params {
    /// `destination`: export collectors.
    pub(crate) destination: &'static CStr,
    /// `aggregation`: aggregation rules.
    pub(crate) aggregation: &'static CStr,
    /// `protocol`: 5, 9 or 10.
    pub(crate) protocol: u32,
    /// `inactive_timeout`, seconds.
    pub(crate) inactive_timeout: u32,
    /// `active_timeout`, seconds.
    pub(crate) active_timeout: u32,
    /// `refresh_rate`, PDUs between template re-sends.
    pub(crate) refresh_rate: u32,
    /// `timeout_rate`, minutes between template re-sends.
    pub(crate) timeout_rate: u32,
    /// `scan_min`, jiffies between scans.
    pub(crate) scan_min: u32,
    /// `sndbuf`, bytes (0 = system default).
    pub(crate) sndbuf: u32,
    /// `hashsize`, buckets (0 = sized from memory).
    pub(crate) hashsize: u32,
    /// `maxflows` (0 = unlimited).
    pub(crate) maxflows: u32,
    /// `engine_id`.
    pub(crate) engine_id: u32,
    /// `debug`, 0..3.
    pub(crate) debug: u32,
}

/// Turns a parameter string into a `CStr`; NULL (a `charp` set to nothing) reads as "".
///
/// # Safety
///
/// `ptr` is NULL or a NUL-terminated string that lives until the module is unloaded.
unsafe fn param_str(ptr: *const kernel::ffi::c_char) -> &'static CStr {
    if ptr.is_null() {
        return kernel::c_str!("");
    }
    // SAFETY: non-NULL, NUL-terminated and alive until unload, by the function's contract.
    unsafe { CStr::from_char_ptr(ptr) }
}

impl Params {
    /// Reads the parameters; call from module init (they are read-only after load).
    pub(crate) fn get() -> Self {
        let mut raw = bindings::netflow_params::default();
        // SAFETY: `raw` is a valid, writable `struct netflow_params`.
        unsafe { bindings::netflow_params_get(&mut raw) };
        Self {
            // SAFETY: `charp` parameters are NULL or strings owned by the parameter code
            // until the module is unloaded (perm 0444: nothing can replace them).
            destination: unsafe { param_str(raw.destination) },
            // SAFETY: as above.
            aggregation: unsafe { param_str(raw.aggregation) },
            protocol: raw.protocol,
            inactive_timeout: raw.inactive_timeout,
            active_timeout: raw.active_timeout,
            refresh_rate: raw.refresh_rate,
            timeout_rate: raw.timeout_rate,
            scan_min: raw.scan_min,
            sndbuf: raw.sndbuf,
            hashsize: raw.hashsize,
            maxflows: raw.maxflows,
            engine_id: raw.engine_id,
            debug: raw.debug,
        }
    }
}
