/**
 * Offline verification of a provenance bundle. It trusts only the CA certificates the caller
 * supplies (`trustedRoots`) or pins (`pinnedFingerprints` of the channel configuration's roots),
 * and checks, without any network access:
 *
 * 1. the configuration block (hash, data hash, orderer signature), which lists each
 *    organisation's CA certificates;
 * 2. every block (header hash, orderer signature, data hash over its transaction hashes);
 * 3. every transaction: its hash is in its block at its index, it was valid, its id derives from
 *    its nonce and creator, the creator and every endorser hold certificates issued by their
 *    organisation's (trusted) CA, and their signatures hold;
 * 4. every claim of the trace (entries, anchors, twin snapshots, machines and their events, the
 *    order) is a value its transaction wrote, field for field;
 * 5. every anchored off-chain record's Merkle path leads to the root of an anchor proven in 4.
 */
import { hexToBytes } from '@noble/hashes/utils';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { MAX_TRACE_ENTRIES, subjectGaps, walkSubjects } from './completeness';
import { BUNDLE_FORMAT, subjectKey, type BlockEvidence, type ChannelOrganization, type ProvenanceBundle, type SignatureReference, type StampedRecord, type TraceEntryClaim, type TransactionEvidence } from './bundle';
import { canonicalJson } from './canonical';
import { stampTx, traceClaims } from './claims';
import { CertificateCache, type ParsedCertificate } from './crypto';
import {
  base64ToBytes,
  blockDataHash,
  blockHeaderHash,
  endorsedPayload,
  envelopePayload,
  sha256Hex,
  transactionHash,
  transactionIdFor,
} from './evidence';
import { commitAndReadWrite, commitmentsHash, fieldCommitment, fieldsOf } from './disclosure';

/** Why a bundle does not hold. */
export type FailureReason =
  | 'malformed bundle'
  | 'no trust anchors'
  | 'bad signature'
  | 'certificate not issued by a consortium CA'
  | 'tampered field'
  | 'entry missing from its block'
  | 'invalid transaction'
  | 'wrong Merkle path'
  | 'anchor not found'
  | 'incomplete trace';

export interface Finding {
  /** Where in the bundle, e.g. `transactions[3].transaction.endorsements[0]`. */
  readonly path: string;
  readonly reason: FailureReason;
  readonly detail: string;
}

/** One claim of the trace and whether it is proven. */
export interface ClaimResult {
  /** e.g. `trace.entries[2]`, `trace.anchors.ob-1f…`, `records[0]`. */
  readonly path: string;
  readonly txId: string | null;
  readonly blockNumber: number | null;
  readonly valid: boolean;
}

/** Whether the bundle proves that its trace leaves nothing out (see `completeness` of a bundle). */
export interface Completeness {
  readonly proven: boolean;
  /** What was proven, or why not. */
  readonly detail: string;
  /** Block of the newest subject record shown: the trace is complete as of the records written up to there. */
  readonly asOfBlock: number | null;
}

export type Verdict = {
  readonly findings: readonly Finding[];
  readonly completeness: Completeness;
  readonly claims: readonly ClaimResult[];
  readonly checked: { readonly blocks: number; readonly transactions: number; readonly claims: number; readonly records: number };
} & ({ readonly valid: true } | { readonly valid: false; readonly reason: FailureReason; readonly detail: string; readonly path: string });

export interface VerifyOptions {
  /** CA certificates (PEM) the caller trusts. */
  readonly trustedRoots?: readonly string[];
  /** SHA-256 fingerprints (hex of the DER) of channel-configuration CA certificates the caller pins. */
  readonly pinnedFingerprints?: readonly string[];
}

const MERKLE_LEAF_ENCODING = ['string', 'bytes32'];
const SUBJECT_PATH = 'completeness.subjects.';

/** Verify a provenance bundle; never throws for bad input, it reports it. */
export async function verifyBundle(input: unknown, options: VerifyOptions): Promise<Verdict> {
  const run = new Verification(options);
  try {
    await run.all(input);
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
  }
  return run.verdict();
}

class Stop extends Error {}

