/**
 * The embedded ledger: a **test double for Hyperledger Fabric** that runs the same
 * compiled chaincode package a peer runs, in-process, with Fabric's semantics —
 * committed-state reads, MVCC and phantom validation, ordered hash-chained blocks, key
 * history, UTF-8 key order, private data hashes, chaincode events, X.509 client
 * identities — and persists to disk. It is not a Fabric network: see README.md,
 * "Differences from Fabric".
 */
import {
  LedgerError,
  type EventReadOptions,
  type LedgerEvent,
  type LedgerIdentity,
  type LedgerPort,
  type ProposalOptions,
  type SubmitResult,
} from '../port';
import type { Block, BlockTransaction, ChannelConfig, KeyVersion, ReadWriteSet, ValidationCode } from './types';
import { LedgerCorruptedError } from './errors';
import { canonicalJson } from './internal/canonical';
import { loadChaincode, type ChaincodeResponse, type LoadedChaincode, type ShimStub } from './internal/chaincode';
import { parseChaincodeError } from '@forgetrace/chaincode/api';
import { resolveCollections, type CollectionConfig, type ResolvedCollection } from './internal/collections';
import { CommitGate } from './internal/commit-gate';
import { CryptoPool } from './internal/crypto-pool';
import { compareKeys } from './internal/keys';
import { blockHash, dataHash, LedgerFiles, rememberDigest, type PrivateRecord } from './internal/ledger-files';
import { CreatorError, MspRegistry, type OrganizationConfig } from './internal/msp';
import { buildProposal } from './internal/proposal';
import { sha256, TxSimulator, type CommittedState, type PrivateWrite, type PublicWrite, type SimulationResults } from './internal/simulator';
import { HistoryIndex, sameVersion, VersionedStore, type Version } from './internal/state';
import { createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { digestEndorsements, endorsedPayload, envelopePayload, transactionDigest, type EvidenceTransaction, type SignatureEvidence, type TransactionDigest } from '@forgetrace/verifier';

export type { CollectionConfig } from './internal/collections';
export type { OrganizationConfig } from './internal/msp';

/** How to open an {@link EmbeddedLedger}. */
export interface EmbeddedLedgerOptions {
  /** Directory for the block file, private data file and lock; created if missing. */
  readonly directory: string;
  /** Directory of the chaincode package (its package.json `main` is loaded, as the peer does). */
  readonly chaincodePath: string;
  /** Chaincode name as in the chaincode definition; defaults to the package name. */
  readonly chaincodeName?: string;
  /** Channel name; defaults to `forgetrace`. */
  readonly channelName?: string;
  /** Channel members: MSP ID and root CA certificates. */
  readonly organizations: readonly OrganizationConfig[];
  /** Private data collections (Fabric collections_config.json entries). */
  readonly collections?: readonly CollectionConfig[];
  /** Block cutting: `maxTxPerBlock` (default 500) and `batchTimeoutMs` (default 2). */
  readonly batch?: { readonly maxTxPerBlock?: number; readonly batchTimeoutMs?: number };
  /** Source of client-side transaction timestamps and of "now" for certificate validity. */
  readonly clock?: () => Date;
  /** fdatasync the files before a block counts as committed (default true). */
  readonly fsync?: boolean;
  /** Chaincode execution timeout per proposal in ms (Fabric's default is 30 s). */
  readonly executeTimeoutMs?: number;
  /** Sign and verify proposals in a worker thread (default true) to keep the event loop free. */
  readonly cryptoWorker?: boolean;
  /** fabric-shim log level (`DEBUG`, `INFO`, `WARNING`, `ERROR`, `CRITICAL`); default CRITICAL. */
  readonly chaincodeLogLevel?: string;
  /**
   * Sign what Fabric signs: with an orderer, blocks are format 2 (data hash over transaction
   * hashes) and signed by the orderer's identity, whose organisation joins the channel
   * configuration as an orderer organisation; each transaction carries its creator's certificate,
   * nonce and envelope signature, and the signatures of the endorsing organisations' `peers`.
   */
  readonly orderer?: { readonly organization: OrganizationConfig; readonly identity: LedgerIdentity };
  /** One peer identity per organisation, which signs that organisation's endorsements (with `orderer`). */
  readonly peers?: readonly LedgerIdentity[];
}

/** Where a committed transaction is. */
export interface TransactionLocation {
  readonly blockNumber: number;
  readonly index: number;
}

/** Options of {@link EmbeddedLedger.simulate}: fix what is otherwise random or clock-given. */
export interface SimulateOptions extends ProposalOptions {
  readonly transactionId?: string;
  readonly timestamp?: Date;
}

/** What a simulation (endorsement without ordering) produced. */
export interface SimulationResult {
  readonly transactionId: string;
  readonly response: { readonly status: number; readonly message: string; readonly payload: Uint8Array };
  /** Canonical read-write set (sorted, private data as hashes). */
  readonly readWriteSet: ReadWriteSet;
  readonly event: { readonly name: string; readonly payload: Uint8Array } | null;
}

/** One modification of a key, as `getHistoryForKey` reports it. */
export interface KeyModification {
  readonly txId: string;
  readonly blockNumber: number;
  readonly transactionIndex: number;
  readonly timestamp: { readonly seconds: number; readonly nanos: number };
  readonly isDelete: boolean;
  readonly value: Uint8Array;
}

const DEFAULT_CHANNEL = 'forgetrace';
const DEFAULT_MAX_TX = 500;
const DEFAULT_BATCH_TIMEOUT_MS = 2;
const DEFAULT_EXECUTE_TIMEOUT_MS = 30_000;

interface Endorsed {
  readonly txId: string;
  readonly nonce: Uint8Array;
  readonly certificate: string;
  /** Certificate, nonce and signatures of a signed ledger (set by submit before ordering). */
  evidence?: { readonly endorsements: SignatureEvidence[]; readonly signature: string; readonly digest: TransactionDigest };
  readonly timestamp: { readonly seconds: number; readonly nanos: number };
  readonly creator: { readonly mspId: string; readonly certificateHash: string };
  readonly endorsers: readonly string[];
  readonly fn: string;
  readonly args: readonly string[];
  readonly response: { readonly status: number; readonly message: string; readonly payload: Buffer };
  readonly results: SimulationResults;
  readonly rwset: ReadWriteSet;
  readonly event: { readonly name: string; readonly payload: Buffer } | null;
}

interface Pending {
  readonly tx: Endorsed;
  readonly resolve: (result: SubmitResult) => void;
  readonly reject: (error: Error) => void;
}

/** Writes of a transaction, from a live simulation or replayed from a block. */
interface TxEffects {
  readonly writes: ReadonlyMap<string, PublicWrite>;
  readonly metadataWrites: ReadonlyMap<string, ReadonlyMap<string, Buffer>>;
  readonly privateWrites: ReadonlyMap<string, ReadonlyMap<string, PrivateWrite>>;
}

interface Expiry {
  readonly collection: string;
  readonly key: string;
  readonly keyHash: string;
  readonly version: Version;
}

/**
 * An in-process Fabric channel with one chaincode, persisted to a directory.
 * A test double for Fabric, implementing {@link LedgerPort}.
 */
export class EmbeddedLedger implements LedgerPort {
  private readonly publicState = new VersionedStore();
  private readonly hashedState = new Map<string, VersionedStore>();
  private readonly privateState = new Map<string, VersionedStore>();
  private readonly history = new HistoryIndex();
  private readonly blocks: Block[] = [];
  private readonly blockEvents: LedgerEvent[][] = [];
  private readonly txIds = new Map<string, TransactionLocation>();
  private readonly expiries = new Map<number, Expiry[]>();
  private readonly gate = new CommitGate();
  private readonly queue: Pending[] = [];
  private readonly blockWaiters = new Set<() => void>();
  private readonly maxTxPerBlock: number;
  private readonly batchTimeoutMs: number;
  private readonly executeTimeoutMs: number;
  private readonly clock: () => Date;
  private collections = new Map<string, ResolvedCollection>();
  private readonly cryptoPool: CryptoPool | undefined;
  private msp: MspRegistry;
  private config: ChannelConfig | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private closing = false;
  private failure: Error | undefined;
  private inFlight = 0;
  /** Validated blocks (state already applied) waiting to be made durable, in order. */
  private readonly unwritten: Array<{ block: Block; privateRecord: PrivateRecord; batch: Pending[]; codes: ValidationCode[] }> = [];
  private writing = false;
  private readonly writesDone: Array<() => void> = [];
  private readonly drained = new Set<() => void>();
  private readonly orderer: { readonly organization: OrganizationConfig; readonly identity: LedgerIdentity; readonly key: KeyObject } | undefined;
  private readonly peers = new Map<string, LedgerIdentity>();

  private constructor(
    private readonly files: LedgerFiles,
    private readonly chaincode: LoadedChaincode,
    private readonly chaincodeName: string,
    private readonly channelName: string,
    options: EmbeddedLedgerOptions,
  ) {
    this.maxTxPerBlock = options.batch?.maxTxPerBlock ?? DEFAULT_MAX_TX;
    this.batchTimeoutMs = options.batch?.batchTimeoutMs ?? DEFAULT_BATCH_TIMEOUT_MS;
    this.executeTimeoutMs = options.executeTimeoutMs ?? DEFAULT_EXECUTE_TIMEOUT_MS;
    this.clock = options.clock ?? (() => new Date());
    if (!(this.maxTxPerBlock >= 1)) throw new Error('batch.maxTxPerBlock must be at least 1');
    this.cryptoPool = (options.cryptoWorker ?? true) ? new CryptoPool() : undefined;
    this.msp = new MspRegistry([], this.cryptoPool);
    if (options.orderer) this.orderer = { ...options.orderer, key: createPrivateKey(options.orderer.identity.privateKey) };
    for (const peer of options.peers ?? []) this.peers.set(peer.mspId, peer);
  }

  /**
   * Open (or create) a ledger in `options.directory`: load the chaincode, replay and verify
   * the block file, and write a genesis config block for a new ledger (or a config block
   * when organisations or collections changed).
   * @throws LedgerLockedError when the directory is already open.
   * @throws LedgerCorruptedError when a block or private data record fails verification.
   */
  static async open(options: EmbeddedLedgerOptions): Promise<EmbeddedLedger> {
    const chaincode = await loadChaincode(options.chaincodePath, options.chaincodeLogLevel);
    const files = LedgerFiles.open(options.directory, options.fsync ?? true);
    let ledger: EmbeddedLedger | undefined;
    try {
      ledger = new EmbeddedLedger(files, chaincode, options.chaincodeName ?? chaincode.name, options.channelName ?? DEFAULT_CHANNEL, options);
      ledger.replay();
      ledger.applyConfig(options);
      return ledger;
    } catch (err) {
      files.close();
      await ledger?.cryptoPool?.close();
      throw err;
    }
  }

  // ---- LedgerPort ---------------------------------------------------------------------

  /**
   * Endorse (simulate at committed state), order and commit a transaction.
   * @throws LedgerError `endorsement` with the chaincode's error code (or `CHAINCODE_ERROR`),
   *   `INVALID_CREATOR`, `UNKNOWN_ENDORSER`, `ENDORSEMENT_MISMATCH`, `DUPLICATE_TXID`, `TIMEOUT`.
   * @throws LedgerError `commit` with `MVCC_READ_CONFLICT` or `PHANTOM_READ_CONFLICT`.
   * @throws LedgerError `unavailable` (`LEDGER_CLOSED`, `LEDGER_FAILED`).
   */
  async submit(identity: LedgerIdentity, transaction: string, args: readonly string[], options: ProposalOptions = {}): Promise<SubmitResult> {
    this.assertAvailable();
    this.inFlight++;
    try {
      const tx = await this.endorse(identity, transaction, args, options, {});
      if (tx.response.status >= 400) throw rejection(tx);
      if (this.orderer) tx.evidence = await this.signTransaction(identity, tx);
      if (this.txIds.has(tx.txId)) throw new LedgerError('endorsement', 'DUPLICATE_TXID', `transaction ${tx.txId} was already committed`, tx.txId);
      if (this.closed) throw unavailable('LEDGER_CLOSED', 'the ledger is closed');
      if (this.failure) throw unavailable('LEDGER_FAILED', `the ledger stopped after a write failure: ${this.failure.message}`);
      return await new Promise<SubmitResult>((resolve, reject) => this.enqueue({ tx, resolve, reject }));
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const done of this.drained) done();
    }
  }

  /**
   * Run a transaction against committed state and return its payload; nothing is ordered.
   * @throws LedgerError `endorsement` as for {@link submit}; `unavailable` when closed.
   */
  async evaluate(identity: LedgerIdentity, transaction: string, args: readonly string[], options: ProposalOptions = {}): Promise<Uint8Array> {
    this.assertAvailable();
    const tx = await this.endorse(identity, transaction, args, options, {});
    if (tx.response.status >= 400) throw rejection(tx);
    return tx.response.payload;
  }

  /**
   * Chaincode events of valid transactions in block order from `startBlock` (default 0),
   * then live ones as blocks commit; ends when `signal` aborts or the ledger closes.
   */
  async *events(options: EventReadOptions = {}): AsyncIterable<LedgerEvent> {
    const signal = options.signal;
    let next = Math.max(0, options.startBlock ?? 0);
    while (!signal?.aborted) {
      while (next < this.blockEvents.length) {
        for (const event of this.blockEvents[next]!) {
          if (signal?.aborted) return;
          yield event;
        }
        next++;
      }
      if (this.closed || signal?.aborted) return;
      await this.nextBlock(signal);
    }
  }

  /** Number of committed blocks (the genesis block included). */
  async height(): Promise<number> {
    return this.blocks.length;
  }

  /** Commit what is queued, then release the files and the lock. Idempotent. */
  async close(): Promise<void> {
    if (this.closed || this.closing) return;
    this.closing = true;
    // Let in-flight submits reach the queue, then flush it.
    while (this.inFlight > 0 && !this.failure) {
      this.cut();
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.drained.delete(done);
          resolve();
        };
        this.drained.add(done);
        if (this.inFlight === 0) done();
      });
    }
    this.cut();
    while (this.writing || (this.unwritten.length > 0 && !this.failure)) {
      await new Promise<void>((resolve) => this.writesDone.push(resolve));
    }
    this.closed = true;
    await this.files.closeAsync();
    await this.cryptoPool?.close();
    for (const wake of this.blockWaiters) wake();
  }

  // ---- Inspection (tests, tools) ------------------------------------------------------

  /** Run a proposal without ordering it; for determinism checks across ledgers. */
  async simulate(identity: LedgerIdentity, transaction: string, args: readonly string[], options: SimulateOptions = {}): Promise<SimulationResult> {
    this.assertAvailable();
    const tx = await this.endorse(identity, transaction, args, options, { transactionId: options.transactionId, timestamp: options.timestamp });
    return { transactionId: tx.txId, response: tx.response, readWriteSet: tx.rwset, event: tx.event };
  }

  /** Block `number`, or undefined beyond the height. */
  getBlock(number: number): Block | undefined {
    return this.blocks[number];
  }

  /** Committed value and version of a public key. */
  getState(key: string): { readonly value: Uint8Array; readonly version: KeyVersion } | undefined {
    const entry = this.publicState.get(key);
    return entry ? { value: Buffer.from(entry.value), version: entry.version } : undefined;
  }

  /** Valid modifications of a public key, newest first (as Fabric 2.x `getHistoryForKey`). */
  getHistory(key: string): KeyModification[] {
    return [...this.history.get(key)].reverse().map((e) => ({
      txId: e.txId,
      blockNumber: e.blockNum,
      transactionIndex: e.txNum,
      timestamp: e.timestamp,
      isDelete: e.isDelete,
      value: Buffer.from(e.value),
    }));
  }

  /** Block and index of a committed transaction. */
  locateTransaction(txId: string): TransactionLocation | undefined {
    const at = this.txIds.get(txId);
    return at && at.blockNumber < this.blocks.length ? at : undefined;
  }

  /** The last configuration block (the one in force). */
  configBlock(): Block {
    for (let n = this.blocks.length - 1; n >= 0; n--) if (this.blocks[n]!.data.kind === 'config') return this.blocks[n]!;
    throw new Error('the ledger has no configuration block');
  }

  /** The channel configuration in force. */
  get channelConfig(): ChannelConfig {
    return this.config!;
  }

  // ---- Endorsement --------------------------------------------------------------------

  private async endorse(
    identity: LedgerIdentity,
    fn: string,
    args: readonly string[],
    options: ProposalOptions,
    fixed: { transactionId?: string | undefined; timestamp?: Date | undefined },
  ): Promise<Endorsed> {
    const now = this.clock();
    const transient = new Map<string, Uint8Array>();
    for (const [k, v] of Object.entries(options.transient ?? {})) transient.set(k, typeof v === 'string' ? Buffer.from(v) : Buffer.from(v));
    const proposal = await buildProposal({
      channelName: this.channelName,
      chaincodeName: this.chaincodeName,
      mspId: identity.mspId,
      certificate: identity.certificate,
      fn,
      args,
      transient,
      time: fixed.timestamp ?? now,
      transactionId: fixed.transactionId,
      nonce: fixed.transactionId === undefined ? undefined : Buffer.from(fixed.transactionId),
      sign: (bytes) => this.signAs(identity, bytes),
    });
    const txId = proposal.txId;
    const chosen = options.endorsingOrganizations && options.endorsingOrganizations.length > 0;
    const endorsers = chosen ? [...options.endorsingOrganizations] : [identity.mspId];
    for (const org of endorsers) {
      if (this.msp.has(org)) continue;
      if (!chosen) throw new LedgerError('endorsement', 'INVALID_CREATOR', `access denied: creator is not valid: MSP ${org} is not a member of this channel`, txId);
      throw new LedgerError('endorsement', 'UNKNOWN_ENDORSER', `no peer of ${org} is a member of channel ${this.channelName}`, txId);
    }

    // Peer side: decode the proposal, check the creator and the signature before running anything.
    const firstSimulator = new TxSimulator(this.committed(), txId, endorsers[0]!, identity.mspId);
    const firstStub = this.chaincode.createStub(firstSimulator, this.channelName, proposal, endorsers[0]!);
    const creator = firstStub.getCreator();
    let certificateHash: string;
    try {
      const verified = this.msp.verifyCreator(creator.mspid, Buffer.from(creator.idBytes).toString('utf8'), now);
      await this.msp.verifySignature(verified, proposal.signedBytes, proposal.signature);
      certificateHash = verified.hash;
    } catch (err) {
      if (err instanceof CreatorError) throw new LedgerError('endorsement', 'INVALID_CREATOR', `access denied: creator is not valid: ${err.message}`, txId);
      throw err;
    }

    await this.gate.enter();
    let runs: Array<Omit<Endorsed, 'creator' | 'endorsers' | 'fn' | 'args' | 'txId' | 'timestamp' | 'nonce' | 'certificate' | 'evidence'>>;
    try {
      runs = [];
      runs.push(await this.execute(txId, firstSimulator, firstStub));
      for (const org of endorsers.slice(1)) {
        const simulator = new TxSimulator(this.committed(), txId, org, creator.mspid);
        runs.push(await this.execute(txId, simulator, this.chaincode.createStub(simulator, this.channelName, proposal, org)));
      }
    } finally {
      this.gate.leave();
    }
    const first = runs[0]!;
    const fingerprint = (r: (typeof runs)[number]): string =>
      canonicalJson({ r: r.rwset, s: r.response.status, p: r.response.payload.toString('base64'), m: r.response.message, e: r.event && [r.event.name, r.event.payload.toString('base64')] });
    if (runs.length > 1 && runs.some((r) => fingerprint(r) !== fingerprint(first))) {
      throw new LedgerError('endorsement', 'ENDORSEMENT_MISMATCH', `proposal responses of ${endorsers.join(', ')} do not match`, txId);
    }
    return { ...first, txId, nonce: proposal.nonce, certificate: identity.certificate, timestamp: proposal.timestamp, creator: { mspId: creator.mspid, certificateHash }, endorsers, fn, args: [...args] };
  }

  /**
   * Endorsing peers sign the endorsed payload, then the client signs the envelope (signed
   * ledgers). The digest is computed once here and kept for the block's transaction hash.
   */
  private async signTransaction(identity: LedgerIdentity, tx: Endorsed): Promise<NonNullable<Endorsed['evidence']>> {
    const unsigned = transactionDigest(toBlockTransaction(tx, this.chaincodeName, 'VALID', true) as unknown as EvidenceTransaction);
    const endorsed = Buffer.from(endorsedPayload(unsigned, this.channelName));
    const endorsements = await Promise.all(tx.endorsers.map(async (mspId) => {
      const peer = this.peers.get(mspId);
      if (!peer) throw new LedgerError('endorsement', 'UNKNOWN_ENDORSER', `no peer identity of ${mspId} is configured to sign endorsements`, tx.txId);
      const signature = await this.msp.sign(peer.privateKey, endorsed);
      return { certificate: peer.certificate, mspId, signature: Buffer.from(signature).toString('base64') };
    }));
    const withEndorsements = { ...unsigned, endorsements: digestEndorsements(endorsements) };
    const signature = Buffer.from(await this.signAs(identity, Buffer.from(envelopePayload(withEndorsements, this.channelName)))).toString('base64');
    return { endorsements, signature, digest: { ...withEndorsements, signature } };
  }

  private async execute(txId: string, simulator: TxSimulator, stub: ShimStub): Promise<Omit<Endorsed, 'creator' | 'endorsers' | 'fn' | 'args' | 'txId' | 'timestamp' | 'nonce' | 'certificate' | 'evidence'>> {
    let timer: NodeJS.Timeout | undefined;
    let response: ChaincodeResponse;
    try {
      response = await Promise.race([
        this.chaincode.invoke(stub),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new LedgerError('endorsement', 'TIMEOUT', `chaincode did not complete within ${this.executeTimeoutMs} ms`, txId)), this.executeTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      simulator.finish();
    }
    const ev = stub.chaincodeEvent;
    return {
      response: { status: response.status, message: response.message ?? '', payload: Buffer.from(response.payload ?? new Uint8Array()) },
      results: simulator.results,
      rwset: toReadWriteSet(simulator.results),
      event: ev ? { name: ev.getEventName(), payload: Buffer.from(ev.getPayload_asU8()) } : null,
    };
  }

  private async signAs(identity: LedgerIdentity, bytes: Uint8Array): Promise<Uint8Array> {
    try {
      return await this.msp.sign(identity.privateKey, bytes);
    } catch (err) {
      throw new LedgerError('endorsement', 'INVALID_CREATOR', `cannot sign with the identity's private key: ${(err as Error).message}`);
    }
  }

  private committed(): CommittedState {
    return {
      publicState: this.publicState,
      hashedState: this.hashedState,
      privateState: this.privateState,
      history: this.history,
      collections: this.collections,
      chaincodeName: this.chaincodeName,
    };
  }

  // ---- Ordering and commit ------------------------------------------------------------

  private enqueue(pending: Pending): void {
    this.queue.push(pending);
    if (this.queue.length >= this.maxTxPerBlock) this.cut();
    else this.timer ??= setTimeout(() => this.cut(), this.batchTimeoutMs);
  }

  private cut(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxTxPerBlock);
      this.gate.write(() => this.commitBlock(batch));
    }
  }

  private commitBlock(batch: Pending[]): void {
    if (this.failure || this.closed) {
      const err = this.failure ? unavailable('LEDGER_FAILED', this.failure.message) : unavailable('LEDGER_CLOSED', 'the ledger is closed');
      for (const p of batch) p.reject(err);
      return;
    }
    const number = this.blocks.length + this.unwritten.length;
    const previousHash = (this.unwritten.at(-1)?.block ?? this.blocks.at(-1))?.hash ?? '';
    const codes: ValidationCode[] = [];
    const privateEntries: Array<PrivateRecord['entries'][number]> = [];
    const newExpiries: Expiry[] = [];
    const history: Array<[string, Parameters<HistoryIndex['append']>[1]]> = [];
    const seen = new Set<string>();
    for (let txNum = 0; txNum < batch.length; txNum++) {
      const tx = batch[txNum]!.tx;
      // Fabric marks a repeated transaction id DUPLICATE_TXID; submit() refuses known ids up front.
      const duplicate = this.txIds.has(tx.txId) || seen.has(tx.txId);
      seen.add(tx.txId);
      const code = duplicate ? 'DUPLICATE_TXID' : this.validate(tx.results);
      codes.push(code);
      if (code !== 'VALID') continue;
      const version = { blockNum: number, txNum };
      this.apply(tx.results, version, tx.txId, tx.timestamp, history, newExpiries);
      for (const [collection, writes] of tx.results.privateWrites) {
        for (const [key, w] of writes) privateEntries.push({ txNum, collection, key, isDelete: w.isDelete, value: w.value.toString('base64') });
      }
    }
    const transactions: BlockTransaction[] = batch.map((p, i) => {
      const tx = toBlockTransaction(p.tx, this.chaincodeName, codes[i]!, this.orderer !== undefined);
      if (p.tx.evidence) rememberDigest(tx, { ...p.tx.evidence.digest, validationCode: codes[i]! });
      return tx;
    });
    const block = makeBlock(number, previousHash, { kind: 'transactions', transactions }, this.orderer);
    this.applyBlockEffects(block, history, newExpiries);
    // The block is durable, published and its submits settled once the writer has synced it.
    this.unwritten.push({ block, privateRecord: { blockNumber: number, entries: privateEntries }, batch, codes });
    void this.writeBlocks();
  }

  /**
   * Append validated blocks in order; blocks that pile up while a sync runs go out together
   * (group commit). A write failure stops the ledger: memory is then ahead of the files.
   */
  private async writeBlocks(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.unwritten.length > 0 && !this.failure) {
        const items = this.unwritten.slice();
        try {
          await this.files.appendMany(items.map((i) => ({ block: i.block, privateRecord: i.privateRecord })));
        } catch (err) {
          this.failure = err as Error;
          const error = unavailable('LEDGER_FAILED', `block ${items[0]!.block.header.number} could not be written: ${(err as Error).message}`);
          for (const item of this.unwritten.splice(0)) for (const p of item.batch) p.reject(error);
          for (const wake of this.blockWaiters) wake();
          return;
        }
        this.unwritten.splice(0, items.length);
        for (const { block, batch, codes } of items) {
          this.publishBlock(block);
          const number = block.header.number;
          batch.forEach((p, i) => {
            const code = codes[i]!;
            if (code === 'VALID') p.resolve({ transactionId: p.tx.txId, blockNumber: number, result: p.tx.response.payload });
            else p.reject(new LedgerError('commit', code, `transaction ${p.tx.txId} failed to commit with status code ${code}`, p.tx.txId));
          });
        }
      }
    } finally {
      this.writing = false;
      for (const done of this.writesDone.splice(0)) done();
    }
  }

  /** Fabric's validation of one transaction against state including earlier valid txs of the block. */
  private validate(results: SimulationResults): ValidationCode {
    for (const [key, version] of results.reads) {
      if (!sameVersion(this.publicState.get(key)?.version ?? null, version)) return 'MVCC_READ_CONFLICT';
    }
    for (const q of results.rangeQueries) {
      const cursor = this.publicState.rangeKeys(q.startKey, q.endKey);
      for (const read of q.reads) {
        const r = cursor.next();
        if (r.done || r.value !== read.key || !sameVersion(this.publicState.get(r.value)!.version, read.version)) return 'PHANTOM_READ_CONFLICT';
      }
      if (q.itrExhausted && !cursor.next().done) return 'PHANTOM_READ_CONFLICT';
    }
    for (const [collection, reads] of results.hashedReads) {
      const store = this.hashedState.get(collection);
      for (const [keyHash, version] of reads) {
        if (!sameVersion(store?.get(keyHash)?.version ?? null, version)) return 'MVCC_READ_CONFLICT';
      }
    }
    return 'VALID';
  }

  private apply(
    effects: TxEffects,
    version: Version,
    txId: string,
    timestamp: { seconds: number; nanos: number },
    history: Array<[string, Parameters<HistoryIndex['append']>[1]]>,
    expiries: Expiry[],
  ): void {
    for (const [key, w] of effects.writes) {
      if (w.isDelete) this.publicState.delete(key);
      else {
        // A value write keeps the key's metadata, as Fabric does.
        const metadata = this.publicState.get(key)?.metadata;
        this.publicState.put(key, metadata ? { value: w.value, version, metadata } : { value: w.value, version });
      }
      history.push([key, { txId, blockNum: version.blockNum, txNum: version.txNum, timestamp, isDelete: w.isDelete, value: w.isDelete ? Buffer.alloc(0) : w.value }]);
    }
    for (const [key, entries] of effects.metadataWrites) {
      const current = this.publicState.get(key);
      if (current) this.publicState.put(key, { value: current.value, version, metadata: Object.fromEntries(entries) });
    }
    for (const [collection, writes] of effects.privateWrites) {
      const hashed = storeOf(this.hashedState, collection);
      const priv = storeOf(this.privateState, collection);
      const btl = this.collections.get(collection)?.config.blockToLive ?? 0;
      for (const [key, w] of writes) {
        const keyHash = sha256(key).toString('hex');
        if (w.isDelete) {
          hashed.delete(keyHash);
          priv.delete(key);
        } else {
          hashed.put(keyHash, { value: sha256(w.value), version });
          priv.put(key, { value: w.value, version });
          if (btl > 0) expiries.push({ collection, key, keyHash, version });
        }
      }
    }
  }

  /** State-level effects of a block: history, known transaction ids, private data expiry. */
  private applyBlockEffects(block: Block, history: Array<[string, Parameters<HistoryIndex['append']>[1]]>, newExpiries: Expiry[]): void {
    const number = block.header.number;
    for (const [key, entry] of history) this.history.append(key, entry);
    if (block.data.kind === 'transactions') block.data.transactions.forEach((tx, index) => this.txIds.set(tx.txId, { blockNumber: number, index }));
    // Private data written at block b with blockToLive n is purged when block b+n+1 commits.
    for (const e of newExpiries) {
      const btl = this.collections.get(e.collection)?.config.blockToLive ?? 0;
      const at = e.version.blockNum + btl + 1;
      const list = this.expiries.get(at);
      if (list) list.push(e);
      else this.expiries.set(at, [e]);
    }
    for (const e of this.expiries.get(number) ?? []) {
      const hashed = this.hashedState.get(e.collection);
      if (sameVersion(hashed?.get(e.keyHash)?.version, e.version)) {
        hashed!.delete(e.keyHash);
        this.privateState.get(e.collection)?.delete(e.key);
      }
    }
    this.expiries.delete(number);
  }

  /** Make a durable block visible: height, getBlock, events. */
  private publishBlock(block: Block): void {
    const number = block.header.number;
    this.blocks.push(block);
    const events: LedgerEvent[] = [];
    if (block.data.kind === 'transactions') {
      block.data.transactions.forEach((tx, transactionIndex) => {
        if (tx.validationCode === 'VALID' && tx.event) {
          events.push({
            blockNumber: number,
            transactionIndex,
            transactionId: tx.txId,
            chaincodeName: tx.chaincode,
            eventName: tx.event.name,
            payload: Buffer.from(tx.event.payload, 'base64'),
          });
        }
      });
    }
    this.blockEvents.push(events);
    for (const wake of this.blockWaiters) wake();
  }

  private nextBlock(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        this.blockWaiters.delete(wake);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      this.blockWaiters.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  private assertAvailable(): void {
    if (this.closed || this.closing) throw unavailable('LEDGER_CLOSED', 'the ledger is closed');
    if (this.failure) throw unavailable('LEDGER_FAILED', `the ledger stopped after a write failure: ${this.failure.message}`);
  }

  // ---- Open: replay and configuration --------------------------------------------------

  private replay(): void {
    const blocks = this.files.readBlocks();
    const privateRecords = this.files.readPrivate(blocks.length);
    for (const block of blocks) {
      const number = block.header.number;
      if (block.data.kind === 'config') {
        this.setConfig(block.data.config);
        this.applyBlockEffects(block, [], []);
        this.publishBlock(block);
        continue;
      }
      const record = privateRecords.get(number);
      const privateByTx = new Map<number, Array<PrivateRecord['entries'][number]>>();
      for (const e of record?.entries ?? []) {
        const list = privateByTx.get(e.txNum);
        if (list) list.push(e);
        else privateByTx.set(e.txNum, [e]);
      }
      const history: Array<[string, Parameters<HistoryIndex['append']>[1]]> = [];
      const expiries: Expiry[] = [];
      block.data.transactions.forEach((tx, txNum) => {
        if (tx.validationCode !== 'VALID') return;
        const effects = effectsFromBlock(tx, privateByTx.get(txNum) ?? [], (reason) => {
          throw new LedgerCorruptedError(number, this.files.privatePath, `transaction ${txNum} (${tx.txId}): ${reason}`);
        });
        this.apply(effects, { blockNum: number, txNum }, tx.txId, tx.timestamp, history, expiries);
      });
      this.applyBlockEffects(block, history, expiries);
      this.publishBlock(block);
    }
  }

  private applyConfig(options: EmbeddedLedgerOptions): void {
    const config: ChannelConfig = {
      channelName: this.channelName,
      chaincode: { name: this.chaincodeName, version: this.chaincode.version },
      organizations: options.organizations.map((o) => ({ mspId: o.mspId, rootCertificates: [...o.rootCertificates] })),
      ...(options.orderer ? { ordererOrganizations: [{ mspId: options.orderer.organization.mspId, rootCertificates: [...options.orderer.organization.rootCertificates] }] } : {}),
      collections: (options.collections ?? []).map((c) => ({ ...c })),
    };
    if (this.config && this.config.channelName !== config.channelName) {
      throw new Error(`ledger ${this.files.directory} holds channel ${this.config.channelName}, not ${config.channelName}`);
    }
    if (this.config && canonicalJson(this.config) === canonicalJson(config)) return;
    resolveCollections(options.collections ?? []); // validate before writing
    const block = makeBlock(this.blocks.length, this.blocks.at(-1)?.hash ?? '', { kind: 'config', config }, this.orderer);
    this.files.append(block, undefined);
    this.setConfig(config);
    this.applyBlockEffects(block, [], []);
    this.publishBlock(block);
  }

  private setConfig(config: ChannelConfig): void {
    this.config = config;
    this.msp = new MspRegistry(config.organizations, this.cryptoPool);
    this.collections = resolveCollections(config.collections as unknown as CollectionConfig[]);
  }
}


