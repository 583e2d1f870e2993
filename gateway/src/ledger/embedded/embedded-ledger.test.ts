import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { after, afterEach, before, describe, it } from 'mocha';
import { LedgerError, type LedgerEvent } from '../port';
import type { EmbeddedLedger } from './embedded-ledger';
import { createDevOrganization } from './identity';
import { canonicalJson } from './internal/canonical';
import { openLedger, orgs, removeTempDirs, utf8, type Fixture } from './testdata/fixtures';

async function rejectionOf(promise: Promise<unknown>): Promise<LedgerError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(LedgerError);
    return err as LedgerError;
  }
  throw new Error('expected the call to reject');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('EmbeddedLedger', function () {
  this.timeout(20_000);
  let f: Fixture;
  let ledger: EmbeddedLedger;
  const open: EmbeddedLedger[] = [];

  before(async () => {
    f = await orgs();
  });
  afterEach(async () => {
    for (const l of open.splice(0)) await l.close();
  });
  after(() => removeTempDirs());

  async function fresh(options: Parameters<typeof openLedger>[0] = {}): Promise<EmbeddedLedger> {
    const l = await openLedger(options);
    open.push(l);
    return l;
  }

  describe('transactions and identities', () => {
    it('passes the client identity, attributes, peer MSP and clock time to the chaincode', async () => {
      const at = new Date('2030-01-02T03:04:05.678Z');
      ledger = await fresh({ clock: () => at });
      const who = JSON.parse(utf8(await ledger.evaluate(f.alice, 'WhoAmI', []))) as Record<string, unknown>;
      expect(who).to.include({ mspId: 'Org1MSP', role: 'admin', enrollmentId: 'alice', peerMspId: 'Org1MSP', channel: 'forgetrace' });
      expect(who.id).to.match(/^x509::\/CN=alice\/OU=client\/O=Org1::\/CN=ca\.org1\/O=Org1$/);
      expect(who).to.include({ seconds: Math.floor(at.getTime() / 1000), nanos: 678_000_000, date: at.toISOString() });
      const viaOrg2 = JSON.parse(utf8(await ledger.evaluate(f.bob, 'WhoAmI', [], { endorsingOrganizations: ['Org2MSP'] }))) as Record<string, unknown>;
      expect(viaOrg2).to.include({ mspId: 'Org2MSP', role: 'operator', peerMspId: 'Org2MSP' });
    });

    it('decodes the SignedProposal and binding on demand, as a peer would give them', async () => {
      ledger = await fresh();
      const p = JSON.parse(utf8(await ledger.evaluate(f.alice, 'Proposal', [], { transient: { a: 'x', b: 'y' } }))) as Record<string, unknown>;
      expect(p.headerTxId).to.equal(p.txId);
      expect(p).to.include({ headerChannel: 'forgetrace', creatorMsp: 'Org1MSP', transientEntries: 2 });
      expect(p.binding).to.match(/^[0-9a-f]{64}$/);
      expect(p.signatureBytes).to.be.greaterThan(60);
    });

    it('maps chaincode rejections to endorsement errors with the chaincode code', async () => {
      ledger = await fresh();
      const coded = await rejectionOf(ledger.submit(f.alice, 'Fail', ['NOT_FOUND']));
      expect(coded).to.include({ kind: 'endorsement', code: 'NOT_FOUND', message: 'failed with NOT_FOUND' });
      expect(coded.details).to.deep.equal({ reason: 'test' });
      expect(coded.transactionId).to.match(/^[0-9a-f]{64}$/);
      const plain = await rejectionOf(ledger.submit(f.alice, 'FailPlain', []));
      expect(plain).to.include({ kind: 'endorsement', code: 'CHAINCODE_ERROR', message: 'plain failure' });
      expect(await ledger.height()).to.equal(1); // rejected proposals are never ordered
    });

    it('refuses a certificate from a CA that is not the MSP root', async () => {
      ledger = await fresh();
      const rogueCa = await createDevOrganization('Org1MSP');
      const mallory = await rogueCa.issueIdentity({ commonName: 'mallory', role: 'admin' });
      const err = await rejectionOf(ledger.submit(mallory, 'Put', ['k', 'v']));
      expect(err).to.include({ kind: 'endorsement', code: 'INVALID_CREATOR' });
      expect(ledger.getState('k')).to.equal(undefined);
    });

    it('refuses a proposal signed with a key that does not match the certificate', async () => {
      ledger = await fresh();
      const forged = { ...f.alice, privateKey: f.bob.privateKey };
      expect(await rejectionOf(ledger.evaluate(forged, 'WhoAmI', []))).to.include({ kind: 'endorsement', code: 'INVALID_CREATOR' });
    });

    it('refuses an MSP outside the channel and an expired certificate', async () => {
      ledger = await fresh();
      const stranger = await (await createDevOrganization('Org9MSP')).issueIdentity({ commonName: 'x' });
      expect(await rejectionOf(ledger.evaluate(stranger, 'WhoAmI', []))).to.include({ code: 'INVALID_CREATOR' });
      const expired = await f.org1.issueIdentity({ commonName: 'old', notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') });
      expect(await rejectionOf(ledger.evaluate(expired, 'WhoAmI', []))).to.include({ code: 'INVALID_CREATOR' });
      expect(await rejectionOf(ledger.evaluate(f.alice, 'WhoAmI', [], { endorsingOrganizations: ['Org9MSP'] }))).to.include({ code: 'UNKNOWN_ENDORSER' });
    });

    it('commits submits in flight when closing, then rejects calls as unavailable', async () => {
      const l = await openLedger({ batch: { batchTimeoutMs: 200 } });
      const pending = l.submit(f.alice, 'Put', ['k', 'v']);
      await sleep(20);
      await l.close();
      expect((await pending).blockNumber).to.equal(1);
      expect(l.getState('k')).to.not.equal(undefined);
      expect(await rejectionOf(l.submit(f.alice, 'Put', ['k', 'v']))).to.include({ kind: 'unavailable', code: 'LEDGER_CLOSED' });
    });
  });

  describe('state semantics', () => {
    it('reads committed state only, never the transaction’s own writes', async () => {
      ledger = await fresh();
      await ledger.submit(f.alice, 'Put', ['k', 'old']);
      const r = await ledger.submit(f.alice, 'PutThenGet', ['k', 'new']);
      expect(utf8(r.result)).to.equal('old');
      expect(utf8(await ledger.evaluate(f.alice, 'Get', ['k']))).to.equal('new');
      const sim = await ledger.simulate(f.alice, 'PutThenGet', ['fresh-key', 'v']);
      expect(utf8(sim.response.payload)).to.equal('');
      expect(sim.readWriteSet.reads).to.deep.equal([{ key: 'fresh-key', version: null }]);
    });

    it('records read versions and the last write per key; a delete is a delete', async () => {
      ledger = await fresh();
      const { blockNumber } = await ledger.submit(f.alice, 'Put', ['counter', '41']);
      const sim = await ledger.simulate(f.alice, 'Increment', ['counter']);
      expect(sim.readWriteSet.reads).to.deep.equal([{ key: 'counter', version: { blockNum: blockNumber, txNum: 0 } }]);
      expect(sim.readWriteSet.writes).to.deep.equal([{ isDelete: false, key: 'counter', value: Buffer.from('42').toString('base64') }]);
      const del = await ledger.simulate(f.alice, 'Del', ['counter']);
      expect(del.readWriteSet.writes).to.deep.equal([{ isDelete: true, key: 'counter', value: '' }]);
    });

    it('lets exactly one of two concurrent read-modify-write transactions commit (MVCC)', async () => {
      ledger = await fresh();
      const results = await Promise.allSettled([ledger.submit(f.alice, 'Increment', ['c']), ledger.submit(f.bob, 'Increment', ['c'])]);
      const ok = results.filter((r) => r.status === 'fulfilled');
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(ok).to.have.length(1);
      expect(failed).to.have.length(1);
      expect(failed[0]!.reason).to.be.instanceOf(LedgerError).and.to.include({ kind: 'commit', code: 'MVCC_READ_CONFLICT' });
      expect(utf8(await ledger.evaluate(f.alice, 'Get', ['c']))).to.equal('1');
      // Both are in the block; the loser is marked invalid, like Fabric.
      const block = ledger.getBlock((ok[0] as PromiseFulfilledResult<{ blockNumber: number }>).value.blockNumber)!;
      expect(block.data.kind).to.equal('transactions');
      const codes = block.data.kind === 'transactions' ? block.data.transactions.map((t) => t.validationCode) : [];
      expect(codes.sort()).to.deep.equal(['MVCC_READ_CONFLICT', 'VALID']);
      const loserId = (failed[0]!.reason as LedgerError).transactionId;
      expect(ledger.getHistory('c').map((h) => h.txId)).to.not.include(loserId);
    });

    it('detects a phantom read when an earlier transaction in the block adds a key in a scanned range', async () => {
      ledger = await fresh({ batch: { batchTimeoutMs: 300 } });
      await ledger.submit(f.alice, 'PutComposite', ['item', '["a"]', '1']);
      const add = ledger.submit(f.alice, 'PutComposite', ['item', '["b"]', '2']);
      await sleep(50); // endorsed and queued, not yet cut into a block
      const count = ledger.submit(f.alice, 'CountAndAdd', ['item', 'x']);
      const [added, counted] = await Promise.allSettled([add, count]);
      expect(added.status).to.equal('fulfilled');
      expect(counted.status).to.equal('rejected');
      expect((counted as PromiseRejectedResult).reason).to.include({ kind: 'commit', code: 'PHANTOM_READ_CONFLICT' });
      // Without interference the same range transaction commits.
      const again = await ledger.submit(f.alice, 'CountAndAdd', ['item', 'y']);
      expect(utf8(again.result)).to.equal('2');
    });

    it('returns key history newest first with deletes, as Fabric 2.x does', async () => {
      ledger = await fresh();
      const ids: string[] = [];
      ids.push((await ledger.submit(f.alice, 'Put', ['h', '1'])).transactionId);
      ids.push((await ledger.submit(f.alice, 'Put', ['h', '2'])).transactionId);
      ids.push((await ledger.submit(f.alice, 'Del', ['h'])).transactionId);
      ids.push((await ledger.submit(f.alice, 'Put', ['h', '3'])).transactionId);
      const history = JSON.parse(utf8(await ledger.evaluate(f.alice, 'History', ['h']))) as Array<{ txId: string; isDelete: boolean; value: string }>;
      expect(history.map((h) => h.txId)).to.deep.equal([...ids].reverse());
      expect(history.map((h) => [h.isDelete, h.value])).to.deep.equal([
        [false, '3'],
        [true, ''],
        [false, '2'],
        [false, '1'],
      ]);
      expect(ledger.getHistory('h').map((h) => h.txId)).to.deep.equal([...ids].reverse());
    });

    it('orders composite keys as UTF-8 bytes, including astral characters', async () => {
      ledger = await fresh();
      const attrs = ['z', 'a', 'é', '中', '\uFFFD', '😀', 'A', 'a\u0001'];
      for (const a of attrs) await ledger.submit(f.alice, 'PutComposite', ['thing', JSON.stringify([a]), a]);
      await ledger.submit(f.alice, 'Put', ['plain', 'x']);
      const scanned = (JSON.parse(utf8(await ledger.evaluate(f.alice, 'ScanComposite', ['thing', '[]']))) as string[][]).map((k) => k[0]!);
      const expected = [...attrs].sort(utf8Order);
      expect(scanned).to.deep.equal(expected);
      // JavaScript's own order would put the emoji before U+FFFD; Fabric's does not.
      expect(scanned.indexOf('\uFFFD')).to.be.lessThan(scanned.indexOf('😀'));
      // A plain range over everything never returns composite keys.
      expect(JSON.parse(utf8(await ledger.evaluate(f.alice, 'ScanRange', ['', ''])))).to.deep.equal(['plain']);
    });

    it('paginates range queries with Fabric bookmarks and forbids writes after a paginated query', async () => {
      ledger = await fresh();
      for (const k of ['k1', 'k2', 'k3', 'k4', 'k5']) await ledger.submit(f.alice, 'Put', [k, k]);
      const page = async (bookmark: string): Promise<{ keys: string[]; bookmark: string; fetched: number }> =>
        JSON.parse(utf8(await ledger.evaluate(f.alice, 'Page', ['k', 'l', '2', bookmark]))) as { keys: string[]; bookmark: string; fetched: number };
      expect(await page('')).to.deep.equal({ keys: ['k1', 'k2'], bookmark: 'k3', fetched: 2 });
      expect(await page('k3')).to.deep.equal({ keys: ['k3', 'k4'], bookmark: 'k5', fetched: 2 });
      expect(await page('k5')).to.deep.equal({ keys: ['k5'], bookmark: '', fetched: 1 });
      const err = await rejectionOf(ledger.submit(f.alice, 'PageThenWrite', []));
      expect(err).to.include({ kind: 'endorsement', code: 'CHAINCODE_ERROR' });
      expect(err.message).to.match(/paginated query/);
    });
  });

  describe('private data', () => {
    const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

    it('serves values to member peers, hashes to everyone, and keeps values out of blocks', async () => {
      ledger = await fresh();
      const { blockNumber } = await ledger.submit(f.alice, 'PutPrivate', ['c12', 'terms'], { transient: { value: 'price=42' } });
      expect(utf8(await ledger.evaluate(f.alice, 'GetPrivate', ['c12', 'terms']))).to.equal('price=42');
      expect(utf8(await ledger.evaluate(f.bob, 'GetPrivate', ['c12', 'terms']))).to.equal('price=42');
      expect(utf8(await ledger.evaluate(f.carol, 'GetPrivateHash', ['c12', 'terms']))).to.equal(sha('price=42'));
      // Org3's own peer holds no copy; Fabric reports the missing private data.
      const missing = await rejectionOf(ledger.evaluate(f.carol, 'GetPrivate', ['c12', 'terms']));
      expect(missing.message).to.match(/private data matching public hash version is not available/);
      // Through a member peer the value is readable (memberOnlyRead is false for c12).
      expect(utf8(await ledger.evaluate(f.carol, 'GetPrivate', ['c12', 'terms'], { endorsingOrganizations: ['Org1MSP'] }))).to.equal('price=42');
      const blockText = JSON.stringify(ledger.getBlock(blockNumber));
      expect(blockText).to.not.include('price=42');
      expect(blockText).to.not.include(Buffer.from('price=42').toString('base64'));
      expect(blockText).to.include(sha('price=42'));
      expect(blockText).to.include(sha('terms'));
    });

    it('enforces memberOnlyRead and memberOnlyWrite against the creator’s organisation', async () => {
      ledger = await fresh();
      await ledger.submit(f.alice, 'PutPrivate', ['c1only', 'k'], { transient: { value: 'v' } });
      const read = await rejectionOf(ledger.evaluate(f.carol, 'GetPrivate', ['c1only', 'k'], { endorsingOrganizations: ['Org1MSP'] }));
      expect(read.message).to.include('tx creator does not have read access permission on privatedata in chaincodeName:probe collectionName: c1only');
      const write = await rejectionOf(ledger.submit(f.carol, 'PutPrivate', ['c1only', 'k2'], { transient: { value: 'v' }, endorsingOrganizations: ['Org1MSP'] }));
      expect(write.message).to.include('tx creator does not have write access permission');
      expect(await rejectionOf(ledger.submit(f.alice, 'PutPrivate', ['c12', 'k']))).to.include({ code: 'PRIVATE_DATA_MISSING' });
    });

    it('refuses endorsements from peers that disagree', async () => {
      ledger = await fresh();
      await ledger.submit(f.alice, 'PutPrivate', ['c12', 'k'], { transient: { value: 'v' } });
      const err = await rejectionOf(ledger.evaluate(f.alice, 'GetPrivate', ['c12', 'k'], { endorsingOrganizations: ['Org1MSP', 'Org3MSP'] }));
      expect(err).to.include({ kind: 'endorsement', code: 'ENDORSEMENT_MISMATCH' });
      const ok = await ledger.evaluate(f.alice, 'GetPrivate', ['c12', 'k'], { endorsingOrganizations: ['Org1MSP', 'Org2MSP'] });
      expect(utf8(ok)).to.equal('v');
    });
  });

  describe('blocks and events', () => {
    it('chains blocks by hash, starting with a config block', async () => {
      ledger = await fresh();
      await ledger.submit(f.alice, 'Put', ['a', '1']);
      await ledger.submit(f.alice, 'Put', ['b', '2']);
      const genesis = ledger.getBlock(0)!;
      expect(genesis.data.kind).to.equal('config');
      if (genesis.data.kind === 'config') {
        expect(genesis.data.config.channelName).to.equal('forgetrace');
        expect(genesis.data.config.organizations.map((o) => o.mspId)).to.deep.equal(['Org1MSP', 'Org2MSP', 'Org3MSP']);
        expect(genesis.data.config.collections.map((c) => c['name'])).to.deep.equal(['c12', 'c1only']);
      }
      const height = await ledger.height();
      expect(height).to.equal(3);
      for (let n = 1; n < height; n++) {
        const block = ledger.getBlock(n)!;
        expect(block.header.previousHash).to.equal(ledger.getBlock(n - 1)!.hash);
        expect(block.header.dataHash).to.equal(createHash('sha256').update(canonicalJson(block.data)).digest('hex'));
        expect(block.hash).to.equal(createHash('sha256').update(canonicalJson(block.header)).digest('hex'));
      }
      const tx = ledger.getBlock(2)!.data;
      expect(tx.kind === 'transactions' && tx.transactions[0]).to.deep.include({ function: 'Put', args: ['b', '2'], validationCode: 'VALID', chaincode: 'probe' });
    });

    it('replays events from a block, then delivers live ones until aborted (last setEvent wins)', async () => {
      ledger = await fresh();
      const first = await ledger.submit(f.alice, 'Emit', ['Made', 'p1']);
      await ledger.submit(f.alice, 'Emit', ['Shipped', 'p2']);
      const controller = new AbortController();
      const seen: LedgerEvent[] = [];
      const reader = (async () => {
        for await (const event of ledger.events({ startBlock: first.blockNumber, signal: controller.signal })) {
          seen.push(event);
          if (seen.length === 3) controller.abort();
        }
      })();
      await sleep(20);
      expect(seen.map((e) => e.eventName)).to.deep.equal(['Made', 'Shipped']);
      const live = await ledger.submit(f.alice, 'Emit', ['Delivered', 'p3']);
      await reader;
      expect(seen.map((e) => [e.eventName, utf8(e.payload), e.chaincodeName])).to.deep.equal([
        ['Made', 'p1', 'probe'],
        ['Shipped', 'p2', 'probe'],
        ['Delivered', 'p3', 'probe'],
      ]);
      expect(seen[2]).to.include({ blockNumber: live.blockNumber, transactionId: live.transactionId, transactionIndex: 0 });
      const later: string[] = [];
      for await (const e of ledger.events({ startBlock: first.blockNumber + 1, signal: AbortSignal.timeout(50) })) later.push(e.eventName);
      expect(later).to.deep.equal(['Shipped', 'Delivered']);
    });
  });

  describe('determinism', () => {
    it('produces byte-identical simulations on two ledgers with the same history', async () => {
      const [a, b] = [await fresh(), await fresh()];
      for (const l of [a, b]) {
        await l.submit(f.alice, 'Put', ['n', '7']);
        await l.submit(f.alice, 'PutComposite', ['item', '["x"]', '1']);
      }
      const options = { transactionId: 'fixed-tx', timestamp: new Date('2031-05-06T07:08:09.010Z') };
      for (const [fn, args] of [
        ['Increment', ['n']],
        ['CountAndAdd', ['item', 'z']],
        ['WhoAmI', []],
        ['Emit', ['E', 'payload']],
      ] as const) {
        const [ra, rb] = [await a.simulate(f.alice, fn, args, options), await b.simulate(f.alice, fn, args, options)];
        expect(canonicalJson({ ...ra, response: { ...ra.response, payload: utf8(ra.response.payload) }, event: ra.event && utf8(ra.event.payload) })).to.equal(
          canonicalJson({ ...rb, response: { ...rb.response, payload: utf8(rb.response.payload) }, event: rb.event && utf8(rb.event.payload) }),
        );
        expect(ra.transactionId).to.equal('fixed-tx');
      }
      const inc = await a.simulate(f.alice, 'Increment', ['n'], options);
      expect(inc.readWriteSet.reads).to.deep.equal([{ key: 'n', version: { blockNum: 1, txNum: 0 } }]);
    });
  });
});
