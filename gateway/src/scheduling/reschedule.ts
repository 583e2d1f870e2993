/**
 * Rescheduling: repair a current plan after an event (a machine down for a window, or a new
 * order) with as little change as possible. Operations that started before `now`, and accepted
 * ones, stay fixed; the rest keep their machine and relative order and are re-inserted (right
 * shift into gaps), and an optional short GA/tabu run may improve the repair, paying a penalty
 * per operation moved to another machine.
 */
import type { CheckablePlan } from './checker';
import { Decoder } from './decoder';
import { SchedulingError } from './errors';
import { compileProblem, type FixedOperation, type JobSpec, MAKESPAN_ONLY, type ObjectiveWeights, type SchedulingProblem, type TimeWindow } from './model';
import { buildPlan, type Plan } from './plan';
import { assertFeasible, solveCompiled } from './solver';

/** What happened. */
export type RescheduleEvent =
  | { readonly kind: 'machineDown'; readonly machine: string; readonly window: TimeWindow }
  | { readonly kind: 'newOrder'; readonly job: JobSpec };

/** Input of {@link reschedule}. */
export interface RescheduleInput {
  /** The problem the current plan was made for (without the event). */
  readonly problem: SchedulingProblem;
  readonly plan: CheckablePlan;
  readonly event: RescheduleEvent;
  /** Current time: operations starting before it have started and stay fixed; nothing new starts before it. */
  readonly now: number;
  /** Operations accepted by their factory: kept fixed unless the event makes that impossible. */
  readonly accepted?: ReadonlyArray<{ readonly job: string; readonly operation: number }>;
  readonly weights?: ObjectiveWeights;
  /** Improve the repair with a short seeded GA/tabu run (default: no improvement, pure repair). */
  readonly improve?: {
    readonly seed?: number;
    readonly generations?: number;
    readonly timeLimitSeconds?: number;
    /** Objective penalty per operation moved to another machine (default 1). */
    readonly changePenalty?: number;
  };
}

/** Output of {@link reschedule}. */
export interface RescheduleResult {
  readonly plan: Plan;
  /** The problem actually solved: event applied, fixed operations and `notBefore` set. */
  readonly problem: SchedulingProblem;
  /** Operations of the old plan now on a different machine. */
  readonly changedAssignments: number;
  /** Operations of the old plan whose start time changed. */
  readonly movedOperations: number;
  readonly fixedOperations: number;
}

/**
 * Repairs `input.plan` after `input.event`; every returned plan passed the checker.
 * @throws SchedulingError `INVALID_PLAN` when the plan does not cover the problem; `INVALID_FIXED`
 *   when a started operation overlaps the new down window; validation codes of the new problem.
 */
