//! The programs the localnet runs natively, at their declared program ids.
use solana_program_runtime::invoke_context::BuiltinFunctionWithContext;
use solana_sdk::{account_info::AccountInfo, entrypoint::ProgramResult, pubkey::Pubkey};

/// SPL Governance (Realms) mainnet program id.
pub const GOVERNANCE_PROGRAM_ID: Pubkey =
    solana_sdk::pubkey!("GovER5Lthms3bLBqWub97yVrMmEogzX7xNjdXpPPCVZw");

pub struct NativeProgram {
    pub name: &'static str,
    pub id: Pubkey,
    pub builtin: BuiltinFunctionWithContext,
}

/// Anchor's generated `entry` ties the account slice to the accounts' own lifetime
/// (`&'info [AccountInfo<'info>]`); the runtime's entrypoint type does not. The slice lives
/// for the whole call, so narrowing its lifetime to the accounts' is sound.
macro_rules! anchor_entry {
    ($name:ident, $krate:ident) => {
        fn $name<'a, 'b, 'c, 'd>(
            program_id: &'a Pubkey,
            accounts: &'b [AccountInfo<'c>],
            data: &'d [u8],
        ) -> ProgramResult {
            // SAFETY: see the macro's documentation.
            let accounts: &'c [AccountInfo<'c>] = unsafe { std::mem::transmute(accounts) };
            $krate::entry(program_id, accounts, data)
        }
    };
}

anchor_entry!(registry_entry, registry);
anchor_entry!(token_entry, token);
anchor_entry!(staking_entry, staking);
anchor_entry!(rewards_entry, rewards);

fn governance_entry(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    spl_governance::processor::process_instruction(program_id, accounts, data)
}

pub fn native_programs() -> Vec<NativeProgram> {
    vec![
        NativeProgram {
            name: "registry",
            id: registry::ID,
            builtin: crate::native_builtin!(registry_entry),
        },
        NativeProgram {
            name: "token",
            id: token::ID,
            builtin: crate::native_builtin!(token_entry),
        },
        NativeProgram {
            name: "staking",
            id: staking::ID,
            builtin: crate::native_builtin!(staking_entry),
        },
        NativeProgram {
            name: "rewards",
            id: rewards::ID,
            builtin: crate::native_builtin!(rewards_entry),
        },
        NativeProgram {
            name: "spl_governance",
            id: GOVERNANCE_PROGRAM_ID,
            builtin: crate::native_builtin!(governance_entry),
        },
    ]
}
