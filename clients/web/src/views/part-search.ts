/**
 * Part search for the auditor: filters on `GET /v1/parts` (order, status, buyer organisation, all
 * answered by the gateway's index, cursor-paged) and on the producing factory (the route has no
 * such filter, so it is applied here to the pages the gateway returns). Results are a table whose
 * part ids are links; following one opens that part's verified trace.
 */
import { ApiProblem, type Api } from '../api';
import { h } from '../dom';
import { humanize, loading, problem, type Page, type ViewContext } from './common';

/** The part statuses `GET /v1/parts?status=` accepts (the chaincode's part states). */
export const PART_STATUSES = ['created', 'scheduled', 'in_production', 'qc_passed', 'qc_failed', 'shipped', 'delivered', 'cancelled'] as const;

/** Results per "page" shown. */
const PAGE_SIZE = 25;
/** With a producer filter the gateway's pages are scanned here: their size and how many per "load more". */
const SCAN_PAGE_SIZE = 100;
const SCAN_MAX_REQUESTS = 10;

/** The fields of a part (as `GET /v1/parts` lists it) that the results show. */
interface PartRow {
  readonly id: string;
  readonly orderId: string;
  readonly status: string;
  readonly buyerMsp: string;
  readonly producerMsp: string | null;
  readonly qc: null | { readonly result: 'pass' | 'fail'; readonly dispute: null | { readonly resolution: null | { readonly upheld: boolean } } };
}

/** What the form asks for; empty strings are no filter. */
export interface PartFilters {
  readonly orderId: string;
  readonly status: string;
  readonly buyerMsp: string;
  readonly producerMsp: string;
}

const FILTER_PARAMS: readonly (readonly [keyof PartFilters, string])[] = [['orderId', 'order'], ['status', 'status'], ['buyerMsp', 'buyer'], ['producerMsp', 'producer']];

/** The filters written in a page address (`?order=…&status=…&buyer=…&producer=…`), or null without any. */
export function filtersFromUrl(search: URLSearchParams): PartFilters | null {
  const f = Object.fromEntries(FILTER_PARAMS.map(([key, param]) => [key, search.get(param)?.trim() ?? ''])) as unknown as PartFilters;
  return FILTER_PARAMS.some(([key]) => f[key] !== '') ? f : null;
}

/** Write `filters` into `search` (removing those that are empty). */
export function filtersToUrl(filters: PartFilters, search: URLSearchParams): void {
  for (const [key, param] of FILTER_PARAMS) {
    if (filters[key]) search.set(param, filters[key]);
    else search.delete(param);
  }
}

/** One "page" of results: the matches and the gateway's cursor to continue from. */
interface ResultPage {
  readonly items: readonly PartRow[];
  readonly nextCursor: string | null;
  /** Parts the gateway returned for this page (more than `items` when a producer filter applies here). */
  readonly scanned: number;
}

function listPath(filters: PartFilters, limit: number, cursor: string | null): string {
  const q = new URLSearchParams();
  if (filters.orderId) q.set('orderId', filters.orderId);
  if (filters.status) q.set('status', filters.status);
  if (filters.buyerMsp) q.set('buyerMsp', filters.buyerMsp);
  q.set('limit', String(limit));
  if (cursor) q.set('cursor', cursor);
  return `/v1/parts?${q.toString()}`;
}

/**
 * The next results after `cursor`. Without a producer filter: one page of the gateway. With one:
 * the gateway's pages in turn, keeping that producer's parts, until a page's worth is found, the
 * list ends or {@link SCAN_MAX_REQUESTS} pages were read.
 * @throws ApiProblem from the gateway (e.g. 422 VALIDATION_FAILED for a malformed filter)
 */
