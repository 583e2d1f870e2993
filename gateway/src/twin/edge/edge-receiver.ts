/**
 * The gateway's side of store-and-forward: accepts signed envelopes from edge agents, checks the
 * signature and that the signer is a trusted agent certificate of the envelope's organisation,
 * and applies each record exactly once (agent id + sequence remembered in SQLite, in the same
 * transaction that marks it applied): samples feed the gateway's twin, summaries are kept as the
 * machine's latest edge view, snapshots go to the {@link SnapshotRecorder} (stored, anchored,
 * recorded on the ledger with their edge-derived ids, so a resent snapshot is never recorded twice).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { TwinError } from '../errors';
import type { FullSnapshot, SnapshotRecorder } from '../snapshots';
import type { TwinService } from '../twin-service';
import { verifyEnvelope, type EdgeEnvelope, type EdgeSummary } from './envelope';

/** Options of {@link EdgeReceiver.open}. */
export interface EdgeReceiverOptions {
  readonly filename: string;
  readonly service: TwinService;
  readonly recorder?: SnapshotRecorder;
  /** PEM certificates of the edge agents allowed to send, with their organisation. */
  readonly trusted: readonly { readonly certificate: string; readonly mspId: string }[];
}

/** What one envelope did. */
export interface EnvelopeResult {
  readonly applied: number;
  readonly duplicates: number;
  readonly rejectedSamples: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS edge_seen (
  agent_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (agent_id, seq)
);
`;

const fingerprint = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

/** Receives edge envelopes. */
export class EdgeReceiver {
  private readonly trusted: Map<string, string>;
  /** Latest summary per machine. */
  readonly summaries = new Map<string, EdgeSummary>();

  private constructor(private readonly db: DatabaseSync, private readonly options: EdgeReceiverOptions) {
    this.trusted = new Map(options.trusted.map((t) => [fingerprint(t.certificate), t.mspId]));
  }

  /** Open (or create) the receiver's store. */
  static open(options: EdgeReceiverOptions): EdgeReceiver {
    const db = new DatabaseSync(options.filename);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    db.exec(SCHEMA);
    return new EdgeReceiver(db, options);
  }

  /**
   * Apply an envelope sent by a caller acting for `callerMsp`.
   * @throws INVALID_SAMPLE when the signature is wrong, the signer is not trusted for the
   *   envelope's organisation, or the caller acts for another organisation
   */
  accept(envelope: EdgeEnvelope, callerMsp: string): EnvelopeResult {
    const bad = (reason: string): never => { throw new TwinError('INVALID_SAMPLE', { reason }); };
    if (envelope.factoryMsp !== callerMsp) bad(`envelope of ${envelope.factoryMsp} sent by a caller of ${callerMsp}`);
    let fp: string;
    try {
      fp = fingerprint(envelope.certificate);
    } catch {
      return bad('the envelope certificate is not a valid X.509 certificate');
    }
    if (this.trusted.get(fp) !== envelope.factoryMsp) bad(`certificate ${fp.slice(0, 16)}… is not a trusted edge agent of ${envelope.factoryMsp}`);
    if (!verifyEnvelope(envelope)) bad('the envelope signature does not verify');
    const seen = this.db.prepare('SELECT 1 AS x FROM edge_seen WHERE agent_id = ? AND seq = ?');
    const mark = this.db.prepare('INSERT INTO edge_seen (agent_id, seq) VALUES (?, ?)');
    let applied = 0;
    let duplicates = 0;
    let rejectedSamples = 0;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const r of envelope.records) {
        if (seen.get(envelope.agentId, r.seq)) {
          duplicates++;
          continue;
        }
        if (r.kind === 'sample') {
          const out = this.options.service.ingest(r.machineId, r.sample, 'edge', envelope.factoryMsp);
          if (!out.accepted) rejectedSamples++;
        } else if (r.kind === 'summary') {
          this.summaries.set(r.machineId, r.summary);
        } else if (this.options.recorder) {
          const snap = r.snapshot;
          if (snap.machineId !== r.machineId || snap.ownerMsp !== envelope.factoryMsp) bad(`snapshot record ${r.seq} does not belong to ${r.machineId} of ${envelope.factoryMsp}`);
          this.options.recorder.adopt(snap as FullSnapshot);
        }
        mark.run(envelope.agentId, r.seq);
        applied++;
      }
      this.db.exec('COMMIT');
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
    return { applied, duplicates, rejectedSamples };
  }

  /** Records applied so far from an agent. */
  appliedCount(agentId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM edge_seen WHERE agent_id = ?').get(agentId) as { n: number }).n;
  }

  /** Close the store (idempotent). */
  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