function storeOf(map: Map<string, VersionedStore>, name: string): VersionedStore {
  let store = map.get(name);
  if (!store) map.set(name, (store = new VersionedStore()));
  return store;
}

function unavailable(code: string, message: string): LedgerError {
  return new LedgerError('unavailable', code, message);
}

function rejection(tx: Endorsed): LedgerError {
  const parsed = parseChaincodeError(tx.response.message);
  if (parsed) return new LedgerError('endorsement', parsed.code, parsed.message, tx.txId, parsed.details);
  return new LedgerError('endorsement', 'CHAINCODE_ERROR', tx.response.message || `chaincode response ${tx.response.status}`, tx.txId);
}

function makeBlock(number: number, previousHash: string, data: Block['data'], orderer?: { readonly identity: LedgerIdentity; readonly key: KeyObject }): Block {
  if (!orderer) {
    const header = { dataHash: dataHash(data), number, previousHash };
    return { data, hash: blockHash(header), header };
  }
  const header = { dataHash: dataHash(data, 2), format: 2 as const, number, previousHash };
  const hash = blockHash(header);
  const signature = cryptoSign('sha256', Buffer.from(hash, 'hex'), orderer.key).toString('base64');
  return { data, hash, header, signature: { certificate: orderer.identity.certificate, mspId: orderer.identity.mspId, signature } };
}

