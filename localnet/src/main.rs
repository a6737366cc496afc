use std::{net::IpAddr, path::PathBuf, time::Instant};

use aegis_localnet::{
    chain::{Chain, ChainConfig},
    programs::native_programs,
    server,
};
use clap::Parser;

/// A local Solana chain with the AEGIS programs and SPL Governance, served over the
/// standard JSON-RPC and WebSocket APIs.
#[derive(Parser)]
#[clap(name = "aegis-localnet", version)]
struct Args {
    /// Address to bind (loopback by default).
    #[clap(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// JSON-RPC port.
    #[clap(long, default_value_t = 8899)]
    rpc_port: u16,
    /// WebSocket port (default: RPC port + 1, where Solana clients look for it).
    #[clap(long)]
    ws_port: Option<u16>,
    /// Slot length in milliseconds.
    #[clap(long, default_value_t = 400, validator = |s: &str| match s.parse::<u64>() { Ok(n) if (10..=60_000).contains(&n) => Ok(()), _ => Err(String::from("must be 10..=60000")) })]
    slot_ms: u64,
    /// Keep state in this directory across restarts (default: in memory only).
    #[clap(long)]
    ledger: Option<PathBuf>,
}

#[tokio::main]
async fn main() {
    let started = Instant::now();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn,aegis_localnet=info")).init();
    let args = Args::parse();
    let ws_port = match args.ws_port {
        Some(p) => p,
        None => match args.rpc_port.checked_add(1) {
            Some(p) if args.rpc_port != 0 => p,
            _ => {
                eprintln!("error: give --ws-port when --rpc-port is 0 or 65535");
                std::process::exit(2);
            }
        },
    };
    let chain = match Chain::new(&ChainConfig { slot_ms: args.slot_ms, ledger: args.ledger.clone() }) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
    };
    let endpoints = match server::start(chain.clone(), (args.bind, args.rpc_port).into(), (args.bind, ws_port).into(), args.slot_ms).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot listen on {}:{} / {}: {e}", args.bind, args.rpc_port, ws_port);
            std::process::exit(1);
        }
    };
    println!("aegis-localnet {}", env!("CARGO_PKG_VERSION"));
    println!("RPC URL: http://{}", endpoints.rpc);
    println!("WebSocket URL: ws://{}", endpoints.ws);
    match &args.ledger {
        Some(dir) => println!("Ledger: {}", dir.display()),
        None => println!("Ledger: in memory"),
    }
    println!("Genesis hash: {}", chain.genesis_hash());
    println!("Faucet: {}", chain.faucet());
    println!("Programs:");
    for p in native_programs() {
        println!("  {:<24} {} (native)", p.name, p.id);
    }
    for (name, id) in [
        ("spl_token", spl_token::id()),
        ("spl_token_2022", spl_token_2022::id()),
        ("spl_associated_token", solana_sdk::pubkey!("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")),
        ("spl_memo", solana_sdk::pubkey!("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")),
    ] {
        println!("  {:<24} {} (sbf)", name, id);
    }
    println!("Ready in {} ms", started.elapsed().as_millis());

    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    let c = chain.clone();
    match tokio::task::spawn_blocking(move || c.snapshot(true)).await {
        Ok(Ok(true)) => println!("Ledger saved at slot {}", chain.bank().slot()),
        Ok(Ok(false)) => {}
        Ok(Err(e)) => eprintln!("error: ledger snapshot failed: {e:#}"),
        Err(e) => eprintln!("error: ledger snapshot failed: {e}"),
    }
    std::process::exit(0);
}
