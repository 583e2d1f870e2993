import { expect } from 'chai';
import type { Part, PartTrace, TwinSnapshot } from '@forgetrace/chaincode';
import { evaluate, openHarness, rejectedWith, submit, type Harness } from '../support/harness';
import { bomChain as buildBomChain, createOrder, ensureConsortium, hash, producePart, readyMachine, runOperation, scheduleAnchor, uid } from '../support/scenario';

describe('conformance: part trace', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
    await ensureConsortium(h);
  });
  after(async () => h?.close());

  const bomChain = (depth: number) => buildBomChain(h, depth);

  it('returns a part’s history with the histories of what it consumed, across a BOM of depth 4', async () => {
    const { parts, m1, anchor } = await bomChain(4);
    const top = parts[0]!;
    const trace = await evaluate<PartTrace>(h, h.ids.auditor, 'trace:GetPartTrace', [top, { maxDepth: 10, pageSize: 1000 }]);
    expect(trace.order?.buyerMsp).to.equal('Org3MSP');
    const depths = [...new Set(trace.entries.map((e) => e.depth))];
    expect(depths).to.deep.equal([0, 1, 2, 3, 4, 5]);
    const own = trace.entries.filter((e) => e.depth === 0).map((e) => e.type);
    expect(own).to.deep.equal(['created', 'job_assigned', 'job_accepted', 'component_consumed', 'operation_started', 'operation_finished', 'qc_recorded']);
    expect(trace.entries.filter((e) => e.depth === 1).map((e) => e.type)).to.include.members(['shipped', 'consumed']);
    expect(trace.entries.at(-1)?.subject.kind).to.equal('lot');
    expect(trace.entries.filter((e) => e.subject.kind === 'lot').map((e) => e.type)).to.deep.equal(['lot_registered', 'lot_consumed']);
    for (const e of trace.entries) {
      expect(e.txId).to.match(/^[0-9a-f]{64}$/);
      expect(e.at).to.match(/^\d{4}-\d\d-\d\dT/);
    }
    // Within one subject, entries are in the order they happened.
    const topSeqs = trace.entries.filter((e) => e.subject.id === top).map((e) => e.seq);
    expect(topSeqs).to.deep.equal([...topSeqs].sort((a, b) => a - b));
    expect(trace.anchors[anchor.id]?.kind).to.equal('schedule');
    expect(trace.machines[m1.id]?.events.map((e) => e.type)).to.deep.equal(['registered', 'commissioned', 'calibrated']);
    expect(trace.nextPageToken).to.equal(null);

    const shallow = await evaluate<PartTrace>(h, h.ids.auditor, 'trace:GetPartTrace', [top, { maxDepth: 2 }]);
    expect(Math.max(...shallow.entries.map((e) => e.depth))).to.equal(2);
  });

  it('pages through a long trace without losing or repeating entries', async () => {
    const { parts } = await bomChain(3);
    const all = await evaluate<PartTrace>(h, h.ids.auditor, 'trace:GetPartTrace', [parts[0], { pageSize: 1000 }]);
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const page: PartTrace = await evaluate<PartTrace>(h, h.ids.auditor, 'trace:GetPartTrace', [parts[0], { pageSize: 7, ...(token ? { pageToken: token } : {}) }]);
      expect(page.entries.length).to.be.at.most(7);
      seen.push(...page.entries.map((e) => `${e.subject.id}#${e.seq}`));
      token = page.nextPageToken;
    } while (token);
    expect(seen).to.deep.equal(all.entries.map((e) => `${e.subject.id}#${e.seq}`));
    expect(all.totalEntries).to.equal(seen.length);
  });

  it('shows the machine’s provenance as it was at the report, and the twin snapshot used', async () => {
    const m = await readyMachine(h);
    const anchor = await scheduleAnchor(h);
    const partId = (await createOrder(h)).partIds[0]!;
    const snap = await submit<TwinSnapshot>(h, h.ids.operator1, 'twins:RecordTwinSnapshot', [{ id: uid(h, 'T'), machineId: m.id, model: { id: 'spindle-kf', version: '1.0.0' }, summary: { healthIndex: 0.88, states: { wearMm: 0.02 }, anomaly: false }, snapshotHash: hash('full') }]);
    await runOperation(h, partId, m, anchor, 0, h.ids.operator1, snap.id);
    await submit(h, h.ids.operator1, 'machines:RecordRepair', [m.id, { description: 'later repair' }]);
    const trace = await evaluate<PartTrace>(h, h.ids.buyer, 'trace:GetPartTrace', [partId, {}]);
    expect(trace.twinSnapshots[snap.id]?.summary.healthIndex).to.equal(0.88);
    const started = trace.entries.find((e) => e.type === 'operation_started');
    expect(started?.data).to.include({ machineId: m.id, twinSnapshotId: snap.id, machineEventSeq: 3 });
    expect(trace.machines[m.id]?.events.map((e) => e.type)).to.deep.equal(['registered', 'commissioned', 'calibrated']);
    expect(trace.machines[m.id]?.machine.eventCount).to.equal(4);
  });

  it('refuses unknown parts, bad options and consumption rules violations', async () => {
    await rejectedWith(evaluate(h, h.ids.auditor, 'trace:GetPartTrace', [uid(h, 'none'), {}]), 'NOT_FOUND');
    const partId = (await createOrder(h)).partIds[0]!;
    expect((await rejectedWith(evaluate(h, h.ids.auditor, 'trace:GetPartTrace', [partId, { maxDepth: 11 }]), 'INVALID_INPUT')).details?.field).to.equal('options.maxDepth');
    expect((await rejectedWith(evaluate(h, h.ids.auditor, 'trace:GetPartTrace', [partId, { pageToken: 'abc' }]), 'INVALID_INPUT')).details?.field).to.equal('options.pageToken');

    const m = await readyMachine(h);
    const anchor = await scheduleAnchor(h);
    const child = (await createOrder(h, { buyer: h.ids.admin1 })).partIds[0]!;
    await rejectedWith(submit(h, h.ids.operator1, 'orders:ConsumeComponent', [partId, { kind: 'part', id: child, relation: 'aggregation' }]), 'ILLEGAL_TRANSITION');
    const job = await submit(h, h.ids.admin1, 'jobs:AssignJob', [{ id: uid(h, 'J'), partId, operationIndex: 0, factoryMsp: 'Org1MSP', machineId: m.id, plannedStart: new Date(Date.now() + 3600e3).toISOString(), plannedEnd: new Date(Date.now() + 7200e3).toISOString(), scheduleAnchorId: anchor.id }]);
    await rejectedWith(submit(h, h.ids.operator1, 'orders:ConsumeComponent', [partId, { kind: 'part', id: child, relation: 'aggregation' }]), 'ACCESS_DENIED');
    await submit(h, h.ids.operator1, 'jobs:AcceptJob', [job.id]);
    await rejectedWith(submit(h, h.ids.operator2, 'orders:ConsumeComponent', [partId, { kind: 'part', id: child, relation: 'aggregation' }]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.operator1, 'orders:ConsumeComponent', [partId, { kind: 'part', id: child, relation: 'aggregation' }]), 'ILLEGAL_TRANSITION');
    await producePart(h, child, m, anchor, 1, h.ids.operator1);
    await submit<Part>(h, h.ids.operator1, 'orders:ConsumeComponent', [partId, { kind: 'part', id: child, relation: 'aggregation' }]);
    await rejectedWith(submit(h, h.ids.operator1, 'orders:ConsumeComponent', [partId, { kind: 'part', id: child, relation: 'aggregation' }]), 'ALREADY_EXISTS');
    await rejectedWith(submit(h, h.ids.operator1, 'orders:ShipPart', [child, { carrier: 'DHL', trackingRef: 'x' }]), 'CONFLICT');
    const lot = await submit(h, h.ids.operator1, 'orders:RegisterLot', [{ id: uid(h, 'L'), material: 'al6061', supplier: 'Alcoa', quantity: 1, unit: 'kg' }]);
    await rejectedWith(submit(h, h.ids.operator1, 'orders:ConsumeComponent', [partId, { kind: 'lot', id: lot.id, quantity: 2, relation: 'transformation' }]), 'CONFLICT');
    await rejectedWith(submit(h, h.ids.operator2, 'orders:ConsumeComponent', [partId, { kind: 'lot', id: lot.id, quantity: 1, relation: 'transformation' }]), 'ACCESS_DENIED');
  });
});
