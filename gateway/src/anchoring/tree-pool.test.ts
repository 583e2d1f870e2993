import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { buildTree, recordLeafHash, treeRoot } from './outbox-tree';
import { LEAF_ENCODING, type OutboxLeaf } from './record-proof';
import { formatRecordId } from './record-ids';
import { buildTreeOffThread, OFF_THREAD_MIN_LEAVES, stopTreeWorker } from './tree-pool';

const sha = (s: string) => createHash('sha256').update(s).digest();

function records(n: number, salt = ''): { values: OutboxLeaf[]; bytes: Uint8Array } {
  const values: OutboxLeaf[] = Array.from({ length: n }, (_, i) => [formatRecordId(Date.UTC(2026, 0, 1) + i, i, i * 7919), '0x' + sha(`${salt}payload ${i}`).toString('hex')]);
  return { values, bytes: Buffer.concat(values.map(([id, h]) => recordLeafHash(id, Buffer.from(h.slice(2), 'hex')))) };
}

describe('outbox trees off the thread', () => {
  it('builds on the worker exactly the tree buildTree builds, whose root is StandardMerkleTree\'s', async () => {
    const { values, bytes } = records(OFF_THREAD_MIN_LEAVES + 777);
    const before = Uint8Array.from(bytes);
    const off = await buildTreeOffThread(bytes);
    const here = buildTree(bytes);
    expect(Buffer.compare(off.nodes, here.nodes)).to.equal(0);
    expect(Buffer.compare(off.sortedLeaves, here.sortedLeaves)).to.equal(0);
    expect(treeRoot(off.nodes)).to.equal(StandardMerkleTree.of(values, [...LEAF_ENCODING]).root);
    // The caller's leaves are neither moved to the worker nor changed.
    expect(Buffer.compare(bytes, before)).to.equal(0);
  });

  it('answers concurrent trees each with its own result, small ones built on this thread', async () => {
    const inputs = [records(OFF_THREAD_MIN_LEAVES, 'a'), records(5, 'b'), records(2 * OFF_THREAD_MIN_LEAVES + 1, 'c'), records(OFF_THREAD_MIN_LEAVES + 3, 'd')];
    const trees = await Promise.all(inputs.map((r) => buildTreeOffThread(r.bytes)));
    trees.forEach((t, i) => expect(treeRoot(t.nodes), `tree ${i}`).to.equal(treeRoot(buildTree(inputs[i]!.bytes).nodes)));
  });

  it('refuses what buildTree refuses, with the same error', async () => {
    const partial = new Uint8Array(32 * OFF_THREAD_MIN_LEAVES + 5);
    let message = '';
    try { buildTree(partial); } catch (e) { message = (e as Error).message; }
    expect(message).to.match(/leaves of 32 bytes/);
    let off: unknown;
    try { await buildTreeOffThread(partial); } catch (e) { off = e; }
    expect(off).to.be.instanceOf(RangeError);
    expect((off as Error).message).to.equal(message);
  });

  it('still answers when the worker stops with trees in flight (built here instead), and starts a new worker later', async () => {
    const inputs = [records(3 * OFF_THREAD_MIN_LEAVES, 'e'), records(3 * OFF_THREAD_MIN_LEAVES, 'f')];
    const inFlight = inputs.map((r) => buildTreeOffThread(r.bytes));
    await stopTreeWorker();
    const trees = await Promise.all(inFlight);
    trees.forEach((t, i) => expect(treeRoot(t.nodes)).to.equal(treeRoot(buildTree(inputs[i]!.bytes).nodes)));
    const later = records(OFF_THREAD_MIN_LEAVES, 'g');
    expect(treeRoot((await buildTreeOffThread(later.bytes)).nodes)).to.equal(treeRoot(buildTree(later.bytes).nodes));
  });
});
