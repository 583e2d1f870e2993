/** The PostgreSQL query store (`pg` pool): for gateways that share a database server. */
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { IndexError } from './errors';
import { migrate } from './internal/schema';
import { toDollarParams, type Row, type SqlBackend, type SqlExecutor, type SqlValue } from './internal/sql';
import { SqlQueryStore } from './internal/sql-store';

/** Options of {@link PostgresStore.open}. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`. */
  readonly connectionString: string;
  /** Pool size (default 10). */
  readonly maxConnections?: number;
  /** Milliseconds since the epoch, for idempotency expiry (default `Date.now`). */
  readonly clock?: () => number;
  /** Further `pg` pool settings (TLS, timeouts). */
  readonly pool?: Omit<PoolConfig, 'connectionString' | 'max'>;
}

function executor(client: Pool | PoolClient): SqlExecutor {
  return {
    all: async (sql, params = []) => (await client.query(toDollarParams(sql), params as SqlValue[])).rows as Row[],
    run: async (sql, params = []) => (await client.query(toDollarParams(sql), params as SqlValue[])).rowCount ?? 0,
  };
}

class PostgresBackend implements SqlBackend {
  readonly dialect = 'postgres' as const;
  private readonly direct: SqlExecutor;
  private closed = false;

  constructor(private readonly pool: Pool) {
    this.direct = executor(pool);
  }

  private check(): void {
    if (this.closed) throw new IndexError('STORE_CLOSED');
  }

  async all(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    this.check();
    return this.direct.all(sql, params);
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    this.check();
    return this.direct.run(sql, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.check();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(executor(client));
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/**
 * The query store on PostgreSQL: same schema and behaviour as `SqliteStore` (text columns
 * use the "C" collation so lists sort in the same byte order). Transactions run at READ
 * COMMITTED; each indexed ledger transaction is one database transaction.
 */
export class PostgresStore extends SqlQueryStore {
  readonly kind = 'postgres' as const;

  private constructor(backend: PostgresBackend, clock: () => number) {
    super(backend, clock);
  }

  /**
   * Connect and migrate.
   * @throws IndexError SCHEMA_TOO_NEW; `pg` errors when the server cannot be reached
   */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const pool = new Pool({ ...options.pool, connectionString: options.connectionString, max: options.maxConnections ?? 10 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const backend = new PostgresBackend(pool);
    try {
      await migrate(backend);
    } catch (e) {
      await backend.close();
      throw e;
    }
    return new PostgresStore(backend, options.clock ?? Date.now);
  }
}
