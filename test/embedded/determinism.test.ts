import { expect } from 'chai';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCollectionsConfig } from '@forgetrace/chaincode/api';
import { createDevOrganization, EmbeddedLedger, type EmbeddedLedgerOptions, type LedgerIdentity } from '@forgetrace/gateway/ledger';
import { CHAINCODE_PATH, ORGS } from '../support/harness';

/**
 * Embedded-only checks of the chaincode on the embedded ledger: the chaincode is deterministic
 * (the same proposal gives byte-identical read-write sets on two ledgers with the same state),
 * and the ledger reopens from disk with the same state, history and trace.
 */
describe('embedded: chaincode determinism and persistence', () => {
  let dirA: string;
  let dirB: string;
  let optionsA: EmbeddedLedgerOptions;
  let a: EmbeddedLedger;
  let b: EmbeddedLedger;
  let admin1: LedgerIdentity;
  let operator1: LedgerIdentity;
  let buyer: LedgerIdentity;
  let auditor: LedgerIdentity;
  const hex = (c: string) => c.repeat(64);
  const args = (...xs: unknown[]) => xs.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));

  before(async () => {
    const orgs = await Promise.all(ORGS.map((o) => createDevOrganization(o.mspId)));
    admin1 = await orgs[0]!.issueIdentity({ commonName: 'admin1', role: 'admin' });
    operator1 = await orgs[0]!.issueIdentity({ commonName: 'op1', role: 'factory_operator' });
    buyer = await orgs[2]!.issueIdentity({ commonName: 'buyer', role: 'buyer' });
    auditor = await orgs[3]!.issueIdentity({ commonName: 'auditor', role: 'auditor' });
    dirA = await mkdtemp(join(tmpdir(), 'ft-det-a-'));
    dirB = await mkdtemp(join(tmpdir(), 'ft-det-b-'));
    optionsA = { directory: dirA, chaincodePath: CHAINCODE_PATH, organizations: orgs.map((o) => o.organization), collections: buildCollectionsConfig(ORGS) };
    a = await EmbeddedLedger.open(optionsA);
    await a.submit(admin1, 'registry:InitConsortium', args({ name: 'det', adminMsps: ['Org1MSP'] }));
    for (const o of ORGS) await a.submit(admin1, 'registry:RegisterMember', args({ mspId: o.mspId, name: o.name, role: o.role, location: { site: 'HQ', country: o.country } }));
    await a.submit(operator1, 'machines:RegisterMachine', args({ id: 'M1', manufacturer: 'DMG', model: 'DMU', serial: 'S1', capabilities: { processes: ['milling'], materials: ['al6061'], toleranceMm: 0.01, envelopeMm: { x: 1, y: 1, z: 1 } } }));
    await a.submit(operator1, 'machines:CommissionMachine', args('M1', {}));
    await a.submit(operator1, 'machines:CalibrateMachine', args('M1', { certificateHash: hex('c'), laboratory: 'L', calibratedAt: '2026-01-01T00:00:00Z', dueAt: '2099-01-01T00:00:00Z' }));
    await a.submit(admin1, 'anchors:CreateAnchor', args({ id: 'A1', kind: 'schedule', merkleRoot: hex('a'), leafCount: 1, algorithm: 'lp', algorithmVersion: '1', inputHash: hex('b'), window: { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' } }));
    await a.submit(buyer, 'orders:CreateOrder', args({ id: 'O1', spec: { name: 'Bracket', specHash: hex('d'), material: 'al6061' }, operations: [{ process: 'milling' }], quantity: 2, dueDate: '2099-01-01T00:00:00Z' }));
    await a.submit(admin1, 'jobs:AssignJob', args({ id: 'J1', partId: 'O1.1', operationIndex: 0, factoryMsp: 'Org1MSP', machineId: 'M1', plannedStart: '2098-01-01T00:00:00Z', plannedEnd: '2098-01-02T00:00:00Z', scheduleAnchorId: 'A1' }));
    await a.submit(operator1, 'jobs:AcceptJob', ['J1']);
    await a.close();
    await cp(dirA, dirB, { recursive: true });
    await rm(join(dirB, 'LOCK'), { force: true });
    a = await EmbeddedLedger.open(optionsA);
    b = await EmbeddedLedger.open({ ...optionsA, directory: dirB });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await rm(dirA, { recursive: true, force: true });
    await rm(dirB, { recursive: true, force: true });
  });

  const proposals: Array<[string, () => LedgerIdentity, string[], Record<string, string>?]> = [
    ['machines:RecordMaintenance', () => operator1, args('M1', { kind: 'inspection', description: 'weekly' })],
    ['jobs:ReportStart', () => operator1, args('J1', { machineId: 'M1' })],
    ['jobs:AssignJob', () => admin1, args({ id: 'J2', partId: 'O1.2', operationIndex: 0, factoryMsp: 'Org1MSP', machineId: 'M1', plannedStart: '2098-01-01T00:00:00Z', plannedEnd: '2098-01-02T00:00:00Z', scheduleAnchorId: 'A1' })],
    ['orders:CreateOrder', () => buyer, args({ id: 'O2', spec: { name: 'Shaft', specHash: hex('e'), material: 'al6061', parameters: { z: 1, a: 'x' } }, operations: [{ process: 'milling' }], quantity: 3, dueDate: '2099-01-01T00:00:00Z' })],
    ['orders:SetCommercialTerms', () => buyer, args('O1', 'Org1MSP'), { terms: JSON.stringify({ price: 10, currency: 'EUR', paymentTerms: 'net 30' }) }],
    ['trace:GetPartTrace', () => auditor, args('O1.1', {})],
  ];

  for (const [name, who, txArgs, transient] of proposals) {
    it(`${name}: the same proposal gives byte-identical results and read-write sets on two ledgers`, async () => {
      const fixed = { transactionId: 'f'.repeat(64), timestamp: new Date('2026-06-01T08:00:00.123Z'), ...(transient ? { transient } : {}) };
      const ra = await a.simulate(who(), name, txArgs, fixed);
      const rb = await b.simulate(who(), name, txArgs, fixed);
      expect(ra.response.status, Buffer.from(ra.response.message).toString()).to.equal(200);
      expect(Buffer.from(ra.response.payload).equals(Buffer.from(rb.response.payload))).to.equal(true);
      expect(JSON.stringify(ra.readWriteSet)).to.equal(JSON.stringify(rb.readWriteSet));
      expect(ra.event?.name).to.equal(rb.event?.name);
      const again = await a.simulate(who(), name, txArgs, fixed);
      expect(JSON.stringify(again.readWriteSet)).to.equal(JSON.stringify(ra.readWriteSet));
    });
  }

  it('a different timestamp changes the write set (time comes from the transaction)', async () => {
    const t1 = await a.simulate(operator1, 'machines:RecordMaintenance', args('M1', { kind: 'inspection', description: 'x' }), { transactionId: 'a'.repeat(64), timestamp: new Date('2026-06-01T08:00:00Z') });
    const t2 = await a.simulate(operator1, 'machines:RecordMaintenance', args('M1', { kind: 'inspection', description: 'x' }), { transactionId: 'a'.repeat(64), timestamp: new Date('2026-06-02T08:00:00Z') });
    expect(JSON.stringify(t1.readWriteSet)).not.to.equal(JSON.stringify(t2.readWriteSet));
  });

  it('reopens with the same height, state, history and trace', async () => {
    const heightBefore = await a.height();
    await a.submit(operator1, 'machines:RecordRepair', args('M1', { description: 'spindle' }));
    await a.submit(buyer, 'orders:SetCommercialTerms', args('O1', 'Org1MSP'), { transient: { terms: JSON.stringify({ price: 99.5, currency: 'EUR', paymentTerms: 'net 45' }) } });
    const history = await a.evaluate(auditor, 'machines:GetMachineHistory', ['M1']);
    const trace = Buffer.from(await a.evaluate(auditor, 'trace:GetPartTrace', args('O1.1', {}))).toString();
    const height = await a.height();
    expect(height).to.equal(heightBefore + 2);
    await a.close();
    a = await EmbeddedLedger.open(optionsA);
    expect(await a.height()).to.equal(height);
    expect(Buffer.from(await a.evaluate(auditor, 'machines:GetMachineHistory', ['M1'])).toString()).to.equal(Buffer.from(history).toString());
    expect(Buffer.from(await a.evaluate(auditor, 'trace:GetPartTrace', args('O1.1', {}))).toString()).to.equal(trace);
    const terms = JSON.parse(Buffer.from(await a.evaluate(buyer, 'orders:GetCommercialTerms', ['O1', 'Org1MSP'])).toString());
    expect(terms.terms).to.deep.equal({ price: 99.5, currency: 'EUR', paymentTerms: 'net 45' });
  });
});