async function nextResults(api: Api, filters: PartFilters, cursor: string | null): Promise<ResultPage> {
  if (!filters.producerMsp) {
    const page = await api.get<Page<PartRow>>(listPath(filters, PAGE_SIZE, cursor));
    return { items: page.items, nextCursor: page.nextCursor ?? null, scanned: page.items.length };
  }
  const items: PartRow[] = [];
  let scanned = 0;
  let next = cursor;
  for (let request = 0; request < SCAN_MAX_REQUESTS; request++) {
    const page: Page<PartRow> = await api.get<Page<PartRow>>(listPath(filters, SCAN_PAGE_SIZE, next));
    scanned += page.items.length;
    items.push(...page.items.filter((p) => p.producerMsp === filters.producerMsp));
    next = page.nextCursor ?? null;
    if (!next || items.length >= PAGE_SIZE) break;
  }
  return { items, nextCursor: next, scanned };
}

function qcCell(qc: PartRow['qc']): HTMLElement | string {
  if (!qc) return '—';
  const disputed = qc.dispute !== null && qc.dispute.resolution === null;
  return h('span', { class: `badge status-${qc.result === 'pass' ? 'qc_passed' : 'qc_failed'}` }, qc.result === 'pass' ? 'Passed' : 'Failed', disputed ? ' (disputed)' : '');
}

function resultRow(part: PartRow, open: (partId: string) => void): HTMLTableRowElement {
  const link = h('a', { href: `/trace?part=${encodeURIComponent(part.id)}`, class: 'part-link' }, part.id);
  link.addEventListener('click', (e) => {
    // Let the browser open a new tab or window when asked to; otherwise open the trace here.
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    open(part.id);
  });
  // Explicit roles: on phones the rows are laid out as blocks, which would drop the table semantics.
  return h('tr', { role: 'row', 'data-part-id': part.id, 'data-status': part.status },
    h('th', { role: 'rowheader', scope: 'row', 'data-label': 'Part' }, link),
    h('td', { role: 'cell', 'data-label': 'Order' }, part.orderId),
    h('td', { role: 'cell', 'data-label': 'Status' }, h('span', { class: `badge status-${part.status}` }, humanize(part.status))),
    h('td', { role: 'cell', 'data-label': 'Producer' }, part.producerMsp ?? '—'),
    h('td', { role: 'cell', 'data-label': 'QC' }, qcCell(part.qc)));
}

