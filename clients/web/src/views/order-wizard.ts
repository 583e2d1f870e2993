/**
 * The buyer's order wizard: 1 part spec → 2 a recommended configuration (material and process
 * route, GET /v1/recommendations/parts, with its explanation) → 3 review and place the order
 * (POST /v1/orders) → 4 the factories recommended for it (GET /v1/recommendations/factories,
 * which needs an order on the ledger, so it comes after placing), each with its explanation.
 */
import { ApiProblem } from '../api';
import { h } from '../dom';
import { humanize, load, problem, txId, type ViewContext } from './common';

interface Contribution {
  readonly name: string;
  readonly value: number;
  readonly detail: string;
}

export interface Recommendation {
  readonly configuration: string;
  readonly score: number;
  readonly explanation: { readonly predictedRating: number; readonly summary: string; readonly contributions?: readonly Contribution[] };
}

export interface Recommendations {
  readonly coldStart: boolean;
  readonly strategy: string;
  readonly modelVersion: string;
  readonly items: readonly Recommendation[];
}

interface FactoryRecommendation {
  readonly factoryMsp: string;
  readonly score: number;
  readonly machines: readonly string[];
  readonly factors: readonly { readonly factor: string; readonly value: number; readonly detail: string }[];
  readonly summary: string;
}

interface PlacedOrder {
  readonly id: string;
  readonly partIds: readonly string[];
}

interface Spec {
  name: string;
  quantity: number;
  /** yyyy-mm-dd from the date input. */
  due: string;
  revision: string;
  drawing: string;
}

/** "ti6al4v|additive+milling" → material and its process route. */
export function parseConfiguration(configuration: string): { material: string; processes: string[] } {
  const [material = configuration, route = ''] = configuration.split('|');
  return { material, processes: route.split('+').filter(Boolean) };
}

export function routeLabel(processes: readonly string[]): string {
  return processes.map(humanize).join(' → ');
}

