import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { configSchema } from '../config/config';
import { openDemoConsortium, type DemoConsortium } from '../demo/demo-consortium';
import { startGateway, type RunningGateway } from '../main';
import { InMemoryWallet } from '../wallet/wallet';
import { apiKeyHash } from './auth';

describe('gateway protection and shutdown', function () {
  this.timeout(30_000);
  let dir: string;
  let demo: DemoConsortium;
  let gw: RunningGateway;
  const key = { 'X-API-Key': 'auditor-key' };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-protect-'));
    demo = await openDemoConsortium(dir);
    const wallet = new InMemoryWallet();
    await wallet.put('auditor', await demo.organizations[3]!.issueIdentity({ commonName: 'aud', role: 'auditor' }));
    const config = configSchema.parse({
      mspId: 'Org4MSP', http: { port: 0, rateLimitPerMinute: 5, corsOrigins: ['https://app.example.org'] },
      ledger: { kind: 'embedded', directory: dir }, wallet: '(memory)',
      auth: { users: [{ id: 'aud', role: 'auditor', apiKeySha256: apiKeyHash('auditor-key') }] },
    });
    gw = await startGateway({ config, ledger: demo.ledger, wallet, logger: pino({ level: 'silent' }) });
  });
  after(async () => {
    await gw?.close().catch(() => undefined);
    await demo?.ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends security headers and answers CORS only for allowed origins', async () => {
    const ok = await request(gw.url).get('/v1/members').set(key).set('Origin', 'https://app.example.org').expect(200);
    expect(ok.headers['access-control-allow-origin']).to.equal('https://app.example.org');
    expect(ok.headers['x-content-type-options']).to.equal('nosniff');
    expect(ok.headers['content-security-policy']).to.match(/default-src 'self'/);
    expect(ok.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
    const other = await request(gw.url).get('/v1/members').set(key).set('Origin', 'https://evil.example.com');
    expect(other.headers['access-control-allow-origin']).to.equal(undefined);
    const echoed = await request(gw.url).get('/livez').set('X-Request-Id', 'trace-me-42').expect(200);
    expect(echoed.headers['x-request-id']).to.equal('trace-me-42');
  });

  it('limits each user’s request rate with a 429 problem', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await request(gw.url).get('/v1/members').set(key)).status);
    expect(statuses.filter((s) => s === 429).length).to.be.greaterThan(0);
    const limited = await request(gw.url).get('/v1/members').set(key).expect(429);
    expect(limited.body).to.include({ code: 'RATE_LIMITED', status: 429 });
    expect(limited.headers.ratelimit).to.be.a('string');
  });

  it('answers a request sent before close, stops the indexer, then refuses connections', async () => {
    const inFlight = request(gw.url).get('/livez');
    const pending = inFlight.then((r) => r.status);
    await new Promise((r) => setTimeout(r, 5));
    await gw.close();
    expect(await pending).to.equal(200);
    let refused = false;
    try {
      await request(gw.url).get('/livez');
    } catch {
      refused = true;
    }
    expect(refused).to.equal(true);
    expect(gw.indexer.status().running).to.equal(false);
  });
});
