/**
 * The query store: the gateway's read model of the ledger, filled by the {@link Indexer}
 * from chaincode events and read by the API. Two implementations with one schema and one
 * behaviour: `SqliteStore` (default) and `PostgresStore`.
 */
import type {
  Anchor, AnchorKind, Job, JobStatus, Lot, LotEvent, Machine, MachineEvent, MachineStatus, Member, MemberRole,
  Order, Part, PartEvent, PartStatus, TwinSnapshot,
} from '@forgetrace/chaincode/api';

/** Where on the ledger something was indexed from: one transaction of one block. */
export interface LedgerPosition {
  readonly blockNumber: number;
  readonly transactionIndex: number;
  readonly transactionId: string;
}

/** A current-state record with the ledger position it was last indexed from. */
export interface Indexed<T> {
  /** The record exactly as the chaincode returned it (parsed). */
  readonly data: T;
  /** `"<block>.<txIndex>"` of {@link position}; changes whenever the row is re-indexed, so usable as an HTTP ETag. */
  readonly version: string;
  readonly position: LedgerPosition;
}

/** One entry of a part's, machine's or lot's own history. */
export interface HistoryEntry<T> {
  /** The event exactly as the chaincode keeps it (`seq`, `type`, `data`, `txId`, `at`, `mspId`). */
  readonly data: T;
  /** Block of the event's transaction, once the index has applied that transaction; else `null`. */
  readonly blockNumber: number | null;
}

/** One page of a list. */
export interface Page<T> {
  readonly items: readonly T[];
  /** Pass back as `cursor` for the next page; `null` on the last page. */
  readonly nextCursor: string | null;
}

