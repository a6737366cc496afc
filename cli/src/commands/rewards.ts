/** `aegis rewards show|claim|auto-claim|destination` (rewards + registry). */
import type { Command } from "commander";
import { registry, rewardEpochKey, rewards, rewardsVaultKey, claimMarkerKey } from "../../../sdk/src/index.js";
import { formatAegis } from "../amount.js";
import { aegisMint, ataOf, currentEpoch, isoTime, resolveNode, tokenBalance, type NodeSelector } from "../chain.js";
import { loadClaims } from "../claims.js";
import type { Context } from "../context.js";
import { refused, usageError } from "../errors.js";
import { parsePubkey } from "../keypair.js";
import { table } from "../output.js";
import { run } from "../run.js";
import { readTokenAccount } from "../token.js";

/** ClaimMarkerV0: epoch u64 at 8, node at 16. */
const CLAIM_NODE_OFFSET = 16;

const nodeOpts = (cmd: Command) => cmd.option("--node <address>", "NodeV0 address").option("--identity <key|file>", "the node's identity key or keypair file");

export async function rewardsSummary(c: Context, sel: NodeSelector, claimsFile?: string) {
  const { address, account } = await resolveNode(c, sel);
  const program = c.rewards(true);
  const markers = await program.account.claimMarkerV0.all([{ memcmp: { offset: CLAIM_NODE_OFFSET, bytes: address.toBase58() } }]);
  const claimed = markers
    .map((m) => ({ epoch: m.account.epoch.toNumber(), amount: formatAegis(m.account.amount), claimedAt: isoTime(m.account.claimedAt.toNumber()), units: BigInt(m.account.amount.toString()) }))
    .sort((a, b) => a.epoch - b.epoch);
  const claimedEpochs = new Set(claimed.map((m) => m.epoch));
  const pending: Array<{ epoch: number; amount: string; units: bigint }> = [];
  if (claimsFile) {
    for (const cl of await loadClaims(claimsFile)) {
      if (!cl.leaf.node.equals(address) || claimedEpochs.has(cl.epoch)) continue;
      pending.push({ epoch: cl.epoch, amount: formatAegis(cl.leaf.amount), units: cl.leaf.amount });
    }
  }
  const epoch = await currentEpoch(c);
  const sum = (xs: Array<{ units: bigint }>) => formatAegis(xs.reduce((a, x) => a + x.units, 0n));
  return {
    node: address,
    epoch: epoch.epoch,
    epochEndsAt: isoTime(epoch.endsAt),
    rewardDestination: account.rewardDestination,
    autoClaim: (account as unknown as { autoClaim?: boolean }).autoClaim ?? false,
    claimedTotal: sum(claimed),
    pendingTotal: sum(pending),
    claimed: claimed.map(({ units: _u, ...r }) => r),
    pending: pending.map(({ units: _u, ...r }) => r),
    vault: formatAegis(await tokenBalance(c, rewardsVaultKey()[0])),
  };
}

