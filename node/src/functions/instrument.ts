/**
 * Deterministic fuel metering and memory capping, applied to a module's bytes before it is
 * compiled.
 *
 * Fuel: one new mutable i64 global (exported as FUEL_EXPORT, initialised to the budget) is
 * decremented at every function entry and every loop header by the static cost of the code
 * that charge point owns (the instructions of the function body outside loops, or of the
 * loop body outside nested loops). When it drops below zero the guest traps with
 * `unreachable`. Every backward jump goes to a loop header, so a runaway loop always burns
 * fuel, and it burns the same amount at the same place on every run.
 *
 * A second global records the result of the last memory.grow, so a trap that follows a
 * refused grow can be reported as "memory cap reached".
 *
 * Memory: every memory (defined or imported) gets `maximum = min(declared, cap)`; a module
 * whose initial size already exceeds the cap is refused.
 */
import { InvalidModuleError } from "./errors.js";
import {
  ByteSink,
  Reader,
  SECTION,
  encodeName,
  encodeS64,
  encodeU32,
  joinSections,
  sectionRank,
  splitSections,
  type Section,
} from "./wasm-binary.js";

export const FUEL_EXPORT = "__aegis_fuel";
/** i32 global holding the result of the last memory.grow (-1 after a refused grow). */
export const GROW_EXPORT = "__aegis_last_grow";
export const WASM_PAGE_BYTES = 65_536;

export interface InstrumentOptions {
  /** Fuel units an instance starts with (one unit ≈ one wasm instruction). */
  readonly fuel: number;
  /** Memory cap in 64 KiB pages. */
  readonly maxMemoryPages: number;
  /**
   * Turn a module-defined memory into an import (`aegis.memory`) so the host can hand each
   * instance a recycled, zeroed memory instead of reserving a new one. Default true.
   */
  readonly importMemory?: boolean;
}

/** Where a hoisted memory is imported from. */
export const MEMORY_IMPORT = { module: "aegis", name: "memory" } as const;

export interface MemoryImport {
  readonly module: string;
  readonly name: string;
  readonly initial: number;
  readonly maximum: number;
}

export interface InstrumentedModule {
  readonly bytes: Uint8Array;
  readonly fuel: number;
  readonly maxMemoryPages: number;
  /** Set when the module imports its memory: the host must supply one with these limits. */
  readonly memoryImport: MemoryImport | undefined;
  /** Number of charge points injected (function entries + loop headers). */
  readonly chargePoints: number;
}

export function instrumentModule(original: Uint8Array, opts: InstrumentOptions): InstrumentedModule {
  if (!Number.isSafeInteger(opts.fuel) || opts.fuel <= 0) throw new RangeError("fuel must be a positive safe integer");
  if (!Number.isInteger(opts.maxMemoryPages) || opts.maxMemoryPages < 1 || opts.maxMemoryPages > 65_536) {
    throw new RangeError("maxMemoryPages must be within 1..65536");
  }
  if (!WebAssembly.validate(original as BufferSource)) throw new InvalidModuleError("module does not validate");
  const sections = splitSections(original);

  let importedGlobals = 0;
  let definedGlobals = 0;
  let memoryImport: MemoryImport | undefined;
  let chargePoints = 0;
  let sawExport = false;
  let sawGlobal = false;

  for (const s of sections) {
    switch (s.id) {
      case SECTION.import: {
        const out = rewriteImports(s.payload, opts.maxMemoryPages);
        s.payload = out.payload;
        importedGlobals = out.globals;
        memoryImport = out.memory;
        break;
      }
      case SECTION.memory:
        s.payload = rewriteMemories(s.payload, opts.maxMemoryPages);
        break;
      case SECTION.global:
        sawGlobal = true;
        definedGlobals = new Reader(s.payload).u32();
        break;
      default:
        break;
    }
  }
  if (opts.importMemory !== false && memoryImport === undefined) memoryImport = hoistMemory(sections);
  const fuelGlobal = importedGlobals + definedGlobals;
  const originalGlobalCount = fuelGlobal;

  const growGlobal = fuelGlobal + 1;
  const newGlobals = [
    ...[0x7e, 0x01, 0x42, ...encodeS64(BigInt(opts.fuel)), 0x0b], // mut i64 = fuel
    ...[0x7f, 0x01, 0x41, 0x00, 0x0b], // mut i32 = 0
  ];
  const newExports = [
    ...encodeName(FUEL_EXPORT), 0x03, ...encodeU32(fuelGlobal),
    ...encodeName(GROW_EXPORT), 0x03, ...encodeU32(growGlobal),
  ];
  for (const s of sections) {
    if (s.id === SECTION.global) {
      s.payload = appendToVector(s.payload, newGlobals, 2);
    } else if (s.id === SECTION.export) {
      sawExport = true;
      assertExportNamesFree(s.payload, [FUEL_EXPORT, GROW_EXPORT]);
      s.payload = appendToVector(s.payload, newExports, 2);
    } else if (s.id === SECTION.code) {
      const out = rewriteCode(s.payload, fuelGlobal, growGlobal, originalGlobalCount);
      s.payload = out.payload;
      chargePoints = out.chargePoints;
    }
  }
  if (!sawGlobal) insertSection(sections, { id: SECTION.global, payload: Uint8Array.from([0x02, ...newGlobals]) });
  if (!sawExport) insertSection(sections, { id: SECTION.export, payload: Uint8Array.from([0x02, ...newExports]) });

  const bytes = joinSections(sections);
  if (!WebAssembly.validate(bytes as BufferSource)) throw new InvalidModuleError("instrumented module does not validate");
  return { bytes, fuel: opts.fuel, maxMemoryPages: opts.maxMemoryPages, memoryImport, chargePoints };
}

