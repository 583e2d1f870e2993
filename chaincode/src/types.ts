/**
 * Ledger record types. Defined once here; the gateway and clients `import type` them.
 */
import type { z } from 'zod';
import type * as S from './schemas';

export type Location = z.output<typeof S.location>;
export type Certification = z.output<typeof S.certification>;
export type MemberRole = (typeof S.MEMBER_ROLES)[number];
export type Capabilities = z.output<typeof S.capabilities>;
export type CommercialTerms = z.output<typeof S.commercialTerms>;
export type AnchorKind = (typeof S.ANCHOR_KINDS)[number];

/** Who wrote a record and when (from the transaction). */
export interface Stamp {
  readonly txId: string;
  readonly at: string;
  readonly mspId: string;
}

export interface Consortium {
  readonly name: string;
  readonly adminMsps: readonly string[];
  readonly created: Stamp;
}

export interface Member {
  readonly mspId: string;
  readonly name: string;
  readonly role: MemberRole;
  readonly location: Location;
  readonly certifications: readonly Certification[];
  readonly created: Stamp;
  readonly updated: Stamp;
}

export type MachineStatus = 'registered' | 'commissioned' | 'decommissioned';

export interface Calibration {
  readonly certificateHash: string;
  readonly laboratory: string;
  readonly calibratedAt: string;
  readonly dueAt: string;
}

export interface Machine {
  readonly id: string;
  readonly ownerMsp: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly serial: string;
  readonly capabilities: Capabilities;
  readonly location: Location | null;
  readonly status: MachineStatus;
  readonly calibration: Calibration | null;
  readonly pendingTransfer: { readonly toMsp: string; readonly offered: Stamp } | null;
  /** Number of provenance events so far; event `n` is stored under sequence `n`. */
  readonly eventCount: number;
  readonly created: Stamp;
  readonly updated: Stamp;
}

export const MACHINE_EVENT_TYPES = [
  'registered', 'commissioned', 'calibrated', 'maintained', 'repaired', 'relocated',
  'transfer_offered', 'transfer_cancelled', 'ownership_transferred', 'decommissioned',
] as const;
export type MachineEventType = (typeof MACHINE_EVENT_TYPES)[number];

