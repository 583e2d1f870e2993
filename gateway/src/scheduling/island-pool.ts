/**
 * Helper threads of a parallel solve. Each helper runs an island of the GA/tabu search in a
 * worker thread (`island-worker.ts`) with a seed of its own; islands send each other their
 * improved best chromosomes. The calling thread stays synchronous: it polls its message ports
 * with `receiveMessageOnPort` between generations and waits for the helpers' results with
 * `Atomics.wait`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Chromosome } from './decoder';
import type { LpBound } from './lower-bounds';
import type { CompiledProblem, SchedulingProblem } from './model';
import type { IslandLink, SolveOptions } from './solver';

/** Counters an island reports. */
export interface IslandCounters {
  readonly generations: number;
  readonly tabuIterations: number;
  readonly decodes: number;
  readonly restarts: number;
}

/** What a helper thread starts from (structured-cloned into the worker). */
export interface IslandWorkerData {
  readonly problem: SchedulingProblem;
  readonly options: SolveOptions;
  readonly lp?: LpBound;
  readonly seed: number;
  readonly lbBest: number;
  readonly canStopAtBound: boolean;
  /** Milliseconds the helper may run, from its start. */
  readonly remainingMs: number;
  readonly port: MessagePort;
  /**
   * Int32 slots: [0] set by the caller to stop the helper; [1] set by the helper when it has
   * posted its result; [2] set by the helper once its island runs.
   */
  readonly signal: SharedArrayBuffer;
}

/** Messages between islands. */
export type IslandMessage =
  | { readonly kind: 'best'; readonly seq: Int32Array; readonly asg: Int32Array; readonly obj: number }
  | { readonly kind: 'done'; readonly seq: Int32Array; readonly asg: Int32Array; readonly obj: number; readonly stats: IslandCounters }
  | { readonly kind: 'failed'; readonly message: string };

/** A helper's final best chromosome, its objective and counters. */
export interface HelperResult extends Chromosome {
  readonly obj: number;
  readonly stats: IslandCounters;
}

interface Helper {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly signal: Int32Array;
  /** undefined while running; null when it failed. */
  result?: HelperResult | null;
}

/** Below this much remaining time a helper would spend most of it starting up. */
const SPAWN_MIN_MS = 1500;
/** Longest wait for a stopped helper's result (a tabu run polls the stop flag every 16 iterations). */
const FINISH_TIMEOUT_MS = 10_000;

/** Helper islands of one solve, seen by the calling island as its {@link IslandLink}. */
export class IslandPool implements IslandLink {
  private readonly helpers: Helper[] = [];
  private spawned = false;

  constructor(
    private readonly cp: CompiledProblem,
    private readonly options: SolveOptions,
    private readonly lp: LpBound | undefined,
    private readonly ctx: { readonly seed: number; readonly lbBest: number; readonly canStopAtBound: boolean; readonly deadline: number },
    private readonly count: number,
  ) {}

  /** The calling island runs to its own deadline. */
  stop(): boolean {
    return false;
  }

  /** Starts the helpers (called once the initial population is not already at the lower bound). */
  begin(): void {
    if (!this.spawned) this.spawn();
  }

  /** Sends an improved best to the helpers and returns what they sent (relaying between helpers). */
  exchange(best: (Chromosome & { readonly obj: number }) | null): readonly Chromosome[] {
    if (!this.spawned) this.spawn();
    if (best) for (const h of this.helpers) if (h.result === undefined) h.port.postMessage({ kind: 'best', seq: best.seq, asg: best.asg, obj: best.obj });
    const got: Chromosome[] = [];
    for (const h of this.helpers) {
      this.drain(h, (c) => {
        got.push(c);
        // relay between helpers: the calling thread is the hub
        for (const o of this.helpers) if (o !== h && o.result === undefined) o.port.postMessage({ kind: 'best', seq: c.seq, asg: c.asg, obj: c.obj });
      });
    }
    return got;
  }

  /**
   * Stops the helpers and returns the results of those that finished (failed ones, and those
   * still starting up, which are not waited for, are left out).
   */
  finish(): HelperResult[] {
    for (const h of this.helpers) Atomics.store(h.signal, 0, 1);
    const until = performance.now() + FINISH_TIMEOUT_MS;
    for (const h of this.helpers) {
      while (h.result === undefined && Atomics.load(h.signal, 2) !== 0 && performance.now() < until) {
        this.drain(h, () => undefined);
        if (h.result === undefined) Atomics.wait(h.signal, 1, 0, 50);
      }
      void h.worker.terminate();
    }
    return this.helpers.flatMap((h) => (h.result ? [h.result] : []));
  }

  private spawn(): void {
    this.spawned = true;
    const remainingMs = this.ctx.deadline - performance.now();
    const file = join(__dirname, 'island-worker.js');
    if (remainingMs < SPAWN_MIN_MS || !existsSync(file)) return;
    // functions and solver objects do not cross threads
    const { onProgress: _p, lp: _l, threads: _t, ...options } = this.options;
    for (let i = 1; i <= this.count; i++) {
      const { port1, port2 } = new MessageChannel();
      const signal = new SharedArrayBuffer(12);
      const data: IslandWorkerData = {
        problem: this.cp.source, options, ...(this.lp ? { lp: this.lp } : {}),
        seed: (this.ctx.seed + Math.imul(i, 0x9e3779b9)) >>> 0,
        lbBest: this.ctx.lbBest, canStopAtBound: this.ctx.canStopAtBound, remainingMs, port: port2, signal,
      };
      const worker = new Worker(file, { workerData: data, transferList: [port2] });
      worker.unref();
      this.helpers.push({ worker, port: port1, signal: new Int32Array(signal) });
    }
  }

  private drain(h: Helper, onBest: (c: Chromosome & { readonly obj: number }) => void): void {
    for (let m = receiveMessageOnPort(h.port); m; m = receiveMessageOnPort(h.port)) {
      const msg = m.message as IslandMessage;
      if (msg.kind === 'best') onBest(msg);
      else if (msg.kind === 'done') h.result = { seq: msg.seq, asg: msg.asg, obj: msg.obj, stats: msg.stats };
      else h.result = null;
    }
  }
}
