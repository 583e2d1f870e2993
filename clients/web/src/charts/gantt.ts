/**
 * A Gantt chart: one row per machine, one bar per planned operation, coloured by the job's
 * status on the ledger, with a "now" line. SVG via d3-scale; the same plan follows as a table.
 */
import { scaleTime } from 'd3-scale';
import { h, time } from '../dom';
import { responsive, svg } from './svg';

export interface GanttBar {
  /** Stable id (data-bar-id), e.g. part and operation. */
  readonly id: string;
  readonly start: Date;
  readonly end: Date;
  /** Short text drawn in the bar when it fits. */
  readonly label: string;
  /** Longer text for the tooltip and the table. */
  readonly detail: string;
  /** The job's status on the ledger, if known. */
  readonly status: string | null;
}

export interface GanttRow {
  readonly label: string;
  readonly sublabel: string;
  /** Rows of the viewer's own organisation are drawn emphasised. */
  readonly own: boolean;
  readonly bars: readonly GanttBar[];
}

export interface GanttOptions {
  readonly id: string;
  readonly title: string;
  readonly rows: readonly GanttRow[];
  readonly now?: Date;
}

const ROW = 36;
const AXIS = 26;

export function ganttChart(o: GanttOptions): HTMLElement {
  const bars = o.rows.flatMap((r) => r.bars);
  const titleId = `${o.id}-title`;
  const descId = `${o.id}-desc`;
  const start = new Date(Math.min(...bars.map((b) => b.start.getTime())));
  const end = new Date(Math.max(...bars.map((b) => b.end.getTime())));
  const summary = bars.length === 0 ? 'No operations.' : `${bars.length} operation(s) on ${o.rows.length} machine(s) from ${start.toLocaleString()} to ${end.toLocaleString()}.`;
  const now = o.now ?? new Date();

  const draw = (width: number): SVGSVGElement => {
    const w = Math.max(300, width);
    const labelWidth = Math.min(150, Math.round(w * 0.3));
    const span = Math.max(60_000, end.getTime() - start.getTime());
    const x = scaleTime().domain([new Date(start.getTime() - span * 0.02), new Date(end.getTime() + span * 0.02)]).range([labelWidth, w - 10]);
    const height = AXIS + ROW * o.rows.length + 4;
    const ticks = x.ticks(Math.max(2, Math.floor((w - labelWidth) / 100)));
    const format = x.tickFormat();
    const [d0, d1] = x.domain() as [Date, Date];
    const nowInside = now >= d0 && now <= d1;
    return svg('svg', { class: 'gantt-chart', width: w, height, viewBox: `0 0 ${w} ${height}`, role: 'img', 'aria-labelledby': `${titleId} ${descId}` },
      svg('title', { id: titleId }, o.title),
      svg('desc', { id: descId }, summary),
      svg('g', { class: 'axis x-axis', 'aria-hidden': 'true' },
        ticks.map((v) => svg('g', {},
          svg('line', { class: 'tick', x1: x(v), x2: x(v), y1: AXIS - 4, y2: height }),
          svg('text', { x: x(v), y: AXIS - 8, 'text-anchor': 'middle' }, format(v))))),
      o.rows.map((row, i) => {
        const top = AXIS + i * ROW;
        return svg('g', { class: `gantt-row${row.own ? ' own' : ''}`, 'data-machine-id': row.label },
          svg('rect', { class: 'row-bg', x: 0, y: top, width: w, height: ROW }),
          svg('text', { class: 'row-label', x: 6, y: top + 15 }, row.label),
          svg('text', { class: 'row-sublabel', x: 6, y: top + 29 }, row.sublabel),
          row.bars.map((b) => {
            const bx = x(b.start);
            const bw = Math.max(3, x(b.end) - bx);
            const fits = b.label.length * 6.6 + 8 < bw;
            return svg('g', { class: `gantt-bar status-${b.status ?? 'planned'}`, 'data-bar-id': b.id, 'data-status': b.status ?? 'planned' },
              svg('rect', { x: bx, y: top + 6, width: bw, height: ROW - 12, rx: 4 }),
              fits ? svg('text', { x: bx + 4, y: top + ROW / 2 + 4 }, b.label) : null,
              svg('title', {}, `${b.detail} · ${b.status ?? 'planned'}`));
          }));
      }),
      nowInside ? svg('g', { class: 'now', 'aria-hidden': 'true' },
        svg('line', { x1: x(now), x2: x(now), y1: AXIS - 4, y2: height }),
        svg('text', { x: x(now) + 3, y: height - 4 }, 'now')) : null);
  };

  return h('figure', { class: 'chart gantt', 'data-bars': bars.length },
    h('figcaption', {}, h('span', { class: 'chart-title' }, o.title)),
    bars.length === 0 ? h('p', { class: 'empty' }, 'No operations.') : responsive('chart-box', draw),
    bars.length === 0 ? null : h('details', { class: 'chart-data' },
      h('summary', {}, 'Schedule as a table'),
      h('table', {},
        h('caption', { class: 'visually-hidden' }, `${o.title}: ${summary}`),
        h('thead', {}, h('tr', {}, ['Machine', 'Operation', 'Start', 'End', 'Status'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, o.rows.flatMap((row) => row.bars.map((b) => h('tr', { 'data-bar-id': b.id },
          h('td', {}, row.label),
          h('td', {}, b.detail),
          h('td', {}, time(b.start.toISOString())),
          h('td', {}, time(b.end.toISOString())),
          h('td', {}, b.status ?? 'planned'))))))));
}
