/**
 * The schedule service: turns orders on the ledger (read from the index) into a multi-factory
 * flexible job-shop problem, solves it in a worker thread (progress readable, cancellable),
 * and on acceptance anchors the plan (Merkle root over its assignments) and writes one job
 * assignment per operation referencing that anchor.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { canonicalJson, type Anchor, type Machine, type Order, type Part } from '@forgetrace/chaincode/api';
import { listAll, type QueryStore } from '../../indexer/store';
import type { LedgerClient } from '../../ledger/ledger-client';
import { LedgerError, type LedgerIdentity } from '../../ledger/port';
import type { JobSpec, MachineSpec, SchedulingProblem, TimeWindow } from '../model';
import type { Plan } from '../plan';
import type { SolveOptions, SolveResult } from '../solver';
import type { SolveWorkerMessage } from './solve-worker';

/** Solver name and version written into plan anchors. */
export const PLAN_ALGORITHM = 'forgetrace-lp-ga-tabu';
export const PLAN_ALGORITHM_VERSION = '1';
/** Leaf encoding of plan trees: part, operation index, machine, planned start and end (Unix seconds). */
export const PLAN_LEAF_ENCODING = ['string', 'uint256', 'string', 'uint256', 'uint256'] as const;
export type PlanLeaf = [partId: string, operationIndex: number, machineId: string, start: number, end: number];

/** What the caller asks for. */
export interface ScheduleRequest {
  readonly orders: readonly string[];
  /** Time zero of the plan (ISO-8601 UTC); default: the next full minute. */
  readonly startAt?: string;
  readonly weights?: { readonly makespan: number; readonly tardiness: number; readonly cost: number };
  readonly seed?: number;
  readonly timeLimitSeconds?: number;
  readonly generations?: number;
  readonly pareto?: boolean;
  /** Transport time between two factories, minutes (default 240). */
  readonly transportMinutes?: number;
  /** Operation duration when the order gives no estimate, minutes (default 60). */
  readonly defaultMinutes?: number;
}

/** A problem in the caller's words: which order or operation is wrong. */
export class ScheduleInputError extends Error {
  override readonly name = 'ScheduleInputError';
  constructor(readonly code: 'UNKNOWN_ORDER' | 'NOTHING_TO_SCHEDULE' | 'NO_ELIGIBLE_MACHINE' | 'ALREADY_SCHEDULED' | 'NOT_FOUND' | 'NOT_DONE' | 'ALREADY_ACCEPTED', message: string) {
    super(message);
  }
}

/** One operation as the API shows it (times as ISO and as minutes from `startAt`). */
export interface PlannedAssignment {
  readonly partId: string;
  readonly orderId: string;
  readonly operationIndex: number;
  readonly process: string;
  readonly machineId: string;
  readonly factoryMsp: string;
  readonly startMinute: number;
  readonly endMinute: number;
  readonly plannedStart: string;
  readonly plannedEnd: string;
}

export type ScheduleStatus = 'running' | 'done' | 'failed' | 'cancelled' | 'accepted';

export interface ScheduleRun {
  readonly id: string;
  status: ScheduleStatus;
  readonly request: ScheduleRequest & { readonly startAt: string };
  readonly inputHash: string;
  readonly createdBy: string;
  progress: { generation: number; bestObjective: number | null; seconds: number };
  result?: SolveResult;
  assignments?: PlannedAssignment[];
  error?: string;
  acceptance?: { anchorId: string; transactionId: string; jobIds: string[] };
}

/** Everything the problem builder needs to translate back. */
interface Context {
  readonly startMs: number;
  readonly parts: ReadonlyMap<string, { orderId: string; processes: string[] }>;
  readonly owners: ReadonlyMap<string, string>;
}

const minutesToIso = (startMs: number, minute: number) => new Date(startMs + minute * 60_000).toISOString().replace(/\.000Z$/, 'Z');

