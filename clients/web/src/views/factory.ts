/**
 * Factory view: the jobs assigned to this factory with their next step (accept / decline /
 * report start / report finish), the accepted schedule as a Gantt chart, and this factory's
 * machines with their twin's health (estimate and history chart with uncertainty band).
 */
import { ApiProblem } from '../api';
import { h } from '../dom';
import { humanize, listAll, load, problem, time, txId, type Stamp, type ViewContext } from './common';
import { scheduleGantt } from './schedule-gantt';
import { twinHealth } from './twin-health';

interface OperationReport {
  readonly machineId: string;
  readonly reported: Stamp;
}

interface Job {
  readonly id: string;
  readonly partId: string;
  readonly orderId: string;
  readonly operationIndex: number;
  readonly process: string;
  readonly machineId: string;
  readonly status: 'assigned' | 'accepted' | 'declined' | 'started' | 'finished' | 'cancelled';
  readonly plannedStart: string;
  readonly plannedEnd: string;
  readonly start: OperationReport | null;
  readonly finish: OperationReport | null;
  readonly declineReason: string | null;
  readonly updated: Stamp;
}

interface Machine {
  readonly id: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly status: string;
  readonly capabilities: { readonly processes: readonly string[] };
}

/** Work first: jobs waiting for this factory, then running, then done. */
const ORDER: Readonly<Record<Job['status'], number>> = { assigned: 0, accepted: 1, started: 2, finished: 3, declined: 4, cancelled: 5 };

