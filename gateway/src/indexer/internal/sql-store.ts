/**
 * The query store over a {@link SqlBackend}: every query and write in portable SQL
 * (SQLite ≥ 3.35 and PostgreSQL ≥ 13 both take `ON CONFLICT … DO UPDATE … WHERE` and
 * `RETURNING`), so the two stores behave the same.
 */
import { canonicalJson } from '@forgetrace/chaincode/api';
import type {
  Anchor, Job, Lot, LotEvent, Machine, MachineEvent, Member, Order, Part, PartEvent, TwinSnapshot,
} from '@forgetrace/chaincode/api';
import { IndexError } from '../errors';
import {
  INDEX_TABLES,
  type AnchorFilter, type AppliedTransaction, type Checkpoint, type HistoryEntry, type IdempotencyReservation, type Indexed,
  type IndexWriter, type JobFilter, type LedgerPosition, type MachineFilter, type MemberFilter, type OrderFilter, type Page,
  type PageOptions, type PartFilter, type PointInTime, type QueryStore, type RecordAt, type TableCounts, type TwinSnapshotFilter,
} from '../store';
import type { Row, SqlBackend, SqlExecutor, SqlValue } from './sql';

/** Default and maximum page sizes. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

type SortColumn = { readonly column: string; readonly type: 'text' | 'number' };

const byId = (column = 'id'): SortColumn[] => [{ column, type: 'text' }];
const byTimeThenId: SortColumn[] = [{ column: 'recorded_ms', type: 'number' }, { column: 'id', type: 'text' }];

function encodeCursor(list: string, values: readonly SqlValue[]): string {
  return Buffer.from(JSON.stringify({ l: list, k: values }), 'utf8').toString('base64url');
}

function decodeCursor(list: string, cursor: string, sort: readonly SortColumn[]): SqlValue[] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { l?: unknown; k?: unknown };
    if (parsed.l === list && Array.isArray(parsed.k) && parsed.k.length === sort.length
      && parsed.k.every((v, i) => typeof v === (sort[i]!.type === 'text' ? 'string' : 'number'))) {
      return parsed.k as SqlValue[];
    }
  } catch {
    // fall through
  }
  throw new IndexError('INVALID_CURSOR', { cursor });
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new IndexError('INVALID_LIMIT', { limit });
  return limit;
}

/** ISO-8601 to epoch milliseconds. @throws IndexError INVALID_TIME */
function toMs(field: string, value: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new IndexError('INVALID_TIME', { field, value });
  return ms;
}

function position(row: Row): LedgerPosition {
  return { blockNumber: Number(row['block_number']), transactionIndex: Number(row['tx_index']), transactionId: String(row['tx_id']) };
}

function indexed<T>(row: Row): Indexed<T> {
  const at = position(row);
  return { data: JSON.parse(String(row['doc'])) as T, version: `${at.blockNumber}.${at.transactionIndex}`, position: at };
}

function history<T>(row: Row): HistoryEntry<T> {
  const block = row['event_block'];
  return { data: JSON.parse(String(row['doc'])) as T, blockNumber: block === null || block === undefined ? null : Number(block) };
}

const POS = 'block_number, tx_index, tx_id';
const POS_UPDATE = 'block_number = excluded.block_number, tx_index = excluded.tx_index, tx_id = excluded.tx_id';

/** Writes of one transaction, on the transaction's executor. */
class SqlIndexWriter implements IndexWriter {
  constructor(private readonly tx: SqlExecutor) {}

  private pos(at: LedgerPosition): SqlValue[] {
    return [at.blockNumber, at.transactionIndex, at.transactionId];
  }

  async upsertMember(r: Member, text: string, at: LedgerPosition): Promise<void> {
    await this.tx.run(
      `INSERT INTO members (msp_id, role, doc, ${POS}) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (msp_id) DO UPDATE SET role = excluded.role, doc = excluded.doc, ${POS_UPDATE}`,
      [r.mspId, r.role, text, ...this.pos(at)]);
  }

