// SPDX-License-Identifier: GPL-2.0

//! The settings table: every setting once, with its module parameter name, its sysctl
//! name, its default, what values it takes, and its description. Module parameters,
//! sysctls, `/proc` and validation all read it, so a value is refused the same way,
//! with the same message, by `insmod` and by `sysctl`.
//!
//! Adding a setting is adding one row to [`for_each_setting`]; what applying it does (if
//! more than storing the value) is one arm in the kernel side's apply function.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use crate::aggregation::rules::{self, RuleError, Rules};
use crate::export::destination::{self, DestError, Destinations};
use crate::flow::sampling::{Sampler, SamplerError};
use crate::settings::number::{parse_in_range, NumberError};
use core::fmt;

/// Calls macro `$m` with the rows of the settings table, one per setting:
///
/// `Id: param [live] "name" | no_param, sysctl "name" | no_sysctl, default "text", kind, type, "description";`
///
/// `type` is the parameter's type as `modinfo` shows it (`uint`, `charp`). The names are
/// C ipt_NETFLOW 2.6's (parameters with underscores, some sysctls with hyphens). A `live`
/// parameter is writable at run time in `/sys/module/ipt_NETFLOW/parameters/` (the ones C
/// makes writable), and a write there is a write of the initial namespace's sysctl.
#[macro_export]
macro_rules! for_each_setting {
    ($m:ident) => {
        $m! {
            Destination: param "destination", sysctl "destination", default "127.0.0.1:2055",
                Kind::Destinations, charp,
                "export destinations, comma separated: addr[:port][@source][%dev][/protocol] (IPv6 as [addr]:port)";
            Protocol: param "protocol", sysctl "protocol", default "5",
                Kind::OneOf(&[5, 9, 10]), uint,
                "export protocol: 5 (NetFlow v5), 9 (NetFlow v9) or 10 (IPFIX)";
            InactiveTimeout: param live "inactive_timeout", sysctl "inactive_timeout", default "15",
                Kind::Number { min: 1, max: 1 << 31, zero: false }, uint,
                "export a flow idle this many seconds";
            ActiveTimeout: param live "active_timeout", sysctl "active_timeout", default "1800",
                Kind::Number { min: 1, max: 1 << 31, zero: false }, uint,
                "export a flow alive this many seconds";
            RefreshRate: param live "refresh_rate", sysctl "refresh-rate", default "20",
                Kind::Number { min: 0, max: u32::MAX as u64, zero: true }, uint,
                "v9/IPFIX: re-send templates every this many PDUs (0: never by count)";
            TimeoutRate: param live "timeout_rate", sysctl "timeout-rate", default "30",
                Kind::Number { min: 0, max: u32::MAX as u64, zero: true }, uint,
                "v9/IPFIX: re-send templates every this many minutes (0: never by time)";
            ScanMin: param live "scan_min", sysctl "scan-min", default "1",
                Kind::Number { min: 1, max: 1000, zero: false }, uint,
                "minimum jiffies between two runs of the aging work";
            Sndbuf: param "sndbuf", sysctl "sndbuf", default "0",
                Kind::Number { min: 0, max: i32::MAX as u64, zero: true }, uint,
                "export socket send buffer, bytes (0: system default)";
            Hashsize: param "hashsize", sysctl "hashsize", default "0",
                Kind::Number { min: 256, max: 1 << 26, zero: true }, uint,
                "hash table buckets, 256 or more (0: sized from memory)";
            Maxflows: param live "maxflows", sysctl "maxflows", default "2000000",
                Kind::Number { min: 0, max: u32::MAX as u64, zero: true }, uint,
                "most flows accounted at once (0: unlimited)";
            EngineId: param live "engine_id", sysctl "engine_id", default "0",
                Kind::Number { min: 0, max: u32::MAX as u64, zero: true }, uint,
                "v5 engine id (low 8 bits), v9 source id, IPFIX observation domain";
            Debug: param live "debug", sysctl "debug", default "0",
                Kind::Number { min: 0, max: 3, zero: true }, uint,
                "debug messages: 1 send errors, 2 every PDU, 3 every flow";
            Aggregation: param "aggregation", sysctl "aggregation", default "",
                Kind::Aggregation, charp,
                "aggregation rules, comma separated: net/M=N and port[-port]=port";
            Exportcpu: param live "exportcpu", sysctl "exportcpu", default "-1",
                Kind::Cpu, int,
                "run the export and aging work on this CPU, which must be online (-1: any CPU)";
            Sampler: param "sampler", sysctl "sampler", default "",
                Kind::Sampler, charp,
                "flow sampling, 1 of N flows: deterministic:N, random:N or hash:N, N in 2..16383 (empty or 0: off)";
            Natevents: param "natevents", sysctl "natevents", default "0",
                Kind::Number { min: 0, max: 1, zero: true }, uint,
                "export NAT events: create and delete of each translated connection, from conntrack's event groups (1: on)";
            Flush: no_param, sysctl "flush", default "0",
                Kind::Number { min: 0, max: 2, zero: true }, uint,
                "write 1: export every flow now; 2: also reset the statistics counters";
        }
    };
}

