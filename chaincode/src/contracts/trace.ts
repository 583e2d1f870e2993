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

    const entries: TraceEntry[] = [];
    const seen = new Set<string>();
    const visit = async (kind: 'part' | 'lot', subjectId: string, depth: number): Promise<void> => {
      const mark = `${kind}/${subjectId}`;
      if (seen.has(mark) || entries.length >= MAX_TRACE_ENTRIES) return;
      seen.add(mark);
      if (kind === 'lot') {
        await getLot(tx, subjectId);
        for (const row of await tx.scan<LotEvent>(KEY.lotEvent, [subjectId])) {
          const e = row.value!;
          entries.push({ depth, subject: { kind, id: subjectId }, seq: e.seq, type: `lot_${e.type}`, txId: e.txId, at: e.at, mspId: e.mspId, data: e.data });
        }
        return;
      }
      const part = await getPart(tx, subjectId);
      for (const row of await tx.scan<PartEvent>(KEY.partEvent, [subjectId])) {
        const e = row.value!;
        entries.push({ depth, subject: { kind, id: subjectId }, seq: e.seq, type: e.type, txId: e.txId, at: e.at, mspId: e.mspId, data: e.data });
      }
      if (depth >= opts.maxDepth) return;
      for (const component of part.components) await visit(component.kind, component.id, depth + 1);
    };
    await visit('part', id, 0);

    const offset = opts.pageToken ? Number(opts.pageToken) : 0;
    const page = entries.slice(offset, offset + opts.pageSize);
    const nextOffset = offset + page.length;

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

    const trace: PartTrace = {
      partId: id,
      order,
      entries: page,
      machines,
      twinSnapshots,
      anchors,
      totalEntries: entries.length,
      nextPageToken: nextOffset < entries.length ? String(nextOffset) : null,
    };
    return canonicalJson(trace);
  }
}
