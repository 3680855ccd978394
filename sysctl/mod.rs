// SPDX-License-Identifier: GPL-2.0

//! `net.netflow.*`: read and change the settings while running (names as C ipt_NETFLOW 2.x).
//! A bad value is refused with `EINVAL`, a line in dmesg, and no change.

pub mod clip;
pub mod number;

use crate::aggregation::rules;
use crate::engine::Netflow;
use crate::export::collectors::Collectors;
use crate::export::destination;
use crate::export::pdu::Protocol;
use crate::glue::sysctl::SysctlHandler;
use clip::Clipped;
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use kernel::c_str;
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::sync::Arc;
use number::parse_in_range;

/// The sysctl names, in the order of [`Entry`].
pub(crate) static NAMES: [&CStr; 13] = [
    c_str!("active_timeout"),
    c_str!("inactive_timeout"),
    c_str!("debug"),
    c_str!("maxflows"),
    c_str!("hashsize"),
    c_str!("sndbuf"),
    c_str!("destination"),
    c_str!("aggregation"),
    c_str!("protocol"),
    c_str!("refresh-rate"),
    c_str!("timeout-rate"),
    c_str!("scan-min"),
    c_str!("flush"),
];

/// The sysctls, in the order of [`NAMES`].
#[derive(Clone, Copy)]
enum Entry {
    ActiveTimeout,
    InactiveTimeout,
    Debug,
    Maxflows,
    Hashsize,
    Sndbuf,
    Destination,
    Aggregation,
    Protocol,
    RefreshRate,
    TimeoutRate,
    ScanMin,
    Flush,
}

const ENTRIES: [Entry; 13] = [
    Entry::ActiveTimeout,
    Entry::InactiveTimeout,
    Entry::Debug,
    Entry::Maxflows,
    Entry::Hashsize,
    Entry::Sndbuf,
    Entry::Destination,
    Entry::Aggregation,
    Entry::Protocol,
    Entry::RefreshRate,
    Entry::TimeoutRate,
    Entry::ScanMin,
    Entry::Flush,
];

/// Smallest hash table accepted (as C ipt_NETFLOW).
pub(crate) const MIN_HASHSIZE: u64 = 256;
/// Largest: 2^26 buckets (512 MiB of bucket array) is far beyond any real table.
const MAX_HASHSIZE: u64 = 1 << 26;

/// The `net.netflow` table's handler.
pub(crate) struct Settings(pub(crate) Arc<Netflow>);

/// Refuses a value: says why in dmesg, returns `EINVAL`.
fn refuse(name: &CStr, why: fmt::Arguments<'_>) -> Error {
    pr_warn!("net.netflow.{}: {}\n", name, Clipped(why));
    EINVAL
}

fn number(entry: usize, value: &str, min: u64, max: u64) -> Result<u64> {
    parse_in_range(value, min, max)
        .map_err(|e| refuse(NAMES[entry], format_args!("'{}' refused: {}", value, e)))
}

fn store(cell: &AtomicU64, v: u64) {
    cell.store(v, Relaxed);
}

fn store32(cell: &AtomicU32, v: u64) {
    cell.store(v as u32, Relaxed);
}

impl SysctlHandler for Settings {
    fn read(&self, index: usize, out: &mut dyn Write) -> fmt::Result {
        let n = &*self.0;
        let s = &n.flows.settings;
        match ENTRIES.get(index).ok_or(fmt::Error)? {
            Entry::ActiveTimeout => write!(out, "{}", s.active_timeout.load(Relaxed)),
            Entry::InactiveTimeout => write!(out, "{}", s.inactive_timeout.load(Relaxed)),
            Entry::Debug => write!(out, "{}", n.debug.load(Relaxed)),
            Entry::Maxflows => write!(out, "{}", s.maxflows.load(Relaxed)),
            Entry::Hashsize => write!(out, "{}", n.flows.buckets()),
            Entry::Sndbuf => write!(out, "{}", n.sndbuf.load(Relaxed)),
            Entry::Destination => {
                let exporter = n.exporter.lock();
                for (i, c) in exporter.collectors().iter().enumerate() {
                    let d = c.destination();
                    write!(out, "{}{}", if i > 0 { "," } else { "" }, d)?;
                    if let Some(src) = d.source {
                        match src {
                            core::net::IpAddr::V4(a) => write!(out, "@{}", a)?,
                            core::net::IpAddr::V6(a) => write!(out, "@[{}]", a)?,
                        }
                    }
                }
                Ok(())
            }
            Entry::Aggregation => {
                let text = n.config.lock();
                out.write_str(core::str::from_utf8(&text.aggregation).map_err(|_| fmt::Error)?)
            }
            Entry::Protocol => write!(out, "{}", n.exporter.lock().protocol() as u32),
            Entry::RefreshRate => write!(out, "{}", n.export_settings.refresh_rate.load(Relaxed)),
            Entry::TimeoutRate => write!(out, "{}", n.export_settings.timeout_rate.load(Relaxed)),
            Entry::ScanMin => write!(out, "{}", n.scan_min.load(Relaxed)),
            Entry::Flush => write!(out, "0"),
        }
    }

