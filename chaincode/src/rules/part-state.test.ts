import { expect } from 'chai';
import { ChaincodeError } from '../errors';
import { PART_STATUSES } from '../types';
import { assertTransition, canTransition, PART_TRANSITIONS } from './part-state';

describe('part state machine', () => {
  it('follows created → scheduled → in_production → qc_passed → shipped → delivered', () => {
    const path = ['created', 'scheduled', 'in_production', 'qc_passed', 'shipped', 'delivered'] as const;
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!), `${path[i - 1]} → ${path[i]}`).to.equal(true);
  });

  it('has no way out of delivered or cancelled', () => {
    expect(PART_TRANSITIONS.delivered).to.deep.equal([]);
    expect(PART_TRANSITIONS.cancelled).to.deep.equal([]);
  });

  it('never ships a part that failed QC, and never skips production', () => {
    expect(canTransition('qc_failed', 'shipped')).to.equal(false);
    expect(canTransition('created', 'in_production')).to.equal(false);
    expect(canTransition('scheduled', 'qc_passed')).to.equal(false);
    expect(canTransition('shipped', 'cancelled')).to.equal(false);
  });

  it('knows every status and only statuses', () => {
    expect(Object.keys(PART_TRANSITIONS).sort()).to.deep.equal([...PART_STATUSES].sort());
    for (const targets of Object.values(PART_TRANSITIONS)) for (const t of targets) expect(PART_STATUSES).to.include(t);
  });

  it('rejects an illegal transition with ILLEGAL_TRANSITION naming both states and the allowed ones', () => {
    try {
      assertTransition('P-1', 'created', 'shipped');
      expect.fail('should have thrown');
    } catch (e) {
      expect(e).to.be.instanceOf(ChaincodeError);
      const err = e as ChaincodeError;
      expect(err.code).to.equal('ILLEGAL_TRANSITION');
      expect(err.details).to.include({ from: 'created', to: 'shipped', id: 'P-1' });
      expect(err.text).to.equal('part P-1 cannot go from created to shipped');
      expect(err.details.allowed).to.deep.equal(['scheduled', 'cancelled']);
    }
  });
});
