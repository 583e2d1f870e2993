/**
 * What the auditor view and the public page show of a checked provenance bundle: the verdict
 * banner, the trust anchors (to compare out of band), the provenance graph with each node's
 * evidence, and the timeline with each entry's ledger evidence and verified / unverified badge.
 */
import { loadWebConfig } from '../api';
import { EDGE_LABEL, provenanceGraphSvg } from '../charts/provenance-graph';
import { fileName, saveFile } from '../download';
import { h, mount } from '../dom';
import type { CheckedEntry, CheckedProvenance, ClaimStatus } from '../proofs/checked-provenance';
import { claimStatus } from '../proofs/checked-provenance';
import { provenanceGraph, type GraphNode } from '../proofs/provenance-graph';
import { humanize, time, txId } from './common';

/** A verified / unverified badge. */
export function claimBadge(status: ClaimStatus): HTMLElement {
  return h('span', { class: `badge claim-badge claim-${status}` }, status === 'verified' ? 'Verified' : 'Unverified');
}

/** The summary of the verification: valid, or the first reason with its path and detail. */
export function verdictBanner(checked: CheckedProvenance): HTMLElement {
  const o = checked.outcome;
  const verified = checked.entries.filter((e) => e.status === 'verified').length;
  const counts = `${verified} of ${checked.entries.length} ${checked.entries.length === 1 ? 'entry' : 'entries'} verified`;
  switch (o.state) {
    case 'valid': {
      const c = checked.verdict?.checked;
      const complete = checked.verdict?.completeness;
      return h('div', { class: 'verdict verdict-valid', role: 'status', 'data-verdict': 'valid', 'data-complete': String(complete?.proven === true) },
        h('strong', {}, 'Valid. '),
        `Checked in this browser: every signature, block and claim of the bundle holds under the pinned consortium CAs${c ? ` (${c.transactions} transactions in ${c.blocks} blocks, ${c.claims} claims)` : ''}. ${counts}.`,
        complete ? h('span', { class: 'completeness' }, complete.proven ? ` Complete: ${complete.detail}.` : ` Completeness not proven: ${complete.detail}.`) : '');
    }
    case 'invalid':
      return h('div', { class: 'verdict verdict-invalid', role: 'alert', 'data-verdict': 'invalid', 'data-reason': o.reason, 'data-path': o.path },
        h('strong', {}, 'Invalid: '), h('span', { class: 'verdict-reason' }, o.reason),
        ' at ', h('code', { class: 'verdict-path' }, o.path || '(bundle)'), ': ', h('span', { class: 'verdict-detail' }, o.detail),
        o.findings > 1 ? ` (${o.findings} findings in all)` : '', `. ${counts}.`);
    case 'no-trust-anchors':
      return h('div', { class: 'verdict verdict-untrusted', role: 'alert', 'data-verdict': 'no-trust-anchors', 'data-reason': 'no trust anchors' },
        h('strong', {}, 'No trust anchors: '), o.detail, '. Nothing in this bundle is verified.');
    case 'cannot-verify':
      return h('div', { class: 'verdict verdict-untrusted', role: 'alert', 'data-verdict': 'cannot-verify' },
        h('strong', {}, 'Not verified: '), o.detail, '.');
  }
}

