/**
 * The anchoring outbox: records are stored in SQLite, grouped into Merkle batches and each
 * batch is anchored on the ledger with exactly one `anchors:CreateAnchor` transaction.
 */
import { hash, randomFillSync } from 'node:crypto';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { canonicalJson, type Anchor, type AnchorKind } from '@forgetrace/chaincode/api';
import type { LedgerClient } from '../ledger/ledger-client';
import { LedgerError, type LedgerIdentity } from '../ledger/port';
import { openSchema } from './outbox-schema';
import { MAX_TREE_LEAVES, recordLeafHash, treeProof, treeRoot, type LeafSource, type OutboxTree } from './outbox-tree';
import { buildTreeOffThread, warmTreeWorker } from './tree-pool';
import type { RecordProof } from './record-proof';
import { formatRecordId, MAX_ORDINAL, recordOrdinal } from './record-ids';

/** Anchor `algorithm` of outbox batches. */
export const OUTBOX_ALGORITHM = 'forgetrace-outbox';
/** Anchor `algorithmVersion` of outbox batches. */
export const OUTBOX_ALGORITHM_VERSION = '1';
/** Default {@link AnchorOutboxOptions.maxBatchSize}. */
export const DEFAULT_MAX_BATCH_SIZE = 4096;

/** Where a record is in its life. */
export type RecordState = 'pending' | 'batched' | 'anchored';

/** Steps after which {@link AnchorOutboxOptions.onStep} is called; a throwing hook simulates a crash there. */
export type OutboxStep = 'batched' | 'submitted' | 'anchored';

/** Options of {@link AnchorOutbox.open}. */
export interface AnchorOutboxOptions {
  /** SQLite file, or `:memory:`. */
  readonly filename: string;
  readonly ledger: LedgerClient;
  /** Identity that submits `anchors:CreateAnchor` (role admin, factory_operator or buyer). */
  readonly identity: LedgerIdentity;
  /** Most records in one batch; a kind with this many pending records is due (default 4096, at most 1,000,000). */
  readonly maxBatchSize?: number;
  /** A kind whose oldest pending record is at least this old is due (default 2000 ms). */
  readonly maxAgeMs?: number;
  /** Milliseconds since the epoch (default `Date.now`). */
  readonly clock?: () => number;
  /** Called after each step of a batch; for tests and metrics. An exception aborts the flush as a crash would. */
  readonly onStep?: (step: OutboxStep, batchId: string) => void;
  /** Errors of timer-driven flushes (default: ignored; the batch is retried on the next tick). */
  readonly onError?: (error: unknown) => void;
}

/** A record to store: its kind and any JSON value. */
export interface NewRecord {
  readonly kind: AnchorKind;
  readonly payload: unknown;
}

/** What one {@link AnchorOutbox.flush} did. */
export interface FlushResult {
  /** Batches formed by this flush. */
  readonly batched: readonly string[];
  /** Batches anchored by this flush (new ones and ones left over by an earlier crash). */
  readonly anchored: readonly string[];
}

/** A stored record as {@link AnchorOutbox.get} returns it. */
export interface OutboxRecord {
  readonly id: string;
  readonly kind: AnchorKind;
  /** The payload as stored: its canonical JSON parsed (object keys in sorted order). */
  readonly payload: unknown;
  readonly state: RecordState;
  readonly createdAt: string;
  /** Batch (= anchor id) once batched. */
  readonly batchId: string | null;
}

type Row = Record<string, SQLInputValue>;

const HASH = 32;
/** Decoded trees kept for `proof` (batches never change once formed). */
const TREE_CACHE_BYTES = 16 << 20;
/** Largest maxBatchSize (trees hold up to MAX_TREE_LEAVES). */
const MAX_BATCH_SIZE_LIMIT = 1_000_000;
/** Most records and payload bytes in one segment row. */
const SEGMENT_RECORDS = 16_384;
const SEGMENT_BYTES = 16 << 20;

