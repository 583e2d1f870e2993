import { expect } from 'chai';
import type { Anchor, TwinSnapshot } from '@forgetrace/chaincode';
import { evaluate, openHarness, rejectedWith, submit, type Harness } from '../support/harness';
import { ensureConsortium, hash, isoIn, readyMachine, uid } from '../support/scenario';

describe('conformance: twin snapshots and anchors', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
    await ensureConsortium(h);
  });
  after(async () => h?.close());

  const snapshot = (machineId: string, health = 0.93, anomaly = false) => ({
    id: uid(h, 'T'), machineId, model: { id: 'spindle-kf', version: '2.1.0' },
    summary: { healthIndex: health, states: { spindleTempC: 41.5, wearMm: 0.012 }, anomaly }, snapshotHash: hash(`snap-${health}-${anomaly}-${Math.random()}`),
  });

  it('records snapshots stamped with the transaction time and lists them in time order', async () => {
    const m = await readyMachine(h);
    const first = await submit<TwinSnapshot>(h, h.ids.operator1, 'twins:RecordTwinSnapshot', [snapshot(m.id, 0.95)]);
    const second = await submit<TwinSnapshot>(h, h.ids.operator1, 'twins:RecordTwinSnapshot', [snapshot(m.id, 0.61, true)]);
    expect(Date.parse(first.recorded.at)).to.be.closeTo(Date.now(), 120_000);
    expect(first.ownerMsp).to.equal('Org1MSP');
    const list = await evaluate<TwinSnapshot[]>(h, h.ids.auditor, 'twins:ListTwinSnapshots', [m.id, { limit: 10 }]);
    expect(list.map((s) => s.id)).to.deep.equal([first.id, second.id]);
    expect(list[1]!.summary.anomaly).to.equal(true);
    const one = await evaluate<TwinSnapshot>(h, h.ids.buyer, 'twins:GetTwinSnapshot', [first.id]);
    expect(one.snapshotHash).to.equal(first.snapshotHash);
    const limited = await evaluate<TwinSnapshot[]>(h, h.ids.auditor, 'twins:ListTwinSnapshots', [m.id, { limit: 1 }]);
    expect(limited).to.have.length(1);
  });

  it('lets only the machine owner record snapshots, never twice under one id, never on a decommissioned machine', async () => {
    const m = await readyMachine(h);
    const s = snapshot(m.id);
    await rejectedWith(submit(h, h.ids.operator2, 'twins:RecordTwinSnapshot', [s]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.buyer, 'twins:RecordTwinSnapshot', [s]), 'ACCESS_DENIED');
    await submit(h, h.ids.operator1, 'twins:RecordTwinSnapshot', [s]);
    await rejectedWith(submit(h, h.ids.operator1, 'twins:RecordTwinSnapshot', [s]), 'ALREADY_EXISTS');
    await submit(h, h.ids.operator1, 'machines:DecommissionMachine', [m.id, { reason: 'gone' }]);
    await rejectedWith(submit(h, h.ids.operator1, 'twins:RecordTwinSnapshot', [snapshot(m.id)]), 'MACHINE_DECOMMISSIONED');
  });

  it('validates snapshot summaries', async () => {
    const m = await readyMachine(h);
    const bad = { ...snapshot(m.id), summary: { healthIndex: 1.5, states: {}, anomaly: false } };
    expect((await rejectedWith(submit(h, h.ids.operator1, 'twins:RecordTwinSnapshot', [bad]), 'INVALID_INPUT')).details?.field).to.equal('input.summary.healthIndex');
    const badVersion = { ...snapshot(m.id), model: { id: 'kf', version: 'latest' } };
    expect((await rejectedWith(submit(h, h.ids.operator1, 'twins:RecordTwinSnapshot', [badVersion]), 'INVALID_INPUT')).details?.field).to.equal('input.model.version');
  });

  it('creates immutable anchors and lists them by kind', async () => {
    const input = { id: uid(h, 'A'), kind: 'recommendation', merkleRoot: hash('r1'), leafCount: 42, algorithm: 'biased-mf', algorithmVersion: '0.3.0', inputHash: hash('i1'), window: { from: isoIn(-1), to: isoIn(0) } };
    const anchor = await submit<Anchor>(h, h.ids.buyer, 'anchors:CreateAnchor', [input]);
    expect(anchor.submitter).to.match(/^x509::/);
    expect(anchor.recorded.mspId).to.equal('Org3MSP');
    await rejectedWith(submit(h, h.ids.buyer, 'anchors:CreateAnchor', [{ ...input, merkleRoot: hash('other') }]), 'ALREADY_EXISTS');
    expect((await evaluate<Anchor>(h, h.ids.auditor, 'anchors:GetAnchor', [input.id])).merkleRoot).to.equal(hash('r1'));
    const list = await evaluate<Anchor[]>(h, h.ids.auditor, 'anchors:ListAnchors', ['recommendation', {}]);
    expect(list.map((a) => a.id)).to.include(input.id);
    await rejectedWith(submit(h, h.ids.auditor, 'anchors:CreateAnchor', [{ ...input, id: uid(h, 'A') }]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.buyer, 'anchors:CreateAnchor', [{ ...input, id: uid(h, 'A'), kind: 'vibes' }]), 'INVALID_INPUT');
    await rejectedWith(submit(h, h.ids.buyer, 'anchors:CreateAnchor', [{ ...input, id: uid(h, 'A'), window: { from: isoIn(1), to: isoIn(0) } }]), 'INVALID_INPUT');
    await rejectedWith(evaluate(h, h.ids.auditor, 'anchors:ListAnchors', ['vibes', {}]), 'INVALID_INPUT');
  });
});
