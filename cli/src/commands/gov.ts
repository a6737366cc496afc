/**
 * `aegis gov propose-param|vote|execute|show`: governance through SPL Governance (Realms).
 * Voting power is bonded stake: proposals and votes by community members carry the staking
 * program's update_voter_weight_record in the same transaction and pass the voter-weight record
 * (sdk/src/governance.ts builds the instruction sequences). The realm and the governance come
 * from --realm / --governance or the CLI config (`aegis config set realm <address>`).
 */
import type { Command } from "commander";
import { PublicKey, Transaction, sendAndConfirmTransaction, type TransactionInstruction } from "@solana/web3.js";
import {
  Governance,
  InstructionExecutionStatus,
  ProposalState,
  ProposalTransaction,
  getGovernanceAccount,
  getGovernanceAccounts,
  getProposal,
  getRealm,
  getVoteRecordAddress,
  pubkeyFilter,
  withCreateTokenOwnerRecord,
  withExecuteTransaction,
} from "@solana/spl-governance";
import {
  GOVERNANCE_NAMES,
  GOVERNANCE_PROGRAM_ID,
  GOVERNANCE_PROGRAM_VERSION,
  governanceKey,
  mintKey,
  planProposal,
  rewards,
  stakeKey,
  staking,
  token,
  tokenOwnerRecordKey,
  voteInstructions,
  type GovernanceName,
} from "../../../sdk/src/index.js";
import { formatAegis, parseAegis } from "../amount.js";
import { chainTime, isoTime } from "../chain.js";
import type { Context } from "../context.js";
import { notFound, refused, usageError } from "../errors.js";
import { parsePubkey } from "../keypair.js";
import { table } from "../output.js";
import { run } from "../run.js";

type Kind = "aegis" | "int";
/** Parameters a proposal can change, per program, and how their value is written. */
const PARAMS: Record<string, Record<string, Kind>> = {
  staking: {
    minStake: "aegis", cooldownSecs: "int", challengeSecs: "int", maxSlashBpsPerEpoch: "int", slashEpochSecs: "int",
    cosignThresholdBps: "int", disputeBond: "aegis", reputationPenalty: "int",
  },
  token: { epochLengthSecs: "int", initialEmission: "aegis", decayBps: "int", decayPeriodEpochs: "int", breakerWindowSecs: "int", breakerMaxPerWindow: "aegis" },
  rewards: { claimHorizonSecs: "int" },
};

const STATE = (s: ProposalState) => ProposalState[s] ?? String(s);

function realmOf(c: Context, flag?: string): PublicKey {
  const v = flag ?? c.config.realm;
  if (!v) throw usageError("no realm: pass --realm <address> or `aegis config set realm <address>`");
  return parsePubkey(v, "realm");
}

function governanceOf(c: Context, realm: PublicKey, flag?: string): PublicKey {
  const v = flag ?? c.config.governance ?? "protocol";
  if ((GOVERNANCE_NAMES as readonly string[]).includes(v)) return governanceKey(realm, v as GovernanceName);
  return parsePubkey(v, "governance");
}

async function send(c: Context, ixs: TransactionInstruction[]): Promise<string> {
  return sendAndConfirmTransaction(c.connection, new Transaction().add(...ixs), [c.wallet], { commitment: c.commitment });
}

/** The wallet's token owner record for `mint`, created in `ixs` when missing. */
async function ensureOwnerRecord(c: Context, realm: PublicKey, mint: PublicKey, ixs: TransactionInstruction[]): Promise<PublicKey> {
  const record = await tokenOwnerRecordKey(realm, mint, c.walletKey);
  if (!(await c.connection.getAccountInfo(record))) {
    await withCreateTokenOwnerRecord(ixs, GOVERNANCE_PROGRAM_ID, GOVERNANCE_PROGRAM_VERSION, realm, c.walletKey, mint, c.walletKey);
  }
  return record;
}

