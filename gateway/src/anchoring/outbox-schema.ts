/**
 * The outbox's SQLite schema (version 3), the migration of files of the first version
 * (unversioned: one row per record with a state column, batches holding JSON trees), and of
 * version 2 (the same tables, every segment holding leaf hashes).
 *
 * Records are stored in segments: the records of one kind added by one call, with consecutive
 * ordinals (`start` .. `start + size − 1`; ordinals grow with every record of the outbox). A
 * segment holds, per record, its payload's canonical JSON (concatenated, with end offsets), 32
 * bytes in `leaves`, and the random bits of its id (see `record-ids.ts`). The 32 bytes are the
 * record's Merkle leaf hash when `payload_hashes` is 0 (segments of versions 1 and 2), or the
 * SHA-256 of its payload when it is 1 (version 3 writes these): the leaf is then computed from
 * the id and that hash when the record is batched or proved, off the thread that stores records. Batches take the oldest
 * pending records of a kind, so a batch is an ordinal range of one kind, the pending records of a
 * kind are those after its last batch, and a record's state is its batch's: nothing is written
 * per record after it is added.
 */
import { hash } from 'node:crypto';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { canonicalJson } from '@forgetrace/chaincode/api';
import { buildTree, recordLeafHashInto } from './outbox-tree';

/** `PRAGMA user_version` of the current schema. */
export const SCHEMA_VERSION = 3;

type Row = Record<string, SQLInputValue>;

const SCHEMA = `
CREATE TABLE outbox_segments (
  start INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  size INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  randoms BLOB NOT NULL,
  ends BLOB NOT NULL,
  leaves BLOB NOT NULL,
  payloads BLOB NOT NULL,
  payload_hashes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_segments_kind ON outbox_segments (kind, start);
CREATE TABLE outbox_legacy_ids (id TEXT PRIMARY KEY, start INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE outbox_kinds (kind TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE outbox_batches (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  first_ordinal INTEGER NOT NULL,
  last_ordinal INTEGER NOT NULL,
  merkle_root TEXT NOT NULL,
  leaf_count INTEGER NOT NULL,
  input_hash TEXT NOT NULL,
  window_from TEXT NOT NULL,
  window_to TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('batched', 'anchored')),
  transaction_id TEXT,
  block_number INTEGER,
  tree BLOB NOT NULL
);
CREATE INDEX outbox_batches_range ON outbox_batches (kind, last_ordinal);`;

/**
 * Create the schema, or migrate a file of the first version to it, in one transaction. The
 * page size (16 KiB: segments are large rows) applies to new files only.
 * @throws Error when the file has a newer schema, or an old file is inconsistent (nothing is changed then)
 */
