//! JSON-RPC 2.0 over HTTP: the subset of the Solana API that @solana/web3.js, Anchor,
//! spl-token and spl-governance clients use, with the standard error codes and shapes.
use std::str::FromStr;

use base64::{prelude::BASE64_STANDARD, Engine};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use solana_account_decoder::{
    parse_account_data::AccountAdditionalData,
    parse_token::{get_token_account_mint, token_amount_to_ui_amount},
    UiAccount, UiAccountEncoding, UiDataSliceConfig,
};
use solana_rpc_client_api::{
    config::{
        RpcAccountInfoConfig, RpcContextConfig, RpcProgramAccountsConfig, RpcSendTransactionConfig,
        RpcSignatureStatusConfig, RpcSignaturesForAddressConfig, RpcSimulateTransactionConfig,
        RpcTokenAccountsFilter, RpcTransactionConfig,
    },
    filter::RpcFilterType,
    response::{
        RpcApiVersion, RpcBlockhash, RpcConfirmedTransactionStatusWithSignature, RpcIdentity,
        RpcKeyedAccount, RpcPrioritizationFee, RpcResponseContext, RpcSimulateTransactionResult,
        RpcVersionInfo,
    },
};
use solana_runtime::bank::{Bank, TransactionSimulationResult};
use solana_sdk::{
    account::{AccountSharedData, ReadableAccount},
    hash::Hash,
    message::{SanitizedMessage, SanitizedVersionedMessage, VersionedMessage},
    packet::PACKET_DATA_SIZE,
    program_pack::Pack,
    pubkey::Pubkey,
    signature::Signature,
    transaction::VersionedTransaction,
};
use solana_transaction_status::{
    TransactionConfirmationStatus, TransactionStatus, UiTransactionEncoding, UiTransactionReturnData,
};

use crate::chain::{Chain, SubmitError};

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
pub const INTERNAL_ERROR: i64 = -32603;
pub const SEND_TRANSACTION_PREFLIGHT_FAILURE: i64 = -32002;
pub const TRANSACTION_SIGNATURE_VERIFICATION_FAILURE: i64 = -32003;
pub const MIN_CONTEXT_SLOT_NOT_REACHED: i64 = -32016;
pub const UNSUPPORTED_TRANSACTION_VERSION: i64 = -32015;

const MAX_MULTIPLE_ACCOUNTS: usize = 100;
const MAX_SIGNATURE_STATUSES: usize = 256;
const MAX_BASE58_BYTES: usize = 128;
const MAX_BASE58_TX_LEN: usize = 1683;
const MAX_BASE64_TX_LEN: usize = 1644;

#[derive(Debug)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        RpcError { code, message: message.into(), data: None }
    }
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(INVALID_PARAMS, message)
    }
    pub fn to_json(&self) -> Value {
        let mut e = json!({ "code": self.code, "message": self.message });
        if let Some(d) = &self.data {
            e["data"] = d.clone();
        }
        e
    }
}

type RpcResult = Result<Value, RpcError>;

/// Positional parameters with typed access.
pub struct Params<'a>(&'a [Value]);

impl<'a> Params<'a> {
    pub fn new(v: &'a [Value]) -> Self {
        Params(v)
    }
    pub fn req<T: DeserializeOwned>(&self, i: usize, what: &str) -> Result<T, RpcError> {
        let v = self.0.get(i).ok_or_else(|| RpcError::invalid_params(format!("missing parameter {i} ({what})")))?;
        serde_json::from_value(v.clone()).map_err(|e| RpcError::invalid_params(format!("invalid parameter {i} ({what}): {e}")))
    }
    pub fn opt<T: DeserializeOwned>(&self, i: usize, what: &str) -> Result<Option<T>, RpcError> {
        match self.0.get(i) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.req(i, what).map(Some),
        }
    }
}

pub fn pubkey(s: &str) -> Result<Pubkey, RpcError> {
    Pubkey::from_str(s).map_err(|_| RpcError::invalid_params(format!("Invalid param: {s} is not a valid pubkey")))
}

fn signature(s: &str) -> Result<Signature, RpcError> {
    Signature::from_str(s).map_err(|_| RpcError::invalid_params(format!("Invalid param: {s} is not a valid signature")))
}

