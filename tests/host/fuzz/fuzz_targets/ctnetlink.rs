// SPDX-License-Identifier: GPL-2.0

//! cargo-fuzz target: the body is `netflow_pure::fuzzing::ctnetlink` (see tests/host/fuzzing.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netflow_pure::fuzzing::ctnetlink::run(data));
