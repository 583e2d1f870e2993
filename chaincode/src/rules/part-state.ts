import { ChaincodeError } from '../errors';
import type { PartStatus } from '../types';

/**
 * The part state machine. `qc_failed → in_production` is rework; `qc_passed → qc_failed`
 * happens only when an upheld QC dispute reverses the result.
 */
export const PART_TRANSITIONS: Readonly<Record<PartStatus, readonly PartStatus[]>> = {
  created: ['scheduled', 'cancelled'],
  scheduled: ['in_production', 'cancelled'],
  in_production: ['qc_passed', 'qc_failed', 'cancelled'],
  qc_passed: ['shipped', 'qc_failed'],
  qc_failed: ['in_production', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
};

/** Whether a part may go from `from` to `to`. */
export function canTransition(from: PartStatus, to: PartStatus): boolean {
  return PART_TRANSITIONS[from].includes(to);
}

/**
 * Check a part transition.
 * @throws ILLEGAL_TRANSITION naming both states and the allowed next ones
 */
export function assertTransition(partId: string, from: PartStatus, to: PartStatus): void {
  if (!canTransition(from, to)) {
    throw new ChaincodeError('ILLEGAL_TRANSITION', { kind: 'part', id: partId, from, to, allowed: [...PART_TRANSITIONS[from]] });
  }
}
