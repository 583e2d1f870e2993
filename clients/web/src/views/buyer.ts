/**
 * Buyer view: an order wizard (part → recommended configuration → review and place →
 * recommended factories) and the buyer's orders, tracked part by part with payment status.
 */
import { h } from '../dom';
import type { ViewContext } from './common';
import { orderTracking } from './order-tracking';
import { orderWizard } from './order-wizard';

export function buyerView(ctx: ViewContext): HTMLElement {
  const tracking = orderTracking(ctx);
  const wizard = orderWizard(ctx, (orderId) => tracking.reload(orderId));
  return h('section', { class: 'view buyer', 'aria-labelledby': 'buyer-title' },
    h('div', { class: 'view-head' },
      h('h1', { id: 'buyer-title' }, `Buyer ${ctx.session.mspId}`),
      h('button', { type: 'button', onclick: () => tracking.reload() }, 'Refresh orders')),
    h('div', { class: 'buyer-columns' },
      h('section', { class: 'new-order', 'aria-labelledby': 'new-order-title' }, h('h2', { id: 'new-order-title' }, 'New order'), wizard),
      h('section', { class: 'my-orders', 'aria-labelledby': 'orders-title' }, h('h2', { id: 'orders-title' }, 'Your orders'), tracking.element)));
}
