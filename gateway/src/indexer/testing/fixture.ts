/**
 * Test fixture: the demo consortium's ledger plus lots, consumption, twin snapshots, machine
 * events, more orders and a cancellation, with every id and the last transaction tracked.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDemoConsortium, type DemoConsortium } from '../../demo/demo-consortium';
import type { LedgerIdentity, SubmitResult } from '../../ledger/port';
import { Indexer } from '../indexer';
import type { QueryStore } from '../store';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface Fixture {
  readonly demo: DemoConsortium;
  readonly reader: LedgerIdentity;
  /** Ids on the ledger, by kind. */
  readonly ids: { orders: Set<string>; parts: Set<string>; machines: Set<string>; jobs: Set<string>; twins: Set<string>; anchors: Set<string>; lots: Set<string> };
  /** The last committed transaction. */
  last: SubmitResult;
  submit(who: LedgerIdentity, tx: string, ...args: unknown[]): Promise<SubmitResult & { record: any }>;
  evaluate<T>(tx: string, ...args: string[]): Promise<T>;
  /** A new indexer over the fixture's ledger. */
  indexer(store: QueryStore, options?: Partial<ConstructorParameters<typeof Indexer>[0]>): Indexer;
  /** Wait until `indexer` has applied the fixture's last transaction. */
  catchUp(indexer: Indexer): Promise<void>;
  close(): Promise<void>;
}

export async function openFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'forgetrace-indexer-'));
  const demo = await openDemoConsortium(dir);
  const u = demo.users;
  const fx: Fixture = {
    demo,
    reader: u.auditor,
    ids: {
      orders: new Set(['PO-1001', 'PO-1002', 'PO-1003']),
      parts: new Set(['PO-1001.1', 'PO-1001.2', 'PO-1002.1', 'PO-1003.1']),
      machines: new Set(['DE-MILL-01', 'DE-LATHE-01', 'IT-SLM-01', 'IT-MILL-02']),
      jobs: new Set(['JOB-1', 'JOB-2', 'JOB-3']),
      twins: new Set(),
      anchors: new Set(['plan-demo-1']),
      lots: new Set(),
    },
    last: undefined as unknown as SubmitResult,
    async submit(who, tx, ...args) {
      const r = await demo.ledger.submit(who, tx, args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))));
      fx.last = r;
      return { ...r, record: JSON.parse(Buffer.from(r.result).toString('utf8')) };
    },
    async evaluate<T>(tx: string, ...args: string[]) {
      return JSON.parse(Buffer.from(await demo.ledger.evaluate(u.auditor, tx, args)).toString('utf8')) as T;
    },
    indexer: (store, options = {}) => new Indexer({ ledger: demo.ledger, identity: u.auditor, store, retry: { initialDelayMs: 10, maxDelayMs: 50 }, ...options }),
    catchUp: (indexer) => indexer.waitFor(fx.last.blockNumber, { transactionId: fx.last.transactionId, timeoutMs: 20_000 }),
    async close() {
      await demo.ledger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await fx.submit(u.operator1, 'orders:RegisterLot', { id: 'LOT-TI-1', material: 'ti6al4v', supplier: 'TIMET', quantity: 40, unit: 'kg', certificateHash: sha('lot-cert') });
  fx.ids.lots.add('LOT-TI-1');
  await fx.submit(u.operator1, 'orders:ConsumeComponent', 'PO-1001.2', { kind: 'lot', id: 'LOT-TI-1', quantity: 2, relation: 'transformation' });
  await fx.submit(u.operator1, 'machines:RecordMaintenance', 'DE-MILL-01', { kind: 'preventive', description: 'spindle bearings greased' });
  await fx.submit(u.operator1, 'machines:RelocateMachine', 'DE-LATHE-01', { location: { site: 'Hall 3', country: 'DE' } });
  for (const [who, machineId, n] of [[u.operator1, 'DE-MILL-01', 3], [u.operator2, 'IT-SLM-01', 2]] as const) {
    for (let i = 1; i <= n; i++) {
      const id = `TW-${machineId}-${i}`;
      await fx.submit(who, 'twins:RecordTwinSnapshot', { id, machineId, model: { id: 'spindle-kf', version: '1.0.0' }, summary: { healthIndex: 1 - i / 10, states: { wear: i / 10 }, anomaly: i === 3 }, snapshotHash: sha(id) });
      fx.ids.twins.add(id);
    }
  }
  await fx.submit(u.admin1, 'anchors:CreateAnchor', { id: 'rec-demo-1', kind: 'recommendation', merkleRoot: sha('rec'), leafCount: 7, algorithm: 'bmf', algorithmVersion: '1.0.0', inputHash: sha('rec-in'), window: { from: '2026-01-01T00:00:00Z', to: '2026-01-31T00:00:00Z' } });
  fx.ids.anchors.add('rec-demo-1');
  await fx.submit(u.buyer, 'orders:CreateOrder', { id: 'PO-1004', spec: { name: 'Spacer', specHash: sha('spacer'), material: 'al6061', parameters: {} }, operations: [{ process: 'turning' }], quantity: 7, dueDate: '2030-01-01T00:00:00Z' });
  fx.ids.orders.add('PO-1004');
  for (let i = 1; i <= 7; i++) fx.ids.parts.add(`PO-1004.${i}`);
  await fx.submit(u.buyer, 'orders:CancelOrder', 'PO-1003', { reason: 'design changed' });
  return fx;
}
