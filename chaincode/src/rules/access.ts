import { ChaincodeError } from '../errors';
import type { Caller, UserRole } from '../internal/tx';
import type { Consortium, Member, MemberRole } from '../types';

/**
 * Require one of `roles` in the caller's certificate.
 * @throws ACCESS_DENIED naming the roles that would do
 */
export function requireRole(caller: Caller, roles: readonly UserRole[], action: string): void {
  if (!caller.role || !roles.includes(caller.role)) {
    throw new ChaincodeError('ACCESS_DENIED', {
      reason: `${action} needs role ${roles.join(' or ')}; caller from ${caller.mspId} has ${caller.role ?? 'no role'}`,
    });
  }
}

/**
 * Require the caller's organisation to be `mspId`.
 * @throws ACCESS_DENIED
 */
export function requireOrg(caller: Caller, mspId: string, action: string): void {
  if (caller.mspId !== mspId) {
    throw new ChaincodeError('ACCESS_DENIED', { reason: `${action} is reserved to ${mspId}; caller is from ${caller.mspId}` });
  }
}

/** Whether the caller is a consortium administrator: role `admin` in an admin organisation. */
export function isConsortiumAdmin(caller: Caller, consortium: Consortium | undefined): boolean {
  return !!consortium && caller.role === 'admin' && consortium.adminMsps.includes(caller.mspId);
}

/**
 * Require a consortium administrator.
 * @throws ACCESS_DENIED
 */
export function requireConsortiumAdmin(caller: Caller, consortium: Consortium | undefined, action: string): void {
  if (!isConsortiumAdmin(caller, consortium)) {
    throw new ChaincodeError('ACCESS_DENIED', { reason: `${action} needs a consortium administrator (role admin in ${consortium?.adminMsps.join(', ') ?? 'an admin organisation'})` });
  }
}

/**
 * Require a member organisation of one of the given kinds.
 * @throws NOT_A_MEMBER when the organisation is not registered
 * @throws ACCESS_DENIED when it is of another kind
 */
export function requireMemberKind(member: Member | undefined, mspId: string, kinds: readonly MemberRole[], action: string): Member {
  if (!member) throw new ChaincodeError('NOT_A_MEMBER', { mspId });
  if (!kinds.includes(member.role)) {
    throw new ChaincodeError('ACCESS_DENIED', { reason: `${action} needs a ${kinds.join(' or ')} organisation; ${mspId} is a ${member.role}` });
  }
  return member;
}