fn context(bank: &Bank) -> RpcResponseContext {
    RpcResponseContext { slot: bank.slot(), api_version: Some(RpcApiVersion::default()) }
}

fn with_context(bank: &Bank, value: impl serde::Serialize) -> RpcResult {
    Ok(json!({ "context": context(bank), "value": value }))
}

fn check_min_context_slot(bank: &Bank, min: Option<u64>) -> Result<(), RpcError> {
    match min {
        Some(min) if bank.slot() < min => Err(RpcError {
            code: MIN_CONTEXT_SLOT_NOT_REACHED,
            message: "Minimum context slot has not been reached".into(),
            data: Some(json!({ "contextSlot": bank.slot() })),
        }),
        _ => Ok(()),
    }
}

fn mint_decimals(bank: &Bank, mint: &Pubkey) -> Option<u8> {
    let account = bank.get_account(mint)?;
    if !is_token_program(account.owner()) {
        return None;
    }
    spl_token_2022::extension::StateWithExtensions::<spl_token_2022::state::Mint>::unpack(account.data())
        .ok()
        .map(|m| m.base.decimals)
}

fn is_token_program(id: &Pubkey) -> bool {
    *id == spl_token::id() || *id == spl_token_2022::id()
}

/// Encodes an account as the RPC does, including the mint's decimals for parsed token accounts.
pub fn encode_account(
    bank: &Bank,
    key: &Pubkey,
    account: &AccountSharedData,
    encoding: UiAccountEncoding,
    slice: Option<UiDataSliceConfig>,
) -> Result<UiAccount, RpcError> {
    if matches!(encoding, UiAccountEncoding::Binary | UiAccountEncoding::Base58) {
        let len = slice.map_or(account.data().len(), |s| s.length.min(account.data().len().saturating_sub(s.offset)));
        if len > MAX_BASE58_BYTES {
            return Err(RpcError::invalid_params(
                "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.",
            ));
        }
    }
    let additional = if encoding == UiAccountEncoding::JsonParsed && is_token_program(account.owner()) {
        get_token_account_mint(account.data())
            .and_then(|mint| mint_decimals(bank, &mint))
            .map(|d| AccountAdditionalData { spl_token_decimals: Some(d) })
    } else {
        None
    };
    Ok(UiAccount::encode(key, account, encoding, additional, slice))
}

fn account_config(p: &Params, i: usize) -> Result<RpcAccountInfoConfig, RpcError> {
    Ok(p.opt::<RpcAccountInfoConfig>(i, "config")?.unwrap_or_default())
}

fn decode_transaction(data: &str, encoding: UiTransactionEncoding) -> Result<VersionedTransaction, RpcError> {
    let bytes = match encoding {
        UiTransactionEncoding::Base58 | UiTransactionEncoding::Binary => {
            if data.len() > MAX_BASE58_TX_LEN {
                return Err(RpcError::invalid_params(format!(
                    "base58 encoded solana_sdk::transaction::versioned::VersionedTransaction too large: {} bytes (max: encoded/raw {MAX_BASE58_TX_LEN}/{PACKET_DATA_SIZE})",
                    data.len()
                )));
            }
            bs58::decode(data).into_vec().map_err(|e| RpcError::invalid_params(format!("invalid base58 encoding: {e}")))?
        }
        UiTransactionEncoding::Base64 => {
            if data.len() > MAX_BASE64_TX_LEN {
                return Err(RpcError::invalid_params(format!(
                    "base64 encoded solana_sdk::transaction::versioned::VersionedTransaction too large: {} bytes (max: encoded/raw {MAX_BASE64_TX_LEN}/{PACKET_DATA_SIZE})",
                    data.len()
                )));
            }
            BASE64_STANDARD.decode(data).map_err(|e| RpcError::invalid_params(format!("invalid base64 encoding: {e}")))?
        }
        other => return Err(RpcError::invalid_params(format!("unsupported encoding: {other}. Supported encodings: base58, base64"))),
    };
    use bincode::Options;
    let tx: VersionedTransaction = bincode::options()
        .with_limit(PACKET_DATA_SIZE as u64)
        .with_fixint_encoding()
        .reject_trailing_bytes()
        .deserialize(&bytes)
        .map_err(|e| RpcError::invalid_params(format!("failed to deserialize solana_sdk::transaction::versioned::VersionedTransaction: {e}")))?;
    if tx.signatures.is_empty() {
        return Err(RpcError::invalid_params("invalid transaction: no signatures"));
    }
    Ok(tx)
}

