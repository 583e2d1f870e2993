/**
 * The behaviour every {@link QueryStore} must have, as a mocha suite run once per store
 * (SQLite in `npm test`, PostgreSQL in the `*.pgtest.js` files).
 */
import { expect } from 'chai';
import { Registry } from 'prom-client';
import type { Machine, MachineEvent, Part, PartEvent } from '@forgetrace/chaincode/api';
import type { LedgerEvent, LedgerPort } from '../../ledger/port';
import { IndexError } from '../errors';
import type { Indexer } from '../indexer';
import type { IndexWriter, Page, PageOptions, QueryStore } from '../store';
import { openFixture, type Fixture } from './fixture';

/** Opens a fresh, empty store; `name` is unique per call (a database name for PostgreSQL). */
export type StoreFactory = (name: string, options?: { clock?: () => number }) => Promise<QueryStore>;

async function all<T>(list: (page: PageOptions) => Promise<Page<T>>, limit = 500): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 10_000; i++) {
    const page: Page<T> = await list({ limit, cursor });
    out.push(...page.items);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
  throw new Error('pagination does not end');
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (e) {
    expect(e).to.be.instanceOf(IndexError);
    expect((e as IndexError).code).to.equal(code);
    return;
  }
  expect.fail(`expected ${code}`);
}

/** Everything the store says about the fixture's ledger, for comparing two indexes. */
async function dump(store: QueryStore, fx: Fixture): Promise<unknown> {
  const out: Record<string, unknown> = {};
  out['counts'] = await store.tableCounts();
  out['members'] = await all((p) => store.listMembers(p));
  out['machines'] = await all((p) => store.listMachines(p));
  out['orders'] = await all((p) => store.listOrders(p));
  out['parts'] = await all((p) => store.listParts(p));
  out['jobs'] = await all((p) => store.listJobs(p));
  out['anchors'] = await all((p) => store.listAnchors(p));
  for (const id of fx.ids.machines) {
    out[`machine-events:${id}`] = await all((p) => store.listMachineEvents(id, p));
    out[`twins:${id}`] = await all((p) => store.listTwinSnapshots(id, p));
  }
  for (const id of fx.ids.parts) {
    const events = await all((p) => store.listPartEvents(id, p));
    out[`part-events:${id}`] = events;
    out[`part-at:${id}`] = await Promise.all(events.map((e) => store.getPartAt(id, { time: e.data.at })));
  }
  for (const id of fx.ids.lots) out[`lot:${id}`] = [await store.getLot(id), await all((p) => store.listLotEvents(id, p))];
  return out;
}

/** The index agrees with the ledger: every record and every history entry, exactly once. */
async function assertMatchesLedger(store: QueryStore, fx: Fixture): Promise<void> {
  const parts = await all((p) => store.listParts(p));
  expect(parts.map((p) => p.data.id)).to.have.members([...fx.ids.parts]);
  let historyTotal = 0;
  for (const id of fx.ids.parts) {
    expect((await store.getPart(id))?.data, id).to.deep.equal(await fx.evaluate<Part>('orders:GetPart', id));
    const history = await fx.evaluate<PartEvent[]>('orders:GetPartHistory', id);
    expect((await all((p) => store.listPartEvents(id, p))).map((e) => e.data), id).to.deep.equal(history);
    historyTotal += history.length;
  }
  let machineHistoryTotal = 0;
  for (const id of fx.ids.machines) {
    expect((await store.getMachine(id))?.data).to.deep.equal(await fx.evaluate<Machine>('machines:GetMachine', id));
    const history = await fx.evaluate<MachineEvent[]>('machines:GetMachineHistory', id);
    expect((await all((p) => store.listMachineEvents(id, p))).map((e) => e.data)).to.deep.equal(history);
    machineHistoryTotal += history.length;
  }
  for (const id of fx.ids.orders) expect((await store.getOrder(id))?.data).to.deep.equal(await fx.evaluate('orders:GetOrder', id));
  for (const id of fx.ids.jobs) expect((await store.getJob(id))?.data).to.deep.equal(await fx.evaluate('jobs:GetJob', id));
  for (const id of fx.ids.twins) expect((await store.getTwinSnapshot(id))?.data).to.deep.equal(await fx.evaluate('twins:GetTwinSnapshot', id));
  for (const id of fx.ids.anchors) expect((await store.getAnchor(id))?.data).to.deep.equal(await fx.evaluate('anchors:GetAnchor', id));
  const counts = await store.tableCounts();
  expect(counts.part_events).to.equal(historyTotal);
  expect(counts.machine_events).to.equal(machineHistoryTotal);
  expect(counts.parts).to.equal(fx.ids.parts.size);
  expect(counts.orders).to.equal(fx.ids.orders.size);
  expect(counts.jobs).to.equal(fx.ids.jobs.size);
  expect(counts.machines).to.equal(fx.ids.machines.size);
  expect(counts.members).to.equal(4);
  expect(counts.chaincode_events).to.equal(await ledgerEventCount(fx));
  expect(await store.getCheckpoint()).to.deep.equal({ blockNumber: fx.last.blockNumber, transactionIndex: 0, transactionId: fx.last.transactionId });
}

