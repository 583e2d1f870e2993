import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { ChaincodeError } from '../errors';
import { canonicalJson } from '../internal/canonical';
import { KEY } from '../internal/keys';
import { getAnchor, getConsortium, getMachine, getMember, getPart, savePartWithEvent, stamp } from '../internal/records';
import { Tx } from '../internal/tx';
import { requireConsortiumAdmin, requireMemberKind, requireOrg, requireRole } from '../rules/access';
import { machineIneligibility } from '../rules/machine';
import { assertTransition } from '../rules/part-state';
import * as S from '../schemas';
import { EVENTS, type Job, type Machine, type OperationReport, type Order, type Part, type PartStatus, type QcRecord, type TwinSnapshot } from '../types';

const FACTORY_ROLES = ['factory_operator', 'admin'] as const;
const ASSIGNABLE: readonly PartStatus[] = ['created', 'scheduled', 'in_production', 'qc_failed'];

/** Two-digit operation index so that operations sort in key order. */
function opKey(index: number): string {
  return index.toString().padStart(2, '0');
}

/** Job assignments, operation reports and quality control. */
@Info({ title: 'Jobs', description: 'Job assignments, operation reports and QC' })
export class JobsContract extends Contract {
  constructor() {
    super('jobs');
  }

  /**
   * Assign one operation of a part to a factory and machine, as planned by a schedule anchor.
   * The caller is an admin of any member organisation, or the part's buyer.
   * @throws ACCESS_DENIED, NOT_FOUND, CONFLICT, ILLEGAL_TRANSITION, MACHINE_* , CALIBRATION_EXPIRED, INVALID_INPUT
   */
  @Transaction()
  @Returns('string')
  async AssignJob(ctx: Context, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const data = S.parseArg(S.jobInput, 'input', input);
    const caller = tx.caller;
    requireRole(caller, ['admin', 'buyer'], 'AssignJob');
    requireMemberKind(await getMember(tx, caller.mspId), caller.mspId, ['factory', 'buyer', 'auditor', 'logistics'], 'AssignJob');
    const jobKey = tx.key(KEY.job, data.id);
    if (await tx.exists(jobKey)) throw new ChaincodeError('ALREADY_EXISTS', { kind: 'job', id: data.id });
    const part = await getPart(tx, data.partId);
    if (caller.role !== 'admin') requireOrg(caller, part.buyerMsp, `assigning work on part ${part.id}`);
    if (!ASSIGNABLE.includes(part.status)) {
      throw new ChaincodeError('ILLEGAL_TRANSITION', { kind: 'part', id: part.id, from: part.status, to: 'scheduled' });
    }
    const order = await tx.mustGet<Order>(tx.key(KEY.order, part.orderId), 'order', part.orderId);
    const operation = order.operations[data.operationIndex];
    if (!operation) {
      throw new ChaincodeError('INVALID_INPUT', { field: 'input.operationIndex', reason: `order ${order.id} has ${order.operations.length} operations (0-${order.operations.length - 1})` });
    }
    requireMemberKind(await getMember(tx, data.factoryMsp), data.factoryMsp, ['factory'], 'receiving a job');
    const anchor = await getAnchor(tx, data.scheduleAnchorId);
    if (anchor.kind !== 'schedule') {
      throw new ChaincodeError('INVALID_INPUT', { field: 'input.scheduleAnchorId', reason: `anchor ${anchor.id} is a ${anchor.kind} anchor, not a schedule` });
    }
    const machine = await getMachine(tx, data.machineId);
    const refusal = machineIneligibility(machine, data.factoryMsp, operation.process, tx.atMs);
    if (refusal) throw refusal;
    if (part.status !== 'qc_failed') {
      for (const row of await tx.scan<unknown>(KEY.jobByPartOp, [part.id, opKey(data.operationIndex)])) {
        const other = await tx.getJson<Job>(tx.key(KEY.job, row.attributes[2]!));
        if (other && other.status !== 'declined' && other.status !== 'cancelled') {
          throw new ChaincodeError('CONFLICT', { reason: `operation ${data.operationIndex} of part ${part.id} is already assigned as job ${other.id} (${other.status})` });
        }
      }
    }
    const job: Job = {
      id: data.id,
      partId: part.id,
      orderId: order.id,
      operationIndex: data.operationIndex,
      process: operation.process,
      factoryMsp: data.factoryMsp,
      machineId: machine.id,
      plannedStart: data.plannedStart,
      plannedEnd: data.plannedEnd,
      scheduleAnchorId: anchor.id,
      status: 'assigned',
      declineReason: null,
      start: null,
      finish: null,
      assigned: stamp(tx),
      updated: stamp(tx),
    };
    await tx.putJson(jobKey, job);
    await tx.putIndex(tx.key(KEY.jobByPartOp, part.id, opKey(job.operationIndex), job.id));
    await tx.putIndex(tx.key(KEY.jobByFactory, job.factoryMsp, job.id));
    await savePartWithEvent(tx, part, 'job_assigned', {
      jobId: job.id, operationIndex: job.operationIndex, process: job.process, factoryMsp: job.factoryMsp, machineId: job.machineId,
      plannedStart: job.plannedStart, plannedEnd: job.plannedEnd, scheduleAnchorId: job.scheduleAnchorId,
    }, part.status === 'created' ? { status: 'scheduled' } : {});
    tx.emit(EVENTS.JobAssigned, { jobId: job.id, partId: job.partId, factoryMsp: job.factoryMsp, machineId: job.machineId, scheduleAnchorId: job.scheduleAnchorId });
    return canonicalJson(job);
  }

