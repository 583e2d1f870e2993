import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { ChaincodeError } from '../errors';
import { canonicalJson } from '../internal/canonical';
import { KEY } from '../internal/keys';
import { assertAbsent, callerMember, getMachine, getMember, recordAt, saveMachineWithEvent, stamp } from '../internal/records';
import { Tx } from '../internal/tx';
import { requireMemberKind, requireOrg, requireRole } from '../rules/access';
import { assertMachineEvent } from '../rules/machine';
import * as S from '../schemas';
import { EVENTS, type Machine, type MachineEvent, type MachineEventType } from '../types';

const WRITERS = ['factory_operator', 'admin'] as const;

/** Machine provenance: registration and every event of a machine's life. Only the owner writes. */
@Info({ title: 'Machines', description: 'Machine provenance' })
export class MachinesContract extends Contract {
  constructor() {
    super('machines');
  }

  /**
   * Register a machine owned by the caller's (factory) organisation.
   * @throws NOT_A_MEMBER, ACCESS_DENIED, ALREADY_EXISTS, INVALID_INPUT
   */
  @Transaction()
  @Returns('string')
  async RegisterMachine(ctx: Context, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const data = S.parseArg(S.machineInput, 'input', input);
    requireRole(tx.caller, WRITERS, 'RegisterMachine');
    await callerMember(tx, ['factory'], 'RegisterMachine');
    const key = tx.key(KEY.machine, data.id);
    await assertAbsent(tx, key, 'machine', data.id);
    const machine: Machine = {
      id: data.id,
      ownerMsp: tx.caller.mspId,
      manufacturer: data.manufacturer,
      model: data.model,
      serial: data.serial,
      capabilities: data.capabilities,
      location: data.location ?? null,
      status: 'registered',
      calibration: null,
      pendingTransfer: null,
      eventCount: 0,
      created: stamp(tx),
      updated: stamp(tx),
    };
    const saved = await saveMachineWithEvent(tx, machine, 'registered', { manufacturer: data.manufacturer, model: data.model, serial: data.serial });
    await tx.putIndex(tx.key(KEY.machineByOwner, saved.ownerMsp, saved.id));
    tx.emit(EVENTS.MachineRegistered, { machineId: saved.id, ownerMsp: saved.ownerMsp });
    return canonicalJson(saved);
  }

  /** Put the machine into service. */
  @Transaction()
  @Returns('string')
  async CommissionMachine(ctx: Context, machineId: string, input: string): Promise<string> {
    const data = S.parseArg(S.commissionInput, 'input', input);
    return this.ownerEvent(ctx, machineId, 'commissioned', data, (m) => {
      if (m.status !== 'registered') throw new ChaincodeError('ILLEGAL_TRANSITION', { kind: 'machine', id: m.id, from: m.status, to: 'commissioned' });
      return { status: 'commissioned', location: data.location ?? m.location };
    });
  }

  /** Record a calibration certificate and when it falls due. */
  @Transaction()
  @Returns('string')
  async CalibrateMachine(ctx: Context, machineId: string, input: string): Promise<string> {
    const data = S.parseArg(S.calibrationInput, 'input', input);
    return this.ownerEvent(ctx, machineId, 'calibrated', data, () => ({ calibration: { ...data } }));
  }

  /** Record maintenance (preventive, corrective or inspection). */
  @Transaction()
  @Returns('string')
  async RecordMaintenance(ctx: Context, machineId: string, input: string): Promise<string> {
    const data = S.parseArg(S.maintenanceInput, 'input', input);
    return this.ownerEvent(ctx, machineId, 'maintained', data, () => ({}));
  }

  /** Record a repair. */
  @Transaction()
  @Returns('string')
  async RecordRepair(ctx: Context, machineId: string, input: string): Promise<string> {
    const data = S.parseArg(S.repairInput, 'input', input);
    return this.ownerEvent(ctx, machineId, 'repaired', data, () => ({}));
  }

  /** Record that the machine moved. */
  @Transaction()
  @Returns('string')
  async RelocateMachine(ctx: Context, machineId: string, input: string): Promise<string> {
    const data = S.parseArg(S.relocationInput, 'input', input);
    return this.ownerEvent(ctx, machineId, 'relocated', data, () => ({ location: data.location }));
  }

  /**
   * Offer the machine to another factory organisation (step one of a transfer).
   * @throws CONFLICT when an offer is already open
   */
  @Transaction()
  @Returns('string')
  async OfferTransfer(ctx: Context, machineId: string, input: string): Promise<string> {
    const data = S.parseArg(S.transferOffer, 'input', input);
    const tx = new Tx(ctx);
    requireMemberKind(await getMember(tx, data.toMsp), data.toMsp, ['factory'], 'receiving a machine');
    return this.ownerEvent(ctx, machineId, 'transfer_offered', data, (m) => {
      if (data.toMsp === m.ownerMsp) throw new ChaincodeError('INVALID_INPUT', { field: 'input.toMsp', reason: 'is already the owner' });
      if (m.pendingTransfer) throw new ChaincodeError('CONFLICT', { reason: `machine ${m.id} already has an open transfer offer to ${m.pendingTransfer.toMsp}` });
      return { pendingTransfer: { toMsp: data.toMsp, offered: stamp(tx) } };
    });
  }

