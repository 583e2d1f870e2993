/**
 * The conformance harness: one ledger behind the LedgerPort, a demo consortium of four
 * organisations, and identities with each role. The backend is chosen by FT_LEDGER:
 * `embedded` (default, a fresh embedded ledger in a temporary folder), `fabric-adapter` (the
 * Fabric adapter, FabricLedger, driving a test double of fabric-gateway's client API that is
 * backed by an embedded ledger: checks the adapter's mapping, not Fabric) or `fabric`
 * (a running network/ Fabric network; added by the network issue, blocked).
 *
 * Tests never assume an empty ledger: every id they create carries a run-unique suffix,
 * so the same suite runs against a long-lived Fabric channel.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildCollectionsConfig, parseChaincodeError } from '@forgetrace/chaincode/api';
import { createDevOrganization, createGatewayDouble, EmbeddedLedger, FabricLedger, LedgerError, type LedgerIdentity, type LedgerPort, type ProposalOptions } from '@forgetrace/gateway/ledger';

/** The demo consortium's organisations and their kinds. */
export const ORGS = [
  { mspId: 'Org1MSP', role: 'factory', name: 'Precision Parts GmbH', country: 'DE' },
  { mspId: 'Org2MSP', role: 'factory', name: 'Additive Works Srl', country: 'IT' },
  { mspId: 'Org3MSP', role: 'buyer', name: 'AeroBuyer SA', country: 'FR' },
  { mspId: 'Org4MSP', role: 'auditor', name: 'TraceAudit BV', country: 'NL' },
] as const;

export interface Identities {
  /** Org1 (factory, consortium admin org) with role admin. */
  readonly admin1: LedgerIdentity;
  readonly operator1: LedgerIdentity;
  readonly admin2: LedgerIdentity;
  readonly operator2: LedgerIdentity;
  /** Org3 (buyer). */
  readonly buyer: LedgerIdentity;
  readonly admin3: LedgerIdentity;
  /** Org4 (auditor). */
  readonly auditor: LedgerIdentity;
  /** Org1 user whose certificate carries no role attribute. */
  readonly noRole1: LedgerIdentity;
  /** Org1 user with role auditor (a role that may not write). */
  readonly auditor1: LedgerIdentity;
}

export interface Harness {
  readonly backend: 'embedded' | 'fabric-adapter' | 'fabric';
  readonly ledger: LedgerPort;
  readonly ids: Identities;
  /** Run-unique suffix for ids. */
  readonly run: string;
  /** The embedded ledger itself (undefined on Fabric), for tests of embedded-only behaviour. */
  readonly embedded?: EmbeddedLedger;
  /** Reopen the embedded ledger from disk (embedded only). */
  reopen?(): Promise<void>;
  close(): Promise<void>;
}

/** Package folder of the compiled chaincode (what a peer installs). */
export const CHAINCODE_PATH = dirname(require.resolve('@forgetrace/chaincode/package.json'));

export async function openHarness(): Promise<Harness> {
  const backend = (process.env.FT_LEDGER ?? 'embedded') as Harness['backend'];
  if (backend !== 'embedded' && backend !== 'fabric-adapter') throw new Error(`FT_LEDGER=${backend}: only the embedded and fabric-adapter backends are available in this build`);
  const orgs = await Promise.all(ORGS.map((o) => createDevOrganization(o.mspId)));
  const [o1, o2, o3, o4] = orgs as [typeof orgs[0], typeof orgs[0], typeof orgs[0], typeof orgs[0]];
  const ids: Identities = {
    admin1: await o1.issueIdentity({ commonName: 'admin1', role: 'admin' }),
    operator1: await o1.issueIdentity({ commonName: 'operator1', role: 'factory_operator' }),
    admin2: await o2.issueIdentity({ commonName: 'admin2', role: 'admin' }),
    operator2: await o2.issueIdentity({ commonName: 'operator2', role: 'factory_operator' }),
    buyer: await o3.issueIdentity({ commonName: 'buyer3', role: 'buyer' }),
    admin3: await o3.issueIdentity({ commonName: 'admin3', role: 'admin' }),
    auditor: await o4.issueIdentity({ commonName: 'auditor4', role: 'auditor' }),
    noRole1: await o1.issueIdentity({ commonName: 'plain1' }),
    auditor1: await o1.issueIdentity({ commonName: 'auditor1', role: 'auditor' }),
  };
  const directory = await mkdtemp(join(tmpdir(), 'forgetrace-conformance-'));
  const options = {
    directory,
    chaincodePath: CHAINCODE_PATH,
    channelName: 'forgetrace',
    organizations: orgs.map((o) => o.organization),
    collections: buildCollectionsConfig(ORGS),
  };
  let ledger = await EmbeddedLedger.open(options);
  const adapter = (): FabricLedger => new FabricLedger({
    peerEndpoint: 'peer0.org1.test:7051', channel: 'forgetrace', chaincode: 'forgetrace', readIdentity: ids.admin1,
    connect: createGatewayDouble(ledger, Object.values(ids)).connect,
  });
  let port: LedgerPort = backend === 'fabric-adapter' ? adapter() : ledger;
  const harness: Harness = {
    backend,
    get ledger() {
      return port;
    },
    get embedded() {
      return ledger;
    },
    ids,
    run: randomBytes(4).toString('hex'),
    async reopen() {
      if (port !== ledger) await port.close();
      await ledger.close();
      ledger = await EmbeddedLedger.open(options);
      port = backend === 'fabric-adapter' ? adapter() : ledger;
    },
    async close() {
      if (port !== ledger) await port.close();
      await ledger.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Submit and parse the JSON result. */
export async function submit<T = any>(h: Harness, who: LedgerIdentity, tx: string, args: unknown[], options?: ProposalOptions): Promise<T> {
  const result = await h.ledger.submit(who, tx, args.map(arg), options);
  return JSON.parse(Buffer.from(result.result).toString('utf8')) as T;
}

/** Evaluate and parse the JSON result. */
export async function evaluate<T = any>(h: Harness, who: LedgerIdentity, tx: string, args: unknown[], options?: ProposalOptions): Promise<T> {
  const result = await h.ledger.evaluate(who, tx, args.map(arg), options);
  return JSON.parse(Buffer.from(result).toString('utf8')) as T;
}

function arg(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Await a rejection and return the LedgerError; fails when the call succeeds or fails otherwise. */
export async function rejected(promise: Promise<unknown>): Promise<LedgerError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof LedgerError) return e;
    throw new Error(`expected a LedgerError, got ${String(e)}`);
  }
  throw new Error('expected a rejection, but the call succeeded');
}

/** Await a chaincode rejection with `code` and return its details. */
export async function rejectedWith(promise: Promise<unknown>, code: string): Promise<LedgerError> {
  const err = await rejected(promise);
  if (err.code !== code) throw new Error(`expected ${code}, got ${err.kind}/${err.code}: ${err.message}`);
  return err;
}

export { parseChaincodeError };