    fn write(&self, index: usize, value: &str) -> Result {
        let n = &*self.0;
        let s = &n.flows.settings;
        let entry = *ENTRIES.get(index).ok_or(EINVAL)?;
        let name = NAMES[index];
        // One reconfiguration at a time; each either fully happens or changes nothing.
        let mut config = n.config.lock();
        match entry {
            Entry::ActiveTimeout => store(&s.active_timeout, number(index, value, 1, 1 << 31)?),
            Entry::InactiveTimeout => store(&s.inactive_timeout, number(index, value, 1, 1 << 31)?),
            Entry::Debug => {
                let level = number(index, value, 0, 3)?;
                store32(&n.debug, level);
                n.exporter.lock().set_debug(level as u32);
            }
            Entry::Maxflows => store(&s.maxflows, number(index, value, 0, u64::from(u32::MAX))?),
            Entry::Hashsize => {
                let buckets = number(index, value, MIN_HASHSIZE, MAX_HASHSIZE)?;
                n.flows
                    .maintenance()
                    .resize(buckets as usize)
                    .inspect_err(|e| {
                        pr_warn!(
                            "net.netflow.{}: resize to {} buckets failed: {:?}\n",
                            name,
                            buckets,
                            e
                        )
                    })?;
                pr_info!("hash table resized to {} buckets\n", n.flows.buckets());
            }
            Entry::Sndbuf => {
                let bytes = number(index, value, 0, i32::MAX as u64)?;
                n.exporter.lock().collectors().set_sndbuf(bytes as u32);
                store32(&n.sndbuf, bytes);
            }
            Entry::Destination => {
                let dests =
                    destination::parse(value).map_err(|e| refuse(name, format_args!("{}", e)))?;
                // Open the new set fully before touching the old one.
                let collectors = Collectors::open(&dests, n.sndbuf.load(Relaxed))?;
                let old = n.switch_collectors(collectors);
                drop(old);
                pr_info!("destination set to {}\n", value);
            }
            Entry::Aggregation => {
                let rules = rules::parse(value).map_err(|e| refuse(name, format_args!("{}", e)))?;
                let mut text = KVec::new();
                text.extend_from_slice(value.as_bytes(), GFP_KERNEL)?;
                n.flows.set_rules(KBox::new(rules, GFP_KERNEL)?);
                config.aggregation = text;
            }
            Entry::Protocol => {
                let v = number(index, value, 0, u64::from(u32::MAX))? as u32;
                let protocol = Protocol::try_from(v)
                    .map_err(|v| refuse(name, format_args!("{} is not 5, 9 or 10", v)))?;
                n.switch_protocol(protocol);
            }
            Entry::RefreshRate => {
                store32(
                    &n.export_settings.refresh_rate,
                    number(index, value, 0, u64::from(u32::MAX))?,
                );
                n.apply_template_rates();
            }
            Entry::TimeoutRate => {
                store32(
                    &n.export_settings.timeout_rate,
                    number(index, value, 0, u64::from(u32::MAX))?,
                );
                n.apply_template_rates();
            }
            Entry::ScanMin => store(&n.scan_min, number(index, value, 1, 1000)?),
            Entry::Flush => {
                if number(index, value, 0, 1)? == 1 {
                    drop(config);
                    n.flush_all();
                }
            }
        }
        Ok(())
    }
}
