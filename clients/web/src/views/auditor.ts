/**
 * Auditor view: a part's provenance bundle (`GET /v1/parts/{id}/provenance`), verified in this
 * browser against the CA fingerprints the gateway pins, shown as a verdict, a provenance graph and
 * a timeline whose entries carry their ledger evidence and a verified / unverified badge; with
 * downloads of the EPCIS document and of the bundle. A gateway that cannot build bundles (501)
 * still shows the plain trace, marked as not verified. Parts are found with the part search
 * (`./part-search`) or opened by id.
 */
import { ApiProblem } from '../api';
import { fileName, saveFile } from '../download';
import { h } from '../dom';
import { checkProvenance, type CheckedProvenance } from '../proofs/checked-provenance';
import { humanize, load, problem, time, txId, type ViewContext } from './common';
import { filtersFromUrl, filtersToUrl, partSearch } from './part-search';
import { bundleDownloadButton, evidenceTimeline, graphSection, kilobytes, pinnedFingerprints, trustPanel, verdictBanner } from './provenance';

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

type Shown = { readonly kind: 'checked'; readonly checked: CheckedProvenance } | { readonly kind: 'trace-only'; readonly partId: string; readonly entries: TraceEntry[]; readonly why: string };

/** Every page of a trace (pages of 1000, the API's maximum). */
async function fullTrace(ctx: ViewContext, partId: string): Promise<TraceEntry[]> {
  const entries: TraceEntry[] = [];
  let token: string | null = null;
  do {
    const page: Trace = await ctx.api.get<Trace>(`/v1/parts/${encodeURIComponent(partId)}/trace?pageSize=1000${token ? `&pageToken=${token}` : ''}`);
    entries.push(...page.entries);
    token = page.nextPageToken;
  } while (token);
  return entries;
}

async function provenance(ctx: ViewContext, partId: string): Promise<Shown> {
  const path = `/v1/parts/${encodeURIComponent(partId)}/provenance`;
  const [pins, file] = await Promise.all([pinnedFingerprints(), ctx.api.getFile(path, 'application/json').catch((e: unknown) => (e instanceof ApiProblem && e.status === 501 ? e : Promise.reject(e)))]);
  if (file instanceof ApiProblem) return { kind: 'trace-only', partId, entries: await fullTrace(ctx, partId), why: file.detail };
  return { kind: 'checked', checked: await checkProvenance(await file.blob.text(), pins, partId) };
}