/**
 * Replaces a single defined memory by an import with the same (already capped) limits. The
 * memory index stays 0, so no instruction changes; active data segments still initialise it.
 */
function hoistMemory(sections: Section[]): MemoryImport | undefined {
  const at = sections.findIndex((s) => s.id === SECTION.memory);
  if (at < 0) return undefined;
  const r = new Reader(sections[at]!.payload);
  if (r.u32() !== 1) return undefined;
  r.byte(); // flags: always 0x01 after capLimits
  const initial = r.u32();
  const maximum = r.u32();
  const entry = [
    ...encodeName(MEMORY_IMPORT.module),
    ...encodeName(MEMORY_IMPORT.name),
    0x02, 0x01, ...encodeU32(initial), ...encodeU32(maximum),
  ];
  sections.splice(at, 1);
  const imports = sections.find((s) => s.id === SECTION.import);
  if (imports) imports.payload = appendToVector(imports.payload, entry, 1);
  else insertSection(sections, { id: SECTION.import, payload: Uint8Array.from([0x01, ...entry]) });
  return { module: MEMORY_IMPORT.module, name: MEMORY_IMPORT.name, initial, maximum };
}

function insertSection(sections: Section[], section: Section): void {
  const rank = sectionRank(section.id);
  const at = sections.findIndex((s) => s.id !== SECTION.custom && sectionRank(s.id) > rank);
  if (at < 0) sections.push(section);
  else sections.splice(at, 0, section);
}

function appendToVector(payload: Uint8Array, entries: readonly number[], n: number): Uint8Array {
  const r = new Reader(payload);
  const count = r.u32();
  const sink = new ByteSink();
  sink.push(encodeU32(count + n));
  sink.push(payload.subarray(r.pos));
  sink.push(entries);
  return sink.result();
}

function assertExportNamesFree(payload: Uint8Array, names: readonly string[]): void {
  const r = new Reader(payload);
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const name = r.name();
    if (names.includes(name)) throw new InvalidModuleError(`module already exports ${name}`);
    r.byte();
    r.u32();
  }
}

/** Reads memory limits and writes them back capped. */
function capLimits(r: Reader, sink: ByteSink, cap: number): { initial: number; maximum: number } {
  const flags = r.byte();
  if (flags & 0x02) throw new InvalidModuleError("shared memory is not supported");
  if (flags & 0x04) throw new InvalidModuleError("64-bit memory is not supported");
  if (flags > 0x01) throw new InvalidModuleError(`unknown memory limits flags ${flags}`);
  const initial = r.u32();
  const declaredMax = flags === 0x01 ? r.u32() : Infinity;
  if (initial > cap) {
    throw new InvalidModuleError(`module needs ${initial} memory pages at start; the cap is ${cap}`);
  }
  const maximum = Math.min(declaredMax, cap);
  sink.push([0x01, ...encodeU32(initial), ...encodeU32(maximum)]);
  return { initial, maximum };
}

function rewriteMemories(payload: Uint8Array, cap: number): Uint8Array {
  const r = new Reader(payload);
  const count = r.u32();
  const sink = new ByteSink();
  sink.push(encodeU32(count));
  for (let i = 0; i < count; i++) capLimits(r, sink, cap);
  if (!r.done) throw new InvalidModuleError("trailing bytes in memory section");
  return sink.result();
}

