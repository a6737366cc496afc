/**
 * Test topology for the XDP filter: two network namespaces joined by a veth pair, nothing else.
 *
 *   client ns  (veth <cli>)  10.77.0.2, 10.77.0.3, fd00:77::2, fd00:77::3
 *        |
 *   server ns  (veth <srv>)  10.77.0.1, fd00:77::1   — XDP attached here, HTTP server on :8080
 *
 * Names carry our pid, so parallel runs do not collide and stale ones from dead runs are removed.
 * `destroy()` is idempotent and also runs on process exit, so a failing test leaves nothing behind.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { once } from "node:events";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const XDP_DIR = join(dirname(fileURLToPath(import.meta.url)), "../../node/xdp");
export const FLOOD = join(XDP_DIR, "build/aegis-flood");
export const SERVER_V4 = "10.77.0.1";
export const SERVER_V6 = "fd00:77::1";
export const CLIENT_A = { v4: "10.77.0.2", v6: "fd00:77::2" };
export const CLIENT_B = { v4: "10.77.0.3", v6: "fd00:77::3" };
export const HTTP_PORT = 8080;

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

const SERVER_JS = `
const http = require("http");
const s = http.createServer((req, res) => { res.writeHead(200, {"content-length": "2"}); res.end("ok"); });
s.keepAliveTimeout = 60000;
s.listen(${HTTP_PORT}, "::", () => process.stdout.write("listening\\n"));
`;

const PIN_ROOT = "/sys/fs/bpf/aegis";

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return false; // ours, from an earlier suite in this process
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Namespaces and bpffs pins left by a test run that was killed before it could clean up. */
function removeStale(): void {
  const names = sh("ip", ["netns", "list"])
    .split("\n")
    .map((l) => l.split(" ")[0] ?? "")
    .filter((n) => /^aegx-[sc]-\d+$/.test(n));
  for (const n of names) {
    if (pidAlive(Number(n.split("-")[2]))) continue;
    try {
      sh("ip", ["netns", "del", n]);
    } catch {
      /* already gone */
    }
  }
  if (!existsSync(PIN_ROOT)) return;
  for (const d of readdirSync(PIN_ROOT)) {
    const m = /^aegx-s-(\d+)-/.exec(d);
    if (m && !pidAlive(Number(m[1]))) rmSync(`${PIN_ROOT}/${d}`, { recursive: true, force: true });
  }
}

export class Topology {
  readonly serverNs = `aegx-s-${process.pid}`;
  readonly clientNs = `aegx-c-${process.pid}`;
  readonly serverIf = `axs${process.pid % 100000}`;
  readonly clientIf = `axc${process.pid % 100000}`;
  serverMac = "";
  private server: ChildProcess | undefined;
  private readonly onExit = () => this.destroySync();

  static async create(): Promise<Topology> {
    removeStale();
    const t = new Topology();
    process.on("exit", t.onExit);
    try {
      t.build();
      await t.startServer();
    } catch (err) {
      t.destroySync();
      throw err;
    }
    return t;
  }

  private build(): void {
    const { serverNs: s, clientNs: c, serverIf: si, clientIf: ci } = this;
    sh("ip", ["netns", "add", s]);
    sh("ip", ["netns", "add", c]);
    sh("ip", ["-n", s, "link", "add", si, "type", "veth", "peer", "name", ci, "netns", c]);
    sh("ip", ["-n", s, "addr", "add", `${SERVER_V4}/24`, "dev", si]);
    sh("ip", ["-n", s, "addr", "add", `${SERVER_V6}/64`, "dev", si, "nodad"]);
    sh("ip", ["-n", c, "addr", "add", `${CLIENT_A.v4}/24`, "dev", ci]);
    sh("ip", ["-n", c, "addr", "add", `${CLIENT_B.v4}/24`, "dev", ci]);
    sh("ip", ["-n", c, "addr", "add", `${CLIENT_A.v6}/64`, "dev", ci, "nodad"]);
    sh("ip", ["-n", c, "addr", "add", `${CLIENT_B.v6}/64`, "dev", ci, "nodad"]);
    for (const [ns, dev] of [[s, si], [c, ci]] as const) {
      sh("ip", ["-n", ns, "link", "set", "lo", "up"]);
      sh("ip", ["-n", ns, "link", "set", dev, "up"]);
    }
    const link = JSON.parse(sh("ip", ["-n", s, "-j", "link", "show", "dev", si])) as Array<{ address: string }>;
    this.serverMac = link[0]!.address;
  }

