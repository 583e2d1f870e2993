/**
 * The claims of a trace and where the ledger holds each: the state key its transaction wrote.
 * The bundle builder uses this to pick the writes to include; the verifier to check them.
 */
import type { StampedRecord, TraceClaims, TraceEntryClaim } from './bundle';
import { compositeKey, sequenceKey } from './evidence';

export interface Claim {
  /** Where in the bundle, e.g. `trace.entries[3]`. */
  readonly path: string;
  /** The transaction that wrote it (null when the bundle does not say). */
  readonly txId: string | null;
  /** The state key it was written at. */
  readonly key: string;
  /** A trace entry (compared field by field with the stored event) or a whole record (compared as is). */
  readonly entry?: TraceEntryClaim;
  readonly record?: unknown;
  /** Set for anchors: the anchor id. */
  readonly anchorId?: string;
}

/**
 * Every claim of `trace`, plus the extra anchors of off-chain records and the subject records of a
 * completeness claim. `writers` names the writers of machines, the order and subject records.
 */
export function traceClaims(trace: TraceClaims, writers: Readonly<Record<string, string>>, extraAnchors: Readonly<Record<string, StampedRecord>>, subjects: Readonly<Record<string, StampedRecord>> = {}): Claim[] {
  const claims: Claim[] = [];
  trace.entries.forEach((entry, i) => {
    const objectType = entry.subject?.kind === 'lot' ? 'lot~event' : 'part~event';
    claims.push({ path: `trace.entries[${i}]`, txId: entry.txId, key: compositeKey(objectType, String(entry.subject?.id), sequenceKey(entry.seq)), entry });
  });
  for (const [id, anchor] of Object.entries(trace.anchors)) claims.push({ path: `trace.anchors.${id}`, txId: stampTx(anchor), key: compositeKey('anchor', id), record: anchor, anchorId: id });
  for (const [id, anchor] of Object.entries(extraAnchors)) {
    if (!(id in trace.anchors)) claims.push({ path: `anchors.${id}`, txId: stampTx(anchor), key: compositeKey('anchor', id), record: anchor, anchorId: id });
  }
  for (const [id, snapshot] of Object.entries(trace.twinSnapshots)) claims.push({ path: `trace.twinSnapshots.${id}`, txId: stampTx(snapshot), key: compositeKey('twin', id), record: snapshot });
  for (const [id, m] of Object.entries(trace.machines)) {
    const key = compositeKey('machine', id);
    claims.push({ path: `trace.machines.${id}.machine`, txId: writers[key] ?? null, key, record: m.machine });
    (m.events ?? []).forEach((event, j) => claims.push({ path: `trace.machines.${id}.events[${j}]`, txId: stampTx(event), key: compositeKey('machine~event', id, sequenceKey(Number(event.seq))), record: event }));
  }
  if (trace.order) {
    const key = compositeKey('order', String(trace.order.id));
    claims.push({ path: 'trace.order', txId: writers[key] ?? null, key, record: trace.order });
  }
  for (const [name, record] of Object.entries(subjects)) {
    const [kind, ...rest] = name.split(':');
    const key = compositeKey(kind === 'lot' ? 'lot' : 'part', rest.join(':'));
    claims.push({ path: `completeness.subjects.${name}`, txId: writers[key] ?? null, key, record });
  }
  return claims;
}

/** The transaction a record names as its writer: `recorded.txId` or `txId`. */
export function stampTx(record: StampedRecord): string | null {
  const recorded = record.recorded as { txId?: unknown } | undefined;
  const txId = recorded?.txId ?? record.txId;
  return typeof txId === 'string' ? txId : null;
}