/**
 * Build the scheduling problem for `request` from the index: each part of each order is a job
 * with the order's routing; eligible machines are commissioned machines whose capabilities list
 * the operation's process and the order's material; factories are the machines' owners.
 * @throws ScheduleInputError naming the order or operation that is wrong
 */
export async function buildProblem(
  store: QueryStore,
  request: ScheduleRequest & { readonly startAt: string },
  unavailability: (machineId: string) => readonly TimeWindow[] = () => [],
): Promise<{ problem: SchedulingProblem; context: Context }> {
  const startMs = Date.parse(request.startAt);
  const machines = (await listAll((p) => store.listMachines({ status: 'commissioned', ...p }))).map((m) => m.data as Machine);
  const owners = new Map(machines.map((m) => [m.id, m.ownerMsp]));
  const jobs: JobSpec[] = [];
  const parts = new Map<string, { orderId: string; processes: string[] }>();
  for (const orderId of request.orders) {
    const order = (await store.getOrder(orderId))?.data as Order | undefined;
    if (!order) throw new ScheduleInputError('UNKNOWN_ORDER', `order ${orderId} is not on the ledger (or not indexed yet)`);
    if (order.status !== 'open') throw new ScheduleInputError('NOTHING_TO_SCHEDULE', `order ${orderId} is ${order.status}`);
    const options = order.operations.map((op, i) => {
      const eligible = machines.filter((m) => m.capabilities.processes.includes(op.process) && (m.capabilities.materials.length === 0 || m.capabilities.materials.includes(order.spec.material)));
      if (eligible.length === 0) throw new ScheduleInputError('NO_ELIGIBLE_MACHINE', `order ${orderId} operation ${i} (${op.process}, material ${order.spec.material}): no commissioned machine can do it`);
      const minutes = op.estimatedMinutes ?? request.defaultMinutes ?? 60;
      return { options: eligible.map((m) => ({ machine: m.id, duration: minutes })) };
    });
    const due = Math.max(0, Math.floor((Date.parse(order.dueDate) - startMs) / 60_000));
    for (const partId of order.partIds) {
      const part = (await store.getPart(partId))?.data as Part | undefined;
      if (!part || part.status === 'cancelled' || part.status === 'shipped' || part.status === 'delivered') continue;
      const active = (await store.listJobs({ partId, limit: 500 })).items.filter((j) => j.data.status !== 'declined' && j.data.status !== 'cancelled');
      if (active.length > 0) throw new ScheduleInputError('ALREADY_SCHEDULED', `part ${partId} of order ${orderId} already has job ${active[0]!.data.id} (${active[0]!.data.status}); plan only parts without active jobs`);
      jobs.push({ id: partId, operations: options, due });
      parts.set(partId, { orderId, processes: order.operations.map((o) => o.process) });
    }
  }
  if (jobs.length === 0) throw new ScheduleInputError('NOTHING_TO_SCHEDULE', `orders ${request.orders.join(', ')} have no parts left to schedule`);
  const used = new Set(jobs.flatMap((j) => j.operations.flatMap((o) => o.options.map((x) => x.machine))));
  const machineSpecs: MachineSpec[] = machines.filter((m) => used.has(m.id)).map((m) => {
    const windows = unavailability(m.id);
    return { id: m.id, factory: m.ownerMsp, ...(windows.length > 0 ? { unavailable: windows } : {}) };
  });
  const factories = [...new Set(machineSpecs.map((m) => m.factory!))].sort();
  const transport = factories.flatMap((a, i) => factories.slice(i + 1).map((b) => ({ from: a, to: b, time: request.transportMinutes ?? 240 })));
  return { problem: { machines: machineSpecs, jobs, transport }, context: { startMs, parts, owners } };
}

/** The Merkle leaves of a plan's assignments, in plan order. */
export function planLeaves(assignments: readonly PlannedAssignment[]): PlanLeaf[] {
  return assignments.map((a) => [a.partId, a.operationIndex, a.machineId, Date.parse(a.plannedStart) / 1000, Date.parse(a.plannedEnd) / 1000]);
}

