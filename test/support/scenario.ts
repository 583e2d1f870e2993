/** Building blocks of conformance scenarios. Every id is made unique with the harness run suffix. */
import { createHash } from 'node:crypto';
import type { Anchor, Job, Machine, Order, Part } from '@forgetrace/chaincode';
import type { LedgerIdentity } from '@forgetrace/gateway/ledger';
import { ORGS, submit, type Harness } from './harness';

const DAY = 24 * 3600 * 1000;
let counter = 0;

export function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A run-unique id with a readable prefix. */
export function uid(h: Harness, prefix: string): string {
  counter += 1;
  return `${prefix}-${h.run}-${counter}`;
}

export function isoIn(days: number): string {
  return new Date(Date.now() + days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Initialise the consortium (Org1 governs) and register the four members; tolerant of a ledger that has them. */
export async function ensureConsortium(h: Harness): Promise<void> {
  try {
    await submit(h, h.ids.admin1, 'registry:InitConsortium', [{ name: 'ForgeTrace demo', adminMsps: ['Org1MSP'] }]);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ALREADY_EXISTS') throw e;
  }
  for (const org of ORGS) {
    const member = { mspId: org.mspId, name: org.name, role: org.role, location: { site: `${org.name} HQ`, country: org.country }, certifications: [] };
    try {
      await submit(h, h.ids.admin1, 'registry:RegisterMember', [member]);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ALREADY_EXISTS') throw e;
    }
  }
}

export interface MachineOptions {
  readonly owner?: LedgerIdentity;
  readonly processes?: string[];
  readonly commission?: boolean;
  readonly calibrateDueInDays?: number | null;
}

/** Register (and by default commission and calibrate) a machine. */
export async function readyMachine(h: Harness, options: MachineOptions = {}): Promise<Machine> {
  const owner = options.owner ?? h.ids.operator1;
  const id = uid(h, 'M');
  let machine = await submit<Machine>(h, owner, 'machines:RegisterMachine', [{
    id, manufacturer: 'DMG Mori', model: 'DMU 50', serial: `SN-${id}`,
    capabilities: { processes: options.processes ?? ['milling', 'drilling'], materials: ['al6061', 'ti6al4v'], toleranceMm: 0.01, envelopeMm: { x: 500, y: 450, z: 400 } },
  }]);
  if (options.commission !== false) machine = await submit<Machine>(h, owner, 'machines:CommissionMachine', [id, { location: { site: 'Hall 2', country: 'DE' } }]);
  const due = options.calibrateDueInDays === undefined ? 365 : options.calibrateDueInDays;
  if (due !== null) {
    machine = await submit<Machine>(h, owner, 'machines:CalibrateMachine', [id, { certificateHash: hash(`cal-${id}`), laboratory: 'DAkkS Lab 7', calibratedAt: isoIn(due - 400), dueAt: isoIn(due) }]);
  }
  return machine;
}

export async function scheduleAnchor(h: Harness, who: LedgerIdentity = h.ids.admin1): Promise<Anchor> {
  return submit<Anchor>(h, who, 'anchors:CreateAnchor', [{
    id: uid(h, 'A'), kind: 'schedule', merkleRoot: hash(`root-${counter}`), leafCount: 4, algorithm: 'lp-ga', algorithmVersion: '1.0.0',
    inputHash: hash(`input-${counter}`), window: { from: isoIn(0), to: isoIn(30) },
  }]);
}

export async function createOrder(h: Harness, options: { buyer?: LedgerIdentity; quantity?: number; processes?: string[] } = {}): Promise<Order> {
  return submit<Order>(h, options.buyer ?? h.ids.buyer, 'orders:CreateOrder', [{
    id: uid(h, 'O'),
    spec: { name: 'Titanium bracket', specHash: hash('bracket-v3'), material: 'ti6al4v', parameters: { lengthMm: 120, finish: 'anodised' } },
    operations: (options.processes ?? ['milling']).map((process) => ({ process, estimatedMinutes: 45 })),
    quantity: options.quantity ?? 1,
    dueDate: isoIn(21),
  }]);
}

export function jobInput(h: Harness, partId: string, machine: Machine, anchor: Anchor, operationIndex = 0, factoryMsp = machine.ownerMsp) {
  return { id: uid(h, 'J'), partId, operationIndex, factoryMsp, machineId: machine.id, plannedStart: isoIn(1), plannedEnd: isoIn(2), scheduleAnchorId: anchor.id };
}

/** Assign, accept, start and finish one operation. */
export async function runOperation(h: Harness, partId: string, machine: Machine, anchor: Anchor, operationIndex: number, operator: LedgerIdentity, twinSnapshotId?: string): Promise<Job> {
  const job = await submit<Job>(h, h.ids.admin1, 'jobs:AssignJob', [jobInput(h, partId, machine, anchor, operationIndex)]);
  await submit(h, operator, 'jobs:AcceptJob', [job.id]);
  await submit(h, operator, 'jobs:ReportStart', [job.id, { machineId: machine.id, ...(twinSnapshotId ? { twinSnapshotId } : {}) }]);
  return submit<Job>(h, operator, 'jobs:ReportFinish', [job.id, { machineId: machine.id, outputHash: hash(`out-${job.id}`) }]);
}

/** Produce a part through all its operations and pass QC. */
export async function producePart(h: Harness, partId: string, machine: Machine, anchor: Anchor, operations: number, operator: LedgerIdentity): Promise<Part> {
  for (let i = 0; i < operations; i++) await runOperation(h, partId, machine, anchor, i, operator);
  return submit<Part>(h, operator, 'jobs:RecordQc', [partId, { result: 'pass', reportHash: hash(`qc-${partId}`), measurements: { lengthMm: 120.004 } }]);
}

/** Build a chain of parts, each consuming the one below it, `depth` levels deep, plus a lot at the bottom. */
export async function bomChain(h: Harness, depth: number) {
  const m1 = await readyMachine(h);
  const m2 = await readyMachine(h, { owner: h.ids.operator2 });
  const anchor = await scheduleAnchor(h);
  const lot = await submit(h, h.ids.operator1, 'orders:RegisterLot', [{ id: uid(h, 'L'), material: 'ti6al4v', supplier: 'TIMET', quantity: 100, unit: 'kg', certificateHash: hash('mill-cert') }]);
  const parts: string[] = [];
  let below: { kind: 'part' | 'lot'; id: string } = { kind: 'lot', id: lot.id };
  for (let level = depth; level >= 0; level--) {
    const factory: LedgerIdentity = level % 2 === 0 ? h.ids.operator1 : h.ids.operator2;
    const machine: Machine = level % 2 === 0 ? m1 : m2;
    // Each level is ordered by the factory that builds the level above it (Org1 buys from Org2 and vice versa).
    const buyer = level === 0 ? h.ids.buyer : level % 2 === 0 ? h.ids.admin2 : h.ids.admin1;
    const partId = (await createOrder(h, { buyer })).partIds[0]!;
    const job = await submit(h, h.ids.admin1, 'jobs:AssignJob', [{ id: uid(h, 'J'), partId, operationIndex: 0, factoryMsp: machine.ownerMsp, machineId: machine.id, plannedStart: new Date(Date.now() + 3600e3).toISOString(), plannedEnd: new Date(Date.now() + 7200e3).toISOString(), scheduleAnchorId: anchor.id }]);
    await submit(h, factory, 'jobs:AcceptJob', [job.id]);
    if (below.kind === 'lot' && machine.ownerMsp !== 'Org1MSP') {
      below = { kind: 'lot', id: (await submit(h, h.ids.operator2, 'orders:RegisterLot', [{ id: uid(h, 'L'), material: 'al6061', supplier: 'Alcoa', quantity: 10, unit: 'kg' }])).id };
    }
    await submit(h, factory, 'orders:ConsumeComponent', [partId, { kind: below.kind, id: below.id, quantity: below.kind === 'lot' ? 2.5 : 1, relation: below.kind === 'lot' ? 'transformation' : 'aggregation' }]);
    await submit(h, factory, 'jobs:ReportStart', [job.id, { machineId: machine.id }]);
    await submit(h, factory, 'jobs:ReportFinish', [job.id, { machineId: machine.id }]);
    await submit(h, factory, 'jobs:RecordQc', [partId, { result: 'pass', reportHash: hash(`qc-${partId}`) }]);
    if (level > 0) await submit(h, factory, 'orders:ShipPart', [partId, { carrier: 'DHL', trackingRef: `T-${partId}` }]);
    parts.unshift(partId);
    below = { kind: 'part', id: partId };
  }
  return { parts, m1, m2, anchor };
}
