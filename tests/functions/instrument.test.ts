/**
 * The fuel/memory instrumenter on hand-assembled modules (exact costs) and on AssemblyScript
 * output (determinism), without worker threads.
 */
import { expect } from "chai";
import fc from "fast-check";
import { InvalidModuleError } from "../../node/src/functions/errors.js";
import { FUEL_EXPORT, GROW_EXPORT, instrumentModule } from "../../node/src/functions/instrument.js";
import { Reader, encodeName, encodeS64, encodeU32 } from "../../node/src/functions/wasm-binary.js";
import { compileExample } from "./helpers/compile.js";

function section(id: number, payload: number[]): number[] {
  return [id, ...encodeU32(payload.length), ...payload];
}

/**
 * (func $count (param i32) (result i32) (local i32)
 *   loop  local.get 1  i32.const 1  i32.add  local.tee 1  local.get 0  i32.lt_s  br_if 0  end
 *   local.get 1)
 * (func $grow (param i32) (result i32) local.get 0 memory.grow 0)
 */
function handModule(memory: number[] = [0x00, 0x01], extraExports: number[][] = []): Uint8Array {
  const countBody = [0x01, 0x01, 0x7f, 0x03, 0x40, 0x20, 0x01, 0x41, 0x01, 0x6a, 0x22, 0x01, 0x20, 0x00, 0x48, 0x0d, 0x00, 0x0b, 0x20, 0x01, 0x0b];
  const growBody = [0x00, 0x20, 0x00, 0x40, 0x00, 0x0b];
  const exports = [
    [...encodeName("count"), 0x00, 0x00],
    [...encodeName("grow"), 0x00, 0x01],
    [...encodeName("memory"), 0x02, 0x00],
    ...extraExports,
  ];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f]),
    ...section(3, [0x02, 0x00, 0x00]),
    ...section(5, [0x01, ...memory]),
    ...section(7, [exports.length, ...exports.flat()]),
    ...section(10, [0x02, countBody.length, ...countBody, growBody.length, ...growBody]),
  ]);
}

function instantiate(bytes: Uint8Array, fuel: number, pages = 16): WebAssembly.Instance {
  const out = instrumentModule(bytes, { fuel, maxMemoryPages: pages });
  const imports: WebAssembly.Imports = { env: { abort() {} } };
  if (out.memoryImport) {
    const { module, name, initial, maximum } = out.memoryImport;
    imports[module] = { [name]: new WebAssembly.Memory({ initial, maximum }) };
  }
  return new WebAssembly.Instance(new WebAssembly.Module(out.bytes as BufferSource), imports);
}

const fuelLeft = (i: WebAssembly.Instance): number => Number((i.exports[FUEL_EXPORT] as WebAssembly.Global).value as bigint);

