/** The embedded ledger's block and read-write set formats (JSON-safe; bytes are base64). */
import type { SignatureEvidence } from '@forgetrace/verifier';

export type { SignatureEvidence } from '@forgetrace/verifier';

/** Fabric's version of a key: the block and transaction index of its last write. */
export interface KeyVersion {
  readonly blockNum: number;
  readonly txNum: number;
}

/** A transaction's read-write set in canonical form (every list sorted by key, UTF-8 order). */
export interface ReadWriteSet {
  readonly reads: ReadonlyArray<{ readonly key: string; readonly version: KeyVersion | null }>;
  readonly rangeQueries: ReadonlyArray<{
    readonly startKey: string;
    readonly endKey: string;
    readonly itrExhausted: boolean;
    readonly reads: ReadonlyArray<{ readonly key: string; readonly version: KeyVersion }>;
  }>;
  readonly writes: ReadonlyArray<{ readonly key: string; readonly isDelete: boolean; readonly value: string }>;
  readonly metadataWrites: ReadonlyArray<{ readonly key: string; readonly entries: ReadonlyArray<{ readonly name: string; readonly value: string }> }>;
  /** Private data as it appears in a block: hashes only. */
  readonly collections: ReadonlyArray<{
    readonly name: string;
    readonly hashedReads: ReadonlyArray<{ readonly keyHash: string; readonly version: KeyVersion | null }>;
    readonly hashedWrites: ReadonlyArray<{ readonly keyHash: string; readonly valueHash: string; readonly isDelete: boolean }>;
  }>;
}

/** Fabric validation codes the embedded ledger assigns. */
export type ValidationCode = 'VALID' | 'MVCC_READ_CONFLICT' | 'PHANTOM_READ_CONFLICT' | 'DUPLICATE_TXID';

/** One transaction in a block. */
export interface BlockTransaction {
  readonly txId: string;
  readonly creator: {
    /** The creator's certificate (PEM); in signed (format-2) blocks only. */
    readonly certificate?: string;
    /** SHA-256 (hex) of the certificate DER. */
    readonly certificateHash: string;
    readonly mspId: string;
  };
  /** Endorsing peers' signatures over the endorsed payload (`@forgetrace/verifier` `endorsedPayload`); signed blocks only. */
  readonly endorsements?: readonly SignatureEvidence[];
  /** MSP IDs of the organisations whose (simulated) peers endorsed. */
  readonly endorsers: readonly string[];
  readonly timestamp: { readonly seconds: number; readonly nanos: number };
  readonly chaincode: string;
  readonly function: string;
  readonly args: readonly string[];
  /** The proposal's nonce (base64); the transaction id is sha256(nonce ‖ serialized creator). Signed blocks only. */
  readonly nonce?: string;
  /** The client's signature over the envelope (`@forgetrace/verifier` `envelopePayload`); signed blocks only. */
  readonly signature?: string;
  readonly response: { readonly status: number; readonly payload: string };
  readonly rwset: ReadWriteSet;
  /** The last event the transaction set, if any. */
  readonly event: { readonly name: string; readonly payload: string } | null;
  readonly validationCode: ValidationCode;
}

/** Channel configuration recorded in config blocks (block 0 and later changes). */
export interface ChannelConfig {
  readonly channelName: string;
  readonly chaincode: { readonly name: string; readonly version: string };
  readonly organizations: ReadonlyArray<{ readonly mspId: string; readonly rootCertificates: readonly string[] }>;
  /** The ordering service's organisation(s), whose CA issued the certificate that signs blocks (signed ledgers only). */
  readonly ordererOrganizations?: ReadonlyArray<{ readonly mspId: string; readonly rootCertificates: readonly string[] }>;
  readonly collections: ReadonlyArray<Record<string, unknown>>;
}

export type BlockData =
  | { readonly kind: 'config'; readonly config: ChannelConfig }
  | { readonly kind: 'transactions'; readonly transactions: readonly BlockTransaction[] };

/**
 * One block: `hash = sha256(canonical(header))`. `header.dataHash` is `sha256(canonical(data))`, or
 * for transaction blocks of `format: 2` SHA-256 over the concatenated transaction hashes
 * (`@forgetrace/verifier` `blockDataHash`). Signed ledgers write format-2 blocks whose `signature`
 * is the orderer's over the 32 bytes of `hash`.
 */
export interface Block {
  readonly header: { readonly number: number; readonly previousHash: string; readonly dataHash: string; readonly format?: 2 };
  readonly hash: string;
  readonly data: BlockData;
  readonly signature?: SignatureEvidence;
}