class Verification {
  private readonly certs = new CertificateCache();
  private readonly findings: Finding[] = [];
  private readonly claims: Array<ClaimResult & { failedBy: string[] }> = [];
  private readonly trusted = new Map<string, ParsedCertificate>();
  private readonly badTx = new Set<string>();
  private readonly badBlock = new Set<number>();
  private readonly anchorsProven = new Map<string, StampedRecord>();
  private counts = { blocks: 0, transactions: 0, claims: 0, records: 0 };
  private certificates: Readonly<Record<string, string>> = {};
  /** Proven field values of the writes in the bundle, by transaction id and key (`complete`: every field of the write). */
  private readonly proven = new Map<string, { readonly fields: ReadonlyMap<string, unknown>; readonly complete: boolean; readonly isDelete: boolean }>();
  private partialClaims = false;
  /** Subject records (`part:<id>`) whose claims held, with their blocks. */
  private readonly provenSubjects = new Map<string, number | null>();
  private completeness: Completeness = { proven: false, detail: 'the bundle was not checked to the end', asOfBlock: null };

  constructor(private readonly options: VerifyOptions) {}

  verdict(): Verdict {
    const claims = this.claims.map(({ failedBy, ...c }) => ({ ...c, valid: c.valid && failedBy.length === 0 && !(c.txId && this.badTx.has(c.txId)) && !(c.blockNumber !== null && this.badBlock.has(c.blockNumber)) }));
    const completeness = this.findings.length > 0 && this.completeness.proven ? { proven: false, detail: 'the bundle does not verify', asOfBlock: null } : this.completeness;
    const base = { findings: this.findings, claims, checked: this.counts, completeness };
    const first = this.findings[0];
    return first ? { ...base, valid: false, reason: first.reason, detail: first.detail, path: first.path } : { ...base, valid: true };
  }

  private fail(path: string, reason: FailureReason, detail: string): void {
    this.findings.push({ path, reason, detail });
  }

  private fatal(path: string, reason: FailureReason, detail: string): never {
    this.fail(path, reason, detail);
    throw new Stop();
  }

  async all(input: unknown): Promise<void> {
    const bundle = this.shape(input);
    const config = bundle.config.data.config;
    this.trust(config.organizations, config.ordererOrganizations ?? []);

    // 1. The configuration block.
    this.certificates = bundle.certificates;
    this.partialClaims = bundle.disclosure !== undefined;
    await this.block('config', bundle.config.header, bundle.config.hash, bundle.config.signature ?? null, config.ordererOrganizations ?? []);
    if (sha256Hex(canonicalJson(bundle.config.data)) !== bundle.config.header.dataHash) this.fatal('config.data', 'tampered field', 'the configuration does not hash to the data hash of its block');
    if (config.channelName !== bundle.channel) this.fatal('channel', 'tampered field', `the bundle names channel ${bundle.channel}, its configuration ${config.channelName}`);
    if (this.findings.length > 0) throw new Stop(); // nothing below can be trusted without the configuration

    // 2. Blocks.
    const blocks = new Map<number, BlockEvidence>();
    // Blocks and transactions are checked together: their signatures are verified off the main
    // thread (Web Crypto, or the host's ECDSA), while the transactions' hashing runs on it.
    const blocksChecked = Promise.all(bundle.blocks.map(async (b, i) => {
      const path = `blocks[${i}]`;
      blocks.set(b.header.number, b);
      this.counts.blocks++;
      if (b.header.format !== 2) this.fail(`${path}.header.format`, 'malformed bundle', `block ${b.header.number} is not a format-2 block, whose transactions can be proven one by one`);
      else if (blockDataHash(b.transactionHashes) !== b.header.dataHash) this.fail(`${path}.transactionHashes`, 'tampered field', `the transaction hashes of block ${b.header.number} do not hash to its data hash`);
      await this.block(path, b.header, b.hash, b.signature, config.ordererOrganizations ?? []);
    }));

    // 3. Transactions (each finds its block in `blocks`, filled before the first signature is awaited).
    const transactions = new Map<string, TransactionEvidence>();
    const transactionsChecked = Promise.all(bundle.transactions.map(async (t, i) => {
      const path = `transactions[${i}]`;
      this.counts.transactions++;
      transactions.set(t.digest.txId, t);
      await this.transaction(path, t, blocks.get(t.blockNumber), bundle.channel, config.organizations);
    }));
    await Promise.all([blocksChecked, transactionsChecked]);
    // A block or transaction with a finding under its path is bad (checks interleave, so by path, not by order).
    const failed = new Set(this.findings.map((f) => /^(?:blocks|transactions)\[\d+\]/.exec(f.path)?.[0]));
    bundle.blocks.forEach((b, i) => failed.has(`blocks[${i}]`) && this.badBlock.add(b.header.number));
    bundle.transactions.forEach((t, i) => failed.has(`transactions[${i}]`) && this.badTx.add(t.digest.txId));

    // 4. Claims of the trace.
    this.traceClaims(bundle, transactions);

    // 5. Anchored off-chain records.
    bundle.records.forEach((r, i) => this.record(`records[${i}]`, r.payload, r.proof, transactions));

    // 6. Completeness: the walk over the proven subject records meets every event in the trace.
    this.checkCompleteness(bundle);
  }

