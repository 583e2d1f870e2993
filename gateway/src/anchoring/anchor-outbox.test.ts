import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import type { Anchor, AnchorKind } from '@forgetrace/chaincode/api';
import { openDemoConsortium, type DemoConsortium } from '../demo/demo-consortium';
import { LedgerClient } from '../ledger/ledger-client';
import { AnchorOutbox, OUTBOX_ALGORITHM, type AnchorOutboxOptions, type OutboxStep } from './anchor-outbox';
import { LEAF_ENCODING, leafSetHash, payloadHash, verifyRecordProof, type OutboxLeaf } from './record-proof';
import { formatRecordId, recordOrdinal } from './record-ids';
import { recordLeafHash } from './outbox-tree';

describe('AnchorOutbox', () => {
  let dir: string;
  let demo: DemoConsortium;
  let ledger: LedgerClient;
  const opened: AnchorOutbox[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'forgetrace-outbox-'));
    demo = await openDemoConsortium(join(dir, 'demo'));
    ledger = new LedgerClient(demo.ledger);
  });
  after(async () => {
    await demo.ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    for (const o of opened.splice(0)) await o.close();
  });

  function open(options: Partial<AnchorOutboxOptions> = {}): AnchorOutbox {
    const o = AnchorOutbox.open({ filename: ':memory:', ledger, identity: demo.users.admin1, ...options });
    opened.push(o);
    return o;
  }
  const getAnchor = (id: string) => ledger.evaluate<Anchor>(demo.users.admin1, 'anchors:GetAnchor', [id]);
  const listAnchors = (kind: AnchorKind) => ledger.evaluate<Anchor[]>(demo.users.admin1, 'anchors:ListAnchors', [kind, { limit: 1000 }]);

  it('anchors a batch with one CreateAnchor and gives proofs that verify against the ledger anchor', async () => {
    const outbox = open();
    const payloads = [{ machine: 'DE-MILL-01', temp: 41.5 }, { b: [1, 2, { c: null }], a: 'x' }, 'plain', 7];
    const ids = payloads.map((payload) => outbox.add({ kind: 'telemetry', payload }));
    const before = (await listAnchors('telemetry')).length;
    const result = await outbox.flush({ force: true });
    expect(result.batched).to.have.length(1);
    expect(result.anchored).to.deep.equal(result.batched);
    expect(await listAnchors('telemetry')).to.have.length(before + 1);
    const anchor = await getAnchor(result.batched[0]!);
    expect(anchor).to.include({ kind: 'telemetry', leafCount: 4, algorithm: OUTBOX_ALGORITHM, algorithmVersion: '1' });
    expect(anchor.merkleRoot).to.match(/^[0-9a-f]{64}$/);
    ids.forEach((id, i) => {
      const p = outbox.proof(id);
      expect(p).to.include({ recordId: id, anchorId: anchor.id, transactionId: anchor.recorded.txId });
      expect(p.blockNumber).to.be.a('number');
      expect(p.root).to.equal('0x' + anchor.merkleRoot);
      expect(verifyRecordProof(payloads[i], p, anchor)).to.equal(true);
      expect(outbox.get(id)?.state).to.equal('anchored');
    });
    // Key order does not matter (canonical JSON).
    expect(verifyRecordProof({ temp: 41.5, machine: 'DE-MILL-01' }, outbox.proof(ids[0]!), anchor)).to.equal(true);
  });

  it('rejects a tampered payload, proof, leaf or anchor', async () => {
    const outbox = open();
    const ids = [1, 2, 3].map((n) => outbox.add({ kind: 'telemetry', payload: { n } }));
    const { batched } = await outbox.flush({ force: true });
    const anchor = await getAnchor(batched[0]!);
    const p = outbox.proof(ids[1]!);
    expect(verifyRecordProof({ n: 2 }, p, anchor)).to.equal(true);
    expect(verifyRecordProof({ n: 3 }, p, anchor)).to.equal(false);
    const sibling = p.proof[0]!;
    const flipped = sibling.slice(0, -1) + (sibling.endsWith('0') ? '1' : '0');
    expect(verifyRecordProof({ n: 2 }, { ...p, proof: [flipped, ...p.proof.slice(1)] }, anchor)).to.equal(false);
    expect(verifyRecordProof({ n: 2 }, { ...p, proof: p.proof.slice(1) }, anchor)).to.equal(false);
    expect(verifyRecordProof({ n: 2 }, { ...p, recordId: ids[0]!, leaf: [ids[0]!, p.leaf[1]] }, anchor)).to.equal(false);
    expect(verifyRecordProof({ n: 2 }, p, { ...anchor, merkleRoot: 'ab'.repeat(32) })).to.equal(false);
    expect(verifyRecordProof({ n: 2 }, p, { ...anchor, id: 'other' })).to.equal(false);
    expect(() => outbox.proof('no-such-record')).to.throw(/not anchored/);
  });

  it('batches by size: full batches are due at once, the rest waits for its age', async () => {
    let now = Date.parse('2026-03-01T10:00:00Z');
    const outbox = open({ maxBatchSize: 3, maxAgeMs: 2000, clock: () => now });
    const ids = Array.from({ length: 7 }, (_, i) => outbox.add({ kind: 'twin', payload: { i } }));
    const first = await outbox.flush();
    expect(first.batched).to.have.length(2);
    expect(outbox.count('twin', 'anchored')).to.equal(6);
    expect(outbox.count('twin', 'pending')).to.equal(1);
    now += 1999;
    expect((await outbox.flush()).batched).to.have.length(0);
    now += 1;
    const second = await outbox.flush();
    expect(second.batched).to.have.length(1);
    expect(outbox.get(ids[6]!)?.state).to.equal('anchored');
    const anchor = await getAnchor(second.batched[0]!);
    expect(anchor.leafCount).to.equal(1);
    expect(anchor.window).to.deep.equal({ from: '2026-03-01T10:00:00.000Z', to: '2026-03-01T10:00:00.000Z' });
  });

  it('batches by age and keeps kinds apart', async () => {
    let now = Date.parse('2026-03-01T10:00:00Z');
    const outbox = open({ maxAgeMs: 2000, clock: () => now });
    outbox.add({ kind: 'recommendation', payload: 'r1' });
    now += 1000;
    outbox.add({ kind: 'recommendation', payload: 'r2' });
    outbox.add({ kind: 'schedule', payload: 's1' });
    expect((await outbox.flush()).batched).to.have.length(0);
    now += 1000;
    const r = await outbox.flush();
    expect(r.batched).to.have.length(1);
    const anchor = await getAnchor(r.batched[0]!);
    expect(anchor).to.include({ kind: 'recommendation', leafCount: 2 });
    expect(anchor.window).to.deep.equal({ from: '2026-03-01T10:00:00.000Z', to: '2026-03-01T10:00:01.000Z' });
    expect(outbox.count('schedule', 'pending')).to.equal(1);
  });

  it('anchors from its timer', async () => {
    const outbox = open({ maxAgeMs: 50 });
    const id = outbox.add({ kind: 'telemetry', payload: { timer: true } });
    outbox.start(20);
    const deadline = Date.now() + 5000;
    while (outbox.get(id)?.state !== 'anchored' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(outbox.get(id)?.state).to.equal('anchored');
  });

  it('forms the next batches while a submission waits for its block, and anchors them in order, each once', async () => {
    // A ledger client whose submissions wait until released (as a slow orderer would make them).
    const held: Array<() => void> = [];
    const slow = new LedgerClient(demo.ledger);
    const submit = slow.submit.bind(slow);
    slow.submit = (async (...args: Parameters<LedgerClient['submit']>) => {
      await new Promise<void>((release) => held.push(release));
      return submit(...args);
    }) as LedgerClient['submit'];
    const steps: string[] = [];
    const outbox = open({ ledger: slow, maxBatchSize: 2, onStep: (s, id) => steps.push(`${s} ${id}`) });
    outbox.addMany([{ kind: 'other', payload: 'o1' }, { kind: 'other', payload: 'o2' }]);
    const first = outbox.flush();
    while (held.length === 0) await new Promise((r) => setImmediate(r));
    outbox.addMany([{ kind: 'other', payload: 'o3' }, { kind: 'other', payload: 'o4' }]);
    const second = outbox.flush();
    // The second batch is formed although the first one's submission has not returned.
    while (steps.length < 2) await new Promise((r) => setImmediate(r));
    expect(steps.map((s) => s.split(' ')[0])).to.deep.equal(['batched', 'batched']);
    expect(held).to.have.length(1);
    const [a, b] = steps.map((s) => s.split(' ')[1]!);
    held.shift()!();
    expect(await first).to.deep.equal({ batched: [a], anchored: [a] });
    while (held.length === 0) await new Promise((r) => setImmediate(r));
    held.shift()!();
    expect(await second).to.deep.equal({ batched: [b], anchored: [b] });
    expect(held).to.have.length(0);
    expect(steps).to.deep.equal([`batched ${a}`, `batched ${b}`, `submitted ${a}`, `anchored ${a}`, `submitted ${b}`, `anchored ${b}`]);
    expect(outbox.count('other', 'anchored')).to.equal(4);
    for (const id of [a, b]) expect((await listAnchors('other')).filter((x) => x.id === id)).to.have.length(1);
  });

  for (const step of ['batched', 'submitted', 'anchored'] as const) {
    it(`recovers from a crash after the "${step}" step: every record anchored exactly once`, async () => {
      const filename = join(dir, `crash-${step}.db`);
      const crash = (s: OutboxStep) => {
        if (s === step) throw new Error(`crash after ${s}`);
      };
      const before = await listAnchors('other');
      const first = AnchorOutbox.open({ filename, ledger, identity: demo.users.admin1, maxBatchSize: 4, onStep: crash });
      const ids = Array.from({ length: 6 }, (_, i) => first.add({ kind: 'other', payload: { step, i } }));
      await first.flush({ force: true }).then(
        () => expect.fail('flush should have crashed'),
        (e: Error) => expect(e.message).to.equal(`crash after ${step}`),
      );
      await first.close();

      const second = AnchorOutbox.open({ filename, ledger, identity: demo.users.admin1, maxBatchSize: 4 });
      opened.push(second);
      await second.flush({ force: true });
      expect(second.count(undefined, 'anchored')).to.equal(6);
      expect(second.count(undefined, 'pending') + second.count(undefined, 'batched')).to.equal(0);

      const batchIds = [...new Set(ids.map((id) => second.get(id)!.batchId!))];
      expect(batchIds).to.have.length(2);
      const after = await listAnchors('other');
      expect(after).to.have.length(before.length + 2);
      for (const b of batchIds) expect(after.filter((a) => a.id === b)).to.have.length(1);
      for (const [i, id] of ids.entries()) {
        const p = second.proof(id);
        expect(p.blockNumber).to.be.a('number');
        const anchor = after.find((a) => a.id === p.anchorId)!;
        expect(p.transactionId).to.equal(anchor.recorded.txId);
        expect(verifyRecordProof({ step, i }, p, anchor)).to.equal(true);
      }
      // Nothing left to do.
      expect(await second.flush({ force: true })).to.deep.equal({ batched: [], anchored: [] });
    });
  }

  describe('addMany (the fast path)', () => {
    it('stores records in one transaction and returns their ids in order; nothing is stored when one payload is not JSON', async () => {
      const outbox = open();
      const payloads = Array.from({ length: 300 }, (_, i) => ({ i, z: 'last', a: [i, { y: 1, x: 2 }] }));
      const ids = outbox.addMany(payloads.map((payload) => ({ kind: 'telemetry', payload })));
      expect(ids).to.have.length(300);
      expect(new Set(ids).size).to.equal(300);
      ids.forEach((id, i) => expect(outbox.get(id)).to.deep.include({ id, kind: 'telemetry', payload: payloads[i], state: 'pending', batchId: null }));
      expect(() => outbox.addMany([{ kind: 'telemetry', payload: { ok: true } }, { kind: 'telemetry', payload: { bad: Number.NaN } }])).to.throw(TypeError);
      expect(() => outbox.addMany([{ kind: 'telemetry', payload: 1 }, { kind: 'telemetry', payload: undefined }])).to.throw(TypeError);
      expect(outbox.count('telemetry', 'pending')).to.equal(300);
      expect(outbox.addMany([])).to.deep.equal([]);
    });

    it('gives proofs equal to StandardMerkleTree.of over the same leaves, which verify with StandardMerkleTree.verify', async () => {
      const outbox = open({ maxBatchSize: 1000 });
      const payloads = Array.from({ length: 77 }, (_, i) => ({ window: i, samples: [i / 10, -i], machine: `M-${i % 3}` }));
      const ids = outbox.addMany(payloads.map((payload) => ({ kind: 'telemetry', payload })));
      const { batched } = await outbox.flush({ force: true });
      expect(batched).to.have.length(1);
      const anchor = await getAnchor(batched[0]!);
      const values: OutboxLeaf[] = ids.map((id, i) => [id, payloadHash(payloads[i])]);
      const reference = StandardMerkleTree.of(values, [...LEAF_ENCODING]);
      expect('0x' + anchor.merkleRoot).to.equal(reference.root);
      expect(anchor.inputHash).to.equal(leafSetHash(reference));
      ids.forEach((id, i) => {
        const p = outbox.proof(id);
        expect(p.leaf).to.deep.equal(values[i]);
        expect(p.root).to.equal(reference.root);
        expect(p.proof).to.deep.equal(reference.getProof(i));
        expect(StandardMerkleTree.verify(anchor.merkleRoot, [...LEAF_ENCODING], values[i]!, [...p.proof])).to.equal(true);
        expect(verifyRecordProof(payloads[i], p, anchor)).to.equal(true);
      });
    });

    it('splits stored chunks across batches of one kind and keeps states, payloads and proofs right', async () => {
      const outbox = open({ maxBatchSize: 4 });
      const a1 = outbox.addMany(Array.from({ length: 6 }, (_, i) => ({ kind: 'schedule' as const, payload: { a1: i } })));
      const mixed = outbox.addMany([{ kind: 'recommendation', payload: 'r0' }, { kind: 'schedule', payload: { mixed: 0 } }, { kind: 'recommendation', payload: 'r1' }]);
      const a2 = outbox.addMany(Array.from({ length: 5 }, (_, i) => ({ kind: 'schedule' as const, payload: { a2: i } })));
      expect(outbox.count('schedule', 'pending')).to.equal(12);
      expect(outbox.count(undefined, 'pending')).to.equal(14);
      const first = await outbox.flush();
      expect(first.batched).to.have.length(3); // 12 of kind schedule: three full batches; recommendation waits
      expect(outbox.count('schedule', 'anchored')).to.equal(12);
      expect(outbox.count('recommendation', 'pending')).to.equal(2);
      const schedule = [...a1, mixed[1]!, ...a2];
      const batchOf = schedule.map((id) => outbox.get(id)!.batchId);
      expect(batchOf).to.deep.equal([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2].map((b) => first.batched[b]));
      for (const [i, id] of schedule.entries()) {
        const payload = i < 6 ? { a1: i } : i === 6 ? { mixed: 0 } : { a2: i - 7 };
        const p = outbox.proof(id);
        expect(p.anchorId).to.equal(batchOf[i]);
        expect(verifyRecordProof(payload, p, await getAnchor(p.anchorId))).to.equal(true);
        expect(outbox.get(id)).to.deep.include({ payload, state: 'anchored' });
      }
      await outbox.flush({ force: true });
      expect(outbox.get(mixed[2]!)).to.deep.include({ payload: 'r1', state: 'anchored' });
      expect(outbox.count(undefined, 'anchored')).to.equal(14);
    });

    it('splits a very large call into several stored segments that read back and anchor like one', async () => {
      const filename = join(dir, 'large.db');
      const outbox = open({ filename, maxBatchSize: 20_000 });
      const many = outbox.addMany(Array.from({ length: 16_400 }, (_, i) => ({ kind: 'telemetry' as const, payload: { i } })));
      const big = 'x'.repeat(1 << 20);
      const large = outbox.addMany(Array.from({ length: 20 }, (_, i) => ({ kind: 'twin' as const, payload: { i, big } })));
      const db = new DatabaseSync(filename);
      const segments = db.prepare('SELECT kind, COUNT(*) AS n FROM outbox_segments GROUP BY kind ORDER BY kind').all();
      db.close();
      expect(segments).to.deep.equal([{ kind: 'telemetry', n: 2 }, { kind: 'twin', n: 2 }]);
      const { batched } = await outbox.flush({ force: true });
      expect(batched).to.have.length(2);
      for (const i of [0, 16_383, 16_384, 16_399]) {
        expect(outbox.get(many[i]!)).to.deep.include({ payload: { i }, state: 'anchored' });
        expect(verifyRecordProof({ i }, outbox.proof(many[i]!), await getAnchor(batched[0]!))).to.equal(true);
      }
      for (const i of [0, 15, 16, 19]) expect(verifyRecordProof({ i, big }, outbox.proof(large[i]!), await getAnchor(batched[1]!))).to.equal(true);
    });

    it('keeps added records across a reopen, and finds only the ids it gave', async () => {
      const filename = join(dir, 'reopen.db');
      const first = AnchorOutbox.open({ filename, ledger, identity: demo.users.admin1 });
      const ids = first.addMany([{ kind: 'twin', payload: { n: 1 } }, { kind: 'twin', payload: { n: 2 } }]);
      await first.close();
      const second = open({ filename });
      expect(ids.map((id) => second.get(id)?.payload)).to.deep.equal([{ n: 1 }, { n: 2 }]);
      const third = second.add({ kind: 'twin', payload: { n: 3 } });
      expect(recordOrdinal(third)).to.equal(recordOrdinal(ids[1]!)! + 1);
      // Same ordinal, other random bits or time; an ordinal not stored; a random UUID.
      const ordinal = recordOrdinal(ids[0]!)!;
      const created = Date.parse(second.get(ids[0]!)!.createdAt);
      for (const forged of [formatRecordId(created, ordinal, 12345), formatRecordId(created + 1, ordinal, 0), formatRecordId(created, ordinal + 10, 0), randomUUID()]) {
        expect(forged).not.to.equal(ids[0]);
        expect(second.get(forged)).to.equal(undefined);
      }
    });

    it('recovers from a crash between submitting and marking when batches split a stored chunk', async () => {
      const filename = join(dir, 'crash-chunks.db');
      const crash = (s: OutboxStep) => {
        if (s === 'submitted') throw new Error('crash');
      };
      const first = AnchorOutbox.open({ filename, ledger, identity: demo.users.admin1, maxBatchSize: 3, onStep: crash });
      const ids = [...first.addMany([1, 2, 3, 4, 5].map((n) => ({ kind: 'other' as const, payload: { chunk: 1, n } }))), ...first.addMany([1, 2].map((n) => ({ kind: 'other' as const, payload: { chunk: 2, n } })))];
      await first.flush({ force: true }).catch(() => undefined);
      await first.close();
      const second = open({ filename, maxBatchSize: 3 });
      await second.flush({ force: true });
      expect(second.count('other', 'anchored')).to.equal(7);
      const batches = [...new Set(ids.map((id) => second.get(id)!.batchId))];
      expect(batches).to.have.length(3);
      const anchors = await listAnchors('other');
      for (const b of batches) expect(anchors.filter((a) => a.id === b)).to.have.length(1);
      for (const id of ids) expect(verifyRecordProof(second.get(id)!.payload, second.proof(id), anchors.find((a) => a.id === second.proof(id).anchorId)!)).to.equal(true);
    });
  });

  describe('files of the first version', () => {
    /** The first version's tables, as it created them. */
    const LEGACY_SCHEMA = `
      CREATE TABLE outbox_records (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, payload TEXT NOT NULL,
        payload_hash TEXT NOT NULL, created_at TEXT NOT NULL, created_ms INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'batched', 'anchored')), batch_id TEXT, leaf_index INTEGER);
      CREATE INDEX outbox_records_pending ON outbox_records (state, kind, seq);
      CREATE TABLE outbox_batches (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, kind TEXT NOT NULL, merkle_root TEXT NOT NULL, leaf_count INTEGER NOT NULL,
        input_hash TEXT NOT NULL, window_from TEXT NOT NULL, window_to TEXT NOT NULL, tree TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('batched', 'anchored')), transaction_id TEXT, block_number INTEGER);`;

    /** A file as the first version left it: an anchored batch, a batch not yet submitted, pending records. */
    function legacyFile(name: string, tamper = false) {
      const filename = join(dir, name);
      const db = new DatabaseSync(filename);
      db.exec(LEGACY_SCHEMA);
      const t0 = Date.parse('2026-03-01T10:00:00Z');
      const records = Array.from({ length: 8 }, (_, i) => ({ id: randomUUID(), kind: i === 7 ? 'twin' : 'telemetry', payload: { window: i, machine: 'DE-MILL-01', tags: { z: i, a: 'x' } }, ms: t0 + 1000 * i }));
      const insert = db.prepare('INSERT INTO outbox_records (id, kind, payload, payload_hash, created_at, created_ms, state, batch_id, leaf_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
      const batches = [
        { members: records.slice(0, 3), state: 'anchored', tx: 'tx-legacy-1', block: 7 },
        { members: records.slice(3, 5), state: 'batched', tx: null, block: null },
      ].map((b, seq) => {
        const values: OutboxLeaf[] = b.members.map((r) => [r.id, payloadHash(r.payload)]);
        const tree = StandardMerkleTree.of(values, [...LEAF_ENCODING]);
        const root = tree.root.slice(2);
        const merkleRoot = tamper && seq === 0 ? 'ab'.repeat(32) : root;
        const id = `ob-${root.slice(0, 24)}`;
        db.prepare('INSERT INTO outbox_batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(id, seq + 1, 'telemetry', merkleRoot, values.length, leafSetHash(tree),
          new Date(b.members[0]!.ms).toISOString(), new Date(b.members.at(-1)!.ms).toISOString(), JSON.stringify(tree.dump()), b.state, b.tx, b.block);
        return { ...b, id, tree };
      });
      for (const r of records) {
        const b = batches.find((x) => x.members.includes(r));
        insert.run(r.id, r.kind, JSON.stringify(r.payload), payloadHash(r.payload), new Date(r.ms).toISOString(), r.ms, b ? b.state : 'pending', b?.id ?? null, b ? b.members.indexOf(r) : null);
      }
      db.close();
      return { filename, records, batches };
    }

    it('are migrated: records keep their ids, payloads, states and proofs; the next flush anchors what was left', async () => {
      const { filename, records, batches } = legacyFile('legacy.db');
      const outbox = open({ filename, maxBatchSize: 4 });
      expect(outbox.count(undefined, 'anchored')).to.equal(3);
      expect(outbox.count(undefined, 'batched')).to.equal(2);
      expect(outbox.count(undefined, 'pending')).to.equal(3);
      for (const [i, r] of records.entries()) {
        const b = batches.find((x) => x.members.includes(r));
        expect(outbox.get(r.id)).to.deep.equal({ id: r.id, kind: r.kind, payload: r.payload, state: b ? b.state : 'pending', createdAt: new Date(r.ms).toISOString(), batchId: b?.id ?? null });
        if (i < 3) {
          const p = outbox.proof(r.id);
          expect(p).to.deep.include({ anchorId: batches[0]!.id, transactionId: 'tx-legacy-1', blockNumber: 7, root: batches[0]!.tree.root });
          expect(p.proof).to.deep.equal(batches[0]!.tree.getProof(i));
        }
      }
      const added = outbox.add({ kind: 'telemetry', payload: { after: 'migration' } });
      const { batched, anchored } = await outbox.flush({ force: true });
      expect(anchored.slice(0, 1)).to.deep.equal([batches[1]!.id]);
      expect(batched).to.have.length(2); // telemetry (2 old + 1 new), twin (1 old)
      expect(outbox.count(undefined, 'anchored')).to.equal(9);
      for (const r of records.slice(3)) expect(verifyRecordProof(r.payload, outbox.proof(r.id), await getAnchor(outbox.proof(r.id).anchorId))).to.equal(true);
      expect(verifyRecordProof({ after: 'migration' }, outbox.proof(added), await getAnchor(outbox.proof(added).anchorId))).to.equal(true);
      await outbox.close();
      const again = open({ filename });
      expect(again.count(undefined, 'anchored')).to.equal(9);
    });

    it('are left untouched when they do not hold together', () => {
      const { filename } = legacyFile('legacy-tampered.db', true);
      expect(() => AnchorOutbox.open({ filename, ledger, identity: demo.users.admin1 })).to.throw(/does not rebuild to its Merkle root/);
      const db = new DatabaseSync(filename);
      const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
      const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
      db.close();
      expect(tables).to.include.members(['outbox_batches', 'outbox_records']);
      expect(tables).not.to.include('outbox_segments');
      expect(version).to.equal(0);
    });
  });

  describe('files of version 2 (leaf hashes stored per record)', () => {
    it('keep their leaves, ids, states and proofs; their pending records and new ones are anchored with proofs that verify', async () => {
      const filename = join(dir, 'version2.db');
      let outbox = AnchorOutbox.open({ filename, ledger, identity: demo.users.admin1, maxBatchSize: 4 });
      const first = outbox.addMany(Array.from({ length: 6 }, (_, i) => ({ kind: 'telemetry' as const, payload: { v2: i } })));
      const early = await outbox.flush(); // one full batch of 4; 2 stay pending
      expect(early.anchored).to.have.length(1);
      await outbox.close();
      // Turn it into a version-2 file: leaf hashes in `leaves`, no payload_hashes column.
      const db = new DatabaseSync(filename);
      for (const seg of db.prepare('SELECT start, size, created_ms, randoms, leaves FROM outbox_segments').all() as Array<{ start: number; size: number; created_ms: number; randoms: Uint8Array; leaves: Uint8Array }>) {
        const randoms = Buffer.from(seg.randoms), leaves = Buffer.from(seg.leaves);
        for (let k = 0; k < seg.size; k++) {
          const id = formatRecordId(seg.created_ms, seg.start + k, randoms.readUInt32LE(4 * k));
          recordLeafHash(id, leaves.subarray(32 * k, 32 * k + 32)).forEach((b, j) => { leaves[32 * k + j] = b; });
        }
        db.prepare('UPDATE outbox_segments SET leaves = ? WHERE start = ?').run(leaves, seg.start);
      }
      db.exec('ALTER TABLE outbox_segments DROP COLUMN payload_hashes; PRAGMA user_version = 2;');
      db.close();

      outbox = AnchorOutbox.open({ filename, ledger, identity: demo.users.admin1, maxBatchSize: 4 });
      opened.push(outbox);
      const check = new DatabaseSync(filename);
      expect((check.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).to.equal(3);
      check.close();
      const later = outbox.addMany([{ kind: 'telemetry', payload: { v3: 0 } }, { kind: 'telemetry', payload: { v3: 1 } }]);
      const rest = await outbox.flush({ force: true });
      // The two old pending records and the two new ones make one batch of 4, mixing both forms.
      expect(rest.anchored).to.have.length(1);
      const all = [...first.map((id, i) => ({ id, payload: { v2: i } })), ...later.map((id, i) => ({ id, payload: { v3: i } }))];
      for (const r of all) {
        expect(outbox.get(r.id)).to.deep.include({ state: 'anchored', payload: r.payload });
        expect(verifyRecordProof(r.payload, outbox.proof(r.id), await getAnchor(outbox.proof(r.id).anchorId))).to.equal(true);
      }
      expect(outbox.proof(first[0]!).anchorId).to.equal(early.anchored[0]);
      expect(outbox.proof(first[5]!).anchorId).to.equal(outbox.proof(later[1]!).anchorId);
    });
  });
});
