/** Buyer view: part configurations recommended for this buyer, and its orders. */
import { h } from '../dom';
import { humanize, load, time, type Page, type Stamp, type ViewContext } from './common';

interface Recommendation {
  readonly configuration: string;
  readonly score: number;
  readonly explanation: { readonly predictedRating: number; readonly summary: string };
}

interface Recommendations {
  readonly coldStart: boolean;
  readonly strategy: string;
  readonly modelVersion: string;
  readonly items: readonly Recommendation[];
}

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

/** "ti6al4v|additive+milling" → material and process route. */
function configurationLabel(configuration: string): { material: string; route: string } {
  const [material = configuration, route = ''] = configuration.split('|');
  return { material, route: route.split('+').filter(Boolean).map(humanize).join(' → ') };
}

export function buyerView(ctx: ViewContext): HTMLElement {
  const { api, session } = ctx;
  const recSlot = h('div', { class: 'recommendations' });
  const ordersSlot = h('div', { class: 'orders' });
  const msp = encodeURIComponent(session.mspId);
  const section = h('section', { class: 'view buyer', 'aria-labelledby': 'buyer-title' },
    h('div', { class: 'view-head' }, h('h1', { id: 'buyer-title' }, `Buyer ${session.mspId}`)),
    h('h2', {}, 'Recommended configurations'), recSlot,
    h('h2', {}, 'Orders'), ordersSlot);

  void load(recSlot, 'recommendations', () => api.get<Recommendations>(`/v1/recommendations/parts?buyer=${msp}&k=5`), (r) => [
    h('p', { class: 'muted small' }, r.coldStart ? 'Not enough history yet: popular configurations.' : `Personalised (model ${r.modelVersion}).`),
    r.items.length === 0 ? h('p', { class: 'empty' }, 'No recommendations yet.') : h('ol', { class: 'card-list', 'aria-label': 'Recommended configurations' }, r.items.map((item) => {
      const { material, route } = configurationLabel(item.configuration);
      return h('li', { class: 'card recommendation', 'data-configuration': item.configuration },
        h('div', { class: 'card-head' }, h('h3', {}, route || item.configuration), h('span', { class: 'badge' }, `${item.explanation.predictedRating.toFixed(1)} / 5`)),
        h('p', {}, h('strong', {}, 'Material '), material),
        h('p', { class: 'muted small' }, item.explanation.summary));
    })),
  ], ctx);

  void load(ordersSlot, 'orders', () => api.get<Page<Order>>(`/v1/orders?buyerMsp=${msp}&limit=200`), (page) => (page.items.length === 0 ? h('p', { class: 'empty' }, 'No orders yet.') : h('ul', { class: 'card-list', 'aria-label': 'Orders' }, page.items.map((o) => h('li', { class: 'card order', 'data-order-id': o.id },
    h('div', { class: 'card-head' }, h('h3', {}, `${o.id} · ${o.spec.name}`), h('span', { class: `badge status-${o.status}` }, humanize(o.status))),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Material'), h('dd', {}, o.spec.material),
      h('dt', {}, 'Route'), h('dd', {}, o.operations.map((op) => humanize(op.process)).join(' → ')),
      h('dt', {}, 'Quantity'), h('dd', {}, `${o.quantity} (${o.partIds.join(', ')})`),
      h('dt', {}, 'Due'), h('dd', {}, time(o.dueDate)),
      h('dt', {}, 'Ordered'), h('dd', {}, time(o.created.at))))))), ctx);
  return section;
}
