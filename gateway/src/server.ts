/**
 * createServer(deps) builds the gateway's Express app without listening; main.ts wires it to
 * configuration and a port. Tests drive the app with supertest.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { certificateHash } from '@forgetrace/verifier';
import cors from 'cors';
import express, { type Request, type RequestHandler, type Response } from 'express';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { Histogram, type Registry } from 'prom-client';
import { z } from 'zod';
import { allow, authenticate, type AuthOptions } from './api/auth';
import { reserve, type IdempotencyStore } from './api/idempotency';
import { buildOpenApi, type ApiExtension, type QueryDoc } from './api/openapi';
import { ApiError, notFoundRoute, problemHandler, route } from './api/problem';
import { COMMANDS, PATH_PARAMS, type CommandRoute } from './api/routes';
import type { LedgerIdentity } from './ledger/port';
import type { LedgerClient } from './ledger/ledger-client';
import { channelRootCertificates } from './proofs/provenance';

/** What a query route gets to answer from. */

/**
 * SHA-256 fingerprints of the CA certificates in the channel configuration (members' and the
 * orderer's), which the web app pins to verify proof bundles; empty when the ledger backend
 * cannot read its configuration. Users should compare them with the consortium's published ones.
 */
function trustedCaFingerprints(ledger: ServerDeps['ledger']): () => string[] {
  return () => channelRootCertificates(ledger.port).map(certificateHash);
}

/** Body limit of POST /v1/verify, whose proof bundles are larger than commands. */
export const VERIFY_BODY_LIMIT = '16mb';
export interface QueryContext {
  readonly ledger: LedgerClient;
  readonly identity: LedgerIdentity;
}

/** A read route. */
export interface QueryRoute extends QueryDoc {
  readonly roles: readonly ('factory_operator' | 'auditor' | 'buyer' | 'admin')[];
  readonly handler: (req: Request, res: Response) => Promise<void>;
}

export interface ServerDeps {
  readonly mspId: string;
  readonly version: string;
  readonly ledger: LedgerClient;
  readonly idempotency: IdempotencyStore;
  readonly auth: AuthOptions;
  readonly identities: ReadonlyMap<string, LedgerIdentity>;
  readonly queries: readonly QueryRoute[];
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly http: { readonly corsOrigins: readonly string[]; readonly bodyLimit: string; readonly rateLimitPerMinute: number; readonly validateResponses?: boolean; readonly webRoot?: string | undefined };
  /** Wait (bounded) until the index has applied a block, for read-your-writes. */
  readonly waitForIndex?: (blockNumber: number, transactionId: string) => Promise<void>;
  /** Readiness of the ledger and index: undefined when ready, else why not. */
  readonly notReady?: () => Promise<string | undefined>;
  /** Feature modules (twins, payments, …) that add their own /v1 routes and document them. */
  readonly extensions?: readonly ApiExtension[];
}

