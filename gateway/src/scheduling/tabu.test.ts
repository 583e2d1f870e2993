import { expect } from 'chai';
import fc from 'fast-check';
import { checkPlan } from './checker';
import { SMALL } from './checker.test';
import { Decoder } from './decoder';
import { fjspToProblem, parseFjsp } from './fjsp-parser';
import { type CompiledProblem, compileProblem, MAKESPAN_ONLY, type ObjectiveWeights, type SchedulingProblem } from './model';
import { buildPlan } from './plan';
import { Rng } from '../common/rng';
import { SequenceState, TabuSearch } from './tabu';
import { brandimarte } from './testing/bench-data';

/** A state loaded from a random chromosome. */
function randomState(cp: CompiledProblem, rng: Rng, w: ObjectiveWeights = MAKESPAN_ONLY): SequenceState {
  const seq: number[] = [];
  for (let j = 0; j < cp.nJobs; j++) for (let o = cp.jobFirstFree[j]!; o < cp.jobFirstOp[j + 1]!; o++) seq.push(j);
  rng.shuffle(seq);
  const asg = new Int32Array(cp.nOps);
  for (let o = 0; o < cp.nOps; o++) asg[o] = cp.eligMachine[cp.eligStart[o]! + rng.int(cp.eligStart[o + 1]! - cp.eligStart[o]!)]!;
  const start = new Float64Array(cp.nOps);
  const machine = new Int32Array(cp.nOps);
  new Decoder(cp).decode({ seq: Int32Array.from(seq), asg }, start, machine);
  const s = new SequenceState(cp, w);
  s.load(machine, start);
  return s;
}

/**
 * Applies `moves` random moves, comparing `evaluateMove` with a full evaluation of a copy (objective
 * and every start). Returns the mismatches and how many moved states were acyclic.
 */
function compareIncremental(cp: CompiledProblem, rng: Rng, moves: number, w: ObjectiveWeights = MAKESPAN_ONLY): { mismatches: number; feasible: number } {
  const s = randomState(cp, rng, w);
  const copy = new SequenceState(cp, w);
  let mismatches = 0;
  let feasible = 0;
  for (let i = 0; i < moves; i++) {
    const o = rng.int(cp.nOps);
    const k = cp.eligMachine[cp.eligStart[o]! + rng.int(cp.eligStart[o + 1]! - cp.eligStart[o]!)]!;
    const fromK = s.asg[o]!;
    const fromPos = s.pos[o]!;
    s.move(o, k, rng.int(s.len[k]! - (k === fromK ? 1 : 0) + 1));
    const incremental = s.evaluateMove(o, fromK, fromPos);
    copy.copyFrom(s);
    const full = copy.evaluate(false);
    if (incremental !== full || (Number.isFinite(full) && copy.start.some((x, y) => x !== s.start[y]))) mismatches++;
    if (Number.isFinite(full)) feasible++;
    // keep some moves (a new base), undo the others, with or without restoring, or after a partial evaluation
    if (Number.isFinite(full) && rng.next() < 0.3) s.evaluate(true);
    else { s.move(o, fromK, fromPos); if (rng.next() < 0.5) s.restoreMove(); else if (rng.next() < 0.3) s.evaluate(false); }
  }
  return { mismatches, feasible };
}

