/**
 * The index schema, versioned in code. A migration is a list of statements applied in one
 * transaction; `schema_migrations` records which versions a database has.
 */
import { IndexError } from '../errors';
import type { SqlBackend } from './sql';

interface Dialect {
  /** Text column with byte-order comparison (PostgreSQL needs `COLLATE "C"` to match SQLite). */
  readonly text: string;
  readonly bigint: string;
}

const DIALECTS: Record<SqlBackend['dialect'], Dialect> = {
  sqlite: { text: 'TEXT', bigint: 'INTEGER' },
  postgres: { text: 'TEXT COLLATE "C"', bigint: 'BIGINT' },
};

/** Columns of the ledger position a row was last indexed from. */
const POSITION = (d: Dialect) => `block_number ${d.bigint} NOT NULL, tx_index INTEGER NOT NULL, tx_id ${d.text} NOT NULL`;

/** Migrations in order; never edit a released one, add the next. */
export const MIGRATIONS: ReadonlyArray<{ readonly version: number; readonly statements: (d: Dialect) => string[] }> = [
  {
    version: 1,
    statements: (d) => [
      `CREATE TABLE checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), ${POSITION(d)})`,
      `CREATE TABLE chaincode_events (block_number ${d.bigint} NOT NULL, tx_index INTEGER NOT NULL, tx_id ${d.text} NOT NULL UNIQUE,
        event_name ${d.text} NOT NULL, payload TEXT NOT NULL, PRIMARY KEY (block_number, tx_index))`,
      `CREATE TABLE members (msp_id ${d.text} PRIMARY KEY, role ${d.text} NOT NULL, doc TEXT NOT NULL, ${POSITION(d)})`,
      `CREATE INDEX members_role ON members (role, msp_id)`,
      `CREATE TABLE machines (id ${d.text} PRIMARY KEY, owner_msp ${d.text} NOT NULL, status ${d.text} NOT NULL,
        event_count INTEGER NOT NULL, doc TEXT NOT NULL, ${POSITION(d)})`,
      `CREATE INDEX machines_owner ON machines (owner_msp, id)`,
      `CREATE INDEX machines_status ON machines (status, id)`,
      `CREATE TABLE machine_processes (machine_id ${d.text} NOT NULL, process ${d.text} NOT NULL, PRIMARY KEY (machine_id, process))`,
      `CREATE INDEX machine_processes_process ON machine_processes (process, machine_id)`,
      `CREATE TABLE machine_versions (machine_id ${d.text} NOT NULL, event_count INTEGER NOT NULL, tx_id ${d.text} NOT NULL,
        at_ms ${d.bigint} NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (machine_id, event_count))`,
      `CREATE TABLE machine_events (machine_id ${d.text} NOT NULL, seq INTEGER NOT NULL, type ${d.text} NOT NULL, tx_id ${d.text} NOT NULL,
        at_ms ${d.bigint} NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (machine_id, seq))`,
      `CREATE TABLE lots (id ${d.text} PRIMARY KEY, owner_msp ${d.text} NOT NULL, event_count INTEGER NOT NULL, doc TEXT NOT NULL, ${POSITION(d)})`,
      `CREATE TABLE lot_events (lot_id ${d.text} NOT NULL, seq INTEGER NOT NULL, type ${d.text} NOT NULL, tx_id ${d.text} NOT NULL,
        at_ms ${d.bigint} NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (lot_id, seq))`,
      `CREATE TABLE orders (id ${d.text} PRIMARY KEY, buyer_msp ${d.text} NOT NULL, status ${d.text} NOT NULL, doc TEXT NOT NULL, ${POSITION(d)})`,
      `CREATE INDEX orders_buyer ON orders (buyer_msp, id)`,
      `CREATE TABLE parts (id ${d.text} PRIMARY KEY, order_id ${d.text} NOT NULL, buyer_msp ${d.text} NOT NULL, status ${d.text} NOT NULL,
        event_count INTEGER NOT NULL, doc TEXT NOT NULL, ${POSITION(d)})`,
      `CREATE INDEX parts_order ON parts (order_id, id)`,
      `CREATE INDEX parts_buyer ON parts (buyer_msp, id)`,
      `CREATE INDEX parts_status ON parts (status, id)`,
      `CREATE TABLE part_versions (part_id ${d.text} NOT NULL, event_count INTEGER NOT NULL, tx_id ${d.text} NOT NULL,
        at_ms ${d.bigint} NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (part_id, event_count))`,
      `CREATE TABLE part_events (part_id ${d.text} NOT NULL, seq INTEGER NOT NULL, type ${d.text} NOT NULL, tx_id ${d.text} NOT NULL,
        at_ms ${d.bigint} NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (part_id, seq))`,
      `CREATE TABLE jobs (id ${d.text} PRIMARY KEY, part_id ${d.text} NOT NULL, order_id ${d.text} NOT NULL, factory_msp ${d.text} NOT NULL,
        machine_id ${d.text} NOT NULL, status ${d.text} NOT NULL, doc TEXT NOT NULL, ${POSITION(d)})`,
      `CREATE INDEX jobs_factory ON jobs (factory_msp, id)`,
      `CREATE INDEX jobs_part ON jobs (part_id, id)`,
      `CREATE INDEX jobs_status ON jobs (status, id)`,
      `CREATE TABLE twin_snapshots (id ${d.text} PRIMARY KEY, machine_id ${d.text} NOT NULL, owner_msp ${d.text} NOT NULL,
        recorded_ms ${d.bigint} NOT NULL, anomaly INTEGER NOT NULL, doc TEXT NOT NULL, ${POSITION(d)})`,
      `CREATE INDEX twin_snapshots_machine ON twin_snapshots (machine_id, recorded_ms, id)`,
      `CREATE TABLE anchors (id ${d.text} PRIMARY KEY, kind ${d.text} NOT NULL, recorded_ms ${d.bigint} NOT NULL, doc TEXT NOT NULL, ${POSITION(d)})`,
      `CREATE INDEX anchors_kind ON anchors (kind, recorded_ms, id)`,
      `CREATE INDEX anchors_time ON anchors (recorded_ms, id)`,
      `CREATE TABLE idempotency_keys (principal ${d.text} NOT NULL, idem_key ${d.text} NOT NULL, request_hash ${d.text} NOT NULL,
        state ${d.text} NOT NULL, status INTEGER, body TEXT, headers TEXT, created_ms ${d.bigint} NOT NULL, expires_ms ${d.bigint} NOT NULL,
        PRIMARY KEY (principal, idem_key))`,
      `CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_ms)`,
    ],
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Bring a database to {@link SCHEMA_VERSION}. On PostgreSQL an advisory lock keeps two
 * gateways starting at once from migrating twice.
 * @throws IndexError SCHEMA_TOO_NEW
 */
export async function migrate(db: SqlBackend): Promise<void> {
  const dialect = DIALECTS[db.dialect];
  await db.run(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`);
  await db.transaction(async (tx) => {
    if (db.dialect === 'postgres') await tx.all(`SELECT pg_advisory_xact_lock(727274601)`);
    const rows = await tx.all(`SELECT MAX(version) AS v FROM schema_migrations`);
    const current = Number(rows[0]?.['v'] ?? 0);
    if (current > SCHEMA_VERSION) throw new IndexError('SCHEMA_TOO_NEW', { found: current, known: SCHEMA_VERSION });
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      for (const statement of m.statements(dialect)) await tx.run(statement);
      await tx.run(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, [m.version, new Date().toISOString()]);
    }
  });
}