// Objects written to blocks are built with their keys in sorted order, so that plain
// JSON.stringify yields canonical JSON on the hot path (the reader re-checks canonical form).
function toBlockTransaction(tx: Endorsed, chaincode: string, validationCode: ValidationCode, signed: boolean): BlockTransaction {
  // Unsigned ledgers leave the evidence fields undefined, which JSON.stringify drops.
  return {
    args: tx.args,
    chaincode,
    creator: { certificate: signed ? tx.certificate : undefined, certificateHash: tx.creator.certificateHash, mspId: tx.creator.mspId },
    endorsements: tx.evidence?.endorsements,
    endorsers: tx.endorsers,
    event: tx.event && { name: tx.event.name, payload: tx.event.payload.toString('base64') },
    function: tx.fn,
    nonce: signed ? Buffer.from(tx.nonce).toString('base64') : undefined,
    response: { payload: tx.response.payload.toString('base64'), status: tx.response.status },
    rwset: tx.rwset,
    signature: tx.evidence?.signature,
    timestamp: { nanos: tx.timestamp.nanos, seconds: tx.timestamp.seconds },
    txId: tx.txId,
    validationCode,
  };
}

/** The canonical read-write set of a simulation: sorted, private data as hashes only. */
function toReadWriteSet(r: SimulationResults): ReadWriteSet {
  const sortKeys = <T>(m: ReadonlyMap<string, T>): Array<[string, T]> => [...m].sort((a, b) => compareKeys(a[0], b[0]));
  const version = (v: Version | null): KeyVersion | null => v && { blockNum: v.blockNum, txNum: v.txNum };
  const collectionNames = [...new Set([...r.hashedReads.keys(), ...r.privateWrites.keys()])].sort(compareKeys);
  return {
    collections: collectionNames.map((name) => ({
      hashedReads: sortKeys(r.hashedReads.get(name) ?? new Map<string, Version | null>()).map(([keyHash, v]) => ({ keyHash, version: version(v) })),
      hashedWrites: [...(r.privateWrites.get(name) ?? new Map<string, PrivateWrite>())]
        .map(([key, w]) => ({ isDelete: w.isDelete, keyHash: sha256(key).toString('hex'), valueHash: w.isDelete ? '' : sha256(w.value).toString('hex') }))
        .sort((a, b) => compareKeys(a.keyHash, b.keyHash)),
      name,
    })),
    metadataWrites: sortKeys(r.metadataWrites).map(([key, entries]) => ({
      entries: sortKeys(entries).map(([name, value]) => ({ name, value: value.toString('base64') })),
      key,
    })),
    rangeQueries: r.rangeQueries.map((q) => ({
      endKey: q.endKey,
      itrExhausted: q.itrExhausted,
      reads: q.reads.map((x) => ({ key: x.key, version: version(x.version)! })),
      startKey: q.startKey,
    })),
    reads: sortKeys(r.reads).map(([key, v]) => ({ key, version: version(v) })),
    writes: sortKeys(r.writes).map(([key, w]) => ({ isDelete: w.isDelete, key, value: w.isDelete ? '' : w.value.toString('base64') })),
  };
}

