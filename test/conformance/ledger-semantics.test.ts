import { expect } from 'chai';
import type { Machine, MachineEvent } from '@forgetrace/chaincode';
import type { LedgerEvent } from '@forgetrace/gateway/ledger';
import { evaluate, openHarness, rejected, rejectedWith, submit, type Harness } from '../support/harness';
import { ensureConsortium, readyMachine, uid } from '../support/scenario';

describe('conformance: ledger semantics seen through the chaincode', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
    await ensureConsortium(h);
  });
  after(async () => h?.close());

  it('marks the loser of two concurrent writes to one machine invalid (MVCC_READ_CONFLICT), and keeps the winner', async () => {
    const m = await readyMachine(h);
    const results = await Promise.allSettled([
      submit(h, h.ids.operator1, 'machines:RecordMaintenance', [m.id, { kind: 'inspection', description: 'first' }]),
      submit(h, h.ids.operator1, 'machines:RecordMaintenance', [m.id, { kind: 'inspection', description: 'second' }]),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).to.have.length(1);
    expect(failed).to.have.length(1);
    expect(failed[0]!.reason).to.include({ kind: 'commit', code: 'MVCC_READ_CONFLICT' });
    expect(failed[0]!.reason.transactionId).to.match(/^[0-9a-f]{64}$/);
    const history = await evaluate<MachineEvent[]>(h, h.ids.auditor, 'machines:GetMachineHistory', [m.id]);
    expect(history.filter((e) => e.type === 'maintained')).to.have.length(1);
    const machine = await evaluate<Machine>(h, h.ids.auditor, 'machines:GetMachine', [m.id]);
    expect(machine.eventCount).to.equal(history.length);
  });

  it('commits independent concurrent transactions all valid', async () => {
    const machines = await Promise.all(Array.from({ length: 8 }, () => readyMachine(h)));
    const results = await Promise.all(machines.map((m) => h.ledger.submit(h.ids.operator1, 'machines:RecordMaintenance', [m.id, JSON.stringify({ kind: 'inspection', description: 'parallel' })])));
    expect(new Set(results.map((r) => r.transactionId)).size).to.equal(8);
  });

  it('emits one chaincode event per state change, readable from any block', async () => {
    const start = await h.ledger.height();
    const m = await readyMachine(h);
    const controller = new AbortController();
    const seen: LedgerEvent[] = [];
    for await (const event of h.ledger.events({ startBlock: Math.max(0, start - 1), signal: controller.signal })) {
      const payload = JSON.parse(Buffer.from(event.payload).toString('utf8'));
      if (payload.machineId !== m.id) continue;
      seen.push(event);
      if (seen.length === 3) controller.abort();
    }
    expect(seen.map((e) => e.eventName)).to.deep.equal(['MachineRegistered', 'MachineEventRecorded', 'MachineEventRecorded']);
    const blocks = seen.map((e) => e.blockNumber);
    expect(blocks).to.deep.equal([...blocks].sort((a, b) => a - b));
    expect(new Set(seen.map((e) => e.transactionId)).size).to.equal(3);
  });

  it('rejects an unknown transaction or contract', async () => {
    const err = await rejected(submit(h, h.ids.admin1, 'machines:Fly', []));
    expect(err.kind).to.equal('endorsement');
    const err2 = await rejected(submit(h, h.ids.admin1, 'nowhere:Fly', []));
    expect(err2.kind).to.equal('endorsement');
  });

  it('never writes a rejected transaction: state is unchanged after an access denial', async () => {
    const m = await readyMachine(h);
    await rejectedWith(submit(h, h.ids.operator2, 'machines:DecommissionMachine', [m.id, { reason: 'sabotage' }]), 'ACCESS_DENIED');
    const after = await evaluate<Machine>(h, h.ids.auditor, 'machines:GetMachine', [m.id]);
    expect(after.status).to.equal('commissioned');
    expect(after.eventCount).to.equal(m.eventCount);
  });

  it('identifies the caller from the certificate, not from arguments', async () => {
    const id = uid(h, 'M');
    const machine = await submit<Machine>(h, h.ids.operator2, 'machines:RegisterMachine', [{ id, manufacturer: 'X', model: 'Y', serial: 'Z', capabilities: { processes: ['milling'], materials: ['al6061'], toleranceMm: 0.1, envelopeMm: { x: 1, y: 1, z: 1 } } }]);
    expect(machine.ownerMsp).to.equal('Org2MSP');
    expect(machine.created.mspId).to.equal('Org2MSP');
  });
});
