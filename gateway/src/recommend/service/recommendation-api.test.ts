import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import pino from 'pino';
import request from 'supertest';
import { canonicalJson } from '@forgetrace/chaincode/api';
import { verifyRecordProof } from '../../anchoring';
import { apiKeyHash } from '../../api/auth';
import { configSchema } from '../../config/config';
import { openDemoConsortium, type DemoConsortium } from '../../demo/demo-consortium';
import type { LedgerIdentity } from '../../ledger/port';
import { startGateway, type ExtensionContext, type RunningGateway } from '../../main';
import { InMemoryWallet } from '../../wallet/wallet';
import { recommendationApi } from './recommendation-api';
import { configurationOf, MODEL_CODE_VERSION, trainingDataHash, type TrainingRow } from './recommendation-model';
import { RecommendationInputError, RecommendationService } from './recommendation-service';

const hex = (s: string) => createHash('sha256').update(s).digest('hex');

describe('recommendations API: parts and factories, feedback, anchored model versions, audited answers', function () {
  this.timeout(60_000);
  let dir: string;
  let demo: DemoConsortium;
  let gw: RunningGateway;
  let service: RecommendationService;
  let adminIdentity: LedgerIdentity;
  let ctx: Pick<ExtensionContext, 'store' | 'ledger' | 'outbox'>;
  const buyer = { 'X-API-Key': 'rec-buyer' };
  const admin = { 'X-API-Key': 'rec-admin' };
  const auditor = { 'X-API-Key': 'rec-aud' };
  const operator = { 'X-API-Key': 'rec-op' };
  /** Feedback entries the API accepted (201), to rebuild the training data independently. */
  const accepted: { buyer: string; item: string; value: number; eventId: string; receivedAt: string; target: string }[] = [];

  const ledgerAnchor = async (id: string) => JSON.parse(Buffer.from(await demo.ledger.evaluate(demo.users.auditor, 'anchors:GetAnchor', [id])).toString());
  const caughtUp = async () => gw.indexer.waitFor((await demo.ledger.height()) - 1, { timeoutMs: 10_000 });
  const feedback = async (who: Record<string, string>, body: unknown, status: number) => {
    const r = await request(gw.url).post('/v1/feedback').set(who).send(body as object).expect(status);
    if (status === 201) accepted.push({ buyer: r.body.buyer, item: r.body.item, value: r.body.value, eventId: r.body.eventId, receivedAt: r.body.receivedAt, target: r.body.target });
    return r.body;
  };
  const twin = async (who: LedgerIdentity, id: string, machineId: string, healthIndex: number) =>
    demo.ledger.submit(who, 'twins:RecordTwinSnapshot', [JSON.stringify({ id, machineId, model: { id: 'spindle', version: '1.0.0' }, summary: { healthIndex, states: {}, anomaly: false }, snapshotHash: hex(id) })]);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-rec-'));
    demo = await openDemoConsortium(dir);
    const org3 = demo.organizations[2]!;
    const wallet = new InMemoryWallet();
    for (const role of ['buyer', 'admin', 'auditor', 'factory_operator'] as const) await wallet.put(role, await org3.issueIdentity({ commonName: `r-${role}`, role }));
    adminIdentity = (await wallet.get('admin'))!;
    const config = configSchema.parse({
      mspId: 'Org3MSP', http: { port: 0 }, ledger: { kind: 'embedded', directory: dir }, wallet: '(memory)',
      auth: { users: [
        { id: 'rb', role: 'buyer', apiKeySha256: apiKeyHash('rec-buyer') }, { id: 'ra', role: 'admin', apiKeySha256: apiKeyHash('rec-admin') },
        { id: 'rd', role: 'auditor', apiKeySha256: apiKeyHash('rec-aud') }, { id: 'ro', role: 'factory_operator', apiKeySha256: apiKeyHash('rec-op') },
      ] },
    });
    gw = await startGateway({
      config, ledger: demo.ledger, wallet, logger: pino({ level: 'silent' }),
      extensions: ({ store, ledger, outbox }) => {
        ctx = { store, ledger, outbox };
        service = new RecommendationService({ store, ledger, outbox, identity: adminIdentity, sqlitePath: ':memory:', retrainAfter: 0, seed: 7 });
        return [recommendationApi(service)];
      },
    });
    await twin(demo.users.operator1, 'TW-DE-MILL-01', 'DE-MILL-01', 0.95);
    await twin(demo.users.operator2, 'TW-IT-MILL-02-a', 'IT-MILL-02', 0.9);
    await twin(demo.users.operator2, 'TW-IT-MILL-02-b', 'IT-MILL-02', 0.4);
    await caughtUp();
  });
  after(async () => {
    await gw?.close();
    await demo?.ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores feedback once per (buyer, event id): 201, then 200 for the same event, 409 for other content under the same id', async () => {
    const first = await feedback(buyer, { eventId: 'ev-1', target: { kind: 'part', orderId: 'PO-1002' }, rating: 5 }, 201);
    expect(first).to.include({ buyer: 'Org3MSP', item: 'ti6al4v|additive+milling', orderId: 'PO-1002', rating: 5, value: 5, duplicate: false });
    const again = await feedback(buyer, { eventId: 'ev-1', target: { kind: 'part', orderId: 'PO-1002' }, rating: 5 }, 200);
    expect(again).to.include({ duplicate: true, receivedAt: first.receivedAt, value: 5 });
    const conflict = await feedback(buyer, { eventId: 'ev-1', target: { kind: 'part', orderId: 'PO-1002' }, rating: 2 }, 409);
    expect(conflict).to.include({ code: 'CONFLICT', reason: 'EVENT_ID_REUSED' });
    expect(conflict.detail).to.match(/event ev-1 of Org3MSP was already recorded with different content/);
    const event = await feedback(buyer, { eventId: 'ev-2', target: { kind: 'part', configuration: 'ti6al4v|turning' }, event: 'rejected' }, 201);
    expect(event).to.include({ item: 'ti6al4v|turning', event: 'rejected', value: 1, rating: null });
    await feedback(buyer, { eventId: 'ev-3', target: { kind: 'factory', factoryMsp: 'Org1MSP', orderId: 'PO-1001' }, rating: 5 }, 201);
    await feedback(buyer, { eventId: 'ev-4', target: { kind: 'factory', factoryMsp: 'Org2MSP' }, rating: 2 }, 201);
    // An admin may import feedback for another buyer (here one without orders).
    await feedback(admin, { eventId: 'ev-5', buyer: 'Org5MSP', target: { kind: 'part', configuration: 'ti6al4v|additive+milling' }, rating: 4 }, 201);
    await feedback(admin, { eventId: 'ev-6', buyer: 'Org5MSP', target: { kind: 'part', configuration: 'steel_316l|turning' }, rating: 3 }, 201);
  });

  it('rejects bad feedback with a problem document that says what is wrong', async () => {
    const nanString = await feedback(buyer, { eventId: 'bad-1', target: { kind: 'part', orderId: 'PO-1001' }, rating: 'NaN' }, 422);
    expect(nanString.detail).to.match(/^body\.rating: /);
    const raw = await request(gw.url).post('/v1/feedback').set(buyer).set('Content-Type', 'application/json').send('{"eventId":"bad-2","target":{"kind":"part","orderId":"PO-1001"},"rating":NaN}').expect(400);
    expect(raw.body.detail).to.match(/the body is not valid JSON/);
    const infinite = await request(gw.url).post('/v1/feedback').set(buyer).set('Content-Type', 'application/json').send('{"eventId":"bad-3","target":{"kind":"part","orderId":"PO-1001"},"rating":1e999}').expect(422);
    expect(infinite.body.detail).to.match(/^body\.rating: /);
    expect((await feedback(buyer, { eventId: 'bad-4', target: { kind: 'part', orderId: 'PO-1001' }, rating: 6 }, 422)).detail).to.equal('body.rating: must be from 1 to 5');
    expect((await feedback(buyer, { eventId: 'bad-5', target: { kind: 'part', orderId: 'PO-1001' }, rating: 3, event: 'ordered' }, 422)).detail).to.equal('body.rating: give exactly one of rating or event');
    expect((await feedback(buyer, { eventId: 'bad-6', target: { kind: 'part' }, rating: 3 }, 422)).detail).to.equal('body.target: a part target names exactly one of orderId or configuration');
    expect((await feedback(buyer, { eventId: 'bad-7', target: { kind: 'part', configuration: 'Titanium!' }, rating: 3 }, 422)).detail).to.match(/^body\.target\.configuration: must be a configuration/);
    expect((await feedback(buyer, { eventId: 'bad 8', target: { kind: 'part', orderId: 'PO-1001' }, rating: 3 }, 422)).detail).to.match(/^body\.eventId: /);
    const unknownOrder = await feedback(buyer, { eventId: 'bad-9', target: { kind: 'part', orderId: 'PO-9999' }, rating: 3 }, 422);
    expect(unknownOrder).to.include({ reason: 'UNKNOWN_ORDER', detail: 'order PO-9999 is not on the ledger (or not indexed yet)' });
    const notFactory = await feedback(buyer, { eventId: 'bad-10', target: { kind: 'factory', factoryMsp: 'Org4MSP' }, rating: 3 }, 422);
    expect(notFactory).to.include({ reason: 'UNKNOWN_FACTORY', detail: 'Org4MSP is not a factory member of the consortium' });
    const otherBuyersOrder = await feedback(admin, { eventId: 'bad-11', buyer: 'Org5MSP', target: { kind: 'part', orderId: 'PO-1001' }, rating: 3 }, 403);
    expect(otherBuyersOrder.detail).to.equal('order PO-1001 was placed by Org3MSP, not by Org5MSP');
    expect((await feedback(buyer, { eventId: 'bad-12', buyer: 'Org1MSP', target: { kind: 'part', orderId: 'PO-1001' }, rating: 3 }, 403)).detail).to.match(/may only give feedback as Org3MSP/);
    await feedback(auditor, { eventId: 'bad-13', target: { kind: 'part', orderId: 'PO-1001' }, rating: 3 }, 403);
    await feedback(operator, { eventId: 'bad-14', target: { kind: 'part', orderId: 'PO-1001' }, rating: 3 }, 403);
    await request(gw.url).post('/v1/feedback').send({}).expect(401);
  });

  it('trains, anchors and serves a model version whose anchor an auditor can recompute; retraining is admin-only and deterministic', async () => {
    await request(gw.url).post('/v1/recommendations/model').set(auditor).send({}).expect(403);
    await request(gw.url).post('/v1/recommendations/model').set(buyer).send({}).expect(403);
    const trained = (await request(gw.url).post('/v1/recommendations/model').set(admin).send({}).expect(201)).body;
    const m = trained.current.manifest;
    expect(trained.current.anchor.transactionId).to.be.a('string');
    // The anchor on the ledger carries the version's root, the training data hash and the code version.
    const anchor = await ledgerAnchor(m.id);
    expect(anchor).to.include({ id: m.id, kind: 'recommendation', merkleRoot: m.merkleRoot.slice(2), leafCount: 4, algorithm: 'forgetrace-hybrid-mf', algorithmVersion: MODEL_CODE_VERSION, inputHash: m.trainingDataHash });
    expect(StandardMerkleTree.of(m.leaves, ['string', 'bytes32']).root).to.equal(m.merkleRoot);
    expect(m.leaves).to.deep.equal([
      ['parameters', `0x${hex(canonicalJson(m.parameters))}`], ['trainingData', `0x${m.trainingDataHash}`],
      ['metrics', `0x${hex(canonicalJson(m.metrics))}`], ['code', `0x${m.codeHash}`],
    ]);
    expect(m.parametersHash).to.equal(hex(canonicalJson(m.parameters)));
    expect(m.parameters.parts).to.match(/^[0-9a-f]{64}$/);
    expect(m.parameters.factories).to.match(/^[0-9a-f]{64}$/);
    // The training data hash is recomputable from the orders in the index and the accepted feedback.
    const orders = (await gw.store.listOrders({ limit: 500 })).items.map((o) => o.data);
    const rows = (target: string): TrainingRow[] => accepted.filter((f) => f.target === target).map((f) => ({ buyer: f.buyer, item: f.item, value: f.value, source: 'feedback', ref: f.eventId, at: f.receivedAt }));
    const partRows: TrainingRow[] = [...orders.map((o) => ({ buyer: o.buyerMsp, item: configurationOf(o), value: 4, source: 'order' as const, ref: o.id, at: o.created.at })), ...rows('part')];
    expect(trainingDataHash(partRows, rows('factory'))).to.equal(m.trainingDataHash);
    expect(m.metrics.parts).to.include({ ratings: 3 + 4, buyers: 2 });
    expect(m.metrics.factories).to.include({ ratings: 2, buyers: 1, items: 2 });
    // Same data, same seed: the same version (no second anchor).
    const again = (await request(gw.url).post('/v1/recommendations/model').set(admin).send({}).expect(200)).body;
    expect(again).to.deep.include({ created: false });
    expect(again.current.id).to.equal(m.id);
    const read = (await request(gw.url).get('/v1/recommendations/model').set(buyer).expect(200)).body;
    expect(read.current.id).to.equal(m.id);
    expect(read.versions.map((v: { id: string }) => v.id)).to.deep.equal([m.id]);
    expect(JSON.stringify(anchor)).not.to.match(/Org5MSP|ev-1/);
  });

  it('recommends part configurations with explanations; unknown buyers take the cold-start path', async () => {
    const r = (await request(gw.url).get('/v1/recommendations/parts?k=2').set(buyer).expect(200)).body;
    expect(r).to.include({ buyer: 'Org3MSP', k: 2, coldStart: false, strategy: 'personalised' });
    expect(r.items).to.have.length(2);
    expect(r.items[0].score).to.be.at.least(r.items[1].score);
    for (const item of r.items) {
      const c = Object.fromEntries(item.explanation.contributions.map((x: { name: string; value: number }) => [x.name, x.value]));
      expect(Object.keys(c).sort()).to.deep.equal(['buyerBias', 'globalMean', 'interaction', 'itemBias']);
      const sum = c.globalMean + c.buyerBias + c.itemBias + c.interaction;
      expect(item.score).to.be.closeTo(Math.min(5, Math.max(1, sum)), 1e-4);
      expect(item.explanation.summary).to.match(/^predicted \d\.\d\d of 5; strongest factor: /);
    }
    const all = (await request(gw.url).get('/v1/recommendations/parts?k=50').set(buyer).expect(200)).body;
    expect(all.items.map((i: { configuration: string }) => i.configuration).sort()).to.deep.equal(['steel_316l|turning', 'ti6al4v|additive+milling', 'ti6al4v|milling', 'ti6al4v|turning']);
    // The buyer rejected turning parts and rated the additive+milling configuration 5: it should rank above turning.
    const rank = (cfg: string) => all.items.findIndex((i: { configuration: string }) => i.configuration === cfg);
    expect(rank('ti6al4v|additive+milling')).to.be.lessThan(rank('ti6al4v|turning'));

    const cold = (await request(gw.url).get('/v1/recommendations/parts?buyer=Org9MSP&k=3').set(admin).expect(200)).body;
    expect(cold).to.include({ buyer: 'Org9MSP', coldStart: true, strategy: 'popularity' });
    expect(cold.items).to.have.length(3);
    expect(cold.items[0].explanation.contributions.find((c: { name: string }) => c.name === 'buyerBias')).to.include({ value: 0 });
    const audited = (await request(gw.url).get('/v1/recommendations/parts?buyer=Org3MSP').set(auditor).expect(200)).body;
    expect(audited.k).to.equal(10);

    for (const k of ['0', '51', 'abc', '2.5', '-1', 'NaN']) {
      const bad = (await request(gw.url).get(`/v1/recommendations/parts?k=${k}`).set(buyer).expect(422)).body;
      expect(bad.detail, k).to.equal('query.k: must be an integer from 1 to 50');
    }
    expect((await request(gw.url).get('/v1/recommendations/parts?buyer=Org1MSP').set(buyer).expect(403)).body.detail).to.equal('a buyer of Org3MSP may only get recommendations for Org3MSP, not for Org1MSP');
    await request(gw.url).get('/v1/recommendations/parts').set(operator).expect(403);
    await request(gw.url).get('/v1/recommendations/parts?buyer=not%20an%20msp').set(admin).expect(422);
    await request(gw.url).get('/v1/recommendations/parts?limit=3').set(admin).expect(422);
  });

  it('recommends factories for an order by satisfaction × capability × load × health, explaining each score', async () => {
    const r = (await request(gw.url).get('/v1/recommendations/factories?order=PO-1001').set(buyer).expect(200)).body;
    expect(r).to.include({ orderId: 'PO-1001', buyer: 'Org3MSP', configuration: 'ti6al4v|milling', coldStart: false });
    expect(r.factories.map((f: { factoryMsp: string }) => f.factoryMsp)).to.deep.equal(['Org1MSP', 'Org2MSP']);
    const [de, it] = r.factories;
    const factors = (f: { factors: { factor: string; value: number }[] }) => Object.fromEntries(f.factors.map((x) => [x.factor, x.value]));
    expect(de.machines).to.deep.equal(['DE-MILL-01']);
    expect(it.machines).to.deep.equal(['IT-MILL-02']);
    // JOB-2 (started) on Org1, JOB-3 (assigned) on Org2: one active job per capable machine each.
    expect(factors(de)).to.include({ capability: 1, load: 0.5, health: 0.95 });
    expect(factors(it)).to.include({ capability: 1, load: 0.5, health: 0.4 });
    expect(factors(de).satisfaction).to.be.greaterThan(factors(it).satisfaction!);
    for (const f of r.factories) {
      const v = factors(f);
      expect(f.score).to.be.closeTo(v.satisfaction! * v.capability! * v.load! * v.health!, 1e-5);
    }
    expect(it.topFactors[0]).to.equal('health');
    expect(it.summary).to.match(/limited mainly by health \(mean health 0\.40: IT-MILL-02 0\.40\)/);

    const additive = (await request(gw.url).get('/v1/recommendations/factories?order=PO-1002').set(admin).expect(200)).body;
    expect(Object.fromEntries(additive.factories.map((f: { factoryMsp: string; factors: { factor: string; value: number }[] }) => [f.factoryMsp, factors(f).capability]))).to.deep.equal({ Org1MSP: 0.5, Org2MSP: 1 });
    const noTwin = additive.factories.find((f: { factoryMsp: string }) => f.factoryMsp === 'Org2MSP');
    expect(noTwin.factors.find((x: { factor: string }) => x.factor === 'health').detail).to.match(/IT-SLM-01 no twin snapshot \(assumed 0\.9\)/);
    const turning = (await request(gw.url).get('/v1/recommendations/factories?order=PO-1003').set(auditor).expect(200)).body;
    expect(turning.factories.map((f: { factoryMsp: string }) => f.factoryMsp)).to.deep.equal(['Org1MSP']);

    expect((await request(gw.url).get('/v1/recommendations/factories?order=PO-9999').set(buyer).expect(422)).body).to.include({ reason: 'UNKNOWN_ORDER' });
    expect((await request(gw.url).get('/v1/recommendations/factories').set(buyer).expect(422)).body.detail).to.match(/^query\.order: /);
    await request(gw.url).get('/v1/recommendations/factories?order=PO-1001').set(operator).expect(403);
    // A buyer of another organisation may not ask about this order.
    let denied: unknown;
    await service.recommendFactories('PO-1001', { userId: 'x', role: 'buyer', mspId: 'Org5MSP' }).catch((e: unknown) => { denied = e; });
    expect(denied).to.be.instanceOf(RecommendationInputError).and.to.include({ code: 'NOT_YOUR_ORDER' });
  });

  it('logs every served answer; once its batch is anchored, its proof verifies against the anchor on the ledger', async () => {
    const served = (await request(gw.url).get('/v1/recommendations/parts?k=3').set(buyer).expect(200)).body;
    const factories = (await request(gw.url).get('/v1/recommendations/factories?order=PO-1002').set(buyer).expect(200)).body;
    const pending = (await request(gw.url).get(`/v1/recommendations/served/${served.audit.recordId}`).set(auditor).expect(200)).body;
    expect(pending.payload).to.include({ type: 'parts', buyer: 'Org3MSP', modelVersion: served.modelVersion });
    await gw.outbox.flush({ force: true });
    for (const [answer, who] of [[served, auditor], [factories, buyer]] as const) {
      const record = (await request(gw.url).get(`/v1/recommendations/served/${answer.audit.recordId}`).set(who).expect(200)).body;
      expect(record.state).to.equal('anchored');
      expect(record.modelVersion.id).to.equal(answer.modelVersion);
      const anchor = await ledgerAnchor(record.proof.anchorId);
      expect(anchor.kind).to.equal('recommendation');
      expect(verifyRecordProof(record.payload, record.proof, anchor)).to.equal(true);
      expect(verifyRecordProof({ ...record.payload, buyer: 'Org1MSP' }, record.proof, anchor)).to.equal(false);
      // The payload is what the caller was served, and the model that served it is itself anchored.
      expect((await ledgerAnchor(record.payload.modelVersion)).merkleRoot).to.equal(record.modelVersion.manifest.merkleRoot.slice(2));
    }
    const record = (await request(gw.url).get(`/v1/recommendations/served/${served.audit.recordId}`).set(buyer).expect(200)).body;
    expect(record.payload.items).to.deep.equal(served.items.map((i: { configuration: string; score: number }) => ({ configuration: i.configuration, score: i.score })));
    await request(gw.url).get('/v1/recommendations/served/00000000-0000-4000-8000-000000000000').set(auditor).expect(404);
    await request(gw.url).get('/v1/recommendations/served/not-a-record').set(auditor).expect(422);
    const forOther = (await request(gw.url).get('/v1/recommendations/parts?buyer=Org9MSP&k=1').set(admin).expect(200)).body;
    expect((await request(gw.url).get(`/v1/recommendations/served/${forOther.audit.recordId}`).set(buyer).expect(403)).body.reason).to.equal('NOT_YOUR_BUYER');
  });

  it('retrains automatically after enough new feedback, anchors that version, and reloads the newest version after a restart', async () => {
    const file = join(dir, 'recommend.db');
    const { store, ledger, outbox } = ctx;
    const auto = new RecommendationService({ store, ledger, outbox, identity: adminIdentity, sqlitePath: file, retrainAfter: 2, seed: 7 });
    const first = await auto.currentVersion();
    const who = { userId: 'ra', role: 'admin' as const, mspId: 'Org3MSP' };
    const a = await auto.addFeedback({ eventId: 'auto-1', buyer: 'Org6MSP', target: { kind: 'part', configuration: 'ti6al4v|milling' }, rating: 2 }, who);
    expect(a.retraining).to.equal(false);
    const b = await auto.addFeedback({ eventId: 'auto-2', buyer: 'Org6MSP', target: { kind: 'factory', factoryMsp: 'Org2MSP' }, event: 'delivered' }, who);
    expect(b.retraining).to.equal(true);
    await auto.settled();
    const second = await auto.currentVersion();
    expect(second.stored.manifest.id).not.to.equal(first.stored.manifest.id);
    expect(second.stored.feedbackSeq).to.equal(2);
    expect(second.stored.anchor.anchoredBy).to.equal('automatic');
    expect((await ledgerAnchor(second.stored.manifest.id)).inputHash).to.equal(second.stored.manifest.trainingDataHash);
    await auto.close();
    const reopened = new RecommendationService({ store, ledger, outbox, identity: adminIdentity, sqlitePath: file, retrainAfter: 2, seed: 7 });
    try {
      const loaded = await reopened.currentVersion();
      expect(loaded.stored.manifest.id).to.equal(second.stored.manifest.id);
      expect(reopened.versions().map((v) => v.id)).to.deep.equal([second.stored.manifest.id, first.stored.manifest.id]);
      const parts = await reopened.recommendParts('Org6MSP', 1, who);
      expect(parts).to.include({ coldStart: false, modelVersion: second.stored.manifest.id });
    } finally {
      await reopened.close();
    }
    const doc = await request(gw.url).get('/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).to.include.members(['/v1/recommendations/parts', '/v1/recommendations/factories', '/v1/recommendations/model', '/v1/recommendations/served/{recordId}', '/v1/feedback']);
  });
});
