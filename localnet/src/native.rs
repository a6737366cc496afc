//! Runs Solana programs compiled for the host inside the bank, as builtins.
//!
//! A native program is entered through the same serialized parameter ABI an SBF program
//! sees; its syscalls (logs, CPI, sysvars, return data) go through [`Stubs`] to the running
//! `InvokeContext`, so CPI into the SBF programs loaded in the bank (SPL Token, …) works.
//! Differences from `solana-program-test`'s host: `sol_log_data` produces `Program data:`
//! lines (Anchor events), return data is logged as `Program return:` like the SBF loader
//! does, and a panic or a malformed CPI inside a program fails that instruction instead of
//! taking the process down.
use std::{
    cell::Cell,
    collections::{HashMap, HashSet},
    panic::{catch_unwind, AssertUnwindSafe},
};

use solana_bpf_loader_program::serialization::serialize_parameters;
use solana_rbpf::vm::ContextObject;
use solana_program_runtime::{ic_msg, invoke_context::InvokeContext, stable_log, timings::ExecuteTimings};
use solana_sdk::{
    account_info::AccountInfo,
    entrypoint::{deserialize, ProcessInstruction, ProgramResult, SUCCESS},
    instruction::{Instruction, InstructionError},
    program_error::{ProgramError, UNSUPPORTED_SYSVAR},
    program_stubs::{set_syscall_stubs, SyscallStubs},
    pubkey::Pubkey,
    stable_layout::stable_instruction::StableInstruction,
    sysvar::Sysvar,
};

thread_local! {
    static INVOKE_CONTEXT: Cell<usize> = const { Cell::new(0) };
}

fn set_invoke_context(ctx: &mut InvokeContext) {
    INVOKE_CONTEXT.with(|c| c.set(ctx as *mut InvokeContext as usize));
}

fn invoke_context<'a, 'b>() -> &'a mut InvokeContext<'b> {
    let ptr = INVOKE_CONTEXT.with(|c| c.get());
    assert!(ptr != 0, "a syscall was made outside of a native program invocation");
    // SAFETY: set by `invoke_native` for the duration of the program call on this thread;
    // nested invocations (CPI) set it again before re-entering.
    unsafe { &mut *(ptr as *mut InvokeContext) }
}

/// Installs the syscall stubs once per process.
pub fn install_syscall_stubs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        set_syscall_stubs(Box::new(Stubs));
    });
}

