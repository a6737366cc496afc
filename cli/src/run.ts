/** Wraps a command action: builds the context, runs it, maps any failure to a CliError. */
import type { Command } from "commander";
import type { Context } from "./context.js";
import { toCliError } from "./errors.js";

/** Set by run() so main() can exit with the failure's code after commander returns. */
export const outcome: { exitCode: number } = { exitCode: 0 };

// commander passes (args..., options, command); we forward (context, ...args-and-options).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function run<A extends any[]>(ctx: () => Context, action: (c: Context, ...args: A) => Promise<void>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const c = ctx();
    const cmd = args.pop() as Command;
    void cmd;
    try {
      await action(c, ...(args as A));
    } catch (err) {
      const e = toCliError(err);
      c.out.error(e);
      outcome.exitCode = e.exitCode;
    }
  };
}
