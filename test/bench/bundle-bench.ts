/**
 * Proof-bundle part of bench:proofs: a part with about 1,000 trace entries (lots consumed into
 * it) on the signed demo ledger; the bundle's size, and how fast the offline verifier checks it
 * (entries/s after one untimed warm-up run; each run is a fresh verifier: certificates parsed,
 * chains and every signature checked from scratch).
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { verifyBundle } from '@forgetrace/verifier';
import type { DemoConsortium } from '@forgetrace/gateway/dist/demo/demo-consortium';
import { LedgerClient } from '@forgetrace/gateway/dist/ledger/ledger-client';
import { buildProvenanceBundle, channelRootCertificates } from '@forgetrace/gateway/dist/proofs/provenance';
import { fullTrace } from '@forgetrace/gateway/dist/proofs/proofs-api';

export interface BundleFigures {
  readonly entries: number;
  readonly transactions: number;
  readonly blocks: number;
  readonly bundleBytes: number;
  readonly buildMs: number;
  readonly verifyEntriesPerSec: number;
  readonly verifyRuns: readonly number[];
}

/** Consume `lots` lots into the demo's part PO-1001.2 (3 trace entries each), then bundle and verify its trace. */
export async function measureBundleVerification(demo: DemoConsortium, lots = 333, runs = 3): Promise<BundleFigures> {
  const ledger = new LedgerClient(demo.ledger);
  const op = demo.users.operator1;
  const partId = 'PO-1001.2';
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < lots) {
      const i = next++;
      await ledger.submit(op, 'orders:RegisterLot', [{ id: `LOT-B-${i}`, material: 'ti6al4v', supplier: 'Bench Metals', quantity: 10, unit: 'kg', certificateHash: sha(`lot-${i}`) }]);
    }
  }));
  // One part: consumptions conflict on it, so they go one at a time.
  for (let i = 0; i < lots; i++) await ledger.submit(op, 'orders:ConsumeComponent', [partId, { kind: 'lot', id: `LOT-B-${i}`, quantity: 1, relation: 'transformation' }]);

  const t0 = performance.now();
  const trace = await fullTrace(ledger, demo.users.auditor, partId, 5);
  const bundle = buildProvenanceBundle(demo.ledger, trace, { completeness: { maxDepth: 5 } }); // as GET /v1/parts/{id}/provenance makes it
  const text = JSON.stringify(bundle);
  const buildMs = performance.now() - t0;
  const trustedRoots = channelRootCertificates(demo.ledger);

  // One untimed run first, so that the timed ones measure the verifier, not the JIT compiling it.
  await verifyBundle(JSON.parse(text), { trustedRoots });
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const parsed: unknown = JSON.parse(text); // as a verifier receives it
    const t = performance.now();
    const verdict = await verifyBundle(parsed, { trustedRoots });
    const seconds = (performance.now() - t) / 1000;
    if (!verdict.valid) throw new Error(`the bundle did not verify: ${verdict.reason} at ${verdict.path}: ${verdict.detail}`);
    if (!verdict.completeness.proven) throw new Error(`the bundle's trace was not proven complete: ${verdict.completeness.detail}`);
    rates.push(trace.entries.length / seconds);
  }
  rates.sort((a, b) => a - b);
  return {
    entries: trace.entries.length,
    transactions: bundle.transactions.length,
    blocks: bundle.blocks.length,
    bundleBytes: Buffer.byteLength(text),
    buildMs,
    verifyEntriesPerSec: rates[Math.floor(rates.length / 2)]!,
    verifyRuns: rates,
  };
}