export interface MachineEvent extends Stamp {
  readonly machineId: string;
  readonly seq: number;
  readonly type: MachineEventType;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface Lot {
  readonly id: string;
  readonly ownerMsp: string;
  readonly material: string;
  readonly supplier: string;
  readonly quantity: number;
  readonly remaining: number;
  readonly unit: string;
  readonly certificateHash: string | null;
  readonly eventCount: number;
  readonly created: Stamp;
}

export interface LotEvent extends Stamp {
  readonly lotId: string;
  readonly seq: number;
  readonly type: 'registered' | 'consumed';
  readonly data: Readonly<Record<string, unknown>>;
}

export interface OrderOperation {
  readonly process: string;
  readonly estimatedMinutes?: number;
}

export interface Order {
  readonly id: string;
  readonly buyerMsp: string;
  readonly spec: {
    readonly name: string;
    readonly specHash: string;
    readonly material: string;
    readonly parameters: Readonly<Record<string, string | number | boolean>>;
  };
  readonly operations: readonly OrderOperation[];
  readonly quantity: number;
  readonly dueDate: string;
  readonly partIds: readonly string[];
  readonly status: 'open' | 'cancelled';
  /** SHA-256 of the canonical commercial terms agreed with each factory (the terms are private). */
  readonly termsHashes: Readonly<Record<string, string>>;
  readonly created: Stamp;
}

export const PART_STATUSES = ['created', 'scheduled', 'in_production', 'qc_passed', 'qc_failed', 'shipped', 'delivered', 'cancelled'] as const;
export type PartStatus = (typeof PART_STATUSES)[number];

export interface Component {
  readonly kind: 'part' | 'lot';
  readonly id: string;
  readonly quantity: number;
  readonly relation: 'aggregation' | 'transformation';
  readonly added: Stamp;
}

export interface QcRecord {
  readonly result: 'pass' | 'fail';
  readonly reportHash: string;
  readonly measurements: Readonly<Record<string, number>>;
  readonly recorded: Stamp;
  readonly dispute: null | {
    readonly reason: string;
    readonly evidenceHash: string | null;
    readonly opened: Stamp;
    readonly resolution: null | { readonly upheld: boolean; readonly note: string; readonly resolved: Stamp };
  };
}

export interface Part {
  readonly id: string;
  readonly orderId: string;
  readonly serial: string;
  readonly buyerMsp: string;
  readonly status: PartStatus;
  readonly components: readonly Component[];
  /** The part this one was built into, if any. */
  readonly consumedInto: string | null;
  /** The factory that recorded QC (and so ships it). */
  readonly producerMsp: string | null;
  readonly qc: QcRecord | null;
  readonly shipment: null | { readonly carrier: string; readonly trackingRef: string; readonly logisticsMsp: string | null; readonly shipped: Stamp };
  readonly delivery: null | { readonly note: string | null; readonly delivered: Stamp };
  readonly eventCount: number;
  readonly created: Stamp;
  readonly updated: Stamp;
}

/** One entry of a part's own history, stored under its sequence number. */
export interface PartEvent extends Stamp {
  readonly partId: string;
  readonly seq: number;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export type JobStatus = 'assigned' | 'accepted' | 'declined' | 'started' | 'finished' | 'cancelled';

export interface OperationReport {
  readonly machineId: string;
  readonly twinSnapshotId: string | null;
  /** The machine's provenance event count when the report was made: its history up to then. */
  readonly machineEventSeq: number;
  readonly outputHash: string | null;
  readonly note: string | null;
  readonly reported: Stamp;
}

export interface Job {
  readonly id: string;
  readonly partId: string;
  readonly orderId: string;
  readonly operationIndex: number;
  readonly process: string;
  readonly factoryMsp: string;
  readonly machineId: string;
  readonly plannedStart: string;
  readonly plannedEnd: string;
  readonly scheduleAnchorId: string;
  readonly status: JobStatus;
  readonly declineReason: string | null;
  readonly start: OperationReport | null;
  readonly finish: OperationReport | null;
  readonly assigned: Stamp;
  readonly updated: Stamp;
}

export interface TwinSnapshot {
  readonly id: string;
  readonly machineId: string;
  readonly ownerMsp: string;
  readonly model: { readonly id: string; readonly version: string };
  readonly summary: { readonly healthIndex: number; readonly states: Readonly<Record<string, number>>; readonly anomaly: boolean };
  readonly snapshotHash: string;
  readonly observedAt: string | null;
  readonly recorded: Stamp;
}

export interface Anchor {
  readonly id: string;
  readonly kind: AnchorKind;
  readonly merkleRoot: string;
  readonly leafCount: number;
  readonly algorithm: string;
  readonly algorithmVersion: string;
  readonly inputHash: string;
  readonly window: { readonly from: string; readonly to: string };
  readonly submitter: string;
  readonly recorded: Stamp;
}

/** One line of a part's trace. */
export interface TraceEntry {
  /** 0 for the part asked about, 1 for what it consumed, and so on. */
  readonly depth: number;
  readonly subject: { readonly kind: 'part' | 'lot'; readonly id: string };
  readonly seq: number;
  readonly type: string;
  readonly txId: string;
  readonly at: string;
  readonly mspId: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface PartTrace {
  readonly partId: string;
  readonly order: Order | null;
  readonly entries: readonly TraceEntry[];
  /** Machines named by this page's entries, with their provenance events up to the last report. */
  readonly machines: Readonly<Record<string, { readonly machine: Machine; readonly events: readonly MachineEvent[] }>>;
  readonly twinSnapshots: Readonly<Record<string, TwinSnapshot>>;
  readonly anchors: Readonly<Record<string, Anchor>>;
  readonly totalEntries: number;
  readonly nextPageToken: string | null;
}

/** Names of the chaincode events, one per state-changing transaction. */
export const EVENTS = {
  ConsortiumInitialised: 'ConsortiumInitialised',
  MemberRegistered: 'MemberRegistered',
  MemberUpdated: 'MemberUpdated',
  MachineRegistered: 'MachineRegistered',
  MachineEventRecorded: 'MachineEventRecorded',
  LotRegistered: 'LotRegistered',
  OrderCreated: 'OrderCreated',
  OrderCancelled: 'OrderCancelled',
  CommercialTermsSet: 'CommercialTermsSet',
  ComponentConsumed: 'ComponentConsumed',
  PartShipped: 'PartShipped',
  PartDelivered: 'PartDelivered',
  JobAssigned: 'JobAssigned',
  JobAccepted: 'JobAccepted',
  JobDeclined: 'JobDeclined',
  OperationStarted: 'OperationStarted',
  OperationFinished: 'OperationFinished',
  QcRecorded: 'QcRecorded',
  QcDisputed: 'QcDisputed',
  QcDisputeResolved: 'QcDisputeResolved',
  TwinSnapshotRecorded: 'TwinSnapshotRecorded',
  AnchorCreated: 'AnchorCreated',
} as const;
export type EventName = keyof typeof EVENTS;
