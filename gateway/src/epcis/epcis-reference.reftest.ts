// Cross-check of exported eventIDs against the GS1 reference implementation of the EPCIS event
// hash: PyPI `epcis-event-hash-generator` 1.9.3 in the git-ignored venv `.data/venv-epcis`
// (`.ci/run` creates it; FT_EPCIS_PYTHON names another interpreter with the package). A gateway on
// the embedded demo ledger exports the EPCIS documents of several parts that together hold every
// event kind the export emits; the reference hashes each document and every eventID must equal
// its hash. Nothing is downloaded while it runs. Run:
//   npm run build && node node_modules/.bin/mocha --no-config --timeout 120000 'gateway/dist/epcis/**/*.reftest.js'
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { apiKeyHash } from '../api/auth';
import { configSchema } from '../config/config';
import { openDemoConsortium, type DemoConsortium } from '../demo/demo-consortium';
import type { LedgerIdentity } from '../ledger/port';
import { startGateway, type RunningGateway } from '../main';
import { InMemoryWallet } from '../wallet/wallet';
import { epcisApi } from './epcis-api';
import { EpcisStore } from './epcis-store';
import { contextPrefixes, preHashString } from './event-hash';
import { Identifiers, epcisSettingsSchema } from './identifiers';

const ROOT = join(__dirname, '..', '..', '..');
const PYTHON = process.env.FT_EPCIS_PYTHON ?? join(ROOT, '.data', 'venv-epcis', 'bin', 'python');
const REFERENCE = { module: 'epcis_event_hash_generator', pypi: 'epcis-event-hash-generator', version: '1.9.3' };
const INSTALL = `python3 -m venv .data/venv-epcis && .data/venv-epcis/bin/pip install ${REFERENCE.pypi}==${REFERENCE.version} (.ci/run does this)`;
/** Every trace entry kind the export turns into an event (consumed / lot_consumed are not exported). */
const EXPORTED_KINDS = [
  'created', 'lot_registered', 'job_assigned', 'job_accepted', 'job_declined', 'operation_started', 'operation_finished', 'component_consumed',
  'qc_recorded', 'qc_disputed', 'qc_dispute_resolved', 'shipped', 'delivered', 'cancelled',
];
const GTIN = '09506000134352';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Fails with what to install when the interpreter or the pinned package is missing. */
function checkReference(): void {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing; create the venv: ${INSTALL}`);
  const r = spawnSync(PYTHON, ['-c', `from importlib.metadata import version; print(version('${REFERENCE.pypi}'))`], { encoding: 'utf8' });
  const found = r.stdout.trim();
  if (r.status !== 0 || found !== REFERENCE.version) throw new Error(`${REFERENCE.pypi} ${REFERENCE.version} is not installed for ${PYTHON} (found: ${found || 'none'}); ${INSTALL}`);
}

/** The reference's hash IDs and pre-hash strings of the events of the document in `file`, in document order (its `-b -p` output). */
async function referenceHashes(file: string): Promise<{ hashes: string[]; preHashes: string[] }> {
  const r = spawnSync(PYTHON, ['-m', REFERENCE.module, '-b', '-p', '-e', 'JSON', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${REFERENCE.pypi} failed on ${file} (exit ${r.status}): ${r.stderr}`);
  // The reference logs an event it cannot parse and leaves it out; the count check below catches that.
  if (/ERROR/.test(r.stderr)) throw new Error(`${REFERENCE.pypi} reported errors on ${file}: ${r.stderr}`);
  const lines = async (ext: string) => (await readFile(file.replace(/\.jsonld$/, ext), 'utf8')).split('\n').filter((line) => line !== '');
  return { hashes: await lines('.hashes'), preHashes: await lines('.prehashes') };
}