async function bondedStake(c: Context): Promise<bigint> {
  const s = await c.staking(true).account.stakeV0.fetchNullable(stakeKey(c.walletKey)[0]);
  return BigInt(s?.amount.toString() ?? "0");
}

async function proposalDetails(c: Context, address: PublicKey) {
  let p;
  try {
    p = await getProposal(c.connection, address);
  } catch {
    throw notFound(`no proposal at ${address.toBase58()}`, "see `aegis gov show`");
  }
  const txs = await getGovernanceAccounts(c.connection, GOVERNANCE_PROGRAM_ID, ProposalTransaction, [pubkeyFilter(1, address)!]);
  const completed = p.account.votingCompletedAt?.toNumber() ?? 0;
  return {
    proposal: address,
    name: p.account.name,
    state: STATE(p.account.state),
    governance: p.account.governance,
    governingTokenMint: p.account.governingTokenMint,
    ownerRecord: p.account.tokenOwnerRecord,
    yes: formatAegis(p.account.options[0]?.voteWeight.toString() ?? "0"),
    no: formatAegis(p.account.denyVoteWeight?.toString() ?? "0"),
    maxVoteWeight: p.account.maxVoteWeight ? formatAegis(p.account.maxVoteWeight.toString()) : null,
    votingAt: isoTime(p.account.votingAt?.toNumber() ?? 0),
    votingCompletedAt: isoTime(completed),
    transactions: txs
      .sort((a, b) => a.account.instructionIndex - b.account.instructionIndex)
      .map((t) => ({
        address: t.pubkey,
        index: t.account.instructionIndex,
        holdUpSecs: t.account.holdUpTime,
        executableAt: completed ? isoTime(completed + t.account.holdUpTime) : "-",
        executableAtUnix: completed ? completed + t.account.holdUpTime : null,
        status: InstructionExecutionStatus[t.account.executionStatus] ?? String(t.account.executionStatus),
        instructions: t.account.getAllInstructions(),
      })),
  };
}

