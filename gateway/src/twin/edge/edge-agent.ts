/**
 * The edge agent's core: runs at the factory next to its machines, filters each machine's
 * telemetry through a local twin, and forwards raw samples, periodic summaries and snapshots
 * (on anomaly and every `snapshotEveryMs`) to the gateway in signed envelopes. Every record is
 * first written to a SQLite buffer on disk; it leaves the buffer only when the gateway has
 * acknowledged the envelope that carried it. While the gateway is unreachable the buffer grows
 * (up to `maxBufferedRecords`, after which the oldest *raw samples* are dropped and counted —
 * summaries and snapshots are never dropped); after the outage the backlog drains in order.
 * The gateway ignores records it has seen (by agent id and sequence), so a resend after a lost
 * acknowledgement duplicates nothing.
 */
import { DatabaseSync } from 'node:sqlite';
import type { LedgerIdentity } from '../../ledger/port';
import type { TwinSample } from '../machine-twin';
import { buildSnapshot, type FullSnapshot } from '../snapshots';
import { encodeTelemetry } from '../telemetry';
import { TwinService, type TwinServiceOptions } from '../twin-service';
import { TwinError } from '../errors';
import { signEnvelope, type EdgeEnvelope, type EdgeRecord, type EdgeSummary } from './envelope';

/** Sends an envelope to the gateway; rejects when it was not acknowledged. */
export type EdgeTransport = (envelope: EdgeEnvelope) => Promise<void>;

/** Options of {@link EdgeAgent.open}. */
export interface EdgeAgentOptions {
  readonly agentId: string;
  /** The factory's identity: signs envelopes; its MSP owns the machines. */
  readonly identity: LedgerIdentity;
  readonly machines: readonly { readonly machineId: string; readonly model: string }[];
  /** SQLite buffer file (use a file: the point is to survive restarts). */
  readonly filename: string;
  readonly transport: EdgeTransport;
  /** Summary interval per machine in sample time (default 60 s). */
  readonly summaryEveryMs?: number;
  /** Snapshot interval per machine in sample time (default 15 min; anomalies always snapshot). */
  readonly snapshotEveryMs?: number;
  /** Records per envelope (default 500). */
  readonly batchSize?: number;
  /** Buffer limit in records (default 2 000 000). */
  readonly maxBufferedRecords?: number;
  readonly twin?: TwinServiceOptions;
}

