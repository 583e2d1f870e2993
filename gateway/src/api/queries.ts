/**
 * Read routes: lists and records come from the index (with ETags and cursor paging);
 * private terms and the part trace come from the ledger itself.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { schemas as S } from '@forgetrace/chaincode/api';
import type { Indexed, Page, PointInTime, QueryStore } from '../indexer/store';
import type { LedgerClient } from '../ledger/ledger-client';
import { params, validate, type QueryRoute } from '../server';
import { ApiError } from './problem';
import * as R from './responses';
import { assembleTraceFromIndex } from './trace-from-index';

/** Response schema of each read route (the item schema for lists). */
const QUERY_RESPONSES: Readonly<Record<string, z.ZodType>> = {
  '/v1/consortium': R.consortium,
  '/v1/members': R.member,
  '/v1/members/:mspId': R.member,
  '/v1/machines': R.machine,
  '/v1/machines/:machineId': z.union([R.machine, R.recordAt(R.machine)]),
  '/v1/machines/:machineId/events': R.machineEvent,
  '/v1/machines/:machineId/twin-snapshots': R.twinSnapshot,
  '/v1/twin-snapshots/:snapshotId': R.twinSnapshot,
  '/v1/lots/:lotId': R.lot,
  '/v1/lots/:lotId/events': R.lotEvent,
  '/v1/orders': R.order,
  '/v1/orders/:orderId': R.order,
  '/v1/orders/:orderId/terms/:factoryMsp': R.terms,
  '/v1/parts': R.part,
  '/v1/parts/:partId': z.union([R.part, R.recordAt(R.part)]),
  '/v1/parts/:partId/events': R.partEvent,
  '/v1/parts/:partId/trace': R.partTrace,
  '/v1/jobs': R.job,
  '/v1/jobs/:jobId': R.job,
  '/v1/anchors': R.anchor,
  '/v1/anchors/:anchorId': R.anchor,
};
import { ANY } from './routes';

const paging = { limit: z.coerce.number().int().min(1).max(500).optional(), cursor: z.string().min(1).max(512).optional() };
const at = z.string().regex(/^(\d{1,12}|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z)$/, 'must be a block number or an ISO-8601 UTC timestamp').optional();

function pointInTime(value: string | undefined): PointInTime | undefined {
  if (value === undefined) return undefined;
  return /^\d+$/.test(value) ? { block: Number(value) } : { time: value };
}

/** Answer with an ETag, or 304 when the client has it already. */
function sendWithEtag(req: Request, res: Response, tag: string, body: unknown): void {
  const etag = `W/"${tag}"`;
  res.set('ETag', etag);
  const match = req.get('if-none-match');
  if (match && match.split(',').map((s) => s.trim()).includes(etag)) {
    res.status(304).end();
    return;
  }
  res.json(body);
}

function sendRecord<T>(req: Request, res: Response, kind: string, id: string, row: Indexed<T> | undefined): void {
  if (!row) throw new ApiError('NOT_FOUND', `${kind} ${id} is not on the ledger (or not indexed yet)`);
  sendWithEtag(req, res, row.version, row.data);
}

function sendPage<T>(req: Request, res: Response, page: Page<T>, version: (item: T) => string): void {
  const tag = createHash('sha256').update(page.items.map(version).join(',') + '|' + (page.nextCursor ?? '')).digest('base64url').slice(0, 27);
  if (page.nextCursor) {
    const next = new URL(req.originalUrl, 'http://x');
    next.searchParams.set('cursor', page.nextCursor);
    res.set('Link', `<${next.pathname}${next.search}>; rel="next"`);
  }
  sendWithEtag(req, res, tag, { items: page.items.map((i) => ('data' in (i as object) ? (i as { data: unknown }).data : i)), nextCursor: page.nextCursor });
}

const indexedVersion = (i: Indexed<unknown>) => i.version;
const historyVersion = (i: { data: { seq: number }; blockNumber: number | null }) => `${i.data.seq}.${i.blockNumber ?? '-'}`;

