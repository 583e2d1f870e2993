/**
 * The transaction simulator: the peer side of fabric-shim's handler protocol. fabric-shim's
 * own `ChaincodeStub` is used unchanged and calls these `handle*` methods where a real
 * stub would send a message to the peer. Reads see committed state only and are recorded
 * with their versions; writes are buffered (last write per key wins).
 */
import { createHash } from 'node:crypto';
import { peer } from '@hyperledger/fabric-protos';
import type { ResolvedCollection } from './collections';
import { compareKeys } from './keys';
import type { HistoryIndex, Version, VersionedStore } from './state';

/** The committed stores a simulation reads. */
export interface CommittedState {
  readonly publicState: VersionedStore;
  /** Per collection: key hash (hex) → value hash (as `value`) with the key's version. */
  readonly hashedState: ReadonlyMap<string, VersionedStore>;
  /** Per collection: key → private value. All member peers' copies are the same here. */
  readonly privateState: ReadonlyMap<string, VersionedStore>;
  readonly history: HistoryIndex;
  readonly collections: ReadonlyMap<string, ResolvedCollection>;
  readonly chaincodeName: string;
}

/** A recorded range query, for phantom read detection at validation. */
export interface RangeQueryInfo {
  readonly startKey: string;
  readonly endKey: string;
  itrExhausted: boolean;
  readonly reads: Array<{ readonly key: string; readonly version: Version }>;
}

export interface PublicWrite {
  readonly isDelete: boolean;
  readonly value: Buffer;
}

export interface PrivateWrite {
  readonly isDelete: boolean;
  readonly value: Buffer;
}

/** Raw results of one simulation (converted to the canonical form for blocks). */
export interface SimulationResults {
  readonly reads: Map<string, Version | null>;
  readonly rangeQueries: RangeQueryInfo[];
  readonly writes: Map<string, PublicWrite>;
  readonly metadataWrites: Map<string, Map<string, Buffer>>;
  /** collection → key hash → version. */
  readonly hashedReads: Map<string, Map<string, Version | null>>;
  /** collection → key → write. */
  readonly privateWrites: Map<string, Map<string, PrivateWrite>>;
}

/** Results per fetch from the peer, as Fabric's handler batches them (maxResultLimit). */
const QUERY_BATCH = 100;

