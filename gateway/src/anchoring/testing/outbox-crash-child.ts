/**
 * Test helper process for `outbox-kill.test.ts` (not part of the gateway): opens the demo
 * ledger in `dir` and an outbox file, stores records with one addMany, prints their ids as one
 * JSON line, then flushes, and kills itself with SIGKILL at the step named by `killAt`:
 *
 * - `stored`: after addMany returned, before any flush;
 * - `batched`: after the first batch was stored;
 * - `in-submit`: while the first CreateAnchor is in flight (one event-loop turn after it started);
 * - `submitted`: after the ledger committed the first batch, before the outbox marked it;
 * - `anchored`: after the first batch was marked anchored.
 *
 * Usage: node outbox-crash-child.js <dir> <outbox file> <killAt> <records> <maxBatchSize> <tag>
 */
import { openDemoConsortium } from '../../demo/demo-consortium';
import { LedgerClient } from '../../ledger/ledger-client';
import { AnchorOutbox, type OutboxStep } from '../anchor-outbox';

const KILL_POINTS = ['stored', 'batched', 'in-submit', 'submitted', 'anchored'] as const;
type KillPoint = (typeof KILL_POINTS)[number];

const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL did not end the process');
};

async function main(): Promise<void> {
  const [dir, filename, killAt, count, batch, tag] = process.argv.slice(2) as [string, string, KillPoint, string, string, string];
  if (!KILL_POINTS.includes(killAt)) throw new Error(`killAt must be one of ${KILL_POINTS.join(', ')}`);
  const demo = await openDemoConsortium(dir);
  const ledger = new LedgerClient(demo.ledger);
  if (killAt === 'in-submit') {
    const submit = ledger.submit.bind(ledger);
    ledger.submit = ((...args: Parameters<LedgerClient['submit']>) => {
      setImmediate(die);
      return submit(...args);
    }) as LedgerClient['submit'];
  }
  const outbox = AnchorOutbox.open({
    filename, ledger, identity: demo.users.admin1, maxBatchSize: Number(batch),
    onStep: (step: OutboxStep) => { if (step === killAt) die(); },
  });
  const ids = outbox.addMany(Array.from({ length: Number(count) }, (_, i) => ({ kind: 'other' as const, payload: { tag, i } })));
  process.stdout.write(`${JSON.stringify(ids)}\n`);
  if (killAt === 'stored') die();
  await outbox.flush({ force: true });
  throw new Error(`the flush ended without reaching ${killAt}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(3);
});
