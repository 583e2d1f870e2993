import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { AnchorOutbox } from '../anchoring/anchor-outbox';
import { EpcisStore, objectKey, objectKeys } from './epcis-store';

describe('EPCIS store: index of the objects imported events are about', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'ft-epcis-store-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('keys an SGTIN alike as EPC URN and as Digital Link on any domain; other URIs stay as they are', () => {
    const dl = objectKey('https://id.forgetrace.example/01/09506000134352/21/S-1');
    expect(objectKey('urn:epc:id:sgtin:9506000.013435.S-1')).to.equal(dl);
    expect(objectKey('https://id.gs1.org/01/09506000134352/21/S-1')).to.equal(dl);
    expect(objectKey('https://id.forgetrace.example/ft/lot/LOT-1')).to.equal('https://id.forgetrace.example/ft/lot/LOT-1');
    expect(objectKeys({ epcList: ['a:1', 'a:1'], childEPCs: ['a:2'], parentID: 'a:3', inputQuantityList: [{ epcClass: 'a:4', quantity: 1 }], outputEPCList: [7], readPoint: { id: 'a:5' } }).sort())
      .to.deep.equal(['a:1', 'a:2', 'a:3', 'a:4']);
  });

  it('indexes imported events stored before the index existed when it opens, and finds them by object', async () => {
    const filename = join(dir, 'outbox.db');
    // Only `add` of the outbox is used here; nothing is anchored, so it gets no ledger.
    const outbox = AnchorOutbox.open({ filename, ledger: undefined as never, identity: undefined as never });
    const event = { type: 'ObjectEvent', epcList: ['urn:epc:id:sgtin:9506000.013435.S-1'], action: 'OBSERVE' };
    let store = EpcisStore.open({ filename, outbox });
    store.put('ni:///sha-256;aa?ver=CBV2.0', 'import', event, {});
    store.put('ni:///sha-256;bb?ver=CBV2.0', 'export', { ...event, action: 'ADD' }, {});
    expect(store.importedAbout([objectKey('https://id.forgetrace.example/01/09506000134352/21/S-1')]).map((e) => e.eventID)).to.deep.equal(['ni:///sha-256;aa?ver=CBV2.0']);
    store.close();
    // A file from before the index: its rows are gone.
    const db = new DatabaseSync(filename);
    db.exec('DELETE FROM epcis_event_epcs');
    db.close();
    store = EpcisStore.open({ filename, outbox });
    expect(store.importedAbout(['urn:epc:id:sgtin:9506000.013435.S-1']).map((e) => e.eventID)).to.deep.equal(['ni:///sha-256;aa?ver=CBV2.0']);
    expect(store.importedAbout(['urn:epc:id:sgtin:9506000.013435.S-2'])).to.deep.equal([]);
    expect(store.importedAbout([])).to.deep.equal([]);
    store.close();
    await outbox.close();
  });
});
