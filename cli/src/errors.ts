/**
 * CLI errors: one class with a stable code, the exit code it maps to, and a hint. Program
 * errors are named from the IDLs (`registry::Unauthorized`) and carry a hint for what to do.
 */
import { AnchorError, ProgramError } from "@coral-xyz/anchor";
import { IDLS } from "../../sdk/src/index.js";

/** Exit codes (docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** Unexpected failure (a bug, or something the CLI does not recognise). */
  internal: 1,
  /** Bad command line: unknown command or option, malformed value, unknown cluster. */
  usage: 2,
  /** A local file is missing or invalid: keypair, CLI config, policy, wasm, proof file. */
  localFile: 3,
  /** The cluster or a node endpoint could not be reached. */
  network: 4,
  /** A program rejected the transaction (error named from the IDL). */
  program: 5,
  /** An account the command needs does not exist (node, zone, stake, proposal…). */
  notFound: 6,
  /** A signed report failed verification. */
  verification: 7,
  /** Refused before sending: the transaction would fail (below the minimum stake, not the owner…). */
  refused: 8,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export const usageError = (message: string, hint?: string) => new CliError("AEGIS_ERR_USAGE", message, EXIT.usage, hint);
export const refused = (message: string, hint?: string) => new CliError("AEGIS_ERR_REFUSED", message, EXIT.refused, hint);
export const notFound = (message: string, hint?: string) => new CliError("AEGIS_ERR_NOT_FOUND", message, EXIT.notFound, hint);

/** What to do about a program error, by error name. */
const HINTS: Record<string, string> = {
  Unauthorized: "the signer does not own this account: pass --keypair with the owner's (operator's) key",
  WrongNodeOperator: "this node belongs to another operator: pass --keypair with the operator's key",
  InsufficientStake: "stake more (`aegis stake <amount>`) so the stake covers min_stake for every bonded node",
  InvalidAmount: "the amount must be positive and within the balance",
  CooldownActive: "the unstake cooldown has not passed: `aegis stake-info` prints when it ends",
  ExitCooldownActive: "the exit cooldown has not passed: run `aegis node deactivate` again after it",
  NothingToWithdraw: "request an unstake first (`aegis unstake <amount>`), then withdraw after the cooldown",
  SlashPending: "a slash proposal is open against you: see `aegis slash show`",
  NodeBonded: "the node is bonded by stake: `aegis node deactivate` begins the exit through staking",
  NodeDeactivated: "the node is deactivated; register a new identity",
  NodeAlreadyRegistered: "this identity key already has a node: use `aegis node update` or another --identity",
  InvalidNodeStatus: "the node's status does not allow this: see `aegis node status`",
  ChallengeWindowClosed: "disputes are accepted only inside the challenge window",
  NotDisputable: "only a Pending proposal (co-signed when required) can be disputed",
  InvalidProof: "the proof file does not match the accepted root: fetch the epoch's proofs again",
  AlreadyClaimed: "this node already claimed this epoch",
  RootNotAccepted: "the oracles have not agreed on this epoch's root yet; try later",
  ClaimWindowClosed: "the claim horizon has passed; the reward went back to the treasury",
  NoPreviousVersion: "the module has only one version",
  InvalidPolicy: "a policy field is out of the on-chain bounds (docs/protocol.md, Zones)",
  InvalidDomain: "domains are lower-case DNS names without scheme or port",
  Paused: "the protocol is paused by emergency governance; only withdrawals work",
  AccountNotInitialized: "the account does not exist yet (wrong address, or not created)",
  ConstraintHasOne: "an account does not belong to the signer: pass --keypair with the owner's key",
  ConstraintSeeds: "an account address does not match its seeds (wrong owner or key)",
};

type IdlErr = { code: number; name: string; msg?: string };
const PROGRAM_NAMES = new Map<string, keyof typeof IDLS>(Object.entries(IDLS).map(([n, idl]) => [idl.address, n as keyof typeof IDLS]));

/** Anchor's own error numbers (constraints, account checks) that are useful to name. */
const ANCHOR_ERRORS: Record<number, string> = {
  2001: "ConstraintHasOne",
  2003: "ConstraintRaw",
  2006: "ConstraintSeeds",
  3007: "AccountOwnedByWrongProgram",
  3012: "AccountNotInitialized",
};

