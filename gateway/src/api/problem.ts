/**
 * RFC 9457 problem details. One catalogue of the gateway's errors, each with a stable code,
 * an HTTP status and a title; chaincode and ledger failures are mapped onto it.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { LedgerError } from '../ledger/port';

export const API_ERRORS = {
  BAD_REQUEST: { status: 400, title: 'The request is malformed' },
  VALIDATION_FAILED: { status: 422, title: 'The request does not match the schema' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication is required' },
  FORBIDDEN: { status: 403, title: 'The caller may not do this' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  CONFLICT: { status: 409, title: 'The request conflicts with the current state' },
  IDEMPOTENCY_KEY_REQUIRED: { status: 428, title: 'An Idempotency-Key header is required' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was used for a different request' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, title: 'A request with this Idempotency-Key is still in progress' },
  PRECONDITION_FAILED: { status: 412, title: 'The resource changed (ETag mismatch)' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request body must be application/json' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  LEDGER_REJECTED: { status: 422, title: 'The ledger rejected the transaction' },
  LEDGER_CONFLICT: { status: 409, title: 'A concurrent transaction changed the same data; retry' },
  LEDGER_UNAVAILABLE: { status: 503, title: 'The ledger is unavailable' },
  INTERNAL: { status: 500, title: 'Internal error' },
  NOT_IMPLEMENTED: { status: 501, title: 'This gateway cannot do that with its ledger backend' },
} as const;
export type ApiErrorCode = keyof typeof API_ERRORS;

/** An error the API answers with a problem document. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    readonly detail: string,
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail);
  }
  get status(): number {
    return API_ERRORS[this.code].status;
  }
}

/** Chaincode codes and the HTTP status they map to (anything else from chaincode is 422). */
const CHAINCODE_STATUS: Readonly<Record<string, ApiErrorCode>> = {
  NOT_FOUND: 'NOT_FOUND',
  ACCESS_DENIED: 'FORBIDDEN',
  NOT_A_MEMBER: 'FORBIDDEN',
  INVALID_INPUT: 'VALIDATION_FAILED',
  INPUT_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  ALREADY_EXISTS: 'CONFLICT',
  CONFLICT: 'CONFLICT',
  ILLEGAL_TRANSITION: 'CONFLICT',
};

/** Map a ledger failure to an API error, keeping the chaincode code and transaction id. */
export function fromLedgerError(err: LedgerError): ApiError {
  const ext = { ledgerCode: err.code, ...(err.transactionId ? { transactionId: err.transactionId } : {}), ...(err.details ? { details: err.details } : {}) };
  if (err.kind === 'unavailable') return new ApiError('LEDGER_UNAVAILABLE', err.message, ext);
  if (err.kind === 'commit') return new ApiError('LEDGER_CONFLICT', `transaction was ordered but invalidated (${err.code}): ${err.message}`, ext);
  const mapped = CHAINCODE_STATUS[err.code] ?? 'LEDGER_REJECTED';
  return new ApiError(mapped, err.message, ext);
}

/** Wrap an async route so its rejection reaches the error middleware. */
export function route(handler: RequestHandler): RequestHandler {
  return (req, res, next) => {
    Promise.resolve(handler(req, res, next)).catch(next);
  };
}

/** The one error middleware: every failure becomes application/problem+json. */
export function problemHandler(log: { error(obj: unknown, msg: string): void }): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let apiError: ApiError;
    if (err instanceof ApiError) apiError = err;
    else if (err instanceof LedgerError) apiError = fromLedgerError(err);
    else if (isBodyParserError(err)) {
      apiError = err.type === 'entity.too.large'
        ? new ApiError('PAYLOAD_TOO_LARGE', `the body is larger than the limit of ${err.limit} bytes`)
        : err.type === 'entity.parse.failed'
          ? new ApiError('BAD_REQUEST', `the body is not valid JSON: ${err.message}`)
          : new ApiError('BAD_REQUEST', err.message);
    } else {
      log.error({ err, url: req.originalUrl }, 'unhandled error');
      apiError = new ApiError('INTERNAL', 'an unexpected error occurred; it has been logged');
    }
    const { status, title } = API_ERRORS[apiError.code];
    res.status(status).type('application/problem+json').json({
      type: `https://forgetrace.dev/problems/${apiError.code.toLowerCase().replace(/_/g, '-')}`,
      title,
      status,
      detail: apiError.detail,
      instance: req.originalUrl,
      code: apiError.code,
      ...apiError.extensions,
    });
  };
}

function isBodyParserError(err: unknown): err is { type: string; message: string; limit?: number } {
  return typeof err === 'object' && err !== null && typeof (err as { type?: unknown }).type === 'string' && 'expose' in err;
}

/** 404 for routes that do not exist. */
export const notFoundRoute: RequestHandler = (req, _res, next) => {
  next(new ApiError('NOT_FOUND', `no route for ${req.method} ${req.path}`));
};