/** Validate `value` with `schema`; a failure names the first field and lists all. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ field: [where, ...i.path.map(String)].join('.'), reason: i.message }));
  throw new ApiError('VALIDATION_FAILED', `${errors[0]!.field}: ${errors[0]!.reason}`, { errors });
}

export function createServer(deps: ServerDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('query parser', 'simple');

  const httpDuration = new Histogram({
    name: 'forgetrace_http_request_duration_seconds', help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'], registers: [deps.metrics], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });

  // Request logging (pino-http); with logging off only the request id is set, nothing is built per request.
  const requestId = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): string => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    return id;
  };
  if (deps.logger.level === 'silent') app.use((req, res, next) => { (req as { id?: string }).id = requestId(req, res); next(); });
  else app.use(pinoHttp({
    logger: deps.logger,
    // Keep request logs short and never log credentials.
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    redact: ['req.headers["x-api-key"]', 'req.headers.authorization'],
    genReqId: requestId,
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
  }));
  app.use((req, res, next) => {
    const end = httpDuration.startTimer();
    res.on('finish', () => end({ method: req.method, route: req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched', status: String(res.statusCode) }));
    next();
  });
  app.use(helmet({ contentSecurityPolicy: { directives: { 'script-src': ["'self'"], 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] } } }));
  app.use(cors({ origin: (origin, cb) => cb(null, !origin || deps.http.corsOrigins.includes(origin)), exposedHeaders: ['ETag', 'Location', 'X-Request-Id', 'X-Transaction-Id', 'X-Block-Number', 'Idempotent-Replayed'] }));

  // Operations endpoints: no authentication, no rate limit.
  app.get('/livez', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', route(async (_req, res) => {
    const why = await deps.notReady?.();
    res.status(why ? 503 : 200).json(why ? { status: 'not ready', reason: why } : { status: 'ready' });
  }));
  app.get('/metrics', route(async (_req, res) => {
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  }));
  const openapi = buildOpenApi(deps.queries, deps.version, deps.extensions ?? []);
  app.get('/openapi.json', (_req, res) => void res.json(openapi));
  const swaggerDir = (require('swagger-ui-dist') as { getAbsoluteFSPath(): string }).getAbsoluteFSPath();
  const docsHtml = readFileSync(join(swaggerDir, 'index.html'), 'utf8').replace(/href="\.\//g, 'href="/docs/').replace(/src="\.\//g, 'src="/docs/');
  app.get('/docs/swagger-initializer.js', (_req, res) => {
    res.type('application/javascript').send("window.onload = () => { window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true }); };");
  });
  app.get(['/docs', '/docs/'], (_req, res) => void res.type('html').send(docsHtml));
  app.use('/docs', express.static(swaggerDir, { index: false }));

  const v1 = express.Router();
  v1.use(authenticate(deps.auth, deps.identities));
  v1.use(rateLimit({
    windowMs: 60_000, limit: deps.http.rateLimitPerMinute, standardHeaders: 'draft-8', legacyHeaders: false,
    keyGenerator: (req) => req.principal?.userId ?? 'anonymous',
    handler: (_req, _res, next) => next(new ApiError('RATE_LIMITED', `more than ${deps.http.rateLimitPerMinute} requests a minute; slow down`)),
  }));
  v1.use((req, _res, next) => {
    if ((req.method === 'POST' || req.method === 'PUT') && req.headers['content-length'] !== '0' && !req.is('application/json')) {
      return next(new ApiError('UNSUPPORTED_MEDIA_TYPE', `send the body as application/json, not ${req.get('content-type') ?? 'no content type'}`));
    }
    next();
  });
  // Proof bundles sent to POST /v1/verify carry certificates and signed transactions: a larger limit there only.
  v1.use('/verify', express.json({ limit: VERIFY_BODY_LIMIT, strict: true, type: 'application/json' }));
  v1.use(express.json({ limit: deps.http.bodyLimit, strict: true, type: 'application/json' }));

  const check = (schema: z.ZodType, where: string): RequestHandler => (deps.http.validateResponses === false ? (_req, _res, next) => next() : checkResponses(schema, where, deps.logger));
  for (const c of COMMANDS) v1[c.method](c.path.replace('/v1', ''), allow(...c.roles), check(c.response, `${c.method.toUpperCase()} ${c.path}`), route(commandHandler(c, deps)));
  for (const q of deps.queries) v1.get(q.path.replace('/v1', ''), allow(...q.roles), check(q.response, `GET ${q.path}`), route(q.handler));
  for (const x of deps.extensions ?? []) x.register(v1);

  // Public routes (no authentication): limited per client address.
  const publicRoutes = express.Router();
  const publicLimit = rateLimit({
    windowMs: 60_000, limit: deps.http.rateLimitPerMinute, standardHeaders: 'draft-8', legacyHeaders: false,
    handler: (_req, _res, next) => next(new ApiError('RATE_LIMITED', `more than ${deps.http.rateLimitPerMinute} requests a minute from this address; slow down`)),
  });
  for (const x of deps.extensions ?? []) x.registerPublic?.(publicRoutes, publicLimit);
  app.use(publicRoutes);

  app.use('/v1', v1);
  if (deps.http.webRoot) serveWebApp(app, deps.http.webRoot, deps.mspId, trustedCaFingerprints(deps.ledger));
  app.use(notFoundRoute);
  app.use(problemHandler(deps.logger));
  return app;
}

/**
 * Serve the built web app from `webRoot` at `/`: its files (hashed assets cached for a year,
 * index.html never), `/web-config.json` (this member's MSP ID, which the app needs for its
 * queries and the API cannot tell it), and index.html for any other GET page route so that
 * client-side routes survive a reload. /v1, /docs and file-like paths keep their own 404s.
 * The app has no inline scripts, so the CSP above needs no change for it.
 */