  private checkCompleteness(bundle: ProvenanceBundle): void {
    const claim = bundle.completeness;
    if (!claim) {
      this.completeness = { proven: false, detail: 'the bundle does not claim that its trace is complete (it carries no subject records)', asOfBlock: null };
      return;
    }
    const before = this.findings.length;
    if (bundle.trace.partId !== bundle.partId) this.fail('trace.partId', 'tampered field', `the trace is of ${String(bundle.trace.partId)}, the bundle of ${bundle.partId}`);
    const walked = walkSubjects(bundle.partId, claim.maxDepth, (kind, id) => (this.provenSubjects.has(subjectKey(kind, id)) ? claim.subjects[subjectKey(kind, id)] : undefined));
    let asOfBlock: number | null = null;
    for (const w of walked) {
      const name = subjectKey(w.kind, w.id);
      if (!w.record) {
        this.fail(`completeness.subjects.${name}`, 'incomplete trace', `the trace walk reaches ${w.kind} ${w.id} (depth ${w.depth}), but the bundle carries no proven record of it`);
        continue;
      }
      const block = this.provenSubjects.get(name) ?? null;
      if (block !== null) asOfBlock = Math.max(asOfBlock ?? block, block);
    }
    for (const { subject: w, missing, beyond } of subjectGaps(bundle.trace.entries, walked)) {
      const count = Number(w.record.eventCount);
      if (missing.length > 0) {
        this.fail('trace.entries', 'incomplete trace', `${w.kind} ${w.id} has ${count} events, the trace leaves out ${missing.length === 1 ? 'event' : 'events'} ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`);
      }
      if (beyond.length > 0) this.fail(`completeness.subjects.${subjectKey(w.kind, w.id)}`, 'incomplete trace', `the record of ${w.kind} ${w.id} shown counts ${count} events, but the trace proves event ${Math.max(...beyond)}: the record is an older version`);
    }
    if (this.findings.length > before) {
      this.completeness = { proven: false, detail: 'the trace leaves out events of the subjects its walk visits', asOfBlock: null };
      return;
    }
    if (bundle.trace.entries.length >= MAX_TRACE_ENTRIES) {
      this.completeness = { proven: false, detail: `the trace walk stopped at its limit of ${MAX_TRACE_ENTRIES} entries`, asOfBlock: null };
      return;
    }
    this.completeness = {
      proven: true,
      detail: `every event of the ${walked.length} parts and lots the trace walk visits (depth ≤ ${claim.maxDepth}) is in the trace, as of their records written up to block ${asOfBlock ?? '?'}; a later version of a record is not excluded`,
      asOfBlock,
    };
  }

