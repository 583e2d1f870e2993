/**
 * Twin checkpoints on disk (SQLite), so a restarted gateway continues each machine's twin — above
 * all its wear estimate, which takes hours of operation to learn — instead of starting from the
 * model's prior.
 */
import { DatabaseSync } from 'node:sqlite';
import type { TwinServiceCheckpoint } from './twin-service';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS twin_state (
  machine_id TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  saved_ms INTEGER NOT NULL
);
`;

/** Saves and loads {@link TwinServiceCheckpoint}s. */
export class TwinStateStore {
  private constructor(private readonly db: DatabaseSync) {}

  /** Open (or create) the store. */
  static open(filename: string): TwinStateStore {
    const db = new DatabaseSync(filename);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    db.exec(SCHEMA);
    return new TwinStateStore(db);
  }

  /** Replace the saved checkpoints of these machines (one transaction). */
  save(checkpoints: readonly TwinServiceCheckpoint[], now = Date.now()): void {
    const put = this.db.prepare('INSERT INTO twin_state (machine_id, body, saved_ms) VALUES (?, ?, ?) ON CONFLICT (machine_id) DO UPDATE SET body = excluded.body, saved_ms = excluded.saved_ms');
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const c of checkpoints) put.run(c.machineId, JSON.stringify(c), now);
      this.db.exec('COMMIT');
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
  }

  /** Every saved checkpoint. */
  load(): TwinServiceCheckpoint[] {
    return (this.db.prepare('SELECT body FROM twin_state ORDER BY machine_id').all() as { body: string }[]).map((r) => JSON.parse(r.body) as TwinServiceCheckpoint);
  }

  /** Close the store (idempotent). */
  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
