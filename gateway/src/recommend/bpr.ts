/**
 * Bayesian Personalised Ranking (Rendle et al., 2009) for implicit feedback: learns
 * s(u,i) = b_i + ⟨p_u, q_i⟩ (hybrid vectors, as in {@link BiasedMf}) so that an item the user
 * interacted with outranks one they did not, by SGD on sampled (user, positive, negative) triples.
 */
import { fitPopularity, type Popularity } from './baselines';
import { RecommendError } from './errors';
import { featureIndices, type FeatureTable } from './features';
import { FactorSide } from './internal/factor-side';
import { topK } from './metrics';
import type { EntityRef } from './mf';
import { countBy, type RatingSet } from './ratings';
import { Rng } from '../common/rng';

/** Options of {@link trainBpr}. */
export interface BprOptions {
  /** Latent factors (default 32). */
  readonly factors?: number;
  /** Epochs; one epoch samples as many triples as there are interactions (default 20). */
  readonly epochs?: number;
  /** Learning rate (default 0.05). */
  readonly learningRate?: number;
  /** L2 weight per update on factors and feature embeddings (default 0.05). */
  readonly regularisation?: number;
  /** L2 weight per update on item biases (default 0.01). */
  readonly regBias?: number;
  /** Std of the initial free factors (default 0.1). */
  readonly initStd?: number;
  /** Seed (default 1). */
  readonly seed?: number;
  readonly userFeatures?: FeatureTable;
  readonly itemFeatures?: FeatureTable;
  /** Called after each epoch. */
  readonly onEpoch?: (epoch: number) => void;
}

/** Defaults of {@link trainBpr}. */
export const BPR_DEFAULTS = { factors: 32, epochs: 20, learningRate: 0.05, regularisation: 0.05, regBias: 0.01, initStd: 0.1, seed: 1 } as const;

/** A trained BPR ranking model. */
export class BprModel {
  /** @internal */
  constructor(
    /** @internal */ readonly users: FactorSide,
    /** @internal */ readonly items: FactorSide,
    /** Interactions per user in training; 0 marks a cold user. */
    readonly userCounts: Int32Array,
    /** Fallback for a user with neither interactions nor known features. */
    readonly popularity: Popularity,
  ) {}

  /**
   * Ranking scores of every item for a user: a trained index, -1 (unknown) or `{features}`.
   * A user with no interactions and no known features gets the popularity scores.
   * @throws RecommendError INDEX_OUT_OF_RANGE
   */
  scoreItems(user: EntityRef, out: Float64Array = new Float64Array(this.items.count)): Float64Array {
    const k = this.users.factors;
    const p = new Float64Array(k), q = new Float64Array(k);
    let features: Int32Array | undefined;
    if (typeof user === 'number') {
      if (!Number.isInteger(user) || user < -1 || user >= this.users.count) throw new RecommendError('INDEX_OUT_OF_RANGE', { what: 'user', index: user, max: this.users.count - 1 });
      if (user === -1 || this.userCounts[user] === 0) {
        features = user === -1 ? new Int32Array(0) : this.users.featureIndices.subarray(this.users.featureOffsets[user]!, this.users.featureOffsets[user + 1]!);
      } else {
        this.users.effective(user, p);
      }
    } else {
      features = featureIndices({ offsets: this.users.featureOffsets, indices: this.users.featureIndices, vocabulary: this.users.vocabulary }, user.features);
    }
    if (features && features.length === 0) return this.popularity.scoreItems(out);
    if (features) this.users.fromFeatures(features, p);
    for (let i = 0; i < this.items.count; i++) {
      let s = this.items.effective(i, q);
      for (let d = 0; d < k; d++) s += p[d]! * q[d]!;
      out[i] = s;
    }
    return out;
  }

  /** The k best items for a user, best first, skipping `exclude`. @throws RecommendError INVALID_K, INDEX_OUT_OF_RANGE */
  recommend(user: EntityRef, k: number, exclude?: { has(i: number): boolean }): Int32Array {
    return topK(this.scoreItems(user), k, exclude);
  }
}

/**
 * Trains BPR on the (user, item) pairs of `train` (values ignored; duplicates count once).
 * Negatives are sampled uniformly among the items the user has not interacted with.
 * @throws RecommendError PARSE_EMPTY for no interactions, INVALID_OPTION for bad options.
 */