/** The records of a batch being formed: where their leaves come from, in ordinal order, and what the batch row stores. */
interface BatchRecords {
  readonly sources: readonly LeafSource[];
  readonly first: number;
  readonly last: number;
  readonly size: number;
  readonly oldest: number;
  readonly newest: number;
}

/** Where a record is stored: its segment (by start ordinal) and position there. */
interface Location {
  readonly ordinal: number;
  readonly start: number;
  readonly position: number;
  readonly kind: string;
  readonly createdMs: number;
}

/**
 * Durable outbox of records to anchor. `add`/`addMany` store records (pending); `flush` (or the
 * timer started by `start`) turns due records of one kind into a batch, anchors its Merkle root
 * and marks the batch anchored. Anchor ids derive from the root, so a batch interrupted after its
 * submission is recovered by resubmitting the same anchor: `ALREADY_EXISTS` means it is on the
 * ledger already, and the batch is marked anchored from `anchors:GetAnchor`.
 */
export class AnchorOutbox {
  private readonly maxBatchSize: number;
  private readonly maxAgeMs: number;
  private readonly clock: () => number;
  private readonly sql: Record<StatementName, StatementSync>;
  private readonly trees = new Map<string, Uint8Array>();
  private treeBytes = 0;
  /** Pending records per kind as far as this process knows; only decides when `add` wakes the timer. */
  private readonly pendingHint = new Map<string, number>();
  /** Batch formation runs one flush at a time; so does anchoring, which overlaps the next formation. */
  private formTail: Promise<unknown> = Promise.resolve();
  private anchorTail: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(private readonly db: DatabaseSync, private readonly options: AnchorOutboxOptions) {
    this.maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    this.maxAgeMs = options.maxAgeMs ?? 2000;
    this.clock = options.clock ?? Date.now;
    this.sql = prepare(db);
  }

  /**
   * Open (or create) the outbox database; a file of the first schema version is migrated in
   * place. Batches left `batched` by a crash are anchored by the next flush.
   * @throws RangeError when `maxBatchSize` is not an integer from 1 to 1,000,000
   * @throws Error when the file has a newer schema or cannot be migrated
   */
  static open(options: AnchorOutboxOptions): AnchorOutbox {
    const size = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_SIZE_LIMIT || size > MAX_TREE_LEAVES) {
      throw new RangeError(`maxBatchSize must be an integer from 1 to ${MAX_BATCH_SIZE_LIMIT}`);
    }
    const db = new DatabaseSync(options.filename);
    try {
      openSchema(db);
      return new AnchorOutbox(db, options);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /**
   * Store a pending record and return its id; it is on disk when this returns (one fsync'd
   * SQLite transaction). For many records at once use {@link addMany}.
   * @throws TypeError when the payload is not a JSON value (e.g. undefined, NaN)
   */
  add(record: NewRecord): string {
    return this.addMany([record])[0]!;
  }

  /**
   * Store records in one SQLite transaction (all or none; on disk when this returns) and return
   * their ids in the same order. The records of one kind become one segment row (or a few, for
   * very many or large payloads), so a call costs one fsync however many records it holds.
   * @throws TypeError when a payload is not a JSON value or a kind is not a string (nothing is stored)
   * @throws RangeError when the clock's time does not fit a version 7 UUID
   */
  addMany(records: readonly NewRecord[]): string[] {
    this.assertOpen();
    const n = records.length;
    if (n === 0) return [];
    const now = this.clock();
    // Canonical JSON and payload hashes before taking the write lock; ids need the ordinals.
    const texts = new Array<string>(n);
    const bytes = new Array<number>(n);
    const payloadHashes = Buffer.allocUnsafe(HASH * n);
    const byKind = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const { kind, payload } = records[i]!;
      if (typeof kind !== 'string') throw new TypeError(`record ${i}: kind must be a string`);
      // canonicalJson (JSON.stringify underneath) gives undefined for undefined or a function.
      const text = canonicalJson(payload) as string | undefined;
      if (text === undefined) throw new TypeError(`record ${i}: payload must be a JSON value`);
      texts[i] = text;
      bytes[i] = Buffer.byteLength(text, 'utf8');
      payloadHashes.write(hash('sha256', text, 'hex'), HASH * i, 'hex');
      const group = byKind.get(kind);
      if (group) group.push(i);
      else byKind.set(kind, [i]);
    }
    const ids = new Array<string>(n);
    this.transaction(() => {
      let start = Number((this.sql.nextStart.get() as Row).next);
      for (const [kind, members] of byKind) {
        this.sql.registerKind.run(kind);
        for (let from = 0; from < members.length; ) {
          // Segments stay well below SQLite's row limit.
          let to = from + 1;
          let size = bytes[members[from]!]!;
          while (to < members.length && to - from < SEGMENT_RECORDS && size + bytes[members[to]!]! <= SEGMENT_BYTES) size += bytes[members[to++]!]!;
          const segment = members.slice(from, to);
          if (start + segment.length > MAX_ORDINAL) throw new RangeError('the outbox has used up its record ordinals');
          const randoms = randomFillSync(Buffer.allocUnsafe(4 * segment.length));
          // Payload hashes, not leaves: the leaves are hashed when the records are batched (off this thread).
          const hashes = Buffer.allocUnsafe(HASH * segment.length);
          const ends = Buffer.allocUnsafe(4 * segment.length);
          let end = 0;
          segment.forEach((i, k) => {
            end += bytes[i]!;
            ends.writeUInt32LE(end, 4 * k);
            payloadHashes.copy(hashes, HASH * k, HASH * i, HASH * (i + 1));
            ids[i] = formatRecordId(now, start + k, randoms.readUInt32LE(4 * k));
          });
          const payloads = Buffer.from(segment.map((i) => texts[i]!).join(''), 'utf8');
          this.sql.insertSegment.run(start, kind, segment.length, now, randoms, ends, hashes, payloads);
          start += segment.length;
          from = to;
        }
      }
    });
    let due = false;
    for (const [kind, members] of byKind) {
      const known = this.pendingHint.get(kind);
      const pending = known === undefined ? this.pendingOf(kind).count : known + members.length;
      this.pendingHint.set(kind, pending);
      due ||= pending >= this.maxBatchSize;
    }
    if (this.timer && due) void this.tick();
    return ids;
  }

