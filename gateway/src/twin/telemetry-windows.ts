/**
 * Raw telemetry stays off-chain; windows of it are anchored as Merkle roots so any sample can be
 * proven later. Every sample a twin filtered is stored (SQLite) in its machine's open window; a
 * window closes after `windowSamples` samples or `windowMs` of sample time. Closing builds a
 * `StandardMerkleTree` over `[seq, sha256(canonical sample)]` leaves and adds the window
 * `{ windowId, machineId, from, to, count, root }` to the anchoring outbox (kind `telemetry`).
 * A sample's proof is two Merkle proofs: sample → window root, window record → anchor root.
 */
import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { canonicalJson, type Anchor } from '@forgetrace/chaincode/api';
import type { AnchorOutbox } from '../anchoring/anchor-outbox';
import { verifyRecordProof, type RecordProof } from '../anchoring/record-proof';
import { TwinError } from './errors';
import { encodeTelemetry, type TelemetrySample } from './telemetry';
import type { TwinService } from './twin-service';

/** Leaf encoding of a window tree: `abi.encode(string seq, bytes32 sampleHash)`. */
export const WINDOW_LEAF_ENCODING: readonly string[] = ['string', 'bytes32'];

/** The outbox payload of a closed window. */
export interface TelemetryWindow {
  readonly windowId: string;
  readonly machineId: string;
  /** Sample time of the first and last sample, ISO. */
  readonly from: string;
  readonly to: string;
  readonly count: number;
  /** Merkle root of the window tree, 0x-hex. */
  readonly root: string;
}

/** Everything needed to prove one sample against a ledger anchor. */
export interface SampleProof {
  readonly machineId: string;
  readonly sample: TelemetrySample;
  readonly leaf: [string, string];
  readonly windowProof: readonly string[];
  readonly window: TelemetryWindow;
  readonly anchorProof: RecordProof;
}