export function auditorView(ctx: ViewContext): HTMLElement {
  const input = h('input', { id: 'part-id', name: 'partId', type: 'search', autocomplete: 'off', spellcheck: 'false', required: true, placeholder: 'e.g. PO-1001.1' });
  const result = h('div', { class: 'trace-result', 'aria-live': 'polite', tabindex: '-1' });
  const form = h('form', { class: 'search', role: 'search', 'aria-label': 'Open a part by id' },
    h('label', { for: 'part-id' }, 'Part id'),
    h('div', { class: 'inline' }, input, h('button', { type: 'submit', class: 'primary' }, 'Show trace')));
  /** Keep the search and the open part in the address, so a reload or a link shows them again. */
  const setAddress = (change: (search: URLSearchParams) => void) => {
    const search = new URLSearchParams(location.search);
    change(search);
    const query = search.toString();
    history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}`);
  };
  const showTrace = (partId: string) => {
    setAddress((search) => search.set('part', partId));
    void load(result, `the trace of ${partId}`, () => provenance(ctx, partId), (shown) => render(ctx, shown), ctx);
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const partId = input.value.trim();
    if (!partId) return void input.focus();
    showTrace(partId);
  });
  const chosen = (partId: string) => {
    input.value = partId;
    showTrace(partId);
    // The trace replaces nothing the user was on: take the keyboard (and screen reader) to it.
    result.focus();
    result.scrollIntoView({ block: 'start' });
  };
  const address = new URLSearchParams(location.search);
  const search = partSearch(ctx, chosen, filtersFromUrl(address), (filters) => setAddress((s) => filtersToUrl(filters, s)));
  const initial = address.get('part');
  if (initial) {
    input.value = initial;
    queueMicrotask(() => form.requestSubmit());
  }
  return h('section', { class: 'view auditor', 'aria-labelledby': 'auditor-title' },
    h('div', { class: 'view-head' }, h('h1', { id: 'auditor-title' }, 'Part trace')),
    h('p', { class: 'muted' }, 'Everything recorded on the ledger about a part and what it was made from, oldest first, with its proof checked in this browser. Find parts by order, status or organisation, or open one by its id.'),
    search,
    h('h2', { id: 'open-part-title' }, 'Open a part'),
    form, result);
}

function render(ctx: ViewContext, shown: Shown): Node[] {
  if (shown.kind === 'trace-only') return traceOnly(shown.partId, shown.entries, shown.why);
  const c = shown.checked;
  const heading = h('h2', {}, `${c.partId}: ${c.entries.length} ${c.entries.length === 1 ? 'entry' : 'entries'}`);
  if (c.entries.length === 0) return [heading, verdictBanner(c), h('p', { class: 'empty' }, `No events recorded for ${c.partId}.`)];
  return [heading, verdictBanner(c), trustPanel(c), exportButtons(ctx, c), graphSection(c), h('h3', {}, 'Timeline'), evidenceTimeline(c)];
}

/** Downloads: the part's EPCIS 2.0 document (fetched now) and the bundle as it was verified. */
function exportButtons(ctx: ViewContext, c: CheckedProvenance): HTMLElement {
  const status = h('p', { class: 'export-status small', role: 'status' });
  const epcis = h('button', { type: 'button', class: 'export-epcis' }, 'Download EPCIS (JSON-LD)');
  epcis.addEventListener('click', async () => {
    epcis.disabled = true;
    status.replaceChildren('Preparing the EPCIS document…');
    try {
      const file = await ctx.api.getFile(`/v1/parts/${encodeURIComponent(c.partId)}/epcis`, 'application/ld+json');
      const name = fileName(`${c.partId}.epcis`, 'jsonld');
      saveFile(file.blob, name);
      status.replaceChildren(`Downloaded ${name} (${file.contentType}, ${kilobytes(file.blob.size)}).`);
    } catch (e) {
      if (e instanceof ApiProblem && e.status === 401) return ctx.signOut();
      status.replaceChildren(problem(e, 'export the EPCIS document'));
    } finally {
      epcis.disabled = false;
    }
  });
  return h('div', { class: 'exports' }, h('div', { class: 'actions' }, epcis, bundleDownloadButton(c, status)), status);
}

/** The plain trace when the gateway cannot prove it: same timeline, every entry unverified. */
function traceOnly(partId: string, entries: TraceEntry[], why: string): Node[] {
  const banner = h('div', { class: 'verdict verdict-untrusted', role: 'alert', 'data-verdict': 'no-bundle' }, h('strong', {}, 'Not verified: '), `this gateway has no proof bundle for the part (${why}). The trace below is as the gateway reports it.`);
  if (entries.length === 0) return [banner, h('p', { class: 'empty' }, `No events recorded for ${partId}.`)];
  return [
    h('h2', {}, `${partId}: ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}`),
    banner,
    h('ol', { class: 'timeline', 'aria-label': `Trace of ${partId}` }, entries.map((e) => h('li', { class: `entry depth-${Math.min(e.depth, 3)}`, 'data-tx-id': e.txId, 'data-type': e.type, 'data-claim': 'unverified' },
      h('div', { class: 'entry-head' },
        h('span', { class: 'entry-title' }, h('span', { class: 'entry-type' }, humanize(e.type)), ' ', h('span', { class: 'badge claim-badge claim-unverified' }, 'Unverified')),
        h('span', { class: 'entry-time' }, time(e.at))),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Organisation'), h('dd', { class: 'entry-org' }, e.mspId),
        e.subject.id !== partId ? [h('dt', {}, 'Subject'), h('dd', {}, `${humanize(e.subject.kind)} ${e.subject.id}`)] : null,
        h('dt', {}, 'Transaction'), h('dd', {}, txId(e.txId))),
      Object.keys(e.data).length ? h('details', {}, h('summary', {}, 'Recorded data'), h('pre', {}, JSON.stringify(e.data, null, 2))) : null))),
  ];
}
