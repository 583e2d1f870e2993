/** Seeded splits of a rating set: k folds for cross-validation, a validation share for early stopping. */
import { RecommendError } from './errors';
import { selectRatings, type RatingSet } from './ratings';
import { Rng } from '../common/rng';

/**
 * Assigns each of `n` entries to one of `k` folds of near-equal size, uniformly at random.
 * @throws RecommendError INVALID_K when k is not an integer from 2 to n.
 */
export function assignFolds(n: number, k: number, seed: number): Int32Array {
  if (!Number.isInteger(k) || k < 2 || k > n) throw new RecommendError('INVALID_K', { k, max: n });
  const order = new Rng(seed).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const fold = new Int32Array(n);
  for (let x = 0; x < n; x++) fold[order[x]!] = x % k;
  return fold;
}

/** The training and test sets of fold `f` given an assignment from {@link assignFolds}. */
export function foldSplit(set: RatingSet, folds: Int32Array, f: number): { train: RatingSet; test: RatingSet } {
  const train: number[] = [], test: number[] = [];
  for (let r = 0; r < folds.length; r++) (folds[r] === f ? test : train).push(r);
  return { train: selectRatings(set, train), test: selectRatings(set, test) };
}

/** Splits off a random `fraction` of the entries as a validation set. */
export function holdOut(set: RatingSet, fraction: number, seed: number): { fit: RatingSet; validation: RatingSet } {
  const n = set.values.length;
  const order = new Rng(seed).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const cut = Math.round(n * fraction);
  return { validation: selectRatings(set, order.subarray(0, cut)), fit: selectRatings(set, order.subarray(cut)) };
}