function textField(id: string, label: string, value: string, hint: string): HTMLElement {
  return h('div', { class: 'filter' },
    h('label', { for: id }, label),
    h('input', { id, name: id, type: 'text', value, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${id}-hint` }),
    h('p', { class: 'hint', id: `${id}-hint` }, hint));
}

/**
 * The search form and its results.
 * @param open called with the part id of the result the user chose
 * @param onSearch called with the filters of each search (to keep them in the address)
 */
export function partSearch(ctx: ViewContext, open: (partId: string) => void, initial: PartFilters | null, onSearch: (filters: PartFilters) => void): HTMLElement {
  const status = h('select', { id: 'search-status', name: 'status' },
    h('option', { value: '' }, 'Any status'),
    PART_STATUSES.map((s) => h('option', { value: s }, humanize(s))));
  const form = h('form', { class: 'part-search-form', 'aria-labelledby': 'part-search-title', novalidate: true },
    h('div', { class: 'filters' },
      textField('search-order', 'Order id', initial?.orderId ?? '', 'e.g. PO-1001'),
      h('div', { class: 'filter' }, h('label', { for: 'search-status' }, 'Status'), status),
      textField('search-buyer', 'Buyer organisation', initial?.buyerMsp ?? '', 'MSP ID, e.g. Org3MSP'),
      textField('search-producer', 'Producer organisation', initial?.producerMsp ?? '', 'MSP ID of the factory that recorded QC, e.g. Org1MSP')),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Search parts'),
      h('button', { type: 'reset' }, 'Clear filters')));
  // A status from the address that is not one of the list is still searched for (the gateway
  // says what is wrong with it), so the form shows it too.
  if (initial?.status && !(PART_STATUSES as readonly string[]).includes(initial.status)) status.append(h('option', { value: initial.status }, initial.status));
  status.value = initial?.status ?? '';
  const results = h('div', { class: 'search-results' });
  const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value.trim();

  // A newer search makes the pages of an older one stale: their answers are dropped.
  let generation = 0;
  const search = async (filters: PartFilters) => {
    const mine = ++generation;
    onSearch(filters);
    results.replaceChildren(loading('matching parts'));
    results.setAttribute('aria-busy', 'true');
    try {
      const first = await nextResults(ctx.api, filters, null);
      if (mine === generation) showResults(filters, first);
    } catch (e) {
      if (mine !== generation) return;
      if (e instanceof ApiProblem && e.status === 401) return ctx.signOut();
      results.replaceChildren(problem(e, 'search parts'));
    } finally {
      if (mine === generation) results.removeAttribute('aria-busy');
    }
  };

  const showResults = (filters: PartFilters, first: ResultPage) => {
    const summary = h('p', { class: 'search-summary', role: 'status' });
    if (first.items.length === 0 && !first.nextCursor) {
      summary.classList.add('empty');
      summary.replaceChildren('No parts match these filters.');
      return results.replaceChildren(summary);
    }
    const body = h('tbody', { role: 'rowgroup' });
    const table = h('table', { class: 'part-results', role: 'table' },
      h('caption', { class: 'visually-hidden' }, 'Parts that match the filters; follow a part id to open its verified trace'),
      h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' }, ['Part', 'Order', 'Status', 'Producer', 'QC'].map((c) => h('th', { role: 'columnheader', scope: 'col' }, c)))),
      body);
    const more = h('button', { type: 'button', class: 'load-more' }, 'Load more');
    const moreProblem = h('div', { class: 'load-more-problem' });
    let cursor = first.nextCursor;
    let shown = 0;
    let scanned = 0;
    const add = (page: ResultPage) => {
      body.append(...page.items.map((p) => resultRow(p, open)));
      shown += page.items.length;
      scanned += page.scanned;
      cursor = page.nextCursor;
      more.hidden = !cursor;
      const producerNote = filters.producerMsp ? ` (of ${scanned} checked for producer ${filters.producerMsp})` : '';
      summary.replaceChildren(shown === 0
        ? `No match yet${producerNote}; load more to keep looking.`
        : `${shown} ${shown === 1 ? 'part' : 'parts'}${producerNote}${cursor ? '; more to load' : ''}.`);
    };
    more.addEventListener('click', async () => {
      const mine = generation;
      more.disabled = true;
      more.replaceChildren('Loading more…');
      moreProblem.replaceChildren();
      try {
        const before = body.rows.length;
        const page = await nextResults(ctx.api, filters, cursor);
        if (mine !== generation) return;
        add(page);
        // Keep the keyboard where the new rows start (the button may be gone now).
        body.rows[before]?.querySelector<HTMLAnchorElement>('a')?.focus();
      } catch (e) {
        if (e instanceof ApiProblem && e.status === 401) return ctx.signOut();
        moreProblem.replaceChildren(problem(e, 'load more parts'));
      } finally {
        more.disabled = false;
        more.replaceChildren('Load more');
      }
    });
    add(first);
    results.replaceChildren(summary, table, moreProblem, h('div', { class: 'actions' }, more));
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void search({ orderId: value('search-order'), status: value('status'), buyerMsp: value('search-buyer'), producerMsp: value('search-producer') });
  });
  form.addEventListener('reset', () => {
    generation++;
    results.replaceChildren();
    results.removeAttribute('aria-busy');
    queueMicrotask(() => {
      onSearch({ orderId: '', status: '', buyerMsp: '', producerMsp: '' });
      (form.elements.namedItem('search-order') as HTMLInputElement).focus();
    });
  });
  if (initial) queueMicrotask(() => void search(initial));
  return h('section', { class: 'part-search', 'aria-labelledby': 'part-search-title' },
    h('h2', { id: 'part-search-title' }, 'Find parts'),
    form, results);
}
