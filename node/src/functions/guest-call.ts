/**
 * One invocation of a guest module: instantiates it with the host ABI, runs the entry point
 * and collects what the guest changed. Runs inside a worker thread; host calls that need the
 * main thread (cache, fetch) go through `hostCall`, which blocks the worker until answered.
 */
import { ABI_MODULE, ACTION, ENTRY_REQUEST, FIELD, HOST_ERR, LOG_LEVELS } from "./abi.js";
import { FUEL_EXPORT, GROW_EXPORT, WASM_PAGE_BYTES, type MemoryImport } from "./instrument.js";
import type { Entry, HeaderList, HostReply, HostRequest, InvocationInput, InvocationOutput } from "./types.js";

export type HostCall = (req: HostRequest) => HostReply;
export type GuestLog = (level: string, message: string) => void;

export class GuestFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fuelUsed: number | undefined,
  ) {
    super(message);
    this.name = "GuestFailure";
  }
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();
const MAX_HEADERS = 128;
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_CACHE_KEY = 512;

function isToken(name: string): boolean {
  return /^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name);
}

function isHeaderValue(value: string): boolean {
  return !/[\0\r\n]/.test(value);
}

export function runGuest(
  module: WebAssembly.Module,
  memoryImport: MemoryImport | undefined,
  /** The memory to import (recycled by the caller); a fresh one is made when absent. */
  importedMemory: WebAssembly.Memory | undefined,
  fuel: number,
  entry: Entry,
  input: InvocationInput,
  hostCall: HostCall,
  log: GuestLog,
): InvocationOutput {
  let memory: WebAssembly.Memory | undefined;
  let result: Uint8Array = new Uint8Array(0);
  let logLines = 0;
  let fetches = 0;
  const inResponse = entry !== ENTRY_REQUEST;

  let requestHeaders: HeaderList | undefined;
  let requestBody: Uint8Array | undefined;
  let responseStatus = input.responseStatus;
  const responseHeaderEdits: Array<[string, string | null]> = [];
  let responseHeaders: HeaderList = input.responseHeaders.slice();
  let responseBody: Uint8Array | undefined;

  const mem = (): Uint8Array => {
    if (!memory) throw new GuestFailure("AEGIS_ERR_FN_TRAP", "guest has no exported memory", undefined);
    return new Uint8Array(memory.buffer);
  };
  const bytesAt = (ptr: number, len: number): Uint8Array => {
    const m = mem();
    if (ptr < 0 || len < 0 || ptr + len > m.length) {
      throw new GuestFailure("AEGIS_ERR_FN_TRAP", `guest passed an out-of-bounds buffer (${ptr}+${len})`, undefined);
    }
    return m.subarray(ptr, ptr + len);
  };
  const str = (ptr: number, len: number): string => utf8d.decode(bytesAt(ptr >>> 0, len >>> 0));
  const give = (bytes: Uint8Array | string | undefined): number => {
    if (bytes === undefined) {
      result = new Uint8Array(0);
      return HOST_ERR.absent;
    }
    result = typeof bytes === "string" ? utf8.encode(bytes) : bytes;
    return result.length;
  };
  const reqHeaders = (): HeaderList => requestHeaders ?? input.requestHeaders;
  const headerValue = (list: HeaderList, name: string): string | undefined => {
    const values = list.filter(([n]) => n === name).map(([, v]) => v);
    return values.length === 0 ? undefined : values.join(", ");
  };
  const setHeader = (list: HeaderList, name: string, value: string | null): HeaderList => {
    const out = list.filter(([n]) => n !== name);
    if (value !== null) out.push([name, value]);
    return out;
  };

  const aegis = {
    get(field: number, namePtr: number, nameLen: number): number {
      switch (field) {
        case FIELD.method:
          return give(input.method);
        case FIELD.uri:
          return give(input.url);
        case FIELD.requestHeader:
          return give(headerValue(reqHeaders(), str(namePtr, nameLen).toLowerCase()));
        case FIELD.requestBody:
          return give(requestBody ?? input.requestBody ?? new Uint8Array(0));
        case FIELD.requestHeaderNames:
          return give([...new Set(reqHeaders().map(([n]) => n))].join("\n"));
        case FIELD.clientIp:
          return give(input.clientIp);
        case FIELD.zone:
          return give(input.zone);
        case FIELD.responseStatus:
          return give(String(responseStatus));
        case FIELD.responseHeader:
          return give(headerValue(responseHeaders, str(namePtr, nameLen).toLowerCase()));
        case FIELD.responseBody:
          return give(responseBody ?? input.responseBody ?? new Uint8Array(0));
        case FIELD.responseHeaderNames:
          return give([...new Set(responseHeaders.map(([n]) => n))].join("\n"));
        default:
          return give(undefined) && HOST_ERR.badArgument;
      }
    },
    result_len(): number {
      return result.length;
    },
    read(ptr: number, len: number): number {
      const n = Math.min(len >>> 0, result.length);
      bytesAt(ptr >>> 0, n).set(result.subarray(0, n));
      return n;
    },
    set(field: number, namePtr: number, nameLen: number, valuePtr: number, valueLen: number): number {
      if (field === FIELD.requestBody || field === FIELD.responseBody) {
        if (valueLen >>> 0 > input.maxBodyBytes) return HOST_ERR.limit;
        const body = bytesAt(valuePtr >>> 0, valueLen >>> 0).slice();
        if (field === FIELD.requestBody) {
          if (inResponse) return HOST_ERR.wrongPhase;
          requestBody = body;
        } else {
          responseBody = body;
        }
        return 0;
      }
      if (field !== FIELD.requestHeader && field !== FIELD.responseHeader) return HOST_ERR.badArgument;
      const name = str(namePtr, nameLen).toLowerCase();
      const value = str(valuePtr, valueLen);
      if (!isToken(name) || !isHeaderValue(value) || value.length > MAX_HEADER_BYTES) return HOST_ERR.badArgument;
      if (field === FIELD.requestHeader) {
        if (inResponse) return HOST_ERR.wrongPhase;
        if (reqHeaders().length >= MAX_HEADERS) return HOST_ERR.limit;
        requestHeaders = setHeader(reqHeaders(), name, value);
      } else {
        if (responseHeaders.length >= MAX_HEADERS) return HOST_ERR.limit;
        responseHeaders = setHeader(responseHeaders, name, value);
        responseHeaderEdits.push([name, value]);
      }
      return 0;
    },
    remove(field: number, namePtr: number, nameLen: number): number {
      const name = str(namePtr, nameLen).toLowerCase();
      if (field === FIELD.requestHeader) {
        if (inResponse) return HOST_ERR.wrongPhase;
        requestHeaders = setHeader(reqHeaders(), name, null);
      } else if (field === FIELD.responseHeader) {
        responseHeaders = setHeader(responseHeaders, name, null);
        responseHeaderEdits.push([name, null]);
      } else {
        return HOST_ERR.badArgument;
      }
      return 0;
    },
    set_status(status: number): number {
      if (status < 100 || status > 599) return HOST_ERR.badArgument;
      responseStatus = status;
      return 0;
    },
    cache_get(keyPtr: number, keyLen: number): number {
      if (keyLen >>> 0 > MAX_CACHE_KEY) return HOST_ERR.limit;
      const reply = hostCall({ op: "cache_get", key: str(keyPtr, keyLen) });
      return reply.code < 0 ? give(undefined) && reply.code : give(reply.value);
    },
    cache_set(keyPtr: number, keyLen: number, valuePtr: number, valueLen: number, ttlSecs: number): number {
      if (keyLen >>> 0 > MAX_CACHE_KEY || valueLen >>> 0 > input.maxBodyBytes) return HOST_ERR.limit;
      const value = bytesAt(valuePtr >>> 0, valueLen >>> 0).slice();
      return hostCall({ op: "cache_set", key: str(keyPtr, keyLen), value, ttlSecs: ttlSecs >>> 0 }).code;
    },
    fetch(methodPtr: number, methodLen: number, urlPtr: number, urlLen: number, bodyPtr: number, bodyLen: number): number {
      if (bodyLen >>> 0 > input.maxBodyBytes || fetches++ >= input.maxFetches) return HOST_ERR.limit;
      const method = str(methodPtr, methodLen).toUpperCase() || "GET";
      const url = str(urlPtr, urlLen);
      const body = bodyLen > 0 ? bytesAt(bodyPtr >>> 0, bodyLen >>> 0).slice() : undefined;
      const reply = hostCall({ op: "fetch", method, url, body });
      if (reply.code < 0) {
        give(undefined);
        return reply.code;
      }
      give(reply.value ?? new Uint8Array(0));
      return reply.code;
    },
    log(level: number, ptr: number, len: number): void {
      if (logLines++ >= input.maxLogLines) return;
      log(LOG_LEVELS[level] ?? "info", str(ptr, Math.min(len >>> 0, 1024)));
    },
  };

  // AssemblyScript's runtime needs these; other languages may simply not import them.
  const env = {
    abort(msgPtr: number, filePtr: number, line: number, col: number): never {
      const text = `${asString(msgPtr) ?? "abort"} at ${asString(filePtr) ?? "?"}:${line}:${col}`;
      throw new GuestFailure("AEGIS_ERR_FN_TRAP", `guest aborted: ${text}`, undefined);
    },
    trace(msgPtr: number): void {
      if (logLines++ < input.maxLogLines) log("debug", asString(msgPtr) ?? "");
    },
    seed(): number {
      return 0x5eed; // deterministic: guests get no entropy
    },
  };
  const asString = (ptr: number): string | undefined => {
    if (!memory || ptr === 0) return undefined;
    const view = new DataView(memory.buffer);
    if (ptr < 4 || ptr > view.byteLength) return undefined;
    const len = view.getUint32(ptr - 4, true);
    if (ptr + len > view.byteLength || len > 2048) return undefined;
    return Buffer.from(memory.buffer, ptr, len).toString("utf16le");
  };

  const imports: WebAssembly.Imports = { [ABI_MODULE]: aegis, env };
  if (memoryImport) {
    memory = importedMemory ?? new WebAssembly.Memory({ initial: memoryImport.initial, maximum: memoryImport.maximum });
    imports[memoryImport.module] = { ...(imports[memoryImport.module] ?? {}), [memoryImport.name]: memory };
  }

  let instance: WebAssembly.Instance | undefined;
  const fuelUsed = (): number | undefined => {
    const g = instance?.exports[FUEL_EXPORT];
    if (!(g instanceof WebAssembly.Global)) return undefined;
    return fuel - Number(g.value as bigint);
  };
  try {
    instance = new WebAssembly.Instance(module, imports);
    if (!memory && instance.exports.memory instanceof WebAssembly.Memory) memory = instance.exports.memory;
    const fn = instance.exports[entry];
    if (typeof fn !== "function") throw new GuestFailure("AEGIS_ERR_FN_TRAP", `module does not export ${entry}`, undefined);
    const ret = (fn as () => unknown)();
    const action = ret === ACTION.respond && !inResponse ? "respond" : "continue";
    return {
      action,
      requestHeaders,
      requestBody,
      responseStatus,
      responseHeaderEdits,
      responseBody,
      fuelUsed: fuelUsed() ?? 0,
    };
  } catch (err) {
    throw classify(err, instance, memory, fuelUsed());
  }
}

