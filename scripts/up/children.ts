/** Child services of `npm start`: output to one log file each, stopped together on Ctrl-C. */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";

export interface Service {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

export class Services {
  private readonly list: Service[] = [];
  constructor(private readonly logDir: string, private readonly onExit: (s: Service, code: number | null) => void) {
    mkdirSync(logDir, { recursive: true });
  }

  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Service {
    const logFile = join(this.logDir, `${name}.log`);
    const log = createWriteStream(logFile, { flags: "a" });
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const service: Service = { name, child, logFile, exited };
    void exited.then((code) => {
      log.end();
      if (this.list.includes(service)) this.onExit(service, code);
    });
    this.list.push(service);
    return service;
  }

  /** SIGTERM in reverse start order, SIGKILL after `graceMs`. */
  async stopAll(graceMs = 10_000): Promise<void> {
    const services = this.list.splice(0).reverse();
    for (const s of services) {
      if (s.child.exitCode !== null || s.child.signalCode !== null) continue;
      s.child.kill("SIGTERM");
      const timer = setTimeout(() => s.child.kill("SIGKILL"), graceMs);
      await s.exited;
      clearTimeout(timer);
    }
  }
}

/** Resolves when `probe` returns true; rejects after `timeoutMs` with `what` in the message. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
