/**
 * Loading a chaincode package exactly as `fabric-chaincode-node start` does (package.json
 * `main`, optional META-INF/metadata.json), and running it with fabric-shim's own stub.
 */
import type { peer } from '@hyperledger/fabric-protos';
import type { TxSimulator } from './simulator';

export interface ChaincodeResponse {
  status: number;
  message?: string;
  payload?: Uint8Array;
}

interface ChaincodeInstance {
  Invoke(stub: unknown): Promise<ChaincodeResponse>;
}

export interface ShimStub {
  chaincodeEvent?: { getEventName(): string; getPayload_asU8(): Uint8Array };
  getCreator(): { mspid: string; idBytes: Uint8Array };
}

type StubConstructor = new (
  handler: TxSimulator,
  channelId: string,
  txId: string,
  input: peer.ChaincodeInput,
  signedProposal: peer.SignedProposal,
) => ShimStub & { peerMspId?: string };

interface LoggerModule {
  setLevel(level: string): void;
  getLogger(name?: string): { silent?: boolean };
}

interface ShimModules {
  readonly Bootstrap: {
    getInfoFromContract(modulePath: string): { contracts: unknown[]; serializers: unknown; title: string; version: string };
    getMetadata(modulePath: string): Promise<unknown>;
  };
  readonly ChaincodeFromContract: new (contracts: unknown[], serializers: unknown, metadata: unknown, title: string, version: string) => ChaincodeInstance;
  readonly EmbeddedStub: StubConstructor;
  readonly loggers: readonly LoggerModule[];
}

let shim: ShimModules | undefined;
/** Whether the libraries' loggers are muted (winston formats every message before filtering by level). */
let muted = true;

/**
 * Require fabric-shim once. Its logger module installs process-wide `unhandledRejection`
 * and `uncaughtException` handlers that keep a chaincode process alive; in a gateway
 * process that would hide crashes, so handlers it adds are removed again. Its loggers take
 * their level from CORE_CHAINCODE_LOGGING_LEVEL when created, so that is set first.
 */
function shimModules(level: string): ShimModules {
  if (shim) return shim;
  const events = ['unhandledRejection', 'uncaughtException', 'uncaughtExceptionMonitor'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as 'unhandledRejection'))]));
  process.env.CORE_CHAINCODE_LOGGING_LEVEL = level;
  const loggers = [require('fabric-shim/lib/logger') as LoggerModule, require('fabric-contract-api/lib/logger') as LoggerModule];
  for (const loggerModule of loggers) {
    // Every logger of the libraries (and of chaincode using ctx.logging) comes from getLogger.
    const getLogger = loggerModule.getLogger.bind(loggerModule);
    loggerModule.getLogger = (name?: string) => {
      const logger = getLogger(name);
      logger.silent = muted;
      return logger;
    };
  }
  memoizeCertificateParsing();
  const Bootstrap = require('fabric-shim/lib/contract-spi/bootstrap') as ShimModules['Bootstrap'];
  const ChaincodeFromContract = require('fabric-shim/lib/contract-spi/chaincodefromcontract') as ShimModules['ChaincodeFromContract'];
  const ShimChaincodeStub = require('fabric-shim/lib/stub') as StubConstructor;
  for (const e of events) {
    for (const listener of process.listeners(e as 'unhandledRejection')) {
      if (!before.get(e)!.has(listener)) process.removeListener(e, listener);
    }
  }
  /** fabric-shim's stub, with `getMspID()` answering for the simulated endorsing peer. */
  class EmbeddedStub extends ShimChaincodeStub {
    override peerMspId = '';
    getMspID(): string {
      return this.peerMspId;
    }
  }
  shim = { Bootstrap, ChaincodeFromContract, EmbeddedStub, loggers };
  return shim;
}

/**
 * fabric-shim builds a `ClientIdentity` for every transaction and parses the creator
 * certificate with @fidm/x509 each time (~150 µs, the largest cost of a small
 * transaction). The parse is a pure function of the PEM text, so fabric-shim's copy of
 * `Certificate.fromPEM` is memoised (bounded); results are shared, read-only in practice.
 */
function memoizeCertificateParsing(): void {
  const fidmPath = require.resolve('@fidm/x509', { paths: [require.resolve('fabric-shim')] });
  const { Certificate } = require(fidmPath) as { Certificate: { fromPEM(data: string | Buffer): unknown } };
  const parse = Certificate.fromPEM.bind(Certificate);
  const cache = new Map<string, unknown>();
  const LIMIT = 1024;
  Certificate.fromPEM = (data: string | Buffer): unknown => {
    const key = typeof data === 'string' ? data : data.toString('latin1');
    let cert = cache.get(key);
    if (cert === undefined) {
      cert = parse(data);
      if (cache.size >= LIMIT) cache.delete(cache.keys().next().value!);
      cache.set(key, cert);
    }
    return cert;
  };
}

export interface LoadedChaincode {
  readonly name: string;
  readonly version: string;
  invoke(stub: ShimStub): Promise<ChaincodeResponse>;
  createStub(handler: TxSimulator, channelId: string, txId: string, input: peer.ChaincodeInput, signedProposal: peer.SignedProposal, peerMspId: string): ShimStub;
}

/**
 * Load the chaincode package at `modulePath`.
 * @param logLevel fabric-shim level name (DEBUG, INFO, WARNING, ERROR, CRITICAL); CRITICAL
 *   (the default) mutes the libraries' console output. Applies process-wide.
 */
export async function loadChaincode(modulePath: string, logLevel: string | undefined): Promise<LoadedChaincode> {
  const requested = (logLevel ?? process.env.CORE_CHAINCODE_LOGGING_LEVEL ?? 'CRITICAL').toUpperCase();
  // winston has no level above `error`: CRITICAL is `error` with the console transports muted.
  const level = requested === 'CRITICAL' || requested === 'FATAL' ? 'ERROR' : requested;
  muted = level !== requested;
  const { Bootstrap, ChaincodeFromContract, EmbeddedStub, loggers } = shimModules(level);
  const setLevels = (): void => {
    for (const logger of loggers) {
      logger.setLevel(level);
    }
    // setLevel stores the mapped winston level, which later getLogger calls do not understand.
    process.env.CORE_CHAINCODE_LOGGING_LEVEL = level;
  };
  setLevels();
  const { contracts, serializers, title, version } = Bootstrap.getInfoFromContract(modulePath);
  const metadata = await Bootstrap.getMetadata(modulePath);
  // The constructor appends the system contract to the array it is given.
  const chaincode = new ChaincodeFromContract([...contracts], serializers, metadata, title, version);
  setLevels(); // loggers created while loading the package
  return {
    name: title,
    version,
    invoke: (stub) => chaincode.Invoke(stub),
    createStub(handler, channelId, txId, input, signedProposal, peerMspId) {
      const stub = new EmbeddedStub(handler, channelId, txId, input, signedProposal);
      stub.peerMspId = peerMspId;
      return stub;
    },
  };
}
