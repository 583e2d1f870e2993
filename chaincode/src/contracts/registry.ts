import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { ChaincodeError } from '../errors';
import { canonicalJson } from '../internal/canonical';
import { KEY } from '../internal/keys';
import { consortiumKey, getConsortium, getMember, stamp } from '../internal/records';
import { Tx } from '../internal/tx';
import { isConsortiumAdmin, requireConsortiumAdmin, requireRole } from '../rules/access';
import { consortiumInit, memberInput, memberPatch, mspId, parseArg, parseValue } from '../schemas';
import { EVENTS, type Consortium, type Member } from '../types';

/** Consortium members: who is in, in which role, where, with which certifications. */
@Info({ title: 'Registry', description: 'Consortium members' })
export class RegistryContract extends Contract {
  constructor() {
    super('registry');
  }

  /**
   * Create the consortium once, naming the organisations whose admins govern it.
   * The caller needs role admin and must be from one of those organisations.
   * @throws ALREADY_EXISTS, ACCESS_DENIED, INVALID_INPUT
   */
  @Transaction()
  @Returns('string')
  async InitConsortium(ctx: Context, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const data = parseArg(consortiumInit, 'input', input);
    requireRole(tx.caller, ['admin'], 'InitConsortium');
    if (!data.adminMsps.includes(tx.caller.mspId)) {
      throw new ChaincodeError('ACCESS_DENIED', { reason: `the initialising organisation ${tx.caller.mspId} must be one of adminMsps` });
    }
    if (await getConsortium(tx)) throw new ChaincodeError('ALREADY_EXISTS', { kind: 'consortium', id: 'config' });
    const consortium: Consortium = { name: data.name, adminMsps: [...new Set(data.adminMsps)].sort(), created: stamp(tx) };
    await tx.putJson(consortiumKey(tx), consortium);
    tx.emit(EVENTS.ConsortiumInitialised, { name: consortium.name, adminMsps: consortium.adminMsps });
    return canonicalJson(consortium);
  }

  /** The consortium record. @throws NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  async GetConsortium(ctx: Context): Promise<string> {
    const tx = new Tx(ctx);
    const consortium = await getConsortium(tx);
    if (!consortium) throw new ChaincodeError('NOT_FOUND', { kind: 'consortium', id: 'config' });
    return canonicalJson(consortium);
  }

  /**
   * Admit a member organisation. Consortium administrators only.
   * @throws ACCESS_DENIED, ALREADY_EXISTS, INVALID_INPUT
   */
  @Transaction()
  @Returns('string')
  async RegisterMember(ctx: Context, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const data = parseArg(memberInput, 'input', input);
    requireConsortiumAdmin(tx.caller, await getConsortium(tx), 'RegisterMember');
    const key = tx.key(KEY.member, data.mspId);
    if (await tx.exists(key)) throw new ChaincodeError('ALREADY_EXISTS', { kind: 'member', id: data.mspId });
    const member: Member = { ...data, created: stamp(tx), updated: stamp(tx) };
    await tx.putJson(key, member);
    tx.emit(EVENTS.MemberRegistered, { mspId: member.mspId, role: member.role });
    return canonicalJson(member);
  }

  /**
   * Change a member's profile. A consortium administrator may change any member, including
   * its role; an organisation's own admin may change its name, location and certifications.
   * @throws ACCESS_DENIED, NOT_FOUND, INVALID_INPUT
   */
  @Transaction()
  @Returns('string')
  async UpdateMember(ctx: Context, memberMspId: string, patch: string): Promise<string> {
    const tx = new Tx(ctx);
    const target = parseValue(mspId, 'mspId', memberMspId);
    const changes = parseArg(memberPatch, 'patch', patch);
    const member = await getMember(tx, target);
    if (!member) throw new ChaincodeError('NOT_FOUND', { kind: 'member', id: target });
    const admin = isConsortiumAdmin(tx.caller, await getConsortium(tx));
    if (!admin) {
      if (tx.caller.mspId !== target || tx.caller.role !== 'admin') {
        throw new ChaincodeError('ACCESS_DENIED', { reason: `only a consortium administrator or ${target}'s own admin may update ${target}` });
      }
      if (changes.role !== undefined && changes.role !== member.role) {
        throw new ChaincodeError('ACCESS_DENIED', { reason: 'a member cannot change its own role; ask a consortium administrator' });
      }
    }
    const updated: Member = { ...member, ...stripUndefined(changes), updated: stamp(tx) };
    await tx.putJson(tx.key(KEY.member, target), updated);
    tx.emit(EVENTS.MemberUpdated, { mspId: target, fields: Object.keys(stripUndefined(changes)).sort() });
    return canonicalJson(updated);
  }

  /** One member. @throws NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  async GetMember(ctx: Context, memberMspId: string): Promise<string> {
    const tx = new Tx(ctx);
    const target = parseValue(mspId, 'mspId', memberMspId);
    const member = await getMember(tx, target);
    if (!member) throw new ChaincodeError('NOT_FOUND', { kind: 'member', id: target });
    return canonicalJson(member);
  }

  /** All members in MSP ID order. */
  @Transaction(false)
  @Returns('string')
  async ListMembers(ctx: Context): Promise<string> {
    const tx = new Tx(ctx);
    const rows = await tx.scan<Member>(KEY.member, []);
    return canonicalJson(rows.map((r) => r.value));
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