export function trainBpr(train: RatingSet, options: BprOptions = {}): BprModel {
  const o = { ...BPR_DEFAULTS, ...options };
  if (train.values.length === 0) throw new RecommendError('PARSE_EMPTY');
  if (!Number.isInteger(o.factors) || o.factors < 1) throw new RecommendError('INVALID_OPTION', { option: 'factors', expected: 'an integer >= 1', value: o.factors });
  if (!(o.learningRate > 0)) throw new RecommendError('INVALID_OPTION', { option: 'learningRate', expected: '> 0', value: o.learningRate });
  const rng = new Rng(o.seed);
  const k = o.factors, nItems = train.itemCount;
  const U = new FactorSide(train.userCount, k, o.userFeatures), I = new FactorSide(nItems, k, o.itemFeatures);
  U.initialise(rng, o.initStd);
  I.initialise(rng, o.initStd);
  // Each user's items, sorted and deduplicated, for the negative test.
  const { offsets, items: seen, pairsUser, pairsItem } = userItemSets(train);
  const uFree = U.free, iFree = I.free, iBias = I.bias, uFo = U.featureOffsets, uFi = U.featureIndices, iFo = I.featureOffsets, iFi = I.featureIndices;
  const uFv = U.featureVectors, iFv = I.featureVectors, iFb = I.featureBias;
  const p = new Float64Array(k), qi = new Float64Array(k), qj = new Float64Array(k), gp = new Float64Array(k);
  const lr = o.learningRate, lam = o.regularisation, lamB = o.regBias;
  const nPairs = pairsUser.length;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    for (let step = 0; step < nPairs; step++) {
      const x = rng.int(nPairs);
      const u = pairsUser[x]!, i = pairsItem[x]!;
      const s0 = offsets[u]!, s1 = offsets[u + 1]!;
      if (s1 - s0 >= nItems) continue;
      let j = rng.int(nItems);
      while (contains(seen, s0, s1, j)) j = rng.int(nItems);
      const bi = I.effective(i, qi), bj = I.effective(j, qj);
      U.effective(u, p);
      let xuij = bi - bj;
      for (let d = 0; d < k; d++) xuij += p[d]! * (qi[d]! - qj[d]!);
      const g = 1 / (1 + Math.exp(xuij)); // σ(−x): d ln σ(x)/dx
      // User side: gradient g·(q_i − q_j).
      for (let d = 0; d < k; d++) gp[d] = g * (qi[d]! - qj[d]!);
      for (let d = 0, o2 = u * k; d < k; d++) uFree[o2 + d]! += lr * (gp[d]! - lam * uFree[o2 + d]!);
      for (let y = uFo[u]!; y < uFo[u + 1]!; y++) {
        for (let d = 0, o2 = uFi[y]! * k; d < k; d++) uFv[o2 + d]! += lr * (gp[d]! - lam * uFv[o2 + d]!);
      }
      // Item sides: +g·p for the positive, −g·p for the negative.
      for (const [item, sign] of [[i, 1], [j, -1]] as const) {
        const sg = sign * g;
        iBias[item]! += lr * (sg - lamB * iBias[item]!);
        for (let d = 0, o2 = item * k; d < k; d++) iFree[o2 + d]! += lr * (sg * p[d]! - lam * iFree[o2 + d]!);
        for (let y = iFo[item]!; y < iFo[item + 1]!; y++) {
          const f = iFi[y]!;
          iFb[f]! += lr * (sg - lamB * iFb[f]!);
          for (let d = 0, o2 = f * k; d < k; d++) iFv[o2 + d]! += lr * (sg * p[d]! - lam * iFv[o2 + d]!);
        }
      }
    }
    o.onEpoch?.(epoch);
  }
  const userCounts = countBy(train, 'user');
  U.clearCold(userCounts);
  return new BprModel(U, I, userCounts, fitPopularity(train));
}

/** Sorted, deduplicated item lists per user, and the distinct (user, item) pairs. */
export function userItemSets(set: RatingSet): { offsets: Int32Array; items: Int32Array; pairsUser: Int32Array; pairsItem: Int32Array } {
  const n = set.values.length;
  const keys = new Float64Array(n);
  for (let r = 0; r < n; r++) keys[r] = set.users[r]! * set.itemCount + set.items[r]!;
  keys.sort();
  const pairsUser: number[] = [], pairsItem: number[] = [];
  const offsets = new Int32Array(set.userCount + 1);
  for (let r = 0; r < n; r++) {
    if (r > 0 && keys[r] === keys[r - 1]) continue;
    const u = Math.floor(keys[r]! / set.itemCount);
    pairsUser.push(u);
    pairsItem.push(keys[r]! - u * set.itemCount);
    offsets[u + 1]!++;
  }
  for (let u = 0; u < set.userCount; u++) offsets[u + 1]! += offsets[u]!;
  const items = Int32Array.from(pairsItem);
  return { offsets, items, pairsUser: Int32Array.from(pairsUser), pairsItem: items };
}

function contains(sorted: Int32Array, lo: number, hi: number, x: number): boolean {
  hi--;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1, v = sorted[mid]!;
    if (v === x) return true;
    if (v < x) lo = mid + 1; else hi = mid - 1;
  }
  return false;
}
