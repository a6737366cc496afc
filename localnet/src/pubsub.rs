//! WebSocket PubSub: account, program, signature, logs and slot subscriptions.
//! Every state change is final as soon as it is processed, so notifications go out at
//! once whatever commitment the client asked for.
use std::{
    collections::HashMap,
    str::FromStr,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};

use futures_util::{SinkExt, StreamExt};
use log::{debug, warn};
use serde::Deserialize;
use serde_json::{json, Value};
use solana_account_decoder::{UiAccountEncoding, UiDataSliceConfig};
use solana_rpc_client_api::{
    config::{RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSignatureSubscribeConfig},
    filter::RpcFilterType,
};
use solana_sdk::{account::ReadableAccount, pubkey::Pubkey, signature::Signature};
use tokio::{net::TcpListener, sync::broadcast::error::RecvError};
use tokio_tungstenite::tungstenite::Message;

use crate::{
    chain::{Chain, ChainEvent},
    rpc::{encode_account, pubkey, Params, RpcError, INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR},
};

static NEXT_SUBSCRIPTION: AtomicU64 = AtomicU64::new(1);

enum Subscription {
    Account { key: Pubkey, encoding: UiAccountEncoding, slice: Option<UiDataSliceConfig> },
    Program { program: Pubkey, filters: Vec<RpcFilterType>, encoding: UiAccountEncoding, slice: Option<UiDataSliceConfig> },
    Signature { signature: Signature },
    Logs { mentions: Option<Pubkey> },
    Slot,
}

fn kind_of(method: &str) -> Option<&'static str> {
    Some(match method {
        "accountUnsubscribe" => "account",
        "programUnsubscribe" => "program",
        "signatureUnsubscribe" => "signature",
        "logsUnsubscribe" => "logs",
        "slotUnsubscribe" => "slot",
        _ => return None,
    })
}

