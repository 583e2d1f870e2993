/**
 * The one feasibility checker. It reads the problem as the caller gave it (ids, not the compiled
 * arrays), so it is an independent oracle for the solver: every plan leaving the solver passes
 * through it, and the tests use it.
 */
import type { SchedulingProblem } from './model';

/** Kinds of violation, one code each. */
export type ViolationCode =
  | 'MISSING_OPERATION' | 'DUPLICATE_OPERATION' | 'UNKNOWN_OPERATION' | 'INELIGIBLE_MACHINE' | 'WRONG_DURATION'
  | 'PRECEDENCE' | 'TRANSPORT' | 'OVERLAP' | 'UNAVAILABLE' | 'FIXED_CHANGED' | 'RELEASE' | 'NOT_BEFORE' | 'INVALID_TIME';

/** One broken constraint, naming the job and operation. */
export interface Violation {
  readonly code: ViolationCode;
  readonly job: string;
  readonly operation: number;
  readonly machine?: string;
  readonly message: string;
}

/** The part of a plan the checker reads. */
export interface CheckablePlan {
  readonly operations: ReadonlyArray<{ readonly job: string; readonly operation: number; readonly machine: string; readonly start: number; readonly end: number }>;
}

/** Checker verdict. */
export interface CheckResult {
  readonly ok: boolean;
  readonly violations: readonly Violation[];
}

const EPS = 1e-6;

/**
 * Checks a plan against every hard constraint: each operation exactly once, on an eligible
 * machine for its duration; routing precedence plus transport time between factories; no two
 * operations overlapping on a machine; no operation in an unavailability window; fixed
 * operations unchanged; release dates and `notBefore` respected. Due dates are soft (see
 * `Plan.lateJobs`). Assumes a problem that passed validation.
 */
export function checkPlan(problem: SchedulingProblem, plan: CheckablePlan): CheckResult {
  const v: Violation[] = [];
  const machines = new Map(problem.machines.map((m) => [m.id, m]));
  const factoryOf = (id: string): string => machines.get(id)?.factory ?? '';
  const transport = new Map<string, number>();
  for (const t of problem.transport ?? []) {
    transport.set(`${t.from}\u0000${t.to}`, t.time);
    if (t.symmetric ?? true) transport.set(`${t.to}\u0000${t.from}`, t.time);
  }
  const travel = (a: string, b: string): number => transport.get(`${a}\u0000${b}`) ?? 0;
  const jobs = new Map(problem.jobs.map((j) => [j.id, j]));
  const at = new Map<string, CheckablePlan['operations'][number]>();
  for (const op of plan.operations) {
    const job = jobs.get(op.job);
    if (!job || !Number.isInteger(op.operation) || op.operation < 0 || op.operation >= job.operations.length) {
      v.push({ code: 'UNKNOWN_OPERATION', job: op.job, operation: op.operation, message: `no operation ${op.operation} in job ${op.job}` });
      continue;
    }
    const key = `${op.job}\u0000${op.operation}`;
    if (at.has(key)) { v.push({ code: 'DUPLICATE_OPERATION', job: op.job, operation: op.operation, message: 'scheduled twice' }); continue; }
    at.set(key, op);
    if (!Number.isFinite(op.start) || !Number.isFinite(op.end) || op.start < 0) {
      v.push({ code: 'INVALID_TIME', job: op.job, operation: op.operation, message: `start ${op.start}, end ${op.end}` });
    }
    const option = job.operations[op.operation]!.options.find((o) => o.machine === op.machine);
    if (!option) {
      v.push({ code: 'INELIGIBLE_MACHINE', job: op.job, operation: op.operation, machine: op.machine, message: `machine ${op.machine} is not eligible` });
    } else if (Math.abs(op.end - op.start - option.duration) > EPS) {
      v.push({ code: 'WRONG_DURATION', job: op.job, operation: op.operation, machine: op.machine, message: `runs ${op.end - op.start}, needs ${option.duration}` });
    }
  }
  for (const job of problem.jobs) {
    let prev: CheckablePlan['operations'][number] | undefined;
    job.operations.forEach((_, i) => {
      const op = at.get(`${job.id}\u0000${i}`);
      if (!op) { v.push({ code: 'MISSING_OPERATION', job: job.id, operation: i, message: 'not scheduled' }); prev = undefined; return; }
      if (i === 0 && op.start < (job.release ?? 0) - EPS) {
        v.push({ code: 'RELEASE', job: job.id, operation: i, message: `starts at ${op.start}, released at ${job.release}` });
      }
      if (prev) {
        const gap = travel(factoryOf(prev.machine), factoryOf(op.machine));
        if (op.start < prev.end - EPS) {
          v.push({ code: 'PRECEDENCE', job: job.id, operation: i, message: `starts at ${op.start} before operation ${i - 1} ends at ${prev.end}` });
        } else if (op.start < prev.end + gap - EPS) {
          v.push({ code: 'TRANSPORT', job: job.id, operation: i, message: `starts at ${op.start}, transport from operation ${i - 1} arrives at ${prev.end + gap}` });
        }
      }
      prev = op;
    });
  }
  const fixedKeys = new Set<string>();
  for (const f of problem.fixed ?? []) {
    const key = `${f.job}\u0000${f.operation}`;
    fixedKeys.add(key);
    const op = at.get(key);
    if (op && (op.machine !== f.machine || Math.abs(op.start - f.start) > EPS)) {
      v.push({ code: 'FIXED_CHANGED', job: f.job, operation: f.operation, machine: op.machine, message: `fixed on ${f.machine} at ${f.start}, planned on ${op.machine} at ${op.start}` });
    }
  }
  const notBefore = problem.notBefore ?? 0;
  const byMachine = new Map<string, CheckablePlan['operations'][number][]>();
  for (const op of at.values()) {
    if (!fixedKeys.has(`${op.job}\u0000${op.operation}`) && op.start < notBefore - EPS) {
      v.push({ code: 'NOT_BEFORE', job: op.job, operation: op.operation, message: `starts at ${op.start} before ${notBefore}` });
    }
    const list = byMachine.get(op.machine) ?? [];
    list.push(op);
    byMachine.set(op.machine, list);
  }
  for (const [id, list] of byMachine) {
    list.sort((a, b) => a.start - b.start || a.end - b.end);
    let a: CheckablePlan['operations'][number] | undefined; // the operation reaching furthest so far
    for (const b of list) {
      if (b.end <= b.start) continue; // zero-length operations occupy nothing
      if (a && b.start < a.end - EPS) {
        v.push({ code: 'OVERLAP', job: b.job, operation: b.operation, machine: id, message: `overlaps job ${a.job} operation ${a.operation} on ${id}` });
      }
      if (!a || b.end > a.end) a = b;
    }
    for (const w of machines.get(id)?.unavailable ?? []) {
      for (const op of list) {
        if (op.start < w.end - EPS && op.end > w.start + EPS) {
          v.push({ code: 'UNAVAILABLE', job: op.job, operation: op.operation, machine: id, message: `runs in [${op.start}, ${op.end}) while ${id} is unavailable in [${w.start}, ${w.end})` });
        }
      }
    }
  }
  return { ok: v.length === 0, violations: v };
}
