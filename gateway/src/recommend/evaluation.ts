/**
 * The evaluation protocol of the benchmark: k-fold cross-validation over ratings, scoring
 * every model beside its baselines on the same folds — RMSE/MAE for rating prediction
 * (global mean, bias-only, MF by SGD, MF by ALS) and precision/recall/NDCG@k for top-k
 * ranking of held-out interactions (popularity, BPR).
 */
import { performance } from 'node:perf_hooks';
import { fitBiasBaseline, fitPopularity } from './baselines';
import { trainBpr, userItemSets, type BprOptions } from './bpr';
import type { FeatureTable } from './features';
import { mae, ndcgAtK, precisionAtK, recallAtK, rmse, topK } from './metrics';
import { trainMfAls, trainMfSgd, type MfOptions, type SgdOptions } from './mf';
import { groupBy, meanRating, type RatingSet } from './ratings';
import { assignFolds, foldSplit } from './split';

/** Options of {@link crossValidate}. */
export interface CrossValidationOptions {
  /** Number of folds (default 5). */
  readonly folds?: number;
  /** Seed of the fold assignment and of every trainer (default 1). */
  readonly seed?: number;
  /** Cut-off of the ranking metrics (default 10). */
  readonly k?: number;
  /** SGD options (features are added from below). */
  readonly sgd?: SgdOptions;
  /** ALS options, or false to skip ALS. */
  readonly als?: MfOptions | false;
  /** BPR options, or false to skip ranking. */
  readonly bpr?: BprOptions | false;
  readonly userFeatures?: FeatureTable;
  readonly itemFeatures?: FeatureTable;
  /** Clock in seconds (default performance.now()/1000). */
  readonly now?: () => number;
  /** Called when a fold is done. */
  readonly onFold?: (result: FoldResult) => void;
}

/** Rating-prediction accuracy of one model on one fold. */
export interface ExplicitScore {
  readonly rmse: number;
  readonly mae: number;
  /** Seconds to train (0 for the global mean). */
  readonly trainSeconds: number;
  /** Predictions per second over the test fold. */
  readonly predictionsPerSecond?: number;
}

/** Ranking accuracy of one model on one fold (means over test users). */
export interface RankingScore {
  readonly precision: number;
  readonly recall: number;
  readonly ndcg: number;
  readonly trainSeconds: number;
}

/** Everything measured on one fold. */
export interface FoldResult {
  readonly fold: number;
  readonly trainSize: number;
  readonly testSize: number;
  readonly globalMean: ExplicitScore;
  readonly biasOnly: ExplicitScore;
  readonly mfSgd: ExplicitScore;
  readonly mfAls?: ExplicitScore;
  readonly popularity?: RankingScore;
  readonly bpr?: RankingScore;
  /** Test users the ranking metrics average over. */
  readonly rankedUsers: number;
}

/** Per-fold results and their means. */
export interface CrossValidationResult {
  readonly folds: readonly FoldResult[];
  readonly mean: Omit<FoldResult, 'fold'>;
}

/**
 * Runs k-fold cross-validation of every model on `data`. Deterministic for `seed` (but the timings).
 * @throws RecommendError INVALID_K for a bad fold count or cut-off, and whatever the trainers throw.
 */
export function crossValidate(data: RatingSet, options: CrossValidationOptions = {}): CrossValidationResult {
  const { folds: k = 5, seed = 1, k: cut = 10, now = () => performance.now() / 1000 } = options;
  const features = {
    ...(options.userFeatures ? { userFeatures: options.userFeatures } : {}),
    ...(options.itemFeatures ? { itemFeatures: options.itemFeatures } : {}),
  };
  const assignment = assignFolds(data.values.length, k, seed);
  const results: FoldResult[] = [];
  for (let f = 0; f < k; f++) {
    const { train, test } = foldSplit(data, assignment, f);
    const timed = <T>(fn: () => T): [T, number] => { const t0 = now(); const v = fn(); return [v, now() - t0]; };
    const score = (pred: Float32Array, seconds: number, pps?: number): ExplicitScore =>
      ({ rmse: rmse(pred, test.values), mae: mae(pred, test.values), trainSeconds: seconds, ...(pps !== undefined ? { predictionsPerSecond: pps } : {}) });
    const mu = meanRating(train);
    const globalMean = score(new Float32Array(test.values.length).fill(mu), 0);
    const [bias, biasSeconds] = timed(() => fitBiasBaseline(train));
    const biasOnly = score(bias.predictMany(test.users, test.items), biasSeconds);
    const [sgd, sgdSeconds] = timed(() => trainMfSgd(train, { seed, ...options.sgd, ...features }));
    const mfSgd = score(sgd.predictMany(test.users, test.items), sgdSeconds, throughput(now, (out) => sgd.predictMany(test.users, test.items, out), test.values.length));
    let mfAls: ExplicitScore | undefined;
    if (options.als !== false) {
      const [als, alsSeconds] = timed(() => trainMfAls(train, { seed, ...options.als, ...features }));
      mfAls = score(als.predictMany(test.users, test.items), alsSeconds);
    }
    let popularity: RankingScore | undefined, bpr: RankingScore | undefined, rankedUsers = 0;
    if (options.bpr !== false) {
      const [pop, popSeconds] = timed(() => fitPopularity(train));
      const [bprModel, bprSeconds] = timed(() => trainBpr(train, { seed, ...options.bpr, ...features }));
      const ranking = rankingEvaluation(train, test, cut, [(u, out) => pop.scoreItems(out), (u, out) => bprModel.scoreItems(u, out)]);
      rankedUsers = ranking.users;
      popularity = { ...ranking.scores[0]!, trainSeconds: popSeconds };
      bpr = { ...ranking.scores[1]!, trainSeconds: bprSeconds };
    }
    const result: FoldResult = {
      fold: f, trainSize: train.values.length, testSize: test.values.length, globalMean, biasOnly, mfSgd,
      ...(mfAls ? { mfAls } : {}), ...(popularity ? { popularity } : {}), ...(bpr ? { bpr } : {}), rankedUsers,
    };
    options.onFold?.(result);
    results.push(result);
  }
  return { folds: results, mean: meanOf(results) };
}

