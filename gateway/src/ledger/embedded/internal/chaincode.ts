/**
 * Loading a chaincode package exactly as `fabric-chaincode-node start` does (package.json
 * `main`, optional META-INF/metadata.json), and running it with fabric-shim's own stub.
 */
import type { peer } from '@hyperledger/fabric-protos';
import type { Proposal } from './proposal';
import type { TxSimulator } from './simulator';

interface TimestampMessage {
  setSeconds(value: number): void;
  setNanos(value: number): void;
}
const { Timestamp } = require('google-protobuf/google/protobuf/timestamp_pb') as { Timestamp: new () => TimestampMessage };

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
  input: { getArgsList_asU8(): Uint8Array[] },
  signedProposal: peer.SignedProposal | undefined,
) => ShimStub;

type EmbeddedStubConstructor = new (handler: TxSimulator, channelId: string, proposal: Proposal, peerMspId: string) => ShimStub;

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
  readonly EmbeddedStub: EmbeddedStubConstructor;
  readonly loggers: readonly LoggerModule[];
}

let shim: ShimModules | undefined;
const MUTED_METHODS = ['error', 'warn', 'info', 'verbose', 'debug', 'silly', 'log'] as const;
const noop = (): void => undefined;
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
      // A silent winston logger still formats every message through its transform
      // streams; when muted, the level methods do nothing at all.
      if (muted) for (const method of MUTED_METHODS) (logger as unknown as Record<string, unknown>)[method] = noop;
      return logger;
    };
  }
  memoizeCertificateParsing();
  cacheParameterValidators();
  const Bootstrap = require('fabric-shim/lib/contract-spi/bootstrap') as ShimModules['Bootstrap'];
  const ChaincodeFromContract = require('fabric-shim/lib/contract-spi/chaincodefromcontract') as ShimModules['ChaincodeFromContract'];
  const ShimChaincodeStub = require('fabric-shim/lib/stub') as StubConstructor;
  for (const e of events) {
    for (const listener of process.listeners(e as 'unhandledRejection')) {
      if (!before.get(e)!.has(listener)) process.removeListener(e, listener);
    }
  }
  /**
   * fabric-shim's stub, given the proposal's fields directly instead of decoding a
   * SignedProposal protobuf (built only if chaincode calls getSignedProposal/getBinding),
   * with `getMspID()` answering for the simulated endorsing peer.
   */
  class EmbeddedStub extends ShimChaincodeStub {
    private readonly source: Proposal;
    private readonly peerMsp: string;
    private readonly simulator: TxSimulator;
    private decoded: { signedProposal: unknown; binding: string } | undefined;
    constructor(handler: TxSimulator, channelId: string, proposal: Proposal, peerMspId: string) {
      super(handler, channelId, proposal.txId, { getArgsList_asU8: () => [...proposal.args] }, undefined);
      this.source = proposal;
      this.simulator = handler;
      this.peerMsp = peerMspId;
      const self = this as unknown as { creator: unknown; transientMap: Map<string, Buffer>; txTimestamp: unknown };
      self.creator = { mspid: proposal.creator.mspid, idBytes: proposal.creator.idBytes };
      self.transientMap = new Map([...proposal.transient].map(([k, v]) => [k, Buffer.from(v)]));
      const ts = new Timestamp();
      ts.setSeconds(proposal.timestamp.seconds);
      ts.setNanos(proposal.timestamp.nanos);
      self.txTimestamp = ts;
    }
    getMspID(): string {
      return this.peerMsp;
    }
    getSignedProposal(): unknown {
      return this.decode().signedProposal;
    }
    getBinding(): string {
      return this.decode().binding;
    }
    private decode(): { signedProposal: unknown; binding: string } {
      if (!this.decoded) {
        // Let the shim decode the protobuf exactly as on a peer.
        const full = new ShimChaincodeStub(this.simulator, this.source.channelName, this.source.txId, { getArgsList_asU8: () => [...this.source.args] }, this.source.signedProposal()) as unknown as { signedProposal: unknown; binding: string };
        this.decoded = { signedProposal: full.signedProposal, binding: full.binding };
      }
      return this.decoded;
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
interface ParamSpec { readonly schema: { readonly type?: string; readonly $ref?: string } }
interface Marshall {
  readonly ajv: { compile(schema: unknown): ((data: unknown) => boolean) };
  readonly components: unknown;
  fromWireBuffer(data: Buffer, schema: unknown, loggerPrefix: string): { value: unknown; validateData: unknown };
  handleParameters(fn: { parameters?: ParamSpec[] }, parameters: Buffer[], loggerPrefix: string): unknown[];
}

/**
 * fabric-shim's DataMarshall re-compiles each parameter's JSON schema (ajv keys its cache by
 * a stable stringify of the schema) and formats debug messages on every call, whatever the
 * log level. This keeps its exact checks but compiles each parameter's validator once; any
 * call that would fail goes to the original method, so errors are the shim's own.
 */
function cacheParameterValidators(): void {
  const DataMarshall = require('fabric-shim/lib/contract-spi/datamarshall') as { prototype: Marshall };
  const original = DataMarshall.prototype.handleParameters;
  const compiled = new WeakMap<Marshall, WeakMap<ParamSpec, { schema: unknown; validate: (data: unknown) => boolean }>>();
  DataMarshall.prototype.handleParameters = function (this: Marshall, fn, parameters, loggerPrefix) {
    const expected = fn.parameters;
    if (!expected || expected.length !== parameters.length) return original.call(this, fn, parameters, loggerPrefix);
    let mine = compiled.get(this);
    if (!mine) compiled.set(this, (mine = new WeakMap()));
    const out: unknown[] = [];
    for (let i = 0; i < expected.length; i++) {
      const spec = expected[i]!;
      if (!spec.schema.type && !spec.schema.$ref) return original.call(this, fn, parameters, loggerPrefix);
      let entry = mine.get(spec);
      if (!entry) {
        const schema = { properties: { prop: spec.schema }, components: { schemas: this.components } };
        entry = { schema, validate: this.ajv.compile(schema) };
        mine.set(spec, entry);
      }
      const { value, validateData } = this.fromWireBuffer(parameters[i]!, entry.schema, loggerPrefix);
      if (!entry.validate({ prop: validateData })) return original.call(this, fn, parameters, loggerPrefix);
      out.push(value);
    }
    return out;
  };
}

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
  createStub(handler: TxSimulator, channelId: string, proposal: Proposal, peerMspId: string): ShimStub;
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
    createStub(handler, channelId, proposal, peerMspId) {
      return new EmbeddedStub(handler, channelId, proposal, peerMspId);
    },
  };
}