function serveWebApp(app: express.Express, webRoot: string, mspId: string, fingerprints: () => string[]): void {
  const root = resolve(webRoot);
  const index = join(root, 'index.html');
  app.get('/web-config.json', (_req, res) => void res.set('Cache-Control', 'no-store').json({ mspId, trustedCaFingerprints: fingerprints() }));
  app.use(express.static(root, {
    index: 'index.html',
    setHeaders: (res, path) => res.setHeader('Cache-Control', path.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  }));
  app.get(/.*/, (req, res, next) => {
    const apiPath = /^\/(v1|docs|public)(\/|$)/.test(req.path);
    // Only names of the app's kinds of files count as files: page routes carry ids such as PO-1001.1.
    const filePath = /\.(js|mjs|css|map|html|json|jsonld|svg|png|jpe?g|gif|ico|webp|woff2?|ttf|txt|webmanifest|wasm)$/i.test(req.path);
    if (apiPath || filePath || !req.accepts('html')) return next();
    res.set('Cache-Control', 'no-cache').sendFile(index, (e) => e && next(e));
  });
}

/**
 * Check every 2xx JSON body of a route against its response schema before it is sent. A body
 * that does not match is a gateway bug: it is logged with the failing fields and the client
 * gets a 500 problem instead of data the API does not describe (or should not disclose).
 */
export function checkResponses(schema: z.ZodType, where: string, logger: Logger): RequestHandler {
  return (_req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      if (res.statusCode >= 200 && res.statusCode < 300) {
        const r = schema.safeParse(body);
        if (!r.success) {
          const fields = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
          logger.error({ route: where, fields }, 'response does not match its schema');
          res.status(500).type('application/problem+json');
          return json({
            type: 'https://forgetrace.dev/problems/internal', title: 'Internal error', status: 500, code: 'INTERNAL', instance: res.req.originalUrl,
            detail: `the gateway produced a response for ${where} that does not match the API description; it has been logged`,
          });
        }
      }
      return json(body);
    };
    next();
  };
}

/** Validate path parameters of a route. */
export function params(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.params as Record<string, string>)) out[name] = validate(PATH_PARAMS[name] ?? z.string(), value, name);
  return out;
}

function commandHandler(c: CommandRoute, deps: ServerDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const p = params(req);
    if (req.body === undefined) throw new ApiError('BAD_REQUEST', 'a JSON body is required (use {} when there is nothing to say)');
    const body = validate(c.body, req.body, 'body');
    const reservation = await reserve(deps.idempotency, req);
    if ('replay' in reservation) {
      res.status(reservation.replay.status).set({ ...reservation.replay.headers, 'Idempotent-Replayed': 'true' }).json(reservation.replay.body);
      return;
    }
    let committed;
    try {
      let complete = body as Record<string, unknown>;
      for (const x of deps.extensions ?? []) if (x.beforeCommand) complete = await x.beforeCommand(c.transaction, complete);
      committed = await deps.ledger.submit<Record<string, unknown>>(req.principal!.identity, c.transaction, c.args(p, complete), c.transient ? { transient: c.transient(complete) } : undefined);
    } catch (e) {
      await deps.idempotency.releaseIdempotencyKey(reservation.principal, reservation.key);
      throw e;
    }
    const headers: Record<string, string> = { 'X-Transaction-Id': committed.transactionId, 'X-Block-Number': String(committed.blockNumber) };
    if (c.location && committed.value) headers.Location = c.location(committed.value);
    await deps.idempotency.completeIdempotencyKey(reservation.principal, reservation.key, c.status, committed.value ?? null, headers);
    if (deps.waitForIndex) await deps.waitForIndex(committed.blockNumber, committed.transactionId);
    res.status(c.status).set(headers).json(committed.value ?? null);
  };
}