function throughput(now: () => number, run: (out: Float32Array) => void, n: number): number {
  const out = new Float32Array(n);
  let count = 0;
  const t0 = now();
  do { run(out); count += n; } while (now() - t0 < 0.2);
  return count / (now() - t0);
}

/**
 * Top-k ranking metrics for several scorers: for each user with held-out items not already in
 * `train`, rank all items except the user's training items, relevance = held out.
 * @throws RecommendError INVALID_K
 */
export function rankingEvaluation(
  train: RatingSet, test: RatingSet, k: number,
  scorers: readonly ((user: number, out: Float64Array) => Float64Array)[],
): { users: number; scores: { precision: number; recall: number; ndcg: number }[] } {
  const seen = userItemSets(train);
  const byUser = groupBy(test, 'user');
  const sums = scorers.map(() => ({ precision: 0, recall: 0, ndcg: 0 }));
  const buffer = new Float64Array(train.itemCount);
  let users = 0;
  for (let u = 0; u < test.userCount; u++) {
    const s0 = seen.offsets[u]!, s1 = seen.offsets[u + 1]!;
    const trainItems = new Set(seen.items.subarray(s0, s1));
    const relevant = new Set<number>();
    for (let x = byUser.offsets[u]!; x < byUser.offsets[u + 1]!; x++) {
      const i = test.items[byUser.order[x]!]!;
      if (!trainItems.has(i)) relevant.add(i);
    }
    if (relevant.size === 0 || train.itemCount - trainItems.size < 1) continue;
    users++;
    const kk = Math.min(k, train.itemCount);
    scorers.forEach((scorer, m) => {
      const ranked = topK(scorer(u, buffer), kk, trainItems);
      const sum = sums[m]!;
      sum.precision += precisionAtK(ranked, relevant, k);
      sum.recall += recallAtK(ranked, relevant, k);
      sum.ndcg += ndcgAtK(ranked, relevant, k);
    });
  }
  return { users, scores: sums.map((s) => ({ precision: s.precision / (users || 1), recall: s.recall / (users || 1), ndcg: s.ndcg / (users || 1) })) };
}

function meanOf(results: readonly FoldResult[]): Omit<FoldResult, 'fold'> {
  const avg = (pick: (r: FoldResult) => number | undefined): number => {
    const xs = results.map(pick).filter((x): x is number => x !== undefined);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  const explicit = (pick: (r: FoldResult) => ExplicitScore | undefined): ExplicitScore | undefined => {
    if (pick(results[0]!) === undefined) return undefined;
    const pps = avg((r) => pick(r)?.predictionsPerSecond);
    return {
      rmse: avg((r) => pick(r)?.rmse), mae: avg((r) => pick(r)?.mae), trainSeconds: avg((r) => pick(r)?.trainSeconds),
      ...(Number.isNaN(pps) ? {} : { predictionsPerSecond: pps }),
    };
  };
  const ranking = (pick: (r: FoldResult) => RankingScore | undefined): RankingScore | undefined =>
    pick(results[0]!) === undefined ? undefined : {
      precision: avg((r) => pick(r)?.precision), recall: avg((r) => pick(r)?.recall),
      ndcg: avg((r) => pick(r)?.ndcg), trainSeconds: avg((r) => pick(r)?.trainSeconds),
    };
  const mfAls = explicit((r) => r.mfAls), popularity = ranking((r) => r.popularity), bpr = ranking((r) => r.bpr);
  return {
    trainSize: avg((r) => r.trainSize), testSize: avg((r) => r.testSize), rankedUsers: avg((r) => r.rankedUsers),
    globalMean: explicit((r) => r.globalMean)!, biasOnly: explicit((r) => r.biasOnly)!, mfSgd: explicit((r) => r.mfSgd)!,
    ...(mfAls ? { mfAls } : {}), ...(popularity ? { popularity } : {}), ...(bpr ? { bpr } : {}),
  };
}
