/** `aegis slash show|dispute` (staking). */
import type { Command } from "commander";
import { slashProposalKey, stakeKey, staking, stakingConfigKey } from "../../../sdk/src/index.js";
import { formatAegis } from "../amount.js";
import { ataOf, chainTime, isoTime, tokenBalance, variantName } from "../chain.js";
import type { Context } from "../context.js";
import { notFound, refused, usageError } from "../errors.js";
import { parsePubkey } from "../keypair.js";
import { run } from "../run.js";

async function proposalsOf(c: Context, operator: ReturnType<typeof parsePubkey>) {
  const program = c.staking(true);
  const [stake] = stakeKey(operator);
  const s = await program.account.stakeV0.fetchNullable(stake);
  if (!s) return [];
  const n = s.slashNonce.toNumber();
  const keys = Array.from({ length: n }, (_, i) => slashProposalKey(stake, i)[0]);
  const accounts = keys.length ? await program.account.slashProposalV0.fetchMultiple(keys) : [];
  return accounts.flatMap((p, i) =>
    p
      ? [
          {
            nonce: i,
            proposal: keys[i]!,
            node: p.node,
            status: variantName(p.status as Record<string, unknown>),
            amount: formatAegis(p.amount),
            executedAmount: formatAegis(p.executedAmount),
            reason: p.reason,
            evidenceUri: p.evidenceUri,
            evidenceHash: Buffer.from(p.evidenceHash).toString("hex"),
            proposer: p.proposer,
            createdAt: isoTime(p.createdAt.toNumber()),
            windowEndsAt: isoTime(p.windowEndsAt.toNumber()),
            windowEndsUnix: p.windowEndsAt.toNumber(),
          },
        ]
      : [],
  );
}

export function registerSlashCommands(program: Command, ctx: () => Context): void {
  const slash = program.command("slash").description("slash proposals against your stake: show, dispute");

  slash
    .command("show")
    .description("list slash proposals against an operator (default: you)")
    .option("--operator <address>")
    .action(
      run(ctx, async (c, o: { operator?: string }) => {
        const operator = o.operator ? parsePubkey(o.operator, "--operator") : c.walletKey;
        const list = await c.out.wait("reading proposals", () => proposalsOf(c, operator));
        c.out.result({ operator, proposals: list.map(({ windowEndsUnix: _w, ...p }) => p) }, (d) =>
          d.proposals.length === 0
            ? [`no slash proposals against ${d.operator.toBase58()}`]
            : d.proposals.map((p) => `#${p.nonce} ${p.proposal.toBase58()}  ${p.status}  ${p.amount} AEGIS  reason ${p.reason}  window ends ${p.windowEndsAt}  evidence ${p.evidenceUri}`),
        );
      }),
    );

  slash
    .command("dispute")
    .argument("<proposal>", "proposal address or its number (#nonce from `slash show`)")
    .description("dispute a pending slash inside the challenge window (posts the dispute bond)")
    .option("--source <account>", "$AEGIS token account paying the bond (default: your associated account)")
    .action(
      run(ctx, async (c, which: string, o: { source?: string }) => {
        const operator = c.walletKey;
        const list = await proposalsOf(c, operator);
        const p = /^#?\d+$/.test(which) ? list.find((x) => x.nonce === Number(which.replace("#", ""))) : list.find((x) => x.proposal.equals(parsePubkey(which, "proposal")));
        if (!p) {
          // Not against this wallet: say whose it is when it exists.
          if (!/^#?\d+$/.test(which)) {
            const acc = await c.staking(true).account.slashProposalV0.fetchNullable(parsePubkey(which, "proposal"));
            if (acc) throw refused(`proposal ${which} is against operator ${acc.operator.toBase58()}, not ${operator.toBase58()}`, "pass --keypair with that operator's key");
          }
          throw notFound(`no slash proposal ${which} against ${operator.toBase58()}`, "see `aegis slash show`");
        }
        if (p.status !== "Pending") throw refused(`proposal #${p.nonce} is ${p.status}; only a Pending proposal can be disputed`);
        if ((await chainTime(c)) > p.windowEndsUnix) throw refused(`the challenge window of #${p.nonce} closed at ${p.windowEndsAt}`);
        const cfg = await c.staking(true).account.stakingConfigV0.fetch(stakingConfigKey()[0]);
        const source = o.source ? parsePubkey(o.source, "--source") : ataOf(operator);
        const bond = BigInt(cfg.disputeBond.toString());
        if ((await tokenBalance(c, source)) < bond) throw refused(`the dispute bond is ${formatAegis(bond)} AEGIS; ${source.toBase58()} holds less`);
        if (which === "") throw usageError("proposal required");
        const sig = await c.out.wait(`disputing #${p.nonce}`, () => staking.disputeSlash(c.staking(), { operator, proposal: p.proposal, source }).rpc());
        c.out.result({ proposal: p.proposal, nonce: p.nonce, status: "Disputed", bond: formatAegis(bond), signature: sig }, (d) => `proposal #${d.nonce} disputed (bond ${d.bond} AEGIS); governance resolves it`);
      }),
    );
}
