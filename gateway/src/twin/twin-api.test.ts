import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { apiKeyHash, type Role } from '../api/auth';
import { configSchema } from '../config/config';
import { openDemoConsortium, type DemoConsortium } from '../demo/demo-consortium';
import { LedgerClient } from '../ledger/ledger-client';
import { startGateway, type RunningGateway } from '../main';
import { InMemoryWallet } from '../wallet/wallet';
import { cncSpindleModel } from './models';
import { publishSimulation } from './simulator-publisher';
import { MachineSimulator } from './simulator';
import { encodeTelemetry } from './telemetry';
import { twinApi } from './twin-api';
import { TwinService } from './twin-service';

async function gatewayFor(demo: DemoConsortium, index: number, roles: Role[], directory: string, service: TwinService): Promise<RunningGateway> {
  const org = demo.organizations[index]!;
  const wallet = new InMemoryWallet();
  const users = [];
  for (const role of roles) {
    await wallet.put(role, await org.issueIdentity({ commonName: `${org.mspId}-${role}`, role }));
    users.push({ id: `${org.mspId}-${role}`, role, apiKeySha256: apiKeyHash(`${org.mspId}-${role}-key`) });
  }
  const config = configSchema.parse({ mspId: org.mspId, http: { port: 0, bodyLimit: '512kb' }, ledger: { kind: 'embedded', directory }, wallet: '(memory)', auth: { users } });
  return startGateway({ config, ledger: demo.ledger, wallet, logger: pino({ level: 'silent' }), extensions: [twinApi({ service, ledger: new LedgerClient(demo.ledger) })] });
}