/** Chaincode events on the ledger up to the fixture's last transaction. */
async function ledgerEventCount(fx: Fixture): Promise<number> {
  const abort = new AbortController();
  let n = 0;
  for await (const e of fx.demo.ledger.events({ startBlock: 0, signal: abort.signal })) {
    n += 1;
    if (e.transactionId === fx.last.transactionId) abort.abort();
  }
  return n;
}

/** A ledger that delivers only the first `n` events, then waits (as if nothing more happened). */
function ledgerDelivering(ledger: LedgerPort, n: number): LedgerPort {
  return {
    submit: (...a) => ledger.submit(...a),
    evaluate: (...a) => ledger.evaluate(...a),
    height: () => ledger.height(),
    close: async () => undefined,
    async *events(options = {}): AsyncIterable<LedgerEvent> {
      let count = 0;
      for await (const e of ledger.events(options)) {
        if (count >= n) break;
        count += 1;
        yield e;
      }
      await new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve()));
    },
  };
}

/** A store whose writer throws at the `k`-th upsert of any transaction that upserts order `orderId`… while `armed`. */
function failingStore(store: QueryStore, orderId: string, k: number): { store: QueryStore; armed: { value: boolean }; failures: { value: number } } {
  const armed = { value: true };
  const failures = { value: 0 };
  const wrap = (w: IndexWriter): IndexWriter => {
    let upserts = 0;
    let target = false;
    return new Proxy(w, {
      get(t, prop: string) {
        const f = (t as unknown as Record<string, unknown>)[prop];
        if (typeof f !== 'function') return f;
        return async (...args: unknown[]) => {
          if (prop.startsWith('upsert')) {
            upserts += 1;
            if (prop === 'upsertOrder' && (args[0] as { id: string }).id === orderId) target = true;
            if (armed.value && target && upserts >= k) {
              failures.value += 1;
              throw new Error(`injected failure at upsert ${upserts} (${prop})`);
            }
          }
          return (f as (...a: unknown[]) => Promise<unknown>).apply(t, args);
        };
      },
    });
  };
  const proxy = new Proxy(store, {
    get(t, prop: string) {
      if (prop === 'transaction') return <T>(fn: (w: IndexWriter) => Promise<T>) => t.transaction((w) => fn(wrap(w)));
      const f = (t as unknown as Record<string, unknown>)[prop];
      return typeof f === 'function' ? (f as (...a: unknown[]) => unknown).bind(t) : f;
    },
  });
  return { store: proxy, armed, failures };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Define the query-store behaviour suite for one store kind. */
export function defineStoreSuite(label: string, openStore: () => StoreFactory): void {
  describe(`${label}: checkpointed event index`, function () {
    this.timeout(120_000);
    let fx: Fixture;
    let counter = 0;
    const stores: QueryStore[] = [];
    const indexers: Indexer[] = [];
    const fresh = async (options?: { clock?: () => number }): Promise<QueryStore> => {
      counter += 1;
      const store = await openStore()(`t${process.pid}_${counter}`, options);
      stores.push(store);
      return store;
    };
    const track = (i: Indexer): Indexer => {
      indexers.push(i);
      return i;
    };
    /** A fresh store holding the whole ledger. */
    const indexed = async (): Promise<{ store: QueryStore; indexer: Indexer }> => {
      const store = await fresh();
      const indexer = track(fx.indexer(store));
      await indexer.start();
      await fx.catchUp(indexer);
      return { store, indexer };
    };

    before(async () => {
      fx = await openFixture();
    });
    afterEach(async () => {
      for (const i of indexers.splice(0)) await i.stop();
      for (const s of stores.splice(0)) await s.close();
    });
    after(async () => fx?.close());

    it('indexes the seeded ledger: every record and history entry, as the chaincode returns them', async () => {
      const store = await fresh();
      const metrics = new Registry();
      const indexer = track(fx.indexer(store, { metrics }));
      const lagGauge = async () => (await metrics.getSingleMetric('forgetrace_index_lag_blocks')!.get()).values[0]?.value;
      expect(await lagGauge()).to.equal(fx.last.blockNumber + 1);
      await indexer.start();
      // Block-only wait (no transaction id): resolves once the stream has delivered the whole block.
      await indexer.waitFor((await fx.demo.ledger.height()) - 1, { timeoutMs: 20_000 });
      expect(indexer.status()).to.include({ running: true, idle: true, failures: 0 });
      expect(await lagGauge()).to.equal(0);
      await assertMatchesLedger(store, fx);
      expect(await indexer.lag()).to.deep.equal({ ledgerHeight: fx.last.blockNumber + 1, indexedBlock: fx.last.blockNumber, lagBlocks: 0 });
      const lot = await store.getLot('LOT-TI-1');
      expect(lot?.data).to.include({ remaining: 38 });
      expect((await store.listLotEvents('LOT-TI-1')).items.map((e) => e.data.type)).to.deep.equal(['registered', 'consumed']);
      const tx = await store.getTransaction(fx.last.transactionId);
      expect(tx).to.include({ eventName: 'OrderCancelled', blockNumber: fx.last.blockNumber });
      const part = await store.getPart('PO-1003.1');
      expect(part?.version).to.equal(`${fx.last.blockNumber}.0`);
      expect(part?.position).to.deep.equal({ blockNumber: fx.last.blockNumber, transactionIndex: 0, transactionId: fx.last.transactionId });
    });

    it('filters lists', async () => {
      const { store } = await indexed();
      const ids = <T extends { data: { id: string } }>(p: Page<T>) => p.items.map((i) => i.data.id);
      expect((await store.listMembers({ role: 'factory' })).items.map((m) => m.data.mspId)).to.deep.equal(['Org1MSP', 'Org2MSP']);
      expect(await store.getMember('Org3MSP')).to.have.nested.property('data.role', 'buyer');
      expect(ids(await store.listMachines({ ownerMsp: 'Org2MSP' }))).to.deep.equal(['IT-MILL-02', 'IT-SLM-01']);
      expect(ids(await store.listMachines({ process: 'milling' }))).to.deep.equal(['DE-MILL-01', 'IT-MILL-02']);
      expect(ids(await store.listMachines({ process: 'milling', ownerMsp: 'Org1MSP', status: 'commissioned' }))).to.deep.equal(['DE-MILL-01']);
      expect(ids(await store.listMachines({ status: 'decommissioned' }))).to.deep.equal([]);
      expect(ids(await store.listOrders({ status: 'cancelled' }))).to.deep.equal(['PO-1003']);
      expect(ids(await store.listOrders({ buyerMsp: 'Org3MSP', status: 'open' }))).to.deep.equal(['PO-1001', 'PO-1002', 'PO-1004']);
      expect(ids(await store.listParts({ orderId: 'PO-1001' }))).to.deep.equal(['PO-1001.1', 'PO-1001.2']);
      expect(ids(await store.listParts({ status: 'shipped' }))).to.deep.equal(['PO-1001.1']);
      expect(ids(await store.listParts({ status: 'cancelled', buyerMsp: 'Org3MSP' }))).to.deep.equal(['PO-1003.1']);
      expect(ids(await store.listParts({ buyerMsp: 'Org1MSP' }))).to.deep.equal([]);
      expect(ids(await store.listJobs({ factoryMsp: 'Org1MSP' }))).to.deep.equal(['JOB-1', 'JOB-2']);
      expect(ids(await store.listJobs({ partId: 'PO-1002.1' }))).to.deep.equal(['JOB-3']);
      expect(ids(await store.listJobs({ status: 'started' }))).to.deep.equal(['JOB-2']);
      expect(ids(await store.listAnchors({ kind: 'recommendation' }))).to.deep.equal(['rec-demo-1']);
      expect(ids(await store.listAnchors())).to.have.members(['plan-demo-1', 'rec-demo-1']);
      const twins = await store.listTwinSnapshots('DE-MILL-01');
      expect(ids(twins)).to.deep.equal(['TW-DE-MILL-01-1', 'TW-DE-MILL-01-2', 'TW-DE-MILL-01-3']);
      const second = twins.items[1]!.data.recorded.at;
      expect(ids(await store.listTwinSnapshots('DE-MILL-01', { from: second }))).to.deep.equal(['TW-DE-MILL-01-2', 'TW-DE-MILL-01-3']);
      expect(ids(await store.listTwinSnapshots('DE-MILL-01', { to: second }))).to.deep.equal(['TW-DE-MILL-01-1', 'TW-DE-MILL-01-2']);
      // A time without milliseconds compares as an instant, not as text.
      expect(ids(await store.listTwinSnapshots('DE-MILL-01', { to: '2000-01-01T00:00:00Z' }))).to.deep.equal([]);
      expect(ids(await store.listTwinSnapshots('IT-SLM-01'))).to.have.length(2);
      expect(await store.getPart('nope')).to.equal(undefined);
      expect((await store.listMachineEvents('DE-MILL-01')).items.map((e) => e.data.type)).to.deep.equal(['registered', 'commissioned', 'calibrated', 'maintained']);
      expect((await store.listMachineEvents('DE-MILL-01')).items.every((e) => typeof e.blockNumber === 'number')).to.equal(true);
    });

    it('pages in a stable order with no item lost or repeated, and rejects bad cursors and limits', async () => {
      const { store } = await indexed();
      const everything = (await store.listParts({ limit: 500 })).items.map((p) => p.data.id);
      expect(everything).to.have.length(fx.ids.parts.size);
      expect(everything).to.deep.equal([...everything].sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b)))));
      for (const limit of [1, 2, 3, 5]) {
        const paged = (await all((p) => store.listParts(p), limit)).map((p) => p.data.id);
        expect(paged, `limit ${limit}`).to.deep.equal(everything);
      }
      const first = await store.listParts({ limit: 4 });
      expect(first.items).to.have.length(4);
      expect(first.nextCursor).to.be.a('string');
      const events = (await all((p) => store.listPartEvents('PO-1001.1', p), 2)).map((e) => e.data.seq);
      expect(events).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
      const twinIds = (await all((p) => store.listTwinSnapshots('DE-MILL-01', p), 1)).map((t) => t.data.id);
      expect(twinIds).to.deep.equal(['TW-DE-MILL-01-1', 'TW-DE-MILL-01-2', 'TW-DE-MILL-01-3']);
      await rejectsWith(store.listParts({ cursor: 'garbage' }), 'INVALID_CURSOR');
      await rejectsWith(store.listOrders({ cursor: first.nextCursor! }), 'INVALID_CURSOR');
      await rejectsWith(store.listParts({ limit: 0 }), 'INVALID_LIMIT');
      await rejectsWith(store.listParts({ limit: 501 }), 'INVALID_LIMIT');
      await rejectsWith(store.listParts({ limit: 1.5 }), 'INVALID_LIMIT');
      await rejectsWith(store.listAnchors({ from: 'yesterday' }), 'INVALID_TIME');
      await rejectsWith(store.getPartAt('PO-1001.1', {}), 'INVALID_POINT_IN_TIME');
      await rejectsWith(store.getPartAt('PO-1001.1', { time: '2020-01-01T00:00:00Z', block: 3 }), 'INVALID_POINT_IN_TIME');
    });

    it('reconstructs parts and machines at a time or block (exact when indexed live)', async () => {
      const store = await fresh();
      const indexer = track(fx.indexer(store));
      await indexer.start();
      const u = fx.demo.users;
      const step = async (who: typeof u.admin1, tx: string, ...args: unknown[]) => {
        const r = await fx.submit(who, tx, ...args);
        await indexer.waitFor(r.blockNumber, { transactionId: r.transactionId });
        return r;
      };
      const before = new Date(Date.now() - 1000).toISOString();
      const created = await step(u.buyer, 'orders:CreateOrder', { id: 'PO-LIVE', spec: { name: 'Live', specHash: 'a'.repeat(64), material: 'al6061', parameters: {} }, operations: [{ process: 'milling' }], quantity: 1, dueDate: '2030-01-01T00:00:00Z' });
      fx.ids.orders.add('PO-LIVE');
      fx.ids.parts.add('PO-LIVE.1');
      const steps = [created];
      steps.push(await step(u.admin1, 'jobs:AssignJob', { id: 'JOB-LIVE', partId: 'PO-LIVE.1', operationIndex: 0, factoryMsp: 'Org1MSP', machineId: 'DE-MILL-01', plannedStart: '2030-01-01T00:00:00Z', plannedEnd: '2030-01-02T00:00:00Z', scheduleAnchorId: 'plan-demo-1' }));
      fx.ids.jobs.add('JOB-LIVE');
      steps.push(await step(u.operator1, 'jobs:AcceptJob', 'JOB-LIVE'));
      steps.push(await step(u.operator1, 'jobs:ReportStart', 'JOB-LIVE', { machineId: 'DE-MILL-01' }));
      const expected = ['created', 'scheduled', 'scheduled', 'in_production'];
      const history = await fx.evaluate<PartEvent[]>('orders:GetPartHistory', 'PO-LIVE.1');
      expect(await store.getPartAt('PO-LIVE.1', { time: before })).to.equal(undefined);
      expect(await store.getPartAt('PO-LIVE.1', { block: created.blockNumber - 1 })).to.equal(undefined);
      for (const [i, r] of steps.entries()) {
        const byBlock = await store.getPartAt('PO-LIVE.1', { block: r.blockNumber });
        expect(byBlock, `block of step ${i}`).to.deep.include({ exact: true, eventCount: i + 1 });
        expect(byBlock?.data?.status).to.equal(expected[i]);
        expect(byBlock?.lastEvent).to.include({ seq: i + 1, txId: r.transactionId, blockNumber: r.blockNumber });
        const at = history[i]!.at;
        const n = Math.max(...history.filter((e) => e.at <= at).map((e) => e.seq));
        const byTime = await store.getPartAt('PO-LIVE.1', { time: at });
        expect(byTime, `time of step ${i}`).to.deep.include({ exact: true, eventCount: n });
        expect(byTime?.data?.status).to.equal(expected[n - 1]);
      }
      expect((await store.getPartAt('PO-LIVE.1', { time: '2999-01-01T00:00:00Z' }))?.data).to.deep.equal(await fx.evaluate('orders:GetPart', 'PO-LIVE.1'));

      // A machine: registered, commissioned, relocated, decommissioned, indexed live.
      const m = 'DE-LIVE-01';
      const reg = await step(u.operator1, 'machines:RegisterMachine', { id: m, manufacturer: 'Index', model: 'G200', serial: 'SN-L', capabilities: { processes: ['turning'], materials: ['al6061'], toleranceMm: 0.01, envelopeMm: { x: 1, y: 1, z: 1 } } });
      fx.ids.machines.add(m);
      const com = await step(u.operator1, 'machines:CommissionMachine', m, { location: { site: 'Hall 1', country: 'DE' } });
      const rel = await step(u.operator1, 'machines:RelocateMachine', m, { location: { site: 'Hall 9', country: 'DE' } });
      const dec = await step(u.operator1, 'machines:DecommissionMachine', m, { reason: 'worn out' });
      expect(await store.getMachineAt(m, { block: reg.blockNumber - 1 })).to.equal(undefined);
      expect((await store.getMachineAt(m, { block: reg.blockNumber }))?.data).to.include({ status: 'registered', location: null });
      expect((await store.getMachineAt(m, { block: com.blockNumber }))?.data?.location).to.deep.equal({ site: 'Hall 1', country: 'DE' });
      expect((await store.getMachineAt(m, { block: rel.blockNumber }))?.data).to.deep.include({ status: 'commissioned', location: { site: 'Hall 9', country: 'DE' } });
      expect((await store.getMachineAt(m, { block: dec.blockNumber }))?.data?.status).to.equal('decommissioned');
      const mh = await fx.evaluate<MachineEvent[]>('machines:GetMachineHistory', m);
      expect((await store.getMachineAt(m, { time: mh[1]!.at }))?.exact).to.equal(true);
      expect((await store.getMachineAt(m, { time: new Date(Date.parse(mh[0]!.at) - 1).toISOString() }))).to.equal(undefined);

      // Indexed after the fact, only the latest versions were seen: earlier points say so.
      const late = await fresh();
      const lateIndexer = track(fx.indexer(late));
      await lateIndexer.start();
      await fx.catchUp(lateIndexer);
      const early = await late.getPartAt('PO-LIVE.1', { block: created.blockNumber });
      expect(early).to.deep.include({ exact: false, eventCount: 1, data: null });
      expect(await late.getPartAt('PO-LIVE.1', { block: steps[3]!.blockNumber })).to.deep.include({ exact: true, eventCount: 4 });
      await assertMatchesLedger(late, fx);
    });

    it('resumes from its checkpoint: stopped between events, restarted after more transactions, every record once', async () => {
      const store = await fresh();
      const partial = track(fx.indexer(store, { ledger: ledgerDelivering(fx.demo.ledger, 20) }));
      await partial.start();
      await until(() => partial.status().applied === 20);
      await partial.stop();
      const cp = await store.getCheckpoint();
      expect(cp).to.deep.equal(partial.status().checkpoint);
      expect((await store.tableCounts()).chaincode_events).to.equal(20);
      const u = fx.demo.users;
      await fx.submit(u.operator1, 'machines:RecordRepair', 'DE-LATHE-01', { description: 'new chuck', partsReplaced: ['chuck'] });
      await fx.submit(u.buyer, 'orders:CreateOrder', { id: 'PO-RESUME', spec: { name: 'R', specHash: 'b'.repeat(64), material: 'al6061', parameters: {} }, operations: [{ process: 'milling' }], quantity: 2, dueDate: '2030-01-01T00:00:00Z' });
      fx.ids.orders.add('PO-RESUME');
      fx.ids.parts.add('PO-RESUME.1');
      fx.ids.parts.add('PO-RESUME.2');
      const resumed = track(fx.indexer(store));
      await resumed.start();
      await fx.catchUp(resumed);
      await assertMatchesLedger(store, fx);
      expect(resumed.status().applied).to.equal((await ledgerEventCount(fx)) - 20);
      // And a third start with nothing new applies nothing.
      await resumed.stop();
      const again = track(fx.indexer(store));
      await again.start();
      await fx.catchUp(again);
      expect(again.status().applied).to.equal(0);
    });

    it('is crash safe: a failure mid-transaction leaves neither partial rows nor an advanced checkpoint', async () => {
      const base = await fresh();
      const { store, armed, failures } = failingStore(base, 'PO-1002', 2);
      const indexer = track(fx.indexer(store, { retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 } }));
      await indexer.start();
      await until(() => failures.value >= 1);
      // PO-1001 (created before PO-1002) is in; PO-1002's order upsert (the 1st of its transaction) was rolled back.
      expect(await base.getOrder('PO-1001')).to.not.equal(undefined);
      expect(await base.getOrder('PO-1002')).to.equal(undefined);
      expect(await base.getPart('PO-1002.1')).to.equal(undefined);
      const failedAt = indexer.status().lastError!.position;
      const cp = await base.getCheckpoint();
      expect(cp).to.not.equal(undefined);
      expect(cp!.blockNumber).to.be.below(failedAt.blockNumber);
      expect(await base.getTransaction(failedAt.transactionId)).to.equal(undefined);
      expect((await base.getTransaction(cp!.transactionId))?.eventName).to.equal('OrderCreated');
      expect((await base.getTransaction(cp!.transactionId))?.payload).to.include({ orderId: 'PO-1001' });
      await indexer.stop();
      expect(await base.getCheckpoint()).to.deep.equal(cp);
      // "Restart after the crash": a new indexer on the same database completes it, each row once.
      armed.value = false;
      const restarted = track(fx.indexer(base));
      await restarted.start();
      await fx.catchUp(restarted);
      await assertMatchesLedger(base, fx);
    });

    it('retries a failed transaction in place and then continues', async () => {
      const base = await fresh();
      const { store, armed, failures } = failingStore(base, 'PO-1002', 3);
      const indexer = track(fx.indexer(store, { retry: { initialDelayMs: 5, maxDelayMs: 5 } }));
      await indexer.start();
      await until(() => failures.value >= 3);
      armed.value = false;
      await fx.catchUp(indexer);
      expect(indexer.status().failures).to.be.at.least(3);
      await assertMatchesLedger(base, fx);
    });

    it('rebuild() reproduces the same index', async () => {
      const { store, indexer } = await indexed();
      const before = await dump(store, fx);
      await indexer.rebuild();
      await fx.catchUp(indexer);
      expect(await dump(store, fx)).to.deep.equal(before);
      await assertMatchesLedger(store, fx);
    });

    it('reserves idempotency keys: new, in progress, done, mismatch, release, expiry', async () => {
      let now = 1_000_000;
      const store = await fresh({ clock: () => now });
      expect(await store.reserveIdempotencyKey('alice', 'k1', 'h1', 60)).to.deep.equal({ state: 'new' });
      expect(await store.reserveIdempotencyKey('alice', 'k1', 'h1', 60)).to.deep.equal({ state: 'in_progress' });
      expect(await store.reserveIdempotencyKey('alice', 'k1', 'h2', 60)).to.deep.equal({ state: 'mismatch' });
      expect(await store.reserveIdempotencyKey('bob', 'k1', 'h2', 60)).to.deep.equal({ state: 'new' });
      expect(await store.completeIdempotencyKey('alice', 'k1', 201, { id: 'PO-1', n: [1, 2] }, { location: '/orders/PO-1' })).to.equal(true);
      expect(await store.completeIdempotencyKey('alice', 'k1', 500, null, {})).to.equal(false);
      expect(await store.reserveIdempotencyKey('alice', 'k1', 'h1', 60)).to.deep.equal({ state: 'done', status: 201, body: { id: 'PO-1', n: [1, 2] }, headers: { location: '/orders/PO-1' } });
      expect(await store.reserveIdempotencyKey('alice', 'k1', 'h2', 60)).to.deep.equal({ state: 'mismatch' });
      await store.releaseIdempotencyKey('alice', 'k1'); // done records are not released
      expect((await store.reserveIdempotencyKey('alice', 'k1', 'h1', 60)).state).to.equal('done');
      await store.releaseIdempotencyKey('bob', 'k1');
      expect(await store.reserveIdempotencyKey('bob', 'k1', 'h3', 60)).to.deep.equal({ state: 'new' });
      now += 61_000;
      expect(await store.reserveIdempotencyKey('alice', 'k1', 'h9', 60)).to.deep.equal({ state: 'new' });
      expect(await store.purgeExpiredIdempotencyKeys()).to.equal(1); // bob's
      // The index can be cleared without losing idempotency records.
      await store.clear();
      expect(await store.reserveIdempotencyKey('alice', 'k1', 'h9', 60)).to.deep.equal({ state: 'in_progress' });
    });

    it('gives exactly one concurrent reserver the key', async () => {
      const store = await fresh();
      const results = await Promise.all(Array.from({ length: 25 }, () => store.reserveIdempotencyKey('carol', 'same', 'h', 60)));
      expect(results.filter((r) => r.state === 'new')).to.have.length(1);
      expect(results.filter((r) => r.state === 'in_progress')).to.have.length(24);
      const mixed = await Promise.all(Array.from({ length: 10 }, (_, i) => store.reserveIdempotencyKey('dave', 'k', `h${i % 2}`, 60)));
      expect(mixed.filter((r) => r.state === 'new')).to.have.length(1);
    });
  });
}
