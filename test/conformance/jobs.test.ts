import { expect } from 'chai';
import type { Anchor, Job, Part, TwinSnapshot } from '@forgetrace/chaincode';
import { evaluate, openHarness, rejectedWith, submit, type Harness } from '../support/harness';
import { createOrder, ensureConsortium, hash, isoIn, jobInput, producePart, readyMachine, runOperation, scheduleAnchor, uid } from '../support/scenario';

describe('conformance: jobs, operation reports and QC', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
    await ensureConsortium(h);
  });
  after(async () => h?.close());

  it('runs an assignment through accept, start, finish and QC, moving the part along', async () => {
    const m = await readyMachine(h);
    const anchor = await scheduleAnchor(h);
    const order = await createOrder(h, { processes: ['milling', 'drilling'] });
    const partId = order.partIds[0]!;
    const job = await submit<Job>(h, h.ids.buyer, 'jobs:AssignJob', [jobInput(h, partId, m, anchor, 0)]);
    expect(job).to.include({ status: 'assigned', factoryMsp: 'Org1MSP', scheduleAnchorId: anchor.id, process: 'milling' });
    expect((await evaluate<Part>(h, h.ids.buyer, 'orders:GetPart', [partId])).status).to.equal('scheduled');
    await submit(h, h.ids.operator1, 'jobs:AcceptJob', [job.id]);
    const started = await submit<Job>(h, h.ids.operator1, 'jobs:ReportStart', [job.id, { machineId: m.id }]);
    expect(started.start?.machineEventSeq).to.equal(m.eventCount);
    expect((await evaluate<Part>(h, h.ids.buyer, 'orders:GetPart', [partId])).status).to.equal('in_production');
    await submit(h, h.ids.operator1, 'jobs:ReportFinish', [job.id, { machineId: m.id }]);
    await rejectedWith(submit(h, h.ids.operator1, 'jobs:RecordQc', [partId, { result: 'pass', reportHash: hash('q') }]), 'CONFLICT');
    await runOperation(h, partId, m, anchor, 1, h.ids.operator1);
    const qc = await submit<Part>(h, h.ids.operator1, 'jobs:RecordQc', [partId, { result: 'pass', reportHash: hash('q'), measurements: { flatnessMm: 0.004 } }]);
    expect(qc).to.include({ status: 'qc_passed', producerMsp: 'Org1MSP' });
    const jobs = await evaluate<Job[]>(h, h.ids.auditor, 'jobs:ListPartJobs', [partId]);
    expect(jobs.map((j) => [j.operationIndex, j.status])).to.deep.equal([[0, 'finished'], [1, 'finished']]);
    const mine = await evaluate<Job[]>(h, h.ids.operator1, 'jobs:ListFactoryJobs', ['Org1MSP']);
    expect(mine.map((j) => j.id)).to.include(job.id);
  });

  it('lets only the assigned factory accept, decline and report', async () => {
    const m = await readyMachine(h);
    const anchor = await scheduleAnchor(h);
    const order = await createOrder(h);
    const job = await submit<Job>(h, h.ids.admin1, 'jobs:AssignJob', [jobInput(h, order.partIds[0]!, m, anchor)]);
    await rejectedWith(submit(h, h.ids.operator2, 'jobs:AcceptJob', [job.id]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.buyer, 'jobs:AcceptJob', [job.id]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.auditor1, 'jobs:AcceptJob', [job.id]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.operator1, 'jobs:ReportStart', [job.id, { machineId: m.id }]), 'ILLEGAL_TRANSITION');
    await submit(h, h.ids.operator1, 'jobs:AcceptJob', [job.id]);
    await rejectedWith(submit(h, h.ids.operator1, 'jobs:AcceptJob', [job.id]), 'ILLEGAL_TRANSITION');
    await rejectedWith(submit(h, h.ids.operator2, 'jobs:ReportStart', [job.id, { machineId: m.id }]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.operator1, 'jobs:ReportFinish', [job.id, { machineId: m.id }]), 'ILLEGAL_TRANSITION');
  });

  it('frees the operation when the factory declines, so it can be reassigned', async () => {
    const m1 = await readyMachine(h);
    const m2 = await readyMachine(h, { owner: h.ids.operator2 });
    const anchor = await scheduleAnchor(h);
    const order = await createOrder(h);
    const partId = order.partIds[0]!;
    const job = await submit<Job>(h, h.ids.admin1, 'jobs:AssignJob', [jobInput(h, partId, m1, anchor)]);
    await rejectedWith(submit(h, h.ids.admin1, 'jobs:AssignJob', [jobInput(h, partId, m2, anchor)]), 'CONFLICT');
    const declined = await submit<Job>(h, h.ids.operator1, 'jobs:DeclineJob', [job.id, { reason: 'capacity' }]);
    expect(declined).to.include({ status: 'declined', declineReason: 'capacity' });
    const again = await submit<Job>(h, h.ids.admin1, 'jobs:AssignJob', [jobInput(h, partId, m2, anchor)]);
    expect(again.factoryMsp).to.equal('Org2MSP');
  });

  describe('refuses a machine that may not do the work, saying why', () => {
    let anchor: Anchor;
    let partId: string;
    beforeEach(async () => {
      anchor = await scheduleAnchor(h);
      partId = (await createOrder(h)).partIds[0]!;
    });
    const assign = (machine: { id: string; ownerMsp: string }, factoryMsp = machine.ownerMsp) =>
      submit(h, h.ids.admin1, 'jobs:AssignJob', [{ id: uid(h, 'J'), partId, operationIndex: 0, factoryMsp, machineId: machine.id, plannedStart: isoIn(1), plannedEnd: isoIn(2), scheduleAnchorId: anchor.id }]);

    it('decommissioned', async () => {
      const m = await readyMachine(h);
      await submit(h, h.ids.operator1, 'machines:DecommissionMachine', [m.id, { reason: 'scrap' }]);
      const err = await rejectedWith(assign(m), 'MACHINE_DECOMMISSIONED');
      expect(err.details?.machineId).to.equal(m.id);
    });
    it('belongs to another org', async () => {
      const m = await readyMachine(h);
      const err = await rejectedWith(assign(m, 'Org2MSP'), 'MACHINE_WRONG_ORG');
      expect(err.details).to.include({ ownerMsp: 'Org1MSP', expectedMsp: 'Org2MSP' });
    });
    it('lacks the process', async () => {
      const m = await readyMachine(h, { processes: ['turning'] });
      const err = await rejectedWith(assign(m), 'MACHINE_LACKS_CAPABILITY');
      expect(err.details?.process).to.equal('milling');
    });
    it('calibration expired at the transaction time', async () => {
      const m = await readyMachine(h, { calibrateDueInDays: -1 });
      const err = await rejectedWith(assign(m), 'CALIBRATION_EXPIRED');
      expect(err.message).to.match(/calibration expired at/);
    });
    it('never calibrated', async () => {
      await rejectedWith(assign(await readyMachine(h, { calibrateDueInDays: null })), 'MACHINE_NOT_CALIBRATED');
    });
    it('not commissioned', async () => {
      await rejectedWith(assign(await readyMachine(h, { commission: false })), 'ILLEGAL_TRANSITION');
    });
    it('at report time too: a machine decommissioned after assignment cannot be reported on', async () => {
      const m = await readyMachine(h);
      const job = await submit<Job>(h, h.ids.admin1, 'jobs:AssignJob', [jobInput(h, partId, m, anchor)]);
      await submit(h, h.ids.operator1, 'jobs:AcceptJob', [job.id]);
      await submit(h, h.ids.operator1, 'machines:DecommissionMachine', [m.id, { reason: 'crash' }]);
      await rejectedWith(submit(h, h.ids.operator1, 'jobs:ReportStart', [job.id, { machineId: m.id }]), 'MACHINE_DECOMMISSIONED');
      const other = await readyMachine(h, { owner: h.ids.operator2 });
      await rejectedWith(submit(h, h.ids.operator1, 'jobs:ReportStart', [job.id, { machineId: other.id }]), 'MACHINE_WRONG_ORG');
    });
  });

  it('refuses assignments with a missing or non-schedule anchor, a bad operation, a non-factory or an unauthorised caller', async () => {
    const m = await readyMachine(h);
    const anchor = await scheduleAnchor(h);
    const partId = (await createOrder(h)).partIds[0]!;
    const good = jobInput(h, partId, m, anchor);
    await rejectedWith(submit(h, h.ids.admin1, 'jobs:AssignJob', [{ ...good, scheduleAnchorId: uid(h, 'none') }]), 'NOT_FOUND');
    const other = await submit(h, h.ids.admin1, 'anchors:CreateAnchor', [{ id: uid(h, 'A'), kind: 'telemetry', merkleRoot: hash('r'), leafCount: 1, algorithm: 'kalman', algorithmVersion: '1', inputHash: hash('i'), window: { from: isoIn(-1), to: isoIn(0) } }]);
    expect((await rejectedWith(submit(h, h.ids.admin1, 'jobs:AssignJob', [{ ...good, scheduleAnchorId: other.id }]), 'INVALID_INPUT')).details?.field).to.equal('input.scheduleAnchorId');
    expect((await rejectedWith(submit(h, h.ids.admin1, 'jobs:AssignJob', [{ ...good, operationIndex: 3 }]), 'INVALID_INPUT')).details?.field).to.equal('input.operationIndex');
    await rejectedWith(submit(h, h.ids.admin1, 'jobs:AssignJob', [{ ...good, factoryMsp: 'Org3MSP' }]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.operator1, 'jobs:AssignJob', [good]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.admin2, 'jobs:AssignJob', [{ ...good, plannedEnd: good.plannedStart }]), 'INVALID_INPUT');
    await rejectedWith(submit(h, h.ids.buyer, 'jobs:AssignJob', [{ ...good, partId: (await createOrder(h, { buyer: h.ids.admin2 })).partIds[0] }]), 'ACCESS_DENIED');
  });

  it('enforces operation order: operation 1 cannot start before operation 0 is finished', async () => {
    const m = await readyMachine(h);
    const anchor = await scheduleAnchor(h);
    const partId = (await createOrder(h, { processes: ['milling', 'drilling'] })).partIds[0]!;
    const second = await submit<Job>(h, h.ids.admin1, 'jobs:AssignJob', [jobInput(h, partId, m, anchor, 1)]);
    await submit(h, h.ids.operator1, 'jobs:AcceptJob', [second.id]);
    const err = await rejectedWith(submit(h, h.ids.operator1, 'jobs:ReportStart', [second.id, { machineId: m.id }]), 'CONFLICT');
    expect(err.message).to.match(/operation 0 .* is not finished/);
  });

  it('checks that the twin snapshot named by a report is of the machine', async () => {
    const m = await readyMachine(h);
    const other = await readyMachine(h);
    const anchor = await scheduleAnchor(h);
    const partId = (await createOrder(h)).partIds[0]!;
    const snap = await submit<TwinSnapshot>(h, h.ids.operator1, 'twins:RecordTwinSnapshot', [{ id: uid(h, 'T'), machineId: other.id, model: { id: 'spindle-kf', version: '1.0.0' }, summary: { healthIndex: 0.9, states: { wear: 0.1 }, anomaly: false }, snapshotHash: hash('s') }]);
    const job = await submit<Job>(h, h.ids.admin1, 'jobs:AssignJob', [jobInput(h, partId, m, anchor)]);
    await submit(h, h.ids.operator1, 'jobs:AcceptJob', [job.id]);
    const err = await rejectedWith(submit(h, h.ids.operator1, 'jobs:ReportStart', [job.id, { machineId: m.id, twinSnapshotId: snap.id }]), 'TWIN_MISMATCH');
    expect(err.details).to.include({ snapshotMachineId: other.id, machineId: m.id });
    await rejectedWith(submit(h, h.ids.operator1, 'jobs:ReportStart', [job.id, { machineId: m.id, twinSnapshotId: uid(h, 'none') }]), 'NOT_FOUND');
  });

  it('lets the buyer dispute QC and a consortium admin resolve it', async () => {
    const m = await readyMachine(h);
    const anchor = await scheduleAnchor(h);
    const partId = (await createOrder(h)).partIds[0]!;
    await producePart(h, partId, m, anchor, 1, h.ids.operator1);
    await rejectedWith(submit(h, h.ids.operator1, 'jobs:DisputeQc', [partId, { reason: 'x' }]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.admin1, 'jobs:ResolveQcDispute', [partId, { upheld: true, note: 'n' }]), 'CONFLICT');
    const disputed = await submit<Part>(h, h.ids.buyer, 'jobs:DisputeQc', [partId, { reason: 'flatness out of tolerance', evidenceHash: hash('photo') }]);
    expect(disputed.qc?.dispute?.reason).to.equal('flatness out of tolerance');
    await rejectedWith(submit(h, h.ids.buyer, 'jobs:DisputeQc', [partId, { reason: 'again' }]), 'CONFLICT');
    await rejectedWith(submit(h, h.ids.admin2, 'jobs:ResolveQcDispute', [partId, { upheld: true, note: 'n' }]), 'ACCESS_DENIED');
    const resolved = await submit<Part>(h, h.ids.admin1, 'jobs:ResolveQcDispute', [partId, { upheld: true, note: 'remeasured: 0.03 mm' }]);
    expect(resolved.status).to.equal('qc_failed');
    expect(resolved.qc?.result).to.equal('fail');
    await rejectedWith(submit(h, h.ids.operator1, 'orders:ShipPart', [partId, { carrier: 'UPS', trackingRef: '1Z' }]), 'ILLEGAL_TRANSITION');
  });

  it('records a failed QC and allows rework on a new assignment', async () => {
    const m = await readyMachine(h);
    const anchor = await scheduleAnchor(h);
    const partId = (await createOrder(h)).partIds[0]!;
    await runOperation(h, partId, m, anchor, 0, h.ids.operator1);
    const failed = await submit<Part>(h, h.ids.operator1, 'jobs:RecordQc', [partId, { result: 'fail', reportHash: hash('bad') }]);
    expect(failed.status).to.equal('qc_failed');
    await runOperation(h, partId, m, anchor, 0, h.ids.operator1);
    const passed = await submit<Part>(h, h.ids.operator1, 'jobs:RecordQc', [partId, { result: 'pass', reportHash: hash('good') }]);
    expect(passed.status).to.equal('qc_passed');
  });
});
