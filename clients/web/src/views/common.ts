/** Pieces every view uses: loading and problem states, the context a view gets. */
import { ApiProblem, type Api } from '../api';
import { h } from '../dom';

export { time } from '../dom';
import type { Session } from '../session';

export interface ViewContext {
  readonly api: Api;
  readonly session: Session;
  /** Sign out (the key is no longer valid, or the user asked). */
  readonly signOut: () => void;
}

/** A list page of the API. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string | null;
}

/** Who did something and when: the ledger transaction. */
export interface Stamp {
  readonly at: string;
  readonly mspId: string;
  readonly txId: string;
}

/**
 * Every item of a paged list: follows `nextCursor` (pages of 500, the API's maximum).
 * @param path the list path with its filters, without `limit` or `cursor`
 * @throws ApiProblem from any page
 */
export async function listAll<T>(api: Api, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null | undefined = null;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const page: Page<T> = await api.get<Page<T>>(`${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export function loading(what: string): HTMLElement {
  return h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), `Loading ${what}…`);
}

/** An error box with the problem's `detail` (and its code, for support). */
export function problem(e: unknown, what?: string): HTMLElement {
  const p = e instanceof ApiProblem ? e : new ApiProblem(0, 'CLIENT', (e as Error)?.message ?? String(e));
  return h('div', { class: 'problem', role: 'alert', 'data-code': p.code },
    h('strong', {}, what ? `Could not ${what}: ` : 'Error: '), p.detail,
    p.status ? h('span', { class: 'code' }, ` (${p.status} ${p.code})`) : null);
}

/** Show `what` loading in `slot`, then whatever `render` makes of the result, or the problem. */
export async function load<T>(slot: HTMLElement, what: string, fetchIt: () => Promise<T>, render: (value: T) => Node | Node[], ctx: ViewContext): Promise<void> {
  slot.replaceChildren(loading(what));
  slot.setAttribute('aria-busy', 'true');
  try {
    const value = await fetchIt();
    const out = render(value);
    slot.replaceChildren(...(Array.isArray(out) ? out : [out]));
  } catch (e) {
    if (e instanceof ApiProblem && e.status === 401) ctx.signOut();
    else slot.replaceChildren(problem(e, `load ${what}`));
  } finally {
    slot.removeAttribute('aria-busy');
  }
}

/** A short form of a transaction id, with the full id for copying and screen readers. */
export function txId(id: string | null | undefined): HTMLElement | string {
  if (!id) return '—';
  return h('code', { class: 'tx', title: id }, id);
}

export function humanize(word: string): string {
  const s = word.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}