/// Wraps a program entrypoint into a builtin function for `LoadedProgram::new_builtin`.
#[macro_export]
macro_rules! native_builtin {
    ($entry:expr) => {
        |vm, _a0, _a1, _a2, _a3, _a4| {
            // SAFETY: the runtime passes the VM pointer offset by the runtime environment key.
            let vm = unsafe {
                &mut *((vm as *mut u64)
                    .offset(-(solana_program_test::get_runtime_environment_key() as isize))
                    as *mut solana_program_test::EbpfVm<solana_program_test::InvokeContext>)
            };
            vm.program_result = $crate::native::invoke_native($entry, vm.context_object_pointer)
                .map_err(solana_program_test::EbpfError::SyscallError)
                .into();
        }
    };
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

pub fn invoke_native(
    entry: ProcessInstruction,
    ctx: &mut InvokeContext,
) -> Result<u64, Box<dyn std::error::Error>> {
    set_invoke_context(ctx);
    let log_collector = ctx.get_log_collector();
    let tx_ctx = &ctx.transaction_context;
    let ix_ctx = tx_ctx.get_current_instruction_context()?;
    let data = ix_ctx.get_instruction_data().to_vec();
    let indices: HashSet<_> = (0..ix_ctx.get_number_of_instruction_accounts()).collect();
    ctx.consume_checked(1)?;
    let program_id = *ix_ctx.get_last_program_key(tx_ctx)?;
    stable_log::program_invoke(&log_collector, &program_id, ctx.get_stack_height());

    let (mut params, _regions, _lengths) = serialize_parameters(
        ctx.transaction_context,
        ctx.transaction_context.get_current_instruction_context()?,
        true,
    )?;
    // SAFETY: `params` was serialized just above with the loader's ABI.
    let (pid, infos, _) = unsafe { deserialize(&mut params.as_slice_mut()[0] as *mut u8) };

    let outcome = catch_unwind(AssertUnwindSafe(|| entry(pid, &infos, &data)));
    // A CPI may have replaced the thread's context pointer; restore ours.
    set_invoke_context(ctx);
    let result = match outcome {
        Ok(r) => r.map_err(|e| InstructionError::from(u64::from(e))),
        Err(payload) => {
            let msg = panic_message(payload.as_ref());
            ic_msg!(ctx, "Program panicked: {}", msg);
            Err(InstructionError::ProgramFailedToComplete)
        }
    };
    if let Err(err) = result {
        stable_log::program_failure(&log_collector, &program_id, &err);
        return Err(Box::new(err));
    }

    let by_key: HashMap<_, _> = infos.iter().map(|a| (*a.key, a)).collect();
    let tx_ctx = &ctx.transaction_context;
    let ix_ctx = tx_ctx.get_current_instruction_context()?;
    for i in indices {
        let mut acct = ix_ctx.try_borrow_instruction_account(tx_ctx, i)?;
        if !acct.is_writable() {
            continue;
        }
        let Some(info) = by_key.get(acct.get_key()) else { continue };
        if acct.get_lamports() != info.lamports() {
            acct.set_lamports(info.lamports())?;
        }
        let new_data = info.try_borrow_data().map_err(|_| InstructionError::AccountBorrowFailed)?;
        if acct.can_data_be_resized(new_data.len()).is_ok() && acct.can_data_be_changed().is_ok() {
            acct.set_data_from_slice(&new_data)?;
        }
        if acct.get_owner() != info.owner {
            acct.set_owner(info.owner.as_ref())?;
        }
    }
    let (rd_program, rd) = ctx.transaction_context.get_return_data();
    if *rd_program == program_id && !rd.is_empty() {
        stable_log::program_return(&log_collector, &program_id, rd);
    }
    stable_log::program_success(&log_collector, &program_id);
    Ok(0)
}

fn get_sysvar<T: Sysvar + Clone>(
    sysvar: Result<std::sync::Arc<T>, InstructionError>,
    var_addr: *mut u8,
) -> u64 {
    let ctx = invoke_context();
    let cost = ctx.get_compute_budget().sysvar_base_cost + T::size_of() as u64;
    if ctx.consume_checked(cost).is_err() {
        return UNSUPPORTED_SYSVAR;
    }
    match sysvar {
        Ok(value) => {
            // SAFETY: the program passes a pointer to a `T`.
            unsafe { *(var_addr as *mut T) = T::clone(&value) };
            SUCCESS
        }
        Err(_) => UNSUPPORTED_SYSVAR,
    }
}

fn to_program_error(err: InstructionError) -> ProgramError {
    ProgramError::try_from(err.clone()).unwrap_or_else(|_| {
        ic_msg!(invoke_context(), "cross-program invocation failed: {}", err);
        ProgramError::Custom(u32::MAX)
    })
}

struct Stubs;

impl Stubs {
    fn invoke(
        &self,
        instruction: &Instruction,
        account_infos: &[AccountInfo],
        signers_seeds: &[&[&[u8]]],
    ) -> Result<(), InstructionError> {
        let instruction = StableInstruction::from(instruction.clone());
        let ctx = invoke_context();
        let log_collector = ctx.get_log_collector();
        let tx_ctx = &ctx.transaction_context;
        let ix_ctx = tx_ctx.get_current_instruction_context()?;
        let caller = *ix_ctx.get_last_program_key(tx_ctx)?;
        stable_log::program_invoke(&log_collector, &instruction.program_id, ctx.get_stack_height());

        let signers = signers_seeds
            .iter()
            .map(|seeds| Pubkey::create_program_address(seeds, &caller))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| InstructionError::InvalidSeeds)?;
        let (ix_accounts, program_indices) = ctx.prepare_instruction(&instruction, &signers)?;

        // Caller's AccountInfo changes → transaction context.
        let tx_ctx = &ctx.transaction_context;
        let ix_ctx = tx_ctx.get_current_instruction_context()?;
        let mut write_back = Vec::with_capacity(ix_accounts.len());
        for ia in ix_accounts.iter() {
            let key = tx_ctx.get_key_of_account_at_index(ia.index_in_transaction)?;
            let pos = account_infos
                .iter()
                .position(|info| info.key == key)
                .ok_or(InstructionError::MissingAccount)?;
            let info = &account_infos[pos];
            let mut acct = ix_ctx.try_borrow_instruction_account(tx_ctx, ia.index_in_caller)?;
            if acct.get_lamports() != info.lamports() {
                acct.set_lamports(info.lamports())?;
            }
            let info_data = info.try_borrow_data().map_err(|_| InstructionError::AccountBorrowFailed)?;
            match acct
                .can_data_be_resized(info_data.len())
                .and_then(|_| acct.can_data_be_changed())
            {
                Ok(()) => acct.set_data_from_slice(&info_data)?,
                Err(err) if acct.get_data() != *info_data => return Err(err),
                Err(_) => {}
            }
            if acct.get_owner() != info.owner {
                acct.set_owner(info.owner.as_ref())?;
            }
            if ia.is_writable {
                write_back.push((ia.index_in_caller, pos));
            }
        }

        let mut units = 0;
        ctx.process_instruction(
            &instruction.data,
            &ix_accounts,
            &program_indices,
            &mut units,
            &mut ExecuteTimings::default(),
        )?;
        // The callee may have been native too and re-pointed the thread's context.
        set_invoke_context(ctx);

        // Transaction context → caller's AccountInfos.
        let tx_ctx = &ctx.transaction_context;
        let ix_ctx = tx_ctx.get_current_instruction_context()?;
        for (index_in_caller, pos) in write_back {
            let acct = ix_ctx.try_borrow_instruction_account(tx_ctx, index_in_caller)?;
            let info = &account_infos[pos];
            **info
                .try_borrow_mut_lamports()
                .map_err(|_| InstructionError::AccountBorrowFailed)? = acct.get_lamports();
            if info.owner != acct.get_owner() {
                // SAFETY: the runtime may reassign an account's owner (system program
                // `assign`); AccountInfo exposes the owner immutably, so write through it as
                // the SBF loader does when it maps the account back.
                #[allow(invalid_reference_casting)]
                unsafe {
                    *(info.owner as *const Pubkey as *mut Pubkey) = *acct.get_owner()
                };
            }
            let new_data = acct.get_data();
            if info.data_len() != new_data.len() {
                info.realloc(new_data.len(), false)
                    .map_err(|_| InstructionError::InvalidRealloc)?;
            }
            info.try_borrow_mut_data()
                .map_err(|_| InstructionError::AccountBorrowFailed)?
                .copy_from_slice(new_data);
        }
        stable_log::program_success(&log_collector, &instruction.program_id);
        Ok(())
    }
}

