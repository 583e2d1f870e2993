import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

const base = { mspId: 'Org1MSP', ledger: { kind: 'embedded', directory: '/tmp/l' }, wallet: '/tmp/w', auth: { users: [{ id: 'ops', role: 'factory_operator', apiKeySha256: 'a'.repeat(64) }] } };

function problems(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('gateway configuration', () => {
  it('fills defaults', () => {
    const c = loadConfig({}, base);
    expect(c.http).to.include({ host: '127.0.0.1', port: 8080, bodyLimit: '256kb' });
    expect(c.index.sqlitePath).to.equal(':memory:');
  });

  it('lets FT_* variables override the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ft-config-'));
    try {
      await writeFile(join(dir, 'gw.json'), JSON.stringify(base));
      const c = loadConfig({ FT_CONFIG: join(dir, 'gw.json'), FT_HTTP_PORT: '9999', FT_MSP_ID: 'Org2MSP' });
      expect(c.http.port).to.equal(9999);
      expect(c.mspId).to.equal('Org2MSP');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports every wrong setting with its name and reason', () => {
    const p = problems(() => loadConfig({ FT_HTTP_PORT: '99999', FT_JWT_SECRET: 'short' }, { ...base, mspId: 'org 1' }));
    expect(p.some((l) => l.startsWith('mspId: must be an MSP ID'))).to.equal(true);
    expect(p.some((l) => l.startsWith('http.port:') && l.includes('FT_HTTP_PORT'))).to.equal(true);
    expect(p.some((l) => l.startsWith('auth.jwtSecret: must be at least 32 characters'))).to.equal(true);
  });

  it('refuses an unreadable config file and unknown settings', () => {
    expect(problems(() => loadConfig({ FT_CONFIG: '/nonexistent/gw.json' }))[0]).to.match(/^FT_CONFIG \(\/nonexistent\/gw.json\): /);
    expect(problems(() => loadConfig({}, { ...base, colour: 'red' }))[0]).to.match(/colour/);
    expect(problems(() => loadConfig({}, { ...base, auth: { users: [] } }))[0]).to.equal('auth.users: must list at least one user');
  });
});
