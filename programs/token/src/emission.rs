//! Emission schedule and circuit breaker arithmetic: pure, checked, rounded down.
use anchor_lang::prelude::*;

use crate::{constants::BPS, error::TokenError};

/// Fixed-point scale of the decay factor.
const SCALE: u128 = 1_000_000_000_000_000_000;

/// `(BPS - decay_bps) / BPS` raised to `k`, in 1e18 fixed point, each product rounded down.
fn decay_factor(decay_bps: u16, k: u64) -> Result<u128> {
    require!((decay_bps as u64) <= BPS, TokenError::InvalidParameter);
    let mut base = (BPS as u128 - decay_bps as u128)
        .checked_mul(SCALE)
        .ok_or(TokenError::Overflow)?
        / BPS as u128;
    let mut acc = SCALE;
    let mut k = k;
    while k > 0 && acc > 0 {
        if k & 1 == 1 {
            acc = acc.checked_mul(base).ok_or(TokenError::Overflow)? / SCALE;
        }
        k >>= 1;
        if k > 0 {
            base = base.checked_mul(base).ok_or(TokenError::Overflow)? / SCALE;
        }
    }
    Ok(acc)
}

/// Scheduled emission of `epoch`: `initial * (1 - decay_bps/BPS)^(epoch / period)`, rounded down.
pub fn scheduled_emission(initial: u64, decay_bps: u16, period_epochs: u32, epoch: u64) -> Result<u64> {
    require!(period_epochs > 0, TokenError::InvalidParameter);
    let k = epoch / period_epochs as u64;
    let factor = decay_factor(decay_bps, k)?;
    let amount = (initial as u128).checked_mul(factor).ok_or(TokenError::Overflow)? / SCALE;
    u64::try_from(amount).map_err(|_| error!(TokenError::Overflow))
}

/// What may still be minted before `max_supply`.
pub fn capped_to_supply(amount: u64, minted_total: u64, max_supply: u64) -> Result<u64> {
    let remaining = max_supply.checked_sub(minted_total).ok_or(TokenError::Overflow)?;
    require!(remaining > 0, TokenError::MaxSupplyReached);
    Ok(amount.min(remaining))
}

/// Circuit breaker: returns the window's new `(start, minted)` after minting `amount` at `now`,
/// or fails when the window's budget would be exceeded. A window opens at the first mint
/// after the previous one expired.
pub fn breaker_admit(
    window_start: i64,
    window_minted: u64,
    now: i64,
    window_secs: i64,
    max_per_window: u64,
    amount: u64,
) -> Result<(i64, u64)> {
    let window_end = window_start.checked_add(window_secs).ok_or(TokenError::Overflow)?;
    let (start, minted) = if now >= window_end { (now, 0) } else { (window_start, window_minted) };
    let minted = minted.checked_add(amount).ok_or(TokenError::Overflow)?;
    require!(minted <= max_per_window, TokenError::CircuitBreakerTripped);
    Ok((start, minted))
}

/// Unix time at which `epoch` starts.
pub fn epoch_start(genesis_ts: i64, epoch_length_secs: i64, epoch: u64) -> Result<i64> {
    let e = i64::try_from(epoch).map_err(|_| error!(TokenError::Overflow))?;
    e.checked_mul(epoch_length_secs)
        .and_then(|x| x.checked_add(genesis_ts))
        .ok_or_else(|| error!(TokenError::Overflow))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::*;
    use proptest::prelude::*;

    #[test]
    fn default_schedule() {
        let e = |epoch| scheduled_emission(DEFAULT_INITIAL_EMISSION, DEFAULT_DECAY_BPS, DEFAULT_DECAY_PERIOD_EPOCHS, epoch).unwrap();
        assert_eq!(e(0), 400_000 * ONE_AEGIS);
        assert_eq!(e(29), 400_000 * ONE_AEGIS);
        assert_eq!(e(30), 392_000 * ONE_AEGIS);
        assert_eq!(e(60), 384_160 * ONE_AEGIS);
        assert!(e(30 * 2_000) < ONE_AEGIS);
        assert_eq!(e(u64::MAX), 0);
    }

    #[test]
    fn no_decay_is_flat_and_full_decay_is_zero() {
        assert_eq!(scheduled_emission(77, 0, 1, 1_000_000).unwrap(), 77);
        assert_eq!(scheduled_emission(77, 10_000, 1, 1).unwrap(), 0);
        assert!(scheduled_emission(77, 10_001, 1, 1).is_err());
        assert!(scheduled_emission(77, 0, 0, 1).is_err());
    }

    #[test]
    fn supply_cap_and_breaker() {
        assert_eq!(capped_to_supply(10, 95, 100).unwrap(), 5);
        assert!(capped_to_supply(10, 100, 100).is_err());
        assert_eq!(breaker_admit(0, 0, 10, 100, 50, 50).unwrap(), (0, 50));
        assert!(breaker_admit(0, 50, 99, 100, 50, 1).is_err());
        assert_eq!(breaker_admit(0, 50, 100, 100, 50, 1).unwrap(), (100, 1));
    }

    proptest! {
        /// Decay never increases the emission and never overflows.
        #[test]
        fn emission_non_increasing(initial in 0u64..=u64::MAX, decay in 0u16..=10_000, period in 1u32..1000, epoch in 0u64..u64::MAX - 1000) {
            let a = scheduled_emission(initial, decay, period, epoch).unwrap();
            let b = scheduled_emission(initial, decay, period, epoch + period as u64).unwrap();
            prop_assert!(a <= initial);
            prop_assert!(b <= a);
        }

        /// Rounding never mints more than the exact real-number schedule.
        #[test]
        fn emission_rounds_down(initial in 0u64..1_000_000_000_000_000, decay in 0u16..=10_000, k in 0u32..64) {
            let got = scheduled_emission(initial, decay, 1, k as u64).unwrap() as f64;
            let exact = initial as f64 * ((10_000 - decay) as f64 / 10_000.0).powi(k as i32);
            prop_assert!(got <= exact * (1.0 + 1e-12) + 1.0);
        }

        /// Minting every epoch in order, with the supply cap, never passes MAX_SUPPLY.
        #[test]
        fn never_past_max_supply(initial in 1u64..=MAX_SUPPLY, decay in 0u16..500, period in 1u32..50, genesis in 0u64..=GENESIS_ALLOCATION) {
            let mut minted = genesis;
            for epoch in 0..3_000u64 {
                let s = scheduled_emission(initial, decay, period, epoch).unwrap();
                match capped_to_supply(s, minted, MAX_SUPPLY) {
                    Ok(a) => minted = minted.checked_add(a).unwrap(),
                    Err(_) => { prop_assert_eq!(minted, MAX_SUPPLY); break; }
                }
                prop_assert!(minted <= MAX_SUPPLY);
            }
        }

        /// Whatever the sequence of mints, no window admits more than its budget.
        #[test]
        fn breaker_bounds_every_window(window in 1i64..10_000, max in 0u64..1_000_000, steps in proptest::collection::vec((0i64..5_000, 0u64..600_000), 1..50)) {
            let (mut start, mut minted, mut now) = (i64::MIN / 2, 0u64, 0i64);
            for (dt, amount) in steps {
                now += dt;
                if let Ok((s, m)) = breaker_admit(start, minted, now, window, max, amount) {
                    start = s;
                    minted = m;
                }
                prop_assert!(minted <= max);
            }
        }
    }
}
