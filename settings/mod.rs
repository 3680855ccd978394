// SPDX-License-Identifier: GPL-2.0

//! The settings: one table ([`spec`]) read by the module parameters ([`params`]), the
//! `net.netflow.*` sysctls ([`sysctl`]) and `/proc`. A value is checked by one function
//! for both, refused with one message, and what changing it does is in [`apply`].

pub(crate) mod clip;
pub(crate) mod number;
pub(crate) mod params;
pub(crate) mod spec;
pub(crate) mod sysctl;
pub(crate) mod values;

use crate::engine::Netflow;
use crate::export::collectors::Collectors;
use crate::export::writer::Protocol;
use crate::flow::sampling::Sampler;
use clip::Clipped;
use core::fmt::{self, Write};

use crate::glue::cpu;
use kernel::prelude::*;
use spec::{Kind, Refusal, Refused, Setting, Value, ANY_CPU, COUNT};

/// Where a value came from, for the log line that refuses it.
#[derive(Clone, Copy)]
pub(crate) enum Origin {
    /// A module parameter (`insmod`, `modprobe`).
    Param,
    /// A `net.netflow.*` sysctl.
    Sysctl,
}

struct Name(Origin, Setting);

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let spec = self.1.spec();
        match self.0 {
            Origin::Param => write!(f, "parameter {}", spec.param.unwrap_or("?")),
            Origin::Sysctl => write!(f, "net.netflow.{}", spec.sysctl.unwrap_or("?")),
        }
    }
}

/// Logs why `value` was refused for `id`; returns `EINVAL`.
pub(crate) fn refuse(origin: Origin, id: Setting, value: &[u8], why: &Refusal<'_>) -> Error {
    pr_warn!(
        "{}: {}\n",
        Name(origin, id),
        Clipped(format_args!("{}", Refused { value, why }))
    );
    EINVAL
}

/// Parses `value` for `id`, logging a refusal. A CPU must be online.
pub(crate) fn parse(origin: Origin, id: Setting, value: &[u8]) -> Result<Value> {
    let parsed = id
        .spec()
        .parse(value)
        .map_err(|why| refuse(origin, id, value, &why))?;
    if let (Kind::Cpu, Value::Number(n)) = (id.spec().kind, &parsed) {
        if *n != ANY_CPU && !cpu::online(*n) {
            return Err(refuse(origin, id, value, &Refusal::CpuOffline(*n)));
        }
    }
    Ok(parsed)
}

/// What every namespace starts with: the parameters as given, or their defaults.
pub(crate) struct Initial {
    /// Every numeric setting.
    pub(crate) numbers: [u64; COUNT],
    /// `destination`.
    pub(crate) destinations: crate::export::destination::Destinations,
    /// `aggregation`.
    pub(crate) rules: crate::aggregation::rules::Rules,
    /// `aggregation` as text, for reading back.
    pub(crate) aggregation: &'static str,
}

impl Initial {
    /// Reads every setting from its parameter (checked already when it was given) or
    /// its default.
    pub(crate) fn from_params() -> Result<Self> {
        let mut numbers = [0; COUNT];
        let mut destinations = None;
        let mut rules = None;
        let mut aggregation = "";
        for &id in spec::IDS {
            let text = params::given(id).unwrap_or(id.spec().default.as_bytes());
            match parse(Origin::Param, id, text)? {
                Value::Number(v) => numbers[id as usize] = v,
                Value::Destinations(d) => destinations = Some(d),
                Value::Rules(r) => {
                    rules = Some(r);
                    aggregation = core::str::from_utf8(text).map_err(|_| EINVAL)?;
                }
            }
        }
        Ok(Self {
            numbers,
            destinations: destinations.ok_or(EINVAL)?,
            rules: rules.ok_or(EINVAL)?,
            aggregation,
        })
    }
}