export function factoryView(ctx: ViewContext): HTMLElement {
  const { api, session } = ctx;
  const announcer = h('div', { class: 'announcer', role: 'status', 'aria-live': 'polite' });
  const jobsSlot = h('div', { class: 'jobs' });
  const machinesSlot = h('div', { class: 'machines' });
  const schedule = scheduleGantt(ctx);

  const loadJobs = () => load(jobsSlot, 'jobs',
    () => listAll<Job>(api, `/v1/jobs?factoryMsp=${encodeURIComponent(session.mspId)}`),
    (items) => {
      const jobs = [...items].sort((a, b) => ORDER[a.status] - ORDER[b.status] || a.id.localeCompare(b.id, undefined, { numeric: true }));
      return jobs.length === 0 ? h('p', { class: 'empty' }, 'No jobs are assigned to this factory.') : h('ul', { class: 'card-list', 'aria-label': 'Assigned jobs' }, jobs.map((j) => jobCard(j)));
    }, ctx);

  const loadMachines = () => load(machinesSlot, 'machines',
    () => listAll<Machine>(api, `/v1/machines?ownerMsp=${encodeURIComponent(session.mspId)}`),
    (items) => (items.length === 0 ? h('p', { class: 'empty' }, 'This factory has no machines registered.') : h('ul', { class: 'card-list', 'aria-label': 'Machines' }, items.map(machineCard))), ctx);

  function jobCard(job: Job): HTMLElement {
    const card = h('li', { class: 'card job', 'data-job-id': job.id, 'data-status': job.status });
    const feedback = h('div', { class: 'card-feedback' });
    const act = async (label: string, path: string, body: unknown) => {
      for (const b of card.querySelectorAll('button')) b.disabled = true;
      feedback.replaceChildren(h('p', { role: 'status' }, `${label}…`));
      try {
        const { value, transactionId } = await api.post<Job>(`/v1/jobs/${encodeURIComponent(job.id)}/${path}`, body);
        const next = jobCard(value);
        card.replaceWith(next);
        schedule.reload();
        announcer.textContent = `${job.id}: ${label.toLowerCase()} recorded, now ${value.status}${transactionId ? ` (transaction ${transactionId.slice(0, 12)}…)` : ''}.`;
        next.querySelector<HTMLElement>('h3')?.focus();
      } catch (e) {
        if (e instanceof ApiProblem && e.status === 401) return ctx.signOut();
        feedback.replaceChildren(problem(e, label.toLowerCase()));
        for (const b of card.querySelectorAll('button')) b.disabled = false;
      }
    };
    const machineId = job.start?.machineId ?? job.machineId;
    const actions = h('div', { class: 'actions' });
    if (job.status === 'assigned') {
      const reason = h('input', { id: `decline-${job.id}`, type: 'text', maxlength: 2000, required: true });
      const declineForm = h('form', { class: 'decline', hidden: true },
        h('label', { for: `decline-${job.id}` }, 'Reason for declining'), reason,
        h('div', { class: 'actions' },
          h('button', { type: 'submit', class: 'danger' }, 'Confirm decline'),
          h('button', { type: 'button', onclick: () => { declineForm.hidden = true; declineButton.focus(); } }, 'Keep job')));
      declineForm.addEventListener('submit', (e) => {
        e.preventDefault();
        if (!reason.value.trim()) return void reason.focus();
        void act('Decline', 'decline', { reason: reason.value.trim() });
      });
      const declineButton = h('button', { type: 'button', onclick: () => { declineForm.hidden = false; reason.focus(); } }, 'Decline');
      actions.append(h('button', { type: 'button', class: 'primary', onclick: () => void act('Accept', 'acceptance', {}) }, 'Accept'), declineButton);
      card.append(header(job), details(job), actions, declineForm, feedback);
      return card;
    }
    if (job.status === 'accepted') actions.append(h('button', { type: 'button', class: 'primary', onclick: () => void act('Report start', 'start', { machineId }) }, 'Report start'));
    if (job.status === 'started') actions.append(h('button', { type: 'button', class: 'primary', onclick: () => void act('Report finish', 'finish', { machineId }) }, 'Report finish'));
    card.append(header(job), details(job), actions.childElementCount ? actions : '', feedback);
    return card;
  }

  function header(job: Job): HTMLElement {
    return h('div', { class: 'card-head' },
      h('h3', { tabindex: -1 }, job.id),
      h('span', { class: `badge status-${job.status}` }, humanize(job.status)));
  }

  function details(job: Job): HTMLElement {
    return h('dl', { class: 'facts' },
      h('dt', {}, 'Part'), h('dd', {}, `${job.partId} (order ${job.orderId}, operation ${job.operationIndex + 1})`),
      h('dt', {}, 'Process'), h('dd', {}, humanize(job.process)),
      h('dt', {}, 'Machine'), h('dd', {}, job.start?.machineId ?? job.machineId),
      h('dt', {}, 'Planned'), h('dd', {}, time(job.plannedStart), ' – ', time(job.plannedEnd)),
      job.start ? [h('dt', {}, 'Started'), h('dd', {}, time(job.start.reported.at))] : null,
      job.finish ? [h('dt', {}, 'Finished'), h('dd', {}, time(job.finish.reported.at))] : null,
      job.declineReason ? [h('dt', {}, 'Declined'), h('dd', {}, job.declineReason)] : null,
      h('dt', {}, 'Last tx'), h('dd', {}, txId(job.updated.txId)));
  }

  function machineCard(machine: Machine): HTMLElement {
    const twin = twinHealth(ctx, machine.id);
    return h('li', { class: 'card machine', 'data-machine-id': machine.id },
      h('div', { class: 'card-head' }, h('h3', {}, machine.id), h('span', { class: `badge status-${machine.status}` }, humanize(machine.status))),
      h('p', { class: 'muted' }, `${machine.manufacturer} ${machine.model} · ${machine.capabilities.processes.map(humanize).join(', ')}`),
      twin);
  }

  const section = h('section', { class: 'view factory', 'aria-labelledby': 'factory-title' },
    h('div', { class: 'view-head' },
      h('h1', { id: 'factory-title' }, `Factory ${session.mspId}`),
      h('button', { type: 'button', onclick: () => { void loadJobs(); void loadMachines(); schedule.reload(); } }, 'Refresh')),
    announcer,
    h('h2', {}, 'Assigned jobs'), jobsSlot,
    h('h2', {}, 'Accepted schedule'), schedule.element,
    h('h2', {}, 'Machines and twin health'), machinesSlot);
  void loadJobs();
  void loadMachines();
  return section;
}