/** SHA-256 (hex) of the spec as canonical JSON (sorted keys): the public `specHash` of the order. */
async function specHash(spec: Record<string, unknown>): Promise<string> {
  const canonical = JSON.stringify(spec, Object.keys(spec).sort());
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A fresh purchase-order id: PO-yymmdd-xxxx. */
function newOrderId(): string {
  const d = new Date();
  const ymd = `${String(d.getFullYear()).slice(2)}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
  return `PO-${ymd}-${crypto.getRandomValues(new Uint16Array(1))[0]!.toString(16).padStart(4, '0')}`;
}

/** yyyy-mm-dd of a date `days` from today, local time. */
function dateInDays(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const STEPS = ['Part', 'Configuration', 'Review', 'Factories'] as const;

/**
 * The wizard. `onPlaced` is called after an order is on the ledger (to refresh the tracking list).
 */
export function orderWizard(ctx: ViewContext, onPlaced: (orderId: string) => void): HTMLElement {
  const { api, session } = ctx;
  const status = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const progress = h('ol', { class: 'steps', 'aria-label': 'Order steps' });
  const body = h('div', { class: 'wizard-body' });
  const spec: Spec = { name: '', quantity: 1, due: dateInDays(21), revision: '', drawing: '' };
  let chosen: Recommendation | null = null;
  let orderId = newOrderId();
  let recommendations: Promise<Recommendations> | null = null;
  /** The first step is drawn without taking the focus (the page just opened). */
  let moveFocus = false;

  const show = (step: number, content: HTMLElement) => {
    progress.replaceChildren(...STEPS.map((name, i) => h('li', { class: i < step ? 'done' : i === step ? 'current' : '', 'aria-current': i === step ? 'step' : undefined },
      h('span', { class: 'step-number', 'aria-hidden': 'true' }, String(i + 1)), ' ', name)));
    body.replaceChildren(content);
    if (moveFocus) {
      status.textContent = `Step ${step + 1} of ${STEPS.length}: ${STEPS[step]}`;
      content.querySelector<HTMLElement>('h3')?.focus();
    }
    moveFocus = true;
  };

  // Step 1: the part.
  const specStep = () => {
    const name = h('input', { id: 'wiz-name', name: 'name', type: 'text', required: true, maxlength: 120, autocomplete: 'off', value: spec.name });
    const quantity = h('input', { id: 'wiz-qty', name: 'quantity', type: 'number', inputmode: 'numeric', min: 1, max: 500, step: 1, required: true, value: spec.quantity });
    const due = h('input', { id: 'wiz-due', name: 'due', type: 'date', required: true, min: dateInDays(1), value: spec.due });
    const revision = h('input', { id: 'wiz-rev', name: 'revision', type: 'text', maxlength: 200, autocomplete: 'off', value: spec.revision });
    const drawing = h('input', { id: 'wiz-drawing', name: 'drawing', type: 'text', maxlength: 200, autocomplete: 'off', value: spec.drawing, 'aria-describedby': 'wiz-drawing-hint' });
    const message = h('div', { class: 'form-message' });
    const form = h('form', { class: 'wizard-step', novalidate: true, 'aria-labelledby': 'wiz-step-title' },
      h('h3', { id: 'wiz-step-title', tabindex: -1 }, '1. Describe the part'),
      h('label', { for: 'wiz-name' }, 'Part name'), name,
      h('div', { class: 'field-row' },
        h('div', {}, h('label', { for: 'wiz-qty' }, 'Quantity'), quantity),
        h('div', {}, h('label', { for: 'wiz-due' }, 'Due date'), due)),
      h('label', { for: 'wiz-rev' }, 'Revision (optional)'), revision,
      h('label', { for: 'wiz-drawing' }, 'Drawing reference (optional)'), drawing,
      h('p', { id: 'wiz-drawing-hint', class: 'hint' }, 'The spec is hashed into the order; only the hash is public on the ledger.'),
      message,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Next: configuration')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const q = Number(quantity.value);
      const problems: [HTMLInputElement, string][] = [];
      if (!name.value.trim()) problems.push([name, 'enter a part name']);
      if (!Number.isInteger(q) || q < 1 || q > 500) problems.push([quantity, 'the quantity must be a whole number from 1 to 500']);
      if (!due.value || due.value < dateInDays(1)) problems.push([due, 'the due date must be after today']);
      for (const input of [name, quantity, due]) input.removeAttribute('aria-invalid');
      if (problems.length) {
        for (const [input] of problems) input.setAttribute('aria-invalid', 'true');
        message.replaceChildren(problem(new ApiProblem(0, 'INVALID_INPUT', problems.map(([, m]) => m).join('; '))));
        problems[0]![0].focus();
        return;
      }
      Object.assign(spec, { name: name.value.trim(), quantity: q, due: due.value, revision: revision.value.trim(), drawing: drawing.value.trim() });
      configurationStep();
    });
    show(0, form);
  };

  // Step 2: a recommended configuration.
  const configurationStep = () => {
    const list = h('div', { class: 'recommendations' });
    const message = h('div', { class: 'form-message' });
    const form = h('form', { class: 'wizard-step', novalidate: true, 'aria-labelledby': 'wiz-step-title' },
      h('h3', { id: 'wiz-step-title', tabindex: -1 }, '2. Choose a configuration'),
      h('p', { class: 'muted small' }, 'Material and process route, ranked for your organisation by the consortium’s recommender.'),
      list, message,
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: specStep }, 'Back'),
        h('button', { type: 'submit', class: 'primary' }, 'Next: review')));
    recommendations ??= api.get<Recommendations>(`/v1/recommendations/parts?buyer=${encodeURIComponent(session.mspId)}&k=5`);
    const pending = recommendations;
    void load(list, 'recommendations', () => pending, (r) => {
      if (r.items.length === 0) return h('p', { class: 'empty' }, 'No recommendations yet.');
      chosen = r.items.find((i) => i.configuration === chosen?.configuration) ?? null;
      return h('fieldset', { class: 'choices' },
        h('legend', {}, r.coldStart ? 'Popular configurations (not enough history for personal ones yet)' : `Recommended for ${session.mspId} (model ${r.modelVersion})`),
        h('ol', { class: 'card-list', 'aria-label': 'Recommended configurations' }, r.items.map((item, i) => {
          const { material, processes } = parseConfiguration(item.configuration);
          const radio = h('input', { type: 'radio', name: 'configuration', id: `wiz-config-${i}`, value: item.configuration, checked: chosen?.configuration === item.configuration, 'aria-describedby': `wiz-config-${i}-why` });
          radio.addEventListener('change', () => { chosen = item; message.replaceChildren(); });
          return h('li', { class: 'card recommendation choice', 'data-configuration': item.configuration },
            h('div', { class: 'choice-head' }, radio,
              h('label', { for: `wiz-config-${i}` }, routeLabel(processes) || item.configuration, h('span', { class: 'muted' }, ` · ${material}`)),
              h('span', { class: 'badge' }, `${item.explanation.predictedRating.toFixed(1)} / 5`)),
            h('p', { class: 'muted small', id: `wiz-config-${i}-why` }, item.explanation.summary),
            item.explanation.contributions?.length ? h('details', {}, h('summary', {}, 'Why this rating'),
              h('ul', { class: 'contributions' }, item.explanation.contributions.map((c) => h('li', {}, h('strong', {}, `${humanize(c.name)} ${c.value >= 0 ? '+' : ''}${c.value.toFixed(3)}`), ` — ${c.detail}`)))) : null);
        })));
    }, ctx);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!chosen) {
        message.replaceChildren(problem(new ApiProblem(0, 'INVALID_INPUT', 'choose one of the configurations')));
        form.querySelector<HTMLInputElement>('input[type=radio]')?.focus();
        return;
      }
      reviewStep();
    });
    show(1, form);
  };

  // Step 3: review and place.
  const reviewStep = () => {
    const { material, processes } = parseConfiguration(chosen!.configuration);
    const idInput = h('input', { id: 'wiz-order-id', name: 'orderId', type: 'text', required: true, maxlength: 64, pattern: '[A-Za-z0-9][A-Za-z0-9._:\\-]{0,63}', autocomplete: 'off', spellcheck: 'false', value: orderId });
    const message = h('div', { class: 'form-message' });
    const place = h('button', { type: 'submit', class: 'primary' }, 'Place order');
    const form = h('form', { class: 'wizard-step', novalidate: true, 'aria-labelledby': 'wiz-step-title' },
      h('h3', { id: 'wiz-step-title', tabindex: -1 }, '3. Review and place the order'),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Part'), h('dd', {}, spec.name),
        h('dt', {}, 'Quantity'), h('dd', {}, String(spec.quantity)),
        h('dt', {}, 'Due'), h('dd', {}, new Date(`${spec.due}T23:59:59`).toLocaleDateString()),
        h('dt', {}, 'Material'), h('dd', {}, material),
        h('dt', {}, 'Route'), h('dd', {}, routeLabel(processes)),
        spec.revision ? [h('dt', {}, 'Revision'), h('dd', {}, spec.revision)] : null,
        spec.drawing ? [h('dt', {}, 'Drawing'), h('dd', {}, spec.drawing)] : null),
      h('label', { for: 'wiz-order-id' }, 'Order number'), idInput,
      h('p', { class: 'hint' }, 'Your purchase-order number; letters, digits, “.”, “_”, “:” or “-”.'),
      message,
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: configurationStep }, 'Back'),
        place));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const id = idInput.value.trim();
      if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(id)) {
        idInput.setAttribute('aria-invalid', 'true');
        message.replaceChildren(problem(new ApiProblem(0, 'INVALID_INPUT', 'the order number must start with a letter or digit and use only letters, digits, “.”, “_”, “:” or “-” (at most 64)')));
        idInput.focus();
        return;
      }
      idInput.removeAttribute('aria-invalid');
      orderId = id;
      for (const b of form.querySelectorAll('button')) b.disabled = true;
      place.textContent = 'Placing order…';
      message.replaceChildren(h('p', { role: 'status' }, 'Writing the order to the ledger…'));
      void (async () => {
        try {
          const parameters: Record<string, string> = {};
          if (spec.revision) parameters.revision = spec.revision;
          if (spec.drawing) parameters.drawing = spec.drawing;
          const hash = await specHash({ name: spec.name, material, parameters, route: processes });
          const dueDate = new Date(`${spec.due}T23:59:59`).toISOString().replace(/\.\d+Z$/, 'Z');
          const { value, transactionId } = await api.post<PlacedOrder>('/v1/orders', {
            id, spec: { name: spec.name, specHash: hash, material, parameters }, operations: processes.map((process) => ({ process })), quantity: spec.quantity, dueDate,
          });
          onPlaced(value.id);
          factoriesStep(value, transactionId);
        } catch (err) {
          if (err instanceof ApiProblem && err.status === 401) return ctx.signOut();
          message.replaceChildren(problem(err, 'place the order'));
          for (const b of form.querySelectorAll('button')) b.disabled = false;
          place.textContent = 'Place order';
          idInput.focus();
        }
      })();
    });
    show(2, form);
  };

  // Step 4: placed; factories recommended for it.
  const factoriesStep = (order: PlacedOrder, transactionId: string | null) => {
    const list = h('div', { class: 'factory-recommendations' });
    const done = h('section', { class: 'wizard-step placed', 'aria-labelledby': 'wiz-step-title', 'data-order-id': order.id },
      h('h3', { id: 'wiz-step-title', tabindex: -1 }, `4. Order ${order.id} placed`),
      h('p', { class: 'notice' }, `On the ledger with ${order.partIds.length} part(s): ${order.partIds.join(', ')}. Transaction `, txId(transactionId), '.'),
      h('h4', {}, 'Factories recommended for this order'),
      list,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: () => { chosen = null; orderId = newOrderId(); Object.assign(spec, { name: '', quantity: 1, revision: '', drawing: '' }); specStep(); } }, 'Order another part')));
    void load(list, 'factory recommendations', () => api.get<{ factories: FactoryRecommendation[] }>(`/v1/recommendations/factories?order=${encodeURIComponent(order.id)}`), (r) => factoryList(r.factories), ctx);
    show(3, done);
  };

  const root = h('div', { class: 'wizard' }, status, progress, body);
  specStep();
  return root;
}

function factoryList(factories: readonly FactoryRecommendation[]): HTMLElement {
  if (factories.length === 0) return h('p', { class: 'empty' }, 'No member factory can make this configuration yet.');
  return h('ol', { class: 'card-list', 'aria-label': 'Recommended factories' }, factories.map((f) => h('li', { class: 'card factory-recommendation', 'data-factory': f.factoryMsp },
    h('div', { class: 'card-head' }, h('h5', {}, f.factoryMsp), h('span', { class: 'badge' }, `score ${f.score.toFixed(2)}`)),
    h('p', { class: 'small factory-summary' }, f.summary),
    h('p', { class: 'muted small' }, `Capable machines: ${f.machines.join(', ') || '—'}`),
    h('ul', { class: 'factors' }, f.factors.map((x) => h('li', {},
      h('span', { class: 'factor-name' }, humanize(x.factor)),
      h('meter', { min: 0, max: 1, value: x.value, 'aria-label': `${humanize(x.factor)} ${x.value.toFixed(2)}` }, x.value.toFixed(2)),
      h('span', { class: 'factor-detail muted small' }, x.detail)))))));
}
