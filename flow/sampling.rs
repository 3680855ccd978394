// SPDX-License-Identifier: GPL-2.0

//! Flow sampling (RFC 7014), as C ipt_NETFLOW's `sampler`: 1 of N flows is exported.
//! `deterministic:N` keeps every N-th new flow, `random:N` each new flow with
//! probability 1/N, `hash:N` the flows whose key hash falls in 1/N of the hash space,
//! decided per packet before any lookup, so the others cost neither a lookup nor memory.
//! Collectors are told hash sampling as random, as C does.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

use core::fmt;

/// How flows are chosen.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    /// Every N-th new flow (systematic count-based).
    Deterministic = 1,
    /// Each new flow with probability 1/N.
    Random = 2,
    /// The flows whose key hash is in 1/N of the hash space.
    Hash = 3,
}

impl Mode {
    /// Its name, as C's syntax and `/proc` write it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Mode::Deterministic => "deterministic",
            Mode::Random => "random",
            Mode::Hash => "hash",
        }
    }
}

/// Largest interval: the 14 bits of v5's sampling field.
pub(crate) const MAX_INTERVAL: u16 = (1 << 14) - 1;

/// A sampler: its mode and its interval N (2..=[`MAX_INTERVAL`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Sampler {
    mode: Mode,
    interval: u16,
}

/// Why a sampler text was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SamplerError {
    /// Not `deterministic`, `random` or `hash` before the colon.
    Mode,
    /// No `:N` after the mode.
    NoInterval,
    /// N is not a decimal number.
    NotNumber,
    /// N is outside 2..=16383.
    Interval,
}

impl fmt::Display for SamplerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SamplerError::Mode => write!(f, "the mode is not deterministic, random or hash"),
            SamplerError::NoInterval => write!(f, "no ':N' after the mode"),
            SamplerError::NotNumber => write!(f, "N is not a decimal number"),
            SamplerError::Interval => write!(f, "N is not in 2..{MAX_INTERVAL}"),
        }
    }
}

impl Sampler {
    /// A sampler of `mode` keeping 1 of `interval` flows, if the interval is valid.
    pub(crate) fn new(mode: Mode, interval: u16) -> Option<Self> {
        (2..=MAX_INTERVAL)
            .contains(&interval)
            .then_some(Self { mode, interval })
    }

    /// Parses C's syntax: `MODE:N`; empty or `0` is no sampling (`None`).
    pub(crate) fn parse(text: &str) -> Result<Option<Self>, SamplerError> {
        let text = text.trim();
        if text.is_empty() || text == "0" {
            return Ok(None);
        }
        let (mode, n) = text.split_once(':').ok_or(SamplerError::NoInterval)?;
        let mode = match mode {
            "deterministic" => Mode::Deterministic,
            "random" => Mode::Random,
            "hash" => Mode::Hash,
            _ => return Err(SamplerError::Mode),
        };
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SamplerError::NotNumber);
        }
        // Digits only: a parse error is an overflow, out of range anyway.
        let n: u32 = n.parse().map_err(|_| SamplerError::Interval)?;
        let n = u16::try_from(n).map_err(|_| SamplerError::Interval)?;
        Self::new(mode, n).map(Some).ok_or(SamplerError::Interval)
    }

    /// The sampler as one number (0: none), to live in an atomic setting.
    pub(crate) fn encode(s: Option<Self>) -> u64 {
        s.map_or(0, |s| (s.mode as u64) << 16 | u64::from(s.interval))
    }

    /// The sampler of a number from [`Sampler::encode`] (anything else: none).
    pub(crate) fn decode(v: u64) -> Option<Self> {
        let mode = match v >> 16 {
            1 => Mode::Deterministic,
            2 => Mode::Random,
            3 => Mode::Hash,
            _ => return None,
        };
        // Masked to 16 bits: fits.
        Self::new(mode, (v & 0xffff) as u16)
    }

    /// The mode.
    pub(crate) fn mode(&self) -> Mode {
        self.mode
    }

    /// N: one flow of N is kept.
    pub(crate) fn interval(&self) -> u16 {
        self.interval
    }

    /// The mode collectors are told: hash sampling is random to them (as C reports it).
    pub(crate) fn reported_mode(&self) -> Mode {
        match self.mode {
            Mode::Hash => Mode::Random,
            m => m,
        }
    }

    /// NetFlow v5's header field: 2 bits of mode (1 deterministic, 2 random), 14 of N.
    pub(crate) fn v5_field(&self) -> u16 {
        (self.reported_mode() as u16) << 14 | self.interval
    }

    /// Whether the flow with key hash `hash` is kept (hash mode). The flow table files
    /// flows by the hash's high bits (multiply-shift): the hash is mixed first so that the
    /// kept flows spread over every bucket, not over the first 1/N of them.
    pub(crate) fn keeps_hash(&self, hash: u32) -> bool {
        one_in(mix(hash), self.interval)
    }

    /// Whether the `n`-th new flow (from 0) is kept (deterministic mode).
    pub(crate) fn keeps_nth(&self, n: u64) -> bool {
        // The interval is at least 2 (`new`); checked all the same: no panic path.
        n.checked_rem(u64::from(self.interval)) == Some(0)
    }

    /// Whether a new flow with the random number `r` is kept (random mode).
    pub(crate) fn keeps_random(&self, r: u32) -> bool {
        one_in(r, self.interval)
    }
}

/// Whether `x`, uniform over u32, falls in the first 1/`n` of its range.
fn one_in(x: u32, n: u16) -> bool {
    // Below 2^32 * 2^14: no overflow in u64.
    (u64::from(x) * u64::from(n)) >> 32 == 0
}

/// A finalizer (murmur3's): every output bit depends on every input bit.
fn mix(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

impl fmt::Display for Sampler {
    /// As C writes it back: `MODE:N`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.mode.name(), self.interval)
    }
}
