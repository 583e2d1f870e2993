/**
 * The public provenance page of a part, `/p/{partId}` (no sign-in): the trace entries its buyer
 * disclosed (`GET /public/parts/{partId}/provenance`), verified in this browser against the CA
 * fingerprints the gateway pins, with a QR code of the page's link for labels and paperwork.
 */
import { ApiProblem, createApi } from '../api';
import { qrCodeSvg } from '../charts/qr-code';
import { h } from '../dom';
import { checkProvenance, type CheckedProvenance } from '../proofs/checked-provenance';
import { loading, problem } from './common';
import { bundleDownloadButton, evidenceTimeline, graphSection, pinnedFingerprints, trustPanel, verdictBanner } from './provenance';

/** The path of the public page of `partId`. */
export function publicPagePath(partId: string): string {
  return `/p/${encodeURIComponent(partId)}`;
}

/**
 * The link the QR code carries: the GS1 Digital Link URI the gateway gives for the part (when the
 * bundle names one under `digitalLink`), else this page's own address, which the gateway's Digital
 * Link resolver also redirects to.
 */
export function publicLink(checked: CheckedProvenance): string {
  const b = checked.bundle as { digitalLink?: unknown; links?: { digitalLink?: unknown } } | null;
  const given = b?.digitalLink ?? b?.links?.digitalLink;
  if (typeof given === 'string' && /^https:\/\/[^\s]+$/.test(given)) return given;
  return new URL(publicPagePath(checked.partId), location.origin).href;
}

export function publicProvenanceView(partId: string): HTMLElement {
  const result = h('div', { class: 'public-result', 'aria-live': 'polite' });
  const show = async (): Promise<void> => {
    result.replaceChildren(loading(`the provenance of ${partId}`));
    result.setAttribute('aria-busy', 'true');
    try {
      const [pins, file] = await Promise.all([pinnedFingerprints(), createApi(null).getFile(`/public/parts/${encodeURIComponent(partId)}/provenance`, 'application/json')]);
      const checked = await checkProvenance(await file.blob.text(), pins, partId);
      result.replaceChildren(...render(checked));
    } catch (e) {
      result.replaceChildren(failure(e, show));
    } finally {
      result.removeAttribute('aria-busy');
    }
  };
  void show();
  return h('section', { class: 'view public-provenance', 'aria-labelledby': 'public-title' },
    h('div', { class: 'view-head' }, h('h1', { id: 'public-title' }, `Provenance of ${partId}`)),
    h('p', { class: 'muted' }, 'What the buyer of this part chose to publish from its ledger trace. Each entry is checked in your browser against the consortium\'s signatures; no sign-in needed.'),
    result);
}

function failure(e: unknown, retry: () => Promise<void>): HTMLElement {
  if (e instanceof ApiProblem && e.status === 404) {
    return h('div', { class: 'public-missing', role: 'status', 'data-code': e.code },
      h('p', {}, h('strong', {}, 'This part has no public provenance.')),
      h('p', { class: 'muted' }, 'Its buyer has not published any part of its trace, or the part id is not known here.'));
  }
  const button = h('button', { type: 'button', onclick: () => void retry() }, 'Try again');
  return h('div', {}, problem(e, 'load the public provenance'), e instanceof ApiProblem && e.status === 0 ? h('div', { class: 'actions' }, button) : null);
}

function render(c: CheckedProvenance): Node[] {
  const link = publicLink(c);
  const status = h('p', { class: 'export-status small', role: 'status' });
  const disclosed = c.disclosedFields;
  return [
    verdictBanner(c),
    h('div', { class: 'public-top' },
      h('figure', { class: 'qr' },
        qrCodeSvg(link),
        h('figcaption', {}, h('span', { class: 'small muted' }, 'Scan to open this page: '), h('a', { class: 'qr-url', href: link }, link))),
      h('div', { class: 'public-facts' },
        h('h2', {}, `${c.entries.length} disclosed ${c.entries.length === 1 ? 'entry' : 'entries'}`),
        disclosed ? h('p', { class: 'disclosed-fields small' }, 'Fields disclosed on each entry: ', disclosed.length ? disclosed.map((f, i) => [i ? ', ' : '', h('code', {}, f)]).flat() : 'none') : null,
        h('p', { class: 'small muted' }, 'Fields the buyer did not disclose are not in the page; the signatures still cover them.'),
        h('div', { class: 'actions' }, bundleDownloadButton(c, status)), status)),
    trustPanel(c),
    c.entries.length ? graphSection(c) : null,
    h('h3', {}, 'Timeline'),
    c.entries.length ? evidenceTimeline(c) : h('p', { class: 'empty' }, 'No entry is disclosed.'),
  ].filter((n): n is HTMLElement => n !== null);
}
