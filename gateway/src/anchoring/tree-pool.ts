/**
 * Builds outbox Merkle trees on a worker thread (one per process, started on first use, never
 * keeping the process alive), so a batch's tree hashing runs beside the outbox's own work. The
 * result is exactly `buildTree(leaves)`. Small trees, and every tree when the worker cannot run
 * (its script is missing, it failed or exited), are built on the calling thread instead.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildTree, type OutboxTree } from './outbox-tree';

/** Below this many leaves a tree is built on the calling thread (a message costs more). */
export const OFF_THREAD_MIN_LEAVES = 1024;

interface Pending { readonly resolve: (tree: OutboxTree) => void; readonly reject: (error: unknown) => void; readonly leaves: Uint8Array }
interface Reply { readonly id: number; readonly nodes?: Uint8Array; readonly sortedLeaves?: Uint8Array; readonly error?: string }

let worker: Worker | undefined;
let unusable = false;
let nextId = 0;
const pending = new Map<number, Pending>();

/** Settle a job with the worker's tree, or with `buildTree` on this thread (its tree or its error). */
function settle(job: Pending, tree?: OutboxTree): void {
  try {
    job.resolve(tree ?? buildTree(job.leaves));
  } catch (e) {
    job.reject(e);
  }
}

/** Build on this thread every tree still waiting for a worker that failed or was stopped. */
function fallBack(): void {
  worker = undefined;
  for (const [id, job] of pending) {
    pending.delete(id);
    settle(job);
  }
}

function start(): Worker | undefined {
  if (worker || unusable) return worker;
  const file = join(__dirname, 'tree-worker.js');
  if (!existsSync(file)) {
    unusable = true;
    return undefined;
  }
  const w = new Worker(file);
  w.unref();
  w.on('message', (reply: Reply) => {
    const job = pending.get(reply.id);
    if (!job) return;
    pending.delete(reply.id);
    // A tree the worker refused (it checks like buildTree) is rebuilt here, which throws the same error.
    settle(job, reply.nodes && reply.sortedLeaves ? { nodes: reply.nodes, sortedLeaves: reply.sortedLeaves } : undefined);
    if (pending.size === 0) w.unref();
  });
  w.on('error', () => { unusable = true; fallBack(); });
  w.on('exit', () => { if (worker === w) fallBack(); });
  worker = w;
  return w;
}

/**
 * `buildTree(leaves)`, on the worker thread for large trees. Never rejects for a worker's
 * failure; throws (rejects) only what `buildTree` throws for the leaves themselves.
 */
export async function buildTreeOffThread(leaves: Uint8Array): Promise<OutboxTree> {
  const w = leaves.length / 32 >= OFF_THREAD_MIN_LEAVES ? start() : undefined;
  if (!w) return buildTree(leaves);
  const id = nextId++;
  // The worker gets its own copy: the caller's bytes may be a view into SQLite's result.
  const copy = Uint8Array.from(leaves);
  return new Promise<OutboxTree>((resolve, reject) => {
    pending.set(id, { resolve, reject, leaves }); // kept to build here if the worker fails
    // Pending work keeps the process alive until it is answered.
    w.ref();
    w.postMessage({ id, leaves: copy }, [copy.buffer]);
  });
}

/**
 * Stop the worker (the next large tree starts a new one). Trees it was building are built on
 * the calling thread instead, so their promises still resolve.
 */
export async function stopTreeWorker(): Promise<void> {
  const w = worker;
  if (!w) return;
  worker = undefined;
  await w.terminate();
  fallBack();
}
