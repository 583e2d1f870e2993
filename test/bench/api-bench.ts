/**
 * bench:api — the gateway over real HTTP on the embedded ledger, measured with autocannon.
 *
 *  1. GET /v1/parts/{id}/trace for a part whose trace has ~200 entries, 32 connections:
 *     req/s and p99, against a bare Express route returning a fixed JSON of the same size
 *     (the ceiling for this machine and HTTP stack), in the same run.
 *  2. Write throughput: POST /v1/jobs/{id}/start (a job report) through the API.
 *
 * Targets (issue 4): trace >= 25% of the ceiling's req/s, p99 < 50 ms at 32 connections.
 * Usage: npm run bench:api [-- --json] [-- --seconds N]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import express from 'express';
import pino from 'pino';
import { apiKeyHash } from '@forgetrace/gateway/dist/api/auth';
import { configSchema } from '@forgetrace/gateway/dist/config/config';
import { openDemoConsortium } from '@forgetrace/gateway/dist/demo/demo-consortium';
import { startGateway } from '@forgetrace/gateway/dist/main';
import { InMemoryWallet } from '@forgetrace/gateway/dist/wallet/wallet';
import type { LedgerIdentity } from '@forgetrace/gateway/ledger';
import { checkBenchArgs } from './args';

checkBenchArgs('Usage: npm run bench:api [-- --json] [-- --seconds N]', { 'json': 'switch', 'seconds': 'value' });

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const seconds = argv.includes('--seconds') ? Number(argv[argv.indexOf('--seconds') + 1]) : 10;
const log = (...p: unknown[]) => { if (!json) console.log(...p); };
const hex = (s: string) => require('node:crypto').createHash('sha256').update(s).digest('hex') as string;
const iso = (days: number) => new Date(Date.now() + days * 86400e3).toISOString();

/** Run autocannon in a worker thread (its own event loop) and return its result. */
function run(options: autocannon.Options, jobStarts?: { count: number; apiKey: string; machineId: string }): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'load-worker.js'), { workerData: { options, jobStarts } });
    worker.once('message', (r: autocannon.Result) => resolve(r));
    worker.once('error', reject);
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ft-api-bench-'));
  const demo = await openDemoConsortium(dir);
  const org1 = demo.organizations[0]!;
  const wallet = new InMemoryWallet();
  await wallet.put('admin', await org1.issueIdentity({ commonName: 'bench-admin', role: 'admin' }));
  await wallet.put('factory_operator', await org1.issueIdentity({ commonName: 'bench-op', role: 'factory_operator' }));
  const config = configSchema.parse({
    mspId: 'Org1MSP', http: { port: 0, rateLimitPerMinute: 1_000_000 }, ledger: { kind: 'embedded', directory: dir }, wallet: '(memory)',
    auth: { users: [{ id: 'op', role: 'factory_operator', apiKeySha256: apiKeyHash('bench-op-key') }, { id: 'admin', role: 'admin', apiKeySha256: apiKeyHash('bench-admin-key') }] },
    logLevel: 'silent',
  });
  const gateway = await startGateway({ config, ledger: demo.ledger, wallet, logger: pino({ level: 'silent' }) });
  const op = (await wallet.get('factory_operator'))!;
  const admin = (await wallet.get('admin'))!;
  const submit = async (who: LedgerIdentity, tx: string, ...args: unknown[]) =>
    JSON.parse(Buffer.from((await demo.ledger.submit(who, tx, args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))))).result).toString());
  let ceiling: Server | undefined;
  try {
    // A part with ~200 trace entries: 32 operations on it, 16 on a part it consumed.
    log('building a part with ~200 trace entries ...');
    let seq = 0;
    const produce = async (buyer: LedgerIdentity, ops: number, components: string[]) => {
      const partId = (await submit(buyer, 'orders:CreateOrder', { id: `B-${seq++}`, spec: { name: 'Assembly', specHash: hex('a'), material: 'al6061' }, operations: Array.from({ length: ops }, () => ({ process: 'milling' })), quantity: 1, dueDate: iso(30) })).partIds[0] as string;
      for (let i = 0; i < ops; i++) {
        const id = `BJ-${seq++}`;
        await submit(admin, 'jobs:AssignJob', { id, partId, operationIndex: i, factoryMsp: 'Org1MSP', machineId: 'DE-MILL-01', plannedStart: iso(1), plannedEnd: iso(2), scheduleAnchorId: 'plan-demo-1' });
        await submit(op, 'jobs:AcceptJob', id);
        if (i === 0) for (const c of components) await submit(op, 'orders:ConsumeComponent', partId, { kind: 'part', id: c, relation: 'aggregation' });
        await submit(op, 'jobs:ReportStart', id, { machineId: 'DE-MILL-01' });
        await submit(op, 'jobs:ReportFinish', id, { machineId: 'DE-MILL-01' });
      }
      await submit(op, 'jobs:RecordQc', partId, { result: 'pass', reportHash: hex(partId) });
      return partId;
    };
    const child = await produce(admin, 16, []);
    const top = await produce(demo.users.buyer, 32, [child]);
    // Measure the steady state: the index has applied every block before the runs start.
    await gateway.indexer.waitFor((await demo.ledger.height()) - 1, { timeoutMs: 60_000 });
    const tracePath = `/v1/parts/${top}/trace?pageSize=1000`;
    const sample = await fetch(gateway.url + tracePath, { headers: { 'X-API-Key': 'bench-op-key' } });
    const body = await sample.text();
    const entries = (JSON.parse(body) as { entries: unknown[] }).entries.length;
    log(`trace: ${entries} entries, ${body.length} bytes`);

    // The ceiling: a bare Express route with the same JSON.
    const bare = express();
    const fixed = JSON.parse(body) as unknown;
    const fixedGzip = gzipSync(Buffer.from(JSON.stringify(fixed)), { level: 6 });
    // The best a bare route can do: a fixed body, pre-compressed for clients that accept gzip.
    bare.get('/trace', (req, res) => {
      if (req.acceptsEncodings('gzip', 'identity') === 'gzip') return void res.type('application/json').set({ 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' }).send(fixedGzip);
      res.json(fixed);
    });
    ceiling = await new Promise<Server>((r) => { const s = bare.listen(0, '127.0.0.1', () => r(s)); });
    const ceilingUrl = `http://127.0.0.1:${(ceiling.address() as AddressInfo).port}/trace`;

    const common = { connections: 32, duration: seconds, pipelining: 1 };
    // Headline runs as a browser asks (Accept-Encoding: gzip; ${(fixedGzip.length / 1024).toFixed(0)} KB on the wire);
    // the same pair without compression follows.
    const gz = { 'Accept-Encoding': 'gzip' };
    // Warm-up (JIT, caches) of both servers and both encodings; not measured.
    for (const headers of [gz, {}]) {
      await run({ ...common, duration: 2, url: ceilingUrl, headers });
      await run({ ...common, duration: 2, url: gateway.url + tracePath, headers: { 'X-API-Key': 'bench-op-key', ...headers } });
    }
    log(`ceiling: bare Express, ${seconds} s, 32 connections, gzip (${fixedGzip.length} bytes) ...`);
    const c = await run({ ...common, url: ceilingUrl, headers: gz });
    log(`trace: GET ${tracePath}, ${seconds} s, 32 connections, gzip ...`);
    const t = await run({ ...common, url: gateway.url + tracePath, headers: { 'X-API-Key': 'bench-op-key', ...gz } });
    if (t.non2xx > 0 || t.errors > 0) throw new Error(`trace run had ${t.non2xx} non-2xx answers and ${t.errors} errors`);
    log(`ceiling: bare Express, ${seconds} s, 32 connections, identity ...`);
    const ci = await run({ ...common, url: ceilingUrl });
    log(`trace: GET ${tracePath}, ${seconds} s, 32 connections, identity ...`);
    const ti = await run({ ...common, url: gateway.url + tracePath, headers: { 'X-API-Key': 'bench-op-key' } });
    if (ti.non2xx > 0 || ti.errors > 0) throw new Error(`identity trace run had ${ti.non2xx} non-2xx answers and ${ti.errors} errors`);

    // Writes: job starts through the API, one per request.
    const writes = 2000;
    log(`writes: preparing ${writes} accepted jobs ...`);
    const order = await submit(demo.users.buyer, 'orders:CreateOrder', { id: 'W-1', spec: { name: 'Pin', specHash: hex('p'), material: 'al6061' }, operations: [{ process: 'milling' }], quantity: 500, dueDate: iso(30) });
    const order2 = await submit(demo.users.buyer, 'orders:CreateOrder', { id: 'W-2', spec: { name: 'Pin', specHash: hex('p'), material: 'al6061' }, operations: [{ process: 'milling' }], quantity: 500, dueDate: iso(30) });
    const order3 = await submit(demo.users.buyer, 'orders:CreateOrder', { id: 'W-3', spec: { name: 'Pin', specHash: hex('p'), material: 'al6061' }, operations: [{ process: 'milling' }], quantity: 500, dueDate: iso(30) });
    const order4 = await submit(demo.users.buyer, 'orders:CreateOrder', { id: 'W-4', spec: { name: 'Pin', specHash: hex('p'), material: 'al6061' }, operations: [{ process: 'milling' }], quantity: 500, dueDate: iso(30) });
    const parts: string[] = [...order.partIds, ...order2.partIds, ...order3.partIds, ...order4.partIds].slice(0, writes);
    let next = 0;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next < parts.length) {
        const i = next++;
        await submit(admin, 'jobs:AssignJob', { id: `WJ-${i}`, partId: parts[i], operationIndex: 0, factoryMsp: 'Org1MSP', machineId: 'DE-MILL-01', plannedStart: iso(1), plannedEnd: iso(2), scheduleAnchorId: 'plan-demo-1' });
        await submit(op, 'jobs:AcceptJob', `WJ-${i}`);
      }
    }));
    const wr = await run({ url: gateway.url, connections: 32 }, { count: writes, apiKey: 'bench-op-key', machineId: 'DE-MILL-01' });
    const rps = (r: autocannon.Result) => r['2xx'] / (r.duration || 1);
    const writeRps = rps(wr);
    if (wr.non2xx > 0) log(`  (${wr.non2xx} non-2xx write answers)`);

    const ratio = rps(t) / rps(c);
    log(`ceiling: ${rps(c).toFixed(0)} req/s, p99 ${c.latency.p99} ms`);
    log(`trace:   ${rps(t).toFixed(0)} req/s (${(ratio * 100).toFixed(0)}% of the ceiling), p99 ${t.latency.p99} ms`);
    log(`without compression: ceiling ${rps(ci).toFixed(0)} req/s p99 ${ci.latency.p99} ms; trace ${rps(ti).toFixed(0)} req/s (${((rps(ti) / rps(ci)) * 100).toFixed(0)}%) p99 ${ti.latency.p99} ms`);
    log(`writes:  ${writeRps.toFixed(0)} job reports/s committed through the API (${wr['2xx']} of ${writes}), p99 ${wr.latency.p99} ms`);
    const met = ratio >= 0.25 && t.latency.p99 < 50;
    log(`targets: trace >= 25% of ceiling ${ratio >= 0.25 ? 'met' : 'MISSED'}; p99 < 50 ms ${t.latency.p99 < 50 ? 'met' : 'MISSED'}`);
    if (json) console.log(JSON.stringify({ traceRps: Math.round(rps(t)), ceilingRps: Math.round(rps(c)), traceP99Ms: t.latency.p99, writeRps: Math.round(writeRps), traceEntries: entries, ceilingP99Ms: c.latency.p99, writeP99Ms: wr.latency.p99, traceRpsIdentity: Math.round(rps(ti)), ceilingRpsIdentity: Math.round(rps(ci)), traceP99MsIdentity: ti.latency.p99, ceilingP99MsIdentity: ci.latency.p99, gzipBytes: fixedGzip.length, targetsMet: met }));
    process.exitCode = met ? 0 : 1;
  } finally {
    ceiling?.close();
    await gateway.close();
    await demo.ledger.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
