/**
 * The checkpointed event index: an {@link Indexer} that follows the ledger's chaincode
 * events into a {@link QueryStore} (SQLite or PostgreSQL) that the API reads.
 */
export { Indexer, type IndexerOptions, type IndexerStatus, type IndexLag } from './indexer';
export { SqliteStore, type SqliteStoreOptions } from './sqlite-store';
export { PostgresStore, type PostgresStoreOptions } from './postgres-store';
export { IndexError, INDEX_ERRORS, type IndexErrorCode } from './errors';
export { SCHEMA_VERSION } from './internal/schema';
export { DEFAULT_LIMIT, MAX_LIMIT } from './internal/sql-store';
export {
  INDEX_TABLES,
  type AnchorFilter, type AppliedTransaction, type Checkpoint, type HistoryEntry, type IdempotencyReservation, type Indexed,
  type IndexTable, type IndexWriter, type JobFilter, type LedgerPosition, type MachineFilter, type MemberFilter, type OrderFilter,
  type Page, type PageOptions, type PartFilter, type PointInTime, type QueryStore, type RecordAt, type TableCounts,
  type TwinSnapshotFilter,
} from './store';
