/**
 * Provenance bundles: a part's trace with the ledger evidence for every claim in it (signed
 * transactions, signed block headers with their transaction hashes, the channel configuration
 * with the organisations' CA certificates) and Merkle proofs of anchored off-chain records.
 * `@forgetrace/verifier` checks a bundle offline.
 */
import {
  BUNDLE_FORMAT,
  certificateHash,
  compositeKey,
  discloseWrite,
  fieldsOf,
  MAX_TRACE_ENTRIES,
  subjectGaps,
  subjectKey,
  traceClaims,
  walkSubjects,
  transactionDigest,
  type BlockEvidence,
  type EvidenceTransaction,
  type ProvenanceBundle,
  type RecordProof,
  type SignatureEvidence,
  type SignatureReference,
  type StampedRecord,
  type TraceClaims,
  type TraceEntryClaim,
  type TransactionEvidence,
  type WriteEvidence,
  writeValue,
} from '@forgetrace/verifier';
import type { Anchor, PartTrace, TraceEntry } from '@forgetrace/chaincode/api';
import type { Block } from '../ledger/embedded/types';
import { transactionHashes } from '../ledger/embedded/internal/ledger-files';
import type { LedgerPort } from '../ledger/port';

/** What a ledger must offer to back a bundle with evidence (the embedded ledger does). */
export interface EvidenceSource {
  readonly channelConfig: { readonly channelName: string };
  locateTransaction(txId: string): { readonly blockNumber: number; readonly index: number } | undefined;
  getBlock(number: number): Block | undefined;
  configBlock(): Block;
  getHistory(key: string): ReadonlyArray<{ readonly txId: string; readonly isDelete: boolean; readonly value: Uint8Array }>;
}

export function isEvidenceSource(port: LedgerPort | EvidenceSource): port is EvidenceSource {
  const p = port as Partial<EvidenceSource>;
  return typeof p.locateTransaction === 'function' && typeof p.configBlock === 'function' && typeof p.getBlock === 'function';
}

/**
 * The CA certificates (PEM) of the channel configuration in force: every member's and the
 * orderer's. Empty when the ledger backend cannot read its configuration.
 */
export function channelRootCertificates(port: LedgerPort | EvidenceSource): string[] {
  if (!isEvidenceSource(port)) return [];
  const block = port.configBlock().data;
  if (block.kind !== 'config') return [];
  return [...block.config.organizations, ...(block.config.ordererOrganizations ?? [])].flatMap((o) => [...o.rootCertificates]);
}

/** The ledger cannot back a claim with signed evidence. */
export class EvidenceUnavailableError extends Error {}

/** The ledger changed between reading the trace and assembling its completeness claim: read the trace again. */
export class TraceChangedError extends Error {}

export interface BundleExtras {
  /** Anchored off-chain records to include, with the anchors they belong to. */
  readonly records?: ReadonlyArray<{ readonly payload: unknown; readonly proof: RecordProof }>;
  readonly anchors?: Readonly<Record<string, Anchor>>;
  /**
   * Make a public bundle: trace entries show only these fields (RFC 6901 pointers into the
   * stored event, e.g. `/type`, `/at`, `/data/machineId`; `/txId`, `/seq` and the subject are
   * always shown), their writes carry field commitments with only those fields revealed, no
   * nonces; machines, twin snapshots and the order are left out; anchors stay whole.
   */
  readonly disclosure?: { readonly fields: readonly string[] };
  /**
   * Claim that the trace is complete: include the records of every part and lot the trace walk
   * (to `maxDepth`, as the trace was read) visits, with their writers. Full bundles only (a
   * public bundle would reveal the records). Left out when the walk hit its entry limit.
   */
  readonly completeness?: { readonly maxDepth: number };
}

/** Fields a public trace entry always shows: they locate its record. */
const LOCATING_FIELDS = ['/txId', '/seq', '/partId', '/lotId'];

/** A trace entry reduced to the disclosed fields. */
function publicEntry(entry: TraceEntry, fields: ReadonlySet<string>): TraceEntry {
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry.data)) if (fields.has(`/data/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`) || fields.has('/data')) data[k] = v;
  return {
    depth: entry.depth,
    subject: entry.subject,
    seq: entry.seq,
    txId: entry.txId,
    ...(fields.has('/type') ? { type: entry.type } : {}),
    ...(fields.has('/at') ? { at: entry.at } : {}),
    ...(fields.has('/mspId') ? { mspId: entry.mspId } : {}),
    ...(Object.keys(data).length > 0 ? { data } : {}),
  } as TraceEntry;
}

