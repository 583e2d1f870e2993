/** The embedded ledger's block and read-write set formats (JSON-safe; bytes are base64). */

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
  readonly creator: { readonly mspId: string; /** SHA-256 (hex) of the certificate DER. */ readonly certificateHash: string };
  /** MSP IDs of the organisations whose (simulated) peers endorsed. */
  readonly endorsers: readonly string[];
  readonly timestamp: { readonly seconds: number; readonly nanos: number };
  readonly chaincode: string;
  readonly function: string;
  readonly args: readonly string[];
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
  readonly collections: ReadonlyArray<Record<string, unknown>>;
}

export type BlockData =
  | { readonly kind: 'config'; readonly config: ChannelConfig }
  | { readonly kind: 'transactions'; readonly transactions: readonly BlockTransaction[] };

/** One block: `hash = sha256(canonical(header))`, `header.dataHash = sha256(canonical(data))`. */
export interface Block {
  readonly header: { readonly number: number; readonly previousHash: string; readonly dataHash: string };
  readonly hash: string;
  readonly data: BlockData;
}
