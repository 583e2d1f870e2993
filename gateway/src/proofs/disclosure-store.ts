/**
 * Buyers' disclosure choices: for a part, which fields of its trace entries are public. Kept off
 * the ledger in SQLite (`disclosure.sqlitePath`); each choice is also anchored through the
 * outbox, so an auditor can show which policy was in force.
 */
import { DatabaseSync } from 'node:sqlite';

export interface Disclosure {
  readonly partId: string;
  /** RFC 6901 pointers into the stored trace events, e.g. `/type`, `/at`, `/data/carrier`. */
  readonly fields: readonly string[];
  readonly updatedAt: string;
  readonly updatedBy: string;
  /** The outbox record that anchors this choice. */
  readonly recordId: string;
}

export class DisclosureStore {
  private readonly db: DatabaseSync;

  constructor(filename: string) {
    this.db = new DatabaseSync(filename);
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS disclosures (part_id TEXT PRIMARY KEY, fields TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL, record_id TEXT NOT NULL);`);
  }

  get(partId: string): Disclosure | undefined {
    const row = this.db.prepare('SELECT part_id, fields, updated_at, updated_by, record_id FROM disclosures WHERE part_id = ?').get(partId) as Record<string, string> | undefined;
    return row && { partId: row.part_id!, fields: JSON.parse(row.fields!) as string[], updatedAt: row.updated_at!, updatedBy: row.updated_by!, recordId: row.record_id! };
  }

  put(d: Disclosure): void {
    this.db.prepare(`INSERT INTO disclosures (part_id, fields, updated_at, updated_by, record_id) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (part_id) DO UPDATE SET fields = excluded.fields, updated_at = excluded.updated_at, updated_by = excluded.updated_by, record_id = excluded.record_id`)
      .run(d.partId, JSON.stringify(d.fields), d.updatedAt, d.updatedBy, d.recordId);
  }

  /** Make the part private again; true when it had a disclosure. */
  delete(partId: string): boolean {
    return Number(this.db.prepare('DELETE FROM disclosures WHERE part_id = ?').run(partId).changes) > 0;
  }

  close(): void {
    this.db.close();
  }
}