export function registerGovCommands(program: Command, ctx: () => Context): void {
  const gov = program.command("gov").description("governance (Realms): propose parameter changes, vote with your stake, execute, show");

  gov
    .command("propose-param")
    .argument("<program>", `staking | token | rewards`)
    .argument("<param>", "e.g. minStake, cooldownSecs, claimHorizonSecs")
    .argument("<value>", "AEGIS for amounts (minStake 1500), integers otherwise")
    .option("--realm <address>")
    .option("--governance <name|address>", "protocol (default) | treasury | emergency | address")
    .option("--name <text>", "proposal title")
    .option("--link <url>", "description link (forum post)", "https://forum.aegis.example/")
    .description("propose changing one protocol parameter; the governance executes it after the vote and hold-up")
    .action(
      run(ctx, async (c, prog: string, param: string, value: string, o: { realm?: string; governance?: string; name?: string; link: string }) => {
        const kind = PARAMS[prog]?.[param];
        if (!PARAMS[prog]) throw usageError(`unknown program "${prog}"`, `one of ${Object.keys(PARAMS).join(", ")}`);
        if (!kind) throw usageError(`unknown ${prog} parameter "${param}"`, `one of ${Object.keys(PARAMS[prog]!).join(", ")}`);
        let v: bigint | number;
        if (kind === "aegis") v = parseAegis(value, param);
        else {
          if (!/^\d+$/.test(value)) throw usageError(`${param} takes a non-negative integer, got "${value}"`);
          v = Number(value);
        }
        const realm = realmOf(c, o.realm);
        const governance = governanceOf(c, realm, o.governance);
        const gAcc = await getGovernanceAccount(c.connection, governance, Governance).catch(() => undefined);
        if (!gAcc) throw notFound(`no governance at ${governance.toBase58()}`, "check --realm / --governance");
        const realmAcc = await getRealm(c.connection, realm);
        const community = realmAcc.account.communityMint;
        const stake = await bondedStake(c);
        const needed = BigInt(gAcc.account.config.minCommunityTokensToCreateProposal.toString());
        if (stake < needed) throw refused(`proposing needs ${formatAegis(needed)} AEGIS of bonded stake; ${c.walletKey.toBase58()} has ${formatAegis(stake)}`, "stake first: `aegis stake <amount>`");

        let ix: TransactionInstruction;
        if (prog === "staking") ix = await staking.updateStakingConfig(c.staking(), { authority: governance, params: { [param]: v } }).instruction();
        else if (prog === "token") ix = await token.updateTokenConfig(c.token(), { authority: governance, [param]: v }).instruction();
        else ix = await rewards.updateRewardsConfig(c.rewards(), { authority: governance, claimHorizonSecs: Number(v) }).instruction();

        const pre: TransactionInstruction[] = [];
        await ensureOwnerRecord(c, realm, community, pre);
        if (pre.length) await c.out.wait("joining the realm", () => send(c, pre));
        const plan = await planProposal({
          realm,
          governance,
          governingTokenMint: community,
          proposer: c.walletKey,
          name: o.name ?? `Set ${prog}.${param} to ${value}`,
          descriptionLink: o.link,
          instructions: [ix],
          holdUpSecs: gAcc.account.config.minInstructionHoldUpTime,
          staking: c.staking(),
        });
        const signatures: string[] = [];
        for (const [i, tx] of plan.transactions.entries()) signatures.push(await c.out.wait(`proposal transaction ${i + 1}/${plan.transactions.length}`, () => send(c, tx)));
        c.out.result({ proposal: plan.proposal, governance, name: o.name ?? `Set ${prog}.${param} to ${value}`, state: "Voting", signatures }, (d) => [
          `proposal ${d.proposal.toBase58()} is open for votes: ${d.name}`,
          `vote: aegis gov vote ${d.proposal.toBase58()} yes`,
        ]);
      }),
    );

  gov
    .command("vote")
    .argument("<proposal>")
    .argument("<yes|no>")
    .description("vote with your bonded stake (community) or council token")
    .action(
      run(ctx, async (c, which: string, choice: string) => {
        if (choice !== "yes" && choice !== "no") throw usageError(`vote yes or no, got "${choice}"`);
        const address = parsePubkey(which, "proposal");
        const p = await proposalDetails(c, address);
        if (p.state !== "Voting") throw refused(`proposal ${which} is ${p.state}, not open for votes`);
        const gAcc = await getGovernanceAccount(c.connection, p.governance, Governance);
        const realm = gAcc.account.realm;
        const community = p.governingTokenMint.equals(mintKey()[0]);
        const ixs: TransactionInstruction[] = [];
        const record = await ensureOwnerRecord(c, realm, p.governingTokenMint, ixs);
        if (await c.connection.getAccountInfo(await getVoteRecordAddress(GOVERNANCE_PROGRAM_ID, address, record))) throw refused(`${c.walletKey.toBase58()} already voted on ${which}`);
        if (community && (await bondedStake(c)) === 0n) throw refused("you have no bonded stake: your vote would weigh nothing", "stake first: `aegis stake <amount>`");
        ixs.push(
          ...(await voteInstructions({
            realm, governance: p.governance, proposal: address, proposalOwnerRecord: p.ownerRecord, governingTokenMint: p.governingTokenMint,
            voter: c.walletKey, approve: choice === "yes", ...(community ? { staking: c.staking() } : {}),
          })),
        );
        const sig = await c.out.wait(`voting ${choice}`, () => send(c, ixs));
        const after = await proposalDetails(c, address);
        c.out.result({ proposal: address, vote: choice, state: after.state, yes: after.yes, no: after.no, signature: sig }, (d) => `voted ${d.vote}; proposal is ${d.state} (yes ${d.yes}, no ${d.no})`);
      }),
    );

  gov
    .command("execute")
    .argument("<proposal>")
    .description("run a passed proposal's instructions after the hold-up (anyone may)")
    .action(
      run(ctx, async (c, which: string) => {
        const address = parsePubkey(which, "proposal");
        const p = await proposalDetails(c, address);
        if (p.state !== "Succeeded" && p.state !== "Executing") throw refused(`proposal ${which} is ${p.state}; only a Succeeded proposal can be executed`);
        const pending = p.transactions.filter((t) => t.status !== "Success");
        if (pending.length === 0) throw refused("every instruction of this proposal already ran");
        const now = await chainTime(c);
        const early = pending.find((t) => t.executableAtUnix !== null && now < t.executableAtUnix);
        if (early) throw refused(`the hold-up time has not passed: executable at ${early.executableAt}`, "run `aegis gov execute` again after it");
        const signatures: string[] = [];
        for (const t of pending) {
          const ixs: TransactionInstruction[] = [];
          await withExecuteTransaction(ixs, GOVERNANCE_PROGRAM_ID, GOVERNANCE_PROGRAM_VERSION, p.governance, address, t.address, t.instructions);
          signatures.push(await c.out.wait(`executing instruction ${t.index}`, () => send(c, ixs)));
        }
        const after = await proposalDetails(c, address);
        c.out.result({ proposal: address, state: after.state, executed: signatures.length, signatures }, (d) => `executed ${d.executed} instruction(s); proposal is ${d.state}`);
      }),
    );

  gov
    .command("show")
    .argument("[proposal]")
    .option("--realm <address>")
    .description("the realm's governances and proposals, or one proposal")
    .action(
      run(ctx, async (c, which: string | undefined, o: { realm?: string }) => {
        if (which) {
          const d = await c.out.wait("reading proposal", () => proposalDetails(c, parsePubkey(which, "proposal")));
          const out = { ...d, transactions: d.transactions.map(({ instructions: _i, executableAtUnix: _u, ...t }) => t) };
          c.out.result(out, (x) => [
            ...table([["proposal", x.proposal.toBase58()], ["name", x.name], ["state", x.state], ["yes", x.yes], ["no", x.no], ["max weight", x.maxVoteWeight ?? "-"], ["voting", `${x.votingAt} → ${x.votingCompletedAt}`]]),
            ...x.transactions.map((t) => `  #${t.index} ${t.status} (executable ${t.executableAt})`),
          ]);
          return;
        }
        const realm = realmOf(c, o.realm);
        const realmAcc = await getRealm(c.connection, realm).catch(() => undefined);
        if (!realmAcc) throw notFound(`no realm at ${realm.toBase58()}`, "check --realm or `aegis config get realm`");
        const governances = await Promise.all(
          GOVERNANCE_NAMES.map(async (name) => {
            const address = governanceKey(realm, name);
            const g = await getGovernanceAccount(c.connection, address, Governance).catch(() => undefined);
            const proposals = g
              ? (await getGovernanceAccounts(c.connection, GOVERNANCE_PROGRAM_ID, (await import("@solana/spl-governance")).Proposal, [pubkeyFilter(1, address)!])).map((x) => ({
                  proposal: x.pubkey,
                  name: x.account.name,
                  state: STATE(x.account.state),
                }))
              : [];
            return { name, address, exists: g !== undefined, votingSecs: g?.account.config.baseVotingTime ?? null, holdUpSecs: g?.account.config.minInstructionHoldUpTime ?? null, proposals };
          }),
        );
        c.out.result({ realm, name: realmAcc.account.name, communityMint: realmAcc.account.communityMint, governances }, (d) => [
          `realm ${d.name} (${d.realm.toBase58()})`,
          ...d.governances.flatMap((g) => [
            `${g.name}: ${g.address.toBase58()}${g.exists ? ` voting ${g.votingSecs}s, hold-up ${g.holdUpSecs}s` : " (missing)"}`,
            ...g.proposals.map((p) => `  ${p.proposal.toBase58()}  ${p.state}  ${p.name}`),
          ]),
        ]);
      }),
    );
}
