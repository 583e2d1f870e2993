/**
 * Hashes outbox leaves and builds Merkle trees on a worker thread (one per process, started on
 * first use, never keeping the process alive), so a batch's hashing runs beside the outbox's own
 * work. The result is exactly `buildTree(leavesOf(sources))`. Small trees, trees asked for with
 * `shareWork` while the worker is busy, and every tree when the worker cannot run (its script is
 * missing, it failed or exited), are built on the calling thread instead.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildTree, leafCountOf, leavesOf, type LeafSource, type OutboxTree } from './outbox-tree';

/** Below this many leaves a tree is built on the calling thread (a message costs more). */
export const OFF_THREAD_MIN_LEAVES = 1024;

interface Pending { readonly resolve: (tree: OutboxTree) => void; readonly reject: (error: unknown) => void; readonly sources: readonly LeafSource[] }
interface Reply { readonly id: number; readonly nodes?: Uint8Array; readonly sortedLeaves?: Uint8Array; readonly error?: string }

let worker: Worker | undefined;
let unusable = false;
let nextId = 0;
const pending = new Map<number, Pending>();

/** Settle a job with the worker's tree, or with `buildTree` on this thread (its tree or its error). */
function settle(job: Pending, tree?: OutboxTree): void {
  try {
    job.resolve(tree ?? buildTree(leavesOf(job.sources)));
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
  // After the listeners: adding a 'message' listener refs the worker's port again.
  w.unref();
  worker = w;
  return w;
}

/**
 * `buildTree(leavesOf(sources))`, on the worker thread for large trees. Never rejects for a
 * worker's failure; throws (rejects) only what `leavesOf` and `buildTree` throw for the input.
 */
export async function buildTreeOffThread(sources: readonly LeafSource[], options: { readonly shareWork?: boolean } = {}): Promise<OutboxTree> {
  // shareWork: while the worker has a tree, this thread builds the next one itself (both cores
  // work, for a caller with nothing else to do); otherwise trees queue for the worker.
  const w = leafCountOf(sources) >= OFF_THREAD_MIN_LEAVES && !(options.shareWork && pending.size > 0) ? start() : undefined;
  if (!w) return buildTree(leavesOf(sources));
  const id = nextId++;
  return new Promise<OutboxTree>((resolve, reject) => {
    pending.set(id, { resolve, reject, sources }); // kept to build here if the worker fails
    // Pending work keeps the process alive until it is answered.
    w.ref();
    // Structured clone copies the sources: the caller's bytes stay where they are.
    w.postMessage({ id, sources });
  });
}

/** Start the worker now (if it can run), so that its start-up is not paid by the first large batch. */
export function warmTreeWorker(): void {
  start();
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
