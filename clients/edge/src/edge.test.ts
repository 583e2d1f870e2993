import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { connectAsync, type MqttClient } from 'mqtt';
import pino from 'pino';
import { apiKeyHash } from '@forgetrace/gateway/dist/api/auth';
import { configSchema } from '@forgetrace/gateway/dist/config/config';
import { openDemoConsortium, type DemoConsortium } from '@forgetrace/gateway/dist/demo/demo-consortium';
import { standardFeatures } from '@forgetrace/gateway/dist/features';
import { startGateway, type RunningGateway } from '@forgetrace/gateway/dist/main';
import { FileSystemWallet, InMemoryWallet } from '@forgetrace/gateway/dist/wallet/wallet';

const EDGE = join(__dirname, 'edge.js');

interface Broker { close(cb: () => void): void; handle: (socket: unknown) => void }

const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('forgetrace-edge: the factory-side agent as a process', function () {
  this.timeout(90_000);
  let dir: string;
  let demo: DemoConsortium;
  let gw: RunningGateway | undefined;
  let port = 0;
  let broker: Broker;
  let brokerServer: Server;
  let brokerUrl: string;
  let publisher: MqttClient;
  let edge: ChildProcess | undefined;
  let stdout = '';

  const startOrg1Gateway = async (): Promise<RunningGateway> => {
    const wallet = new InMemoryWallet();
    await wallet.put('factory_operator', await demo.organizations[0]!.issueIdentity({ commonName: 'gw-op', role: 'factory_operator' }));
    const config = configSchema.parse({
      mspId: 'Org1MSP', http: { port }, ledger: { kind: 'embedded', directory: dir }, wallet: '(memory)',
      auth: { users: [{ id: 'edge-user', role: 'factory_operator', apiKeySha256: apiKeyHash('edge-key') }] },
      twin: { directory: join(dir, 'twin'), mqtt: false, machines: [{ machineId: 'DE-MILL-01', model: 'cnc-spindle' }], edgeAgents: [{ certificatePath: join(dir, 'edge-cert.pem'), mspId: 'Org1MSP' }] },
    });
    const g = await startGateway({ config, ledger: demo.ledger, wallet, logger: pino({ level: 'silent' }), extensions: standardFeatures });
    port = Number(new URL(g.url).port);
    return g;
  };
  const start = Date.now() - 3_600_000;
  const publish = async (from: number, to: number): Promise<void> => {
    for (let seq = from; seq < to; seq++) {
      const sample = { seq, t: start + seq * 1000, u: { load: 0.6, speed: 0.5 }, y: { temperature: 30 + seq * 0.01, vibration: 0.8, power: 2.1 } };
      await publisher.publishAsync('forgetrace/Org1MSP/DE-MILL-01/telemetry', JSON.stringify(sample), { qos: 1 });
    }
  };
  const twinAt = async (): Promise<number | null> => {
    if (!gw) return null;
    const r = await fetch(`${gw.url}/v1/machines/DE-MILL-01/twin`, { headers: { 'X-API-Key': 'edge-key' } });
    const at = ((await r.json()) as { at: string | number | null }).at;
    return at === null ? null : typeof at === 'string' ? Date.parse(at) : at;
  };
  const buffered = (): number => {
    const db = new DatabaseSync(join(dir, 'edge.db'));
    try {
      return Number((db.prepare('SELECT COUNT(*) AS n FROM edge_buffer').get() as { n: number }).n);
    } finally {
      db.close();
    }
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-edge-'));
    demo = await openDemoConsortium(join(dir, 'demo'));
    const identity = await demo.organizations[0]!.issueIdentity({ commonName: 'edge-agent-1', role: 'factory_operator' });
    await new FileSystemWallet(join(dir, 'wallet')).put('edge', identity);
    await writeFile(join(dir, 'edge-cert.pem'), identity.certificate);
    // The factory's own broker, as the machines' gateway-independent MQTT endpoint.
    broker = (require('aedes') as () => Broker)();
    brokerServer = createServer((s) => broker.handle(s));
    await new Promise<void>((r) => brokerServer.listen(0, '127.0.0.1', r));
    brokerUrl = `mqtt://127.0.0.1:${(brokerServer.address() as AddressInfo).port}`;
    publisher = await connectAsync(brokerUrl, { protocolVersion: 4 });
    gw = await startOrg1Gateway();
  });

  after(async () => {
    edge?.kill('SIGKILL');
    await publisher?.endAsync();
    await new Promise<void>((r) => broker.close(() => r()));
    brokerServer?.close();
    await gw?.close();
    await demo?.ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses bad arguments with exit 2 and one line', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, [EDGE, '--gateway', 'nope', '--machines', 'X:cnc-spindle'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      c.stderr.on('data', (d) => (stderr += d));
      c.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(r.code).to.equal(2);
    expect(r.stderr.trim()).to.match(/^forgetrace-edge: --gateway must be http\(s\):\/\/host:port, not nope$/);
  });

  it('forwards filtered telemetry signed with the factory identity, and loses nothing across a gateway outage', async () => {
    edge = spawn(process.execPath, [EDGE, '--gateway', gw!.url, '--api-key', 'edge-key', '--wallet', join(dir, 'wallet'), '--identity', 'edge',
      '--machines', 'DE-MILL-01:cnc-spindle', '--mqtt', brokerUrl, '--buffer', join(dir, 'edge.db'), '--interval-ms', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
    edge.stdout!.on('data', (d) => (stdout += d));
    edge.stderr!.on('data', (d) => (stdout += d));
    await until('the agent to run', () => stdout.includes('edge agent running'));
    await publish(0, 60);
    await until('the gateway twin to see sample 59', async () => (await twinAt()) === start + 59_000);

    // Outage: the gateway stops; the agent keeps taking telemetry into its disk buffer.
    await gw!.close();
    gw = undefined;
    await publish(60, 120);
    await until('samples buffered during the outage', () => buffered() > 0);
    gw = await startOrg1Gateway();
    await until('the backlog delivered after restart', async () => (await twinAt()) === start + 119_000 && buffered() === 0);

    edge.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => edge!.on('exit', r));
    expect(code, stdout.slice(-2000)).to.equal(0);
    const stopped = JSON.parse(stdout.trim().split('\n').filter((l) => l.includes('"stopped"')).at(-1)!) as { received: number; rejected: number };
    expect(stopped).to.include({ received: 120, rejected: 0 });
  });
});