function lookup(programId: string | undefined, code: number): { program: string; name: string; message: string } | undefined {
  const program = programId ? PROGRAM_NAMES.get(programId) : undefined;
  if (program) {
    const e = (IDLS[program].errors as IdlErr[]).find((x) => x.code === code);
    if (e) return { program, name: e.name, message: e.msg ?? e.name };
  }
  const anchor = ANCHOR_ERRORS[code];
  if (anchor) return { program: program ?? programId ?? "anchor", name: anchor, message: anchor };
  return undefined;
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Turns anything a command threw into a CliError. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof AnchorError) {
    const program = PROGRAM_NAMES.get(err.program.toBase58()) ?? err.program.toBase58();
    const name = pascal(err.error.errorCode.code);
    return new CliError(`${program}::${name}`, `${program} rejected the transaction: ${name} (${err.error.errorCode.number}): ${err.error.errorMessage}`, EXIT.program, HINTS[name], {
      program,
      error: name,
      number: err.error.errorCode.number,
      logs: err.logs,
    });
  }
  if (err instanceof ProgramError) {
    const found = lookup(err.program?.toBase58(), err.code);
    const name = found?.name ?? `Custom(${err.code})`;
    return new CliError(`${found?.program ?? "program"}::${name}`, `transaction rejected: ${name} (${err.code}): ${err.msg}`, EXIT.program, HINTS[name], { error: name, number: err.code });
  }
  const e = err as Error & { logs?: string[]; transactionLogs?: string[]; code?: string; cause?: unknown };
  const logs = e.logs ?? e.transactionLogs ?? [];
  const msg = String(e?.message ?? err);
  // SendTransactionError from preflight: find the failing program and its custom error number.
  const custom = /custom program error: 0x([0-9a-f]+)/i.exec(msg + "\n" + logs.join("\n"));
  if (custom) {
    const code = parseInt(custom[1]!, 16);
    const failing = [...logs].reverse().map((l) => /^Program (\w+) failed/.exec(l)?.[1]).find(Boolean);
    const found = lookup(failing, code);
    const name = found?.name ?? `Custom(${code})`;
    return new CliError(`${found?.program ?? "program"}::${name}`, `${found?.program ?? "a program"} rejected the transaction: ${name} (${code})${found ? `: ${found.message}` : ""}`, EXIT.program, HINTS[name], {
      error: name,
      number: code,
      logs,
    });
  }
  if (/insufficient (lamports|funds)|Attempt to debit an account but found no record of a prior credit/i.test(msg + logs.join("\n"))) {
    return new CliError("AEGIS_ERR_INSUFFICIENT_FUNDS", `not enough SOL or tokens: ${firstLine(msg)}`, EXIT.program, "fund the wallet (`solana airdrop` on localnet/devnet) and check `aegis balance`");
  }
  if (/fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|socket hang up|failed to get|Connect Timeout/i.test(msg + String((e.cause as Error | undefined)?.message ?? ""))) {
    return new CliError("AEGIS_ERR_NETWORK", `cannot reach the cluster or node: ${firstLine(msg)}`, EXIT.network, "check --cluster (or `aegis config get cluster`) and that the RPC / node is up");
  }
  if (e?.name === "AegisClientError") {
    const code = (e as { code?: string }).code ?? "AEGIS_ERR_CLIENT_INPUT";
    const exit = code === "AEGIS_ERR_ZONE_NOT_FOUND" ? EXIT.notFound : code === "AEGIS_ERR_NOT_ZONE_OWNER" ? EXIT.refused : code === "AEGIS_ERR_NOT_WASM" ? EXIT.localFile : code === "AEGIS_ERR_PURGE_FAILED" ? EXIT.network : EXIT.usage;
    return new CliError(code, msg, exit);
  }
  return new CliError("AEGIS_ERR_INTERNAL", firstLine(msg), EXIT.internal, undefined, logs.length ? { logs } : undefined);
}

const firstLine = (s: string) => s.split("\n")[0] ?? s;
