use anchor_lang::prelude::*;

use crate::constants::MAX_EVIDENCE_URI_LEN;

#[account]
#[derive(InitSpace)]
pub struct StakingConfigV0 {
    /// Governance authority: changes parameters and resolves disputes.
    pub authority: Pubkey,
    pub mint: Pubkey,
    /// Slashed stake and upheld bonds go here (the token program's treasury).
    pub treasury: Pubkey,
    /// Realm written into voter-weight records (default until governance is bootstrapped).
    pub realm: Pubkey,
    pub min_stake: u64,
    pub cooldown_secs: i64,
    pub challenge_secs: i64,
    pub max_slash_bps_per_epoch: u16,
    pub slash_epoch_secs: i64,
    /// Slashes above this share of the stake need a second oracle.
    pub cosign_threshold_bps: u16,
    pub dispute_bond: u64,
    pub reputation_penalty: u16,
    pub bump: u8,
    pub stake_authority_bump: u8,
    pub bond_vault_bump: u8,
    /// May pause and unpause (the Realms emergency governance after bootstrap).
    pub pause_authority: Pubkey,
    /// While set, `stake` and the slashing instructions fail with `Paused`; withdrawals still work.
    pub paused: bool,
    pub reserved: [u8; 31],
}

/// An operator's stake. `operator` first: one memcmp lists it.
#[account]
#[derive(InitSpace)]
pub struct StakeV0 {
    pub operator: Pubkey,
    /// Bonded stake: counts for Active and for voting.
    pub amount: u64,
    /// Unbonding, withdrawable at `unstake_ready_at` (still slashable until then).
    pub pending_unstake: u64,
    pub unstake_ready_at: i64,
    /// Nodes in Active, Jailed or Exiting: each needs `min_stake`.
    pub bonded_nodes: u32,
    /// Slash proposals not yet executed, rejected or expired; withdrawals wait for 0.
    pub pending_slashes: u32,
    pub slash_nonce: u64,
    pub slash_window_start: i64,
    pub slash_window_amount: u64,
    pub total_slashed: u64,
    pub bump: u8,
    pub vault_bump: u8,
    pub reserved: [u8; 64],
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum SlashStatus {
    AwaitingCosign,
    Pending,
    Disputed,
    Executed,
    Rejected,
    Expired,
}

#[account]
#[derive(InitSpace)]
pub struct SlashProposalV0 {
    pub stake: Pubkey,
    pub node: Pubkey,
    pub operator: Pubkey,
    pub proposer: Pubkey,
    /// Default key until a second oracle co-signs.
    pub cosigner: Pubkey,
    pub nonce: u64,
    pub amount: u64,
    pub executed_amount: u64,
    pub reason: u16,
    pub evidence_hash: [u8; 32],
    #[max_len(MAX_EVIDENCE_URI_LEN)]
    pub evidence_uri: String,
    pub status: SlashStatus,
    pub created_at: i64,
    /// End of the challenge window (0 while awaiting a co-signature).
    pub window_ends_at: i64,
    pub bond: u64,
    pub bump: u8,
    pub reserved: [u8; 32],
}

/// spl-governance-addin-api 0.1.x `VoterWeightAction`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum VoterWeightAction {
    CastVote,
    CommentProposal,
    CreateGovernance,
    CreateProposal,
    SignOffProposal,
}

/// The voter-weight add-in record SPL Governance reads (spl-governance-addin-api 0.1.x layout:
/// Anchor's discriminator of this exact name, sha256("account:VoterWeightRecord")[..8] =
/// 2ef99b4b99f87409). The name has no version suffix on purpose: it is the interface.
#[account]
#[derive(InitSpace)]
pub struct VoterWeightRecord {
    pub realm: Pubkey,
    pub governing_token_mint: Pubkey,
    pub governing_token_owner: Pubkey,
    /// The operator's bonded stake.
    pub voter_weight: u64,
    pub voter_weight_expiry: Option<u64>,
    pub weight_action: Option<VoterWeightAction>,
    pub weight_action_target: Option<Pubkey>,
    pub reserved: [u8; 8],
}

impl VoterWeightRecord {
    pub fn refresh(&mut self, config: &StakingConfigV0, stake: &StakeV0) {
        self.realm = config.realm;
        self.governing_token_mint = config.mint;
        self.governing_token_owner = stake.operator;
        self.voter_weight = stake.amount;
        self.voter_weight_expiry = None;
        self.weight_action = None;
        self.weight_action_target = None;
    }
}

/// The max-voter-weight add-in record SPL Governance reads (spl-governance-addin-api 0.1.x
/// layout, discriminator sha256("account:MaxVoterWeightRecord")[..8]): the realm's whole voting
/// power is the bonded stake of every operator, kept current by stake, unstake and slash.
#[account]
#[derive(InitSpace)]
pub struct MaxVoterWeightRecord {
    pub realm: Pubkey,
    pub governing_token_mint: Pubkey,
    pub max_voter_weight: u64,
    /// Always `None`: the record is updated by every instruction that changes bonded stake.
    pub max_voter_weight_expiry: Option<u64>,
    pub reserved: [u8; 8],
}

impl MaxVoterWeightRecord {
    pub fn bond(&mut self, amount: u64) -> Result<()> {
        self.max_voter_weight = self.max_voter_weight.checked_add(amount).ok_or(crate::error::StakingError::Overflow)?;
        Ok(())
    }

    pub fn unbond(&mut self, amount: u64) -> Result<()> {
        self.max_voter_weight = self.max_voter_weight.checked_sub(amount).ok_or(crate::error::StakingError::Overflow)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::Discriminator;

    /// Pinned in sdk/src/constants.ts ACCOUNT_SIZES and docs/protocol.md.
    #[test]
    fn account_sizes() {
        assert_eq!(8 + StakingConfigV0::INIT_SPACE, 249);
        assert_eq!(8 + StakeV0::INIT_SPACE, 170);
        assert_eq!(8 + SlashProposalV0::INIT_SPACE, 416);
        assert_eq!(8 + VoterWeightRecord::INIT_SPACE, 164);
        assert_eq!(8 + MaxVoterWeightRecord::INIT_SPACE, 97);
    }

    #[test]
    fn max_voter_weight_record_discriminator() {
        let h = anchor_lang::solana_program::hash::hash(b"account:MaxVoterWeightRecord");
        assert_eq!(MaxVoterWeightRecord::DISCRIMINATOR, h.to_bytes()[..8]);
    }

    /// The discriminator SPL Governance's voter-weight add-in interface expects.
    #[test]
    fn voter_weight_record_discriminator() {
        assert_eq!(VoterWeightRecord::DISCRIMINATOR, [0x2e, 0xf9, 0x9b, 0x4b, 0x99, 0xf8, 0x74, 0x09]);
    }
}
