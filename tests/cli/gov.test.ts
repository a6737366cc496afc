/**
 * `aegis gov` against a realm bootstrapped by migrations/bootstrap.ts on localnet: a staked
 * operator proposes a parameter change, votes with its stake (the staking program's voter-weight
 * refresh rides in the same transaction), and executes it after the hold-up.
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Keypair } from "@solana/web3.js";
import { staking, stakingConfigKey, stakingProgram } from "../../sdk/src/index.js";
import { bootstrapRealm, type RealmAddresses } from "../../migrations/bootstrap.js";
import { tempDir } from "../helpers/edge.js";
import { startLocalnet, type Localnet } from "../helpers/localnet.js";
import { aegis, bootstrapProtocol, type Protocol } from "../protocol/setup.js";
import { cli, show, writeKeypair, type CliEnv, type CliResult } from "./run.js";

const HOLD_UP = 600;

function expectFail(r: CliResult, code: number, message: RegExp): void {
  expect(r.code, show(r)).to.equal(code);
  expect(`${r.json?.error?.message ?? ""} ${r.json?.error?.hint ?? ""}`, show(r)).to.match(message);
}

describe("aegis gov against a Realms realm on localnet", function () {
  this.timeout(240_000);
  let net: Localnet;
  let proto: Protocol;
  let dao: RealmAddresses;
  let env: CliEnv;
  const operator = Keypair.generate();
  const stranger = Keypair.generate();
  let opKey: string;
  let strangerKey: string;

  before(async () => {
    net = await startLocalnet();
    proto = await bootstrapProtocol(net);
    for (const kp of [operator, stranger]) {
      const sig = await net.connection.requestAirdrop(kp.publicKey, 10e9);
      await net.connection.confirmTransaction({ signature: sig, ...(await net.connection.getLatestBlockhash()) }, "confirmed");
    }
    const source = await proto.fund(operator.publicKey, aegis(3_000));
    await staking.stake(stakingProgram(net.provider(operator)), { operator: operator.publicKey, source, amount: aegis(3_000) }).rpc();
    dao = await bootstrapRealm(net.connection, proto.admin, {
      name: `AEGIS-${randomBytes(3).toString("hex")}`,
      council: [Keypair.generate()],
      community: { votingSecs: 3_600, holdUpSecs: HOLD_UP, yesPercent: 50 },
    });
    const dir = tempDir("aegis-cli-gov-");
    env = { rpcUrl: net.rpcUrl, configPath: join(dir, "cli.yml") };
    opKey = writeKeypair(dir, "operator", operator);
    strangerKey = writeKeypair(dir, "stranger", stranger);
  });

  after(async () => {
    await net?.stop();
  });

  it("gov show | propose-param | vote | execute: minStake changes after the vote and the hold-up; bad inputs refused", async () => {
    expect((await cli(env, ["config", "set", "realm", dao.realm.toBase58()])).code).to.equal(0);
    const shown = await cli(env, ["--keypair", opKey, "gov", "show"]);
    expect(shown.code, show(shown)).to.equal(0);
    expect(shown.json.governances.map((g: { name: string; exists: boolean }) => [g.name, g.exists])).to.deep.equal([["protocol", true], ["treasury", true], ["emergency", true]]);

    const [noStake, badParam, noRealm] = await Promise.all([
      cli(env, ["--keypair", strangerKey, "gov", "propose-param", "staking", "minStake", "1500"]),
      cli(env, ["--keypair", opKey, "gov", "propose-param", "staking", "minSteak", "1500"]),
      cli({ ...env, configPath: join(env.configPath, "..", "empty.yml") }, ["--keypair", opKey, "gov", "show"]),
    ]);
    expectFail(noStake, 8, /proposing needs 1,000 AEGIS of bonded stake/);
    expectFail(badParam, 2, /unknown staking parameter "minSteak".*minStake/);
    expectFail(noRealm, 2, /no realm: pass --realm/);

    const proposed = await cli(env, ["--keypair", opKey, "gov", "propose-param", "staking", "minStake", "1500"]);
    expect(proposed.code, show(proposed)).to.equal(0);
    const proposal: string = proposed.json.proposal;

    const [voteStranger, badChoice] = await Promise.all([
      cli(env, ["--keypair", strangerKey, "gov", "vote", proposal, "yes"]),
      cli(env, ["--keypair", opKey, "gov", "vote", proposal, "maybe"]),
    ]);
    expectFail(voteStranger, 8, /no bonded stake/);
    expectFail(badChoice, 2, /vote yes or no/);
    const voted = await cli(env, ["--keypair", opKey, "gov", "vote", proposal, "yes"]);
    expect(voted.code, show(voted)).to.equal(0);
    expect(voted.json).to.include({ state: "Succeeded", yes: "3,000" });
    expectFail(await cli(env, ["--keypair", opKey, "gov", "vote", proposal, "yes"]), 8, /is Succeeded, not open for votes/);

    expectFail(await cli(env, ["--keypair", strangerKey, "gov", "execute", proposal]), 8, /hold-up time has not passed/);
    await net.warp({ seconds: HOLD_UP + 5 });
    const executed = await cli(env, ["--keypair", strangerKey, "gov", "execute", proposal]);
    expect(executed.code, show(executed)).to.equal(0);
    expect(executed.json).to.include({ state: "Completed", executed: 1 });
    const cfg = await stakingProgram(net.provider(proto.admin)).account.stakingConfigV0.fetch(stakingConfigKey()[0]);
    expect(cfg.minStake.toString()).to.equal(aegis(1_500).toString());
    const one = await cli(env, ["--keypair", opKey, "gov", "show", proposal]);
    expect(one.json).to.include({ state: "Completed", name: "Set staking.minStake to 1500" });
    expect(one.json.transactions[0].status).to.equal("Success");
    expectFail(await cli(env, ["--keypair", opKey, "gov", "show", Keypair.generate().publicKey.toBase58()]), 6, /no proposal at/);
  });
});