function rewriteImports(
  payload: Uint8Array,
  cap: number,
): { payload: Uint8Array; globals: number; memory: MemoryImport | undefined } {
  const r = new Reader(payload);
  const count = r.u32();
  const sink = new ByteSink();
  sink.push(encodeU32(count));
  let globals = 0;
  let memory: MemoryImport | undefined;
  for (let i = 0; i < count; i++) {
    const start = r.pos;
    const module = r.name();
    const name = r.name();
    const kind = r.byte();
    sink.push(payload.subarray(start, r.pos));
    const bodyStart = r.pos;
    switch (kind) {
      case 0x00: // function: type index
        r.u32();
        break;
      case 0x01: // table: reftype + limits
        r.byte();
        if (r.byte() & 0x01) r.u32();
        r.u32();
        break;
      case 0x02: {
        const limits = capLimits(r, sink, cap);
        memory = { module, name, ...limits };
        continue;
      }
      case 0x03: // global: valtype + mutability
        r.byte();
        r.byte();
        globals++;
        break;
      case 0x04: // tag
        r.byte();
        r.u32();
        break;
      default:
        throw new InvalidModuleError(`unknown import kind ${kind}`);
    }
    sink.push(payload.subarray(bodyStart, r.pos));
  }
  if (!r.done) throw new InvalidModuleError("trailing bytes in import section");
  return { payload: sink.result(), globals, memory };
}

function chargeSequence(global: number, cost: number): number[] {
  const g = encodeU32(global);
  return [
    0x23, ...g, // global.get fuel
    0x42, ...encodeS64(BigInt(cost)), // i64.const cost
    0x7d, // i64.sub
    0x24, ...g, // global.set fuel
    0x23, ...g, // global.get fuel
    0x42, 0x00, // i64.const 0
    0x53, // i64.lt_s
    0x04, 0x40, // if (empty)
    0x00, // unreachable
    0x0b, // end
  ];
}

function rewriteCode(
  payload: Uint8Array,
  fuelGlobal: number,
  growGlobal: number,
  originalGlobalCount: number,
): { payload: Uint8Array; chargePoints: number } {
  const r = new Reader(payload);
  const count = r.u32();
  const sink = new ByteSink();
  sink.push(encodeU32(count));
  let chargePoints = 0;
  for (let i = 0; i < count; i++) {
    const size = r.u32();
    const bodyEnd = r.pos + size;
    if (bodyEnd > payload.length) throw new InvalidModuleError("function body past end of code section");
    const body = rewriteBody(new Reader(payload, r.pos, bodyEnd), fuelGlobal, growGlobal, originalGlobalCount);
    chargePoints += body.chargePoints;
    sink.push(encodeU32(body.bytes.length));
    sink.push(body.bytes);
    r.pos = bodyEnd;
  }
  if (!r.done) throw new InvalidModuleError("trailing bytes in code section");
  return { payload: sink.result(), chargePoints };
}

interface Insertion {
  /** Offset in the body after which code is inserted. */
  readonly at: number;
  /** Index of the charge point, or -1 to record a memory.grow result. */
  readonly charge: number;
}

function rewriteBody(r: Reader, fuelGlobal: number, growGlobal: number, originalGlobalCount: number): { bytes: Uint8Array; chargePoints: number } {
  const bodyStart = r.pos;
  const localGroups = r.u32();
  for (let i = 0; i < localGroups; i++) {
    r.u32();
    readValType(r);
  }
  const exprStart = r.pos;

  // Pass 1: cost of each charge point and where loop headers end.
  const costs: number[] = [0];
  const insertions: Insertion[] = [{ at: exprStart, charge: 0 }];
  const frames: number[] = [0]; // charge index of each open block; [0] is the function
  while (frames.length > 0) {
    const op = r.byte();
    costs[frames[frames.length - 1]!]!++;
    switch (op) {
      case 0x02: // block
      case 0x04: // if
        r.skipSigned(33);
        frames.push(frames[frames.length - 1]!);
        break;
      case 0x03: {
        // loop
        r.skipSigned(33);
        const charge = costs.length;
        costs.push(0);
        insertions.push({ at: r.pos, charge });
        frames.push(charge);
        break;
      }
      case 0x0b: // end
        frames.pop();
        break;
      case 0x40: // memory.grow
        r.u32();
        insertions.push({ at: r.pos, charge: -1 });
        break;
      case 0x23: // global.get
      case 0x24: {
        // global.set
        const g = r.u32();
        if (g >= originalGlobalCount) throw new InvalidModuleError(`global index ${g} out of range`);
        break;
      }
      default:
        skipImmediates(r, op);
    }
  }
  if (r.pos !== r.end) throw new InvalidModuleError("function body has bytes after its final end");

  // Pass 2: copy with the charge sequences spliced in.
  const sink = new ByteSink();
  let from = bodyStart;
  for (const ins of insertions) {
    sink.push(r.buf.subarray(from, ins.at));
    if (ins.charge < 0) {
      const g = encodeU32(growGlobal);
      sink.push([0x24, ...g, 0x23, ...g]); // global.set last_grow; global.get last_grow
    } else {
      sink.push(chargeSequence(fuelGlobal, costs[ins.charge]!));
    }
    from = ins.at;
  }
  sink.push(r.buf.subarray(from, r.end));
  return { bytes: sink.result(), chargePoints: insertions.filter((i) => i.charge >= 0).length };
}

