/**
 * The buyer's orders, tracked: each order with its parts' progress through the part state
 * machine (created → scheduled → in production → QC → shipped → delivered), the jobs that make
 * them, and the order's escrow payment status (GET /v1/orders/{id}/payments, when the gateway
 * runs the payments feature).
 */
import { ApiProblem, type Api } from '../api';
import { h } from '../dom';
import { humanize, listAll, load, problem, time, type Stamp, type ViewContext } from './common';
import { routeLabel } from './order-wizard';

interface Order {
  readonly id: string;
  readonly status: string;
  readonly quantity: number;
  readonly dueDate: string;
  readonly partIds: readonly string[];
  readonly spec: { readonly name: string; readonly material: string };
  readonly operations: readonly { readonly process: string }[];
  readonly created: Stamp;
}

interface Part {
  readonly id: string;
  readonly orderId: string;
  readonly status: string;
  readonly producerMsp: string | null;
  readonly updated: Stamp;
}

interface Job {
  readonly id: string;
  readonly partId: string;
  readonly operationIndex: number;
  readonly process: string;
  readonly factoryMsp: string;
  readonly status: string;
}

interface EscrowStatus {
  readonly token: string;
  readonly total: string;
  readonly milestones: readonly { readonly index: number; readonly kind: string; readonly status: string; readonly amount: string; readonly deadline: string }[];
}

/** The part's road; `qc_failed` sits on the QC step, `cancelled` leaves it. */
const FLOW = ['created', 'scheduled', 'in_production', 'qc_passed', 'shipped', 'delivered'] as const;
const FLOW_LABEL: Readonly<Record<(typeof FLOW)[number], string>> = {
  created: 'Ordered', scheduled: 'Scheduled', in_production: 'In production', qc_passed: 'QC', shipped: 'Shipped', delivered: 'Delivered',
};

function stepIndex(status: string): number {
  return status === 'qc_failed' ? FLOW.indexOf('qc_passed') : FLOW.indexOf(status as (typeof FLOW)[number]);
}

/** The tracking list; `reload()` fetches it again (after a new order). */
export function orderTracking(ctx: ViewContext): { element: HTMLElement; reload: (highlight?: string) => void } {
  const slot = h('div', { class: 'orders' });
  const msp = encodeURIComponent(ctx.session.mspId);
  const fetchAll = async () => {
    const [orders, parts, jobs] = await Promise.all([
      listAll<Order>(ctx.api, `/v1/orders?buyerMsp=${msp}`),
      listAll<Part>(ctx.api, `/v1/parts?buyerMsp=${msp}`),
      listAll<Job>(ctx.api, '/v1/jobs'),
    ]);
    return { orders, parts, jobs };
  };
  const reload = (highlight?: string) => void load(slot, 'orders', async () => {
    // The lists come from the gateway's index, which follows the ledger a moment behind:
    // a just-placed order is waited for (a few seconds at most).
    for (let attempt = 0; ; attempt++) {
      const data = await fetchAll();
      if (!highlight || attempt >= 10 || data.orders.some((o) => o.id === highlight)) return data;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }, ({ orders, parts, jobs }) => {
    if (orders.length === 0) return h('p', { class: 'empty' }, 'No orders yet.');
    const sorted = [...orders].sort((a, b) => b.created.at.localeCompare(a.created.at) || b.id.localeCompare(a.id));
    const payments = new Map<string, HTMLElement>();
    const list = h('ul', { class: 'card-list orders-list', 'aria-label': 'Orders' }, sorted.map((o) => {
      const pay = h('div', { class: 'payment', 'aria-live': 'polite' });
      payments.set(o.id, pay);
      return orderCard(o, parts.filter((p) => p.orderId === o.id), jobs, pay, o.id === highlight);
    }));
    void loadPayments(ctx.api, sorted.map((o) => o.id), payments);
    return list;
  }, ctx);
  reload();
  return { element: slot, reload };
}

function orderCard(o: Order, parts: readonly Part[], jobs: readonly Job[], payment: HTMLElement, isNew: boolean): HTMLElement {
  const byId = new Map(parts.map((p) => [p.id, p]));
  return h('li', { class: `card order${isNew ? ' is-new' : ''}`, 'data-order-id': o.id },
    h('div', { class: 'card-head' }, h('h3', {}, `${o.id} · ${o.spec.name}`), h('span', { class: `badge status-${o.status}` }, humanize(o.status))),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Material'), h('dd', {}, o.spec.material),
      h('dt', {}, 'Route'), h('dd', {}, routeLabel(o.operations.map((op) => op.process))),
      h('dt', {}, 'Quantity'), h('dd', {}, `${o.quantity} (${o.partIds.join(', ')})`),
      h('dt', {}, 'Due'), h('dd', {}, time(o.dueDate)),
      h('dt', {}, 'Ordered'), h('dd', {}, time(o.created.at))),
    h('h4', {}, 'Parts'),
    h('ul', { class: 'parts' }, o.partIds.map((id) => partItem(id, byId.get(id), jobs.filter((j) => j.partId === id)))),
    h('h4', {}, 'Payment'),
    payment);
}

