/**
 * The provenance graph of a checked trace, as data: the part, what was consumed into it (parts and
 * lots), the operations (entries that name a machine, grouped by subject and operation), the
 * machines and the organisations; edges consumed-into, operation-of, performed-on and by-org. Each
 * node and edge lists the trace entries that are its evidence, and its status is verified only when
 * every one of them (and for a machine, its ledger record) is.
 */
import { claimStatus, type CheckedEntry, type CheckedProvenance, type ClaimStatus } from './checked-provenance';

export type NodeKind = 'part' | 'lot' | 'operation' | 'machine' | 'organisation';
export type EdgeKind = 'consumed-into' | 'operation-of' | 'performed-on' | 'by-org';

export interface GraphNode {
  readonly id: string;
  readonly kind: NodeKind;
  readonly label: string;
  /** A second line, e.g. the operation's machine or the organisation's role. */
  readonly detail: string;
  /** Indexes of the trace entries that are this node's evidence. */
  readonly entries: readonly number[];
  /** Other verifier claims that back it (a machine's record). */
  readonly claims: readonly string[];
  readonly status: ClaimStatus;
  /** The part the trace is of. */
  readonly root: boolean;
  /** A part the root part was consumed into (directly or further on), rather than one of its inputs. */
  readonly downstream: boolean;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly entries: readonly number[];
}

export interface ProvenanceGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

interface Draft {
  kind: NodeKind;
  label: string;
  detail: string;
  entries: Set<number>;
  claims: Set<string>;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Build the graph of `checked` (pure: no DOM). */
export function provenanceGraph(checked: CheckedProvenance): ProvenanceGraph {
  const nodes = new Map<string, Draft>();
  const edges = new Map<string, { from: string; to: string; kind: EdgeKind; entries: Set<number> }>();
  const node = (id: string, kind: NodeKind, label: string, detail = ''): Draft => {
    let n = nodes.get(id);
    if (!n) nodes.set(id, n = { kind, label, detail, entries: new Set(), claims: new Set() });
    return n;
  };
  const edge = (from: string, to: string, kind: EdgeKind, entry: number | null): void => {
    const key = `${from}\u0000${to}\u0000${kind}`;
    let e = edges.get(key);
    if (!e) edges.set(key, e = { from, to, kind, entries: new Set() });
    if (entry !== null) e.entries.add(entry);
  };
  const subjectId = (kind: string, id: string): string => `${kind === 'lot' ? 'lot' : 'part'}:${id}`;
  const subjectNode = (kind: string, id: string): string => {
    const nid = subjectId(kind, id);
    node(nid, kind === 'lot' ? 'lot' : 'part', id, kind === 'lot' ? 'material lot' : 'part');
    return nid;
  };
  const orgNode = (mspId: string): string => {
    const nid = `org:${mspId}`;
    node(nid, 'organisation', mspId, 'organisation');
    return nid;
  };

  const rootId = subjectNode('part', checked.partId);
  for (const c of checked.entries) {
    const e = c.entry;
    const subject = e.subject && str(e.subject.id) ? subjectNode(e.subject.kind, e.subject.id) : rootId;
    const data = e.data ?? {};
    const machineId = str(data.machineId);
    const org = str(e.mspId);
    if (machineId) {
      // One operation per subject and operation index (or job): assignment, start and finish.
      const op = data.operationIndex ?? data.jobId ?? e.seq ?? c.index;
      const opId = `operation:${subject}#${String(op)}`;
      const subjectLabel = nodes.get(subject)!.label;
      const opNode = node(opId, 'operation', `Operation ${typeof data.operationIndex === 'number' ? data.operationIndex + 1 : String(op)}`, `${subjectLabel} on ${machineId}`);
      opNode.entries.add(c.index);
      edge(opId, subject, 'operation-of', c.index);
      const machine = node(`machine:${machineId}`, 'machine', machineId, 'machine');
      machine.entries.add(c.index);
      edge(opId, `machine:${machineId}`, 'performed-on', c.index);
      if (org) edge(opId, orgNode(org), 'by-org', c.index);
      continue;
    }
    nodes.get(subject)!.entries.add(c.index);
    // Consumption: the parent's component_consumed names the input; the input's consumed names the parent.
    const input = str(data.id) && (e.type === 'component_consumed' || e.type === 'lot_component_consumed') ? subjectNode(str(data.kind) ?? 'part', str(data.id)!) : null;
    if (input) {
      nodes.get(input)!.entries.add(c.index);
      edge(input, subject, 'consumed-into', c.index);
    }
    const into = str(data.into);
    if (into && subject !== subjectId('part', into)) edge(subject, subjectNode('part', into), 'consumed-into', c.index);
    if (org) edge(subject, orgNode(org), 'by-org', c.index);
  }
  // A part or lot in the trace without a consumption entry in view (e.g. undisclosed) was consumed into the part.
  for (const [id, n] of nodes) {
    if ((n.kind === 'part' || n.kind === 'lot') && id !== rootId && ![...edges.values()].some((e) => e.kind === 'consumed-into' && (e.from === id || e.to === id))) edge(id, rootId, 'consumed-into', null);
  }
  // Machines: their owner and their own ledger record.
  for (const [machineId, m] of Object.entries(machinesOf(checked))) {
    const nid = `machine:${machineId}`;
    if (!nodes.has(nid)) continue;
    nodes.get(nid)!.claims.add(`trace.machines.${machineId}.machine`);
    const owner = str(m.ownerMsp);
    if (owner) edge(nid, orgNode(owner), 'by-org', null);
  }
  // Organisations: every entry they recorded.
  for (const c of checked.entries) {
    const org = str(c.entry.mspId);
    if (org) nodes.get(`org:${org}`)?.entries.add(c.index);
  }

  const byIndex = new Map<number, CheckedEntry>(checked.entries.map((c) => [c.index, c]));
  const statusOf = (entries: Iterable<number>, claims: Iterable<string>): ClaimStatus => {
    const list = [...entries];
    const others = [...claims];
    if (list.length === 0 && others.length === 0) return 'unverified';
    return list.every((i) => byIndex.get(i)?.status === 'verified') && others.every((p) => claimStatus(checked, p) === 'verified') ? 'verified' : 'unverified';
  };
  // Follow consumed-into edges from the part: those are what it went into.
  const downstream = new Set<string>();
  for (let frontier = [rootId]; frontier.length > 0;) {
    frontier = [...edges.values()].filter((e) => e.kind === 'consumed-into' && frontier.includes(e.from) && !downstream.has(e.to) && e.to !== rootId).map((e) => e.to);
    frontier.forEach((id) => downstream.add(id));
  }
  return {
    nodes: [...nodes].map(([id, n]) => ({ id, kind: n.kind, label: n.label, detail: n.detail, entries: [...n.entries].sort((a, b) => a - b), claims: [...n.claims], status: statusOf(n.entries, n.claims), root: id === rootId, downstream: downstream.has(id) })),
    edges: [...edges.values()].map((e) => ({ from: e.from, to: e.to, kind: e.kind, entries: [...e.entries].sort((a, b) => a - b) })),
  };
}

function machinesOf(checked: CheckedProvenance): Record<string, Readonly<Record<string, unknown>>> {
  const b = checked.bundle as { trace?: { machines?: Record<string, { machine?: Record<string, unknown> }> } } | null;
  const out: Record<string, Readonly<Record<string, unknown>>> = {};
  for (const [id, m] of Object.entries(b?.trace?.machines ?? {})) if (m && typeof m.machine === 'object' && m.machine) out[id] = m.machine;
  return out;
}
