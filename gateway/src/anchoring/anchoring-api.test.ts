import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { apiKeyHash } from '../api/auth';
import { configSchema } from '../config/config';
import { openDemoConsortium, type DemoConsortium } from '../demo/demo-consortium';
import { startGateway, type RunningGateway } from '../main';
import { InMemoryWallet } from '../wallet/wallet';
import { anchoringApi } from './anchoring-api';

describe('anchoring API: record proofs and POST /v1/verify', function () {
  this.timeout(30_000);
  let dir: string;
  let demo: DemoConsortium;
  let gw: RunningGateway;
  const op = { 'X-API-Key': 'anc-op' };
  const buyer = { 'X-API-Key': 'anc-buyer' };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-anc-'));
    demo = await openDemoConsortium(dir);
    const wallet = new InMemoryWallet();
    await wallet.put('factory_operator', await demo.organizations[0]!.issueIdentity({ commonName: 'a-op', role: 'factory_operator' }));
    await wallet.put('buyer', await demo.organizations[0]!.issueIdentity({ commonName: 'a-b', role: 'buyer' }));
    const config = configSchema.parse({
      mspId: 'Org1MSP', http: { port: 0 }, ledger: { kind: 'embedded', directory: dir }, wallet: '(memory)',
      auth: { users: [{ id: 'o', role: 'factory_operator', apiKeySha256: apiKeyHash('anc-op') }, { id: 'b', role: 'buyer', apiKeySha256: apiKeyHash('anc-buyer') }] },
    });
    gw = await startGateway({ config, ledger: demo.ledger, wallet, logger: pino({ level: 'silent' }), extensions: ({ outbox, ledger }) => [anchoringApi(outbox, ledger)] });
  });
  after(async () => {
    await gw?.close();
    await demo?.ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a record with its proof once anchored, and verifies it; every tampering gets its reason', async () => {
    const payload = { machine: 'DE-MILL-01', window: 7, samples: [41.2, 41.9] };
    const id = gw.outbox.add({ kind: 'telemetry', payload });
    gw.outbox.add({ kind: 'telemetry', payload: { other: 1 } });
    const pending = (await request(gw.url).get(`/v1/anchoring/records/${id}`).set(op).expect(200)).body;
    expect(pending.proof).to.equal(null);
    await gw.outbox.flush({ force: true });
    const got = (await request(gw.url).get(`/v1/anchoring/records/${id}`).set(op).expect(200)).body;
    expect(got.record.state).to.equal('anchored');
    expect(got.anchor.merkleRoot).to.equal(got.proof.root.slice(2));
    const verify = (p: unknown, proof: unknown) => request(gw.url).post('/v1/verify').set(buyer).send({ payload: p, proof }).expect(200).then((r) => r.body);
    expect(await verify(payload, got.proof)).to.deep.include({ valid: true });
    expect(await verify({ ...payload, window: 8 }, got.proof)).to.include({ valid: false, reason: 'payload does not match the leaf' });
    const flipped = got.proof.proof[0].slice(0, -1) + (got.proof.proof[0].endsWith('0') ? '1' : '0');
    expect(await verify(payload, { ...got.proof, proof: [flipped] })).to.include({ valid: false, reason: 'wrong Merkle path' });
    expect(await verify(payload, { ...got.proof, anchorId: 'no-such-anchor' })).to.include({ valid: false, reason: 'anchor not found' });
    expect(await verify(payload, { ...got.proof, anchorId: 'plan-demo-1' })).to.include({ valid: false, reason: 'root differs from the anchor' });
    const bad = await request(gw.url).post('/v1/verify').set(buyer).send({ payload, proof: { ...got.proof, root: 'nope' } }).expect(422);
    expect(bad.body.detail).to.match(/body\.proof\.root: must be 0x and 64 hex digits/);
    await request(gw.url).get(`/v1/anchoring/records/${id}`).set(buyer).expect(403);
    await request(gw.url).get('/v1/anchoring/records/00000000-0000-0000-0000-000000000000').set(op).expect(404);
  });
});