describe('EPCIS export: eventIDs equal the GS1 reference implementation\'s hashes (PyPI epcis-event-hash-generator 1.9.3)', function () {
  this.timeout(120_000);
  let dir: string;
  let demo: DemoConsortium;
  let gw: RunningGateway;
  let epcis: EpcisStore;
  const ids = new Identifiers(epcisSettingsSchema.parse({ domain: 'forgetrace.example', gtins: { 'PO-1001': GTIN }, glns: { Org1MSP: '4012345000009' } }));
  const buyer = { 'X-API-Key': 'ref-buyer' };

  before(async () => {
    checkReference();
    dir = await mkdtemp(join(tmpdir(), 'ft-epcis-ref-'));
    demo = await openDemoConsortium(join(dir, 'demo'));
    const submit = async (who: LedgerIdentity, tx: string, ...args: unknown[]) => demo.ledger.submit(who, tx, args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))));
    const u = demo.users;
    // On top of the demo (PO-1001.1 produced, QC passed and shipped; PO-1001.2 in production; JOB-3 assigned to Org2MSP):
    // PO-1001.1 is delivered; PO-1001.2 consumes a lot (transformation) and PO-1001.1 (aggregation), finishes with a twin
    // snapshot in force, passes QC, which the buyer disputes and the administrator upholds; Org2MSP declines JOB-3 of
    // PO-1002.1; PO-1003 is cancelled.
    await submit(u.buyer, 'orders:ConfirmDelivery', 'PO-1001.1', { note: 'received at goods-in' });
    await submit(u.operator1, 'orders:RegisterLot', { id: 'LOT-TI-7', material: 'ti6al4v', supplier: 'Metals AG', quantity: 25, unit: 'kg' });
    await submit(u.operator1, 'twins:RecordTwinSnapshot', { id: 'TW-1', machineId: 'DE-MILL-01', model: { id: 'spindle', version: '1.0.0' }, summary: { healthIndex: 0.93, states: { temperature: 41.5, wear: 0.12 }, anomaly: false }, snapshotHash: sha('tw-1') });
    await submit(u.operator1, 'orders:ConsumeComponent', 'PO-1001.2', { kind: 'lot', id: 'LOT-TI-7', quantity: 2.5, relation: 'transformation' });
    await submit(u.operator1, 'orders:ConsumeComponent', 'PO-1001.2', { kind: 'part', id: 'PO-1001.1', relation: 'aggregation' });
    await submit(u.operator1, 'jobs:ReportFinish', 'JOB-2', { machineId: 'DE-MILL-01', twinSnapshotId: 'TW-1' });
    await submit(u.operator1, 'jobs:RecordQc', 'PO-1001.2', { result: 'pass', reportHash: sha('qc-2'), measurements: { boreMm: 12.001, flatnessMm: 0.010 } });
    await submit(u.buyer, 'jobs:DisputeQc', 'PO-1001.2', { reason: 'bore out of tolerance at goods-in', evidenceHash: sha('evidence') });
    await submit(u.admin1, 'jobs:ResolveQcDispute', 'PO-1001.2', { upheld: true, note: 'remeasured: 12.004 mm' });
    await submit(u.operator2, 'jobs:DeclineJob', 'JOB-3', { reason: 'powder batch not released' });
    const last = await submit(u.buyer, 'orders:CancelOrder', 'PO-1003', { reason: 'design changed' });

    const wallet = new InMemoryWallet();
    await wallet.put('buyer', await demo.organizations[0]!.issueIdentity({ commonName: 'ref-b', role: 'buyer' }));
    const config = configSchema.parse({
      mspId: 'Org1MSP', http: { port: 0 }, ledger: { kind: 'embedded', directory: join(dir, 'demo') }, wallet: '(memory)',
      auth: { users: [{ id: 'b', role: 'buyer', apiKeySha256: apiKeyHash('ref-buyer') }] },
    });
    gw = await startGateway({
      config, ledger: demo.ledger, wallet, logger: pino({ level: 'silent' }),
      extensions: (context) => {
        epcis = EpcisStore.open({ filename: ':memory:', outbox: context.outbox });
        return [epcisApi({ store: context.store, ledger: context.ledger, outbox: context.outbox, epcis, identifiers: ids, logger: context.logger })];
      },
    });
    await gw.indexer.waitFor(last.blockNumber, { transactionId: last.transactionId, timeoutMs: 10_000 });
  });
  after(async () => {
    await gw?.close();
    epcis?.close();
    await demo?.ledger.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('every exported event of PO-1001.2 (with its components), PO-1001.1, PO-1002.1 and PO-1003.1 hashes to its eventID', async () => {
    const kinds = new Set<string>();
    const types = new Set<string>();
    let checked = 0;
    for (const partId of ['PO-1001.2', 'PO-1001.1', 'PO-1002.1', 'PO-1003.1']) {
      const doc = (await request(gw.url).get(`/v1/parts/${partId}/epcis`).set(buyer).expect(200)).body;
      const events = doc.epcisBody.eventList as Record<string, unknown>[];
      const file = join(dir, `${partId}.jsonld`);
      await writeFile(file, JSON.stringify(doc, null, 1));
      const { hashes, preHashes } = await referenceHashes(file);
      expect(hashes, `${partId}: the reference hashed ${hashes.length} of ${events.length} events`).to.have.length(events.length);
      const prefixes = contextPrefixes(doc['@context']);
      events.forEach((e, i) => {
        const { eventID, ...rest } = e;
        const why = `${partId} event ${i} (${String(e['ft:entryType'])})\n  reference: ${preHashes[i]}\n  ours:      ${preHashString(rest, prefixes)}`;
        expect(eventID, why).to.equal(hashes[i]);
        kinds.add(String(e['ft:entryType']));
        types.add(String(e.type));
      });
      checked += events.length;
    }
    expect([...kinds].sort()).to.deep.equal([...EXPORTED_KINDS].sort());
    expect([...types].sort()).to.deep.equal(['AggregationEvent', 'ObjectEvent', 'TransformationEvent']);
    expect(checked).to.be.greaterThan(20);
  });
});
