/**
 * The gateway's view of the ledger: submit and evaluate JSON transactions as an identity,
 * with retries by failure kind (STYLE): an MVCC or phantom conflict is resubmitted as a new
 * transaction; a chaincode rejection is never retried; an unavailable ledger is not retried
 * here (the caller answers 503 and the client may retry with the same idempotency key).
 */
import { LedgerError, type LedgerIdentity, type LedgerPort, type ProposalOptions } from './port';

export interface CommittedResult<T> {
  readonly transactionId: string;
  readonly blockNumber: number;
  readonly value: T;
  /** Submissions it took (1 unless conflicts were retried). */
  readonly attempts: number;
}

export interface LedgerClientOptions {
  /** Most submissions of one request (default 4). */
  readonly maxAttempts?: number;
  /** First backoff in ms, doubled each retry with jitter (default 20). */
  readonly backoffMs?: number;
  /** Called after each committed or failed submission, for metrics. */
  readonly observe?: (transaction: string, outcome: 'ok' | 'rejected' | 'conflict' | 'unavailable', seconds: number) => void;
}

const RETRYABLE = new Set(['MVCC_READ_CONFLICT', 'PHANTOM_READ_CONFLICT']);

export class LedgerClient {
  constructor(readonly port: LedgerPort, private readonly options: LedgerClientOptions = {}) {}

  /**
   * Submit `transaction` with JSON-encoded arguments and parse the JSON result.
   * @throws LedgerError (endorsement: chaincode code; commit: after the retries; unavailable)
   */
  async submit<T>(identity: LedgerIdentity, transaction: string, args: readonly unknown[], options?: ProposalOptions): Promise<CommittedResult<T>> {
    const max = this.options.maxAttempts ?? 4;
    let backoff = this.options.backoffMs ?? 20;
    for (let attempt = 1; ; attempt++) {
      const started = process.hrtime.bigint();
      try {
        const r = await this.port.submit(identity, transaction, encode(args), options);
        this.observe(transaction, 'ok', started);
        return { transactionId: r.transactionId, blockNumber: r.blockNumber, value: decode<T>(r.result), attempts: attempt };
      } catch (e) {
        const retry = e instanceof LedgerError && e.kind === 'commit' && RETRYABLE.has(e.code) && attempt < max;
        this.observe(transaction, e instanceof LedgerError ? (e.kind === 'commit' ? 'conflict' : e.kind === 'unavailable' ? 'unavailable' : 'rejected') : 'unavailable', started);
        if (!retry) throw e;
        await new Promise((r) => setTimeout(r, backoff * (0.5 + Math.random())));
        backoff *= 2;
      }
    }
  }

  /** Evaluate against committed state and parse the JSON result. @throws LedgerError */
  async evaluate<T>(identity: LedgerIdentity, transaction: string, args: readonly unknown[], options?: ProposalOptions): Promise<T> {
    return decode<T>(await this.port.evaluate(identity, transaction, encode(args), options));
  }

  /** Evaluate and return the chaincode's bytes as they are (for answers passed through unparsed). @throws LedgerError */
  async evaluateRaw(identity: LedgerIdentity, transaction: string, args: readonly unknown[], options?: ProposalOptions): Promise<Buffer> {
    return Buffer.from(await this.port.evaluate(identity, transaction, encode(args), options));
  }

  private observe(transaction: string, outcome: 'ok' | 'rejected' | 'conflict' | 'unavailable', started: bigint): void {
    this.options.observe?.(transaction, outcome, Number(process.hrtime.bigint() - started) / 1e9);
  }
}

function encode(args: readonly unknown[]): string[] {
  return args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)));
}

function decode<T>(bytes: Uint8Array): T {
  const text = Buffer.from(bytes).toString('utf8');
  return (text === '' ? undefined : JSON.parse(text)) as T;
}