/// What values a setting takes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// A decimal number in `min..=max`, or 0 if `zero` (0 then means "automatic",
    /// "unlimited" or "off").
    Number {
        /// Smallest value other than 0.
        min: u64,
        /// Largest value.
        max: u64,
        /// Whether 0 is accepted too.
        zero: bool,
    },
    /// A decimal number from a list.
    OneOf(&'static [u64]),
    /// A `destination` list (see [`destination::parse`]).
    Destinations,
    /// Aggregation rules (see [`rules::parse`]).
    Aggregation,
    /// A CPU number up to [`MAX_CPU`], or `-1` for any CPU (kept as [`ANY_CPU`]). Whether
    /// the CPU is online is the kernel side's to check.
    Cpu,
    /// A flow sampler (see [`Sampler::parse`]), kept as [`Sampler::encode`] makes it.
    Sampler,
}

/// How [`Kind::Cpu`] keeps `-1` (any CPU).
pub(crate) const ANY_CPU: u64 = u64::MAX;

/// Largest CPU number [`Kind::Cpu`] takes (the kernel's `NR_CPUS` limit, less one).
pub(crate) const MAX_CPU: u64 = 8191;

/// A setting's row of the table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spec {
    /// Module parameter name, if it is one.
    pub(crate) param: Option<&'static str>,
    /// Whether the parameter is writable at run time.
    pub(crate) live: bool,
    /// Sysctl name under `net.netflow`, if it is one.
    pub(crate) sysctl: Option<&'static str>,
    /// The value when none is given, as text.
    pub(crate) default: &'static str,
    /// What values it takes.
    pub(crate) kind: Kind,
}

/// A valid value of a setting.
#[derive(Clone, Debug, PartialEq, Eq)]
// A Value lives only while a parameter or sysctl write is checked and applied; pure code
// has no allocator to box the destination list with.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Value {
    /// Of [`Kind::Number`] and [`Kind::OneOf`].
    Number(u64),
    /// Of [`Kind::Destinations`].
    Destinations(Destinations),
    /// Of [`Kind::Aggregation`].
    Rules(Rules),
}

/// Longest value any setting takes, in bytes (the sysctl limit).
pub(crate) const MAX_TEXT: usize = 1023;

/// Why a value was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Refusal<'a> {
    /// Longer than [`MAX_TEXT`] bytes.
    TooLong(usize),
    /// A NUL byte inside.
    Nul,
    /// Not UTF-8.
    NotUtf8,
    /// A bad number.
    Number(NumberError),
    /// A number not in the list.
    NotOneOf(u64, &'static [u64]),
    /// A bad destination list.
    Destination(DestError<'a>),
    /// Bad aggregation rules.
    Aggregation(RuleError<'a>),
    /// Above what the initial network namespace has (a namespace's limit).
    AboveInitial(u64),
    /// A CPU that is not online.
    CpuOffline(u64),
    /// A bad sampler.
    Sampler(SamplerError),
}

impl fmt::Display for Refusal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::TooLong(n) => write!(f, "{n} bytes, longer than {MAX_TEXT}"),
            Refusal::Nul => write!(f, "contains a NUL byte"),
            Refusal::NotUtf8 => write!(f, "not UTF-8"),
            Refusal::Number(e) => write!(f, "{e}"),
            Refusal::NotOneOf(v, list) => {
                write!(f, "{v} is not one of")?;
                for (i, n) in list.iter().enumerate() {
                    write!(f, "{}{n}", if i == 0 { " " } else { ", " })?;
                }
                Ok(())
            }
            Refusal::Destination(e) => write!(f, "{e}"),
            Refusal::Aggregation(e) => write!(f, "{e}"),
            Refusal::AboveInitial(n) => write!(f, "above the initial namespace's {n}"),
            Refusal::CpuOffline(n) => write!(f, "CPU {n} is not online"),
            Refusal::Sampler(e) => write!(f, "{e}"),
        }
    }
}

/// `value` as text, if a setting could take it at all.
pub(crate) fn text_of(value: &[u8]) -> Result<&str, Refusal<'static>> {
    if value.len() > MAX_TEXT {
        return Err(Refusal::TooLong(value.len()));
    }
    if value.contains(&0) {
        return Err(Refusal::Nul);
    }
    core::str::from_utf8(value).map_err(|_| Refusal::NotUtf8)
}

