//! Processed transactions: statuses, metadata and the per-address index behind
//! getTransaction, getSignatureStatuses and getSignaturesForAddress.
use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use solana_sdk::{
    clock::{Slot, UnixTimestamp},
    pubkey::Pubkey,
    signature::Signature,
    transaction::{TransactionError, VersionedTransaction},
    transaction_context::TransactionReturnData,
};
use solana_transaction_status::{
    ConfirmedTransactionWithStatusMeta, TransactionStatusMeta, TransactionWithStatusMeta,
    VersionedTransactionWithStatusMeta,
};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TxRecord {
    pub slot: Slot,
    pub block_time: UnixTimestamp,
    pub transaction: VersionedTransaction,
    pub err: Option<TransactionError>,
    pub fee: u64,
    pub pre_balances: Vec<u64>,
    pub post_balances: Vec<u64>,
    pub logs: Option<Vec<String>>,
    pub return_data: Option<TransactionReturnData>,
    pub units_consumed: u64,
}

impl TxRecord {
    pub fn signature(&self) -> Signature {
        self.transaction.signatures[0]
    }

    pub fn status(&self) -> Result<(), TransactionError> {
        match &self.err {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    pub fn confirmed(&self) -> ConfirmedTransactionWithStatusMeta {
        let meta = TransactionStatusMeta {
            status: self.status(),
            fee: self.fee,
            pre_balances: self.pre_balances.clone(),
            post_balances: self.post_balances.clone(),
            inner_instructions: None,
            log_messages: self.logs.clone(),
            pre_token_balances: None,
            post_token_balances: None,
            rewards: None,
            loaded_addresses: Default::default(),
            return_data: self.return_data.clone(),
            compute_units_consumed: Some(self.units_consumed),
        };
        ConfirmedTransactionWithStatusMeta {
            slot: self.slot,
            tx_with_meta: TransactionWithStatusMeta::Complete(VersionedTransactionWithStatusMeta {
                transaction: self.transaction.clone(),
                meta,
            }),
            block_time: Some(self.block_time),
        }
    }
}

#[derive(Default)]
pub struct History {
    records: Vec<TxRecord>,
    by_signature: HashMap<Signature, usize>,
    by_address: HashMap<Pubkey, Vec<usize>>,
}

impl History {
    pub fn from_records(records: Vec<TxRecord>) -> Self {
        let mut h = History::default();
        for r in records {
            h.push(r);
        }
        h
    }

    pub fn push(&mut self, record: TxRecord) {
        let idx = self.records.len();
        self.by_signature.insert(record.signature(), idx);
        for key in record.transaction.message.static_account_keys() {
            self.by_address.entry(*key).or_default().push(idx);
        }
        self.records.push(record);
    }

    pub fn get(&self, sig: &Signature) -> Option<&TxRecord> {
        self.by_signature.get(sig).map(|i| &self.records[*i])
    }

    pub fn records(&self) -> &[TxRecord] {
        &self.records
    }

    /// Newest first, after `before` (exclusive) and down to `until` (exclusive).
    pub fn for_address(
        &self,
        address: &Pubkey,
        limit: usize,
        before: Option<&Signature>,
        until: Option<&Signature>,
    ) -> Vec<&TxRecord> {
        let Some(indices) = self.by_address.get(address) else { return vec![] };
        let before_idx = before.and_then(|s| self.by_signature.get(s)).copied();
        let until_idx = until.and_then(|s| self.by_signature.get(s)).copied();
        indices
            .iter()
            .rev()
            .filter(|i| before_idx.is_none_or(|b| **i < b))
            .take_while(|i| until_idx.is_none_or(|u| **i > u))
            .take(limit)
            .map(|i| &self.records[*i])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_sdk::{hash::Hash, signature::Keypair, signer::Signer, system_transaction};

    fn record(from: &Keypair, to: &Pubkey, lamports: u64) -> TxRecord {
        let tx = system_transaction::transfer(from, to, lamports, Hash::new_unique());
        TxRecord {
            slot: 1,
            block_time: 0,
            transaction: tx.into(),
            err: None,
            fee: 5000,
            pre_balances: vec![],
            post_balances: vec![],
            logs: None,
            return_data: None,
            units_consumed: 0,
        }
    }

    #[test]
    fn address_index_is_newest_first_with_before_and_until() {
        let payer = Keypair::new();
        let to = Pubkey::new_unique();
        let mut h = History::default();
        let recs: Vec<_> = (1..=5).map(|n| record(&payer, &to, n)).collect();
        let sigs: Vec<_> = recs.iter().map(|r| r.signature()).collect();
        for r in recs {
            h.push(r);
        }
        let all: Vec<_> = h.for_address(&to, 10, None, None).iter().map(|r| r.signature()).collect();
        assert_eq!(all, sigs.iter().rev().copied().collect::<Vec<_>>());
        let page: Vec<_> = h
            .for_address(&payer.pubkey(), 2, Some(&sigs[3]), None)
            .iter()
            .map(|r| r.signature())
            .collect();
        assert_eq!(page, vec![sigs[2], sigs[1]]);
        let bounded: Vec<_> = h
            .for_address(&to, 10, None, Some(&sigs[2]))
            .iter()
            .map(|r| r.signature())
            .collect();
        assert_eq!(bounded, vec![sigs[4], sigs[3]]);
        assert!(h.for_address(&Pubkey::new_unique(), 10, None, None).is_empty());
    }
}
