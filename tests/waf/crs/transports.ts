/**
 * Transports for the CRS regression runner. `inProcessTransport` feeds the request straight to
 * the WAF phases (used while no edge node is available); `nodeTransport` sends the raw bytes to
 * a running edge node over TCP. Both read the rule ids from the WAF's decision hook.
 */
import { connect } from "node:net";
import { zonePolicySchema, type ZonePolicy } from "../../../node/src/policy/schema.js";
import type { EdgeRequest, EdgeResponse } from "../../../node/src/phase.js";
import type { WafDecision, WafRequestPhase, WafResponsePhase } from "../../../node/src/waf/phase.js";
import { rawRequest, requestParts, type FtwInput, type StageResult } from "./ftw.js";

export interface Transport {
  send(input: FtwInput, paranoia: number): Promise<StageResult>;
}

export function crsPolicy(paranoia: number, originUrl = "http://127.0.0.1:9"): ZonePolicy {
  return zonePolicySchema.parse({
    domain: "localhost", policyVersion: 1, origins: [{ url: originUrl }],
    waf: { mode: "block", paranoia, inboundThreshold: 5, responseRules: true },
  });
}

/** Collects decisions per request id. */
export class DecisionLog {
  private readonly byId = new Map<string, WafDecision[]>();
  last: WafDecision[] = [];
  record = (d: WafDecision): void => {
    const l = this.byId.get(d.requestId) ?? [];
    l.push(d);
    this.byId.set(d.requestId, l);
    this.last = l;
  };
  take(id: string): WafDecision[] {
    const l = this.byId.get(id) ?? [];
    this.byId.delete(id);
    return l;
  }
  drainAll(): WafDecision[] {
    const all = [...this.byId.values()].flat();
    this.byId.clear();
    return all;
  }
}

export function logText(ds: readonly WafDecision[], msgs: ReadonlyMap<number, string>): string {
  return ds.flatMap((d) => d.matches.map((m) => `[id "${m.id}"] [msg "${m.msg ?? msgs.get(m.id) ?? ""}"] [data "${m.data ?? ""}"]`)).join("\n");
}

/** What an albedo-style origin answers: POST /reflect with {status, headers, body, encodedBody}. */
export function reflect(method: string, uri: string, body: Buffer): EdgeResponse {
  if (uri.startsWith("/reflect") && body.length > 0) {
    try {
      const spec = JSON.parse(body.toString("utf8")) as { status?: number; headers?: Record<string, string>; body?: string; encodedBody?: string };
      const b = spec.encodedBody ? Buffer.from(spec.encodedBody, "base64") : Buffer.from(spec.body ?? "", "utf8");
      return { status: spec.status ?? 200, headers: { "content-type": "text/html", ...(spec.headers ?? {}) }, body: b };
    } catch {
      /* fall through */
    }
  }
  void method;
  return { status: 200, headers: { "content-type": "text/plain" }, body: Buffer.from("ok\n") };
}

let seq = 0;

export function inProcessTransport(req: WafRequestPhase, res: WafResponsePhase, log: DecisionLog, msgs: ReadonlyMap<number, string>): Transport {
  return {
    async send(input, paranoia) {
      const p = requestParts(input);
      const id = `crs-${++seq}`;
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of p.headers) {
        const lk = k.toLowerCase();
        const cur = headers[lk];
        headers[lk] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
      }
      const edge: EdgeRequest = {
        id, zone: "localhost", clientIp: "127.0.0.1", method: p.method, url: p.uri,
        httpVersion: p.version.replace(/^HTTP\//, ""), headers, rawHeaderNames: p.headers.map(([k]) => k),
        body: p.body.length > 0 ? p.body : undefined, tls: undefined, receivedAt: Date.now(),
      };
      const policy = crsPolicy(paranoia);
      const v = await req.onRequest(edge, policy);
      let status: number;
      if (v.kind === "respond") status = v.response.status;
      else status = (await res.onResponse(edge, reflect(p.method, p.uri, p.body), policy)).status;
      const ds = log.take(id);
      return { status, ruleIds: ds.flatMap((d) => d.ruleIds), log: logText(ds, msgs) };
    },
  };
}

/** Sends the test's raw bytes to host:port and reads the status line; rule ids come from the decision log. */
export function nodeTransport(host: string, port: number, log: DecisionLog, msgs: ReadonlyMap<number, string>, setParanoia: (pl: number) => void): Transport {
  return {
    async send(input, paranoia) {
      setParanoia(paranoia);
      log.drainAll();
      const raw = rawRequest(input);
      const { status, error } = await new Promise<{ status: number; error?: string }>((resolve) => {
        const sock = connect(port, host);
        let buf = "";
        const done = (r: { status: number; error?: string }): void => { sock.destroy(); resolve(r); };
        sock.setTimeout(5000, () => done({ status: 0, error: "timeout" }));
        sock.on("connect", () => sock.write(raw));
        sock.on("data", (d) => {
          buf += d.toString("latin1");
          const m = /^HTTP\/\d\.\d (\d{3})/.exec(buf);
          if (m && buf.includes("\r\n\r\n")) done({ status: Number(m[1]) });
        });
        sock.on("error", (e) => done({ status: 0, error: e.message }));
        sock.on("close", () => {
          const m = /^HTTP\/\d\.\d (\d{3})/.exec(buf);
          done(m ? { status: Number(m[1]) } : { status: 0, error: "connection closed" });
        });
      });
      // Decisions are recorded synchronously in the node's phase before the response is written.
      const ds = log.drainAll();
      return { status, ruleIds: ds.flatMap((d) => d.ruleIds), log: logText(ds, msgs), error };
    },
  };
}
