import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import WebSocket from 'ws';
import { apiKeyHash } from '../api/auth';
import { configSchema } from '../config/config';
import { openDemoConsortium, type DemoConsortium } from '../demo/demo-consortium';
import { startGateway, type RunningGateway } from '../main';
import { InMemoryWallet } from '../wallet/wallet';
import { subscriptionsApi } from './subscriptions-api';
import { signBody, SubscriptionService, type DeliveredEvent } from './subscription-service';

/** A webhook receiver whose behaviour per request the test scripts. */
class Receiver {
  server!: Server;
  url = '';
  received: { body: DeliveredEvent; signature: string; timestamp: string; raw: string }[] = [];
  /** What to do with the next requests: 'ok' | 'fail' | 'hang'; default ok. */
  script: ('ok' | 'fail' | 'hang')[] = [];
  always: 'ok' | 'fail' = 'ok';
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const action = this.script.shift() ?? this.always;
        if (action === 'hang') return; // never answers: the sender times out
        if (action === 'fail') return void res.writeHead(503).end('busy');
        this.received.push({ body: JSON.parse(raw) as DeliveredEvent, signature: String(req.headers['x-forgetrace-signature']), timestamp: String(req.headers['x-forgetrace-timestamp']), raw });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

const until = async (what: string, ok: () => boolean, ms = 15_000) => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('partner subscriptions: signed webhooks and the event stream', function () {
  this.timeout(60_000);
  let dir: string;
  let demo: DemoConsortium;
  let gw: RunningGateway;
  let service: SubscriptionService;
  const op = { 'X-API-Key': 'sub-op' };
  const aud = { 'X-API-Key': 'sub-aud' };
  const maintain = (machine: string, n: number) => demo.ledger.submit(demo.users.operator1, 'machines:RecordMaintenance', [machine, JSON.stringify({ kind: 'inspection', description: `check ${n}` })]);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-subs-'));
    demo = await openDemoConsortium(dir);
    const org = demo.organizations[0]!;
    const wallet = new InMemoryWallet();
    for (const role of ['factory_operator', 'auditor'] as const) await wallet.put(role, await org.issueIdentity({ commonName: `w-${role}`, role }));
    const config = configSchema.parse({
      mspId: 'Org1MSP', http: { port: 0 }, ledger: { kind: 'embedded', directory: dir }, wallet: '(memory)',
      auth: { users: [{ id: 'so', role: 'factory_operator', apiKeySha256: apiKeyHash('sub-op') }, { id: 'sa', role: 'auditor', apiKeySha256: apiKeyHash('sub-aud') }] },
    });
    service = new SubscriptionService({ ledger: demo.ledger, filename: join(dir, 'subs.db'), backoffMs: 20, maxBackoffMs: 100, timeoutMs: 300, maxAttempts: 4, logger: pino({ level: 'silent' }) });
    gw = await startGateway({ config, ledger: demo.ledger, wallet, logger: pino({ level: 'silent' }), extensions: [subscriptionsApi(service, demo.ledger)] });
  });
  after(async () => {
    await gw?.close();
    await demo?.ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers every matching event at least once, in order, signed, through failures and timeouts', async () => {
    const rx = new Receiver();
    await rx.start();
    try {
      rx.script = ['fail', 'hang', 'fail'];
      const created = await request(gw.url).post('/v1/subscriptions').set(op).send({ url: rx.url, filter: { eventTypes: ['MachineEventRecorded'], machineId: 'DE-LATHE-01' } }).expect(201);
      const { secret, id } = created.body;
      expect(secret).to.be.a('string').with.length.greaterThan(30);
      for (let i = 0; i < 5; i++) await maintain(i % 2 === 0 ? 'DE-LATHE-01' : 'DE-MILL-01', i);
      await until('3 deliveries', () => new Set(rx.received.map((r) => r.body.id)).size >= 3);
      const ids = [...new Set(rx.received.map((r) => r.body.id))];
      expect(ids).to.have.length(3); // events 0, 2, 4 are on the lathe
      for (const r of rx.received) {
        expect(r.signature).to.equal(signBody(secret, r.timestamp, r.raw));
        expect(r.body).to.include({ type: 'MachineEventRecorded', subscriptionId: id });
        expect((r.body.payload as { machineId: string }).machineId).to.equal('DE-LATHE-01');
      }
      const order = rx.received.map((r) => [r.body.blockNumber, r.body.transactionIndex]);
      expect(order).to.deep.equal([...order].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
      const s = (await request(gw.url).get(`/v1/subscriptions/${id}`).set(op).expect(200)).body;
      expect(s).to.include({ status: 'active', delivered: rx.received.length, consecutiveFailures: 0 });
      expect(s.lastError).to.match(/HTTP 503|no answer within 300 ms/);
      expect(s).to.not.have.property('secret');
    } finally {
      await rx.stop();
    }
  });

  it('pauses and resumes one subscription alone, and replays from a block', async () => {
    const a = new Receiver();
    const b = new Receiver();
    await a.start();
    await b.start();
    try {
      const from = await demo.ledger.height();
      const sa = (await request(gw.url).post('/v1/subscriptions').set(op).send({ url: a.url, filter: { machineId: 'DE-MILL-01' } }).expect(201)).body;
      await request(gw.url).post('/v1/subscriptions').set(op).send({ url: b.url, filter: { machineId: 'DE-MILL-01' } }).expect(201);
      await request(gw.url).post(`/v1/subscriptions/${sa.id}/pause`).set(op).send({}).expect(200);
      await maintain('DE-MILL-01', 100);
      await until('b gets the event', () => b.received.length === 1);
      await new Promise((r) => setTimeout(r, 200));
      expect(a.received).to.have.length(0);
      await request(gw.url).post(`/v1/subscriptions/${sa.id}/resume`).set(op).send({}).expect(200);
      await until('a catches up', () => a.received.length === 1);
      expect(a.received[0]!.body.id).to.equal(b.received[0]!.body.id);
      // Replay from the block before: the same event again (at-least-once; same id).
      await request(gw.url).post(`/v1/subscriptions/${sa.id}/resume`).set(op).send({ fromBlock: from }).expect(200);
      await until('replay', () => a.received.length === 2);
      expect(a.received[1]!.body.id).to.equal(a.received[0]!.body.id);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('disables a subscription after repeated failures, and resuming it delivers what was missed', async () => {
    const rx = new Receiver();
    await rx.start();
    try {
      rx.always = 'fail';
      const s = (await request(gw.url).post('/v1/subscriptions').set(op).send({ url: rx.url, filter: { eventTypes: ['MachineEventRecorded'], machineId: 'DE-MILL-01' } }).expect(201)).body;
      await maintain('DE-MILL-01', 200);
      await until('disabled', () => service.get(s.id)?.status === 'disabled');
      expect(service.get(s.id)!.lastError).to.match(/disabled after 4 failed deliveries in a row; last: event \d+\.\d+\.MachineEventRecorded: HTTP 503/);
      rx.always = 'ok';
      await request(gw.url).post(`/v1/subscriptions/${s.id}/resume`).set(op).send({}).expect(200);
      await until('delivered after resume', () => rx.received.length === 1);
    } finally {
      await rx.stop();
    }
  });

  it('keeps cursors across a restart of the service: nothing lost', async () => {
    const rx = new Receiver();
    await rx.start();
    const file = join(dir, 'restart.db');
    let s1 = new SubscriptionService({ ledger: demo.ledger, filename: file, backoffMs: 20 });
    try {
      const { subscription } = await s1.create({ owner: 'x', url: rx.url, filter: { machineId: 'DE-LATHE-01' } });
      await maintain('DE-LATHE-01', 300);
      await until('first', () => rx.received.length === 1);
      await s1.close();
      await maintain('DE-LATHE-01', 301);
      await maintain('DE-LATHE-01', 302);
      s1 = new SubscriptionService({ ledger: demo.ledger, filename: file, backoffMs: 20 });
      s1.start();
      await until('the two missed while down', () => rx.received.length === 3);
      expect(new Set(rx.received.map((r) => r.body.id)).size).to.equal(3);
      expect(s1.get(subscription.id)!.delivered).to.equal(3);
    } finally {
      await s1.close();
      await rx.stop();
    }
  });

  it('refuses bad subscriptions and hides other users’ ones', async () => {
    const bad = await request(gw.url).post('/v1/subscriptions').set(op).send({ url: 'ftp://example.test/x' }).expect(422);
    expect(bad.body.detail).to.match(/body\.url: must be an http:\/\/ or https:\/\/ URL/);
    const badType = await request(gw.url).post('/v1/subscriptions').set(op).send({ url: 'http://127.0.0.1:1/x', filter: { eventTypes: ['not an event'] } }).expect(422);
    expect(badType.body.detail).to.match(/body\.filter\.eventTypes\.0/);
    const future = await request(gw.url).post('/v1/subscriptions').set(op).send({ url: 'http://127.0.0.1:1/x', fromBlock: 1_000_000 }).expect(422);
    expect(future.body.detail).to.match(/body\.fromBlock: the ledger has \d+ blocks/);
    const mine = (await request(gw.url).get('/v1/subscriptions').set(op).expect(200)).body.items;
    expect(mine.length).to.be.greaterThan(0);
    expect((await request(gw.url).get('/v1/subscriptions').set(aud).expect(200)).body.items).to.deep.equal([]);
    await request(gw.url).get(`/v1/subscriptions/${mine[0].id}`).set(aud).expect(404);
    await request(gw.url).delete(`/v1/subscriptions/${mine[0].id}`).set(op).expect(204);
    await request(gw.url).get(`/v1/subscriptions/${mine[0].id}`).set(op).expect(404);
  });

  it('streams matching events as Server-Sent Events, replayable from a block and from Last-Event-ID', async () => {
    const from = await demo.ledger.height();
    await maintain('DE-MILL-01', 400);
    await maintain('DE-LATHE-01', 401);
    await maintain('DE-MILL-01', 402);
    const read = async (headers: Record<string, string>, query: string, count: number): Promise<{ id: string; data: { payload: { machineId: string } } }[]> => {
      const controller = new AbortController();
      const r = await fetch(`${gw.url}/v1/events/stream?${query}`, { headers: { ...op, ...headers }, signal: controller.signal });
      expect(r.headers.get('content-type')).to.match(/^text\/event-stream/);
      const events: { id: string; data: { payload: { machineId: string } } }[] = [];
      let buffer = '';
      const decoder = new TextDecoder();
      for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const id = /^id: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id && data) events.push({ id, data: JSON.parse(data) });
        }
        if (events.length >= count) break;
      }
      controller.abort();
      return events;
    };
    const mill = await read({}, `fromBlock=${from}&machineId=DE-MILL-01&types=MachineEventRecorded`, 2);
    expect(mill.map((e) => e.data.payload.machineId)).to.deep.equal(['DE-MILL-01', 'DE-MILL-01']);
    const resumed = await read({ 'Last-Event-ID': mill[0]!.id }, 'machineId=DE-MILL-01', 1);
    expect(resumed[0]!.id).to.equal(mill[1]!.id);
    const bad = await request(gw.url).get('/v1/events/stream?types=bad type').set(op).expect(422);
    expect(bad.body.detail).to.match(/query\.types/);
  });

  it('streams the same events over a WebSocket, authenticated like the API', async () => {
    const from = await demo.ledger.height();
    await maintain('DE-LATHE-01', 500);
    await maintain('DE-MILL-01', 501);
    const wsUrl = gw.url.replace('http:', 'ws:') + `/v1/events/ws?fromBlock=${from}&machineId=DE-MILL-01`;
    const got = await new Promise<{ type: string; payload: { machineId: string } }>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { headers: op });
      ws.once('message', (m) => {
        resolve(JSON.parse(String(m)));
        ws.close();
      });
      ws.once('error', reject);
    });
    expect(got).to.deep.include({ type: 'MachineEventRecorded' });
    expect(got.payload.machineId).to.equal('DE-MILL-01');
    const status = (url: string, headers: Record<string, string>) => new Promise<number>((resolve) => {
      const ws = new WebSocket(url, { headers });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
      ws.once('error', () => undefined);
    });
    expect(await status(wsUrl, {})).to.equal(401);
    expect(await status(wsUrl, { 'X-API-Key': 'wrong' })).to.equal(401);
    expect(await status(gw.url.replace('http:', 'ws:') + '/v1/events/ws?types=bad%20type', op)).to.equal(422);
    expect(await status(gw.url.replace('http:', 'ws:') + '/v1/nothing-here', op)).to.equal(404);
  });
});
