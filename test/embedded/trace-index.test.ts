/**
 * The gateway assembles part traces from its index and checks them against the ledger: the
 * assembled page must be byte-identical to the chaincode's own trace, its walk digest equal to
 * `trace:GetPartTraceDigest`, and a damaged index must show as a digest mismatch.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { assembleTraceFromIndex } from '@forgetrace/gateway/dist/api/trace-from-index';
import { Indexer, SqliteStore } from '@forgetrace/gateway/indexer';
import { evaluate, openHarness, type Harness } from '../support/harness';
import { bomChain, ensureConsortium } from '../support/scenario';

describe('trace assembled from the index, checked against the ledger', function () {
  this.timeout(60_000);
  let h: Harness;
  let store: SqliteStore;
  let indexer: Indexer;
  let top: string;
  let dir: string;

  before(async () => {
    h = await openHarness();
    await ensureConsortium(h);
    top = (await bomChain(h, 5)).parts[0]!;
    dir = await mkdtemp(join(tmpdir(), 'ft-trace-index-'));
    store = await SqliteStore.open({ filename: join(dir, 'index.db') });
    indexer = new Indexer({ ledger: h.ledger, identity: h.ids.auditor, store });
    await indexer.start();
    await indexer.waitFor((await h.ledger.height()) - 1, { timeoutMs: 30_000 });
  });
  after(async () => {
    await indexer?.stop();
    await store?.close();
    await h?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const ledgerTrace = async (options: object): Promise<string> => Buffer.from(await h.ledger.evaluate(h.ids.auditor, 'trace:GetPartTrace', [top, JSON.stringify(options)])).toString('utf8');

  it('gives the chaincode’s bytes for a BOM of depth 5, at every depth limit', async () => {
    for (const maxDepth of [0, 2, 5, 10]) {
      const options = { maxDepth, pageSize: 1000 };
      const assembled = await assembleTraceFromIndex(store, top, options);
      expect(assembled, `maxDepth ${maxDepth}`).to.not.equal(undefined);
      expect(assembled!.body).to.equal(await ledgerTrace(options));
      const digest = await evaluate<{ digest: string; totalEntries: number }>(h, h.ids.auditor, 'trace:GetPartTraceDigest', [top, { maxDepth }]);
      expect(assembled!.digest).to.equal(digest.digest);
      expect(assembled!.totalEntries).to.equal(digest.totalEntries);
    }
  });

  it('pages exactly as the chaincode does', async () => {
    let token: string | null = null;
    let pages = 0;
    do {
      const options: { pageSize: number; pageToken?: string } = { pageSize: 7, ...(token ? { pageToken: token } : {}) };
      const assembled = await assembleTraceFromIndex(store, top, options);
      const expected = await ledgerTrace(options);
      expect(assembled!.body).to.equal(expected);
      token = (JSON.parse(expected) as { nextPageToken: string | null }).nextPageToken;
      pages++;
    } while (token);
    expect(pages).to.be.greaterThan(3);
  });

  it('answers undefined for a part the index does not have, and the ledger says NOT_FOUND', async () => {
    expect(await assembleTraceFromIndex(store, 'NO-SUCH-PART')).to.equal(undefined);
  });

  it('a damaged index entry changes the digest, so the check against the ledger fails', async () => {
    const before = await assembleTraceFromIndex(store, top, { maxDepth: 10 });
    // Damage one stored event behind the store's back (a bad restore, a manual edit).
    const raw = new DatabaseSync(join(dir, 'index.db'));
    try {
      const changed = raw.prepare(`UPDATE part_events SET doc = replace(doc, '"mspId":"Org1MSP"', '"mspId":"Org2MSP"') WHERE part_id = ? AND seq = 2`).run(top);
      expect(changed.changes).to.equal(1);
    } finally {
      raw.close();
    }
    const after = await assembleTraceFromIndex(store, top, { maxDepth: 10 });
    const ledger = await evaluate<{ digest: string }>(h, h.ids.auditor, 'trace:GetPartTraceDigest', [top, { maxDepth: 10 }]);
    expect(before!.digest).to.equal(ledger.digest);
    expect(after!.digest).to.not.equal(ledger.digest);
    expect(after!.body).to.not.equal(before!.body);
  });
});
