import { expect } from 'chai';
import { brandimarte } from './testing/bench-data';
import { checkPlan } from './checker';
import { fjspToProblem, parseFjsp } from './fjsp-parser';
import { reschedule } from './reschedule';
import { solve } from './solver';
import { SchedulingError } from './errors';


describe('scheduling/reschedule', function () {
  this.timeout(60000);
  let problem: ReturnType<typeof fjspToProblem>;
  let current: Awaited<ReturnType<typeof solve>>['plan'];
  before(async () => {
    problem = fjspToProblem(parseFjsp(brandimarte('mk01')));
    current = (await solve(problem, { seed: 1, generations: 3, lp: false })).plan;
  });
  const now = 10;
  /** A machine with work after `now` and none running at `now`. */
  const idleAtNow = (): string => problem.machines.map((m) => m.id).find((id) =>
    current.operations.some((o) => o.machine === id && o.start >= now) && !current.operations.some((o) => o.machine === id && o.start < now && o.end > now))!;

  function assertFixedKept(plan: typeof current, fixed: { job: string; operation: number; machine: string; start: number }[]): void {
    expect(fixed.length).to.be.greaterThan(0);
    for (const f of fixed) {
      const op = plan.operations.find((o) => o.job === f.job && o.operation === f.operation)!;
      expect({ machine: op.machine, start: op.start, fixed: op.fixed }).to.deep.equal({ machine: f.machine, start: f.start, fixed: true });
    }
  }

  it('repairs a machine breakdown, keeps started operations and reports changes', () => {
    const busiest = idleAtNow();
    const r = reschedule({ problem, plan: current, now, event: { kind: 'machineDown', machine: busiest, window: { start: now, end: now + 15 } } });
    expect(checkPlan(r.problem, r.plan).violations).to.deep.equal([]);
    const started = current.operations.filter((o) => o.start < now);
    assertFixedKept(r.plan, started);
    expect(r.fixedOperations).to.equal(started.length);
    expect(r.changedAssignments).to.equal(0); // pure repair keeps machines
    expect(r.movedOperations).to.be.greaterThan(0);
    for (const op of r.plan.operations) if (op.machine === busiest && !op.fixed) expect(op.start >= now + 15 || op.end <= now).to.equal(true);
  });

  it('improvement may reassign; the reported count matches the plans', () => {
    const machine = idleAtNow();
    const r = reschedule({ problem, plan: current, now, event: { kind: 'machineDown', machine, window: { start: now, end: now + 30 } }, improve: { seed: 2, generations: 3, changePenalty: 0.5 } });
    expect(checkPlan(r.problem, r.plan).ok).to.equal(true);
    assertFixedKept(r.plan, current.operations.filter((o) => o.start < now));
    const counted = r.plan.operations.filter((op) => current.operations.find((o) => o.job === op.job && o.operation === op.operation)!.machine !== op.machine).length;
    expect(r.changedAssignments).to.equal(counted);
    const repairOnly = reschedule({ problem, plan: current, now, event: { kind: 'machineDown', machine, window: { start: now, end: now + 30 } } });
    expect(r.plan.makespan + 0.5 * r.changedAssignments).to.be.at.most(repairOnly.plan.makespan);
  });

  it('inserts a new order without touching fixed operations', () => {
    const job = { id: 'rush', due: 60, operations: [{ options: [{ machine: 'M0', duration: 3 }, { machine: 'M1', duration: 4 }] }, { options: [{ machine: 'M2', duration: 2 }] }] };
    const accepted = current.operations.filter((o) => o.start >= now && o.operation === 0).slice(0, 2);
    const r = reschedule({ problem, plan: current, now, event: { kind: 'newOrder', job }, accepted, improve: { generations: 2 } });
    expect(checkPlan(r.problem, r.plan).violations).to.deep.equal([]);
    assertFixedKept(r.plan, [...current.operations.filter((o) => o.start < now), ...accepted]);
    const rush = r.plan.operations.filter((o) => o.job === 'rush');
    expect(rush).to.have.length(2);
    expect(rush[0]!.start).to.be.at.least(now);
  });

  it('refuses a breakdown that hits a started operation', () => {
    const running = current.operations.find((o) => o.start < now && o.end > now)!;
    expect(() => reschedule({ problem, plan: current, now, event: { kind: 'machineDown', machine: running.machine, window: { start: now, end: now + 5 } } }))
      .to.throw(SchedulingError).with.property('code', 'INVALID_FIXED');
  });
});
