import { expect } from 'chai';
import type { Job, Lot, LotEvent, Member, PartEvent } from '@forgetrace/chaincode';
import { evaluate, openHarness, rejectedWith, submit, type Harness } from '../support/harness';
import { createOrder, ensureConsortium, hash, jobInput, readyMachine, scheduleAnchor, uid } from '../support/scenario';

describe('conformance: lots and read transactions', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
    await ensureConsortium(h);
  });
  after(async () => h?.close());

  it('reads one member, and says NOT_FOUND for an unknown one', async () => {
    const m = await evaluate<Member>(h, h.ids.buyer, 'registry:GetMember', ['Org2MSP']);
    expect(m).to.include({ mspId: 'Org2MSP', role: 'factory' });
    await rejectedWith(evaluate(h, h.ids.buyer, 'registry:GetMember', ['Org77MSP']), 'NOT_FOUND');
    await rejectedWith(evaluate(h, h.ids.buyer, 'registry:GetMember', ['not an msp']), 'INVALID_INPUT');
  });

  it('registers lots for factories only, and keeps their history as they are consumed', async () => {
    const input = { id: uid(h, 'L'), material: 'steel_316l', supplier: 'Outokumpu', quantity: 40, unit: 'kg', certificateHash: hash('3.1-cert') };
    await rejectedWith(submit(h, h.ids.buyer, 'orders:RegisterLot', [input]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.admin3, 'orders:RegisterLot', [input]), 'ACCESS_DENIED');
    expect((await rejectedWith(submit(h, h.ids.operator1, 'orders:RegisterLot', [{ ...input, unit: 'bananas' }]), 'INVALID_INPUT')).details?.field).to.equal('input.unit');
    const lot = await submit<Lot>(h, h.ids.operator1, 'orders:RegisterLot', [input]);
    expect(lot).to.include({ ownerMsp: 'Org1MSP', remaining: 40 });
    await rejectedWith(submit(h, h.ids.operator1, 'orders:RegisterLot', [input]), 'ALREADY_EXISTS');

    const m = await readyMachine(h);
    const anchor = await scheduleAnchor(h);
    const partId = (await createOrder(h)).partIds[0]!;
    const job = await submit<Job>(h, h.ids.admin1, 'jobs:AssignJob', [jobInput(h, partId, m, anchor)]);
    await submit(h, h.ids.operator1, 'jobs:AcceptJob', [job.id]);
    await submit(h, h.ids.operator1, 'orders:ConsumeComponent', [partId, { kind: 'lot', id: lot.id, quantity: 12.5, relation: 'transformation' }]);
    expect((await evaluate<Lot>(h, h.ids.auditor, 'orders:GetLot', [lot.id])).remaining).to.equal(27.5);
    const history = await evaluate<LotEvent[]>(h, h.ids.auditor, 'orders:GetLotHistory', [lot.id]);
    expect(history.map((e) => [e.type, e.data.quantity])).to.deep.equal([['registered', 40], ['consumed', 12.5]]);
    await rejectedWith(evaluate(h, h.ids.auditor, 'orders:GetLot', [uid(h, 'none')]), 'NOT_FOUND');
    await rejectedWith(evaluate(h, h.ids.auditor, 'orders:GetLotHistory', [uid(h, 'none')]), 'NOT_FOUND');

    const partHistory = await evaluate<PartEvent[]>(h, h.ids.buyer, 'orders:GetPartHistory', [partId]);
    expect(partHistory.map((e) => e.type)).to.deep.equal(['created', 'job_assigned', 'job_accepted', 'component_consumed']);
    await rejectedWith(evaluate(h, h.ids.buyer, 'orders:GetPartHistory', [uid(h, 'none')]), 'NOT_FOUND');

    const read = await evaluate<Job>(h, h.ids.auditor, 'jobs:GetJob', [job.id]);
    expect(read).to.include({ id: job.id, status: 'accepted', partId });
    await rejectedWith(evaluate(h, h.ids.auditor, 'jobs:GetJob', [uid(h, 'none')]), 'NOT_FOUND');
  });
});