/** Every item of a paged list, following its cursors (pages of 500). */
export async function listAll<T>(list: (page: { readonly limit: number; readonly cursor: string | null }) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await list({ limit: 500, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** Paging options of every list: `limit` 1–500 (default 50), `cursor` from the previous page. */
export interface PageOptions {
  readonly limit?: number;
  readonly cursor?: string | null;
}

export interface MemberFilter extends PageOptions { readonly role?: MemberRole }
export interface MachineFilter extends PageOptions { readonly ownerMsp?: string; readonly status?: MachineStatus; readonly process?: string }
export interface OrderFilter extends PageOptions { readonly buyerMsp?: string; readonly status?: Order['status'] }
export interface PartFilter extends PageOptions { readonly orderId?: string; readonly status?: PartStatus; readonly buyerMsp?: string }
export interface JobFilter extends PageOptions { readonly factoryMsp?: string; readonly partId?: string; readonly status?: JobStatus }
/** `from`/`to` are ISO-8601 instants, inclusive, compared with the snapshot's `recorded.at`. */
export interface TwinSnapshotFilter extends PageOptions { readonly from?: string; readonly to?: string }
/** `from`/`to` are ISO-8601 instants, inclusive, compared with the anchor's `recorded.at`. */
export interface AnchorFilter extends PageOptions { readonly kind?: AnchorKind; readonly from?: string; readonly to?: string }

/** A point in ledger history: a transaction time (ISO-8601) or a block number — exactly one. */
export interface PointInTime {
  readonly time?: string;
  readonly block?: number;
}

/**
 * A record as it was at a point in time. The record's history (exact, from the chaincode)
 * says how many events it had then (`eventCount`); `data` is the indexed version with that
 * event count. Versions are captured when the indexer sees them: an indexer that catches
 * up (after downtime, or on rebuild) sees only the latest state, so an older version may
 * be missing — then `exact` is `false` and `data` is the nearest older version known
 * (`null` if none).
 */
export interface RecordAt<T> {
  readonly data: T | null;
  readonly exact: boolean;
  /** Number of the record's history events at that point (its `eventCount` then). */
  readonly eventCount: number;
  /** The last history event at or before the point. */
  readonly lastEvent: { readonly seq: number; readonly type: string; readonly txId: string; readonly at: string; readonly blockNumber: number | null };
}

/** How far the index is. */
export type Checkpoint = LedgerPosition;

/** A chaincode event the index has applied. */
export interface AppliedTransaction extends LedgerPosition {
  readonly eventName: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** Result of {@link QueryStore.reserveIdempotencyKey}. */
export type IdempotencyReservation =
  /** The caller owns the key now and must complete or release it. */
  | { readonly state: 'new' }
  /** Another request with this key is running. */
  | { readonly state: 'in_progress' }
  /** A request with this key finished; replay its response. */
  | { readonly state: 'done'; readonly status: number; readonly body: unknown; readonly headers: Readonly<Record<string, string>> }
  /** The key was used for a different request (other request hash). */
  | { readonly state: 'mismatch' };

/** Rows per table, for tests, probes and metrics. */
export type TableCounts = Readonly<Record<IndexTable, number>>;

/** The tables of the index (the idempotency table is not index data and survives a rebuild). */
export const INDEX_TABLES = [
  'members', 'machines', 'machine_processes', 'machine_versions', 'machine_events', 'lots', 'lot_events', 'orders',
  'parts', 'part_versions', 'part_events', 'jobs', 'twin_snapshots', 'anchors', 'chaincode_events', 'checkpoint',
] as const;
export type IndexTable = (typeof INDEX_TABLES)[number];

/**
 * Writes of one indexed transaction, all in one database transaction. Every upsert is
 * idempotent: records by id, history entries by (subject, seq), versions by (id, eventCount).
 * `text` is the JSON the chaincode returned, stored as is.
 */
export interface IndexWriter {
  upsertMember(record: Member, text: string, at: LedgerPosition): Promise<void>;
  /** Also records this version of the machine (keyed by its `eventCount`). */
  upsertMachine(record: Machine, text: string, at: LedgerPosition): Promise<void>;
  upsertMachineEvents(events: readonly MachineEvent[], at: LedgerPosition): Promise<void>;
  upsertLot(record: Lot, text: string, at: LedgerPosition): Promise<void>;
  upsertLotEvents(events: readonly LotEvent[], at: LedgerPosition): Promise<void>;
  upsertOrder(record: Order, text: string, at: LedgerPosition): Promise<void>;
  /** Also records this version of the part (keyed by its `eventCount`). */
  upsertPart(record: Part, text: string, at: LedgerPosition): Promise<void>;
  upsertPartEvents(events: readonly PartEvent[], at: LedgerPosition): Promise<void>;
  upsertJob(record: Job, text: string, at: LedgerPosition): Promise<void>;
  upsertTwinSnapshot(record: TwinSnapshot, text: string, at: LedgerPosition): Promise<void>;
  upsertAnchor(record: Anchor, text: string, at: LedgerPosition): Promise<void>;
  /** Record the applied chaincode event (by block and transaction index). */
  recordTransaction(at: LedgerPosition, eventName: string, payloadText: string): Promise<void>;
  /** Move the checkpoint to `at`; it never moves back. */
  setCheckpoint(at: LedgerPosition): Promise<void>;
}

/** The query store. All methods are async; lists page with an opaque cursor in a stable order. */
export interface QueryStore {
  /** `"sqlite"` or `"postgres"`. */
  readonly kind: 'sqlite' | 'postgres';

  /** Members in `mspId` order. @throws IndexError INVALID_LIMIT, INVALID_CURSOR */
  listMembers(filter?: MemberFilter): Promise<Page<Indexed<Member>>>;
  getMember(mspId: string): Promise<Indexed<Member> | undefined>;
  /** Machines in id order; `process` matches one of `capabilities.processes`. */
  listMachines(filter?: MachineFilter): Promise<Page<Indexed<Machine>>>;
  getMachine(id: string): Promise<Indexed<Machine> | undefined>;
  /** A machine's provenance events in `seq` order. */
  listMachineEvents(machineId: string, page?: PageOptions): Promise<Page<HistoryEntry<MachineEvent>>>;
  /** Orders in id order. */
  listOrders(filter?: OrderFilter): Promise<Page<Indexed<Order>>>;
  getOrder(id: string): Promise<Indexed<Order> | undefined>;
  /** Parts in id order. */
  listParts(filter?: PartFilter): Promise<Page<Indexed<Part>>>;
  getPart(id: string): Promise<Indexed<Part> | undefined>;
  /** A part's history in `seq` order. */
  listPartEvents(partId: string, page?: PageOptions): Promise<Page<HistoryEntry<PartEvent>>>;
  /** Jobs in id order. */
  listJobs(filter?: JobFilter): Promise<Page<Indexed<Job>>>;
  getJob(id: string): Promise<Indexed<Job> | undefined>;
  /** A machine's twin snapshots in (`recorded.at`, id) order. @throws IndexError INVALID_TIME */
  listTwinSnapshots(machineId: string, filter?: TwinSnapshotFilter): Promise<Page<Indexed<TwinSnapshot>>>;
  getTwinSnapshot(id: string): Promise<Indexed<TwinSnapshot> | undefined>;
  /** Anchors in (`recorded.at`, id) order. @throws IndexError INVALID_TIME */
  listAnchors(filter?: AnchorFilter): Promise<Page<Indexed<Anchor>>>;
  getAnchor(id: string): Promise<Indexed<Anchor> | undefined>;
  getLot(id: string): Promise<Indexed<Lot> | undefined>;
  /** A lot's history in `seq` order. */
  listLotEvents(lotId: string, page?: PageOptions): Promise<Page<HistoryEntry<LotEvent>>>;
  /**
   * The part as it was at a transaction time or block; `undefined` if it did not exist yet
   * (or is unknown). "At time t" means after the last of its events whose transaction
   * timestamp is ≤ t; "at block b" after the last of its events committed in a block ≤ b.
   * @throws IndexError INVALID_POINT_IN_TIME, INVALID_TIME
   */
  getPartAt(partId: string, at: PointInTime): Promise<RecordAt<Part> | undefined>;
  /** The machine as it was at a transaction time or block; see {@link getPartAt}. */
  getMachineAt(machineId: string, at: PointInTime): Promise<RecordAt<Machine> | undefined>;
  /** The applied chaincode event of a transaction, if the index has it. */
  getTransaction(transactionId: string): Promise<AppliedTransaction | undefined>;

  /** The last applied transaction, or `undefined` for an empty index. */
  getCheckpoint(): Promise<Checkpoint | undefined>;
  /**
   * Run `fn` in one database transaction: everything it writes commits together, or — if
   * it throws — nothing does. Used by the indexer, one call per ledger transaction.
   */
  transaction<T>(fn: (writer: IndexWriter) => Promise<T>): Promise<T>;
  /** Delete all index data and the checkpoint (idempotency records are kept). */
  clear(): Promise<void>;
  /** Rows per index table. */
  tableCounts(): Promise<TableCounts>;

  /**
   * Claim an idempotency key for a principal. Atomic: of concurrent callers with the same
   * key exactly one gets `new`. An expired record (older than its TTL) counts as absent.
   */
  reserveIdempotencyKey(principal: string, key: string, requestHash: string, ttlSeconds: number): Promise<IdempotencyReservation>;
  /** Store the response of a reserved key; returns false when no reservation was in progress. */
  completeIdempotencyKey(principal: string, key: string, status: number, body: unknown, headers: Readonly<Record<string, string>>): Promise<boolean>;
  /** Drop an in-progress reservation (the request failed before writing to the ledger). */
  releaseIdempotencyKey(principal: string, key: string): Promise<void>;
  /** Delete expired idempotency records; returns how many. */
  purgeExpiredIdempotencyKeys(): Promise<number>;

  /** Release the database. */
  close(): Promise<void>;
}