  async upsertMachine(r: Machine, text: string, at: LedgerPosition): Promise<void> {
    // An older state never replaces a newer one (two indexers on one store stay correct).
    const changed = await this.tx.run(
      `INSERT INTO machines (id, owner_msp, status, event_count, doc, ${POS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET owner_msp = excluded.owner_msp, status = excluded.status, event_count = excluded.event_count,
         doc = excluded.doc, ${POS_UPDATE} WHERE machines.event_count <= excluded.event_count`,
      [r.id, r.ownerMsp, r.status, r.eventCount, text, ...this.pos(at)]);
    if (changed > 0) {
      await this.tx.run(`DELETE FROM machine_processes WHERE machine_id = ?`, [r.id]);
      for (const process of new Set(r.capabilities.processes)) {
        await this.tx.run(`INSERT INTO machine_processes (machine_id, process) VALUES (?, ?)`, [r.id, process]);
      }
    }
    await this.tx.run(
      `INSERT INTO machine_versions (machine_id, event_count, tx_id, at_ms, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (machine_id, event_count) DO NOTHING`,
      [r.id, r.eventCount, r.updated.txId, Date.parse(r.updated.at), text]);
  }

  async upsertMachineEvents(events: readonly MachineEvent[]): Promise<void> {
    for (const e of events) {
      await this.tx.run(
        `INSERT INTO machine_events (machine_id, seq, type, tx_id, at_ms, doc) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (machine_id, seq) DO NOTHING`,
        [e.machineId, e.seq, e.type, e.txId, Date.parse(e.at), canonicalJson(e)]);
    }
  }

  async upsertLot(r: Lot, text: string, at: LedgerPosition): Promise<void> {
    await this.tx.run(
      `INSERT INTO lots (id, owner_msp, event_count, doc, ${POS}) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET owner_msp = excluded.owner_msp, event_count = excluded.event_count, doc = excluded.doc, ${POS_UPDATE}
       WHERE lots.event_count <= excluded.event_count`,
      [r.id, r.ownerMsp, r.eventCount, text, ...this.pos(at)]);
  }

  async upsertLotEvents(events: readonly LotEvent[]): Promise<void> {
    for (const e of events) {
      await this.tx.run(
        `INSERT INTO lot_events (lot_id, seq, type, tx_id, at_ms, doc) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (lot_id, seq) DO NOTHING`,
        [e.lotId, e.seq, e.type, e.txId, Date.parse(e.at), canonicalJson(e)]);
    }
  }

  async upsertOrder(r: Order, text: string, at: LedgerPosition): Promise<void> {
    await this.tx.run(
      `INSERT INTO orders (id, buyer_msp, status, doc, ${POS}) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET buyer_msp = excluded.buyer_msp, status = excluded.status, doc = excluded.doc, ${POS_UPDATE}`,
      [r.id, r.buyerMsp, r.status, text, ...this.pos(at)]);
  }

  async upsertPart(r: Part, text: string, at: LedgerPosition): Promise<void> {
    await this.tx.run(
      `INSERT INTO parts (id, order_id, buyer_msp, status, event_count, doc, ${POS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET order_id = excluded.order_id, buyer_msp = excluded.buyer_msp, status = excluded.status,
         event_count = excluded.event_count, doc = excluded.doc, ${POS_UPDATE} WHERE parts.event_count <= excluded.event_count`,
      [r.id, r.orderId, r.buyerMsp, r.status, r.eventCount, text, ...this.pos(at)]);
    await this.tx.run(
      `INSERT INTO part_versions (part_id, event_count, tx_id, at_ms, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (part_id, event_count) DO NOTHING`,
      [r.id, r.eventCount, r.updated.txId, Date.parse(r.updated.at), text]);
  }

  async upsertPartEvents(events: readonly PartEvent[]): Promise<void> {
    for (const e of events) {
      await this.tx.run(
        `INSERT INTO part_events (part_id, seq, type, tx_id, at_ms, doc) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (part_id, seq) DO NOTHING`,
        [e.partId, e.seq, e.type, e.txId, Date.parse(e.at), canonicalJson(e)]);
    }
  }

