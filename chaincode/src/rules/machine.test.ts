import { expect } from 'chai';
import type { Machine } from '../types';
import { assertMachineEvent, machineIneligibility } from './machine';

const stamp = { txId: 't', at: '2026-01-01T00:00:00.000Z', mspId: 'Org1MSP' };
const base: Machine = {
  id: 'M1', ownerMsp: 'Org1MSP', manufacturer: 'DMG', model: 'DMU 50', serial: 'S1',
  capabilities: { processes: ['milling'], materials: ['al6061'], toleranceMm: 0.01, envelopeMm: { x: 500, y: 450, z: 400 } },
  location: null, status: 'commissioned',
  calibration: { certificateHash: 'a'.repeat(64), laboratory: 'Lab', calibratedAt: '2026-01-01T00:00:00Z', dueAt: '2026-07-01T00:00:00Z' },
  pendingTransfer: null, eventCount: 3, created: stamp, updated: stamp,
};
const at = Date.parse('2026-03-01T00:00:00Z');

describe('machine eligibility', () => {
  it('accepts a commissioned, calibrated machine of the right org with the process', () => {
    expect(machineIneligibility(base, 'Org1MSP', 'milling', at)).to.equal(undefined);
  });

  const cases: Array<[string, Partial<Machine>, string, string, number, string]> = [
    ['decommissioned', { status: 'decommissioned' }, 'Org1MSP', 'milling', at, 'MACHINE_DECOMMISSIONED'],
    ['another org', {}, 'Org2MSP', 'milling', at, 'MACHINE_WRONG_ORG'],
    ['not commissioned', { status: 'registered' }, 'Org1MSP', 'milling', at, 'ILLEGAL_TRANSITION'],
    ['missing process', {}, 'Org1MSP', 'turning', at, 'MACHINE_LACKS_CAPABILITY'],
    ['no calibration', { calibration: null }, 'Org1MSP', 'milling', at, 'MACHINE_NOT_CALIBRATED'],
    ['calibration expired', {}, 'Org1MSP', 'milling', Date.parse('2026-07-01T00:00:00Z'), 'CALIBRATION_EXPIRED'],
  ];
  for (const [name, change, org, process, time, code] of cases) {
    it(`refuses a machine with ${name}: ${code}`, () => {
      expect(machineIneligibility({ ...base, ...change }, org, process, time)?.code).to.equal(code);
    });
  }

  it('says which check failed first when several do (decommissioned before owner)', () => {
    expect(machineIneligibility({ ...base, status: 'decommissioned' }, 'Org2MSP', 'turning', at)?.code).to.equal('MACHINE_DECOMMISSIONED');
  });

  it('allows no provenance event after decommissioning', () => {
    expect(() => assertMachineEvent({ ...base, status: 'decommissioned' }, 'calibrated')).to.throw(/ILLEGAL_TRANSITION/);
    expect(() => assertMachineEvent(base, 'calibrated')).not.to.throw();
  });
});
