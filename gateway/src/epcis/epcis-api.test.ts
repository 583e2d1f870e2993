import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { anchoringApi } from '../anchoring/anchoring-api';
import { payloadHash } from '../anchoring/record-proof';
import { apiKeyHash } from '../api/auth';
import { problemHandler } from '../api/problem';
import { configSchema } from '../config/config';
import { openDemoConsortium, type DemoConsortium } from '../demo/demo-consortium';
import type { LedgerIdentity } from '../ledger/port';
import { startGateway, type RunningGateway } from '../main';
import { InMemoryWallet } from '../wallet/wallet';
import { digitalLinkRouter, epcisApi } from './epcis-api';
import { EpcisStore, anchorPayload } from './epcis-store';
import { contextPrefixes, eventHash } from './event-hash';
import { Identifiers, epcisSettingsSchema } from './identifiers';
import { epcisDocumentSchema, validateEpcisDocument } from './validate';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
/** A GTIN-14 with a valid check digit: 0950600013435 + 2. */
const GTIN = '09506000134352';

describe('EPCIS API: export, capture, Digital Link, anchoring of event hashes', function () {
  this.timeout(60_000);
  let dir: string;
  let demo: DemoConsortium;
  let gw: RunningGateway;
  let epcis: EpcisStore;
  const ids = new Identifiers(epcisSettingsSchema.parse({ domain: 'forgetrace.example', gtins: { 'PO-1001': GTIN }, glns: { Org1MSP: '4012345000009' } }));
  const op = { 'X-API-Key': 'ep-op' };
  const buyer = { 'X-API-Key': 'ep-buyer' };
  const exportDoc = async (partId: string) => (await request(gw.url).get(`/v1/parts/${partId}/epcis`).set(buyer).expect(200).expect('Content-Type', /application\/ld\+json/)).body;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-epcis-'));
    demo = await openDemoConsortium(dir);
    const submit = async (who: LedgerIdentity, tx: string, ...args: unknown[]) => demo.ledger.submit(who, tx, args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))));
    const u = demo.users;
    // PO-1001.2 (in production on DE-MILL-01) consumes a titanium lot (transformation) and the finished PO-1001.1 (assembly),
    // finishes with a twin snapshot in force and passes QC; PO-1003 is cancelled.
    await submit(u.operator1, 'orders:RegisterLot', { id: 'LOT-TI-7', material: 'ti6al4v', supplier: 'Metals AG', quantity: 25, unit: 'kg' });
    await submit(u.operator1, 'twins:RecordTwinSnapshot', { id: 'TW-1', machineId: 'DE-MILL-01', model: { id: 'spindle', version: '1.0.0' }, summary: { healthIndex: 0.93, states: { temperature: 41.5, wear: 0.12 }, anomaly: false }, snapshotHash: sha('tw-1') });
    await submit(u.operator1, 'orders:ConsumeComponent', 'PO-1001.2', { kind: 'lot', id: 'LOT-TI-7', quantity: 2.5, relation: 'transformation' });
    await submit(u.operator1, 'orders:ConsumeComponent', 'PO-1001.2', { kind: 'part', id: 'PO-1001.1', relation: 'aggregation' });
    await submit(u.operator1, 'jobs:ReportFinish', 'JOB-2', { machineId: 'DE-MILL-01', twinSnapshotId: 'TW-1' });
    await submit(u.operator1, 'jobs:RecordQc', 'PO-1001.2', { result: 'pass', reportHash: sha('qc-2'), measurements: { boreMm: 12.001 } });
    const last = await submit(u.buyer, 'orders:CancelOrder', 'PO-1003', { reason: 'design changed' });

    const wallet = new InMemoryWallet();
    await wallet.put('factory_operator', await demo.organizations[0]!.issueIdentity({ commonName: 'e-op', role: 'factory_operator' }));
    await wallet.put('buyer', await demo.organizations[0]!.issueIdentity({ commonName: 'e-b', role: 'buyer' }));
    const config = configSchema.parse({
      mspId: 'Org1MSP', http: { port: 0 }, ledger: { kind: 'embedded', directory: dir }, wallet: '(memory)',
      auth: { users: [{ id: 'o', role: 'factory_operator', apiKeySha256: apiKeyHash('ep-op') }, { id: 'b', role: 'buyer', apiKeySha256: apiKeyHash('ep-buyer') }] },
    });
    gw = await startGateway({
      config, ledger: demo.ledger, wallet, logger: pino({ level: 'silent' }),
      extensions: (context) => {
        epcis = EpcisStore.open({ filename: ':memory:', outbox: context.outbox });
        return [anchoringApi(context.outbox, context.ledger), epcisApi({ store: context.store, ledger: context.ledger, outbox: context.outbox, epcis, identifiers: ids, logger: context.logger })];
      },
    });
    await gw.indexer.waitFor(last.blockNumber, { transactionId: last.transactionId, timeoutMs: 10_000 });
  });
  after(async () => {
    await gw?.close();
    epcis?.close();
    await demo?.ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('exports a trace as EPCIS 2.0 with Object, Transformation and Aggregation events that pass validation, each eventID its event hash', async () => {
    const doc = await exportDoc('PO-1001.2');
    expect(epcisDocumentSchema.safeParse(doc).success).to.equal(true);
    // Both passes, GS1's JSON schema included, for every event kind of the export.
    expect(validateEpcisDocument(doc)).to.deep.include({ valid: true });
    const events = doc.epcisBody.eventList as Record<string, unknown>[];
    const types = new Set(events.map((e) => e.type));
    expect([...types].sort()).to.deep.equal(['AggregationEvent', 'ObjectEvent', 'TransformationEvent']);
    const prefixes = contextPrefixes(doc['@context']);
    for (const e of events) {
      const { eventID, ...rest } = e;
      expect(eventHash(rest, prefixes)).to.equal(eventID);
    }
    const part2 = `https://id.forgetrace.example/01/${GTIN}/21/PO-1001-0002`;
    const transformation = events.find((e) => e.type === 'TransformationEvent')!;
    expect(transformation).to.deep.include({ outputEPCList: [part2], inputQuantityList: [{ epcClass: 'https://id.forgetrace.example/ft/lot/LOT-TI-7', quantity: 2.5, uom: 'KGM' }], readPoint: { id: 'https://id.forgetrace.example/ft/machine/DE-MILL-01' } });
    const aggregation = events.find((e) => e.type === 'AggregationEvent')!;
    expect(aggregation).to.deep.include({ parentID: part2, childEPCs: [`https://id.forgetrace.example/01/${GTIN}/21/PO-1001-0001`], action: 'ADD', bizStep: 'assembling' });
    const finished = events.find((e) => e['ft:entryType'] === 'operation_finished')!;
    expect(finished.bizLocation).to.deep.equal({ id: 'https://id.forgetrace.example/414/4012345000009' });
    const sensor = (finished.sensorElementList as { sensorReport: { type: string; value?: number }[] }[])[0]!;
    expect(sensor.sensorReport).to.deep.include({ type: 'ft:healthIndex', value: 0.93 });
    expect(events.find((e) => e['ft:entryType'] === 'qc_recorded')).to.include({ bizStep: 'inspecting', disposition: 'conformant' });
    // The child's own history is in the document (depth 1), but its consumption only once, as the parent's AggregationEvent.
    expect(events.filter((e) => e['ft:entryType'] === 'shipped')).to.have.length(1);
    expect(events.filter((e) => e['ft:entryType'] === 'consumed' || e['ft:entryType'] === 'lot_consumed')).to.have.length(0);
    expect(events.find((e) => e['ft:entryType'] === 'lot_registered')).to.deep.include({ action: 'ADD', quantityList: [{ epcClass: 'https://id.forgetrace.example/ft/lot/LOT-TI-7', quantity: 25, uom: 'KGM' }] });

    const cancelled = (await exportDoc('PO-1003.1')).epcisBody.eventList as Record<string, unknown>[];
    expect(cancelled.at(-1)).to.include({ type: 'ObjectEvent', action: 'DELETE', bizStep: 'decommissioning', disposition: 'inactive' });
    expect((cancelled[0]!.epcList as string[])[0]).to.equal('https://id.forgetrace.example/ft/part/PO-1003.1');
  });

  it('anchors each event hash once, however often it is exported; a buyer re-hashes an event and finds its record and proof', async () => {
    const doc = await exportDoc('PO-1001.2');
    const n = doc.epcisBody.eventList.length;
    const records = gw.outbox.count('other', 'pending') + gw.outbox.count('other', 'batched') + gw.outbox.count('other', 'anchored');
    await exportDoc('PO-1001.2');
    expect(gw.outbox.count('other', 'pending') + gw.outbox.count('other', 'batched') + gw.outbox.count('other', 'anchored')).to.equal(records);
    expect(epcis.count('export')).to.be.at.least(n);
    await gw.outbox.flush({ force: true });

    const event = doc.epcisBody.eventList.find((e: Record<string, unknown>) => e.type === 'TransformationEvent');
    const { eventID, ...rest } = event;
    const rehashed = eventHash(rest, contextPrefixes(doc['@context']));
    expect(rehashed).to.equal(eventID);
    const stored = (await request(gw.url).get(`/v1/epcis/events/${rehashed.slice(14, 78)}`).set(buyer).expect(200)).body;
    expect(stored).to.include({ eventID: rehashed, origin: 'export', anchorState: 'anchored' });
    const anchored = (await request(gw.url).get(`/v1/anchoring/records/${stored.recordId}`).set(op).expect(200)).body;
    expect(anchored.record.payload).to.deep.equal(anchorPayload(rehashed));
    expect(anchored.proof.leaf[1]).to.equal(payloadHash(anchorPayload(rehashed)));
    expect((await request(gw.url).post('/v1/verify').set(buyer).send({ payload: { eventID: rehashed }, proof: anchored.proof }).expect(200)).body).to.deep.include({ valid: true });
    await request(gw.url).get(`/v1/epcis/events/${'0'.repeat(64)}`).set(buyer).expect(404);
  });

  it('imports an exported document back: every event is a duplicate, nothing is anchored twice', async () => {
    const doc = await exportDoc('PO-1001.1');
    const before = epcis.count();
    const r = (await request(gw.url).post('/v1/epcis/capture').set(op).send(doc).expect(200)).body;
    expect(r.captured).to.equal(0);
    expect(r.duplicates).to.equal(doc.epcisBody.eventList.length);
    expect(epcis.count()).to.equal(before);
  });

  it('captures a partner document once: the second capture adds nothing; events are stored and anchored', async () => {
    const partnerDoc = {
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { acme: 'https://ns.acme.example/epcis/' }],
      type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-03-01T10:00:00.000+01:00',
      epcisBody: {
        eventList: [
          { type: 'ObjectEvent', eventTime: '2026-03-01T09:00:00.000+01:00', eventTimeZoneOffset: '+01:00', epcList: [`https://id.forgetrace.example/01/${GTIN}/21/PO-1001-0001`], action: 'OBSERVE', bizStep: 'receiving', disposition: 'in_progress', readPoint: { id: 'urn:epc:id:sgln:4012345.00011.987' }, 'acme:dock': '7' },
          { type: 'AggregationEvent', eventTime: '2026-03-01T09:30:00.000+01:00', eventTimeZoneOffset: '+01:00', parentID: 'urn:epc:id:sscc:4012345.0000000333', childEPCs: [`https://id.forgetrace.example/01/${GTIN}/21/PO-1001-0001`], action: 'ADD', bizStep: 'packing' },
        ],
      },
    };
    const before = gw.outbox.count('other', 'pending');
    const first = (await request(gw.url).post('/v1/epcis/capture').set(op).send(partnerDoc).expect(201)).body;
    expect(first).to.deep.include({ captured: 2, duplicates: 0 });
    expect(first.events[0].eventID).to.equal(eventHash(partnerDoc.epcisBody.eventList[0], contextPrefixes(partnerDoc['@context'])));
    expect(gw.outbox.count('other', 'pending')).to.equal(before + 2);
    // Same events, other key order and an added recordTime: the same hashes, so duplicates.
    const again = { ...partnerDoc, epcisBody: { eventList: partnerDoc.epcisBody.eventList.map((e) => ({ recordTime: '2026-03-02T00:00:00Z', ...Object.fromEntries(Object.entries(e).reverse()) })).reverse() } };
    const second = (await request(gw.url).post('/v1/epcis/capture').set(op).send(again).expect(200)).body;
    expect(second).to.deep.include({ captured: 0, duplicates: 2 });
    expect(gw.outbox.count('other', 'pending')).to.equal(before + 2);
    const stored = (await request(gw.url).get(`/v1/epcis/events/${first.events[1].eventID.slice(14, 78)}`).set(buyer).expect(200)).body;
    expect(stored).to.deep.include({ origin: 'import', anchorState: 'pending' });
    await request(gw.url).post('/v1/epcis/capture').set(buyer).send(partnerDoc).expect(403);
  });

  it('includes what partners captured about a part, its components and lots in the part\'s export, unchanged and still re-hashing to their eventIDs', async () => {
    // The partner document of the previous test is about PO-1001.1 (its SGTIN), a component of PO-1001.2.
    const acme = { acme: 'https://ns.acme.example/epcis/' };
    const doc = (events: unknown[], context: Record<string, string>) => ({ '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', context], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-03-02T10:00:00Z', epcisBody: { eventList: events } });
    const lotEvent = { type: 'ObjectEvent', eventTime: '2026-03-02T08:00:00Z', eventTimeZoneOffset: '+00:00', quantityList: [{ epcClass: ids.lot('LOT-TI-7'), quantity: 1, uom: 'KGM' }], action: 'OBSERVE', bizStep: 'inspecting', 'acme:lab': 'L2' };
    // PO-1001.1's SGTIN written as an EPC URN (company prefix 4012345): the index keys both forms alike.
    const urnEvent = { type: 'ObjectEvent', eventTime: '2026-03-02T07:00:00Z', eventTimeZoneOffset: '+00:00', epcList: [`urn:epc:id:sgtin:${GTIN.slice(1, 8)}.${GTIN[0]}${GTIN.slice(8, 13)}.PO-1001-0001`], action: 'OBSERVE', bizStep: 'receiving', 'acme:dock': '8' };
    const unrelated = { type: 'ObjectEvent', eventTime: '2026-03-02T08:30:00Z', eventTimeZoneOffset: '+00:00', epcList: ['urn:epc:id:sgtin:0614141.107346.2018'], action: 'OBSERVE' };
    const clash = { type: 'ObjectEvent', eventTime: '2026-03-02T09:00:00Z', eventTimeZoneOffset: '+00:00', epcList: [ids.part({ id: 'PO-1001.2', orderId: 'PO-1001', serial: 'PO-1001-0002' })], action: 'OBSERVE', 'acme:dock': '9' };
    await request(gw.url).post('/v1/epcis/capture').set(op).send(doc([lotEvent, unrelated, urnEvent], acme)).expect(201);
    // Another partner uses the prefix acme for another namespace: its event cannot join a document where acme is taken.
    await request(gw.url).post('/v1/epcis/capture').set(op).send(doc([clash], { acme: 'https://other.example/ns/' })).expect(201);

    const exported = await exportDoc('PO-1001.2');
    const events = exported.epcisBody.eventList as Record<string, unknown>[];
    const prefixes = contextPrefixes(exported['@context']);
    expect(exported['@context'][1]).to.deep.include(acme);
    const partner = events.filter((e) => e['acme:dock'] !== undefined || e['acme:lab'] !== undefined);
    expect(partner.map((e) => e['acme:dock'] ?? e['acme:lab']).sort()).to.deep.equal(['7', '8', 'L2']);
    expect(events.filter((e) => e.type === 'AggregationEvent' && e.parentID === 'urn:epc:id:sscc:4012345.0000000333')).to.have.length(1);
    expect(JSON.stringify(events)).to.not.include('0614141.107346.2018');
    for (const e of events) {
      const { eventID, ...rest } = e;
      expect(eventHash(rest, prefixes), String(e.type)).to.equal(eventID);
    }
    expect(new Set(events.map((e) => e.eventID)).size).to.equal(events.length);
    expect(validateEpcisDocument(exported)).to.deep.include({ valid: true });
    // The component's own export has the partner events about it, but not the lot's (the lot is PO-1001.2's input).
    const component = (await exportDoc('PO-1001.1')).epcisBody.eventList as Record<string, unknown>[];
    expect(component.filter((e) => e['acme:dock'] !== undefined).map((e) => e['acme:dock']).sort()).to.deep.equal(['7', '8']);
    expect(component.filter((e) => e['acme:lab'] !== undefined)).to.have.length(0);
  });

  it('rejects bad documents with problem+json naming each event index, field and reason, and captures nothing', async () => {
    const good = { type: 'ObjectEvent', eventTime: '2026-03-01T09:00:00Z', eventTimeZoneOffset: '+00:00', epcList: ['urn:epc:id:sgtin:0614141.107346.2017'], action: 'OBSERVE' };
    const doc = (events: unknown[], extra: Record<string, unknown> = {}) => ({ '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-03-01T10:00:00Z', epcisBody: { eventList: events }, ...extra });
    const before = epcis.count();
    const bad = await request(gw.url).post('/v1/epcis/capture').set(op).send(doc([
      good,
      { ...good, eventTime: 'yesterday' },
      { type: 'TransformationEvent', eventTime: '2026-03-01T09:00:00Z', eventTimeZoneOffset: '+00:00', action: 'ADD' },
      { ...good, color: 'red', 'nope:x': 1 },
      { type: 'AggregationEvent', eventTime: '2026-03-01T09:00:00Z', eventTimeZoneOffset: '+25:00', action: 'ADD', parentID: 'urn:epc:id:sscc:4012345.0000000333' },
    ])).expect(422).expect('Content-Type', /application\/problem\+json/);
    expect(bad.body.code).to.equal('VALIDATION_FAILED');
    expect(bad.body.detail).to.match(/^event 1: eventTime: must be an xsd:dateTimeStamp/);
    expect(bad.body.detail).to.match(/nothing was captured/);
    const byEvent = (i: number) => bad.body.errors.filter((e: { eventIndex: number }) => e.eventIndex === i).map((e: { field: string; reason: string }) => `${e.field}: ${e.reason}`);
    expect(byEvent(0)).to.deep.equal([]);
    expect(byEvent(2).join('|')).to.match(/action: a TransformationEvent has no action/).and.match(/needs at least one input or output/);
    expect(byEvent(3).join('|')).to.match(/color: is not an EPCIS 2.0 field/).and.match(/nope:x: uses prefix "nope"/);
    expect(byEvent(4).join('|')).to.match(/eventTimeZoneOffset: must be a time zone offset/).and.match(/childEPCs: a AggregationEvent with action ADD needs childEPCs or childQuantityList/);
    expect(epcis.count()).to.equal(before);

    // Passes the zod rules but not GS1's own schema: a bare bizStep must be a CBV term, else a URI.
    const gs1 = await request(gw.url).post('/v1/epcis/capture').set(op).send(doc([good, { ...good, bizStep: 'frobnicating' }])).expect(422);
    expect(gs1.body.errors).to.deep.equal([{ eventIndex: 1, field: 'bizStep', reason: 'GS1 EPCIS 2.0 JSON schema: should match format "uri"' }]);
    expect(gs1.body.detail).to.match(/^event 1: bizStep: GS1 EPCIS 2.0 JSON schema/);
    expect(epcis.count()).to.equal(before);
    await request(gw.url).post('/v1/epcis/capture').set(op).send(doc([{ ...good, bizStep: 'inspecting', eventTime: '2026-03-01T09:00:01Z' }])).expect(201);
    expect(epcis.count()).to.equal(before + 1);

    const envelope = await request(gw.url).post('/v1/epcis/capture').set(op).send(doc([good], { schemaVersion: '1.2' })).expect(422);
    expect(envelope.body.detail).to.match(/^the document: schemaVersion/);
    const wrongId = await request(gw.url).post('/v1/epcis/capture').set(op).send(doc([{ ...good, eventID: `ni:///sha-256;${'a'.repeat(64)}?ver=CBV2.0` }])).expect(422);
    expect(wrongId.body.errors[0]).to.deep.include({ eventIndex: 0, field: 'eventID' });
    expect(wrongId.body.detail).to.include(eventHash(good));
  });

  it('resolves GS1 Digital Links: JSON provenance, HTML redirect to /p/{partId}, 404 for unknown GTIN, lot or serial', async () => {
    const json = await request(gw.url).get(`/v1/01/${GTIN}/21/PO-1001-0001`).set(buyer).set('Accept', 'application/json').expect(200);
    expect(json.body).to.deep.include({ partId: 'PO-1001.1', gtin: GTIN, serial: 'PO-1001-0001', orderId: 'PO-1001', qc: 'pass', producerMsp: 'Org1MSP' });
    expect(json.body.links.epcis).to.equal('/v1/parts/PO-1001.1/epcis');
    const html = await request(gw.url).get(`/v1/01/${GTIN}/10/PO-1001/21/PO-1001-0002`).set(buyer).set('Accept', 'text/html').expect(307);
    expect(html.headers.location).to.equal('/p/PO-1001.2');
    for (const path of [`/v1/01/${GTIN}/21/NO-SUCH`, '/v1/01/04012345000009/21/PO-1001-0001', `/v1/01/${GTIN}/10/OTHER-LOT/21/PO-1001-0001`]) {
      const r = await request(gw.url).get(path).set(buyer).set('Accept', 'application/json').expect(404).expect('Content-Type', /application\/problem\+json/);
      expect(r.body.code).to.equal('NOT_FOUND');
    }
    // At the gateway's root, without signing in (what the QR code on a part points to): it reveals
    // nothing itself, sending JSON clients to the public proof bundle and browsers to the public page.
    const rootJson = await request(gw.url).get(`/01/${GTIN}/21/PO-1001-0002`).set('Accept', 'application/json').expect(307);
    expect(rootJson.headers.location).to.equal('/public/parts/PO-1001.2/provenance');
    expect(rootJson.body).to.not.have.property('status');
    const root = await request(gw.url).get(`/01/${GTIN}/21/PO-1001-0002`).set('Accept', 'text/html').expect(307);
    expect(root.headers.location).to.equal('/p/PO-1001.2');
    const unknown = await request(gw.url).get(`/01/${GTIN}/21/unknown`).set('Accept', 'application/json').expect(404);
    expect(unknown.body.detail).to.match(/has no serial unknown/);
    // The plain router works in any app too.
    const app = express();
    app.use(digitalLinkRouter({ store: gw.store, identifiers: ids, logger: pino({ level: 'silent' }) }));
    app.use(problemHandler({ error: () => undefined }));
    await request(app).get(`/01/${GTIN}/21/PO-1001-0002`).set('Accept', 'text/html').expect(307);
  });

  it('documents its routes in the OpenAPI document', async () => {
    const doc = (await request(gw.url).get('/openapi.json').expect(200)).body;
    for (const p of ['/v1/parts/{partId}/epcis', '/v1/epcis/capture', '/v1/epcis/events/{digest}', '/v1/01/{gtin}/21/{serial}', '/v1/01/{gtin}/10/{lot}/21/{serial}']) expect(doc.paths).to.have.property(p);
    expect(doc.paths['/v1/parts/{partId}/epcis'].get.responses['200'].content).to.have.property('application/ld+json');
  });
});
