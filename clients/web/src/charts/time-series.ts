/**
 * A time-series chart of one estimated state: the mean as a line, an uncertainty band of
 * mean ± k·σ around it, and anomalies marked (episode spans shaded, flagged points dotted).
 * Drawn as SVG with d3-scale / d3-shape; a table of the same data follows for screen readers.
 */
import { scaleLinear, scaleTime } from 'd3-scale';
import { area, line } from 'd3-shape';
import { h } from '../dom';
import { formatNumber, responsive, svg } from './svg';

/** One point of the series. */
export interface SeriesPoint {
  readonly t: Date;
  readonly mean: number;
  readonly std: number;
  /** An anomaly was open during the point's span. */
  readonly anomaly: boolean;
}

/** An anomaly episode, shaded over its span (`end` null: still open). */
export interface AnomalySpan {
  readonly start: Date;
  readonly end: Date | null;
  readonly label: string;
}

export interface TimeSeriesOptions {
  /** Unique within the page (ids of the title and description). */
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly points: readonly SeriesPoint[];
  readonly anomalies: readonly AnomalySpan[];
  /** Half-width of the band in standard deviations (default 2). */
  readonly sigmas?: number;
}

const HEIGHT = 220;
const MARGIN = { top: 12, right: 14, bottom: 28, left: 56 };

/** Points with `null` between two points further apart than 3× the usual spacing (no line across a gap). */
function withGaps(points: readonly SeriesPoint[]): (SeriesPoint | null)[] {
  if (points.length < 3) return [...points];
  const steps = points.slice(1).map((p, i) => p.t.getTime() - points[i]!.t.getTime()).sort((a, b) => a - b);
  const usual = steps[Math.floor(steps.length / 2)]!;
  const out: (SeriesPoint | null)[] = [points[0]!];
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.t.getTime() - points[i - 1]!.t.getTime() > 3 * usual) out.push(null);
    out.push(points[i]!);
  }
  return out;
}