/** The read routes, answering from `store` (and `ledger` for private and trace reads). */
export function queryRoutes(
  store: QueryStore,
  ledger: LedgerClient,
  indexPosition: () => string = () => '',
  /** Called once per trace computed (not per cache hit): where it came from. */
  observeTrace: (source: 'index' | 'ledger_mismatch' | 'ledger_not_indexed') => void = () => undefined,
): QueryRoute[] {
  const q = <Z extends z.ZodRawShape>(shape: Z) => z.strictObject(shape);
  const query = <S extends z.ZodType>(schema: S, req: Request): z.output<S> => validate(schema, req.query, 'query');
  const routes: QueryRoute[] = [];
  /**
   * A record as it was `at` a time (exact, from the ledger's key history) or a block (from
   * the versions the index captured while following the ledger).
   */
  const stateAt = async (kind: 'part' | 'machine', id: string, at: string, req: Request): Promise<{ data: unknown; txId: string; at: string; exact: boolean }> => {
    const when = pointInTime(at)!;
    if (when.time) {
      const r = await ledger.evaluate<Record<string, unknown>>(req.principal!.identity, kind === 'part' ? 'orders:GetPartAt' : 'machines:GetMachineAt', [id, when.time]);
      return { data: r[kind], txId: String(r.txId), at: String(r.at), exact: true };
    }
    const r = kind === 'part' ? await store.getPartAt(id, when) : await store.getMachineAt(id, when);
    if (!r || r.data === null) throw new ApiError('NOT_FOUND', `the index holds no version of ${kind} ${id} at block ${at}; ask with a timestamp for the exact history`);
    return { data: r.data, txId: r.lastEvent.txId, at: r.lastEvent.at, exact: r.exact };
  };
  const get = (path: string, tag: string, summary: string, schema: z.ZodObject | undefined, paginated: boolean, handler: QueryRoute['handler']) => {
    const item = QUERY_RESPONSES[path];
    if (!item) throw new Error(`query route ${path} has no response schema`);
    routes.push({ path, tag, summary, roles: ANY, ...(schema ? { query: schema } : {}), paginated, response: paginated ? R.page(item) : item, handler });
  };

  get('/v1/consortium', 'members', 'The consortium record: name and administrator organisations (read from the ledger)', undefined, false, async (req, res) => {
    const consortium = await ledger.evaluateRaw(req.principal!.identity, 'registry:GetConsortium', []);
    sendWithEtag(req, res, createHash('sha256').update(consortium).digest('base64url').slice(0, 27), JSON.parse(consortium.toString('utf8')));
  });
  const membersQ = q({ role: z.enum(S.MEMBER_ROLES).optional(), ...paging });
  get('/v1/members', 'members', 'List consortium members', membersQ, true, async (req, res) => sendPage(req, res, await store.listMembers(query(membersQ, req)), indexedVersion));
  get('/v1/members/:mspId', 'members', 'One member', undefined, false, async (req, res) => {
    const { mspId } = params(req);
    sendRecord(req, res, 'member', mspId!, await store.getMember(mspId!));
  });

  const machinesQ = q({ ownerMsp: S.mspId.optional(), status: z.enum(['registered', 'commissioned', 'decommissioned']).optional(), process: z.string().max(48).optional(), ...paging });
  get('/v1/machines', 'machines', 'List machines', machinesQ, true, async (req, res) => sendPage(req, res, await store.listMachines(query(machinesQ, req)), indexedVersion));
  const atQ = q({ at });
  get('/v1/machines/:machineId', 'machines', 'One machine, now or as it was `at` a time or block', atQ, false, async (req, res) => {
    const { machineId } = params(req);
    const at = query(atQ, req).at;
    if (at === undefined) return sendRecord(req, res, 'machine', machineId!, await store.getMachine(machineId!));
    res.json(await stateAt('machine', machineId!, at, req));
  });
  get('/v1/machines/:machineId/events', 'machines', 'A machine’s provenance events', q(paging), true, async (req, res) => {
    const { machineId } = params(req);
    sendPage(req, res, await store.listMachineEvents(machineId!, query(q(paging), req)), historyVersion);
  });
  const windowQ = q({ from: S.timestamp.optional(), to: S.timestamp.optional(), ...paging });
  get('/v1/machines/:machineId/twin-snapshots', 'twins', 'A machine’s twin snapshots in time order', windowQ, true, async (req, res) => {
    const { machineId } = params(req);
    sendPage(req, res, await store.listTwinSnapshots(machineId!, query(windowQ, req)), indexedVersion);
  });
  get('/v1/twin-snapshots/:snapshotId', 'twins', 'One twin snapshot', undefined, false, async (req, res) => {
    const { snapshotId } = params(req);
    sendRecord(req, res, 'twin snapshot', snapshotId!, await store.getTwinSnapshot(snapshotId!));
  });

  get('/v1/lots/:lotId', 'lots', 'One material lot', undefined, false, async (req, res) => {
    const { lotId } = params(req);
    sendRecord(req, res, 'lot', lotId!, await store.getLot(lotId!));
  });
  get('/v1/lots/:lotId/events', 'lots', 'A lot’s history', q(paging), true, async (req, res) => {
    const { lotId } = params(req);
    sendPage(req, res, await store.listLotEvents(lotId!, query(q(paging), req)), historyVersion);
  });

  const ordersQ = q({ buyerMsp: S.mspId.optional(), status: z.enum(['open', 'cancelled']).optional(), ...paging });
  get('/v1/orders', 'orders', 'List orders', ordersQ, true, async (req, res) => sendPage(req, res, await store.listOrders(query(ordersQ, req)), indexedVersion));
  get('/v1/orders/:orderId', 'orders', 'One order', undefined, false, async (req, res) => {
    const { orderId } = params(req);
    sendRecord(req, res, 'order', orderId!, await store.getOrder(orderId!));
  });
  get('/v1/orders/:orderId/terms/:factoryMsp', 'orders', 'Private commercial terms (the buyer and that factory only)', undefined, false, async (req, res) => {
    const { orderId, factoryMsp } = params(req);
    res.set('Cache-Control', 'no-store').json(await ledger.evaluate(req.principal!.identity, 'orders:GetCommercialTerms', [orderId!, factoryMsp!]));
  });

  const partsQ = q({ orderId: S.id.optional(), status: z.enum(['created', 'scheduled', 'in_production', 'qc_passed', 'qc_failed', 'shipped', 'delivered', 'cancelled']).optional(), buyerMsp: S.mspId.optional(), ...paging });
  get('/v1/parts', 'parts', 'List parts', partsQ, true, async (req, res) => sendPage(req, res, await store.listParts(query(partsQ, req)), indexedVersion));
  get('/v1/parts/:partId', 'parts', 'One part, now or as it was `at` a time or block', atQ, false, async (req, res) => {
    const { partId } = params(req);
    const at = query(atQ, req).at;
    if (at === undefined) return sendRecord(req, res, 'part', partId!, await store.getPart(partId!));
    res.json(await stateAt('part', partId!, at, req));
  });
  get('/v1/parts/:partId/events', 'parts', 'A part’s own history', q(paging), true, async (req, res) => {
    const { partId } = params(req);
    sendPage(req, res, await store.listPartEvents(partId!, query(q(paging), req)), historyVersion);
  });
  const traceQ = q({ maxDepth: z.coerce.number().int().min(0).max(10).optional(), pageSize: z.coerce.number().int().min(1).max(1000).optional(), pageToken: z.string().regex(/^\d{1,9}$/).optional() });
  // Traces are assembled from the index and checked against the ledger: the chaincode's digest of
  // the whole walk (trace:GetPartTraceDigest) must equal the digest of the walk the index gives.
  // On a mismatch (index behind the ledger, or damaged) the ledger's own trace is served instead.
  // Pages and digests are cached until the index moves, so repeated reads cost no chaincode run.
  // A cached page also keeps its gzip form (made on first demand), sent to clients that accept it.
  const traceCache = new Map<string, { position: string; body: Buffer; etag: string; source: string; gzip?: Buffer }>();
  const digestCache = new Map<string, { position: string; digest: string }>();
  const remember = <V>(cache: Map<string, V>, key: string, value: V): void => {
    cache.delete(key);
    cache.set(key, value);
    if (cache.size > 512) cache.delete(cache.keys().next().value!);
  };
  get('/v1/parts/:partId/trace', 'parts', 'The part’s full history with what it consumed, machines, twin snapshots and plan anchors (from the index, checked against the ledger; header X-Trace-Source)', traceQ, false, async (req, res) => {
    const { partId } = params(req);
    const options = query(traceQ, req);
    const key = `${partId}|${options.maxDepth ?? ''}|${options.pageSize ?? ''}|${options.pageToken ?? ''}`;
    const position = indexPosition();
    let hit = traceCache.get(key);
    if (!hit || hit.position !== position || position === '') {
      const identity = req.principal!.identity;
      const assembled = await assembleTraceFromIndex(store, partId!, options);
      let source = 'ledger; not in the index';
      let body: Buffer | undefined;
      if (assembled) {
        const digestKey = `${partId}|${options.maxDepth ?? ''}`;
        let checked = digestCache.get(digestKey);
        if (!checked || checked.position !== position || position === '') {
          const d = await ledger.evaluate<{ digest: string }>(identity, 'trace:GetPartTraceDigest', [partId!, { maxDepth: options.maxDepth ?? 5 }]);
          checked = { position, digest: d.digest };
          remember(digestCache, digestKey, checked);
        }
        if (checked.digest === assembled.digest) {
          body = Buffer.from(assembled.body);
          source = 'index; verified against the ledger';
        } else {
          source = 'ledger; the index differs from the ledger';
        }
      }
      observeTrace(source.startsWith('index') ? 'index' : source.includes('differs') ? 'ledger_mismatch' : 'ledger_not_indexed');
      body ??= await ledger.evaluateRaw(identity, 'trace:GetPartTrace', [partId!, options]);
      // The trace is sent as bytes, past the JSON response check: check it here, once per computation.
      const valid = R.partTrace.safeParse(JSON.parse(body.toString('utf8')));
      if (!valid.success) throw new ApiError('INTERNAL', `the trace of ${partId} does not match the API description at ${valid.error.issues[0]!.path.join('.')}: ${valid.error.issues[0]!.message}`);
      hit = { position, body, etag: `W/"trace-${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`, source };
      remember(traceCache, key, hit);
    }
    res.set({ 'X-Trace-Source': hit.source, ETag: hit.etag, Vary: 'Accept-Encoding' });
    if (req.get('if-none-match') === hit.etag) {
      res.status(304).end();
      return;
    }
    res.type('application/json');
    if (hit.body.length >= 1024 && req.acceptsEncodings('gzip', 'identity') === 'gzip') {
      hit.gzip ??= gzipSync(hit.body, { level: 6 });
      res.set('Content-Encoding', 'gzip').send(hit.gzip);
      return;
    }
    res.send(hit.body);
  });

  const jobsQ = q({ factoryMsp: S.mspId.optional(), partId: S.id.optional(), status: z.enum(['assigned', 'accepted', 'declined', 'started', 'finished', 'cancelled']).optional(), ...paging });
  get('/v1/jobs', 'jobs', 'List job assignments', jobsQ, true, async (req, res) => sendPage(req, res, await store.listJobs(query(jobsQ, req)), indexedVersion));
  get('/v1/jobs/:jobId', 'jobs', 'One job assignment', undefined, false, async (req, res) => {
    const { jobId } = params(req);
    sendRecord(req, res, 'job', jobId!, await store.getJob(jobId!));
  });

  const anchorsQ = q({ kind: z.enum(S.ANCHOR_KINDS).optional(), from: S.timestamp.optional(), to: S.timestamp.optional(), ...paging });
  get('/v1/anchors', 'anchors', 'List anchors', anchorsQ, true, async (req, res) => sendPage(req, res, await store.listAnchors(query(anchorsQ, req)), indexedVersion));
  get('/v1/anchors/:anchorId', 'anchors', 'One anchor', undefined, false, async (req, res) => {
    const { anchorId } = params(req);
    sendRecord(req, res, 'anchor', anchorId!, await store.getAnchor(anchorId!));
  });
  return routes;
}
