/**
 * Idempotency keys on every POST that writes to the ledger: the first request with a key
 * runs, its answer is stored, and a retry with the same key and body gets the same answer
 * without a second transaction.
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { canonicalJson } from '@forgetrace/chaincode/api';
import { ApiError } from './problem';

/** Where idempotency records live (the query store implements it). */
export interface IdempotencyStore {
  reserveIdempotencyKey(principal: string, key: string, requestHash: string, ttlSeconds: number): Promise<
    | { state: 'new' }
    | { state: 'in_progress' }
    | { state: 'mismatch' }
    | { state: 'done'; status: number; body: unknown; headers: Record<string, string> }
  >;
  completeIdempotencyKey(principal: string, key: string, status: number, body: unknown, headers: Record<string, string>): Promise<unknown>;
  releaseIdempotencyKey(principal: string, key: string): Promise<void>;
}

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
const KEY = /^[A-Za-z0-9._:-]{8,128}$/;

/** A stored answer to replay, or a reservation to complete. */
export type Reservation =
  | { readonly replay: { status: number; body: unknown; headers: Record<string, string> } }
  | { readonly key: string; readonly principal: string };

/**
 * Reserve the request's key.
 * @throws ApiError IDEMPOTENCY_KEY_REQUIRED, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_IN_PROGRESS, BAD_REQUEST
 */
export async function reserve(store: IdempotencyStore, req: Request): Promise<Reservation> {
  const key = req.get('idempotency-key');
  if (!key) throw new ApiError('IDEMPOTENCY_KEY_REQUIRED', 'POST requests that write to the ledger need an Idempotency-Key header (8-128 characters, e.g. a UUID)');
  if (!KEY.test(key)) throw new ApiError('BAD_REQUEST', 'the Idempotency-Key header must be 8-128 characters of letters, digits, ".", "_", ":" or "-"');
  const principal = req.principal!.userId;
  const hash = createHash('sha256').update(`${req.method} ${req.originalUrl.split('?')[0]}\n${canonicalJson(req.body ?? null)}`).digest('hex');
  const r = await store.reserveIdempotencyKey(principal, key, hash, IDEMPOTENCY_TTL_SECONDS);
  switch (r.state) {
    case 'done':
      return { replay: { status: r.status, body: r.body, headers: r.headers } };
    case 'in_progress':
      throw new ApiError('IDEMPOTENCY_IN_PROGRESS', `a request with Idempotency-Key ${key} is still being processed; retry later`);
    case 'mismatch':
      throw new ApiError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${key} was already used for a different request`);
    default:
      return { key, principal };
  }
}
