/** Chain reads shared by commands: nodes, the clock, token accounts, epochs. */
import { PublicKey, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import { NODE_OPERATOR_OFFSET } from "../../sdk/src/functions/registry.js";
import { mintKey, nodeKey, tokenConfigKey } from "../../sdk/src/index.js";
import type { Context } from "./context.js";
import { associatedTokenAddress, readTokenAccount } from "./token.js";
import { notFound, usageError } from "./errors.js";
import { pubkeyOrKeypairFile, parsePubkey } from "./keypair.js";

export type Variant = Record<string, unknown>;
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** `{ active: {} }` → "Active". */
export const variantName = (v: Variant): string => pascal(Object.keys(v)[0] ?? "unknown");

export interface NodeSelector {
  node?: string;
  identity?: string;
}

/**
 * The node a command is about: --node (NodeV0 address), --identity (key or keypair file), the
 * config's `node`, or else the wallet's only node.
 */
export async function resolveNode(ctx: Context, sel: NodeSelector, operator?: PublicKey) {
  const program = ctx.registry(true);
  let address: PublicKey | undefined;
  if (sel.node) address = parsePubkey(sel.node, "--node");
  else if (sel.identity) address = nodeKey(pubkeyOrKeypairFile(sel.identity, "--identity"))[0];
  else if (ctx.config.node) address = parsePubkey(ctx.config.node, "config node");
  if (address) {
    const account = await program.account.nodeV0.fetchNullable(address);
    if (!account) throw notFound(`no node at ${address.toBase58()}`, "register it with `aegis node register`, or check --node / --cluster");
    return { address, account };
  }
  const op = operator ?? ctx.walletKey;
  const mine = await program.account.nodeV0.all([{ memcmp: { offset: NODE_OPERATOR_OFFSET, bytes: op.toBase58() } }]);
  if (mine.length === 0) throw notFound(`operator ${op.toBase58()} has no node`, "register one with `aegis node register --identity <file>`");
  if (mine.length > 1) throw usageError(`operator ${op.toBase58()} has ${mine.length} nodes: pick one with --node`, mine.map((n) => n.publicKey.toBase58()).join(", "));
  return { address: mine[0]!.publicKey, account: mine[0]!.account };
}

/** The chain's clock (localnet can warp it, so never the local wall clock). */
export async function chainTime(ctx: Context): Promise<number> {
  const info = await ctx.connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY);
  if (!info) throw notFound("the Clock sysvar is missing");
  return Number(info.data.readBigInt64LE(32));
}

export async function currentEpoch(ctx: Context): Promise<{ epoch: number; endsAt: number; lengthSecs: number; now: number }> {
  const cfg = await ctx.token(true).account.tokenConfigV0.fetchNullable(tokenConfigKey()[0]);
  if (!cfg) throw notFound("the AEGIS token program is not initialised on this cluster", "check --cluster");
  const now = await chainTime(ctx);
  const genesis = cfg.genesisTs.toNumber();
  const len = cfg.epochLengthSecs.toNumber();
  const epoch = Math.max(0, Math.floor((now - genesis) / len));
  return { epoch, endsAt: genesis + (epoch + 1) * len, lengthSecs: len, now };
}

export const aegisMint = (): PublicKey => mintKey()[0];
export const ataOf = (owner: PublicKey): PublicKey => associatedTokenAddress(aegisMint(), owner);

/** Balance of an SPL token account, 0 when it does not exist. */
export async function tokenBalance(ctx: Context, account: PublicKey): Promise<bigint> {
  return (await readTokenAccount(ctx.connection, account, ctx.commitment))?.amount ?? 0n;
}

export const isoTime = (unix: number): string => (unix > 0 ? new Date(unix * 1000).toISOString() : "-");
