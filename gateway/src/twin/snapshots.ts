/**
 * Twin snapshots on the ledger. On a policy (every N minutes of sample time, when an anomaly is
 * raised, when an operation starts or finishes — seen in the telemetry input or reported by the
 * factory) the recorder takes a full snapshot of a machine's twin, keeps it off-chain in SQLite,
 * adds it to the anchoring outbox (kind `twin`: its Merkle leaf hash is the snapshot hash), and
 * records the on-chain summary with `twins:RecordTwinSnapshot`. Ledger submissions are retried
 * from the store until they succeed; ids are derived from the snapshot, so a resubmission that
 * finds the record already written (`ALREADY_EXISTS`) counts as done.
 *
 * Operation reports reference the snapshot in force ({@link SnapshotRecorder.inForce}, or
 * {@link SnapshotRecorder.snapshotForReport}, which records one first), so the part trace shows
 * machine health at production time.
 */
import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { canonicalJson, type TwinSnapshot } from '@forgetrace/chaincode/api';
import type { AnchorOutbox } from '../anchoring/anchor-outbox';
import type { LedgerClient } from '../ledger/ledger-client';
import { LedgerError, type LedgerIdentity } from '../ledger/port';
import type { AnomalyEvent } from './anomaly';
import { TwinError } from './errors';
import type { MachineEntry, TwinService } from './twin-service';

/** When snapshots are taken. */
export interface SnapshotPolicy {
  /** Periodic snapshot every this many ms of sample time (0 = never; default 15 min). */
  readonly everyMs?: number;
  /** On each raised anomaly (default true). */
  readonly onAnomaly?: boolean;
  /** When the telemetry input goes from idle to working or back (default true). */
  readonly onOperationBoundary?: boolean;
}

/** Why a snapshot was taken. */
export type SnapshotReason = 'periodic' | 'anomaly' | 'operation-start' | 'operation-finish' | 'report' | 'manual';

/** The full (off-chain) snapshot. Its canonical JSON's SHA-256 is the on-chain `snapshotHash`. */
export interface FullSnapshot {
  readonly id: string;
  readonly machineId: string;
  readonly ownerMsp: string;
  readonly model: { readonly id: string; readonly version: string };
  readonly reason: SnapshotReason;
  readonly observedAt: string;
  readonly state: { readonly names: readonly string[]; readonly units: readonly string[]; readonly mean: readonly number[]; readonly covariance: readonly number[] };
  readonly wear: { readonly value: number; readonly std: number; readonly limit: number; readonly unit: string };
  readonly healthIndex: number;
  readonly anomaly: AnomalyEvent | null;
  readonly rulHours: { readonly p10: number | null; readonly p50: number | null; readonly p90: number | null };
  readonly counters: Readonly<Record<string, number>>;
}

/** A stored snapshot with its ledger status. */
export interface StoredSnapshot {
  readonly snapshot: FullSnapshot;
  readonly snapshotHash: string;
  readonly state: 'pending' | 'recorded';
  readonly transactionId: string | null;
  readonly outboxRecordId: string;
  readonly attempts: number;
  readonly lastError: string | null;
}

/** Options of {@link SnapshotRecorder.open}. */
export interface SnapshotRecorderOptions {
  /** SQLite file or `:memory:`. */
  readonly filename: string;
  readonly service: TwinService;
  readonly ledger: LedgerClient;
  /** Identity that records snapshots (factory_operator or admin of the machines' owner). */
  readonly identity: LedgerIdentity;
  readonly outbox: AnchorOutbox;
  readonly policy?: SnapshotPolicy;
  /** Errors of timer-driven flushes (default ignored; retried next tick). */
  readonly onError?: (error: unknown) => void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS twin_snapshots (
  id TEXT PRIMARY KEY,
  machine_id TEXT NOT NULL,
  observed_ms INTEGER NOT NULL,
  reason TEXT NOT NULL,
  hash TEXT NOT NULL,
  body TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'recorded')),
  tx_id TEXT,
  outbox_id TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS twin_snapshots_machine ON twin_snapshots (machine_id, observed_ms);
