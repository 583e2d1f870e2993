/**
 * Worker thread of the schedule service: runs one `solve` off the HTTP event loop and posts
 * progress once per generation, then the result (or the error).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SchedulingProblem } from '../model';
import { solve, type SolveOptions } from '../solver';

/** Messages the worker posts. */
export type SolveWorkerMessage =
  | { readonly kind: 'progress'; readonly generation: number; readonly bestObjective: number; readonly seconds: number }
  | { readonly kind: 'done'; readonly result: Awaited<ReturnType<typeof solve>> }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

const { problem, options } = workerData as { problem: SchedulingProblem; options: SolveOptions };
const post = (m: SolveWorkerMessage): void => parentPort!.postMessage(m);

solve(problem, { ...options, onProgress: (p) => post({ kind: 'progress', generation: p.generation, bestObjective: p.bestObjective, seconds: p.seconds }) }).then(
  (result) => post({ kind: 'done', result }),
  (e: unknown) => post({ kind: 'failed', code: (e as { code?: string }).code ?? 'SOLVER_FAILED', message: (e as Error).message ?? String(e) }),
);
