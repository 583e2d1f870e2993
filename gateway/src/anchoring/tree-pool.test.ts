import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { buildTree, leavesOf, recordLeafHash, treeRoot, type LeafSource } from './outbox-tree';
import { LEAF_ENCODING, type OutboxLeaf } from './record-proof';
import { formatRecordId } from './record-ids';
import { buildTreeOffThread, OFF_THREAD_MIN_LEAVES, stopTreeWorker } from './tree-pool';

const sha = (s: string) => createHash('sha256').update(s).digest();
const leaves = (bytes: Uint8Array): LeafSource[] => [{ kind: 'leaves', bytes }];

function records(n: number, salt = ''): { values: OutboxLeaf[]; bytes: Uint8Array } {
  const values: OutboxLeaf[] = Array.from({ length: n }, (_, i) => [formatRecordId(Date.UTC(2026, 0, 1) + i, i, i * 7919), '0x' + sha(`${salt}payload ${i}`).toString('hex')]);
  return { values, bytes: Buffer.concat(values.map(([id, h]) => recordLeafHash(id, Buffer.from(h.slice(2), 'hex')))) };
}

/** n outbox records stored as the outbox stores them (one creation time, consecutive ordinals from `start`): their sources and leaves. */
function stored(n: number, createdMs: number, start: number): { source: LeafSource; bytes: Uint8Array } {
  const randoms = Buffer.alloc(4 * n), hashes = Buffer.alloc(32 * n);
  const leafList: Uint8Array[] = [];
  for (let k = 0; k < n; k++) {
    randoms.writeUInt32LE((k * 2654435761) >>> 0, 4 * k);
    sha(`stored ${start + k}`).copy(hashes, 32 * k);
    leafList.push(recordLeafHash(formatRecordId(createdMs, start + k, randoms.readUInt32LE(4 * k)), hashes.subarray(32 * k, 32 * k + 32)));
  }
  return { source: { kind: 'records', createdMs, start, randoms, hashes }, bytes: Buffer.concat(leafList) };
}