  async upsertJob(r: Job, text: string, at: LedgerPosition): Promise<void> {
    await this.tx.run(
      `INSERT INTO jobs (id, part_id, order_id, factory_msp, machine_id, status, doc, ${POS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET part_id = excluded.part_id, order_id = excluded.order_id, factory_msp = excluded.factory_msp,
         machine_id = excluded.machine_id, status = excluded.status, doc = excluded.doc, ${POS_UPDATE}`,
      [r.id, r.partId, r.orderId, r.factoryMsp, r.machineId, r.status, text, ...this.pos(at)]);
  }

  async upsertTwinSnapshot(r: TwinSnapshot, text: string, at: LedgerPosition): Promise<void> {
    await this.tx.run(
      `INSERT INTO twin_snapshots (id, machine_id, owner_msp, recorded_ms, anomaly, doc, ${POS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET machine_id = excluded.machine_id, owner_msp = excluded.owner_msp, recorded_ms = excluded.recorded_ms,
         anomaly = excluded.anomaly, doc = excluded.doc, ${POS_UPDATE}`,
      [r.id, r.machineId, r.ownerMsp, Date.parse(r.recorded.at), r.summary.anomaly ? 1 : 0, text, ...this.pos(at)]);
  }

  async upsertAnchor(r: Anchor, text: string, at: LedgerPosition): Promise<void> {
    await this.tx.run(
      `INSERT INTO anchors (id, kind, recorded_ms, doc, ${POS}) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, recorded_ms = excluded.recorded_ms, doc = excluded.doc, ${POS_UPDATE}`,
      [r.id, r.kind, Date.parse(r.recorded.at), text, ...this.pos(at)]);
  }

  async recordTransaction(at: LedgerPosition, eventName: string, payloadText: string): Promise<void> {
    await this.tx.run(
      `INSERT INTO chaincode_events (${POS}, event_name, payload) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (block_number, tx_index) DO NOTHING`,
      [...this.pos(at), eventName, payloadText]);
  }

  async setCheckpoint(at: LedgerPosition): Promise<void> {
    await this.tx.run(
      `INSERT INTO checkpoint (id, ${POS}) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET ${POS_UPDATE}
       WHERE checkpoint.block_number < excluded.block_number
          OR (checkpoint.block_number = excluded.block_number AND checkpoint.tx_index < excluded.tx_index)`,
      this.pos(at));
  }
}

/** Shared implementation of {@link QueryStore}; `SqliteStore` and `PostgresStore` supply the backend. */
export abstract class SqlQueryStore implements QueryStore {
  abstract readonly kind: 'sqlite' | 'postgres';

  protected constructor(
    protected readonly db: SqlBackend,
    /** Milliseconds since the epoch; injected for idempotency TTL tests. */
    protected readonly now: () => number,
  ) {}

  /** One keyset-paginated query: `where` are AND-ed conditions, the sort columns must end with a unique one. */
  private async page<T>(list: string, from: string, where: string[], params: SqlValue[], sort: readonly SortColumn[], options: PageOptions,
    map: (row: Row) => T, select = '*'): Promise<Page<T>> {
    const limit = checkLimit(options.limit);
    const conditions = [...where];
    const args = [...params];
    if (options.cursor) {
      const after = decodeCursor(list, options.cursor, sort);
      // (a > x) OR (a = x AND b > y) OR …
      const ors: string[] = [];
      for (let i = 0; i < sort.length; i++) {
        const parts = sort.slice(0, i).map((s) => `${s.column} = ?`);
        parts.push(`${sort[i]!.column} > ?`);
        ors.push(`(${parts.join(' AND ')})`);
        args.push(...after.slice(0, i + 1));
      }
      conditions.push(`(${ors.join(' OR ')})`);
    }
    const sql = `SELECT ${select} FROM ${from}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY ${sort.map((s) => `${s.column} ASC`).join(', ')} LIMIT ${limit + 1}`;
    const rows = await this.db.all(sql, args);
    const more = rows.length > limit;
    const pageRows = more ? rows.slice(0, limit) : rows;
    const last = pageRows[pageRows.length - 1];
    const key = (column: string) => column.includes('.') ? column.slice(column.indexOf('.') + 1) : column;
    const nextCursor = more && last
      ? encodeCursor(list, sort.map((s) => (s.type === 'number' ? Number(last[key(s.column)]) : String(last[key(s.column)]))))
      : null;
    return { items: pageRows.map(map), nextCursor };
  }

