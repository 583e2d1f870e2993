/** The SQLite query store (node:sqlite, one file, WAL mode): the single-machine default. */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { IndexError } from './errors';
import { migrate } from './internal/schema';
import type { Row, SqlBackend, SqlExecutor, SqlValue } from './internal/sql';
import { SqlQueryStore } from './internal/sql-store';

/** Options of {@link SqliteStore.open}. */
export interface SqliteStoreOptions {
  /** Database file, or `:memory:`. */
  readonly filename: string;
  /** Milliseconds since the epoch, for idempotency expiry (default `Date.now`). */
  readonly clock?: () => number;
}

/**
 * One connection, all access serialised by an async lock: a transaction holds the lock
 * from BEGIN to COMMIT, so no read ever sees a half-applied ledger transaction.
 */
class SqliteBackend implements SqlBackend {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, StatementSync>();
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly db: DatabaseSync) {}

  private statement(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private readonly direct: SqlExecutor = {
    all: async (sql, params = []) => this.statement(sql).all(...(params as SqlValue[])) as Row[],
    run: async (sql, params = []) => Number(this.statement(sql).run(...(params as SqlValue[])).changes),
  };

  /** Run `fn` when every earlier holder of the lock is done. */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(() => {
      if (this.closed) throw new IndexError('STORE_CLOSED');
      return fn();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  all(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    return this.locked(() => this.direct.all(sql, params));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.locked(() => this.direct.run(sql, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.locked(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (e) {
        this.db.exec('ROLLBACK');
        throw e;
      }
    });
  }

  close(): Promise<void> {
    return this.locked(async () => {
      this.closed = true;
      this.statements.clear();
      this.db.close();
    });
  }
}

/**
 * The query store on SQLite. One file in WAL mode (readers of other processes never block
 * the writer), `synchronous=FULL` so a committed checkpoint survives a power cut.
 */
export class SqliteStore extends SqlQueryStore {
  readonly kind = 'sqlite' as const;

  private constructor(backend: SqliteBackend, clock: () => number) {
    super(backend, clock);
  }

  /**
   * Open (creating if needed) and migrate a database.
   * @throws IndexError SCHEMA_TOO_NEW when the file was written by a newer gateway
   */
  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const db = new DatabaseSync(options.filename);
    try {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = FULL');
      db.exec('PRAGMA busy_timeout = 5000');
      const backend = new SqliteBackend(db);
      await migrate(backend);
      return new SqliteStore(backend, options.clock ?? Date.now);
    } catch (e) {
      if (db.isOpen) db.close();
      throw e;
    }
  }
}
