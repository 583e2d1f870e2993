import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { LEAF_ENCODING, recordLeaf, type OutboxLeaf } from '@forgetrace/gateway/anchoring';
import { apiKeyHash } from '@forgetrace/gateway/dist/api/auth';
import { configSchema } from '@forgetrace/gateway/dist/config/config';
import { openDemoConsortium, type DemoConsortium } from '@forgetrace/gateway/dist/demo/demo-consortium';
import { standardFeatures } from '@forgetrace/gateway/dist/features';
import { startGateway, type RunningGateway } from '@forgetrace/gateway/dist/main';
import { InMemoryWallet } from '@forgetrace/gateway/dist/wallet/wallet';
import { createDevOrganization } from '@forgetrace/gateway/dist/ledger/embedded/identity';
import pino from 'pino';
import { EXIT } from './errors';

const CLI = join(__dirname, 'cli.js');

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('forgetrace CLI against a gateway on the embedded ledger', function () {
  this.timeout(60_000);
  let dir: string;
  let config: string;
  let demo: DemoConsortium;
  let gw: RunningGateway;

  /** Run the real binary (asynchronously: the gateway in this process must keep answering). */
  const cli = (...args: string[]): Promise<Result> => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, FORGETRACE_CONFIG: config, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const ok = async (...args: string[]): Promise<string> => {
    const r = await cli(...args);
    expect(r.code, `forgetrace ${args.join(' ')}\n${r.stderr}`).to.equal(EXIT.OK);
    return r.stdout;
  };
  const json = async <T = any>(...args: string[]): Promise<T> => JSON.parse(await ok('--json', ...args)) as T;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-cli-'));
    config = join(dir, 'home', 'forgetrace', 'config.json');
    demo = await openDemoConsortium(dir);
    const org = demo.organizations[0]!;
    const wallet = new InMemoryWallet();
    for (const role of ['admin', 'factory_operator'] as const) await wallet.put(role, await org.issueIdentity({ commonName: `cli-${role}`, role }));
    gw = await startGateway({
      config: configSchema.parse({
        mspId: 'Org1MSP', http: { port: 0 }, ledger: { kind: 'embedded', directory: dir }, wallet: '(memory)',
        auth: { users: [{ id: 'cli-admin', role: 'admin', apiKeySha256: apiKeyHash('cli-admin-key') }, { id: 'cli-op', role: 'factory_operator', apiKeySha256: apiKeyHash('cli-op-key') }] },
        twin: { directory: join(dir, 'twin'), mqtt: false, machines: [{ machineId: 'DE-MILL-01', model: 'cnc-spindle' }] },
      }),
      ledger: demo.ledger, wallet, logger: pino({ level: 'silent' }), extensions: standardFeatures,
    });
    const last = (await demo.ledger.height()) - 1;
    for (let i = 0; (gw.indexer.status().checkpoint?.blockNumber ?? -1) < last; i++) {
      if (i > 200) throw new Error('the gateway index did not catch up');
      await new Promise((r) => setTimeout(r, 50));
    }
    await ok('profile', 'add', 'op', '--url', gw.url, '--api-key', 'cli-op-key');
    await ok('profile', 'add', 'admin', '--url', gw.url, '--api-key', 'cli-admin-key');
  });
  after(async () => {
    await gw?.close();
    await demo?.ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('profiles', () => {
    it('keeps profiles in a file only its owner can read, the first one current', async () => {
      expect((await stat(config)).mode & 0o777).to.equal(0o600);
      const list = await json<{ current: string; profiles: { name: string; apiKey: string }[] }>('profile', 'list');
      expect(list.current).to.equal('op');
      expect(list.profiles.map((p) => p.name)).to.deep.equal(['op', 'admin']);
      expect(JSON.stringify(list)).not.to.include('cli-op-key');
      expect(await ok('profile', 'list')).to.match(/\*\s+op\s+http:\/\/127\.0\.0\.1/);
    });

    it('refuses an unknown profile and a bad URL as usage errors', async () => {
      const unknown = await cli('--profile', 'nope', 'members', 'list');
      expect(unknown.code).to.equal(EXIT.USAGE);
      expect(unknown.stderr).to.match(/^forgetrace: no profile "nope"/);
      expect((await cli('profile', 'add', 'x', '--url', 'ftp://h', '--api-key', 'k')).code).to.equal(EXIT.USAGE);
      expect((await cli('profile', 'use', 'nope')).code).to.equal(EXIT.USAGE);
    });
  });

  describe('reads', () => {
    it('lists members and machines as tables, or as JSON with --json', async () => {
      const members = await json<{ mspId: string }[]>('members', 'list');
      expect(members.map((m) => m.mspId)).to.include.members(['Org1MSP', 'Org3MSP']);
      expect(await ok('members', 'list')).to.match(/^MSP ID\s+NAME\s+ROLE/);
      const machines = await ok('machines', 'list', '--owner', 'Org1MSP');
      expect(machines).to.include('DE-MILL-01').and.include('DE-LATHE-01').and.not.include('IT-SLM-01');
      expect(await ok('machines', 'show', 'DE-MILL-01')).to.match(/status:\s+commissioned/);
      expect((await json<unknown[]>('machines', 'events', 'DE-MILL-01')).length).to.be.at.least(3);
      expect(await ok('orders', 'show', 'PO-1001')).to.include('Hinge bracket');
    });

    it('answers a 404 with exit 1 and the problem detail on one line, no stack', async () => {
      const r = await cli('orders', 'show', 'PO-NOPE');
      expect(r.code).to.equal(EXIT.FAILED);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.equal('forgetrace: 404 NOT_FOUND: order PO-NOPE is not on the ledger (or not indexed yet)\n');
      const debug = await cli('--debug', 'orders', 'show', 'PO-NOPE');
      expect(debug.stderr).to.include('"problem"').and.include('CliError');
    });

    it('lists the trace of a part as a timeline, and the raw trace with --json', async () => {
      const out = await ok('trace', 'PO-1001.1');
      expect(out).to.match(/^part PO-1001\.1 of order PO-1001 \(Hinge bracket/);
      expect(out).to.match(/\nAT\s+DEPTH\s+SUBJECT\s+EVENT/);
      const raw = await json<{ partId: string; entries: { type: string }[] }>('trace', 'PO-1001.1');
      expect(raw.partId).to.equal('PO-1001.1');
      expect(raw.entries.length).to.be.greaterThan(3);
      for (const e of raw.entries) expect(out).to.include(e.type);
    });

    it('shows a machine twin and its history', async () => {
      expect(await ok('twin', 'show', 'DE-MILL-01')).to.match(/model:\s+cnc-spindle@/);
      expect(await ok('twin', 'history', 'DE-MILL-01')).to.include('DE-MILL-01');
    });
  });

  describe('failures before or outside the gateway', () => {
    it('exits 3 when the gateway cannot be reached', async () => {
      await ok('profile', 'add', 'dead', '--url', `http://127.0.0.1:${await closedPort()}`, '--api-key', 'k');
      const r = await cli('--profile', 'dead', 'jobs', 'list');
      expect(r.code).to.equal(EXIT.UNREACHABLE);
      expect(r.stderr).to.match(/^forgetrace: cannot reach the gateway at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n$/);
    });

    it('exits 2 on bad arguments, with one line', async () => {
      for (const args of [
        ['jobs', 'decline', 'JOB-3'],
        ['parts', 'qc', 'PO-1001.2', '--result', 'maybe', '--report-hash', 'a'.repeat(64)],
        ['parts', 'qc', 'PO-1001.2', '--result', 'pass', '--report-hash', 'xyz'],
        ['recommend', 'parts', '--k', 'many'],
        ['schedules', 'run', '--orders', ','],
        ['jobs', 'lst'],
        ['orders', 'create', '--spec', join(dir, 'missing.json')],
        ['members'],
      ]) {
        const r = await cli(...args);
        expect(r.code, args.join(' ')).to.equal(EXIT.USAGE);
        expect(r.stderr, args.join(' ')).to.match(/forgetrace: |Usage: /);
        expect(r.stderr).not.to.match(/\n\s+at /);
      }
    });
  });

  describe('commands', () => {
    it('finishes JOB-2 on DE-MILL-01 and shows it as finished', async () => {
      const out = await ok('jobs', 'finish', 'JOB-2', '--machine', 'DE-MILL-01');
      expect(out).to.equal('finished job JOB-2 (PO-1001.2 op 0 on DE-MILL-01): status finished\n');
      const finished = await json<{ id: string }[]>('jobs', 'list', '--status', 'finished');
      expect(finished.map((j) => j.id)).to.include('JOB-2');
      const again = await cli('jobs', 'finish', 'JOB-2', '--machine', 'DE-MILL-01');
      expect(again.code).to.equal(EXIT.FAILED);
      expect(again.stderr).to.match(/^forgetrace: 409 /);
    });

    it('creates an order from a spec file with an idempotency key (a retry is replayed)', async () => {
      const spec = join(dir, 'order.json');
      await writeFile(spec, JSON.stringify({ id: 'PO-CLI-1', spec: { name: 'CLI bracket', specHash: 'b'.repeat(64), material: 'al6061', parameters: {} }, operations: [{ process: 'milling', estimatedMinutes: 30 }], quantity: 1, dueDate: '2030-01-31T12:00:00Z' }));
      // Org1's admin may create orders (role admin); the key makes a retry safe.
      const first = await json<{ id: string; partIds: string[] }>('--profile', 'admin', 'orders', 'create', '--spec', spec, '--idempotency-key', 'cli-test-order-1');
      expect(first).to.include({ id: 'PO-CLI-1' });
      const replay = await json<{ id: string }>('--profile', 'admin', 'orders', 'create', '--spec', spec, '--idempotency-key', 'cli-test-order-1');
      expect(replay).to.deep.equal(first);
      const dup = await cli('--profile', 'admin', 'orders', 'create', '--spec', spec);
      expect(dup.code).to.equal(EXIT.FAILED);
    });

    it('runs a schedule with progress until done and shows it as a Gantt chart', async () => {
      const r = await cli('--profile', 'admin', 'schedules', 'run', '--orders', 'PO-1003', '--time-limit', '2', '--seed', '7');
      expect(r.code, r.stderr).to.equal(EXIT.OK);
      expect(r.stderr).to.match(/S-[0-9a-f]{12} \[█+\]\s+100%\s+generation \d+\s+best \d/);
      const id = /schedule:\s+(S-[0-9a-f]{12})/.exec(r.stdout)![1]!;
      const shown = await ok('schedules', 'show', id);
      expect(shown).to.match(/status:\s+done/);
      expect(shown).to.match(/DE-LATHE-01 \(Org1MSP\) │[·A]+│/);
      expect(shown).to.match(/\nA PO-1003\.1 op 0 turning/);
      const run = await json<{ status: string; gantt: unknown[] }>('schedules', 'show', id);
      expect(run.status).to.equal('done');
      expect(run.gantt).to.have.length(1);
      const accepted = await ok('--profile', 'admin', 'schedules', 'accept', id);
      expect(accepted).to.match(new RegExp(`^accepted schedule ${id}: anchor \\S+, jobs \\S+`));
      const jobs = await json<{ partId: string; machineId: string; status: string }[]>('jobs', 'list', '--part', 'PO-1003.1');
      expect(jobs).to.deep.include.members([{ ...jobs[0]!, partId: 'PO-1003.1', machineId: 'DE-LATHE-01', status: 'assigned' }]);
    });
  });

  describe('registrations and machine provenance', () => {
    it('registers a machine, records its provenance events from files, and lists them; bad input exits 2 or 1 with one line', async () => {
      const machine = join(dir, 'machine.json');
      await writeFile(machine, JSON.stringify({ id: 'DE-GRIND-09', manufacturer: 'Studer', model: 'S33', serial: 'SN-G9', capabilities: { processes: ['grinding'], materials: ['steel_316l'], toleranceMm: 0.002, envelopeMm: { x: 400, y: 200, z: 200 } } }));
      expect(await ok('machines', 'register', '--file', machine)).to.match(/^registered machine DE-GRIND-09 \(Studer S33\): registered/);
      expect(await ok('machines', 'record', 'DE-GRIND-09', 'commission')).to.match(/^recorded commission of machine DE-GRIND-09: status commissioned, 2 events/);
      const calibration = join(dir, 'calibration.json');
      await writeFile(calibration, JSON.stringify({ certificateHash: 'c'.repeat(64), laboratory: 'Accredited Lab 7', calibratedAt: '2026-11-01T00:00:00Z', dueAt: '2027-11-01T00:00:00Z' }));
      await ok('machines', 'record', 'DE-GRIND-09', 'calibration', '--file', calibration);
      const events = await json<{ type: string }[]>('machines', 'events', 'DE-GRIND-09');
      expect(events.map((e) => e.type)).to.deep.equal(['registered', 'commissioned', 'calibrated']);
      const unknown = await cli('machines', 'record', 'DE-GRIND-09', 'polish');
      expect(unknown.code).to.equal(EXIT.USAGE);
      expect(unknown.stderr).to.match(/unknown machine event "polish"; one of commission, calibration/);
      const again = await cli('machines', 'register', '--file', machine);
      expect(again.code).to.equal(EXIT.FAILED);
      expect(again.stderr).to.match(/^forgetrace: 409 /);
      await writeFile(join(dir, 'list.json'), '[]');
      const notObject = await cli('machines', 'register', '--file', join(dir, 'list.json'));
      expect(notObject.code).to.equal(EXIT.USAGE);
      expect(notObject.stderr).to.match(/must hold one JSON object \(the machine\)/);
    });

    it('admits a member as a consortium administrator, and refuses an operator', async () => {
      const member = join(dir, 'member.json');
      await writeFile(member, JSON.stringify({ mspId: 'Org5MSP', name: 'Logistics Partner BV', role: 'logistics', location: { site: 'Venlo hub', country: 'NL' } }));
      expect(await ok('--profile', 'admin', 'members', 'register', '--file', member)).to.match(/^registered member Org5MSP \(Logistics Partner BV, logistics\)/);
      const denied = await cli('members', 'register', '--file', member);
      expect(denied.code).to.equal(EXIT.FAILED);
      expect(denied.stderr).to.match(/^forgetrace: 403 /);
    });
  });

  describe('export and disclosure', () => {
    it('exports a part’s trace as EPCIS 2.0 JSON-LD to a file, every event carrying its hash as eventID', async () => {
      const file = join(dir, 'part.epcis.jsonld');
      const out = await json<{ events: number; kinds: string[] }>('export', 'epcis', 'PO-1001.1', '--out', file);
      expect(out.events).to.be.greaterThan(3);
      expect(out.kinds).to.include('ObjectEvent');
      const doc = JSON.parse(await readFile(file, 'utf8'));
      expect(doc.type).to.equal('EPCISDocument');
      expect(doc.epcisBody.eventList.every((e: { eventID: string }) => /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/.test(e.eventID))).to.equal(true);
      const missing = await cli('export', 'epcis', 'NO-SUCH-PART', '--out', file);
      expect(missing.code).to.equal(EXIT.FAILED);
      expect(missing.stderr).to.match(/^forgetrace: 404 NOT_FOUND: /);
    });

    it('refuses a disclosure from a member that is not the order’s buyer, and needs --fields or --private', async () => {
      const refused = await cli('--profile', 'admin', 'parts', 'disclose', 'PO-1001.1', '--fields', '/type,/at');
      expect(refused.code).to.equal(EXIT.FAILED);
      expect(refused.stderr).to.match(/403 FORBIDDEN: only the buyer of order PO-1001 \(Org3MSP\)/);
      const neither = await cli('--profile', 'admin', 'parts', 'disclose', 'PO-1001.1');
      expect(neither.code).to.equal(EXIT.USAGE);
      expect(neither.stderr).to.match(/give either --fields <pointers> or --private/);
    });
  });

  describe('verify', () => {
    const payloads = [{ kind: 'recommendation', n: 1 }, { kind: 'recommendation', n: 2 }, { kind: 'recommendation', n: 3 }];
    const leaves: OutboxLeaf[] = payloads.map((p, i) => recordLeaf(`00000000-0000-4000-8000-00000000000${i}`, p));
    const tree = StandardMerkleTree.of(leaves, [...LEAF_ENCODING]);
    const proofFile = (payload: unknown) => ({
      payload,
      proof: { recordId: leaves[1]![0], leaf: leaves[1], root: tree.root, proof: tree.getProof(1), anchorId: 'outbox-1', transactionId: 'tx-1', blockNumber: 9 },
      anchor: { id: 'outbox-1', merkleRoot: tree.root.slice(2) },
    });

    it('accepts a valid record proof (exit 0) and rejects a tampered one with the reason (exit 1)', async () => {
      const valid = join(dir, 'valid.json');
      const tampered = join(dir, 'tampered.json');
      await writeFile(valid, JSON.stringify(proofFile(payloads[1])));
      await writeFile(tampered, JSON.stringify(proofFile({ ...payloads[1], n: 20 })));
      expect(await ok('verify', valid)).to.match(/^valid: record 00000000-0000-4000-8000-000000000001 is covered by anchor outbox-1/);
      const bad = await cli('verify', tampered);
      expect(bad.code).to.equal(EXIT.FAILED);
      expect(bad.stdout).to.match(/^invalid: payload does not match the leaf: /);
      const badJson = await cli('--json', 'verify', tampered);
      expect(JSON.parse(badJson.stdout)).to.include({ valid: false, reason: 'payload does not match the leaf' });
      expect((await cli('verify', CLI)).code).to.equal(EXIT.USAGE);
    });

    it('fetches a part’s proof bundle and verifies it offline against a CA directory; tampering exits 1 with the reason', async () => {
      const file = join(dir, 'bundle.json');
      const fetched = await json<{ transactions: number }>('provenance', 'PO-1001.1', '--out', file);
      expect(fetched.transactions).to.be.greaterThan(5);
      const caDir = join(dir, 'cas');
      await mkdir(caDir);
      const config = demo.ledger.configBlock().data;
      if (config.kind !== 'config') throw new Error('expected the configuration');
      const orgs = [...config.config.organizations, ...(config.config.ordererOrganizations ?? [])];
      // One file with several certificates and one per organisation: both are read.
      await writeFile(join(caDir, 'all.pem'), orgs.slice(0, 2).flatMap((o) => o.rootCertificates).join(''));
      for (const o of orgs.slice(2)) await writeFile(join(caDir, `${o.mspId}.crt`), o.rootCertificates.join(''));
      expect(await ok('verify', file, '--ca', caDir)).to.match(/^valid: part PO-1001\.1: \d+ claims in \d+ signed transactions of \d+ blocks, 0 anchored records; complete as of block \d+/);
      const bundle = JSON.parse(await readFile(file, 'utf8'));
      bundle.trace.entries[0].mspId = 'Org9MSP';
      await writeFile(join(dir, 'tampered-bundle.json'), JSON.stringify(bundle));
      const bad = await cli('verify', join(dir, 'tampered-bundle.json'), '--ca', caDir);
      expect(bad.code).to.equal(EXIT.FAILED);
      expect(bad.stdout).to.match(/^invalid: tampered field at trace\.entries\[0\]: /);
      const noTrust = await cli('verify', file);
      expect(noTrust.code).to.equal(EXIT.USAGE);
      expect(noTrust.stderr).to.match(/give --ca <dir> or --pin <sha256>/);
      const emptyCa = join(dir, 'empty-ca');
      await mkdir(emptyCa);
      expect((await cli('verify', file, '--ca', emptyCa)).stderr).to.match(/no PEM certificate in/);
      const stranger = await createDevOrganization('Org1MSP');
      const strangerDir = join(dir, 'stranger-ca');
      await mkdir(strangerDir);
      await writeFile(join(strangerDir, 'ca.pem'), stranger.caCertificate);
      const foreign = await cli('--json', 'verify', file, '--ca', strangerDir);
      expect(foreign.code).to.equal(EXIT.FAILED);
      expect(JSON.parse(foreign.stdout)).to.include({ valid: false, reason: 'certificate not issued by a consortium CA' });
    });
  });
});
