import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from '../internal/canonical';
import { KEY } from '../internal/keys';
import { assertAbsent, getMachine, stamp } from '../internal/records';
import { Tx } from '../internal/tx';
import { requireOrg, requireRole } from '../rules/access';
import * as S from '../schemas';
import { ChaincodeError } from '../errors';
import { EVENTS, type TwinSnapshot } from '../types';

/** Digital-twin snapshots of machines: a summary on-chain, the full snapshot off-chain by hash. */
@Info({ title: 'Twins', description: 'Digital-twin snapshots' })
export class TwinsContract extends Contract {
  constructor() {
    super('twins');
  }

  /**
   * Record a twin snapshot of a machine; its time is the transaction's timestamp. Machine owner only.
   * @throws ACCESS_DENIED, NOT_FOUND, ALREADY_EXISTS, ILLEGAL_TRANSITION (decommissioned machine), INVALID_INPUT
   */
  @Transaction()
  @Returns('string')
  async RecordTwinSnapshot(ctx: Context, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const data = S.parseArg(S.twinInput, 'input', input);
    requireRole(tx.caller, ['factory_operator', 'admin'], 'RecordTwinSnapshot');
    const machine = await getMachine(tx, data.machineId);
    requireOrg(tx.caller, machine.ownerMsp, `recording a twin snapshot of machine ${machine.id}`);
    if (machine.status === 'decommissioned') throw new ChaincodeError('MACHINE_DECOMMISSIONED', { machineId: machine.id });
    const key = tx.key(KEY.twin, data.id);
    await assertAbsent(tx, key, 'twin snapshot', data.id);
    const snapshot: TwinSnapshot = {
      id: data.id,
      machineId: machine.id,
      ownerMsp: machine.ownerMsp,
      model: data.model,
      summary: data.summary,
      snapshotHash: data.snapshotHash,
      observedAt: data.observedAt ?? null,
      recorded: stamp(tx),
    };
    await tx.putJson(key, snapshot);
    await tx.putIndex(tx.key(KEY.twinByMachine, machine.id, snapshot.recorded.at, snapshot.id));
    tx.emit(EVENTS.TwinSnapshotRecorded, { snapshotId: snapshot.id, machineId: machine.id, anomaly: snapshot.summary.anomaly, healthIndex: snapshot.summary.healthIndex });
    return canonicalJson(snapshot);
  }

  /** One snapshot. @throws NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  async GetTwinSnapshot(ctx: Context, snapshotId: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'snapshotId', snapshotId);
    return canonicalJson(await tx.mustGet<TwinSnapshot>(tx.key(KEY.twin, id), 'twin snapshot', id));
  }

  /** A machine's snapshots in time order, optionally within [from, to], at most `limit`. */
  @Transaction(false)
  @Returns('string')
  async ListTwinSnapshots(ctx: Context, machineId: string, options: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'machineId', machineId);
    const opts = S.parseArg(S.listOptions, 'options', options || '{}');
    await getMachine(tx, id);
    const out: TwinSnapshot[] = [];
    for (const row of await tx.scan<unknown>(KEY.twinByMachine, [id])) {
      const at = row.attributes[1]!;
      if ((opts.from && at < opts.from) || (opts.to && at > opts.to)) continue;
      out.push(await tx.mustGet<TwinSnapshot>(tx.key(KEY.twin, row.attributes[2]!), 'twin snapshot', row.attributes[2]!));
      if (out.length >= opts.limit) break;
    }
    return canonicalJson(out);
  }
}