export function openSchema(db: DatabaseSync): void {
  db.exec('PRAGMA page_size = 16384');
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
  db.exec('BEGIN IMMEDIATE');
  try {
    const version = Number((db.prepare('PRAGMA user_version').get() as Row).user_version);
    if (version > SCHEMA_VERSION) throw new Error(`outbox database has schema version ${version}; this gateway knows up to ${SCHEMA_VERSION}`);
    if (version === 2) {
      // Its segments keep their leaf hashes (payload_hashes 0); new ones store payload hashes.
      db.exec('ALTER TABLE outbox_segments ADD COLUMN payload_hashes INTEGER NOT NULL DEFAULT 0');
      db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    } else if (version < SCHEMA_VERSION) {
      const legacy = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'outbox_records'").get() !== undefined;
      if (legacy) db.exec('ALTER TABLE outbox_records RENAME TO legacy_records; ALTER TABLE outbox_batches RENAME TO legacy_batches;');
      db.exec(SCHEMA);
      if (legacy) migrateVersion1(db);
      db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    }
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
}

/**
 * Copy the tables of the first version (renamed legacy_*) and drop them. Each old record becomes
 * a segment of one record whose start is its old sequence number (so old batches stay ranges),
 * found by id through outbox_legacy_ids; each old batch keeps its id, root and state.
 */
function migrateVersion1(db: DatabaseSync): void {
  const insert = db.prepare('INSERT INTO outbox_segments (start, kind, size, created_ms, randoms, ends, leaves, payloads) VALUES (?, ?, 1, ?, ?, ?, ?, ?)');
  const insertId = db.prepare('INSERT INTO outbox_legacy_ids (id, start) VALUES (?, ?)');
  const hashes = new Uint8Array(64);
  const none = new Uint8Array(4);
  for (const r of db.prepare('SELECT seq, id, kind, created_ms, payload_hash, payload FROM legacy_records ORDER BY seq').iterate() as Iterable<Row>) {
    const id = String(r.id);
    // Stored as canonical JSON, whose SHA-256 is the payload hash.
    const payload = Buffer.from(canonicalJson(JSON.parse(String(r.payload))), 'utf8');
    const payloadHash = '0x' + hash('sha256', payload, 'hex');
    if (payloadHash !== String(r.payload_hash).toLowerCase()) throw new Error(`outbox migration: record ${id} does not hash to its payload hash`);
    hashes.set(Buffer.from(payloadHash.slice(2), 'hex'));
    recordLeafHashInto(id, hashes, 0, hashes, 32);
    const ends = Buffer.alloc(4);
    ends.writeUInt32LE(payload.length);
    insert.run(r.seq!, r.kind!, r.created_ms!, none, ends, hashes.slice(32), payload);
    insertId.run(id, r.seq!);
  }
  db.exec('INSERT INTO outbox_kinds (kind) SELECT DISTINCT kind FROM outbox_segments; CREATE INDEX legacy_records_batch ON legacy_records (batch_id);');
  const members = db.prepare(
    `SELECT COUNT(*) AS n, MIN(s.start) AS first, MAX(s.start) AS last, unhex(group_concat(hex(s.leaves), '')) AS leaves
     FROM legacy_records l JOIN outbox_segments s ON s.start = l.seq WHERE l.batch_id = ?`,
  );
  const span = db.prepare('SELECT COUNT(*) AS n FROM outbox_segments WHERE kind = ? AND start BETWEEN ? AND ?');
  const insertBatch = db.prepare(
    `INSERT INTO outbox_batches (id, seq, kind, first_ordinal, last_ordinal, merkle_root, leaf_count, input_hash, window_from, window_to, state, transaction_id, block_number, tree)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const b of db.prepare('SELECT id, seq, kind, merkle_root, leaf_count, input_hash, window_from, window_to, state, transaction_id, block_number FROM legacy_batches ORDER BY seq').all() as Row[]) {
    const m = members.get(b.id!) as Row;
    const n = Number(m.n);
    // The first version also batched the oldest pending records of a kind, so a batch is a range.
    if (n !== Number(b.leaf_count) || Number((span.get(b.kind!, m.first!, m.last!) as Row).n) !== n) {
      throw new Error(`outbox migration: batch ${String(b.id)} is not a range of ${String(b.leaf_count)} records`);
    }
    const tree = buildTree(m.leaves as Uint8Array);
    if (Buffer.from(tree.nodes.subarray(0, 32)).toString('hex') !== String(b.merkle_root)) throw new Error(`outbox migration: batch ${String(b.id)} does not rebuild to its Merkle root`);
    insertBatch.run(b.id!, b.seq!, b.kind!, m.first!, m.last!, b.merkle_root!, n, b.input_hash!, b.window_from!, b.window_to!, b.state!, b.transaction_id!, b.block_number!, tree.nodes);
  }
  const inconsistent = db.prepare(
    `SELECT COUNT(*) AS n FROM legacy_records l LEFT JOIN legacy_batches b ON b.id = l.batch_id
     WHERE (l.state = 'pending') <> (b.id IS NULL) OR (b.id IS NOT NULL AND b.state <> l.state)
        OR (l.state = 'pending' AND l.seq <= (SELECT COALESCE(MAX(last_ordinal), 0) FROM outbox_batches x WHERE x.kind = l.kind))`,
  ).get() as Row;
  if (Number(inconsistent.n) !== 0) throw new Error(`outbox migration: ${String(inconsistent.n)} records disagree with their batches`);
  db.exec('DROP TABLE legacy_records; DROP TABLE legacy_batches;');
}
