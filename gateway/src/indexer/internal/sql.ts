/** The small SQL surface both stores implement, so that one query layer serves both. */

export type SqlValue = string | number | null;
export type Row = Record<string, unknown>;

/** Runs statements written with `?` placeholders. */
export interface SqlExecutor {
  all(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

/** A database connection (or pool) of one dialect. */
export interface SqlBackend extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /** Run `fn` in a transaction: commit when it resolves, roll back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Rewrite `?` placeholders as `$1, $2, …` (our SQL has no `?` inside literals). */
export function toDollarParams(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