  /** A stored record, or undefined. */
  get(recordId: string): OutboxRecord | undefined {
    this.assertOpen();
    const at = this.locate(recordId);
    if (!at) return undefined;
    const batch = this.batchOf(at.kind, at.ordinal);
    return {
      id: recordId,
      kind: at.kind as AnchorKind,
      payload: JSON.parse(Buffer.from(this.payloadOf(at, recordId).payload).toString('utf8')),
      state: batch ? (String(batch.state) as RecordState) : 'pending',
      createdAt: new Date(at.createdMs).toISOString(),
      batchId: batch ? String(batch.id) : null,
    };
  }

  /** Number of records in `state` (of one kind, or all). */
  count(kind: AnchorKind | undefined, state: RecordState): number {
    this.assertOpen();
    if (state !== 'pending') {
      const row = (kind ? this.sql.inStateOfKind.get(state, kind) : this.sql.inState.get(state)) as Row;
      return Number(row.n);
    }
    const kinds = kind ? [kind] : (this.sql.kinds.all() as Row[]).map((k) => String(k.kind));
    return kinds.reduce((n, k) => n + this.pendingOf(k).count, 0);
  }

  /**
   * Batch every due kind (`force`: every pending record) and anchor every unanchored batch,
   * oldest first. Formation runs one flush at a time, and so does anchoring; a flush's anchoring
   * overlaps the next flush's formation, so batches keep forming while a submission waits for
   * its block.
   * @throws LedgerError when a submission fails (the batch stays `batched` and is retried by the next flush)
   */
  flush(options: { readonly force?: boolean } = {}): Promise<FlushResult> {
    const forming = this.formTail.then(() => {
      this.assertOpen();
      return this.formBatches(options.force ?? false);
    });
    this.formTail = forming.catch(() => undefined);
    const anchoring = this.anchorTail.then(() => forming).then(async () => {
      this.assertOpen();
      const anchored: string[] = [];
      for (const b of this.sql.openBatches.all() as Row[]) {
        await this.anchorBatch(String(b.id));
        anchored.push(String(b.id));
      }
      return anchored;
    });
    // Anchoring waits for this flush's formation and for earlier anchoring, even a failed one.
    this.anchorTail = anchoring.catch(() => undefined);
    return Promise.all([forming, anchoring]).then(([batched, anchored]) => ({ batched, anchored }));
  }

