import { expect } from 'chai';
import { brandimarte } from './testing/bench-data';
import fc from 'fast-check';
import { checkPlan } from './checker';
import { Decoder } from './decoder';
import { SchedulingError } from './errors';
import { fjspToProblem, parseFjsp } from './fjsp-parser';
import { allocationLp, combinatorialBounds, loadLpSolver, type LpSolver, solveAllocationLp } from './lower-bounds';
import { compileProblem, MAKESPAN_ONLY, type SchedulingProblem } from './model';
import { scoreSchedule } from './plan';
import { solve } from './solver';


/** Exhaustive optimum over all chromosomes (insertion decoding reaches an optimal schedule). */
function bruteForceMakespan(problem: SchedulingProblem): number {
  const cp = compileProblem(problem);
  const dec = new Decoder(cp);
  const start = new Float64Array(cp.nOps);
  const machine = new Int32Array(cp.nOps);
  const counts = Array.from({ length: cp.nJobs }, (_, j) => cp.jobFirstOp[j + 1]! - cp.jobFirstOp[j]!);
  const seqs: number[][] = [];
  const rec = (prefix: number[]): void => {
    if (prefix.length === cp.nOps) { seqs.push(prefix.slice()); return; }
    for (let j = 0; j < cp.nJobs; j++) if (counts[j]! > 0) { counts[j]!--; prefix.push(j); rec(prefix); prefix.pop(); counts[j]!++; }
  };
  rec([]);
  let best = Infinity;
  const asg = new Int32Array(cp.nOps);
  const recAsg = (o: number): void => {
    if (o === cp.nOps) {
      for (const s of seqs) {
        dec.decode({ seq: Int32Array.from(s), asg }, start, machine);
        best = Math.min(best, scoreSchedule(cp, machine, start, MAKESPAN_ONLY).makespan);
      }
      return;
    }
    for (let e = cp.eligStart[o]!; e < cp.eligStart[o + 1]!; e++) { asg[o] = cp.eligMachine[e]!; recAsg(o + 1); }
  };
  recAsg(0);
  return best;
}

const TINY: SchedulingProblem = fjspToProblem(parseFjsp([
  '3 3',
  '2 2 0 3 1 5 2 1 4 2 2',
  '2 1 0 2 2 2 6 1 3',
  '3 1 2 4 2 0 3 1 3 1 1 2',
].join('\n')));

