import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Member } from '@forgetrace/chaincode/api';
import { SqliteStore } from './sqlite-store';
import { defineStoreSuite } from './testing/store-suite';

defineStoreSuite('SqliteStore', () => async (_name, options) => SqliteStore.open({ filename: ':memory:', ...options }));

describe('SqliteStore on a file', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'forgetrace-sqlite-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps committed transactions and the checkpoint across reopen (WAL), and drops rolled-back ones', async () => {
    const filename = join(dir, 'index.db');
    const member = { mspId: 'Org9MSP', role: 'factory', name: 'Nine' } as unknown as Member;
    const at = { blockNumber: 7, transactionIndex: 2, transactionId: 'tx7' };
    let store = await SqliteStore.open({ filename });
    await store.transaction(async (w) => {
      await w.upsertMember(member, JSON.stringify(member), at);
      await w.setCheckpoint(at);
    });
    await store.transaction(async (w) => {
      await w.setCheckpoint({ blockNumber: 9, transactionIndex: 0, transactionId: 'tx9' });
      throw new Error('boom');
    }).catch(() => undefined);
    // The checkpoint never moves back.
    await store.transaction((w) => w.setCheckpoint({ blockNumber: 3, transactionIndex: 0, transactionId: 'tx3' }));
    expect(existsSync(`${filename}-wal`)).to.equal(true);
    await store.close();
    store = await SqliteStore.open({ filename });
    expect(await store.getCheckpoint()).to.deep.equal(at);
    expect(await store.getMember('Org9MSP')).to.deep.equal({ data: member, version: '7.2', position: at });
    await store.close();
  });
});