describe("functions: wasm instrumenter", () => {
  it("encodes LEB128 values the reader decodes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        expect(new Reader(Uint8Array.from(encodeU32(n))).u32()).to.equal(n);
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        const bytes = encodeS64(n);
        const r = new Reader(Uint8Array.from(bytes));
        r.skipSigned(64);
        expect(r.pos).to.equal(bytes.length);
        // Decode to compare.
        let v = 0n;
        let shift = 0n;
        for (const b of bytes) {
          v |= BigInt(b & 0x7f) << shift;
          shift += 7n;
        }
        if ((bytes.at(-1)! & 0x40) !== 0) v -= 1n << shift; // sign-extend
        expect(BigInt.asIntN(64, v)).to.equal(n);
      }),
    );
  });

  it("charges the function entry and every loop iteration by its static cost", () => {
    for (const n of [1, 10, 1000]) {
      const inst = instantiate(handModule(), 1_000_000);
      expect((inst.exports.count as (n: number) => number)(n)).to.equal(n);
      // entry: loop, local.get, end = 3; each iteration: 7 instructions + end = 8
      expect(1_000_000 - fuelLeft(inst)).to.equal(3 + 8 * n);
    }
  });

  it("traps when fuel runs out, at the same point on every run", () => {
    const used = new Set<number>();
    for (let run = 0; run < 5; run++) {
      const inst = instantiate(handModule(), 10_000);
      expect(() => (inst.exports.count as (n: number) => number)(1_000_000)).to.throw(WebAssembly.RuntimeError, /unreachable/);
      used.add(10_000 - fuelLeft(inst));
    }
    expect([...used]).to.deep.equal([3 + 8 * Math.ceil((10_000 - 3 + 1) / 8)]);
  });

  it("stops an AssemblyScript infinite loop at the same instruction count every run", async function () {
    this.timeout(60_000);
    const bytes = await compileExample("infinite-loop");
    const used: number[] = [];
    for (let run = 0; run < 3; run++) {
      const inst = instantiate(bytes, 2_000_000);
      expect(() => (inst.exports.on_request as () => number)()).to.throw(WebAssembly.RuntimeError);
      used.push(2_000_000 - fuelLeft(inst));
    }
    expect(new Set(used).size).to.equal(1);
    expect(used[0]).to.be.within(2_000_001, 2_000_100);
  });

  it("caps memory and records a refused grow", () => {
    const inst = instantiate(handModule(), 1_000_000, 4);
    const grow = inst.exports.grow as (pages: number) => number;
    expect(grow(2)).to.equal(1);
    expect((inst.exports[GROW_EXPORT] as WebAssembly.Global).value).to.equal(1);
    expect(grow(2)).to.equal(-1); // would be 5 pages
    expect((inst.exports[GROW_EXPORT] as WebAssembly.Global).value).to.equal(-1);
    expect((inst.exports.memory as WebAssembly.Memory).buffer.byteLength).to.equal(3 * 65536);
  });

  it("keeps a declared maximum below the cap and refuses an initial size above it", () => {
    const inst = instantiate(handModule([0x01, 0x01, 0x02]), 1000, 16); // min 1 max 2
    expect((inst.exports.grow as (p: number) => number)(2)).to.equal(-1);
    expect(() => instrumentModule(handModule([0x00, 0x20]), { fuel: 1000, maxMemoryPages: 16 })).to.throw(InvalidModuleError, /32 memory pages/);
  });

  it("refuses invalid modules, shared memory and a clash with its export names", () => {
    expect(() => instrumentModule(Uint8Array.from([0, 1, 2, 3]), { fuel: 1000, maxMemoryPages: 16 })).to.throw(InvalidModuleError);
    expect(() => instrumentModule(handModule([0x03, 0x01, 0x02]), { fuel: 1000, maxMemoryPages: 16 })).to.throw(InvalidModuleError, /shared memory/);
    const clash = handModule(undefined, [[...encodeName(FUEL_EXPORT), 0x00, 0x00]]);
    expect(() => instrumentModule(clash, { fuel: 1000, maxMemoryPages: 16 })).to.throw(InvalidModuleError, /already exports/);
    // A body that reads a global the original module does not have (it would alias the fuel global).
    const sneaky = Uint8Array.from([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      ...section(1, [0x01, 0x60, 0x00, 0x01, 0x7e]),
      ...section(3, [0x01, 0x00]),
      ...section(10, [0x01, 0x04, 0x00, 0x23, 0x00, 0x0b]),
    ]);
    expect(() => instrumentModule(sneaky, { fuel: 1000, maxMemoryPages: 16 })).to.throw(InvalidModuleError, /does not validate/);
  });

  it("adds global and export sections to a module that has none", () => {
    const bare = Uint8Array.from([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      ...section(1, [0x01, 0x60, 0x00, 0x00]),
      ...section(3, [0x01, 0x00]),
      ...section(8, [0x00]), // start: function 0
      ...section(10, [0x01, 0x02, 0x00, 0x0b]),
    ]);
    const out = instrumentModule(bare, { fuel: 50, maxMemoryPages: 1 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(out.bytes as BufferSource));
    expect(50 - fuelLeft(inst)).to.equal(1); // the start function ran and paid for its `end`
  });
});
