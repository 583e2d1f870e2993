/**
 * The EPCIS routes: export of a part's trace as EPCIS 2.0 JSON-LD (event hashes anchored through
 * the outbox), capture of partners' EPCIS 2.0 documents (validated, deduplicated by event hash,
 * kept off-chain here and anchored), look-up of an event by hash, and the GS1 Digital Link
 * resolver for parts with a GTIN.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Part, PartTrace } from '@forgetrace/chaincode/api';
import type { AnchorOutbox } from '../anchoring/anchor-outbox';
import { allow } from '../api/auth';
import { API_SECURITY, type ApiExtension } from '../api/openapi';
import { ApiError, route } from '../api/problem';
import { ANY } from '../api/routes';
import { listAll, type QueryStore } from '../indexer/store';
import type { LedgerClient } from '../ledger/ledger-client';
import type { LedgerIdentity } from '../ledger/port';
import { checkResponses, validate } from '../server';
import { eventHash, hashDigest, STANDARD_PREFIXES } from './event-hash';
import { objectKeys, type EpcisStore } from './epcis-store';
import { traceToEpcis, type EpcisDocument, type EpcisEvent, type PartRef } from './export';
import type { Identifiers } from './identifiers';
import { epcisDocumentSchema, validateEpcisDocument } from './validate';

/** What the EPCIS routes work with. */
export interface EpcisApiOptions {
  readonly store: QueryStore;
  readonly ledger: LedgerClient;
  readonly outbox: AnchorOutbox;
  readonly epcis: EpcisStore;
  readonly identifiers: Identifiers;
  readonly logger: Logger;
  /** Milliseconds since the epoch, for documents' creationDate (default Date.now). */
  readonly clock?: () => number;
}

const o = z.strictObject;
const eventIdSchema = z.string().regex(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV\d+\.\d+(\.\d+)?$/);
/** Answer of a capture. */
export const captureResult = o({
  captured: z.number().int().min(0),
  duplicates: z.number().int().min(0),
  events: z.array(o({ eventIndex: z.number().int().min(0), eventID: eventIdSchema, status: z.enum(['captured', 'duplicate']), recordId: z.string() })),
}).openapi('EpcisCaptureResult');
/** A stored event with its anchoring state. */
export const storedEventSchema = o({
  eventID: eventIdSchema, origin: z.enum(['export', 'import']), recordId: z.string(), anchorState: z.enum(['pending', 'batched', 'anchored']),
  storedAt: z.string(), event: z.record(z.string(), z.unknown()),
}).openapi('EpcisStoredEvent');
/** The public provenance of a part that the Digital Link resolver answers with. */
export const provenanceSchema = o({
  partId: z.string(), gtin: z.string(), serial: z.string(), orderId: z.string(), status: z.string(), producerMsp: z.string().nullable(),
  qc: z.enum(['pass', 'fail']).nullable(), shippedAt: z.string().nullable(), deliveredAt: z.string().nullable(),
  links: o({ publicPage: z.string(), epcis: z.string(), trace: z.string() }),
}).openapi('PartProvenance');
const digest = z.string().regex(/^[0-9a-f]{64}$/, 'must be the 64 hex digits of an event hash');
const gtinParam = z.string().regex(/^(\d{8}|\d{12,14})$/, 'must be a GTIN (8, 12, 13 or 14 digits)');
const traceQ = z.strictObject({ maxDepth: z.coerce.number().int().min(0).max(10).optional() });

/** Read a part's whole trace from the ledger, all pages merged. */
async function wholeTrace(ledger: LedgerClient, identity: LedgerIdentity, partId: string, maxDepth: number | undefined): Promise<PartTrace> {
  let merged: PartTrace | undefined;
  let pageToken: string | undefined;
  do {
    const page = await ledger.evaluate<PartTrace>(identity, 'trace:GetPartTrace', [partId, { ...(maxDepth !== undefined ? { maxDepth } : {}), pageSize: 1000, ...(pageToken ? { pageToken } : {}) }]);
    merged = merged
      ? { ...page, entries: [...merged.entries, ...page.entries], machines: { ...merged.machines, ...page.machines }, twinSnapshots: { ...merged.twinSnapshots, ...page.twinSnapshots }, anchors: { ...merged.anchors, ...page.anchors } }
      : page;
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken);
  return merged;
}

