/**
 * `GET /v1/parts/{id}/provenance`: the part's whole trace with its proof bundle; and
 * `POST /v1/verify` with `{bundle}`: the gateway runs the offline verifier on a bundle (record
 * proofs `{payload, proof}` fall through to the anchoring routes).
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { verifyBundle, type RecordProof } from '@forgetrace/verifier';
import type { Anchor, PartTrace } from '@forgetrace/chaincode/api';
import type { AnchorOutbox } from '../anchoring/anchor-outbox';
import { allow } from '../api/auth';
import { API_SECURITY, type ApiExtension } from '../api/openapi';
import { ApiError, route } from '../api/problem';
import type { LedgerClient } from '../ledger/ledger-client';
import type { LedgerIdentity } from '../ledger/port';
import { validate } from '../server';
import type { DisclosureStore } from './disclosure-store';
import { buildProvenanceBundle, channelRootCertificates, EvidenceUnavailableError, isEvidenceSource, TraceChangedError } from './provenance';

const TRACE_PAGE = 1000;
const partIdParam = z.string().min(1).max(128);
const MAX_RECORDS = 256;

const provenanceQuery = z.strictObject({
  maxDepth: z.coerce.number().int().min(0).max(10).optional(),
  records: z.string().regex(/^[0-9a-f-]{36}(,[0-9a-f-]{36})*$/, 'must be record ids (UUIDs) separated by commas').optional(),
});
const pemList = z.array(z.string().min(1).max(16_384)).max(64);
export const verifyBundleInput = z.strictObject({
  bundle: z.record(z.string(), z.unknown()),
  trustedRoots: pemList.optional(),
  pinnedFingerprints: z.array(z.string().regex(/^[0-9a-fA-F:]{64,95}$/, 'must be a SHA-256 fingerprint in hex')).max(64).optional(),
}).openapi('VerifyBundleInput');

/** Read every page of a part's trace from the ledger and merge them. */
export async function fullTrace(ledger: LedgerClient, identity: LedgerIdentity, partId: string, maxDepth: number): Promise<PartTrace> {
  let page = await ledger.evaluate<PartTrace>(identity, 'trace:GetPartTrace', [partId, { maxDepth, pageSize: TRACE_PAGE }]);
  const merged = { ...page, entries: [...page.entries], machines: { ...page.machines }, twinSnapshots: { ...page.twinSnapshots }, anchors: { ...page.anchors } };
  while (page.nextPageToken) {
    page = await ledger.evaluate<PartTrace>(identity, 'trace:GetPartTrace', [partId, { maxDepth, pageSize: TRACE_PAGE, pageToken: page.nextPageToken }]);
    merged.entries.push(...page.entries);
    // A later page names machines with provenance up to its own last report, which includes the earlier pages'.
    Object.assign(merged.machines, page.machines);
    Object.assign(merged.twinSnapshots, page.twinSnapshots);
    Object.assign(merged.anchors, page.anchors);
  }
  return { ...merged, nextPageToken: null };
}

/** Trace fields a buyer can make public: RFC 6901 pointers into the stored events. */
const disclosureField = z.string().regex(/^\/(type|at|mspId|data|data\/[A-Za-z0-9_.-]{1,64})$/, 'must be /type, /at, /mspId, /data or /data/<field>');
export const disclosureInput = z.strictObject({ fields: z.array(disclosureField).min(1).max(64) }).openapi('DisclosureInput');

export interface ProofsApiOptions {
  /** Buyers' disclosure choices; without it there are no disclosure or public routes. */
  readonly disclosures?: DisclosureStore;
  /** The identity public reads run as (the gateway's own). */
  readonly publicIdentity?: LedgerIdentity;
}

