import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import pino from 'pino';
import request from 'supertest';
import { configSchema } from '../config/config';
import { openDemoConsortium, type DemoConsortium } from '../demo/demo-consortium';
import { startGateway, type RunningGateway } from '../main';
import { InMemoryWallet } from '../wallet/wallet';
import { apiKeyHash, type Role } from './auth';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';

/** A gateway for one demo organisation, with one user per role and API key `<org>-<role>-key`. */
async function gatewayFor(demo: DemoConsortium, index: number, roles: Role[], directory: string): Promise<RunningGateway> {
  const org = demo.organizations[index]!;
  const wallet = new InMemoryWallet();
  const users = [];
  for (const role of roles) {
    await wallet.put(role, await org.issueIdentity({ commonName: `${org.mspId}-${role}`, role }));
    users.push({ id: `${org.mspId}-${role}`, role, apiKeySha256: apiKeyHash(`${org.mspId}-${role}-key`) });
  }
  const config = configSchema.parse({
    mspId: org.mspId,
    http: { port: 0, bodyLimit: '16kb' },
    ledger: { kind: 'embedded', directory },
    wallet: '(memory)',
    auth: { users, jwtSecret: SECRET },
  });
  return startGateway({ config, ledger: demo.ledger, wallet, logger: pino({ level: 'silent' }) });
}

const machine = (id: string) => ({ id, manufacturer: 'Haas', model: 'VF-2', serial: `S-${id}`, capabilities: { processes: ['milling'], materials: ['al6061'], toleranceMm: 0.02, envelopeMm: { x: 700, y: 400, z: 500 } } });
let keySeq = 0;
const idem = () => `test-idem-${process.pid}-${++keySeq}`;

