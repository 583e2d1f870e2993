/**
 * A part's trace as a GS1 EPCIS 2.0 JSON-LD document: one EPCIS event per trace entry (the
 * child side of a consumption is shown by the parent's Transformation/Aggregation event and not
 * repeated), each with its CBV 2.0 event hash as `eventID`. Pure: data in, document out.
 */
import type { PartTrace, TraceEntry, TwinSnapshot } from '@forgetrace/chaincode/api';
import { contextPrefixes, eventHash } from './event-hash';
import { FT_NAMESPACE, type Identifiers } from './identifiers';

/** The EPCIS 2.0 JSON-LD context URL every document names first. */
export const EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
/** The `@context` of exported documents: the standard context and the `ft` extension namespace. */
export const EXPORT_CONTEXT = [EPCIS_CONTEXT_URL, { ft: FT_NAMESPACE }] as const;

/** What the export needs to know of each part named in the trace. */
export interface PartRef {
  readonly id: string;
  readonly orderId: string;
  readonly serial: string;
}

/** An EPCIS event as JSON. */
export type EpcisEvent = Record<string, unknown> & { readonly type: string; readonly eventID: string };

/** An EPCIS 2.0 document. */
export interface EpcisDocument {
  readonly '@context': readonly unknown[];
  readonly type: 'EPCISDocument';
  readonly schemaVersion: '2.0';
  readonly creationDate: string;
  readonly epcisBody: { readonly eventList: readonly EpcisEvent[] };
}

/** UN/ECE Recommendation 20 codes of the lot units the ledger knows ('pcs' is a count: no unit). */
const UOM: Readonly<Record<string, string>> = { kg: 'KGM', g: 'GRM', m: 'MTR', mm: 'MMT', l: 'LTR' };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** `ft:` extension fields from data, dropping null/undefined. */
function ft(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null) out[`ft:${k}`] = v;
  return out;
}

function sensorElements(snapshot: TwinSnapshot | undefined, ids: Identifiers): Record<string, unknown> {
  if (!snapshot) return {};
  const reports: Record<string, unknown>[] = [{ type: 'ft:healthIndex', value: snapshot.summary.healthIndex }];
  for (const name of Object.keys(snapshot.summary.states).sort()) reports.push({ type: `ft:twinState-${name}`, value: snapshot.summary.states[name] });
  reports.push({ type: 'ft:anomaly', booleanValue: snapshot.summary.anomaly });
  return {
    sensorElementList: [{
      sensorMetadata: {
        time: snapshot.observedAt ?? snapshot.recorded.at,
        deviceID: ids.machine(snapshot.machineId),
        dataProcessingMethod: ids.ft('twin-model', `${snapshot.model.id}@${snapshot.model.version}`),
      },
      sensorReport: reports,
    }],
  };
}

/**
 * Build the EPCIS document of a part's trace (all pages merged). `parts` gives the order and
 * serial of every part subject of the trace (for their EPCs). `now` is the creation date.
 * @throws Error when a part of the trace is missing from `parts`
 */
