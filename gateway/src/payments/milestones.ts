/**
 * Pure milestone rules: which ledger facts complete a milestone of an escrowed order, and the
 * milestone record that is anchored as evidence. No I/O: data in, result out.
 *
 * A milestone is reached when every part of the order has the matching event in its ledger
 * history; its ledger transaction is the event of the part that reached it last. The milestone
 * record is derived from the escrow and ledger facts only, so every member gateway can rebuild it
 * from its own ledger and check the payload hash someone else anchored.
 */
import type { Order, PartEvent } from '@forgetrace/chaincode/api';

/** Milestone kinds, in the order of the contract's `MilestoneKind` enum (index = enum value). */
export const MILESTONE_KINDS = ['accepted', 'produced', 'qc_passed', 'delivered'] as const;
/** A milestone kind. */
export type MilestoneKind = (typeof MILESTONE_KINDS)[number];

/** `type` field of a milestone record. */
export const MILESTONE_RECORD_TYPE = 'forgetrace.payments.milestone';

/** The ledger fact that completed a milestone. */
export interface MilestoneFact {
  readonly kind: MilestoneKind;
  readonly orderId: string;
  /** The part whose event completed the milestone (the last part to reach it). */
  readonly partId: string;
  /** Fabric transaction of that event (64 hex characters). */
  readonly transactionId: string;
  readonly at: string;
}

/** The anchored record of a reached milestone (its canonical JSON is hashed into the Merkle leaf). */
export interface MilestoneRecord {
  readonly type: typeof MILESTONE_RECORD_TYPE;
  readonly version: 1;
  /** Chain id of the escrow, decimal. */
  readonly chainId: string;
  /** Escrow contract address, lower case. */
  readonly escrow: string;
  /** Escrow id of the order (keccak256 of the ledger order id), lower case. */
  readonly escrowOrderId: string;
  /** Funding nonce of the order, decimal. */
  readonly nonce: string;
  readonly milestone: number;
  readonly kind: MilestoneKind;
  readonly orderId: string;
  readonly partId: string;
  readonly transactionId: string;
}

/** The kind with contract enum value `value`, or undefined. */
export function milestoneKindOf(value: number): MilestoneKind | undefined {
  return MILESTONE_KINDS[value];
}

const operationIndexes = (order: Order): number[] => order.operations.map((_, i) => i);

/** The first event of `history` after which the part has `kind` (undefined if it has not). */
export function partMilestoneEvent(kind: MilestoneKind, order: Order, history: readonly PartEvent[]): PartEvent | undefined {
  const everyOperation = (type: string): PartEvent | undefined => {
    let last: PartEvent | undefined;
    for (const op of operationIndexes(order)) {
      const first = history.find((e) => e.type === type && e.data.operationIndex === op);
      if (!first) return undefined;
      if (!last || first.seq > last.seq) last = first;
    }
    return last;
  };
  switch (kind) {
    case 'accepted':
      return everyOperation('job_accepted');
    case 'produced':
      return everyOperation('operation_finished');
    case 'qc_passed':
      return history.find((e) => e.type === 'qc_recorded' && e.data.result === 'pass');
    case 'delivered':
      return history.find((e) => e.type === 'delivered');
  }
}

/**
 * The fact that completed milestone `kind` of `order`, or undefined while some part has not reached
 * it. `histories` holds each part's ledger history (`orders:GetPartHistory`).
 */
export function milestoneFact(kind: MilestoneKind, order: Order, histories: ReadonlyMap<string, readonly PartEvent[]>): MilestoneFact | undefined {
  if (order.partIds.length === 0) return undefined;
  let latest: PartEvent | undefined;
  for (const partId of order.partIds) {
    const event = partMilestoneEvent(kind, order, histories.get(partId) ?? []);
    if (!event) return undefined;
    if (!latest || event.at > latest.at || (event.at === latest.at && event.partId > latest.partId)) latest = event;
  }
  return { kind, orderId: order.id, partId: latest!.partId, transactionId: latest!.txId, at: latest!.at };
}

/** The record that is anchored for a reached milestone of an escrowed order. */
export function milestoneRecord(escrow: { readonly chainId: bigint; readonly address: string }, order: { readonly escrowOrderId: string; readonly nonce: bigint }, milestone: number, fact: MilestoneFact): MilestoneRecord {
  return {
    type: MILESTONE_RECORD_TYPE,
    version: 1,
    chainId: escrow.chainId.toString(),
    escrow: escrow.address.toLowerCase(),
    escrowOrderId: order.escrowOrderId.toLowerCase(),
    nonce: order.nonce.toString(),
    milestone,
    kind: fact.kind,
    orderId: fact.orderId,
    partId: fact.partId,
    transactionId: fact.transactionId,
  };
}