function classify(
  err: unknown,
  instance: WebAssembly.Instance | undefined,
  memory: WebAssembly.Memory | undefined,
  fuelUsed: number | undefined,
): GuestFailure {
  const fuel = instance?.exports[FUEL_EXPORT];
  if (fuel instanceof WebAssembly.Global && (fuel.value as bigint) < 0n) {
    return new GuestFailure("AEGIS_ERR_FN_FUEL", `fuel exhausted after ${fuelUsed} units`, fuelUsed);
  }
  const grow = instance?.exports[GROW_EXPORT];
  if (grow instanceof WebAssembly.Global && grow.value === -1) {
    const pages = memory ? memory.buffer.byteLength / WASM_PAGE_BYTES : 0;
    return new GuestFailure("AEGIS_ERR_FN_MEMORY", `memory cap reached (${pages} pages in use, grow refused)`, fuelUsed);
  }
  if (err instanceof GuestFailure) return new GuestFailure(err.code, err.message, fuelUsed);
  if (err instanceof RangeError && /memory/i.test(err.message)) {
    return new GuestFailure("AEGIS_ERR_FN_MEMORY", err.message, fuelUsed);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new GuestFailure("AEGIS_ERR_FN_TRAP", `guest trapped: ${message}`, fuelUsed);
}
