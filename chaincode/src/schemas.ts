import { z } from 'zod';
import { ChaincodeError } from './errors';

/** Largest accepted argument, in bytes: keeps transactions and blocks small. */
export const MAX_ARG_BYTES = 64 * 1024;
/** Most parts one order may create. */
export const MAX_ORDER_QUANTITY = 500;

export const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'must be 1-64 characters of letters, digits, ".", "_", ":" or "-", starting with a letter or digit');
export const mspId = z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'must be an MSP ID: a letter, then up to 63 letters, digits or "-"');
export const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hash in lowercase hex (64 characters)');
export const timestamp = z.iso.datetime({ offset: false, message: 'must be an ISO-8601 UTC timestamp such as 2026-01-31T12:00:00Z' });
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const label = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, 'must be a lowercase label (a-z, 0-9, "_", "-"), at most 48 characters');

export const location = z.strictObject({
  site: text(120),
  city: text(80).optional(),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE'),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
});

export const certification = z.strictObject({
  name: text(120),
  hash: sha256,
  issuer: text(120),
  validFrom: timestamp,
  validUntil: timestamp,
}).refine((c) => c.validUntil > c.validFrom, { message: 'must end after it starts', path: ['validUntil'] });

export const MEMBER_ROLES = ['factory', 'buyer', 'auditor', 'logistics'] as const;

export const consortiumInit = z.strictObject({
  name: text(120),
  adminMsps: z.array(mspId).min(1).max(16),
});

export const memberInput = z.strictObject({
  mspId,
  name: text(120),
  role: z.enum(MEMBER_ROLES),
  location,
  certifications: z.array(certification).max(32).default([]),
});

export const memberPatch = z.strictObject({
  name: text(120).optional(),
  location: location.optional(),
  certifications: z.array(certification).max(32).optional(),
  role: z.enum(MEMBER_ROLES).optional(),
});

export const capabilities = z.strictObject({
  processes: z.array(label).min(1).max(32),
  materials: z.array(label).min(1).max(64),
  toleranceMm: z.number().positive().max(100),
  envelopeMm: z.strictObject({ x: z.number().positive().max(100000), y: z.number().positive().max(100000), z: z.number().positive().max(100000) }),
});

export const machineInput = z.strictObject({
  id,
  manufacturer: text(120),
  model: text(120),
  serial: text(120),
  capabilities,
  location: location.optional(),
});

export const noteInput = z.strictObject({ note: text(2000).optional() });
export const commissionInput = z.strictObject({ location: location.optional(), note: text(2000).optional() });
export const calibrationInput = z.strictObject({
  certificateHash: sha256,
  laboratory: text(120),
  calibratedAt: timestamp,
  dueAt: timestamp,
}).refine((c) => c.dueAt > c.calibratedAt, { message: 'must be after calibratedAt', path: ['dueAt'] });
export const maintenanceInput = z.strictObject({ kind: z.enum(['preventive', 'corrective', 'inspection']), description: text(2000), reportHash: sha256.optional() });
export const repairInput = z.strictObject({ description: text(2000), partsReplaced: z.array(text(120)).max(64).default([]), reportHash: sha256.optional() });
export const relocationInput = z.strictObject({ location });
export const transferOffer = z.strictObject({ toMsp: mspId, note: text(2000).optional() });
export const decommissionInput = z.strictObject({ reason: text(2000) });

export const lotInput = z.strictObject({
  id,
  material: label,
  supplier: text(120),
  quantity: z.number().positive().max(1e9),
  unit: z.enum(['kg', 'g', 'm', 'mm', 'l', 'pcs']),
  certificateHash: sha256.optional(),
});

const paramValue = z.union([z.string().max(200), z.number(), z.boolean()]);
export const operationInput = z.strictObject({ process: label, estimatedMinutes: z.number().positive().max(100000).optional() });
export const orderInput = z.strictObject({
  id,
  spec: z.strictObject({
    name: text(120),
    specHash: sha256,
    material: label,
    parameters: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,47}$/, 'parameter names are identifiers'), paramValue).default({}),
  }),
  operations: z.array(operationInput).min(1).max(32),
  quantity: z.int().min(1).max(MAX_ORDER_QUANTITY),
  dueDate: timestamp,
  serials: z.array(text(64)).optional(),
}).refine((o) => !o.serials || o.serials.length === o.quantity, { message: 'must list one serial per unit', path: ['serials'] })
  .refine((o) => !o.serials || new Set(o.serials).size === o.serials.length, { message: 'must be unique', path: ['serials'] });

