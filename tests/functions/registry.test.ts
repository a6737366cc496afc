/** The TOML module registry (embedded mode) and route matching. */
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cidOf } from "../../node/src/functions/cid.js";
import { FunctionConfigError } from "../../node/src/functions/errors.js";
import { ConfigModuleRegistry, type ModuleRecord } from "../../node/src/functions/registry.js";
import { RouteTable, globToRegexSource } from "../../node/src/functions/routes.js";
import { zonePolicySchema } from "../../node/src/policy/schema.js";

const enc = (s: string) => new TextEncoder().encode(s);

describe("functions: module registry (TOML)", () => {
  let a: string, b: string, c: string;
  before(async () => {
    [a, b, c] = await Promise.all([cidOf(enc("a")), cidOf(enc("b")), cidOf(enc("c"))]);
  });

  const toml = (versions: string, extra = "") => `
[[module]]
zone = "site.test"
name = "auth"
owner = "alice"
versions = [${versions}]
${extra}
`;

  it("serves the highest version and keeps older ones for rollback", () => {
    const r = ConfigModuleRegistry.fromToml(toml(`{ version = 1, cid = "${a}" }, { version = 3, cid = "${c}" }, { version = 2, cid = "${b}" }`));
    const rec = r.get("site.test", "auth")!;
    expect(rec.current).to.deep.equal({ version: 3, cid: c });
    expect(rec.previous.map((v) => v.version)).to.deep.equal([2, 1]);
    expect(rec.owner).to.equal("alice");
    expect(r.get("site.test", "other")).to.equal(undefined);
    expect(r.get("other.test", "auth")).to.equal(undefined);
  });

  it("honours an explicit active version", () => {
    const r = ConfigModuleRegistry.fromToml(toml(`{ version = 1, cid = "${a}" }, { version = 2, cid = "${b}" }`, "active = 1"));
    expect(r.get("site.test", "auth")!.current.version).to.equal(1);
  });

  it("publishes and rolls back, notifying listeners", () => {
    const r = ConfigModuleRegistry.fromToml(toml(`{ version = 1, cid = "${a}" }`));
    const events: Array<ModuleRecord | undefined> = [];
    r.onChange((_z, _n, rec) => events.push(rec));
    r.publish("site.test", "auth", "alice", { version: 2, cid: b });
    expect(r.get("site.test", "auth")!.current.cid).to.equal(b);
    expect(() => r.publish("site.test", "auth", "mallory", { version: 3, cid: c })).to.throw(FunctionConfigError, /owned by alice/);
    expect(() => r.publish("site.test", "auth", "alice", { version: 2, cid: c })).to.throw(FunctionConfigError, /not above 2/);
    r.rollback("site.test", "auth");
    expect(r.get("site.test", "auth")!.current).to.deep.equal({ version: 1, cid: a });
    expect(() => r.rollback("site.test", "auth")).to.throw(FunctionConfigError, /no previous version/);
    expect(events.map((e) => e?.current.version)).to.deep.equal([2, 1]);
    // A new publish goes above every version ever listed.
    expect(() => r.publish("site.test", "auth", "alice", { version: 2, cid: c })).to.throw(FunctionConfigError);
    r.publish("site.test", "auth", "alice", { version: 3, cid: c });
    expect(r.get("site.test", "auth")!.previous.map((v) => v.version)).to.deep.equal([2, 1]);
  });

  it("rejects a bad file and keeps the last good registry", () => {
    const r = ConfigModuleRegistry.fromToml(toml(`{ version = 1, cid = "${a}" }`));
    expect(() => r.load("[[module]\nzone=")).to.throw(FunctionConfigError, /not valid TOML/);
    expect(() => r.load(toml(`{ version = 1, cid = "not-a-cid" }`))).to.throw(FunctionConfigError, /not a CID/);
    // CIDv0 (dag-pb) is not a raw module CID.
    expect(() => r.load(toml(`{ version = 1, cid = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG" }`))).to.throw(FunctionConfigError, /CIDv1 raw/);
    expect(() => r.load(toml(`{ version = 1, cid = "${a}" }, { version = 1, cid = "${b}" }`))).to.throw(FunctionConfigError, /twice/);
    expect(() => r.load(toml(`{ version = 1, cid = "${a}" }`, "active = 4"))).to.throw(FunctionConfigError, /not listed/);
    expect(r.get("site.test", "auth")!.current.cid).to.equal(a);
  });

  it("re-reads a watched file and reports bad edits", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aegis-fn-reg-"));
    try {
      const path = join(dir, "modules.toml");
      writeFileSync(path, toml(`{ version = 1, cid = "${a}" }`));
      const r = new ConfigModuleRegistry();
      await r.loadFile(path);
      const errors: Error[] = [];
      r.watch(path, (e) => errors.push(e), 50);
      writeFileSync(path, toml(`{ version = 1, cid = "${a}" }, { version = 2, cid = "${b}" }`));
      await until(() => r.get("site.test", "auth")?.current.version === 2);
      writeFileSync(path, "garbage = [");
      await until(() => errors.length > 0);
      expect(r.get("site.test", "auth")!.current.version).to.equal(2);
      r.unwatch();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("functions: route matching", () => {
  const policy = zonePolicySchema.parse({
    domain: "site.test",
    policyVersion: 1,
    origins: [{ url: "http://127.0.0.1:1" }],
    functions: [
      { pattern: "/api/*/items", modules: ["m1"], methods: ["post"] },
      { pattern: "/api/**", modules: ["m2"] },
      { pattern: "re:^/v[0-9]+/", modules: ["m3"] },
      { pattern: "/file?.txt", modules: ["m4"] },
    ],
  });
  const table = new RouteTable();
  const hit = (method: string, url: string) => table.match(policy, method, url)?.route.modules[0];

  it("matches globs, regexes and methods in order, on the path only", () => {
    expect(hit("POST", "/api/v1/items")).to.equal("m1");
    expect(hit("GET", "/api/v1/items")).to.equal("m2");
    expect(hit("GET", "/api/a/b/c?x=/v1/")).to.equal("m2");
    expect(hit("GET", "/v2/users")).to.equal("m3");
    expect(hit("GET", "/x/v2/users")).to.equal(undefined);
    expect(hit("GET", "/file1.txt")).to.equal("m4");
    expect(hit("GET", "/file12.txt")).to.equal(undefined);
    expect(hit("GET", "/other?/api/x")).to.equal(undefined);
  });

  it("escapes regex characters in globs and refuses regexes RE2 cannot run", () => {
    expect(globToRegexSource("/a.b/(c)*")).to.equal("^/a\\.b/\\(c\\)[^/]*$");
    const bad = zonePolicySchema.parse({ ...policy, functions: [{ pattern: "re:(a)\\1", modules: ["m"] }, { pattern: "/aa", modules: ["ok"] }] });
    const errors: FunctionConfigError[] = [];
    const t = new RouteTable((e) => errors.push(e));
    expect(t.match(bad, "GET", "/aa")?.route.modules).to.deep.equal(["ok"]);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.be.instanceOf(FunctionConfigError);
    expect(errors[0]!.message).to.match(/route 0: bad pattern/);
  });
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}
