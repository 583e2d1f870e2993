import { expect } from 'chai';
import type { Machine, MachineEvent } from '@forgetrace/chaincode';
import { evaluate, openHarness, rejectedWith, submit, type Harness } from '../support/harness';
import { ensureConsortium, hash, isoIn, readyMachine, uid } from '../support/scenario';

describe('conformance: machines', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
    await ensureConsortium(h);
  });
  after(async () => h?.close());

  it('records a machine’s whole life in order, with tx ids and timestamps', async () => {
    const m = await readyMachine(h);
    await submit(h, h.ids.operator1, 'machines:RecordMaintenance', [m.id, { kind: 'preventive', description: 'spindle bearings greased' }]);
    await submit(h, h.ids.operator1, 'machines:RecordRepair', [m.id, { description: 'coolant pump', partsReplaced: ['pump P-22'] }]);
    await submit(h, h.ids.operator1, 'machines:RelocateMachine', [m.id, { location: { site: 'Hall 3', country: 'DE' } }]);
    await submit(h, h.ids.admin1, 'machines:DecommissionMachine', [m.id, { reason: 'end of life' }]);
    const history = await evaluate<MachineEvent[]>(h, h.ids.auditor, 'machines:GetMachineHistory', [m.id]);
    expect(history.map((e) => e.type)).to.deep.equal(['registered', 'commissioned', 'calibrated', 'maintained', 'repaired', 'relocated', 'decommissioned']);
    expect(history.map((e) => e.seq)).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
    for (const e of history) {
      expect(e.txId).to.match(/^[0-9a-f]{64}$/);
      expect(Date.parse(e.at)).to.be.closeTo(Date.now(), 120_000);
    }
    const machine = await evaluate<Machine>(h, h.ids.buyer, 'machines:GetMachine', [m.id]);
    expect(machine.status).to.equal('decommissioned');
    expect(machine.location?.site).to.equal('Hall 3');
  });

  it('lets only the owner write, and only factory roles', async () => {
    const m = await readyMachine(h);
    await rejectedWith(submit(h, h.ids.operator2, 'machines:RecordMaintenance', [m.id, { kind: 'inspection', description: 'look' }]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.auditor1, 'machines:RecordMaintenance', [m.id, { kind: 'inspection', description: 'look' }]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.noRole1, 'machines:RecordMaintenance', [m.id, { kind: 'inspection', description: 'look' }]), 'ACCESS_DENIED');
  });

  it('refuses machine registration by non-factory organisations and duplicate ids', async () => {
    const m = await readyMachine(h);
    const input = { id: m.id, manufacturer: 'X', model: 'Y', serial: 'Z', capabilities: m.capabilities };
    await rejectedWith(submit(h, h.ids.operator1, 'machines:RegisterMachine', [input]), 'ALREADY_EXISTS');
    await rejectedWith(submit(h, h.ids.admin3, 'machines:RegisterMachine', [{ ...input, id: uid(h, 'M') }]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.buyer, 'machines:RegisterMachine', [{ ...input, id: uid(h, 'M') }]), 'ACCESS_DENIED');
  });

  it('transfers ownership in two steps: offer, then accept by the receiver', async () => {
    const m = await readyMachine(h);
    await rejectedWith(submit(h, h.ids.operator2, 'machines:AcceptTransfer', [m.id]), 'CONFLICT');
    await rejectedWith(submit(h, h.ids.operator1, 'machines:OfferTransfer', [m.id, { toMsp: 'Org3MSP' }]), 'ACCESS_DENIED');
    await submit(h, h.ids.operator1, 'machines:OfferTransfer', [m.id, { toMsp: 'Org2MSP' }]);
    await rejectedWith(submit(h, h.ids.operator1, 'machines:OfferTransfer', [m.id, { toMsp: 'Org2MSP' }]), 'CONFLICT');
    await rejectedWith(submit(h, h.ids.operator1, 'machines:AcceptTransfer', [m.id]), 'ACCESS_DENIED');
    const moved = await submit<Machine>(h, h.ids.operator2, 'machines:AcceptTransfer', [m.id]);
    expect(moved.ownerMsp).to.equal('Org2MSP');
    expect(moved.pendingTransfer).to.equal(null);
    await rejectedWith(submit(h, h.ids.operator1, 'machines:RecordMaintenance', [m.id, { kind: 'inspection', description: 'old owner' }]), 'ACCESS_DENIED');
    await submit(h, h.ids.operator2, 'machines:RecordMaintenance', [m.id, { kind: 'inspection', description: 'new owner' }]);
    const org2 = await evaluate<Machine[]>(h, h.ids.auditor, 'machines:ListMachines', ['Org2MSP']);
    expect(org2.map((x) => x.id)).to.include(m.id);
    const org1 = await evaluate<Machine[]>(h, h.ids.auditor, 'machines:ListMachines', ['Org1MSP']);
    expect(org1.map((x) => x.id)).not.to.include(m.id);
  });

  it('can withdraw a transfer offer', async () => {
    const m = await readyMachine(h);
    await submit(h, h.ids.operator1, 'machines:OfferTransfer', [m.id, { toMsp: 'Org2MSP' }]);
    await submit(h, h.ids.operator1, 'machines:CancelTransfer', [m.id]);
    await rejectedWith(submit(h, h.ids.operator2, 'machines:AcceptTransfer', [m.id]), 'CONFLICT');
    await rejectedWith(submit(h, h.ids.operator1, 'machines:CancelTransfer', [m.id]), 'CONFLICT');
  });

  it('rejects illegal machine transitions', async () => {
    const m = await readyMachine(h);
    await rejectedWith(submit(h, h.ids.operator1, 'machines:CommissionMachine', [m.id, {}]), 'ILLEGAL_TRANSITION');
    await submit(h, h.ids.operator1, 'machines:DecommissionMachine', [m.id, { reason: 'flood' }]);
    for (const [tx, arg] of [
      ['machines:CalibrateMachine', { certificateHash: hash('c'), laboratory: 'L', calibratedAt: isoIn(-1), dueAt: isoIn(100) }],
      ['machines:RelocateMachine', { location: { site: 'x', country: 'DE' } }],
      ['machines:DecommissionMachine', { reason: 'again' }],
      ['machines:OfferTransfer', { toMsp: 'Org2MSP' }],
    ] as const) {
      await rejectedWith(submit(h, h.ids.operator1, tx, [m.id, arg]), 'ILLEGAL_TRANSITION');
    }
  });

  it('rejects malformed provenance input and unknown machines', async () => {
    const m = await readyMachine(h, { calibrateDueInDays: null });
    const bad = await rejectedWith(submit(h, h.ids.operator1, 'machines:CalibrateMachine', [m.id, { certificateHash: hash('c'), laboratory: 'L', calibratedAt: isoIn(1), dueAt: isoIn(0) }]), 'INVALID_INPUT');
    expect(bad.details?.field).to.equal('input.dueAt');
    await rejectedWith(submit(h, h.ids.operator1, 'machines:RecordMaintenance', [uid(h, 'nope'), { kind: 'inspection', description: 'x' }]), 'NOT_FOUND');
    await rejectedWith(evaluate(h, h.ids.operator1, 'machines:GetMachine', ['bad id!']), 'INVALID_INPUT');
  });
});
