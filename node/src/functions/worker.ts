/**
 * Worker-thread entry of the function pool. Keeps compiled modules by key, runs one
 * invocation at a time, and blocks on Atomics.wait while the main thread serves a host call.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";
import { GuestFailure, runGuest } from "./guest-call.js";
import { WASM_PAGE_BYTES, type MemoryImport } from "./instrument.js";
import type { FromWorker, HostReply, HostRequest, ToWorker } from "./types.js";

interface WorkerInit {
  readonly hostPort: MessagePort;
  readonly signal: SharedArrayBuffer;
  /** Longest a host call may block the worker (the main thread applies its own, shorter limits). */
  readonly hostCallMaxMs: number;
}

const init = workerData as WorkerInit;
const flag = new Int32Array(init.signal);
const modules = new Map<string, WebAssembly.Module>();
/**
 * Zeroed memories per module, at their initial size, ready for the next instance. Making a new
 * WebAssembly.Memory reserves a large address range; at thousands per second that drives V8
 * into repeated full GCs (tens of ms). A recycled memory is zeroed before it is reused, and
 * one that grew is dropped, so an instance never sees another request's data.
 */
const memories = new Map<string, WebAssembly.Memory[]>();
const MEMORIES_PER_MODULE = 4;

function acquireMemory(key: string, mi: MemoryImport): WebAssembly.Memory {
  return memories.get(key)?.pop() ?? new WebAssembly.Memory({ initial: mi.initial, maximum: mi.maximum });
}

function releaseMemory(key: string, mi: MemoryImport, memory: WebAssembly.Memory): void {
  if (memory.buffer.byteLength !== mi.initial * WASM_PAGE_BYTES || !modules.has(key)) return;
  let list = memories.get(key);
  if (!list) memories.set(key, (list = []));
  if (list.length >= MEMORIES_PER_MODULE) return;
  new Uint8Array(memory.buffer).fill(0);
  list.push(memory);
}
const port = parentPort!;

function send(msg: FromWorker): void {
  port.postMessage(msg);
}

function hostCall(req: HostRequest): HostReply {
  Atomics.store(flag, 0, 0);
  init.hostPort.postMessage(req);
  const waited = Atomics.wait(flag, 0, 0, init.hostCallMaxMs);
  const reply = receiveMessageOnPort(init.hostPort);
  if (waited === "timed-out" || !reply) return { code: -3, value: undefined };
  return reply.message as HostReply;
}

port.on("message", (msg: ToWorker) => {
  if (msg.type === "forget") {
    modules.delete(msg.key);
    memories.delete(msg.key);
    return;
  }
  let module = modules.get(msg.key);
  if (msg.module) {
    module = msg.module;
    modules.set(msg.key, module);
  }
  if (!module) {
    send({ type: "failed", id: msg.id, code: "AEGIS_ERR_FN_CRASH", message: `worker has no module ${msg.key}`, fuelUsed: undefined });
    return;
  }
  const mi = msg.memoryImport;
  const memory = mi ? acquireMemory(msg.key, mi) : undefined;
  try {
    const output = runGuest(module, mi, memory, msg.fuel, msg.entry, msg.input, hostCall, (level, message) =>
      send({ type: "log", id: msg.id, level, message }),
    );
    send({ type: "done", id: msg.id, output });
  } catch (err) {
    const f = err instanceof GuestFailure ? err : new GuestFailure("AEGIS_ERR_FN_TRAP", String(err), undefined);
    send({ type: "failed", id: msg.id, code: f.code, message: f.message, fuelUsed: f.fuelUsed });
  } finally {
    if (mi && memory) releaseMemory(msg.key, mi, memory);
  }
});

send({ type: "ready" });
