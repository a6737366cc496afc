/**
 * A pool of worker threads running guest invocations. Each worker runs one invocation at a
 * time under a wall-time limit; a worker that overruns it (or crashes) is terminated and a
 * fresh one takes its slot. Waiting for a host call (cache, fetch) pauses the wall clock:
 * fetches have their own time limit.
 */
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import type { Logger } from "pino";
import { InvocationError, FunctionError, type FunctionErrorCode } from "./errors.js";
import type { FunctionMetrics } from "./metrics.js";
import type {
  Entry,
  FromWorker,
  HostCallContext,
  HostReply,
  HostRequest,
  InvocationInput,
  InvocationOutput,
  LoadedModule,
  ToWorker,
} from "./types.js";

export type HostHandler = (ctx: HostCallContext, req: HostRequest) => Promise<HostReply>;

export interface PoolOptions {
  readonly size: number;
  readonly maxQueue: number;
  readonly hostHandler: HostHandler;
  readonly logger: Logger;
  readonly metrics: FunctionMetrics;
  /** Modules a worker keeps compiled before it forgets the least recently sent. */
  readonly modulesPerWorker?: number;
}

export interface InvokeRequest {
  readonly module: LoadedModule;
  readonly entry: Entry;
  readonly input: InvocationInput;
  readonly wallTimeMs: number;
  readonly host: HostCallContext;
  /** Labels guest log lines. */
  readonly logContext: Record<string, unknown>;
}

interface Job extends InvokeRequest {
  readonly id: number;
  readonly resolve: (out: InvocationOutput) => void;
  readonly reject: (err: Error) => void;
}

interface Running {
  readonly job: Job;
  remainingMs: number;
  startedAt: number;
  timer: NodeJS.Timeout | undefined;
  inHostCall: boolean;
}

const HOST_CALL_MAX_MS = 30_000;

function workerEntry(): { target: string | URL; eval: boolean } {
  const self = new URL(import.meta.url);
  if (self.pathname.endsWith(".ts")) {
    // Running from TypeScript sources (tsx): the worker registers the same loader first.
    const api = import.meta.resolve("tsx/esm/api");
    const entry = new URL("./worker.ts", self).href;
    return {
      target: `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`,
      eval: true,
    };
  }
  return { target: new URL("./worker.js", self), eval: false };
}

class Slot {
  worker: Worker;
  hostPort: MessagePort;
  flag: Int32Array;
  ready = false;
  running: Running | undefined;
  /** Module keys this worker has compiled, oldest first. */
  readonly loaded = new Set<string>();

  constructor(
    readonly pool: WorkerPool,
    readonly index: number,
  ) {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const entry = workerEntry();
    this.flag = new Int32Array(signal);
    this.hostPort = port1;
    this.worker = new Worker(entry.target, {
      eval: entry.eval,
      workerData: { hostPort: port2, signal, hostCallMaxMs: HOST_CALL_MAX_MS },
      transferList: [port2],
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
      stdout: false,
      stderr: false,
    });
    this.worker.on("message", (msg: FromWorker) => pool.onWorkerMessage(this, msg));
    this.worker.on("error", (err) => pool.onWorkerGone(this, "crash", err));
    this.worker.on("exit", (code) => pool.onWorkerGone(this, "exit", new Error(`worker exited with code ${code}`)));
    port1.on("message", (req: HostRequest) => pool.onHostCall(this, req));
  }

  reply(reply: HostReply): void {
    this.hostPort.postMessage(reply);
    Atomics.store(this.flag, 0, 1);
    Atomics.notify(this.flag, 0);
  }
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readonly readyWaiters: Array<() => void> = [];
  private readonly modulesPerWorker: number;

  constructor(private readonly opts: PoolOptions) {
    if (opts.size < 1) throw new RangeError("pool size must be at least 1");
    this.modulesPerWorker = opts.modulesPerWorker ?? 64;
    for (let i = 0; i < opts.size; i++) this.slots.push(new Slot(this, i));
    opts.metrics.workers.set(0);
  }

