use anchor_lang::prelude::*;

use crate::{
    constants::{CONFIG_SEED, MAX_REPUTATION, NODE_SEED},
    error::RegistryError,
    events::NodeStatusChanged,
    state::{NodeStatus, NodeV0, RegistryConfigV0},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone)]
pub struct SetNodeStatusArgs {
    pub status: NodeStatus,
    /// Reputation lost (basis points of MAX_REPUTATION), e.g. on a slash.
    pub reputation_penalty: u16,
}

/// Called by the staking program (CPI, signed by its `stake_authority` PDA).
#[derive(Accounts)]
pub struct SetNodeStatus<'info> {
    pub stake_authority: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump, has_one = stake_authority @ RegistryError::NotStakeAuthority)]
    pub config: Account<'info, RegistryConfigV0>,
    #[account(mut, seeds = [NODE_SEED, node.identity.as_ref()], bump = node.bump)]
    pub node: Account<'info, NodeV0>,
}

/// The node state machine (docs/protocol.md). A status may be "changed" to itself to apply a
/// reputation penalty only.
pub fn transition_allowed(from: NodeStatus, to: NodeStatus) -> bool {
    use NodeStatus::*;
    (from == to && from != Exited)
        || matches!(
            (from, to),
            (Registered, Active) | (Jailed, Active) | (Active, Jailed) | (Active, Exiting) | (Jailed, Exiting) | (Exiting, Exited)
        )
}

pub fn handler(ctx: Context<SetNodeStatus>, args: SetNodeStatusArgs) -> Result<()> {
    let node = &mut ctx.accounts.node;
    let from = node.status;
    require!(transition_allowed(from, args.status), RegistryError::InvalidTransition);
    require!(args.reputation_penalty <= MAX_REPUTATION, RegistryError::InvalidReputation);
    node.status = args.status;
    node.reputation = node.reputation.saturating_sub(args.reputation_penalty);
    node.updated_at = Clock::get()?.unix_timestamp;
    emit!(NodeStatusChanged { node: node.key(), from, to: args.status, reputation: node.reputation });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use NodeStatus::*;

    #[test]
    fn state_machine() {
        let all = [Registered, Active, Jailed, Exiting, Exited];
        let allowed: Vec<_> = all.iter().flat_map(|&a| all.iter().map(move |&b| (a, b))).filter(|&(a, b)| transition_allowed(a, b) && a != b).collect();
        assert_eq!(
            allowed,
            vec![(Registered, Active), (Active, Jailed), (Active, Exiting), (Jailed, Active), (Jailed, Exiting), (Exiting, Exited)]
        );
        assert!(transition_allowed(Exiting, Exiting));
        assert!(!transition_allowed(Exited, Exited));
    }
}
