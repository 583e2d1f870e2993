/**
 * The demo consortium: two factories, a buyer and an auditor on an embedded ledger, with
 * machines and a few orders in different states. `npm start` opens (or creates) it under
 * `.data/demo`; the gateway issue will serve it over HTTP.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildCollectionsConfig } from '@forgetrace/chaincode/api';
import { EmbeddedLedger } from '../ledger/embedded/embedded-ledger';
import { createDevOrganization, loadDevOrganization, saveDevOrganization, type DevOrganization } from '../ledger/embedded/identity';
import type { LedgerIdentity } from '../ledger/port';

/** The demo members. */
export const DEMO_MEMBERS = [
  { mspId: 'Org1MSP', role: 'factory', name: 'Precision Parts GmbH', site: 'Stuttgart plant', country: 'DE' },
  { mspId: 'Org2MSP', role: 'factory', name: 'Additive Works Srl', site: 'Turin plant', country: 'IT' },
  { mspId: 'Org3MSP', role: 'buyer', name: 'AeroBuyer SA', site: 'Toulouse office', country: 'FR' },
  { mspId: 'Org4MSP', role: 'auditor', name: 'TraceAudit BV', site: 'Rotterdam office', country: 'NL' },
] as const;

/** MSP of the demo's ordering service (its CA issues the certificate that signs blocks). */
export const ORDERER_MSP = 'OrdererMSP';

