/**
 * /v1/subscriptions (durable webhooks) and /v1/events/stream (a live Server-Sent Events stream
 * of chaincode events, filterable and replayable from a block or from `Last-Event-ID`).
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { schemas as S } from '@forgetrace/chaincode/api';
import { allow } from '../api/auth';
import { API_SECURITY, type ApiExtension } from '../api/openapi';
import { ApiError, route } from '../api/problem';
import type { LedgerPort } from '../ledger/port';
import { WebSocketServer } from 'ws';
import { validate } from '../server';
import { isAfter, matches, type EventFilter, type Subscription, type SubscriptionService } from './subscription-service';

const eventName = z.string().regex(/^[A-Z][A-Za-z]{1,63}$/, 'must be a chaincode event name such as OperationFinished');
const filterSchema = z.strictObject({
  eventTypes: z.array(eventName).max(50).optional(),
  partId: S.id.optional(),
  machineId: S.id.optional(),
  mspId: S.mspId.optional(),
}).openapi('EventFilter');
export const subscriptionInput = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  filter: filterSchema.optional(),
  fromBlock: z.int().min(0).optional(),
  secret: z.string().min(32, 'must be at least 32 characters').max(256).optional(),
}).openapi('SubscriptionInput');
const subscriptionId = z.string().regex(/^sub-[0-9a-f]{16}$/, 'must be a subscription id such as sub-0123456789abcdef');
const streamQuery = z.strictObject({
  types: z.string().max(2000).optional(),
  partId: S.id.optional(),
  machineId: S.id.optional(),
  mspId: S.mspId.optional(),
  fromBlock: z.coerce.number().int().min(0).optional(),
});

/** Subscriptions and the event stream as a gateway extension. */
export function subscriptionsApi(service: SubscriptionService, ledger: LedgerPort): ApiExtension {
  const ANY = ['admin', 'factory_operator', 'buyer', 'auditor'] as const;
  const own = (req: Request): Subscription => {
    const id = validate(subscriptionId, req.params.subscriptionId, 'subscriptionId');
    const s = service.get(id);
    if (!s || (s.owner !== req.principal!.userId && req.principal!.role !== 'admin')) throw new ApiError('NOT_FOUND', `no subscription ${id} of yours`);
    return s;
  };
  const streams = new Set<AbortController>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  /** Chaincode events for a stream: after the cursor (or from a block), filtered, as JSON-ready objects. */
  async function* filtered(filter: EventFilter, startBlock: number, cursor: Subscription['cursor'] | undefined, signal: AbortSignal) {
    for await (const e of ledger.events({ startBlock, signal })) {
      if (cursor && !isAfter(e, cursor)) continue;
      let payload: Record<string, unknown> = {};
      try {
        payload = JSON.parse(Buffer.from(e.payload).toString('utf8')) as Record<string, unknown>;
      } catch { /* not JSON: sent as {} */ }
      if (!matches(filter, e.eventName, payload)) continue;
      yield { id: `${e.blockNumber}.${e.transactionIndex}.${e.eventName}`, type: e.eventName, blockNumber: e.blockNumber, transactionIndex: e.transactionIndex, transactionId: e.transactionId, payload };
    }
  }
  /** Filter and start position from stream query parameters (and a Last-Event-ID). @throws ApiError */
  const streamSpec = async (query: unknown, lastEventId: string | undefined) => {
    const q = validate(streamQuery, query, 'query');
    const types = q.types ? q.types.split(',').map((t) => validate(eventName, t.trim(), 'query.types')) : undefined;
    const filter: EventFilter = { ...(types ? { eventTypes: types } : {}), ...(q.partId ? { partId: q.partId } : {}), ...(q.machineId ? { machineId: q.machineId } : {}), ...(q.mspId ? { mspId: q.mspId } : {}) };
    const last = /^(\d+)\.(\d+)\.([A-Za-z]+)$/.exec(lastEventId ?? '');
    const cursor = last ? { blockNumber: Number(last[1]), transactionIndex: Number(last[2]), eventName: last[3]! } : undefined;
    const startBlock = cursor ? cursor.blockNumber : (q.fromBlock ?? (await ledger.height()));
    return { filter, cursor, startBlock };
  };
  return {
    name: 'subscriptions',
    upgrade(req, socket, head, authenticate) {
      const url = new URL(req.url ?? '/', 'http://gateway');
      if (url.pathname !== '/v1/events/ws') return false;
      const refuse = (status: number, detail: string) => socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Unprocessable Content'}\r\nContent-Type: application/problem+json\r\nConnection: close\r\n\r\n${JSON.stringify({ status, detail })}`);
      const query = Object.fromEntries([...url.searchParams].filter(([k]) => k !== 'access_token'));
      authenticate().then(
        async () => {
          let spec;
          try {
            spec = await streamSpec(query, url.searchParams.get('lastEventId') ?? undefined);
          } catch (e) {
            return refuse(422, (e as Error).message);
          }
          wss.handleUpgrade(req, socket, head, (ws) => {
            const controller = new AbortController();
            streams.add(controller);
            ws.on('close', () => controller.abort());
            ws.on('message', () => ws.close(1003, 'this stream is one-way'));
            void (async () => {
              try {
                for await (const event of filtered(spec.filter, spec.startBlock, spec.cursor, controller.signal)) {
                  if (ws.readyState !== ws.OPEN) break;
                  // Backpressure: wait while the client is slow rather than buffer without bound.
                  while (ws.bufferedAmount > 1_000_000 && !controller.signal.aborted) await new Promise((r) => setTimeout(r, 20));
                  ws.send(JSON.stringify(event));
                }
              } finally {
                streams.delete(controller);
                if (ws.readyState === ws.OPEN) ws.close(1001, 'gateway closing');
              }
            })();
          });
        },
        (e: unknown) => refuse(401, (e as Error).message),
      );
      return true;
    },
    register(v1: Router) {
      v1.post('/subscriptions', allow(...ANY), route(async (req, res) => {
        const body = validate(subscriptionInput, req.body, 'body');
        const height = await ledger.height();
        if (body.fromBlock !== undefined && body.fromBlock > height) throw new ApiError('VALIDATION_FAILED', `body.fromBlock: the ledger has ${height} blocks; replay can start at 0-${height}`);
        const { subscription, secret } = await service.create({ owner: req.principal!.userId, url: body.url, ...(body.filter ? { filter: body.filter } : {}), ...(body.fromBlock !== undefined ? { fromBlock: body.fromBlock } : {}), ...(body.secret ? { secret: body.secret } : {}) });
        res.status(201).set('Location', `/v1/subscriptions/${subscription.id}`).json({ ...subscription, secret });
      }));
      v1.get('/subscriptions', allow(...ANY), route(async (req, res) => {
        res.json({ items: service.list(req.principal!.role === 'admin' ? undefined : req.principal!.userId), nextCursor: null });
      }));
      v1.get('/subscriptions/:subscriptionId', allow(...ANY), route(async (req, res) => void res.json(own(req))));
      v1.post('/subscriptions/:subscriptionId/pause', allow(...ANY), route(async (req, res) => void res.json(service.pause(own(req).id))));
      v1.post('/subscriptions/:subscriptionId/resume', allow(...ANY), route(async (req, res) => {
        const body = validate(z.strictObject({ fromBlock: z.int().min(0).optional() }), req.body ?? {}, 'body');
        res.json(service.resume(own(req).id, body.fromBlock));
      }));
      v1.delete('/subscriptions/:subscriptionId', allow(...ANY), route(async (req, res) => {
        service.delete(own(req).id);
        res.status(204).end();
      }));
      v1.get('/events/stream', allow(...ANY), route(async (req: Request, res: Response) => {
        const spec = await streamSpec(req.query, req.get('last-event-id'));
        res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
        res.flushHeaders();
        res.write(': forgetrace event stream\n\n');
        const controller = new AbortController();
        streams.add(controller);
        const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
        req.on('close', () => controller.abort());
        try {
          for await (const event of filtered(spec.filter, spec.startBlock, spec.cursor, controller.signal)) {
            res.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
          }
        } finally {
          clearInterval(heartbeat);
          streams.delete(controller);
          res.end();
        }
      }));
    },
    document(registry: OpenAPIRegistry, problems: Record<string, object>) {
      const security = API_SECURITY;
      const resource = { description: 'A subscription: url, filter, status (active, paused, disabled), cursor, failures, deliveries', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } };
      const params = z.object({ subscriptionId });
      registry.registerPath({ method: 'post', path: '/v1/subscriptions', tags: ['subscriptions'], summary: 'Subscribe a webhook to chaincode events (HMAC-SHA256 signed: X-ForgeTrace-Signature = sha256=HMAC(secret, "<X-ForgeTrace-Timestamp>.<body>"); at-least-once, deduplicate by X-ForgeTrace-Event-Id); the secret is returned only here', security, request: { body: { required: true, content: { 'application/json': { schema: subscriptionInput } } } }, responses: { '201': resource, ...problems } });
      registry.registerPath({ method: 'get', path: '/v1/subscriptions', tags: ['subscriptions'], summary: 'Your subscriptions (all of them for admins)', security, responses: { '200': resource, ...problems } });
      registry.registerPath({ method: 'get', path: '/v1/subscriptions/{subscriptionId}', tags: ['subscriptions'], summary: 'One subscription', security, request: { params }, responses: { '200': resource, ...problems } });
      registry.registerPath({ method: 'post', path: '/v1/subscriptions/{subscriptionId}/pause', tags: ['subscriptions'], summary: 'Pause deliveries to this subscription only', security, request: { params }, responses: { '200': resource, ...problems } });
      registry.registerPath({ method: 'post', path: '/v1/subscriptions/{subscriptionId}/resume', tags: ['subscriptions'], summary: 'Resume (also after being disabled), optionally replaying from a block: {"fromBlock": n}', security, request: { params }, responses: { '200': resource, ...problems } });
      registry.registerPath({ method: 'delete', path: '/v1/subscriptions/{subscriptionId}', tags: ['subscriptions'], summary: 'Delete a subscription', security, request: { params }, responses: { '204': { description: 'Deleted' }, ...problems } });
      registry.registerPath({ method: 'get', path: '/v1/events/ws', tags: ['subscriptions'], summary: 'WebSocket stream of chaincode events (upgrade; same filters as /v1/events/stream, `lastEventId` to resume; browsers authenticate with `access_token=<JWT>`); one JSON event per message', security, request: { query: streamQuery }, responses: { '101': { description: 'Switching protocols' }, ...problems } });
      registry.registerPath({ method: 'get', path: '/v1/events/stream', tags: ['subscriptions'], summary: 'Server-Sent Events stream of chaincode events (`types`, `partId`, `machineId`, `mspId` filters; `fromBlock` or Last-Event-ID to replay)', security, request: { query: streamQuery }, responses: { '200': { description: 'text/event-stream: `id: <block>.<txIndex>.<name>`, `event: <name>`, `data: <JSON>`' }, ...problems } });
    },
    async close() {
      for (const c of streams) c.abort();
      wss.close();
      await service.close();
    },
  };
}
