/**
 * Authentication (API keys and JWT bearer tokens) and per-route role checks. Each user is
 * configured with a role and acts on the ledger as one identity of this organisation.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { jwtVerify } from 'jose';
import type { GatewayUser } from '../config/config';
import type { LedgerIdentity } from '../ledger/port';
import type { Wallet } from '../wallet/wallet';
import { ApiError } from './problem';

export type Role = GatewayUser['role'];

/** Who is calling, after authentication. */
export interface Principal {
  readonly userId: string;
  readonly role: Role;
  readonly identity: LedgerIdentity;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export interface AuthOptions {
  readonly mspId: string;
  readonly users: readonly GatewayUser[];
  readonly wallet: Wallet;
  readonly jwt?: { readonly secret: string; readonly issuer: string; readonly audience: string };
}

/** Check that every user's ledger identity is in the wallet and belongs to this organisation. */
export async function resolveIdentities(options: AuthOptions): Promise<Map<string, LedgerIdentity>> {
  const out = new Map<string, LedgerIdentity>();
  const problems: string[] = [];
  for (const user of options.users) {
    const label = user.identity ?? user.role;
    const identity = await options.wallet.get(label);
    if (!identity) problems.push(`user ${user.id}: wallet has no identity "${label}"`);
    else if (identity.mspId !== options.mspId) problems.push(`user ${user.id}: identity "${label}" belongs to ${identity.mspId}, not ${options.mspId}`);
    else out.set(user.id, identity);
  }
  if (problems.length > 0) throw new Error(`gateway identities:\n  ${problems.join('\n  ')}`);
  return out;
}

/** Authenticate every request under it; sets `req.principal`. */
export function authenticate(options: AuthOptions, identities: ReadonlyMap<string, LedgerIdentity>): RequestHandler {
  const byKeyHash = options.users.filter((u) => u.apiKeySha256).map((u) => ({ user: u, hash: Buffer.from(u.apiKeySha256!, 'hex') }));
  const byId = new Map(options.users.map((u) => [u.id, u]));
  const secret = options.jwt ? new TextEncoder().encode(options.jwt.secret) : undefined;
  const principal = (user: GatewayUser): Principal => ({ userId: user.id, role: user.role, identity: identities.get(user.id)! });

  return (req, res, next) => {
    const apiKey = req.get('x-api-key');
    const authz = req.get('authorization');
    if (apiKey) {
      const hash = createHash('sha256').update(apiKey).digest();
      const match = byKeyHash.find((c) => timingSafeEqual(c.hash, hash));
      if (!match) return next(new ApiError('UNAUTHENTICATED', 'the API key is not valid'));
      req.principal = principal(match.user);
      return next();
    }
    if (authz?.startsWith('Bearer ')) {
      if (!secret || !options.jwt) return next(new ApiError('UNAUTHENTICATED', 'this gateway does not accept bearer tokens; use an API key'));
      jwtVerify(authz.slice(7), secret, { issuer: options.jwt.issuer, audience: options.jwt.audience, algorithms: ['HS256'] })
        .then(({ payload }) => {
          const user = typeof payload.sub === 'string' ? byId.get(payload.sub) : undefined;
          if (!user) throw new ApiError('UNAUTHENTICATED', `the token's subject ${JSON.stringify(payload.sub)} is not a user of this gateway`);
          if (payload.role !== undefined && payload.role !== user.role) throw new ApiError('UNAUTHENTICATED', `the token claims role ${String(payload.role)}, but ${user.id} has role ${user.role}`);
          req.principal = principal(user);
          next();
        })
        .catch((e: unknown) => next(e instanceof ApiError ? e : new ApiError('UNAUTHENTICATED', `the bearer token is not valid: ${(e as Error).message}`)));
      return;
    }
    res.set('WWW-Authenticate', options.jwt ? 'Bearer realm="forgetrace", ApiKey header="X-API-Key"' : 'ApiKey header="X-API-Key"');
    next(new ApiError('UNAUTHENTICATED', 'send an X-API-Key header or an Authorization: Bearer token'));
  };
}

/** Allow only the given roles. */
export function allow(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const p = req.principal;
    if (!p) return next(new ApiError('UNAUTHENTICATED', 'not authenticated'));
    if (!roles.includes(p.role)) return next(new ApiError('FORBIDDEN', `${req.method} ${req.baseUrl}${req.route?.path ?? ''} needs role ${roles.join(' or ')}; ${p.userId} has ${p.role}`));
    next();
  };
}

/** SHA-256 hex of an API key, for the configuration. */
export function apiKeyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Authenticate a raw HTTP request (a WebSocket upgrade) with the same rules as the API:
 * `X-API-Key`, `Authorization: Bearer`, or — since browsers cannot set headers on a WebSocket —
 * a bearer token in the `access_token` query parameter.
 * @throws ApiError UNAUTHENTICATED
 */
export async function authenticateUpgrade(handler: RequestHandler, req: import('node:http').IncomingMessage): Promise<Principal> {
  const url = new URL(req.url ?? '/', 'http://gateway');
  const token = url.searchParams.get('access_token');
  const headers: Record<string, string | undefined> = {
    'x-api-key': typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : undefined,
    authorization: req.headers.authorization ?? (token ? `Bearer ${token}` : undefined),
  };
  const fake = { get: (name: string) => headers[name.toLowerCase()], principal: undefined as Principal | undefined };
  const res = { set: () => res };
  await new Promise<void>((resolve, reject) => {
    (handler as unknown as (rq: unknown, rs: unknown, next: (e?: unknown) => void) => void)(fake, res, (e?: unknown) => (e ? reject(e) : resolve()));
  });
  return fake.principal!;
}
