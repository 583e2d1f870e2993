/**
 * Accuracy metrics: RMSE and MAE for rating prediction; precision@k, recall@k and NDCG@k
 * (binary relevance) for top-k ranking; a top-k selection that skips already-seen items.
 */
import { RecommendError } from './errors';

function checkLengths(predicted: ArrayLike<number>, actual: ArrayLike<number>): void {
  if (predicted.length !== actual.length || predicted.length === 0) {
    throw new RecommendError('INVALID_OPTION', { option: 'predicted/actual', expected: 'non-empty arrays of equal length', value: `${predicted.length}/${actual.length}` });
  }
}

/**
 * Root mean squared error.
 * @throws RecommendError INVALID_OPTION for empty or unequal arrays, INVALID_RATING for a non-finite value.
 */
export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkLengths(predicted, actual);
  let s = 0;
  for (let r = 0; r < predicted.length; r++) {
    const e = predicted[r]! - actual[r]!;
    if (!Number.isFinite(e)) throw new RecommendError('INVALID_RATING', { index: r, value: Number.isFinite(actual[r]!) ? predicted[r] : actual[r] });
    s += e * e;
  }
  return Math.sqrt(s / predicted.length);
}

/** Mean absolute error. @throws RecommendError as {@link rmse}. */
export function mae(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkLengths(predicted, actual);
  let s = 0;
  for (let r = 0; r < predicted.length; r++) {
    const e = predicted[r]! - actual[r]!;
    if (!Number.isFinite(e)) throw new RecommendError('INVALID_RATING', { index: r, value: Number.isFinite(actual[r]!) ? predicted[r] : actual[r] });
    s += Math.abs(e);
  }
  return s / predicted.length;
}

function checkK(k: number, max = 1_000_000): void {
  if (!Number.isInteger(k) || k < 1 || k > max) throw new RecommendError('INVALID_K', { k, max });
}

/**
 * Share of the first k ranked items that are relevant (hits / k, also when fewer than k are ranked).
 * @throws RecommendError INVALID_K
 */
export function precisionAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  checkK(k);
  return hitsAtK(ranked, relevant, k) / k;
}

/** Share of the relevant items found in the first k (0 when nothing is relevant). @throws RecommendError INVALID_K */
export function recallAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  checkK(k);
  return relevant.size > 0 ? hitsAtK(ranked, relevant, k) / relevant.size : 0;
}

/**
 * Normalised discounted cumulative gain with binary relevance: Σ_{hits at rank r ≤ k} 1/log₂(r+1),
 * divided by the same sum for an ideal ranking of min(k, |relevant|) hits.
 * @throws RecommendError INVALID_K
 */
export function ndcgAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return 0;
  let dcg = 0, ideal = 0;
  const n = Math.min(k, ranked.length);
  for (let r = 0; r < n; r++) if (relevant.has(ranked[r]!)) dcg += 1 / Math.log2(r + 2);
  for (let r = 0; r < Math.min(k, relevant.size); r++) ideal += 1 / Math.log2(r + 2);
  return dcg / ideal;
}

function hitsAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  let hits = 0;
  const n = Math.min(k, ranked.length);
  for (let r = 0; r < n; r++) if (relevant.has(ranked[r]!)) hits++;
  return hits;
}

/**
 * Indices of the k highest scores, best first (ties: lower index first), skipping `exclude`
 * (e.g. items the user already has). Returns fewer than k when fewer remain.
 * @throws RecommendError INVALID_K when k is not an integer from 1 to scores.length.
 */
export function topK(scores: ArrayLike<number>, k: number, exclude?: { has(i: number): boolean }): Int32Array {
  checkK(k, scores.length);
  const heapIdx = new Int32Array(k), heapVal = new Float64Array(k);
  let size = 0;
  // Min-heap of the best k so far: root is the weakest kept.
  const worse = (a: number, b: number): boolean => heapVal[a]! < heapVal[b]! || (heapVal[a] === heapVal[b] && heapIdx[a]! > heapIdx[b]!);
  const swap = (a: number, b: number): void => {
    const ti = heapIdx[a]!, tv = heapVal[a]!;
    heapIdx[a] = heapIdx[b]!; heapVal[a] = heapVal[b]!; heapIdx[b] = ti; heapVal[b] = tv;
  };
  const down = (x: number): void => {
    while (true) {
      const l = 2 * x + 1, r = l + 1;
      let m = x;
      if (l < size && worse(l, m)) m = l;
      if (r < size && worse(r, m)) m = r;
      if (m === x) return;
      swap(x, m); x = m;
    }
  };
  for (let i = 0; i < scores.length; i++) {
    if (exclude?.has(i)) continue;
    const s = scores[i]!;
    if (Number.isNaN(s)) continue;
    if (size < k) {
      heapIdx[size] = i; heapVal[size] = s;
      let x = size++;
      while (x > 0) { const p = (x - 1) >> 1; if (worse(x, p)) { swap(x, p); x = p; } else break; }
    } else if (s > heapVal[0]!) {
      heapIdx[0] = i; heapVal[0] = s; down(0);
    }
  }
  const order = Array.from({ length: size }, (_, x) => x).sort((a, b) => heapVal[b]! - heapVal[a]! || heapIdx[a]! - heapIdx[b]!);
  return Int32Array.from(order, (x) => heapIdx[x]!);
}
