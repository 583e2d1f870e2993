/**
 * The /v1 routes: commands submit chaincode transactions as the caller's ledger identity;
 * queries read the index. Each route is declared once, with its roles and schemas, and the
 * OpenAPI document is generated from the same declarations.
 */
import { z } from 'zod';
import { schemas as S, TERMS_TRANSIENT_KEY } from '@forgetrace/chaincode/api';
import type { Role } from './auth';
import * as R from './responses';

/** A command: one chaincode transaction behind one POST/PUT. */
export interface CommandRoute {
  readonly kind: 'command';
  readonly method: 'post' | 'put';
  /** Express path with `:params`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly roles: readonly Role[];
  readonly transaction: string;
  readonly body: z.ZodType;
  /** Chaincode arguments from path params and the validated body. */
  readonly args: (params: Record<string, string>, body: any) => unknown[];
  /** Transient data (never written to a block). */
  readonly transient?: (body: any) => Record<string, string>;
  readonly status: 200 | 201;
  /** Location of the created resource. */
  readonly location?: (result: any) => string;
  /** Schema of the success body (the record as written). */
  readonly response: z.ZodType;
}

/** The record each transaction returns, by contract. */
function responseOf(transaction: string): z.ZodType {
  const [contract, name] = transaction.split(':') as [string, string];
  if (name === 'InitConsortium') return R.consortium;
  if (contract === 'registry') return R.member;
  if (contract === 'machines') return R.machine;
  if (name === 'RegisterLot') return R.lot;
  if (name === 'SetCommercialTerms') return R.termsAgreed;
  if (name === 'CreateOrder' || name === 'CancelOrder') return R.order;
  if (contract === 'orders' || name === 'RecordQc' || name === 'DisputeQc' || name === 'ResolveQcDispute') return R.part;
  if (contract === 'jobs') return R.job;
  if (contract === 'twins') return R.twinSnapshot;
  if (contract === 'anchors') return R.anchor;
  throw new Error(`no response schema for ${transaction}`);
}

const idParam = S.id;
const ANY: readonly Role[] = ['factory_operator', 'auditor', 'buyer', 'admin'];
const FACTORY: readonly Role[] = ['factory_operator', 'admin'];
const BUYER: readonly Role[] = ['buyer', 'admin'];

const machineEvent = (type: string, transaction: string, body: z.ZodType, summary: string): Omit<CommandRoute, 'response'> => ({
  kind: 'command', method: 'post', path: `/v1/machines/:machineId/${type}`, summary, tag: 'machines', roles: FACTORY, transaction, body,
  args: (p, b) => (transaction === 'machines:CancelTransfer' || transaction === 'machines:AcceptTransfer' ? [p.machineId] : [p.machineId, b]), status: 200,
});

