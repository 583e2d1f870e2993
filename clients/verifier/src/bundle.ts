/** The provenance bundle format (`forgetrace-provenance/1`): a part's trace plus its evidence. */
import type { DisclosedField, Write } from './disclosure';
import type { BlockHeader, TransactionDigest } from './evidence';

/** A signature whose certificate is in the bundle's `certificates` table. */
export interface SignatureReference {
  readonly certificateHash: string;
  readonly mspId: string;
  readonly signature: string;
}

export const BUNDLE_FORMAT = 'forgetrace-provenance/1';

/** An organisation as the channel configuration lists it. */
export interface ChannelOrganization {
  readonly mspId: string;
  readonly rootCertificates: readonly string[];
}

/** The channel configuration block, whole: it carries the organisations' CA certificates. */
export interface ConfigBlock {
  readonly header: BlockHeader;
  readonly hash: string;
  readonly signature?: SignatureReference | null;
  readonly data: {
    readonly kind: 'config';
    readonly config: {
      readonly channelName: string;
      readonly organizations: readonly ChannelOrganization[];
      readonly ordererOrganizations?: readonly ChannelOrganization[];
      readonly [field: string]: unknown;
    };
  };
}

/** A transaction block reduced to what proves inclusion: header, orderer signature, transaction hashes. */
export interface BlockEvidence {
  readonly header: BlockHeader;
  readonly hash: string;
  readonly signature: SignatureReference | null;
  readonly transactionHashes: readonly string[];
}

/** A write the claims need, whole (with the transaction's nonce) or with some fields disclosed. */
export type WriteEvidence =
  | { readonly index: number; readonly write: Write }
  | { readonly index: number; readonly key: string; readonly isDelete: boolean; readonly fields: Readonly<Record<string, string>>; readonly disclosed: Readonly<Record<string, DisclosedField>> };

/**
 * A transaction in digest form with its place in its block and the writes the claims need (by
 * index in its write set). Full bundles carry the nonce (whole writes are committed with salts
 * derived from it, and the transaction id derives from it); public bundles do not.
 */
export interface TransactionEvidence {
  readonly blockNumber: number;
  readonly index: number;
  readonly digest: TransactionDigest;
  readonly nonce?: string;
  readonly writes: readonly WriteEvidence[];
}

/** A Merkle inclusion proof of an anchored off-chain record (see the gateway's anchoring outbox). */
export interface RecordProof {
  readonly recordId: string;
  readonly leaf: readonly [string, string];
  readonly root: string;
  readonly proof: readonly string[];
  readonly anchorId: string;
  readonly transactionId: string;
  readonly blockNumber: number | null;
}

/** One line of a part's trace (as `GET /v1/parts/{id}/trace` returns it). */
export interface TraceEntryClaim {
  readonly depth: number;
  readonly subject: { readonly kind: 'part' | 'lot'; readonly id: string };
  readonly seq: number;
  readonly type: string;
  readonly txId: string;
  readonly at: string;
  readonly mspId: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** A ledger record that names the transaction that wrote it (`recorded.txId` or `txId`). */
export type StampedRecord = Readonly<Record<string, unknown>> & { readonly id?: string };

export interface TraceClaims {
  readonly partId: string;
  readonly order: StampedRecord | null;
  readonly entries: readonly TraceEntryClaim[];
  readonly machines: Readonly<Record<string, { readonly machine: StampedRecord; readonly events: readonly StampedRecord[] }>>;
  readonly twinSnapshots: Readonly<Record<string, StampedRecord>>;
  readonly anchors: Readonly<Record<string, StampedRecord>>;
  readonly [field: string]: unknown;
}

export interface ProvenanceBundle {
  readonly format: typeof BUNDLE_FORMAT;
  readonly channel: string;
  readonly partId: string;
  /** The claims: the part's trace as the gateway reports it. */
  readonly trace: TraceClaims;
  readonly config: ConfigBlock;
  readonly blocks: readonly BlockEvidence[];
  readonly transactions: readonly TransactionEvidence[];
  /** Certificates (PEM) of creators, endorsers and the orderer, by SHA-256 fingerprint of their DER. */
  readonly certificates: Readonly<Record<string, string>>;
  /** For records that do not name the transaction that wrote them (machines, the order): state key → transaction id. */
  readonly writers: Readonly<Record<string, string>>;
  /** Anchors of the off-chain records below that the trace itself does not name. */
  readonly anchors: Readonly<Record<string, StampedRecord>>;
  /** Present in public bundles: the fields the buyer made public; claims may leave out the rest. */
  readonly disclosure?: { readonly fields: readonly string[] };
  /** Off-chain records (payload + Merkle proof) anchored on the ledger. */
  readonly records: ReadonlyArray<{ readonly payload: unknown; readonly proof: RecordProof }>;
  /**
   * Present when the bundle claims the trace is complete: the records of every part and lot the
   * trace walk visits (`part:<id>`, `lot:<id>`), whose writers are in `writers`, and the walk's
   * depth limit. Their event counts and component lists let the verifier redo the walk and find
   * any omitted entry or sub-history.
   */
  readonly completeness?: { readonly maxDepth: number; readonly subjects: Readonly<Record<string, StampedRecord>> };
}

/** The key in `completeness.subjects` of a part or lot. */
export function subjectKey(kind: 'part' | 'lot', id: string): string {
  return `${kind}:${id}`;
}
