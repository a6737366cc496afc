//! Reward arithmetic: pure, checked; rounding never favours claimants.
use anchor_lang::prelude::*;

use crate::error::RewardsError;

/// New `claimed` after a claim of `amount`; fails when the epoch total would be exceeded.
pub fn admit_claim(total: u64, claimed: u64, amount: u64) -> Result<u64> {
    let next = claimed.checked_add(amount).ok_or(RewardsError::Overflow)?;
    require!(next <= total, RewardsError::ClaimExceedsTotal);
    Ok(next)
}

/// What returns to the treasury from an epoch: its whole emission minus what was claimed.
pub fn sweepable(emission: u64, claimed: u64) -> Result<u64> {
    emission.checked_sub(claimed).ok_or_else(|| error!(RewardsError::Overflow))
}

/// Reference pro-rata split used by the keepers (docs/rewards.md): `pool * weight / total_weight`,
/// rounded down, so the shares never sum above the pool.
pub fn pro_rata(pool: u64, weight: u64, total_weight: u64) -> Result<u64> {
    require!(total_weight > 0 && weight <= total_weight, RewardsError::InvalidParameter);
    Ok(((pool as u128 * weight as u128) / total_weight as u128) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn basics() {
        assert_eq!(admit_claim(10, 4, 6).unwrap(), 10);
        assert!(admit_claim(10, 4, 7).is_err());
        assert!(admit_claim(u64::MAX, u64::MAX, 1).is_err());
        assert_eq!(sweepable(10, 4).unwrap(), 6);
        assert_eq!(pro_rata(10, 1, 3).unwrap(), 3);
        assert!(pro_rata(10, 1, 0).is_err());
    }

    proptest! {
        /// Whatever claims arrive, the vault (emission minted for the epoch) always covers them,
        /// and sweeping leaves exactly zero for the epoch.
        #[test]
        fn claims_never_exceed_vault(emission in 0u64..=u64::MAX, total_frac in 0u64..=10_000, claims in proptest::collection::vec(0u64..=u64::MAX, 0..40)) {
            let total = ((emission as u128 * total_frac as u128) / 10_000) as u64;
            let mut vault = emission;
            let mut claimed = 0u64;
            for c in claims {
                let c = c % total.max(1).saturating_mul(2);
                if let Ok(next) = admit_claim(total, claimed, c) {
                    vault = vault.checked_sub(c).expect("vault covers every admitted claim");
                    claimed = next;
                }
                prop_assert!(claimed <= total && total <= emission);
            }
            prop_assert_eq!(sweepable(emission, claimed).unwrap(), vault);
        }

        /// Pro-rata shares never sum above the pool and lose less than one unit per share.
        #[test]
        fn pro_rata_rounds_down(pool in 0u64..=u64::MAX, weights in proptest::collection::vec(0u64..=u32::MAX as u64, 1..60)) {
            let total: u64 = weights.iter().sum();
            prop_assume!(total > 0);
            let shares: Vec<u64> = weights.iter().map(|w| pro_rata(pool, *w, total).unwrap()).collect();
            let sum: u128 = shares.iter().map(|s| *s as u128).sum();
            prop_assert!(sum <= pool as u128);
            prop_assert!(pool as u128 - sum < weights.len() as u128 + 1);
            for (s, w) in shares.iter().zip(&weights) {
                prop_assert!((*s as u128) * (total as u128) <= (pool as u128) * (*w as u128));
            }
        }
    }
}
