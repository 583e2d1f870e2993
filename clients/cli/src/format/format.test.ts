import { expect } from 'chai';
import { gantt } from './gantt';
import { progressBar } from './progress';
import { downsample, sparkline } from './sparkline';
import { keyValues, table, truncate } from './table';

describe('text formatters', () => {
  it('draws sparklines scaled from min to max, with gaps and flat series', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).to.equal('▁▂▃▄▅▆▇█');
    expect(sparkline([1, null, 3])).to.equal('▁ █');
    expect(sparkline([2, 2])).to.equal('▄▄');
    expect(sparkline([])).to.equal('');
    expect(sparkline(Array.from({ length: 100 }, (_, i) => i), 10)).to.have.length(10);
    expect(downsample([1, 3, null, null, 5, 7], 3)).to.deep.equal([2, null, 6]);
  });

  it('pads table columns, right-aligns numbers and marks empty cells', () => {
    expect(table(['id', 'n'], [['a', 1], ['bbb', 22], ['c', null]])).to.equal('ID    N\na     1\nbbb  22\nc     -');
    expect(table(['id'], [])).to.equal('(none)');
    expect(keyValues([['a', 1], ['long', 'x']])).to.equal('a:    1\nlong: x');
    expect(truncate('abcdef', 4)).to.equal('abc…');
  });

  it('draws a Gantt chart with one keyed bar per operation and a legend', () => {
    const t = Date.parse('2030-01-01T00:00:00Z');
    const out = gantt([
      { label: 'M1', bars: [{ start: t, end: t + 3_600_000, label: 'P1' }, { start: t + 3_600_000, end: t + 7_200_000, label: 'P2' }] },
      { label: 'M2', bars: [{ start: t + 7_200_000, end: t + 10_800_000, label: 'P3' }] },
    ], 12);
    const [m1, m2] = out.split('\n');
    expect(m1).to.equal('M1 │AAAABBBB····│');
    expect(m2).to.equal('M2 │········CCCC│');
    expect(out).to.include('A P1  2030-01-01 00:00 → 2030-01-01 01:00');
  });

  it('draws a progress bar clamped to 0–100 %', () => {
    expect(progressBar(0.5, 4)).to.equal('[██░░]  50%');
    expect(progressBar(2, 4)).to.equal('[████] 100%');
    expect(progressBar(Number.NaN, 2)).to.equal('[░░]   0%');
  });
});
