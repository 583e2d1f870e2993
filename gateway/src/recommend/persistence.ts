/**
 * Model files: versioned JSON whose parameters are base64 typed arrays, sealed by a sha256
 * (node:crypto) over the rest of the document, so a truncated or edited file is refused.
 */
import { createHash } from 'node:crypto';
import { Popularity } from './baselines';
import { BprModel } from './bpr';
import { RecommendError } from './errors';
import { FactorSide } from './internal/factor-side';
import { BiasedMf } from './mf';

/** Format name written in every model file. */
export const MODEL_FORMAT = 'forgetrace-recommender';
/** Version of the model file format this code writes and reads. */
export const MODEL_FORMAT_VERSION = 1;

/** A model with, optionally, the ids its indices stand for. */
export interface StoredModel {
  readonly model: BiasedMf | BprModel;
  readonly userIds?: readonly string[];
  readonly itemIds?: readonly string[];
}

type Typed = Float64Array | Int32Array;

function b64(a: Typed): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function fromB64<T extends Typed>(text: unknown, ctor: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number }, what: string): T {
  if (typeof text !== 'string') throw new RecommendError('MODEL_FORMAT', { reason: `${what} is missing` });
  const buf = Buffer.from(text, 'base64');
  if (buf.byteLength % ctor.BYTES_PER_ELEMENT !== 0) throw new RecommendError('MODEL_FORMAT', { reason: `${what} has a partial element` });
  const copy = new ArrayBuffer(buf.byteLength);
  new Uint8Array(copy).set(buf);
  return new ctor(copy);
}

function sideToJson(side: FactorSide): Record<string, unknown> {
  return {
    count: side.count, vocabulary: side.vocabulary,
    featureOffsets: b64(side.featureOffsets), featureIndices: b64(side.featureIndices),
    free: b64(side.free), bias: b64(side.bias), featureVectors: b64(side.featureVectors), featureBias: b64(side.featureBias),
  };
}

function sideFromJson(j: any, factors: number, what: string): FactorSide {
  if (typeof j !== 'object' || j === null || !Number.isInteger(j.count) || !Array.isArray(j.vocabulary)) {
    throw new RecommendError('MODEL_FORMAT', { reason: `${what} side is malformed` });
  }
  const side = new FactorSide(j.count, factors, {
    offsets: fromB64(j.featureOffsets, Int32Array, `${what}.featureOffsets`),
    indices: fromB64(j.featureIndices, Int32Array, `${what}.featureIndices`),
    vocabulary: j.vocabulary.map(String),
  });
  for (const key of ['free', 'bias', 'featureVectors', 'featureBias'] as const) {
    const a = fromB64(j[key], Float64Array, `${what}.${key}`);
    if (a.length !== side[key].length) throw new RecommendError('MODEL_FORMAT', { reason: `${what}.${key} has ${a.length} values, expected ${side[key].length}` });
    side[key].set(a);
  }
  return side;
}

function seal(body: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/** Serialises a model (and optional ids) to a self-checking JSON document. */
export function serializeModel(stored: StoredModel): string {
  const { model } = stored;
  const common = {
    format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION,
    factors: model.users.factors,
    users: sideToJson(model.users), items: sideToJson(model.items),
    userIds: stored.userIds ?? null, itemIds: stored.itemIds ?? null,
  };
  const body = model instanceof BiasedMf
    ? { ...common, kind: 'biased-mf', mu: model.mu, ratingMin: model.ratingMin, ratingMax: model.ratingMax }
    : { ...common, kind: 'bpr', userCounts: b64(model.userCounts), popularity: b64(model.popularity.counts) };
  return JSON.stringify({ ...body, sha256: seal(body) });
}

/**
 * Reads a document written by {@link serializeModel}; predictions of the result are identical.
 * @throws RecommendError MODEL_FORMAT (not a model file / malformed), MODEL_VERSION, MODEL_CORRUPTED (hash mismatch).
 */
export function deserializeModel(text: string): StoredModel {
  let doc: any;
  try { doc = JSON.parse(text); } catch { throw new RecommendError('MODEL_FORMAT', { reason: 'not JSON' }); }
  if (typeof doc !== 'object' || doc === null || doc.format !== MODEL_FORMAT) throw new RecommendError('MODEL_FORMAT', { reason: 'format field missing' });
  if (doc.version !== MODEL_FORMAT_VERSION) throw new RecommendError('MODEL_VERSION', { found: doc.version, supported: MODEL_FORMAT_VERSION });
  const { sha256, ...body } = doc;
  const actual = seal(body);
  if (sha256 !== actual) throw new RecommendError('MODEL_CORRUPTED', { expected: sha256, actual });
  const factors = doc.factors;
  if (!Number.isInteger(factors) || factors < 1) throw new RecommendError('MODEL_FORMAT', { reason: 'factors is not a positive integer' });
  const users = sideFromJson(doc.users, factors, 'users'), items = sideFromJson(doc.items, factors, 'items');
  let model: BiasedMf | BprModel;
  if (doc.kind === 'biased-mf') model = new BiasedMf(Number(doc.mu), users, items, Number(doc.ratingMin), Number(doc.ratingMax));
  else if (doc.kind === 'bpr') model = new BprModel(users, items, fromB64(doc.userCounts, Int32Array, 'userCounts'), new Popularity(fromB64(doc.popularity, Int32Array, 'popularity')));
  else throw new RecommendError('MODEL_FORMAT', { reason: `unknown kind ${String(doc.kind)}` });
  return { model, ...(doc.userIds ? { userIds: doc.userIds } : {}), ...(doc.itemIds ? { itemIds: doc.itemIds } : {}) };
}
