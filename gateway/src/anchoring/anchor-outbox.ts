/**
 * The anchoring outbox: records are stored in SQLite, grouped into Merkle batches and each
 * batch is anchored on the ledger with exactly one `anchors:CreateAnchor` transaction.
 */
import { randomUUID } from 'node:crypto';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import type { Anchor, AnchorKind } from '@forgetrace/chaincode/api';
import type { LedgerClient } from '../ledger/ledger-client';
import { LedgerError, type LedgerIdentity } from '../ledger/port';
import { LEAF_ENCODING, leafSetHash, payloadHash, type OutboxLeaf, type RecordProof } from './record-proof';

/** Anchor `algorithm` of outbox batches. */
export const OUTBOX_ALGORITHM = 'forgetrace-outbox';
/** Anchor `algorithmVersion` of outbox batches. */
export const OUTBOX_ALGORITHM_VERSION = '1';

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
  /** Most records in one batch; a kind with this many pending records is due (default 256). */
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
  readonly payload: unknown;
  readonly state: RecordState;
  readonly createdAt: string;
  /** Batch (= anchor id) once batched. */
  readonly batchId: string | null;
}

type Row = Record<string, SQLInputValue>;
type TreeData = ReturnType<StandardMerkleTree<OutboxLeaf>['dump']>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox_records (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  payload_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'batched', 'anchored')),
  batch_id TEXT,
  leaf_index INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_records_pending ON outbox_records (state, kind, seq);
