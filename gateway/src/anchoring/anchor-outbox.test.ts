import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Anchor, AnchorKind } from '@forgetrace/chaincode/api';
import { openDemoConsortium, type DemoConsortium } from '../demo/demo-consortium';
import { LedgerClient } from '../ledger/ledger-client';
import { AnchorOutbox, OUTBOX_ALGORITHM, type AnchorOutboxOptions, type OutboxStep } from './anchor-outbox';
import { verifyRecordProof } from './record-proof';

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
});
