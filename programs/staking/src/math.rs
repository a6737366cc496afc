//! Stake and slash arithmetic: pure, checked; every rounding favours the staker's safety
//! (caps round down).
use anchor_lang::prelude::*;

use crate::{constants::BPS, error::StakingError};

/// `total * bps / BPS`, rounded down.
pub fn bps_of(total: u64, bps: u16) -> u64 {
    // total * bps < 2^64 * 2^16 fits u128; the result is <= total.
    ((total as u128 * bps as u128) / BPS as u128) as u64
}

/// Stake needed to keep `bonded_nodes` nodes Active.
pub fn required_stake(min_stake: u64, bonded_nodes: u32) -> Result<u64> {
    min_stake.checked_mul(bonded_nodes as u64).ok_or_else(|| error!(StakingError::Overflow))
}

/// Admits a slash of `amount` at `now` against a stake of `total` if the slashes proposed in
/// the current slash epoch stay within `max_bps` of the stake. Returns the new window state.
pub fn admit_slash(
    window_start: i64,
    window_amount: u64,
    now: i64,
    epoch_secs: i64,
    total: u64,
    max_bps: u16,
    amount: u64,
) -> Result<(i64, u64)> {
    require!(amount > 0, StakingError::InvalidAmount);
    let end = window_start.checked_add(epoch_secs).ok_or(StakingError::Overflow)?;
    let (start, used) = if now >= end { (now, 0) } else { (window_start, window_amount) };
    let used = used.checked_add(amount).ok_or(StakingError::Overflow)?;
    require!(used <= bps_of(total, max_bps), StakingError::SlashAboveCap);
    Ok((start, used))
}

/// A slash strictly above `threshold_bps` of the stake needs a second oracle.
pub fn needs_cosign(amount: u64, total: u64, threshold_bps: u16) -> bool {
    amount as u128 * BPS as u128 > total as u128 * threshold_bps as u128
}

/// Takes a slash from bonded stake first, then from unbonding stake; never more than exists.
pub fn split_slash(active: u64, pending: u64, amount: u64) -> (u64, u64) {
    let from_active = amount.min(active);
    let from_pending = (amount - from_active).min(pending);
    (from_active, from_pending)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cap_and_cosign() {
        assert_eq!(bps_of(1_000, 1_000), 100);
        assert_eq!(bps_of(999, 1_000), 99);
        assert!(admit_slash(0, 0, 10, 100, 1_000, 1_000, 100).is_ok());
        assert!(admit_slash(0, 0, 10, 100, 1_000, 1_000, 101).is_err());
        assert!(admit_slash(0, 60, 10, 100, 1_000, 1_000, 41).is_err());
        assert_eq!(admit_slash(0, 60, 100, 100, 1_000, 1_000, 41).unwrap(), (100, 41));
        assert!(!needs_cosign(50, 1_000, 500));
        assert!(needs_cosign(51, 1_000, 500));
        assert_eq!(split_slash(10, 5, 12), (10, 2));
        assert_eq!(split_slash(10, 5, 100), (10, 5));
        assert_eq!(required_stake(7, 3).unwrap(), 21);
        assert!(required_stake(u64::MAX, 2).is_err());
    }

    proptest! {
        /// Within one slash epoch, admitted slashes never sum above the cap (rounded down).
        #[test]
        fn window_never_exceeds_cap(total in 0u64..=u64::MAX, bps in 0u16..=10_000, amounts in proptest::collection::vec(1u64..=u64::MAX, 1..20)) {
            let (mut start, mut used) = (0i64, 0u64);
            for a in amounts {
                if let Ok((s, u)) = admit_slash(start, used, 1, 1_000, total, bps, a) { start = s; used = u; }
                prop_assert!(used <= bps_of(total, bps));
                prop_assert!((used as u128) * (BPS as u128) <= (total as u128) * (bps as u128));
            }
        }

        /// A split never takes more than the slash or than the balances hold.
        #[test]
        fn split_is_bounded(active in 0u64..=u64::MAX, pending in 0u64..=u64::MAX, amount in 0u64..=u64::MAX) {
            let (a, p) = split_slash(active, pending, amount);
            prop_assert!(a <= active && p <= pending);
            prop_assert_eq!(a as u128 + p as u128, (amount as u128).min(active as u128 + pending as u128));
        }

        /// Cosign threshold is consistent with bps_of: anything within bps_of needs no cosign.
        #[test]
        fn cosign_threshold(total in 0u64..=u64::MAX, bps in 0u16..=10_000) {
            prop_assert!(!needs_cosign(bps_of(total, bps), total, bps));
        }
    }
}