describe('twin API', function () {
  this.timeout(60_000);
  let dir: string;
  let demo: DemoConsortium;
  let org1: RunningGateway;
  let org2: RunningGateway;
  const now = Date.now();
  const service = new TwinService({ clock: () => now });
  const op1 = { 'X-API-Key': 'Org1MSP-factory_operator-key' };
  const auditor1 = { 'X-API-Key': 'Org1MSP-auditor-key' };
  const op2 = { 'X-API-Key': 'Org2MSP-factory_operator-key' };
  const model = cncSpindleModel();
  const start = now - 3 * 3_600_000;
  const sim = new MachineSimulator({ machineId: 'DE-MILL-01', model, seed: 5, start, operations: [{ start: start + 60_000, end: now, load: 0.7, speed: 0.8 }] });
  const batches: unknown[][] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-twin-api-'));
    demo = await openDemoConsortium(dir);
    org1 = await gatewayFor(demo, 0, ['admin', 'factory_operator', 'auditor'], dir, service);
    org2 = await gatewayFor(demo, 1, ['factory_operator'], dir, new TwinService());
    for (let b = 0; b < 10; b++) {
      const batch: unknown[] = [];
      for (let i = 0; i < 500; i++) {
        const s = sim.next();
        batch.push(encodeTelemetry({ t: s.t, seq: s.seq, u: s.u, y: s.yRaw }, model));
      }
      batches.push(batch);
    }
  });
  after(async () => {
    await org1?.close();
    await org2?.close();
    await demo?.ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('registers a twin for a machine the caller’s organisation owns, idempotently', async () => {
    const created = await request(org1.url).put('/v1/machines/DE-MILL-01/twin').set(op1).send({ model: 'cnc-spindle' }).expect(201);
    expect(created.body).to.include({ machineId: 'DE-MILL-01', at: null });
    expect(created.body.model).to.deep.equal({ id: 'cnc-spindle', version: '1.0.0' });
    await request(org1.url).put('/v1/machines/DE-MILL-01/twin').set(op1).send({ model: 'cnc-spindle' }).expect(200);
  });

  it('refuses other owners, unknown machines, other models and bad bodies with problem documents', async () => {
    const other = await request(org1.url).put('/v1/machines/IT-SLM-01/twin').set(op1).send({ model: 'am-printer' }).expect(403);
    expect(other.type).to.equal('application/problem+json');
    expect(other.body.detail).to.match(/belongs to Org2MSP/);
    const unknown = await request(org1.url).put('/v1/machines/NO-SUCH-1/twin').set(op1).send({ model: 'cnc-spindle' }).expect(404);
    expect(unknown.body).to.include({ code: 'NOT_FOUND', ledgerCode: 'NOT_FOUND' });
    const changed = await request(org1.url).put('/v1/machines/DE-MILL-01/twin').set(op1).send({ model: 'am-printer' }).expect(409);
    expect(changed.body).to.include({ code: 'CONFLICT', twinCode: 'MACHINE_EXISTS' });
    const bad = await request(org1.url).put('/v1/machines/DE-MILL-01/twin').set(op1).send({ model: 'lathe' }).expect(422);
    expect(bad.body.errors[0].field).to.equal('body.model');
    await request(org1.url).put('/v1/machines/DE-MILL-01/twin').set(auditor1).send({ model: 'cnc-spindle' }).expect(403);
    const missing = await request(org1.url).get('/v1/machines/DE-LATHE-01/twin').set(auditor1).expect(404);
    expect(missing.body).to.include({ twinCode: 'UNKNOWN_MACHINE', machineId: 'DE-LATHE-01' });
  });

  it('ingests HTTP telemetry batches, counting duplicates and refusing other organisations', async () => {
    for (const batch of batches) {
      const r = await request(org1.url).post('/v1/machines/DE-MILL-01/telemetry').set(op1).send({ samples: batch }).expect(202);
      expect(r.body.filtered).to.equal(500);
    }
    const again = await request(org1.url).post('/v1/machines/DE-MILL-01/telemetry').set(op1).send({ samples: batches[9] }).expect(202);
    expect(again.body).to.include({ filtered: 0, duplicates: 500 });
    expect(service.estimate('DE-MILL-01').counters.applied).to.equal(5000);
    // org2 has no twin for DE-MILL-01 and does not own it
    await request(org2.url).post('/v1/machines/DE-MILL-01/telemetry').set(op2).send({ samples: batches[0] }).expect(404);
  });

  it('rejects malformed telemetry with 422 and counts it by reason', async () => {
    const before = { ...service.stats.rejected };
    const good = batches[0]![0] as { seq: number; t: string; u: object; y: Record<string, number> };
    const schema = await request(org1.url).post('/v1/machines/DE-MILL-01/telemetry').set(op1).send({ samples: [{ ...good, seq: -1 }] }).expect(422);
    expect(schema.body.errors[0].field).to.equal('body.samples.0.seq');
    const channel = await request(org1.url).post('/v1/machines/DE-MILL-01/telemetry').set(op1).send({ samples: [{ ...good, seq: 99_999, y: { torque: 3 } }] }).expect(422);
    expect(channel.body).to.include({ twinCode: 'INVALID_SAMPLE', reason: 'channel' });
    expect(channel.body.detail).to.match(/unknown channel torque/);
    const future = await request(org1.url).post('/v1/machines/DE-MILL-01/telemetry').set(op1).send({ samples: [{ ...good, seq: 99_998, t: new Date(now + 3_600_000).toISOString() }] }).expect(422);
    expect(future.body.reason).to.equal('clock');
    await request(org1.url).post('/v1/machines/DE-MILL-01/telemetry').set(op1).send({ samples: [] }).expect(422);
    await request(org1.url).post('/v1/machines/DE-MILL-01/telemetry').set(op1).set('Content-Type', 'text/plain').send('hello').expect(415);
    expect(service.stats.rejected.channel).to.equal((before.channel ?? 0) + 1);
    expect(service.stats.rejected.clock).to.equal((before.clock ?? 0) + 1);
  });

  it('serves the estimate, history, predictions and anomalies', async () => {
    const est = await request(org1.url).get('/v1/machines/DE-MILL-01/twin').set(auditor1).expect(200);
    expect(est.body.states.map((s: { name: string }) => s.name)).to.deep.equal(['temperature', 'vibration', 'toolWear', 'wearRate']);
    for (const s of est.body.states) expect(s.std).to.be.greaterThan(0);
    expect(est.body.covariance).to.have.length(16);
    expect(est.body.wear.limit).to.equal(0.3);
    const truth = sim.next();
    expect(est.body.states[0].mean).to.be.closeTo(truth.x[0]!, 1);
    const hist = await request(org1.url).get('/v1/machines/DE-MILL-01/twin/history').query({ from: new Date(start).toISOString(), to: new Date(now).toISOString(), points: 50 }).set(auditor1).expect(200);
    expect(hist.body.points.length).to.be.within(40, 50);
    const ts = hist.body.points.map((p: { t: string }) => Date.parse(p.t));
    expect([...ts].sort((a, b) => a - b)).to.deep.equal(ts);
    expect(hist.body.points.reduce((a: number, p: { samples: number }) => a + p.samples, 0)).to.equal(5000);
    const bad = await request(org1.url).get('/v1/machines/DE-MILL-01/twin/history').query({ from: new Date(now).toISOString(), to: new Date(start).toISOString() }).set(auditor1).expect(400);
    expect(bad.body.twinCode).to.equal('INVALID_RANGE');
    const pred = await request(org1.url).get('/v1/machines/DE-MILL-01/twin/predictions').query({ horizonHours: 2000 }).set(auditor1).expect(200);
    expect(pred.body.rul.hoursToLimit.p10).to.be.a('number');
    expect(pred.body.rul.hoursToLimit.p10).to.be.at.most(pred.body.rul.hoursToLimit.p90);
    expect(pred.body.rul.assumedInput.load).to.be.greaterThan(0.3);
    const an = await request(org1.url).get('/v1/machines/DE-MILL-01/twin/anomalies').set(auditor1).expect(200);
    expect(an.body.anomalies).to.be.an('array');
  });

  it('answers what-if questions and rejects impossible schedules', async () => {
    const from = service.machine('DE-MILL-01').twin.lastTime!;
    const t = (h: number) => new Date(from + h * 3_600_000).toISOString();
    const light = await request(org1.url).post('/v1/machines/DE-MILL-01/twin/what-if').set(auditor1).send({ operations: [{ start: t(0.1), end: t(2), load: 0.2, speed: 0.3 }] }).expect(200);
    const heavy = await request(org1.url).post('/v1/machines/DE-MILL-01/twin/what-if').set(op1).send({ operations: [{ start: t(0.1), end: t(400), load: 1, speed: 1 }] }).expect(200);
    expect(heavy.body.wearAtEnd.mean).to.be.greaterThan(light.body.wearAtEnd.mean);
    expect(heavy.body.risk).to.be.greaterThan(light.body.risk);
    expect(heavy.body.downtime).to.have.length(1);
    expect(Date.parse(heavy.body.downtime[0].end) - Date.parse(heavy.body.downtime[0].start)).to.equal(20 * 60_000);
    const overlap = await request(org1.url).post('/v1/machines/DE-MILL-01/twin/what-if').set(op1).send({ operations: [{ start: t(1), end: t(3), load: 0.5, speed: 0.5 }, { start: t(2), end: t(4), load: 0.5, speed: 0.5 }] }).expect(422);
    expect(overlap.body.twinCode).to.equal('INVALID_SCHEDULE');
    expect(overlap.body.detail).to.match(/operation 1: overlaps/);
  });

  it('takes telemetry from the simulator publisher over HTTP', async () => {
    await request(org1.url).put('/v1/machines/DE-LATHE-01/twin').set(op1).send({ model: 'cnc-spindle' }).expect(201);
    const truth: number[] = [];
    const sent = await publishSimulation({ org: 'Org1MSP', machines: [{ machineId: 'DE-LATHE-01', model: 'cnc-spindle' }], target: { http: org1.url, apiKey: 'Org1MSP-factory_operator-key' }, minutes: 10, speedup: 0, start: now - 20 * 60_000, onTruth: (s) => truth.push(s.x[0]!) });
    expect(sent).to.be.within(299, 300); // 10 min at 2 s ± 10 % jitter
    const est = service.estimate('DE-LATHE-01');
    expect(est.counters.applied).to.equal(sent);
    expect(est.states[0]!.mean).to.be.closeTo(truth[truth.length - 1]!, 1);
  });

  it('documents its routes in the OpenAPI document', async () => {
    const doc = await request(org1.url).get('/openapi.json').expect(200);
    for (const p of ['/v1/machines/{machineId}/twin', '/v1/machines/{machineId}/twin/history', '/v1/machines/{machineId}/twin/predictions', '/v1/machines/{machineId}/twin/anomalies', '/v1/machines/{machineId}/twin/what-if', '/v1/machines/{machineId}/telemetry']) {
      expect(doc.body.paths, p).to.have.property(p);
    }
    expect(doc.body.paths['/v1/machines/{machineId}/twin/what-if'].post.requestBody.content['application/json'].schema.properties).to.have.property('operations');
  });
});
