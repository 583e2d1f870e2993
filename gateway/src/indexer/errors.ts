/**
 * The indexer's error catalogue: a stable code per failure, its message template and the
 * HTTP status the API should answer with. Callers branch on `code`, never on text.
 */

import { CatalogueError } from '../common/catalogue-error';

/** Every error the query store and the indexer raise, by code. */
export const INDEX_ERRORS = {
  INVALID_CURSOR: { status: 400, template: 'cursor {cursor} is not a cursor of this list' },
  INVALID_LIMIT: { status: 400, template: 'limit must be an integer from 1 to 500, got {limit}' },
  INVALID_TIME: { status: 400, template: '{field} must be an ISO-8601 timestamp, got {value}' },
  INVALID_POINT_IN_TIME: { status: 400, template: 'give exactly one of time or block (a block is an integer >= 0)' },
  STORE_CLOSED: { status: 503, template: 'the query store is closed' },
  SCHEMA_TOO_NEW: { status: 500, template: 'the index schema is at version {found}, newer than this gateway knows ({known})' },
  WAIT_TIMEOUT: { status: 504, template: 'the index did not reach block {blockNumber} within {timeoutMs} ms' },
  INDEXER_STOPPED: { status: 503, template: 'the indexer stopped before reaching block {blockNumber}' },
} as const;

/** A code of {@link INDEX_ERRORS}. */
export type IndexErrorCode = keyof typeof INDEX_ERRORS;

/** An error of the query store or the indexer, with a stable code and the HTTP status to map it to. */
export class IndexError extends CatalogueError<IndexErrorCode> {
  override readonly name = 'IndexError';
  constructor(code: IndexErrorCode, details: Readonly<Record<string, unknown>> = {}) {
    super(code, details, INDEX_ERRORS[code]);
  }
}