describe('scheduling/solve', function () {
  this.timeout(60000);
  let lp: LpSolver;
  before(async () => { lp = await loadLpSolver(); });

  it('solves a tiny instance to its (brute-force) optimum', async () => {
    const optimum = bruteForceMakespan(TINY);
    const r = await solve(TINY, { seed: 3, generations: 5, lp });
    expect(r.plan.makespan).to.equal(optimum);
    expect(checkPlan(TINY, r.plan).ok).to.equal(true);
  });

  it('is deterministic for a seed and a generation limit', async () => {
    const problem = fjspToProblem(parseFjsp(brandimarte('mk01')));
    const opts = { seed: 7, generations: 3, populationSize: 8, tabuNoImprove: 50, stopAtLowerBound: false, lp: false } as const;
    const a = await solve(problem, opts);
    const b = await solve(problem, opts);
    expect(b.plan).to.deep.equal(a.plan);
    expect(b.stats.tabuIterations).to.equal(a.stats.tabuIterations);
  });

  it('without a time limit, threads change nothing (the run stays a function of the seed)', async () => {
    const problem = fjspToProblem(parseFjsp(brandimarte('mk01')));
    const opts = { seed: 7, generations: 3, populationSize: 8, tabuNoImprove: 50, stopAtLowerBound: false, lp: false } as const;
    const a = await solve(problem, opts);
    const b = await solve(problem, { ...opts, threads: 2 });
    expect(b.plan).to.deep.equal(a.plan);
    expect(b.stats.tabuIterations).to.equal(a.stats.tabuIterations);
    expect(b.stats.islands).to.equal(1);
  });

  it('with a time limit and two threads, returns a checked plan from both islands in time', async () => {
    const problem = fjspToProblem(parseFjsp(brandimarte('mk06')));
    const one = await solve(problem, { seed: 2, timeLimitSeconds: 3, lp });
    const two = await solve(problem, { seed: 2, timeLimitSeconds: 3, threads: 2, lp });
    expect(checkPlan(problem, two.plan).violations).to.deep.equal([]);
    expect(two.stats.seconds).to.be.below(3 + 2);
    expect(one.stats.islands).to.equal(1);
    expect(two.stats.islands).to.equal(2);
    expect(two.plan.makespan).to.be.at.most(one.plan.makespan + 5);
  });

  it('LP bound ≤ best makespan on mk01, and ≥ the combinatorial average-load bound', async () => {
    const problem = fjspToProblem(parseFjsp(brandimarte('mk01')));
    const cp = compileProblem(problem);
    const bound = solveAllocationLp(cp, lp);
    const comb = combinatorialBounds(cp);
    const r = await solve(problem, { seed: 1, generations: 5, lp });
    expect(r.lowerBounds.lp).to.be.closeTo(bound.bound, 1e-6);
    expect(bound.bound).to.be.at.most(r.plan.makespan);
    expect(bound.bound).to.be.at.least(comb.averageLoad - 1);
    expect(comb.best).to.be.at.most(r.plan.makespan);
    expect(r.plan.makespan).to.be.at.most(42); // best known 40; dispatching gives 43
    // the fractional assignment sums to 1 per operation
    for (let o = 0; o < cp.nOps; o++) {
      let s = 0;
      for (let k = 0; k < cp.nMachines; k++) s += bound.share[o * cp.nMachines + k]!;
      expect(s).to.be.closeTo(1, 1e-6);
    }
    expect(allocationLp(cp)).to.match(/^Minimize\n obj: C\nSubject To\n/);
  });

  it('plans from random valid small instances always pass the checker', async () => {
    const instance = fc.integer({ min: 1, max: 3 }).chain((nMachines) => fc.record({
      factories: fc.array(fc.constantFrom('A', 'B'), { minLength: nMachines, maxLength: nMachines }),
      windows: fc.array(fc.option(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 6 })), { nil: undefined }), { minLength: nMachines, maxLength: nMachines }),
      transport: fc.integer({ min: 0, max: 4 }),
      jobs: fc.array(fc.record({
        release: fc.integer({ min: 0, max: 5 }),
        due: fc.integer({ min: 1, max: 30 }),
        ops: fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: nMachines - 1 }), fc.integer({ min: 0, max: 6 })), { minLength: 1, maxLength: nMachines }), { minLength: 1, maxLength: 3 }),
      }), { minLength: 1, maxLength: 4 }),
      weights: fc.constantFrom(MAKESPAN_ONLY, { makespan: 1, tardiness: 2, cost: 0.1 }, { makespan: 0, tardiness: 1, cost: 0 }),
    }));
    await fc.assert(fc.asyncProperty(instance, fc.integer({ min: 1, max: 1000 }), async (x, seed) => {
      const problem: SchedulingProblem = {
        machines: x.factories.map((f, k) => ({ id: `M${k}`, factory: f, ...(x.windows[k] ? { unavailable: [{ start: x.windows[k]![0], end: x.windows[k]![0] + x.windows[k]![1] }] } : {}) })),
        transport: [{ from: 'A', to: 'B', time: x.transport, cost: 1 }].filter(() => x.factories.includes('A') && x.factories.includes('B')),
        jobs: x.jobs.map((j, i) => ({
          id: `J${i}`, release: j.release, due: j.due,
          operations: j.ops.map((opts) => ({ options: [...new Map(opts.map(([k, d]) => [k, d])).entries()].map(([k, d]) => ({ machine: `M${k}`, duration: d, cost: k })) })),
        })),
      };
      const r = await solve(problem, { seed, generations: 2, populationSize: 6, tabuNoImprove: 20, weights: x.weights, lp, pareto: true });
      expect(checkPlan(problem, r.plan).violations).to.deep.equal([]);
      for (const p of r.pareto ?? []) expect(checkPlan(problem, p).ok).to.equal(true);
      expect(r.plan.makespan).to.be.at.least(Math.floor(r.lowerBounds.best));
    }), { numRuns: 40, seed: 42 });
  });

  it('returns a non-dominated Pareto set', async () => {
    const problem: SchedulingProblem = {
      machines: [{ id: 'cheap' }, { id: 'fast' }],
      jobs: [0, 1, 2].map((i) => ({ id: `J${i}`, operations: [{ options: [{ machine: 'cheap', duration: 4, cost: 1 }, { machine: 'fast', duration: 2, cost: 5 }] }] })),
    };
    const r = await solve(problem, { seed: 1, generations: 10, pareto: true, lp: false, weights: { makespan: 1, tardiness: 0, cost: 1 } });
    const set = r.pareto!;
    expect(set.length).to.be.greaterThan(1);
    for (const a of set) for (const b of set) {
      if (a === b) continue;
      const dominates = b.makespan <= a.makespan && b.totalWeightedTardiness <= a.totalWeightedTardiness && b.cost <= a.cost
        && (b.makespan < a.makespan || b.totalWeightedTardiness < a.totalWeightedTardiness || b.cost < a.cost);
      expect(dominates).to.equal(false);
    }
  });

  it('lists missed due dates when they cannot all be met', async () => {
    const problem: SchedulingProblem = {
      machines: [{ id: 'M' }],
      jobs: [{ id: 'a', due: 3, operations: [{ options: [{ machine: 'M', duration: 3 }] }] }, { id: 'b', due: 3, weight: 2, operations: [{ options: [{ machine: 'M', duration: 3 }] }] }],
    };
    const r = await solve(problem, { seed: 1, generations: 5, lp: false, weights: { makespan: 0, tardiness: 1, cost: 0 } });
    expect(r.plan.lateJobs).to.deep.equal([{ job: 'a', due: 3, completion: 6, tardiness: 3 }]); // the heavier job goes first
    expect(r.plan.totalWeightedTardiness).to.equal(3);
  });

  describe('input validation names the job and operation', () => {
    const base = (ops: unknown): SchedulingProblem => ({ machines: [{ id: 'M0' }], jobs: [{ id: 'J', operations: ops as never }] });
    const cases: [string, SchedulingProblem, string, Record<string, unknown>][] = [
      ['unknown machine', base([{ options: [{ machine: 'X', duration: 1 }] }]), 'UNKNOWN_MACHINE', { job: 'J', operation: '0', machine: 'X' }],
      ['operation without machine', base([{ options: [{ machine: 'M0', duration: 1 }] }, { id: 'weld', options: [] }]), 'NO_ELIGIBLE_MACHINE', { job: 'J', operation: 'weld' }],
      ['negative time', base([{ options: [{ machine: 'M0', duration: -1 }] }]), 'NEGATIVE_TIME', { where: 'job J operation 0 on M0', field: 'duration' }],
      ['job without operations', base([]), 'NO_OPERATIONS', { job: 'J' }],
      ['unknown transport factory', { ...base([{ options: [{ machine: 'M0', duration: 1 }] }]), transport: [{ from: '', to: 'Z', time: 1 }] }, 'UNKNOWN_FACTORY', { factory: 'Z' }],
    ];
    for (const [name, problem, code, details] of cases) {
      it(name, async () => {
        try {
          await solve(problem, { lp: false, generations: 1 });
        } catch (e) {
          expect(e).to.be.instanceOf(SchedulingError);
          expect((e as SchedulingError).code).to.equal(code);
          expect((e as SchedulingError).details).to.include(details);
          return;
        }
        expect.fail('expected an error');
      });
    }
  });
});
