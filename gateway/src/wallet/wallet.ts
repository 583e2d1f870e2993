/**
 * Ledger identities held by a gateway, kept with fabric-network's Wallets API (file-system
 * wallet: one `<label>.id` file per identity, the format Fabric tooling writes), so a wallet
 * made by Fabric tools or by {@link enrollWithCa} is used as it is.
 */
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { Wallets, type Identity, type Wallet as FabricWallet, type X509Identity } from 'fabric-network';
import type { LedgerIdentity } from '../ledger/port';

/** What the gateway needs of a wallet. */
export interface Wallet {
  get(label: string): Promise<LedgerIdentity | undefined>;
  put(label: string, identity: LedgerIdentity): Promise<void>;
  list(): Promise<string[]>;
}

const LABEL = /^[A-Za-z0-9._@-]{1,64}$/;

function toLedgerIdentity(label: string, identity: Identity): LedgerIdentity {
  if (identity.type !== 'X.509') throw new Error(`wallet entry ${label} is a ${identity.type} identity; the gateway needs X.509 identities`);
  const x509 = identity as X509Identity;
  return { mspId: x509.mspId, certificate: x509.credentials.certificate, privateKey: x509.credentials.privateKey };
}

function toX509(identity: LedgerIdentity): X509Identity {
  return { type: 'X.509', mspId: identity.mspId, credentials: { certificate: identity.certificate, privateKey: identity.privateKey } };
}

/** A fabric-network wallet behind the gateway's {@link Wallet} interface; labels are checked first. */
class FabricBackedWallet implements Wallet {
  constructor(private readonly inner: Promise<FabricWallet>, private readonly afterPut: (label: string) => Promise<void> = async () => undefined) {}

  async get(label: string): Promise<LedgerIdentity | undefined> {
    if (!LABEL.test(label)) return undefined;
    const identity = await (await this.inner).get(label);
    return identity ? toLedgerIdentity(label, identity) : undefined;
  }

  async put(label: string, identity: LedgerIdentity): Promise<void> {
    if (!LABEL.test(label)) throw new Error(`wallet label ${JSON.stringify(label)} is not allowed: use 1-64 letters, digits, ".", "_", "@" or "-"`);
    await (await this.inner).put(label, toX509(identity));
    await this.afterPut(label);
  }

  async list(): Promise<string[]> {
    return (await (await this.inner).list()).sort();
  }
}

/** A wallet in a folder (fabric-network file-system wallet); identity files are made readable by the owner only. */
export class FileSystemWallet extends FabricBackedWallet {
  constructor(readonly directory: string) {
    super(Wallets.newFileSystemWallet(directory), (label) => chmod(join(directory, `${label}.id`), 0o600));
  }
}

/** A wallet in memory (tests, the demo). */
export class InMemoryWallet extends FabricBackedWallet {
  constructor() {
    super(Wallets.newInMemoryWallet());
  }
}