export function traceToEpcis(trace: PartTrace, parts: ReadonlyMap<string, PartRef>, ids: Identifiers, now: string): EpcisDocument {
  const prefixes = contextPrefixes(EXPORT_CONTEXT);
  const partUri = (id: string): string => {
    const p = parts.get(id);
    if (!p) throw new Error(`part ${id} of the trace is unknown`);
    return ids.part(p);
  };
  const lotUnits = new Map<string, string>();
  for (const e of trace.entries) if (e.type === 'lot_registered' && typeof e.data.unit === 'string') lotUnits.set(e.subject.id, e.data.unit);
  const lotQuantity = (lotId: string, quantity: unknown) => {
    const uom = UOM[lotUnits.get(lotId) ?? ''];
    return { epcClass: ids.lot(lotId), ...(num(quantity) !== undefined ? { quantity: num(quantity) } : {}), ...(uom ? { uom } : {}) };
  };
  // The machine of the operation running on each part, for consumption events that follow it.
  const runningMachine = new Map<string, string>();
  const events: EpcisEvent[] = [];
  for (const entry of trace.entries) {
    const d = entry.data as Record<string, unknown>;
    if (entry.type === 'operation_started' && str(d.machineId)) runningMachine.set(entry.subject.id, d.machineId as string);
    if (entry.type === 'operation_finished') runningMachine.delete(entry.subject.id);
    const event = entryToEvent(entry, d);
    if (!event) continue;
    const withoutId = { ...event };
    events.push({ ...withoutId, eventID: eventHash(withoutId, prefixes) } as EpcisEvent);
  }
  return { '@context': [...EXPORT_CONTEXT], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: now, epcisBody: { eventList: events } };

  function entryToEvent(entry: TraceEntry, d: Record<string, unknown>): Record<string, unknown> | undefined {
    const isLot = entry.subject.kind === 'lot';
    const subject = isLot ? undefined : partUri(entry.subject.id);
    const what = subject ? { epcList: [subject] } : { quantityList: [lotQuantity(entry.subject.id, d.quantity)] };
    const common = { eventTime: entry.at, eventTimeZoneOffset: '+00:00' };
    const provenance = ft({ entryType: entry.type, ledgerTxId: entry.txId, seq: entry.seq, recordedBy: entry.mspId, subject: isLot ? ids.lot(entry.subject.id) : subject });
    const site = (msp: unknown) => ({ bizLocation: { id: ids.site(str(msp) ?? entry.mspId) } });
    const object = (action: 'ADD' | 'OBSERVE' | 'DELETE', bizStep: string, disposition: string | undefined, extra: Record<string, unknown>) => ({
      type: 'ObjectEvent', ...common, ...what, action, bizStep, ...(disposition ? { disposition } : {}), ...extra, ...provenance,
    });
    const job = ft({ jobId: d.jobId, process: d.process, operationIndex: d.operationIndex });
    switch (entry.type) {
      case 'created':
        return object('ADD', 'commissioning', 'active', { ...site(entry.mspId), ...ft({ orderId: d.orderId, specHash: d.specHash, dueDate: d.dueDate }) });
      case 'job_assigned':
        return object('OBSERVE', 'other', undefined, { ...site(d.factoryMsp), ...job, ...ft({ machine: str(d.machineId) && ids.machine(d.machineId as string), plannedStart: d.plannedStart, plannedEnd: d.plannedEnd, scheduleAnchorId: d.scheduleAnchorId }) });
      case 'job_accepted':
      case 'job_declined':
        return object('OBSERVE', 'other', undefined, { ...site(d.factoryMsp), ...job, ...ft({ reason: d.reason }) });
      case 'operation_started':
      case 'operation_finished': {
        const snapshotId = str(d.twinSnapshotId);
        const snapshot = snapshotId ? trace.twinSnapshots[snapshotId] : undefined;
        return object('OBSERVE', 'other', 'in_progress', {
          ...(str(d.machineId) ? { readPoint: { id: ids.machine(d.machineId as string) } } : {}),
          ...site(d.factoryMsp), ...sensorElements(snapshot, ids), ...job,
          ...ft({ machineEventSeq: d.machineEventSeq, twinSnapshotId: snapshotId, snapshotHash: snapshot?.snapshotHash, outputHash: d.outputHash, note: d.note }),
        });
      }
      case 'component_consumed': {
        const childId = String(d.id);
        const child = d.kind === 'lot' ? { quantity: [lotQuantity(childId, d.quantity)] } : { epcs: [partUri(childId)] };
        const machine = runningMachine.get(entry.subject.id);
        const where = { ...(machine ? { readPoint: { id: ids.machine(machine) } } : {}), ...site(entry.mspId) };
        const extra = ft({ relation: d.relation, component: d.kind === 'lot' ? ids.lot(childId) : child.epcs![0] });
        if (d.relation === 'transformation') {
          return {
            type: 'TransformationEvent', ...common,
            ...(child.epcs ? { inputEPCList: child.epcs } : { inputQuantityList: child.quantity }),
            outputEPCList: [subject], bizStep: 'other', disposition: 'in_progress', ...where, ...extra, ...provenance,
          };
        }
        return {
          type: 'AggregationEvent', ...common, parentID: subject,
          ...(child.epcs ? { childEPCs: child.epcs } : { childQuantityList: child.quantity }),
          action: 'ADD', bizStep: 'assembling', disposition: 'in_progress', ...where, ...extra, ...provenance,
        };
      }
      case 'consumed':
      case 'lot_consumed':
        return undefined; // shown by the consuming part's Transformation/Aggregation event
      case 'qc_recorded':
        return object('OBSERVE', 'inspecting', d.result === 'pass' ? 'conformant' : 'non_conformant', { ...site(entry.mspId), ...ft({ qcResult: d.result, reportHash: d.reportHash, measurements: d.measurements }) });
      case 'qc_disputed':
        return object('OBSERVE', 'inspecting', undefined, { ...site(entry.mspId), ...ft({ disputeReason: d.reason, evidenceHash: d.evidenceHash }) });
      case 'qc_dispute_resolved':
        return object('OBSERVE', 'inspecting', undefined, { ...site(entry.mspId), ...ft({ disputeUpheld: d.upheld, note: d.note }) });
      case 'shipped':
        return object('OBSERVE', 'shipping', 'in_transit', { ...site(entry.mspId), ...ft({ carrier: d.carrier, trackingRef: d.trackingRef, logisticsMsp: d.logisticsMsp }) });
      case 'delivered':
        return object('OBSERVE', 'receiving', undefined, { ...site(entry.mspId), ...ft({ note: d.note }) });
      case 'cancelled':
        return object('DELETE', 'decommissioning', 'inactive', { ...site(entry.mspId), ...ft({ reason: d.reason }) });
      case 'lot_registered':
        return object('ADD', 'commissioning', 'active', { ...site(entry.mspId), ...ft({ material: d.material, supplier: d.supplier }) });
      default:
        return object('OBSERVE', 'other', undefined, { ...site(entry.mspId), ...ft({ data: d }) });
    }
  }
}
