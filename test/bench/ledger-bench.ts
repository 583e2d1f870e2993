/**
 * bench:ledger — embedded-ledger figures for the chaincode's hot paths.
 *
 *  1. Job-report throughput: ReportStart + ReportFinish for many accepted jobs, submitted
 *     with many transactions in flight, counted when committed valid. Baseline in the same
 *     run: the same kind of reports submitted one at a time.
 *  2. Trace latency: GetPartTrace (all pages) of a part whose trace has ≥ 1,000 entries over a
 *     BOM of depth 5. Baseline in the same run: GetPart of the same part (one record read).
 *
 * Targets (issue 2): ≥ 2,000 tx/s committed on 2 cores, trace p95 < 50 ms.
 * Usage: npm run bench:ledger [-- --json] [-- --jobs N] [-- --trace-only]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildCollectionsConfig, type Job, type Machine, type PartTrace } from '@forgetrace/chaincode/api';
import { createDevOrganization, EmbeddedLedger, type LedgerIdentity } from '@forgetrace/gateway/ledger';
import { CHAINCODE_PATH, ORGS } from '../support/harness';
import { checkBenchArgs } from './args';

checkBenchArgs('Usage: npm run bench:ledger [-- --json] [-- --jobs N] [-- --trace-only]', { 'json': 'switch', 'jobs': 'value', 'trace-only': 'switch' });

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const jobCount = Number(argv[argv.indexOf('--jobs') + 1]) > 0 && argv.includes('--jobs') ? Number(argv[argv.indexOf('--jobs') + 1]) : 3000;
const skipThroughput = argv.includes('--trace-only');
const log = (...parts: unknown[]) => { if (!json) console.log(...parts); };
const hex = (s: string) => require('node:crypto').createHash('sha256').update(s).digest('hex') as string;
const iso = (days: number) => new Date(Date.now() + days * 86400e3).toISOString();

async function main(): Promise<void> {
  const orgs = await Promise.all(ORGS.map((o) => createDevOrganization(o.mspId)));
  const admin1 = await orgs[0]!.issueIdentity({ commonName: 'admin1', role: 'admin' });
  const op1 = await orgs[0]!.issueIdentity({ commonName: 'op1', role: 'factory_operator' });
  const admin2 = await orgs[1]!.issueIdentity({ commonName: 'admin2', role: 'admin' });
  const op2 = await orgs[1]!.issueIdentity({ commonName: 'op2', role: 'factory_operator' });
  const buyer = await orgs[2]!.issueIdentity({ commonName: 'buyer', role: 'buyer' });
  const auditor = await orgs[3]!.issueIdentity({ commonName: 'auditor', role: 'auditor' });
  const directory = await mkdtemp(join(tmpdir(), 'forgetrace-bench-'));
  const ledger = await EmbeddedLedger.open({
    directory, chaincodePath: CHAINCODE_PATH, organizations: orgs.map((o) => o.organization), collections: buildCollectionsConfig(ORGS),
  });
  const submit = async <T>(who: LedgerIdentity, tx: string, ...args: unknown[]): Promise<T> => {
    const r = await ledger.submit(who, tx, args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))));
    return JSON.parse(Buffer.from(r.result).toString('utf8')) as T;
  };
  const evaluate = async <T>(who: LedgerIdentity, tx: string, ...args: unknown[]): Promise<T> =>
    JSON.parse(Buffer.from(await ledger.evaluate(who, tx, args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))))).toString('utf8')) as T;
  /** Run `tasks` with at most `width` in flight. */
  const pool = async <T>(items: readonly T[], width: number, fn: (item: T) => Promise<unknown>) => {
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }));
  };

  try {
    await submit(admin1, 'registry:InitConsortium', { name: 'bench', adminMsps: ['Org1MSP'] });
    for (const o of ORGS) await submit(admin1, 'registry:RegisterMember', { mspId: o.mspId, name: o.name, role: o.role, location: { site: 'HQ', country: o.country } });
    const machine = async (owner: LedgerIdentity, id: string): Promise<Machine> => {
      await submit(owner, 'machines:RegisterMachine', { id, manufacturer: 'DMG', model: 'DMU', serial: id, capabilities: { processes: ['milling'], materials: ['al6061'], toleranceMm: 0.01, envelopeMm: { x: 500, y: 500, z: 500 } } });
      await submit(owner, 'machines:CommissionMachine', id, {});
      return submit<Machine>(owner, 'machines:CalibrateMachine', id, { certificateHash: hex(id), laboratory: 'Lab', calibratedAt: iso(-10), dueAt: iso(300) });
    };
    const m1 = await machine(op1, 'M-1');
    const m2 = await machine(op2, 'M-2');
    await submit(admin1, 'anchors:CreateAnchor', { id: 'A-1', kind: 'schedule', merkleRoot: hex('r'), leafCount: 1, algorithm: 'lp-ga', algorithmVersion: '1', inputHash: hex('i'), window: { from: iso(0), to: iso(30) } });

    // ---- 1. job-report throughput ----
    let committed = 0;
    let txPerSec = Number.NaN;
    let baselineTps = Number.NaN;
    if (!skipThroughput) {
    log(`setting up ${jobCount} accepted jobs ...`);
    const partIds: string[] = [];
    for (let o = 0; o * 500 < jobCount; o++) {
      const quantity = Math.min(500, jobCount - o * 500);
      const order = await submit<{ partIds: string[] }>(buyer, 'orders:CreateOrder', { id: `O-${o}`, spec: { name: 'Bracket', specHash: hex('s'), material: 'al6061' }, operations: [{ process: 'milling' }], quantity, dueDate: iso(30) });
      partIds.push(...order.partIds);
    }
    const jobs = partIds.map((partId, i) => ({ id: `J-${i}`, partId }));
    await pool(jobs, 256, async (j) => {
      await submit<Job>(admin1, 'jobs:AssignJob', { id: j.id, partId: j.partId, operationIndex: 0, factoryMsp: 'Org1MSP', machineId: m1.id, plannedStart: iso(1), plannedEnd: iso(2), scheduleAnchorId: 'A-1' });
      await submit(op1, 'jobs:AcceptJob', j.id);
    });

    const baselineCount = Math.min(200, Math.floor(jobs.length / 10));
    const baselineJobs = jobs.slice(0, baselineCount);
    let t0 = performance.now();
    for (const j of baselineJobs) await submit(op1, 'jobs:ReportStart', j.id, { machineId: m1.id });
    baselineTps = baselineCount / ((performance.now() - t0) / 1000);

    const rest = jobs.slice(baselineCount);
    t0 = performance.now();
    await pool(rest, 512, async (j) => {
      await submit(op1, 'jobs:ReportStart', j.id, { machineId: m1.id });
      committed++;
    });
    await pool(rest, 512, async (j) => {
      await submit(op1, 'jobs:ReportFinish', j.id, { machineId: m1.id });
      committed++;
    });
    const elapsed = (performance.now() - t0) / 1000;
    txPerSec = committed / elapsed;
    log(`job reports: ${committed} committed in ${elapsed.toFixed(2)} s = ${txPerSec.toFixed(0)} tx/s (baseline, one in flight: ${baselineTps.toFixed(0)} tx/s; x${(txPerSec / baselineTps).toFixed(1)})`);
    }

    // ---- 2. trace latency over a BOM of depth 5 ----
    log('building a BOM of depth 5 with >= 1,000 trace entries ...');
    const OPS = 32;
    const ops = Array.from({ length: OPS }, () => ({ process: 'milling' }));
    let serial = 0;
    const makePart = async (buyerId: LedgerIdentity): Promise<string> =>
      (await submit<{ partIds: string[] }>(buyerId, 'orders:CreateOrder', { id: `BOM-${serial++}`, spec: { name: 'Assembly', specHash: hex('a'), material: 'al6061' }, operations: ops, quantity: 1, dueDate: iso(30) })).partIds[0]!;
    let jobSeq = 0;
    const produce = async (partId: string, op: LedgerIdentity, m: Machine, components: string[]) => {
      for (let i = 0; i < OPS; i++) {
        const id = `BJ-${jobSeq++}`;
        await submit(admin1, 'jobs:AssignJob', { id, partId, operationIndex: i, factoryMsp: m.ownerMsp, machineId: m.id, plannedStart: iso(1), plannedEnd: iso(2), scheduleAnchorId: 'A-1' });
        await submit(op, 'jobs:AcceptJob', id);
        if (i === 0) for (const c of components) await submit(op, 'orders:ConsumeComponent', partId, { kind: 'part', id: c, relation: 'aggregation' });
        await submit(op, 'jobs:ReportStart', id, { machineId: m.id });
        await submit(op, 'jobs:ReportFinish', id, { machineId: m.id });
      }
      await submit(op, 'jobs:RecordQc', partId, { result: 'pass', reportHash: hex(partId) });
    };
    // Level 5 (deepest) up to level 0; level L is made by Org1 when L is even, else Org2, and bought by the maker of level L-1.
    let below: string[] = [];
    for (let level = 5; level >= 0; level--) {
      const maker = level % 2 === 0 ? { op: op1, m: m1 } : { op: op2, m: m2 };
      const purchaser = level === 0 ? buyer : level % 2 === 0 ? admin2 : admin1;
      const count = level === 1 ? 3 : 1;
      const made: string[] = [];
      for (let k = 0; k < count; k++) {
        const partId = await makePart(purchaser);
        await produce(partId, maker.op, maker.m, k === 0 ? below : []);
        made.push(partId);
      }
      below = made;
    }
    const top = below[0]!;
    const fullTrace = async (): Promise<PartTrace[]> => {
      const pages: PartTrace[] = [];
      let token: string | null = null;
      do {
        const page: PartTrace = await evaluate<PartTrace>(auditor, 'trace:GetPartTrace', top, { maxDepth: 5, pageSize: 1000, ...(token ? { pageToken: token } : {}) });
        pages.push(page);
        token = page.nextPageToken;
      } while (token);
      return pages;
    };
    const first = await fullTrace();
    const entries = first.reduce((n, p) => n + p.entries.length, 0);
    const depth = Math.max(...first.flatMap((p) => p.entries.map((e) => e.depth)));
    const sample = async (fn: () => Promise<unknown>, n: number) => {
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const s = performance.now();
        await fn();
        times.push(performance.now() - s);
      }
      times.sort((a, b) => a - b);
      return { p50: times[Math.floor(n * 0.5)]!, p95: times[Math.floor(n * 0.95)]! };
    };
    for (let i = 0; i < 5; i++) await fullTrace();
    const trace = await sample(fullTrace, 100);
    const getPart = await sample(() => evaluate(auditor, 'orders:GetPart', top), 100);
    log(`trace: ${entries} entries, BOM depth ${depth}, ${first.length} page(s): p50 ${trace.p50.toFixed(1)} ms, p95 ${trace.p95.toFixed(1)} ms (baseline GetPart p95 ${getPart.p95.toFixed(2)} ms)`);
    const memoryMiB = process.memoryUsage().rss / 2 ** 20;
    log(`height ${await ledger.height()} blocks, rss ${memoryMiB.toFixed(0)} MiB`);
    const pass = txPerSec >= 2000 && trace.p95 < 50;
    log(`targets: >= 2000 tx/s ${txPerSec >= 2000 ? 'met' : 'MISSED'}; trace p95 < 50 ms ${trace.p95 < 50 ? 'met' : 'MISSED'}`);
    const figures = {
      txPerSec: Math.round(txPerSec), traceP95Ms: Number(trace.p95.toFixed(2)),
      traceP50Ms: Number(trace.p50.toFixed(2)), traceEntries: entries, bomDepth: depth,
      baselineSerialTxPerSec: Math.round(baselineTps), baselineGetPartP95Ms: Number(getPart.p95.toFixed(3)),
      committedTx: committed, rssMiB: Math.round(memoryMiB), targetsMet: pass,
    };
    if (json) console.log(JSON.stringify(figures));
    process.exitCode = pass ? 0 : 1;
  } finally {
    await ledger.close();
    await rm(directory, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
