/** Shared fixtures for the embedded ledger's tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LedgerIdentity } from '../../port';
import { EmbeddedLedger, type EmbeddedLedgerOptions } from '../embedded-ledger';
import { createDevOrganization, type DevOrganization } from '../identity';

/** Directory of the probe chaincode package (its package.json points into dist). */
export const PROBE_CHAINCODE = join(__dirname, '../../../../src/ledger/embedded/testdata/probe-chaincode');

export interface Fixture {
  readonly org1: DevOrganization;
  readonly org2: DevOrganization;
  readonly org3: DevOrganization;
  readonly alice: LedgerIdentity; // Org1 admin
  readonly bob: LedgerIdentity; // Org2 operator
  readonly carol: LedgerIdentity; // Org3, no role
}

let fixture: Promise<Fixture> | undefined;

/** Three organisations and one identity each (created once per test run). */
export function orgs(): Promise<Fixture> {
  fixture ??= (async () => {
    const [org1, org2, org3] = await Promise.all([createDevOrganization('Org1MSP'), createDevOrganization('Org2MSP'), createDevOrganization('Org3MSP')]);
    return {
      org1,
      org2,
      org3,
      alice: await org1.issueIdentity({ commonName: 'alice', role: 'admin' }),
      bob: await org2.issueIdentity({ commonName: 'bob', role: 'operator' }),
      carol: await org3.issueIdentity({ commonName: 'carol' }),
    };
  })();
  return fixture;
}

export const COLLECTIONS = [
  { name: 'c12', policy: "OR('Org1MSP.member', 'Org2MSP.member')", requiredPeerCount: 0, maxPeerCount: 1, blockToLive: 0, memberOnlyRead: false, memberOnlyWrite: false },
  { name: 'c1only', policy: "OR('Org1MSP.member')", requiredPeerCount: 0, maxPeerCount: 1, blockToLive: 0, memberOnlyRead: true, memberOnlyWrite: true },
];

const dirs: string[] = [];

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'embedded-ledger-'));
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Open a ledger with the probe chaincode, the three orgs and the test collections. */
export async function openLedger(overrides: Partial<EmbeddedLedgerOptions> = {}): Promise<EmbeddedLedger> {
  const f = await orgs();
  return EmbeddedLedger.open({
    directory: overrides.directory ?? tempDir(),
    chaincodePath: PROBE_CHAINCODE,
    organizations: [f.org1.organization, f.org2.organization, f.org3.organization],
    collections: COLLECTIONS,
    fsync: false,
    ...overrides,
  });
}

export const utf8 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
