/** Auditor view: a part's trace (its own events and those of what it consumed) as a timeline. */
import { h } from '../dom';
import { humanize, load, time, txId, type ViewContext } from './common';

interface TraceEntry {
  readonly seq: number;
  readonly at: string;
  readonly type: string;
  readonly mspId: string;
  readonly txId: string;
  readonly depth: number;
  readonly subject: { readonly kind: string; readonly id: string };
  readonly data: Record<string, unknown>;
}

interface Trace {
  readonly partId: string;
  readonly entries: readonly TraceEntry[];
  readonly totalEntries: number;
  readonly nextPageToken: string | null;
}

/** Every page of a trace (pages of 1000, the API's maximum). */
async function fullTrace(ctx: ViewContext, partId: string): Promise<{ partId: string; entries: TraceEntry[] }> {
  const entries: TraceEntry[] = [];
  let token: string | null = null;
  do {
    const page: Trace = await ctx.api.get<Trace>(`/v1/parts/${encodeURIComponent(partId)}/trace?pageSize=1000${token ? `&pageToken=${token}` : ''}`);
    entries.push(...page.entries);
    token = page.nextPageToken;
  } while (token);
  return { partId, entries };
}

export function auditorView(ctx: ViewContext): HTMLElement {
  const input = h('input', { id: 'part-id', name: 'partId', type: 'search', autocomplete: 'off', spellcheck: 'false', required: true, placeholder: 'e.g. PO-1001.1' });
  const result = h('div', { class: 'trace-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'search', role: 'search' },
    h('label', { for: 'part-id' }, 'Part id'),
    h('div', { class: 'inline' }, input, h('button', { type: 'submit', class: 'primary' }, 'Show trace')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const partId = input.value.trim();
    if (!partId) return void input.focus();
    history.replaceState(null, '', `${location.pathname}?part=${encodeURIComponent(partId)}`);
    void load(result, `the trace of ${partId}`, () => fullTrace(ctx, partId), timeline, ctx);
  });
  const initial = new URLSearchParams(location.search).get('part');
  if (initial) {
    input.value = initial;
    queueMicrotask(() => form.requestSubmit());
  }
  return h('section', { class: 'view auditor', 'aria-labelledby': 'auditor-title' },
    h('div', { class: 'view-head' }, h('h1', { id: 'auditor-title' }, 'Part trace')),
    h('p', { class: 'muted' }, 'Everything recorded on the ledger about a part and what it was made from, oldest first.'),
    form, result);
}

function timeline(trace: { partId: string; entries: TraceEntry[] }): Node[] {
  if (trace.entries.length === 0) return [h('p', { class: 'empty' }, `No events recorded for ${trace.partId}.`)];
  return [
    h('h2', {}, `${trace.partId}: ${trace.entries.length} ${trace.entries.length === 1 ? 'entry' : 'entries'}`),
    h('ol', { class: 'timeline', 'aria-label': `Trace of ${trace.partId}` }, trace.entries.map((e) => h('li', { class: `entry depth-${Math.min(e.depth, 3)}`, 'data-tx-id': e.txId, 'data-type': e.type },
      h('div', { class: 'entry-head' },
        h('span', { class: 'entry-type' }, humanize(e.type)),
        h('span', { class: 'entry-time' }, time(e.at))),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Organisation'), h('dd', { class: 'entry-org' }, e.mspId),
        e.subject.id !== trace.partId ? [h('dt', {}, 'Subject'), h('dd', {}, `${humanize(e.subject.kind)} ${e.subject.id}`)] : null,
        h('dt', {}, 'Transaction'), h('dd', {}, txId(e.txId))),
      Object.keys(e.data).length ? h('details', {}, h('summary', {}, 'Recorded data'), h('pre', {}, JSON.stringify(e.data, null, 2))) : null))),
  ];
}
