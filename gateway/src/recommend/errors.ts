/**
 * The recommender's error catalogue: a stable code per failure and its message template.
 * Callers branch on `code`, never on text. `status` is the HTTP status an API would map it to.
 */

import { CatalogueError } from '../common/catalogue-error';

/** Every error the recommender raises, by code. */
export const RECOMMEND_ERRORS = {
  PARSE_MISSING_FIELD: { status: 400, template: 'line {line}: expected user, item and rating, found {found} field(s)' },
  PARSE_BAD_RATING: { status: 400, template: 'line {line}: rating {value} is not a finite number' },
  PARSE_BAD_TIMESTAMP: { status: 400, template: 'line {line}: timestamp {value} is not a finite number' },
  PARSE_EMPTY: { status: 400, template: 'no ratings in the input' },
  INVALID_RATING: { status: 400, template: 'rating {index} is {value}, not a finite number' },
  INVALID_K: { status: 400, template: 'k must be an integer from 1 to {max}, got {k}' },
  INVALID_OPTION: { status: 400, template: 'option {option} must be {expected}, got {value}' },
  INDEX_OUT_OF_RANGE: { status: 400, template: '{what} index {index} is outside 0..{max}' },
  MODEL_FORMAT: { status: 422, template: 'not a ForgeTrace recommender model: {reason}' },
  MODEL_VERSION: { status: 422, template: 'model format version {found} is not supported (this code reads {supported})' },
  MODEL_CORRUPTED: { status: 422, template: 'model parameters do not match their sha256 (expected {expected}, got {actual})' },
} as const;

/** A code of {@link RECOMMEND_ERRORS}. */
export type RecommendErrorCode = keyof typeof RECOMMEND_ERRORS;

/** An error of the recommender, with a stable code and the details its message was built from. */
export class RecommendError extends CatalogueError<RecommendErrorCode> {
  override readonly name = 'RecommendError';
  constructor(code: RecommendErrorCode, details: Readonly<Record<string, unknown>> = {}) {
    super(code, details, RECOMMEND_ERRORS[code]);
  }
}
