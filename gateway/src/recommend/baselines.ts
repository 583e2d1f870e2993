/**
 * Baselines every model is reported beside: the global mean, regularised user + item biases,
 * and item popularity for ranking.
 */
import { RecommendError } from './errors';
import { countBy, groupBy, meanRating, type RatingSet } from './ratings';

/** Predicts μ + b_u + b_i; an unknown user or item (index -1 or unseen in training) contributes 0. */
export class BiasBaseline {
  /** @internal */
  constructor(
    readonly mu: number,
    readonly userBias: Float64Array,
    readonly itemBias: Float64Array,
  ) {}

  /** Predicted rating (index -1 = unknown). */
  predict(user: number, item: number): number {
    return this.mu + (user >= 0 ? this.userBias[user] ?? 0 : 0) + (item >= 0 ? this.itemBias[item] ?? 0 : 0);
  }

  /** Predictions for many pairs. */
  predictMany(users: Int32Array, items: Int32Array, out: Float32Array = new Float32Array(users.length)): Float32Array {
    for (let r = 0; r < users.length; r++) out[r] = this.predict(users[r]!, items[r]!);
    return out;
  }
}

/** Options of {@link fitBiasBaseline}. */
export interface BiasBaselineOptions {
  /** Ridge on user biases (default 15, as Surprise's BaselineOnly). */
  readonly regUser?: number;
  /** Ridge on item biases (default 10). */
  readonly regItem?: number;
  /** Alternating sweeps (default 10). */
  readonly sweeps?: number;
}

/**
 * Fits μ (the mean) and ridge-regularised biases by alternating exact updates:
 * b_i = Σ(r − μ − b_u)/(λ_i + n_i), then b_u likewise.
 * @throws RecommendError PARSE_EMPTY when `train` is empty, INVALID_RATING for a non-finite rating.
 */
export function fitBiasBaseline(train: RatingSet, options: BiasBaselineOptions = {}): BiasBaseline {
  const { regUser = 15, regItem = 10, sweeps = 10 } = options;
  if (train.values.length === 0) throw new RecommendError('PARSE_EMPTY');
  for (let r = 0; r < train.values.length; r++) {
    if (!Number.isFinite(train.values[r]!)) throw new RecommendError('INVALID_RATING', { index: r, value: train.values[r] });
  }
  const mu = meanRating(train);
  const bu = new Float64Array(train.userCount), bi = new Float64Array(train.itemCount);
  const byUser = groupBy(train, 'user'), byItem = groupBy(train, 'item');
  const sweep = (g: typeof byUser, own: Float64Array, otherIndex: Int32Array, other: Float64Array, reg: number): void => {
    for (let e = 0; e < own.length; e++) {
      let s = 0;
      const start = g.offsets[e]!, end = g.offsets[e + 1]!;
      for (let x = start; x < end; x++) { const r = g.order[x]!; s += train.values[r]! - mu - other[otherIndex[r]!]!; }
      own[e] = s / (reg + end - start);
    }
  };
  for (let t = 0; t < sweeps; t++) {
    sweep(byItem, bi, train.users, bu, regItem);
    sweep(byUser, bu, train.items, bi, regUser);
  }
  return new BiasBaseline(mu, bu, bi);
}

/** Item popularity: number of training interactions per item. */
export class Popularity {
  /** @param counts - interactions per item. */
  constructor(readonly counts: Int32Array) {}

  /** Scores (the counts) of every item, for ranking. */
  scoreItems(out: Float64Array = new Float64Array(this.counts.length)): Float64Array {
    for (let i = 0; i < this.counts.length; i++) out[i] = this.counts[i]!;
    return out;
  }
}

/** Popularity from the training interactions. */
export function fitPopularity(train: RatingSet): Popularity {
  return new Popularity(countBy(train, 'item'));
}