fn simulation_result(sim: TransactionSimulationResult, accounts: Option<Vec<Option<UiAccount>>>) -> RpcSimulateTransactionResult {
    RpcSimulateTransactionResult {
        err: sim.result.err(),
        logs: Some(sim.logs),
        accounts,
        units_consumed: Some(sim.units_consumed),
        return_data: sim.return_data.map(UiTransactionReturnData::from),
        inner_instructions: None,
    }
}

fn submit_error(e: SubmitError) -> RpcError {
    match e {
        SubmitError::Signature => RpcError::new(TRANSACTION_SIGNATURE_VERIFICATION_FAILURE, "Transaction signature verification failure"),
        SubmitError::Invalid(err) => RpcError::invalid_params(format!("invalid transaction: {err}")),
        SubmitError::Preflight(sim) => {
            let message = format!("Transaction simulation failed: {}", sim.result.clone().err().map(|e| e.to_string()).unwrap_or_default());
            RpcError {
                code: SEND_TRANSACTION_PREFLIGHT_FAILURE,
                message,
                data: serde_json::to_value(simulation_result(*sim, None)).ok(),
            }
        }
        SubmitError::NotExecuted(err) => RpcError {
            code: SEND_TRANSACTION_PREFLIGHT_FAILURE,
            message: format!("Transaction was not executed: {err}"),
            data: Some(json!({ "err": err, "logs": [], "accounts": null, "unitsConsumed": 0, "returnData": null })),
        },
    }
}

fn token_amount(bank: &Bank, amount: u64, mint: &Pubkey) -> Result<Value, RpcError> {
    let decimals = mint_decimals(bank, mint).ok_or_else(|| RpcError::invalid_params("Invalid param: mint could not be unpacked"))?;
    Ok(serde_json::to_value(token_amount_to_ui_amount(amount, decimals)).unwrap_or(Value::Null))
}

