/**
 * EPCIS events this gateway has exported or imported, keyed by their CBV 2.0 event hash, with
 * the anchoring outbox record of each hash: an event hash is handed to the outbox once, however
 * often it is exported or imported. Imported events are indexed by the objects they are about, so
 * a part's export can include what partners recorded about it. SQLite (`node:sqlite`), its own
 * tables `epcis_*`; it may share the outbox's file.
 */
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { AnchorOutbox } from '../anchoring/anchor-outbox';
import { constrainDigitalLink, epcUriToDigitalLink } from './gs1-uri';

/** Where a stored event came from. */
export type EventOrigin = 'export' | 'import';

/** A stored event. */
export interface StoredEvent {
  readonly eventID: string;
  readonly origin: EventOrigin;
  /** The event as exported or captured (imported events keep the partner's JSON). */
  readonly event: Record<string, unknown>;
  /** Prefixes of the document's @context, needed to re-hash the event. */
  readonly prefixes: Record<string, string>;
  /** The outbox record anchoring `{ eventID }`. */
  readonly recordId: string;
  readonly storedAt: string;
}

/** The payload the outbox anchors for an event: what a verifier re-hashes the event to. */
export const anchorPayload = (eventID: string) => ({ eventID });

type Row = Record<string, SQLInputValue>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS epcis_events (
  event_id TEXT PRIMARY KEY,
  origin TEXT NOT NULL CHECK (origin IN ('export', 'import')),
  event TEXT NOT NULL,
  prefixes TEXT NOT NULL,
  record_id TEXT,
  stored_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS epcis_event_epcs (
  epc TEXT NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (epc, event_id)
) WITHOUT ROWID;`;

/** Fields of an event that name the objects it is about (instance or class identifiers). */
const OBJECT_FIELDS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'] as const;
const QUANTITY_FIELDS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'] as const;

/**
 * One key per identifier, whatever form a partner wrote it in: EPC URNs and Digital Link URIs on
 * any domain become the canonical Digital Link URI (as in the event hash); other URIs stay.
 */
export function objectKey(uri: string): string {
  return epcUriToDigitalLink(uri) ?? constrainDigitalLink(uri) ?? uri;
}

/** The keys of the objects an event is about: its EPCs, parentID and quantity classes. */
export function objectKeys(event: Record<string, unknown>): string[] {
  const uris: string[] = [];
  for (const f of OBJECT_FIELDS) {
    const list = event[f];
    if (Array.isArray(list)) for (const u of list) if (typeof u === 'string') uris.push(u);
  }
  if (typeof event.parentID === 'string') uris.push(event.parentID);
  for (const f of QUANTITY_FIELDS) {
    const list = event[f];
    if (Array.isArray(list)) for (const q of list) if (q && typeof q === 'object' && typeof (q as { epcClass?: unknown }).epcClass === 'string') uris.push((q as { epcClass: string }).epcClass);
  }
  return [...new Set(uris.map(objectKey))];
}

/** The EPCIS event store. */
export class EpcisStore {
  private constructor(private readonly db: DatabaseSync, private readonly outbox: AnchorOutbox, private readonly clock: () => number) {}

  /** Open (or create) the store; `filename` may be the outbox's SQLite file or `:memory:`. */
  static open(options: { readonly filename: string; readonly outbox: AnchorOutbox; readonly clock?: () => number }): EpcisStore {
    const db = new DatabaseSync(options.filename);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
    db.exec(SCHEMA);
    const store = new EpcisStore(db, options.outbox, options.clock ?? Date.now);
    store.indexImported();
    return store;
  }

  /** Index the objects of imported events that have no index rows (stored before the index, or a crash between). */
  private indexImported(): void {
    const rows = this.db.prepare("SELECT event_id, event FROM epcis_events WHERE origin = 'import' AND event_id NOT IN (SELECT event_id FROM epcis_event_epcs)").all() as Row[];
    for (const r of rows) this.index(String(r.event_id), JSON.parse(String(r.event)) as Record<string, unknown>);
  }

  private index(eventID: string, event: Record<string, unknown>): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO epcis_event_epcs (epc, event_id) VALUES (?, ?)');
    for (const key of objectKeys(event)) insert.run(key, eventID);
  }

  /**
   * Store an event under its hash and anchor the hash, unless it is stored already. Returns
   * the outbox record id and whether this call added it. A crash between the outbox record
   * and marking it here can anchor a hash twice; nothing is lost.
   */
  put(eventID: string, origin: EventOrigin, event: Record<string, unknown>, prefixes: Record<string, string>): { readonly recordId: string; readonly added: boolean } {
    const existing = this.db.prepare('SELECT record_id FROM epcis_events WHERE event_id = ?').get(eventID) as Row | undefined;
    if (existing && existing.record_id !== null) return { recordId: String(existing.record_id), added: false };
    if (!existing) {
      this.db.prepare('INSERT INTO epcis_events (event_id, origin, event, prefixes, record_id, stored_at) VALUES (?, ?, ?, ?, NULL, ?)')
        .run(eventID, origin, JSON.stringify(event), JSON.stringify(prefixes), new Date(this.clock()).toISOString());
      if (origin === 'import') this.index(eventID, event);
    }
    const recordId = this.outbox.add({ kind: 'other', payload: anchorPayload(eventID) });
    this.db.prepare('UPDATE epcis_events SET record_id = ? WHERE event_id = ?').run(recordId, eventID);
    return { recordId, added: !existing };
  }

  /** A stored event by its hash ID. */
  get(eventID: string): StoredEvent | undefined {
    const r = this.db.prepare('SELECT * FROM epcis_events WHERE event_id = ?').get(eventID) as Row | undefined;
    if (!r || r.record_id === null) return undefined;
    return this.toStored(r);
  }

  /**
   * Imported (partner) events about any of the objects `keys` names (see {@link objectKey}),
   * oldest stored first; only events whose anchoring record exists.
   */
  importedAbout(keys: readonly string[]): StoredEvent[] {
    if (keys.length === 0) return [];
    const rows = this.db.prepare(
      `SELECT DISTINCT e.* FROM epcis_event_epcs x JOIN epcis_events e ON e.event_id = x.event_id
       WHERE x.epc IN (SELECT value FROM json_each(?)) AND e.origin = 'import' AND e.record_id IS NOT NULL ORDER BY e.stored_at, e.event_id`,
    ).all(JSON.stringify([...new Set(keys.map(objectKey))])) as Row[];
    return rows.map((r) => this.toStored(r));
  }

  private toStored(r: Row): StoredEvent {
    return {
      eventID: String(r.event_id), origin: String(r.origin) as EventOrigin, event: JSON.parse(String(r.event)) as Record<string, unknown>,
      prefixes: JSON.parse(String(r.prefixes)) as Record<string, string>, recordId: String(r.record_id), storedAt: String(r.stored_at),
    };
  }

  /** Number of stored events (of one origin, or all). */
  count(origin?: EventOrigin): number {
    const row = (origin
      ? this.db.prepare('SELECT COUNT(*) AS n FROM epcis_events WHERE origin = ?').get(origin)
      : this.db.prepare('SELECT COUNT(*) AS n FROM epcis_events').get()) as Row;
    return Number(row.n);
  }

  close(): void {
    this.db.close();
  }
}