/// Sets `id` of the running module to `value` (a sysctl write, or a parameter write for
/// the initial namespace): checks it, then does what the setting needs. Refused or
/// failed, the old value stays. Sleeps.
pub(crate) fn apply(n: &Netflow, origin: Origin, id: Setting, value: &[u8]) -> Result {
    let parsed = parse(origin, id, value)?;
    if let (Some(initial), Value::Number(v)) = (&n.initial, &parsed) {
        // A namespace other than the initial one sizes nothing beyond what the initial
        // one has: its root may be a container's. (Hashsize 0 sizes it within that.)
        let v = *v;
        let over = match id {
            Setting::Hashsize => Some(initial.flows.buckets() as u64).filter(|&l| v > l),
            Setting::Maxflows => {
                Some(initial.settings.get(id)).filter(|&l| l != 0 && (v == 0 || v > l))
            }
            _ => None,
        };
        if let Some(limit) = over {
            return Err(refuse(origin, id, value, &Refusal::AboveInitial(limit)));
        }
    }
    // One reconfiguration at a time; each either fully happens or changes nothing.
    let mut config = n.config.lock();
    match (id, parsed) {
        (Setting::Hashsize, Value::Number(v)) => {
            let buckets = match (v, &n.initial) {
                (0, None) => crate::engine::auto_hashsize(),
                (0, Some(initial)) => initial.flows.buckets().min(crate::engine::auto_hashsize()),
                // At most 2^26 (the table's range): fits.
                (v, _) => v as usize,
            };
            n.flows.maintenance().resize(buckets).inspect_err(|e| {
                pr_warn!(
                    "{}: resize to {} buckets failed: {:?}\n",
                    Name(origin, id),
                    buckets,
                    e
                )
            })?;
            pr_info!("hash table resized to {} buckets\n", n.flows.buckets());
            n.settings.set(id, v);
        }
        (Setting::Sndbuf, Value::Number(v)) => {
            // At most i32::MAX (the table's limit): fits.
            n.exporter().collectors().set_sndbuf(v as u32);
            n.settings.set(id, v);
        }
        (Setting::Protocol, Value::Number(v)) => {
            // One of 5, 9, 10 (the table's list): fits.
            let protocol = Protocol::try_from(v as u32).map_err(|_| EINVAL)?;
            n.switch_protocol(protocol)?;
            n.settings.set(id, v);
        }
        (Setting::Natevents, Value::Number(v)) => {
            n.set_natevents(v != 0).inspect_err(|e| {
                pr_warn!(
                    "{}: cannot listen to conntrack's events: error {}\n",
                    Name(origin, id),
                    e.to_errno()
                )
            })?;
            n.settings.set(id, v);
            pr_info!(
                "natevents {}\n",
                if v != 0 { "enabled" } else { "disabled" }
            );
        }
        (Setting::Flush, Value::Number(v)) => {
            drop(config);
            match v {
                1 => {
                    n.flush_all();
                    pr_info!("forced flush\n");
                }
                2 => {
                    n.flush_and_reset();
                    pr_info!("forced flush (reset stat counters)\n");
                }
                _ => {}
            }
        }
        (_, Value::Number(v)) => n.settings.set(id, v),
        (_, Value::Destinations(dests)) => {
            // Open the new set fully before touching the old one.
            let protocol = n.exporter().protocol();
            let sndbuf = n.settings.get32(Setting::Sndbuf);
            let collectors = Collectors::open(&n.net, &dests, protocol, sndbuf).map_err(|e| {
                pr_warn!(
                    "{}: '{}' not applied: error {}\n",
                    Name(origin, id),
                    Clipped(format_args!("{}", value.escape_ascii())),
                    e.to_errno()
                );
                // A device this namespace does not have: the value is what is wrong.
                if e == ENODEV {
                    EINVAL
                } else {
                    e
                }
            })?;
            // Either set of sockets is closed here, outside the exporter's lock.
            match n.switch_collectors(collectors) {
                Ok(old) => drop(old),
                Err(new) => {
                    drop(new);
                    return Err(ENOMEM);
                }
            }
            pr_info!(
                "destination set to {}\n",
                Clipped(format_args!("{}", value.escape_ascii()))
            );
        }
        (_, Value::Rules(rules)) => {
            let mut text = KVec::new();
            text.extend_from_slice(value, GFP_KERNEL)?;
            n.flows.set_rules(KBox::new(rules, GFP_KERNEL)?);
            config.aggregation = text;
        }
    }
    Ok(())
}

/// Writes the current value of `id` of the running module (a sysctl read).
pub(crate) fn show(n: &Netflow, id: Setting, out: &mut dyn Write) -> fmt::Result {
    match id {
        Setting::Hashsize => write!(out, "{}", n.flows.buckets()),
        Setting::Flush => write!(out, "0"),
        Setting::Exportcpu => match n.settings.get(id) {
            ANY_CPU => write!(out, "-1"),
            cpu => write!(out, "{}", cpu),
        },
        Setting::Destination => {
            let exporter = n.exporter();
            for (i, c) in exporter.collectors().iter().enumerate() {
                let d = c.destination();
                // As written: the protocol only if the entry names one.
                write!(out, "{}{}", if i > 0 { "," } else { "" }, d)?;
                if let Some(p) = d.protocol {
                    write!(out, "/{}", p as u8)?;
                }
            }
            Ok(())
        }
        Setting::Sampler => match Sampler::decode(n.settings.get(id)) {
            Some(s) => write!(out, "{s}"),
            None => Ok(()),
        },
        Setting::Aggregation => {
            let config = n.config.lock();
            out.write_str(core::str::from_utf8(&config.aggregation).map_err(|_| fmt::Error)?)
        }
        _ => write!(out, "{}", n.settings.get(id)),
    }
}