/** Merkle root (0x hex) of a plan's leaves, as an auditor recomputes it. */
export function planRoot(leaves: readonly PlanLeaf[]): string {
  return StandardMerkleTree.of(leaves.map((l) => [...l]), [...PLAN_LEAF_ENCODING]).root;
}

export interface ScheduleServiceOptions {
  readonly store: QueryStore;
  readonly ledger: LedgerClient;
  /** Predicted downtime per machine, in minutes from the plan's start (e.g. from twin predictions). */
  readonly unavailability?: (machineId: string, startMs: number) => readonly TimeWindow[];
  /** Longest time limit a caller may ask for (default 120 s). */
  readonly maxTimeLimitSeconds?: number;
  /** Most runs kept in memory (default 100; the oldest finished ones are dropped). */
  readonly maxRuns?: number;
}

/** Runs schedules for one gateway. Runs live in memory: a restart forgets unaccepted ones. */
export class ScheduleService {
  private readonly runs = new Map<string, ScheduleRun>();
  private readonly workers = new Map<string, Worker>();

  constructor(private readonly options: ScheduleServiceOptions) {}

  /** Validate, build the problem and start solving. @throws ScheduleInputError */
  async start(request: ScheduleRequest, createdBy: string): Promise<ScheduleRun> {
    const startAt = request.startAt ?? new Date(Math.ceil(Date.now() / 60_000) * 60_000).toISOString().replace(/\.000Z$/, 'Z');
    const full = { ...request, startAt };
    const startMs = Date.parse(startAt);
    const { problem, context } = await buildProblem(this.options.store, full, (m) => this.options.unavailability?.(m, startMs) ?? []);
    const solveOptions: SolveOptions = {
      seed: request.seed ?? 1,
      ...(request.timeLimitSeconds !== undefined ? { timeLimitSeconds: Math.min(request.timeLimitSeconds, this.options.maxTimeLimitSeconds ?? 120) } : {}),
      ...(request.generations !== undefined ? { generations: request.generations } : {}),
      ...(request.weights ? { weights: request.weights } : {}),
      ...(request.pareto ? { pareto: true } : {}),
    };
    const inputHash = createHash('sha256').update(canonicalJson({ problem, options: solveOptions, startAt })).digest('hex');
    const id = `S-${randomBytes(6).toString('hex')}`;
    const run: ScheduleRun = { id, status: 'running', request: full, inputHash, createdBy, progress: { generation: 0, bestObjective: null, seconds: 0 } };
    this.remember(run);
    const worker = new Worker(join(__dirname, 'solve-worker.js'), { workerData: { problem, options: solveOptions } });
    this.workers.set(id, worker);
    worker.on('message', (m: SolveWorkerMessage) => {
      if (m.kind === 'progress') run.progress = { generation: m.generation, bestObjective: m.bestObjective, seconds: m.seconds };
      else if (m.kind === 'done') {
        run.result = m.result;
        run.progress = { generation: m.result.stats.generations, bestObjective: m.result.plan.objective, seconds: m.result.stats.seconds };
        run.assignments = toAssignments(m.result.plan, context);
        run.status = 'done';
        void worker.terminate();
      } else {
        run.error = `${m.code}: ${m.message}`;
        run.status = 'failed';
        void worker.terminate();
      }
    });
    worker.on('error', (e) => {
      run.error = e.message;
      run.status = 'failed';
    });
    worker.on('exit', () => {
      this.workers.delete(id);
      if (run.status === 'running') {
        run.status = 'failed';
        run.error ??= 'the solver stopped without a result';
      }
    });
    return run;
  }

  get(id: string): ScheduleRun | undefined {
    return this.runs.get(id);
  }

  list(): ScheduleRun[] {
    return [...this.runs.values()].reverse();
  }

  /** Stop a running solve; its partial result is discarded. @throws ScheduleInputError */
  async cancel(id: string): Promise<ScheduleRun> {
    const run = this.runs.get(id);
    if (!run) throw new ScheduleInputError('NOT_FOUND', `no schedule ${id}`);
    if (run.status !== 'running') return run;
    run.status = 'cancelled';
    await this.workers.get(id)?.terminate();
    return run;
  }