describe('outbox trees off the thread', () => {
  it('builds on the worker exactly the tree buildTree builds, whose root is StandardMerkleTree\'s', async () => {
    const { values, bytes } = records(OFF_THREAD_MIN_LEAVES + 777);
    const before = Uint8Array.from(bytes);
    const off = await buildTreeOffThread(leaves(bytes));
    const here = buildTree(bytes);
    expect(Buffer.compare(off.nodes, here.nodes)).to.equal(0);
    expect(Buffer.compare(off.sortedLeaves, here.sortedLeaves)).to.equal(0);
    expect(treeRoot(off.nodes)).to.equal(StandardMerkleTree.of(values, [...LEAF_ENCODING]).root);
    // The caller's leaves are neither moved to the worker nor changed.
    expect(Buffer.compare(bytes, before)).to.equal(0);
  });

  it('hashes the leaves of stored records (id from time, ordinal and random bits; payload hash) as the leaves given, here and on the worker', async () => {
    const a = stored(OFF_THREAD_MIN_LEAVES, Date.UTC(2026, 1, 1), 100), b = stored(300, Date.UTC(2026, 1, 2), 100 + OFF_THREAD_MIN_LEAVES), c = records(7, 'mixed');
    const expected = buildTree(Buffer.concat([a.bytes, c.bytes, b.bytes]));
    const mixed: LeafSource[] = [a.source, { kind: 'leaves', bytes: c.bytes }, b.source];
    expect(Buffer.compare(leavesOf(mixed), Buffer.concat([a.bytes, c.bytes, b.bytes]))).to.equal(0);
    expect(treeRoot((await buildTreeOffThread(mixed)).nodes)).to.equal(treeRoot(expected.nodes));
    expect(treeRoot((await buildTreeOffThread([b.source])).nodes)).to.equal(treeRoot(buildTree(b.bytes).nodes));
  });

  it('answers concurrent trees each with its own result, small ones built on this thread', async () => {
    const inputs = [records(OFF_THREAD_MIN_LEAVES, 'a'), records(5, 'b'), records(2 * OFF_THREAD_MIN_LEAVES + 1, 'c'), records(OFF_THREAD_MIN_LEAVES + 3, 'd')];
    const trees = await Promise.all(inputs.map((r) => buildTreeOffThread(leaves(r.bytes))));
    trees.forEach((t, i) => expect(treeRoot(t.nodes), `tree ${i}`).to.equal(treeRoot(buildTree(inputs[i]!.bytes).nodes)));
  });

  it('with shareWork, builds a tree here while the worker has one, and both are right', async () => {
    const a = records(2 * OFF_THREAD_MIN_LEAVES, 'share-a'), b = records(2 * OFF_THREAD_MIN_LEAVES, 'share-b');
    const [ta, tb] = await Promise.all([buildTreeOffThread(leaves(a.bytes), { shareWork: true }), buildTreeOffThread(leaves(b.bytes), { shareWork: true })]);
    expect(treeRoot(ta.nodes)).to.equal(treeRoot(buildTree(a.bytes).nodes));
    expect(treeRoot(tb.nodes)).to.equal(treeRoot(buildTree(b.bytes).nodes));
  });

  it('refuses what buildTree refuses, with the same error', async () => {
    const partial = new Uint8Array(32 * OFF_THREAD_MIN_LEAVES + 5);
    let message = '';
    try { buildTree(partial); } catch (e) { message = (e as Error).message; }
    expect(message).to.match(/leaves of 32 bytes/);
    let off: unknown;
    try { await buildTreeOffThread(leaves(partial)); } catch (e) { off = e; }
    expect(off).to.be.instanceOf(RangeError);
    expect((off as Error).message).to.equal(message);
  });

  it('still answers when the worker stops with trees in flight (built here instead), and starts a new worker later', async () => {
    const inputs = [records(3 * OFF_THREAD_MIN_LEAVES, 'e'), records(3 * OFF_THREAD_MIN_LEAVES, 'f')];
    const inFlight = inputs.map((r) => buildTreeOffThread(leaves(r.bytes)));
    await stopTreeWorker();
    const trees = await Promise.all(inFlight);
    trees.forEach((t, i) => expect(treeRoot(t.nodes)).to.equal(treeRoot(buildTree(inputs[i]!.bytes).nodes)));
    const later = records(OFF_THREAD_MIN_LEAVES, 'g');
    expect(treeRoot((await buildTreeOffThread(leaves(later.bytes))).nodes)).to.equal(treeRoot(buildTree(later.bytes).nodes));
  });

  it('never keeps a process alive: one that only started the worker, or built a tree on it, exits by itself', () => {
    const pool = JSON.stringify(require.resolve('./tree-pool'));
    const run = (script: string) => spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    const warmOnly = run(`require(${pool}).warmTreeWorker(); console.log('started');`);
    expect(warmOnly.error, 'the process that only started the worker did not exit within 20 s').to.equal(undefined);
    expect([warmOnly.status, warmOnly.stdout.trim()]).to.deep.equal([0, 'started']);
    const built = run(`
      const { buildTreeOffThread, warmTreeWorker, OFF_THREAD_MIN_LEAVES } = require(${pool});
      warmTreeWorker();
      const leaves = new Uint8Array(32 * OFF_THREAD_MIN_LEAVES).map((_, i) => (i * 7919) & 255);
      buildTreeOffThread([{ kind: 'leaves', bytes: leaves }]).then((t) => console.log('built', t.nodes.length));`);
    expect(built.error, 'the process that built a tree did not exit within 20 s').to.equal(undefined);
    expect([built.status, built.stdout.trim()]).to.deep.equal([0, 'built ' + 32 * (2 * OFF_THREAD_MIN_LEAVES - 1)]);
  });
});
