import { ChaincodeError } from '../errors';
import type { Machine, MachineEventType, MachineStatus } from '../types';

/**
 * Why a machine may not be named by an assignment or an operation report at time `atMs`,
 * or `undefined` when it may. Order of checks: decommissioned, owner, in service,
 * capability, calibration.
 */
export function machineIneligibility(machine: Machine, expectedMsp: string, process: string, atMs: number): ChaincodeError | undefined {
  if (machine.status === 'decommissioned') return new ChaincodeError('MACHINE_DECOMMISSIONED', { machineId: machine.id });
  if (machine.ownerMsp !== expectedMsp) {
    return new ChaincodeError('MACHINE_WRONG_ORG', { machineId: machine.id, ownerMsp: machine.ownerMsp, expectedMsp });
  }
  if (machine.status !== 'commissioned') {
    return new ChaincodeError('ILLEGAL_TRANSITION', { kind: 'machine', id: machine.id, from: machine.status, to: 'in_service' });
  }
  if (!machine.capabilities.processes.includes(process)) return new ChaincodeError('MACHINE_LACKS_CAPABILITY', { machineId: machine.id, process });
  if (!machine.calibration) return new ChaincodeError('MACHINE_NOT_CALIBRATED', { machineId: machine.id });
  if (Date.parse(machine.calibration.dueAt) <= atMs) {
    return new ChaincodeError('CALIBRATION_EXPIRED', { machineId: machine.id, dueAt: machine.calibration.dueAt, at: new Date(atMs).toISOString() });
  }
  return undefined;
}

/** Provenance events allowed in each machine status. */
const ALLOWED: Readonly<Record<MachineStatus, readonly MachineEventType[]>> = {
  registered: ['commissioned', 'calibrated', 'maintained', 'repaired', 'relocated', 'transfer_offered', 'transfer_cancelled', 'ownership_transferred', 'decommissioned'],
  commissioned: ['calibrated', 'maintained', 'repaired', 'relocated', 'transfer_offered', 'transfer_cancelled', 'ownership_transferred', 'decommissioned'],
  decommissioned: [],
};

/**
 * Check that a provenance event may be recorded on a machine in its current status.
 * @throws ILLEGAL_TRANSITION
 */
export function assertMachineEvent(machine: Machine, type: MachineEventType): void {
  if (!ALLOWED[machine.status].includes(type)) {
    throw new ChaincodeError('ILLEGAL_TRANSITION', { kind: 'machine', id: machine.id, from: machine.status, to: type });
  }
}