/**
 * The Digital Link resolver: `GET /01/{gtin}/21/{serial}` and `/01/{gtin}/10/{lot}/21/{serial}`.
 * Under /v1 (authenticated) JSON requests get the part's summary. With `publicRoot` it is the
 * unauthenticated resolver at `/` (what a QR code on the part points to): it reveals nothing
 * itself and redirects (307) JSON requests to the part's public proof bundle
 * (`/public/parts/{id}/provenance`, 404 unless the buyer disclosed some of it) and browsers to
 * the public page.
 */
export function digitalLinkRouter(options: Pick<EpcisApiOptions, 'store' | 'identifiers' | 'logger'> & { readonly publicRoot?: { readonly limit: RequestHandler } }): Router {
  const router = express.Router();
  const check = checkResponses(provenanceSchema, 'GET /01/{gtin}/21/{serial}', options.logger);
  const handler = route(async (req: Request, res: Response) => {
    const p = req.params as Record<string, string>;
    const gtin = validate(gtinParam, p.gtin, 'gtin').padStart(14, '0');
    const serial = validate(z.string().min(1).max(64), p.serial, 'serial');
    const orderId = options.identifiers.orderOfGtin(gtin);
    if (!orderId) throw new ApiError('NOT_FOUND', `GTIN ${gtin} is not a product of this consortium`);
    if (p.lot !== undefined && p.lot !== orderId) throw new ApiError('NOT_FOUND', `GTIN ${gtin} has no lot ${p.lot} (its lot is the order ${orderId})`);
    const parts = await listAll((page) => options.store.listParts({ ...page, orderId }));
    const part = parts.map((x) => x.data).find((x: Part) => x.serial === serial);
    if (!part) throw new ApiError('NOT_FOUND', `GTIN ${gtin} has no serial ${serial}`);
    const page = `${options.identifiers.settings.publicPagePath}${encodeURIComponent(part.id)}`;
    res.set('Vary', 'Accept');
    if (req.accepts(['application/json', 'text/html']) === 'text/html') return void res.redirect(307, page);
    if (options.publicRoot) return void res.redirect(307, `/public/parts/${encodeURIComponent(part.id)}/provenance`);
    res.json({
      partId: part.id, gtin, serial, orderId, status: part.status, producerMsp: part.producerMsp, qc: part.qc?.result ?? null,
      shippedAt: part.shipment?.shipped.at ?? null, deliveredAt: part.delivery?.delivered.at ?? null,
      links: { publicPage: page, epcis: `/v1/parts/${encodeURIComponent(part.id)}/epcis`, trace: `/v1/parts/${encodeURIComponent(part.id)}/trace` },
    });
  });
  const first = options.publicRoot?.limit ?? check;
  router.get('/01/:gtin/21/:serial', first, check, handler);
  router.get('/01/:gtin/10/:lot/21/:serial', first, check, handler);
  return router;
}

/** The EPCIS routes as a gateway extension (under /v1). */
/**
 * The export plus the events partners captured here about any object of it (the part, its
 * components, lots), unchanged, so each still re-hashes to its eventID. Their namespace prefixes
 * join the document's @context; an event whose prefix would name another namespace than one
 * already there is left out (and logged), since it could not keep its hash in this document.
 */
