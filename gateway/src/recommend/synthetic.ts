/**
 * Synthetic buyer × part ratings with a known latent structure, for checking that the models
 * recover it. Parts have a category, material and process; buyers an industry and a country.
 * Each feature value carries a latent vector and a bias; an entity's vector is the sum of its
 * features' vectors plus its own deviation. Who rates what follows skewed (Zipf-like)
 * activity and popularity, as in real rating data, tilted towards pairs with a high latent
 * affinity (so implicit feedback carries the preferences too). rating = clip(μ + b_u + b_i + ⟨p_u, q_i⟩ + ε).
 */
import { RecommendError } from './errors';
import { buildFeatureTable, type FeatureTable } from './features';
import type { RatingSet } from './ratings';
import { Rng } from '../common/rng';

/** Options of {@link generateSynthetic}. */
export interface SyntheticOptions {
  /** Number of ratings (default 100,000). */
  readonly ratings?: number;
  /** Buyers (default ratings / 106, as MovieLens-100k's 943 users per 100k). */
  readonly users?: number;
  /** Parts (default ratings / 59, or 2 × ratings / users when more are needed to hold the ratings). */
  readonly items?: number;
  /** True latent dimension (default 8). */
  readonly rank?: number;
  /** Std of the noise ε (default 0.5). */
  readonly noise?: number;
  /** Std of the interaction term ⟨p_u, q_i⟩ (default 0.6). */
  readonly interaction?: number;
  /** Share of an entity's latent variance explained by its features (default 0.5). */
  readonly featureShare?: number;
  /** Rating scale (default [1, 5]). */
  readonly scale?: readonly [number, number];
  /** Round ratings to whole stars (default true). */
  readonly round?: boolean;
  /** Seed (default 1). */
  readonly seed?: number;
}

/** Feature values used by the generator. */
export const PART_CATEGORIES = ['bracket', 'housing', 'impeller', 'manifold', 'gear', 'shaft', 'valve-body', 'heat-sink'] as const;
export const MATERIALS = ['Ti6Al4V', 'AlSi10Mg', '316L', 'Inconel718', 'PA12', 'PEEK'] as const;
export const PROCESSES = ['LPBF', 'CNC-milling', 'CNC-turning', 'SLS', 'casting'] as const;
export const INDUSTRIES = ['aerospace', 'automotive', 'medical', 'energy', 'robotics', 'marine'] as const;
export const COUNTRIES = ['DE', 'FR', 'IT', 'NL', 'PL', 'ES', 'SE', 'CZ', 'AT', 'BE'] as const;

/** Generated data and the truth behind it. */
export interface SyntheticData {
  /** The ratings (user index = buyer, item index = part). */
  readonly ratings: RatingSet;
  /** Buyer ids by index (`buyer-000042`). */
  readonly userIds: readonly string[];
  /** Part ids by index (`part-000042`). */
  readonly itemIds: readonly string[];
  /** Buyer features (`industry=…`, `country=…`). */
  readonly userFeatures: FeatureTable;
  /** Part features (`category=…`, `material=…`, `process=…`). */
  readonly itemFeatures: FeatureTable;
  /** Noise-free rating per entry: clip(μ + b_u + b_i + ⟨p_u, q_i⟩). */
  readonly expected: Float32Array;
  /** RMSE of `expected` against the ratings: what a perfect model would score (the noise floor). */
  readonly noiseFloorRmse: number;
  /** Noise-free rating for any pair (clipped), e.g. for cold-start checks. */
  expectedRating(user: number, item: number): number;
}

/**
 * Generates synthetic buyer × part ratings. Deterministic for a seed; pairs are distinct.
 * @throws RecommendError INVALID_OPTION when more ratings are asked than users × items / 2.
 */