export function reschedule(input: RescheduleInput): RescheduleResult {
  const { problem, event, now } = input;
  const w = input.weights ?? MAKESPAN_ONLY;
  const old = new Map(input.plan.operations.map((o) => [`${o.job}\u0000${o.operation}`, o]));
  for (const j of problem.jobs) {
    for (let i = 0; i < j.operations.length; i++) {
      if (!old.has(`${j.id}\u0000${i}`)) throw new SchedulingError('INVALID_PLAN', { reason: `job ${j.id} operation ${i} is not planned` });
    }
  }
  let machines = problem.machines;
  let jobs = problem.jobs;
  if (event.kind === 'machineDown') {
    if (!machines.some((m) => m.id === event.machine)) throw new SchedulingError('INVALID_PLAN', { reason: `unknown machine ${event.machine}` });
    machines = machines.map((m) => (m.id === event.machine ? { ...m, unavailable: [...(m.unavailable ?? []), event.window] } : m));
  } else {
    jobs = [...jobs, event.job];
  }
  const down = event.kind === 'machineDown' ? event : undefined;
  const hitsWindow = (o: { machine: string; start: number; end: number }): boolean =>
    !!down && o.machine === down.machine && o.start < down.window.end && o.end > down.window.start;
  const accepted = new Set((input.accepted ?? []).map((a) => `${a.job}\u0000${a.operation}`));
  // fixed = started, or accepted and still possible; then closed under predecessors and cut at
  // the first operation that cannot stay, so that each job's fixed operations form a prefix
  const fixed: FixedOperation[] = [];
  for (const j of problem.jobs) {
    let last = -1;
    for (let i = 0; i < j.operations.length; i++) {
      const o = old.get(`${j.id}\u0000${i}`)!;
      const started = o.start < now;
      if (started && hitsWindow(o)) {
        throw new SchedulingError('INVALID_FIXED', { job: j.id, operation: i, reason: 'started operation overlaps the new down window' });
      }
      if (started || (accepted.has(`${j.id}\u0000${i}`) && !hitsWindow(o))) last = i;
    }
    for (let i = 0; i <= last; i++) {
      const o = old.get(`${j.id}\u0000${i}`)!;
      if (hitsWindow(o)) break;
      fixed.push({ job: j.id, operation: i, machine: o.machine, start: o.start });
    }
  }
  const next: SchedulingProblem = { ...problem, machines, jobs, fixed, notBefore: Math.max(problem.notBefore ?? 0, now) };
  const cp = compileProblem(next);

  // repair chromosome: same machines, free operations in their old start order
  const asg = new Int32Array(cp.nOps);
  const reference = new Int32Array(cp.nOps).fill(-1);
  const keyed: { o: number; t: number }[] = [];
  for (let j = 0; j < cp.nJobs; j++) {
    for (let o = cp.jobFirstFree[j]!; o < cp.jobFirstOp[j + 1]!; o++) {
      const prev = old.get(`${cp.jobIds[j]}\u0000${o - cp.jobFirstOp[j]!}`);
      const k = prev ? cp.machineIndex.get(prev.machine) : undefined;
      if (k !== undefined && !Number.isNaN(cp.time[o * cp.nMachines + k]!)) {
        asg[o] = k;
        reference[o] = k;
      } else {
        let best = Infinity;
        for (let e = cp.eligStart[o]!; e < cp.eligStart[o + 1]!; e++) {
          const x = cp.eligMachine[e]!;
          if (cp.time[o * cp.nMachines + x]! < best) { best = cp.time[o * cp.nMachines + x]!; asg[o] = x; }
        }
      }
      keyed.push({ o, t: prev ? prev.start : Infinity });
    }
  }
  keyed.sort((a, b) => a.t - b.t || a.o - b.o);
  const seq = Int32Array.from(keyed.map((x) => cp.opJob[x.o]!));
  const start = new Float64Array(cp.nOps);
  const machine = new Int32Array(cp.nOps);
  new Decoder(cp).decode({ seq, asg }, start, machine);
  let plan = buildPlan(cp, machine, start, w);
  assertFeasible(cp, plan);
  if (input.improve) {
    const penalty = input.improve.changePenalty ?? 1;
    const r = solveCompiled(cp, {
      seed: input.improve.seed ?? 1,
      generations: input.improve.generations ?? 10,
      ...(input.improve.timeLimitSeconds !== undefined ? { timeLimitSeconds: input.improve.timeLimitSeconds } : {}),
      populationSize: 10,
      weights: w,
      initial: [{ seq, asg }],
      reference,
      changePenalty: penalty,
    });
    const changes = (p: Plan): number => countChanges(p, old);
    if (r.plan.objective + penalty * changes(r.plan) < plan.objective + penalty * changes(plan) - 1e-9) plan = r.plan;
  }
  let moved = 0;
  for (const op of plan.operations) {
    const o = old.get(`${op.job}\u0000${op.operation}`);
    if (o && Math.abs(o.start - op.start) > 1e-9) moved++;
  }
  return { plan, problem: next, changedAssignments: countChanges(plan, old), movedOperations: moved, fixedOperations: fixed.length };
}

function countChanges(plan: Plan, old: ReadonlyMap<string, { machine: string }>): number {
  let n = 0;
  for (const op of plan.operations) {
    const o = old.get(`${op.job}\u0000${op.operation}`);
    if (o && o.machine !== op.machine) n++;
  }
  return n;
}