export const commercialTerms = z.strictObject({
  price: z.number().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  paymentTerms: text(500),
  incoterm: z.string().regex(/^[A-Z]{3}$/).optional(),
});

export const componentInput = z.strictObject({
  kind: z.enum(['part', 'lot']),
  id,
  quantity: z.number().positive().max(1e9).default(1),
  relation: z.enum(['aggregation', 'transformation']),
});

export const cancelInput = z.strictObject({ reason: text(2000) });
export const shipmentInput = z.strictObject({ carrier: text(120), trackingRef: text(120), logisticsMsp: mspId.optional() });
export const deliveryInput = z.strictObject({ note: text(2000).optional() });

export const jobInput = z.strictObject({
  id,
  partId: id,
  operationIndex: z.int().min(0).max(31),
  factoryMsp: mspId,
  machineId: id,
  plannedStart: timestamp,
  plannedEnd: timestamp,
  scheduleAnchorId: id,
}).refine((j) => j.plannedEnd > j.plannedStart, { message: 'must be after plannedStart', path: ['plannedEnd'] });
export const declineInput = z.strictObject({ reason: text(2000) });
export const operationReport = z.strictObject({ machineId: id, twinSnapshotId: id.optional(), outputHash: sha256.optional(), note: text(2000).optional() });
export const qcInput = z.strictObject({
  result: z.enum(['pass', 'fail']),
  reportHash: sha256,
  measurements: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,47}$/), z.number()).default({}),
});
export const disputeInput = z.strictObject({ reason: text(2000), evidenceHash: sha256.optional() });
export const disputeResolution = z.strictObject({ upheld: z.boolean(), note: text(2000) });

export const twinInput = z.strictObject({
  id,
  machineId: id,
  model: z.strictObject({ id: label, version: z.string().regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, 'must be a semantic version such as 1.2.0') }),
  summary: z.strictObject({
    healthIndex: z.number().min(0).max(1),
    states: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,47}$/), z.number()).refine((s) => Object.keys(s).length <= 32, 'at most 32 states'),
    anomaly: z.boolean(),
  }),
  snapshotHash: sha256,
  observedAt: timestamp.optional(),
});

export const ANCHOR_KINDS = ['schedule', 'recommendation', 'telemetry', 'twin', 'other'] as const;
export const anchorInput = z.strictObject({
  id,
  kind: z.enum(ANCHOR_KINDS),
  merkleRoot: sha256,
  leafCount: z.int().min(1).max(1e9),
  algorithm: label,
  algorithmVersion: text(40),
  inputHash: sha256,
  window: z.strictObject({ from: timestamp, to: timestamp }).refine((w) => w.to >= w.from, { message: 'must not end before it starts', path: ['to'] }),
});

export const traceOptions = z.strictObject({
  maxDepth: z.int().min(0).max(10).default(5),
  pageSize: z.int().min(1).max(1000).default(200),
  pageToken: z.string().regex(/^\d{1,9}$/, 'must be a token returned by an earlier page').optional(),
});
export const listOptions = z.strictObject({
  limit: z.int().min(1).max(1000).default(100),
  from: timestamp.optional(),
  to: timestamp.optional(),
});

/**
 * Parse a JSON argument against a schema. Errors name the argument and field and say why.
 * @throws INPUT_TOO_LARGE when the text is longer than {@link MAX_ARG_BYTES}
 * @throws INVALID_INPUT when it is not JSON or does not match the schema
 */
export function parseArg<S extends z.ZodType>(schema: S, argName: string, text: string): z.output<S> {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_ARG_BYTES) throw new ChaincodeError('INPUT_TOO_LARGE', { field: argName, size, limit: MAX_ARG_BYTES });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ChaincodeError('INVALID_INPUT', { field: argName, reason: 'is not valid JSON' });
  }
  return parseValue(schema, argName, raw);
}

/** Validate an already-decoded value (e.g. a plain string argument). */
export function parseValue<S extends z.ZodType>(schema: S, argName: string, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.length > 0 ? `${argName}.${issue.path.map(String).join('.')}` : argName;
  throw new ChaincodeError('INVALID_INPUT', { field: path, reason: issue.message });
}