  /** Structure only: enough to walk the bundle without type errors. */
  private shape(input: unknown): ProvenanceBundle {
    const b = input as ProvenanceBundle | null;
    const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
    if (!isObject(b)) this.fatal('', 'malformed bundle', 'a bundle is a JSON object');
    if (b!.format !== BUNDLE_FORMAT) this.fatal('format', 'malformed bundle', `format must be ${BUNDLE_FORMAT}`);
    for (const field of ['trace', 'config', 'writers', 'anchors', 'certificates'] as const) if (!isObject(b![field])) this.fatal(field, 'malformed bundle', `${field} must be an object`);
    for (const field of ['blocks', 'transactions', 'records'] as const) if (!Array.isArray(b![field])) this.fatal(field, 'malformed bundle', `${field} must be an array`);
    const config = b!.config;
    if (!isObject(config.header) || !isObject(config.data) || config.data.kind !== 'config' || !isObject(config.data.config) || !Array.isArray(config.data.config.organizations)) {
      this.fatal('config', 'malformed bundle', 'config must be the channel configuration block');
    }
    b!.blocks.forEach((x, i) => {
      if (!isObject(x) || !isObject(x.header) || typeof x.hash !== 'string' || !Array.isArray(x.transactionHashes)) this.fatal(`blocks[${i}]`, 'malformed bundle', 'a block needs header, hash, signature and transactionHashes');
    });
    b!.transactions.forEach((x, i) => {
      if (!isObject(x) || !Number.isInteger(x.blockNumber) || !Number.isInteger(x.index) || !isObject(x.digest) || typeof x.digest.txId !== 'string' || !isObject(x.digest.rwset) || !Array.isArray(x.digest.rwset.writes) || !isObject(x.digest.creator) || !Array.isArray(x.digest.endorsements) || !Array.isArray(x.writes)) {
        this.fatal(`transactions[${i}]`, 'malformed bundle', 'a transaction needs blockNumber, index, its digest and the writes the claims need');
      }
    });
    const c = b!.completeness;
    if (c !== undefined && (!isObject(c) || !Number.isInteger(c.maxDepth) || c.maxDepth < 0 || !isObject(c.subjects))) this.fatal('completeness', 'malformed bundle', 'completeness needs maxDepth (an integer ≥ 0) and subjects (an object)');
    const t = b!.trace;
    if (!Array.isArray(t.entries) || !isObject(t.anchors) || !isObject(t.twinSnapshots) || !isObject(t.machines)) this.fatal('trace', 'malformed bundle', 'trace needs entries, anchors, twinSnapshots and machines');
    return b!;
  }

  /** The trust set: supplied roots, plus configuration roots whose fingerprint is pinned. */
  private trust(organizations: readonly ChannelOrganization[], orderers: readonly ChannelOrganization[]): void {
    for (const pem of this.options.trustedRoots ?? []) {
      try {
        const c = this.certs.parse(pem);
        this.trusted.set(c.fingerprint, c);
      } catch (err) {
        this.fatal('options.trustedRoots', 'no trust anchors', `a trusted root is not a PEM certificate: ${(err as Error).message}`);
      }
    }
    const pins = new Set((this.options.pinnedFingerprints ?? []).map((f) => f.toLowerCase().replace(/[^0-9a-f]/g, '')));
    for (const org of [...organizations, ...orderers]) {
      for (const pem of Array.isArray(org.rootCertificates) ? org.rootCertificates : []) {
        try {
          const c = this.certs.parse(pem);
          if (pins.has(c.fingerprint)) this.trusted.set(c.fingerprint, c);
        } catch {
          // An unparsable configuration root is simply never trusted; certificates chained to it fail below.
        }
      }
    }
    if (this.trusted.size === 0) this.fatal('options', 'no trust anchors', 'no trusted CA certificate was supplied or pinned, so nothing can be verified');
  }

