import { expect } from "chai";
import { Keypair, SystemProgram, Transaction } from "@solana/web3.js";
import { startLocalnet, type Localnet } from "../helpers/localnet.js";

type RpcReply = { jsonrpc: string; id: unknown; result?: unknown; error?: { code: number; message: string; data?: unknown } };

describe("localnet: bad input gets the standard error and never stops the chain", function () {
  let net: Localnet;
  before(async () => {
    net = await startLocalnet();
  });
  after(async () => {
    await net?.stop();
  });

  async function stillWorks(): Promise<void> {
    const r = (await net.rpc({ jsonrpc: "2.0", id: 99, method: "getSlot" })) as RpcReply;
    expect(r.result).to.be.a("number");
  }

  const cases: Array<[string, unknown, number]> = [
    ["malformed JSON", '{"jsonrpc":"2.0","id":1,"method":"getSlot"', -32700],
    ["an unknown method", { jsonrpc: "2.0", id: 1, method: "getEverything", params: [] }, -32601],
    ["a wrong parameter type", { jsonrpc: "2.0", id: 1, method: "getBalance", params: [42] }, -32602],
    ["an invalid pubkey", { jsonrpc: "2.0", id: 1, method: "getAccountInfo", params: ["not-a-key"] }, -32602],
    ["params that are not an array", { jsonrpc: "2.0", id: 1, method: "getBalance", params: { a: 1 } }, -32602],
    ["a missing jsonrpc version", { id: 1, method: "getSlot" }, -32600],
    [
      "a garbage base64 transaction",
      { jsonrpc: "2.0", id: 1, method: "sendTransaction", params: [Buffer.from("garbage bytes, not a tx").toString("base64"), { encoding: "base64" }] },
      -32602,
    ],
    ["invalid base64", { jsonrpc: "2.0", id: 1, method: "sendTransaction", params: ["@@@@", { encoding: "base64" }] }, -32602],
    ["a negative warp", { jsonrpc: "2.0", id: 1, method: "aegisWarp", params: [{ seconds: -5 }] }, -32602],
  ];
  for (const [what, body, code] of cases) {
    it(`${what} → ${code}`, async () => {
      const r = (await net.rpc(body)) as RpcReply;
      expect(r.jsonrpc).to.equal("2.0");
      expect(r.error?.code, JSON.stringify(r)).to.equal(code);
      await stillWorks();
    });
  }

  it("a transaction with a bad signature → -32003", async () => {
    const payer = await net.fundedKeypair(1);
    const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1 }));
    tx.recentBlockhash = (await net.connection.getLatestBlockhash()).blockhash;
    tx.feePayer = payer.publicKey;
    tx.sign(payer);
    const raw = tx.serialize();
    raw.writeUInt8(raw.readUInt8(11) ^ 0xff, 11); // flip a byte inside the first signature
    const r = (await net.rpc({ jsonrpc: "2.0", id: 1, method: "sendTransaction", params: [raw.toString("base64"), { encoding: "base64" }] })) as RpcReply;
    expect(r.error?.code).to.equal(-32003);
    await stillWorks();
  });

  it("a failing transaction → -32002 with the simulation logs; with skipPreflight it lands with its error", async () => {
    const payer = await net.fundedKeypair(1);
    const tx = new Transaction().add(
      SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 50 * 1e9 }),
    );
    tx.recentBlockhash = (await net.connection.getLatestBlockhash()).blockhash;
    tx.feePayer = payer.publicKey;
    tx.sign(payer);
    const encoded = tx.serialize().toString("base64");
    const r = (await net.rpc({ jsonrpc: "2.0", id: 1, method: "sendTransaction", params: [encoded, { encoding: "base64" }] })) as RpcReply;
    expect(r.error?.code).to.equal(-32002);
    const data = r.error?.data as { err: unknown; logs: string[] };
    expect(data.err).to.deep.equal({ InstructionError: [0, { Custom: 1 }] });
    expect(data.logs.join("\n")).to.contain("insufficient lamports");
    const landed = (await net.rpc({
      jsonrpc: "2.0", id: 2, method: "sendTransaction", params: [encoded, { encoding: "base64", skipPreflight: true }],
    })) as RpcReply;
    const sig = landed.result as string;
    expect(sig).to.be.a("string");
    const st = await net.connection.getSignatureStatus(sig);
    expect(st.value?.err).to.deep.equal({ InstructionError: [0, { Custom: 1 }] });
  });

  it("answers a batch request in order", async () => {
    const r = (await net.rpc([
      { jsonrpc: "2.0", id: 1, method: "getHealth" },
      { jsonrpc: "2.0", id: 2, method: "nope" },
    ])) as RpcReply[];
    expect(r.map((x) => x.id)).to.deep.equal([1, 2]);
    expect(r[0]!.result).to.equal("ok");
    expect(r[1]!.error?.code).to.equal(-32601);
  });

  it("simulateTransaction reports logs and units; sigVerify with replaceRecentBlockhash is refused", async () => {
    const payer = await net.fundedKeypair(1);
    const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1_000_000 }));
    tx.recentBlockhash = (await net.connection.getLatestBlockhash()).blockhash;
    tx.feePayer = payer.publicKey;
    tx.sign(payer);
    const sim = await net.connection.simulateTransaction(tx);
    expect(sim.value.err).to.equal(null);
    expect(sim.value.logs).to.include("Program 11111111111111111111111111111111 success");
    expect(sim.value.unitsConsumed).to.be.greaterThan(0);
    const r = (await net.rpc({
      jsonrpc: "2.0", id: 1, method: "simulateTransaction",
      params: [tx.serialize().toString("base64"), { encoding: "base64", sigVerify: true, replaceRecentBlockhash: true }],
    })) as RpcReply;
    expect(r.error?.code).to.equal(-32602);
  });

  it("aegisWarp moves the Clock and the slot forward", async () => {
    const before = await net.connection.getSlot();
    const w = await net.warp({ slots: 1000, seconds: 86_400 });
    expect(w.slot).to.be.at.least(before + 1000);
    expect(w.unixTimestamp).to.be.greaterThan(Date.now() / 1000 + 86_000);
    await stillWorks();
  });
});