/** The chart as a figure: caption with legend, the SVG, and the data as a table. */
export function timeSeriesChart(o: TimeSeriesOptions): HTMLElement {
  const k = o.sigmas ?? 2;
  const pts = [...o.points].sort((a, b) => a.t.getTime() - b.t.getTime());
  const flagged = pts.filter((p) => p.anomaly);
  const last = pts[pts.length - 1];
  const titleId = `${o.id}-title`;
  const descId = `${o.id}-desc`;
  const summary = last
    ? `${pts.length} points from ${pts[0]!.t.toLocaleString()} to ${last.t.toLocaleString()}; latest ${formatNumber(last.mean)} ± ${formatNumber(k * last.std)} ${o.unit} (${k}σ); ${o.anomalies.length} anomaly episode(s), ${flagged.length} point(s) during an anomaly.`
    : 'No data.';

  const draw = (width: number): SVGSVGElement => {
    const w = Math.max(280, width);
    const t0 = pts[0]!.t;
    const t1 = pts.length > 1 ? last!.t : new Date(t0.getTime() + 60_000);
    const x = scaleTime().domain([t0, t1]).range([MARGIN.left, w - MARGIN.right]);
    const lo = Math.min(...pts.map((p) => p.mean - k * p.std));
    const hi = Math.max(...pts.map((p) => p.mean + k * p.std));
    const pad = hi - lo > 0 ? 0 : Math.max(Math.abs(hi) * 0.05, 1e-6);
    const y = scaleLinear().domain([lo - pad, hi + pad]).nice().range([HEIGHT - MARGIN.bottom, MARGIN.top]);
    const series = withGaps(pts);
    const band = area<SeriesPoint | null>().defined((p) => p !== null).x((p) => x(p!.t)).y0((p) => y(p!.mean - k * p!.std)).y1((p) => y(p!.mean + k * p!.std));
    const mean = line<SeriesPoint | null>().defined((p) => p !== null).x((p) => x(p!.t)).y((p) => y(p!.mean));
    const xTicks = x.ticks(Math.max(2, Math.floor(w / 110)));
    const xFormat = x.tickFormat();
    const yTicks = y.ticks(4);
    const [d0, d1] = x.domain() as [Date, Date];
    const spans = o.anomalies
      .map((a) => ({ a, s: Math.max(a.start.getTime(), d0.getTime()), e: Math.min((a.end ?? d1).getTime(), d1.getTime()) }))
      .filter(({ s, e }) => e >= s);
    return svg('svg', { class: 'ts-chart', width: w, height: HEIGHT, viewBox: `0 0 ${w} ${HEIGHT}`, role: 'img', 'aria-labelledby': `${titleId} ${descId}` },
      svg('title', { id: titleId }, o.title),
      svg('desc', { id: descId }, summary),
      svg('g', { class: 'grid', 'aria-hidden': 'true' },
        yTicks.map((v) => svg('line', { x1: MARGIN.left, x2: w - MARGIN.right, y1: y(v), y2: y(v) }))),
      svg('g', { class: 'anomaly-spans' }, spans.map(({ a, s, e }) => svg('rect', {
        class: 'anomaly-span', x: x(new Date(s)), y: MARGIN.top, width: Math.max(2, x(new Date(e)) - x(new Date(s))), height: HEIGHT - MARGIN.top - MARGIN.bottom,
      }, svg('title', {}, a.label)))),
      svg('path', { class: 'band', d: band(series) ?? '' }),
      svg('path', { class: 'mean', d: mean(series) ?? '' }),
      svg('g', { class: 'anomaly-markers' }, flagged.map((p) => svg('circle', { class: 'anomaly-marker', cx: x(p.t), cy: y(p.mean), r: 3.5 },
        svg('title', {}, `Anomaly open at ${p.t.toLocaleString()}: ${formatNumber(p.mean)} ${o.unit}`)))),
      svg('g', { class: 'axis x-axis', 'aria-hidden': 'true' },
        svg('line', { x1: MARGIN.left, x2: w - MARGIN.right, y1: HEIGHT - MARGIN.bottom, y2: HEIGHT - MARGIN.bottom }),
        xTicks.map((v) => svg('text', { x: x(v), y: HEIGHT - 8, 'text-anchor': 'middle' }, xFormat(v)))),
      svg('g', { class: 'axis y-axis', 'aria-hidden': 'true' },
        yTicks.map((v) => svg('text', { x: MARGIN.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, formatNumber(v))),
        svg('text', { x: 4, y: MARGIN.top + 2, 'text-anchor': 'start', class: 'unit' }, o.unit)));
  };

  return h('figure', { class: 'chart', 'data-points': pts.length, 'data-anomaly-points': flagged.length },
    h('figcaption', {},
      h('span', { class: 'chart-title' }, o.title),
      h('span', { class: 'legend', 'aria-hidden': 'true' },
        h('span', { class: 'key key-mean' }, 'mean'),
        h('span', { class: 'key key-band' }, `± ${k}σ`),
        h('span', { class: 'key key-anomaly' }, 'anomaly'))),
    pts.length === 0 ? h('p', { class: 'empty' }, 'No data.') : responsive('chart-box', draw),
    pts.length === 0 ? null : h('details', { class: 'chart-data' },
      h('summary', {}, 'Chart data as a table'),
      h('table', {},
        h('caption', { class: 'visually-hidden' }, `${o.title}: ${summary}`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Time'), h('th', { scope: 'col' }, `Mean (${o.unit})`), h('th', { scope: 'col' }, `± ${k}σ`), h('th', { scope: 'col' }, 'Anomaly'))),
        h('tbody', {}, pts.map((p) => h('tr', { class: p.anomaly ? 'is-anomaly' : undefined },
          h('td', {}, h('time', { datetime: p.t.toISOString() }, p.t.toLocaleString())),
          h('td', {}, formatNumber(p.mean)),
          h('td', {}, formatNumber(k * p.std)),
          h('td', {}, p.anomaly ? 'yes' : '')))))));
}