  /**
   * The certificate with fingerprint `hash` from the bundle's table, if it was issued by a trusted
   * CA that the channel configuration lists for `mspId`; otherwise a finding and null.
   */
  private async consortiumCertificate(path: string, hash: string, mspId: string, organizations: readonly ChannelOrganization[]): Promise<ParsedCertificate | null> {
    const pem = typeof hash === 'string' ? this.certificates[hash] : undefined;
    if (typeof pem !== 'string') {
      this.fail(path, 'malformed bundle', `certificate ${String(hash).slice(0, 16)}… is not in the bundle's certificates`);
      return null;
    }
    let cert: ParsedCertificate;
    try {
      cert = this.certs.parse(pem);
    } catch {
      this.fail(path, 'malformed bundle', 'the certificate is not a PEM X.509 certificate');
      return null;
    }
    if (cert.fingerprint !== hash) {
      this.fail(path, 'tampered field', `the certificate filed under ${hash.slice(0, 16)}… has fingerprint ${cert.fingerprint.slice(0, 16)}…`);
      return null;
    }
    const org = organizations.find((o) => o.mspId === mspId);
    if (!org) {
      this.fail(path, 'certificate not issued by a consortium CA', `${mspId} is not an organisation of the channel configuration`);
      return null;
    }
    for (const rootPem of org.rootCertificates) {
      let root: ParsedCertificate;
      try {
        root = this.certs.parse(rootPem);
      } catch {
        continue;
      }
      if (!this.trusted.has(root.fingerprint)) continue;
      if (await this.certs.issuedBy(cert, root)) return cert;
    }
    this.fail(path, 'certificate not issued by a consortium CA', `certificate "${cert.certificate.subject}" was not issued by a trusted CA of ${mspId}`);
    return null;
  }

  private async signature(path: string, who: string, evidence: SignatureReference | null | undefined, data: string | Uint8Array, organizations: readonly ChannelOrganization[]): Promise<void> {
    if (!evidence || typeof evidence.signature !== 'string') {
      this.fail(path, 'bad signature', `${who} is not signed`);
      return;
    }
    const cert = await this.consortiumCertificate(`${path}.certificateHash`, evidence.certificateHash, evidence.mspId, organizations);
    if (!cert) return;
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    if (!(await this.certs.verifySignature(cert, bytes, evidence.signature))) this.fail(`${path}.signature`, 'bad signature', `the signature of ${who} does not verify with the certificate of ${evidence.mspId}`);
  }

  private async block(path: string, header: BlockEvidence['header'], hash: string, signature: SignatureReference | null, orderers: readonly ChannelOrganization[]): Promise<void> {
    if (blockHeaderHash(header) !== hash) {
      this.fail(`${path}.header`, 'tampered field', `the header of block ${header.number} does not hash to ${hash}`);
      return;
    }
    await this.signature(`${path}.signature`, `block ${header.number} (orderer)`, signature, hexToBytes(hash), orderers);
  }

  private async transaction(path: string, t: TransactionEvidence, block: BlockEvidence | undefined, channel: string, organizations: readonly ChannelOrganization[]): Promise<void> {
    const d = t.digest;
    if (!block) return this.fail(path, 'entry missing from its block', `block ${t.blockNumber} is not in the bundle`);
    let hash: string;
    try {
      hash = transactionHash(d);
    } catch (err) {
      return this.fail(path, 'malformed bundle', (err as Error).message);
    }
    // Every check below runs even when an earlier one failed, so that each tampered element is named.
    if (block.transactionHashes[t.index] !== hash) {
      this.fail(path, 'entry missing from its block', `transaction ${d.txId} is not transaction ${t.index} of block ${t.blockNumber} (its hash ${hash.slice(0, 16)}… is not there)`);
    }
    if (d.validationCode !== 'VALID') this.fail(`${path}.digest.validationCode`, 'invalid transaction', `transaction ${d.txId} was marked ${d.validationCode} by the committer; its writes never took effect`);
    if (t.nonce !== undefined && (typeof t.nonce !== 'string' || sha256Hex(base64ToBytes(t.nonce)) !== d.nonceHash)) {
      this.fail(`${path}.nonce`, 'tampered field', `the nonce of transaction ${d.txId} does not match the hash its digest holds`);
    }
    t.writes.forEach((w, i) => this.write(`${path}.writes[${i}]`, d.txId, d.rwset.writes[w.index], w, t.nonce));
    const creator = await this.consortiumCertificate(`${path}.digest.creator.certificateHash`, d.creator.certificateHash, d.creator.mspId, organizations);
    // The transaction id derives from the nonce, which only full bundles carry (it keys the field salts).
    if (creator && typeof t.nonce === 'string' && transactionIdFor(t.nonce, d.creator.mspId, creator.pem) !== d.txId) this.fail(`${path}.digest.txId`, 'tampered field', `transaction id ${d.txId} does not derive from its nonce and creator`);
    if (creator) {
      if (typeof d.signature !== 'string') this.fail(`${path}.digest.signature`, 'bad signature', `transaction ${d.txId} is not signed by its creator`);
      else if (!(await this.certs.verifySignature(creator, new TextEncoder().encode(envelopePayload(d, channel)), d.signature))) {
        this.fail(`${path}.digest.signature`, 'bad signature', `the creator's (${d.creator.mspId}) signature on transaction ${d.txId} does not verify`);
      }
    }
    if (d.endorsements.length === 0) return this.fail(`${path}.digest.endorsements`, 'bad signature', `transaction ${d.txId} carries no endorsement`);
    const signedBy = new Set(d.endorsements.map((e) => e.mspId));
    const missing = d.endorsers.filter((m) => !signedBy.has(m));
    if (missing.length > 0) this.fail(`${path}.digest.endorsements`, 'bad signature', `no endorsement signature from ${missing.join(', ')}`);
    const endorsed = endorsedPayload(d, channel);
    await Promise.all(d.endorsements.map((e, i) => this.signature(`${path}.digest.endorsements[${i}]`, `the endorsement of ${e.mspId} on ${d.txId}`, e, endorsed, organizations)));
  }