  /** The assigned factory accepts. @throws ACCESS_DENIED, ILLEGAL_TRANSITION */
  @Transaction()
  @Returns('string')
  async AcceptJob(ctx: Context, jobId: string): Promise<string> {
    const tx = new Tx(ctx);
    const { job, part } = await this.factoryJob(tx, jobId, 'accepted');
    const saved: Job = { ...job, status: 'accepted', updated: stamp(tx) };
    const written = await tx.putJson(tx.key(KEY.job, job.id), saved);
    await savePartWithEvent(tx, part, 'job_accepted', { jobId: job.id, operationIndex: job.operationIndex, factoryMsp: job.factoryMsp });
    tx.emit(EVENTS.JobAccepted, { jobId: job.id, partId: job.partId, factoryMsp: job.factoryMsp });
    return written;
  }

  /** The assigned factory declines, giving a reason. @throws ACCESS_DENIED, ILLEGAL_TRANSITION */
  @Transaction()
  @Returns('string')
  async DeclineJob(ctx: Context, jobId: string, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const data = S.parseArg(S.declineInput, 'input', input);
    const { job, part } = await this.factoryJob(tx, jobId, 'declined');
    const saved: Job = { ...job, status: 'declined', declineReason: data.reason, updated: stamp(tx) };
    const written = await tx.putJson(tx.key(KEY.job, job.id), saved);
    await savePartWithEvent(tx, part, 'job_declined', { jobId: job.id, operationIndex: job.operationIndex, factoryMsp: job.factoryMsp, reason: data.reason });
    tx.emit(EVENTS.JobDeclined, { jobId: job.id, partId: job.partId, factoryMsp: job.factoryMsp });
    return written;
  }

  /**
   * Report the actual start of an accepted job, naming the machine and the twin snapshot in force.
   * Earlier operations of the part must be finished.
   * @throws ACCESS_DENIED, ILLEGAL_TRANSITION, MACHINE_*, CALIBRATION_EXPIRED, TWIN_MISMATCH, CONFLICT
   */
  @Transaction()
  @Returns('string')
  async ReportStart(ctx: Context, jobId: string, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const data = S.parseArg(S.operationReport, 'input', input);
    const { job, part } = await this.factoryJob(tx, jobId, 'started');
    const report = await this.operationReport(tx, job, data);
    for (let i = 0; i < job.operationIndex; i++) {
      if (!(await this.operationFinished(tx, part.id, i))) {
        throw new ChaincodeError('CONFLICT', { reason: `operation ${i} of part ${part.id} is not finished; operation ${job.operationIndex} cannot start` });
      }
    }
    if (part.status !== 'in_production') assertTransition(part.id, part.status, 'in_production');
    const saved: Job = { ...job, status: 'started', start: report, updated: stamp(tx) };
    const written = await tx.putJson(tx.key(KEY.job, job.id), saved);
    await savePartWithEvent(tx, part, 'operation_started', reportData(job, report), { status: 'in_production' });
    tx.emit(EVENTS.OperationStarted, { jobId: job.id, partId: part.id, machineId: report.machineId, twinSnapshotId: report.twinSnapshotId });
    return written;
  }

  /**
   * Report the actual finish of a started job on the same machine.
   * @throws ACCESS_DENIED, ILLEGAL_TRANSITION, MACHINE_*, CALIBRATION_EXPIRED, TWIN_MISMATCH, INVALID_INPUT
   */
  @Transaction()
  @Returns('string')
  async ReportFinish(ctx: Context, jobId: string, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const data = S.parseArg(S.operationReport, 'input', input);
    const { job, part } = await this.factoryJob(tx, jobId, 'finished');
    if (job.start && job.start.machineId !== data.machineId) {
      throw new ChaincodeError('INVALID_INPUT', { field: 'input.machineId', reason: `job ${job.id} started on ${job.start.machineId}` });
    }
    const report = await this.operationReport(tx, job, data);
    const saved: Job = { ...job, status: 'finished', finish: report, updated: stamp(tx) };
    const written = await tx.putJson(tx.key(KEY.job, job.id), saved);
    await savePartWithEvent(tx, part, 'operation_finished', reportData(job, report));
    tx.emit(EVENTS.OperationFinished, { jobId: job.id, partId: part.id, machineId: report.machineId, twinSnapshotId: report.twinSnapshotId });
    return written;
  }

