/**
 * Worker-thread entry of the function pool. Keeps compiled modules by key, runs one
 * invocation at a time, and blocks on Atomics.wait while the main thread serves a host call.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";
import { GuestFailure, runGuest } from "./guest-call.js";
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
  try {
    const output = runGuest(module, msg.memoryImport, msg.fuel, msg.entry, msg.input, hostCall, (level, message) =>
      send({ type: "log", id: msg.id, level, message }),
    );
    send({ type: "done", id: msg.id, output });
  } catch (err) {
    const f = err instanceof GuestFailure ? err : new GuestFailure("AEGIS_ERR_FN_TRAP", String(err), undefined);
    send({ type: "failed", id: msg.id, code: f.code, message: f.message, fuelUsed: f.fuelUsed });
  }
});

send({ type: "ready" });