const DECLARED: readonly Omit<CommandRoute, 'response'>[] = [
  { kind: 'command', method: 'post', path: '/v1/consortium', summary: 'Initialise the consortium once, naming the administrator organisations (an admin of one of them)', tag: 'members', roles: ['admin'], transaction: 'registry:InitConsortium', body: S.consortiumInit, args: (_p, b) => [b], status: 201, location: () => '/v1/consortium' },
  { kind: 'command', method: 'post', path: '/v1/members', summary: 'Admit a member organisation (consortium administrators)', tag: 'members', roles: ['admin'], transaction: 'registry:RegisterMember', body: S.memberInput, args: (_p, b) => [b], status: 201, location: (r) => `/v1/members/${r.mspId}` },
  { kind: 'command', method: 'post', path: '/v1/members/:mspId', summary: 'Update a member profile', tag: 'members', roles: ['admin'], transaction: 'registry:UpdateMember', body: S.memberPatch, args: (p, b) => [p.mspId, b], status: 200 },

  { kind: 'command', method: 'post', path: '/v1/machines', summary: 'Register a machine of this organisation', tag: 'machines', roles: FACTORY, transaction: 'machines:RegisterMachine', body: S.machineInput, args: (_p, b) => [b], status: 201, location: (r) => `/v1/machines/${r.id}` },
  machineEvent('commission', 'machines:CommissionMachine', S.commissionInput, 'Put a machine into service'),
  machineEvent('calibrations', 'machines:CalibrateMachine', S.calibrationInput, 'Record a calibration'),
  machineEvent('maintenance', 'machines:RecordMaintenance', S.maintenanceInput, 'Record maintenance'),
  machineEvent('repairs', 'machines:RecordRepair', S.repairInput, 'Record a repair'),
  machineEvent('relocations', 'machines:RelocateMachine', S.relocationInput, 'Record a relocation'),
  machineEvent('transfer-offer', 'machines:OfferTransfer', S.transferOffer, 'Offer the machine to another factory'),
  machineEvent('transfer-cancellation', 'machines:CancelTransfer', z.strictObject({}), 'Withdraw a transfer offer'),
  machineEvent('transfer-acceptance', 'machines:AcceptTransfer', z.strictObject({}), 'Accept an offered machine'),
  machineEvent('decommission', 'machines:DecommissionMachine', S.decommissionInput, 'Decommission a machine'),

  { kind: 'command', method: 'post', path: '/v1/lots', summary: 'Register a material lot', tag: 'lots', roles: FACTORY, transaction: 'orders:RegisterLot', body: S.lotInput, args: (_p, b) => [b], status: 201, location: (r) => `/v1/lots/${r.id}` },
  { kind: 'command', method: 'post', path: '/v1/orders', summary: 'Order a custom part', tag: 'orders', roles: BUYER, transaction: 'orders:CreateOrder', body: S.orderInput, args: (_p, b) => [b], status: 201, location: (r) => `/v1/orders/${r.id}` },
  { kind: 'command', method: 'post', path: '/v1/orders/:orderId/cancellation', summary: 'Cancel an order', tag: 'orders', roles: BUYER, transaction: 'orders:CancelOrder', body: S.cancelInput, args: (p, b) => [p.orderId, b], status: 200 },
  { kind: 'command', method: 'put', path: '/v1/orders/:orderId/terms/:factoryMsp', summary: 'Agree private commercial terms with a factory (only their hash is public)', tag: 'orders', roles: BUYER, transaction: 'orders:SetCommercialTerms', body: S.commercialTerms, args: (p) => [p.orderId, p.factoryMsp], transient: (b) => ({ [TERMS_TRANSIENT_KEY]: JSON.stringify(b) }), status: 200 },
  { kind: 'command', method: 'post', path: '/v1/parts/:partId/components', summary: 'Record a consumed part or lot (bill of materials)', tag: 'parts', roles: FACTORY, transaction: 'orders:ConsumeComponent', body: S.componentInput, args: (p, b) => [p.partId, b], status: 200 },
  { kind: 'command', method: 'post', path: '/v1/parts/:partId/qc', summary: 'Record the QC result', tag: 'parts', roles: FACTORY, transaction: 'jobs:RecordQc', body: S.qcInput, args: (p, b) => [p.partId, b], status: 200 },
  { kind: 'command', method: 'post', path: '/v1/parts/:partId/qc/dispute', summary: 'Dispute the QC result (the buyer)', tag: 'parts', roles: BUYER, transaction: 'jobs:DisputeQc', body: S.disputeInput, args: (p, b) => [p.partId, b], status: 200 },
  { kind: 'command', method: 'post', path: '/v1/parts/:partId/qc/resolution', summary: 'Resolve a QC dispute (consortium administrators)', tag: 'parts', roles: ['admin'], transaction: 'jobs:ResolveQcDispute', body: S.disputeResolution, args: (p, b) => [p.partId, b], status: 200 },
  { kind: 'command', method: 'post', path: '/v1/parts/:partId/shipment', summary: 'Ship a part', tag: 'parts', roles: FACTORY, transaction: 'orders:ShipPart', body: S.shipmentInput, args: (p, b) => [p.partId, b], status: 200 },
  { kind: 'command', method: 'post', path: '/v1/parts/:partId/delivery', summary: 'Confirm delivery (the buyer)', tag: 'parts', roles: BUYER, transaction: 'orders:ConfirmDelivery', body: S.deliveryInput, args: (p, b) => [p.partId, b], status: 200 },

  { kind: 'command', method: 'post', path: '/v1/jobs', summary: 'Assign an operation to a factory and machine', tag: 'jobs', roles: ['admin', 'buyer'], transaction: 'jobs:AssignJob', body: S.jobInput, args: (_p, b) => [b], status: 201, location: (r) => `/v1/jobs/${r.id}` },
  { kind: 'command', method: 'post', path: '/v1/jobs/:jobId/acceptance', summary: 'Accept a job (the assigned factory)', tag: 'jobs', roles: FACTORY, transaction: 'jobs:AcceptJob', body: z.strictObject({}), args: (p) => [p.jobId], status: 200 },
  { kind: 'command', method: 'post', path: '/v1/jobs/:jobId/decline', summary: 'Decline a job (the assigned factory)', tag: 'jobs', roles: FACTORY, transaction: 'jobs:DeclineJob', body: S.declineInput, args: (p, b) => [p.jobId, b], status: 200 },
  { kind: 'command', method: 'post', path: '/v1/jobs/:jobId/start', summary: 'Report the actual start, naming machine and twin snapshot', tag: 'jobs', roles: FACTORY, transaction: 'jobs:ReportStart', body: S.operationReport, args: (p, b) => [p.jobId, b], status: 200 },
  { kind: 'command', method: 'post', path: '/v1/jobs/:jobId/finish', summary: 'Report the actual finish', tag: 'jobs', roles: FACTORY, transaction: 'jobs:ReportFinish', body: S.operationReport, args: (p, b) => [p.jobId, b], status: 200 },

  { kind: 'command', method: 'post', path: '/v1/twin-snapshots', summary: 'Record a twin snapshot of a machine', tag: 'twins', roles: FACTORY, transaction: 'twins:RecordTwinSnapshot', body: S.twinInput, args: (_p, b) => [b], status: 201, location: (r) => `/v1/twin-snapshots/${r.id}` },
  { kind: 'command', method: 'post', path: '/v1/anchors', summary: 'Anchor a Merkle root of off-chain results', tag: 'anchors', roles: ['admin', 'factory_operator', 'buyer'], transaction: 'anchors:CreateAnchor', body: S.anchorInput, args: (_p, b) => [b], status: 201, location: (r) => `/v1/anchors/${r.id}` },
];

export const COMMANDS: readonly CommandRoute[] = DECLARED.map((c) => ({ ...c, response: responseOf(c.transaction) }));

/** Path parameters and what they must look like. */
export const PATH_PARAMS: Readonly<Record<string, z.ZodType<string>>> = {
  mspId: S.mspId, machineId: idParam, orderId: idParam, partId: idParam, jobId: idParam, lotId: idParam, snapshotId: idParam, anchorId: idParam, factoryMsp: S.mspId,
};

export { ANY, FACTORY, BUYER };