impl SyscallStubs for Stubs {
    fn sol_log(&self, message: &str) {
        stable_log::program_log(&invoke_context().get_log_collector(), message);
    }

    fn sol_log_compute_units(&self) {
        let ctx = invoke_context();
        let remaining = ctx.get_remaining();
        ic_msg!(ctx, "Program consumption: {} units remaining", remaining);
    }

    fn sol_remaining_compute_units(&self) -> u64 {
        invoke_context().get_remaining()
    }

    fn sol_log_data(&self, fields: &[&[u8]]) {
        stable_log::program_data(&invoke_context().get_log_collector(), fields);
    }

    fn sol_invoke_signed(
        &self,
        instruction: &Instruction,
        account_infos: &[AccountInfo],
        signers_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        self.invoke(instruction, account_infos, signers_seeds)
            .map_err(to_program_error)
    }

    fn sol_get_clock_sysvar(&self, var_addr: *mut u8) -> u64 {
        get_sysvar(invoke_context().get_sysvar_cache().get_clock(), var_addr)
    }

    fn sol_get_epoch_schedule_sysvar(&self, var_addr: *mut u8) -> u64 {
        get_sysvar(invoke_context().get_sysvar_cache().get_epoch_schedule(), var_addr)
    }

    fn sol_get_epoch_rewards_sysvar(&self, var_addr: *mut u8) -> u64 {
        get_sysvar(invoke_context().get_sysvar_cache().get_epoch_rewards(), var_addr)
    }

    #[allow(deprecated)]
    fn sol_get_fees_sysvar(&self, var_addr: *mut u8) -> u64 {
        get_sysvar(invoke_context().get_sysvar_cache().get_fees(), var_addr)
    }

    fn sol_get_rent_sysvar(&self, var_addr: *mut u8) -> u64 {
        get_sysvar(invoke_context().get_sysvar_cache().get_rent(), var_addr)
    }

    fn sol_get_last_restart_slot(&self, var_addr: *mut u8) -> u64 {
        get_sysvar(invoke_context().get_sysvar_cache().get_last_restart_slot(), var_addr)
    }

    fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
        let (program_id, data) = invoke_context().transaction_context.get_return_data();
        Some((*program_id, data.to_vec()))
    }

    fn sol_set_return_data(&self, data: &[u8]) {
        let ctx = invoke_context();
        let tx_ctx = &mut ctx.transaction_context;
        let Ok(ix_ctx) = tx_ctx.get_current_instruction_context() else { return };
        let Ok(caller) = ix_ctx.get_last_program_key(tx_ctx).copied() else { return };
        let _ = tx_ctx.set_return_data(caller, data.to_vec());
    }

    fn sol_get_stack_height(&self) -> u64 {
        invoke_context().get_stack_height() as u64
    }
}
