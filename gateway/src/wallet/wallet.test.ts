import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveIdentities } from '../api/auth';
import { createDevOrganization } from '../ledger/embedded/identity';
import { FileSystemWallet, InMemoryWallet } from './wallet';

describe('wallets', () => {
  it('stores identities in fabric-network’s file format, private keys 0600', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ft-wallet-'));
    try {
      const org = await createDevOrganization('Org1MSP');
      const id = await org.issueIdentity({ commonName: 'op', role: 'factory_operator' });
      const wallet = new FileSystemWallet(dir);
      await wallet.put('operator', id);
      const file = JSON.parse(await readFile(join(dir, 'operator.id'), 'utf8'));
      expect(file).to.include({ mspId: 'Org1MSP', type: 'X.509', version: 1 });
      expect(file.credentials.certificate).to.equal(id.certificate);
      expect((await stat(join(dir, 'operator.id'))).mode & 0o777).to.equal(0o600);
      expect(await wallet.get('operator')).to.deep.equal(id);
      expect(await wallet.get('nobody')).to.equal(undefined);
      expect(await wallet.get('../etc/passwd')).to.equal(undefined);
      expect(await wallet.list()).to.deep.equal(['operator']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to serve a user whose identity is missing or belongs to another organisation', async () => {
    const wallet = new InMemoryWallet();
    await wallet.put('buyer', await (await createDevOrganization('Org3MSP')).issueIdentity({ commonName: 'b', role: 'buyer' }));
    let message = '';
    try {
      await resolveIdentities({ mspId: 'Org1MSP', wallet, users: [{ id: 'b', role: 'buyer' }, { id: 'a', role: 'admin' }] });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).to.match(/user b: identity "buyer" belongs to Org3MSP, not Org1MSP/);
    expect(message).to.match(/user a: wallet has no identity "admin"/);
  });
});