  /**
   * The Merkle proof of an anchored record.
   * @throws Error when the record is unknown or not anchored yet
   */
  proof(recordId: string): RecordProof {
    this.assertOpen();
    const at = this.locate(recordId);
    const batch = at && this.batchOf(at.kind, at.ordinal);
    if (!at || !batch || batch.state !== 'anchored') throw new Error(`record ${recordId} is not anchored`);
    const { payload, leaf } = this.payloadOf(at, recordId);
    const nodes = this.tree(String(batch.id));
    const proof = treeProof(nodes, leaf);
    if (!proof) throw new Error(`record ${recordId} is not in the tree of batch ${String(batch.id)}`);
    return {
      recordId,
      leaf: [recordId, '0x' + hash('sha256', payload, 'hex')],
      root: treeRoot(nodes),
      proof,
      anchorId: String(batch.id),
      transactionId: String(batch.transaction_id),
      blockNumber: batch.block_number === null ? null : Number(batch.block_number),
    };
  }

  /** Flush every `intervalMs` (default a quarter of `maxAgeMs`, at least 50 ms) until {@link close}. */
  start(intervalMs = Math.max(50, Math.floor(this.maxAgeMs / 4))): void {
    this.assertOpen();
    if (this.timer) return;
    warmTreeWorker();
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  /** Stop the timer, wait for a running flush and close the database. Pending records stay stored. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([this.formTail, this.anchorTail]);
    this.closed = true;
    this.trees.clear();
    this.db.close();
  }

  private async tick(): Promise<void> {
    try {
      await this.flush();
    } catch (e) {
      this.options.onError?.(e);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('anchor outbox is closed');
  }

  /** The segment and position of a record, from the ordinal in its id (or the table of migrated ids). */
  private locate(recordId: string): Location | undefined {
    const ordinal = recordOrdinal(recordId);
    if (ordinal === undefined) {
      const legacy = this.sql.legacyId.get(recordId) as Row | undefined;
      const s = legacy && (this.sql.segment.get(legacy.start!) as Row);
      return s && { ordinal: Number(s.start), start: Number(s.start), position: 0, kind: String(s.kind), createdMs: Number(s.created_ms) };
    }
    const s = this.sql.segmentAt.get(ordinal, ordinal) as Row | undefined;
    if (!s) return undefined;
    const start = Number(s.start);
    const random = s.random as Uint8Array;
    // Migrated segments have no random bits: their records are found by id only.
    if (ordinal - start >= Number(s.size) || random.length !== 4) return undefined;
    if (formatRecordId(Number(s.created_ms), ordinal, Buffer.from(random).readUInt32LE(0)) !== recordId) return undefined;
    return { ordinal, start, position: ordinal - start, kind: String(s.kind), createdMs: Number(s.created_ms) };
  }

  /** A stored record's canonical JSON (UTF-8) and leaf hash. */
  private payloadOf(at: Location, recordId: string): { payload: Uint8Array; leaf: Uint8Array } {
    const p = at.position;
    const r = this.sql.recordSlices.get(p === 0 ? 1 : 4 * p - 3, p === 0 ? 4 : 8, HASH * p + 1, at.start) as Row;
    const ends = Buffer.from(r.ends as Uint8Array);
    const begin = p === 0 ? 0 : ends.readUInt32LE(0);
    const end = ends.readUInt32LE(p === 0 ? 0 : 4);
    const payload = (this.sql.payloadSlice.get(begin + 1, end - begin, at.start) as Row).payload as Uint8Array;
    const stored = r.leaf as Uint8Array;
    return { payload, leaf: Number(r.payload_hashes) === 1 ? recordLeafHash(recordId, stored) : stored };
  }

  /** Ordinal of the last batched record of `kind` (0: none); the later ones are pending. */
  private watermark(kind: string): number {
    return Number((this.sql.watermark.get(kind) as Row).w);
  }

  /** Pending records of `kind` (those after `after`, default its watermark) and the oldest one's creation time. */
  private pendingOf(kind: string, after = this.watermark(kind)): { count: number; oldest: number } {
    const partial = this.sql.segmentOfKindAt.get(kind, after) as Row | undefined;
    const left = partial ? Math.max(0, Number(partial.start) + Number(partial.size) - 1 - after) : 0;
    const rest = this.sql.pendingSegments.get(kind, after) as Row;
    const oldest = Math.min(left > 0 ? Number(partial!.created_ms) : Infinity, rest.oldest === null ? Infinity : Number(rest.oldest));
    return { count: left + Number(rest.n), oldest };
  }

  /** The batch whose range holds `ordinal` of `kind`, if any. */
  private batchOf(kind: string, ordinal: number): Row | undefined {
    const b = this.sql.batchAt.get(kind, ordinal) as Row | undefined;
    return b && Number(b.first_ordinal) <= ordinal ? b : undefined;
  }

  /** A batch's tree nodes, from a small cache (batches never change). */
  private tree(batchId: string): Uint8Array {
    let nodes = this.trees.get(batchId);
    if (nodes) {
      this.trees.delete(batchId);
    } else {
      nodes = (this.sql.batchTree.get(batchId) as Row).tree as Uint8Array;
      this.treeBytes += nodes.length;
      for (const [id, old] of this.trees) {
        if (this.treeBytes <= TREE_CACHE_BYTES) break;
        this.trees.delete(id);
        this.treeBytes -= old.length;
      }
    }
    this.trees.set(batchId, nodes);
    return nodes;
  }

  /**
   * Form the batches of due kinds, oldest records first. Each batch's tree is built off the
   * thread (records keep arriving meanwhile), then the batch is stored in its own DB transaction:
   * a crash leaves whole batches or none, and the next flush forms the rest from the same records.
   * Only flushes form batches, one flush at a time, so the oldest pending records cannot change
   * under a batch being formed; `addMany` only appends after them.
   */
  private async formBatches(force: boolean): Promise<string[]> {
    const ids: string[] = [];
    const now = this.clock();
    let seq = Number((this.sql.lastBatchSeq.get() as Row).s);
    for (const k of this.sql.kinds.all() as Row[]) {
      const kind = String(k.kind) as AnchorKind;
      let after = this.watermark(kind);
      const { count, oldest } = this.pendingOf(kind, after);
      let pending = count;
      // Exact now; addMany adds to it while trees are built, and each formed batch subtracts.
      this.pendingHint.set(kind, count);
      // A full batch is due; the rest is due by age (or force).
      const byAge = force || now - oldest >= this.maxAgeMs;
      const due: BatchRecords[] = [];
      while (pending > 0 && (pending >= this.maxBatchSize || byAge)) {
        const records = this.collectBatch(kind, after);
        due.push(records);
        after = records.last;
        pending -= records.size;
      }
      // All due trees at once, stored in order. They queue for the worker while records keep
      // arriving; a forced flush (nothing else to wait for) shares them with this thread.
      const trees = due.map((records) => buildTreeOffThread(records.sources, { shareWork: force }));
      for (let b = 0; b < due.length; b++) {
        const records = due[b]!;
        const id = this.storeBatch(kind, ++seq, records, await trees[b]!);
        ids.push(id);
        this.pendingHint.set(kind, Math.max(0, (this.pendingHint.get(kind) ?? records.size) - records.size));
        this.options.onStep?.('batched', id);
      }
    }
    return ids;
  }

  /** The oldest pending records of `kind` (those after ordinal `after`), up to a batch. */
  private collectBatch(kind: AnchorKind, after: number): BatchRecords {
    const parts: LeafSource[] = [];
    let size = 0;
    let first = 0;
    let last = 0;
    let oldest = Infinity;
    let newest = -Infinity;
    const from = this.sql.segmentOfKindAt.get(kind, after) as Row | undefined;
    for (const s of this.sql.segmentsFrom.iterate(kind, from ? Number(from.start) : after + 1) as Iterable<Row>) {
      const start = Number(s.start);
      const skip = Math.max(0, after + 1 - start);
      const take = Math.min(Number(s.size) - skip, this.maxBatchSize - size);
      if (take <= 0) continue;
      const stored = (s.leaves as Uint8Array).subarray(HASH * skip, HASH * (skip + take));
      parts.push(Number(s.payload_hashes) === 1
        ? { kind: 'records', createdMs: Number(s.created_ms), start: start + skip, randoms: (s.randoms as Uint8Array).subarray(4 * skip, 4 * (skip + take)), hashes: stored }
        : { kind: 'leaves', bytes: stored });
      if (size === 0) first = start + skip;
      last = start + skip + take - 1;
      size += take;
      oldest = Math.min(oldest, Number(s.created_ms));
      newest = Math.max(newest, Number(s.created_ms));
      if (size === this.maxBatchSize) break;
    }
    return { sources: parts, first, last, size, oldest, newest };
  }

  /** Store a formed batch (one DB transaction); returns its id. */
  private storeBatch(kind: AnchorKind, seq: number, records: BatchRecords, tree: OutboxTree): string {
    const root = treeRoot(tree.nodes).slice(2);
    const id = `ob-${root.slice(0, 24)}`;
    const iso = (ms: number) => new Date(ms).toISOString();
    this.transaction(() => {
      this.sql.insertBatch.run(id, seq, kind, records.first, records.last, root, records.size, hash('sha256', tree.sortedLeaves, 'hex'), iso(records.oldest), iso(records.newest), tree.nodes);
    });
    return id;
  }

  private async anchorBatch(batchId: string): Promise<void> {
    const b = this.sql.batch.get(batchId) as Row;
    const input = {
      id: batchId,
      kind: String(b.kind),
      merkleRoot: String(b.merkle_root),
      leafCount: Number(b.leaf_count),
      algorithm: OUTBOX_ALGORITHM,
      algorithmVersion: OUTBOX_ALGORITHM_VERSION,
      inputHash: String(b.input_hash),
      window: { from: String(b.window_from), to: String(b.window_to) },
    };
    let transactionId: string;
    let blockNumber: number | null;
    try {
      const r = await this.options.ledger.submit<Anchor>(this.options.identity, 'anchors:CreateAnchor', [input]);
      transactionId = r.transactionId;
      blockNumber = r.blockNumber;
    } catch (e) {
      if (!(e instanceof LedgerError && e.code === 'ALREADY_EXISTS')) throw e;
      // Submitted before a crash: the anchor on the ledger is this batch's, provided the root matches.
      const anchor = await this.options.ledger.evaluate<Anchor>(this.options.identity, 'anchors:GetAnchor', [batchId]);
      if (anchor.merkleRoot !== input.merkleRoot) throw new Error(`anchor ${batchId} exists with another Merkle root`);
      transactionId = anchor.recorded.txId;
      blockNumber = await this.findBlock(transactionId);
    }
    this.options.onStep?.('submitted', batchId);
    // One row: the batch's records follow its state.
    this.sql.markAnchored.run(transactionId, blockNumber, batchId);
    this.options.onStep?.('anchored', batchId);
  }

  /** Block of a committed transaction, from the ledger's AnchorCreated events (recovery only). */
  private async findBlock(transactionId: string): Promise<number | null> {
    const height = await this.options.ledger.port.height();
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(), 10_000);
    try {
      for await (const ev of this.options.ledger.port.events({ signal: abort.signal })) {
        if (ev.transactionId === transactionId) return ev.blockNumber;
        if (ev.blockNumber >= height - 1) break;
      }
    } catch {
      // Not found in time: the anchor is still valid; only its block number is unknown.
    } finally {
      clearTimeout(timeout);
      abort.abort();
    }
    return null;
  }

