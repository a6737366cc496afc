/** `aegis balance`: SOL, $AEGIS and stake of a wallet. */
import type { Command } from "commander";
import { LAMPORTS_PER_SOL } from "@solana/web3.js";
import { stakeKey } from "../../../sdk/src/index.js";
import { formatAegis } from "../amount.js";
import { ataOf, tokenBalance } from "../chain.js";
import type { Context } from "../context.js";
import { parsePubkey } from "../keypair.js";
import { table } from "../output.js";
import { run } from "../run.js";

export function registerBalanceCommand(program: Command, ctx: () => Context): void {
  program
    .command("balance")
    .argument("[address]", "wallet (default: your keypair's)")
    .description("SOL, $AEGIS and staked $AEGIS of a wallet")
    .action(
      run(ctx, async (c, address: string | undefined) => {
        const owner = address ? parsePubkey(address, "address") : c.walletKey;
        const [lamports, aegis, stake] = await c.out.wait("reading balances", () =>
          Promise.all([c.connection.getBalance(owner), tokenBalance(c, ataOf(owner)), c.staking(true).account.stakeV0.fetchNullable(stakeKey(owner)[0])]),
        );
        const data = {
          address: owner,
          sol: lamports / LAMPORTS_PER_SOL,
          aegis: formatAegis(aegis),
          tokenAccount: ataOf(owner),
          staked: formatAegis(stake?.amount ?? 0),
          unstaking: formatAegis(stake?.pendingUnstake ?? 0),
        };
        c.out.result(data, (d) =>
          table([
            ["address", d.address.toBase58()],
            ["SOL", d.sol],
            ["AEGIS", d.aegis],
            ["staked", d.staked],
            ["unstaking", d.unstaking],
          ]),
        );
      }),
    );
}
