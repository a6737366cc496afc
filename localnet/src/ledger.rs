//! `--ledger DIR`: the genesis config, the faucet key and a snapshot of every account and
//! processed transaction, written atomically (temp file + rename) on a timer and on shutdown.
use std::{
    fs,
    path::{Path, PathBuf},
};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use solana_sdk::{account::Account, clock::Slot, genesis_config::GenesisConfig, pubkey::Pubkey, signature::Keypair};

use crate::history::TxRecord;

const SNAPSHOT_FILE: &str = "state.bin";
const FAUCET_FILE: &str = "faucet.json";
const SNAPSHOT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
pub struct Snapshot {
    pub slot: Slot,
    pub time_offset: i64,
    pub accounts: Vec<(Pubkey, Account)>,
    pub history: Vec<TxRecord>,
}

pub struct Ledger {
    dir: PathBuf,
}

impl Ledger {
    pub fn open(dir: &Path) -> anyhow::Result<Ledger> {
        fs::create_dir_all(dir).with_context(|| format!("cannot create ledger dir {}", dir.display()))?;
        Ok(Ledger { dir: dir.to_path_buf() })
    }

    pub fn exists(&self) -> bool {
        self.dir.join("genesis.bin").exists()
    }

    pub fn save_genesis(&self, genesis: &GenesisConfig, faucet: &Keypair) -> anyhow::Result<()> {
        genesis.write(&self.dir).context("cannot write genesis.bin")?;
        let bytes = serde_json::to_vec(&faucet.to_bytes().to_vec())?;
        fs::write(self.dir.join(FAUCET_FILE), bytes).context("cannot write faucet key")?;
        Ok(())
    }

    pub fn load_genesis(&self) -> anyhow::Result<(GenesisConfig, Keypair)> {
        let genesis = GenesisConfig::load(&self.dir)
            .with_context(|| format!("cannot read genesis.bin in {}", self.dir.display()))?;
        let raw = fs::read(self.dir.join(FAUCET_FILE)).context("cannot read faucet key")?;
        let bytes: Vec<u8> = serde_json::from_slice(&raw).context("faucet key is not a JSON byte array")?;
        let faucet = Keypair::from_bytes(&bytes).map_err(|e| anyhow::anyhow!("bad faucet key: {e}"))?;
        Ok((genesis, faucet))
    }

    pub fn load_snapshot(&self) -> anyhow::Result<Option<Snapshot>> {
        let path = self.dir.join(SNAPSHOT_FILE);
        if !path.exists() {
            return Ok(None);
        }
        let raw = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        anyhow::ensure!(raw.len() >= 4, "{} is truncated", path.display());
        let version = u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
        anyhow::ensure!(version == SNAPSHOT_VERSION, "{} has version {version}, expected {SNAPSHOT_VERSION}", path.display());
        let snap = bincode::deserialize(&raw[4..]).with_context(|| format!("{} is corrupt", path.display()))?;
        Ok(Some(snap))
    }

    pub fn save_snapshot(&self, snap: &Snapshot) -> anyhow::Result<()> {
        let mut raw = SNAPSHOT_VERSION.to_le_bytes().to_vec();
        raw.extend(bincode::serialize(snap)?);
        let tmp = self.dir.join(format!("{SNAPSHOT_FILE}.tmp"));
        fs::write(&tmp, &raw).with_context(|| format!("cannot write {}", tmp.display()))?;
        fs::rename(&tmp, self.dir.join(SNAPSHOT_FILE)).context("cannot move snapshot into place")?;
        Ok(())
    }
}
