/**
 * The twin core's error catalogue: a stable code per failure, its message template and the
 * HTTP status the API should answer with. Callers branch on `code`, never on text.
 */
import { CatalogueError } from '../common/catalogue-error';

/** Every error the twin feature raises, by code. */
export const TWIN_ERRORS = {
  UNKNOWN_MODEL: { status: 400, template: 'unknown twin model {model}; known: {known}' },
  UNKNOWN_MACHINE: { status: 404, template: 'no twin for machine {machineId}' },
  MACHINE_EXISTS: { status: 409, template: 'machine {machineId} already has a twin' },
  INVALID_MODEL_PARAMETER: { status: 400, template: 'model {model}: {reason}' },
  INVALID_SAMPLE: { status: 422, template: 'telemetry sample rejected: {reason}' },
  INVALID_SCHEDULE: { status: 422, template: 'what-if schedule rejected: {reason}' },
  NOT_POSITIVE_DEFINITE: { status: 500, template: 'covariance of machine {machineId} is no longer positive definite ({where})' },
  BACKPRESSURE: { status: 503, template: 'telemetry queue is full ({queued} samples queued, limit {limit}); retry later' },
  INVALID_RANGE: { status: 400, template: 'invalid time range: {reason}' },
  SNAPSHOT_NOT_RECORDED: { status: 503, template: 'twin snapshot {snapshotId} is not on the ledger yet: {reason}' },
  SAMPLE_NOT_ANCHORED: { status: 404, template: 'sample {seq} of machine {machineId} is not in an anchored telemetry window yet' },
  MQTT_UNAVAILABLE: { status: 500, template: 'MQTT support needs the npm package {pkg}: {reason}' },
  EDGE_STORE: { status: 500, template: 'edge buffer {filename}: {reason}' },
} as const;

/** A code of {@link TWIN_ERRORS}. */
export type TwinErrorCode = keyof typeof TWIN_ERRORS;

/** An error of the twin feature, with a stable code, its details and the HTTP status to map it to. */
export class TwinError extends CatalogueError<TwinErrorCode> {
  override readonly name = 'TwinError';
  constructor(code: TwinErrorCode, details: Readonly<Record<string, unknown>> = {}) {
    super(code, details, TWIN_ERRORS[code]);
  }
}