/** The pinned CA fingerprints next to the bundle's CAs, and why they must be compared out of band. */
export function trustPanel(checked: CheckedProvenance): HTMLElement {
  const pins = checked.pins ?? [];
  const unknownPins = pins.filter((p) => !checked.cas.some((c) => c.fingerprint === p));
  return h('details', { class: 'trust', open: checked.pins === null },
    h('summary', {}, checked.pins === null ? 'Trust anchors: none published by this gateway' : `Trust anchors: ${pins.length} pinned CA fingerprint${pins.length === 1 ? '' : 's'}`),
    h('p', { class: 'small' },
      'Signatures are checked only against consortium CA certificates whose SHA-256 fingerprints this gateway pins (',
      h('code', {}, '/web-config.json'), '); the CAs a bundle brings along are never trusted on their own. ',
      h('strong', {}, 'Compare these fingerprints out of band'),
      ' — with the ones each member publishes or that the consortium agreement lists — since a gateway you do not trust could pin its own CA.'),
    checked.cas.length > 0
      ? h('table', { class: 'ca-table' },
        h('caption', { class: 'visually-hidden' }, 'CA certificates of the bundle\'s channel configuration'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Organisation'), h('th', { scope: 'col' }, 'CA certificate SHA-256'), h('th', { scope: 'col' }, 'Pinned'))),
        h('tbody', {}, checked.cas.map((c) => h('tr', { 'data-msp': c.mspId, 'data-pinned': String(c.pinned) },
          h('td', {}, c.mspId, c.orderer ? ' (orderer)' : ''),
          h('td', {}, h('code', { class: 'fingerprint' }, c.fingerprint)),
          h('td', {}, c.pinned ? 'yes' : 'no')))))
      : null,
    unknownPins.length > 0 ? h('p', { class: 'small muted' }, `Pinned but not in this bundle: ${unknownPins.join(', ')}`) : null);
}

/** The ledger evidence of one entry as definition-list items. */
function evidenceFacts(c: CheckedEntry, partId: string): (HTMLElement | null)[] {
  const e = c.entry;
  const ev = c.evidence;
  return [
    e.mspId !== undefined ? h('dt', {}, 'Organisation') : null, e.mspId !== undefined ? h('dd', { class: 'entry-org' }, e.mspId) : null,
    e.subject && e.subject.id !== partId ? h('dt', {}, 'Subject') : null, e.subject && e.subject.id !== partId ? h('dd', {}, `${humanize(e.subject.kind)} ${e.subject.id}`) : null,
    h('dt', {}, 'Transaction'), h('dd', { class: 'ev-tx' }, txId(ev.txId)),
    h('dt', {}, 'Block'), h('dd', { class: 'ev-block' }, ev.blockNumber === null ? '—' : String(ev.blockNumber)),
    h('dt', {}, 'Creator'), h('dd', { class: 'ev-creator' }, ev.creatorMsp ?? '—'),
    h('dt', {}, 'Endorsers'), h('dd', { class: 'ev-endorsers' }, ev.endorsers.length ? ev.endorsers.join(', ') : '—'),
    ev.transaction ? h('dt', {}, 'Chaincode') : null, ev.transaction ? h('dd', {}, h('code', {}, ev.transaction)) : null,
  ];
}

/** The timeline: every entry with its evidence and badge. */
export function evidenceTimeline(checked: CheckedProvenance): HTMLElement {
  return h('ol', { class: 'timeline', 'aria-label': `Trace of ${checked.partId}` }, checked.entries.map((c) => {
    const e = c.entry;
    return h('li', { id: `entry-${c.index}`, class: `entry depth-${Math.min(e.depth ?? 0, 3)}`, tabindex: -1, 'data-tx-id': e.txId, 'data-type': e.type, 'data-claim': c.status, 'data-claim-path': c.path },
      h('div', { class: 'entry-head' },
        h('span', { class: 'entry-title' }, h('span', { class: 'entry-type' }, e.type ? humanize(e.type) : 'Event'), ' ', claimBadge(c.status)),
        h('span', { class: 'entry-time' }, e.at ? time(e.at) : '')),
      h('dl', { class: 'facts' }, evidenceFacts(c, checked.partId)),
      c.findings.length ? h('ul', { class: 'entry-findings' }, c.findings.map((f) => h('li', {}, h('strong', {}, f.reason), ` at ${f.path}: ${f.detail}`))) : null,
      e.data && Object.keys(e.data).length ? h('details', {}, h('summary', {}, 'Recorded data'), h('pre', {}, JSON.stringify(e.data, null, 2))) : null);
  }));
}

/** The provenance graph with a panel that shows the chosen node's evidence. */
export function graphSection(checked: CheckedProvenance): HTMLElement {
  const graph = provenanceGraph(checked);
  const panel = h('div', { class: 'graph-details', 'aria-live': 'polite' });
  const entryOf = new Map(checked.entries.map((c) => [c.index, c]));
  const labelOf = new Map(graph.nodes.map((n) => [n.id, n.label]));
  const show = (n: GraphNode): void => {
    const links = graph.edges.filter((e) => e.from === n.id || e.to === n.id);
    mount(panel,
      h('h4', {}, `${humanize(n.kind)} ${n.label} `, claimBadge(n.status)),
      n.kind === 'operation' ? h('p', { class: 'small' }, n.detail) : null,
      links.length ? h('ul', { class: 'graph-links small' }, links.map((e) => h('li', {}, `${labelOf.get(e.from) ?? e.from} ${EDGE_LABEL[e.kind]} ${labelOf.get(e.to) ?? e.to}`))) : null,
      n.claims.map((p) => h('p', { class: 'small node-claim' }, 'Ledger record ', h('code', {}, p), ': ', claimBadge(claimStatus(checked, p)))),
      n.entries.length
        ? h('ul', { class: 'node-evidence' }, n.entries.map((i) => {
          const c = entryOf.get(i)!;
          return h('li', { 'data-entry': i },
            h('a', { href: `#entry-${i}`, onclick: (ev: Event) => { ev.preventDefault(); const li = document.getElementById(`entry-${i}`); li?.scrollIntoView({ block: 'center' }); li?.focus(); } }, c.entry.type ? humanize(c.entry.type) : `Entry ${i + 1}`),
            ' ', claimBadge(c.status),
            h('span', { class: 'small muted' }, ` ${[c.entry.mspId, `block ${c.evidence.blockNumber ?? '—'}`, `endorsed by ${c.evidence.endorsers.join(', ') || '—'}`].filter(Boolean).join(' · ')} · `), txId(c.evidence.txId));
        }))
        : h('p', { class: 'empty' }, 'No trace entry in view names it.'));
  };
  const { element, select } = provenanceGraphSvg(graph, show);
  const root = graph.nodes.find((n) => n.root);
  if (root) queueMicrotask(() => select(root.id));
  return h('section', { class: 'graph-section', 'aria-labelledby': 'graph-title' },
    h('h3', { id: 'graph-title' }, 'Provenance graph'),
    h('p', { class: 'hint' }, 'What went into the part, the operations on it, their machines and the organisations that recorded them. Choose a node to see its evidence.'),
    h('div', { class: 'graph-scroll', role: 'region', tabindex: 0, 'aria-label': 'Provenance graph (scrolls sideways on narrow screens)' }, element),
    h('p', { class: 'graph-legend small' },
      h('span', { class: 'legend-edge edge-consumed-into' }, 'consumed into'), h('span', { class: 'legend-edge edge-operation-of' }, 'operation on'),
      h('span', { class: 'legend-edge edge-performed-on' }, 'performed on'), h('span', { class: 'legend-edge edge-by-org' }, 'by organisation'),
      h('span', {}, '✓ verified, ! unverified')),
    panel);
}

/** The CA fingerprints the gateway pins, or null when it publishes none. */
export async function pinnedFingerprints(): Promise<readonly string[] | null> {
  try {
    const pins = (await loadWebConfig()).trustedCaFingerprints;
    return Array.isArray(pins) && pins.length > 0 ? pins.filter((p): p is string => typeof p === 'string') : null;
  } catch {
    return null;
  }
}

/** A button that saves the bundle exactly as the gateway sent it. */
export function bundleDownloadButton(c: CheckedProvenance, status: HTMLElement): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'export-bundle' }, 'Download proof bundle (JSON)');
  button.addEventListener('click', () => {
    const name = fileName(`${c.partId}.provenance`, 'json');
    const blob = new Blob([c.text], { type: 'application/json' });
    saveFile(blob, name);
    status.replaceChildren(`Downloaded ${name} (application/json, ${kilobytes(blob.size)}).`);
  });
  return button;
}

/** A size for people: `12.3 kB`. */
export function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} kB`;
}
