/**
 * A machine's twin health: the current estimate (health index, tool wear, every state as
 * mean ± std) and a chart of one state's history with its ±2σ band and anomalies marked.
 * Data: GET /v1/machines/{id}/twin, …/twin/history, …/twin/anomalies.
 */
import { ApiProblem } from '../api';
import { timeSeriesChart, type AnomalySpan } from '../charts/time-series';
import { h } from '../dom';
import { humanize, load, time, type ViewContext } from './common';

export interface TwinEstimate {
  readonly states: readonly { readonly name: string; readonly unit: string; readonly mean: number; readonly std: number }[];
  readonly wear: { readonly value: number; readonly std: number; readonly limit: number; readonly unit: string };
  readonly healthIndex: number;
  readonly anomaly: { readonly reason: string; readonly channel: string | null } | null;
  readonly at: string | number | null;
}

interface TwinHistory {
  readonly from: string;
  readonly to: string;
  readonly points: readonly {
    readonly t: string;
    readonly samples: number;
    readonly states: Readonly<Record<string, number>>;
    readonly std: Readonly<Record<string, number>>;
    readonly anomaly: boolean;
  }[];
}

interface AnomalyEpisode {
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly reason: string;
  readonly channel: string | null;
  readonly peakNis: number;
}

interface TwinData {
  readonly estimate: TwinEstimate | null;
  readonly history: TwinHistory;
  readonly anomalies: readonly AnomalyEpisode[];
}

/** Points asked of the history (the API merges its one-minute buckets down to this many). */
const HISTORY_POINTS = 150;

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(2);
}

/** The state charted first: the one an open anomaly is about, else the wear state, else the first. */
function defaultState(t: TwinEstimate): string | undefined {
  const names = t.states.map((s) => s.name);
  if (t.anomaly?.channel && names.includes(t.anomaly.channel)) return t.anomaly.channel;
  const wear = t.states.find((s) => s.unit === t.wear.unit && s.mean === t.wear.value);
  return wear?.name ?? names[0];
}

function episodeLabel(a: AnomalyEpisode): string {
  const where = a.channel ? ` on ${a.channel}` : '';
  const when = a.endedAt ? `${new Date(a.startedAt).toLocaleString()} – ${new Date(a.endedAt).toLocaleString()}` : `since ${new Date(a.startedAt).toLocaleString()} (open)`;
  return `${humanize(a.reason)}${where}, ${when}`;
}

/** A slot that loads and shows the twin of `machineId`. */
export function twinHealth(ctx: ViewContext, machineId: string): HTMLElement {
  const slot = h('div', { class: 'twin' });
  const id = encodeURIComponent(machineId);
  void load(slot, `twin of ${machineId}`, async (): Promise<TwinData> => {
    let estimate: TwinEstimate;
    try {
      estimate = await ctx.api.get<TwinEstimate>(`/v1/machines/${id}/twin`);
    } catch (e) {
      // A machine without a registered twin is normal, not a failure.
      if (e instanceof ApiProblem && e.status === 404) return { estimate: null, history: { from: '', to: '', points: [] }, anomalies: [] };
      throw e;
    }
    const [history, anomalies] = await Promise.all([
      ctx.api.get<TwinHistory>(`/v1/machines/${id}/twin/history?points=${HISTORY_POINTS}`),
      ctx.api.get<{ anomalies: AnomalyEpisode[] }>(`/v1/machines/${id}/twin/anomalies?limit=50`),
    ]);
    return { estimate, history, anomalies: anomalies.anomalies };
  }, (d) => (d.estimate ? twinView(machineId, d.estimate, d) : h('p', { class: 'empty' }, 'No digital twin is registered for this machine.')), ctx);
  return slot;
}

function twinView(machineId: string, t: TwinEstimate, d: TwinData): Node[] {
  const health = Math.round(t.healthIndex * 100);
  const safeId = machineId.replace(/[^A-Za-z0-9_-]/g, '_');
  return [
    h('div', { class: 'health' },
      h('label', { for: `health-${safeId}` }, 'Health'),
      h('meter', { id: `health-${safeId}`, min: 0, max: 100, low: 40, high: 70, optimum: 100, value: health }, `${health}%`),
      h('span', { class: 'health-value' }, `${health}%`)),
    h('p', { class: 'wear' }, h('strong', {}, 'Tool wear '), `${fmt(t.wear.value)} ± ${fmt(t.wear.std)} ${t.wear.unit}`, h('span', { class: 'muted' }, ` (limit ${fmt(t.wear.limit)} ${t.wear.unit})`)),
    h('table', { class: 'states' },
      h('caption', { class: 'visually-hidden' }, 'Twin state estimates'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col' }, 'Estimate ± std'))),
      h('tbody', {}, t.states.map((s) => h('tr', {}, h('th', { scope: 'row' }, humanize(s.name)), h('td', {}, `${fmt(s.mean)} ± ${fmt(s.std)} ${s.unit}`))))),
    t.anomaly
      ? h('p', { class: 'problem anomaly-open', role: 'note' }, `Open anomaly: ${humanize(t.anomaly.reason)}${t.anomaly.channel ? ` on ${t.anomaly.channel}` : ''}`)
      : h('p', { class: 'muted small' }, t.at ? ['Last telemetry ', time(new Date(t.at).toISOString())] : 'No telemetry yet: prior estimate'),
    history(safeId, t, d),
  ];
}

/** The history chart with a state picker, or a note when there is no telemetry in the window. */
function history(safeId: string, estimate: TwinEstimate, d: TwinData): HTMLElement {
  const hist = d.history;
  if (hist.points.length === 0) {
    return h('p', { class: 'empty twin-no-history' }, `No telemetry between ${new Date(hist.from).toLocaleString()} and ${new Date(hist.to).toLocaleString()}: no history to chart.`);
  }
  const spans: AnomalySpan[] = d.anomalies.map((a) => ({ start: new Date(a.startedAt), end: a.endedAt ? new Date(a.endedAt) : null, label: episodeLabel(a) }));
  const chartSlot = h('div', { class: 'chart-slot' });
  const show = (name: string) => {
    const state = estimate.states.find((s) => s.name === name)!;
    chartSlot.replaceChildren(timeSeriesChart({
      id: `twin-${safeId}-${name}`,
      title: `${humanize(name)} (${state.unit}), estimate with ±2σ band`,
      unit: state.unit,
      points: hist.points.filter((p) => p.states[name] !== undefined).map((p) => ({ t: new Date(p.t), mean: p.states[name]!, std: p.std[name] ?? 0, anomaly: p.anomaly })),
      anomalies: spans,
    }));
  };
  const select = h('select', { id: `twin-state-${safeId}`, name: 'state' },
    estimate.states.map((s) => h('option', { value: s.name }, humanize(s.name))));
  select.value = defaultState(estimate) ?? '';
  select.addEventListener('change', () => show(select.value));
  show(select.value);
  return h('div', { class: 'twin-history' },
    h('div', { class: 'field-inline' }, h('label', { for: `twin-state-${safeId}` }, 'Chart'), select),
    chartSlot,
    d.anomalies.length === 0 ? null : h('details', { class: 'anomaly-list' },
      h('summary', {}, `${d.anomalies.length} anomaly episode(s)`),
      h('ul', {}, d.anomalies.map((a) => h('li', {}, episodeLabel(a))))));
}