describe('scheduling/SequenceState', () => {
  it('incremental move evaluation equals a full evaluation (mk01, random moves)', () => {
    const cp = compileProblem(fjspToProblem(parseFjsp(brandimarte('mk01'))));
    const r = compareIncremental(cp, new Rng(11), 3000);
    expect(r.mismatches).to.equal(0);
    expect(r.feasible).to.be.greaterThan(300);
  });

  it('incremental move evaluation equals a full one with factories, transport, windows and releases', () => {
    const weights = [MAKESPAN_ONLY, { makespan: 1, tardiness: 2, cost: 0.1 }, { makespan: 0, tardiness: 1, cost: 0 }];
    const instance = fc.record({
      nMachines: fc.integer({ min: 1, max: 4 }),
      transport: fc.integer({ min: 0, max: 4 }),
      window: fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 6 })),
      jobs: fc.array(fc.record({
        release: fc.integer({ min: 0, max: 5 }),
        due: fc.integer({ min: 1, max: 30 }),
        ops: fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 6 })), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
      }), { minLength: 2, maxLength: 5 }),
      weight: fc.integer({ min: 0, max: 2 }),
      seed: fc.integer({ min: 1, max: 1000 }),
    });
    fc.assert(fc.property(instance, (x) => {
      const problem: SchedulingProblem = {
        machines: Array.from({ length: x.nMachines }, (_, k) => ({ id: `M${k}`, factory: k % 2 ? 'A' : 'B', ...(k === 0 ? { unavailable: [{ start: x.window[0], end: x.window[0] + x.window[1] }] } : {}) })),
        transport: x.nMachines > 1 ? [{ from: 'A', to: 'B', time: x.transport, cost: 1 }] : [],
        jobs: x.jobs.map((j, i) => ({
          id: `J${i}`, release: j.release, due: j.due,
          operations: j.ops.map((opts) => ({ options: [...new Map(opts.map(([k, d]) => [k % x.nMachines, d])).entries()].map(([k, d]) => ({ machine: `M${k}`, duration: d, cost: k })) })),
        })),
      };
      expect(compareIncremental(compileProblem(problem), new Rng(x.seed), 60, weights[x.weight]!).mismatches).to.equal(0);
    }), { numRuns: 60, seed: 7 });
  });

  it('a job\'s last operation followed on its machine by the next job\'s first one is no cycle', () => {
    // J0 = (A), J1 = (A, B): A runs J0.0 then J1.0 — operations 0 and 1 are consecutive numbers
    const cp = compileProblem({
      machines: [{ id: 'A' }, { id: 'B' }],
      jobs: [
        { id: 'J0', operations: [{ options: [{ machine: 'A', duration: 2 }] }] },
        { id: 'J1', operations: [{ options: [{ machine: 'A', duration: 1 }] }, { options: [{ machine: 'B', duration: 1 }] }] },
      ],
    });
    const s = new SequenceState(cp, MAKESPAN_ONLY);
    s.load(Int32Array.from([0, 0, 1]), Float64Array.from([0, 2, 3]));
    expect(s.evaluate(false)).to.equal(4);
  });
});

describe('scheduling/TabuSearch', () => {
  const cp = compileProblem(fjspToProblem(parseFjsp(brandimarte('mk06'))));

  it('never returns a worse plan than it started from; the plan is feasible and has the claimed makespan', () => {
    for (const seed of [1, 2, 3]) {
      const rng = new Rng(seed);
      const s = randomState(cp, rng);
      const before = s.objective;
      const r = new TabuSearch(cp, MAKESPAN_ONLY).run(s, rng, { maxIterations: 3000, maxNoImprove: 300 });
      expect(r.objective).to.be.at.most(before);
      expect(r.iterations).to.be.greaterThan(0);
      const plan = buildPlan(cp, s.asg, s.start, MAKESPAN_ONLY);
      expect(checkPlan(cp.source, plan).violations).to.deep.equal([]);
      expect(plan.makespan).to.equal(r.objective);
    }
  });

  it('is deterministic for a seed', () => {
    const run = (): [number, number, number[]] => {
      const rng = new Rng(5);
      const s = randomState(cp, rng);
      const r = new TabuSearch(cp, MAKESPAN_ONLY).run(s, rng, { maxIterations: 2000, maxNoImprove: 400 });
      return [r.objective, r.iterations, Array.from(s.start)];
    };
    expect(run()).to.deep.equal(run());
  });

  it('keeps plans feasible on a problem with transport and windows', () => {
    const small = compileProblem(SMALL);
    const rng = new Rng(3);
    const s = randomState(small, rng);
    const r = new TabuSearch(small, MAKESPAN_ONLY).run(s, rng, { maxIterations: 200, maxNoImprove: 50 });
    const plan = buildPlan(small, s.asg, s.start, MAKESPAN_ONLY);
    expect(checkPlan(SMALL, plan).ok).to.equal(true);
    expect(plan.makespan).to.equal(r.objective);
  });
});
