import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { LedgerCorruptedError, LedgerLockedError } from './errors';
import { loadDevOrganization, saveDevOrganization } from './identity';
import { BLOCK_FILE, PRIVATE_FILE } from './internal/ledger-files';
import { openLedger, orgs, removeTempDirs, tempDir, utf8, type Fixture } from './testdata/fixtures';

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

describe('EmbeddedLedger persistence', function () {
  this.timeout(20_000);
  let f: Fixture;

  before(async () => {
    f = await orgs();
  });
  after(() => removeTempDirs());

  /** A ledger directory with public and private writes, a delete and an invalid tx. */
  async function populated(): Promise<string> {
    const directory = tempDir();
    const ledger = await openLedger({ directory, fsync: true });
    await ledger.submit(f.alice, 'Put', ['a', '1']);
    await ledger.submit(f.alice, 'Put', ['a', '2']);
    await ledger.submit(f.alice, 'Put', ['b', 'x']);
    await ledger.submit(f.alice, 'Del', ['b']);
    await ledger.submit(f.alice, 'PutPrivate', ['c12', 'secret'], { transient: { value: 's3cr3t' } });
    await ledger.submit(f.alice, 'Emit', ['Made', 'p']);
    await Promise.allSettled([ledger.submit(f.alice, 'Increment', ['n']), ledger.submit(f.alice, 'Increment', ['n'])]);
    await ledger.close();
    return directory;
  }

  it('rebuilds the same state, height, history, private data and events after reopening', async () => {
    const directory = tempDir();
    const first = await openLedger({ directory });
    await first.submit(f.alice, 'Put', ['a', '1']);
    await first.submit(f.alice, 'Put', ['a', '2']);
    await first.submit(f.alice, 'Del', ['a']);
    await first.submit(f.alice, 'PutComposite', ['item', '["é"]', 'v']);
    await first.submit(f.alice, 'PutPrivate', ['c12', 'terms'], { transient: { value: 'price=1' } });
    await first.submit(f.alice, 'Emit', ['Made', 'p']);
    await Promise.allSettled([first.submit(f.alice, 'Increment', ['n']), first.submit(f.bob, 'Increment', ['n'])]);
    const before = {
      height: await first.height(),
      history: first.getHistory('a'),
      n: first.getState('n'),
      item: utf8(await first.evaluate(f.alice, 'ScanComposite', ['item', '[]'])),
      hashes: Array.from({ length: await first.height() }, (_, i) => first.getBlock(i)!.hash),
    };
    await first.close();

    const second = await openLedger({ directory });
    try {
      expect(await second.height()).to.equal(before.height);
      expect(second.getHistory('a')).to.deep.equal(before.history);
      expect(before.history.map((h) => h.isDelete)).to.deep.equal([true, false, false]);
      expect(second.getState('n')).to.deep.equal(before.n);
      expect(second.getState('a')).to.equal(undefined);
      expect(utf8(await second.evaluate(f.alice, 'ScanComposite', ['item', '[]']))).to.equal(before.item);
      expect(utf8(await second.evaluate(f.bob, 'GetPrivate', ['c12', 'terms']))).to.equal('price=1');
      expect(Array.from({ length: before.height }, (_, i) => second.getBlock(i)!.hash)).to.deep.equal(before.hashes);
      const events: string[] = [];
      for await (const e of second.events({ signal: AbortSignal.timeout(50) })) events.push(e.eventName);
      expect(events).to.deep.equal(['Made']);
      // New blocks continue the chain.
      const next = await second.submit(f.alice, 'Put', ['a', '3']);
      expect(next.blockNumber).to.equal(before.height);
      expect(second.getBlock(next.blockNumber)!.header.previousHash).to.equal(before.hashes.at(-1));
    } finally {
      await second.close();
    }
  });

  it('refuses a block file whose last record was cut short', async () => {
    const directory = await populated();
    const file = join(directory, BLOCK_FILE);
    const size = readFileSync(file).length;
    truncateSync(file, size - 10);
    const err = await failureOf(openLedger({ directory }));
    expect(err).to.be.instanceOf(LedgerCorruptedError);
    const lines = readFileSync(file, 'utf8').split('\n').length - 1;
    expect(err).to.include({ file, blockNumber: lines });
    expect((err as LedgerCorruptedError).reason).to.match(/truncated/);
  });

  it('refuses a block file with one flipped byte', async () => {
    const directory = await populated();
    const file = join(directory, BLOCK_FILE);
    const bytes = readFileSync(file);
    const lines = bytes.toString('utf8').split('\n');
    // Flip a byte inside the value of the first write of block 2 ("2" → "3" in base64 terms).
    const offset = lines[0]!.length + 1 + lines[1]!.length + 1 + lines[2]!.indexOf('"writes":[{') + 40;
    bytes[offset] = bytes[offset]! ^ 0x01;
    writeFileSync(file, bytes);
    const err = await failureOf(openLedger({ directory }));
    expect(err).to.be.instanceOf(LedgerCorruptedError);
    expect(err).to.include({ file, blockNumber: 2 });
  });

  it('refuses a block whose hash chain is broken even if the block is self-consistent', async () => {
    const directory = await populated();
    const file = join(directory, BLOCK_FILE);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.splice(3, 1); // drop block 3 entirely
    writeFileSync(file, lines.join('\n'));
    const err = await failureOf(openLedger({ directory }));
    expect(err).to.be.instanceOf(LedgerCorruptedError).and.to.include({ blockNumber: 3 });
  });

  it('refuses private data that does not match the hashes in the blocks', async () => {
    const directory = await populated();
    const file = join(directory, PRIVATE_FILE);
    const text = readFileSync(file, 'utf8');
    const record = JSON.parse(text.trim()) as { record: { blockNumber: number } };
    writeFileSync(file, text.replace(Buffer.from('s3cr3t').toString('base64'), Buffer.from('other!').toString('base64')));
    const err = await failureOf(openLedger({ directory }));
    expect(err).to.be.instanceOf(LedgerCorruptedError).and.to.include({ file, blockNumber: record.record.blockNumber });
    // An empty private file loses the values the blocks hash: also refused.
    writeFileSync(file, '');
    expect(await failureOf(openLedger({ directory }))).to.be.instanceOf(LedgerCorruptedError);
  });

  it('locks the directory while open and releases it on close', async () => {
    const directory = tempDir();
    const ledger = await openLedger({ directory });
    const err = await failureOf(openLedger({ directory }));
    expect(err).to.be.instanceOf(LedgerLockedError).and.to.include({ pid: process.pid });
    await ledger.close();
    const again = await openLedger({ directory });
    await again.close();
    // A lock left by a dead process is taken over.
    writeFileSync(join(directory, 'LOCK'), '999999999');
    const third = await openLedger({ directory });
    await third.close();
  });

  it('records a configuration change (a new organisation) as a config block', async () => {
    const directory = tempDir();
    const first = await openLedger({ directory, organizations: [f.org1.organization] });
    expect(await failureOf(first.evaluate(f.bob, 'WhoAmI', []))).to.include({ code: 'INVALID_CREATOR' });
    await first.close();
    const second = await openLedger({ directory, organizations: [f.org1.organization, f.org2.organization] });
    try {
      expect(await second.height()).to.equal(2);
      expect(second.getBlock(1)!.data.kind).to.equal('config');
      expect(utf8(await second.evaluate(f.bob, 'WhoAmI', []))).to.include('Org2MSP');
    } finally {
      await second.close();
    }
  });

  it('saves and loads a development CA that keeps issuing accepted identities', async () => {
    const directory = tempDir();
    await saveDevOrganization(f.org1, directory);
    const loaded = await loadDevOrganization(directory, 'Org1MSP');
    expect(loaded.caCertificate).to.equal(f.org1.caCertificate);
    const dave = await loaded.issueIdentity({ commonName: 'dave', role: 'auditor', attrs: { site: 'Turin' } });
    const ledger = await openLedger();
    try {
      const who = JSON.parse(utf8(await ledger.evaluate(dave, 'WhoAmI', []))) as Record<string, unknown>;
      expect(who).to.include({ mspId: 'Org1MSP', role: 'auditor', enrollmentId: 'dave' });
    } finally {
      await ledger.close();
    }
    expect(statSync(join(directory, 'Org1MSP', 'ca-key.pem')).mode & 0o777).to.equal(0o600);
  });
});