/** The provenance routes over this gateway's ledger and outbox. */
export function proofsApi(ledger: LedgerClient, outbox: AnchorOutbox, options: ProofsApiOptions = {}): ApiExtension {
  const { disclosures, publicIdentity } = options;
  /** The public bundle of a part the buyer disclosed. */
  const publicBundle = async (partId: string) => {
    const source = ledger.port;
    const policy = disclosures?.get(partId);
    if (!policy || !publicIdentity) throw new ApiError('NOT_FOUND', `part ${partId} has no public provenance on this gateway (its buyer has not disclosed any of it)`);
    if (!isEvidenceSource(source)) throw new ApiError('NOT_IMPLEMENTED', 'this gateway\'s ledger backend (Fabric) does not assemble proof bundles yet');
    const trace = await fullTrace(ledger, publicIdentity, partId, 5);
    try {
      return buildProvenanceBundle(source, trace, { disclosure: { fields: policy.fields } });
    } catch (e) {
      if (e instanceof EvidenceUnavailableError) throw new ApiError('NOT_IMPLEMENTED', `no proof bundle for ${partId}: ${e.message}`);
      throw e;
    }
  };
  return {
    name: 'proofs',
    async close() {
      disclosures?.close();
    },
    registerPublic(root: Router, limit: RequestHandler) {
      if (!disclosures) return;
      root.get('/public/parts/:partId/provenance', limit, route(async (req, res) => {
        const partId = validate(partIdParam, req.params.partId, 'partId');
        res.set('Cache-Control', 'no-cache').json(await publicBundle(partId));
      }));
    },
    register(v1: Router) {
      if (disclosures) {
        v1.put('/parts/:partId/disclosure', allow('buyer', 'admin'), route(async (req, res) => {
          const partId = validate(partIdParam, req.params.partId, 'partId');
          const body = validate(disclosureInput, req.body, 'body');
          const identity = req.principal!.identity;
          const part = await ledger.evaluate<{ orderId: string }>(identity, 'orders:GetPart', [partId]);
          const order = await ledger.evaluate<{ buyerMsp: string }>(identity, 'orders:GetOrder', [part.orderId]);
          if (order.buyerMsp !== identity.mspId) throw new ApiError('FORBIDDEN', `only the buyer of order ${part.orderId} (${order.buyerMsp}) decides what of part ${partId} is public, not ${identity.mspId}`);
          const fields = [...new Set(body.fields)].sort();
          const updatedAt = new Date().toISOString();
          const recordId = outbox.add({ kind: 'other', payload: { type: 'disclosure', partId, fields, by: req.principal!.userId, mspId: identity.mspId, at: updatedAt } });
          const d = { partId, fields, updatedAt, updatedBy: req.principal!.userId, recordId };
          disclosures.put(d);
          res.json(d);
        }));
        v1.get('/parts/:partId/disclosure', allow('buyer', 'admin', 'auditor', 'factory_operator'), route(async (req, res) => {
          const partId = validate(partIdParam, req.params.partId, 'partId');
          const d = disclosures.get(partId);
          if (!d) throw new ApiError('NOT_FOUND', `part ${partId} has no disclosure on this gateway: it is private`);
          res.json(d);
        }));
        v1.delete('/parts/:partId/disclosure', allow('buyer', 'admin'), route(async (req, res) => {
          const partId = validate(partIdParam, req.params.partId, 'partId');
          if (!disclosures.delete(partId)) throw new ApiError('NOT_FOUND', `part ${partId} has no disclosure on this gateway`);
          res.status(204).end();
        }));
      }
      v1.get('/parts/:partId/provenance', allow('admin', 'factory_operator', 'auditor', 'buyer'), route(async (req, res) => {
        const partId = validate(partIdParam, req.params.partId, 'partId');
        const q = validate(provenanceQuery, req.query, 'query');
        const source = ledger.port;
        if (!isEvidenceSource(source)) throw new ApiError('NOT_IMPLEMENTED', 'this gateway\'s ledger backend (Fabric) does not assemble proof bundles yet; the embedded ledger does');
        const identity = req.principal!.identity;
        const maxDepth = q.maxDepth ?? 5;
        const records: Array<{ payload: unknown; proof: RecordProof }> = [];
        const anchors: Record<string, Anchor> = {};
        const ids = q.records ? [...new Set(q.records.split(','))] : [];
        if (ids.length > MAX_RECORDS) throw new ApiError('VALIDATION_FAILED', `at most ${MAX_RECORDS} records per bundle, not ${ids.length}`);
        for (const id of ids) {
          const record = outbox.get(id);
          if (!record) throw new ApiError('NOT_FOUND', `no record ${id} in this gateway's outbox`);
          if (record.state !== 'anchored') throw new ApiError('CONFLICT', `record ${id} is not anchored yet (state ${record.state}); ask again once it is`);
          const proof = outbox.proof(id);
          anchors[proof.anchorId] ??= await ledger.evaluate<Anchor>(identity, 'anchors:GetAnchor', [proof.anchorId]);
          records.push({ payload: record.payload, proof });
        }
        // The trace and the records that prove it complete are read apart: when an event lands in
        // between, read the trace again.
        for (let attempt = 1; ; attempt++) {
          const trace = await fullTrace(ledger, identity, partId, maxDepth);
          try {
            res.json(buildProvenanceBundle(source, trace, { records, anchors, completeness: { maxDepth } }));
            return;
          } catch (e) {
            if (e instanceof TraceChangedError && attempt < 3) continue;
            if (e instanceof TraceChangedError) throw new ApiError('CONFLICT', `part ${partId} kept changing while its bundle was assembled (${e.message}); ask again`);
            if (e instanceof EvidenceUnavailableError) throw new ApiError('NOT_IMPLEMENTED', `no proof bundle for ${partId}: ${e.message}`);
            throw e;
          }
        }
      }));
      v1.post('/verify', allow('admin', 'factory_operator', 'auditor', 'buyer'), route(async (req, res, next) => {
        if (!req.body || typeof req.body !== 'object' || !('bundle' in req.body)) return next(); // a record proof: the anchoring route
        const body = validate(verifyBundleInput, req.body, 'body');
        let options: { trustedRoots?: string[]; pinnedFingerprints?: string[] } = { trustedRoots: body.trustedRoots, pinnedFingerprints: body.pinnedFingerprints };
        let trust: 'caller' | 'gateway' = 'caller';
        if (!body.trustedRoots?.length && !body.pinnedFingerprints?.length) {
          // No trust anchors given: this gateway's own channel configuration is the trust.
          const roots = channelRootCertificates(ledger.port);
          if (roots.length === 0) throw new ApiError('VALIDATION_FAILED', 'give trustedRoots or pinnedFingerprints: this gateway cannot read CA certificates from its ledger backend');
          options = { trustedRoots: roots };
          trust = 'gateway';
        }
        const verdict = await verifyBundle(body.bundle, options);
        res.json({ ...verdict, trust });
      }));
    },
    document(registry: OpenAPIRegistry, problems: Record<string, object>) {
      const security = API_SECURITY;
      if (disclosures) {
        const params = z.object({ partId: z.string() });
        const json = { 'application/json': { schema: z.record(z.string(), z.unknown()) } };
        registry.registerPath({ method: 'put', path: '/v1/parts/{partId}/disclosure', tags: ['parts'], security, summary: 'The buyer chooses which fields of the part’s trace entries are public (RFC 6901 pointers into the stored events: /type, /at, /mspId, /data, /data/<field>); the choice is anchored through the outbox. Only the order’s buyer organisation (403 otherwise).', request: { params, body: { required: true, content: { 'application/json': { schema: disclosureInput } } } }, responses: { '200': { description: '{partId, fields, updatedAt, updatedBy, recordId}', content: json }, ...problems } });
        registry.registerPath({ method: 'get', path: '/v1/parts/{partId}/disclosure', tags: ['parts'], security, summary: 'The part’s disclosure choice on this gateway (404: private)', request: { params }, responses: { '200': { description: 'The choice', content: json }, ...problems } });
        registry.registerPath({ method: 'delete', path: '/v1/parts/{partId}/disclosure', tags: ['parts'], security, summary: 'Make the part private again', request: { params }, responses: { '204': { description: 'Removed' }, ...problems } });
        registry.registerPath({ method: 'get', path: '/public/parts/{partId}/provenance', tags: ['public'], summary: 'No authentication. The part’s public proof bundle: trace entries show only the disclosed fields, their writes carry salted field commitments with only those fields revealed (no nonces), machines, twin snapshots and the order are left out. 404 when the buyer disclosed nothing. Rate-limited per address.', request: { params }, responses: { '200': { description: 'The public bundle (format forgetrace-provenance/1 with `disclosure`)', content: json }, ...problems } });
      }
      registry.registerPath({
        method: 'get', path: '/v1/parts/{partId}/provenance', tags: ['parts'], security,
        summary: 'The part’s whole trace with a proof bundle (format forgetrace-provenance/1): signed transactions, signed block headers with their transaction hashes, the channel configuration with the organisations’ CA certificates, Merkle proofs of the outbox records named in `records`, and the records of every part and lot the trace walks (`completeness`), so that a verifier can tell that no entry was left out. Check it offline with @forgetrace/verifier or `forgetrace verify`. 409 when the part kept changing while the bundle was assembled.',
        request: { params: z.object({ partId: z.string() }), query: provenanceQuery },
        responses: { '200': { description: 'The bundle', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } }, '501': { description: 'The ledger backend cannot back the trace with signed evidence' }, ...problems },
      });
      registry.registerPath({
        method: 'post', path: '/v1/verify#bundle', tags: ['parts'], security,
        summary: 'POST /v1/verify with {bundle, trustedRoots?, pinnedFingerprints?}: verify a provenance bundle. Valid, or invalid with the first reason (bad signature, certificate not issued by a consortium CA, tampered field, entry missing from its block, invalid transaction, wrong Merkle path, anchor not found, incomplete trace, malformed bundle, no trust anchors), every finding, each claim’s result, and whether the trace is proven complete. Without trust anchors the gateway trusts its own channel configuration (`trust: "gateway"`). Body limit 16 MB.',
        request: { body: { required: true, content: { 'application/json': { schema: verifyBundleInput } } } },
        responses: { '200': { description: 'The verdict', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } }, ...problems },
      });
    },
  };
}
