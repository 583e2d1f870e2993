import { createHash } from 'node:crypto';
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from '../internal/canonical';
import { KEY } from '../internal/keys';
import { getAnchor, getLot, getMachine, getPart } from '../internal/records';
import { Tx } from '../internal/tx';
import * as S from '../schemas';
import type { Anchor, LotEvent, Machine, MachineEvent, Order, PartEvent, PartTrace, TraceEntry, TwinSnapshot } from '../types';

/** Most entries one trace walks before it stops (the rest is reported as truncated). */
export const MAX_TRACE_ENTRIES = 50_000;

/** A part's full history, with the histories of what it consumed. */
@Info({ title: 'Trace', description: 'Part traceability' })
export class TraceContract extends Contract {
  constructor() {
    super('trace');
  }

  /**
   * The part's history in order (order, plan anchors, assignments, operation reports, QC,
   * shipping, delivery), then, depth first, the histories of the parts and lots it consumed,
   * down to `maxDepth`. Paged by `pageSize`; the page carries the machines (with provenance
   * up to the last report on them), twin snapshots and anchors its entries name.
   * @throws NOT_FOUND, INVALID_INPUT
   */
  @Transaction(false)
  @Returns('string')
  async GetPartTrace(ctx: Context, partId: string, options: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'partId', partId);
    const opts = S.parseArg(S.traceOptions, 'options', options || '{}');
    const root = await getPart(tx, id);
    const order = (await tx.getJson<Order>(tx.key(KEY.order, root.orderId))) ?? null;
    const walked = await walkTrace(tx, id, opts.maxDepth);

    const offset = opts.pageToken ? Number(opts.pageToken) : 0;
    // Entries are built with their keys in sorted order from canonical records, so
    // JSON.stringify of the page is canonical without a re-sorting pass.
    const page: TraceEntry[] = walked.slice(offset, offset + opts.pageSize).map(({ depth, kind, subjectId, raw }) => {
      const e = JSON.parse(Buffer.from(raw).toString('utf8')) as PartEvent | LotEvent;
      const type = kind === 'lot' ? `lot_${e.type}` : e.type;
      return { at: e.at, data: e.data, depth, mspId: e.mspId, seq: e.seq, subject: { id: subjectId, kind }, txId: e.txId, type };
    });
    const nextOffset = offset + page.length;
    const entries = walked;