CREATE INDEX IF NOT EXISTS twin_snapshots_pending ON twin_snapshots (state, observed_ms);
`;

interface Row {
  id: string;
  body: string;
  hash: string;
  state: 'pending' | 'recorded';
  tx_id: string | null;
  outbox_id: string;
  attempts: number;
  last_error: string | null;
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** Takes, stores, anchors and records twin snapshots. */
export class SnapshotRecorder {
  private readonly lastPeriodic = new Map<string, number>();
  private readonly lastLoad = new Map<string, number>();
  private readonly unsubscribe: () => void;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<{ recorded: string[] }> | null = null;
  private readonly everyMs: number;
  private closed = false;

  private constructor(private readonly db: DatabaseSync, private readonly options: SnapshotRecorderOptions) {
    this.everyMs = options.policy?.everyMs ?? 15 * 60_000;
    this.unsubscribe = options.service.onSample((entry, sample, outcome) => {
      if (entry.ownerMsp !== options.identity.mspId) return;
      const policy = options.policy ?? {};
      if (outcome.raised && (policy.onAnomaly ?? true)) this.take(entry.machineId, 'anomaly');
      if (outcome.status === 'applied' && (policy.onOperationBoundary ?? true)) {
        const before = this.lastLoad.get(entry.machineId) ?? 0;
        this.lastLoad.set(entry.machineId, sample.u.load);
        if (before === 0 && sample.u.load > 0) this.take(entry.machineId, 'operation-start');
        else if (before > 0 && sample.u.load === 0) this.take(entry.machineId, 'operation-finish');
      }
      if (this.everyMs > 0 && outcome.status === 'applied') {
        const last = this.lastPeriodic.get(entry.machineId);
        if (last === undefined) this.lastPeriodic.set(entry.machineId, sample.t);
        else if (sample.t - last >= this.everyMs) this.take(entry.machineId, 'periodic');
      }
    });
  }

  /** Open (or create) the snapshot store and start listening to the service. */
  static open(options: SnapshotRecorderOptions): SnapshotRecorder {
    const db = new DatabaseSync(options.filename);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    db.exec(SCHEMA);
    return new SnapshotRecorder(db, options);
  }

  /**
   * Take a snapshot of the machine's twin now: stored off-chain and in the outbox at once, recorded
   * on the ledger by the next {@link flush}. Returns the stored snapshot.
   * @throws UNKNOWN_MACHINE
   */
  take(machineId: string, reason: SnapshotReason): StoredSnapshot {
    const entry = this.options.service.machine(machineId);
    const snapshot = buildSnapshot(entry, reason, this.options.service.predictions(machineId).rul.hoursToLimit);
    this.lastPeriodic.set(machineId, entry.twin.lastTime ?? Date.now());
    return this.store(snapshot);
  }

  /**
   * Store a snapshot taken elsewhere (an edge agent's, already signature-checked) for anchoring and
   * recording, exactly like one taken here. Idempotent by snapshot id.
   * @throws INVALID_SAMPLE when it is for a machine of another organisation
   */
  adopt(snapshot: FullSnapshot): StoredSnapshot {
    if (snapshot.ownerMsp !== this.options.identity.mspId) throw new TwinError('INVALID_SAMPLE', { reason: `snapshot ${snapshot.id} is of a machine of ${snapshot.ownerMsp}, not ${this.options.identity.mspId}` });
    return this.store(snapshot);
  }

  private store(snapshot: FullSnapshot): StoredSnapshot {
    const existing = this.get(snapshot.id);
    if (existing) return existing;
    const body = canonicalJson(snapshot);
    const hash = sha256(body);
    const outboxId = this.options.outbox.add({ kind: 'twin', payload: snapshot });
    this.db.prepare('INSERT INTO twin_snapshots (id, machine_id, observed_ms, reason, hash, body, state, outbox_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(snapshot.id, snapshot.machineId, Date.parse(snapshot.observedAt), snapshot.reason, hash, body, 'pending', outboxId);
    return this.get(snapshot.id)!;
  }

  /** A stored snapshot, or undefined. */
  get(snapshotId: string): StoredSnapshot | undefined {
    const row = this.db.prepare('SELECT id, body, hash, state, tx_id, outbox_id, attempts, last_error FROM twin_snapshots WHERE id = ?').get(snapshotId) as Row | undefined;
    return row ? toStored(row) : undefined;
  }

  /** A machine's snapshots in [from, to) by observation time, oldest first. */
  list(machineId: string, from = 0, to = 8.64e15, limit = 1000): StoredSnapshot[] {
    const rows = this.db.prepare('SELECT id, body, hash, state, tx_id, outbox_id, attempts, last_error FROM twin_snapshots WHERE machine_id = ? AND observed_ms >= ? AND observed_ms < ? ORDER BY observed_ms, id LIMIT ?').all(machineId, from, to, limit) as unknown as Row[];
    return rows.map(toStored);
  }

  /** The newest snapshot recorded on the ledger at or before `at` (ms), for operation reports. */
  inForce(machineId: string, at = 8.64e15): StoredSnapshot | undefined {
    const row = this.db.prepare("SELECT id, body, hash, state, tx_id, outbox_id, attempts, last_error FROM twin_snapshots WHERE machine_id = ? AND state = 'recorded' AND observed_ms <= ? ORDER BY observed_ms DESC, id DESC LIMIT 1").get(machineId, at) as Row | undefined;
    return row ? toStored(row) : undefined;
  }

  /**
   * Take a snapshot for an operation report and record it on the ledger now; returns its id to
   * put in `jobs:ReportStart` / `jobs:ReportFinish` as `twinSnapshotId`.
   * @throws UNKNOWN_MACHINE, SNAPSHOT_NOT_RECORDED; LedgerError when the ledger refuses
   */
  async snapshotForReport(machineId: string): Promise<string> {
    const s = this.take(machineId, 'report');
    await this.flush();
    const after = this.get(s.snapshot.id)!;
    if (after.state !== 'recorded') throw new TwinError('SNAPSHOT_NOT_RECORDED', { snapshotId: after.snapshot.id, reason: after.lastError ?? 'still pending' });
    return after.snapshot.id;
  }

  /** Snapshots not yet on the ledger. */
  pendingCount(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM twin_snapshots WHERE state = 'pending'").get() as { n: number }).n;
  }

  /**
   * Record every pending snapshot on the ledger, oldest first. Serialised. A submission that fails
   * stays pending (attempts and last error stored); the first failure ends the flush and is thrown.
   */
  flush(): Promise<{ recorded: string[] }> {
    const run = async (): Promise<{ recorded: string[] }> => {
      const recorded: string[] = [];
      const rows = this.db.prepare("SELECT id, body, hash, state, tx_id, outbox_id, attempts, last_error FROM twin_snapshots WHERE state = 'pending' ORDER BY observed_ms, id").all() as unknown as Row[];
      for (const row of rows) {
        const s = toStored(row);
        const input = {
          id: s.snapshot.id,
          machineId: s.snapshot.machineId,
          model: s.snapshot.model,
          summary: { healthIndex: s.snapshot.healthIndex, anomaly: s.snapshot.anomaly !== null, states: Object.fromEntries(s.snapshot.state.names.map((n, i) => [n, s.snapshot.state.mean[i]!])) },
          snapshotHash: s.snapshotHash,
          observedAt: s.snapshot.observedAt,
        };
        let txId: string;
        try {
          const r = await this.options.ledger.submit<TwinSnapshot>(this.options.identity, 'twins:RecordTwinSnapshot', [input]);
          txId = r.transactionId;
        } catch (e) {
          if (e instanceof LedgerError && e.code === 'ALREADY_EXISTS') {
            const onLedger = await this.options.ledger.evaluate<TwinSnapshot>(this.options.identity, 'twins:GetTwinSnapshot', [s.snapshot.id]);
            if (onLedger.snapshotHash !== s.snapshotHash) throw e;
            txId = onLedger.recorded.txId;
          } else {
            this.db.prepare('UPDATE twin_snapshots SET attempts = attempts + 1, last_error = ? WHERE id = ?').run(e instanceof Error ? e.message : String(e), s.snapshot.id);
            throw e;
          }
        }
        this.db.prepare("UPDATE twin_snapshots SET state = 'recorded', tx_id = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?").run(txId, s.snapshot.id);
        recorded.push(s.snapshot.id);
      }
      return { recorded };
    };
    const next = (this.flushing ?? Promise.resolve({ recorded: [] })).catch(() => ({ recorded: [] })).then(run);
    this.flushing = next;
    return next;
  }

  /** Flush every `intervalMs` (default 1 s). */
  start(intervalMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.pendingCount() > 0) this.flush().catch((e: unknown) => this.options.onError?.(e));
    }, intervalMs);
    this.timer.unref();
  }

  /** Stop listening and the timer, wait for a running flush, close the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flushing?.catch(() => undefined);
    this.db.close();
  }
}

/**
 * The full snapshot of a machine's twin now. Its id is derived from machine, sample time and
 * reason, so taking it twice (or at the edge and again at the gateway) gives the same id.
 */
export function buildSnapshot(entry: Pick<MachineEntry, 'machineId' | 'ownerMsp' | 'twin'>, reason: SnapshotReason, rulHours: FullSnapshot['rulHours']): FullSnapshot {
  const e = entry.twin.estimate();
  const at = e.at ?? Date.now();
  return {
    id: `tw-${sha256(`${entry.machineId}\u0000${at}\u0000${reason}`).slice(0, 32)}`,
    machineId: entry.machineId,
    ownerMsp: entry.ownerMsp,
    model: e.model,
    reason,
    observedAt: new Date(at).toISOString(),
    state: { names: e.states.map((s) => s.name), units: e.states.map((s) => s.unit), mean: e.states.map((s) => s.mean), covariance: e.covariance },
    wear: e.wear,
    healthIndex: e.healthIndex,
    anomaly: e.anomaly,
    rulHours,
    counters: { ...e.counters },
  };
}

function toStored(row: Row): StoredSnapshot {
  return {
    snapshot: JSON.parse(row.body) as FullSnapshot,
    snapshotHash: row.hash,
    state: row.state,
    transactionId: row.tx_id,
    outboxRecordId: row.outbox_id,
    attempts: row.attempts,
    lastError: row.last_error,
  };
}