  /** A write the claims need: its fields must hash to the commitment hash the digest holds. */
  private write(path: string, txId: string, held: string | undefined, w: TransactionEvidence['writes'][number], nonce: string | undefined): void {
    let fields: Map<string, unknown>;
    let hash: string;
    let complete: boolean;
    let key: string;
    let isDelete: boolean;
    try {
      if ('write' in w) {
        if (typeof nonce !== 'string') return this.fail(path, 'malformed bundle', `a whole write of ${txId} needs the transaction's nonce`);
        ({ key, isDelete } = w.write);
        const read = commitAndReadWrite(w.write, nonce);
        hash = commitmentsHash(read.commitments);
        fields = read.fields;
        complete = true;
      } else {
        ({ key, isDelete } = w);
        fields = new Map();
        for (const [pointer, field] of Object.entries(w.disclosed ?? {})) {
          if (fieldCommitment(String(field.salt), field.value) !== w.fields?.[pointer]) return this.fail(`${path}.disclosed.${pointer}`, 'tampered field', `disclosed field ${pointer} of ${txId} does not match its commitment`);
          fields.set(pointer, field.value);
        }
        hash = commitmentsHash({ fields: w.fields, isDelete: w.isDelete, key: w.key });
        complete = false;
      }
    } catch (err) {
      return this.fail(path, 'malformed bundle', (err as Error).message);
    }
    if (held !== hash) return this.fail(path, 'tampered field', `write ${w.index} of transaction ${txId} does not match the hash the transaction holds`);
    this.proven.set(`${txId}\u0000${key}`, { fields, complete, isDelete });
  }

  private traceClaims(bundle: ProvenanceBundle, transactions: ReadonlyMap<string, TransactionEvidence>): void {
    for (const c of traceClaims(bundle.trace, bundle.writers, bundle.anchors, bundle.completeness?.subjects)) {
      const claimed = c.entry ? storedShape(c.entry) : c.record;
      const holds = this.claim(c.path, c.txId, c.key, transactions, claimed);
      if (holds && c.anchorId !== undefined) this.anchorsProven.set(c.anchorId, c.record as StampedRecord);
      if (holds && c.path.startsWith(SUBJECT_PATH)) this.provenSubjects.set(c.path.slice(SUBJECT_PATH.length), c.txId ? transactions.get(c.txId)?.blockNumber ?? null : null);
    }
  }

