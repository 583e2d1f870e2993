/**
 * Identities from a real Fabric CA (fabric-ca-server v1.5.21, built by
 * `network/install-binaries.sh ca`): register and enrol users with fabric-ca-client, keep them
 * in a fabric-network file-system wallet, and use them on a ledger whose channel trusts that CA.
 * Run by `npm run test:e2e`.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EmbeddedLedger } from '../ledger/embedded/embedded-ledger';
import { createDevOrganization } from '../ledger/embedded/identity';
import { LedgerError, type LedgerIdentity } from '../ledger/port';
import { CaError, ensureEnrolled, enrollWithCa, registerWithCa, type CaConnection } from './enroll';
import { FileSystemWallet } from './wallet';
import { freePort } from '../common/testing/free-port';

const BIN = process.env.FABRIC_BIN ?? join(__dirname, '..', '..', '..', '.fabric', 'bin');

async function waitForCa(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`fabric-ca-server exited with ${child.exitCode}:\n${log()}`);
    try {
      const r = await fetch(`${url}/cainfo`);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`fabric-ca-server did not answer on ${url} within 15 s:\n${log()}`);
}

describe('identities from a real Fabric CA (fabric-ca-server)', function () {
  this.timeout(60_000);
  let home: string;
  let ca: ChildProcess;
  let output = '';
  let conn: CaConnection;
  let registrar: LedgerIdentity;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'ft-ca-'));
    const port = await freePort();
    const opsPort = await freePort();
    ca = spawn(join(BIN, 'fabric-ca-server'), ['start', '-b', 'admin:adminpw', '--home', home, '--address', '127.0.0.1', '--port', String(port), '--ca.name', 'ca-org1', '--csr.cn', 'ca.org1.forgetrace.test'], {
      env: { ...process.env, FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS: `127.0.0.1:${opsPort}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    ca.stdout!.on('data', (d) => (output += d));
    ca.stderr!.on('data', (d) => (output += d));
    conn = { url: `http://127.0.0.1:${port}`, caName: 'ca-org1' };
    await waitForCa(conn.url, ca, () => output);
    registrar = await enrollWithCa(conn, 'Org1MSP', 'admin', 'adminpw');
  });

  after(async () => {
    if (ca && ca.exitCode === null) {
      const exited = new Promise((r) => ca.once('exit', r));
      ca.kill('SIGTERM');
      await exited;
    }
    await rm(home, { recursive: true, force: true });
  });

  it('enrols the bootstrap registrar with a key generated on our side and a certificate from the CA', async () => {
    expect(registrar.certificate).to.match(/^-----BEGIN CERTIFICATE-----/);
    expect(registrar.privateKey).to.match(/-----BEGIN (EC )?PRIVATE KEY-----/);
    const caCert = await readFile(join(home, 'ca-cert.pem'), 'utf8');
    expect(new X509Certificate(registrar.certificate).verify(new X509Certificate(caCert).publicKey)).to.equal(true);
  });

  it('registers users with a role attribute, enrols them into a file-system wallet once, and refuses a wrong secret', async () => {
    const secret = await registerWithCa(conn, registrar, { enrollmentId: 'op1', role: 'factory_operator' });
    expect(secret).to.be.a('string').and.have.length.greaterThan(5);
    const dir = await mkdtemp(join(tmpdir(), 'ft-ca-wallet-'));
    try {
      const wallet = new FileSystemWallet(dir);
      expect(await ensureEnrolled(wallet, conn, 'Org1MSP', [{ label: 'operator', enrollmentId: 'op1', enrollmentSecret: secret }])).to.deep.equal(['operator']);
      // Already in the wallet: a restart does not enrol again (which would also use up maxEnrollments).
      expect(await ensureEnrolled(wallet, conn, 'Org1MSP', [{ label: 'operator', enrollmentId: 'op1', enrollmentSecret: 'wrong' }])).to.deep.equal([]);
      expect((await stat(join(dir, 'operator.id'))).mode & 0o777).to.equal(0o600);
      const id = await wallet.get('operator');
      expect(id?.mspId).to.equal('Org1MSP');
        // Fabric CA writes ecert attributes as JSON in extension 1.2.3.4.5.6.7.8.1.
      expect(Buffer.from(new X509Certificate(id!.certificate).raw).toString('latin1')).to.contain('"role":"factory_operator"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    let err: unknown;
    try {
      await enrollWithCa(conn, 'Org1MSP', 'op1', 'not-the-secret');
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(CaError);
    expect((err as Error).message).to.match(/enrolling op1 at http:\/\/127\.0\.0\.1:\d+ \(ca-org1\) failed: .*Authentication failure/);
    let dup: unknown;
    try {
      await registerWithCa(conn, registrar, { enrollmentId: 'op1', role: 'factory_operator' });
    } catch (e) {
      dup = e;
    }
    expect((dup as Error).message).to.match(/registering op1 .* failed: .*already registered/i);
  });

  it('the chaincode accepts CA-issued identities by their role attribute and denies the others', async () => {
    const caCert = await readFile(join(home, 'ca-cert.pem'), 'utf8');
    const users: Record<string, LedgerIdentity> = {};
    for (const [name, role] of [['boss', 'admin'], ['op2', 'factory_operator'], ['norole', undefined]] as const) {
      const secret = await registerWithCa(conn, registrar, { enrollmentId: name, ...(role ? { role } : {}) });
      users[name] = await enrollWithCa(conn, 'Org1MSP', name, secret);
    }
    const dir = await mkdtemp(join(tmpdir(), 'ft-ca-ledger-'));
    const ledger = await EmbeddedLedger.open({
      directory: dir,
      chaincodePath: dirname(require.resolve('@forgetrace/chaincode/package.json')),
      organizations: [{ mspId: 'Org1MSP', rootCertificates: [caCert] }],
    });
    try {
      const init = JSON.stringify({ name: 'CA test consortium', adminMsps: ['Org1MSP'] });
      const denied = async (who: LedgerIdentity): Promise<LedgerError> => {
        try {
          await ledger.submit(who, 'registry:InitConsortium', [init]);
        } catch (e) {
          return e as LedgerError;
        }
        throw new Error('expected a rejection');
      };
      const asOperator = await denied(users.op2!);
      expect(asOperator.code).to.equal('ACCESS_DENIED');
      expect(asOperator.message).to.match(/needs role admin; caller from Org1MSP has factory_operator/);
      expect((await denied(users.norole!)).message).to.match(/has no role/);
      const r = await ledger.submit(users.boss!, 'registry:InitConsortium', [init]);
      expect(JSON.parse(Buffer.from(r.result).toString('utf8'))).to.include({ name: 'CA test consortium' });
      // A certificate from another CA claiming Org1MSP is refused before the chaincode runs.
      const impostor = await (await createDevOrganization('Org1MSP')).issueIdentity({ commonName: 'mallory', role: 'admin' });
      const e = await denied(impostor);
      expect(e.code).to.equal('INVALID_CREATOR');
    } finally {
      await ledger.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
