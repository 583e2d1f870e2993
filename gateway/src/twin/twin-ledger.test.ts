import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, type Anchor, type Job, type TwinSnapshot } from '@forgetrace/chaincode/api';
import { AnchorOutbox } from '../anchoring/anchor-outbox';
import { verifyRecordProof } from '../anchoring/record-proof';
import { openDemoConsortium, type DemoConsortium } from '../demo/demo-consortium';
import { LedgerClient } from '../ledger/ledger-client';
import { LedgerError, type LedgerPort } from '../ledger/port';
import { TwinError } from './errors';
import { cncSpindleModel } from './models';
import { MachineSimulator } from './simulator';
import { SnapshotRecorder } from './snapshots';
import { TelemetryWindows, verifySampleProof } from './telemetry-windows';
import { encodeTelemetry, telemetryTopic } from './telemetry';
import { TwinService } from './twin-service';
import { openTwinFeature } from './twin-feature';
import { connectMqtt } from './mqtt-ingest';

describe('twin: snapshots and telemetry on the ledger', function () {
  this.timeout(60_000);
  let dir: string;
  let demo: DemoConsortium;
  let ledger: LedgerClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ft-twin-ledger-'));
    demo = await openDemoConsortium(join(dir, 'demo'));
    ledger = new LedgerClient(demo.ledger);
  });
  after(async () => {
    await demo.ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** 40 minutes of DE-MILL-01: idle 5 min, an operation, idle again. */
  function feed(service: TwinService): void {
    const model = cncSpindleModel();
    const start = Date.now() - 3_600_000;
    const sim = new MachineSimulator({ machineId: 'DE-MILL-01', model, seed: 8, start, operations: [{ start: start + 5 * 60_000, end: start + 30 * 60_000, load: 0.8, speed: 0.9 }] });
    for (let i = 0; i < 1200; i++) {
      const s = sim.next();
      const r = service.ingest('DE-MILL-01', encodeTelemetry({ t: s.t, seq: s.seq, u: s.u, y: s.yRaw }, model), 'mqtt', 'Org1MSP');
      expect(r.accepted).to.equal(true);
    }
  }

  it('records snapshots on policy, anchors the full snapshot, and a job report references the one in force', async () => {
    const service = new TwinService();
    service.register('DE-MILL-01', 'cnc-spindle', 'Org1MSP');
    service.register('IT-MILL-02', 'cnc-spindle', 'Org2MSP');
    const outbox = AnchorOutbox.open({ filename: ':memory:', ledger, identity: demo.users.operator1 });
    const recorder = SnapshotRecorder.open({ filename: join(dir, 'snapshots.db'), service, ledger, identity: demo.users.operator1, outbox, policy: { everyMs: 10 * 60_000 } });
    try {
      feed(service);
      const taken = recorder.list('DE-MILL-01');
      const reasons = taken.map((s) => s.snapshot.reason);
      expect(reasons).to.include.members(['operation-start', 'operation-finish', 'periodic']);
      expect(reasons.filter((r) => r === 'periodic').length).to.be.within(2, 4);
      expect(taken.every((s) => s.state === 'pending')).to.equal(true);
      expect(recorder.list('IT-MILL-02')).to.deep.equal([]); // another organisation's machine is not ours to record
      const { recorded } = await recorder.flush();
      expect(recorded).to.have.length(taken.length);
      expect(recorder.pendingCount()).to.equal(0);
      const onLedger = await ledger.evaluate<TwinSnapshot[]>(demo.users.operator1, 'twins:ListTwinSnapshots', ['DE-MILL-01', {}]);
      for (const s of recorder.list('DE-MILL-01')) {
        const rec = onLedger.find((x) => x.id === s.snapshot.id)!;
        expect(rec, s.snapshot.id).to.not.equal(undefined);
        expect(rec.snapshotHash).to.equal(createHash('sha256').update(canonicalJson(s.snapshot)).digest('hex'));
        expect(rec.summary.healthIndex).to.equal(s.snapshot.healthIndex);
        expect(rec.summary.states.toolWear).to.equal(s.snapshot.state.mean[2]);
        expect(rec.model).to.deep.equal({ id: 'cnc-spindle', version: '1.0.0' });
        expect(rec.recorded.txId).to.equal(s.transactionId);
      }
      // a second flush finds nothing to do; a re-submission of a recorded snapshot is idempotent
      expect((await recorder.flush()).recorded).to.deep.equal([]);
      // the full snapshot is anchored: its outbox leaf hash is the on-chain snapshot hash
      await outbox.flush({ force: true });
      const first = recorder.list('DE-MILL-01')[0]!;
      const proof = outbox.proof(first.outboxRecordId);
      expect(proof.leaf[1]).to.equal('0x' + first.snapshotHash);
      const anchor = await ledger.evaluate<Anchor>(demo.users.operator1, 'anchors:GetAnchor', [proof.anchorId]);
      expect(anchor.kind).to.equal('twin');
      expect(verifyRecordProof(first.snapshot, proof, anchor)).to.equal(true);
      expect(verifyRecordProof({ ...first.snapshot, healthIndex: 1 }, proof, anchor)).to.equal(false);
      // the snapshot in force at a time is the newest recorded one not after it
      const mid = recorder.list('DE-MILL-01')[1]!;
      expect(recorder.inForce('DE-MILL-01', Date.parse(mid.snapshot.observedAt))!.snapshot.id).to.equal(mid.snapshot.id);
      expect(recorder.inForce('DE-MILL-01', 0)).to.equal(undefined);
      // an operation report names the snapshot recorded for it
      const snapshotId = await recorder.snapshotForReport('DE-MILL-01');
      await ledger.submit(demo.users.operator1, 'jobs:ReportFinish', ['JOB-2', { machineId: 'DE-MILL-01', twinSnapshotId: snapshotId }]);
      const job = await ledger.evaluate<Job>(demo.users.operator1, 'jobs:GetJob', ['JOB-2']);
      expect(job.finish?.twinSnapshotId).to.equal(snapshotId);
      expect(() => recorder.take('NOPE', 'manual')).to.throw(TwinError).with.property('code', 'UNKNOWN_MACHINE');
    } finally {
      await recorder.close();
      await outbox.close();
    }
  });

  it('keeps snapshots pending while the ledger is down and records them once it is back', async () => {
    let down = true;
    const flaky: LedgerPort = new Proxy(demo.ledger, {
      get(target, prop, receiver) {
        if (prop === 'submit' && down) return () => Promise.reject(new LedgerError('unavailable', 'UNAVAILABLE', 'ledger unreachable'));
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const flakyClient = new LedgerClient(flaky);
    const service = new TwinService();
    service.register('DE-MILL-01', 'cnc-spindle', 'Org1MSP');
    const outbox = AnchorOutbox.open({ filename: ':memory:', ledger, identity: demo.users.operator1 });
    const file = join(dir, 'snapshots-outage.db');
    let recorder = SnapshotRecorder.open({ filename: file, service, ledger: flakyClient, identity: demo.users.operator1, outbox, policy: { everyMs: 0, onOperationBoundary: false } });
    const a = recorder.take('DE-MILL-01', 'manual');
    try {
      await recorder.flush();
      expect.fail('flush should fail while the ledger is down');
    } catch (e) {
      expect(e).to.be.instanceOf(LedgerError);
    }
    expect(recorder.get(a.snapshot.id)).to.include({ state: 'pending', attempts: 1, lastError: 'ledger unreachable' });
    await recorder.close();
    // the gateway restarts with the ledger back: the stored snapshot is recorded, once
    down = false;
    recorder = SnapshotRecorder.open({ filename: file, service, ledger: flakyClient, identity: demo.users.operator1, outbox, policy: { everyMs: 0 } });
    expect(recorder.pendingCount()).to.equal(1);
    expect((await recorder.flush()).recorded).to.deep.equal([a.snapshot.id]);
    const onLedger = await ledger.evaluate<TwinSnapshot>(demo.users.operator1, 'twins:GetTwinSnapshot', [a.snapshot.id]);
    expect(onLedger.snapshotHash).to.equal(a.snapshotHash);
    await recorder.close();
    await outbox.close();
  });

  it('anchors telemetry windows as Merkle roots so any sample can be proven later', async () => {
    const service = new TwinService();
    service.register('DE-MILL-01', 'cnc-spindle', 'Org1MSP');
    const outbox = AnchorOutbox.open({ filename: ':memory:', ledger, identity: demo.users.operator1 });
    const windows = TelemetryWindows.open({ filename: join(dir, 'telemetry.db'), service, outbox, windowSamples: 256, windowMs: 3_600_000 });
    try {
      feed(service);
      expect(windows.openSamples()).to.equal(1200 - 4 * 256);
      expect(() => windows.proveSample('DE-MILL-01', 10)).to.throw(TwinError).with.property('code', 'SAMPLE_NOT_ANCHORED');
      windows.closeAll();
      expect(windows.openSamples()).to.equal(0);
      await outbox.flush({ force: true });
      for (const seq of [1, 300, 1200]) {
        const proof = windows.proveSample('DE-MILL-01', seq);
        const anchor = await ledger.evaluate<Anchor>(demo.users.operator1, 'anchors:GetAnchor', [proof.anchorProof.anchorId]);
        expect(anchor.kind).to.equal('telemetry');
        expect(verifySampleProof(proof, anchor), `seq ${seq}`).to.equal(true);
        const forged = { ...proof, sample: { ...proof.sample, y: { ...proof.sample.y, temperature: (proof.sample.y.temperature ?? 0) + 0.01 } } };
        expect(verifySampleProof(forged, anchor)).to.equal(false);
      }
      expect(() => windows.proveSample('DE-MILL-01', 5000)).to.throw(TwinError).with.property('code', 'SAMPLE_NOT_ANCHORED');
    } finally {
      windows.close();
      await outbox.close();
    }
  });

  it('wires the whole feature from one call and closes it with the extension', async () => {
    const feature = await openTwinFeature({ directory: dir, ledger, identity: demo.users.operator1, machines: [{ machineId: 'DE-MILL-01', model: 'cnc-spindle' }], mqtt: false, snapshotPolicy: { everyMs: 5 * 60_000 }, windowSamples: 100 });
    expect(feature.mqtt).to.equal(null);
    expect(feature.extension.name).to.equal('twin');
    feed(feature.service);
    expect(feature.windows.openSamples()).to.equal(0);
    expect(feature.recorder.pendingCount()).to.be.greaterThan(0);
    await feature.recorder.flush();
    await feature.outbox.flush({ force: true });
    expect(feature.outbox.count('telemetry', 'anchored')).to.equal(12);
    expect(feature.outbox.count('twin', 'anchored')).to.equal(feature.recorder.list('DE-MILL-01').length);
    const before = feature.service.estimate('DE-MILL-01');
    await feature.extension.close!();
    expect(() => feature.recorder.pendingCount()).to.throw();
    // a restarted gateway continues the twin from its checkpoint, not from the prior
    const again = await openTwinFeature({ directory: dir, ledger, identity: demo.users.operator1, mqtt: false });
    try {
      const after = again.service.estimate('DE-MILL-01');
      expect(after.states.map((s) => s.mean)).to.deep.equal(before.states.map((s) => s.mean));
      expect(after.covariance).to.deep.equal(before.covariance);
      expect(after.counters.applied).to.equal(before.counters.applied);
      expect(after.at).to.equal(before.at);
      expect(again.service.assumedInput('DE-MILL-01').load).to.be.greaterThan(0);
    } finally {
      await again.extension.close!();
    }
  });

  it('takes telemetry over its embedded MQTT broker', async () => {
    const feature = await openTwinFeature({ directory: join(dir, 'mqtt-feature'), ledger, identity: demo.users.operator1, machines: [{ machineId: 'DE-MILL-01', model: 'cnc-spindle' }], mqtt: { mode: 'embedded', port: 0 } });
    try {
      expect(feature.mqtt?.url).to.match(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
      const client = await connectMqtt(feature.mqtt!.url, { clientId: 'feature-test' });
      const model = cncSpindleModel();
      const sim = new MachineSimulator({ machineId: 'DE-MILL-01', model, seed: 2, start: Date.now() - 600_000 });
      await Promise.all(Array.from({ length: 100 }, () => {
        const s = sim.next();
        return new Promise<void>((resolve, reject) => client.publish(telemetryTopic('Org1MSP', 'DE-MILL-01'), JSON.stringify(encodeTelemetry({ t: s.t, seq: s.seq, u: s.u, y: s.yRaw }, model)), { qos: 1 }, (e) => (e ? reject(e) : resolve())));
      }));
      await new Promise<void>((r) => client.end(false, {}, () => r()));
      for (let i = 0; i < 100 && feature.service.estimate('DE-MILL-01').counters.applied < 100; i++) await new Promise((r) => setTimeout(r, 20));
      expect(feature.service.estimate('DE-MILL-01').counters.applied).to.equal(100);
    } finally {
      await feature.extension.close!();
    }
  });
});
