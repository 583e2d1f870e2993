import { ChaincodeError } from '../errors';
import { requireMemberKind } from '../rules/access';
import type { Anchor, Consortium, Lot, LotEvent, Machine, MachineEvent, Member, MemberRole, Part, PartEvent, Stamp } from '../types';
import { KEY, seqKey } from './keys';
import type { Tx } from './tx';

/** Shared reads and appends used by several contracts. */

export function stamp(tx: Tx): Stamp {
  // Keys in sorted order, as canonical JSON writes them.
  return { at: tx.at, mspId: tx.caller.mspId, txId: tx.id };
}

export function consortiumKey(tx: Tx): string {
  return tx.key(KEY.consortium, 'config');
}

export async function getConsortium(tx: Tx): Promise<Consortium | undefined> {
  return tx.getJson<Consortium>(consortiumKey(tx));
}

export async function getMember(tx: Tx, mspId: string): Promise<Member | undefined> {
  return tx.getJson<Member>(tx.key(KEY.member, mspId));
}

/**
 * The caller's organisation, which must be a registered member of one of `kinds`.
 * @throws NOT_A_MEMBER, ACCESS_DENIED
 */
export async function callerMember(tx: Tx, kinds: readonly MemberRole[], action: string): Promise<Member> {
  const mspId = tx.caller.mspId;
  return requireMemberKind(await getMember(tx, mspId), mspId, kinds, action);
}

export const ALL_MEMBER_KINDS: readonly MemberRole[] = ['factory', 'buyer', 'auditor', 'logistics'];

export async function getMachine(tx: Tx, id: string): Promise<Machine> {
  return tx.mustGet<Machine>(tx.key(KEY.machine, id), 'machine', id);
}

export async function getPart(tx: Tx, id: string): Promise<Part> {
  return tx.mustGet<Part>(tx.key(KEY.part, id), 'part', id);
}

export async function getLot(tx: Tx, id: string): Promise<Lot> {
  return tx.mustGet<Lot>(tx.key(KEY.lot, id), 'lot', id);
}

export async function getAnchor(tx: Tx, id: string): Promise<Anchor> {
  return tx.mustGet<Anchor>(tx.key(KEY.anchor, id), 'anchor', id);
}

/** Write the part with its next history entry appended; returns the part as written. */
export async function savePartWithEvent(tx: Tx, part: Part, type: string, data: Record<string, unknown>, changes: Partial<Part> = {}): Promise<Part> {
  const seq = part.eventCount + 1;
  const next: Part = { ...part, ...changes, eventCount: seq, updated: stamp(tx) };
  const event: PartEvent = { partId: part.id, seq, type, data, ...stamp(tx) };
  await tx.putJson(tx.key(KEY.part, part.id), next);
  await tx.putJson(tx.key(KEY.partEvent, part.id, seqKey(seq)), event);
  return next;
}

/** Write the machine with its next provenance event appended; returns the machine as written. */
export async function saveMachineWithEvent(tx: Tx, machine: Machine, type: MachineEvent['type'], data: Record<string, unknown>, changes: Partial<Machine> = {}): Promise<Machine> {
  const seq = machine.eventCount + 1;
  const next: Machine = { ...machine, ...changes, eventCount: seq, updated: stamp(tx) };
  const event: MachineEvent = { machineId: machine.id, seq, type, data, ...stamp(tx) };
  await tx.putJson(tx.key(KEY.machine, machine.id), next);
  await tx.putJson(tx.key(KEY.machineEvent, machine.id, seqKey(seq)), event);
  return next;
}

/** Write the lot with its next history entry appended. */
export async function saveLotWithEvent(tx: Tx, lot: Lot, type: LotEvent['type'], data: Record<string, unknown>, changes: Partial<Lot> = {}): Promise<Lot> {
  const seq = lot.eventCount + 1;
  const next: Lot = { ...lot, ...changes, eventCount: seq };
  const event: LotEvent = { lotId: lot.id, seq, type, data, ...stamp(tx) };
  await tx.putJson(tx.key(KEY.lot, lot.id), next);
  await tx.putJson(tx.key(KEY.lotEvent, lot.id, seqKey(seq)), event);
  return next;
}

/** @throws ALREADY_EXISTS */
export async function assertAbsent(tx: Tx, key: string, kind: string, id: string): Promise<void> {
  if (await tx.exists(key)) throw new ChaincodeError('ALREADY_EXISTS', { kind, id });
}

/**
 * The record stored under `key` as it was at `atMs` (the newest committed version whose
 * transaction timestamp is not after it), from the key's history; `undefined` if it did not
 * exist then. Read-only: for evaluate transactions.
 */
export async function recordAt<T>(tx: Tx, key: string, atMs: number): Promise<{ record: T; txId: string; at: string } | undefined> {
  const iterator = await tx.ctx.stub.getHistoryForKey(key);
  let best: { record: T; txId: string; at: string; ms: number } | undefined;
  try {
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
      const m = r.value as unknown as { txId: string; isDelete: boolean; value: Uint8Array; timestamp: { seconds: number | { toNumber(): number }; nanos: number } };
      const seconds = typeof m.timestamp.seconds === 'number' ? m.timestamp.seconds : m.timestamp.seconds.toNumber();
      const ms = seconds * 1000 + Math.floor(m.timestamp.nanos / 1e6);
      if (ms > atMs || (best && best.ms > ms)) continue;
      best = m.isDelete ? undefined : { record: JSON.parse(Buffer.from(m.value).toString('utf8')) as T, txId: m.txId, at: new Date(ms).toISOString(), ms };
    }
  } finally {
    await iterator.close();
  }
  return best && { record: best.record, txId: best.txId, at: best.at };
}
