/**
 * The chaincode's error catalogue. Every rejection carries a stable code; callers
 * (gateway, clients, tests) branch on the code and never on the message text.
 *
 * On the wire (Fabric's endorsement error message) a rejection is the JSON text
 * `{"code":"…","message":"…","details":{…}}`; {@link parseChaincodeError} reads it back.
 */

/** Stable error codes with a message template each (`{name}` is replaced from details). */
export const ERRORS = {
  INVALID_INPUT: 'invalid input: {field}: {reason}',
  INPUT_TOO_LARGE: 'argument {field} is {size} bytes, more than the limit of {limit}',
  NOT_FOUND: '{kind} {id} does not exist',
  ALREADY_EXISTS: '{kind} {id} already exists',
  ACCESS_DENIED: '{reason}',
  NOT_A_MEMBER: 'organisation {mspId} is not a member of the consortium',
  ILLEGAL_TRANSITION: '{kind} {id} cannot go from {from} to {to}',
  MACHINE_DECOMMISSIONED: 'machine {machineId} is decommissioned',
  MACHINE_WRONG_ORG: 'machine {machineId} belongs to {ownerMsp}, not {expectedMsp}',
  MACHINE_LACKS_CAPABILITY: 'machine {machineId} cannot perform process {process}',
  CALIBRATION_EXPIRED: 'machine {machineId} calibration expired at {dueAt} (transaction time {at})',
  MACHINE_NOT_CALIBRATED: 'machine {machineId} has no calibration on record',
  TWIN_MISMATCH: 'twin snapshot {snapshotId} belongs to machine {snapshotMachineId}, not {machineId}',
  TERMS_MISMATCH: 'commercial terms for order {orderId} and {factoryMsp} do not match the recorded hash',
  CONFLICT: '{reason}',
  PRIVATE_DATA_MISSING: 'transient field {field} is required',
} as const;

/** One of the catalogue's codes. */
export type ErrorCode = keyof typeof ERRORS;

/** Detail values that fill a message template. */
export type ErrorDetails = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

/** A rejection raised by a transaction. Its `message` is the wire JSON. */
export class ChaincodeError extends Error {
  override readonly name = 'ChaincodeError';
  readonly text: string;
  constructor(readonly code: ErrorCode, readonly details: ErrorDetails = {}) {
    const text = formatMessage(code, details);
    super(JSON.stringify({ code, message: text, details }));
    this.text = text;
  }
}

/** Fill the template of `code` from `details`. */
export function formatMessage(code: ErrorCode, details: ErrorDetails): string {
  return ERRORS[code].replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = details[name];
    if (value === undefined) return `{${name}}`;
    return Array.isArray(value) ? value.join(', ') : String(value);
  });
}

/** A chaincode rejection as read back from an endorsement error message. */
export interface ParsedChaincodeError {
  readonly code: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * Read a rejection back from the text Fabric (or the embedded ledger) reports.
 * The text may be wrapped (Fabric prefixes "chaincode response 500, "); the first
 * JSON object with a `code` is used. Returns `undefined` for any other text.
 */
export function parseChaincodeError(text: string): ParsedChaincodeError | undefined {
  const start = text.indexOf('{"code":');
  if (start < 0) return undefined;
  // The JSON object runs to the last closing brace of the text.
  const end = text.lastIndexOf('}');
  if (end < start) return undefined;
  try {
    const parsed = JSON.parse(text.slice(start, end + 1)) as { code?: unknown; message?: unknown; details?: unknown };
    if (typeof parsed.code !== 'string' || typeof parsed.message !== 'string') return undefined;
    const details = parsed.details && typeof parsed.details === 'object' ? (parsed.details as Record<string, unknown>) : {};
    return { code: parsed.code, message: parsed.message, details };
  } catch {
    return undefined;
  }
}