function readValType(r: Reader): void {
  const t = r.byte();
  // i32 i64 f32 f64 v128 funcref externref
  if (![0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f].includes(t)) {
    throw new InvalidModuleError(`unsupported value type 0x${t.toString(16)}`);
  }
}

function skipMemarg(r: Reader): void {
  const align = r.u32();
  if (align & 0x40) r.u32(); // multi-memory: memory index
  r.skipSigned(64); // offset (unsigned LEB; same byte framing)
}

/** Skips the immediates of every non-block instruction of MVP + post-MVP features that V8 ships. */
function skipImmediates(r: Reader, op: number): void {
  if (op >= 0x45 && op <= 0xc4) return; // numeric instructions, sign extension
  if (op >= 0x28 && op <= 0x3e) return skipMemarg(r); // loads and stores
  switch (op) {
    case 0x00: // unreachable
    case 0x01: // nop
    case 0x05: // else
    case 0x0f: // return
    case 0x1a: // drop
    case 0x1b: // select
    case 0xd1: // ref.is_null
      return;
    case 0x0c: // br
    case 0x0d: // br_if
    case 0x10: // call
    case 0x12: // return_call
    case 0x20: // local.get
    case 0x21: // local.set
    case 0x22: // local.tee
    case 0x25: // table.get
    case 0x26: // table.set
    case 0x3f: // memory.size
    case 0xd2: // ref.func
      r.u32();
      return;
    case 0x11: // call_indirect
    case 0x13: // return_call_indirect
      r.u32();
      r.u32();
      return;
    case 0x0e: {
      // br_table
      const n = r.u32();
      for (let i = 0; i <= n; i++) r.u32();
      return;
    }
    case 0x1c: {
      // select t*
      const n = r.u32();
      for (let i = 0; i < n; i++) readValType(r);
      return;
    }
    case 0x41: // i32.const
      r.skipSigned(32);
      return;
    case 0x42: // i64.const
      r.skipSigned(64);
      return;
    case 0x43: // f32.const
      r.skip(4);
      return;
    case 0x44: // f64.const
      r.skip(8);
      return;
    case 0xd0: // ref.null
      r.byte();
      return;
    case 0xfc:
      return skipMiscImmediates(r, r.u32());
    case 0xfd:
      return skipSimdImmediates(r, r.u32());
    default:
      throw new InvalidModuleError(`unsupported opcode 0x${op.toString(16)}`);
  }
}

function skipMiscImmediates(r: Reader, sub: number): void {
  if (sub <= 7) return; // saturating truncations
  switch (sub) {
    case 8: // memory.init
    case 10: // memory.copy
    case 12: // table.init
    case 14: // table.copy
      r.u32();
      r.u32();
      return;
    case 9: // data.drop
    case 11: // memory.fill
    case 13: // elem.drop
    case 15: // table.grow
    case 16: // table.size
    case 17: // table.fill
      r.u32();
      return;
    default:
      throw new InvalidModuleError(`unsupported opcode 0xfc ${sub}`);
  }
}

function skipSimdImmediates(r: Reader, sub: number): void {
  if (sub <= 11 || sub === 92 || sub === 93) return skipMemarg(r); // v128 loads/stores
  if (sub === 12 || sub === 13) return r.skip(16); // v128.const, i8x16.shuffle
  if (sub >= 21 && sub <= 34) return r.skip(1); // extract/replace lane
  if (sub >= 84 && sub <= 91) {
    // load/store lane
    skipMemarg(r);
    r.skip(1);
    return;
  }
  if (sub <= 275) return; // the rest of SIMD has no immediates
  throw new InvalidModuleError(`unsupported opcode 0xfd ${sub}`);
}
