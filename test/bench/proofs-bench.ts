/**
 * bench:proofs — issue 5's figures.
 *
 *  1. Anchoring throughput: records added to the anchoring outbox (`addMany` in chunks, as a
 *     service receiving records in groups would) and anchored end to end on the embedded ledger
 *     (Merkle batches, one CreateAnchor each), records/s from the first add to the last record
 *     anchored. 100,000 records by default (about 2 s: a steady rate, not JIT warm-up and the
 *     final flush); the payloads are made before the clock starts. Baseline in the same run: one
 *     CreateAnchor transaction per record (64 in flight; more does not go faster), records/s.
 *     After one untimed warm-up run of each (the JIT), three timed runs of each, alternating; the
 *     medians are reported (single runs vary by ±10 %).
 *  2. Record-proof verification: inclusion proofs of 1,000 anchored records checked offline
 *     (`explainRecordProof`: canonical JSON hash, Merkle path, anchor root), proofs/s.
 *
 *  3. Proof bundles (bundle-bench.ts): a part with about 1,000 trace entries (333 lots consumed into
 *     it) on the signed demo ledger; the size of its bundle and the offline verifier's speed
 *     (entries/s, median of 3 runs after one untimed warm-up, each with a fresh verifier:
 *     certificates parsed, chains and every signature checked).
 *
 * Targets (issue 5): anchoring ≥ 50× the per-record rate; ≥ 2,000 entries/s verified.
 * Usage: npm run bench:proofs [-- --json] [-- --records N] [-- --chunk N (records per addMany)] [-- --batch N (maxBatchSize)]
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';
import { AnchorOutbox, explainRecordProof } from '@forgetrace/gateway/anchoring';
import { openDemoConsortium, type DemoConsortium } from '@forgetrace/gateway/dist/demo/demo-consortium';
import { LedgerClient } from '@forgetrace/gateway/dist/ledger/ledger-client';
import { measureBundleVerification } from './bundle-bench';
import { checkBenchArgs } from './args';

checkBenchArgs('Usage: npm run bench:proofs [-- --json] [-- --records N] [-- --chunk N] [-- --batch N]', { 'json': 'switch', 'records': 'value', 'chunk': 'value', 'batch': 'value' });

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const records = argv.includes('--records') ? Number(argv[argv.indexOf('--records') + 1]) : 100_000;
const baselineRecords = 1_000;
const chunk = argv.includes('--chunk') ? Number(argv[argv.indexOf('--chunk') + 1]) : 4096;
const maxBatchSize = argv.includes('--batch') ? Number(argv[argv.indexOf('--batch') + 1]) : 16_384;
const log = (...parts: unknown[]) => { if (!json) console.log(...parts); };
const hex = (s: string) => createHash('sha256').update(s).digest('hex');

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const payload = (i: number) => ({ machine: 'DE-MILL-01', window: i, samples: [41.2 + (i % 7) / 10, 41.9, 42.3], hash: hex(String(i)) });
const RUNS = 3;

/**
 * One anchoring run through a new outbox file, used as a service that receives records in chunks
 * (e.g. telemetry windows from edge gateways) would: each chunk is stored with one addMany (one
 * transaction, durable when it returns) and the outbox's timer forms and anchors batches
 * meanwhile; a final forced flush anchors the rest. Returns the outbox (open) and its figures.
 */
async function anchorRun(demo: DemoConsortium, ledger: LedgerClient, filename: string, offset: number, count = records) {
  let batches = 0;
  const outbox = AnchorOutbox.open({
    filename, ledger, identity: demo.users.operator1, maxBatchSize, maxAgeMs: 50,
    onStep: (step) => { if (step === 'anchored') batches++; },
  });
  // The records as they arrive (made before the clock starts: producing test data is not anchoring).
  const arrivals: { kind: 'telemetry'; payload: ReturnType<typeof payload> }[][] = [];
  for (let from = 0; from < count; from += chunk) {
    arrivals.push(Array.from({ length: Math.min(chunk, count - from) }, (_, k) => ({ kind: 'telemetry' as const, payload: payload(offset + from + k) })));
  }
  const t0 = performance.now();
  outbox.start();
  const ids: string[] = [];
  let inAddMany = 0;
  for (const received of arrivals) {
    const a0 = performance.now();
    const added = outbox.addMany(received);
    inAddMany += performance.now() - a0;
    for (const id of added) ids.push(id);
    await setImmediate(); // the next chunk arrives by I/O
  }
  await outbox.flush({ force: true });
  const seconds = (performance.now() - t0) / 1000;
  const anchored = outbox.count('telemetry', 'anchored');
  if (anchored !== count) throw new Error(`only ${anchored} of ${count} records were anchored`);
  return { outbox, ids, batches, perSec: count / seconds, addManyMsPerRecord: inAddMany / count };
}

