//! The chain: a real `Bank` advanced on a timer, with the AEGIS programs and SPL Governance
//! as native builtins and the SPL SBF programs shipped with solana-program-test.
use std::{
    path::PathBuf,
    sync::{Arc, Mutex, MutexGuard, RwLock},
    time::{SystemTime, UNIX_EPOCH},
};

use crossbeam_channel::Receiver;
use log::{info, warn};
use solana_accounts_db::{
    accounts_db::{AccountShrinkThreshold, CalcAccountsHashDataSource},
    accounts_index::{AccountSecondaryIndexes, ScanConfig},
    epoch_accounts_hash::EpochAccountsHash,
};
use solana_program_runtime::{loaded_programs::LoadedProgram, timings::ExecuteTimings};
use solana_runtime::{
    accounts_background_service::{AbsRequestSender, SnapshotRequest, SnapshotRequestKind},
    bank::{Bank, TransactionSimulationResult},
    bank_forks::BankForks,
    genesis_utils::create_genesis_config_with_leader_ex,
    runtime_config::RuntimeConfig,
};
use solana_sdk::{
    account::{AccountSharedData, ReadableAccount},
    clock::{Clock, Slot, MAX_PROCESSING_AGE},
    epoch_schedule::EpochSchedule,
    fee_calculator::{FeeRateGovernor, DEFAULT_TARGET_LAMPORTS_PER_SIGNATURE},
    genesis_config::{ClusterType, GenesisConfig},
    hash::Hash,
    native_token::sol_to_lamports,
    poh_config::PohConfig,
    pubkey::Pubkey,
    rent::Rent,
    signature::{Keypair, Signature},
    signer::Signer,
    system_transaction,
    transaction::{
        SanitizedTransaction, TransactionError, TransactionVerificationMode, VersionedTransaction,
    },
};
use solana_vote_program::vote_state::VoteState;
use tokio::sync::broadcast;

use crate::{
    history::{History, TxRecord},
    ledger::{Ledger, Snapshot},
    programs::native_programs,
};

impl std::fmt::Debug for SubmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

pub struct ChainConfig {
    pub slot_ms: u64,
    pub ledger: Option<PathBuf>,
}

#[derive(Debug)]
pub enum ChainEvent {
    Slot { slot: Slot, parent: Slot, root: Slot },
    Transaction { signature: Signature, slot: Slot, err: Option<TransactionError>, logs: Vec<String>, keys: Vec<Pubkey> },
    Account { pubkey: Pubkey, account: AccountSharedData, slot: Slot },
}

#[derive(thiserror::Error)]
pub enum SubmitError {
    #[error("transaction signature verification failure")]
    Signature,
    #[error("invalid transaction: {0}")]
    Invalid(TransactionError),
    #[error("transaction simulation failed: {}", .0.result.clone().err().map(|e| e.to_string()).unwrap_or_default())]
    Preflight(Box<TransactionSimulationResult>),
    #[error("transaction was not executed: {0}")]
    NotExecuted(TransactionError),
}

struct State {
    history: History,
    /// Seconds added to wall time in the Clock sysvar (moved by warps).
    time_offset: i64,
    dirty: bool,
}

pub struct Chain {
    forks: Arc<RwLock<BankForks>>,
    genesis_hash: Hash,
    faucet: Keypair,
    identity: Pubkey,
    state: Mutex<State>,
    events: broadcast::Sender<Arc<ChainEvent>>,
    abs_sender: AbsRequestSender,
    abs_receiver: Receiver<SnapshotRequest>,
    ledger: Option<Ledger>,
}

