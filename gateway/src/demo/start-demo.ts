/**
 * `npm start`: one gateway per demo member, all on the same embedded ledger (as if each
 * organisation ran its own gateway against its own peer), with demo API keys.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { apiKeyHash, type Role } from '../api/auth';
import { configSchema } from '../config/config';
import { standardFeatures } from '../features';

/** The demo machines' twin models. */
const DEMO_TWINS = [
  { mspId: 'Org1MSP', machineId: 'DE-MILL-01', model: 'cnc-spindle' },
  { mspId: 'Org1MSP', machineId: 'DE-LATHE-01', model: 'cnc-spindle' },
  { mspId: 'Org2MSP', machineId: 'IT-SLM-01', model: 'am-printer' },
  { mspId: 'Org2MSP', machineId: 'IT-MILL-02', model: 'cnc-spindle' },
] as const;
import { startGateway, type RunningGateway } from '../main';
import { InMemoryWallet } from '../wallet/wallet';
import { DEMO_MEMBERS, openDemoConsortium } from './demo-consortium';

/** Roles each kind of organisation has users for in the demo. */
const ROLES_BY_KIND: Readonly<Record<string, readonly Role[]>> = {
  factory: ['admin', 'factory_operator'],
  buyer: ['admin', 'buyer'],
  auditor: ['auditor'],
};

export interface DemoGateway {
  readonly mspId: string;
  readonly name: string;
  readonly url: string;
  /** role → demo API key (only for this local demo). */
  readonly apiKeys: Readonly<Record<string, string>>;
  /** Whether the gateway serves the built web app at `/`. */
  readonly webApp: boolean;
}

export interface RunningDemo {
  readonly gateways: readonly DemoGateway[];
  readonly seeded: boolean;
  close(): Promise<void>;
}

/** The built web app (npm run build:web), served by every demo gateway when it exists. */
const WEB_ROOT = join(__dirname, '..', '..', '..', 'clients', 'web', 'dist');

/** Start the demo gateways on ports `basePort`, `basePort + 1`, … (0 = any free port). */
export async function startDemo(directory: string, basePort = 8080, host = '127.0.0.1'): Promise<RunningDemo> {
  const demo = await openDemoConsortium(directory);
  const running: RunningGateway[] = [];
  const gateways: DemoGateway[] = [];
  try {
    for (const [i, member] of DEMO_MEMBERS.entries()) {
      const org = demo.organizations[i]!;
      const wallet = new InMemoryWallet();
      const apiKeys: Record<string, string> = {};
      const users = [];
      for (const role of ROLES_BY_KIND[member.role] ?? []) {
        await wallet.put(role, await org.issueIdentity({ commonName: `${member.mspId.toLowerCase()}-${role}`, role }));
        const key = `demo-${member.mspId.toLowerCase()}-${role.replace('_', '-')}`;
        apiKeys[role] = key;
        users.push({ id: `${member.mspId.toLowerCase()}-${role}`, role, apiKeySha256: apiKeyHash(key) });
      }
      const config = configSchema.parse({
        mspId: member.mspId,
        http: { host, port: basePort === 0 ? 0 : basePort + i, ...(existsSync(join(WEB_ROOT, 'index.html')) ? { webRoot: WEB_ROOT } : {}) },
        ledger: { kind: 'embedded', directory: join(directory, 'ledger') },
        wallet: '(in memory)',
        index: { sqlitePath: join(directory, `index-${member.mspId}.sqlite`) },
        anchoring: { sqlitePath: join(directory, `outbox-${member.mspId}.sqlite`) },
        subscriptions: { sqlitePath: join(directory, `subscriptions-${member.mspId}.sqlite`) },
        recommend: { sqlitePath: join(directory, `recommend-${member.mspId}.sqlite`) },
        disclosure: { sqlitePath: join(directory, `disclosure-${member.mspId}.sqlite`) },
        ...(member.role === 'factory' ? {
          twin: {
            directory: join(directory, `twin-${member.mspId}`),
            // Each factory's embedded MQTT broker: 1883 + its index (off when ports are chosen by the OS).
            mqtt: basePort === 0 ? false : { mode: 'embedded', host, port: 1883 + i },
            machines: DEMO_TWINS.filter((t) => t.mspId === member.mspId).map(({ machineId, model }) => ({ machineId, model })),
          },
        } : {}),
        auth: { users },
        logLevel: process.env.FT_LOG_LEVEL ?? 'warn',
      });
      const gateway = await startGateway({ config, ledger: demo.ledger, wallet, logger: pino({ level: config.logLevel, base: { msp: member.mspId } }), extensions: standardFeatures });
      running.push(gateway);
      gateways.push({ mspId: member.mspId, name: member.name, url: gateway.url, apiKeys, webApp: config.http.webRoot !== undefined });
    }
    // The buyer makes part of PO-1001.1's trace public (what happened and when, and the carrier),
    // so the public page and the Digital Link have something to show.
    const buyer = gateways.find((g) => g.apiKeys.buyer);
    if (buyer) {
      const headers = { 'X-API-Key': buyer.apiKeys.buyer!, 'Content-Type': 'application/json' };
      const current = await fetch(`${buyer.url}/v1/parts/PO-1001.1/disclosure`, { headers });
      if (current.status === 404) {
        const put = await fetch(`${buyer.url}/v1/parts/PO-1001.1/disclosure`, { method: 'PUT', headers, body: JSON.stringify({ fields: ['/type', '/at', '/data/carrier', '/data/result'] }) });
        if (!put.ok) throw new Error(`the demo disclosure of PO-1001.1 failed: ${put.status} ${await put.text()}`);
      }
    }
  } catch (e) {
    for (const g of running) await g.close();
    await demo.ledger.close();
    throw e;
  }
  return {
    gateways,
    seeded: demo.seeded,
    async close() {
      for (const g of running) await g.close();
      await demo.ledger.close();
    },
  };
}
