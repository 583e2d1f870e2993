/**
 * Off-chain storage of the recommender (node:sqlite): buyers' feedback (ratings and events,
 * deduplicated by buyer and event id) and the trained model versions with their manifests.
 * Nothing here goes on the ledger; only hashes and Merkle roots do.
 */
import { DatabaseSync } from 'node:sqlite';
import type { ModelManifest } from './recommendation-model';

/** One stored feedback entry. */
export interface StoredFeedback {
  readonly seq: number;
  readonly buyer: string;
  readonly eventId: string;
  /** SHA-256 of the canonical request body: a repeated event id with another body is a conflict. */
  readonly bodyHash: string;
  readonly target: 'part' | 'factory';
  /** Configuration id (parts) or factory MSP id (factories). */
  readonly item: string;
  readonly orderId: string | null;
  readonly rating: number | null;
  readonly event: string | null;
  /** The rating used for training (the rating, or the event's value). */
  readonly value: number;
  readonly receivedAt: string;
  readonly submittedBy: string;
}

/** A stored model version. */
export interface StoredModelVersion {
  readonly seq: number;
  readonly manifest: ModelManifest;
  readonly partsModel: string | null;
  readonly factoriesModel: string | null;
  /** Highest feedback seq included in its training data. */
  readonly feedbackSeq: number;
  readonly anchor: { readonly transactionId: string | null; readonly anchoredBy: string };
  readonly createdAt: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS feedback (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  buyer TEXT NOT NULL, event_id TEXT NOT NULL, body_hash TEXT NOT NULL,
  target TEXT NOT NULL, item TEXT NOT NULL, order_id TEXT, rating REAL, event TEXT, value REAL NOT NULL,
  received_at TEXT NOT NULL, submitted_by TEXT NOT NULL,
  UNIQUE (buyer, event_id)
);
CREATE TABLE IF NOT EXISTS model_versions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE, manifest TEXT NOT NULL, parts_model TEXT, factories_model TEXT,
  feedback_seq INTEGER NOT NULL, transaction_id TEXT, anchored_by TEXT NOT NULL, created_at TEXT NOT NULL
);`;

type Row = Record<string, string | number | bigint | null | Uint8Array>;

const str = (v: Row[string] | undefined) => (v === null || v === undefined ? null : String(v));

function feedbackOf(r: Row): StoredFeedback {
  return {
    seq: Number(r.seq), buyer: String(r.buyer), eventId: String(r.event_id), bodyHash: String(r.body_hash),
    target: String(r.target) as StoredFeedback['target'], item: String(r.item), orderId: str(r.order_id),
    rating: r.rating === null ? null : Number(r.rating), event: str(r.event), value: Number(r.value),
    receivedAt: String(r.received_at), submittedBy: String(r.submitted_by),
  };
}

function versionOf(r: Row): StoredModelVersion {
  return {
    seq: Number(r.seq), manifest: JSON.parse(String(r.manifest)) as ModelManifest, partsModel: str(r.parts_model), factoriesModel: str(r.factories_model),
    feedbackSeq: Number(r.feedback_seq), anchor: { transactionId: str(r.transaction_id), anchoredBy: String(r.anchored_by) }, createdAt: String(r.created_at),
  };
}

/** The recommender's SQLite file (`:memory:` in tests). */
export class FeedbackStore {
  private constructor(private readonly db: DatabaseSync) {}

  /** Open (or create) the database. */
  static open(filename: string): FeedbackStore {
    const db = new DatabaseSync(filename);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    db.exec(SCHEMA);
    return new FeedbackStore(db);
  }

  /**
   * Insert unless (buyer, eventId) exists. Returns the stored entry and whether it was new; an
   * existing entry is returned unchanged (the caller compares body hashes).
   */
  insertFeedback(f: Omit<StoredFeedback, 'seq'>): { readonly entry: StoredFeedback; readonly created: boolean } {
    const info = this.db
      .prepare(`INSERT INTO feedback (buyer, event_id, body_hash, target, item, order_id, rating, event, value, received_at, submitted_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (buyer, event_id) DO NOTHING`)
      .run(f.buyer, f.eventId, f.bodyHash, f.target, f.item, f.orderId, f.rating, f.event, f.value, f.receivedAt, f.submittedBy);
    const entry = this.getFeedback(f.buyer, f.eventId)!;
    return { entry, created: Number(info.changes) === 1 };
  }

  /** One entry, or undefined. */
  getFeedback(buyer: string, eventId: string): StoredFeedback | undefined {
    const r = this.db.prepare('SELECT * FROM feedback WHERE buyer = ? AND event_id = ?').get(buyer, eventId) as Row | undefined;
    return r ? feedbackOf(r) : undefined;
  }

  /** Every entry with seq ≤ `upTo`, oldest first. */
  listFeedback(upTo = Number.MAX_SAFE_INTEGER): StoredFeedback[] {
    return (this.db.prepare('SELECT * FROM feedback WHERE seq <= ? ORDER BY seq').all(upTo) as Row[]).map(feedbackOf);
  }

  /** Highest feedback seq (0 when empty). */
  lastFeedbackSeq(): number {
    const r = this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS n FROM feedback').get() as Row;
    return Number(r.n);
  }

  /** Store a version (a version id already stored is left as it is). */
  saveVersion(v: Omit<StoredModelVersion, 'seq'>): StoredModelVersion {
    this.db
      .prepare(`INSERT INTO model_versions (id, manifest, parts_model, factories_model, feedback_seq, transaction_id, anchored_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
      .run(v.manifest.id, JSON.stringify(v.manifest), v.partsModel, v.factoriesModel, v.feedbackSeq, v.anchor.transactionId, v.anchor.anchoredBy, v.createdAt);
    return this.getVersion(v.manifest.id)!;
  }

  /** A version by id, or undefined. */
  getVersion(id: string): StoredModelVersion | undefined {
    const r = this.db.prepare('SELECT * FROM model_versions WHERE id = ?').get(id) as Row | undefined;
    return r ? versionOf(r) : undefined;
  }

  /** The newest stored version, or undefined. */
  latestVersion(): StoredModelVersion | undefined {
    const r = this.db.prepare('SELECT * FROM model_versions ORDER BY seq DESC LIMIT 1').get() as Row | undefined;
    return r ? versionOf(r) : undefined;
  }

  /** Every version's manifest summary, newest first. */
  listVersions(): StoredModelVersion[] {
    return (this.db.prepare('SELECT * FROM model_versions ORDER BY seq DESC').all() as Row[]).map(versionOf);
  }

  /** Close the database. */
  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