export function generateSynthetic(options: SyntheticOptions = {}): SyntheticData {
  const n = options.ratings ?? 100_000;
  const nu = options.users ?? Math.max(10, Math.round(n / 106));
  // Below ~12,500 ratings MovieLens's density would not fit them: then as many parts as needed for half.
  const ni = options.items ?? Math.max(10, Math.round(n / 59), Math.ceil((2 * n) / nu));
  const rank = options.rank ?? 8, noise = options.noise ?? 0.5, interaction = options.interaction ?? 0.6;
  const share = options.featureShare ?? 0.5;
  const [lo, hi] = options.scale ?? [1, 5];
  const round = options.round ?? true;
  if (!Number.isInteger(n) || n < 1 || n > (nu * ni) / 2) {
    throw new RecommendError('INVALID_OPTION', { option: 'ratings', expected: `an integer from 1 to users×items/2 (${Math.floor((nu * ni) / 2)})`, value: n });
  }
  const rng = new Rng(options.seed ?? 1);
  const mu = lo + 0.62 * (hi - lo);
  // ⟨p,q⟩ with p,q components of variance s² each has variance rank·s⁴.
  const s = Math.sqrt(interaction / Math.sqrt(rank));
  const vec = (std: number): Float64Array => Float64Array.from({ length: rank }, () => rng.normal() * std);
  // Each entity has one value per feature field, so a field's vector carries share/fields of the variance.
  const field = (values: readonly string[], fields: number, biasStd: number) =>
    values.map(() => ({ v: vec(s * Math.sqrt(share / fields)), b: rng.normal() * biasStd * Math.sqrt(share / fields) }));
  const cat = field(PART_CATEGORIES, 3, 0.45), mat = field(MATERIALS, 3, 0.45), proc = field(PROCESSES, 3, 0.45);
  const ind = field(INDUSTRIES, 2, 0.35), cty = field(COUNTRIES, 2, 0.35);
  const own = Math.sqrt(1 - share);
  const P = new Float64Array(nu * rank), Q = new Float64Array(ni * rank), bu = new Float64Array(nu), bi = new Float64Array(ni);
  const userF: string[][] = [], itemF: string[][] = [];
  for (let u = 0; u < nu; u++) {
    const a = rng.int(INDUSTRIES.length), c = rng.int(COUNTRIES.length);
    userF.push([`industry=${INDUSTRIES[a]}`, `country=${COUNTRIES[c]}`]);
    for (let d = 0; d < rank; d++) P[u * rank + d] = ind[a]!.v[d]! + cty[c]!.v[d]! + rng.normal() * s * own;
    bu[u] = ind[a]!.b + cty[c]!.b + rng.normal() * 0.35 * own;
  }
  for (let i = 0; i < ni; i++) {
    const a = rng.int(PART_CATEGORIES.length), m = rng.int(MATERIALS.length), p = rng.int(PROCESSES.length);
    itemF.push([`category=${PART_CATEGORIES[a]}`, `material=${MATERIALS[m]}`, `process=${PROCESSES[p]}`]);
    for (let d = 0; d < rank; d++) Q[i * rank + d] = cat[a]!.v[d]! + mat[m]!.v[d]! + proc[p]!.v[d]! + rng.normal() * s * own;
    bi[i] = cat[a]!.b + mat[m]!.b + proc[p]!.b + rng.normal() * 0.45 * own;
  }
  const dot = (u: number, i: number): number => {
    let x = 0;
    for (let d = 0; d < rank; d++) x += P[u * rank + d]! * Q[i * rank + d]!;
    return x;
  };
  const expectedRating = (u: number, i: number): number => {
    let x = mu + bu[u]! + bi[i]!;
    for (let d = 0; d < rank; d++) x += P[u * rank + d]! * Q[i * rank + d]!;
    return Math.min(hi, Math.max(lo, x));
  };
  // Skewed activity / popularity: weight ∝ 1/(rank+20)^0.8, sampled through cumulative tables.
  const userCdf = zipfCdf(nu, rng), itemCdf = zipfCdf(ni, rng);
  const users = new Int32Array(n), items = new Int32Array(n), values = new Float32Array(n), expected = new Float32Array(n);
  const taken = new Set<number>();
  let sq = 0;
  for (let r = 0; r < n; r++) {
    let u: number, i: number, key: number;
    do {
      u = sample(userCdf, rng.next());
      i = sample(itemCdf, rng.next());
      key = u * ni + i;
      // Buyers mostly order parts they like: keep the pair with probability σ(affinity/std).
    } while (taken.has(key) || rng.next() > 1 / (1 + Math.exp(-dot(u, i) / interaction)));
    taken.add(key);
    const e = expectedRating(u, i);
    let v = Math.min(hi, Math.max(lo, e + rng.normal() * noise));
    if (round) v = Math.round(v);
    users[r] = u; items[r] = i; values[r] = v; expected[r] = e;
    sq += (v - e) ** 2;
  }
  const pad = (x: number): string => String(x).padStart(6, '0');
  return {
    ratings: { users, items, values, userCount: nu, itemCount: ni },
    userIds: Array.from({ length: nu }, (_, u) => `buyer-${pad(u)}`),
    itemIds: Array.from({ length: ni }, (_, i) => `part-${pad(i)}`),
    userFeatures: buildFeatureTable(nu, (u) => userF[u]),
    itemFeatures: buildFeatureTable(ni, (i) => itemF[i]),
    expected,
    noiseFloorRmse: Math.sqrt(sq / n),
    expectedRating,
  };
}

/** Cumulative weights over a random permutation of 0..n-1 (so popularity is not tied to the index). */
function zipfCdf(n: number, rng: Rng): { cdf: Float64Array; perm: Int32Array } {
  const perm = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const cdf = new Float64Array(n);
  let total = 0;
  for (let x = 0; x < n; x++) { total += 1 / (x + 20) ** 0.8; cdf[x] = total; }
  for (let x = 0; x < n; x++) cdf[x]! /= total;
  return { cdf, perm };
}

function sample(table: { cdf: Float64Array; perm: Int32Array }, u: number): number {
  let lo = 0, hi = table.cdf.length - 1;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (table.cdf[mid]! < u) lo = mid + 1; else hi = mid; }
  return table.perm[lo]!;
}