export function sha256(data: string | Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Iterator over query results with fabric-shim's `next()`/`close()` contract. */
class ResultIterator<T> {
  private closed = false;
  constructor(private readonly source: () => T | undefined) {}
  async next(): Promise<{ value: T; done: false } | { value?: undefined; done: true }> {
    if (this.closed) return { done: true };
    const value = this.source();
    if (value === undefined) return { done: true };
    return { value, done: false };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

export class TxSimulator {
  readonly results: SimulationResults = {
    reads: new Map(),
    rangeQueries: [],
    writes: new Map(),
    metadataWrites: new Map(),
    hashedReads: new Map(),
    privateWrites: new Map(),
  };
  private writePerformed = false;
  private paginatedQueryPerformed = false;
  private privateQueryPerformed = false;
  private done = false;

  constructor(
    private readonly state: CommittedState,
    private readonly txId: string,
    /** MSP ID of the endorsing peer (decides whether private data is held). */
    private readonly peerMspId: string,
    /** MSP ID of the transaction creator (memberOnlyRead / memberOnlyWrite). */
    private readonly creatorMspId: string,
  ) {}

  /** End the simulation; later calls from a lingering chaincode promise fail. */
  finish(): void {
    this.done = true;
  }

  // ---- fabric-shim handler protocol -------------------------------------------------

  async handleGetState(collection: string, key: string): Promise<Buffer> {
    this.checkDone();
    if (!collection) {
      const entry = this.state.publicState.get(key);
      this.recordRead(key, entry?.version ?? null);
      return entry ? entry.value : Buffer.alloc(0);
    }
    const coll = this.collection(collection);
    this.checkReadAccess(coll);
    const keyHash = sha256(key).toString('hex');
    const hashed = this.state.hashedState.get(collection)?.get(keyHash);
    const priv = this.peerHolds(coll) ? this.state.privateState.get(collection)?.get(key) : undefined;
    if (hashed && !priv) {
      const v = hashed.version;
      throw new Error(
        `private data matching public hash version is not available. Public hash version = {BlockNum: ${v.blockNum}, TxNum: ${v.txNum}}, Private data version = <nil>`,
      );
    }
    this.recordHashedRead(collection, keyHash, hashed?.version ?? null);
    return priv ? priv.value : Buffer.alloc(0);
  }

  async handleGetPrivateDataHash(collection: string, key: string): Promise<Buffer> {
    this.checkDone();
    this.collection(collection);
    const keyHash = sha256(key).toString('hex');
    const hashed = this.state.hashedState.get(collection)?.get(keyHash);
    this.recordHashedRead(collection, keyHash, hashed?.version ?? null);
    return hashed ? hashed.value : Buffer.alloc(0);
  }

  async handlePutState(collection: string, key: string, value: Uint8Array): Promise<void> {
    this.checkWrite(key);
    const buf = Buffer.from(value);
    if (!collection) {
      // Fabric records an empty value as a delete.
      this.results.writes.set(key, { isDelete: buf.length === 0, value: buf });
      return;
    }
    const coll = this.collection(collection);
    this.checkWriteAccess(coll);
    this.privateWritesOf(collection).set(key, { isDelete: buf.length === 0, value: buf });
  }

  async handleDeleteState(collection: string, key: string): Promise<void> {
    this.checkWrite(key);
    if (!collection) {
      this.results.writes.set(key, { isDelete: true, value: Buffer.alloc(0) });
      return;
    }
    const coll = this.collection(collection);
    this.checkWriteAccess(coll);
    this.privateWritesOf(collection).set(key, { isDelete: true, value: Buffer.alloc(0) });
  }

  async handlePurgeState(): Promise<void> {
    throw new Error('purgePrivateData is not supported by the embedded ledger');
  }

  async handlePutStateMetadata(collection: string, key: string, metakey: string, ep: Uint8Array): Promise<void> {
    if (collection) throw new Error('private data key-level metadata is not supported by the embedded ledger');
    this.checkWrite(key);
    let entries = this.results.metadataWrites.get(key);
    if (!entries) {
      // Fabric replaces the whole metadata of a key; start from the committed entries.
      entries = new Map(Object.entries(this.state.publicState.get(key)?.metadata ?? {}));
      this.results.metadataWrites.set(key, entries);
    }
    entries.set(metakey, Buffer.from(ep));
  }

  async handleGetStateMetadata(collection: string, key: string): Promise<Record<string, Buffer>> {
    this.checkDone();
    if (collection) throw new Error('private data key-level metadata is not supported by the embedded ledger');
    const entry = this.state.publicState.get(key);
    this.recordRead(key, entry?.version ?? null);
    return { ...(entry?.metadata ?? {}) };
  }

  async handleGetStateByRange(
    collection: string,
    startKey: string,
    endKey: string,
    _channel: string,
    _txId: string,
    metadata?: Uint8Array,
  ): Promise<{ iterator: ResultIterator<{ key: string; value: Buffer }>; metadata?: { bookmark: string; fetchedRecordsCount: number } }> {
    this.checkDone();
    if (collection) return { iterator: this.privateRange(collection, startKey, endKey) };
    if (!metadata) return { iterator: this.publicRange(startKey, endKey, Infinity) };
    // Paginated query: metadata is a serialized peer.QueryMetadata.
    if (this.writePerformed) throw new Error(`txid [${this.txId}]: paginated queries are not supported in transactions that write`);
    this.paginatedQueryPerformed = true;
    const { pageSize, bookmark } = decodeQueryMetadata(metadata);
    const start = bookmark !== '' ? bookmark : startKey;
    if (pageSize <= 0) throw new Error('pageSize must be greater than zero');
    // Fabric reads pageSize + 1 entries: the extra one becomes the bookmark.
    const keys: string[] = [];
    for (const key of this.state.publicState.rangeKeys(start, endKey)) {
      keys.push(key);
      if (keys.length > pageSize) break;
    }
    const page = keys.slice(0, pageSize);
    const next = keys.length > pageSize ? keys[pageSize]! : '';
    const iterator = this.publicRange(start, endKey, page.length, next === '');
    return { iterator, metadata: { bookmark: next, fetchedRecordsCount: page.length } };
  }

  async handleGetQueryResult(): Promise<never> {
    throw new Error('rich queries (getQueryResult) are not supported by the embedded ledger: it behaves like a peer with a LevelDB state database');
  }

  async handleGetHistoryForKey(key: string): Promise<ResultIterator<unknown>> {
    this.checkDone();
    // Fabric 2.x returns history newest first.
    const entries = this.state.history.get(key);
    let i = entries.length - 1;
    return new ResultIterator(() => {
      if (i < 0) return undefined;
      const e = entries[i--]!;
      return { txId: e.txId, value: Buffer.from(e.value), isDelete: e.isDelete, timestamp: { seconds: e.timestamp.seconds, nanos: e.timestamp.nanos } };
    });
  }

  async handleInvokeChaincode(): Promise<never> {
    throw new Error('invokeChaincode (chaincode-to-chaincode calls) is not supported by the embedded ledger');
  }

  async handleQueryStateNext(): Promise<never> {
    throw new Error('unexpected QueryStateNext: embedded iterators hold their results locally');
  }

  async handleQueryStateClose(): Promise<void> {}

  // ---- internals ---------------------------------------------------------------------

  private publicRange(startKey: string, endKey: string, limit: number, exhaustedAtLimit = true): ResultIterator<{ key: string; value: Buffer }> {
    const info: RangeQueryInfo = { startKey, endKey, itrExhausted: false, reads: [] };
    this.results.rangeQueries.push(info);
    const cursor = this.state.publicState.rangeKeys(startKey, endKey);
    const buffer: Array<{ key: string; value: Buffer }> = [];
    let pos = 0;
    let served = 0;
    const fetch = (): void => {
      // Fetch a batch as the peer would, recording every key it reads.
      buffer.length = 0;
      pos = 0;
      while (buffer.length < QUERY_BATCH && served + buffer.length < limit) {
        const r = cursor.next();
        if (r.done) {
          info.itrExhausted = true;
          return;
        }
        const entry = this.state.publicState.get(r.value)!;
        info.reads.push({ key: r.value, version: entry.version });
        buffer.push({ key: r.value, value: entry.value });
      }
      if (served + buffer.length >= limit) info.itrExhausted = exhaustedAtLimit;
    };
    return new ResultIterator(() => {
      this.checkDone();
      if (pos >= buffer.length) {
        if (info.itrExhausted || served >= limit) return undefined;
        fetch();
        if (buffer.length === 0) return undefined;
      }
      served++;
      const item = buffer[pos++]!;
      return { key: item.key, value: Buffer.from(item.value) };
    });
  }

  private privateRange(collection: string, startKey: string, endKey: string): ResultIterator<{ key: string; value: Buffer }> {
    const coll = this.collection(collection);
    this.checkReadAccess(coll);
    if (this.writePerformed) throw new Error(`txid [${this.txId}]: queries on private data are supported only in a read-only transaction`);
    this.privateQueryPerformed = true;
    const store = this.peerHolds(coll) ? this.state.privateState.get(collection) : undefined;
    const keys = store ? [...store.rangeKeys(startKey, endKey)] : [];
    let i = 0;
    return new ResultIterator(() => {
      this.checkDone();
      const key = keys[i++];
      if (key === undefined) return undefined;
      return { key, value: Buffer.from(store!.get(key)!.value) };
    });
  }

  private recordRead(key: string, version: Version | null): void {
    this.results.reads.set(key, version);
  }

  private recordHashedRead(collection: string, keyHash: string, version: Version | null): void {
    let m = this.results.hashedReads.get(collection);
    if (!m) this.results.hashedReads.set(collection, (m = new Map()));
    m.set(keyHash, version);
  }

  private privateWritesOf(collection: string): Map<string, PrivateWrite> {
    let m = this.results.privateWrites.get(collection);
    if (!m) this.results.privateWrites.set(collection, (m = new Map()));
    return m;
  }

  private collection(name: string): ResolvedCollection {
    const coll = this.state.collections.get(name);
    if (!coll) throw new Error(`collection [${name}] not defined in the collection config for chaincode [${this.state.chaincodeName}]`);
    return coll;
  }

  private peerHolds(coll: ResolvedCollection): boolean {
    return coll.members.has(this.peerMspId);
  }

  private checkReadAccess(coll: ResolvedCollection): void {
    if (coll.config.memberOnlyRead && !coll.members.has(this.creatorMspId)) {
      throw new Error(
        `tx creator does not have read access permission on privatedata in chaincodeName:${this.state.chaincodeName} collectionName: ${coll.config.name}`,
      );
    }
  }

  private checkWriteAccess(coll: ResolvedCollection): void {
    if (coll.config.memberOnlyWrite && !coll.members.has(this.creatorMspId)) {
      throw new Error(
        `tx creator does not have write access permission on privatedata in chaincodeName:${this.state.chaincodeName} collectionName: ${coll.config.name}`,
      );
    }
  }

  private checkDone(): void {
    if (this.done) throw new Error(`txid [${this.txId}]: the transaction simulation has already finished`);
  }

  private checkWrite(key: string): void {
    this.checkDone();
    if (this.paginatedQueryPerformed) throw new Error(`txid [${this.txId}]: transaction has already performed a paginated query. Writes are not allowed`);
    if (this.privateQueryPerformed) throw new Error(`txid [${this.txId}]: transaction has already performed queries on pvt data. Writes are not allowed`);
    if (typeof key !== 'string' || key === '') throw new Error('key must not be an empty string');
    this.writePerformed = true;
  }
}

/** Decode a serialized `protos.QueryMetadata` (page_size = 1 int32, bookmark = 2 string). */
function decodeQueryMetadata(bytes: Uint8Array): { pageSize: number; bookmark: string } {
  const m = peer.QueryMetadata.deserializeBinary(bytes);
  return { pageSize: m.getPagesize(), bookmark: m.getBookmark() };
}

/** Sort helper shared with the canonical forms. */
export function byKey<T extends { key: string }>(a: T, b: T): number {
  return compareKeys(a.key, b.key);
}