fn wall_clock() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn new_genesis(faucet: &Pubkey, slot_ms: u64) -> GenesisConfig {
    let rent = Rent::default();
    let fee_rate_governor = FeeRateGovernor {
        lamports_per_signature: DEFAULT_TARGET_LAMPORTS_PER_SIGNATURE / 2,
        ..FeeRateGovernor::default()
    };
    let stake = rent.minimum_balance(VoteState::size_of()) + sol_to_lamports(1_000_000.0);
    let mut genesis = create_genesis_config_with_leader_ex(
        sol_to_lamports(500_000_000.0),
        faucet,
        &Pubkey::new_unique(),
        &Pubkey::new_unique(),
        &Pubkey::new_unique(),
        stake,
        sol_to_lamports(1.0),
        fee_rate_governor,
        rent,
        ClusterType::Development,
        vec![],
    );
    genesis.creation_time = wall_clock();
    genesis.epoch_schedule = EpochSchedule::without_warmup();
    genesis.poh_config = PohConfig::new_sleep(std::time::Duration::from_micros(
        slot_ms * 1000 / genesis.ticks_per_slot.max(1),
    ));
    genesis
}

fn genesis_bank(genesis: &GenesisConfig) -> Bank {
    let mut bank = Bank::new_with_paths(
        genesis,
        Arc::new(RuntimeConfig::default()),
        Vec::default(),
        None,
        None,
        AccountSecondaryIndexes::default(),
        AccountShrinkThreshold::default(),
        false,
        None,
        None,
        None,
        Arc::default(),
    );
    for (id, account) in solana_program_test::programs::spl_programs(&genesis.rent) {
        bank.store_account(&id, &account);
    }
    for p in native_programs() {
        bank.add_builtin(p.id, p.name.to_string(), LoadedProgram::new_builtin(0, p.name.len(), p.builtin));
    }
    bank
}

/// Accounts that the ledger snapshot keeps: everything but sysvars and builtins, which the
/// genesis bank recreates.
fn persisted(account: &AccountSharedData) -> bool {
    *account.owner() != solana_sdk::sysvar::id() && *account.owner() != solana_sdk::native_loader::id()
}