/** Counters of the agent. */
export interface EdgeAgentStats {
  ingested: number;
  rejected: number;
  sentEnvelopes: number;
  sentRecords: number;
  failedSends: number;
  droppedSamples: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS edge_buffer (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  body TEXT NOT NULL
);
`;

/** The edge agent (library core; the CLI/daemon wraps it). */
export class EdgeAgent {
  readonly service: TwinService;
  readonly stats: EdgeAgentStats = { ingested: 0, rejected: 0, sentEnvelopes: 0, sentRecords: 0, failedSends: 0, droppedSamples: 0 };
  private readonly lastSummary = new Map<string, number>();
  private readonly lastSnapshot = new Map<string, number>();
  private readonly sinceSummary = new Map<string, number>();
  private sending: Promise<number> | null = null;
  private timer: NodeJS.Timeout | null = null;

  private constructor(private readonly db: DatabaseSync, private readonly options: EdgeAgentOptions) {
    this.service = new TwinService(options.twin);
    for (const m of options.machines) this.service.register(m.machineId, m.model, options.identity.mspId);
  }

  /** Open (or reopen, with its backlog) the agent's buffer. */
  static open(options: EdgeAgentOptions): EdgeAgent {
    const db = new DatabaseSync(options.filename);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    db.exec(SCHEMA);
    return new EdgeAgent(db, options);
  }

  /**
   * A machine's sample: filtered locally, buffered for the gateway with whatever summary or
   * snapshot it triggers. Returns false (and counts) when the sample is invalid.
   */
  ingest(machineId: string, sample: TwinSample): boolean {
    const entry = this.service.machine(machineId);
    const wire = encodeTelemetry(sample, entry.model);
    const r = this.service.ingest(machineId, wire, 'local');
    if (!r.accepted) {
      this.stats.rejected++;
      return false;
    }
    this.stats.ingested++;
    if (r.filtered === 0) return true; // a duplicate from the machine: nothing new to forward
    const append = this.db.prepare('INSERT INTO edge_buffer (kind, body) VALUES (?, ?)');
    append.run('sample', JSON.stringify({ kind: 'sample', machineId, sample: wire }));
    const t = sample.t;
    this.sinceSummary.set(machineId, (this.sinceSummary.get(machineId) ?? 0) + 1);
    const est = entry.twin.estimate();
    const lastSum = this.lastSummary.get(machineId);
    if (lastSum === undefined) this.lastSummary.set(machineId, t);
    else if (t - lastSum >= (this.options.summaryEveryMs ?? 60_000)) {
      const summary: EdgeSummary = {
        at: new Date(t).toISOString(), healthIndex: est.healthIndex, anomaly: est.anomaly !== null,
        states: Object.fromEntries(est.states.map((s) => [s.name, s.mean])), samples: this.sinceSummary.get(machineId) ?? 0,
      };
      append.run('summary', JSON.stringify({ kind: 'summary', machineId, summary }));
      this.lastSummary.set(machineId, t);
      this.sinceSummary.set(machineId, 0);
    }
    const lastSnap = this.lastSnapshot.get(machineId);
    const anomalyRaised = entry.anomalies.length > 0 && entry.anomalies[entry.anomalies.length - 1]!.startedAt === t;
    let reason: FullSnapshot['reason'] | null = null;
    if (anomalyRaised) reason = 'anomaly';
    else if (lastSnap === undefined) this.lastSnapshot.set(machineId, t);
    else if (t - lastSnap >= (this.options.snapshotEveryMs ?? 15 * 60_000)) reason = 'periodic';
    if (reason) {
      const snapshot = buildSnapshot(entry, reason, this.service.predictions(machineId).rul.hoursToLimit);
      append.run('snapshot', JSON.stringify({ kind: 'snapshot', machineId, snapshot }));
      this.lastSnapshot.set(machineId, t);
    }
    this.enforceLimit();
    return true;
  }

  private enforceLimit(): void {
    const limit = this.options.maxBufferedRecords ?? 2_000_000;
    const n = this.buffered();
    if (n <= limit) return;
    const r = this.db.prepare("DELETE FROM edge_buffer WHERE seq IN (SELECT seq FROM edge_buffer WHERE kind = 'sample' ORDER BY seq LIMIT ?)").run(n - limit);
    this.stats.droppedSamples += Number(r.changes);
  }

  /** Records waiting in the buffer. */
  buffered(kind?: EdgeRecord['kind']): number {
    const row = (kind ? this.db.prepare('SELECT COUNT(*) AS n FROM edge_buffer WHERE kind = ?').get(kind) : this.db.prepare('SELECT COUNT(*) AS n FROM edge_buffer').get()) as { n: number };
    return row.n;
  }

  /**
   * Send the backlog, oldest first, one envelope at a time, until it is empty or a send fails.
   * Returns the records acknowledged. Serialised.
   */
  forward(): Promise<number> {
    const run = async (): Promise<number> => {
      let sent = 0;
      const batch = this.options.batchSize ?? 500;
      for (;;) {
        const rows = this.db.prepare('SELECT seq, body FROM edge_buffer ORDER BY seq LIMIT ?').all(batch) as { seq: number; body: string }[];
        if (rows.length === 0) return sent;
        const records = rows.map((r) => ({ seq: r.seq, ...(JSON.parse(r.body) as object) }) as EdgeRecord);
        const envelope = signEnvelope(this.options.agentId, this.options.identity, records);
        try {
          await this.options.transport(envelope);
        } catch {
          this.stats.failedSends++;
          return sent;
        }
        this.db.prepare('DELETE FROM edge_buffer WHERE seq <= ?').run(rows[rows.length - 1]!.seq);
        this.stats.sentEnvelopes++;
        this.stats.sentRecords += rows.length;
        sent += rows.length;
      }
    };
    const next = (this.sending ?? Promise.resolve(0)).then(run, run);
    this.sending = next;
    return next;
  }

  /** Forward every `intervalMs` (default 1 s). */
  start(intervalMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.forward(), intervalMs);
    this.timer.unref();
  }

  /** Stop the timer, wait for a send in progress, close the buffer (the backlog stays on disk). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sending;
    this.db.close();
  }
}

/**
 * Transport over the gateway's REST API: `POST {baseUrl}/v1/edge/envelopes` with an API key.
 * Anything but 200 (or a network error) rejects, so the records stay buffered.
 */
export function httpTransport(baseUrl: string, apiKey: string, timeoutMs = 10_000): EdgeTransport {
  return async (envelope) => {
    const res = await fetch(`${baseUrl}/v1/edge/envelopes`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-Key': apiKey },
      body: JSON.stringify(envelope),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status !== 200) throw new TwinError('EDGE_STORE', { filename: baseUrl, reason: `gateway answered ${res.status}: ${await res.text()}` });
  };
}