/// The log message of a refused value, the same for a module parameter and a sysctl:
/// `'<value>' refused: <why>`, or `value refused: <why>` when the value is not text.
/// (The caller prefixes the setting's name and clips the line.)
pub(crate) struct Refused<'a> {
    /// The value as given.
    pub(crate) value: &'a [u8],
    /// Why it was refused.
    pub(crate) why: &'a Refusal<'a>,
}

/// Most bytes of a refused value quoted in its message: the reason after it must stay
/// readable (a log line is cut at a couple of hundred bytes).
pub(crate) const MAX_QUOTED: usize = 64;

impl fmt::Display for Refused<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match core::str::from_utf8(self.value) {
            Ok(text) if !matches!(self.why, Refusal::TooLong(_) | Refusal::Nul) => {
                let mut end = text.len().min(MAX_QUOTED);
                while !text.is_char_boundary(end) {
                    // end > 0: index 0 is always a boundary.
                    end -= 1;
                }
                let more = if end < text.len() { "..." } else { "" };
                let quoted = text.get(..end).unwrap_or("");
                write!(f, "'{}{}' refused: {}", quoted, more, self.why)
            }
            _ => write!(f, "value refused: {}", self.why),
        }
    }
}

impl Spec {
    /// Parses `value` as this setting's.
    pub(crate) fn parse<'v>(&self, value: &'v [u8]) -> Result<Value, Refusal<'v>> {
        self.kind.parse(text_of(value)?)
    }
}

impl Kind {
    /// Parses `text` (surrounding whitespace allowed) as a value of this kind.
    pub(crate) fn parse(self, text: &str) -> Result<Value, Refusal<'_>> {
        match self {
            Kind::Number { min, max, zero } => {
                if zero && text.trim() == "0" {
                    return Ok(Value::Number(0));
                }
                parse_in_range(text, min, max)
                    .map(Value::Number)
                    .map_err(Refusal::Number)
            }
            Kind::OneOf(list) => {
                let v = parse_in_range(text, 0, u64::MAX).map_err(Refusal::Number)?;
                if list.contains(&v) {
                    Ok(Value::Number(v))
                } else {
                    Err(Refusal::NotOneOf(v, list))
                }
            }
            Kind::Destinations => destination::parse(text)
                .map(Value::Destinations)
                .map_err(Refusal::Destination),
            Kind::Aggregation => rules::parse(text)
                .map(Value::Rules)
                .map_err(Refusal::Aggregation),
            Kind::Cpu => {
                if text.trim() == "-1" {
                    return Ok(Value::Number(ANY_CPU));
                }
                parse_in_range(text, 0, MAX_CPU)
                    .map(Value::Number)
                    .map_err(Refusal::Number)
            }
            Kind::Sampler => Sampler::parse(text)
                .map(|s| Value::Number(Sampler::encode(s)))
                .map_err(Refusal::Sampler),
        }
    }
}

/// Builds [`Id`], [`COUNT`] and [`SPECS`] from the rows of [`for_each_setting`].
macro_rules! make_specs {
    ($( $id:ident : $(param $($live:ident)? $p:literal)? $(no_param)?,
        $(sysctl $s:literal)? $(no_sysctl)?,
        default $d:literal, $kind:expr, $ty:ident, $desc:literal; )*) => {
        /// A setting, by its row in the table.
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub(crate) enum Setting {
            $(
                #[doc = $desc]
                $id,
            )*
        }

        /// Every setting, in table order.
        pub(crate) const IDS: &[Setting] = &[$(Setting::$id),*];

        /// Number of settings.
        pub(crate) const COUNT: usize = IDS.len();

        /// The table, in [`Id`] order.
        pub(crate) static SPECS: [Spec; COUNT] = [$(
            Spec {
                param: make_specs!(@opt $($p)?),
                live: make_specs!(@live $($($live)?)?),
                sysctl: make_specs!(@opt $($s)?),
                default: $d,
                kind: $kind,
            },
        )*];
    };
    (@opt $v:literal) => { Some($v) };
    (@opt) => { None };
    (@live live) => { true };
    (@live) => { false };
}

for_each_setting!(make_specs);

impl Setting {
    /// The setting's row.
    pub(crate) fn spec(self) -> &'static Spec {
        // SPECS has one row per Setting, in order: in bounds.
        &SPECS[self as usize]
    }

    /// The setting of row `index`, if there is one.
    pub(crate) fn from_index(index: usize) -> Option<Setting> {
        IDS.get(index).copied()
    }
}
