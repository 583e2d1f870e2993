/**
 * Strict reader for flexible job-shop benchmark files: the Brandimarte layout used by
 * /work/shared/bench/fjsp (header `jobs machines`, machines numbered from 0) and the classic
 * FJSPLIB `.fjs` layout (header `jobs machines average-flexibility`, machines numbered from 1).
 */
import { SchedulingError } from './errors';
import type { SchedulingProblem } from './model';

/** Which layout a file uses. */
export type FjspFormat = 'brandimarte' | 'fjsplib';

/** A parsed benchmark instance; machine indices are normalised to start at 0. */
export interface FjspInstance {
  readonly format: FjspFormat;
  readonly machines: number;
  /** `jobs[j][o]` lists the eligible `{machine, time}` pairs of operation o of job j. */
  readonly jobs: ReadonlyArray<ReadonlyArray<ReadonlyArray<{ readonly machine: number; readonly time: number }>>>;
}

function fail(line: number, reason: string): never {
  throw new SchedulingError('FJSP_PARSE', { line, reason });
}

function int(token: string, line: number, what: string, min: number): number {
  if (!/^[+-]?\d+$/.test(token)) fail(line, `${what} must be an integer, got "${token}"`);
  const v = Number(token);
  if (v < min) fail(line, `${what} must be >= ${min}, got ${v}`);
  return v;
}

/**
 * Parses a Brandimarte or FJSPLIB file. The layout is detected from the header (two numbers:
 * Brandimarte, machines from 0; three numbers: FJSPLIB, machines from 1) unless `format` is given.
 * Blank lines are ignored; each job is one line with nothing after its last operation.
 * @throws SchedulingError `FJSP_PARSE` with the 1-based `line` and a reason.
 */
export function parseFjsp(text: string, format?: FjspFormat): FjspInstance {
  const lines = text.split(/\r?\n/).map((l, i) => ({ no: i + 1, tokens: l.trim().split(/\s+/).filter((t) => t.length > 0) }))
    .filter((l) => l.tokens.length > 0);
  const header = lines[0];
  if (!header) fail(1, 'empty file');
  if (header.tokens.length !== 2 && header.tokens.length !== 3) {
    fail(header.no, `header must be "jobs machines" or "jobs machines average-flexibility", got ${header.tokens.length} numbers`);
  }
  const detected: FjspFormat = header.tokens.length === 3 ? 'fjsplib' : 'brandimarte';
  const fmt = format ?? detected;
  const nJobs = int(header.tokens[0]!, header.no, 'number of jobs', 1);
  const nMachines = int(header.tokens[1]!, header.no, 'number of machines', 1);
  if (header.tokens.length === 3 && !/^\d+(\.\d+)?$/.test(header.tokens[2]!)) {
    fail(header.no, `average flexibility must be a number, got "${header.tokens[2]}"`);
  }
  const base = fmt === 'fjsplib' ? 1 : 0;
  if (lines.length - 1 < nJobs) fail((lines[lines.length - 1]?.no ?? 1) + 1, `expected ${nJobs} job lines, found ${lines.length - 1}`);
  if (lines.length - 1 > nJobs) fail(lines[nJobs + 1]!.no, `unexpected content after the ${nJobs} job lines`);
  const jobs = lines.slice(1).map((l, j) => {
    const t = l.tokens;
    let i = 0;
    const next = (what: string, min: number): number => {
      const tok = t[i++];
      if (tok === undefined) fail(l.no, `job ${j + 1}: line ends early, expected ${what}`);
      return int(tok, l.no, `job ${j + 1}: ${what}`, min);
    };
    const nOps = next('number of operations', 1);
    const ops = [];
    for (let o = 0; o < nOps; o++) {
      const k = next(`operation ${o + 1}: number of machines`, 1);
      if (k > nMachines) fail(l.no, `job ${j + 1}: operation ${o + 1} lists ${k} machines, the shop has ${nMachines}`);
      const opts: { machine: number; time: number }[] = [];
      for (let x = 0; x < k; x++) {
        const m = next(`operation ${o + 1}: machine`, base);
        if (m - base >= nMachines) fail(l.no, `job ${j + 1}: operation ${o + 1}: machine ${m} out of range (${base}..${nMachines - 1 + base})`);
        const time = next(`operation ${o + 1}: processing time`, 0);
        if (opts.some((p) => p.machine === m - base)) fail(l.no, `job ${j + 1}: operation ${o + 1}: machine ${m} listed twice`);
        opts.push({ machine: m - base, time });
      }
      ops.push(opts);
    }
    if (i !== t.length) fail(l.no, `job ${j + 1}: ${t.length - i} extra numbers after the last operation`);
    return ops;
  });
  return { format: fmt, machines: nMachines, jobs };
}

/** Turns a benchmark instance into a {@link SchedulingProblem}: one factory, machines `M0..`, jobs `J0..`. */
export function fjspToProblem(instance: FjspInstance): SchedulingProblem {
  return {
    machines: Array.from({ length: instance.machines }, (_, k) => ({ id: `M${k}` })),
    jobs: instance.jobs.map((ops, j) => ({
      id: `J${j}`,
      operations: ops.map((opts) => ({ options: opts.map((o) => ({ machine: `M${o.machine}`, duration: o.time })) })),
    })),
  };
}
