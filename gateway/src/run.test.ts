import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiKeyHash } from './api/auth';
import { createDevOrganization } from './ledger/embedded/identity';
import { FileSystemWallet } from './wallet/wallet';

const RUN = join(__dirname, 'run.js');

interface Exited { code: number | null; stdout: string; stderr: string }

const children = new Set<import('node:child_process').ChildProcess>();

/** Start `node run.js` with `env`; resolves with the URL once it listens, or with the exit when it stops first. */
function startProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', RUN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<Exited>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  const listening = new Promise<string | undefined>((resolve) => {
    child.stdout.on('data', () => {
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(stdout);
      if (m) resolve(m[1]);
    });
    void exited.then(() => resolve(undefined));
  });
  return { child, exited, listening };
}

describe('gateway process (run.js): configuration, start, graceful stop', function () {
  this.timeout(60_000);
  let dir: string;
  let base: Record<string, unknown>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-run-'));
    const org1 = await createDevOrganization('Org1MSP');
    const org3 = await createDevOrganization('Org3MSP');
    await writeFile(join(dir, 'org1-ca.pem'), org1.caCertificate);
    await writeFile(join(dir, 'org3-ca.pem'), org3.caCertificate);
    const wallet = new FileSystemWallet(join(dir, 'wallet'));
    await wallet.put('admin', await org1.issueIdentity({ commonName: 'admin1', role: 'admin' }));
    await wallet.put('auditor', await org1.issueIdentity({ commonName: 'auditor1', role: 'auditor' }));
    base = {
      mspId: 'Org1MSP',
      http: { port: 0 },
      ledger: {
        kind: 'embedded', directory: join(dir, 'ledger'),
        organizations: [{ mspId: 'Org1MSP', role: 'factory', rootCertPath: join(dir, 'org1-ca.pem') }, { mspId: 'Org3MSP', role: 'buyer', rootCertPath: join(dir, 'org3-ca.pem') }],
      },
      wallet: join(dir, 'wallet'),
      index: { sqlitePath: join(dir, 'index.db') },
      auth: { users: [{ id: 'alice', role: 'admin', apiKeySha256: apiKeyHash('alice-key') }, { id: 'audrey', role: 'auditor', identity: 'auditor', apiKeySha256: apiKeyHash('audrey-key') }] },
    };
  });
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the configured member, writes through its ledger, and stops cleanly on SIGTERM', async () => {
    await writeFile(join(dir, 'config.json'), JSON.stringify(base));
    const p = startProcess({ FT_CONFIG: join(dir, 'config.json'), FT_LOG_LEVEL: 'info' });
    const url = await p.listening;
    expect(url, (await Promise.race([p.exited, Promise.resolve(undefined)]))?.stderr).to.be.a('string');
    expect((await fetch(`${url}/readyz`)).status).to.equal(200);
    const r = await fetch(`${url}/v1/consortium`, {
      method: 'POST', headers: { 'X-API-Key': 'alice-key', 'Content-Type': 'application/json', 'Idempotency-Key': 'run-test-consortium-1' },
      body: JSON.stringify({ name: 'Process test', adminMsps: ['Org1MSP'] }),
    });
    expect(r.status, await r.clone().text()).to.equal(201);
    const consortium = await fetch(`${url}/v1/consortium`, { headers: { 'X-API-Key': 'audrey-key' } });
    expect(await consortium.json()).to.include({ name: 'Process test' });
    const denied = await fetch(`${url}/v1/members`, { method: 'POST', headers: { 'X-API-Key': 'audrey-key', 'Content-Type': 'application/json', 'Idempotency-Key': 'run-test-member-1' }, body: '{}' });
    expect(denied.status).to.equal(403);
    p.child.kill('SIGTERM');
    const done = await p.exited;
    expect(done.code).to.equal(0);
    expect(done.stdout).to.match(/"msg":"stopped"/);
  });

  it('exits 2 and names every wrong setting', async () => {
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ ...base, auth: { users: [] }, ledger: { kind: 'fabric', peerEndpoint: 'no port', channel: 'Bad_Channel', chaincode: 'forgetrace' } }));
    const done = await startProcess({ FT_CONFIG: join(dir, 'bad.json'), FT_HTTP_PORT: 'eighty' }).exited;
    expect(done.code).to.equal(2);
    expect(done.stderr).to.match(/invalid gateway configuration/);
    expect(done.stderr).to.match(/http\.port: .*\(set by FT_HTTP_PORT or the config file\)/);
    expect(done.stderr).to.match(/ledger\.peerEndpoint: must be host:port/);
    expect(done.stderr).to.match(/ledger\.channel: must be a Fabric channel name/);
    expect(done.stderr).to.match(/auth\.users: must list at least one user/);
  });

  it('exits 2 when a standalone embedded ledger has no channel members, or a certificate file is missing', async () => {
    await writeFile(join(dir, 'noorgs.json'), JSON.stringify({ ...base, ledger: { kind: 'embedded', directory: join(dir, 'l2') } }));
    const a = await startProcess({ FT_CONFIG: join(dir, 'noorgs.json') }).exited;
    expect(a.code).to.equal(2);
    expect(a.stderr).to.match(/ledger\.organizations: a standalone embedded ledger needs its channel members/);
    await writeFile(join(dir, 'nocert.json'), JSON.stringify({ ...base, ledger: { kind: 'embedded', directory: join(dir, 'l3'), organizations: [{ mspId: 'Org1MSP', role: 'factory', rootCertPath: join(dir, 'missing.pem') }] } }));
    const b = await startProcess({ FT_CONFIG: join(dir, 'nocert.json') }).exited;
    expect(b.code).to.equal(2);
    expect(b.stderr).to.match(/ledger\.organizations\[0\]\.rootCertPath: cannot read .*missing\.pem: ENOENT/);
  });
});
