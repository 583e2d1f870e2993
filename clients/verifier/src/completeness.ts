/**
 * The trace walk of the chaincode's `trace:GetPartTrace`, redone over part and lot records: the
 * part, then depth first the parts and lots it consumed (each once, in `components` order), a
 * part's components only above `maxDepth`. The gateway uses it to pick the subject records of a
 * bundle, the verifier to check that the trace has every event of every subject the walk visits.
 */
import { subjectKey, type StampedRecord, type TraceEntryClaim } from './bundle';

/** The most entries one trace walk returns (the chaincode's MAX_TRACE_ENTRIES): a walk that reached it was cut short. */
export const MAX_TRACE_ENTRIES = 50_000;

export interface WalkedSubject {
  readonly kind: 'part' | 'lot';
  readonly id: string;
  readonly depth: number;
  /** The record, or undefined when `recordOf` had none. */
  readonly record: StampedRecord | undefined;
}

/** Visit the subjects of the trace of `partId`; `recordOf` gives a subject's record (a missing one ends that branch). */
export function walkSubjects(partId: string, maxDepth: number, recordOf: (kind: 'part' | 'lot', id: string) => StampedRecord | undefined): WalkedSubject[] {
  const walked: WalkedSubject[] = [];
  const seen = new Set<string>();
  const visit = (kind: 'part' | 'lot', id: string, depth: number): void => {
    const mark = `${kind}/${id}`;
    if (seen.has(mark)) return;
    seen.add(mark);
    const record = recordOf(kind, id);
    walked.push({ kind, id, depth, record });
    if (kind !== 'part' || !record || depth >= maxDepth) return;
    const components = Array.isArray(record.components) ? (record.components as ReadonlyArray<{ kind?: unknown; id?: unknown }>) : [];
    for (const c of components) visit(c.kind === 'lot' ? 'lot' : 'part', String(c.id), depth + 1);
  };
  visit('part', partId, 0);
  return walked;
}

/** A walked subject whose events the trace does not hold exactly: those it lacks, and those beyond the record's count. */
export interface SubjectGap {
  readonly subject: WalkedSubject & { readonly record: StampedRecord };
  /** Events the trace holds for it. */
  readonly held: number;
  readonly missing: readonly number[];
  readonly beyond: readonly number[];
}

/**
 * Compare the events of each walked subject that has a record (1…`eventCount`) with the trace's
 * entries for it; returns only the subjects that differ.
 */
export function subjectGaps(entries: readonly TraceEntryClaim[], walked: readonly WalkedSubject[]): SubjectGap[] {
  const bySubject = new Map<string, Set<number>>();
  for (const e of entries) {
    const name = subjectKey(e.subject?.kind === 'lot' ? 'lot' : 'part', String(e.subject?.id));
    const seqs = bySubject.get(name) ?? new Set<number>();
    seqs.add(Number(e.seq));
    bySubject.set(name, seqs);
  }
  const gaps: SubjectGap[] = [];
  for (const w of walked) {
    if (!w.record) continue;
    const count = Number(w.record.eventCount);
    const seqs = bySubject.get(subjectKey(w.kind, w.id)) ?? new Set<number>();
    const missing: number[] = [];
    for (let seq = 1; seq <= count; seq++) if (!seqs.has(seq)) missing.push(seq);
    const beyond = [...seqs].filter((seq) => seq > count);
    if (missing.length > 0 || beyond.length > 0) gaps.push({ subject: { ...w, record: w.record }, held: seqs.size, missing, beyond });
  }
  return gaps;
}