export function withPartnerEvents(doc: EpcisDocument, epcis: EpcisStore, logger: Logger): EpcisDocument {
  const own = new Set(doc.epcisBody.eventList.map((e) => e.eventID));
  const keys = doc.epcisBody.eventList.flatMap((e) => objectKeys(e));
  const context: Record<string, string> = { ...(doc['@context'][1] as Record<string, string>) };
  const added: EpcisEvent[] = [];
  for (const stored of epcis.importedAbout(keys)) {
    if (own.has(stored.eventID)) continue;
    const extra = Object.entries(stored.prefixes).filter(([p, iri]) => STANDARD_PREFIXES[p] !== iri);
    const clash = extra.find(([p, iri]) => (STANDARD_PREFIXES[p] ?? context[p]) !== undefined && (STANDARD_PREFIXES[p] ?? context[p]) !== iri);
    if (clash) {
      logger.warn({ eventID: stored.eventID, prefix: clash[0] }, 'partner event left out of an export: its namespace prefix names another namespace there');
      continue;
    }
    for (const [p, iri] of extra) context[p] = iri;
    added.push({ ...stored.event, eventID: stored.eventID } as EpcisEvent);
    own.add(stored.eventID);
  }
  if (added.length === 0) return doc;
  return { ...doc, '@context': [doc['@context'][0], context], epcisBody: { eventList: [...doc.epcisBody.eventList, ...added] } };
}

