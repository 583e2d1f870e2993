/**
 * The accepted production schedule as a Gantt chart: the plans accepted on this gateway
 * (GET /v1/schedules, then GET /v1/schedules/{id} for its Gantt rows), each bar coloured by the
 * status of the job the acceptance wrote on the ledger.
 */
import { ganttChart, type GanttRow } from '../charts/gantt';
import { h } from '../dom';
import { humanize, listAll, load, type ViewContext } from './common';

interface ScheduleSummary {
  readonly id: string;
  readonly status: 'running' | 'done' | 'failed' | 'cancelled' | 'accepted';
  readonly orders: readonly string[];
}

interface Schedule {
  readonly id: string;
  readonly status: ScheduleSummary['status'];
  readonly gantt?: readonly {
    readonly machineId: string;
    readonly factoryMsp: string;
    readonly bars: readonly { readonly partId: string; readonly operationIndex: number; readonly process: string; readonly start: string; readonly end: string }[];
  }[];
  readonly objective?: { readonly makespanMinutes: number; readonly totalWeightedTardiness: number };
  readonly acceptance?: { readonly anchorId: string; readonly transactionId: string; readonly jobIds: readonly string[] };
}

interface JobRef {
  readonly id: string;
  readonly partId: string;
  readonly operationIndex: number;
  readonly scheduleAnchorId: string;
  readonly status: string;
}

/** A section showing the accepted plan; `reload()` refreshes it (after a job action). */
export function scheduleGantt(ctx: ViewContext): { element: HTMLElement; reload: () => void } {
  const picker = h('div', { class: 'schedule-picker' });
  const slot = h('div', { class: 'schedule' });
  let chosen: string | null = null;

  const showPlan = (id: string) => load(slot, `schedule ${id}`, async () => {
    const [plan, jobs] = await Promise.all([
      ctx.api.get<Schedule>(`/v1/schedules/${encodeURIComponent(id)}`),
      listAll<JobRef>(ctx.api, '/v1/jobs'),
    ]);
    return { plan, jobs };
  }, ({ plan, jobs }) => planView(plan, jobs, ctx.session.mspId), ctx);

  const reload = () => void load(picker, 'accepted schedules', () => ctx.api.get<{ items: ScheduleSummary[] }>('/v1/schedules'), (list) => {
    const accepted = list.items.filter((s) => s.status === 'accepted');
    if (accepted.length === 0) {
      slot.replaceChildren();
      return h('p', { class: 'empty' }, 'No schedule has been accepted on this gateway yet. Plans are solved and accepted with POST /v1/schedules; the jobs they assign appear above.');
    }
    if (!chosen || !accepted.some((s) => s.id === chosen)) chosen = accepted[0]!.id;
    const select = h('select', { id: 'schedule-id', name: 'schedule' },
      accepted.map((s) => h('option', { value: s.id }, `${s.id} · orders ${s.orders.join(', ')}`)));
    select.value = chosen;
    select.addEventListener('change', () => { chosen = select.value; void showPlan(select.value); });
    void showPlan(chosen);
    return h('div', { class: 'field-inline' }, h('label', { for: 'schedule-id' }, 'Plan'), select);
  }, ctx);

  reload();
  return { element: h('div', { class: 'schedule-section' }, picker, slot), reload };
}

function planView(plan: Schedule, jobs: readonly JobRef[], ownMsp: string): Node[] {
  const anchorId = plan.acceptance?.anchorId;
  const statusOf = (partId: string, op: number) => jobs.find((j) => j.scheduleAnchorId === anchorId && j.partId === partId && j.operationIndex === op)?.status ?? null;
  const rows: GanttRow[] = (plan.gantt ?? []).map((r) => ({
    label: r.machineId,
    sublabel: r.factoryMsp === ownMsp ? `${r.factoryMsp} (you)` : r.factoryMsp,
    own: r.factoryMsp === ownMsp,
    bars: r.bars.map((b) => ({
      id: `${b.partId}#${b.operationIndex}`,
      start: new Date(b.start),
      end: new Date(b.end),
      label: b.partId,
      detail: `${b.partId} op ${b.operationIndex + 1} (${humanize(b.process)})`,
      status: statusOf(b.partId, b.operationIndex),
    })),
  }));
  // Own machines first, so that a factory sees its work at the top.
  rows.sort((a, b) => Number(b.own) - Number(a.own));
  return [
    h('p', { class: 'muted small' },
      plan.objective ? `Makespan ${Math.round(plan.objective.makespanMinutes)} min, weighted tardiness ${Math.round(plan.objective.totalWeightedTardiness)}` : humanize(plan.status),
      plan.acceptance ? [' · anchored as ', h('code', {}, plan.acceptance.anchorId)] : null),
    ganttChart({ id: `gantt-${plan.id}`, title: `Plan ${plan.id}`, rows }),
    h('p', { class: 'legend small', 'aria-hidden': 'true' },
      ['assigned', 'accepted', 'started', 'finished', 'declined'].map((s) => h('span', { class: `key gantt-key status-${s}` }, humanize(s)))),
  ];
}
