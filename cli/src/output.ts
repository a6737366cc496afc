/**
 * Output: JSON on stdout with --json (one document per command), human text otherwise.
 * Spinners go to stderr, only on a TTY and never with --json.
 */
import type { CliError } from "./errors.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export class Output {
  constructor(readonly json: boolean) {}

  private get spin(): boolean {
    return !this.json && process.stderr.isTTY === true && process.env.CI === undefined;
  }

  /** Runs `work` with a spinner showing `label` (a plain stderr line when not a TTY is skipped). */
  async wait<T>(label: string, work: () => Promise<T>): Promise<T> {
    if (!this.spin) return work();
    let i = 0;
    const draw = () => process.stderr.write(`\r${FRAMES[i++ % FRAMES.length]} ${label}`);
    draw();
    const timer = setInterval(draw, 80);
    try {
      const r = await work();
      process.stderr.write(`\r✔ ${label}\x1b[K\n`);
      return r;
    } catch (err) {
      process.stderr.write(`\r✖ ${label}\x1b[K\n`);
      throw err;
    } finally {
      clearInterval(timer);
    }
  }

  /** The command's result: `data` as JSON, or `human(data)` lines. */
  result<T>(data: T, human: (d: T) => string | string[]): void {
    if (this.json) {
      process.stdout.write(JSON.stringify(data, jsonReplacer, 2) + "\n");
      return;
    }
    const text = human(data);
    process.stdout.write((Array.isArray(text) ? text.join("\n") : text) + "\n");
  }

  warn(message: string): void {
    if (!this.json) process.stderr.write(`warning: ${message}\n`);
  }

  error(e: CliError): void {
    if (this.json && e.details?.reported) return; // the result document already says what failed
    if (this.json) {
      const { logs: _logs, reported: _r, ...details } = e.details ?? {};
      process.stdout.write(JSON.stringify({ error: { code: e.code, message: e.message, hint: e.hint, exitCode: e.exitCode, ...details } }, jsonReplacer, 2) + "\n");
      return;
    }
    process.stderr.write(`error: ${e.message}\n`);
    if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
  }
}

/** bigint → string, PublicKey / BN → their string form. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value && typeof value === "object" && "toBase58" in value && typeof (value as { toBase58: unknown }).toBase58 === "function") {
    return (value as { toBase58(): string }).toBase58();
  }
  return value;
}

/** Aligned `key: value` lines. */
export function table(rows: Array<[string, unknown]>): string[] {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${(k + ":").padEnd(w + 2)}${String(v)}`);
}
