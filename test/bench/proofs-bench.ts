/**
 * bench:proofs — what exists of issue 5's figures so far.
 *
 *  1. Anchoring throughput: records added to the anchoring outbox and anchored end to end on the
 *     embedded ledger (Merkle batches, one CreateAnchor each), records/s from the first add to the
 *     last record anchored. Baseline in the same run: one CreateAnchor transaction per record
 *     (64 in flight), records/s.
 *  2. Record-proof verification: inclusion proofs of 1,000 anchored records checked offline
 *     (`explainRecordProof`: canonical JSON hash, Merkle path, anchor root), proofs/s.
 *
 * Proof bundles of ledger entries (signed transactions) are not built yet, so `verifyEntriesPerSec`
 * and `bundleBytes` are printed as null. Target (issue 5): anchoring ≥ 50× the per-record rate.
 * Usage: npm run bench:proofs [-- --json] [-- --records N]
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AnchorOutbox, explainRecordProof } from '@forgetrace/gateway/anchoring';
import { openDemoConsortium } from '@forgetrace/gateway/dist/demo/demo-consortium';
import { LedgerClient } from '@forgetrace/gateway/dist/ledger/ledger-client';

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const records = argv.includes('--records') ? Number(argv[argv.indexOf('--records') + 1]) : 20_000;
const baselineRecords = 1_000;
const log = (...parts: unknown[]) => { if (!json) console.log(...parts); };
const hex = (s: string) => createHash('sha256').update(s).digest('hex');

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'forgetrace-bench-proofs-'));
  const demo = await openDemoConsortium(dir);
  const ledger = new LedgerClient(demo.ledger);
  try {
    // 1. Anchoring through the outbox.
    const outbox = AnchorOutbox.open({ filename: join(dir, 'outbox.db'), ledger, identity: demo.users.operator1, maxBatchSize: 1024, maxAgeMs: 50 });
    const payload = (i: number) => ({ machine: 'DE-MILL-01', window: i, samples: [41.2 + (i % 7) / 10, 41.9, 42.3], hash: hex(String(i)) });
    log(`anchoring ${records} records through the outbox ...`);
    const t0 = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < records; i++) {
      ids.push(outbox.add({ kind: 'telemetry', payload: payload(i) }));
      if (i % 4096 === 4095) await outbox.flush();
    }
    await outbox.flush({ force: true });
    const anchoredSeconds = (performance.now() - t0) / 1000;
    const anchored = outbox.count('telemetry', 'anchored');
    if (anchored !== records) throw new Error(`only ${anchored} of ${records} records were anchored`);
    const anchoredPerSec = records / anchoredSeconds;

    // Baseline: one CreateAnchor per record, 64 in flight.
    log(`baseline: ${baselineRecords} records, one CreateAnchor each ...`);
    const t1 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next < baselineRecords) {
        const i = next++;
        const leaf = hex(JSON.stringify(payload(i)));
        await ledger.submit(demo.users.operator1, 'anchors:CreateAnchor', [{ id: `rec-${i}`, kind: 'telemetry', merkleRoot: leaf, leafCount: 1, algorithm: 'one-per-record', algorithmVersion: '1', inputHash: leaf, window: { from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:01Z' } }]);
      }
    }));
    const perRecordTxPerSec = baselineRecords / ((performance.now() - t1) / 1000);

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

    const ratio = anchoredPerSec / perRecordTxPerSec;
    log(`anchoring: ${anchoredPerSec.toFixed(0)} records/s anchored end to end (${records} records, ${anchors.size > 0 ? Math.ceil(records / 1024) : 0}+ batches)`);
    log(`baseline:  ${perRecordTxPerSec.toFixed(0)} records/s with one transaction per record`);
    log(`ratio:     ${ratio.toFixed(0)}× (target ≥ 50×: ${ratio >= 50 ? 'met' : 'MISSED'})`);
    log(`verify:    ${recordProofsPerSec.toFixed(0)} record proofs/s offline; entry bundles: not built yet`);
    if (json) console.log(JSON.stringify({ verifyEntriesPerSec: null, bundleBytes: null, anchoredPerSec: Math.round(anchoredPerSec), perRecordTxPerSec: Math.round(perRecordTxPerSec), anchoringRatio: Math.round(ratio), recordProofsVerifiedPerSec: Math.round(recordProofsPerSec), records }));
    process.exitCode = ratio >= 50 ? 0 : 1;
  } finally {
    await demo.ledger.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