export function registerRewardsCommands(program: Command, ctx: () => Context): void {
  const rw = program.command("rewards").description("your node's rewards: show, claim, auto-claim, destination");

  nodeOpts(rw.command("show").description("claimed and pending rewards of your node"))
    .option("--claims <file>", "the oracles' epoch report (file or URL), to list pending rewards")
    .action(
      run(ctx, async (c, o: NodeSelector & { claims?: string }) => {
        const s = await c.out.wait("reading rewards", () => rewardsSummary(c, o, o.claims));
        c.out.result(s, (d) => [
          ...table([
            ["node", d.node.toBase58()],
            ["epoch", `${d.epoch} (ends ${d.epochEndsAt})`],
            ["claimed", `${d.claimedTotal} AEGIS in ${d.claimed.length} epoch(s)`],
            ["pending", o.claims ? `${d.pendingTotal} AEGIS in ${d.pending.length} epoch(s)` : "pass --claims <epoch file> to list"],
            ["auto-claim", d.autoClaim ? "on" : "off"],
            ["destination", d.rewardDestination.toBase58()],
          ]),
          ...d.claimed.map((m) => `  epoch ${m.epoch}: ${m.amount} AEGIS claimed ${m.claimedAt}`),
          ...d.pending.map((m) => `  epoch ${m.epoch}: ${m.amount} AEGIS pending`),
        ]);
      }),
    );

  nodeOpts(rw.command("claim").description("claim your node's rewards with the oracles' epoch file"))
    .requiredOption("--claims <file>", "the oracles' epoch report (file or http(s) URL), or one leaf with its proof")
    .option("--epoch <n>", "only this epoch")
    .action(
      run(ctx, async (c, o: NodeSelector & { claims: string; epoch?: string }) => {
        const { address } = await resolveNode(c, o);
        const only = o.epoch === undefined ? undefined : Number(o.epoch);
        if (only !== undefined && (!Number.isInteger(only) || only < 0)) throw usageError("--epoch must be a non-negative integer");
        const mine = (await loadClaims(o.claims)).filter((cl) => cl.leaf.node.equals(address) && (only === undefined || cl.epoch === only));
        if (mine.length === 0) throw refused(`${o.claims} has no reward for node ${address.toBase58()}${only !== undefined ? ` in epoch ${only}` : ""}`);
        const program = c.rewards();
        const done: Array<{ epoch: number; amount: string; destination: string; signature: string }> = [];
        for (const cl of mine) {
          const marker = await program.account.claimMarkerV0.fetchNullable(claimMarkerKey(cl.epoch, address)[0]);
          if (marker) {
            c.out.warn(`epoch ${cl.epoch} already claimed`);
            continue;
          }
          const epochAcc = await program.account.rewardEpochV0.fetchNullable(rewardEpochKey(cl.epoch)[0]);
          if (cl.root && epochAcc && epochAcc.acceptedAt.toNumber() > 0 && !Buffer.from(epochAcc.acceptedRoot).equals(cl.root)) {
            throw refused(`the leaves in ${o.claims} do not rebuild epoch ${cl.epoch}'s accepted root`, "fetch the epoch file again from the oracles");
          }
          // The destination token account must exist before the claim pays into it.
          if (!(await readTokenAccount(c.connection, cl.leaf.destination, c.commitment))) {
            throw refused(`the reward destination ${cl.leaf.destination.toBase58()} is not a token account`, `create it first (your $AEGIS account is ${ataOf(c.walletKey).toBase58()})`);
          }
          const sig = await c.out.wait(`claiming epoch ${cl.epoch}`, () =>
            rewards
              .claim(program, { payer: c.walletKey, epoch: cl.epoch, node: address, destination: cl.leaf.destination, amount: cl.leaf.amount, metricsHash: cl.leaf.metricsHash, proof: cl.proof })
              .rpc(),
          );
          done.push({ epoch: cl.epoch, amount: formatAegis(cl.leaf.amount), destination: cl.leaf.destination.toBase58(), signature: sig });
        }
        c.out.result({ node: address, claimed: done }, (d) => (d.claimed.length ? d.claimed.map((x) => `epoch ${x.epoch}: claimed ${x.amount} AEGIS → ${x.destination}`) : ["nothing left to claim"]));
      }),
    );

  nodeOpts(rw.command("auto-claim").argument("<on|off>").description("let the keepers claim for your node every epoch"))
    .action(
      run(ctx, async (c, state: string, o: NodeSelector) => {
        if (state !== "on" && state !== "off") throw usageError(`auto-claim takes on or off, got "${state}"`);
        const { address } = await resolveNode(c, o);
        const sig = await c.out.wait(`auto-claim ${state}`, () => registry.updateNode(c.registry(), { operator: c.walletKey, node: address, autoClaim: state === "on" }).rpc());
        c.out.result({ node: address, autoClaim: state === "on", signature: sig }, (d) => `auto-claim ${d.autoClaim ? "on" : "off"} for node ${d.node.toBase58()}`);
      }),
    );

  nodeOpts(rw.command("destination").argument("<account>", "$AEGIS token account, or a wallet (its associated account is used)").description("where the node's rewards are paid"))
    .action(
      run(ctx, async (c, target: string, o: NodeSelector) => {
        const { address } = await resolveNode(c, o);
        const key = parsePubkey(target, "destination");
        let destination = key;
        const acc = await readTokenAccount(c.connection, key, c.commitment);
        if (acc && !acc.mint.equals(aegisMint())) throw refused(`${key.toBase58()} is a token account of another mint (${acc.mint.toBase58()})`, "pass a $AEGIS token account");
        if (!acc) {
          destination = ataOf(key);
          const exists = await c.connection.getAccountInfo(destination);
          if (!exists) throw refused(`${key.toBase58()} is not a $AEGIS token account and its associated account ${destination.toBase58()} does not exist`, "create the associated token account first (spl-token create-account)");
        }
        const sig = await c.out.wait("setting reward destination", () => registry.updateNode(c.registry(), { operator: c.walletKey, node: address, rewardDestination: destination }).rpc());
        c.out.result({ node: address, rewardDestination: destination, signature: sig }, (d) => `rewards of ${d.node.toBase58()} now go to ${d.rewardDestination.toBase58()}`);
      }),
    );
}
