import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import pino from 'pino';
import request from 'supertest';
import { apiKeyHash } from '../../api/auth';
import { configSchema } from '../../config/config';
import { openDemoConsortium, type DemoConsortium } from '../../demo/demo-consortium';
import { startGateway, type RunningGateway } from '../../main';
import { InMemoryWallet } from '../../wallet/wallet';
import { scheduleApi } from './schedule-api';
import { ScheduleService } from './schedule-service';

const hex = (s: string) => createHash('sha256').update(s).digest('hex');
const inDays = (d: number) => new Date(Date.now() + d * 86400e3).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('schedules API: solve over orders, read the plan, accept it onto the ledger', function () {
  this.timeout(60_000);
  let dir: string;
  let demo: DemoConsortium;
  let gw: RunningGateway;
  const admin = { 'X-API-Key': 'sched-admin' };
  const operator = { 'X-API-Key': 'sched-op' };
  const auditor = { 'X-API-Key': 'sched-aud' };

  const order = async (id: string, processes: string[], quantity: number, dueDays = 30) => {
    await demo.ledger.submit(demo.users.buyer, 'orders:CreateOrder', [JSON.stringify({ id, spec: { name: `Part ${id}`, specHash: hex(id), material: 'al6061' }, operations: processes.map((p) => ({ process: p, estimatedMinutes: 90 })), quantity, dueDate: inDays(dueDays) })]);
  };
  const caughtUp = async () => gw.indexer.waitFor((await demo.ledger.height()) - 1, { timeoutMs: 10_000 });
  const solved = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const r = await request(gw.url).get(`/v1/schedules/${id}`).set(auditor).expect(200);
      if (r.body.status !== 'running') return r.body;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('schedule did not finish');
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-sched-'));
    demo = await openDemoConsortium(dir);
    const org = demo.organizations[0]!;
    const wallet = new InMemoryWallet();
    for (const role of ['admin', 'factory_operator', 'auditor'] as const) await wallet.put(role, await org.issueIdentity({ commonName: `s-${role}`, role }));
    const config = configSchema.parse({
      mspId: 'Org1MSP', http: { port: 0 }, ledger: { kind: 'embedded', directory: dir }, wallet: '(memory)',
      auth: { users: [{ id: 'sa', role: 'admin', apiKeySha256: apiKeyHash('sched-admin') }, { id: 'so', role: 'factory_operator', apiKeySha256: apiKeyHash('sched-op') }, { id: 'sd', role: 'auditor', apiKeySha256: apiKeyHash('sched-aud') }] },
    });
    gw = await startGateway({ config, ledger: demo.ledger, wallet, logger: pino({ level: 'silent' }), extensions: ({ store, ledger }) => [scheduleApi(new ScheduleService({ store, ledger }))] });
    await order('T-1', ['additive', 'milling'], 2);
    await order('T-2', ['turning', 'milling'], 1);
    await order('T-3', ['grinding'], 1);
    await caughtUp();
  });
  after(async () => {
    await gw?.close();
    await demo?.ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('solves asynchronously and returns a feasible plan with Gantt rows, bounds and Merkle leaves', async () => {
    const started = await request(gw.url).post('/v1/schedules').set(operator).send({ orders: ['T-1', 'T-2'], seed: 7, generations: 20, startAt: '2027-01-04T06:00:00Z' }).expect(202);
    expect(started.headers.location).to.equal(`/v1/schedules/${started.body.id}`);
    const s = await solved(started.body.id);
    expect(s.status).to.equal('done');
    expect(s.assignments).to.have.length(6);
    const byPart = new Map<string, { operationIndex: number; machineId: string; factoryMsp: string; startMinute: number; endMinute: number; process: string }[]>();
    for (const a of s.assignments) byPart.set(a.partId, [...(byPart.get(a.partId) ?? []), a]);
    const machines: Record<string, string[]> = { 'DE-MILL-01': ['milling'], 'DE-LATHE-01': ['turning'], 'IT-SLM-01': ['additive'], 'IT-MILL-02': ['milling'] };
    for (const ops of byPart.values()) {
      ops.sort((a, b) => a.operationIndex - b.operationIndex);
      for (const [i, a] of ops.entries()) {
        expect(machines[a.machineId]).to.include(a.process);
        expect(a.endMinute - a.startMinute).to.equal(90);
        const prev = ops[i - 1];
        if (prev) expect(a.startMinute).to.be.at.least(prev.endMinute + (prev.factoryMsp === a.factoryMsp ? 0 : 240));
      }
    }
    // No machine runs two operations at once.
    for (const row of s.gantt) {
      const bars = [...row.bars].sort((a: { start: string }, b: { start: string }) => (a.start < b.start ? -1 : 1));
      for (let i = 1; i < bars.length; i++) expect(bars[i].start >= bars[i - 1].end).to.equal(true);
    }
    expect(s.objective.makespanMinutes).to.be.at.least(s.lowerBoundMinutes);
    expect(s.assignments[0].plannedStart >= '2027-01-04T06:00:00Z').to.equal(true);
    expect(StandardMerkleTree.of(s.merkle.leaves, s.merkle.encoding).root).to.equal(s.merkle.root);
  });

  it('accepts a plan (admin only): one anchor an auditor can recompute, one job per operation, idempotent', async () => {
    const started = await request(gw.url).post('/v1/schedules').set(admin).send({ orders: ['T-2'], seed: 3, generations: 5 }).expect(202);
    const s = await solved(started.body.id);
    await request(gw.url).post(`/v1/schedules/${s.id}/acceptance`).set(operator).send({}).expect(403);
    const accepted = (await request(gw.url).post(`/v1/schedules/${s.id}/acceptance`).set(admin).send({}).expect(200)).body;
    expect(accepted.status).to.equal('accepted');
    expect(accepted.acceptance.jobIds).to.have.length(2);
    const anchor = JSON.parse(Buffer.from(await demo.ledger.evaluate(demo.users.auditor, 'anchors:GetAnchor', [accepted.acceptance.anchorId])).toString());
    expect(anchor).to.include({ kind: 'schedule', leafCount: 2, algorithm: 'forgetrace-lp-ga-tabu', inputHash: s.inputHash });
    expect('0x' + anchor.merkleRoot).to.equal(StandardMerkleTree.of(accepted.merkle.leaves, accepted.merkle.encoding).root);
    for (const jobId of accepted.acceptance.jobIds) {
      const job = JSON.parse(Buffer.from(await demo.ledger.evaluate(demo.users.auditor, 'jobs:GetJob', [jobId])).toString());
      expect(job).to.include({ status: 'assigned', scheduleAnchorId: anchor.id });
      const a = accepted.assignments.find((x: { partId: string; operationIndex: number }) => x.partId === job.partId && x.operationIndex === job.operationIndex);
      expect(job).to.include({ machineId: a.machineId, factoryMsp: a.factoryMsp, plannedStart: a.plannedStart, plannedEnd: a.plannedEnd });
    }
    const again = (await request(gw.url).post(`/v1/schedules/${s.id}/acceptance`).set(admin).send({}).expect(200)).body;
    expect(again.acceptance).to.deep.equal(accepted.acceptance);
    await caughtUp();
    const conflict = await request(gw.url).post('/v1/schedules').set(admin).send({ orders: ['T-2'] }).expect(409);
    expect(conflict.body.detail).to.match(/part T-2\.1 of order T-2 already has job S-[0-9a-f]{12}\.T-2\.1\.0 \(assigned\)/);
  });

  it('rejects bad requests saying which order or operation is wrong', async () => {
    const unknown = await request(gw.url).post('/v1/schedules').set(admin).send({ orders: ['NOPE'] }).expect(422);
    expect(unknown.body.detail).to.equal('order NOPE is not on the ledger (or not indexed yet)');
    const noMachine = await request(gw.url).post('/v1/schedules').set(admin).send({ orders: ['T-3'] }).expect(422);
    expect(noMachine.body.detail).to.match(/order T-3 operation 0 \(grinding, material al6061\): no commissioned machine can do it/);
    const dup = await request(gw.url).post('/v1/schedules').set(admin).send({ orders: ['T-1', 'T-1'] }).expect(422);
    expect(dup.body.detail).to.match(/body\.orders: must not repeat an order/);
    const negative = await request(gw.url).post('/v1/schedules').set(admin).send({ orders: ['T-1'], transportMinutes: -5 }).expect(422);
    expect(negative.body.detail).to.match(/body\.transportMinutes/);
    await request(gw.url).post('/v1/schedules').set(auditor).send({ orders: ['T-1'] }).expect(403);
    await request(gw.url).get('/v1/schedules/S-000000000000').set(auditor).expect(404);
    await request(gw.url).get('/v1/schedules/not-an-id').set(auditor).expect(422);
  });

  it('reports progress while solving and can be cancelled', async () => {
    const started = await request(gw.url).post('/v1/schedules').set(admin).send({ orders: ['T-1'], timeLimitSeconds: 60, weights: { makespan: 1, tardiness: 1, cost: 0.01 } }).expect(202);
    let seen = started.body;
    for (let i = 0; i < 100 && seen.progress.generation === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = (await request(gw.url).get(`/v1/schedules/${started.body.id}`).set(admin).expect(200)).body;
    }
    expect(seen.status).to.equal('running');
    expect(seen.progress.generation).to.be.greaterThan(0);
    expect(seen.progress.bestObjective).to.be.a('number');
    const cancelled = (await request(gw.url).post(`/v1/schedules/${started.body.id}/cancellation`).set(admin).send({}).expect(200)).body;
    expect(cancelled.status).to.equal('cancelled');
    await request(gw.url).post(`/v1/schedules/${started.body.id}/acceptance`).set(admin).send({}).expect(409);
    const doc = await request(gw.url).get('/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).to.include.members(['/v1/schedules', '/v1/schedules/{scheduleId}', '/v1/schedules/{scheduleId}/acceptance']);
  });
});