    const machineSeq = new Map<string, number>();
    const twinIds = new Set<string>();
    const anchorIds = new Set<string>();
    for (const e of page) {
      const d = e.data as { machineId?: string; machineEventSeq?: number; twinSnapshotId?: string | null; scheduleAnchorId?: string };
      if (d.machineId) machineSeq.set(d.machineId, Math.max(machineSeq.get(d.machineId) ?? 0, d.machineEventSeq ?? 0));
      if (d.twinSnapshotId) twinIds.add(d.twinSnapshotId);
      if (d.scheduleAnchorId) anchorIds.add(d.scheduleAnchorId);
    }
    const machines: Record<string, { machine: Machine; events: MachineEvent[] }> = {};
    for (const [machineId, upTo] of [...machineSeq].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const machine = await getMachine(tx, machineId);
      // Provenance up to the last report on this page: events 1..upTo, in sequence order.
      const events: MachineEvent[] = [];
      const iterator = await tx.ctx.stub.getStateByPartialCompositeKey(KEY.machineEvent, [machineId]);
      try {
        for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
          const event = JSON.parse(Buffer.from(r.value.value).toString('utf8')) as MachineEvent;
          if (event.seq > upTo) break;
          events.push(event);
        }
      } finally {
        await iterator.close();
      }
      machines[machineId] = { machine, events };
    }
    const twinSnapshots: Record<string, TwinSnapshot> = {};
    for (const snapshotId of [...twinIds].sort()) {
      const snapshot = await tx.getJson<TwinSnapshot>(tx.key(KEY.twin, snapshotId));
      if (snapshot) twinSnapshots[snapshotId] = snapshot;
    }
    const anchors: Record<string, Anchor> = {};
    for (const anchorId of [...anchorIds].sort()) anchors[anchorId] = await getAnchor(tx, anchorId);

    // Entries are built with sorted keys from canonical records (their data has identifier
    // keys only), so JSON.stringify keeps them canonical; the id-keyed maps and the order go
    // through canonicalJson, since objects reorder integer-like keys.
    const trace: Omit<PartTrace, 'entries'> = {
      anchors,
      machines,
      nextPageToken: nextOffset < entries.length ? String(nextOffset) : null,
      order,
      partId: id,
      totalEntries: entries.length,
      twinSnapshots,
    };
    return `{"anchors":${canonicalJson(trace.anchors)},"entries":${JSON.stringify(page)},"machines":${canonicalJson(trace.machines)},`
      + `"nextPageToken":${JSON.stringify(trace.nextPageToken)},"order":${canonicalJson(trace.order)},"partId":${JSON.stringify(trace.partId)},`
      + `"totalEntries":${trace.totalEntries},"twinSnapshots":${canonicalJson(trace.twinSnapshots)}}`;
  }

  /**
   * A digest of the part's whole trace walk (every entry of every page, in order), so a
   * gateway that assembled the trace from its index can check it against the ledger without
   * the ledger building the pages: SHA-256 over, for each entry, `<kind>|<subjectId>|<depth>|`,
   * the stored event's bytes (canonical JSON) and a newline. Returns
   * `{"digest":<hex>,"partId":…,"totalEntries":…}`.
   * @throws NOT_FOUND, INVALID_INPUT
   */
  @Transaction(false)
  @Returns('string')
  async GetPartTraceDigest(ctx: Context, partId: string, options: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'partId', partId);
    const opts = S.parseArg(S.traceOptions, 'options', options || '{}');
    await getPart(tx, id);
    const walked = await walkTrace(tx, id, opts.maxDepth);
    const hash = createHash('sha256');
    for (const w of walked) {
      hash.update(`${w.kind}|${w.subjectId}|${w.depth}|`);
      hash.update(w.raw);
      hash.update('\n');
    }
    return canonicalJson({ digest: hash.digest('hex'), partId: id, totalEntries: walked.length });
  }
}

/** One stored event met by the trace walk, kept as its raw bytes. */
interface Walked { readonly depth: number; readonly kind: 'part' | 'lot'; readonly subjectId: string; readonly raw: Uint8Array }

/**
 * The trace walk: the part's own events in sequence order, then depth first the parts and lots
 * it consumed (each once, in `components` order) down to `maxDepth`, at most MAX_TRACE_ENTRIES.
 */
async function walkTrace(tx: Tx, id: string, maxDepth: number): Promise<Walked[]> {
  const walked: Walked[] = [];
  const collect = async (objectType: string, kind: 'part' | 'lot', subjectId: string, depth: number): Promise<void> => {
    const iterator = await tx.ctx.stub.getStateByPartialCompositeKey(objectType, [subjectId]);
    try {
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) walked.push({ depth, kind, subjectId, raw: r.value.value });
    } finally {
      await iterator.close();
    }
  };
  const seen = new Set<string>();
  const visit = async (kind: 'part' | 'lot', subjectId: string, depth: number): Promise<void> => {
    const mark = `${kind}/${subjectId}`;
    if (seen.has(mark) || walked.length >= MAX_TRACE_ENTRIES) return;
    seen.add(mark);
    if (kind === 'lot') {
      await getLot(tx, subjectId);
      await collect(KEY.lotEvent, kind, subjectId, depth);
      return;
    }
    const part = await getPart(tx, subjectId);
    await collect(KEY.partEvent, kind, subjectId, depth);
    if (depth >= maxDepth) return;
    for (const component of part.components) await visit(component.kind, component.id, depth + 1);
  };
  await visit('part', id, 0);
  return walked;
}
