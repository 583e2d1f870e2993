import { expect } from 'chai';
import { checkPlan, type CheckablePlan, type ViolationCode } from './checker';
import { compileProblem, type SchedulingProblem } from './model';
import { Decoder } from './decoder';
import { buildPlan } from './plan';
import { MAKESPAN_ONLY } from './model';

/** Two factories (A: M0, M1; B: M2), transport A<->B 3, M1 down in [10, 14), job J1 released at 2. */
export const SMALL: SchedulingProblem = {
  machines: [{ id: 'M0', factory: 'A' }, { id: 'M1', factory: 'A', unavailable: [{ start: 10, end: 14 }] }, { id: 'M2', factory: 'B' }],
  transport: [{ from: 'A', to: 'B', time: 3, cost: 5 }],
  jobs: [
    { id: 'J0', operations: [{ options: [{ machine: 'M0', duration: 4 }, { machine: 'M2', duration: 3 }] }, { options: [{ machine: 'M1', duration: 5 }] }] },
    { id: 'J1', release: 2, operations: [{ options: [{ machine: 'M0', duration: 2 }] }, { options: [{ machine: 'M2', duration: 4, cost: 7 }, { machine: 'M1', duration: 6 }] }] },
  ],
};

type Op = { job: string; operation: number; machine: string; start: number; end: number };
// A valid plan: J0.0 M0 [0,4), J0.1 M1 [4,9), J1.0 M0 [4,6), J1.1 M2 [9,13) (transport A->B: 6+3)
const VALID: Op[] = [
  { job: 'J0', operation: 0, machine: 'M0', start: 0, end: 4 },
  { job: 'J0', operation: 1, machine: 'M1', start: 4, end: 9 },
  { job: 'J1', operation: 0, machine: 'M0', start: 4, end: 6 },
  { job: 'J1', operation: 1, machine: 'M2', start: 9, end: 13 },
];

function codes(problem: SchedulingProblem, ops: Op[]): ViolationCode[] {
  return checkPlan(problem, { operations: ops } as CheckablePlan).violations.map((v) => v.code);
}
function edit(i: number, change: Partial<Op>): Op[] {
  return VALID.map((o, x) => (x === i ? { ...o, ...change } : o));
}

describe('scheduling/checkPlan', () => {
  it('accepts a valid plan', () => {
    expect(checkPlan(SMALL, { operations: VALID })).to.deep.equal({ ok: true, violations: [] });
  });
  it('rejects a missing operation', () => expect(codes(SMALL, VALID.slice(1))).to.include('MISSING_OPERATION'));
  it('rejects a duplicated operation', () => expect(codes(SMALL, [...VALID, VALID[0]!])).to.include('DUPLICATE_OPERATION'));
  it('rejects an unknown operation', () => expect(codes(SMALL, [...VALID, { ...VALID[0]!, operation: 5 }])).to.include('UNKNOWN_OPERATION'));
  it('rejects an ineligible machine', () => expect(codes(SMALL, edit(1, { machine: 'M0', start: 6, end: 11 }))).to.include('INELIGIBLE_MACHINE'));
  it('rejects a wrong duration', () => expect(codes(SMALL, edit(1, { end: 8 }))).to.deep.equal(['WRONG_DURATION']));
  it('rejects a precedence violation', () => expect(codes(SMALL, edit(1, { start: 3, end: 8 }))).to.include('PRECEDENCE'));
  it('rejects a missing transport time', () => expect(codes(SMALL, edit(3, { start: 7, end: 11 }))).to.deep.equal(['TRANSPORT']));
  it('rejects overlapping operations on a machine', () => expect(codes(SMALL, edit(2, { start: 3, end: 5 }))).to.include('OVERLAP'));
  it('rejects work in an unavailability window', () => expect(codes(SMALL, edit(1, { start: 8, end: 13 }))).to.deep.equal(['UNAVAILABLE']));
  it('rejects a start before the release date', () => {
    const ops = edit(2, { start: 1, end: 3 }).map((o) => (o.job === 'J0' && o.operation === 0 ? { ...o, start: 3, end: 7 } : o))
      .map((o) => (o.job === 'J0' && o.operation === 1 ? { ...o, start: 7, end: 12 } : o));
    expect(codes(SMALL, ops)).to.include('RELEASE');
  });
  it('rejects a moved fixed operation', () => {
    const problem = { ...SMALL, fixed: [{ job: 'J0', operation: 0, machine: 'M0', start: 0 }] };
    expect(codes(problem, VALID)).to.deep.equal([]);
    expect(codes(problem, edit(0, { machine: 'M2', start: 0, end: 3 }))).to.include('FIXED_CHANGED');
  });
  it('rejects free work before notBefore', () => {
    expect(codes({ ...SMALL, notBefore: 1 }, VALID)).to.include('NOT_BEFORE');
  });
  it('accepts what the decoder builds from any chromosome', () => {
    const cp = compileProblem(SMALL);
    const start = new Float64Array(cp.nOps);
    const machine = new Int32Array(cp.nOps);
    for (const seq of [[0, 0, 1, 1], [1, 0, 1, 0], [1, 1, 0, 0]]) {
      for (const m00 of [0, 2]) for (const m11 of [1, 2]) {
        new Decoder(cp).decode({ seq: Int32Array.from(seq), asg: Int32Array.from([m00, 1, 0, m11]) }, start, machine);
        const plan = buildPlan(cp, machine, start, MAKESPAN_ONLY);
        expect(checkPlan(SMALL, plan).violations).to.deep.equal([]);
      }
    }
  });
});
