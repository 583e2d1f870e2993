import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Anchor } from '@forgetrace/chaincode/api';
import { openDemoConsortium, type DemoConsortium } from '../demo/demo-consortium';
import { LedgerClient } from '../ledger/ledger-client';
import { AnchorOutbox } from './anchor-outbox';
import { verifyRecordProof } from './record-proof';

const CHILD = join(__dirname, 'testing', 'outbox-crash-child.js');
const RECORDS = 10;
const BATCH = 4; // batches of 4, 4 and 2: the kill comes in the first one

/** Run the child until it kills itself; resolves with the record ids it printed. */
function runUntilKilled(dir: string, filename: string, killAt: string, tag: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CHILD, dir, filename, killAt, String(RECORDS), String(BATCH), tag], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`the child was to be killed at ${killAt}, it exited with ${code} ${signal}: ${err}`));
      try {
        resolve(JSON.parse(out.trim().split('\n')[0]!) as string[]);
      } catch {
        reject(new Error(`the child printed no ids before ${killAt}: ${out} ${err}`));
      }
    });
  });
}

describe('AnchorOutbox: a process killed (SIGKILL) at each step of anchoring', function () {
  this.timeout(120_000);
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'forgetrace-outbox-kill-'));
    const demo = await openDemoConsortium(join(dir, 'demo')); // made once; every process reopens it
    await demo.ledger.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const withLedger = async <T>(fn: (demo: DemoConsortium, ledger: LedgerClient) => Promise<T>): Promise<T> => {
    const demo = await openDemoConsortium(join(dir, 'demo'));
    try {
      return await fn(demo, new LedgerClient(demo.ledger));
    } finally {
      await demo.ledger.close();
    }
  };
  const anchorsOf = (demo: DemoConsortium, ledger: LedgerClient) => ledger.evaluate<Anchor[]>(demo.users.admin1, 'anchors:ListAnchors', ['other', { limit: 1000 }]);

  for (const killAt of ['stored', 'batched', 'in-submit', 'submitted', 'anchored']) {
    it(`killed ${killAt === 'stored' ? 'after storing the records' : killAt === 'in-submit' ? 'while the first CreateAnchor is in flight' : `after the "${killAt}" step`}: a restart anchors every record, each batch once`, async () => {
      const before = await withLedger(async (demo, ledger) => (await anchorsOf(demo, ledger)).length);
      const filename = join(dir, `outbox-${killAt}.db`);
      const ids = await runUntilKilled(join(dir, 'demo'), filename, killAt, killAt);
      expect(ids).to.have.length(RECORDS);

      await withLedger(async (demo, ledger) => {
        const outbox = AnchorOutbox.open({ filename, ledger, identity: demo.users.admin1, maxBatchSize: BATCH });
        try {
          // Nothing the killed process stored is lost.
          expect(ids.map((id) => outbox.get(id)?.payload)).to.deep.equal(ids.map((_, i) => ({ i, tag: killAt })));
          await outbox.flush({ force: true });
          expect(outbox.count(undefined, 'anchored')).to.equal(RECORDS);
          expect(outbox.count(undefined, 'pending') + outbox.count(undefined, 'batched')).to.equal(0);
          const batchIds = [...new Set(ids.map((id) => outbox.get(id)!.batchId!))];
          expect(batchIds).to.have.length(Math.ceil(RECORDS / BATCH));
          // One anchor per batch on the ledger, and no other: nothing anchored twice.
          const anchors = await anchorsOf(demo, ledger);
          expect(anchors).to.have.length(before + batchIds.length);
          for (const b of batchIds) expect(anchors.filter((a) => a.id === b)).to.have.length(1);
          ids.forEach((id, i) => {
            const proof = outbox.proof(id);
            const anchor = anchors.find((a) => a.id === proof.anchorId)!;
            expect(proof.transactionId).to.equal(anchor.recorded.txId);
            expect(verifyRecordProof({ tag: killAt, i }, proof, anchor)).to.equal(true);
          });
          expect(await outbox.flush({ force: true })).to.deep.equal({ batched: [], anchored: [] });
        } finally {
          await outbox.close();
        }
      });
    });
  }
});
