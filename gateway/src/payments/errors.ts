/**
 * The payments module's error catalogue: a stable code per failure, its message template and the
 * HTTP status the API answers with. Callers branch on `code`, never on text.
 */
import { CatalogueError } from '../common/catalogue-error';

/** Every error the payments module raises, by code. */
export const PAYMENTS_ERRORS = {
  ESCROW_NOT_FOUND: { status: 404, template: 'order {orderId} has no escrow on {escrow}' },
  NOT_THE_BUYER: { status: 403, template: 'order {orderId} belongs to {buyerMsp}; {mspId} cannot fund it' },
  ORDER_NOT_OPEN: { status: 409, template: 'order {orderId} is {status}; only open orders can be funded' },
  ALREADY_FUNDED: { status: 409, template: 'order {orderId} is already funded on {escrow} (nonce {nonce})' },
  NO_FUNDER_KEY: { status: 409, template: 'this gateway has no funding key: send "from" to get the transactions to sign instead' },
  NO_ATTESTOR_KEY: { status: 409, template: 'this gateway has no attestor key' },
  INVALID_FUNDING: { status: 422, template: '{reason}' },
  CHAIN_REJECTED: { status: 422, template: 'the escrow rejected {action}: {error}{args}' },
  CHAIN_UNAVAILABLE: { status: 503, template: 'the escrow chain is unavailable ({action}): {reason}' },
  NOT_AN_ESCROW: { status: 503, template: 'no contract at {escrow} on chain {chainId}' },
  EVIDENCE_MISMATCH: { status: 422, template: 'evidence for order {orderId} milestone {milestone} does not match the ledger: {reason}' },
} as const;

/** A code of {@link PAYMENTS_ERRORS}. */
export type PaymentsErrorCode = keyof typeof PAYMENTS_ERRORS;

/** An error of the payments module, with a stable code, its details and the HTTP status to map it to. */
export class PaymentsError extends CatalogueError<PaymentsErrorCode> {
  override readonly name = 'PaymentsError';
  constructor(code: PaymentsErrorCode, details: Readonly<Record<string, unknown>> = {}) {
    super(code, details, PAYMENTS_ERRORS[code]);
  }
}