/** Options of {@link TelemetryWindows.open}. */
export interface TelemetryWindowOptions {
  readonly filename: string;
  readonly service: TwinService;
  readonly outbox: AnchorOutbox;
  readonly windowSamples?: number;
  readonly windowMs?: number;
  /** Only machines of this organisation (default all). */
  readonly ownerMsp?: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS telemetry_samples (
  machine_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  t_ms INTEGER NOT NULL,
  body TEXT NOT NULL,
  window_id TEXT,
  PRIMARY KEY (machine_id, seq)
);
CREATE INDEX IF NOT EXISTS telemetry_samples_open ON telemetry_samples (machine_id, window_id);
CREATE TABLE IF NOT EXISTS telemetry_windows (
  id TEXT PRIMARY KEY,
  machine_id TEXT NOT NULL,
  payload TEXT NOT NULL,
  tree TEXT NOT NULL,
  outbox_id TEXT NOT NULL
);
`;

const sha256hex = (s: string): string => '0x' + createHash('sha256').update(s, 'utf8').digest('hex');

/** The leaf of a sample in its window tree. */
export function sampleLeaf(sample: TelemetrySample): [string, string] {
  return [String(sample.seq), sha256hex(canonicalJson(sample))];
}

/** Check a sample proof against the anchor on the ledger (pure; no trust in the gateway). */
export function verifySampleProof(proof: SampleProof, anchor: Anchor): boolean {
  const leaf = sampleLeaf(proof.sample);
  if (leaf[0] !== proof.leaf[0] || leaf[1] !== proof.leaf[1]) return false;
  if (!StandardMerkleTree.verify(proof.window.root, [...WINDOW_LEAF_ENCODING], leaf, [...proof.windowProof])) return false;
  return verifyRecordProof(proof.window, proof.anchorProof, anchor);
}

/** Collects filtered samples into windows and anchors each window's root. */
export class TelemetryWindows {
  private readonly open = new Map<string, { count: number; startT: number }>();
  private readonly unsubscribe: () => void;
  private readonly windowSamples: number;
  private readonly windowMs: number;

  private constructor(private readonly db: DatabaseSync, private readonly options: TelemetryWindowOptions) {
    this.windowSamples = options.windowSamples ?? 256;
    this.windowMs = options.windowMs ?? 5 * 60_000;
    // windows left open by a previous run
    for (const r of db.prepare('SELECT machine_id AS m, COUNT(*) AS n, MIN(t_ms) AS t FROM telemetry_samples WHERE window_id IS NULL GROUP BY machine_id').all() as { m: string; n: number; t: number }[]) {
      this.open.set(r.m, { count: r.n, startT: r.t });
    }
    for (const r of db.prepare("SELECT payload FROM telemetry_windows WHERE outbox_id = ''").all() as { payload: string }[]) {
      this.handOver(JSON.parse(r.payload) as TelemetryWindow);
    }
    const insert = db.prepare('INSERT OR IGNORE INTO telemetry_samples (machine_id, seq, t_ms, body) VALUES (?, ?, ?, ?)');
    this.unsubscribe = options.service.onSample((entry, sample) => {
      if (options.ownerMsp && entry.ownerMsp !== options.ownerMsp) return;
      const wire = encodeTelemetry(sample, entry.model);
      const r = insert.run(entry.machineId, wire.seq, sample.t, canonicalJson(wire));
      if (Number(r.changes) === 0) return;
      const w = this.open.get(entry.machineId) ?? { count: 0, startT: sample.t };
      w.count++;
      w.startT = Math.min(w.startT, sample.t);
      this.open.set(entry.machineId, w);
      if (w.count >= this.windowSamples || sample.t - w.startT >= this.windowMs) this.closeWindow(entry.machineId);
    });
  }

  /** Open (or create) the telemetry store and start listening. */
  static open(options: TelemetryWindowOptions): TelemetryWindows {
    const db = new DatabaseSync(options.filename);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    db.exec(SCHEMA);
    return new TelemetryWindows(db, options);
  }

  /** Close the machine's open window now (no-op when empty); returns it. */
  closeWindow(machineId: string): TelemetryWindow | undefined {
    const rows = this.db.prepare('SELECT seq, t_ms, body FROM telemetry_samples WHERE machine_id = ? AND window_id IS NULL ORDER BY t_ms, seq').all(machineId) as { seq: number; t_ms: number; body: string }[];
    this.open.delete(machineId);
    if (rows.length === 0) return undefined;
    const leaves = rows.map((r) => [String(r.seq), sha256hex(r.body)] as [string, string]);
    const tree = StandardMerkleTree.of(leaves, [...WINDOW_LEAF_ENCODING]);
    const window: TelemetryWindow = {
      windowId: `tw-win-${tree.root.slice(2, 34)}`,
      machineId,
      from: new Date(rows[0]!.t_ms).toISOString(),
      to: new Date(rows[rows.length - 1]!.t_ms).toISOString(),
      count: rows.length,
      root: tree.root,
    };
    // the window is committed here first, then handed to the outbox (another database); a crash in
    // between leaves outbox_id empty and the next open hands it over again
    this.db.exec('BEGIN IMMEDIATE');
    try {
      this.db.prepare("INSERT INTO telemetry_windows (id, machine_id, payload, tree, outbox_id) VALUES (?, ?, ?, ?, '')").run(window.windowId, machineId, JSON.stringify(window), JSON.stringify(tree.dump()));
      const mark = this.db.prepare('UPDATE telemetry_samples SET window_id = ? WHERE machine_id = ? AND seq = ?');
      for (const r of rows) mark.run(window.windowId, machineId, r.seq);
      this.db.exec('COMMIT');
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
    this.handOver(window);
    return window;
  }

  private handOver(window: TelemetryWindow): void {
    const outboxId = this.options.outbox.add({ kind: 'telemetry', payload: window });
    this.db.prepare('UPDATE telemetry_windows SET outbox_id = ? WHERE id = ?').run(outboxId, window.windowId);
  }

  /** Close every open window (e.g. before shutdown or a forced anchor). */
  closeAll(): TelemetryWindow[] {
    return [...this.open.keys()].flatMap((m) => this.closeWindow(m) ?? []);
  }

  /** Stored samples not yet in a closed window. */
  openSamples(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM telemetry_samples WHERE window_id IS NULL').get() as { n: number }).n;
  }

  /**
   * The proof of a stored sample.
   * @throws SAMPLE_NOT_ANCHORED when the sample is unknown, its window open, or the window not anchored yet
   */
  proveSample(machineId: string, seq: number): SampleProof {
    const row = this.db.prepare('SELECT s.body AS body, w.payload AS payload, w.tree AS tree, w.outbox_id AS outbox FROM telemetry_samples s JOIN telemetry_windows w ON w.id = s.window_id WHERE s.machine_id = ? AND s.seq = ?').get(machineId, seq) as { body: string; payload: string; tree: string; outbox: string } | undefined;
    if (!row) throw new TwinError('SAMPLE_NOT_ANCHORED', { machineId, seq });
    let anchorProof: RecordProof;
    try {
      anchorProof = this.options.outbox.proof(row.outbox);
    } catch {
      throw new TwinError('SAMPLE_NOT_ANCHORED', { machineId, seq });
    }
    const sample = JSON.parse(row.body) as TelemetrySample;
    const tree = StandardMerkleTree.load<[string, string]>(JSON.parse(row.tree) as ReturnType<StandardMerkleTree<[string, string]>['dump']>);
    const leaf = sampleLeaf(sample);
    return { machineId, sample, leaf, windowProof: tree.getProof(leaf), window: JSON.parse(row.payload) as TelemetryWindow, anchorProof };
  }

  /** Stop listening and close the store (open windows stay open and resume on the next open). */
  close(): void {
    this.unsubscribe();
    if (this.db.isOpen) this.db.close();
  }
}
