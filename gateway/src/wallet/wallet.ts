/**
 * Ledger identities held by a gateway, in fabric-network's file-system wallet format
 * (`<label>.id`: `{"credentials":{"certificate","privateKey"},"mspId","type":"X.509","version":1}`),
 * so a wallet written by Fabric tooling can be used as it is.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LedgerIdentity } from '../ledger/port';

export interface Wallet {
  get(label: string): Promise<LedgerIdentity | undefined>;
  put(label: string, identity: LedgerIdentity): Promise<void>;
  list(): Promise<string[]>;
}

interface IdFile {
  credentials: { certificate: string; privateKey: string };
  mspId: string;
  type: 'X.509';
  version: 1;
}

const LABEL = /^[A-Za-z0-9._@-]{1,64}$/;

/** A wallet in a folder, one `<label>.id` file per identity (private keys written 0600). */
export class FileSystemWallet implements Wallet {
  constructor(readonly directory: string) {}

  async get(label: string): Promise<LedgerIdentity | undefined> {
    if (!LABEL.test(label)) return undefined;
    let text: string;
    try {
      text = await readFile(join(this.directory, `${label}.id`), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const file = JSON.parse(text) as IdFile;
    if (file.type !== 'X.509' || !file.credentials?.certificate || !file.credentials?.privateKey || !file.mspId) {
      throw new Error(`wallet entry ${label} is not an X.509 identity`);
    }
    return { mspId: file.mspId, certificate: file.credentials.certificate, privateKey: file.credentials.privateKey };
  }

  async put(label: string, identity: LedgerIdentity): Promise<void> {
    if (!LABEL.test(label)) throw new Error(`wallet label ${JSON.stringify(label)} is not allowed`);
    await mkdir(this.directory, { recursive: true });
    const file: IdFile = { credentials: { certificate: identity.certificate, privateKey: identity.privateKey }, mspId: identity.mspId, type: 'X.509', version: 1 };
    await writeFile(join(this.directory, `${label}.id`), JSON.stringify(file), { mode: 0o600 });
  }

  async list(): Promise<string[]> {
    try {
      return (await readdir(this.directory)).filter((f) => f.endsWith('.id')).map((f) => f.slice(0, -3)).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }
}

/** A wallet in memory (tests, the demo). */
export class InMemoryWallet implements Wallet {
  private readonly entries = new Map<string, LedgerIdentity>();
  async get(label: string): Promise<LedgerIdentity | undefined> {
    return this.entries.get(label);
  }
  async put(label: string, identity: LedgerIdentity): Promise<void> {
    this.entries.set(label, identity);
  }
  async list(): Promise<string[]> {
    return [...this.entries.keys()].sort();
  }
}
