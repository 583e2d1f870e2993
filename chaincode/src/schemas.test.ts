import { expect } from 'chai';
import { ChaincodeError } from './errors';
import { canonicalJson } from './internal/canonical';
import { MAX_ARG_BYTES, machineInput, orderInput, parseArg } from './schemas';

function codeOf(fn: () => unknown): { code: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ChaincodeError) return { code: e.code, details: e.details as Record<string, unknown> };
    throw e;
  }
  throw new Error('did not throw');
}

const machine = {
  id: 'M-1', manufacturer: 'DMG', model: 'DMU', serial: 'S1',
  capabilities: { processes: ['milling'], materials: ['al6061'], toleranceMm: 0.01, envelopeMm: { x: 1, y: 1, z: 1 } },
};

describe('input validation', () => {
  it('accepts a valid machine', () => {
    expect(parseArg(machineInput, 'input', JSON.stringify(machine)).id).to.equal('M-1');
  });

  it('names the field and the reason', () => {
    const bad = { ...machine, capabilities: { ...machine.capabilities, toleranceMm: -1 } };
    const { code, details } = codeOf(() => parseArg(machineInput, 'input', JSON.stringify(bad)));
    expect(code).to.equal('INVALID_INPUT');
    expect(details.field).to.equal('input.capabilities.toleranceMm');
    expect(String(details.reason)).to.match(/>0|positive|greater/i);
  });

  it('rejects unknown fields, bad ids and non-JSON', () => {
    expect(codeOf(() => parseArg(machineInput, 'input', JSON.stringify({ ...machine, colour: 'red' }))).code).to.equal('INVALID_INPUT');
    expect(codeOf(() => parseArg(machineInput, 'input', JSON.stringify({ ...machine, id: '../etc' }))).details.field).to.equal('input.id');
    expect(codeOf(() => parseArg(machineInput, 'input', '{not json')).details.reason).to.equal('is not valid JSON');
  });

  it('rejects oversize arguments before parsing them', () => {
    const huge = JSON.stringify({ ...machine, model: 'x'.repeat(MAX_ARG_BYTES) });
    const { code, details } = codeOf(() => parseArg(machineInput, 'input', huge));
    expect(code).to.equal('INPUT_TOO_LARGE');
    expect(details.limit).to.equal(MAX_ARG_BYTES);
  });

  it('checks cross-field rules of an order (one serial per unit)', () => {
    const order = { id: 'O-1', spec: { name: 'Bracket', specHash: 'a'.repeat(64), material: 'al6061' }, operations: [{ process: 'milling' }], quantity: 2, dueDate: '2027-01-01T00:00:00Z', serials: ['A'] };
    expect(codeOf(() => parseArg(orderInput, 'input', JSON.stringify(order))).details.field).to.equal('input.serials');
  });
});

describe('canonical JSON', () => {
  it('sorts keys recursively and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).to.equal('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });
  it('refuses NaN', () => {
    expect(() => canonicalJson({ a: NaN })).to.throw(TypeError);
  });
});

describe('canonical JSON matches JSON.stringify on sorted copies', () => {
  it('for nested records, arrays with undefined, unicode keys and numbers', () => {
    const value = { z: [1, undefined, { b: 'é', a: null }], 'ключ': 1e21, a: { y: true, x: -0.5 }, d: new Date(0) };
    const sorted = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' && !(v instanceof Date)
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
    expect(canonicalJson(value)).to.equal(JSON.stringify(sorted(value)));
  });
});