export function epcisApi(options: EpcisApiOptions): ApiExtension {
  const { store, ledger, epcis, identifiers, logger } = options;
  const clock = options.clock ?? Date.now;
  const partRefs = async (identity: LedgerIdentity, trace: PartTrace): Promise<Map<string, PartRef>> => {
    const ids = new Set<string>([trace.partId]);
    for (const e of trace.entries) {
      if (e.subject.kind === 'part') ids.add(e.subject.id);
      if (e.type === 'component_consumed' && e.data.kind === 'part' && typeof e.data.id === 'string') ids.add(e.data.id);
    }
    const out = new Map<string, PartRef>();
    for (const id of ids) {
      const part = (await store.getPart(id))?.data ?? await ledger.evaluate<Part>(identity, 'orders:GetPart', [id]);
      out.set(id, { id: part.id, orderId: part.orderId, serial: part.serial });
    }
    return out;
  };
  return {
    name: 'epcis',
    registerPublic(root: Router, limit: RequestHandler) {
      root.use(digitalLinkRouter({ store, identifiers, logger, publicRoot: { limit } }));
    },
    register(v1: Router) {
      v1.get('/parts/:partId/epcis', allow(...ANY), checkResponses(epcisDocumentSchema, 'GET /v1/parts/{partId}/epcis', logger), route(async (req, res) => {
        const partId = validate(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'must be a part id'), req.params.partId, 'partId');
        const { maxDepth } = validate(traceQ, req.query, 'query');
        const identity = req.principal!.identity;
        const trace = await wholeTrace(ledger, identity, partId, maxDepth);
        const doc = traceToEpcis(trace, await partRefs(identity, trace), identifiers, new Date(clock()).toISOString());
        const prefixes = { ft: (doc['@context'][1] as { ft: string }).ft };
        // Each event hash goes to the anchoring outbox once, however often the part is exported.
        for (const event of doc.epcisBody.eventList) epcis.put(event.eventID, 'export', event, prefixes);
        res.type('application/ld+json').json(withPartnerEvents(doc, epcis, logger));
      }));
      v1.post('/epcis/capture', allow('admin', 'factory_operator'), checkResponses(captureResult, 'POST /v1/epcis/capture', logger), route(async (req, res) => {
        const checked = validateEpcisDocument(req.body);
        if (!checked.valid) {
          const first = checked.issues[0]!;
          const where = first.eventIndex === null ? 'the document' : `event ${first.eventIndex}`;
          throw new ApiError('VALIDATION_FAILED', `${where}: ${first.field}: ${first.reason}${checked.issues.length > 1 ? ` (and ${checked.issues.length - 1} more problems)` : ''}; nothing was captured`, { errors: checked.issues });
        }
        const hashed = checked.events.map((event, eventIndex) => ({ event, eventIndex, eventID: eventHash(event, checked.prefixes) }));
        const mismatched = hashed.filter((h) => typeof h.event.eventID === 'string' && hashDigest(h.event.eventID) !== undefined && h.event.eventID !== h.eventID);
        if (mismatched.length > 0) {
          const errors = mismatched.map((h) => ({ eventIndex: h.eventIndex, field: 'eventID', reason: `is a CBV 2.0 event hash but not this event's; its hash is ${h.eventID}` }));
          throw new ApiError('VALIDATION_FAILED', `event ${errors[0]!.eventIndex}: eventID: ${errors[0]!.reason}; nothing was captured`, { errors });
        }
        const results = hashed.map((h) => {
          const { recordId, added } = epcis.put(h.eventID, 'import', h.event, checked.prefixes);
          return { eventIndex: h.eventIndex, eventID: h.eventID, status: added ? 'captured' as const : 'duplicate' as const, recordId };
        });
        const captured = results.filter((r) => r.status === 'captured').length;
        res.status(captured > 0 ? 201 : 200).json({ captured, duplicates: results.length - captured, events: results });
      }));
      v1.get('/epcis/events/:digest', allow(...ANY), checkResponses(storedEventSchema, 'GET /v1/epcis/events/{digest}', logger), route(async (req, res) => {
        const hex = validate(digest, req.params.digest, 'digest');
        const found = epcis.get(`ni:///sha-256;${hex}?ver=CBV2.0`);
        if (!found) throw new ApiError('NOT_FOUND', `no EPCIS event with hash ${hex} was exported or captured here`);
        const record = options.outbox.get(found.recordId);
        res.json({ eventID: found.eventID, origin: found.origin, recordId: found.recordId, anchorState: record?.state ?? 'pending', storedAt: found.storedAt, event: found.event });
      }));
      v1.use(digitalLinkRouter({ store, identifiers, logger }));
    },
    document(registry: OpenAPIRegistry, problems: Record<string, object>) {
      const security = API_SECURITY;
      registry.registerPath({
        method: 'get', path: '/v1/parts/{partId}/epcis', tags: ['epcis'], security,
        summary: 'The part’s trace as a GS1 EPCIS 2.0 JSON-LD document; each eventID is the CBV 2.0 event hash, handed once to the anchoring outbox (kind other). Events partners captured here about the part, its components or lots follow the trace’s own, unchanged (their namespace prefixes join @context)',
        request: { params: z.object({ partId: z.string() }), query: traceQ },
        responses: { '200': { description: 'EPCISDocument', content: { 'application/ld+json': { schema: epcisDocumentSchema } } }, ...problems },
      });
      registry.registerPath({
        method: 'post', path: '/v1/epcis/capture', tags: ['epcis'], security,
        summary: 'Capture an EPCIS 2.0 JSON-LD document from a partner (send as application/json): validated as a whole (422 lists each event index, field and reason), deduplicated by event hash, stored off-chain and anchored (roles: admin, factory_operator)',
        request: { body: { required: true, content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } } },
        responses: { '201': { description: 'Some events were new', content: { 'application/json': { schema: captureResult } } }, '200': { description: 'Every event was a duplicate', content: { 'application/json': { schema: captureResult } } }, ...problems },
      });
      registry.registerPath({
        method: 'get', path: '/v1/epcis/events/{digest}', tags: ['epcis'], security,
        summary: 'An exported or captured event by the hex digest of its event hash, with its outbox record id (its proof: /v1/anchoring/records/{recordId})',
        request: { params: z.object({ digest }) },
        responses: { '200': { description: 'The event', content: { 'application/json': { schema: storedEventSchema } } }, ...problems },
      });
      for (const path of ['/v1/01/{gtin}/21/{serial}', '/v1/01/{gtin}/10/{lot}/21/{serial}']) {
        registry.registerPath({
          method: 'get', path, tags: ['epcis'], security,
          summary: 'GS1 Digital Link resolver: Accept application/json → the part’s provenance; text/html → 307 to the web app’s public page /p/{partId}; unknown GTIN, lot or serial → 404',
          request: { params: z.object({ gtin: gtinParam, serial: z.string(), ...(path.includes('{lot}') ? { lot: z.string() } : {}) }) },
          responses: { '200': { description: 'Provenance', content: { 'application/json': { schema: provenanceSchema } } }, '307': { description: 'Redirect to the public page' }, ...problems },
        });
      }
    },
  };
}
