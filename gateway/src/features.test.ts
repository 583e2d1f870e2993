import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { apiKeyHash } from './api/auth';
import { configSchema } from './config/config';
import { openDemoConsortium, type DemoConsortium } from './demo/demo-consortium';
import { standardFeatures } from './features';
import { startGateway, type RunningGateway } from './main';
import { InMemoryWallet } from './wallet/wallet';

describe('standard features wired together', function () {
  this.timeout(60_000);
  let dir: string;
  let demo: DemoConsortium;
  let gw: RunningGateway;
  const op = { 'X-API-Key': 'feat-op' };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-features-'));
    demo = await openDemoConsortium(dir);
    const org = demo.organizations[0]!;
    const wallet = new InMemoryWallet();
    for (const role of ['admin', 'factory_operator'] as const) await wallet.put(role, await org.issueIdentity({ commonName: `f-${role}`, role }));
    const config = configSchema.parse({
      mspId: 'Org1MSP', http: { port: 0 }, ledger: { kind: 'embedded', directory: dir }, wallet: '(memory)',
      auth: { users: [{ id: 'fa', role: 'admin', apiKeySha256: apiKeyHash('feat-admin') }, { id: 'fo', role: 'factory_operator', apiKeySha256: apiKeyHash('feat-op') }] },
      twin: { directory: join(dir, 'twin'), mqtt: false, machines: [{ machineId: 'DE-MILL-01', model: 'cnc-spindle' }] },
    });
    gw = await startGateway({ config, ledger: demo.ledger, wallet, logger: pino({ level: 'silent' }), extensions: standardFeatures });
  });
  after(async () => {
    await gw?.close();
    await demo?.ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a job report without a twin snapshot gets the machine’s snapshot recorded and referenced; the trace shows it', async () => {
    const r = await request(gw.url).post('/v1/jobs/JOB-2/finish').set(op).set('Idempotency-Key', 'features-finish-1').send({ machineId: 'DE-MILL-01' }).expect(200);
    const snapshotId = r.body.finish.twinSnapshotId as string;
    expect(snapshotId).to.be.a('string').and.not.equal('');
    const replay = await request(gw.url).post('/v1/jobs/JOB-2/finish').set(op).set('Idempotency-Key', 'features-finish-1').send({ machineId: 'DE-MILL-01' }).expect(200);
    expect(replay.headers['idempotent-replayed']).to.equal('true');
    expect(replay.body.finish.twinSnapshotId).to.equal(snapshotId);
    const trace = await request(gw.url).get('/v1/parts/PO-1001.2/trace').set(op).expect(200);
    expect(trace.body.twinSnapshots[snapshotId]).to.include({ machineId: 'DE-MILL-01', id: snapshotId });
    const finished = trace.body.entries.find((e: { type: string }) => e.type === 'operation_finished');
    expect(finished.data.twinSnapshotId).to.equal(snapshotId);
  });

  it('serves every feature’s routes in one OpenAPI document', async () => {
    const doc = await request(gw.url).get('/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).to.include.members(['/v1/schedules', '/v1/subscriptions', '/v1/verify', '/v1/recommendations/parts', '/v1/machines/{machineId}/twin']);
  });
});