impl Subscription {
    fn kind(&self) -> &'static str {
        match self {
            Subscription::Account { .. } => "account",
            Subscription::Program { .. } => "program",
            Subscription::Signature { .. } => "signature",
            Subscription::Logs { .. } => "logs",
            Subscription::Slot => "slot",
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum LogsFilter {
    Word(String),
    Mentions { mentions: Vec<String> },
}

fn notification(method: &str, subscription: u64, result: Value) -> Message {
    Message::Text(json!({ "jsonrpc": "2.0", "method": method, "params": { "result": result, "subscription": subscription } }).to_string())
}

struct Connection {
    chain: Arc<Chain>,
    subs: HashMap<u64, Subscription>,
}

impl Connection {
    fn subscribe(&mut self, method: &str, params: &[Value]) -> Result<(u64, Vec<Message>), RpcError> {
        let p = Params::new(params);
        let sub = match method {
            "accountSubscribe" => {
                let key = pubkey(&p.req::<String>(0, "pubkey")?)?;
                let cfg = p.opt::<RpcAccountInfoConfig>(1, "config")?.unwrap_or_default();
                Subscription::Account { key, encoding: cfg.encoding.unwrap_or(UiAccountEncoding::Binary), slice: cfg.data_slice }
            }
            "programSubscribe" => {
                let program = pubkey(&p.req::<String>(0, "program id")?)?;
                let cfg = p.opt::<RpcProgramAccountsConfig>(1, "config")?.unwrap_or_default();
                let filters = cfg.filters.unwrap_or_default();
                for f in &filters {
                    f.verify().map_err(|e| RpcError::invalid_params(format!("Invalid param: {e}")))?;
                }
                Subscription::Program {
                    program,
                    filters,
                    encoding: cfg.account_config.encoding.unwrap_or(UiAccountEncoding::Binary),
                    slice: cfg.account_config.data_slice,
                }
            }
            "signatureSubscribe" => {
                let s: String = p.req(0, "signature")?;
                let signature = Signature::from_str(&s).map_err(|_| RpcError::invalid_params(format!("Invalid param: {s} is not a valid signature")))?;
                let _cfg = p.opt::<RpcSignatureSubscribeConfig>(1, "config")?;
                Subscription::Signature { signature }
            }
            "logsSubscribe" => {
                let filter: LogsFilter = p.req(0, "filter")?;
                let mentions = match filter {
                    LogsFilter::Word(w) if w == "all" || w == "allWithVotes" => None,
                    LogsFilter::Word(w) => return Err(RpcError::invalid_params(format!("Invalid filter: {w}"))),
                    LogsFilter::Mentions { mentions } => {
                        if mentions.len() != 1 {
                            return Err(RpcError::invalid_params("Invalid Request: Only 1 address supported"));
                        }
                        Some(pubkey(&mentions[0])?)
                    }
                };
                Subscription::Logs { mentions }
            }
            "slotSubscribe" => Subscription::Slot,
            _ => return Err(RpcError::new(METHOD_NOT_FOUND, "Method not found")),
        };
        let id = NEXT_SUBSCRIPTION.fetch_add(1, Ordering::Relaxed);
        // A signature that is already processed is notified at once.
        let mut immediate = Vec::new();
        if let Subscription::Signature { signature } = &sub {
            let done = self.chain.with_history(|h| h.get(signature).map(|r| (r.slot, r.err.clone())));
            if let Some((slot, err)) = done {
                immediate.push(notification("signatureNotification", id, json!({ "context": { "slot": slot }, "value": { "err": err } })));
                return Ok((id, immediate));
            }
        }
        self.subs.insert(id, sub);
        Ok((id, immediate))
    }

    fn handle(&mut self, text: &str) -> Vec<Message> {
        let req: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(_) => {
                return vec![Message::Text(json!({ "jsonrpc": "2.0", "error": { "code": PARSE_ERROR, "message": "Parse error" }, "id": null }).to_string())]
            }
        };
        let id = req.get("id").cloned();
        let method = req.get("method").and_then(Value::as_str).unwrap_or_default().to_string();
        let reply = |result: Result<Value, RpcError>, id: Value| -> Message {
            Message::Text(match result {
                Ok(v) => json!({ "jsonrpc": "2.0", "result": v, "id": id }).to_string(),
                Err(e) => json!({ "jsonrpc": "2.0", "error": e.to_json(), "id": id }).to_string(),
            })
        };
        // Notifications (no id), such as web3.js's keep-alive "ping", get no answer.
        let Some(id) = id else { return vec![] };
        if req.get("jsonrpc").and_then(Value::as_str) != Some("2.0") || method.is_empty() {
            return vec![reply(Err(RpcError::new(INVALID_REQUEST, "Invalid request")), id)];
        }
        let empty = Vec::new();
        let params = match req.get("params") {
            None | Some(Value::Null) => &empty,
            Some(Value::Array(a)) => a,
            Some(_) => return vec![reply(Err(RpcError::new(INVALID_PARAMS, "Invalid params: expected an array")), id)],
        };
        if let Some(kind) = kind_of(&method) {
            let sub_id: Result<u64, RpcError> = Params::new(params).req(0, "subscription id");
            let result = sub_id.and_then(|s| match self.subs.get(&s) {
                Some(sub) if sub.kind() == kind => {
                    self.subs.remove(&s);
                    Ok(json!(true))
                }
                _ => Err(RpcError::invalid_params("Invalid subscription id.")),
            });
            return vec![reply(result, id)];
        }
        match self.subscribe(&method, params) {
            Ok((sub, mut immediate)) => {
                let mut out = vec![reply(Ok(json!(sub)), id)];
                out.append(&mut immediate);
                out
            }
            Err(e) => vec![reply(Err(e), id)],
        }
    }

    fn notify(&mut self, event: &ChainEvent) -> Vec<Message> {
        let mut out = Vec::new();
        let mut done = Vec::new();
        let bank = self.chain.bank();
        for (id, sub) in &self.subs {
            match (sub, event) {
                (Subscription::Slot, ChainEvent::Slot { slot, parent, root }) => {
                    out.push(notification("slotNotification", *id, json!({ "slot": slot, "parent": parent, "root": root })));
                }
                (Subscription::Signature { signature: s }, ChainEvent::Transaction { signature, slot, err, .. }) if s == signature => {
                    out.push(notification("signatureNotification", *id, json!({ "context": { "slot": slot }, "value": { "err": err } })));
                    done.push(*id);
                }
                (Subscription::Logs { mentions }, ChainEvent::Transaction { signature, slot, err, logs, keys }) => {
                    if mentions.is_none_or(|m| keys.contains(&m)) {
                        out.push(notification(
                            "logsNotification",
                            *id,
                            json!({ "context": { "slot": slot }, "value": { "signature": signature.to_string(), "err": err, "logs": logs } }),
                        ));
                    }
                }
                (Subscription::Account { key, encoding, slice }, ChainEvent::Account { pubkey, account, slot }) if key == pubkey => {
                    if let Ok(ui) = encode_account(&bank, pubkey, account, *encoding, *slice) {
                        out.push(notification("accountNotification", *id, json!({ "context": { "slot": slot }, "value": ui })));
                    }
                }
                (Subscription::Program { program, filters, encoding, slice }, ChainEvent::Account { pubkey, account, slot })
                    if account.owner() == program && filters.iter().all(|f| f.allows(account)) =>
                {
                    if let Ok(ui) = encode_account(&bank, pubkey, account, *encoding, *slice) {
                        out.push(notification(
                            "programNotification",
                            *id,
                            json!({ "context": { "slot": slot }, "value": { "pubkey": pubkey.to_string(), "account": ui } }),
                        ));
                    }
                }
                _ => {}
            }
        }
        for id in done {
            self.subs.remove(&id);
        }
        out
    }
}

pub async fn serve(listener: TcpListener, chain: Arc<Chain>) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                warn!("websocket accept failed: {e}");
                continue;
            }
        };
        let chain = chain.clone();
        tokio::spawn(async move {
            let ws = match tokio_tungstenite::accept_async(stream).await {
                Ok(ws) => ws,
                Err(e) => {
                    debug!("websocket handshake with {peer} failed: {e}");
                    return;
                }
            };
            let (mut sink, mut source) = ws.split();
            let mut events = chain.subscribe();
            let mut conn = Connection { chain, subs: HashMap::new() };
            loop {
                let outgoing = tokio::select! {
                    msg = source.next() => match msg {
                        Some(Ok(Message::Text(text))) => conn.handle(&text),
                        Some(Ok(Message::Binary(bytes))) => conn.handle(&String::from_utf8_lossy(&bytes)),
                        Some(Ok(Message::Ping(p))) => vec![Message::Pong(p)],
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                        Some(Ok(_)) => vec![],
                    },
                    ev = events.recv() => match ev {
                        Ok(ev) => conn.notify(&ev),
                        Err(RecvError::Lagged(n)) => {
                            warn!("websocket client {peer} lagged; {n} events dropped");
                            vec![]
                        }
                        Err(RecvError::Closed) => break,
                    },
                };
                for m in outgoing {
                    if sink.send(m).await.is_err() {
                        return;
                    }
                }
            }
        });
    }
}