/** Baseline run: `baselineRecords` records, one CreateAnchor each, 64 in flight (more does not go faster); records/s. */
async function perRecordRun(demo: DemoConsortium, ledger: LedgerClient, run: number): Promise<number> {
  const t1 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < baselineRecords) {
      const i = next++;
      const leaf = hex(`${JSON.stringify(payload(i))}/${run}`);
      await ledger.submit(demo.users.operator1, 'anchors:CreateAnchor', [{ id: `rec-${run}-${i}`, kind: 'telemetry', merkleRoot: leaf, leafCount: 1, algorithm: 'one-per-record', algorithmVersion: '1', inputHash: leaf, window: { from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:01Z' } }]);
    }
  }));
  return baselineRecords / ((performance.now() - t1) / 1000);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'forgetrace-bench-proofs-'));
  const demo = await openDemoConsortium(dir);
  const ledger = new LedgerClient(demo.ledger);
  try {
    // 1. Anchoring through the outbox against one transaction per record, alternately, RUNS times each (medians).
    log(`anchoring ${records} records through the outbox (addMany of ${chunk}, batches of up to ${maxBatchSize}), against ${baselineRecords} records with one CreateAnchor each; ${RUNS} runs of each ...`);
    // One untimed run first (a fifth of the records), so that the timed ones measure a warm gateway, not the JIT compiling it.
    const warmUp = await anchorRun(demo, ledger, join(dir, 'outbox-warm-up.db'), -records, Math.ceil(records / 5));
    await warmUp.outbox.close();
    await perRecordRun(demo, ledger, -1);
    const anchoredRuns: number[] = [];
    const baselineRuns: number[] = [];
    const addManyRuns: number[] = [];
    let kept: Awaited<ReturnType<typeof anchorRun>> | undefined;
    for (let run = 0; run < RUNS; run++) {
      const r = await anchorRun(demo, ledger, join(dir, `outbox-${run}.db`), run * records);
      anchoredRuns.push(r.perSec);
      addManyRuns.push(r.addManyMsPerRecord);
      if (kept) await r.outbox.close();
      else kept = r; // the first run's outbox serves the proofs below
      baselineRuns.push(await perRecordRun(demo, ledger, run));
    }
    const { outbox, ids, batches } = kept!;
    const anchoredPerSec = median(anchoredRuns);
    const perRecordTxPerSec = median(baselineRuns);
    const addManyMsPerRecord = median(addManyRuns);

    // 2. Offline verification of 1,000 record proofs against their anchors.
    const sample = ids.slice(0, 1000);
    const anchors = new Map<string, { id: string; merkleRoot: string }>();
    const proofs = sample.map((id) => outbox.proof(id));
    for (const p of proofs) {
      if (!anchors.has(p.anchorId)) anchors.set(p.anchorId, await ledger.evaluate<{ id: string; merkleRoot: string }>(demo.users.auditor, 'anchors:GetAnchor', [p.anchorId]));
    }
    const t2 = performance.now();
    for (let i = 0; i < proofs.length; i++) {
      const verdict = explainRecordProof(payload(i), proofs[i]!, anchors.get(proofs[i]!.anchorId)!);
      if (!verdict.valid) throw new Error(`proof ${i} did not verify: ${verdict.reason}`);
    }
    const recordProofsPerSec = proofs.length / ((performance.now() - t2) / 1000);
    await outbox.close();

    log('proof bundle: 333 lots consumed into one part, then its whole trace bundled and verified ...');
    const bundle = await measureBundleVerification(demo);

    const ratio = anchoredPerSec / perRecordTxPerSec;
    const runs = (xs: readonly number[]) => xs.map((x) => x.toFixed(0)).join(', ');
    log(`anchoring: ${anchoredPerSec.toFixed(0)} records/s anchored end to end (median; runs: ${runs(anchoredRuns)}; ${records} records each, ${batches} batches in the first); addMany held the event loop ${(1000 * addManyMsPerRecord).toFixed(1)} µs per record`);
    log(`baseline:  ${perRecordTxPerSec.toFixed(0)} records/s with one transaction per record (median; runs: ${runs(baselineRuns)})`);
    log(`ratio:     ${ratio.toFixed(0)}× (target ≥ 50×: ${ratio >= 50 ? 'met' : 'MISSED'})`);
    log(`verify:    ${recordProofsPerSec.toFixed(0)} record proofs/s offline`);
    log(`bundle:    ${bundle.entries} entries, ${bundle.transactions} transactions in ${bundle.blocks} blocks, ${(bundle.bundleBytes / 1e6).toFixed(2)} MB, built in ${bundle.buildMs.toFixed(0)} ms`);
    log(`verify:    ${bundle.verifyEntriesPerSec.toFixed(0)} entries/s (runs: ${bundle.verifyRuns.map((r) => r.toFixed(0)).join(', ')}; target ≥ 2,000: ${bundle.verifyEntriesPerSec >= 2000 ? 'met' : 'MISSED'})`);
    if (json) console.log(JSON.stringify({ verifyEntriesPerSec: Math.round(bundle.verifyEntriesPerSec), bundleBytes: bundle.bundleBytes, bundleEntries: bundle.entries, anchoredPerSec: Math.round(anchoredPerSec), perRecordTxPerSec: Math.round(perRecordTxPerSec), anchoringRatio: Math.round(ratio), addManyMicrosPerRecord: Math.round(10_000 * addManyMsPerRecord) / 10, recordProofsVerifiedPerSec: Math.round(recordProofsPerSec), records }));
    process.exitCode = ratio >= 50 && bundle.verifyEntriesPerSec >= 2000 ? 0 : 1;
  } finally {
    await demo.ledger.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
