/**
 * The provenance graph as SVG: one column per kind of node (consumed inputs, the part, what it went
 * into, operations, machines, organisations), edges as curves styled by kind. Nodes are focusable buttons; choosing
 * one (click, Enter or Space) calls `onSelect` and highlights its edges. The SVG keeps its natural
 * size; on a narrow screen the box around it scrolls, not the page.
 */
import type { GraphEdge, GraphNode, NodeKind, ProvenanceGraph } from '../proofs/provenance-graph';
import { svg } from './svg';

const NODE_W = 176;
const NODE_H = 50;
const COL_GAP = 64;
const ROW_GAP = 16;
const PAD = 12;
const HEAD = 28;

const COLUMN_TITLES: Readonly<Record<string, string>> = { inputs: 'Consumed', part: 'Part', outputs: 'Used in', operation: 'Operations', machine: 'Machines', organisation: 'Organisations' };
const KIND_LABEL: Readonly<Record<NodeKind, string>> = { part: 'Part', lot: 'Material lot', operation: 'Operation', machine: 'Machine', organisation: 'Organisation' };
export const EDGE_LABEL: Readonly<Record<GraphEdge['kind'], string>> = { 'consumed-into': 'consumed into', 'operation-of': 'operation on part', 'performed-on': 'performed on', 'by-org': 'by organisation' };

function column(n: GraphNode): string {
  if (n.kind === 'part' || n.kind === 'lot') return n.root ? 'part' : n.downstream ? 'outputs' : 'inputs';
  return n.kind;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Draw `graph`; `onSelect` is called with the chosen node. Returns the SVG and a way to select a node by id. */
export function provenanceGraphSvg(graph: ProvenanceGraph, onSelect: (node: GraphNode) => void): { element: SVGSVGElement; select: (id: string) => void } {
  const columns = ['inputs', 'part', 'outputs', 'operation', 'machine', 'organisation'].filter((c) => graph.nodes.some((n) => column(n) === c));
  const place = new Map<string, { x: number; y: number }>();
  let rows = 0;
  columns.forEach((c, ci) => {
    const inColumn = graph.nodes.filter((n) => column(n) === c);
    inColumn.forEach((n, ri) => place.set(n.id, { x: PAD + ci * (NODE_W + COL_GAP), y: HEAD + PAD + ri * (NODE_H + ROW_GAP) }));
    rows = Math.max(rows, inColumn.length);
  });
  const width = PAD * 2 + columns.length * NODE_W + (columns.length - 1) * COL_GAP;
  const height = HEAD + PAD * 2 + rows * (NODE_H + ROW_GAP) - ROW_GAP;

  const edgeEls = graph.edges.map((e) => {
    const a = place.get(e.from);
    const b = place.get(e.to);
    if (!a || !b) return null;
    // Leave the node on the side that faces the other end.
    const forward = a.x <= b.x;
    const x1 = forward ? a.x + NODE_W : a.x;
    const x2 = forward ? b.x : b.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const y2 = b.y + NODE_H / 2;
    const bend = Math.max(24, Math.abs(x2 - x1) / 2) * (forward ? 1 : -1);
    const path = svg('path', { class: `graph-edge edge-${e.kind}`, d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`, 'marker-end': 'url(#graph-arrow)', 'data-from': e.from, 'data-to': e.to, 'data-kind': e.kind });
    path.append(svg('title', {}, `${e.from.replace(/^[a-z]+:/, '')} ${EDGE_LABEL[e.kind]} ${e.to.replace(/^[a-z]+:/, '')}`));
    return path;
  });

  const nodeEls = new Map<string, SVGGElement>();
  const select = (id: string): void => {
    const chosen = graph.nodes.find((n) => n.id === id);
    if (!chosen) return;
    for (const [nid, el] of nodeEls) el.setAttribute('aria-pressed', String(nid === id));
    for (const el of edgeEls) el?.classList.toggle('is-linked', el.getAttribute('data-from') === id || el.getAttribute('data-to') === id);
    onSelect(chosen);
  };
  const nodes = graph.nodes.map((n) => {
    const p = place.get(n.id)!;
    const verified = n.status === 'verified';
    const g = svg('g', {
      class: `graph-node node-${n.kind} ${verified ? 'is-verified' : 'is-unverified'}${n.root ? ' is-root' : ''}`,
      transform: `translate(${p.x},${p.y})`,
      tabindex: 0,
      role: 'button',
      'aria-pressed': 'false',
      'aria-label': `${KIND_LABEL[n.kind]} ${n.label}${n.detail && n.kind === 'operation' ? `, ${n.detail}` : ''}: ${verified ? 'verified' : 'unverified'}, ${n.entries.length} ${n.entries.length === 1 ? 'entry' : 'entries'}`,
      'data-node-id': n.id,
      'data-kind': n.kind,
      'data-column': column(n),
      'data-status': n.status,
    },
    svg('rect', { class: 'node-box', width: NODE_W, height: NODE_H, rx: 6 }),
    svg('rect', { class: 'node-mark', width: 6, height: NODE_H, rx: 3 }),
    svg('text', { class: 'node-label', x: 14, y: 20 }, clip(n.label, 17)),
    svg('text', { class: 'node-detail', x: 14, y: 38 }, clip(n.kind === 'operation' ? n.detail : KIND_LABEL[n.kind], 24)),
    svg('text', { class: 'node-badge', x: NODE_W - 10, y: 20, 'text-anchor': 'end', 'aria-hidden': 'true' }, verified ? '✓' : '!'));
    g.append(svg('title', {}, `${KIND_LABEL[n.kind]} ${n.label}${n.detail ? ` (${n.detail})` : ''}: ${n.status}`));
    g.addEventListener('click', () => select(n.id));
    g.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        select(n.id);
      }
    });
    nodeEls.set(n.id, g);
    return g;
  });

  const element = svg('svg', { class: 'provenance-graph', width, height, viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-label': `Provenance graph: ${graph.nodes.length} nodes, ${graph.edges.length} links` },
    svg('defs', {}, svg('marker', { id: 'graph-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, markerUnits: 'userSpaceOnUse', orient: 'auto' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'graph-arrow' }))),
    columns.map((c, ci) => svg('text', { class: 'graph-column', x: PAD + ci * (NODE_W + COL_GAP), y: 18 }, COLUMN_TITLES[c] ?? c)),
    svg('g', { class: 'graph-edges', 'aria-hidden': 'true' }, edgeEls),
    svg('g', { class: 'graph-nodes' }, nodes));
  return { element, select };
}
