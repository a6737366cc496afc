/** nats-server and redis-server of a test's own, on free loopback ports, always stopped by the caller. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.js";

export interface Service {
  url: string;
  stop(): Promise<void>;
}

async function waitPort(port: number, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, "127.0.0.1", () => {
        s.end();
        r(true);
      });
      s.on("error", () => r(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listening on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  child.kill("SIGTERM");
  return new Promise((r) => child.once("exit", () => r()));
}

/**
 * A nats-server with JetStream of this test's own. Not AEGIS_TEST_NATS_URL: the node publishes on
 * the fixed subjects aegis.reports.<node>, so a stream on a shared server would overlap with the
 * streams other tests create there (and see their reports).
 */
export async function natsService(): Promise<Service> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "aegis-nats-"));
  const child = spawn("nats-server", ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir], { stdio: "ignore" });
  await waitPort(port);
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** AEGIS_TEST_REDIS_URL, or (always with `fresh`: an empty keyspace) a redis-server started here. */
export async function redisService(opts: { fresh?: boolean } = {}): Promise<Service> {
  if (process.env.AEGIS_TEST_REDIS_URL && !opts.fresh) return { url: process.env.AEGIS_TEST_REDIS_URL, stop: async () => {} };
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  await waitPort(port);
  return { url: `redis://127.0.0.1:${port}`, stop: () => stopChild(child) };
}
