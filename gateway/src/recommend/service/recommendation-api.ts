/**
 * /v1/recommendations and /v1/feedback: part and factory recommendations with explanations,
 * feedback (ratings and events, deduplicated), the anchored model versions, retraining, and
 * the audit view of a served recommendation (its log record and Merkle proof).
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { schemas as S } from '@forgetrace/chaincode/api';
import { allow } from '../../api/auth';
import { API_SECURITY, type ApiExtension } from '../../api/openapi';
import { ApiError, route } from '../../api/problem';
import { validate } from '../../server';
import { CONFIGURATION_PATTERN, EVENT_VALUES, RATING_MAX, RATING_MIN, type FeedbackEvent } from './recommendation-model';
import { RecommendationInputError, type Caller, type RecommendationService } from './recommendation-service';

const eventNames = Object.keys(EVENT_VALUES) as [FeedbackEvent, ...FeedbackEvent[]];

/** Body of POST /v1/feedback. */
export const feedbackRequest = z.strictObject({
  eventId: S.id,
  buyer: S.mspId.optional(),
  target: z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('part'),
      orderId: S.id.optional(),
      configuration: z.string().regex(CONFIGURATION_PATTERN, 'must be a configuration such as ti6al4v|additive+milling (material|processes)').optional(),
    }),
    z.strictObject({ kind: z.literal('factory'), factoryMsp: S.mspId, orderId: S.id.optional() }),
  ]),
  rating: z.number().min(RATING_MIN, `must be from ${RATING_MIN} to ${RATING_MAX}`).max(RATING_MAX, `must be from ${RATING_MIN} to ${RATING_MAX}`).optional(),
  event: z.enum(eventNames).optional(),
}).superRefine((b, ctx) => {
  if ((b.rating === undefined) === (b.event === undefined)) ctx.addIssue({ code: 'custom', path: ['rating'], message: 'give exactly one of rating or event' });
  if (b.target.kind === 'part' && (b.target.orderId === undefined) === (b.target.configuration === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['target'], message: 'a part target names exactly one of orderId or configuration' });
  }
}).openapi('FeedbackRequest');

/** Query of GET /v1/recommendations/parts: k is an integer from 1 to `maxK` (default 10). */
function partsQuery(maxK: number) {
  const message = `must be an integer from 1 to ${maxK}`;
  const k = z.string().regex(/^\d{1,6}$/, message).transform(Number).pipe(z.int().min(1, message).max(maxK, message));
  return z.strictObject({ buyer: S.mspId.optional(), k: k.optional() });
}
const factoriesQuery = z.strictObject({ order: S.id });
const recordId = z.uuid('must be a record id (UUID) from a recommendation\'s audit.recordId');

function caller(req: Request): Caller {
  const p = req.principal!;
  return { userId: p.userId, role: p.role, mspId: p.identity.mspId };
}

function mapError(e: unknown): never {
  if (e instanceof RecommendationInputError) {
    switch (e.code) {
      case 'NOT_FOUND': throw new ApiError('NOT_FOUND', e.message);
      case 'NOT_YOUR_ORDER': case 'NOT_YOUR_BUYER': throw new ApiError('FORBIDDEN', e.message, { reason: e.code });
      case 'EVENT_ID_REUSED': throw new ApiError('CONFLICT', e.message, { reason: e.code });
      default: throw new ApiError('VALIDATION_FAILED', e.message, { reason: e.code });
    }
  }
  throw e;
}

/**
 * The recommendation routes as a gateway extension.
 * Roles: recommendations and model reads — buyer (own organisation only), admin, auditor;
 * feedback — buyer (own organisation), admin; retraining — admin.
 */
