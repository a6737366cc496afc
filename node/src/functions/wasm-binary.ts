/**
 * Just enough of the WebAssembly binary format to rewrite a module: LEB128, section
 * framing and a cursor. Anything malformed raises InvalidModuleError.
 */
import { InvalidModuleError } from "./errors.js";

export const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d] as const;
export const WASM_VERSION = [0x01, 0x00, 0x00, 0x00] as const;

export const SECTION = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
  tag: 13,
} as const;

/** Order non-custom sections must appear in. */
const SECTION_RANK: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };

export function sectionRank(id: number): number {
  const r = SECTION_RANK[id];
  if (r === undefined) throw new InvalidModuleError(`unknown section id ${id}`);
  return r;
}

export class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  byte(): number {
    if (this.pos >= this.end) throw new InvalidModuleError("unexpected end of module");
    return this.buf[this.pos++]!;
  }

  bytes(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.end) throw new InvalidModuleError("unexpected end of module");
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(n: number): void {
    this.bytes(n);
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) throw new InvalidModuleError("u32 out of range");
        return result;
      }
      shift += 7;
    }
    throw new InvalidModuleError("u32 LEB128 too long");
  }

  /** Signed LEB128 of up to `bits` bits; the value is skipped, not returned (callers only copy it). */
  skipSigned(bits: number): void {
    const maxBytes = Math.ceil(bits / 7);
    for (let i = 0; i < maxBytes; i++) {
      if ((this.byte() & 0x80) === 0) return;
    }
    throw new InvalidModuleError(`s${bits} LEB128 too long`);
  }

  name(): string {
    const len = this.u32();
    return new TextDecoder("utf-8", { fatal: true }).decode(this.bytes(len));
  }
}

export function encodeU32(n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`u32 out of range: ${n}`);
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function encodeS64(value: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asIntN(64, value);
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    const signBit = (b & 0x40) !== 0;
    if ((v === 0n && !signBit) || (v === -1n && signBit)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export function encodeName(s: string): number[] {
  const bytes = new TextEncoder().encode(s);
  return [...encodeU32(bytes.length), ...bytes];
}

export interface Section {
  readonly id: number;
  /** Section payload (without id and size). */
  payload: Uint8Array;
}

export function splitSections(bytes: Uint8Array): Section[] {
  if (bytes.length < 8) throw new InvalidModuleError("not a WebAssembly module (too short)");
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== WASM_MAGIC[i]) throw new InvalidModuleError("not a WebAssembly module (bad magic)");
    if (bytes[i + 4] !== WASM_VERSION[i]) throw new InvalidModuleError("unsupported WebAssembly version");
  }
  const r = new Reader(bytes, 8);
  const sections: Section[] = [];
  let lastRank = 0;
  while (!r.done) {
    const id = r.byte();
    const size = r.u32();
    const payload = r.bytes(size);
    if (id !== SECTION.custom) {
      const rank = sectionRank(id);
      if (rank <= lastRank) throw new InvalidModuleError(`section ${id} out of order or repeated`);
      lastRank = rank;
    }
    sections.push({ id, payload });
  }
  return sections;
}

export function joinSections(sections: readonly Section[]): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.from([...WASM_MAGIC, ...WASM_VERSION])];
  for (const s of sections) {
    parts.push(Uint8Array.from([s.id, ...encodeU32(s.payload.length)]));
    parts.push(s.payload);
  }
  return concat(parts);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Grows a byte buffer without per-byte array overhead. */
export class ByteSink {
  private buf = new Uint8Array(1024);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  push(bytes: ArrayLike<number>): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