  private async one<T>(table: string, column: string, id: string): Promise<Indexed<T> | undefined> {
    const rows = await this.db.all(`SELECT doc, ${POS} FROM ${table} WHERE ${column} = ?`, [id]);
    return rows[0] ? indexed<T>(rows[0]) : undefined;
  }

  private filters(pairs: Array<[string, SqlValue | undefined]>): { where: string[]; params: SqlValue[] } {
    const where: string[] = [];
    const params: SqlValue[] = [];
    for (const [column, value] of pairs) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    return { where, params };
  }

  async listMembers(filter: MemberFilter = {}): Promise<Page<Indexed<Member>>> {
    const f = this.filters([['role', filter.role]]);
    return this.page('members', 'members', f.where, f.params, byId('msp_id'), filter, indexed<Member>);
  }

  getMember(mspId: string): Promise<Indexed<Member> | undefined> {
    return this.one('members', 'msp_id', mspId);
  }

  async listMachines(filter: MachineFilter = {}): Promise<Page<Indexed<Machine>>> {
    const f = this.filters([['owner_msp', filter.ownerMsp], ['status', filter.status]]);
    if (filter.process !== undefined) {
      f.where.push(`EXISTS (SELECT 1 FROM machine_processes p WHERE p.machine_id = machines.id AND p.process = ?)`);
      f.params.push(filter.process);
    }
    return this.page('machines', 'machines', f.where, f.params, byId(), filter, indexed<Machine>);
  }

  getMachine(id: string): Promise<Indexed<Machine> | undefined> {
    return this.one('machines', 'id', id);
  }

  private historyPage<T>(list: string, table: string, subject: string, id: string, page: PageOptions): Promise<Page<HistoryEntry<T>>> {
    return this.page(list, `${table} e LEFT JOIN chaincode_events c ON c.tx_id = e.tx_id`, [`e.${subject} = ?`], [id],
      [{ column: 'e.seq', type: 'number' }], page, history<T>, 'e.seq AS seq, e.doc AS doc, c.block_number AS event_block');
  }

  listMachineEvents(machineId: string, page: PageOptions = {}): Promise<Page<HistoryEntry<MachineEvent>>> {
    return this.historyPage(`machine_events:${machineId}`, 'machine_events', 'machine_id', machineId, page);
  }

  async listOrders(filter: OrderFilter = {}): Promise<Page<Indexed<Order>>> {
    const f = this.filters([['buyer_msp', filter.buyerMsp], ['status', filter.status]]);
    return this.page('orders', 'orders', f.where, f.params, byId(), filter, indexed<Order>);
  }

  getOrder(id: string): Promise<Indexed<Order> | undefined> {
    return this.one('orders', 'id', id);
  }

  async listParts(filter: PartFilter = {}): Promise<Page<Indexed<Part>>> {
    const f = this.filters([['order_id', filter.orderId], ['status', filter.status], ['buyer_msp', filter.buyerMsp]]);
    return this.page('parts', 'parts', f.where, f.params, byId(), filter, indexed<Part>);
  }

  getPart(id: string): Promise<Indexed<Part> | undefined> {
    return this.one('parts', 'id', id);
  }

  listPartEvents(partId: string, page: PageOptions = {}): Promise<Page<HistoryEntry<PartEvent>>> {
    return this.historyPage(`part_events:${partId}`, 'part_events', 'part_id', partId, page);
  }