export function recommendationApi(service: RecommendationService): ApiExtension {
  const partsSchema = partsQuery(service.maxK);
  return {
    name: 'recommendations',
    register(v1: Router) {
      v1.get('/recommendations/parts', allow('buyer', 'admin', 'auditor'), route(async (req: Request, res: Response) => {
        const q = validate(partsSchema, req.query, 'query');
        const who = caller(req);
        const buyer = q.buyer ?? who.mspId;
        if (who.role === 'buyer' && buyer !== who.mspId) throw new ApiError('FORBIDDEN', `a buyer of ${who.mspId} may only get recommendations for ${who.mspId}, not for ${buyer}`);
        res.json(await service.recommendParts(buyer, q.k ?? Math.min(10, service.maxK), who).catch(mapError));
      }));
      v1.get('/recommendations/factories', allow('buyer', 'admin', 'auditor'), route(async (req, res) => {
        const q = validate(factoriesQuery, req.query, 'query');
        res.json(await service.recommendFactories(q.order, caller(req)).catch(mapError));
      }));
      v1.get('/recommendations/model', allow('buyer', 'admin', 'auditor'), route(async (_req, res) => {
        const current = service.view(await service.currentVersion());
        res.json({ current, versions: service.versions().map((v) => ({ id: v.id, createdAt: v.createdAt, anchor: v.anchor, feedbackEntries: v.feedbackEntries })) });
      }));
      v1.post('/recommendations/model', allow('admin'), route(async (req, res) => {
        const r = await service.retrain(req.principal!.identity, req.principal!.userId);
        res.status(r.created ? 201 : 200).json({ created: r.created, current: service.view(r.version) });
      }));
      v1.get('/recommendations/served/:recordId', allow('buyer', 'admin', 'auditor'), route(async (req, res) => {
        const id = validate(recordId, req.params.recordId, 'recordId');
        try {
          res.json(service.served(id, caller(req)));
        } catch (e) {
          mapError(e);
        }
      }));
      v1.post('/feedback', allow('buyer', 'admin'), route(async (req, res) => {
        const body = validate(feedbackRequest, req.body, 'body');
        const who = caller(req);
        if (who.role === 'buyer' && body.buyer !== undefined && body.buyer !== who.mspId) {
          throw new ApiError('FORBIDDEN', `a buyer of ${who.mspId} may only give feedback as ${who.mspId}, not as ${body.buyer}`);
        }
        const r = await service.addFeedback(body, who).catch(mapError);
        const e = r.entry;
        res.status(r.created ? 201 : 200).json({
          eventId: e.eventId, buyer: e.buyer, target: e.target, item: e.item, orderId: e.orderId, rating: e.rating, event: e.event, value: e.value,
          receivedAt: e.receivedAt, duplicate: !r.created, retraining: r.retraining,
        });
      }));
    },
    document(registry: OpenAPIRegistry, problems: Record<string, object>) {
      const security = API_SECURITY;
      const json = (description: string) => ({ description, content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } });
      registry.registerPath({
        method: 'get', path: '/v1/recommendations/parts', tags: ['recommendations'], security,
        summary: 'Top-k part configurations for a buyer, each with its predicted rating and contributions (roles: buyer for its own organisation, admin, auditor). Unknown buyers take the cold-start path; the answer is logged and anchored (audit.recordId).',
        request: { query: z.object({ buyer: S.mspId.optional(), k: z.int().min(1).max(service.maxK).optional() }) },
        responses: { '200': json('buyer, k, coldStart, strategy (personalised | features | popularity | none), modelVersion, items [{configuration, score, explanation}], audit'), ...problems },
      });
      registry.registerPath({
        method: 'get', path: '/v1/recommendations/factories', tags: ['recommendations'], security,
        summary: 'Factories for an order: score = predicted satisfaction × capability match × load × machine health, each explained (roles: buyer for its own orders, admin, auditor)',
        request: { query: factoriesQuery },
        responses: { '200': json('orderId, buyer, configuration, modelVersion, factories [{factoryMsp, score, factors, topFactors, summary, machines}], audit'), ...problems },
      });
      registry.registerPath({
        method: 'get', path: '/v1/recommendations/model', tags: ['recommendations'], security,
        summary: 'The model version being served (manifest: parameter, training data, metrics and code hashes; Merkle root; anchor) and all versions',
        responses: { '200': json('current and versions'), ...problems },
      });
      registry.registerPath({
        method: 'post', path: '/v1/recommendations/model', tags: ['recommendations'], security,
        summary: 'Retrain on all feedback and orders and anchor the new version (admin); 201 for a new version, 200 when the data give the version already stored',
        responses: { '201': json('created, current'), '200': json('created: false, current'), ...problems },
      });
      registry.registerPath({
        method: 'get', path: '/v1/recommendations/served/{recordId}', tags: ['recommendations'], security,
        summary: 'A served recommendation as logged, its state in the anchoring outbox, its Merkle proof once anchored, and the model version that produced it',
        request: { params: z.object({ recordId }) },
        responses: { '200': json('recordId, state, payload, proof, modelVersion'), ...problems },
      });
      registry.registerPath({
        method: 'post', path: '/v1/feedback', tags: ['recommendations'], security,
        summary: 'Record a rating (1–5) or event about a part configuration or a factory (roles: buyer as itself, admin); deduplicated by (buyer, eventId): 201 new, 200 repeated, 409 same id with other content. Stored off-chain only.',
        request: { body: { required: true, content: { 'application/json': { schema: feedbackRequest } } } },
        responses: { '201': json('the stored entry'), '200': json('the stored entry (duplicate: true)'), ...problems },
      });
    },
    close: () => service.close(),
  };
}