pub fn dispatch(chain: &Chain, method: &str, params: &[Value]) -> RpcResult {
    let p = Params::new(params);
    let bank = chain.bank();
    match method {
        "getHealth" => Ok(json!("ok")),
        "getVersion" => Ok(serde_json::to_value(RpcVersionInfo {
            solana_core: "1.18.26".into(),
            feature_set: Some(solana_sdk::feature_set::ID.to_bytes()[0] as u32),
        })
        .unwrap_or(Value::Null)),
        "getGenesisHash" => Ok(json!(chain.genesis_hash().to_string())),
        "getIdentity" => Ok(serde_json::to_value(RpcIdentity { identity: chain.identity().to_string() }).unwrap_or(Value::Null)),
        "getSlot" => {
            let cfg = p.opt::<RpcContextConfig>(0, "config")?.unwrap_or_default();
            check_min_context_slot(&bank, cfg.min_context_slot)?;
            Ok(json!(bank.slot()))
        }
        "getBlockHeight" => {
            let cfg = p.opt::<RpcContextConfig>(0, "config")?.unwrap_or_default();
            check_min_context_slot(&bank, cfg.min_context_slot)?;
            Ok(json!(bank.block_height()))
        }
        "getEpochInfo" => Ok(serde_json::to_value(bank.get_epoch_info()).unwrap_or(Value::Null)),
        "getEpochSchedule" => Ok(serde_json::to_value(bank.epoch_schedule()).unwrap_or(Value::Null)),
        "getMinimumLedgerSlot" | "getFirstAvailableBlock" => Ok(json!(0)),
        "getClusterNodes" => Ok(json!([{
            "pubkey": chain.identity().to_string(), "gossip": null, "tpu": null,
            "rpc": null, "version": "1.18.26", "featureSet": null, "shredVersion": 0
        }])),
        "getLatestBlockhash" => {
            let cfg = p.opt::<RpcContextConfig>(0, "config")?.unwrap_or_default();
            check_min_context_slot(&bank, cfg.min_context_slot)?;
            let blockhash = bank.last_blockhash();
            let last_valid_block_height = bank
                .get_blockhash_last_valid_block_height(&blockhash)
                .unwrap_or_else(|| bank.block_height() + 150);
            with_context(&bank, RpcBlockhash { blockhash: blockhash.to_string(), last_valid_block_height })
        }
        "isBlockhashValid" => {
            let hash: String = p.req(0, "blockhash")?;
            let hash = Hash::from_str(&hash).map_err(|_| RpcError::invalid_params(format!("Invalid param: {hash} is not a valid blockhash")))?;
            with_context(&bank, bank.is_blockhash_valid(&hash))
        }
        "getFeeForMessage" => {
            let data: String = p.req(0, "message")?;
            let bytes = BASE64_STANDARD.decode(&data).map_err(|e| RpcError::invalid_params(format!("invalid base64 encoding: {e}")))?;
            let message: VersionedMessage = bincode::deserialize(&bytes)
                .map_err(|e| RpcError::invalid_params(format!("failed to deserialize message: {e}")))?;
            let sanitized = SanitizedVersionedMessage::try_from(message)
                .ok()
                .and_then(|m| SanitizedMessage::try_new(m, bank.as_ref()).ok())
                .ok_or_else(|| RpcError::invalid_params("invalid message"))?;
            with_context(&bank, bank.get_fee_for_message(&sanitized))
        }
        "getMinimumBalanceForRentExemption" => {
            let len: usize = p.req(0, "data length")?;
            Ok(json!(bank.get_minimum_balance_for_rent_exemption(len)))
        }
        "getBalance" => {
            let key = pubkey(&p.req::<String>(0, "pubkey")?)?;
            with_context(&bank, bank.get_balance(&key))
        }
        "getAccountInfo" => {
            let key = pubkey(&p.req::<String>(0, "pubkey")?)?;
            let cfg = account_config(&p, 1)?;
            check_min_context_slot(&bank, cfg.min_context_slot)?;
            let value = match bank.get_account(&key) {
                Some(a) => Some(encode_account(&bank, &key, &a, cfg.encoding.unwrap_or(UiAccountEncoding::Binary), cfg.data_slice)?),
                None => None,
            };
            with_context(&bank, value)
        }
        "getMultipleAccounts" => {
            let keys: Vec<String> = p.req(0, "pubkeys")?;
            if keys.len() > MAX_MULTIPLE_ACCOUNTS {
                return Err(RpcError::invalid_params(format!("Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}")));
            }
            let cfg = account_config(&p, 1)?;
            check_min_context_slot(&bank, cfg.min_context_slot)?;
            let encoding = cfg.encoding.unwrap_or(UiAccountEncoding::Base64);
            let mut out = Vec::with_capacity(keys.len());
            for k in keys {
                let key = pubkey(&k)?;
                out.push(match bank.get_account(&key) {
                    Some(a) => Some(encode_account(&bank, &key, &a, encoding, cfg.data_slice)?),
                    None => None,
                });
            }
            with_context(&bank, out)
        }
        "getProgramAccounts" => {
            let program = pubkey(&p.req::<String>(0, "program id")?)?;
            let cfg = p.opt::<RpcProgramAccountsConfig>(1, "config")?.unwrap_or_default();
            check_min_context_slot(&bank, cfg.account_config.min_context_slot)?;
            let filters = cfg.filters.unwrap_or_default();
            for f in &filters {
                f.verify().map_err(|e| RpcError::invalid_params(format!("Invalid param: {e}")))?;
            }
            let encoding = cfg.account_config.encoding.unwrap_or(UiAccountEncoding::Binary);
            let mut out = Vec::new();
            for (key, account) in chain.program_accounts(&program, |a| filters.iter().all(|f: &RpcFilterType| f.allows(a))) {
                out.push(RpcKeyedAccount {
                    pubkey: key.to_string(),
                    account: encode_account(&bank, &key, &account, encoding, cfg.account_config.data_slice)?,
                });
            }
            if cfg.with_context.unwrap_or(false) {
                with_context(&bank, out)
            } else {
                Ok(serde_json::to_value(out).unwrap_or(Value::Null))
            }
        }
        "getTokenAccountBalance" => {
            let key = pubkey(&p.req::<String>(0, "token account")?)?;
            let account = bank.get_account(&key).ok_or_else(|| RpcError::invalid_params("Invalid param: could not find account"))?;
            let state = is_token_program(account.owner())
                .then(|| spl_token_2022::extension::StateWithExtensions::<spl_token_2022::state::Account>::unpack(account.data()).ok())
                .flatten()
                .ok_or_else(|| RpcError::invalid_params("Invalid param: not a Token account"))?;
            with_context(&bank, token_amount(&bank, state.base.amount, &state.base.mint)?)
        }
        "getTokenSupply" => {
            let mint = pubkey(&p.req::<String>(0, "mint")?)?;
            let account = bank.get_account(&mint).ok_or_else(|| RpcError::invalid_params("Invalid param: could not find account"))?;
            let state = is_token_program(account.owner())
                .then(|| spl_token_2022::extension::StateWithExtensions::<spl_token_2022::state::Mint>::unpack(account.data()).ok())
                .flatten()
                .ok_or_else(|| RpcError::invalid_params("Invalid param: not a Token mint"))?;
            with_context(&bank, token_amount(&bank, state.base.supply, &mint)?)
        }
        "getTokenAccountsByOwner" => {
            let owner = pubkey(&p.req::<String>(0, "owner")?)?;
            let filter: RpcTokenAccountsFilter = p.req(1, "mint or programId filter")?;
            let cfg = account_config(&p, 2)?;
            let (program, mint) = match filter {
                RpcTokenAccountsFilter::Mint(m) => {
                    let mint = pubkey(&m)?;
                    let owner_program = bank
                        .get_account(&mint)
                        .map(|a| *a.owner())
                        .filter(is_token_program)
                        .ok_or_else(|| RpcError::invalid_params("Invalid param: could not find mint"))?;
                    (owner_program, Some(mint))
                }
                RpcTokenAccountsFilter::ProgramId(id) => {
                    let id = pubkey(&id)?;
                    if !is_token_program(&id) {
                        return Err(RpcError::invalid_params("Invalid param: unrecognized Token program id"));
                    }
                    (id, None)
                }
            };
            let encoding = cfg.encoding.unwrap_or(UiAccountEncoding::Binary);
            let accounts = chain.program_accounts(&program, |a| {
                let d = a.data();
                d.len() >= spl_token::state::Account::LEN
                    && d[32..64] == owner.to_bytes()
                    && mint.is_none_or(|m| d[0..32] == m.to_bytes())
                    && (d.len() == spl_token::state::Account::LEN || d.get(spl_token::state::Account::LEN) == Some(&2))
            });
            let mut out = Vec::new();
            for (key, account) in accounts {
                out.push(RpcKeyedAccount { pubkey: key.to_string(), account: encode_account(&bank, &key, &account, encoding, cfg.data_slice)? });
            }
            with_context(&bank, out)
        }
        "requestAirdrop" => {
            let key = pubkey(&p.req::<String>(0, "pubkey")?)?;
            let lamports: u64 = p.req(1, "lamports")?;
            if lamports == 0 {
                return Err(RpcError::invalid_params("Invalid param: lamports must be greater than 0"));
            }
            let sig = chain.airdrop(&key, lamports).map_err(submit_error)?;
            Ok(json!(sig.to_string()))
        }
        "sendTransaction" => {
            let data: String = p.req(0, "transaction")?;
            let cfg = p.opt::<RpcSendTransactionConfig>(1, "config")?.unwrap_or_default();
            check_min_context_slot(&bank, cfg.min_context_slot)?;
            let tx = decode_transaction(&data, cfg.encoding.unwrap_or(UiTransactionEncoding::Base58))?;
            let sig = chain.send(tx, cfg.skip_preflight).map_err(submit_error)?;
            Ok(json!(sig.to_string()))
        }
        "simulateTransaction" => {
            let data: String = p.req(0, "transaction")?;
            let cfg = p.opt::<RpcSimulateTransactionConfig>(1, "config")?.unwrap_or_default();
            check_min_context_slot(&bank, cfg.min_context_slot)?;
            if cfg.sig_verify && cfg.replace_recent_blockhash {
                return Err(RpcError::invalid_params("sigVerify may not be used with replaceRecentBlockhash"));
            }
            let mut tx = decode_transaction(&data, cfg.encoding.unwrap_or(UiTransactionEncoding::Base58))?;
            if cfg.replace_recent_blockhash {
                tx.message.set_recent_blockhash(bank.last_blockhash());
            }
            let account_keys: Option<(Vec<Pubkey>, UiAccountEncoding)> = match cfg.accounts {
                Some(a) => {
                    let keys = a.addresses.iter().map(|k| pubkey(k)).collect::<Result<Vec<_>, _>>()?;
                    Some((keys, a.encoding.unwrap_or(UiAccountEncoding::Base64)))
                }
                None => None,
            };
            let sim = chain.simulate(tx, cfg.sig_verify).map_err(submit_error)?;
            let accounts = match account_keys {
                Some((keys, encoding)) => {
                    let mut out = Vec::with_capacity(keys.len());
                    for k in keys {
                        let post = sim.post_simulation_accounts.iter().find(|(key, _)| *key == k).map(|(_, a)| a.clone());
                        let acct = post.or_else(|| bank.get_account(&k));
                        out.push(match acct {
                            Some(a) => Some(encode_account(&bank, &k, &a, encoding, None)?),
                            None => None,
                        });
                    }
                    Some(out)
                }
                None => None,
            };
            with_context(&bank, simulation_result(sim, accounts))
        }
        "getSignatureStatuses" => {
            let sigs: Vec<String> = p.req(0, "signatures")?;
            if sigs.len() > MAX_SIGNATURE_STATUSES {
                return Err(RpcError::invalid_params(format!("Too many inputs provided; max {MAX_SIGNATURE_STATUSES}")));
            }
            let _cfg = p.opt::<RpcSignatureStatusConfig>(1, "config")?;
            let sigs = sigs.iter().map(|s| signature(s)).collect::<Result<Vec<_>, _>>()?;
            let statuses: Vec<Option<TransactionStatus>> = chain.with_history(|h| {
                sigs.iter()
                    .map(|s| {
                        h.get(s).map(|r| TransactionStatus {
                            slot: r.slot,
                            confirmations: None,
                            status: r.status(),
                            err: r.err.clone(),
                            confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                        })
                    })
                    .collect()
            });
            with_context(&bank, statuses)
        }
        "getTransaction" => {
            let sig = signature(&p.req::<String>(0, "signature")?)?;
            let cfg = match params.get(1) {
                Some(Value::String(_)) => RpcTransactionConfig { encoding: p.opt(1, "encoding")?, ..Default::default() },
                _ => p.opt::<RpcTransactionConfig>(1, "config")?.unwrap_or_default(),
            };
            let encoding = cfg.encoding.unwrap_or(UiTransactionEncoding::Json);
            let record = chain.with_history(|h| h.get(&sig).cloned());
            match record {
                None => Ok(Value::Null),
                Some(r) => {
                    let encoded = r.confirmed().encode(encoding, cfg.max_supported_transaction_version).map_err(|e| {
                        RpcError::new(UNSUPPORTED_TRANSACTION_VERSION, format!(
                            "{e}. Please try the request again with the following configuration parameter: \"maxSupportedTransactionVersion\": 0"
                        ))
                    })?;
                    Ok(serde_json::to_value(encoded).unwrap_or(Value::Null))
                }
            }
        }
        "getSignaturesForAddress" => {
            let address = pubkey(&p.req::<String>(0, "address")?)?;
            let cfg = p.opt::<RpcSignaturesForAddressConfig>(1, "config")?.unwrap_or_default();
            let limit = cfg.limit.unwrap_or(1000);
            if limit == 0 || limit > 1000 {
                return Err(RpcError::invalid_params("Invalid limit; max 1000"));
            }
            let before = cfg.before.as_deref().map(signature).transpose()?;
            let until = cfg.until.as_deref().map(signature).transpose()?;
            let out: Vec<RpcConfirmedTransactionStatusWithSignature> = chain.with_history(|h| {
                h.for_address(&address, limit, before.as_ref(), until.as_ref())
                    .into_iter()
                    .map(|r| RpcConfirmedTransactionStatusWithSignature {
                        signature: r.signature().to_string(),
                        slot: r.slot,
                        err: r.err.clone(),
                        memo: None,
                        block_time: Some(r.block_time),
                        confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                    })
                    .collect()
            });
            Ok(serde_json::to_value(out).unwrap_or(Value::Null))
        }
        "getRecentPrioritizationFees" => {
            let keys: Vec<String> = p.opt(0, "addresses")?.unwrap_or_default();
            for k in &keys {
                pubkey(k)?;
            }
            // One node, no contention: every recent slot's minimum fee is zero.
            let slot = bank.slot();
            let fees: Vec<RpcPrioritizationFee> = (slot.saturating_sub(149)..=slot)
                .map(|slot| RpcPrioritizationFee { slot, prioritization_fee: 0 })
                .collect();
            Ok(serde_json::to_value(fees).unwrap_or(Value::Null))
        }
        "aegisWarp" => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Warp {
                #[serde(default)]
                slots: u64,
                #[serde(default)]
                seconds: i64,
            }
            let w: Warp = p.req(0, "{ slots, seconds }")?;
            if w.seconds < 0 {
                return Err(RpcError::invalid_params("seconds must not be negative: the clock never goes back"));
            }
            if w.slots > 10_000_000 {
                return Err(RpcError::invalid_params("slots must be at most 10000000"));
            }
            let (slot, unix_timestamp) = chain.warp(w.slots, w.seconds);
            Ok(json!({ "slot": slot, "unixTimestamp": unix_timestamp }))
        }
        _ => Err(RpcError::new(METHOD_NOT_FOUND, "Method not found")),
    }
}