function partItem(id: string, part: Part | undefined, jobs: readonly Job[]): HTMLElement {
  const status = part?.status ?? 'unknown';
  const at = stepIndex(status);
  return h('li', { class: 'part', 'data-part-id': id, 'data-status': status },
    h('div', { class: 'part-head' },
      h('strong', {}, id),
      h('span', { class: `badge status-${status}` }, humanize(status)),
      part?.producerMsp ? h('span', { class: 'muted small' }, `made by ${part.producerMsp}`) : null),
    at < 0 ? null : h('ol', { class: 'part-progress', 'aria-label': `Progress of ${id}` }, FLOW.map((step, i) => h('li', {
      class: i < at ? 'done' : i === at ? (status === 'qc_failed' ? 'current failed' : 'current') : '',
      'aria-current': i === at ? 'step' : undefined,
    }, i === at && status === 'qc_failed' ? 'QC failed' : FLOW_LABEL[step]))),
    jobs.length === 0 ? h('p', { class: 'muted small' }, 'No operation assigned to a factory yet.') : h('ul', { class: 'part-jobs small' }, [...jobs].sort((a, b) => a.operationIndex - b.operationIndex).map((j) => h('li', { 'data-job-id': j.id },
      `Operation ${j.operationIndex + 1} (${humanize(j.process)}) at ${j.factoryMsp}: `, h('span', { class: `badge status-${j.status}` }, humanize(j.status))))));
}

/**
 * Payment status of each order, one request at a time. A 404 that is not the payments feature's
 * own ESCROW_NOT_FOUND means the gateway has no payments routes: then no more are asked.
 */
async function loadPayments(api: Api, orderIds: readonly string[], slots: ReadonlyMap<string, HTMLElement>): Promise<void> {
  let enabled = true;
  for (const id of orderIds) {
    const slot = slots.get(id)!;
    if (!enabled) {
      slot.replaceChildren(h('p', { class: 'muted small payment-off' }, 'Payments are not offered by this gateway.'));
      continue;
    }
    slot.replaceChildren(h('p', { class: 'loading small' }, 'Loading payment status…'));
    try {
      const escrow = await api.get<EscrowStatus>(`/v1/orders/${encodeURIComponent(id)}/payments`);
      slot.replaceChildren(escrowView(escrow));
    } catch (e) {
      if (e instanceof ApiProblem && e.status === 404 && e.extensions.paymentsCode === 'ESCROW_NOT_FOUND') {
        slot.replaceChildren(h('p', { class: 'muted small payment-none' }, 'Not funded in escrow yet.'));
      } else if (e instanceof ApiProblem && e.status === 404 && e.extensions.paymentsCode === undefined) {
        enabled = false;
        slot.replaceChildren(h('p', { class: 'muted small payment-off' }, 'Payments are not offered by this gateway.'));
      } else {
        slot.replaceChildren(problem(e, 'load the payment status'));
      }
    }
  }
}

function escrowView(e: EscrowStatus): HTMLElement {
  const released = e.milestones.filter((m) => m.status === 'released').length;
  return h('div', { class: 'escrow' },
    h('p', { class: 'small' }, `In escrow: ${e.total} (token `, h('code', { class: 'tx' }, e.token), `), ${released} of ${e.milestones.length} milestone(s) released.`),
    h('table', { class: 'milestones' },
      h('caption', { class: 'visually-hidden' }, 'Payment milestones'),
      h('thead', {}, h('tr', {}, ['Milestone', 'Amount', 'Deadline', 'Status'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, e.milestones.map((m) => h('tr', { 'data-milestone': m.kind },
        h('td', {}, humanize(m.kind)),
        h('td', {}, m.amount),
        h('td', {}, time(m.deadline)),
        h('td', {}, h('span', { class: `badge status-${m.status}` }, humanize(m.status))))))));
}