  /** Resolves once every worker has started. */
  ready(): Promise<void> {
    if (this.slots.every((s) => s.ready)) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  get queued(): number {
    return this.queue.length;
  }

  invoke(req: InvokeRequest): Promise<InvocationOutput> {
    if (this.closed) return Promise.reject(new FunctionError("AEGIS_ERR_FN_OVERLOADED", "function pool is closed"));
    if (this.queue.length >= this.opts.maxQueue) {
      return Promise.reject(new FunctionError("AEGIS_ERR_FN_OVERLOADED", "function pool queue is full"));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ ...req, id: this.nextId++, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new FunctionError("AEGIS_ERR_FN_OVERLOADED", "function pool closed"));
    await Promise.all(
      this.slots.map(async (s) => {
        if (s.running) this.finish(s, new FunctionError("AEGIS_ERR_FN_OVERLOADED", "function pool closed"));
        s.hostPort.close();
        await s.worker.terminate();
      }),
    );
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.running) continue;
      this.start(slot, this.queue.shift()!);
    }
  }

  private start(slot: Slot, job: Job): void {
    const key = job.module.key;
    const known = slot.loaded.has(key);
    if (known) {
      slot.loaded.delete(key); // re-insert as most recent
    } else if (slot.loaded.size >= this.modulesPerWorker) {
      const oldest = slot.loaded.values().next().value as string;
      slot.loaded.delete(oldest);
      slot.worker.postMessage({ type: "forget", key: oldest } satisfies ToWorker);
    }
    slot.loaded.add(key);
    const running: Running = { job, remainingMs: job.wallTimeMs, startedAt: performance.now(), timer: undefined, inHostCall: false };
    slot.running = running;
    this.arm(slot, running);
    const msg: ToWorker = {
      type: "invoke",
      id: job.id,
      key,
      module: known ? undefined : job.module.module,
      memoryImport: job.module.memoryImport,
      fuel: job.module.fuel,
      entry: job.entry,
      input: job.input,
    };
    slot.worker.postMessage(msg);
  }

  private arm(slot: Slot, running: Running): void {
    running.startedAt = performance.now();
    running.timer = setTimeout(() => this.onTimeout(slot, running), Math.max(0, running.remainingMs));
  }

  private onTimeout(slot: Slot, running: Running): void {
    if (slot.running !== running) return;
    this.opts.logger.warn({ ...running.job.logContext, wallTimeMs: running.job.wallTimeMs }, "edge function timed out; replacing its worker");
    this.finish(slot, new InvocationError("AEGIS_ERR_FN_TIMEOUT", `invocation exceeded ${running.job.wallTimeMs} ms`));
    this.replace(slot, "timeout");
  }

  private finish(slot: Slot, result: InvocationOutput | Error): void {
    const running = slot.running;
    if (!running) return;
    clearTimeout(running.timer);
    slot.running = undefined;
    if (result instanceof Error) running.job.reject(result);
    else running.job.resolve(result);
  }

  private replace(slot: Slot, reason: string): void {
    this.opts.metrics.workerRestarts.inc({ reason });
    const old = slot.worker;
    old.removeAllListeners();
    old.on("error", () => {});
    slot.hostPort.close();
    void old.terminate();
    if (slot.ready) this.opts.metrics.workers.dec();
    if (this.closed) return;
    if (slot.ready) {
      this.slots[slot.index] = new Slot(this, slot.index);
      return;
    }
    // It died before it ever started: do not spin; try again shortly.
    this.opts.logger.error({ slot: slot.index }, "edge function worker failed to start; retrying in 1 s");
    setTimeout(() => {
      if (!this.closed && this.slots[slot.index] === slot) {
        this.slots[slot.index] = new Slot(this, slot.index);
      }
    }, 1000).unref();
  }

  /** @internal */
  onWorkerMessage(slot: Slot, msg: FromWorker): void {
    if (this.slots[slot.index] !== slot) return;
    switch (msg.type) {
      case "ready":
        slot.ready = true;
        this.opts.metrics.workers.inc();
        if (this.slots.every((s) => s.ready)) for (const w of this.readyWaiters.splice(0)) w();
        this.dispatch();
        return;
      case "log": {
        const running = slot.running;
        if (!running || running.job.id !== msg.id) return;
        const level = msg.level as "debug" | "info" | "warn" | "error";
        this.opts.logger[level]({ ...running.job.logContext, guest: true }, msg.message);
        return;
      }
      case "done":
      case "failed": {
        const running = slot.running;
        if (!running || running.job.id !== msg.id) return;
        if (msg.type === "done") this.finish(slot, msg.output);
        else this.finish(slot, new InvocationError(msg.code as FunctionErrorCode, msg.message, msg.fuelUsed));
        this.dispatch();
        return;
      }
    }
  }

  /** @internal */
  onWorkerGone(slot: Slot, reason: string, err: Error): void {
    if (this.slots[slot.index] !== slot || this.closed) return;
    this.opts.logger.error({ err, reason, ...slot.running?.job.logContext }, "edge function worker died; replacing it");
    this.finish(slot, new InvocationError("AEGIS_ERR_FN_CRASH", `worker died: ${err.message}`));
    this.replace(slot, "crash");
    this.dispatch();
  }

  /** @internal */
  onHostCall(slot: Slot, req: HostRequest): void {
    const running = slot.running;
    if (this.slots[slot.index] !== slot || !running) {
      slot.reply({ code: -7, value: undefined });
      return;
    }
    clearTimeout(running.timer);
    running.remainingMs -= performance.now() - running.startedAt;
    if (running.remainingMs <= 0) {
      this.onTimeout(slot, running);
      return;
    }
    running.inHostCall = true;
    this.opts
      .hostHandler(running.job.host, req)
      .catch((): HostReply => ({ code: -4, value: undefined }))
      .then((reply) => {
        running.inHostCall = false;
        if (slot.running !== running) return;
        slot.reply(reply);
        this.arm(slot, running);
      });
  }
}
