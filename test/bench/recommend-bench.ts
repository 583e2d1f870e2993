/**
 * bench:recommend — k-fold cross-validation of the recommender's models beside their baselines,
 * all in the same run on the same folds:
 *
 *  - explicit ratings: RMSE and MAE of biased MF (SGD, and ALS) against the global mean and
 *    the regularised bias-only baseline; training seconds per fold, predictions per second;
 *  - implicit top-k: precision@10, recall@10, NDCG@10 of BPR against popularity, relevance =
 *    the held-out interactions of each user.
 *
 * Data: MovieTweetings-10k from ../shared/bench/ratings (default), `--data FILE` (any layout
 * the parser reads), or `--synthetic N` buyer × part ratings with a known latent structure
 * (the noise floor, what a perfect model would score, is printed beside it).
 * Target (issue): RMSE clearly better than bias-only, near the noise floor on synthetic 100k,
 * training ≤ 5 s per fold on 2 cores.
 * Usage: npm run bench:recommend [-- --data FILE | --synthetic N] [-- --folds K] [-- --seed S] [-- --no-als] [-- --json]
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { crossValidate, type CrossValidationOptions, type ExplicitScore, type FoldResult, type RankingScore } from '@forgetrace/gateway/dist/recommend/evaluation';
import { RecommendError } from '@forgetrace/gateway/dist/recommend/errors';
import { parseRatings } from '@forgetrace/gateway/dist/recommend/parse';
import type { RatingSet } from '@forgetrace/gateway/dist/recommend/ratings';
import { generateSynthetic } from '@forgetrace/gateway/dist/recommend/synthetic';
import { checkBenchArgs } from './args';

checkBenchArgs('Usage: npm run bench:recommend [-- --data FILE | --synthetic N] [-- --folds K] [-- --seed S] [-- --no-als] [-- --json]', { 'data': 'value', 'synthetic': 'value', 'folds': 'value', 'seed': 'value', 'no-als': 'switch', 'json': 'switch' });

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const arg = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const log = (...parts: unknown[]): void => { if (!json) console.log(...parts); };

/** The repository root: the nearest ancestor of this file whose package.json declares workspaces. */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && 'workspaces' in JSON.parse(readFileSync(pkg, 'utf8'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json with workspaces above ${__dirname}`);
  }
}

function positiveInt(name: string, fallback: number): number {
  const raw = arg(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) { console.error(`${name} must be a positive integer, got ${raw}`); process.exit(2); }
  return n;
}

function main(): void {
  const folds = positiveInt('--folds', 5), seed = positiveInt('--seed', 1);
  let data: RatingSet, label: string, noiseFloor: number | undefined;
  const options: { -readonly [K in keyof CrossValidationOptions]: CrossValidationOptions[K] } = { folds, seed };
  if (argv.includes('--synthetic')) {
    const n = positiveInt('--synthetic', 100_000);
    const synth = generateSynthetic({ ratings: n, seed });
    data = synth.ratings;
    noiseFloor = synth.noiseFloorRmse;
    options.userFeatures = synth.userFeatures;
    options.itemFeatures = synth.itemFeatures;
    label = `synthetic buyer×part, ${n} ratings on 1–5 (${data.userCount} buyers, ${data.itemCount} parts, features: industry, country / category, material, process)`;
  } else {
    const file = resolve(arg('--data') ?? join(repoRoot(), '..', 'shared', 'bench', 'ratings', 'movietweetings-10k', 'ratings.dat'));
    const parsed = parseRatings(readFileSync(file, 'utf8'));
    data = parsed.ratings;
    label = `${file} (${JSON.stringify(parsed.layout)}-separated${parsed.hadHeader ? ', header' : ''}; ${data.values.length} ratings, ${data.userCount} users, ${data.itemCount} items)`;
  }
  if (argv.includes('--no-als')) options.als = false;
  log(`bench:recommend — ${folds}-fold cross-validation, seed ${seed}`);
  log(`data: ${label}`);
  if (noiseFloor !== undefined) log(`noise floor (RMSE of the noise-free truth): ${noiseFloor.toFixed(4)}`);
  options.onFold = (r: FoldResult) => log(
    `  fold ${r.fold + 1}: RMSE mean ${f(r.globalMean.rmse)}  bias ${f(r.biasOnly.rmse)}  MF-SGD ${f(r.mfSgd.rmse)} (${r.mfSgd.trainSeconds.toFixed(2)} s)` +
    (r.mfAls ? `  MF-ALS ${f(r.mfAls.rmse)} (${r.mfAls.trainSeconds.toFixed(2)} s)` : '') +
    (r.bpr && r.popularity ? `  NDCG@10 pop ${f(r.popularity.ndcg)}  BPR ${f(r.bpr.ndcg)} (${r.bpr.trainSeconds.toFixed(2)} s)` : ''),
  );
  const { mean } = crossValidate(data, options);
  log('');
  log('explicit (mean over folds)   RMSE     MAE      train s/fold  predictions/s');
  const row = (name: string, s: ExplicitScore | undefined): void => {
    if (s) log(`  ${name.padEnd(26)} ${f(s.rmse)}   ${f(s.mae)}   ${s.trainSeconds.toFixed(3).padStart(8)}     ${s.predictionsPerSecond ? Math.round(s.predictionsPerSecond).toLocaleString('en-US') : ''}`);
  };
  row('global mean', mean.globalMean);
  row('bias-only (baseline)', mean.biasOnly);
  row('biased MF, SGD', mean.mfSgd);
  row('biased MF, ALS', mean.mfAls);
  if (noiseFloor !== undefined) log(`  ${'noise floor'.padEnd(26)} ${f(noiseFloor)}`);
  if (mean.popularity && mean.bpr) {
    log('');
    log(`implicit top-10 (mean over folds, ${Math.round(mean.rankedUsers)} test users per fold)   P@10     R@10     NDCG@10  train s/fold`);
    const rrow = (name: string, s: RankingScore): void =>
      log(`  ${name.padEnd(60)} ${f(s.precision)}   ${f(s.recall)}   ${f(s.ndcg)}   ${s.trainSeconds.toFixed(3).padStart(8)}`);
    rrow('popularity (baseline)', mean.popularity);
    rrow('BPR', mean.bpr);
  }
  const gain = (1 - mean.mfSgd.rmse / mean.biasOnly.rmse) * 100;
  log('');
  log(`MF-SGD vs bias-only: ${gain >= 0 ? '' : '+'}${(-gain).toFixed(2)}% RMSE; training ${mean.mfSgd.trainSeconds.toFixed(2)} s per fold (target ≤ 5 s)`);
  if (json) {
    console.log(JSON.stringify({
      rmse: mean.mfSgd.rmse, mae: mean.mfSgd.mae, biasOnlyRmse: mean.biasOnly.rmse,
      ndcg10: mean.bpr?.ndcg ?? null, trainSecondsPerFold: mean.mfSgd.trainSeconds,
    }));
  }
}

function f(x: number): string {
  return x.toFixed(4);
}

try {
  main();
} catch (e) {
  // A bad option value (e.g. more synthetic ratings than the generated shape holds): say which, no stack.
  if (!(e instanceof RecommendError)) throw e;
  console.error(`bench:recommend: ${e.message}`);
  process.exit(2);
}