/** Rebuild a transaction's effects from its block entry and its private data record. */
function effectsFromBlock(tx: BlockTransaction, privateEntries: ReadonlyArray<PrivateRecord['entries'][number]>, fail: (reason: string) => never): TxEffects {
  const writes = new Map<string, PublicWrite>();
  for (const w of tx.rwset.writes) writes.set(w.key, { isDelete: w.isDelete, value: Buffer.from(w.value, 'base64') });
  const metadataWrites = new Map<string, Map<string, Buffer>>();
  for (const m of tx.rwset.metadataWrites) metadataWrites.set(m.key, new Map(m.entries.map((e) => [e.name, Buffer.from(e.value, 'base64')])));
  const byHash = new Map<string, PrivateRecord['entries'][number]>();
  for (const e of privateEntries) byHash.set(`${e.collection}\n${sha256(e.key).toString('hex')}`, e);
  const privateWrites = new Map<string, Map<string, PrivateWrite>>();
  let expected = 0;
  for (const coll of tx.rwset.collections) {
    for (const hw of coll.hashedWrites) {
      expected++;
      const e = byHash.get(`${coll.name}\n${hw.keyHash}`);
      if (!e) fail(`private value for key hash ${hw.keyHash} in ${coll.name} is missing`);
      const value = Buffer.from(e.value, 'base64');
      if (e.isDelete !== hw.isDelete || (!hw.isDelete && sha256(value).toString('hex') !== hw.valueHash)) fail(`private value for key hash ${hw.keyHash} in ${coll.name} does not match its hash`);
      let m = privateWrites.get(coll.name);
      if (!m) privateWrites.set(coll.name, (m = new Map()));
      m.set(e.key, { isDelete: e.isDelete, value });
    }
  }
  if (expected !== privateEntries.length) fail('private data record has entries the block does not hash');
  return { writes, metadataWrites, privateWrites };
}