  async listJobs(filter: JobFilter = {}): Promise<Page<Indexed<Job>>> {
    const f = this.filters([['factory_msp', filter.factoryMsp], ['part_id', filter.partId], ['status', filter.status]]);
    return this.page('jobs', 'jobs', f.where, f.params, byId(), filter, indexed<Job>);
  }

  getJob(id: string): Promise<Indexed<Job> | undefined> {
    return this.one('jobs', 'id', id);
  }

  private timeRange(filter: { from?: string; to?: string }, where: string[], params: SqlValue[]): void {
    if (filter.from !== undefined) { where.push('recorded_ms >= ?'); params.push(toMs('from', filter.from)); }
    if (filter.to !== undefined) { where.push('recorded_ms <= ?'); params.push(toMs('to', filter.to)); }
  }

  async listTwinSnapshots(machineId: string, filter: TwinSnapshotFilter = {}): Promise<Page<Indexed<TwinSnapshot>>> {
    const f = this.filters([['machine_id', machineId]]);
    this.timeRange(filter, f.where, f.params);
    return this.page(`twin_snapshots:${machineId}`, 'twin_snapshots', f.where, f.params, byTimeThenId, filter, indexed<TwinSnapshot>);
  }

  getTwinSnapshot(id: string): Promise<Indexed<TwinSnapshot> | undefined> {
    return this.one('twin_snapshots', 'id', id);
  }

  async listAnchors(filter: AnchorFilter = {}): Promise<Page<Indexed<Anchor>>> {
    const f = this.filters([['kind', filter.kind]]);
    this.timeRange(filter, f.where, f.params);
    return this.page('anchors', 'anchors', f.where, f.params, byTimeThenId, filter, indexed<Anchor>);
  }

  getAnchor(id: string): Promise<Indexed<Anchor> | undefined> {
    return this.one('anchors', 'id', id);
  }

  getLot(id: string): Promise<Indexed<Lot> | undefined> {
    return this.one('lots', 'id', id);
  }

  listLotEvents(lotId: string, page: PageOptions = {}): Promise<Page<HistoryEntry<LotEvent>>> {
    return this.historyPage(`lot_events:${lotId}`, 'lot_events', 'lot_id', lotId, page);
  }

  getPartAt(partId: string, at: PointInTime): Promise<RecordAt<Part> | undefined> {
    return this.recordAt<Part>('part_events', 'part_versions', 'part_id', partId, at);
  }

  getMachineAt(machineId: string, at: PointInTime): Promise<RecordAt<Machine> | undefined> {
    return this.recordAt<Machine>('machine_events', 'machine_versions', 'machine_id', machineId, at);
  }

  private async recordAt<T>(events: string, versions: string, subject: string, id: string, at: PointInTime): Promise<RecordAt<T> | undefined> {
    const hasTime = at.time !== undefined;
    const hasBlock = at.block !== undefined;
    if (hasTime === hasBlock || (hasBlock && (!Number.isInteger(at.block) || at.block! < 0))) throw new IndexError('INVALID_POINT_IN_TIME');
    // History is in commit order; its last entry at or before the point fixes the version.
    const condition = hasTime ? 'e.at_ms <= ?' : 'c.block_number <= ?';
    const bound = hasTime ? toMs('time', at.time!) : at.block!;
    const last = (await this.db.all(
      `SELECT e.seq AS seq, e.type AS type, e.tx_id AS tx_id, e.doc AS doc, c.block_number AS event_block
       FROM ${events} e LEFT JOIN chaincode_events c ON c.tx_id = e.tx_id
       WHERE e.${subject} = ? AND ${condition} ORDER BY e.seq DESC LIMIT 1`, [id, bound]))[0];
    if (!last) return undefined;
    const seq = Number(last['seq']);
    const version = (await this.db.all(
      `SELECT event_count, doc FROM ${versions} WHERE ${subject} = ? AND event_count <= ? ORDER BY event_count DESC LIMIT 1`, [id, seq]))[0];
    const event = JSON.parse(String(last['doc'])) as { at: string };
    return {
      data: version ? (JSON.parse(String(version['doc'])) as T) : null,
      exact: version !== undefined && Number(version['event_count']) === seq,
      eventCount: seq,
      lastEvent: {
        seq, type: String(last['type']), txId: String(last['tx_id']), at: event.at,
        blockNumber: last['event_block'] === null || last['event_block'] === undefined ? null : Number(last['event_block']),
      },
    };
  }

