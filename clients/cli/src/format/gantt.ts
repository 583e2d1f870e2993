/** A text Gantt chart: one row per machine, each bar drawn with its legend letter. */

/** One bar: a time span (ms since the epoch) and what it is. */
export interface GanttBar {
  readonly start: number;
  readonly end: number;
  readonly label: string;
}

/** One row of the chart. */
export interface GanttRow {
  readonly label: string;
  readonly bars: readonly GanttBar[];
}

const KEYS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Render rows over a common time axis `width` characters wide. Every bar is at least one
 * character; bars are keyed A, B, C… (repeating after 62) and listed in a legend below.
 */
export function gantt(rows: readonly GanttRow[], width = 60): string {
  const bars = rows.flatMap((r) => r.bars);
  if (bars.length === 0) return '(no bars)';
  const t0 = Math.min(...bars.map((b) => b.start));
  const t1 = Math.max(...bars.map((b) => b.end));
  const span = Math.max(1, t1 - t0);
  const labelWidth = Math.max(...rows.map((r) => [...r.label].length));
  const col = (t: number) => Math.min(width, Math.max(0, Math.round(((t - t0) / span) * width)));
  const legend: string[] = [];
  let k = 0;
  const lines = rows.map((r) => {
    const cells = Array.from({ length: width }, () => '·');
    for (const b of [...r.bars].sort((x, y) => x.start - y.start)) {
      const key = KEYS[k++ % KEYS.length]!;
      const from = Math.min(width - 1, col(b.start));
      const to = Math.max(from + 1, col(b.end));
      for (let i = from; i < to && i < width; i++) cells[i] = key;
      legend.push(`${key} ${b.label}  ${iso(b.start)} → ${iso(b.end)}`);
    }
    return `${r.label.padEnd(labelWidth)} │${cells.join('')}│`;
  });
  const axisStart = iso(t0);
  const axisEnd = iso(t1);
  const axis = `${' '.repeat(labelWidth)}  ${axisStart}${' '.repeat(Math.max(1, width - axisStart.length - axisEnd.length))}${axisEnd}`;
  return [...lines, axis, '', ...legend].join('\n');
}

const iso = (t: number): string => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