  /**
   * Record the QC result of a part whose operations are all finished. The factory that
   * finished the last operation records it and becomes the part's producer.
   * @throws ACCESS_DENIED, ILLEGAL_TRANSITION, CONFLICT
   */
  @Transaction()
  @Returns('string')
  async RecordQc(ctx: Context, partId: string, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'partId', partId);
    const data = S.parseArg(S.qcInput, 'input', input);
    requireRole(tx.caller, FACTORY_ROLES, 'RecordQc');
    const part = await getPart(tx, id);
    const order = await tx.mustGet<Order>(tx.key(KEY.order, part.orderId), 'order', part.orderId);
    const last = order.operations.length - 1;
    let lastJob: Job | undefined;
    for (let i = 0; i <= last; i++) {
      const finished = await this.operationFinished(tx, id, i);
      if (!finished) throw new ChaincodeError('CONFLICT', { reason: `operation ${i} of part ${id} is not finished; QC must wait` });
      if (i === last) lastJob = finished;
    }
    requireOrg(tx.caller, lastJob!.factoryMsp, `recording QC of part ${id}`);
    const to = data.result === 'pass' ? 'qc_passed' : 'qc_failed';
    assertTransition(id, part.status, to);
    const qc: QcRecord = { result: data.result, reportHash: data.reportHash, measurements: data.measurements, recorded: stamp(tx), dispute: null };
    const saved = await savePartWithEvent(tx, part, 'qc_recorded', { result: qc.result, reportHash: qc.reportHash, measurements: qc.measurements }, {
      status: to, qc, producerMsp: tx.caller.mspId,
    });
    tx.emit(EVENTS.QcRecorded, { partId: id, result: qc.result, producerMsp: tx.caller.mspId });
    return canonicalJson(saved);
  }

  /**
   * The part's buyer disputes its QC result.
   * @throws ACCESS_DENIED, ILLEGAL_TRANSITION when there is no QC yet, CONFLICT when a dispute is open
   */
  @Transaction()
  @Returns('string')
  async DisputeQc(ctx: Context, partId: string, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'partId', partId);
    const data = S.parseArg(S.disputeInput, 'input', input);
    requireRole(tx.caller, ['buyer', 'admin'], 'DisputeQc');
    const part = await getPart(tx, id);
    requireOrg(tx.caller, part.buyerMsp, `disputing QC of part ${id}`);
    if (!part.qc) throw new ChaincodeError('ILLEGAL_TRANSITION', { kind: 'part', id, from: part.status, to: 'qc_disputed' });
    if (part.qc.dispute && !part.qc.dispute.resolution) throw new ChaincodeError('CONFLICT', { reason: `QC of part ${id} is already disputed` });
    const qc: QcRecord = { ...part.qc, dispute: { reason: data.reason, evidenceHash: data.evidenceHash ?? null, opened: stamp(tx), resolution: null } };
    const saved = await savePartWithEvent(tx, part, 'qc_disputed', { reason: data.reason, evidenceHash: data.evidenceHash ?? null }, { qc });
    tx.emit(EVENTS.QcDisputed, { partId: id, buyerMsp: part.buyerMsp });
    return canonicalJson(saved);
  }

  /**
   * A consortium administrator resolves an open QC dispute. When upheld, the QC result
   * becomes `fail` (and a part still at `qc_passed` goes to `qc_failed`).
   * @throws ACCESS_DENIED, CONFLICT when no dispute is open
   */
  @Transaction()
  @Returns('string')
  async ResolveQcDispute(ctx: Context, partId: string, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'partId', partId);
    const data = S.parseArg(S.disputeResolution, 'input', input);
    requireConsortiumAdmin(tx.caller, await getConsortium(tx), 'ResolveQcDispute');
    const part = await getPart(tx, id);
    if (!part.qc?.dispute || part.qc.dispute.resolution) throw new ChaincodeError('CONFLICT', { reason: `QC of part ${id} has no open dispute` });
    const qc: QcRecord = {
      ...part.qc,
      result: data.upheld ? 'fail' : part.qc.result,
      dispute: { ...part.qc.dispute, resolution: { upheld: data.upheld, note: data.note, resolved: stamp(tx) } },
    };
    const changes: Partial<Part> = { qc };
    if (data.upheld && part.status === 'qc_passed') {
      assertTransition(id, part.status, 'qc_failed');
      Object.assign(changes, { status: 'qc_failed' });
    }
    const saved = await savePartWithEvent(tx, part, 'qc_dispute_resolved', { upheld: data.upheld, note: data.note }, changes);
    tx.emit(EVENTS.QcDisputeResolved, { partId: id, upheld: data.upheld });
    return canonicalJson(saved);
  }

  /** One job. @throws NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  async GetJob(ctx: Context, jobId: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'jobId', jobId);
    return canonicalJson(await tx.mustGet<Job>(tx.key(KEY.job, id), 'job', id));
  }

  /** A part's jobs, by operation then id. */
  @Transaction(false)
  @Returns('string')
  async ListPartJobs(ctx: Context, partId: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'partId', partId);
    const jobs: Job[] = [];
    for (const row of await tx.scan<unknown>(KEY.jobByPartOp, [id])) jobs.push(await tx.mustGet<Job>(tx.key(KEY.job, row.attributes[2]!), 'job', row.attributes[2]!));
    return canonicalJson(jobs);
  }

  /** A factory's jobs, by id. */
  @Transaction(false)
  @Returns('string')
  async ListFactoryJobs(ctx: Context, factoryMsp: string): Promise<string> {
    const tx = new Tx(ctx);
    const msp = S.parseValue(S.mspId, 'factoryMsp', factoryMsp);
    const jobs: Job[] = [];
    for (const row of await tx.scan<unknown>(KEY.jobByFactory, [msp])) jobs.push(await tx.mustGet<Job>(tx.key(KEY.job, row.attributes[1]!), 'job', row.attributes[1]!));
    return canonicalJson(jobs);
  }

  /** Load a job for its assigned factory and check the job transition. */
  private async factoryJob(tx: Tx, jobId: string, to: 'accepted' | 'declined' | 'started' | 'finished'): Promise<{ job: Job; part: Part }> {
    const id = S.parseValue(S.id, 'jobId', jobId);
    requireRole(tx.caller, FACTORY_ROLES, `job ${to}`);
    const job = await tx.mustGet<Job>(tx.key(KEY.job, id), 'job', id);
    requireOrg(tx.caller, job.factoryMsp, `job ${id} ${to}`);
    const from: Record<typeof to, Job['status']> = { accepted: 'assigned', declined: 'assigned', started: 'accepted', finished: 'started' };
    if (job.status !== from[to]) throw new ChaincodeError('ILLEGAL_TRANSITION', { kind: 'job', id, from: job.status, to });
    const part = await getPart(tx, job.partId);
    if (part.status === 'cancelled') throw new ChaincodeError('ILLEGAL_TRANSITION', { kind: 'part', id: part.id, from: part.status, to: `job ${to}` });
    return { job, part };
  }

  /** Check the machine and twin snapshot named by a report and build the report. */
  private async operationReport(tx: Tx, job: Job, data: { machineId: string; twinSnapshotId?: string | undefined; outputHash?: string | undefined; note?: string | undefined }): Promise<OperationReport> {
    const machine: Machine = await getMachine(tx, data.machineId);
    const refusal = machineIneligibility(machine, job.factoryMsp, job.process, tx.atMs);
    if (refusal) throw refusal;
    if (data.twinSnapshotId) {
      const snapshot = await tx.mustGet<TwinSnapshot>(tx.key(KEY.twin, data.twinSnapshotId), 'twin snapshot', data.twinSnapshotId);
      if (snapshot.machineId !== machine.id) {
        throw new ChaincodeError('TWIN_MISMATCH', { snapshotId: snapshot.id, snapshotMachineId: snapshot.machineId, machineId: machine.id });
      }
    }
    return {
      machineId: machine.id,
      twinSnapshotId: data.twinSnapshotId ?? null,
      machineEventSeq: machine.eventCount,
      outputHash: data.outputHash ?? null,
      note: data.note ?? null,
      reported: stamp(tx),
    };
  }

  /** The finished job of an operation, if any. */
  private async operationFinished(tx: Tx, partId: string, index: number): Promise<Job | undefined> {
    for (const row of await tx.scan<unknown>(KEY.jobByPartOp, [partId, opKey(index)])) {
      const job = await tx.getJson<Job>(tx.key(KEY.job, row.attributes[2]!));
      if (job?.status === 'finished') return job;
    }
    return undefined;
  }
}

function reportData(job: Job, report: OperationReport): Record<string, unknown> {
  return {
    jobId: job.id, operationIndex: job.operationIndex, process: job.process, factoryMsp: job.factoryMsp,
    machineId: report.machineId, machineEventSeq: report.machineEventSeq, twinSnapshotId: report.twinSnapshotId,
    outputHash: report.outputHash, note: report.note,
  };
}