/** Assemble the bundle of a whole trace (all pages merged). @throws EvidenceUnavailableError */
export function buildProvenanceBundle(source: EvidenceSource, fullTrace: PartTrace, extras: BundleExtras = {}): ProvenanceBundle {
  const disclosed = extras.disclosure ? new Set([...extras.disclosure.fields, ...LOCATING_FIELDS]) : undefined;
  const trace: PartTrace = disclosed
    ? { ...fullTrace, entries: fullTrace.entries.map((e) => publicEntry(e, disclosed)), machines: {}, twinSnapshots: {}, order: null }
    : fullTrace;
  const anchors: Record<string, Anchor> = { ...(extras.anchors ?? {}) };
  for (const id of Object.keys(trace.anchors)) delete anchors[id];
  // Machines and the order do not name the transaction that last wrote them: the key history does.
  const writers: Record<string, string> = {};
  const latestWriter = (key: string): void => {
    const last = source.getHistory(key)[0];
    if (!last) throw new EvidenceUnavailableError(`no transaction on the ledger wrote ${JSON.stringify(key)}`);
    writers[key] = last.txId;
  };
  for (const id of Object.keys(trace.machines)) latestWriter(compositeKey('machine', id));
  if (trace.order) latestWriter(compositeKey('order', trace.order.id));
  const completeness = extras.completeness && !disclosed && trace.entries.length < MAX_TRACE_ENTRIES ? subjectRecords(source, trace, extras.completeness.maxDepth, writers) : undefined;
  const claims = traceClaims(trace as unknown as TraceClaims, writers, anchors as unknown as Record<string, StampedRecord>, completeness?.subjects);
  // For each transaction, the keys the claims need and which fields of each to reveal (null: the whole write).
  const keysByTx = new Map<string, Map<string, ReadonlySet<string> | null>>();
  for (const c of claims) {
    if (!c.txId) throw new EvidenceUnavailableError(`${c.path} names no transaction`);
    let keys = keysByTx.get(c.txId);
    if (!keys) keysByTx.set(c.txId, (keys = new Map()));
    keys.set(c.key, disclosed && c.entry ? disclosed : null);
  }

  const certificates: Record<string, string> = {};
  const file = (pem: string): string => {
    const hash = certificateHash(pem);
    certificates[hash] = pem;
    return hash;
  };
  const transactions: TransactionEvidence[] = [];
  const blockNumbers = new Set<number>();
  for (const [txId, keys] of keysByTx) {
    const at = source.locateTransaction(txId);
    const block = at && source.getBlock(at.blockNumber);
    if (!at || !block || block.data.kind !== 'transactions') throw new EvidenceUnavailableError(`transaction ${txId} is not on this ledger`);
    if (block.header.format !== 2 || !block.signature) throw new EvidenceUnavailableError(`block ${block.header.number} was written without signatures (an unsigned embedded ledger), so it cannot back a proof`);
    const tx = block.data.transactions[at.index]! as unknown as EvidenceTransaction;
    if (tx.creator.certificate) file(tx.creator.certificate);
    for (const e of tx.endorsements ?? []) file(e.certificate);
    const nonce = tx.nonce ?? '';
    const writes: WriteEvidence[] = tx.rwset.writes.flatMap((write, index): WriteEvidence[] => {
      if (!keys.has(write.key)) return [];
      if (!disclosed) return [{ index, write }];
      // Public bundles never carry the nonce: reveal the chosen fields (all of them for whole records such as anchors).
      const fields = keys.get(write.key) ?? new Set(fieldsOf(writeValue(write)).keys());
      return [{ index, ...discloseWrite(write, nonce, fields) }];
    });
    transactions.push({ blockNumber: at.blockNumber, index: at.index, digest: transactionDigest(tx), ...(disclosed ? {} : { nonce }), writes });
    blockNumbers.add(at.blockNumber);
  }
  transactions.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  const reference = (sig: SignatureEvidence): SignatureReference => ({ certificateHash: file(sig.certificate), mspId: sig.mspId, signature: sig.signature });
  const blocks: BlockEvidence[] = [...blockNumbers].sort((a, b) => a - b).map((n) => {
    const block = source.getBlock(n)!;
    return { header: block.header, hash: block.hash, signature: reference(block.signature!), transactionHashes: transactionHashes(block) };
  });
  const config = source.configBlock();
  if (config.data.kind !== 'config' || !config.signature) throw new EvidenceUnavailableError('the configuration block is not signed');
  return {
    format: BUNDLE_FORMAT,
    channel: source.channelConfig.channelName,
    partId: trace.partId,
    trace: { ...trace, nextPageToken: null } as unknown as ProvenanceBundle['trace'],
    config: { header: config.header, hash: config.hash, signature: reference(config.signature), data: config.data as unknown as ProvenanceBundle['config']['data'] },
    blocks,
    transactions,
    certificates,
    writers,
    anchors: anchors as unknown as ProvenanceBundle['anchors'],
    ...(extras.disclosure ? { disclosure: { fields: [...extras.disclosure.fields] } } : {}),
    records: [...(extras.records ?? [])],
    ...(completeness ? { completeness } : {}),
  };
}

/**
 * The latest records of the parts and lots the trace walk visits, their writers added to
 * `writers`. @throws TraceChangedError when the trace does not hold every event they count (an
 * event was recorded after the trace was read)
 */
function subjectRecords(source: EvidenceSource, trace: PartTrace, maxDepth: number, writers: Record<string, string>): NonNullable<ProvenanceBundle['completeness']> {
  const latest = (kind: 'part' | 'lot', id: string): StampedRecord | undefined => {
    const key = compositeKey(kind, id);
    const last = source.getHistory(key)[0];
    if (!last || last.isDelete) return undefined;
    writers[key] = last.txId;
    return JSON.parse(Buffer.from(last.value).toString('utf8')) as StampedRecord;
  };
  const walked = walkSubjects(trace.partId, maxDepth, latest);
  const subjects: Record<string, StampedRecord> = {};
  for (const w of walked) {
    if (!w.record) throw new EvidenceUnavailableError(`${w.kind} ${w.id}, which the trace walk reaches, is not on the ledger`);
    subjects[subjectKey(w.kind, w.id)] = w.record;
  }
  const gap = subjectGaps(trace.entries as unknown as TraceEntryClaim[], walked)[0];
  if (gap) throw new TraceChangedError(`${gap.subject.kind} ${gap.subject.id} has ${String(gap.subject.record.eventCount)} events, the trace read ${gap.held}`);
  return { maxDepth, subjects };
}
