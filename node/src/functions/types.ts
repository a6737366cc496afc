/** Types shared by the edge-functions runtime (main thread and workers). */
import type { MemoryImport } from "./instrument.js";

export type Entry = "on_request" | "on_response";

export interface RuntimeLimits {
  /** Wall time per invocation, host calls (fetch, cache) excluded. */
  readonly wallTimeMs: number;
  /** Fuel units per invocation (≈ wasm instructions). */
  readonly fuel: number;
  /** Linear memory cap in MiB. */
  readonly memoryMb: number;
}

export interface FunctionsRuntimeConfig extends RuntimeLimits {
  /** Worker threads in the pool. */
  readonly workers: number;
  /** Invocations allowed to wait for a worker before new ones are refused. */
  readonly maxQueue: number;
  /** Outbound fetch time limit when the route sets none. */
  readonly fetchTimeoutMs: number;
  readonly maxFetchesPerInvocation: number;
  /** Largest outbound fetch response body a guest may receive. */
  readonly maxFetchBytes: number;
  /** Largest request/response body handed to or accepted from a guest. */
  readonly maxBodyBytes: number;
  /** Zone cache (shared by all zones, keys are zone-scoped). */
  readonly cacheMaxBytes: number;
  readonly cacheMaxTtlSecs: number;
  readonly maxLogLinesPerInvocation: number;
}

export const DEFAULT_RUNTIME_CONFIG: FunctionsRuntimeConfig = Object.freeze({
  workers: 2,
  maxQueue: 1024,
  wallTimeMs: 50,
  fuel: 10_000_000,
  memoryMb: 50,
  fetchTimeoutMs: 1000,
  maxFetchesPerInvocation: 4,
  maxFetchBytes: 256 * 1024,
  maxBodyBytes: 1024 * 1024,
  cacheMaxBytes: 32 * 1024 * 1024,
  cacheMaxTtlSecs: 3600,
  maxLogLinesPerInvocation: 32,
});

export interface ModuleStoreConfig {
  /** IPFS HTTP gateways tried in order, e.g. http://127.0.0.1:8080 (path /ipfs/<cid> is appended). */
  readonly gateways: readonly string[];
  /** Directory where verified modules are kept, one file per CID. */
  readonly cacheDir: string;
  readonly maxModuleBytes: number;
  readonly fetchTimeoutMs: number;
}

/** A verified, instrumented and compiled module, ready to be sent to workers. */
export interface LoadedModule {
  /** Cache key: cid + the limits baked into the instrumented bytes. */
  readonly key: string;
  readonly cid: string;
  readonly module: WebAssembly.Module;
  readonly memoryImport: MemoryImport | undefined;
  readonly fuel: number;
  readonly maxMemoryPages: number;
  readonly hasOnRequest: boolean;
  readonly hasOnResponse: boolean;
}

export type HeaderList = Array<[string, string]>;

/** Everything a guest can read; built by the dispatcher, sent to a worker. */
export interface InvocationInput {
  readonly zone: string;
  readonly clientIp: string;
  readonly method: string;
  readonly url: string;
  readonly requestHeaders: HeaderList;
  readonly requestBody: Uint8Array | undefined;
  /** Present in on_response, and in on_request once an earlier module set parts of the response. */
  readonly responseStatus: number;
  readonly responseHeaders: HeaderList;
  readonly responseBody: Uint8Array | undefined;
  readonly maxBodyBytes: number;
  readonly maxLogLines: number;
  readonly maxFetches: number;
}

export interface InvocationOutput {
  readonly action: "continue" | "respond";
  /** Full request header list, when the guest changed any. */
  readonly requestHeaders: HeaderList | undefined;
  readonly requestBody: Uint8Array | undefined;
  readonly responseStatus: number;
  /** Response header edits in order: value null removes the header. */
  readonly responseHeaderEdits: Array<[string, string | null]>;
  readonly responseBody: Uint8Array | undefined;
  readonly fuelUsed: number;
}

/** Per-invocation context for host calls that run on the main thread. */
export interface HostCallContext {
  readonly zone: string;
  /** `host` or `host:port` entries a guest may fetch. */
  readonly fetchAllow: readonly string[];
  readonly fetchTimeoutMs: number;
}

// ---- messages between the pool and its workers ----

export type HostRequest =
  | { readonly op: "cache_get"; readonly key: string }
  | { readonly op: "cache_set"; readonly key: string; readonly value: Uint8Array; readonly ttlSecs: number }
  | {
      readonly op: "fetch";
      readonly method: string;
      readonly url: string;
      readonly body: Uint8Array | undefined;
    };

/** `code` ≥ 0: success (HTTP status for fetch); negative: one of HOST_ERR. */
export interface HostReply {
  readonly code: number;
  readonly value: Uint8Array | undefined;
}

export type ToWorker =
  | {
      readonly type: "invoke";
      readonly id: number;
      readonly key: string;
      /** Sent only the first time a worker sees this key. */
      readonly module: WebAssembly.Module | undefined;
      readonly memoryImport: MemoryImport | undefined;
      readonly fuel: number;
      readonly entry: Entry;
      readonly input: InvocationInput;
    }
  | { readonly type: "forget"; readonly key: string };

export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "done"; readonly id: number; readonly output: InvocationOutput }
  | { readonly type: "failed"; readonly id: number; readonly code: string; readonly message: string; readonly fuelUsed: number | undefined }
  | { readonly type: "log"; readonly id: number; readonly level: string; readonly message: string };
