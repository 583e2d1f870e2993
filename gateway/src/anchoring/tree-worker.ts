/**
 * Worker thread of {@link buildTreeOffThread}: hashes a batch's leaves and builds its Merkle tree
 * (the same `leavesOf` and `buildTree` as on the calling thread), so that this uses the second
 * core while the outbox keeps storing records. Messages: `{ id, sources }` in (copied),
 * `{ id, nodes, sortedLeaves }` (transferred) or `{ id, error }` out.
 */
import { parentPort } from 'node:worker_threads';
import { keccakReady } from './keccak';
import { buildTree, leavesOf, type LeafSource } from './outbox-tree';

interface Job { readonly id: number; readonly sources: readonly LeafSource[] }

const port = parentPort;
if (port) {
  port.on('message', (job: Job) => {
    // The WebAssembly Keccak loads asynchronously; trees built before it is ready are the same, only slower.
    void keccakReady.then(() => {
      try {
        const { nodes, sortedLeaves } = buildTree(leavesOf(job.sources));
        port.postMessage({ id: job.id, nodes, sortedLeaves }, [nodes.buffer as ArrayBuffer, sortedLeaves.buffer as ArrayBuffer]);
      } catch (e) {
        port.postMessage({ id: job.id, error: e instanceof Error ? e.message : String(e) });
      }
    });
  });
}
