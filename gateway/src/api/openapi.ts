/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with
 * (and the chaincode validates with), so the document and the checks cannot drift apart.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { COMMANDS, PATH_PARAMS } from './routes';

extendZodWithOpenApi(z);

/** A read route, declared for the document (the handler lives in queries.ts). */
export interface QueryDoc {
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly query?: z.ZodObject;
  readonly paginated?: boolean;
  /** Schema of the 200 body (a page schema for lists). */
  readonly response: z.ZodType;
}

/**
 * A feature module's routes. `register` mounts them on the /v1 router (after authentication,
 * rate limiting and JSON parsing; paths without the `/v1` prefix; guard each with `allow(...)`
 * and wrap handlers in `route(...)`); `document` adds the same routes to the OpenAPI registry
 * (paths with the `/v1` prefix). `problemResponses` gives the shared error responses.
 */
export interface ApiExtension {
  readonly name: string;
  register(v1: import('express').Router): void;
  document(registry: OpenAPIRegistry, problemResponses: Record<string, object>): void;
  /**
   * Complete a ledger command's validated body before it is submitted (after its idempotency
   * key is reserved, so a replay does not run it twice), e.g. the twin snapshot in force.
   */
  beforeCommand?(transaction: string, body: Record<string, unknown>): Promise<Record<string, unknown>>;
  /**
   * Routes without authentication, on a router mounted at `/` (public provenance, GS1 Digital
   * Link). Put `limit` (a per-client-address rate limit) on each route: the router sees every
   * request, so it must not limit or handle paths it does not own.
   */
  registerPublic?(root: import('express').Router, limit: import('express').RequestHandler): void;
  /** Called by the gateway's graceful shutdown after the HTTP server has drained. */
  close?(): Promise<void>;
  /**
   * Take a WebSocket upgrade request (return true) or leave it to others (false).
   * `authenticate` applies the API's authentication to it.
   */
  upgrade?(req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer, authenticate: () => Promise<import('./auth').Principal>): boolean;
}

/** The security requirement of every /v1 route: an API key or a bearer token. */
export const API_SECURITY: Record<string, string[]>[] = [{ apiKey: [] }, { bearer: [] }];

const problem = z.object({
  type: z.string(), title: z.string(), status: z.number().int(), detail: z.string(), instance: z.string(), code: z.string(),
  ledgerCode: z.string().optional(), transactionId: z.string().optional(),
}).openapi('Problem');

const toOpenApiPath = (p: string) => p.replace(/:([A-Za-z]+)/g, '{$1}');

function pathParams(path: string): z.ZodObject | undefined {
  const names = [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
  if (names.length === 0) return undefined;
  return z.object(Object.fromEntries(names.map((n) => [n, PATH_PARAMS[n] ?? z.string()])));
}

/** Build the document for the given read routes plus every command. */
export function buildOpenApi(queries: readonly QueryDoc[], version: string, extensions: readonly ApiExtension[] = []): object {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', { type: 'apiKey', in: 'header', name: 'X-API-Key' });
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  const errors = Object.fromEntries(
    [[400, 'Malformed request'], [401, 'Not authenticated'], [403, 'Role or organisation not allowed'], [404, 'Unknown resource'], [409, 'Conflict with the ledger state'], [413, 'Body too large'], [422, 'Invalid body'], [428, 'Idempotency-Key missing'], [429, 'Rate limited'], [503, 'Ledger unavailable']]
      .map(([status, description]) => [String(status), { description: String(description), content: { 'application/problem+json': { schema: problem } } }]),
  );
  for (const c of COMMANDS) {
    const params = pathParams(c.path);
    registry.registerPath({
      method: c.method,
      path: toOpenApiPath(c.path),
      summary: `${c.summary} (roles: ${c.roles.join(', ')})`,
      tags: [c.tag],
      security: API_SECURITY,
      request: {
        ...(params ? { params } : {}),
        headers: z.object({ 'idempotency-key': z.string().min(8).max(128) }),
        body: { required: true, content: { 'application/json': { schema: c.body } } },
      },
      responses: {
        [String(c.status)]: { description: `Committed; the record as written. Headers: X-Transaction-Id, X-Block-Number.`, content: { 'application/json': { schema: c.response } } },
        ...errors,
      },
    });
  }
  for (const q of queries) {
    const params = pathParams(q.path);
    registry.registerPath({
      method: 'get',
      path: toOpenApiPath(q.path),
      summary: q.summary,
      tags: [q.tag],
      security: API_SECURITY,
      request: { ...(params ? { params } : {}), ...(q.query ? { query: q.query } : {}) },
      responses: {
        '200': { description: q.paginated ? 'A page: { items, nextCursor }; ETag header' : 'The resource; ETag header', content: { 'application/json': { schema: q.response } } },
        '304': { description: 'Not modified (If-None-Match)' },
        ...errors,
      },
    });
  }
  for (const x of extensions) x.document(registry, errors);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'ForgeTrace member gateway', version, description: 'Traceability of custom parts across a consortium of factories. Errors are RFC 9457 problem documents.' },
    servers: [{ url: '/' }],
  });
}
