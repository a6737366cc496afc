/**
 * First start of the one-machine network: the protocol, a demo operator with a staked Active
 * node, the demo and canary zones assigned to it, the token metadata (where Metaplex exists) and
 * the Realms realm. Idempotent by chain state: a second start on the same ledger skips it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Connection, Keypair, PublicKey } from "@solana/web3.js";
import { AnchorProvider, Wallet } from "@coral-xyz/anchor";
import { getOrCreateAssociatedTokenAccount, transfer } from "@solana/spl-token";
import {
  ONE_AEGIS,
  mintKey,
  nodeKey,
  registry,
  registryProgram,
  staking,
  stakingProgram,
  treasuryKey,
  zoneKey,
} from "../../sdk/src/index.js";
import { bootstrapRealm, initProtocol, protocolInitialized } from "../../migrations/bootstrap.js";
import { ensureTokenMetadata } from "../../migrations/metadata.js";

export interface DemoKeys {
  deployer: Keypair;
  oracles: Keypair[];
  council: Keypair[];
  operator: Keypair;
  nodeIdentity: Keypair;
  siteOwner: Keypair;
}

export interface DemoOptions {
  originUrl: string;
  demoDomain: string;
  canaryDomain: string;
  epochSecs: number;
  stake: bigint;
  /** Root quorum (m of the registered oracles). */
  quorum: number;
}

export interface NetworkState {
  realm: string;
  councilMint: string;
  governances: Record<string, string>;
  mint: string;
  node: string;
  operatorRewardAccount: string;
  zones: string[];
  metadata: string;
}

const zonePolicy = (originUrl: string) => ({
  origins: [{ url: originUrl, weight: 1 }],
  cache: { enabled: true, defaultTtlSecs: 0, honourOriginHeaders: true, staleWhileRevalidateSecs: 30, staleIfErrorSecs: 300 },
  waf: { mode: { detect: {} }, paranoia: 1, inboundThreshold: 5, outboundThreshold: 4, responseRules: false, excludedRuleIds: [], excludedTags: [] },
  ddos: { sensitivity: 2 },
  rateLimit: { requests: 0, windowSecs: 60, burst: 0 },
  bots: { mode: { off: {} }, challengeAt: 60, blockAt: 90 },
});

async function airdrop(connection: Connection, to: PublicKey, sol: number): Promise<void> {
  const sig = await connection.requestAirdrop(to, sol * 1e9);
  await connection.confirmTransaction({ signature: sig, ...(await connection.getLatestBlockhash()) }, "confirmed");
}

/** Runs the first-start bootstrap unless the chain already has it; returns the network's addresses. */
export async function ensureDemoNetwork(
  connection: Connection,
  keys: DemoKeys,
  o: DemoOptions,
  statePath: string,
  progress: (step: string) => void,
): Promise<NetworkState> {
  if (await protocolInitialized(connection)) {
    progress("ledger already bootstrapped: reusing it");
    return JSON.parse(readFileSync(statePath, "utf8")) as NetworkState;
  }
  const { deployer, oracles, council, operator, nodeIdentity, siteOwner } = keys;
  progress("funding the demo accounts (airdrops)");
  for (const kp of [deployer, ...oracles, ...council, operator, siteOwner]) await airdrop(connection, kp.publicKey, 100);

  progress("initialising the token, rewards, staking and registry programs");
  await initProtocol(connection, deployer, {
    oracles: oracles.map((k) => k.publicKey),
    quorum: o.quorum,
    assignmentAuthority: oracles[0]!.publicKey,
    // Short demo epochs: the mint circuit breaker's window follows the epoch length.
    token: { epochLengthSecs: o.epochSecs, breakerWindowSecs: o.epochSecs },
  });
  progress("token metadata");
  const metadata = await ensureTokenMetadata(connection, deployer);

  progress("demo operator: register the node, stake, activate");
  const asOperator = new AnchorProvider(connection, new Wallet(operator), { commitment: "confirmed" });
  const mint = mintKey()[0];
  const operatorAta = (await getOrCreateAssociatedTokenAccount(connection, operator, mint, operator.publicKey)).address;
  await transfer(connection, deployer, treasuryKey()[0], operatorAta, deployer, o.stake + 1_000n * ONE_AEGIS);
  const reg = registryProgram(asOperator);
  const [node] = nodeKey(nodeIdentity.publicKey);
  await registry
    .registerNode(reg, { operator: operator.publicKey, identity: nodeIdentity.publicKey, metadataCid: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", region: "local", capabilities: 31 })
    .signers([nodeIdentity])
    .rpc();
  await registry.updateNode(reg, { operator: operator.publicKey, node, rewardDestination: operatorAta }).rpc();
  await staking.stake(stakingProgram(asOperator), { operator: operator.publicKey, source: operatorAta, amount: o.stake }).rpc();
  await staking.activateNode(stakingProgram(asOperator), { operator: operator.publicKey, node }).rpc();

  progress(`zones ${o.demoDomain} and ${o.canaryDomain} → ${o.originUrl}, assigned to the node`);
  const asOwner = registryProgram(new AnchorProvider(connection, new Wallet(siteOwner), { commitment: "confirmed" }));
  const asAssigner = registryProgram(new AnchorProvider(connection, new Wallet(oracles[0]!), { commitment: "confirmed" }));
  for (const domain of [o.demoDomain, o.canaryDomain]) {
    await registry.registerZone(asOwner, { owner: siteOwner.publicKey, domain, policy: zonePolicy(o.originUrl) }).rpc();
    await registry.assignNode(asAssigner, { assignmentAuthority: oracles[0]!.publicKey, node, zone: zoneKey(domain)[0] }).rpc();
  }

  progress("Realms: the AEGIS realm, its council and the protocol / treasury / emergency governances");
  const dao = await bootstrapRealm(connection, deployer, {
    name: "AEGIS",
    council,
    community: { votingSecs: 3_600, holdUpSecs: 60, yesPercent: 50 },
  });
  const state: NetworkState = {
    realm: dao.realm.toBase58(),
    councilMint: dao.councilMint.toBase58(),
    governances: Object.fromEntries(Object.entries(dao.governances).map(([k, v]) => [k, v.toBase58()])),
    mint: mint.toBase58(),
    node: node.toBase58(),
    operatorRewardAccount: operatorAta.toBase58(),
    zones: [o.demoDomain, o.canaryDomain],
    metadata: metadata.status === "unsupported" ? metadata.reason : `${metadata.status}: ${metadata.metadata}`,
  };
  writeFileSync(statePath, JSON.stringify(state, null, 2));
  return state;
}