/// Handles one request object; `None` for a notification (no id).
pub fn handle_request(chain: &Chain, req: &Value) -> Option<Value> {
    let id = req.get("id").cloned();
    let respond_err = |id: Option<Value>, e: RpcError| json!({ "jsonrpc": "2.0", "error": e.to_json(), "id": id.unwrap_or(Value::Null) });
    let Some(obj) = req.as_object() else {
        return Some(respond_err(None, RpcError::new(INVALID_REQUEST, "Invalid request")));
    };
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Some(respond_err(id, RpcError::new(INVALID_REQUEST, "Invalid request")));
    }
    let Some(method) = obj.get("method").and_then(Value::as_str) else {
        return Some(respond_err(id, RpcError::new(INVALID_REQUEST, "Invalid request")));
    };
    let empty = Vec::new();
    let params = match obj.get("params") {
        None | Some(Value::Null) => &empty,
        Some(Value::Array(a)) => a,
        Some(_) => return Some(respond_err(id, RpcError::invalid_params("Invalid params: expected an array"))),
    };
    let id = id?;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| dispatch(chain, method, params)))
        .unwrap_or_else(|_| Err(RpcError::new(INTERNAL_ERROR, "Internal error")));
    Some(match result {
        Ok(v) => json!({ "jsonrpc": "2.0", "result": v, "id": id }),
        Err(e) => respond_err(Some(id), e),
    })
}

/// Handles an HTTP body: a single request or a batch.
pub fn handle_body(chain: &Chain, body: &[u8]) -> Value {
    let parsed: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => return json!({ "jsonrpc": "2.0", "error": { "code": PARSE_ERROR, "message": "Parse error" }, "id": null }),
    };
    match parsed {
        Value::Array(reqs) if reqs.is_empty() => {
            json!({ "jsonrpc": "2.0", "error": { "code": INVALID_REQUEST, "message": "Invalid request" }, "id": null })
        }
        Value::Array(reqs) => Value::Array(reqs.iter().filter_map(|r| handle_request(chain, r)).collect()),
        single => handle_request(chain, &single).unwrap_or(Value::Null),
    }
}
