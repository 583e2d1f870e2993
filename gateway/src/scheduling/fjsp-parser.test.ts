import { expect } from 'chai';
import { brandimarte } from './testing/bench-data';
import { SchedulingError } from './errors';
import { fjspToProblem, parseFjsp } from './fjsp-parser';


function parseError(text: string): SchedulingError {
  try { parseFjsp(text); } catch (e) { expect(e).to.be.instanceOf(SchedulingError); return e as SchedulingError; }
  throw new Error('expected a parse error');
}

describe('scheduling/parseFjsp', () => {
  it('reads a Brandimarte file (machines from 0)', () => {
    const inst = parseFjsp(brandimarte('mk01'));
    expect(inst.format).to.equal('brandimarte');
    expect(inst.machines).to.equal(6);
    expect(inst.jobs).to.have.length(10);
    expect(inst.jobs[0]).to.have.length(6);
    // first operation of job 1: "2 0 5 2 4"
    expect(inst.jobs[0]![0]).to.deep.equal([{ machine: 0, time: 5 }, { machine: 2, time: 4 }]);
    expect(inst.jobs.flat().length).to.equal(55);
  });

  it('reads the FJSPLIB .fjs layout (machines from 1) into the same data', () => {
    const brandimarte = '2 2\n2 1 0 3 2 0 2 1 4\n1 1 1 5\n';
    const fjs = '2 2 1.5\n2 1 1 3 2 1 2 2 4\n1 1 2 5\n';
    const a = parseFjsp(brandimarte);
    const b = parseFjsp(fjs);
    expect(b.format).to.equal('fjsplib');
    expect(b.jobs).to.deep.equal(a.jobs);
    expect(fjspToProblem(b)).to.deep.equal(fjspToProblem(a));
  });

  it('accepts CRLF and blank lines', () => {
    expect(parseFjsp('1 1\r\n\r\n1 1 0 7\r\n\r\n').jobs).to.deep.equal([[[{ machine: 0, time: 7 }]]]);
  });

  const cases: [string, string, number, RegExp][] = [
    ['empty file', '', 1, /empty/],
    ['bad header', '2\n', 1, /header/],
    ['non-integer', '1 2\n1 1 0 x\n', 2, /integer/],
    ['machine out of range', '1 2\n1 1 2 4\n', 2, /out of range/],
    ['machine 0 in .fjs', '1 2 1\n1 1 0 4\n', 2, /machine must be >= 1/],
    ['negative time', '1 2\n1 1 0 -4\n', 2, />= 0/],
    ['line ends early', '1 2\n2 1 0 4\n', 2, /ends early/],
    ['extra numbers', '1 2\n1 1 0 4 9\n', 2, /extra/],
    ['missing job line', '2 2\n1 1 0 4\n', 3, /expected 2 job lines/],
    ['too many lines', '1 2\n1 1 0 4\n1 1 0 4\n', 3, /unexpected/],
    ['duplicate machine', '1 2\n1 2 0 4 0 5\n', 2, /twice/],
  ];
  for (const [name, text, line, reason] of cases) {
    it(`rejects ${name} with its line number`, () => {
      const e = parseError(text);
      expect(e.code).to.equal('FJSP_PARSE');
      expect(e.details.line).to.equal(line);
      expect(String(e.details.reason)).to.match(reason);
    });
  }
});
