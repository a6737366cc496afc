/**
 * Thin wrapper over Debian's `bpftool` (and `ip`): every kernel interaction of the manager goes
 * through here. Interface operations run inside the target network namespace with nsenter
 * (not `ip netns exec`, which remounts /sys and would hide bpffs).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { XdpError } from "./errors.js";

const run = promisify(execFile);

export interface ExecResult {
  stdout: string;
  stderr: string;
}

export class BpfTool {
  constructor(
    private readonly netns: string | undefined,
    private readonly bin = "bpftool",
  ) {}

  private inNs(cmd: string, args: string[]): [string, string[]] {
    return this.netns ? ["nsenter", [`--net=/run/netns/${this.netns}`, cmd, ...args]] : [cmd, args];
  }

  async exec(args: string[], opts: { inNetns?: boolean; input?: string } = {}): Promise<ExecResult> {
    const [cmd, argv] = opts.inNetns ? this.inNs(this.bin, args) : [this.bin, args];
    return execWithInput(cmd, argv, opts.input);
  }

  async json<T>(args: string[]): Promise<T> {
    const { stdout } = await this.exec(["-j", ...args]);
    return JSON.parse(stdout || "null") as T;
  }

  /** Runs `bpftool batch file -` with one command per line. */
  async batch(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    await this.exec(["batch", "file", "-"], { input: lines.join("\n") + "\n" });
  }

  async ip(args: string[]): Promise<ExecResult> {
    const [cmd, argv] = this.inNs("ip", args);
    return execWithInput(cmd, argv, undefined);
  }
}

async function execWithInput(cmd: string, args: string[], input: string | undefined): Promise<ExecResult> {
  try {
    if (input === undefined) {
      const { stdout, stderr } = await run(cmd, args, { maxBuffer: 256 * 1024 * 1024 });
      return { stdout, stderr };
    }
    return await new Promise<ExecResult>((resolve, reject) => {
      const child = execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) reject(Object.assign(err, { stdout, stderr }));
        else resolve({ stdout, stderr });
      });
      child.stdin?.end(input);
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
    const detail = (e.stderr || e.stdout || e.message || "").toString().trim().split("\n").slice(-3).join(" | ");
    throw new XdpError("AEGIS_ERR_XDP_MAP", `${cmd} ${args.slice(0, 6).join(" ")}: ${detail}`, { cause: err });
  }
}