  /** Withdraw an open transfer offer. @throws CONFLICT when none is open */
  @Transaction()
  @Returns('string')
  async CancelTransfer(ctx: Context, machineId: string): Promise<string> {
    return this.ownerEvent(ctx, machineId, 'transfer_cancelled', {}, (m) => {
      if (!m.pendingTransfer) throw new ChaincodeError('CONFLICT', { reason: `machine ${m.id} has no open transfer offer` });
      return { pendingTransfer: null };
    });
  }

  /**
   * Accept an offered machine (step two): the caller's organisation becomes the owner.
   * @throws ACCESS_DENIED when the offer names another organisation, CONFLICT when there is none
   */
  @Transaction()
  @Returns('string')
  async AcceptTransfer(ctx: Context, machineId: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'machineId', machineId);
    requireRole(tx.caller, WRITERS, 'AcceptTransfer');
    await callerMember(tx, ['factory'], 'AcceptTransfer');
    const machine = await getMachine(tx, id);
    if (!machine.pendingTransfer) throw new ChaincodeError('CONFLICT', { reason: `machine ${id} has no open transfer offer` });
    requireOrg(tx.caller, machine.pendingTransfer.toMsp, `accepting machine ${id}`);
    assertMachineEvent(machine, 'ownership_transferred');
    const fromMsp = machine.ownerMsp;
    const saved = await saveMachineWithEvent(tx, machine, 'ownership_transferred', { fromMsp, toMsp: tx.caller.mspId }, { ownerMsp: tx.caller.mspId, pendingTransfer: null });
    await tx.delete(tx.key(KEY.machineByOwner, fromMsp, id));
    await tx.putIndex(tx.key(KEY.machineByOwner, tx.caller.mspId, id));
    tx.emit(EVENTS.MachineEventRecorded, { machineId: id, type: 'ownership_transferred', seq: saved.eventCount, ownerMsp: saved.ownerMsp });
    return canonicalJson(saved);
  }

  /** Take the machine out of service for good. */
  @Transaction()
  @Returns('string')
  async DecommissionMachine(ctx: Context, machineId: string, input: string): Promise<string> {
    const data = S.parseArg(S.decommissionInput, 'input', input);
    return this.ownerEvent(ctx, machineId, 'decommissioned', data, () => ({ status: 'decommissioned', pendingTransfer: null }));
  }

  /** One machine. @throws NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  async GetMachine(ctx: Context, machineId: string): Promise<string> {
    const tx = new Tx(ctx);
    return canonicalJson(await getMachine(tx, S.parseValue(S.id, 'machineId', machineId)));
  }

  /**
   * The machine as it was at a time (ISO-8601), from the key's history: `{ machine, txId, at }`.
   * @throws NOT_FOUND when it did not exist then, INVALID_INPUT
   */
  @Transaction(false)
  @Returns('string')
  async GetMachineAt(ctx: Context, machineId: string, time: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'machineId', machineId);
    const at = S.parseValue(S.timestamp, 'time', time);
    const found = await recordAt<Machine>(tx, tx.key(KEY.machine, id), Date.parse(at));
    if (!found) throw new ChaincodeError('NOT_FOUND', { kind: `machine (at ${at})`, id });
    return canonicalJson({ machine: found.record, txId: found.txId, at: found.at });
  }

  /** The machine's provenance events, oldest first. @throws NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  async GetMachineHistory(ctx: Context, machineId: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'machineId', machineId);
    await getMachine(tx, id);
    const rows = await tx.scan<MachineEvent>(KEY.machineEvent, [id]);
    return canonicalJson(rows.map((r) => r.value));
  }

  /** Machines owned by an organisation, in id order. */
  @Transaction(false)
  @Returns('string')
  async ListMachines(ctx: Context, ownerMsp: string): Promise<string> {
    const tx = new Tx(ctx);
    const owner = S.parseValue(S.mspId, 'ownerMsp', ownerMsp);
    const rows = await tx.scan<unknown>(KEY.machineByOwner, [owner]);
    const machines: Machine[] = [];
    for (const row of rows) machines.push(await getMachine(tx, row.attributes[1]!));
    return canonicalJson(machines);
  }

  /** Common path of owner-only provenance events. */
  private async ownerEvent(ctx: Context, machineId: string, type: MachineEventType, data: object, change: (m: Machine) => Partial<Machine>): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'machineId', machineId);
    requireRole(tx.caller, WRITERS, `recording ${type}`);
    const machine = await getMachine(tx, id);
    requireOrg(tx.caller, machine.ownerMsp, `recording ${type} on machine ${id}`);
    assertMachineEvent(machine, type);
    const saved = await saveMachineWithEvent(tx, machine, type, { ...data }, change(machine));
    tx.emit(EVENTS.MachineEventRecorded, { machineId: id, type, seq: saved.eventCount, ownerMsp: saved.ownerMsp });
    return canonicalJson(saved);
  }
}
