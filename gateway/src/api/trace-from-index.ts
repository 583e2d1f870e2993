/**
 * The part trace assembled from the index, in exactly the shape and bytes the chaincode's
 * `trace:GetPartTrace` returns, and checked against the ledger with `trace:GetPartTraceDigest`
 * (a digest of the whole walk, cheaper than the trace itself).
 */
import { createHash } from 'node:crypto';
import { canonicalJson, type Anchor, type LotEvent, type Machine, type MachineEvent, type PartEvent, type TraceEntry, type TwinSnapshot } from '@forgetrace/chaincode/api';
import { listAll, type HistoryEntry, type QueryStore } from '../indexer/store';

/** Most entries one walk takes; the chaincode's MAX_TRACE_ENTRIES. */
const MAX_TRACE_ENTRIES = 50_000;

export interface TraceOptions {
  readonly maxDepth?: number;
  readonly pageSize?: number;
  readonly pageToken?: string;
}

/** A trace page as the chaincode would answer it, and the digest of its whole walk. */
export interface AssembledTrace {
  /** Canonical JSON, byte-identical to `trace:GetPartTrace` on the same state. */
  readonly body: string;
  /** Hex SHA-256 of the walk, comparable with `trace:GetPartTraceDigest`. */
  readonly digest: string;
  readonly totalEntries: number;
}

/**
 * Assemble the trace page of `partId` from `store`. Returns undefined when the index lacks a
 * record the walk needs (not indexed yet); the caller then asks the ledger.
 */
export async function assembleTraceFromIndex(store: QueryStore, partId: string, options: TraceOptions = {}): Promise<AssembledTrace | undefined> {
  const maxDepth = options.maxDepth ?? 5;
  const pageSize = options.pageSize ?? 200;
  const root = await store.getPart(partId);
  if (!root) return undefined;
  interface Walked { readonly depth: number; readonly kind: 'part' | 'lot'; readonly subjectId: string; readonly event: PartEvent | LotEvent }
  const walked: Walked[] = [];
  const seen = new Set<string>();
  let missing = false;
  const visit = async (kind: 'part' | 'lot', subjectId: string, depth: number): Promise<void> => {
    const mark = `${kind}/${subjectId}`;
    if (missing || seen.has(mark) || walked.length >= MAX_TRACE_ENTRIES) return;
    seen.add(mark);
    if (kind === 'lot') {
      if (!(await store.getLot(subjectId))) {
        missing = true;
        return;
      }
      for (const e of await listAll((p) => store.listLotEvents(subjectId, p))) walked.push({ depth, kind, subjectId, event: e.data });
      return;
    }
    const part = subjectId === partId ? root : await store.getPart(subjectId);
    if (!part) {
      missing = true;
      return;
    }
    for (const e of await listAll<HistoryEntry<PartEvent>>((p) => store.listPartEvents(subjectId, p))) walked.push({ depth, kind, subjectId, event: e.data });
    if (depth >= maxDepth) return;
    for (const component of part.data.components) await visit(component.kind, component.id, depth + 1);
  };
  await visit('part', partId, 0);
  if (missing) return undefined;
  if (walked.length > MAX_TRACE_ENTRIES) walked.length = MAX_TRACE_ENTRIES;

  const hash = createHash('sha256');
  for (const w of walked) {
    hash.update(`${w.kind}|${w.subjectId}|${w.depth}|`);
    hash.update(canonicalJson(w.event));
    hash.update('\n');
  }

  const offset = options.pageToken ? Number(options.pageToken) : 0;
  const entries: TraceEntry[] = walked.slice(offset, offset + pageSize).map(({ depth, kind, subjectId, event: e }) => ({
    at: e.at, data: e.data, depth, mspId: e.mspId, seq: e.seq, subject: { id: subjectId, kind }, txId: e.txId, type: kind === 'lot' ? `lot_${e.type}` : e.type,
  }));
  const machineSeq = new Map<string, number>();
  const twinIds = new Set<string>();
  const anchorIds = new Set<string>();
  for (const e of entries) {
    const d = e.data as { machineId?: string; machineEventSeq?: number; twinSnapshotId?: string | null; scheduleAnchorId?: string };
    if (d.machineId) machineSeq.set(d.machineId, Math.max(machineSeq.get(d.machineId) ?? 0, d.machineEventSeq ?? 0));
    if (d.twinSnapshotId) twinIds.add(d.twinSnapshotId);
    if (d.scheduleAnchorId) anchorIds.add(d.scheduleAnchorId);
  }
  const machines: Record<string, { machine: Machine; events: MachineEvent[] }> = {};
  for (const [machineId, upTo] of machineSeq) {
    const machine = await store.getMachine(machineId);
    if (!machine) return undefined;
    const events = (await listAll((p) => store.listMachineEvents(machineId, p))).map((e) => e.data).filter((e) => e.seq <= upTo);
    machines[machineId] = { machine: machine.data, events };
  }
  const twinSnapshots: Record<string, TwinSnapshot> = {};
  for (const id of twinIds) {
    const s = await store.getTwinSnapshot(id);
    if (s) twinSnapshots[id] = s.data;
  }
  const anchors: Record<string, Anchor> = {};
  for (const id of anchorIds) {
    const a = await store.getAnchor(id);
    if (!a) return undefined;
    anchors[id] = a.data;
  }
  const order = (await store.getOrder(root.data.orderId))?.data ?? null;
  const next = offset + entries.length;
  const body = canonicalJson({ anchors, entries, machines, nextPageToken: next < walked.length ? String(next) : null, order, partId, totalEntries: walked.length, twinSnapshots });
  return { body, digest: hash.digest('hex'), totalEntries: walked.length };
}