  private async startServer(): Promise<void> {
    const child = spawn("nsenter", [`--net=/run/netns/${this.serverNs}`, process.execPath, "-e", SERVER_JS], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    this.server = child;
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => d.toString().includes("listening") && resolve());
      child.once("exit", (code) => reject(new Error(`test HTTP server exited (${code})`)));
    });
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("server start timeout")), 10_000).unref());
    await Promise.race([ready, timeout]);
  }

  /** One HTTP GET from the client namespace with the given source address; resolves to status or an error string. */
  async curl(source: string, opts: { v6?: boolean; timeoutSecs?: number } = {}): Promise<string> {
    const host = opts.v6 ? `[${SERVER_V6}]` : SERVER_V4;
    const t = String(opts.timeoutSecs ?? 2);
    const child = spawn(
      "nsenter",
      [`--net=/run/netns/${this.clientNs}`, "curl", "-sS", "-g", "--interface", source, "--connect-timeout", t,
        "--max-time", t, "-o", "/dev/null", "-w", "%{http_code}", `http://${host}:${HTTP_PORT}/`],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const [code] = (await once(child, "exit")) as [number];
    return code === 0 ? out.trim() : `curl exit ${code}: ${err.trim()}`;
  }

  /** Runs aegis-flood in the client namespace; returns what it reports. */
  async flood(args: { src: string; dst: string; count: number; pps: number; kind?: "syn" | "ack" | "udp"; dport?: number }) {
    const argv = [
      `--net=/run/netns/${this.clientNs}`, FLOOD, "--iface", this.clientIf, "--dst-mac", this.serverMac,
      "--src", args.src, "--dst", args.dst, "--count", String(args.count), "--pps", String(args.pps),
      "--kind", args.kind ?? "syn", "--dport", String(args.dport ?? 9),
    ];
    const child = spawn("nsenter", argv, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const [code] = (await once(child, "exit")) as [number];
    clearTimeout(killer);
    if (code !== 0) throw new Error(`aegis-flood failed (${code})`);
    return JSON.parse(out) as { sent: number; secs: number; pps: number };
  }

  /**
   * A keep-alive HTTP/1.1 connection from the client namespace: `request()` sends one GET on the
   * same TCP connection and resolves with the status line's code.
   */
  async keepAlive(source: string): Promise<{ request(): Promise<string>; close(): void }> {
    const js = `
      const s = require("net").connect({ host: "${SERVER_V4}", port: ${HTTP_PORT}, localAddress: "${source}" });
      let buf = "";
      s.on("data", (d) => { buf += d; const i = buf.indexOf("\\r\\n\\r\\n");
        if (i >= 0 && buf.length >= i + 6) { process.stdout.write("status " + buf.split(" ")[1] + "\\n"); buf = ""; } });
      s.on("error", (e) => { process.stdout.write("error " + e.code + "\\n"); });
      s.on("connect", () => process.stdout.write("connected\\n"));
      process.stdin.on("data", () => s.write("GET / HTTP/1.1\\r\\nHost: t\\r\\n\\r\\n"));
      process.stdin.on("end", () => { s.destroy(); process.exit(0); });`;
    const child = spawn("nsenter", [`--net=/run/netns/${this.clientNs}`, process.execPath, "-e", js], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    const lines: string[] = [];
    const waiters: Array<(l: string) => void> = [];
    let rest = "";
    child.stdout.on("data", (d: Buffer) => {
      rest += d.toString();
      for (let i = rest.indexOf("\n"); i >= 0; i = rest.indexOf("\n")) {
        const line = rest.slice(0, i);
        rest = rest.slice(i + 1);
        const w = waiters.shift();
        if (w) w(line);
        else lines.push(line);
      }
    });
    const next = (ms: number) =>
      new Promise<string>((resolve) => {
        const l = lines.shift();
        if (l !== undefined) return resolve(l);
        const t = setTimeout(() => resolve("timeout"), ms);
        waiters.push((x) => {
          clearTimeout(t);
          resolve(x);
        });
      });
    const first = await next(3000);
    if (first !== "connected") {
      child.kill("SIGKILL");
      throw new Error(`keep-alive client: ${first}`);
    }
    return {
      request: async () => {
        child.stdin.write("go\n");
        return next(3000);
      },
      close: () => {
        child.stdin.end();
        setTimeout(() => child.kill("SIGKILL"), 500).unref();
      },
    };
  }

  /** XDP state of the server interface as `ip -j link` reports it. */
  xdpState(): unknown {
    const link = JSON.parse(sh("ip", ["-n", this.serverNs, "-j", "link", "show", "dev", this.serverIf])) as Array<{ xdp?: unknown }>;
    return link[0]?.xdp;
  }

  destroySync(): void {
    process.off("exit", this.onExit);
    if (this.server && this.server.exitCode === null) this.server.kill("SIGKILL");
    for (const ns of [this.serverNs, this.clientNs]) {
      try {
        sh("ip", ["netns", "del", ns]);
      } catch {
        /* not there */
      }
    }
  }
}
