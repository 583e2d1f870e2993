/**
 * The scheduler's error catalogue: a stable code per failure, its message template and the
 * HTTP status the API should answer with. Callers branch on `code`, never on text.
 */

import { CatalogueError } from '../common/catalogue-error';

/** Every error the scheduling core raises, by code. */
export const SCHEDULING_ERRORS = {
  FJSP_PARSE: { status: 400, template: 'line {line}: {reason}' },
  EMPTY_PROBLEM: { status: 400, template: 'the problem has no {what}' },
  DUPLICATE_ID: { status: 400, template: 'duplicate {kind} id {id}' },
  UNKNOWN_MACHINE: { status: 400, template: 'job {job} operation {operation} names unknown machine {machine}' },
  UNKNOWN_FACTORY: { status: 400, template: '{where} names unknown factory {factory}' },
  NO_ELIGIBLE_MACHINE: { status: 400, template: 'job {job} operation {operation} has no eligible machine' },
  NO_OPERATIONS: { status: 400, template: 'job {job} has no operations' },
  NEGATIVE_TIME: { status: 400, template: '{where}: {field} must be a finite number >= 0, got {value}' },
  INVALID_WINDOW: { status: 400, template: 'machine {machine}: unavailability window [{start}, {end}) is empty or reversed' },
  INVALID_WEIGHTS: { status: 400, template: 'objective weights must be finite and >= 0 with at least one > 0' },
  INVALID_FIXED: { status: 400, template: 'fixed operation job {job} operation {operation}: {reason}' },
  INVALID_PLAN: { status: 400, template: 'the plan does not match the problem: {reason}' },
  INFEASIBLE_PLAN: { status: 500, template: 'the solver produced an infeasible plan ({count} violations, first: {first})' },
  LP_FAILED: { status: 500, template: 'the LP relaxation ended with status {status}' },
} as const;

/** A code of {@link SCHEDULING_ERRORS}. */
export type SchedulingErrorCode = keyof typeof SCHEDULING_ERRORS;

/** An error of the scheduling core, with a stable code, its details and the HTTP status to map it to. */
export class SchedulingError extends CatalogueError<SchedulingErrorCode> {
  override readonly name = 'SchedulingError';
  constructor(code: SchedulingErrorCode, details: Readonly<Record<string, unknown>> = {}) {
    super(code, details, SCHEDULING_ERRORS[code]);
  }
}