describe('gateway API', function () {
  this.timeout(30_000);
  let dir: string;
  let demo: DemoConsortium;
  let org1: RunningGateway;
  let org2: RunningGateway;
  let org3: RunningGateway;
  const op1 = { 'X-API-Key': 'Org1MSP-factory_operator-key' };
  const auditor1 = { 'X-API-Key': 'Org1MSP-auditor-key' };
  const buyer3 = { 'X-API-Key': 'Org3MSP-buyer-key' };
  const op2 = { 'X-API-Key': 'Org2MSP-factory_operator-key' };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-api-'));
    demo = await openDemoConsortium(dir);
    org1 = await gatewayFor(demo, 0, ['admin', 'factory_operator', 'auditor'], dir);
    org2 = await gatewayFor(demo, 1, ['admin', 'factory_operator'], dir);
    org3 = await gatewayFor(demo, 2, ['admin', 'buyer'], dir);
    const last = (await demo.ledger.height()) - 1;
    for (const g of [org1, org2, org3]) {
      for (let i = 0; (g.indexer.status().checkpoint?.blockNumber ?? -1) < last; i++) {
        if (i > 200) throw new Error(`index of ${g.url} stuck: ${JSON.stringify(g.indexer.status())}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  });
  after(async () => {
    for (const g of [org1, org2, org3]) await g?.close();
    await demo?.ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('authentication and roles', () => {
    it('refuses requests without credentials or with an unknown key, as problem+json', async () => {
      const none = await request(org1.url).get('/v1/machines').expect(401);
      expect(none.type).to.equal('application/problem+json');
      expect(none.body).to.include({ status: 401, code: 'UNAUTHENTICATED', instance: '/v1/machines' });
      expect(none.headers['www-authenticate']).to.match(/X-API-Key/);
      const bad = await request(org1.url).get('/v1/machines').set('X-API-Key', 'nope').expect(401);
      expect(bad.body.detail).to.equal('the API key is not valid');
      await request(org1.url).get('/v1/machines').set(buyer3).expect(401);
    });

    it('accepts HS256 bearer tokens for configured users only', async () => {
      const token = (sub: string, aud = 'forgetrace-gateway') => new SignJWT({ role: 'auditor' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuer('forgetrace').setAudience(aud).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));
      await request(org1.url).get('/v1/members').set('Authorization', `Bearer ${await token('Org1MSP-auditor')}`).expect(200);
      const wrongAud = await request(org1.url).get('/v1/members').set('Authorization', `Bearer ${await token('Org1MSP-auditor', 'elsewhere')}`).expect(401);
      expect(wrongAud.body.detail).to.match(/bearer token is not valid/);
      await request(org1.url).get('/v1/members').set('Authorization', `Bearer ${await token('mallory')}`).expect(401);
      const wrongRole = await request(org1.url).get('/v1/members').set('Authorization', `Bearer ${await token('Org1MSP-admin')}`).expect(401);
      expect(wrongRole.body.detail).to.match(/claims role auditor/);
    });

    it('checks roles per route before touching the ledger', async () => {
      const before = await demo.ledger.height();
      const r = await request(org1.url).post('/v1/machines').set(auditor1).set('Idempotency-Key', idem()).send(machine('M-AUD-1')).expect(403);
      expect(r.body.code).to.equal('FORBIDDEN');
      expect(r.body.detail).to.match(/needs role factory_operator or admin/);
      expect(await demo.ledger.height()).to.equal(before);
    });

    it('passes chaincode access denials through as 403 with the ledger code', async () => {
      const r = await request(org2.url).post('/v1/machines/DE-MILL-01/maintenance').set(op2).set('Idempotency-Key', idem()).send({ kind: 'inspection', description: 'not mine' }).expect(403);
      expect(r.body).to.include({ code: 'FORBIDDEN', ledgerCode: 'ACCESS_DENIED' });
      expect(r.body.transactionId).to.match(/^[0-9a-f]{64}$/);
    });
  });

  describe('commands', () => {
    it('submits, answers 201 with Location and transaction headers, and the index has it at once', async () => {
      const r = await request(org1.url).post('/v1/machines').set(op1).set('Idempotency-Key', idem()).send(machine('M-API-1')).expect(201);
      expect(r.headers.location).to.equal('/v1/machines/M-API-1');
      expect(r.headers['x-transaction-id']).to.match(/^[0-9a-f]{64}$/);
      expect(r.body).to.include({ id: 'M-API-1', ownerMsp: 'Org1MSP', status: 'registered' });
      const read = await request(org1.url).get('/v1/machines/M-API-1').set(auditor1).expect(200);
      expect(read.body.id).to.equal('M-API-1');
    });

    it('replays a retried request with the same Idempotency-Key without a second transaction', async () => {
      const key = idem();
      const first = await request(org1.url).post('/v1/machines').set(op1).set('Idempotency-Key', key).send(machine('M-API-2')).expect(201);
      const height = await demo.ledger.height();
      const again = await request(org1.url).post('/v1/machines').set(op1).set('Idempotency-Key', key).send(machine('M-API-2')).expect(201);
      expect(again.headers['idempotent-replayed']).to.equal('true');
      expect(again.body).to.deep.equal(first.body);
      expect(again.headers['x-transaction-id']).to.equal(first.headers['x-transaction-id']);
      expect(await demo.ledger.height()).to.equal(height);
      const other = await request(org1.url).post('/v1/machines').set(op1).set('Idempotency-Key', key).send(machine('M-API-3')).expect(422);
      expect(other.body.code).to.equal('IDEMPOTENCY_KEY_REUSED');
    });

    it('runs concurrent retries with one key exactly once', async () => {
      const key = idem();
      const height = await demo.ledger.height();
      const results = await Promise.all([1, 2, 3].map(() => request(org1.url).post('/v1/machines').set(op1).set('Idempotency-Key', key).send(machine('M-API-4'))));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 201)).to.have.length.at.least(1);
      expect(statuses.every((s) => s === 201 || s === 409)).to.equal(true);
      expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'IDEMPOTENCY_IN_PROGRESS')).to.equal(true);
      expect(await demo.ledger.height()).to.equal(height + 1);
    });

    it('requires an Idempotency-Key on ledger writes', async () => {
      const r = await request(org1.url).post('/v1/machines').set(op1).send(machine('M-API-5')).expect(428);
      expect(r.body.code).to.equal('IDEMPOTENCY_KEY_REQUIRED');
      await request(org1.url).post('/v1/machines').set(op1).set('Idempotency-Key', 'short').send(machine('M-API-5')).expect(400);
    });

    it('names the failing field of a body that does not match the schema', async () => {
      const bad = { ...machine('M-API-6'), capabilities: { ...machine('x').capabilities, toleranceMm: 'fine' } };
      const r = await request(org1.url).post('/v1/machines').set(op1).set('Idempotency-Key', idem()).send(bad).expect(422);
      expect(r.body.code).to.equal('VALIDATION_FAILED');
      expect(r.body.errors[0].field).to.equal('body.capabilities.toleranceMm');
      expect(r.body.detail).to.match(/^body\.capabilities\.toleranceMm: /);
    });

    it('answers malformed JSON with 400, other media types with 415 and big bodies with 413', async () => {
      const malformed = await request(org1.url).post('/v1/machines').set(op1).set('Idempotency-Key', idem()).set('Content-Type', 'application/json').send('{"id": ').expect(400);
      expect(malformed.body.detail).to.match(/not valid JSON/);
      await request(org1.url).post('/v1/machines').set(op1).set('Idempotency-Key', idem()).set('Content-Type', 'text/plain').send('id=1').expect(415);
      const huge = await request(org1.url).post('/v1/machines').set(op1).set('Idempotency-Key', idem()).send({ ...machine('M-BIG'), model: 'x'.repeat(20_000) }).expect(413);
      expect(huge.body.code).to.equal('PAYLOAD_TOO_LARGE');
    });

    it('maps illegal transitions to 409 and unknown ids to 404, with the chaincode’s words', async () => {
      const r = await request(org1.url).post('/v1/machines/DE-MILL-01/commission').set(op1).set('Idempotency-Key', idem()).send({}).expect(409);
      expect(r.body).to.include({ code: 'CONFLICT', ledgerCode: 'ILLEGAL_TRANSITION', detail: 'machine DE-MILL-01 cannot go from commissioned to commissioned' });
      const nf = await request(org1.url).post('/v1/machines/NOPE-1/repairs').set(op1).set('Idempotency-Key', idem()).send({ description: 'x' }).expect(404);
      expect(nf.body.ledgerCode).to.equal('NOT_FOUND');
      await request(org1.url).get('/v1/machines/NOPE-1').set(op1).expect(404);
      const bad = await request(org1.url).get('/v1/machines/bad%20id').set(op1).expect(422);
      expect(bad.body.errors[0].field).to.equal('machineId');
      const route = await request(org1.url).get('/v1/nothing-here').set(op1).expect(404);
      expect(route.type).to.equal('application/problem+json');
    });

    it('keeps commercial terms private to the buyer and the factory', async () => {
      const terms = { price: 990, currency: 'EUR', paymentTerms: 'net 60' };
      const r = await request(org3.url).put('/v1/orders/PO-1002/terms/Org2MSP').set(buyer3).set('Idempotency-Key', idem()).send(terms).expect(200);
      expect(r.body.termsHash).to.match(/^[0-9a-f]{64}$/);
      const mine = await request(org3.url).get('/v1/orders/PO-1002/terms/Org2MSP').set(buyer3).expect(200);
      expect(mine.body.terms).to.deep.equal(terms);
      expect(mine.headers['cache-control']).to.equal('no-store');
      const factory = await request(org2.url).get('/v1/orders/PO-1002/terms/Org2MSP').set(op2).expect(200);
      expect(factory.body.terms).to.deep.equal(terms);
      const other = await request(org1.url).get('/v1/orders/PO-1002/terms/Org2MSP').set(op1).expect(403);
      expect(other.body.ledgerCode).to.equal('ACCESS_DENIED');
    });

    it('never answers 500 and never writes for arbitrary bodies (fuzz)', async () => {
      const before = await demo.ledger.height();
      await fc.assert(fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (body) => {
        const r = await request(org1.url).post('/v1/machines').set(op1).set('Idempotency-Key', idem()).set('Content-Type', 'application/json').send(JSON.stringify(body));
        expect(r.status, JSON.stringify(r.body)).to.be.within(400, 499);
        expect(r.type).to.equal('application/problem+json');
      }), { numRuns: 60, seed: 42 });
      expect(await demo.ledger.height()).to.equal(before);
    });
  });

  describe('queries', () => {
    it('pages through lists without repeating or losing items, with ETags and 304', async () => {
      const all: string[] = [];
      let cursor: string | null = null;
      do {
        const r: request.Response = await request(org1.url).get('/v1/machines').query({ limit: 2, ...(cursor ? { cursor } : {}) }).set(auditor1).expect(200);
        all.push(...r.body.items.map((m: { id: string }) => m.id));
        cursor = r.body.nextCursor;
        if (cursor) expect(r.headers.link).to.match(/rel="next"/);
      } while (cursor);
      expect(new Set(all).size).to.equal(all.length);
      expect(all).to.include.members(['DE-MILL-01', 'IT-SLM-01', 'M-API-1']);
      const first = await request(org1.url).get('/v1/machines').query({ ownerMsp: 'Org2MSP' }).set(auditor1).expect(200);
      expect(first.body.items.every((m: { ownerMsp: string }) => m.ownerMsp === 'Org2MSP')).to.equal(true);
      await request(org1.url).get('/v1/machines').query({ ownerMsp: 'Org2MSP' }).set(auditor1).set('If-None-Match', String(first.headers.etag)).expect(304);
      const one = await request(org1.url).get('/v1/machines/IT-SLM-01').set(auditor1).expect(200);
      await request(org1.url).get('/v1/machines/IT-SLM-01').set(auditor1).set('If-None-Match', String(one.headers.etag)).expect(304);
      const badQuery = await request(org1.url).get('/v1/machines').query({ limit: 0 }).set(auditor1).expect(422);
      expect(badQuery.body.errors[0].field).to.equal('query.limit');
    });

    it('serves a part’s trace and its state at an earlier time', async () => {
      const trace = await request(org1.url).get('/v1/parts/PO-1001.1/trace').set(auditor1).expect(200);
      expect(trace.headers['x-trace-source']).to.equal('index; verified against the ledger');
      expect(trace.headers['content-encoding']).to.equal('gzip');
      const plain = await request(org1.url).get('/v1/parts/PO-1001.1/trace').set(auditor1).set('Accept-Encoding', 'identity').expect(200);
      expect(plain.headers['content-encoding']).to.equal(undefined);
      expect(plain.text).to.equal(trace.text);
      expect(trace.text).to.equal(Buffer.from(await demo.ledger.evaluate(demo.users.auditor, 'trace:GetPartTrace', ['PO-1001.1', '{}'])).toString('utf8'));
      expect(trace.body.entries.map((e: { type: string }) => e.type)).to.deep.equal(['created', 'job_assigned', 'job_accepted', 'operation_started', 'operation_finished', 'qc_recorded', 'shipped']);
      const events = await request(org1.url).get('/v1/parts/PO-1001.1/events').set(auditor1).expect(200);
      const qcAt = events.body.items.find((e: { type: string }) => e.type === 'qc_recorded').at as string;
      const then = await request(org1.url).get('/v1/parts/PO-1001.1').query({ at: qcAt }).set(auditor1).expect(200);
      expect(then.body.data.eventCount).to.equal(6);
    expect(then.body.data.status).to.equal('qc_passed');
    expect(then.body.exact).to.equal(true);
    const machineThen = await request(org1.url).get('/v1/machines/DE-MILL-01').query({ at: '2020-01-01T00:00:00Z' }).set(auditor1).expect(404);
    expect(machineThen.body.ledgerCode).to.equal('NOT_FOUND');
      await request(org1.url).get('/v1/parts/PO-1001.1').query({ at: 'yesterday' }).set(auditor1).expect(422);
      const lists = await request(org1.url).get('/v1/parts').query({ orderId: 'PO-1001' }).set(auditor1).expect(200);
      expect(lists.body.items.map((p: { id: string }) => p.id)).to.deep.equal(['PO-1001.1', 'PO-1001.2']);
    });
  });

  describe('operations', () => {
    it('serves the OpenAPI 3.1 document, interactive docs, probes and metrics', async () => {
      const doc = await request(org1.url).get('/openapi.json').expect(200);
      expect(doc.body.openapi).to.equal('3.1.0');
      expect(Object.keys(doc.body.paths)).to.include.members(['/v1/machines', '/v1/machines/{machineId}', '/v1/parts/{partId}/trace', '/v1/jobs/{jobId}/start']);
      expect(doc.body.paths['/v1/machines'].post.requestBody.content['application/json'].schema).to.be.an('object');
      const docs = await request(org1.url).get('/docs').expect(200);
      expect(docs.text).to.match(/swagger-ui/);
      await request(org1.url).get('/docs/swagger-ui-bundle.js').expect(200);
      await request(org1.url).get('/livez').expect(200);
      const ready = await request(org1.url).get('/readyz').expect(200);
      expect(ready.body.status).to.equal('ready');
      const metrics = await request(org1.url).get('/metrics').expect(200);
      expect(metrics.text).to.match(/forgetrace_http_request_duration_seconds_bucket/);
      expect(metrics.text).to.match(/forgetrace_index_lag_blocks/);
      expect(metrics.text).to.match(/forgetrace_trace_source_total\{source="index"\} [1-9]/);
      expect(metrics.text).to.match(/forgetrace_ledger_submit_seconds_count\{transaction="machines:RegisterMachine",outcome="ok"\}/);
    });
  });
});