  /**
   * Anchor the plan and assign its operations on the ledger. Idempotent: an anchor or job that
   * already exists (a retried acceptance) is taken as done.
   * @throws ScheduleInputError (NOT_FOUND, NOT_DONE), LedgerError
   */
  async accept(id: string, identity: LedgerIdentity): Promise<ScheduleRun> {
    const run = this.runs.get(id);
    if (!run) throw new ScheduleInputError('NOT_FOUND', `no schedule ${id}`);
    if (run.status === 'accepted') return run;
    if (run.status !== 'done' || !run.assignments) throw new ScheduleInputError('NOT_DONE', `schedule ${id} is ${run.status}; only a finished plan can be accepted`);
    const leaves = planLeaves(run.assignments);
    const root = planRoot(leaves);
    const anchorId = `plan-${root.slice(2, 26)}`;
    const starts = run.assignments.map((a) => a.plannedStart).sort();
    const ends = run.assignments.map((a) => a.plannedEnd).sort();
    const anchorInput = {
      id: anchorId, kind: 'schedule', merkleRoot: root.slice(2), leafCount: leaves.length, algorithm: PLAN_ALGORITHM, algorithmVersion: PLAN_ALGORITHM_VERSION,
      inputHash: run.inputHash, window: { from: starts[0]!, to: ends.at(-1)! },
    };
    let transactionId: string;
    try {
      transactionId = (await this.options.ledger.submit<Anchor>(identity, 'anchors:CreateAnchor', [anchorInput])).transactionId;
    } catch (e) {
      if (!(e instanceof LedgerError && e.code === 'ALREADY_EXISTS')) throw e;
      const existing = await this.options.ledger.evaluate<Anchor>(identity, 'anchors:GetAnchor', [anchorId]);
      if (existing.merkleRoot !== anchorInput.merkleRoot) throw e;
      transactionId = existing.recorded.txId;
    }
    const jobIds: string[] = [];
    for (const a of run.assignments) {
      const jobId = `${id}.${a.partId}.${a.operationIndex}`.slice(0, 64);
      try {
        await this.options.ledger.submit(identity, 'jobs:AssignJob', [{ id: jobId, partId: a.partId, operationIndex: a.operationIndex, factoryMsp: a.factoryMsp, machineId: a.machineId, plannedStart: a.plannedStart, plannedEnd: a.plannedEnd, scheduleAnchorId: anchorId }]);
      } catch (e) {
        if (!(e instanceof LedgerError && e.code === 'ALREADY_EXISTS')) throw e;
      }
      jobIds.push(jobId);
    }
    run.acceptance = { anchorId, transactionId, jobIds };
    run.status = 'accepted';
    return run;
  }

  /** Stop every running solve. */
  async close(): Promise<void> {
    for (const [id, w] of this.workers) {
      const run = this.runs.get(id);
      if (run && run.status === 'running') run.status = 'cancelled';
      await w.terminate();
    }
  }

  private remember(run: ScheduleRun): void {
    this.runs.set(run.id, run);
    const max = this.options.maxRuns ?? 100;
    for (const [id, r] of this.runs) {
      if (this.runs.size <= max) break;
      if (r.status !== 'running') this.runs.delete(id);
    }
  }
}

function toAssignments(plan: Plan, context: Context): PlannedAssignment[] {
  return plan.operations.map((o) => {
    const part = context.parts.get(o.job)!;
    return {
      partId: o.job, orderId: part.orderId, operationIndex: o.operation, process: part.processes[o.operation]!,
      machineId: o.machine, factoryMsp: context.owners.get(o.machine)!,
      startMinute: o.start, endMinute: o.end, plannedStart: minutesToIso(context.startMs, o.start), plannedEnd: minutesToIso(context.startMs, o.end),
    };
  });
}