  async getTransaction(transactionId: string): Promise<AppliedTransaction | undefined> {
    const row = (await this.db.all(`SELECT ${POS}, event_name, payload FROM chaincode_events WHERE tx_id = ?`, [transactionId]))[0];
    if (!row) return undefined;
    return { ...position(row), eventName: String(row['event_name']), payload: JSON.parse(String(row['payload'])) as Record<string, unknown> };
  }

  async getCheckpoint(): Promise<Checkpoint | undefined> {
    const row = (await this.db.all(`SELECT ${POS} FROM checkpoint WHERE id = 1`))[0];
    return row ? position(row) : undefined;
  }

  transaction<T>(fn: (writer: IndexWriter) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(new SqlIndexWriter(tx)));
  }

  async clear(): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const table of INDEX_TABLES) await tx.run(`DELETE FROM ${table}`);
    });
  }

  async tableCounts(): Promise<TableCounts> {
    const counts: Partial<Record<string, number>> = {};
    for (const table of INDEX_TABLES) {
      const rows = await this.db.all(`SELECT COUNT(*) AS n FROM ${table}`);
      counts[table] = Number(rows[0]?.['n'] ?? 0);
    }
    return counts as TableCounts;
  }

  async reserveIdempotencyKey(principal: string, key: string, requestHash: string, ttlSeconds: number): Promise<IdempotencyReservation> {
    for (;;) {
      const now = this.now();
      // Insert, or take over an expired record; one statement, so concurrent callers serialise on the key.
      const claimed = await this.db.all(
        `INSERT INTO idempotency_keys (principal, idem_key, request_hash, state, status, body, headers, created_ms, expires_ms)
         VALUES (?, ?, ?, 'in_progress', NULL, NULL, NULL, ?, ?)
         ON CONFLICT (principal, idem_key) DO UPDATE SET request_hash = excluded.request_hash, state = 'in_progress', status = NULL,
           body = NULL, headers = NULL, created_ms = excluded.created_ms, expires_ms = excluded.expires_ms
         WHERE idempotency_keys.expires_ms <= excluded.created_ms
         RETURNING principal`,
        [principal, key, requestHash, now, now + Math.round(ttlSeconds * 1000)]);
      if (claimed.length > 0) return { state: 'new' };
      const row = (await this.db.all(
        `SELECT request_hash, state, status, body, headers FROM idempotency_keys WHERE principal = ? AND idem_key = ?`, [principal, key]))[0];
      if (!row) continue; // released between the two statements: try again
      if (row['request_hash'] !== requestHash) return { state: 'mismatch' };
      if (row['state'] !== 'done') return { state: 'in_progress' };
      return {
        state: 'done',
        status: Number(row['status']),
        body: row['body'] === null ? null : JSON.parse(String(row['body'])),
        headers: row['headers'] === null ? {} : (JSON.parse(String(row['headers'])) as Record<string, string>),
      };
    }
  }

  async completeIdempotencyKey(principal: string, key: string, status: number, body: unknown, headers: Readonly<Record<string, string>>): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE idempotency_keys SET state = 'done', status = ?, body = ?, headers = ? WHERE principal = ? AND idem_key = ? AND state = 'in_progress'`,
      [status, body === undefined ? null : JSON.stringify(body), JSON.stringify(headers), principal, key]);
    return changed > 0;
  }

  async releaseIdempotencyKey(principal: string, key: string): Promise<void> {
    await this.db.run(`DELETE FROM idempotency_keys WHERE principal = ? AND idem_key = ? AND state = 'in_progress'`, [principal, key]);
  }

  purgeExpiredIdempotencyKeys(): Promise<number> {
    return this.db.run(`DELETE FROM idempotency_keys WHERE expires_ms <= ?`, [this.now()]);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