  private transaction(fn: () => void): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      fn();
      this.db.exec('COMMIT');
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
  }
}

/** The outbox's statements, prepared once per database. */
function prepare(db: DatabaseSync): Record<StatementName, StatementSync> {
  const statements: Record<StatementName, string> = {
    registerKind: 'INSERT OR IGNORE INTO outbox_kinds (kind) VALUES (?)',
    nextStart: 'SELECT COALESCE((SELECT start + size FROM outbox_segments ORDER BY start DESC LIMIT 1), 1) AS next',
    insertSegment: 'INSERT INTO outbox_segments (start, kind, size, created_ms, randoms, ends, leaves, payloads, payload_hashes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)',
    segment: 'SELECT start, kind, created_ms FROM outbox_segments WHERE start = ?',
    segmentAt: 'SELECT start, kind, size, created_ms, substr(randoms, 4 * (? - start) + 1, 4) AS random FROM outbox_segments WHERE start <= ? ORDER BY start DESC LIMIT 1',
    legacyId: 'SELECT start FROM outbox_legacy_ids WHERE id = ?',
    recordSlices: 'SELECT substr(ends, ?, ?) AS ends, substr(leaves, ?, 32) AS leaf, payload_hashes FROM outbox_segments WHERE start = ?',
    payloadSlice: 'SELECT substr(payloads, ?, ?) AS payload FROM outbox_segments WHERE start = ?',
    kinds: 'SELECT kind FROM outbox_kinds ORDER BY kind',
    watermark: 'SELECT COALESCE(MAX(last_ordinal), 0) AS w FROM outbox_batches WHERE kind = ?',
    segmentOfKindAt: 'SELECT start, size, created_ms FROM outbox_segments WHERE kind = ? AND start <= ? ORDER BY start DESC LIMIT 1',
    pendingSegments: 'SELECT COALESCE(SUM(size), 0) AS n, MIN(created_ms) AS oldest FROM outbox_segments WHERE kind = ? AND start > ?',
    segmentsFrom: 'SELECT start, size, created_ms, randoms, leaves, payload_hashes FROM outbox_segments WHERE kind = ? AND start >= ? ORDER BY start',
    inState: 'SELECT COALESCE(SUM(leaf_count), 0) AS n FROM outbox_batches WHERE state = ?',
    inStateOfKind: 'SELECT COALESCE(SUM(leaf_count), 0) AS n FROM outbox_batches WHERE state = ? AND kind = ?',
    lastBatchSeq: 'SELECT COALESCE(MAX(seq), 0) AS s FROM outbox_batches',
    insertBatch: `INSERT INTO outbox_batches (id, seq, kind, first_ordinal, last_ordinal, merkle_root, leaf_count, input_hash, window_from, window_to, state, tree)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'batched', ?)`,
    openBatches: "SELECT id FROM outbox_batches WHERE state = 'batched' ORDER BY seq",
    batch: 'SELECT kind, merkle_root, leaf_count, input_hash, window_from, window_to FROM outbox_batches WHERE id = ?',
    batchAt: 'SELECT id, first_ordinal, state, transaction_id, block_number FROM outbox_batches WHERE kind = ? AND last_ordinal >= ? ORDER BY last_ordinal LIMIT 1',
    batchTree: 'SELECT tree FROM outbox_batches WHERE id = ?',
    markAnchored: "UPDATE outbox_batches SET state = 'anchored', transaction_id = ?, block_number = ? WHERE id = ? AND state = 'batched'",
  };
  return Object.fromEntries(Object.entries(statements).map(([name, sql]) => [name, db.prepare(sql)])) as Record<StatementName, StatementSync>;
}

type StatementName =
  | 'registerKind' | 'nextStart' | 'insertSegment' | 'segment' | 'segmentAt' | 'legacyId' | 'recordSlices' | 'payloadSlice' | 'kinds'
  | 'watermark' | 'segmentOfKindAt' | 'pendingSegments' | 'segmentsFrom' | 'inState' | 'inStateOfKind' | 'lastBatchSeq' | 'insertBatch'
  | 'openBatches' | 'batch' | 'batchAt' | 'batchTree' | 'markAnchored';
