#!/usr/bin/env node
/**
 * `aegis`: the AEGIS command line for operators, site owners and token holders.
 *
 *   node --import tsx cli/src/main.ts <command> [options]     (or cli/bin/aegis.js)
 *
 * Exit codes (docs/cli.md): 0 ok · 1 internal · 2 usage · 3 local file · 4 network ·
 * 5 program error · 6 not found · 7 verification failed · 8 refused before sending.
 */
import { Command, CommanderError, Option } from "commander";
import { registerBalanceCommand } from "./commands/balance.js";
import { registerConfigCommands } from "./commands/config.js";
import { registerFunctionCommands } from "./commands/function.js";
import { registerGovCommands } from "./commands/gov.js";
import { registerMetricsCommand } from "./commands/metrics.js";
import { registerNodeCommands } from "./commands/node.js";
import { registerRewardsCommands } from "./commands/rewards.js";
import { registerSlashCommands } from "./commands/slash.js";
import { registerStakeCommands } from "./commands/stake.js";
import { registerZoneCommands } from "./commands/zone.js";
import { Context } from "./context.js";
import { EXIT, toCliError } from "./errors.js";
import { Output } from "./output.js";
import { outcome } from "./run.js";
import type { GlobalOptions } from "./types.js";

export function buildProgram(): Command {
  const program = new Command("aegis")
    .description("AEGIS: community-owned edge network — operators, site owners, governance")
    .version("0.1.0")
    .option("-u, --cluster <cluster>", "localnet | devnet | testnet | mainnet-beta | RPC URL (default: config, else localnet)")
    .option("-k, --keypair <file>", "Solana keypair file (default: config, else ~/.config/solana/id.json)")
    .option("--json", "machine-readable output on stdout")
    .option("--config <file>", "CLI config file (default: $AEGIS_CONFIG or ~/.config/aegis/cli.yml)")
    .addOption(new Option("--commitment <level>").choices(["processed", "confirmed", "finalized"]))
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  let ctx: Context | undefined;
  const context = () => (ctx ??= new Context(program.opts<GlobalOptions>()));
  registerNodeCommands(program, context);
  registerStakeCommands(program, context);
  registerRewardsCommands(program, context);
  registerSlashCommands(program, context);
  registerBalanceCommand(program, context);
  registerConfigCommands(program, context);
  registerMetricsCommand(program, context);
  registerZoneCommands(program, context);
  registerFunctionCommands(program, context);
  registerGovCommands(program, context);
  // Subcommands share the exit override and the error style.
  const walk = (c: Command) => {
    c.exitOverride();
    c.commands.forEach(walk);
  };
  walk(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return outcome.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help / --version exit 0; anything else commander refused is a usage error.
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return EXIT.ok;
      return EXIT.usage;
    }
    const e = toCliError(err);
    new Output(argv.includes("--json")).error(e);
    return e.exitCode;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
    // web3.js keeps sockets alive; do not wait for them.
    setImmediate(() => process.exit(code));
  },
  (err: Error) => {
    process.stderr.write(`aegis: ${err.stack ?? err.message}\n`);
    process.exit(EXIT.internal);
  },
);
