/**
 * Worker thread of {@link buildTreeOffThread}: builds outbox Merkle trees (the same `buildTree` as
 * on the calling thread) so that hashing a batch's tree uses the second core while the outbox
 * keeps storing records. Messages: `{ id, leaves }` in, `{ id, nodes, sortedLeaves }` or
 * `{ id, error }` out; the buffers are transferred, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { keccakReady } from './keccak';
import { buildTree } from './outbox-tree';

interface Job { readonly id: number; readonly leaves: Uint8Array }

const port = parentPort;
if (port) {
  port.on('message', (job: Job) => {
    // The WebAssembly Keccak loads asynchronously; trees built before it is ready are the same, only slower.
    void keccakReady.then(() => {
      try {
        const { nodes, sortedLeaves } = buildTree(job.leaves);
        port.postMessage({ id: job.id, nodes, sortedLeaves }, [nodes.buffer as ArrayBuffer, sortedLeaves.buffer as ArrayBuffer]);
      } catch (e) {
        port.postMessage({ id: job.id, error: e instanceof Error ? e.message : String(e) });
      }
    });
  });
}
