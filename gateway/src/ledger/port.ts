/**
 * The ledger port: the one small interface through which the gateway and the
 * conformance suite talk to a ledger. Two adapters implement it: the embedded
 * ledger (in-process, this package) and the Fabric ledger (fabric-gateway).
 */

/** An X.509 identity of one member organisation, as a Fabric client holds it. */
export interface LedgerIdentity {
  /** MSP ID of the organisation that issued the certificate, e.g. `Org1MSP`. */
  readonly mspId: string;
  /** PEM-encoded X.509 certificate (may carry Fabric CA attributes such as `role`). */
  readonly certificate: string;
  /** PEM-encoded PKCS#8 private key matching the certificate. */
  readonly privateKey: string;
}

/** Options for one proposal. */
export interface ProposalOptions {
  /** Transient data: passed to chaincode, never written to a block. */
  readonly transient?: Readonly<Record<string, Uint8Array | string>>;
  /** MSP IDs of organisations whose peers must endorse (defaults to the ledger's policy). */
  readonly endorsingOrganizations?: readonly string[];
}

/** What a committed transaction returns. */
export interface SubmitResult {
  readonly transactionId: string;
  readonly blockNumber: number;
  /** The chaincode's response payload. */
  readonly result: Uint8Array;
}

/** One chaincode event from a committed, valid transaction. */
export interface LedgerEvent {
  readonly blockNumber: number;
  readonly transactionIndex: number;
  readonly transactionId: string;
  readonly chaincodeName: string;
  readonly eventName: string;
  readonly payload: Uint8Array;
}

/** Why a ledger call failed; callers branch on `kind` and `code`, never on text. */
export type LedgerErrorKind =
  /** The chaincode rejected the proposal (its error code is in `code`). */
  | 'endorsement'
  /** The transaction was ordered but marked invalid at commit (`code` is Fabric's validation code). */
  | 'commit'
  /** The ledger could not be reached or is closed. */
  | 'unavailable';

/** A failed ledger call. */
export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  constructor(
    readonly kind: LedgerErrorKind,
    /** Chaincode error code (e.g. `ILLEGAL_TRANSITION`) or validation code (e.g. `MVCC_READ_CONFLICT`). */
    readonly code: string,
    message: string,
    readonly transactionId?: string,
    /** Structured details from the chaincode error, when it gave any. */
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

/** Options for reading chaincode events. */
export interface EventReadOptions {
  /** First block to read (inclusive); defaults to 0. */
  readonly startBlock?: number;
  /** Ends the iteration when aborted. */
  readonly signal?: AbortSignal;
}

/** Submit and evaluate transactions as a given identity, and read events. */
export interface LedgerPort {
  /** Endorse, order and commit a transaction; resolves once it is committed and valid. */
  submit(identity: LedgerIdentity, transaction: string, args: readonly string[], options?: ProposalOptions): Promise<SubmitResult>;
  /** Run a transaction against committed state without ordering it. */
  evaluate(identity: LedgerIdentity, transaction: string, args: readonly string[], options?: ProposalOptions): Promise<Uint8Array>;
  /** Chaincode events of valid transactions in block order, from `startBlock`, then live ones until aborted. */
  events(options?: EventReadOptions): AsyncIterable<LedgerEvent>;
  /** Height of the chain (number of committed blocks). */
  height(): Promise<number>;
  /** Release resources. */
  close(): Promise<void>;
}