  /**
   * A claimed value must be what transaction `txId` wrote at `key`: every field it shows equals
   * the proven field, and in a full bundle it shows every field. Returns whether it holds (its
   * transaction is checked separately).
   */
  private claim(path: string, txId: string | null, key: string, transactions: ReadonlyMap<string, TransactionEvidence>, claimed: unknown): boolean {
    this.counts.claims++;
    const tx = txId ? transactions.get(txId) : undefined;
    const result = { path, txId, blockNumber: tx?.blockNumber ?? null, valid: true, failedBy: [] as string[] };
    this.claims.push(result);
    const failed = (reason: FailureReason, detail: string): false => {
      result.valid = false;
      this.fail(path, reason, detail);
      return false;
    };
    if (!txId) return failed('malformed bundle', `the bundle names no transaction for ${path}`);
    if (!tx) return failed('entry missing from its block', `transaction ${txId} of ${path} is not in the bundle`);
    const proven = this.proven.get(`${txId}\u0000${key}`);
    if (!proven || proven.isDelete) return failed('tampered field', `transaction ${txId} did not write the record claimed at ${path} (or the bundle leaves that write out)`);
    let shown: Map<string, unknown>;
    try {
      shown = fieldsOf(claimed);
    } catch {
      return failed('malformed bundle', `${path} is not a record`);
    }
    const differ = [...shown].filter(([pointer, value]) => !proven.fields.has(pointer) || !sameJson(proven.fields.get(pointer), value)).map(([pointer]) => pointer);
    if (!this.partialClaims || proven.complete) {
      for (const pointer of proven.fields.keys()) if (!shown.has(pointer) && !this.partialClaims) differ.push(pointer);
    }
    if (differ.length > 0) return failed('tampered field', `${path}: field ${differ.join(', ')} differs from what transaction ${txId} wrote`);
    return true;
  }

  private record(path: string, payload: unknown, proof: ProvenanceBundle['records'][number]['proof'], transactions: ReadonlyMap<string, TransactionEvidence>): void {
    this.counts.records++;
    const result = { path, txId: typeof proof?.transactionId === 'string' ? proof.transactionId : null, blockNumber: typeof proof?.blockNumber === 'number' ? proof.blockNumber : null, valid: false, failedBy: [] as string[] };
    this.claims.push(result);
    if (!proof || typeof proof.anchorId !== 'string' || !Array.isArray(proof.leaf) || !Array.isArray(proof.proof) || typeof proof.root !== 'string') {
      return this.fail(path, 'malformed bundle', 'a record proof needs recordId, leaf, root, proof and anchorId');
    }
    const anchor = this.anchorsProven.get(proof.anchorId);
    if (!anchor || !transactions.has(String(stampTx(anchor)))) return this.fail(path, 'anchor not found', `anchor ${proof.anchorId} is not proven by a ledger transaction in this bundle`);
    result.txId = stampTx(anchor);
    let leafHash: string;
    try {
      leafHash = `0x${sha256Hex(canonicalJson(payload))}`;
    } catch (err) {
      return this.fail(`${path}.payload`, 'malformed bundle', (err as Error).message);
    }
    if (proof.leaf[0] !== proof.recordId || String(proof.leaf[1]).toLowerCase() !== leafHash) return this.fail(`${path}.payload`, 'tampered field', `the payload hashes to ${leafHash}, the leaf says ${String(proof.leaf[1])}`);
    let holds = false;
    try {
      holds = StandardMerkleTree.verify(proof.root, MERKLE_LEAF_ENCODING, [proof.recordId, leafHash], [...proof.proof]);
    } catch {
      holds = false;
    }
    if (!holds) return this.fail(`${path}.proof`, 'wrong Merkle path', `the Merkle path of record ${proof.recordId} does not lead to ${proof.root}`);
    if (proof.root.toLowerCase() !== `0x${String(anchor.merkleRoot).toLowerCase()}`) return this.fail(`${path}.proof.root`, 'wrong Merkle path', `root ${proof.root} is not the root of anchor ${proof.anchorId}`);
    result.valid = true;
  }
}

/** Whether two JSON values are equal (as canonical JSON); primitives without serialising. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  return canonicalJson(a) === canonicalJson(b);
}

/** A trace entry in the shape of the event record its transaction stored (only the fields it shows). */
function storedShape(entry: TraceEntryClaim): Record<string, unknown> {
  const lot = entry.subject?.kind === 'lot';
  // A lot's entry types carry a `lot_` prefix the stored event does not; without it the entry cannot match.
  const type = !lot || entry.type === undefined ? entry.type : String(entry.type).startsWith('lot_') ? String(entry.type).slice(4) : `\u0000${String(entry.type)}`;
  return { at: entry.at, data: entry.data, mspId: entry.mspId, seq: entry.seq, txId: entry.txId, type, [lot ? 'lotId' : 'partId']: entry.subject?.id };
}

