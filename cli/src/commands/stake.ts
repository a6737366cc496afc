/** `aegis stake|unstake|withdraw` (staking program). */
import type { Command } from "commander";
import { stakeKey, staking, stakingConfigKey } from "../../../sdk/src/index.js";
import { formatAegis, parseAegis } from "../amount.js";
import { ataOf, chainTime, isoTime, resolveNode, tokenBalance, variantName, type NodeSelector } from "../chain.js";
import type { Context } from "../context.js";
import { notFound, refused } from "../errors.js";
import { parsePubkey } from "../keypair.js";
import { table } from "../output.js";
import { run } from "../run.js";

async function stakeOf(c: Context) {
  return c.staking(true).account.stakeV0.fetchNullable(stakeKey(c.walletKey)[0]);
}

export function registerStakeCommands(program: Command, ctx: () => Context): void {
  program
    .command("stake")
    .argument("<amount>", "AEGIS to stake (e.g. 1500 or 12.5)")
    .description("move AEGIS from your wallet into your stake; --activate then bonds your node")
    .option("--source <account>", "$AEGIS token account to take from (default: your associated account)")
    .option("--activate", "activate your node afterwards (checks the minimum stake first)")
    .option("--node <address>")
    .option("--identity <key|file>")
    .action(
      run(ctx, async (c, amountText: string, o: NodeSelector & { source?: string; activate?: boolean }) => {
        const amount = parseAegis(amountText);
        const operator = c.walletKey;
        const source = o.source ? parsePubkey(o.source, "--source") : ataOf(operator);
        const cfg = await c.staking(true).account.stakingConfigV0.fetchNullable(stakingConfigKey()[0]);
        if (!cfg) throw notFound("the staking program is not initialised on this cluster", "check --cluster");
        const balance = await tokenBalance(c, source);
        if (balance < amount) throw refused(`${source.toBase58()} holds ${formatAegis(balance)} AEGIS, less than ${formatAegis(amount)}`, "fund the account or pass --source");
        const current = await stakeOf(c);
        const bonded = BigInt(current?.amount.toString() ?? "0");
        const minStake = BigInt(cfg.minStake.toString());
        let node: Awaited<ReturnType<typeof resolveNode>> | undefined;
        if (o.activate) {
          node = await resolveNode(c, o);
          const needed = minStake * BigInt((current?.bondedNodes ?? 0) + 1);
          if (bonded + amount < needed) {
            throw refused(
              `amount below minimum: ${formatAegis(bonded + amount)} AEGIS staked after this, the minimum for ${(current?.bondedNodes ?? 0) + 1} bonded node(s) is ${formatAegis(needed)} AEGIS`,
              `stake at least ${formatAegis(needed - bonded)} AEGIS`,
            );
          }
        }
        const sig = await c.out.wait(`staking ${formatAegis(amount)} AEGIS`, () => staking.stake(c.staking(), { operator, source, amount }).rpc());
        let activation: string | undefined;
        if (node) {
          const status = variantName(node.account.status as Record<string, unknown>);
          if (status === "Active") c.out.warn("the node is already Active");
          else activation = await c.out.wait("activating node", () => staking.activateNode(c.staking(), { operator, node: node!.address }).rpc());
        }
        const after = await stakeOf(c);
        const total = BigInt(after!.amount.toString());
        if (!o.activate && total < minStake) c.out.warn(`your stake (${formatAegis(total)} AEGIS) is below the minimum ${formatAegis(minStake)} AEGIS to activate a node`);
        c.out.result(
          { staked: formatAegis(amount), bonded: formatAegis(total), minStake: formatAegis(minStake), signature: sig, ...(activation ? { activated: node!.address, activationSignature: activation } : {}) },
          (d) => [`staked ${d.staked} AEGIS; bonded stake now ${d.bonded} AEGIS`, ...(activation ? [`node ${node!.address.toBase58()} is Active`] : [])],
        );
      }),
    );

  program
    .command("unstake")
    .argument("<amount>", "AEGIS to unbond, or `all`")
    .description("start unbonding stake; withdraw it after the cooldown")
    .action(
      run(ctx, async (c, amountText: string) => {
        const current = await stakeOf(c);
        if (!current) throw notFound(`${c.walletKey.toBase58()} has no stake`, "stake first with `aegis stake <amount>`");
        const amount = amountText === "all" ? BigInt(current.amount.toString()) : parseAegis(amountText);
        if (amount === 0n) throw refused("nothing bonded to unstake");
        const sig = await c.out.wait(`unstaking ${formatAegis(amount)} AEGIS`, () => staking.requestUnstake(c.staking(), { operator: c.walletKey, amount }).rpc());
        const after = (await stakeOf(c))!;
        c.out.result(
          { unstaked: formatAegis(amount), bonded: formatAegis(after.amount), pendingUnstake: formatAegis(after.pendingUnstake), readyAt: isoTime(after.unstakeReadyAt.toNumber()), signature: sig },
          (d) => [`unbonding ${d.unstaked} AEGIS; ${d.pendingUnstake} AEGIS can be withdrawn after ${d.readyAt}`],
        );
      }),
    );

  program
    .command("withdraw")
    .description("withdraw unbonded stake after the cooldown")
    .option("--destination <account>", "$AEGIS token account (default: your associated account)")
    .action(
      run(ctx, async (c, o: { destination?: string }) => {
        const current = await stakeOf(c);
        if (!current) throw notFound(`${c.walletKey.toBase58()} has no stake`);
        const pending = BigInt(current.pendingUnstake.toString());
        if (pending === 0n) throw refused("nothing to withdraw", "request an unstake first: `aegis unstake <amount>`");
        const now = await chainTime(c);
        if (now < current.unstakeReadyAt.toNumber()) throw refused(`the unstake cooldown ends at ${isoTime(current.unstakeReadyAt.toNumber())}`, "withdraw after the cooldown");
        const destination = o.destination ? parsePubkey(o.destination, "--destination") : ataOf(c.walletKey);
        const sig = await c.out.wait("withdrawing", () => staking.withdraw(c.staking(), { operator: c.walletKey, destination }).rpc());
        c.out.result({ withdrawn: formatAegis(pending), destination, signature: sig }, (d) => `withdrew ${d.withdrawn} AEGIS to ${d.destination.toBase58()}`);
      }),
    );

  program
    .command("stake-info")
    .description("show your stake")
    .action(
      run(ctx, async (c) => {
        const s = await stakeOf(c);
        if (!s) throw notFound(`${c.walletKey.toBase58()} has no stake`);
        const data = {
          operator: c.walletKey,
          bonded: formatAegis(s.amount),
          pendingUnstake: formatAegis(s.pendingUnstake),
          unstakeReadyAt: isoTime(s.unstakeReadyAt.toNumber()),
          bondedNodes: s.bondedNodes,
          pendingSlashes: s.pendingSlashes,
          totalSlashed: formatAegis(s.totalSlashed),
        };
        c.out.result(data, (d) => table(Object.entries(d).map(([k, v]) => [k, typeof v === "object" ? (v as { toBase58(): string }).toBase58() : v])));
      }),
    );
}
