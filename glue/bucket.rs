// SPDX-License-Identifier: GPL-2.0

//! Which bucket of a hash table a hash goes to.
//!
//! Pure `core` code: compiled into the module and into the host test harness.

/// Maps a 32-bit hash onto `0..buckets` by multiply-high (Lemire's reduction), so any
/// bucket count works, not only powers of two.
///
/// Uses the hash's high bits, which [`flow_hash`] mixes fully. Returns 0 when `buckets`
/// is 0; counts above 2^32 are treated as 2^32.
pub(crate) fn bucket_index(hash: u32, buckets: usize) -> usize {
    // Capped at 2^32 so the product fits in u64 (no u128 on 32-bit kernels).
    let n = u64::try_from(buckets).unwrap_or(u64::MAX).min(1 << 32);
    // hash < 2^32 and n <= 2^32: the product is below 2^64 (wrapping_mul only spares
    // the packet path an overflow check the compiler cannot prove away).
    let idx = u64::from(hash).wrapping_mul(n) >> 32;
    // idx < n <= buckets, so it fits in usize.
    usize::try_from(idx).unwrap_or(0)
}
