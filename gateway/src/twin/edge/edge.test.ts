import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { TwinSnapshot } from '@forgetrace/chaincode/api';
import { AnchorOutbox } from '../../anchoring/anchor-outbox';
import { apiKeyHash } from '../../api/auth';
import { configSchema } from '../../config/config';
import { openDemoConsortium, type DemoConsortium } from '../../demo/demo-consortium';
import { LedgerClient } from '../../ledger/ledger-client';
import type { LedgerIdentity } from '../../ledger/port';
import { startGateway, type RunningGateway } from '../../main';
import { InMemoryWallet } from '../../wallet/wallet';
import { TwinError } from '../errors';
import { cncSpindleModel } from '../models';
import { MachineSimulator } from '../simulator';
import { SnapshotRecorder } from '../snapshots';
import { twinApi } from '../twin-api';
import { TwinService } from '../twin-service';
import { EdgeAgent, httpTransport, type EdgeTransport } from './edge-agent';
import { EdgeReceiver } from './edge-receiver';
import { signEnvelope, verifyEnvelope } from './envelope';
import { freePort } from '../../common/testing/free-port';

describe('twin: edge agent store-and-forward', function () {
  this.timeout(120_000);
  let dir: string;
  let demo: DemoConsortium;
  let edgeIdentity: LedgerIdentity;
  let port: number;
  const apiKey = 'Org1MSP-edge-key';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-edge-'));
    demo = await openDemoConsortium(join(dir, 'demo'));
    edgeIdentity = await demo.organizations[0]!.issueIdentity({ commonName: 'edge-agent-stuttgart', role: 'factory_operator' });
    port = await freePort();
  });
  after(async () => {
    await demo.ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A gateway of Org1 with the twin routes, its stores under `dir` (they survive a restart). */
  async function startOrg1(): Promise<{ gateway: RunningGateway; service: TwinService; recorder: SnapshotRecorder; edge: EdgeReceiver; outbox: AnchorOutbox }> {
    const org = demo.organizations[0]!;
    const wallet = new InMemoryWallet();
    await wallet.put('factory_operator', await org.issueIdentity({ commonName: 'Org1MSP-edge-user', role: 'factory_operator' }));
    const config = configSchema.parse({
      mspId: 'Org1MSP', http: { host: '127.0.0.1', port, bodyLimit: '2mb', rateLimitPerMinute: 100_000 }, ledger: { kind: 'embedded', directory: dir }, wallet: '(memory)',
      index: { sqlitePath: join(dir, 'index.db') },
      auth: { users: [{ id: 'edge-user', role: 'factory_operator', identity: 'factory_operator', apiKeySha256: apiKeyHash(apiKey) }] },
    });
    const ledger = new LedgerClient(demo.ledger);
    const service = new TwinService();
    service.register('DE-MILL-01', 'cnc-spindle', 'Org1MSP');
    const outbox = AnchorOutbox.open({ filename: join(dir, 'outbox.db'), ledger, identity: demo.users.operator1 });
    const recorder = SnapshotRecorder.open({ filename: join(dir, 'snapshots.db'), service, ledger, identity: demo.users.operator1, outbox, policy: { everyMs: 0, onAnomaly: false, onOperationBoundary: false } });
    const edge = EdgeReceiver.open({ filename: join(dir, 'edge-seen.db'), service, recorder, trusted: [{ certificate: edgeIdentity.certificate, mspId: 'Org1MSP' }] });
    const gateway = await startGateway({ config, ledger: demo.ledger, wallet, logger: pino({ level: 'silent' }), extensions: [twinApi({ service, ledger, recorder, edge })] });
    return { gateway, service, recorder, edge, outbox };
  }

  it('loses and duplicates nothing across a gateway outage, an agent restart and a lost acknowledgement', async () => {
    const model = cncSpindleModel();
    const t0 = Date.now() - 4 * 3_600_000;
    const sim = new MachineSimulator({ machineId: 'DE-MILL-01', model, seed: 21, start: t0, faults: [{ kind: 'step', channel: 0, start: t0 + 50 * 60_000, duration: 10 * 60_000, magnitude: 8 }] });
    const bufferFile = join(dir, 'edge-buffer.db');
    let url = `http://127.0.0.1:${port}`;
    let dropNextAck = false;
    const transport: EdgeTransport = async (envelope) => {
      await httpTransport(url, apiKey)(envelope);
      if (dropNextAck) {
        dropNextAck = false;
        throw new Error('connection reset before the acknowledgement arrived');
      }
    };
    const agentOptions = { agentId: 'edge-stuttgart-1', identity: edgeIdentity, machines: [{ machineId: 'DE-MILL-01', model: 'cnc-spindle' }], filename: bufferFile, transport, snapshotEveryMs: 10 * 60_000, batchSize: 200 };
    let agent = EdgeAgent.open(agentOptions);
    const generated = { sample: 0, summary: 0, snapshot: 0 };
    const feed = (n: number): void => {
      const before = { sample: agent.buffered('sample'), summary: agent.buffered('summary'), snapshot: agent.buffered('snapshot') };
      for (let i = 0; i < n; i++) {
        const s = sim.next();
        expect(agent.ingest('DE-MILL-01', { t: s.t, seq: s.seq, u: s.u, y: s.yRaw })).to.equal(true);
      }
      generated.sample += agent.buffered('sample') - before.sample;
      generated.summary += agent.buffered('summary') - before.summary;
      generated.snapshot += agent.buffered('snapshot') - before.snapshot;
    };

    // phase 1: gateway up
    let g = await startOrg1();
    feed(600);
    const first = await agent.forward();
    expect(first).to.equal(generated.sample + generated.summary + generated.snapshot);
    expect(agent.buffered()).to.equal(0);

    // phase 2: the gateway dies; the agent keeps filtering and buffering to disk, then restarts itself
    await g.recorder.flush();
    await g.gateway.close(); // closes the twin extension: recorder and receiver stores
    await g.outbox.close();
    feed(1500); // includes the injected temperature step: an anomaly snapshot
    expect(await agent.forward()).to.equal(0);
    expect(agent.stats.failedSends).to.be.greaterThan(0);
    const backlog = agent.buffered();
    expect(backlog).to.be.greaterThan(1500);
    expect(agent.buffered('snapshot')).to.be.greaterThan(0);
    await agent.close();
    agent = EdgeAgent.open(agentOptions);
    expect(agent.buffered()).to.equal(backlog);

    // phase 3: the gateway is back; the first acknowledgement is lost, so that envelope is sent twice
    g = await startOrg1();
    url = `http://127.0.0.1:${port}`;
    dropNextAck = true;
    expect(await agent.forward()).to.equal(0);
    const drained = await agent.forward();
    expect(drained).to.equal(backlog);
    expect(agent.buffered()).to.equal(0);

    // counts: every record applied exactly once; the restarted gateway's twin filtered each sample once
    const total = generated.sample + generated.summary + generated.snapshot;
    expect(g.edge.appliedCount('edge-stuttgart-1')).to.equal(total);
    const est = g.service.estimate('DE-MILL-01');
    expect(est.counters.applied + est.counters.reordered).to.equal(1500);
    expect(est.counters.duplicates).to.equal(0);
    expect(g.edge.summaries.get('DE-MILL-01')?.samples).to.be.greaterThan(0);
    await g.recorder.flush();
    const onLedger = await new LedgerClient(demo.ledger).evaluate<TwinSnapshot[]>(demo.users.operator1, 'twins:ListTwinSnapshots', ['DE-MILL-01', { limit: 1000 }]);
    const ids = onLedger.map((s) => s.id).filter((id) => g.recorder.get(id));
    expect(ids).to.have.length(generated.snapshot);
    expect(new Set(ids).size).to.equal(ids.length);
    expect(onLedger.some((s) => s.summary.anomaly)).to.equal(true);

    await agent.close();
    await g.gateway.close();
    await g.outbox.close();
  });

  it('refuses envelopes with a bad signature, an untrusted signer or another organisation', async () => {
    const receiver = EdgeReceiver.open({ filename: ':memory:', service: new TwinService(), trusted: [{ certificate: edgeIdentity.certificate, mspId: 'Org1MSP' }] });
    const sample = { seq: 1, kind: 'sample' as const, machineId: 'DE-MILL-01', sample: { seq: 1, t: Date.now(), u: { load: 0, speed: 0 }, y: {} } };
    const good = signEnvelope('a1', edgeIdentity, [sample]);
    expect(verifyEnvelope(good)).to.equal(true);
    const tampered = { ...good, records: [{ ...sample, sample: { ...sample.sample, seq: 2 } }] };
    expect(verifyEnvelope(tampered)).to.equal(false);
    const code = (f: () => unknown) => { try { f(); return 'none'; } catch (e) { return (e as TwinError).code; } };
    expect(code(() => receiver.accept(tampered, 'Org1MSP'))).to.equal('INVALID_SAMPLE');
    expect(code(() => receiver.accept(good, 'Org2MSP'))).to.equal('INVALID_SAMPLE');
    const stranger = signEnvelope('a2', demo.users.operator1, [sample]);
    expect(code(() => receiver.accept(stranger, 'Org1MSP'))).to.equal('INVALID_SAMPLE');
    const r = receiver.accept(good, 'Org1MSP');
    expect(r.applied).to.equal(1);
    expect(receiver.accept(good, 'Org1MSP')).to.deep.equal({ applied: 0, duplicates: 1, rejectedSamples: 0 });
    receiver.close();
    expect(TwinError).to.be.a('function');
  });
});