impl Chain {
    pub fn new(config: &ChainConfig) -> anyhow::Result<Arc<Chain>> {
        crate::native::install_syscall_stubs();
        let ledger = config.ledger.as_ref().map(|dir| Ledger::open(dir)).transpose()?;
        let (genesis, faucet, snapshot) = match &ledger {
            Some(l) if l.exists() => {
                let (g, f) = l.load_genesis()?;
                let snap = l.load_snapshot()?;
                (g, f, snap)
            }
            _ => {
                let faucet = Keypair::new();
                let genesis = new_genesis(&faucet.pubkey(), config.slot_ms);
                if let Some(l) = &ledger {
                    l.save_genesis(&genesis, &faucet)?;
                }
                (genesis, faucet, None)
            }
        };
        let bank = genesis_bank(&genesis);
        let identity = *bank.collector_id();
        let mut time_offset = 0;
        let mut history = History::default();
        if let Some(snap) = &snapshot {
            for (key, account) in &snap.accounts {
                bank.store_account(key, &AccountSharedData::from(account.clone()));
            }
            time_offset = snap.time_offset;
        }
        bank.set_capitalization();
        let bank = Arc::new(bank);
        bank.fill_bank_with_ticks_for_tests();
        let start_slot = snapshot.as_ref().map_or(1, |s| s.slot.max(1));
        let bank = Bank::new_from_parent(bank.clone(), &identity, start_slot);
        if let Some(snap) = snapshot {
            info!("restored {} accounts and {} transactions at slot {}", snap.accounts.len(), snap.history.len(), snap.slot);
            history = History::from_records(snap.history);
        }
        let (abs_tx, abs_receiver) = crossbeam_channel::unbounded();
        let (events, _) = broadcast::channel(4096);
        let chain = Chain {
            forks: BankForks::new_rw_arc(bank),
            genesis_hash: genesis.hash(),
            faucet,
            identity,
            state: Mutex::new(State { history, time_offset, dirty: false }),
            events,
            abs_sender: AbsRequestSender::new(abs_tx),
            abs_receiver,
            ledger,
        };
        chain.set_clock(&chain.bank(), time_offset);
        Ok(Arc::new(chain))
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<ChainEvent>> {
        self.events.subscribe()
    }

    fn emit(&self, event: ChainEvent) {
        let _ = self.events.send(Arc::new(event));
    }

    pub fn bank(&self) -> Arc<Bank> {
        self.forks.read().unwrap().working_bank()
    }

    pub fn genesis_hash(&self) -> Hash {
        self.genesis_hash
    }

    pub fn identity(&self) -> Pubkey {
        self.identity
    }

    pub fn faucet(&self) -> Pubkey {
        self.faucet.pubkey()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn set_clock(&self, bank: &Bank, time_offset: i64) {
        let clock = Clock { unix_timestamp: wall_clock() + time_offset, ..bank.clock() };
        bank.set_sysvar_for_tests(&clock);
    }

    /// Answers the epoch-accounts-hash requests that rooting sends, so that later freezes
    /// do not wait for a background service we do not run.
    fn drain_abs_requests(&self) {
        for req in self.abs_receiver.try_iter() {
            if req.request_kind == SnapshotRequestKind::EpochAccountsHash {
                req.snapshot_root_bank
                    .rc
                    .accounts
                    .accounts_db
                    .epoch_accounts_hash_manager
                    .set_valid(EpochAccountsHash::new(Hash::new_unique()), req.snapshot_root_bank.slot());
            }
        }
    }

    /// Closes the working slot and opens `slot` (default: the next one) on top of it.
    fn advance_to(&self, state: &State, target: Option<Slot>) -> (Slot, Slot) {
        let mut forks = self.forks.write().unwrap();
        let bank = forks.working_bank();
        bank.fill_bank_with_ticks_for_tests();
        let parent_slot = bank.slot();
        let target = target.unwrap_or(parent_slot + 1).max(parent_slot + 1);
        let parent = if target > parent_slot + 1 {
            let warped = Bank::warp_from_parent(bank, &self.identity, target - 1, CalcAccountsHashDataSource::IndexForTests);
            forks.insert(warped).clone_without_scheduler()
        } else {
            bank.freeze();
            bank
        };
        let root = parent.slot();
        let child = Bank::new_from_parent(parent, &self.identity, target);
        self.set_clock(&child, state.time_offset);
        forks.insert(child);
        forks.set_root(root, &self.abs_sender, Some(root));
        drop(forks);
        self.drain_abs_requests();
        (target, root)
    }

    pub fn tick(&self) {
        let state = self.lock();
        let (slot, root) = self.advance_to(&state, None);
        drop(state);
        self.emit(ChainEvent::Slot { slot, parent: root, root });
    }

    /// Dev-only: moves the Clock forward by `seconds` and the slot forward by `slots`.
    pub fn warp(&self, slots: u64, seconds: i64) -> (Slot, i64) {
        let mut state = self.lock();
        state.time_offset += seconds;
        state.dirty = true;
        let bank = self.bank();
        if slots > 0 {
            let (slot, root) = self.advance_to(&state, Some(bank.slot() + slots));
            drop(state);
            self.emit(ChainEvent::Slot { slot, parent: root, root });
        } else {
            self.set_clock(&bank, state.time_offset);
        }
        let bank = self.bank();
        (bank.slot(), bank.clock().unix_timestamp)
    }

    pub fn sanitize(&self, bank: &Bank, tx: VersionedTransaction, verify: bool) -> Result<SanitizedTransaction, SubmitError> {
        let mode = if verify {
            TransactionVerificationMode::FullVerification
        } else {
            TransactionVerificationMode::HashOnly
        };
        bank.verify_transaction(tx, mode).map_err(|e| match e {
            TransactionError::SignatureFailure => SubmitError::Signature,
            other => SubmitError::Invalid(other),
        })
    }

    pub fn simulate(&self, tx: VersionedTransaction, sig_verify: bool) -> Result<TransactionSimulationResult, SubmitError> {
        let _state = self.lock();
        let bank = self.bank();
        let sanitized = self.sanitize(&bank, tx, sig_verify)?;
        Ok(bank.simulate_transaction_unchecked(&sanitized, false))
    }

    pub fn send(&self, tx: VersionedTransaction, skip_preflight: bool) -> Result<Signature, SubmitError> {
        let mut state = self.lock();
        let bank = self.bank();
        let sanitized = self.sanitize(&bank, tx.clone(), true)?;
        if !skip_preflight {
            let sim = bank.simulate_transaction_unchecked(&sanitized, false);
            if sim.result.is_err() {
                return Err(SubmitError::Preflight(Box::new(sim)));
            }
        }
        let fee = bank.get_fee_for_message(sanitized.message()).unwrap_or(0);
        let batch = bank.prepare_sanitized_batch(std::slice::from_ref(&sanitized));
        let (results, balances) = bank.load_execute_and_commit_transactions(
            &batch,
            MAX_PROCESSING_AGE,
            true,
            false,
            true,
            true,
            &mut ExecuteTimings::default(),
            None,
        );
        drop(batch);
        let details = match results.execution_results.into_iter().next() {
            Some(solana_accounts_db::transaction_results::TransactionExecutionResult::Executed { details, .. }) => details,
            Some(solana_accounts_db::transaction_results::TransactionExecutionResult::NotExecuted(err)) => {
                return Err(SubmitError::NotExecuted(err))
            }
            None => return Err(SubmitError::NotExecuted(TransactionError::InvalidProgramForExecution)),
        };
        let signature = tx.signatures[0];
        let slot = bank.slot();
        let logs = details.log_messages.clone().unwrap_or_default();
        let err = details.status.clone().err();
        let record = TxRecord {
            slot,
            block_time: bank.clock().unix_timestamp,
            transaction: tx,
            err: err.clone(),
            fee,
            pre_balances: balances.pre_balances.into_iter().next().unwrap_or_default(),
            post_balances: balances.post_balances.into_iter().next().unwrap_or_default(),
            logs: details.log_messages,
            return_data: details.return_data,
            units_consumed: details.executed_units,
        };
        let keys: Vec<Pubkey> = sanitized.message().account_keys().iter().copied().collect();
        let writable: Vec<Pubkey> = keys
            .iter()
            .enumerate()
            .filter(|(i, _)| sanitized.message().is_writable(*i))
            .map(|(_, k)| *k)
            .collect();
        state.history.push(record);
        state.dirty = true;
        drop(state);
        self.emit(ChainEvent::Transaction { signature, slot, err, logs, keys });
        for key in writable {
            let account = bank.get_account(&key).unwrap_or_default();
            self.emit(ChainEvent::Account { pubkey: key, account, slot });
        }
        Ok(signature)
    }

    pub fn airdrop(&self, to: &Pubkey, lamports: u64) -> Result<Signature, SubmitError> {
        let bank = self.bank();
        // A fresh blockhash keeps repeated identical airdrops from colliding.
        bank.register_unique_recent_blockhash_for_test();
        let tx = system_transaction::transfer(&self.faucet, to, lamports, bank.last_blockhash());
        self.send(tx.into(), false)
    }

    pub fn with_history<R>(&self, f: impl FnOnce(&History) -> R) -> R {
        f(&self.lock().history)
    }

    pub fn program_accounts(
        &self,
        program: &Pubkey,
        filter: impl Fn(&AccountSharedData) -> bool,
    ) -> Vec<(Pubkey, AccountSharedData)> {
        self.bank()
            .get_filtered_program_accounts(program, filter, &ScanConfig::default())
            .unwrap_or_default()
    }

    /// Writes the ledger snapshot if anything changed since the last one.
    pub fn snapshot(&self, force: bool) -> anyhow::Result<bool> {
        let Some(ledger) = &self.ledger else { return Ok(false) };
        let mut state = self.lock();
        if !state.dirty && !force {
            return Ok(false);
        }
        let bank = self.bank();
        let accounts = bank
            .get_all_accounts()
            .map_err(|e| anyhow::anyhow!("account scan failed: {e:?}"))?
            .into_iter()
            .filter(|(_, a, _)| persisted(a))
            .map(|(k, a, _)| (k, a.into()))
            .collect();
        let snap = Snapshot {
            slot: bank.slot(),
            time_offset: state.time_offset,
            accounts,
            history: state.history.records().to_vec(),
        };
        ledger.save_snapshot(&snap)?;
        state.dirty = false;
        Ok(true)
    }
}

impl Drop for Chain {
    fn drop(&mut self) {
        if let Err(e) = self.snapshot(false) {
            warn!("final snapshot failed: {e:#}");
        }
    }
}