export interface DemoConsortium {
  readonly ledger: EmbeddedLedger;
  readonly organizations: readonly DevOrganization[];
  readonly users: Readonly<Record<'admin1' | 'operator1' | 'admin2' | 'operator2' | 'buyer' | 'auditor', LedgerIdentity>>;
  /** True when this call created and seeded the ledger. */
  readonly seeded: boolean;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const iso = (days: number) => new Date(Date.now() + days * 86400e3).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Open the demo ledger in `directory`, creating the organisations' CAs and seeding the
 * consortium on first use.
 */
export async function openDemoConsortium(directory: string, chaincodePath = dirname(require.resolve('@forgetrace/chaincode/package.json'))): Promise<DemoConsortium> {
  const mspDir = join(directory, 'msp');
  const fresh = !existsSync(mspDir);
  await mkdir(directory, { recursive: true });
  const organizations: DevOrganization[] = [];
  for (const m of DEMO_MEMBERS) {
    if (fresh) {
      const org = await createDevOrganization(m.mspId);
      await saveDevOrganization(org, mspDir);
      organizations.push(org);
    } else {
      organizations.push(await loadDevOrganization(mspDir, m.mspId));
    }
  }
  const [o1, o2, o3, o4] = organizations as [DevOrganization, DevOrganization, DevOrganization, DevOrganization];
  const users = {
    admin1: await o1.issueIdentity({ commonName: 'admin1', role: 'admin' }),
    operator1: await o1.issueIdentity({ commonName: 'operator1', role: 'factory_operator' }),
    admin2: await o2.issueIdentity({ commonName: 'admin2', role: 'admin' }),
    operator2: await o2.issueIdentity({ commonName: 'operator2', role: 'factory_operator' }),
    buyer: await o3.issueIdentity({ commonName: 'buyer3', role: 'buyer' }),
    auditor: await o4.issueIdentity({ commonName: 'auditor4', role: 'auditor' }),
  };
  // The ordering service's CA signs blocks; each member's peer signs its endorsements.
  const ordererOrg = existsSync(join(mspDir, ORDERER_MSP)) ? await loadDevOrganization(mspDir, ORDERER_MSP) : await createDevOrganization(ORDERER_MSP, { organizationName: 'Orderer' });
  if (!existsSync(join(mspDir, ORDERER_MSP))) await saveDevOrganization(ordererOrg, mspDir);
  const peers = await Promise.all(organizations.map((o) => o.issueIdentity({ commonName: `peer0.${o.mspId.toLowerCase()}`, role: 'peer' })));
  const ledger = await EmbeddedLedger.open({
    directory: join(directory, 'ledger'),
    chaincodePath,
    organizations: organizations.map((o) => o.organization),
    collections: buildCollectionsConfig(DEMO_MEMBERS),
    orderer: { organization: ordererOrg.organization, identity: await ordererOrg.issueIdentity({ commonName: 'orderer0', role: 'orderer' }) },
    peers,
  });
  const seeded = (await ledger.height()) <= 1;
  if (seeded) await seed(ledger, users);
  return { ledger, organizations, users, seeded };
}

async function seed(ledger: EmbeddedLedger, u: DemoConsortium['users']): Promise<void> {
  const submit = async (who: LedgerIdentity, tx: string, ...args: unknown[]) => {
    const r = await ledger.submit(who, tx, args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))));
    return JSON.parse(Buffer.from(r.result).toString('utf8'));
  };
  await submit(u.admin1, 'registry:InitConsortium', { name: 'ForgeTrace demo consortium', adminMsps: ['Org1MSP'] });
  for (const m of DEMO_MEMBERS) {
    await submit(u.admin1, 'registry:RegisterMember', { mspId: m.mspId, name: m.name, role: m.role, location: { site: m.site, country: m.country } });
  }
  const machines = [
    { who: u.operator1, id: 'DE-MILL-01', manufacturer: 'DMG Mori', model: 'DMU 50', processes: ['milling', 'drilling'] },
    { who: u.operator1, id: 'DE-LATHE-01', manufacturer: 'Index', model: 'G200', processes: ['turning'] },
    { who: u.operator2, id: 'IT-SLM-01', manufacturer: 'EOS', model: 'M 290', processes: ['additive', 'heat_treatment'] },
    { who: u.operator2, id: 'IT-MILL-02', manufacturer: 'Hermle', model: 'C 42', processes: ['milling'] },
  ];
  for (const m of machines) {
    await submit(m.who, 'machines:RegisterMachine', { id: m.id, manufacturer: m.manufacturer, model: m.model, serial: `SN-${m.id}`, capabilities: { processes: m.processes, materials: ['al6061', 'ti6al4v', 'steel_316l'], toleranceMm: 0.01, envelopeMm: { x: 500, y: 400, z: 400 } } });
    await submit(m.who, 'machines:CommissionMachine', m.id, {});
    await submit(m.who, 'machines:CalibrateMachine', m.id, { certificateHash: sha(`cal-${m.id}`), laboratory: 'Accredited Lab 7', calibratedAt: iso(-30), dueAt: iso(335) });
  }
  await submit(u.admin1, 'anchors:CreateAnchor', { id: 'plan-demo-1', kind: 'schedule', merkleRoot: sha('demo-plan'), leafCount: 3, algorithm: 'lp-ga', algorithmVersion: '0.0.0-demo', inputHash: sha('demo-input'), window: { from: iso(0), to: iso(14) } });
  const order = (id: string, name: string, processes: string[], quantity: number) =>
    submit(u.buyer, 'orders:CreateOrder', { id, spec: { name, specHash: sha(name), material: 'ti6al4v', parameters: { revision: 'C' } }, operations: processes.map((process) => ({ process, estimatedMinutes: 40 })), quantity, dueDate: iso(21) });
  await order('PO-1001', 'Hinge bracket', ['milling'], 2);
  await order('PO-1002', 'Turbine mount', ['additive', 'milling'], 1);
  await order('PO-1003', 'Sensor housing', ['turning'], 1);
  await ledger.submit(u.buyer, 'orders:SetCommercialTerms', ['PO-1001', 'Org1MSP'], { transient: { terms: JSON.stringify({ price: 840, currency: 'EUR', paymentTerms: 'net 30' }) } });
  // PO-1001.1: produced, QC passed, shipped. PO-1001.2: in production. PO-1002.1: scheduled. PO-1003: open.
  const job = async (id: string, partId: string, op: number, factory: string, machineId: string) =>
    submit(u.admin1, 'jobs:AssignJob', { id, partId, operationIndex: op, factoryMsp: factory, machineId, plannedStart: iso(1), plannedEnd: iso(2), scheduleAnchorId: 'plan-demo-1' });
  await job('JOB-1', 'PO-1001.1', 0, 'Org1MSP', 'DE-MILL-01');
  await submit(u.operator1, 'jobs:AcceptJob', 'JOB-1');
  await submit(u.operator1, 'jobs:ReportStart', 'JOB-1', { machineId: 'DE-MILL-01' });
  await submit(u.operator1, 'jobs:ReportFinish', 'JOB-1', { machineId: 'DE-MILL-01' });
  await submit(u.operator1, 'jobs:RecordQc', 'PO-1001.1', { result: 'pass', reportHash: sha('qc-PO-1001.1'), measurements: { boreMm: 12.002 } });
  await submit(u.operator1, 'orders:ShipPart', 'PO-1001.1', { carrier: 'DHL', trackingRef: 'JD014600003' });
  await job('JOB-2', 'PO-1001.2', 0, 'Org1MSP', 'DE-MILL-01');
  await submit(u.operator1, 'jobs:AcceptJob', 'JOB-2');
  await submit(u.operator1, 'jobs:ReportStart', 'JOB-2', { machineId: 'DE-MILL-01' });
  await job('JOB-3', 'PO-1002.1', 0, 'Org2MSP', 'IT-SLM-01');
}
