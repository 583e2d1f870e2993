/**
 * Response schemas of the /v1 API: the records as the ledger keeps them, strict (an unknown
 * field fails validation, so nothing private leaks into a response by accident). The OpenAPI
 * document is generated from them, and every 2xx JSON response is checked against its route's
 * schema before it leaves (`validateResponses`).
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { schemas as S } from '@forgetrace/chaincode/api';

extendZodWithOpenApi(z);

const o = z.strictObject;
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const iso = z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
const free = z.record(z.string(), z.unknown());

export const stamp = o({ txId: z.string().min(1), at: iso, mspId: z.string().min(1) }).openapi('Stamp');
const location = S.location;

export const consortium = o({ name: z.string(), adminMsps: z.array(z.string()), created: stamp }).openapi('Consortium');
export const member = o({
  mspId: z.string(), name: z.string(), role: z.enum(S.MEMBER_ROLES), location, certifications: z.array(S.certification), created: stamp, updated: stamp,
}).openapi('Member');
export const machine = o({
  id: z.string(), ownerMsp: z.string(), manufacturer: z.string(), model: z.string(), serial: z.string(), capabilities: S.capabilities,
  location: location.nullable(), status: z.enum(['registered', 'commissioned', 'decommissioned']),
  calibration: o({ certificateHash: z.string(), laboratory: z.string(), calibratedAt: z.string(), dueAt: z.string() }).nullable(),
  pendingTransfer: o({ toMsp: z.string(), offered: stamp }).nullable(),
  eventCount: z.number().int().min(0), created: stamp, updated: stamp,
}).openapi('Machine');
const historyEvent = (subject: string) => o({ [subject]: z.string(), seq: z.number().int().min(1), type: z.string(), data: free, txId: z.string(), at: iso, mspId: z.string() });
export const machineEvent = historyEvent('machineId').openapi('MachineEvent');
export const lot = o({
  id: z.string(), ownerMsp: z.string(), material: z.string(), supplier: z.string(), quantity: z.number(), remaining: z.number(), unit: z.string(),
  certificateHash: z.string().nullable(), eventCount: z.number().int(), created: stamp,
}).openapi('Lot');
export const lotEvent = historyEvent('lotId').openapi('LotEvent');
export const order = o({
  id: z.string(), buyerMsp: z.string(),
  spec: o({ name: z.string(), specHash: z.string(), material: z.string(), parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])) }),
  operations: z.array(o({ process: z.string(), estimatedMinutes: z.number().optional() })),
  quantity: z.number().int(), dueDate: z.string(), partIds: z.array(z.string()), status: z.enum(['open', 'cancelled']),
  termsHashes: z.record(z.string(), z.string()), created: stamp,
}).openapi('Order');
export const terms = o({ orderId: z.string(), factoryMsp: z.string(), termsHash: hex64, terms: S.commercialTerms }).openapi('CommercialTerms');
/** What agreeing terms returns: only the public hash. */
export const termsAgreed = o({ orderId: z.string(), factoryMsp: z.string(), termsHash: hex64 }).openapi('TermsAgreed');
const component = o({ kind: z.enum(['part', 'lot']), id: z.string(), quantity: z.number(), relation: z.enum(['aggregation', 'transformation']), added: stamp });
export const part = o({
  id: z.string(), orderId: z.string(), serial: z.string(), buyerMsp: z.string(), status: z.string(), components: z.array(component),
  consumedInto: z.string().nullable(), producerMsp: z.string().nullable(),
  qc: o({
    result: z.enum(['pass', 'fail']), reportHash: z.string(), measurements: z.record(z.string(), z.number()), recorded: stamp,
    dispute: o({ reason: z.string(), evidenceHash: z.string().nullable(), opened: stamp, resolution: o({ upheld: z.boolean(), note: z.string(), resolved: stamp }).nullable() }).nullable(),
  }).nullable(),
  shipment: o({ carrier: z.string(), trackingRef: z.string(), logisticsMsp: z.string().nullable(), shipped: stamp }).nullable(),
  delivery: o({ note: z.string().nullable(), delivered: stamp }).nullable(),
  eventCount: z.number().int(), created: stamp, updated: stamp,
}).openapi('Part');
export const partEvent = historyEvent('partId').openapi('PartEvent');
const report = o({ machineId: z.string(), twinSnapshotId: z.string().nullable(), machineEventSeq: z.number().int(), outputHash: z.string().nullable(), note: z.string().nullable(), reported: stamp });
export const job = o({
  id: z.string(), partId: z.string(), orderId: z.string(), operationIndex: z.number().int(), process: z.string(), factoryMsp: z.string(), machineId: z.string(),
  plannedStart: z.string(), plannedEnd: z.string(), scheduleAnchorId: z.string(), status: z.enum(['assigned', 'accepted', 'declined', 'started', 'finished', 'cancelled']),
  declineReason: z.string().nullable(), start: report.nullable(), finish: report.nullable(), assigned: stamp, updated: stamp,
}).openapi('Job');
export const twinSnapshot = o({
  id: z.string(), machineId: z.string(), ownerMsp: z.string(), model: o({ id: z.string(), version: z.string() }),
  summary: o({ healthIndex: z.number(), states: z.record(z.string(), z.number()), anomaly: z.boolean() }),
  snapshotHash: z.string(), observedAt: z.string().nullable(), recorded: stamp,
}).openapi('TwinSnapshot');
export const anchor = o({
  id: z.string(), kind: z.enum(S.ANCHOR_KINDS), merkleRoot: hex64, leafCount: z.number().int().min(1), algorithm: z.string(), algorithmVersion: z.string(),
  inputHash: z.string(), window: o({ from: z.string(), to: z.string() }), submitter: z.string(), recorded: stamp,
}).openapi('Anchor');
const traceEntry = o({ depth: z.number().int().min(0), subject: o({ kind: z.enum(['part', 'lot']), id: z.string() }), seq: z.number().int(), type: z.string(), txId: z.string(), at: iso, mspId: z.string(), data: free });
export const partTrace = o({
  partId: z.string(), order: order.nullable(), entries: z.array(traceEntry), machines: z.record(z.string(), o({ machine, events: z.array(machineEvent) })),
  twinSnapshots: z.record(z.string(), twinSnapshot), anchors: z.record(z.string(), anchor), totalEntries: z.number().int().min(0), nextPageToken: z.string().nullable(),
}).openapi('PartTrace');
/** A record as it was at a point in time (`?at=`). */
export const recordAt = (record: z.ZodType) => o({ data: record, txId: z.string(), at: iso, exact: z.boolean() });
/** A page of a list. */
export const page = (item: z.ZodType) => o({ items: z.array(item), nextCursor: z.string().nullable() });