CREATE TABLE IF NOT EXISTS outbox_batches (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  merkle_root TEXT NOT NULL,
  leaf_count INTEGER NOT NULL,
  input_hash TEXT NOT NULL,
  window_from TEXT NOT NULL,
  window_to TEXT NOT NULL,
  tree TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('batched', 'anchored')),
  transaction_id TEXT,
  block_number INTEGER
);`;

/**
 * Durable outbox of records to anchor. `add` stores a record (pending); `flush` (or the timer
 * started by `start`) groups due records of one kind into a batch, anchors its Merkle root and
 * marks the records anchored. Anchor ids derive from the root, so a batch interrupted after its
 * submission is recovered by resubmitting the same anchor: `ALREADY_EXISTS` means it is on the
 * ledger already, and the batch is marked anchored from `anchors:GetAnchor`.
 */
export class AnchorOutbox {
  private readonly maxBatchSize: number;
  private readonly maxAgeMs: number;
  private readonly clock: () => number;
  private tail: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(private readonly db: DatabaseSync, private readonly options: AnchorOutboxOptions) {
    this.maxBatchSize = options.maxBatchSize ?? 256;
    this.maxAgeMs = options.maxAgeMs ?? 2000;
    this.clock = options.clock ?? Date.now;
    if (!Number.isInteger(this.maxBatchSize) || this.maxBatchSize < 1) throw new RangeError('maxBatchSize must be a positive integer');
  }

  /** Open (or create) the outbox database. Batches left `batched` by a crash are anchored by the next flush. */
  static open(options: AnchorOutboxOptions): AnchorOutbox {
    const db = new DatabaseSync(options.filename);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    db.exec(SCHEMA);
    return new AnchorOutbox(db, options);
  }

  /** Store a pending record and return its id. `payload` is any JSON value. */
  add(record: { readonly kind: AnchorKind; readonly payload: unknown }): string {
    this.assertOpen();
    const id = randomUUID();
    const now = this.clock();
    this.db
      .prepare('INSERT INTO outbox_records (id, kind, payload, payload_hash, created_at, created_ms, state) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, record.kind, JSON.stringify(record.payload), payloadHash(record.payload), new Date(now).toISOString(), now, 'pending');
    if (this.timer && this.count(record.kind, 'pending') >= this.maxBatchSize) void this.tick();
    return id;
  }

  /** A stored record, or undefined. */
  get(recordId: string): OutboxRecord | undefined {
    this.assertOpen();
    const r = this.db.prepare('SELECT id, kind, payload, state, created_at, batch_id FROM outbox_records WHERE id = ?').get(recordId) as Row | undefined;
    if (!r) return undefined;
    return { id: String(r.id), kind: r.kind as AnchorKind, payload: JSON.parse(String(r.payload)), state: r.state as RecordState, createdAt: String(r.created_at), batchId: r.batch_id === null ? null : String(r.batch_id) };
  }

  /** Number of records in `state` (of one kind, or all). */
  count(kind: AnchorKind | undefined, state: RecordState): number {
    this.assertOpen();
    const row = (kind
      ? this.db.prepare('SELECT COUNT(*) AS n FROM outbox_records WHERE state = ? AND kind = ?').get(state, kind)
      : this.db.prepare('SELECT COUNT(*) AS n FROM outbox_records WHERE state = ?').get(state)) as Row;
    return Number(row.n);
  }

  /**
   * Batch every due kind (`force`: every pending record) and anchor every unanchored batch,
   * oldest first. Flushes run one at a time.
   * @throws LedgerError when a submission fails (the batch stays `batched` and is retried by the next flush)
   */
  flush(options: { readonly force?: boolean } = {}): Promise<FlushResult> {
    const run = this.tail.then(async () => {
      this.assertOpen();
      const batched = this.formBatches(options.force ?? false);
      const anchored: string[] = [];
      const open = this.db.prepare("SELECT id FROM outbox_batches WHERE state = 'batched' ORDER BY seq").all() as Row[];
      for (const b of open) {
        await this.anchorBatch(String(b.id));
        anchored.push(String(b.id));
      }
      return { batched, anchored };
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * The Merkle proof of an anchored record.
   * @throws Error when the record is unknown or not anchored yet
   */
  proof(recordId: string): RecordProof {
    this.assertOpen();
    const r = this.db
      .prepare(
        `SELECT r.id, r.payload_hash, r.leaf_index, b.id AS anchor_id, b.tree, b.transaction_id, b.block_number
         FROM outbox_records r JOIN outbox_batches b ON b.id = r.batch_id WHERE r.id = ? AND r.state = 'anchored'`,
      )
      .get(recordId) as Row | undefined;
    if (!r) throw new Error(`record ${recordId} is not anchored`);
    const tree = StandardMerkleTree.load(JSON.parse(String(r.tree)) as TreeData);
    const index = Number(r.leaf_index);
    return {
      recordId,
      leaf: [recordId, String(r.payload_hash)],
      root: tree.root,
      proof: tree.getProof(index),
      anchorId: String(r.anchor_id),
      transactionId: String(r.transaction_id),
      blockNumber: r.block_number === null ? null : Number(r.block_number),
    };
  }

  /** Flush every `intervalMs` (default a quarter of `maxAgeMs`, at least 50 ms) until {@link close}. */
  start(intervalMs = Math.max(50, Math.floor(this.maxAgeMs / 4))): void {
    this.assertOpen();
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  /** Stop the timer, wait for a running flush and close the database. Pending records stay stored. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.tail;
    this.closed = true;
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

  /** Form batches of due kinds in one DB transaction; returns their ids. */
  private formBatches(force: boolean): string[] {
    const ids: string[] = [];
    const now = this.clock();
    this.transaction(() => {
      const kinds = this.db
        .prepare("SELECT kind, COUNT(*) AS n, MIN(created_ms) AS oldest FROM outbox_records WHERE state = 'pending' GROUP BY kind ORDER BY kind")
        .all() as Row[];
      const seqRow = this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM outbox_batches').get() as Row;
      let seq = Number(seqRow.s);
      for (const k of kinds) {
        let pending = Number(k.n);
        const kind = String(k.kind) as AnchorKind;
        // A full batch is due; the rest is due by age (or force).
        const byAge = force || now - Number(k.oldest) >= this.maxAgeMs;
        while (pending > 0 && (pending >= this.maxBatchSize || byAge)) {
          ids.push(this.formBatch(kind, ++seq));
          pending -= Math.min(pending, this.maxBatchSize);
        }
      }
    });
    for (const id of ids) this.options.onStep?.('batched', id);
    return ids;
  }

  private formBatch(kind: AnchorKind, seq: number): string {
    const rows = this.db
      .prepare("SELECT id, payload_hash, created_at FROM outbox_records WHERE state = 'pending' AND kind = ? ORDER BY seq LIMIT ?")
      .all(kind, this.maxBatchSize) as Row[];
    const leaves: OutboxLeaf[] = rows.map((r) => [String(r.id), String(r.payload_hash)]);
    const tree = StandardMerkleTree.of(leaves, [...LEAF_ENCODING]);
    const root = tree.root.slice(2).toLowerCase();
    const id = `ob-${root.slice(0, 24)}`;
    const times = rows.map((r) => String(r.created_at)).sort();
    this.db
      .prepare('INSERT INTO outbox_batches (id, seq, kind, merkle_root, leaf_count, input_hash, window_from, window_to, tree, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, seq, kind, root, leaves.length, leafSetHash(tree), times[0]!, times[times.length - 1]!, JSON.stringify(tree.dump()), 'batched');
    const mark = this.db.prepare("UPDATE outbox_records SET state = 'batched', batch_id = ?, leaf_index = ? WHERE id = ? AND state = 'pending'");
    leaves.forEach((leaf, i) => mark.run(id, i, leaf[0]));
    return id;
  }

  private async anchorBatch(batchId: string): Promise<void> {
    const b = this.db.prepare('SELECT * FROM outbox_batches WHERE id = ?').get(batchId) as Row;
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
    this.transaction(() => {
      this.db.prepare("UPDATE outbox_batches SET state = 'anchored', transaction_id = ?, block_number = ? WHERE id = ?").run(transactionId, blockNumber, batchId);
      this.db.prepare("UPDATE outbox_records SET state = 'anchored' WHERE batch_id = ?").run(batchId);
    });
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
